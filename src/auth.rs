//! The caller and the gates every call shares (docs/README.md): the caller's role and
//! scope, `Allow_API`, `Allow_GET_API`, the secret key of the scope and the hash check. Pure
//! functions over what the store has read; the hash compare runs in constant time.

use crate::error::ApiError;
use crate::params::Params;
use crate::settings::{
    ALLOW_API, ALLOW_GET_API, API_DISABLE_HASH_CHECKING, API_SECRET_KEY, Settings,
};
use crate::store::queries::CallerRow;
use sha1::{Digest, Sha1};
use subtle::ConstantTimeEq;

/// The right that lets an accountant or manager read (1) or also change (2) users.
pub const USER_MANAGE: &str = "user_manage";
/// The permission-group right to read (1) or change (2) devices.
pub const DEVICE_MANAGE: &str = "device_manage";
/// The permission-group right to create devices (2).
pub const DEVICE_CREATE: &str = "device_create";
/// The permission-group right to set a device's caller id (2).
pub const DEVICE_EDIT_CALLERID: &str = "device_edit_opt_4";

/// How a settings scope is named to people: "the system" or "reseller N".
pub fn scope_name(owner: i64) -> String {
    if owner == 0 {
        "the system".to_string()
    } else {
        format!("reseller {owner}")
    }
}

/// A user's role, from `users.usertype`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// The system administrator.
    Admin,
    /// A reseller: owns users, has its own settings scope.
    Reseller,
    /// An accountant: system staff with a permission group.
    Accountant,
    /// A manager: system staff with a permission group.
    Manager,
    /// A customer.
    User,
}

impl Role {
    /// The role of a `usertype` value; an unknown one is treated as a plain user.
    pub fn from_usertype(usertype: &str) -> Role {
        match usertype {
            "admin" => Role::Admin,
            "reseller" => Role::Reseller,
            "accountant" => Role::Accountant,
            "manager" => Role::Manager,
            _ => Role::User,
        }
    }

    /// The `usertype` value of the role.
    pub fn usertype(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Reseller => "reseller",
            Role::Accountant => "accountant",
            Role::Manager => "manager",
            Role::User => "user",
        }
    }

    /// Whether this is system staff with a permission group.
    pub fn is_staff(self) -> bool {
        matches!(self, Role::Accountant | Role::Manager)
    }
}

/// The user a request acts as, found by its `u`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    /// `users.id`.
    pub id: i64,
    /// From `users.usertype`.
    pub role: Role,
    /// `users.owner_id`.
    pub owner_id: i64,
    /// `users.acc_group_id` (accountants and managers).
    pub acc_group_id: i64,
    /// `users.show_only_assigned_users` (accountants and managers).
    pub show_only_assigned_users: bool,
}

impl From<CallerRow> for Caller {
    fn from(row: CallerRow) -> Caller {
        Caller {
            id: row.id,
            role: Role::from_usertype(&row.usertype),
            owner_id: row.owner_id,
            acc_group_id: row.acc_group_id,
            show_only_assigned_users: row.show_only_assigned_users,
        }
    }
}

impl Caller {
    /// The settings scope: 0 for system staff, a reseller's own id, a user's owner.
    pub fn scope(&self) -> i64 {
        match self.role {
            Role::Admin | Role::Accountant | Role::Manager => 0,
            Role::Reseller => self.id,
            Role::User => self.owner_id,
        }
    }
}

/// The keys a caller's hash is checked with, each with its scope: the key of the caller's
/// scope, and for a reseller (while the system's API is on) the system's key too.
pub fn keys<'s>(caller: &Caller, settings: &'s Settings) -> Vec<(i64, &'s str)> {
    let mut keys = Vec::with_capacity(2);
    let own = settings.scoped(API_SECRET_KEY);
    if !own.is_empty() {
        keys.push((caller.scope(), own));
    }
    let system = settings.system(API_SECRET_KEY);
    if caller.role == Role::Reseller && settings.system_on(ALLOW_API) && !system.is_empty() {
        keys.push((0, system));
    }
    keys
}

