-- The demo world's rating and call history part (schema version 7), applied after
-- demo_devices.sql: destinations and their groups, retail prices for the system's retail
-- tariff and reseller1's, wholesale prices for the system's wholesale tariff, rate_get turned
-- on, a provider, and a day of calls.
INSERT INTO destinationgroups (id, name) VALUES
  (1, 'Lithuania fixed'), (2, 'Lithuania mobile'), (3, 'Germany fixed'), (4, 'United Kingdom');
INSERT INTO destinations (id, prefix, direction_code, name, destinationgroup_id) VALUES
  (1, '370', 'LTU', 'Lithuania fixed', 1), (2, '3706', 'LTU', 'Lithuania mobile', 2),
  (3, '49', 'DEU', 'Germany fixed', 3), (4, '44', 'GBR', 'United Kingdom', 4);
INSERT INTO rates (id, tariff_id, destination_id, destinationgroup_id) VALUES
  (1, 1, 0, 1), (2, 1, 0, 2), (3, 1, 0, 3), (4, 1, 0, 4),
  (5, 4, 0, 1), (6, 4, 0, 2),
  (7, 2, 1, 0), (8, 2, 2, 0), (9, 2, 3, 0);
INSERT INTO aratedetails (rate_id, "from", duration, artype, round, price) VALUES
  (1, 1, -1, 'minute', 1, 0.05), (2, 1, -1, 'minute', 1, 0.15), (3, 1, -1, 'minute', 1, 0.04),
  (4, 1, -1, 'minute', 1, 0.06), (5, 1, -1, 'minute', 1, 0.07), (6, 1, -1, 'minute', 1, 0.2);
INSERT INTO ratedetails (rate_id, rate, connection_fee, increment_s, min_time) VALUES
  (7, 0.02, 0.0, 1, 0), (8, 0.09, 0.01, 60, 60), (9, 0.015, 0.0, 1, 0);
INSERT INTO conflines (name, value, owner_id) VALUES ('Devices_Check_Rate', '1', 0);
-- A day of calls (2026-01-15): user1's from its SIP phone, one unanswered, one busy, and a
-- call of reseller1's customer r1_user1, priced from their tariffs.
INSERT INTO providers (id, name, user_id, common_use, tariff_id) VALUES (1, 'Demo Carrier', 0, 0, 2);
INSERT INTO calls (calldate, user_id, src_device_id, src, clid, dst, localized_dst, disposition,
                   hangupcause, duration, billsec, real_billsec, user_billsec, prefix,
                   reseller_id, provider_id, user_rate, user_price, reseller_rate,
                   reseller_price, provider_rate, provider_price, uniqueid) VALUES
  ('2026-01-15 09:12:03', 5, 1, '1001', '"John Smith" <1001>', '37060012345', '37060012345',
   'ANSWERED', 16, 98, 90, 90, 90, '3706', 0, 1, 0.15, 0.225, 0, 0, 0.09, 0.14, '1768468323.1'),
  ('2026-01-15 11:40:27', 5, 1, '1001', '"John Smith" <1001>', '4930123456', '4930123456',
   'ANSWERED', 16, 312, 300, 300, 300, '49', 0, 1, 0.04, 0.2, 0, 0, 0.015, 0.075, '1768477227.2'),
  ('2026-01-15 14:05:51', 5, 3, '1003', '"John Smith" <1003>', '37052000000', '37052000000',
   'NO ANSWER', 19, 25, 0, 0, 0, '370', 0, 1, 0.05, 0, 0, 0, 0.02, 0, '1768485951.3'),
  ('2026-01-15 16:22:10', 5, 1, '1001', '"John Smith" <1001>', '447700900123', '447700900123',
   'BUSY', 17, 4, 0, 0, 0, '44', 0, 1, 0.06, 0, 0, 0, 0, 0, '1768494130.4'),
  ('2026-01-15 10:03:44', 10, 2, '1002', '"Anna Schmidt" <1002>', '37061234567', '37061234567',
   'ANSWERED', 16, 65, 60, 60, 60, '3706', 2, 1, 0.2, 0.2, 0.15, 0.15, 0.09, 0.09, '1768471424.5');
