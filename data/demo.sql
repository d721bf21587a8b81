-- The demo world: loaded by `morbox init --demo` (and so by `make run`) after schema.sql.
--
-- Keys: the system API_Secret_Key is `secret` and the reseller `username` (id 123) signs with
-- `456789`, so that every request example on the vendor's wiki pages works here verbatim.
-- These are demo secrets: never serve this database on a public address.

INSERT INTO currencies (id, name, full_name, exchange_rate, active) VALUES
  (1, 'EUR', 'Euro', 1.0, 1),
  (2, 'USD', 'United States dollar', 1.08, 1),
  (3, 'GBP', 'Pound sterling', 0.86, 1),
  (4, 'SEK', 'Swedish krona', 11.5, 0);

INSERT INTO directions (id, name, code) VALUES
  (1, 'Afghanistan', 'AFG'), (2, 'Albania', 'ALB'), (3, 'Algeria', 'DZA'),
  (4, 'Andorra', 'AND'), (5, 'Angola', 'AGO'), (6, 'Argentina', 'ARG'),
  (7, 'Armenia', 'ARM'), (8, 'Australia', 'AUS'), (9, 'Austria', 'AUT'),
  (10, 'Azerbaijan', 'AZE'), (11, 'Bahrain', 'BHR'), (12, 'Bangladesh', 'BGD'),
  (13, 'Belarus', 'BLR'), (14, 'Belgium', 'BEL'), (15, 'Bolivia', 'BOL'),
  (16, 'Bosnia and Herzegovina', 'BIH'), (17, 'Brazil', 'BRA'), (18, 'Bulgaria', 'BGR'),
  (19, 'Cambodia', 'KHM'), (20, 'Cameroon', 'CMR'), (21, 'Canada', 'CAN'),
  (22, 'Central African Republic', 'CAF'), (23, 'Chile', 'CHL'), (24, 'China', 'CHN'),
  (25, 'Colombia', 'COL'), (26, 'Costa Rica', 'CRI'), (27, 'Croatia', 'HRV'),
  (28, 'Cuba', 'CUB'), (29, 'Cyprus', 'CYP'), (30, 'Czech Republic', 'CZE'),
  (31, 'Democratic Republic of the Congo', 'COD'), (32, 'Denmark', 'DNK'),
  (33, 'Dominican Republic', 'DOM'), (34, 'Ecuador', 'ECU'), (35, 'Egypt', 'EGY'),
  (36, 'Estonia', 'EST'), (37, 'Ethiopia', 'ETH'), (38, 'Finland', 'FIN'),
  (39, 'France', 'FRA'), (40, 'Georgia', 'GEO'), (41, 'Germany', 'DEU'),
  (42, 'Ghana', 'GHA'), (43, 'Greece', 'GRC'), (44, 'Guatemala', 'GTM'),
  (45, 'Hungary', 'HUN'), (46, 'Iceland', 'ISL'), (47, 'India', 'IND'),
  (48, 'Indonesia', 'IDN'), (49, 'Iran', 'IRN'), (50, 'Iraq', 'IRQ'),
  (51, 'Ireland', 'IRL'), (52, 'Israel', 'ISR'), (53, 'Italy', 'ITA'),
  (54, 'Japan', 'JPN'), (55, 'Jordan', 'JOR'), (56, 'Kazakhstan', 'KAZ'),
  (57, 'Kenya', 'KEN'), (58, 'Kuwait', 'KWT'), (59, 'Latvia', 'LVA'),
  (60, 'Lebanon', 'LBN'), (61, 'Liechtenstein', 'LIE'), (62, 'Lithuania', 'LTU'),
  (63, 'Luxembourg', 'LUX'), (64, 'Malaysia', 'MYS'), (65, 'Malta', 'MLT'),
  (66, 'Mexico', 'MEX'), (67, 'Moldova', 'MDA'), (68, 'Monaco', 'MCO'),
  (69, 'Morocco', 'MAR'), (70, 'Netherlands', 'NLD'), (71, 'New Zealand', 'NZL'),
  (72, 'Nigeria', 'NGA'), (73, 'North Macedonia', 'MKD'), (74, 'Norway', 'NOR'),
  (75, 'Pakistan', 'PAK'), (76, 'Panama', 'PAN'), (77, 'Peru', 'PER'),
  (78, 'Philippines', 'PHL'), (79, 'Poland', 'POL'), (80, 'Portugal', 'PRT'),
  (81, 'Qatar', 'QAT'), (82, 'Romania', 'ROU'), (83, 'Russia', 'RUS'),
  (84, 'Saudi Arabia', 'SAU'), (85, 'Serbia', 'SRB'), (86, 'Singapore', 'SGP'),
  (87, 'Slovakia', 'SVK'), (88, 'Slovenia', 'SVN'), (89, 'South Africa', 'ZAF'),
  (90, 'South Korea', 'KOR'), (91, 'Spain', 'ESP'), (92, 'Sri Lanka', 'LKA'),
  (93, 'Sweden', 'SWE'), (94, 'Switzerland', 'CHE'), (95, 'Taiwan', 'TWN'),
  (96, 'Thailand', 'THA'), (97, 'Tunisia', 'TUN'), (98, 'Turkey', 'TUR'),
  (99, 'Ukraine', 'UKR'), (100, 'United Arab Emirates', 'ARE'), (101, 'United Kingdom', 'GBR'),
  (102, 'United States', 'USA'), (103, 'Uruguay', 'URY'), (104, 'Uzbekistan', 'UZB'),
  (105, 'Venezuela', 'VEN'), (106, 'Vietnam', 'VNM'), (107, 'Saint Vincent and the Grenadines', 'VCT');

