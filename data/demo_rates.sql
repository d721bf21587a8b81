-- The demo world's rating part (schema version 7), applied after demo_devices.sql: destinations
-- and their groups, retail prices for the system's retail tariff and reseller1's, wholesale
-- prices for the system's wholesale tariff, and rate_get turned on.
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
