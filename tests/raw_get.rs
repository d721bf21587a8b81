//! user_details_raw_get (docs/README.md): who may read raw rows, and every column.

use crate::util::*;

const RAW: &str = "user_details_raw_get";

/// The fields of the vendor's raw-get page, in its order.
const PAGE_FIELDS: &[&str] = &[
    "id",
    "username",
    "usertype",
    "logged",
    "first_name",
    "last_name",
    "calltime_normative",
    "show_in_realtime_stats",
    "balance",
    "frozen_balance",
    "lcr_id",
    "postpaid",
    "blocked",
    "tariff_id",
    "month_plan_perc",
    "month_plan_updated",
    "sales_this_month",
    "sales_this_month_planned",
    "show_billing_info",
    "primary_device_id",
    "credit",
    "clientid",
    "agreement_number",
    "agreement_date",
    "language",
    "taxation_country",
    "vat_number",
    "vat_percent",
    "address_id",
    "accounting_number",
    "owner_id",
    "hidden",
    "allow_loss_calls",
    "vouchers_disabled_till",
    "temporary_id",
    "send_invoice_types",
    "call_limit",
    "sms_tariff_id",
    "sms_lcr_id",
    "sms_service_active",
    "cyberplat_active",
    "call_center_agent",
    "generate_invoice",
    "tax_1",
    "tax_2",
    "tax_3",
    "tax_4",
    "block_at",
    "block_at_conditional",
    "block_conditional_use",
    "recording_enabled",
    "recording_forced_enabled",
    "recordings_email",
    "recording_hdd_quota",
    "warning_email_active",
    "warning_email_balance",
    "warning_email_sent",
    "tax_id",
    "invoice_zero_calls",
    "acc_group_id",
    "hide_destination_end",
    "warning_email_hour",
    "warning_balance_call",
    "warning_balance_sound_file_id",
    "own_providers",
    "currency_id",
    "quickforwards_rule_id",
    "spy_device_id",
    "time_zone",
    "minimal_charge",
    "minimal_charge_start_at",
    "webphone_allow_use",
    "webphone_device_id",
    "responsible_accountant_id",
    "blacklist_enabled",
    "blacklist_lcr",
    "routing_threshold",
    "pbx_pool_id",
    "hide_non_answered_calls",
    "balance_min",
    "balance_max",
    "routing_threshold_2",
    "blacklist_lcr_2",
    "routing_threshold_3",
    "blacklist_lcr_3",
    "main_email",
    "noc_email",
    "billing_email",
    "rates_email",
    "warning_email_balance_admin",
    "warning_email_balance_manager",
    "billing_period",
    "invoice_grace_period",
    "warning_email_sent_admin",
    "warning_email_sent_manager",
    "comment",
    "warning_balance_increases",
    "ignore_global_alerts",
    "manager_group_id",
    "phone",
    "enable_static_list",
    "static_list_id",
    "enable_static_source_list",
    "static_source_list_id",
    "generate_invoice_manually",
    "show_hangupcause",
    "max_call_rate",
    "password_changed_at",
    "show_only_assigned_users",
    "billing_dynamic_from",
    "billing_dynamic_days",
    "billing_run_at",
    "send_warning_balance_sms",
    "billing_dynamic_generation_time",
    "generate_prepaid_invoice",
    "web_address",
    "price_protection",
    "min_rate_margin",
    "min_rate_margin_percent",
    "digits_used_for_price",
    "digits_rounding_method",
    "user_status",
    "changes_present",
    "enforce_daily_limit",
    "daily_spend_limit_reached",
    "daily_spend_warning_reached",
    "daily_spend_warning_email_sent",
    "daily_spend_limit",
    "daily_spend_warning",
    "kill_calls_in_progress",
    "show_daily_limit",
    "allow_customer_to_edit",
    "daily_spend_limit_last_reset_at",
    "kill_calls_in_progress_flag",
    "allow_paypal",
    "paypal_need_approval",
    "paypal_credit_selection",
    "paypal_fee_selection",
    "paypal_charge_fee_on_entered_amount",
    "paypal_charge_fee_on_net_amount",
    "paypal_do_not_send_confirmation_email",
    "rate_notification_template_id",
    "two_fa_enabled",
    "hide_financial_data_in_quick_stats",
    "round_call_price_in_cdr",
    "show_calls_statistics_for_last_days",
    "time_format",
    "show_quick_stats",
    "two_fa_authentication_method",
    "two_fa_authenticator_verified",
    "two_fa_authenticator_last_otp_at",
];

