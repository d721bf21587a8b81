//! `device_create`, docs/devices.md: a new device for a user in reach, with a free extension
//! (or the one sent), a random secret and PIN, its caller id, group and location; the checks in
//! the vendor's order, then one transaction.

use crate::api::reach::{self, Access, Admit};
use crate::api::{ApiRequest, Authed, CallSpec, Fields, Form, Param, Run, Write, Written};
use crate::auth::{DEVICE_CREATE, DEVICE_EDIT_CALLERID, Role};
use crate::devices::{self, DIGITS, caller_id_of, digits_and_spaces, random, unique};
use crate::error::{ApiError, Problem};
use crate::settings::{
    DEFAULT_DEVICE_CID_NAME, DEFAULT_DEVICE_CID_NUMBER, DEFAULT_DEVICE_LOCATION,
    DEFAULT_DEVICE_TYPE, DEVICE_PIN_LENGTH, DEVICE_RANGE_MAX, DEVICE_RANGE_MIN,
    USE_STRONG_PASSWORD,
};
use crate::store::devices::{self as store, NewDevice};
use crate::xml::Doc;
use rusqlite::Connection;

/// The call's row of the call table.
pub const SPEC: CallSpec = CallSpec {
    names: &["device_create"],
    hash_order: hash_order!(PARAMS),
    unknown: |_| ApiError::BadLogin,
    run: Run::write::<Create>(),
    params: || PARAMS,
    summary: "Create a device for a user in reach: free extension, random secret and PIN",
    reach: REACH,
    ..CallSpec::DEFAULT
};

/// The admin: the system's users; a reseller: its users; staff with `device_create`
/// read/write: the system's users but admins; users: never.
const REACH: reach::Table = device_reach!(
    Admit::Right(DEVICE_CREATE, 2, ApiError::AccessDenied),
    Access::refused(Role::User, ApiError::AccessDenied)
);

/// The parameters besides `hash` and `test`, hashed ones first in hash order.
const PARAMS: &[Param] = &[
    Param::hashed("user_id", Form::Digits, "The user the device is for."),
    Param::hashed("description", Form::Text, "The device's description."),
    Param::hashed(
        "pin",
        Form::Digits,
        "The device's PIN (digits); not sent: a random one; sent empty: none.",
    ),
    Param::hashed(
        "type",
        Form::Choice(&["SIP", "IAX2", "FAX", "H323", "Virtual", "dahdi"]),
        "The device's type; not sent: Default_device_type, else SIP.",
    ),
    Param::hashed(
        "devicegroup_id",
        Form::Digits,
        "A device group of the user.",
    ),
    Param::hashed(
        "caller_id",
        Form::Digits,
        "The caller id number (stored as <number>).",
    ),
    Param::plain(
        "extension",
        Form::Text,
        "The extension (also the name and username); not sent: the lowest free one.",
    ),
    Param::plain("fromuser", Form::Text, "The device's fromuser."),
    Param::plain(
        "call_timeout",
        Form::Count,
        "The longest call in seconds (max_timeout).",
    ),
];

/// The most characters a text column of a device holds.
const LONGEST: usize = 255;

/// A device to create, as sent.
pub struct Create {
    /// `user_id`: `Err` when sent but not all digits.
    target: Result<Option<i64>, ()>,
    description: String,
    /// `None`: not sent (a random PIN); `Some("")`: no PIN.
    pin: Option<String>,
    device_type: Option<String>,
    devicegroup: Option<String>,
    caller_id: Option<String>,
    extension: Option<String>,
    fromuser: Option<String>,
    call_timeout: Option<String>,
}

impl Write for Create {
    fn parse(req: &ApiRequest) -> Result<Create, ApiError> {
        let f = Fields::of(req);
        let target = match f.given("user_id") {
            Some(_) => f.id("user_id").map(Some).ok_or(()),
            None => Ok(None),
        };
        let blank_is_none =
            |v: Option<String>| v.map(|v| v.trim().to_string()).filter(|v| !v.is_empty());
        Ok(Create {
            target,
            description: f.trimmed("description"),
            pin: f.sent("pin").map(|v| v.trim().to_string()),
            device_type: f.given("type"),
            devicegroup: f.given("devicegroup_id"),
            caller_id: blank_is_none(f.given("caller_id")),
            extension: blank_is_none(f.given("extension")),
            fromuser: f.given("fromuser"),
            call_timeout: f.given("call_timeout"),
        })
    }

    fn refused() -> ApiError {
        ApiError::DeviceNotCreated(vec![Problem::NotStored])
    }

