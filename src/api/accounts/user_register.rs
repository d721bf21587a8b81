//! `user_register`, docs/accounts.md: create a user (with its address, tax row, device and
//! caller ids) under the owner whose uniquehash is `id` (the admin without one). The owner's
//! uniquehash and scope key are the credential. Every check runs, in the spec's order, before
//! the password is hashed; then everything is written in one transaction.

use crate::api::{
    ApiRequest, Authed, CallSpec, ErrorShape, Fields, Form, Identity, Param, Run, Write, Written,
};
use crate::auth::Role;
use crate::devices::{self, DIGITS, LOWER_DIGITS, caller_id_of, random, unique};
use crate::error::{ApiError, Registration as R};
use crate::passwords::Fault;
use crate::settings::{
    AGREEMENT_NUMBER_LENGTH, API_ALLOW_REGISTRATION, ASTERISK_SERVER_IP, DEFAULT_DEVICE_CID_NAME,
    DEFAULT_DEVICE_CID_NUMBER, DEFAULT_DEVICE_LOCATION, DEVICE_PIN_LENGTH, DEVICE_RANGE_MAX,
    DEVICE_RANGE_MIN, DEVICE_TAKES_LOGIN, IDENTICAL_EMAILS, RESELLERS_USE_ADMIN_TARIFFS,
    SHORT_DEVICE_PASSWORDS, Settings, USE_STRONG_PASSWORD, USERNAME_LENGTH,
};
use crate::store::devices::{self as device_store, NewDevice};
use crate::store::refs::{self, Ref, RefScope};
use crate::store::registration::{self as reg, NewAccount, NewUser, Owner};
use crate::store::user_update::username_taken;
use crate::xml::Doc;
use rusqlite::Connection;

/// The call's row of the call table.
pub const SPEC: CallSpec = CallSpec {
    names: &["user_register"],
    hash_order: hash_order!(PARAMS),
    errors: ErrorShape::PageStatus,
    identity: Identity::Owner("id"),
    unknown,
    run: Run::write::<Register>(),
    params: || PARAMS,
    summary: "Create a user with its device under the owner named by uniquehash",
    ..CallSpec::DEFAULT
};

/// The text under `<registration_notice>`.
const NOTICE: &str = "*ATTENTION! These settings are for you to configure your DEVICE. \nIn order to login to this system you need to use settings you have entered before!";

/// The device types a registration takes (each gets its type's port, [`devices::KINDS`]).
const DEVICE_TYPES: &[&str] = &["SIP", "IAX2", "Virtual"];

/// The caller-id parameters, with their `callerids` description and the refusal when taken.
const PHONES: &[(&str, &str, R)] = &[
    ("mob_phone", "Mobile Phone", R::MobileTaken),
    ("phone", "Phone", R::PhoneTaken),
    ("fax", "Fax", R::FaxTaken),
];

/// Address fields copied from the request when not blank.
const ADDRESS_FIELDS: &[&str] = &[
    "state",
    "county",
    "city",
    "postcode",
    "address",
    "phone",
    "mob_phone",
    "fax",
    "email",
];

