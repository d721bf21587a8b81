-- The demo world's part for the devices calls (schema version 6), applied after
-- demo_accounts.sql: more devices (an IAX2 phone, a hidden spare, an IP-authenticated trunk of
-- reseller1's customer), device groups, and the device rights of the accountants' group.
UPDATE devices SET devicegroup_id = 1 WHERE id = 1;
INSERT INTO devices (id, user_id, device_type, name, username, extension, secret, pin, callerid,
                     description, host, ipaddr, port, location_id, devicegroup_id, hidden,
                     istrunk) VALUES
  (3, 5, 'IAX2', '1003', '1003', '1003', 'demo5iax2x', '333333', '', 'Softphone', 'dynamic',
      '', 4569, 1, 1, 0, 0),
  (4, 5, 'SIP', '1004', '1004', '1004', 'demo5spare', '444444', '', 'Spare desk phone',
      'dynamic', '', 5060, 1, NULL, 1, 0),
  (5, 11, 'SIP', 'ipauthK7m2Qx9a', '', '1005', '', '555555', '<33600000005>', 'PBX trunk',
      '192.0.2.10', '192.0.2.10', 5060, 2, 2, 0, 1);
INSERT INTO devicegroups (id, user_id, name, "primary") VALUES
  (1, 5, 'primary', 1), (2, 11, 'primary', 1);
UPDATE users SET primary_device_id = 5 WHERE id = 11;
INSERT INTO acc_rights (id, name, right_type) VALUES
  (4, 'device_create', 'accountant'), (5, 'device_edit_opt_4', 'accountant');
INSERT INTO acc_group_rights (acc_group_id, acc_right_id, value) VALUES
  (1, 4, 2), (1, 5, 2), (2, 4, 0), (2, 5, 0), (3, 4, 2), (3, 5, 0);