/// Columns morbox adds after the page's (written by user_details_update).
const EXTRA_FIELDS: &[&str] = &[
    "company_name",
    "max_devices",
    "allow_change_callerid",
    "ignore_global_monitorings",
];

fn raw_as(s: &Server, u: &str, user_id: &str) -> Resp {
    s.signed(
        RAW,
        &[("u", u), ("user_id", user_id)],
        &["u", "user_id"],
        "secret",
    )
}

/// The (name, value) pairs of `<user>`, checking the wrapper on the way.
fn fields(r: &Resp) -> Vec<(String, String)> {
    assert_eq!(r.status, 200);
    let x = r.xml();
    let inner = x
        .strip_prefix("<page>\n  <status>\n    <user>\n")
        .and_then(|x| x.strip_suffix("    </user>\n  </status>\n</page>\n"))
        .unwrap_or_else(|| panic!("not a raw user document: {x}"));
    inner
        .lines()
        .map(|l| {
            let l = l.strip_prefix("      <").unwrap();
            let (name, rest) = l.split_once('>').unwrap();
            let value = rest.strip_suffix(&format!("</{name}>")).unwrap();
            (name.to_string(), value.to_string())
        })
        .collect()
}

/// Every shown value of user 5 equals SQLite's own text of its column (NULL: empty), escaped.
fn assert_values_are_sqlites_text(s: &Server, f: &[(String, String)], after: &str) {
    let conn = s.conn();
    for (name, value) in f {
        let db: Option<String> = conn
            .query_row(
                &format!("SELECT CAST(\"{name}\" AS TEXT) FROM users WHERE id = 5"),
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(
            value,
            &db.unwrap_or_default()
                .replace('&', "&amp;")
                .replace('<', "&lt;")
                .replace('>', "&gt;"),
            "{name} {after}"
        );
    }
}

#[test]
fn every_column_in_table_order_and_no_secret() {
    let s = Server::with_sql(
        "UPDATE users SET password = 'PW-SECRET-VALUE', uniquehash = 'UH-SECRET-VALUE',
           two_fa_authenticator_secret = 'TOTP-SECRET-VALUE' WHERE id = 5;",
    );
    let r = raw_as(&s, "admin", "5");
    let f = fields(&r);
    let names: Vec<&str> = f.iter().map(|(n, _)| n.as_str()).collect();
    let expected: Vec<&str> = PAGE_FIELDS.iter().chain(EXTRA_FIELDS).copied().collect();
    assert_eq!(names, expected);
    for secret in [
        "PW-SECRET-VALUE",
        "UH-SECRET-VALUE",
        "TOTP-SECRET-VALUE",
        "<password>",
        "<uniquehash>",
        "<two_fa_authenticator_secret>",
    ] {
        assert!(!r.body.contains(secret), "{secret} leaked");
    }
    // Every value equals the row, as SQLite's own text of the column; NULL is empty.
    assert_values_are_sqlites_text(&s, &f, "");
}

#[test]
fn values_as_stored() {
    let s = Server::demo();
    let f = fields(&raw_as(&s, "admin", "5"));
    let get = |n: &str| f.iter().find(|(k, _)| k == n).unwrap().1.clone();
    assert_eq!(get("id"), "5");
    assert_eq!(get("username"), "user1");
    assert_eq!(get("usertype"), "user");
    assert_eq!(get("balance"), "12.5");
    assert_eq!(get("credit"), "100.0");
    assert_eq!(get("calltime_normative"), "3.0");
    assert_eq!(get("agreement_date"), "2020-05-17");
    assert_eq!(get("month_plan_updated"), "");
    assert_eq!(get("responsible_accountant_id"), "8");
    assert_eq!(get("send_invoice_types"), "10");
    assert_eq!(get("time_zone"), "Europe/Vilnius");
    assert_eq!(get("vouchers_disabled_till"), "2000-01-01 00:00:00");
}

#[test]
fn admin_reads_anyone_but_itself() {
    let s = Server::demo();
    for id in ["2", "7", "12", "123"] {
        assert_eq!(fields(&raw_as(&s, "admin", id))[0].1, id);
    }
    raw_as(&s, "admin", "0").is(&page_status_error("Access Denied"));
    raw_as(&s, "admin", "999").is(&page_status_error("User was not found"));
    // A user_id that is not all digits is not hashed and names nobody.
    s.signed(RAW, &[("u", "admin"), ("user_id", "x")], &["u"], "secret")
        .is(&page_status_error("User was not found"));
    s.signed(RAW, &[("u", "admin")], &["u", "user_id"], "secret")
        .is(&page_status_error("User was not found"));
}

#[test]
fn accountant_with_user_manage_reads_anyone_but_itself() {
    let s = Server::demo();
    for id in ["0", "2", "5", "8", "12"] {
        assert_eq!(fields(&raw_as(&s, "accountant", id))[0].1, id);
    }
    raw_as(&s, "accountant", "7").is(&page_status_error("Access Denied"));
}

#[test]
fn manager_with_show_only_assigned_users_reads_only_its_users() {
    let s = Server::demo();
    // user1 (5) has manager (8) as its responsible accountant.
    assert_eq!(fields(&raw_as(&s, "manager", "5"))[0].1, "5");
    for id in ["0", "2", "6", "12"] {
        raw_as(&s, "manager", id).is(&page_status_error("User was not found"));
    }
    raw_as(&s, "manager", "8").is(&page_status_error("Access Denied"));
    // Without the option it reads anyone.
    s.sql("UPDATE users SET show_only_assigned_users = 0 WHERE id = 8;");
    assert_eq!(fields(&raw_as(&s, "manager", "6"))[0].1, "6");
}

#[test]
fn callers_without_the_right_are_not_authorized() {
    let s = Server::demo();
    let denied = page_status_error("You are not authorized to view this page");
    // Accountant whose group has user_manage = 0.
    raw_as(&s, "accountant2", "5").is(&denied);
    // A group without the right at all.
    s.sql("DELETE FROM acc_group_rights WHERE acc_group_id = 1 AND acc_right_id = 1;");
    raw_as(&s, "accountant", "5").is(&denied);
    // Resellers and users, whatever the target.
    s.sql("INSERT INTO conflines (name, value, owner_id) VALUES ('Allow_API', '1', 2) ON CONFLICT DO NOTHING;");
    s.signed(
        RAW,
        &[("u", "reseller1"), ("user_id", "10")],
        &["u", "user_id"],
        "reseller1secret",
    )
    .is(&denied);
    raw_as(&s, "user1", "5").is(&denied);
    raw_as(&s, "user1", "999").is(&denied);
}

#[test]
fn any_stored_type_shows_as_sqlites_text() {
    // Integers are written from the integer and texts as stored; a REAL or a BLOB where that
    // reads the value as stored sends the row through SQLite's CAST instead. Either way every
    // value is SQLite's text of the column.
    for sql in [
        "UPDATE users SET blocked = -7, lcr_id = 9223372036854775807, first_name = '12' WHERE id = 5;",
        "UPDATE users SET call_limit = 1.5 WHERE id = 5;",
        "UPDATE users SET first_name = x'4a6f<3e' WHERE id = 5;",
        "UPDATE users SET balance = 12, credit = -0.000001 WHERE id = 5;",
        "UPDATE users SET postpaid = 'yes', month_plan_updated = NULL, last_name = 1e300 WHERE id = 5;",
    ] {
        let s = Server::with_sql(&sql.replace("<3e", "3e"));
        let f = fields(&raw_as(&s, "admin", "5"));
        assert_values_are_sqlites_text(&s, &f, sql);
    }
}

#[test]
fn a_kept_raw_row_never_outlives_a_commit() {
    let s = Server::demo();
    let first_name = |s: &Server| {
        let f = fields(&raw_as(s, "admin", "5"));
        f.into_iter().find(|(n, _)| n == "first_name").unwrap().1
    };
    assert_eq!(first_name(&s), "John");
    assert_eq!(first_name(&s), "John");
    s.sql("UPDATE users SET first_name = 'Changed' WHERE id = 5");
    assert_eq!(first_name(&s), "Changed");
    // A REAL stored where an integer was read sends the row through SQLite's CAST; the row
    // kept is that one.
    s.sql("UPDATE users SET call_limit = 2.5 WHERE id = 5");
    for _ in 0..2 {
        let f = fields(&raw_as(&s, "admin", "5"));
        assert_values_are_sqlites_text(&s, &f, "call_limit = 2.5");
    }
}