INSERT INTO conflines (name, value, owner_id) VALUES
  ('Allow_API', '1', 0),
  ('Allow_GET_API', '1', 0),
  ('API_Secret_Key', 'secret', 0),
  ('API_Disable_hash_checking', '0', 0),
  ('XML_API_Extension', '0', 0),
  ('Allow_Resellers_to_use_Admin_Tariffs', '1', 0),
  ('Allow_Resellers_to_use_Admin_Quick_Forward_Rules', '0', 0),
  ('Nice_Number_Digits', '2', 0),
  ('Use_strong_password', '0', 0),
  ('Default_User_password_length', '8', 0),
  ('Default_User_username_length', '3', 0),
  ('Two_FA_enabled', '0', 0),
  ('Allow_API', '1', 2),
  ('API_Secret_Key', 'reseller1secret', 2),
  ('Allow_API', '1', 3),
  ('Allow_API', '1', 123),
  ('API_Secret_Key', '456789', 123);

INSERT INTO taxes (id, tax1_enabled, tax1_name, tax1_value, tax2_enabled, tax2_name, tax2_value,
                   compound_tax, total_tax_name) VALUES
  (1, 1, 'VAT', 21.0, 0, '', 0.0, 1, 'TAX'),
  (2, 1, 'VAT', 20.0, 1, 'Telecom levy', 1.5, 0, 'Taxes'),
  (3, 1, 'VAT', 0.0, 0, '', 0.0, 1, 'TAX'),
  (4, 1, 'VAT', 25.0, 0, '', 0.0, 1, 'TAX'),
  (5, 1, 'VAT', 21.0, 0, '', 0.0, 1, 'TAX'),
  (6, 1, 'VAT', 21.0, 0, '', 0.0, 1, 'TAX'),
  (7, 1, 'VAT', 0.0, 0, '', 0.0, 1, 'TAX');

INSERT INTO addresses (id, direction_id, state, county, city, postcode, address, phone,
                       mob_phone, fax, email) VALUES
  (1, 62, '', 'Vilniaus', 'Vilnius', 'LT-01100', 'Gedimino pr. 1', '+37052000001',
      '+37060000001', '', 'john.smith@example.com'),
  (2, 101, 'England', 'Greater London', 'London', 'EC1A 1BB', '1 Long Lane', '+442070000002',
      '+447700900002', '+442070000003', 'billing@reseller-one.example'),
  (3, 102, 'NY', 'Kings', 'Brooklyn', '11201', '10 Water St & Dock <B>', '+17185550100',
      '', '', 'ops@reseller-two.example'),
  (4, 41, 'Berlin', '', 'Berlin', '10115', 'Invalidenstr. 5', '+49300000004', '', '',
      'anna@example.de'),
  (5, 39, '', '', 'Paris', '75001', '2 Rue de Rivoli', '', '+33600000005', '', ''),
  (6, 22, '', '', 'Bangui', '', '', '', '', '', 'wiki@example.com');

