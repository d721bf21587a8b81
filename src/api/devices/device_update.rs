//! `device_update`, docs/devices.md: change a device in reach: its location, limits, IP or
//! dynamic authentication, username and secret, trunk, PIN, extension, caller id and the newer
//! wiki's fields. The vendor's order of checks; the first failure answers and nothing is
//! written; the rest in one transaction.

use crate::api::devices::{self as family, Found};
use crate::api::reach::{self, Access, Admit, Targets};
use crate::api::{
    ApiRequest, Authed, CallSpec, ErrorShape, Fields, Form, Param, Run, Write, Written,
};
use crate::auth::{DEVICE_MANAGE, Role};
use crate::devices::{self, caller_id_of, caller_id_parts, digits_and_spaces};
use crate::error::ApiError;
use crate::settings::{
    DEFAULT_DEVICE_LOCATION, RESELLERS_USE_ADMIN_LOCATIONS, SHORT_DEVICE_PASSWORDS,
    UNIQUE_DEVICE_USERNAMES,
};
use crate::store::devices::{self as store, Column};
use crate::xml::Doc;
use rusqlite::Connection;
use rusqlite::types::Value;

/// The call's row of the call table.
pub const SPEC: CallSpec = CallSpec {
    names: &["device_update"],
    hash_order: hash_order!(PARAMS),
    hash_rules: crate::auth::AS_SENT,
    errors: ErrorShape::PageStatus,
    run: Run::write::<Update>(),
    params: || PARAMS,
    summary: "Change a device in reach: authentication, username, secret, location, caller id and more",
    reach: REACH,
    ..CallSpec::DEFAULT
};

/// The admin: the system's users' devices; a reseller: its users'; staff with
/// `device_manage` read/write: the system's users' but admins'; users: none (`Device was not
/// found`).
const REACH: reach::Table = device_reach!(
    Admit::Right(DEVICE_MANAGE, 2, ApiError::NotAuthorizedFunctionality),
    Access::open(Role::User, Targets::Nobody)
);

/// The parameters besides `hash` and `test`, hashed ones first in hash order.
const PARAMS: &[Param] = &[
    Param::hashed("device", Form::Digits, "The device to change."),
    Param::hashed(
        "authentication",
        Form::Choice(&["0", "1"]),
        "0: dynamic (username and password); 1: IP authentication.",
    ),
    Param::hashed(
        "username",
        Form::Text,
        "A new username (dynamic devices); device_name wins when both are sent.",
    ),
    Param::hashed("host", Form::Text, "The IPv4 address (IP authentication)."),
    Param::hashed("port", Form::Count, "The port (IP authentication)."),
    Param::plain(
        "device_name",
        Form::Text,
        "A synonym of username, not hashed.",
    ),
    Param::plain(
        "password",
        Form::Text,
        "A new secret (dynamic devices; 8 characters or more unless allowed).",
    ),
    Param::plain(
        "new_location_id",
        Form::Digits,
        "A location the caller may use.",
    ),
    Param::plain("callerid_name", Form::Text, "The caller id's name."),
    Param::plain("callerid_number", Form::Text, "The caller id's number."),
    Param::plain(
        "call_limit",
        Form::Int,
        "Simultaneous calls; 0 or less: unlimited.",
    ),
    Param::plain("fromuser", Form::Text, "The device's fromuser."),
    Param::plain("call_timeout", Form::Count, "The longest call in seconds."),
    Param::plain(
        "trunk",
        Form::Choice(&["0", "1", "2"]),
        "0: no trunk; 1: trunk; 2: trunk with ANI.",
    ),
    Param::plain("description", Form::Text, "The device's description."),
    Param::plain("comment", Form::Text, "The device's comment."),
    Param::plain("language", Form::Text, "The device's language."),
    Param::plain("hidden", Form::Flag, "1: hidden; 0: shown."),
    Param::plain("pin", Form::Digits, "The PIN (digits, or empty for none)."),
    Param::plain(
        "extension",
        Form::Text,
        "A new extension of [a-z0-9#*] (name and username unchanged).",
    ),
];

/// The most characters a text column of a device holds.
const LONGEST: usize = 255;

/// A change to a device, as sent.
pub struct Update {
    device: Option<i64>,
    authentication: Option<String>,
    username: Option<String>,
    host: Option<String>,
    port: Option<String>,
    password: Option<String>,
    new_location_id: Option<String>,
    callerid_name: Option<String>,
    callerid_number: Option<String>,
    call_limit: Option<String>,
    fromuser: Option<String>,
    call_timeout: Option<String>,
    trunk: Option<String>,
    description: Option<String>,
    comment: Option<String>,
    language: Option<String>,
    hidden: Option<String>,
    pin: Option<String>,
    extension: Option<String>,
}

