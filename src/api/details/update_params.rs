//! The parameter table of `user_details_update`: for every parameter on the vendor's page, its
//! place in the hash, the column it writes, how its value is coerced and which rule checks it.
//! Hashing ([`hash_order`]), parsing, validation and the SQL all walk this one
//! table; it reads like the wiki page (hashed rows first, in hash order).

use crate::api::{Form, Param};
use crate::error::Problem;
use crate::store::refs::Ref;

/// Where a parameter's value lands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// A `users` column.
    User(&'static str),
    /// A column of the user's `addresses` row (created when missing).
    Address(&'static str),
    /// A column of the user's `taxes` row (created when missing).
    Tax(&'static str),
    /// Nothing directly: the kind's rule decides (checked only, or part of a group).
    Rule,
}

/// A group of parameters that writes one column together.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Group {
    /// `ay`/`am`/`ad` → `agreement_date`.
    AgreementDate,
    /// `by`/`bm`/`bd` → `block_at`.
    BlockAt,
    /// `pgui`/`pcsv`/`ppdf` → `hide_destination_end` (gui·1 + csv·2 + pdf·4).
    Privacy,
    /// `i1`–`i4` → `send_invoice_types` (2, 4, 8, 16).
    InvoiceTypes,
}

/// How a value is read, coerced and checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Stored as sent.
    Text,
    /// Stored as sent; when not empty it must look like an e-mail address.
    Email,
    /// A whole number.
    Int,
    /// A whole number; below 0 stores 0.
    IntMinZero,
    /// `u11`, a permission group: only an admin may change a staff member's (an accountant or
    /// manager could otherwise lift a colleague, or itself, to full rights).
    StaffGroup,
    /// A whole number, 0 or more; only an admin or accountant may send it.
    MaxDevices,
    /// 1 for a value > 0, else 0.
    Bool,
    /// A decimal number (`,` accepted as the decimal mark).
    Decimal,
    /// A decimal number; 0 or below stores 0.
    DecimalMinZero,
    /// One of the listed words.
    Choice(&'static [&'static str]),
    /// A known time zone name.
    TimeZone,
    /// A new username: unique and long enough.
    Username,
    /// A whole number naming a row that must exist in reach.
    Ref(Ref),
    /// Part of a group; the number is its part (year/month/day 0–2, or its bit).
    Part(Group, i64),
    /// `u13`: checked against the caller's role, never written.
    UserType,
    /// `pswd`: checked, stored as an argon2id hash.
    Password,
    /// `credit_unlimited`: 1 stores credit -1.
    CreditUnlimited,
    /// `user_warning_email_hour`: warning_email_hour, when `u2` is not sent.
    FallbackFor(&'static str),
    /// `two_fa_enabled`: only with the system setting on and an e-mail address.
    TwoFa,
    /// `user_id`: the target.
    TargetId,
    /// Accepted and hashed, written nowhere.
    Ignored,
}

/// One row of the table.
#[derive(Debug, Clone, Copy)]
pub struct UpdateParam {
    /// The parameter's name.
    pub name: &'static str,
    /// Whether it goes into the hash (the hashed rows are in hash order).
    pub hashed: bool,
    /// Where it writes.
    pub target: Target,
    /// How it is read and checked.
    pub kind: Kind,
    /// What it is, as the vendor's page says; also the subject of its validation messages.
    pub label: &'static str,
}

const fn p(
    name: &'static str,
    hashed: bool,
    target: Target,
    kind: Kind,
    label: &'static str,
) -> UpdateParam {
    UpdateParam {
        name,
        hashed,
        target,
        kind,
        label,
    }
}

use Kind::*;
use Target::{Address as A, Rule as R, Tax as T, User as U};

const STATIC_LIST: &[&str] = &["no", "blacklist", "whitelist"];