/// The parameters besides `hash` and `test` (`u` where it is hashed), hashed ones first in
/// hash order.
const PARAMS: &[Param] = &[
    Param::hashed(
        "email",
        Form::Email,
        "The new user's e-mail (unique unless allowed otherwise).",
    ),
    Param::hashed(
        "id",
        Form::Text,
        "The owner's uniquehash (admin or reseller); without it, the admin.",
    ),
    Param::hashed("lcr_id", Form::Digits, "An LCR the owner may use."),
    Param::hashed(
        "device_type",
        Form::Choice(&["SIP", "IAX2", "Virtual"]),
        "The device's type.",
    ),
    Param::hashed("username", Form::Text, "The new login; unique in any case."),
    Param::hashed("first_name", Form::Text, "First name."),
    Param::hashed("last_name", Form::Text, "Last name."),
    Param::hashed(
        "caller_id",
        Form::Text,
        "The device's caller id (stored as <value>).",
    ),
    Param::hashed("state", Form::Text, "Address: state."),
    Param::hashed(
        "device_location_id",
        Form::Digits,
        "A location of the owner.",
    ),
    Param::plain("password", Form::Text, "The password (not hashed)."),
    Param::plain("password2", Form::Text, "The password again (not hashed)."),
    Param::plain("country_id", Form::Digits, "A country (directions.id)."),
    Param::plain("county", Form::Text, "Address: county."),
    Param::plain("city", Form::Text, "Address: city."),
    Param::plain("postcode", Form::Text, "Address: postcode."),
    Param::plain("address", Form::Text, "Address: street."),
    Param::plain("phone", Form::Text, "Address: phone (also a caller id)."),
    Param::plain(
        "mob_phone",
        Form::Text,
        "Address: mobile phone (also a caller id).",
    ),
    Param::plain("fax", Form::Text, "Address: fax (also a caller id)."),
    Param::plain("client_id", Form::Text, "users.clientid."),
    Param::plain("vat_number", Form::Text, "users.vat_number."),
    Param::plain(
        "tariff",
        Form::Digits,
        "A tariff the owner may give (not hashed).",
    ),
    Param::plain(
        "currency_id",
        Form::Digits,
        "An existing currency (not hashed).",
    ),
    Param::plain("call_limit", Form::Digits, "users.call_limit (not hashed)."),
    Param::plain(
        "credit_limit",
        Form::Text,
        "-1 (unlimited) or digits: users.credit (not hashed).",
    ),
    Param::plain(
        "accounting_number",
        Form::Text,
        "users.accounting_number (not hashed).",
    ),
];

/// No owner: the setting answers first, then Access Denied.
pub fn unknown(system: &Settings) -> ApiError {
    if system.system_on(API_ALLOW_REGISTRATION) {
        ApiError::AccessDenied
    } else {
        ApiError::NotRegistered(R::Disabled)
    }
}

