-- The demo world's part for the accounts calls (schema version 4), applied after demo.sql.
-- The accounts calls (balances, payments, registration, login, deletion).
-- Passwords (argon2id): admin `admin1`, user1 `User1pass`, reseller1 `Reseller1pass`.
UPDATE users SET password = '$argon2id$v=19$m=19456,t=2,p=1$oZSFwEmVE8Q6ermV3yWGIQ$EE9Xlzh3x3NjmhB0lhUF0s1n5b9vSXjeFSnyigvNIGY' WHERE id = 0;
UPDATE users SET password = '$argon2id$v=19$m=19456,t=2,p=1$irThxhQdlpYdchNmTxqi5Q$RGGyyC6hRuni83epyC9D1m3UomF9KimllW0puIt6A8E' WHERE id = 5;
UPDATE users SET password = '$argon2id$v=19$m=19456,t=2,p=1$QtDPygilNhvRz70Bj3JW5g$SbwRjzgq7/LL67mai41Gu/AGBU50oGCx9vhIrkYet9M' WHERE id = 2;
INSERT INTO locations (id, name, user_id) VALUES (1, 'Global', 0), (2, 'Reseller One office', 2);
INSERT INTO devices (id, user_id, device_type, name, username, extension, secret, pin, callerid, port, location_id) VALUES
  (1, 5, 'SIP', '1001', '1001', '1001', 'demo5sip', '111111', '<37060000005>', 5060, 1),
  (2, 10, 'SIP', '1002', '1002', '1002', 'demo10sip', '222222', '', 5060, 2);
UPDATE users SET primary_device_id = 1 WHERE id = 5;
UPDATE users SET primary_device_id = 2 WHERE id = 10;
INSERT INTO callerids (cli, device_id, description) VALUES ('37060000005', 1, 'Mobile Phone');
INSERT INTO payments (user_id, owner_id, paymenttype, amount, tax, gross, currency, completed,
                      pending_reason, first_name, last_name, date_added, shipped_at) VALUES
  (5, 0, 'from_api : Card', 20.0, 4.2, 24.2, 'EUR', 1, 'completed', 'John', 'Smith',
   '2026-01-15 10:00:00', '2026-01-15 10:00:00');
INSERT INTO conflines (name, value, owner_id) VALUES
  ('Devices_Check_Ballance', '1', 0),
  ('API_Allow_registration_ower_API', '1', 0),
  ('API_Allow_payments_ower_API', '1', 0),
  ('API_payment_confirmation', '0', 0),
  ('Asterisk_Server_IP', '127.0.0.1', 0),
  ('Device_Range_MIN', '1000', 0),
  ('Device_Range_MAX', '1999', 0),
  ('Default_User_tariff_id', '1', 0),
  ('Default_User_lcr_id', '1', 0),
  ('Default_User_currency_id', '1', 0),
  ('Default_User_postpaid', '0', 0),
  ('Default_User_tariff_id', '4', 2),
  ('Default_User_lcr_id', '1', 2);