/// Every parameter of `user_details_update`: first the hashed ones in the page's hash order,
/// then those the page lists as not hashed.
pub const PARAMS: &[UpdateParam] = &[
    p("user_id", true, R, TargetId, "User ID"),
    p("u0", true, U("vat_number"), Text, "VAT number"),
    p("u1", true, U("lcr_id"), Ref(Ref::Lcr), "LCR"),
    p(
        "u2",
        true,
        U("warning_email_hour"),
        Int,
        "Warning email hour",
    ),
    p(
        "u3",
        true,
        U("hide_destination_end"),
        Int,
        "Hide destination end",
    ),
    p("u4", true, U("currency_id"), Ref(Ref::Currency), "Currency"),
    p("u5", true, U("tariff_id"), Ref(Ref::Tariff), "Tariff"),
    p(
        "u6",
        true,
        U("warning_email_balance"),
        Decimal,
        "Warning email balance",
    ),
    p("u7", true, U("spy_device_id"), Int, "Spy device"),
    p("u8", true, U("language"), Text, "Language"),
    p("u9", true, U("username"), Username, "Username"),
    p(
        "u10",
        true,
        U("warning_balance_call"),
        Bool,
        "Warning balance call",
    ),
    p(
        "u11",
        true,
        U("acc_group_id"),
        StaffGroup,
        "Accountant group",
    ),
    p("u12", true, U("generate_invoice"), Bool, "Generate invoice"),
    p("u13", true, R, UserType, "User type"),
    p("u14", true, U("taxation_country"), Int, "Taxation country"),
    p("u15", true, U("blocked"), Bool, "Blocked"),
    p(
        "u16",
        true,
        U("quickforwards_rule_id"),
        Ref(Ref::QuickForwardRule),
        "Quickforwards rule",
    ),
    p("u17", true, U("last_name"), Text, "Last name"),
    p("u18", true, U("call_limit"), IntMinZero, "Call limit"),
    p("u19", true, U("clientid"), Text, "Client ID"),
    p(
        "u20",
        true,
        U("recording_hdd_quota"),
        Int,
        "Recording HDD quota",
    ),
    p("u21", true, U("cyberplat_active"), Bool, "Cyberplat active"),
    p(
        "u22",
        true,
        U("recordings_email"),
        Email,
        "Recordings email",
    ),
    p("u23", true, U("first_name"), Text, "First name"),
    p(
        "u24",
        true,
        U("warning_balance_sound_file_id"),
        Int,
        "Warning balance sound file",
    ),
    p("u25", true, U("postpaid"), Bool, "Postpaid"),
    p(
        "u26",
        true,
        U("accounting_number"),
        Text,
        "Accounting number",
    ),
    p("u27", true, U("agreement_number"), Text, "Agreement number"),
    p("u28", true, U("hidden"), Bool, "Hidden"),
    p(
        "ay",
        true,
        R,
        Part(Group::AgreementDate, 0),
        "Agreement date",
    ),
    p(
        "am",
        true,
        R,
        Part(Group::AgreementDate, 1),
        "Agreement date",
    ),
    p(
        "ad",
        true,
        R,
        Part(Group::AgreementDate, 2),
        "Agreement date",
    ),
    p("by", true, R, Part(Group::BlockAt, 0), "Block date"),
    p("bm", true, R, Part(Group::BlockAt, 1), "Block date"),
    p("bd", true, R, Part(Group::BlockAt, 2), "Block date"),
    p("pswd", true, R, Password, "Password"),
    p(
        "user_warning_email_hour",
        true,
        R,
        FallbackFor("u2"),
        "Warning email hour",
    ),
    p("pgui", true, R, Part(Group::Privacy, 1), "Privacy GUI"),
    p("pcsv", true, R, Part(Group::Privacy, 2), "Privacy CSV"),
    p("ppdf", true, R, Part(Group::Privacy, 4), "Privacy PDF"),
    p(
        "recording_forced_enabled",
        true,
        U("recording_forced_enabled"),
        Bool,
        "Recording forced enabled",
    ),
    p(
        "i4",
        true,
        R,
        Part(Group::InvoiceTypes, 16),
        "Invoice detailed CSV",
    ),
    p(
        "tax4_enabled",
        true,
        T("tax4_enabled"),
        Bool,
        "Tax 4 enabled",
    ),
    p(
        "tax2_enabled",
        true,
        T("tax2_enabled"),
        Bool,
        "Tax 2 enabled",
    ),
    p(
        "accountant_type_invalid",
        true,
        R,
        Ignored,
        "Accountant type invalid",
    ),
    p(
        "block_at_conditional",
        true,
        U("block_at_conditional"),
        Int,
        "Block at conditional",
    ),
    p(
        "tax3_enabled",
        true,
        T("tax3_enabled"),
        Bool,
        "Tax 3 enabled",
    ),
    p("accountant_type", true, R, Ignored, "Accountant type"),
    p("tax1_value", true, T("tax1_value"), Decimal, "Tax 1 value"),
    p(
        "show_zero_calls",
        true,
        U("invoice_zero_calls"),
        Bool,
        "Show zero calls",
    ),
    p(
        "warning_email_active",
        true,
        U("warning_email_active"),
        Bool,
        "Warning email active",
    ),
    p(
        "compound_tax",
        true,
        T("compound_tax"),
        Bool,
        "Compound tax",
    ),
    p("tax4_name", true, T("tax4_name"), Text, "Tax 4 name"),
    p(
        "allow_loss_calls",
        true,
        U("allow_loss_calls"),
        Bool,
        "Allow loss calls",
    ),
    p("tax3_name", true, T("tax3_name"), Text, "Tax 3 name"),
    p("tax2_name", true, T("tax2_name"), Text, "Tax 2 name"),
    p("credit", true, U("credit"), DecimalMinZero, "Credit"),
    p("tax1_name", true, T("tax1_name"), Text, "Tax 1 name"),
    p(
        "total_tax_name",
        true,
        T("total_tax_name"),
        Text,
        "Total tax name",
    ),
    p("tax2_value", true, T("tax2_value"), Decimal, "Tax 2 value"),
    p("tax4_value", true, T("tax4_value"), Decimal, "Tax 4 value"),
    p("i1", true, R, Part(Group::InvoiceTypes, 2), "Invoice PDF"),
    p("tax3_value", true, T("tax3_value"), Decimal, "Tax 3 value"),
    p(
        "cyberplat_active",
        true,
        U("cyberplat_active"),
        Bool,
        "Cyberplat active",
    ),
    p("i2", true, R, Part(Group::InvoiceTypes, 4), "Invoice CSV"),
    p(
        "i3",
        true,
        R,
        Part(Group::InvoiceTypes, 8),
        "Invoice detailed PDF",
    ),
    p(
        "recording_enabled",
        true,
        U("recording_enabled"),
        Bool,
        "Recording enabled",
    ),
    p(
        "email_warning_sent_test",
        true,
        U("warning_email_sent"),
        Bool,
        "Email warning sent",
    ),
    p(
        "own_providers",
        true,
        U("own_providers"),
        Bool,
        "Own providers",
    ),
    p("a0", true, A("address"), Text, "Address"),
    p("a1", true, A("city"), Text, "City"),
    p("a2", true, A("postcode"), Text, "Postcode"),
    p("a3", true, A("county"), Text, "County"),
    p("a4", true, A("mob_phone"), Text, "Mobile phone"),
    p("a5", true, A("fax"), Text, "Fax"),
    p("a6", true, A("direction_id"), Int, "Country"),
    p("a7", true, A("phone"), Text, "Phone"),
    p("a8", true, A("email"), Email, "Email"),
    p("a9", true, A("state"), Text, "State"),
    p(
        "company_name",
        true,
        U("company_name"),
        Text,
        "Company name",
    ),
    // Not included in the hash.
    p(
        "u29",
        false,
        U("pbx_pool_id"),
        Ref(Ref::PbxPool),
        "PBX pool",
    ),
    p(
        "u30",
        false,
        U("hide_non_answered_calls"),
        Bool,
        "Hide non-answered calls",
    ),
    p(
        "u31",
        false,
        U("responsible_accountant_id"),
        Ref(Ref::ResponsibleAccountant),
        "Responsible accountant",
    ),
    p(
        "u32",
        false,
        U("daily_spend_limit"),
        DecimalMinZero,
        "Daily balance limit",
    ),
    p("u33", false, U("comment"), Text, "Comment"),
    p(
        "ignore_global_monitorings",
        false,
        U("ignore_global_monitorings"),
        Bool,
        "Ignore global monitorings",
    ),
    p("time_zone", false, U("time_zone"), TimeZone, "Time zone"),
    p(
        "allow_change_callerid",
        false,
        U("allow_change_callerid"),
        Bool,
        "Allow change caller ID",
    ),
    p(
        "enable_static_source_list",
        false,
        U("enable_static_source_list"),
        Choice(STATIC_LIST),
        "Enable static source list",
    ),
    p(
        "static_source_list_id",
        false,
        U("static_source_list_id"),
        Ref(Ref::NumberPool),
        "Static source list",
    ),
    p(
        "enable_static_list",
        false,
        U("enable_static_list"),
        Choice(STATIC_LIST),
        "Enable static list",
    ),
    p(
        "static_list_id",
        false,
        U("static_list_id"),
        Ref(Ref::NumberPool),
        "Static list",
    ),
    p(
        "credit_unlimited",
        false,
        U("credit"),
        CreditUnlimited,
        "Credit unlimited",
    ),
    p(
        "two_fa_enabled",
        false,
        U("two_fa_enabled"),
        TwoFa,
        "Two-factor authentication",
    ),
    p(
        "max_devices",
        false,
        U("max_devices"),
        MaxDevices,
        "Max devices",
    ),
];