INSERT INTO acc_groups (id, name, group_type, only_view) VALUES
  (1, 'Accountants (users read/write)', 'accountant', 0),
  (2, 'Managers (users read)', 'manager', 1),
  (3, 'Accountants (no users)', 'accountant', 0);

INSERT INTO acc_rights (id, name, right_type) VALUES
  (1, 'user_manage', 'accountant'),
  (2, 'device_manage', 'accountant'),
  (3, 'tariff_manage', 'accountant');

INSERT INTO acc_group_rights (acc_group_id, acc_right_id, value) VALUES
  (1, 1, 2), (1, 2, 2), (1, 3, 1),
  (2, 1, 1), (2, 2, 1), (2, 3, 0),
  (3, 1, 0), (3, 2, 2), (3, 3, 2);

INSERT INTO tariffs (id, name, purpose, owner_id, currency) VALUES
  (1, 'Retail', 'user', 0, 'EUR'),
  (2, 'Wholesale', 'user_wholesale', 0, 'EUR'),
  (3, 'Provider termination', 'provider', 0, 'EUR'),
  (4, 'Reseller one retail', 'user', 2, 'EUR'),
  (5, 'Reseller one wholesale', 'user_wholesale', 2, 'USD'),
  (6, 'Reseller one provider', 'provider', 2, 'USD'),
  (7, 'Reseller two retail', 'user', 3, 'GBP'),
  (8, 'Reseller two provider', 'provider', 3, 'GBP');

INSERT INTO lcrs (id, name, user_id) VALUES
  (1, 'Primary', 0), (2, 'Backup', 0), (3, 'Reseller one LCR', 2),
  (4, 'Reseller one cheap', 2), (5, 'Reseller two LCR', 3);

INSERT INTO quickforwards_rules (id, name, user_id) VALUES
  (1, 'Office hours', 0), (2, 'Night forward', 0), (3, 'Reseller one rule', 2);

INSERT INTO pbx_pools (id, name, owner_id) VALUES
  (1, 'Default', 0), (2, 'Premium', 0), (3, 'Reseller one pool', 2);

INSERT INTO number_pools (id, name, owner_id) VALUES
  (1, 'Blocked numbers', 0), (2, 'VIP numbers', 0), (3, 'Reseller one list', 2);