impl Write for Update {
    fn parse(req: &ApiRequest) -> Result<Update, ApiError> {
        let f = Fields::of(req);
        Ok(Update {
            device: f.id("device"),
            authentication: f.given("authentication"),
            username: f.sent("device_name").or_else(|| f.sent("username")),
            host: f.given("host"),
            port: f.given("port"),
            password: f.sent("password"),
            new_location_id: f.given("new_location_id"),
            callerid_name: f.sent("callerid_name"),
            callerid_number: f.sent("callerid_number"),
            call_limit: f.given("call_limit"),
            fromuser: f.sent("fromuser"),
            call_timeout: f.given("call_timeout"),
            trunk: f.given("trunk"),
            description: f.sent("description"),
            comment: f.sent("comment"),
            language: f.sent("language"),
            hidden: f.given("hidden"),
            pin: f.sent("pin").map(|p| p.trim().to_string()),
            extension: f.given("extension").map(|e| e.trim().to_string()),
        })
    }

    fn refused() -> ApiError {
        ApiError::DeviceNotUpdated
    }

    fn apply(
        self,
        conn: &Connection,
        who: &Authed,
        _password_hash: Option<String>,
    ) -> Result<Written, ApiError> {
        let caller = &who.caller;
        let s = &who.settings;
        let targets = reach::admit(conn, caller, REACH)?;
        let found = family::reach_of(conn, caller, targets, family::by_id(conn, self.device)?)?;
        let Found::Reached(device) = found else {
            return Err(ApiError::DeviceNotFound);
        };
        let too_long = [
            &self.username,
            &self.password,
            &self.fromuser,
            &self.description,
            &self.comment,
            &self.language,
            &self.pin,
            &self.extension,
            &self.callerid_name,
            &self.callerid_number,
            &self.host,
        ]
        .iter()
        .any(|v| v.as_ref().is_some_and(|v| v.chars().count() > LONGEST));
        if too_long {
            return Err(ApiError::DeviceNotUpdated);
        }
        let mut set: Vec<(Column, Value)> = Vec::new();
        // Location.
        let reseller = caller.role == Role::Reseller;
        if reseller && device.location_id == 1 {
            let default = s
                .scoped(DEFAULT_DEVICE_LOCATION)
                .trim()
                .parse()
                .unwrap_or(1);
            set.push((Column::LocationId, Value::Integer(default)));
        } else if let Some(loc) = &self.new_location_id {
            let scope_owner = if reseller { caller.id } else { 0 };
            let id = loc.parse::<i64>().ok();
            let owner = match id {
                Some(id) => store::location_owner(conn, id)?,
                None => None,
            };
            let usable = match owner {
                Some(o) if o == scope_owner => true,
                Some(0) if reseller => {
                    s.system_on(RESELLERS_USE_ADMIN_LOCATIONS) || id == Some(device.location_id)
                }
                _ => false,
            };
            match id {
                Some(id) if usable => set.push((Column::LocationId, Value::Integer(id))),
                _ => return Err(ApiError::LocationNotFound),
            }
        }
        if let Some(limit) = &self.call_limit {
            set.push((Column::CallLimit, Value::Integer(to_i(limit).max(0))));
        }
        if let Some(from) = &self.fromuser {
            set.push((Column::Fromuser, Value::Text(from.clone())));
        }
        // Authentication.
        let auth = self.authentication.as_deref();
        let ip_auth = auth == Some("1")
            || (!matches!(auth, Some("0") | Some("1")) && device.username.is_empty());
        let login = devices::has_login(&device.device_type);
        if ip_auth {
            let host = self.host.clone().unwrap_or_else(|| device.ipaddr.clone());
            if !devices::is_ipv4(&host) {
                return Err(ApiError::HostNotValid);
            }
            let port = match &self.port {
                Some(p) => match p.trim().parse::<i64>() {
                    Ok(p) if (0..=65535).contains(&p) => p,
                    Ok(_) => return Err(ApiError::PortNotValid),
                    Err(_) => device.port,
                },
                None => device.port,
            };
            let port = if port == 0 {
                devices::default_port(&device.device_type)
            } else {
                port
            };
            if login {
                set.push((Column::Username, Value::Text(String::new())));
                set.push((Column::Secret, Value::Text(String::new())));
                if !device.name.contains("ipauth") {
                    set.push((Column::Name, Value::Text(devices::ipauth_name()?)));
                }
            }
            set.push((Column::Host, Value::Text(host.clone())));
            set.push((Column::Ipaddr, Value::Text(host)));
            set.push((Column::Port, Value::Integer(port)));
        } else if auth == Some("0") || (login && device.host == "dynamic") {
            let mut name = device.name.clone();
            let mut has_username = !device.username.is_empty();
            if !has_username {
                // Back from IP authentication: named after its extension again.
                set.push((Column::Host, Value::Text("dynamic".into())));
                set.push((Column::Name, Value::Text(device.extension.clone())));
                set.push((Column::Username, Value::Text(device.extension.clone())));
                name = device.extension.clone();
                has_username = !device.extension.is_empty();
            }
            let mut secret = device.secret.clone();
            let username = self.username.as_deref().unwrap_or("");
            let password = self.password.as_deref().unwrap_or("");
            let short_ok = s.system_on(SHORT_DEVICE_PASSWORDS);
            if username != password {
                let lower = username.to_lowercase();
                let username_ok = !username.is_empty()
                    && lower != "anonymous"
                    && lower != "unknown"
                    && username != device.secret
                    && !(s.system_on(UNIQUE_DEVICE_USERNAMES)
                        && store::name_taken(conn, username, Some(device.id))?);
                if username_ok {
                    set.push((Column::Name, Value::Text(username.to_string())));
                    set.push((Column::Username, Value::Text(username.to_string())));
                    name = username.to_string();
                    has_username = true;
                }
                let password_ok = has_username
                    && !password.is_empty()
                    && password != name
                    && (short_ok || password.chars().count() >= 8);
                if password_ok {
                    set.push((Column::Secret, Value::Text(password.to_string())));
                    secret = password.to_string();
                }
            }
            if !short_ok && secret.chars().count() < 8 {
                return Err(ApiError::DevicePasswordTooShort);
            }
        }
        // Trunk, timeout, extension, PIN.
        if let Some(trunk) = &self.trunk {
            let (istrunk, ani) = devices::TRUNKS
                .iter()
                .find(|(v, _)| *v == trunk.as_str())
                .map_or((0, 0), |(_, t)| *t);
            set.push((Column::Istrunk, Value::Integer(istrunk)));
            set.push((Column::Ani, Value::Integer(ani)));
        }
        if let Some(t) = &self.call_timeout {
            if !digits_and_spaces(t) {
                return Err(ApiError::CallTimeoutInvalid);
            }
            let digits = t.replace(' ', "");
            if !digits.is_empty() {
                let n = digits.parse().map_err(|_| ApiError::CallTimeoutInvalid)?;
                set.push((Column::MaxTimeout, Value::Integer(n)));
            }
        }
        if let Some(ext) = &self.extension
            && ext
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'#' || b == b'*')
        {
            if store::extension_taken(conn, ext, Some(device.id))? {
                return Err(ApiError::ExtensionTaken);
            }
            set.push((Column::Extension, Value::Text(ext.clone())));
        }
        if let Some(pin) = &self.pin {
            if !pin.is_empty() {
                if store::pin_taken(conn, pin, Some(device.id))? {
                    return Err(ApiError::PinTaken);
                }
                if !pin.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(ApiError::PinNotNumeric);
                }
            }
            set.push((Column::Pin, Value::Text(pin.clone())));
        }
        // The newer wiki's fields.
        for (column, value) in [
            (Column::Description, &self.description),
            (Column::Comment, &self.comment),
            (Column::Language, &self.language),
        ] {
            if let Some(v) = value {
                set.push((column, Value::Text(v.clone())));
            }
        }
        match self.hidden.as_deref() {
            Some("0") => set.push((Column::Hidden, Value::Integer(0))),
            Some("1") => set.push((Column::Hidden, Value::Integer(1))),
            _ => {}
        }
        // The caller id: a half not sent keeps the stored half.
        if self.callerid_name.is_some() || self.callerid_number.is_some() {
            let (name, number) = caller_id_parts(&device.callerid);
            let name = self.callerid_name.clone().unwrap_or(name);
            let number = self.callerid_number.clone().unwrap_or(number);
            set.push((
                Column::Callerid,
                Value::Text(caller_id_of(name.trim(), number.trim())),
            ));
        }
        let changed = store::update(conn, device.id, &set)?;
        let mut d = Doc::new();
        d.open("page")
            .open("status")
            .leaf("success", "Device successfully updated")
            .close()
            .close();
        Ok(Written {
            body: d.finish()?,
            changed,
            changes: Vec::new(),
        })
    }
}

/// A whole number as Ruby's `to_i` reads it: an optional sign and the leading digits; 0 when
/// there are none (a number too large saturates).
fn to_i(v: &str) -> i64 {
    let v = v.trim_start();
    let (sign, rest) = match v.as_bytes().first() {
        Some(b'-') => (-1i64, &v[1..]),
        Some(b'+') => (1, &v[1..]),
        _ => (1, v),
    };
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    if digits.is_empty() {
        return 0;
    }
    digits
        .parse::<i64>()
        .map_or(if sign < 0 { i64::MIN } else { i64::MAX }, |n| sign * n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn to_i_reads_like_ruby() {
        assert_eq!(to_i("12abc"), 12);
        assert_eq!(to_i("-5"), -5);
        assert_eq!(to_i("abc"), 0);
        assert_eq!(to_i(" 7"), 7);
        assert_eq!(to_i("99999999999999999999"), i64::MAX);
    }
}