/// Runs gates 2–4 for a caller already found (gate 1), with `settings` loaded for
/// `caller.scope()`: `is_get` when `Allow_GET_API` applies to this request, and the hash
/// order when the call checks a hash (`None`: it does not). On a pass, the scope whose key
/// matched (`None` when no hash was checked).
pub fn check_gates(
    hashing: Option<Hashing<'_>>,
    caller: &Caller,
    is_get: bool,
    settings: &Settings,
    params: &Params,
) -> Result<Option<i64>, ApiError> {
    let reseller = caller.role == Role::Reseller;
    let system_api = settings.system_on(ALLOW_API);
    if !(settings.scoped_on(ALLOW_API) || reseller && system_api) {
        return Err(ApiError::ApiDisabled);
    }
    if is_get && !settings.system_on(ALLOW_GET_API) {
        return Err(ApiError::GetDisabled);
    }
    let hash_off = settings.scoped_on(API_DISABLE_HASH_CHECKING)
        || reseller && system_api && settings.system_on(API_DISABLE_HASH_CHECKING);
    let Some(hashing) = hashing.filter(|_| !hash_off) else {
        return Ok(None);
    };
    let keys = keys(caller, settings);
    if keys.is_empty() {
        return Err(ApiError::NoSecretKey);
    }
    let sent = params.get("hash").unwrap_or("");
    let base = hash_string(hashing, params);
    // Every key is tried, so the time taken does not tell which one came close.
    let matched = keys.iter().fold(None, |found, (scope, key)| {
        let ok = hash_matches(sent, &base, key);
        found.or(ok.then_some(*scope))
    });
    match matched {
        Some(scope) => Ok(Some(scope)),
        None => Err(ApiError::IncorrectHash),
    }
}

/// How a hashed parameter's value goes into the hash string, for most calls: as sent, but for
/// these. Only an all-digit `user_id` is hashed, and then as a plain integer (`007` → `7`);
/// `balance` (user_balance_update) only when made of `0-9 . + -` (docs/accounts.md); any
/// other counts as not sent. A call whose values follow other rules names its own table.
pub const HASHED_AS: HashRules = &[
    ("user_id", HashValue::PlainInteger),
    ("balance", HashValue::Numeric),
];

/// The value rules of `device_delete` (docs/devices.md): `device` only when all digits, as
/// sent.
pub const DEVICE_DIGITS: HashRules = &[("device", HashValue::Digits)];

/// The value rules of `did_subscription_stop` (docs/dids.md): `did_id`, the wiki's name for
/// `dids_id`, only when `dids_id` is not sent.
pub const DID_ID_FOR_DIDS_ID: HashRules = &[("did_id", HashValue::Unless("dids_id"))];

/// Every value as sent (device_update: the vendor hashes its list verbatim).
pub const AS_SENT: HashRules = &[];

/// Which values a call hashes and how: its hash order and its value rules.
#[derive(Debug, Clone, Copy)]
pub struct Hashing<'a> {
    /// The hashed parameters, in order.
    pub order: &'a [&'static str],
    /// How a value goes into the hash string (a name not listed: as sent).
    pub rules: HashRules,
}

impl<'a> Hashing<'a> {
    /// `order` with the usual rules ([`HASHED_AS`]).
    pub fn usual(order: &'a [&'static str]) -> Hashing<'a> {
        Hashing {
            order,
            rules: HASHED_AS,
        }
    }
}

/// A table of value rules: parameter name → how its value is hashed.
pub type HashRules = &'static [(&'static str, HashValue)];

/// How a value goes into the hash string; a value a rule refuses counts as not sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HashValue {
    /// Only when all digits, as a plain integer (`007` → `7`).
    PlainInteger,
    /// Only when made of `0-9 . + -`, as sent.
    Numeric,
    /// Only when all digits, as sent (leading zeros kept).
    Digits,
    /// Only when all digits or exactly `all`, as sent.
    DigitsOrAll,
    /// Only when exactly one of these words, as sent.
    OneOf(&'static [&'static str]),
    /// Only when this other parameter is not sent (or sent empty), as sent.
    Unless(&'static str),
}

impl HashValue {
    /// The text that goes into the hash, or `None` when the value counts as not sent.
    pub fn form(self, v: &str) -> Option<&str> {
        match self {
            HashValue::PlainInteger => normalize_user_id(v),
            HashValue::Numeric => numeric_chars(v),
            HashValue::Digits => {
                (!v.is_empty() && v.bytes().all(|b| b.is_ascii_digit())).then_some(v)
            }
            HashValue::DigitsOrAll => {
                (v == "all" || HashValue::Digits.form(v).is_some()).then_some(v)
            }
            HashValue::OneOf(words) => words.contains(&v).then_some(v),
            // The other parameter is looked at by [`hashed_parts`], which has them all.
            HashValue::Unless(_) => Some(v),
        }
    }

    /// The rule in words.
    pub fn describe(self) -> &'static str {
        match self {
            HashValue::PlainInteger => "only when all digits, as a plain integer",
            HashValue::Numeric => "only when made of 0-9 . + -, as sent",
            HashValue::Digits => "only when all digits, as sent",
            HashValue::DigitsOrAll => "only when all digits or `all`, as sent",
            HashValue::OneOf(_) => "only when one of its words, as sent",
            HashValue::Unless(_) => "only when the parameter it stands in for is not sent, as sent",
        }
    }
}

/// A value made only of `0-9 . + -`, as sent.
fn numeric_chars(v: &str) -> Option<&str> {
    v.bytes()
        .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'+' | b'-'))
        .then_some(v)
}