-- The users. Ids leave gaps on purpose, as a real database has them.
INSERT INTO users (id, username, usertype, first_name, last_name, balance, credit, postpaid,
                   owner_id, tariff_id, lcr_id, address_id, tax_id, acc_group_id,
                   show_only_assigned_users, responsible_accountant_id, clientid,
                   agreement_number, agreement_date, taxation_country, vat_number, vat_percent,
                   call_limit, accounting_number, daily_spend_limit, send_invoice_types,
                   generate_invoice, warning_email_active, warning_email_balance,
                   warning_email_hour, pbx_pool_id, hide_non_answered_calls, blocked, hidden,
                   own_providers, company_name, time_zone, uniquehash, password) VALUES
  (0, 'admin', 'admin', 'System', 'Admin', 0.0, -1, 1, 0, 1, 1, 0, 1, 0, 0, -1, '', '', NULL, 0,
      '', 0.0, 0, '', 0.0, 1, 0, 0, 0.0, -1, 1, 0, 0, 0, 0, 'Demo Telecom', 'UTC',
      'a0d1m2i3n4', ''),
  (2, 'reseller1', 'reseller', 'Rita', 'Reseller', 250.0, -1, 1, 0, 2, 3, 2, 2, 0, 0, -1,
      'GB123', 'R-0001', '2019-03-01', 101, 'GB999999973', 20.0, 50, 'ACC-R1', 500.0, 2, 1, 1,
      25.0, 9, 2, 1, 0, 0, 0, 'Reseller One Ltd', 'Europe/London', 'r1e2s3e4l5', ''),
  (3, 'reseller2', 'reseller', 'Ray', 'Second', 80.25, 1000.0, 1, 0, 2, 5, 3, 3, 0, 0, -1,
      'US777', 'R-0002', '2021-11-15', 102, '', 0.0, 20, 'ACC-R2', 0.0, 30, 1, 0, 0.0, -1, 1, 0,
      0, 0, 1, 'Reseller Two & Co', 'America/New_York', 'r2e2s3e4l5', ''),
  (5, 'user1', 'user', 'John', 'Smith', 12.5, 100.0, 1, 0, 1, 1, 1, 1, 0, 0, 8, 'LT-4455',
      'AG-2020-17', '2020-05-17', 62, 'LT100001', 21.0, 5, 'ACC-0005', 50.0, 10, 1, 1, 5.0, 8,
      1, 1, 0, 0, 0, '', 'Europe/Vilnius', 'u1s2e3r4', ''),
  (6, 'user2', 'user', 'Maria', 'Garcia', 3.0, 0.0, 0, 0, 1, 1, 0, 4, 0, 0, -1, '', '', NULL, 0,
      '', 0.0, 0, '', 0.0, 1, 0, 0, 0.0, -1, 1, 0, 1, 0, 0, '', 'Europe/Madrid', 'u2s2e3r4', ''),
  (7, 'accountant', 'accountant', 'Alice', 'Counter', 0.0, 0.0, 1, 0, 1, 1, 0, 5, 1, 0, -1, '',
      '', NULL, 0, '', 0.0, 0, '', 0.0, 1, 0, 0, 0.0, -1, 1, 0, 0, 0, 0, '', 'UTC', 'a1c2c3', ''),
  (8, 'manager', 'manager', 'Mark', 'Manager', 0.0, 0.0, 1, 0, 1, 1, 0, 6, 2, 1, -1, '', '',
      NULL, 0, '', 0.0, 0, '', 0.0, 1, 0, 0, 0.0, -1, 1, 0, 0, 0, 0, '', 'UTC', 'm1a2n3', ''),
  (9, 'accountant2', 'accountant', 'Bob', 'Nousers', 0.0, 0.0, 1, 0, 1, 1, 0, 7, 3, 0, -1, '',
      '', NULL, 0, '', 0.0, 0, '', 0.0, 1, 0, 0, 0.0, -1, 1, 0, 0, 0, 0, '', 'UTC', 'a2c2c3', ''),
  (10, 'r1_user1', 'user', 'Anna', 'Schmidt', 42.1234, 10.0, 1, 2, 4, 3, 4, 1, 0, 0, -1, 'DE55',
      'R1-AG-1', '2022-01-31', 41, 'DE123456789', 19.0, 2, 'R1-10', 5.5, 6, 1, 0, 0.0, -1, 3, 0,
      0, 0, 0, '', 'Europe/Berlin', 'r1u1', ''),
  (11, 'r1_user2', 'user', 'Pierre', 'Martin', -7.5, 20.0, 0, 2, 4, 3, 5, 1, 0, 0, -1, '', '',
      NULL, 0, '', 0.0, 0, '', 0.0, 1, 0, 0, 0.0, -1, 3, 0, 0, 1, 0, '', 'Europe/Paris', 'r1u2', ''),
  (12, 'r2_user1', 'user', 'Ken', 'Tanaka', 1000.0, -1, 1, 3, 7, 5, 0, 1, 0, 0, -1, '', '', NULL,
      0, '', 0.0, 0, '', 0.0, 1, 0, 0, 0.0, -1, 1, 0, 0, 0, 0, '', 'Asia/Tokyo', 'r2u1', ''),
  (123, 'username', 'reseller', 'Wiki', 'Example', 15.0, 0.0, 0, 0, 2, 1, 6, 1, 0, 0, -1, 'W-1',
      'WIKI-123', '2014-03-13', 22, '', 0.0, 0, '', 0.0, 1, 0, 0, 0.0, -1, 1, 0, 0, 0, 0, '',
      'UTC', 'w1k2i3', ''),
  (124, 'wiki_customer', 'user', 'Walter', 'Customer', 0.0, 0.0, 0, 123, 2, 1, 0, 1, 0, 0, -1,
      '', '', NULL, 0, '', 0.0, 0, '', 0.0, 1, 0, 0, 0.0, -1, 1, 0, 0, 0, 0, '', 'UTC', 'w1c2', '');