/// The column a group writes.
pub fn group_column(group: Group) -> &'static str {
    match group {
        Group::AgreementDate => "agreement_date",
        Group::BlockAt => "block_at",
        Group::Privacy => "hide_destination_end",
        Group::InvoiceTypes => "send_invoice_types",
    }
}

/// Reads a whole number (surrounding spaces allowed).
pub fn parse_int(v: &str) -> Option<i64> {
    v.trim().parse().ok()
}

/// Reads a decimal number; `,` is accepted as the decimal mark when there is no `.`.
pub fn parse_decimal(v: &str) -> Option<f64> {
    let v = v.trim();
    let v = if v.contains('.') {
        v.to_string()
    } else {
        v.replace(',', ".")
    };
    let f: f64 = v.parse().ok()?;
    // "inf" and "NaN" parse, but are no amount of money.
    f.is_finite().then_some(f)
}

/// The vendor's boolean: 1 for a value > 0, else 0 (anything that is no number is 0).
pub fn parse_bool(v: &str) -> i64 {
    i64::from(parse_decimal(v).is_some_and(|f| f > 0.0))
}

/// The hashed rows of the table, in its order: the call's hash order (made once).
pub fn hash_order() -> &'static [&'static str] {
    static ORDER: std::sync::LazyLock<Vec<&'static str>> =
        std::sync::LazyLock::new(|| PARAMS.iter().filter(|p| p.hashed).map(|p| p.name).collect());
    &ORDER
}