/// The call's hash parameters that were sent, in the call's order, each with the text that
/// goes into the hash.
pub fn hashed_parts<'p>(
    hashing: Hashing<'p>,
    params: &'p Params,
) -> impl Iterator<Item = (&'static str, &'p str)> + 'p {
    hashing.order.iter().filter_map(move |&name| {
        let value = params.get(name)?;
        match hashing.rules.iter().find(|(n, _)| *n == name) {
            Some((_, HashValue::Unless(other)))
                if params.get(other).is_some_and(|v| !v.is_empty()) =>
            {
                None
            }
            Some((_, rule)) => rule.form(value).map(|v| (name, v)),
            None => Some((name, value)),
        }
    })
}

/// The hash string without the key: [`hashed_parts`] run together.
pub fn hash_string(hashing: Hashing<'_>, params: &Params) -> String {
    hashed_parts(hashing, params).map(|(_, v)| v).collect()
}

/// The lowercase hex SHA1 of `base` followed by `key`.
pub fn sha1_hex(base: &str, key: &str) -> String {
    String::from_utf8_lossy(&sha1_hex_bytes(base, key)).into_owned()
}

/// [`sha1_hex`] on the stack (a request's check allocates nothing).
fn sha1_hex_bytes(base: &str, key: &str) -> [u8; 40] {
    let mut h = Sha1::new();
    h.update(base.as_bytes());
    h.update(key.as_bytes());
    let mut out = [0u8; 40];
    // 20 bytes always fit 40 hex digits.
    let _ = hex::encode_to_slice(h.finalize(), &mut out);
    out
}

/// Compares `sent` with the expected hash in constant time; only lowercase hex matches.
fn hash_matches(sent: &str, base: &str, key: &str) -> bool {
    let expected = sha1_hex_bytes(base, key);
    bool::from(sent.as_bytes().ct_eq(&expected[..]))
}

/// An all-digit `user_id` without its leading zeros (`007` → `7`, `000` → `0`); `None` for
/// anything else, which then counts as not given.
pub fn normalize_user_id(value: &str) -> Option<&str> {
    if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let trimmed = value.trim_start_matches('0');
    Some(if trimmed.is_empty() { "0" } else { trimmed })
}

/// The target id of a request's `user_id`: `None` when not sent or not all digits, and also
/// when too large to be any user's id.
pub fn target_id(params: &Params) -> Option<i64> {
    params
        .get("user_id")
        .and_then(normalize_user_id)
        .map(|s| s.parse::<i64>().unwrap_or(-1))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The hash orders of the wiki's pages (as in the call table).
    const GET: &[&str] = &["user_id", "username"];
    const RAW_GET: &[&str] = &["u", "user_id"];

    fn params(q: &str) -> Params {
        Params::from_request(Some(q), None, b"").unwrap()
    }

    #[test]
    fn wiki_hash_vectors() {
        // user_details_get: user_id=123, key 456789.
        let p = params("u=username&user_id=123");
        assert_eq!(
            sha1_hex(&hash_string(Hashing::usual(GET), &p), "456789"),
            "f7c3bc1d808e04732adf679965ccc34ca7ae3441"
        );
        // user_details_raw_get: u=admin, user_id=5, key secret.
        let p = params("u=admin&user_id=5");
        assert_eq!(
            sha1_hex(&hash_string(Hashing::usual(RAW_GET), &p), "secret"),
            "80ea571b1932bfecb937013966849154cb995e05"
        );
        // The page's second and third examples reuse the first hash, which is wrong for them.
        let p = params("u=username&username=username");
        assert_ne!(
            sha1_hex(&hash_string(Hashing::usual(GET), &p), "456789"),
            "f7c3bc1d808e04732adf679965ccc34ca7ae3441"
        );
    }

    #[test]
    fn user_id_normalisation() {
        assert_eq!(normalize_user_id("007"), Some("7"));
        assert_eq!(normalize_user_id("000"), Some("0"));
        assert_eq!(normalize_user_id("12a"), None);
        assert_eq!(normalize_user_id("-1"), None);
        assert_eq!(normalize_user_id(""), None);
        assert_eq!(
            hash_string(Hashing::usual(GET), &params("user_id=007&username=x")),
            "7x"
        );
        assert_eq!(
            hash_string(Hashing::usual(GET), &params("user_id=abc&username=x")),
            "x"
        );
        assert_eq!(target_id(&params("user_id=99999999999999999999")), Some(-1));
    }

    #[test]
    fn only_lowercase_hex_matches() {
        let good = sha1_hex("5", "k");
        assert!(hash_matches(&good, "5", "k"));
        assert!(!hash_matches(&good.to_uppercase(), "5", "k"));
        assert!(!hash_matches("", "5", "k"));
        assert!(!hash_matches(&good[..39], "5", "k"));
    }
}