/// A registration request, read once.
pub struct Register {
    /// Blanks at either end taken off.
    username: String,
    password: String,
    password2: String,
    /// Blanks at either end taken off.
    first_name: String,
    /// Blanks at either end taken off.
    last_name: String,
    country_id: Option<i64>,
    /// Blanks at either end taken off.
    email: String,
    /// The values of [`PHONES`], in its order, as sent.
    phones: Vec<String>,
    device_type: String,
    lcr_id: Option<String>,
    device_location_id: Option<String>,
    tariff: Option<String>,
    currency_id: Option<i64>,
    client_id: String,
    vat_number: String,
    call_limit: Option<String>,
    credit_limit: Option<String>,
    accounting_number: Option<String>,
    /// Blanks at either end taken off.
    caller_id: String,
    /// [`ADDRESS_FIELDS`] with their values, blanks at either end taken off.
    address: Vec<(&'static str, String)>,
}

/// What the checks settled, for the writes.
struct Plan {
    owner: Owner,
    tariff_id: i64,
    lcr_id: i64,
    device_port: i64,
}

impl Register {
    /// Every check of a registration, in its order (docs/accounts.md); the first failure answers.
    fn plan(&self, conn: &Connection, who: &Authed) -> Result<Plan, ApiError> {
        let s = &who.settings;
        let no = |why| Err(ApiError::NotRegistered(why));
        if !s.system_on(API_ALLOW_REGISTRATION) {
            return no(R::Disabled);
        }
        if !matches!(who.caller.role, Role::Admin | Role::Reseller) {
            return Err(ApiError::AccessDenied);
        }
        let owner = reg::owner(conn, who.caller.id)?.ok_or(ApiError::AccessDenied)?;
        let reseller = who.caller.role == Role::Reseller;
        // The references a registration names, in the owner's reach (one table: store::refs).
        let scope = |lcr_owner: i64, admin_tariffs: bool| RefScope {
            caller_scope: owner.id,
            reseller,
            target_owner: lcr_owner,
            admin_tariffs,
            admin_qf_rules: false,
        };
        let found = |r: Ref, id: i64, lcr_owner: i64, admin_tariffs: bool| {
            refs::exists(conn, r, id, &scope(lcr_owner, admin_tariffs))
        };
        if let Some(t) = self.tariff.as_deref() {
            let usable = match t.trim().parse::<i64>() {
                Ok(id) => found(
                    Ref::Tariff,
                    id,
                    owner.id,
                    reseller && s.system_on(RESELLERS_USE_ADMIN_TARIFFS),
                )?,
                Err(_) => false,
            };
            if !usable {
                return no(R::Tariff);
            }
        }
        if s.scoped_prefixed("Default_User_").is_empty() {
            return no(R::NoDefaultUser);
        }
        let default_tariff = s
            .scoped("Default_User_tariff_id")
            .trim()
            .parse::<i64>()
            .ok();
        match default_tariff {
            Some(id) if found(Ref::Tariff, id, owner.id, false)? => {}
            _ => return no(R::DefaultTariff),
        }
        // A reseller without providers of its own routes through the admin's LCRs.
        let lcr_owner = if reseller && !owner.own_providers {
            0
        } else {
            owner.id
        };
        let default_lcr = s.scoped("Default_User_lcr_id").trim().parse::<i64>().ok();
        match default_lcr {
            Some(id) if found(Ref::Lcr, id, lcr_owner, false)? => {}
            _ => return no(R::DefaultLcr),
        }
        // The fields.
        let username = self.username.as_str();
        let min_user = s.scoped_int(USERNAME_LENGTH, 1).max(1) as usize;
        if username.is_empty() {
            return no(R::UsernameMissing);
        }
        if username.chars().count() < min_user {
            return no(R::UsernameShort(min_user - 1));
        }
        if username_taken(conn, username, -1)? {
            return no(R::UsernameTaken);
        }
        let password = self.password.as_str();
        if password.trim().is_empty() {
            return no(R::PasswordMissing);
        }
        if password != self.password2 {
            return no(R::PasswordsDiffer);
        }
        // The one password rule, worded as a registration words it (first fault answers).
        match crate::passwords::Rule::of(s).faults(password).first() {
            Some(Fault::Short(min)) => return no(R::PasswordShort(min - 1)),
            Some(Fault::Long) => return no(R::PasswordLong(crate::passwords::MAX_CHARS)),
            Some(Fault::Weak) => return no(R::PasswordWeak),
            None => {}
        }
        if s.system_on(DEVICE_TAKES_LOGIN)
            && !s.system_on(SHORT_DEVICE_PASSWORDS)
            && password.chars().count() < 8
        {
            return no(R::DevicePasswordShort);
        }
        if password == username {
            return no(R::PasswordIsUsername);
        }
        if self.first_name.is_empty() {
            return no(R::FirstName);
        }
        if self.last_name.is_empty() {
            return no(R::LastName);
        }
        match self.country_id {
            Some(id) if found(Ref::Country, id, owner.id, false)? => {}
            _ => return no(R::Country),
        }
        let email = self.email.as_str();
        if !crate::rules::is_email(email) {
            return no(R::Email);
        }
        if !s.system_on(IDENTICAL_EMAILS) && reg::email_taken(conn, email)? {
            return no(R::EmailTaken);
        }
        for ((_, _, taken), value) in PHONES.iter().zip(&self.phones) {
            let digits = digits(value);
            if !digits.is_empty() && reg::cli_taken(conn, &digits)? {
                return no(taken.clone());
            }
        }
        if !DEVICE_TYPES.contains(&self.device_type.as_str()) {
            return no(R::DeviceType);
        }
        let device_port = devices::default_port(&self.device_type);
        let may_choose_lcr = !reseller || owner.own_providers;
        let lcr_id = match (self.lcr_id.as_deref(), may_choose_lcr) {
            (Some(v), _) => {
                let ok = match v.trim().parse::<i64>() {
                    Ok(id) if may_choose_lcr => found(Ref::Lcr, id, owner.id, false)?,
                    Ok(id) => id == owner.lcr_id,
                    Err(_) => false,
                };
                if !ok {
                    return no(R::Lcr);
                }
                if may_choose_lcr {
                    v.trim().parse().unwrap_or(0)
                } else {
                    owner.lcr_id
                }
            }
            (None, true) => default_lcr.unwrap_or(0),
            (None, false) => owner.lcr_id,
        };
        if let Some(loc) = self.device_location_id.as_deref() {
            let ok = match loc.trim().parse::<i64>() {
                Ok(id) => found(Ref::Location, id, owner.id, false)?,
                Err(_) => false,
            };
            if !ok {
                return no(R::Location);
            }
        }
        let tariff_id = self
            .tariff
            .as_deref()
            .and_then(|t| t.trim().parse().ok())
            .or(default_tariff)
            .unwrap_or(0);
        Ok(Plan {
            owner,
            tariff_id,
            lcr_id,
            device_port,
        })
    }
}

impl Write for Register {
    fn parse(req: &ApiRequest) -> Result<Register, ApiError> {
        let f = Fields::of(req);
        Ok(Register {
            username: f.trimmed("username"),
            password: f.text("password"),
            password2: f.text("password2"),
            first_name: f.trimmed("first_name"),
            last_name: f.trimmed("last_name"),
            country_id: f.int("country_id"),
            email: f.trimmed("email"),
            phones: PHONES.iter().map(|(p, _, _)| f.text(p)).collect(),
            device_type: f.text("device_type"),
            lcr_id: f.sent("lcr_id"),
            device_location_id: f.sent("device_location_id"),
            tariff: f.sent("tariff"),
            currency_id: f.int("currency_id"),
            client_id: f.text("client_id"),
            vat_number: f.text("vat_number"),
            call_limit: f.sent("call_limit"),
            credit_limit: f.sent("credit_limit"),
            accounting_number: f.sent("accounting_number"),
            caller_id: f.trimmed("caller_id"),
            address: ADDRESS_FIELDS.iter().map(|a| (*a, f.trimmed(a))).collect(),
        })
    }