/// Where the row named `name` writes (`Target::Rule` when there is no such row).
pub fn column_of(name: &str) -> Target {
    PARAMS
        .iter()
        .find(|p| p.name == name)
        .map_or(Target::Rule, |p| p.target)
}

/// How a sent value is read and coerced, apart from the rule it must then meet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Coercion {
    /// Nothing is stored from it directly.
    None,
    /// Stored as sent.
    Text,
    /// A whole number (a message otherwise).
    Int,
    /// A whole number; below 0 stores 0.
    IntAtLeastZero,
    /// A row id: a whole number, or nothing (its reference check then fails).
    Id,
    /// 1 for a value > 0, else 0.
    Flag,
    /// A decimal number (a message otherwise).
    Decimal,
    /// A decimal number; 0 or below stores 0.
    DecimalAboveZero,
    /// 1 stores -1 (unlimited); anything else stores nothing.
    Unlimited,
}

impl Kind {
    /// How the value is read and coerced (every kind named).
    pub fn coercion(self) -> Coercion {
        match self {
            Kind::Text | Kind::Email | Kind::Choice(_) | Kind::TimeZone | Kind::Username => {
                Coercion::Text
            }
            Kind::Int | Kind::StaffGroup | Kind::MaxDevices | Kind::FallbackFor(_) => Coercion::Int,
            Kind::IntMinZero => Coercion::IntAtLeastZero,
            Kind::Ref(_) => Coercion::Id,
            Kind::Bool | Kind::TwoFa => Coercion::Flag,
            Kind::Decimal => Coercion::Decimal,
            Kind::DecimalMinZero => Coercion::DecimalAboveZero,
            Kind::CreditUnlimited => Coercion::Unlimited,
            Kind::Part(..) | Kind::UserType | Kind::Password | Kind::TargetId | Kind::Ignored => {
                Coercion::None
            }
        }
    }