    fn apply(
        self,
        conn: &Connection,
        who: &Authed,
        _password_hash: Option<String>,
    ) -> Result<Written, ApiError> {
        let caller = &who.caller;
        let s = &who.settings;
        // A non-digit id first, whoever asks; then reach and the right, both `Access Denied`.
        let id = self.target.map_err(|()| ApiError::UserNotFound)?;
        let user = reach::target_facts(conn, caller, REACH, id, ApiError::AccessDenied, |_| None)?;
        if let Some(ext) = &self.extension
            && store::extension_taken(conn, ext, None)?
        {
            return Err(ApiError::ExtensionTaken);
        }
        if let Some(pin) = self.pin.as_deref().filter(|p| !p.is_empty()) {
            if store::pin_taken(conn, pin, None)? {
                return Err(ApiError::PinTaken);
            }
            if !digits_and_spaces(pin) {
                return Err(ApiError::PinNotNumeric);
            }
        }
        let devicegroup_id = match &self.devicegroup {
            Some(g) => match g.parse::<i64>() {
                Ok(g) if g >= 0 && store::group_of(conn, g, user.id)? => Some(g),
                _ => return Err(ApiError::DeviceGroupInvalid),
            },
            None => None,
        };
        let type_name = match &self.device_type {
            Some(t) => t.clone(),
            None => match s.scoped(DEFAULT_DEVICE_TYPE) {
                "" => "SIP".to_string(),
                t => t.to_string(),
            },
        };
        let kind = devices::kind(&type_name)
            .filter(|k| match k.for_resellers {
                Some(setting) => caller.role != Role::Reseller || s.system_on(setting),
                None => true,
            })
            .ok_or(ApiError::DeviceTypeInvalid)?;
        let max_timeout = match &self.call_timeout {
            Some(t) if !digits_and_spaces(t) => return Err(ApiError::CallTimeoutInvalid),
            Some(t) => match t.replace(' ', "") {
                d if d.is_empty() => 0,
                d => d.parse().map_err(|_| ApiError::CallTimeoutInvalid)?,
            },
            None => 0,
        };
        if let Some(cid) = &self.caller_id {
            if caller.role.is_staff()
                && crate::store::queries::group_right(
                    conn,
                    caller.acc_group_id,
                    DEVICE_EDIT_CALLERID,
                )? < 2
            {
                return Err(ApiError::CalleridNotAuthorized);
            }
            if !cid.bytes().all(|b| b.is_ascii_digit()) {
                return Err(ApiError::CalleridNotNumeric);
            }
        }
        let too_long: Vec<Problem> = [
            ("Description", Some(&self.description)),
            ("Extension", self.extension.as_ref()),
            ("PIN", self.pin.as_ref()),
            ("Caller ID", self.caller_id.as_ref()),
            ("From user", self.fromuser.as_ref()),
        ]
        .into_iter()
        .filter(|(_, v)| v.is_some_and(|v| v.chars().count() > LONGEST))
        .map(|(label, _)| Problem::TooLong(label, LONGEST))
        .collect();
        if !too_long.is_empty() {
            return Err(ApiError::DeviceNotCreated(too_long));
        }
        let extension = match &self.extension {
            Some(e) => e.clone(),
            None => store::free_extension(
                conn,
                s.system_int(DEVICE_RANGE_MIN, 1000),
                s.system_int(DEVICE_RANGE_MAX, 9999),
            )?
            .ok_or(ApiError::ConfigurationError)?
            .to_string(),
        };
        let secret = random(
            devices::secret_alphabet(s.system_on(USE_STRONG_PASSWORD)),
            12,
        )?;
        let pin = match self.pin {
            Some(pin) => pin,
            None => {
                let len = s.system_int(DEVICE_PIN_LENGTH, 6).clamp(1, 20) as usize;
                // No free PIN of that length (100 draws): the range is the operator's to widen.
                unique(DIGITS, len, |v| store::pin_taken(conn, v, None)).map_err(|e| match e {
                    ApiError::Internal => ApiError::ConfigurationError,
                    e => e,
                })?
            }
        };
        let callerid = match &self.caller_id {
            Some(cid) => format!("<{cid}>"),
            None => caller_id_of(
                s.scoped(DEFAULT_DEVICE_CID_NAME),
                s.scoped(DEFAULT_DEVICE_CID_NUMBER),
            ),
        };
        // The target's owner is the caller's scope for every caller in reach.
        let location_id = s
            .scoped(DEFAULT_DEVICE_LOCATION)
            .trim()
            .parse()
            .unwrap_or(1);
        let (id, username) = store::create(
            conn,
            &NewDevice {
                user_id: user.id,
                device_type: kind.name.to_string(),
                login: extension.clone(),
                extension,
                secret: secret.clone(),
                pin,
                callerid,
                description: self.description,
                host: kind.host.to_string(),
                port: kind.port,
                location_id,
                devicegroup_id,
                fromuser: self.fromuser,
                max_timeout,
            },
        )?;
        store::set_primary_if_none(conn, user.id, id)?;
        let mut d = Doc::new();
        d.open("page")
            .leaf("status", "Device created")
            .leaf_int("id", id)
            .leaf("username", &username)
            .leaf("password", &secret)
            .close();
        Ok(Written {
            body: d.finish()?,
            changed: vec!["devices.id".into()],
            changes: Vec::new(),
        })
    }
}
