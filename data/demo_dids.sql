-- The demo world's part for the DID calls (schema version 8), applied after demo_rates.sql:
-- reseller1's own provider and a hidden one beside the Demo Carrier, a dial plan, and a stock
-- of DIDs in every state (one on user1's desk phone, its primary DID; none of user2's, whom the README deletes), with the DID right for
-- the accountants' group.
INSERT INTO providers (id, name, user_id, tech, hidden) VALUES
  (2, 'Reseller One carrier', 2, 'SIP', 0), (3, 'Retired carrier', 0, 'SIP', 1);
INSERT INTO dialplans (id, name, dptype, user_id) VALUES (1, 'Main IVR', 'ivr', 0);
INSERT INTO dids (id, did, status, user_id, device_id, reseller_id, dialplan_id, provider_id,
                  language, call_limit, comment, reseller_comment, tonezone, closed_till) VALUES
  (1, '37052100001', 'free', 0, 0, 0, 0, 1, 'en', 0, NULL, NULL, NULL, '2006-01-01 00:00:00'),
  (2, '37052100002', 'free', 0, 0, 0, 0, 1, 'en', 0, NULL, NULL, NULL, '2006-01-01 00:00:00'),
  (3, '37052100003', 'active', 5, 1, 0, 0, 1, 'en', 2, 'John main line', NULL, NULL, '2006-01-01 00:00:00'),
  (4, '37052100004', 'reserved', 5, 0, 0, 0, 1, 'es', 0, NULL, NULL, NULL, '2006-01-01 00:00:00'),
  (5, '37052100005', 'free', 0, 0, 2, 0, 2, 'en', 0, NULL, 'R1 stock', NULL, '2006-01-01 00:00:00'),
  (6, '37052100006', 'active', 10, 2, 2, 0, 2, 'de', 0, NULL, 'Anna office', NULL, '2006-01-01 00:00:00'),
  (7, '37052100007', 'active', 0, 0, 0, 1, 1, 'en', 0, 'IVR entry', NULL, 'lt', '2006-01-01 00:00:00'),
  (8, '37052100008', 'closed', 5, 3, 0, 0, 1, 'en', 0, NULL, NULL, NULL, '2026-12-31 00:00:00'),
  (9, '37052100009', 'terminated', 0, 0, 0, 0, 1, 'en', 0, NULL, NULL, NULL, '2006-01-01 00:00:00'),
  (10, '37052100010', 'free', 0, 0, 2, 0, 2, 'en', 0, NULL, NULL, NULL, '2006-01-01 00:00:00');
UPDATE devices SET primary_did_id = 3 WHERE id = 1;
INSERT INTO acc_rights (id, name, right_type) VALUES (6, 'manage_dids_opt_1', 'accountant');
INSERT INTO acc_group_rights (acc_group_id, acc_right_id, value) VALUES (1, 6, 2), (2, 6, 1), (3, 6, 0);
INSERT INTO conflines (name, value, owner_id) VALUES ('Resellers_Allow_Assign_DID_To_Trunk', '1', 0);