    /// The form of the value, for the API description.
    pub fn form(self) -> Form {
        match self {
            // u13 accepts any word: the role rules, not the form, refuse one.
            Kind::Text
            | Kind::Username
            | Kind::Password
            | Kind::Ignored
            | Kind::TimeZone
            | Kind::UserType => Form::Text,
            Kind::Email => Form::Email,
            // Below 0 is accepted and stored as 0.
            Kind::Int
            | Kind::IntMinZero
            | Kind::StaffGroup
            | Kind::Ref(_)
            | Kind::FallbackFor(_) => Form::Int,
            Kind::MaxDevices => Form::Count,
            Kind::Decimal | Kind::DecimalMinZero => Form::Decimal,
            Kind::Bool | Kind::CreditUnlimited | Kind::TwoFa => Form::Flag,
            Kind::Choice(options) => Form::Choice(options),
            Kind::Part(..) | Kind::TargetId => Form::Digits,
        }
    }
}

/// Every row, for the API description: its form, label and where it writes.
pub fn params() -> &'static [Param] {
    // The table's rows with what each writes, made once (the texts live as long as the
    // process, as the table does).
    static DOCS: std::sync::LazyLock<Vec<Param>> = std::sync::LazyLock::new(|| {
        PARAMS
            .iter()
            .map(|p| {
                let writes = match p.target {
                    Target::User(c) => format!(" Writes users.{c}."),
                    Target::Address(c) => format!(" Writes the user's address ({c})."),
                    Target::Tax(c) => format!(" Writes the user's taxes ({c})."),
                    Target::Rule => String::new(),
                };
                Param {
                    name: p.name,
                    form: p.kind.form(),
                    hashed: p.hashed,
                    doc: String::leak(format!("{}.{writes}", p.label)),
                }
            })
            .collect()
    });
    &DOCS
}

/// What is wrong with a new username by its form and length (uniqueness is the store's):
/// control characters or blanks at either end, then shorter than `min` (an empty name is too
/// short: `min` is at least 1).
pub fn username_problem(v: &str, min: usize) -> Option<Problem> {
    if v.chars().any(char::is_control) || v.trim() != v {
        Some(Problem::UsernameInvalid)
    } else if v.chars().count() < min.max(1) {
        Some(Problem::UsernameTooShort(min))
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn names_are_unique_and_hashed_rows_come_first() {
        let mut seen = HashSet::new();
        for p in PARAMS {
            assert!(seen.insert(p.name), "{} twice", p.name);
        }
        let first_unhashed = PARAMS.iter().position(|p| !p.hashed).unwrap();
        assert!(PARAMS[first_unhashed..].iter().all(|p| !p.hashed));
    }

    #[test]
    fn hash_order_is_the_pages() {
        let hashed: Vec<_> = PARAMS.iter().filter(|p| p.hashed).map(|p| p.name).collect();
        assert_eq!(&hashed[..4], ["user_id", "u0", "u1", "u2"]);
        assert_eq!(hashed.last(), Some(&"company_name"));
        assert_eq!(hashed.len(), 81);
        let u = |n: &str| hashed.iter().position(|h| *h == n).unwrap();
        assert!(u("u28") < u("ay") && u("bd") < u("pswd") && u("own_providers") < u("a0"));
    }

    #[test]
    fn coercions() {
        assert_eq!(parse_decimal("12,5"), Some(12.5));
        assert_eq!(parse_decimal(" 3.25 "), Some(3.25));
        assert_eq!(parse_decimal("1,000.5"), None);
        assert_eq!(parse_decimal("inf"), None);
        assert_eq!(parse_decimal("abc"), None);
        assert_eq!(parse_bool("1"), 1);
        assert_eq!(parse_bool("2"), 1);
        assert_eq!(parse_bool("0"), 0);
        assert_eq!(parse_bool("-1"), 0);
        assert_eq!(parse_bool("yes"), 0);
        assert_eq!(parse_int(" 42 "), Some(42));
        assert_eq!(parse_int("4.2"), None);
    }

    #[test]
    fn emails() {
        use crate::rules::is_email;
        assert!(is_email("a@b.co"));
        assert!(is_email("john.smith+x@mail.example.com"));
        for bad in [
            "", "a", "a@b", "@b.co", "a@@b.co", "a b@c.de", "a@b..c", "a@.b",
        ] {
            assert!(!is_email(bad), "{bad}");
        }
    }
}
