-- morbox schema: the vendor's (Kolmisoft MOR) table and column names, so that data, scripts and
-- people who know MOR's database feel at home (NOTES.md section 9). Every column has a default,
-- so a fixture can insert a row naming only the columns it cares about.

CREATE TABLE schema_version (version INTEGER NOT NULL);
INSERT INTO schema_version (version) VALUES (8);

-- Column order matters: user_details_raw_get answers every column in table order. The columns
-- follow the vendor's raw-get page; then the three secret ones; then those the update needs.
CREATE TABLE users (
  id INTEGER PRIMARY KEY,
  -- NULL by default, so that fixtures may add several users without naming them.
  username TEXT DEFAULT NULL UNIQUE,
  usertype TEXT NOT NULL DEFAULT 'user'
    CHECK (usertype IN ('admin', 'reseller', 'accountant', 'manager', 'user')),
  logged INTEGER NOT NULL DEFAULT 0,
  first_name TEXT NOT NULL DEFAULT '',
  last_name TEXT NOT NULL DEFAULT '',
  calltime_normative REAL NOT NULL DEFAULT 3.0,
  show_in_realtime_stats INTEGER NOT NULL DEFAULT 0,
  balance REAL NOT NULL DEFAULT 0.0,
  frozen_balance REAL NOT NULL DEFAULT 0.0,
  lcr_id INTEGER NOT NULL DEFAULT 0,
  postpaid INTEGER NOT NULL DEFAULT 1,
  blocked INTEGER NOT NULL DEFAULT 0,
  tariff_id INTEGER NOT NULL DEFAULT 0,
  month_plan_perc REAL NOT NULL DEFAULT 0.0,
  month_plan_updated TEXT DEFAULT NULL,
  sales_this_month INTEGER NOT NULL DEFAULT 0,
  sales_this_month_planned INTEGER NOT NULL DEFAULT 0,
  show_billing_info INTEGER NOT NULL DEFAULT 1,
  primary_device_id INTEGER NOT NULL DEFAULT 0,
  credit REAL NOT NULL DEFAULT 0.0,
  clientid TEXT NOT NULL DEFAULT '',
  agreement_number TEXT NOT NULL DEFAULT '',
  agreement_date TEXT DEFAULT NULL,
  language TEXT NOT NULL DEFAULT 'en',
  taxation_country INTEGER NOT NULL DEFAULT 0,
  vat_number TEXT NOT NULL DEFAULT '',
  vat_percent REAL NOT NULL DEFAULT 0.0,
  address_id INTEGER NOT NULL DEFAULT 0,
  accounting_number TEXT NOT NULL DEFAULT '',
  owner_id INTEGER NOT NULL DEFAULT 0,
  hidden INTEGER NOT NULL DEFAULT 0,
  allow_loss_calls INTEGER NOT NULL DEFAULT 0,
  vouchers_disabled_till TEXT NOT NULL DEFAULT '2000-01-01 00:00:00',
  temporary_id INTEGER DEFAULT NULL,
  send_invoice_types INTEGER NOT NULL DEFAULT 1,
  call_limit INTEGER NOT NULL DEFAULT 0,
  sms_tariff_id INTEGER DEFAULT NULL,
  sms_lcr_id INTEGER DEFAULT NULL,
  sms_service_active INTEGER NOT NULL DEFAULT 0,
  cyberplat_active INTEGER NOT NULL DEFAULT 0,
  call_center_agent INTEGER NOT NULL DEFAULT 0,
  generate_invoice INTEGER NOT NULL DEFAULT 1,
  tax_1 REAL NOT NULL DEFAULT 0.0,
  tax_2 REAL NOT NULL DEFAULT 0.0,
  tax_3 REAL NOT NULL DEFAULT 0.0,
  tax_4 REAL NOT NULL DEFAULT 0.0,
  block_at TEXT NOT NULL DEFAULT '2008-01-01',
  block_at_conditional INTEGER NOT NULL DEFAULT 15,
  block_conditional_use INTEGER NOT NULL DEFAULT 0,
  recording_enabled INTEGER NOT NULL DEFAULT 0,
  recording_forced_enabled INTEGER NOT NULL DEFAULT 0,
  recordings_email TEXT NOT NULL DEFAULT '',
  recording_hdd_quota INTEGER NOT NULL DEFAULT 100,
  warning_email_active INTEGER NOT NULL DEFAULT 0,
  warning_email_balance REAL NOT NULL DEFAULT 0.0,
  warning_email_sent INTEGER NOT NULL DEFAULT 0,
  tax_id INTEGER NOT NULL DEFAULT 0,
  invoice_zero_calls INTEGER NOT NULL DEFAULT 1,
  acc_group_id INTEGER NOT NULL DEFAULT 0,
  hide_destination_end INTEGER NOT NULL DEFAULT -1,
  warning_email_hour INTEGER NOT NULL DEFAULT -1,
  warning_balance_call INTEGER NOT NULL DEFAULT 0,
  warning_balance_sound_file_id INTEGER NOT NULL DEFAULT 0,
  own_providers INTEGER NOT NULL DEFAULT 0,
  currency_id INTEGER NOT NULL DEFAULT 1,
  quickforwards_rule_id INTEGER NOT NULL DEFAULT 0,
  spy_device_id INTEGER NOT NULL DEFAULT 0,
  time_zone TEXT NOT NULL DEFAULT 'UTC',
  minimal_charge INTEGER NOT NULL DEFAULT 0,
  minimal_charge_start_at TEXT DEFAULT NULL,
  webphone_allow_use INTEGER NOT NULL DEFAULT 0,
  webphone_device_id INTEGER NOT NULL DEFAULT 0,
  responsible_accountant_id INTEGER NOT NULL DEFAULT -1,
  blacklist_enabled TEXT NOT NULL DEFAULT 'global',
  blacklist_lcr INTEGER NOT NULL DEFAULT 0,
  routing_threshold INTEGER NOT NULL DEFAULT -1,
  pbx_pool_id INTEGER NOT NULL DEFAULT 1,
  hide_non_answered_calls INTEGER NOT NULL DEFAULT 0,
  balance_min REAL NOT NULL DEFAULT 0.0,
  balance_max REAL NOT NULL DEFAULT 0.0,
  routing_threshold_2 INTEGER NOT NULL DEFAULT -1,
  blacklist_lcr_2 INTEGER NOT NULL DEFAULT 0,
  routing_threshold_3 INTEGER NOT NULL DEFAULT -1,
  blacklist_lcr_3 INTEGER NOT NULL DEFAULT 0,
  main_email TEXT NOT NULL DEFAULT '',
  noc_email TEXT NOT NULL DEFAULT '',
  billing_email TEXT NOT NULL DEFAULT '',
  rates_email TEXT NOT NULL DEFAULT '',
  warning_email_balance_admin REAL NOT NULL DEFAULT 0.0,
  warning_email_balance_manager REAL NOT NULL DEFAULT 0.0,
  billing_period TEXT NOT NULL DEFAULT 'monthly',
  invoice_grace_period INTEGER NOT NULL DEFAULT 0,
  warning_email_sent_admin INTEGER NOT NULL DEFAULT 0,
  warning_email_sent_manager INTEGER NOT NULL DEFAULT 0,
  comment TEXT NOT NULL DEFAULT '',
  warning_balance_increases INTEGER NOT NULL DEFAULT 0,
  ignore_global_alerts INTEGER NOT NULL DEFAULT 0,
  manager_group_id INTEGER DEFAULT NULL,
  phone TEXT NOT NULL DEFAULT '',
  enable_static_list TEXT NOT NULL DEFAULT 'no',
  static_list_id INTEGER NOT NULL DEFAULT 0,
  enable_static_source_list TEXT NOT NULL DEFAULT 'no',
  static_source_list_id INTEGER NOT NULL DEFAULT 0,
  generate_invoice_manually INTEGER NOT NULL DEFAULT 0,
  show_hangupcause INTEGER NOT NULL DEFAULT 0,
  max_call_rate REAL NOT NULL DEFAULT 0.0,
  password_changed_at TEXT DEFAULT NULL,
  show_only_assigned_users INTEGER NOT NULL DEFAULT 0,
  billing_dynamic_from TEXT DEFAULT NULL,
  billing_dynamic_days INTEGER NOT NULL DEFAULT 0,
  billing_run_at TEXT DEFAULT NULL,
  send_warning_balance_sms INTEGER NOT NULL DEFAULT 0,
  billing_dynamic_generation_time INTEGER NOT NULL DEFAULT 0,
  generate_prepaid_invoice INTEGER NOT NULL DEFAULT 0,
  web_address TEXT NOT NULL DEFAULT '',
  price_protection INTEGER NOT NULL DEFAULT 0,
  min_rate_margin REAL NOT NULL DEFAULT 0.0,
  min_rate_margin_percent REAL NOT NULL DEFAULT 0.0,
  digits_used_for_price INTEGER NOT NULL DEFAULT 0,
  digits_rounding_method TEXT NOT NULL DEFAULT 'round',
  user_status TEXT NOT NULL DEFAULT 'active',
  changes_present INTEGER NOT NULL DEFAULT 0,
  enforce_daily_limit INTEGER NOT NULL DEFAULT 0,
  daily_spend_limit_reached INTEGER NOT NULL DEFAULT 0,
  daily_spend_warning_reached INTEGER NOT NULL DEFAULT 0,
  daily_spend_warning_email_sent INTEGER NOT NULL DEFAULT 0,
  daily_spend_limit REAL NOT NULL DEFAULT 0.0,
  daily_spend_warning REAL NOT NULL DEFAULT 0.0,
  kill_calls_in_progress INTEGER NOT NULL DEFAULT 0,
  show_daily_limit INTEGER NOT NULL DEFAULT 0,
  allow_customer_to_edit INTEGER NOT NULL DEFAULT 0,
  daily_spend_limit_last_reset_at TEXT DEFAULT NULL,
  kill_calls_in_progress_flag INTEGER NOT NULL DEFAULT 0,
  allow_paypal INTEGER NOT NULL DEFAULT 0,
  paypal_need_approval INTEGER NOT NULL DEFAULT 0,
  paypal_credit_selection TEXT NOT NULL DEFAULT '',
  paypal_fee_selection TEXT NOT NULL DEFAULT '',
  paypal_charge_fee_on_entered_amount INTEGER NOT NULL DEFAULT 0,
  paypal_charge_fee_on_net_amount INTEGER NOT NULL DEFAULT 0,
  paypal_do_not_send_confirmation_email INTEGER NOT NULL DEFAULT 0,
  rate_notification_template_id INTEGER NOT NULL DEFAULT 0,
  two_fa_enabled INTEGER NOT NULL DEFAULT 0,
  hide_financial_data_in_quick_stats INTEGER NOT NULL DEFAULT 0,
  round_call_price_in_cdr INTEGER NOT NULL DEFAULT 0,
  show_calls_statistics_for_last_days INTEGER NOT NULL DEFAULT 0,
  time_format TEXT NOT NULL DEFAULT '%H:%M:%S',
  show_quick_stats INTEGER NOT NULL DEFAULT 1,
  two_fa_authentication_method TEXT NOT NULL DEFAULT 'email',
  two_fa_authenticator_verified INTEGER NOT NULL DEFAULT 0,
  two_fa_authenticator_last_otp_at TEXT DEFAULT NULL,
  -- Secrets: never in any response.
  password TEXT NOT NULL DEFAULT '',
  uniquehash TEXT NOT NULL DEFAULT '',
  two_fa_authenticator_secret TEXT NOT NULL DEFAULT '',
  -- Further columns written by user_details_update.
  company_name TEXT NOT NULL DEFAULT '',
  max_devices INTEGER NOT NULL DEFAULT 0,
  allow_change_callerid INTEGER NOT NULL DEFAULT 0,
  ignore_global_monitorings INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX users_owner ON users (owner_id);
-- Usernames are unique in any case (as under MySQL's case-insensitive collation).
CREATE INDEX users_username_nocase ON users (username COLLATE NOCASE);
CREATE INDEX users_responsible_accountant ON users (responsible_accountant_id);

CREATE TABLE addresses (
  id INTEGER PRIMARY KEY,
  direction_id INTEGER NOT NULL DEFAULT 0,
  state TEXT NOT NULL DEFAULT '',
  county TEXT NOT NULL DEFAULT '',
  city TEXT NOT NULL DEFAULT '',
  postcode TEXT NOT NULL DEFAULT '',
  address TEXT NOT NULL DEFAULT '',
  phone TEXT NOT NULL DEFAULT '',
  mob_phone TEXT NOT NULL DEFAULT '',
  fax TEXT NOT NULL DEFAULT '',
  email TEXT NOT NULL DEFAULT ''
);

CREATE TABLE conflines (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL DEFAULT '',
  value TEXT NOT NULL DEFAULT '',
  owner_id INTEGER NOT NULL DEFAULT 0,
  value2 TEXT NOT NULL DEFAULT ''
);
-- Not unique: a fixture may INSERT a setting the demo world already has; the newest row wins.
CREATE INDEX conflines_owner_name ON conflines (owner_id, name);

CREATE TABLE currencies (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL DEFAULT '',
  full_name TEXT NOT NULL DEFAULT '',
  exchange_rate REAL NOT NULL DEFAULT 1.0,
  active INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE directions (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL DEFAULT '',
  code TEXT NOT NULL DEFAULT ''
);

CREATE TABLE tariffs (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL DEFAULT '',
  purpose TEXT NOT NULL DEFAULT 'user'
    CHECK (purpose IN ('user', 'user_wholesale', 'provider')),
  owner_id INTEGER NOT NULL DEFAULT 0,
  currency TEXT NOT NULL DEFAULT 'EUR'
);
CREATE INDEX tariffs_owner ON tariffs (owner_id);

CREATE TABLE lcrs (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL DEFAULT '',
  user_id INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE quickforwards_rules (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL DEFAULT '',
  user_id INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE pbx_pools (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL DEFAULT '',
  owner_id INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE number_pools (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL DEFAULT '',
  owner_id INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE acc_groups (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL DEFAULT '',
  group_type TEXT NOT NULL DEFAULT 'accountant',
  only_view INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE acc_rights (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL DEFAULT '',
  right_type TEXT NOT NULL DEFAULT 'accountant'
);

CREATE TABLE acc_group_rights (
  id INTEGER PRIMARY KEY,
  acc_group_id INTEGER NOT NULL DEFAULT 0,
  acc_right_id INTEGER NOT NULL DEFAULT 0,
  value INTEGER NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX acc_group_rights_group ON acc_group_rights (acc_group_id, acc_right_id);

CREATE TABLE taxes (
  id INTEGER PRIMARY KEY,
  tax1_enabled INTEGER NOT NULL DEFAULT 1,
  tax2_enabled INTEGER NOT NULL DEFAULT 0,
  tax3_enabled INTEGER NOT NULL DEFAULT 0,
  tax4_enabled INTEGER NOT NULL DEFAULT 0,
  tax1_name TEXT NOT NULL DEFAULT 'VAT',
  tax2_name TEXT NOT NULL DEFAULT '',
  tax3_name TEXT NOT NULL DEFAULT '',
  tax4_name TEXT NOT NULL DEFAULT '',
  tax1_value REAL NOT NULL DEFAULT 0.0,
  tax2_value REAL NOT NULL DEFAULT 0.0,
  tax3_value REAL NOT NULL DEFAULT 0.0,
  tax4_value REAL NOT NULL DEFAULT 0.0,
  compound_tax INTEGER NOT NULL DEFAULT 1,
  total_tax_name TEXT NOT NULL DEFAULT 'TAX'
);

-- The audit log: one row per changed column of a successful update (and, later, per refused
-- attempt). user_id is the caller, target_id the user acted on.
CREATE TABLE actions (
  id INTEGER PRIMARY KEY,
  date TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%S', 'now')),
  user_id INTEGER NOT NULL DEFAULT 0,
  target_id INTEGER NOT NULL DEFAULT 0,
  action TEXT NOT NULL DEFAULT '',
  data TEXT NOT NULL DEFAULT '',
  data2 TEXT NOT NULL DEFAULT ''
);
CREATE INDEX actions_target ON actions (target_id);
-- Version 2: `morbox audit --user` filters by caller.
CREATE INDEX actions_user ON actions (user_id);

-- Version 4: the accounts calls (devices, payments, and what a deletion must check).
CREATE TABLE devices (
  id INTEGER PRIMARY KEY,
  user_id INTEGER NOT NULL DEFAULT 0,
  device_type TEXT NOT NULL DEFAULT 'SIP',
  name TEXT NOT NULL DEFAULT '',
  username TEXT NOT NULL DEFAULT '',
  secret TEXT NOT NULL DEFAULT '',
  extension TEXT NOT NULL DEFAULT '',
  pin TEXT NOT NULL DEFAULT '',
  callerid TEXT NOT NULL DEFAULT '',
  description TEXT NOT NULL DEFAULT '',
  context TEXT NOT NULL DEFAULT 'mor_local',
  host TEXT NOT NULL DEFAULT 'dynamic',
  port INTEGER NOT NULL DEFAULT 5060,
  location_id INTEGER NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX devices_extension ON devices (extension);
CREATE INDEX devices_user ON devices (user_id);
CREATE TABLE callerids (
  id INTEGER PRIMARY KEY,
  cli TEXT NOT NULL DEFAULT '',
  device_id INTEGER NOT NULL DEFAULT 0,
  description TEXT NOT NULL DEFAULT '',
  email_callback INTEGER NOT NULL DEFAULT 0,
  added_at TEXT DEFAULT NULL
);
CREATE INDEX callerids_cli ON callerids (cli);
CREATE INDEX callerids_device ON callerids (device_id);
CREATE TABLE payments (
  id INTEGER PRIMARY KEY,
  user_id INTEGER NOT NULL DEFAULT 0,
  owner_id INTEGER NOT NULL DEFAULT 0,
  paymenttype TEXT NOT NULL DEFAULT '',
  amount REAL NOT NULL DEFAULT 0.0,
  tax REAL NOT NULL DEFAULT 0.0,
  gross REAL NOT NULL DEFAULT 0.0,
  fee REAL NOT NULL DEFAULT 0.0,
  currency TEXT NOT NULL DEFAULT '',
  completed INTEGER NOT NULL DEFAULT 0,
  pending_reason TEXT NOT NULL DEFAULT '',
  transaction_id TEXT NOT NULL DEFAULT '',
  payer_email TEXT NOT NULL DEFAULT '',
  first_name TEXT NOT NULL DEFAULT '',
  last_name TEXT NOT NULL DEFAULT '',
  date_added TEXT DEFAULT NULL,
  shipped_at TEXT DEFAULT NULL,
  description TEXT NOT NULL DEFAULT '',
  comments_for_user TEXT NOT NULL DEFAULT '',
  email TEXT NOT NULL DEFAULT '',
  payer_status TEXT NOT NULL DEFAULT '',
  residence_country TEXT NOT NULL DEFAULT '',
  card INTEGER NOT NULL DEFAULT 0,
  hash TEXT NOT NULL DEFAULT '',
  bill_nr TEXT NOT NULL DEFAULT ''
);
CREATE INDEX payments_user ON payments (user_id);
CREATE TABLE dids (
  id INTEGER PRIMARY KEY,
  did TEXT NOT NULL DEFAULT '',
  user_id INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX dids_user ON dids (user_id);
CREATE TABLE calls (
  id INTEGER PRIMARY KEY,
  calldate TEXT DEFAULT NULL,
  user_id INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX calls_user ON calls (user_id);
CREATE TABLE invoices (
  id INTEGER PRIMARY KEY,
  user_id INTEGER NOT NULL DEFAULT 0,
  number TEXT NOT NULL DEFAULT ''
);
CREATE INDEX invoices_user ON invoices (user_id);
CREATE TABLE locations (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL DEFAULT '',
  user_id INTEGER NOT NULL DEFAULT 0
);
-- A uniquehash names one user (the empty default names nobody).
CREATE UNIQUE INDEX users_uniquehash ON users (uniquehash) WHERE uniquehash != '';
-- Version 5: the indexes a registration's uniqueness checks read (e-mail in any case, PIN,
-- device username), so that none reads a whole table.
CREATE INDEX IF NOT EXISTS addresses_email_nocase ON addresses (email COLLATE NOCASE);
CREATE INDEX IF NOT EXISTS devices_pin ON devices (pin);
CREATE INDEX IF NOT EXISTS devices_username ON devices (username);
-- Version 6: the devices calls. The devices table grows to the vendor's columns (with the
-- vendor's defaults; `port` keeps its older default 5060, every write names it), the device
-- groups, and the links from calls and DIDs to devices.
ALTER TABLE devices ADD COLUMN ipaddr TEXT NOT NULL DEFAULT '';
ALTER TABLE devices ADD COLUMN regseconds INTEGER NOT NULL DEFAULT 0;
ALTER TABLE devices ADD COLUMN accountcode INTEGER NOT NULL DEFAULT 0;
ALTER TABLE devices ADD COLUMN voicemail_active INTEGER NOT NULL DEFAULT 0;
ALTER TABLE devices ADD COLUMN primary_did_id INTEGER NOT NULL DEFAULT 0;
ALTER TABLE devices ADD COLUMN works_not_logged INTEGER NOT NULL DEFAULT 1;
ALTER TABLE devices ADD COLUMN forward_to INTEGER NOT NULL DEFAULT 0;
ALTER TABLE devices ADD COLUMN record INTEGER NOT NULL DEFAULT 0;
ALTER TABLE devices ADD COLUMN nat TEXT NOT NULL DEFAULT 'no';
ALTER TABLE devices ADD COLUMN qualify TEXT NOT NULL DEFAULT 'yes';
ALTER TABLE devices ADD COLUMN devicegroup_id INTEGER DEFAULT NULL;
ALTER TABLE devices ADD COLUMN dtmfmode TEXT NOT NULL DEFAULT 'rfc2833';
ALTER TABLE devices ADD COLUMN fromuser TEXT DEFAULT NULL;
ALTER TABLE devices ADD COLUMN fromdomain TEXT DEFAULT NULL;
ALTER TABLE devices ADD COLUMN insecure TEXT NOT NULL DEFAULT 'no';
ALTER TABLE devices ADD COLUMN istrunk INTEGER NOT NULL DEFAULT 0;
ALTER TABLE devices ADD COLUMN cid_from_dids INTEGER NOT NULL DEFAULT 0;
ALTER TABLE devices ADD COLUMN ani INTEGER NOT NULL DEFAULT 0;
ALTER TABLE devices ADD COLUMN timeout INTEGER NOT NULL DEFAULT 60;
ALTER TABLE devices ADD COLUMN call_limit INTEGER NOT NULL DEFAULT 0;
ALTER TABLE devices ADD COLUMN max_timeout INTEGER NOT NULL DEFAULT 0;
ALTER TABLE devices ADD COLUMN language TEXT DEFAULT NULL;
ALTER TABLE devices ADD COLUMN transport TEXT NOT NULL DEFAULT 'udp';
ALTER TABLE devices ADD COLUMN encryption TEXT NOT NULL DEFAULT 'no';
ALTER TABLE devices ADD COLUMN trunk TEXT NOT NULL DEFAULT 'no';
ALTER TABLE devices ADD COLUMN hidden INTEGER NOT NULL DEFAULT 0;
ALTER TABLE devices ADD COLUMN comment TEXT NOT NULL DEFAULT '';
CREATE INDEX devices_forward_to ON devices (forward_to) WHERE forward_to != 0;
CREATE INDEX devices_name ON devices (name);
CREATE TABLE devicegroups (
  id INTEGER PRIMARY KEY,
  user_id INTEGER NOT NULL DEFAULT 0,
  address_id INTEGER NOT NULL DEFAULT 0,
  name TEXT NOT NULL DEFAULT '',
  added TEXT DEFAULT NULL,
  "primary" INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX devicegroups_user ON devicegroups (user_id);
ALTER TABLE calls ADD COLUMN src_device_id INTEGER NOT NULL DEFAULT 0;
ALTER TABLE calls ADD COLUMN dst_device_id INTEGER NOT NULL DEFAULT 0;
CREATE INDEX calls_src_device ON calls (src_device_id);
ALTER TABLE dids ADD COLUMN device_id INTEGER NOT NULL DEFAULT 0;
CREATE INDEX dids_device ON dids (device_id);
CREATE INDEX users_primary_device ON users (primary_device_id) WHERE primary_device_id != 0;
-- Version 7: the rating tables (tariff_rates_get, rate_get) and the call history. A wholesale
-- tariff's rates point at a destination and are priced in ratedetails; a retail tariff's rates point at a
-- destination group and are priced in aratedetails.
CREATE TABLE destinationgroups (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL DEFAULT '',
  desttype TEXT NOT NULL DEFAULT ''
);
CREATE TABLE destinations (
  id INTEGER PRIMARY KEY,
  prefix TEXT NOT NULL DEFAULT '',
  direction_code TEXT NOT NULL DEFAULT '',
  subcode TEXT NOT NULL DEFAULT '',
  name TEXT NOT NULL DEFAULT '',
  destinationgroup_id INTEGER NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX destinations_prefix ON destinations (prefix);
CREATE TABLE rates (
  id INTEGER PRIMARY KEY,
  tariff_id INTEGER NOT NULL DEFAULT 0,
  destination_id INTEGER NOT NULL DEFAULT 0,
  destinationgroup_id INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX rates_tariff_destination ON rates (tariff_id, destination_id);
CREATE INDEX rates_tariff_group ON rates (tariff_id, destinationgroup_id);
CREATE TABLE ratedetails (
  id INTEGER PRIMARY KEY,
  rate_id INTEGER NOT NULL DEFAULT 0,
  rate REAL NOT NULL DEFAULT 0.0,
  connection_fee REAL NOT NULL DEFAULT 0.0,
  increment_s INTEGER NOT NULL DEFAULT 1,
  min_time INTEGER NOT NULL DEFAULT 0,
  start_time TEXT NOT NULL DEFAULT '00:00:00',
  end_time TEXT NOT NULL DEFAULT '23:59:59',
  daytype TEXT NOT NULL DEFAULT ''
);
CREATE INDEX ratedetails_rate ON ratedetails (rate_id);
CREATE TABLE aratedetails (
  id INTEGER PRIMARY KEY,
  rate_id INTEGER NOT NULL DEFAULT 0,
  "from" INTEGER NOT NULL DEFAULT 1,
  duration INTEGER NOT NULL DEFAULT -1,
  artype TEXT NOT NULL DEFAULT 'minute',
  round INTEGER NOT NULL DEFAULT 1,
  price REAL NOT NULL DEFAULT 0.0,
  start_time TEXT NOT NULL DEFAULT '00:00:00',
  end_time TEXT NOT NULL DEFAULT '23:59:59',
  daytype TEXT NOT NULL DEFAULT ''
);
CREATE INDEX aratedetails_rate ON aratedetails (rate_id);
CREATE INDEX IF NOT EXISTS directions_code ON directions (code);
-- The call history: calls grows to the vendor's columns; providers and hang-up causes.
ALTER TABLE calls ADD COLUMN clid TEXT NOT NULL DEFAULT '';
ALTER TABLE calls ADD COLUMN src TEXT NOT NULL DEFAULT '';
ALTER TABLE calls ADD COLUMN dst TEXT NOT NULL DEFAULT '';
ALTER TABLE calls ADD COLUMN localized_dst TEXT NOT NULL DEFAULT '';
ALTER TABLE calls ADD COLUMN duration INTEGER NOT NULL DEFAULT 0;
ALTER TABLE calls ADD COLUMN billsec INTEGER NOT NULL DEFAULT 0;
ALTER TABLE calls ADD COLUMN real_duration REAL NOT NULL DEFAULT 0.0;
ALTER TABLE calls ADD COLUMN real_billsec REAL NOT NULL DEFAULT 0.0;
ALTER TABLE calls ADD COLUMN user_billsec INTEGER NOT NULL DEFAULT 0;
ALTER TABLE calls ADD COLUMN disposition TEXT NOT NULL DEFAULT '';
ALTER TABLE calls ADD COLUMN hangupcause INTEGER NOT NULL DEFAULT 0;
ALTER TABLE calls ADD COLUMN accountcode TEXT NOT NULL DEFAULT '';
ALTER TABLE calls ADD COLUMN uniqueid TEXT NOT NULL DEFAULT '';
ALTER TABLE calls ADD COLUMN callertype TEXT NOT NULL DEFAULT 'Local';
ALTER TABLE calls ADD COLUMN dst_user_id INTEGER NOT NULL DEFAULT 0;
ALTER TABLE calls ADD COLUMN reseller_id INTEGER NOT NULL DEFAULT 0;
ALTER TABLE calls ADD COLUMN partner_id INTEGER NOT NULL DEFAULT 0;
ALTER TABLE calls ADD COLUMN card_id INTEGER NOT NULL DEFAULT 0;
ALTER TABLE calls ADD COLUMN provider_id INTEGER NOT NULL DEFAULT 0;
ALTER TABLE calls ADD COLUMN did_id INTEGER NOT NULL DEFAULT 0;
ALTER TABLE calls ADD COLUMN did_provider_id INTEGER NOT NULL DEFAULT 0;
ALTER TABLE calls ADD COLUMN server_id INTEGER NOT NULL DEFAULT 1;
ALTER TABLE calls ADD COLUMN prefix TEXT NOT NULL DEFAULT '';
ALTER TABLE calls ADD COLUMN user_rate REAL NOT NULL DEFAULT 0.0;
ALTER TABLE calls ADD COLUMN user_price REAL NOT NULL DEFAULT 0.0;
ALTER TABLE calls ADD COLUMN reseller_rate REAL NOT NULL DEFAULT 0.0;
ALTER TABLE calls ADD COLUMN reseller_price REAL NOT NULL DEFAULT 0.0;
ALTER TABLE calls ADD COLUMN provider_rate REAL NOT NULL DEFAULT 0.0;
ALTER TABLE calls ADD COLUMN provider_price REAL NOT NULL DEFAULT 0.0;
ALTER TABLE calls ADD COLUMN did_price REAL NOT NULL DEFAULT 0.0;
ALTER TABLE calls ADD COLUMN did_inc_price REAL NOT NULL DEFAULT 0.0;
ALTER TABLE calls ADD COLUMN did_prov_price REAL NOT NULL DEFAULT 0.0;
ALTER TABLE calls ADD COLUMN partner_rate REAL NOT NULL DEFAULT 0.0;
ALTER TABLE calls ADD COLUMN partner_price REAL NOT NULL DEFAULT 0.0;
ALTER TABLE calls ADD COLUMN reseller_billsec INTEGER NOT NULL DEFAULT 0;
ALTER TABLE calls ADD COLUMN provider_billsec INTEGER NOT NULL DEFAULT 0;
ALTER TABLE calls ADD COLUMN did_billsec INTEGER NOT NULL DEFAULT 0;
ALTER TABLE calls ADD COLUMN partner_billsec INTEGER NOT NULL DEFAULT 0;
ALTER TABLE calls ADD COLUMN originator_ip TEXT NOT NULL DEFAULT '';
ALTER TABLE calls ADD COLUMN terminator_ip TEXT NOT NULL DEFAULT '';
CREATE INDEX calls_calldate ON calls (calldate);
-- A user's calls of a period, made, received, or to its devices: each through an index that
-- holds the period too.
DROP INDEX calls_user;
CREATE INDEX calls_user ON calls (user_id, calldate);
CREATE INDEX calls_dst_user ON calls (dst_user_id, calldate) WHERE dst_user_id != 0;
CREATE INDEX calls_dst_device ON calls (dst_device_id, calldate) WHERE dst_device_id != 0;
CREATE INDEX calls_reseller ON calls (reseller_id, calldate) WHERE reseller_id != 0;
CREATE INDEX calls_uniqueid ON calls (uniqueid);
CREATE TABLE providers (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL DEFAULT '',
  user_id INTEGER NOT NULL DEFAULT 0,
  common_use INTEGER NOT NULL DEFAULT 0,
  tariff_id INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE hangupcausecodes (
  id INTEGER PRIMARY KEY,
  code INTEGER NOT NULL DEFAULT 0,
  description TEXT NOT NULL DEFAULT ''
);
-- Every Q.850 cause 1-127, its id equal to its code (so s_hgc=16 means cause 16).
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 127)
INSERT INTO hangupcausecodes (id, code) SELECT i, i FROM n;
ALTER TABLE dids ADD COLUMN reseller_id INTEGER NOT NULL DEFAULT 0;
-- Version 8: the DID calls (dids_get, did_create, the assign and life-cycle calls). dids grows to
-- the vendor's columns, each with its default; a DID's number is unique; providers gain the
-- vendor's tech and hidden; dial plans. DIDs an older file holds take the status their columns
-- show (on a device: active; promised to a user: reserved).
ALTER TABLE dids ADD COLUMN status TEXT NOT NULL DEFAULT 'free';
ALTER TABLE dids ADD COLUMN subscription_id INTEGER NOT NULL DEFAULT 0;
ALTER TABLE dids ADD COLUMN closed_till TEXT NOT NULL DEFAULT '2006-01-01 00:00:00';
ALTER TABLE dids ADD COLUMN dialplan_id INTEGER NOT NULL DEFAULT 0;
ALTER TABLE dids ADD COLUMN language TEXT DEFAULT '';
ALTER TABLE dids ADD COLUMN provider_id INTEGER NOT NULL DEFAULT 0;
ALTER TABLE dids ADD COLUMN comment TEXT DEFAULT NULL;
ALTER TABLE dids ADD COLUMN call_limit INTEGER NOT NULL DEFAULT 0;
ALTER TABLE dids ADD COLUMN sound_file_id INTEGER NOT NULL DEFAULT 0;
ALTER TABLE dids ADD COLUMN grace_time INTEGER NOT NULL DEFAULT 0;
ALTER TABLE dids ADD COLUMN t_digit INTEGER NOT NULL DEFAULT 10;
ALTER TABLE dids ADD COLUMN t_response INTEGER NOT NULL DEFAULT 20;
ALTER TABLE dids ADD COLUMN reseller_comment TEXT DEFAULT NULL;
ALTER TABLE dids ADD COLUMN cid_name_prefix TEXT DEFAULT NULL;
ALTER TABLE dids ADD COLUMN tonezone TEXT DEFAULT NULL;
ALTER TABLE dids ADD COLUMN call_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE dids ADD COLUMN cc_tariff_id INTEGER NOT NULL DEFAULT 0;
ALTER TABLE dids ADD COLUMN owner_tariff_id INTEGER NOT NULL DEFAULT 0;
ALTER TABLE dids ADD COLUMN external_server TEXT DEFAULT NULL;
UPDATE dids SET status = 'active' WHERE device_id != 0;
UPDATE dids SET status = 'reserved' WHERE device_id = 0 AND user_id != 0;
CREATE UNIQUE INDEX dids_did ON dids (did);
CREATE INDEX dids_reseller ON dids (reseller_id, did);
ALTER TABLE providers ADD COLUMN tech TEXT NOT NULL DEFAULT 'SIP';
ALTER TABLE providers ADD COLUMN hidden INTEGER NOT NULL DEFAULT 0;
CREATE TABLE dialplans (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL DEFAULT '',
  dptype TEXT NOT NULL DEFAULT '',
  user_id INTEGER NOT NULL DEFAULT 0
);