    fn password(&self) -> Option<&str> {
        // Always asked for: an empty or missing one fails in `check`, before any hashing.
        Some(&self.password)
    }

    fn check(&self, conn: &Connection, who: &Authed) -> Result<(), ApiError> {
        self.plan(conn, who).map(|_| ())
    }

    fn apply(
        self,
        conn: &Connection,
        who: &Authed,
        password_hash: Option<String>,
    ) -> Result<Written, ApiError> {
        let plan = self.plan(conn, who)?;
        let s = &who.settings;
        let now = crate::dates::now();
        let username = self.username.clone();
        let password = self.password.clone();
        let defaults = |prefix: &str| -> Vec<(String, String)> {
            s.scoped_prefixed(prefix)
                .into_iter()
                .map(|(c, v)| (c.to_string(), v.to_string()))
                .collect()
        };
        let agreement = reg::next_agreement_number(conn)?;
        let width = s.system_int(AGREEMENT_NUMBER_LENGTH, 10).clamp(1, 40) as usize;
        let currency = match self.currency_id {
            Some(id) if crate::store::currencies::by_id(conn, id)?.is_some() => id,
            _ => s
                .scoped("Default_User_currency_id")
                .trim()
                .parse()
                .unwrap_or(1),
        };
        let account = NewAccount {
            address_defaults: defaults("Default_Address_"),
            address: self
                .address
                .iter()
                .filter(|(_, v)| !v.is_empty())
                .cloned()
                .collect(),
            country_id: self.country_id.unwrap_or(0),
            tax_defaults: defaults("Default_Tax_"),
            user_defaults: defaults("Default_User_"),
            user: NewUser {
                username: username.clone(),
                password_hash: password_hash.ok_or(ApiError::Internal)?,
                owner_id: plan.owner.id,
                first_name: self.first_name.clone(),
                last_name: self.last_name.clone(),
                clientid: self.client_id.clone(),
                vat_number: self.vat_number.clone(),
                agreement_number: format!("{agreement:0width$}"),
                agreement_date: crate::dates::today(),
                tariff_id: plan.tariff_id,
                lcr_id: plan.lcr_id,
                currency_id: currency,
                uniquehash: unique(LOWER_DIGITS, 10, |v| reg::uniquehash_taken(conn, v))?,
                call_limit: self
                    .call_limit
                    .as_deref()
                    .map(|v| v.trim().parse::<i64>().unwrap_or(0)),
                credit: self.credit_limit.as_deref().map(|v| match v.trim() {
                    "-1" => -1,
                    d => d.parse::<i64>().ok().filter(|x| *x >= 0).unwrap_or(0),
                }),
                accounting_number: self.accounting_number.clone(),
            },
        };
        let user_id = reg::create_account(conn, &account)?;
        // The device.
        let device_type = self.device_type.clone();
        let matching = s.system_on(DEVICE_TAKES_LOGIN);
        let min = s.system_int(DEVICE_RANGE_MIN, 1000);
        let max = s.system_int(DEVICE_RANGE_MAX, 9999);
        let extension = device_store::free_extension(conn, min, max)?
            .ok_or(ApiError::NotRegistered(R::NoExtension))?
            .to_string();
        let login = if matching {
            username.clone()
        } else {
            extension.clone()
        };
        let alphabet = devices::secret_alphabet(s.system_on(USE_STRONG_PASSWORD));
        let secret = if matching {
            password
        } else {
            random(alphabet, 12)?
        };
        let pin_len = s.system_int(DEVICE_PIN_LENGTH, 6).clamp(1, 20) as usize;
        let pin = unique(DIGITS, pin_len, |v| device_store::pin_taken(conn, v, None))?;
        let caller_id = self.caller_id.clone();
        let callerid = if !caller_id.is_empty() {
            format!("<{caller_id}>")
        } else {
            caller_id_of(
                s.scoped(DEFAULT_DEVICE_CID_NAME),
                s.scoped(DEFAULT_DEVICE_CID_NUMBER),
            )
        };
        let location = self
            .device_location_id
            .as_deref()
            .and_then(|v| v.trim().parse().ok())
            .or_else(|| s.scoped(DEFAULT_DEVICE_LOCATION).trim().parse().ok())
            .unwrap_or(1);
        let (device_id, device_login) = device_store::create(
            conn,
            &NewDevice {
                user_id,
                device_type: device_type.clone(),
                login,
                extension,
                secret: secret.clone(),
                pin: pin.clone(),
                callerid,
                host: "dynamic".into(),
                port: plan.device_port,
                location_id: location,
                ..NewDevice::default()
            },
        )?;
        reg::set_primary_device(conn, user_id, device_id)?;
        for ((_, description, _), value) in PHONES.iter().zip(&self.phones) {
            let digits = digits(value);
            if !digits.is_empty() {
                reg::add_caller_id(conn, device_id, &digits, description, &now)?;
            }
        }
        crate::store::audit::registered(conn, &now, plan.owner.id, user_id, &username)?;
        let mut d = Doc::new();
        d.open("page")
            .open("status")
            .leaf("success", "Registration successful")
            .close()
            .open("user_device_settings")
            .leaf("user_id", &user_id.to_string())
            .leaf("device_type", &device_type)
            .leaf("device_id", &device_id.to_string());
        if !caller_id.is_empty() {
            d.leaf("caller_id", &format!("<{caller_id}>"));
        }
        d.leaf("username", &device_login)
            .leaf("password", &secret)
            .leaf("pin", &pin)
            .leaf("server_ip", s.system(ASTERISK_SERVER_IP))
            .leaf("registration_notice", NOTICE)
            .close()
            .close();
        Ok(Written {
            body: d.finish()?,
            changed: vec!["users.id".into(), "devices.id".into()],
            changes: Vec::new(),
        })
    }
}

/// The digits of a phone number.
fn digits(v: &str) -> String {
    v.chars().filter(char::is_ascii_digit).collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_vendors_email_pattern() {
        for ok in ["new@example.com", "a.b-c+d_e@sub.example.museum", "x@y.lt"] {
            assert!(crate::rules::is_email(ok), "{ok}");
        }
        for bad in [
            "",
            "a@b",
            "a@@b.com",
            "a@b.c",
            "a b@c.com",
            ".a@b.com",
            "a@b..com",
            "a@b.c0m",
            "a@b.abcdefghijklmnop",
        ] {
            assert!(!crate::rules::is_email(bad), "{bad}");
        }
    }
}
