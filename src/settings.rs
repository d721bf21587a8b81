//! The settings morbox reads from table `conflines` (docs/README.md): their names, defaults
//! and meanings in one table, and [`Settings`], the values that apply to one request.

use std::collections::HashMap;

/// One setting: its `conflines.name`, the value a missing row reads as, and what it means.
pub struct Setting {
    /// The `conflines.name`.
    pub name: &'static str,
    /// The value a missing row reads as.
    pub default: &'static str,
    /// Whether a reseller's own row (owner_id = its id) counts, besides the system's.
    pub per_reseller: bool,
    /// The values it takes (`morbox settings set` refuses others).
    pub values: Values,
    /// What it does, for `--help` and the README.
    pub meaning: &'static str,
}

/// The values a setting takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Values {
    /// `0` or `1`.
    Flag,
    /// A whole number in this range.
    Number(i64, i64),
    /// Any text.
    Text,
}

impl Values {
    /// Why `value` is not one of these values, if it is not.
    pub fn refuse(self, value: &str) -> Option<String> {
        match self {
            Values::Flag if value == "0" || value == "1" => None,
            Values::Flag => Some("0 or 1".into()),
            Values::Number(lo, hi) => match value.trim().parse::<i64>() {
                Ok(n) if (lo..=hi).contains(&n) => None,
                _ => Some(format!("a whole number from {lo} to {hi}")),
            },
            Values::Text => None,
        }
    }
}

/// `Allow_API`: the API answers at all (system, and per reseller).
pub const ALLOW_API: &str = "Allow_API";
/// `Allow_GET_API`: GET is accepted besides POST.
pub const ALLOW_GET_API: &str = "Allow_GET_API";
/// `API_Secret_Key`: the key appended to every hash string.
pub const API_SECRET_KEY: &str = "API_Secret_Key";
/// `API_Disable_hash_checking`: no hash is asked for.
pub const API_DISABLE_HASH_CHECKING: &str = "API_Disable_hash_checking";
/// `XML_API_Extension`: answer as `text/xml` with an `.xml` file name.
pub const XML_API_EXTENSION: &str = "XML_API_Extension";
/// `Allow_Resellers_to_use_Admin_Tariffs`.
pub const RESELLERS_USE_ADMIN_TARIFFS: &str = "Allow_Resellers_to_use_Admin_Tariffs";
/// `Allow_Resellers_to_use_Admin_Quick_Forward_Rules`.
pub const RESELLERS_USE_ADMIN_QF_RULES: &str = "Allow_Resellers_to_use_Admin_Quick_Forward_Rules";
/// `Nice_Number_Digits`: decimals of formatted amounts.
pub const NICE_NUMBER_DIGITS: &str = "Nice_Number_Digits";
/// `Use_strong_password`.
pub const USE_STRONG_PASSWORD: &str = "Use_strong_password";
/// `Default_User_password_length`.
pub const PASSWORD_LENGTH: &str = "Default_User_password_length";
/// `Default_User_username_length`.
pub const USERNAME_LENGTH: &str = "Default_User_username_length";
/// `Two_FA_enabled`.
pub const TWO_FA_ENABLED: &str = "Two_FA_enabled";

/// `Devices_Check_Ballance` (sic): the balance calls answer at all.
pub const DEVICES_CHECK_BALANCE: &str = "Devices_Check_Ballance";
/// `API_Allow_payments_ower_API` (sic): `payment_create` answers at all.
pub const API_ALLOW_PAYMENTS: &str = "API_Allow_payments_ower_API";
/// `Allow_login_by_email`: `user_login` accepts the e-mail of the user's address as `u`.
pub const ALLOW_LOGIN_BY_EMAIL: &str = "Allow_login_by_email";
/// `API_Allow_registration_ower_API` (sic): `user_register` answers at all.
pub const API_ALLOW_REGISTRATION: &str = "API_Allow_registration_ower_API";
/// `API_payment_confirmation`: payments wait for confirmation.
pub const API_PAYMENT_CONFIRMATION: &str = "API_payment_confirmation";

/// `Allow_registration_username_passwords_in_devices`: a registered device gets the user's
/// username and password.
pub const DEVICE_TAKES_LOGIN: &str = "Allow_registration_username_passwords_in_devices";
/// `Allow_short_passwords_in_devices`: device passwords may be shorter than 8.
pub const SHORT_DEVICE_PASSWORDS: &str = "Allow_short_passwords_in_devices";
/// `allow_identical_email_addresses_to_different_users` (lower case, as the vendor stores it).
pub const IDENTICAL_EMAILS: &str = "allow_identical_email_addresses_to_different_users";
/// `Device_Range_MIN` / `Device_Range_MAX`: the extensions a registration may give.
pub const DEVICE_RANGE_MIN: &str = "Device_Range_MIN";
/// See [`DEVICE_RANGE_MIN`].
pub const DEVICE_RANGE_MAX: &str = "Device_Range_MAX";
/// `Device_PIN_Length`: digits of a device PIN.
pub const DEVICE_PIN_LENGTH: &str = "Device_PIN_Length";
/// `Agreement_Number_Length`: zero padding of agreement numbers.
pub const AGREEMENT_NUMBER_LENGTH: &str = "Agreement_Number_Length";
/// `Asterisk_Server_IP`: echoed to a registered device.
pub const ASTERISK_SERVER_IP: &str = "Asterisk_Server_IP";
/// `Default_device_location_id` (owner scope).
pub const DEFAULT_DEVICE_LOCATION: &str = "Default_device_location_id";
/// `Default_device_cid_name` (owner scope).
pub const DEFAULT_DEVICE_CID_NAME: &str = "Default_device_cid_name";
/// `Default_device_cid_number` (owner scope).
pub const DEFAULT_DEVICE_CID_NUMBER: &str = "Default_device_cid_number";

/// `RS_Active`: the reseller add-on (reseller columns and prices in the admin's call rows).
pub const RS_ACTIVE: &str = "RS_Active";
/// `RSPRO_Active`: the reseller-PRO add-on (calls over a reseller's own provider hide their
/// prices from the admin).
pub const RSPRO_ACTIVE: &str = "RSPRO_Active";
/// `Show_HGC_for_Resellers`: resellers may filter calls by hang-up cause.
pub const HGC_FOR_RESELLERS: &str = "Show_HGC_for_Resellers";
/// `Change_ANSWER_to_FAILED_if_HGC_not_equal_to_16_for_Users`.
pub const ANSWER_TO_FAILED: &str = "Change_ANSWER_to_FAILED_if_HGC_not_equal_to_16_for_Users";
/// `Invoice_user_billsec_show` (the user's owner's scope).
pub const USER_BILLSEC_SHOW: &str = "Invoice_user_billsec_show";
/// `Devices_Check_Rate`: `rate_get` answers.
pub const DEVICES_CHECK_RATE: &str = "Devices_Check_Rate";
/// `Default_device_type` (caller scope): a new device's type when none is sent.
pub const DEFAULT_DEVICE_TYPE: &str = "Default_device_type";
/// `Resellers_Allow_Use_dahdi_Device`: resellers may create dahdi devices.
pub const RESELLERS_DAHDI: &str = "Resellers_Allow_Use_dahdi_Device";
/// `Resellers_Allow_Use_Virtual_Device`: resellers may create Virtual devices.
pub const RESELLERS_VIRTUAL: &str = "Resellers_Allow_Use_Virtual_Device";
/// `Allow_Resellers_to_use_Admin_Localization_Rules`: resellers may use the system's locations.
pub const RESELLERS_USE_ADMIN_LOCATIONS: &str = "Allow_Resellers_to_use_Admin_Localization_Rules";
/// `Disalow_Duplicate_Device_Usernames` (the vendor's spelling).
pub const UNIQUE_DEVICE_USERNAMES: &str = "Disalow_Duplicate_Device_Usernames";
/// `Resellers_can_add_their_own_DIDs`: resellers may create DIDs from their own providers.
pub const RESELLERS_ADD_DIDS: &str = "Resellers_can_add_their_own_DIDs";
/// `DID_default_provider_to_resellers`: the provider a reseller's new DID takes when it names none.
pub const DID_DEFAULT_PROVIDER: &str = "DID_default_provider_to_resellers";
/// `Resellers_Allow_Assign_DID_To_Trunk`: resellers may give DIDs to trunk devices.
pub const RESELLERS_DIDS_TO_TRUNKS: &str = "Resellers_Allow_Assign_DID_To_Trunk";
/// `Days_for_did_close`: how many days a closed DID stays its owner's.
pub const DAYS_FOR_DID_CLOSE: &str = "Days_for_did_close";

/// Every setting morbox reads, with its default and meaning.
pub const SETTINGS: &[Setting] = &[
    Setting {
        name: ALLOW_API,
        default: "0",
        per_reseller: true,
        values: Values::Flag,
        meaning: "1: the API answers (system scope, or a reseller's own)",
    },
    Setting {
        name: ALLOW_GET_API,
        default: "0",
        per_reseller: false,
        values: Values::Flag,
        meaning: "1: GET requests are accepted besides POST",
    },
    Setting {
        name: API_SECRET_KEY,
        default: "",
        per_reseller: true,
        values: Values::Text,
        meaning: "the key appended to every hash string",
    },
    Setting {
        name: API_DISABLE_HASH_CHECKING,
        default: "0",
        per_reseller: true,
        values: Values::Flag,
        meaning: "1: no hash is checked",
    },
    Setting {
        name: XML_API_EXTENSION,
        default: "0",
        per_reseller: false,
        values: Values::Flag,
        meaning: "1: answers are text/xml named mor_api_response.xml",
    },
    Setting {
        name: RESELLERS_USE_ADMIN_TARIFFS,
        default: "0",
        per_reseller: false,
        values: Values::Flag,
        meaning: "1: resellers may give their users the system's non-provider tariffs",
    },
    Setting {
        name: RESELLERS_USE_ADMIN_QF_RULES,
        default: "0",
        per_reseller: false,
        values: Values::Flag,
        meaning: "1: resellers may use the system's quick-forward rules",
    },
    Setting {
        name: NICE_NUMBER_DIGITS,
        default: "2",
        per_reseller: false,
        values: Values::Number(0, 10),
        meaning: "decimals shown in formatted amounts",
    },
    Setting {
        name: USE_STRONG_PASSWORD,
        default: "0",
        per_reseller: false,
        values: Values::Flag,
        meaning: "1: passwords need upper and lower case letters and digits",
    },
    Setting {
        name: PASSWORD_LENGTH,
        default: "6",
        per_reseller: false,
        values: Values::Number(6, 128),
        meaning: "minimum password length (at least 6; 8 with strong passwords)",
    },
    Setting {
        name: USERNAME_LENGTH,
        default: "1",
        per_reseller: false,
        values: Values::Number(1, 255),
        meaning: "minimum username length (at least 1)",
    },
    Setting {
        name: TWO_FA_ENABLED,
        default: "0",
        per_reseller: false,
        values: Values::Flag,
        meaning: "1: two-factor authentication may be turned on for users",
    },
    Setting {
        name: DEVICES_CHECK_BALANCE,
        default: "0",
        per_reseller: false,
        values: Values::Flag,
        meaning: "1: user_balance_get and user_simple_balance_get answer (the vendor's spelling)",
    },
    Setting {
        name: API_ALLOW_PAYMENTS,
        default: "0",
        per_reseller: false,
        values: Values::Flag,
        meaning: "1: payment_create answers (the vendor's spelling)",
    },
    Setting {
        name: ALLOW_LOGIN_BY_EMAIL,
        default: "0",
        per_reseller: false,
        values: Values::Flag,
        meaning: "1: user_login accepts the e-mail of the user's address as u (a username matches first)",
    },
    Setting {
        name: API_ALLOW_REGISTRATION,
        default: "0",
        per_reseller: false,
        values: Values::Flag,
        meaning: "1: user_register answers (the vendor's spelling)",
    },
    Setting {
        name: API_PAYMENT_CONFIRMATION,
        default: "0",
        per_reseller: false,
        values: Values::Flag,
        meaning: "1: payments made over the API wait for confirmation (balance unchanged)",
    },
    Setting {
        name: DEVICE_TAKES_LOGIN,
        default: "0",
        per_reseller: false,
        values: Values::Flag,
        meaning: "1: a registered device gets the user's username and password",
    },
    Setting {
        name: SHORT_DEVICE_PASSWORDS,
        default: "0",
        per_reseller: false,
        values: Values::Flag,
        meaning: "1: device passwords may be shorter than 8 characters",
    },
    Setting {
        name: IDENTICAL_EMAILS,
        default: "0",
        per_reseller: false,
        values: Values::Flag,
        meaning: "1: registration accepts an e-mail address another user has",
    },
    Setting {
        name: DEVICE_RANGE_MIN,
        default: "1000",
        per_reseller: false,
        values: Values::Number(0, 999_999_999),
        meaning: "lowest extension a registration or a new device gets",
    },
    Setting {
        name: DEVICE_RANGE_MAX,
        default: "9999",
        per_reseller: false,
        values: Values::Number(0, 999_999_999),
        meaning: "highest extension a registration or a new device gets",
    },
    Setting {
        name: DEVICE_PIN_LENGTH,
        default: "6",
        per_reseller: false,
        values: Values::Number(1, 20),
        meaning: "digits of a new device's random PIN",
    },
    Setting {
        name: AGREEMENT_NUMBER_LENGTH,
        default: "10",
        per_reseller: false,
        values: Values::Number(1, 40),
        meaning: "zero padding of a registered user's agreement number",
    },
    Setting {
        name: ASTERISK_SERVER_IP,
        default: "",
        per_reseller: false,
        values: Values::Text,
        meaning: "server address a registration answer gives the device",
    },
    Setting {
        name: DEFAULT_DEVICE_LOCATION,
        default: "1",
        per_reseller: true,
        values: Values::Number(0, i64::MAX),
        meaning: "location of a new device (owner scope); a reseller's devices at location 1 move there on update",
    },
    Setting {
        name: DEFAULT_DEVICE_CID_NAME,
        default: "",
        per_reseller: true,
        values: Values::Text,
        meaning: "caller id name of a new device (owner scope)",
    },
    Setting {
        name: DEFAULT_DEVICE_CID_NUMBER,
        default: "",
        per_reseller: true,
        values: Values::Text,
        meaning: "caller id number of a new device (owner scope)",
    },
    Setting {
        name: RS_ACTIVE,
        default: "1",
        per_reseller: false,
        values: Values::Flag,
        meaning: "1: the admin's call rows carry the reseller, its rate and price",
    },
    Setting {
        name: RSPRO_ACTIVE,
        default: "1",
        per_reseller: false,
        values: Values::Flag,
        meaning: "1: calls over a reseller's own provider show the admin no provider or reseller price",
    },
    Setting {
        name: HGC_FOR_RESELLERS,
        default: "0",
        per_reseller: false,
        values: Values::Flag,
        meaning: "1: resellers may filter calls by hang-up cause (s_hgc)",
    },
    Setting {
        name: ANSWER_TO_FAILED,
        default: "0",
        per_reseller: false,
        values: Values::Flag,
        meaning: "1: a plain user sees an answered call with a cause other than 16 as FAILED",
    },
    Setting {
        name: USER_BILLSEC_SHOW,
        default: "0",
        per_reseller: true,
        values: Values::Flag,
        meaning: "1: a plain user's calls show its billed seconds (user_billsec, rounded up)",
    },
    Setting {
        name: DEVICES_CHECK_RATE,
        default: "0",
        per_reseller: false,
        values: Values::Flag,
        meaning: "1: rate_get answers (else Feature disabled)",
    },
    Setting {
        name: DEFAULT_DEVICE_TYPE,
        default: "",
        per_reseller: true,
        values: Values::Text,
        meaning: "type of a device created without one (caller scope; empty: SIP)",
    },
    Setting {
        name: RESELLERS_DAHDI,
        default: "0",
        per_reseller: false,
        values: Values::Flag,
        meaning: "1: resellers may create dahdi devices",
    },
    Setting {
        name: RESELLERS_VIRTUAL,
        default: "0",
        per_reseller: false,
        values: Values::Flag,
        meaning: "1: resellers may create Virtual devices",
    },
    Setting {
        name: RESELLERS_USE_ADMIN_LOCATIONS,
        default: "0",
        per_reseller: false,
        values: Values::Flag,
        meaning: "1: resellers may move devices to the system's locations",
    },
    Setting {
        name: UNIQUE_DEVICE_USERNAMES,
        default: "0",
        per_reseller: false,
        values: Values::Flag,
        meaning: "1: device_update refuses a username another device has (the vendor's spelling)",
    },
    Setting {
        name: RESELLERS_ADD_DIDS,
        default: "0",
        per_reseller: false,
        values: Values::Flag,
        meaning: "1: resellers may create DIDs (did_create) from their own providers",
    },
    Setting {
        name: DID_DEFAULT_PROVIDER,
        default: "0",
        per_reseller: false,
        values: Values::Number(0, i64::MAX),
        meaning: "the provider a reseller's did_create uses when it sends no provider_id (0: none)",
    },
    Setting {
        name: RESELLERS_DIDS_TO_TRUNKS,
        default: "0",
        per_reseller: false,
        values: Values::Flag,
        meaning: "1: resellers may give DIDs to trunk devices",
    },
    Setting {
        name: DAYS_FOR_DID_CLOSE,
        default: "0",
        per_reseller: false,
        values: Values::Number(0, 36500),
        meaning: "days a closed DID stays its owner's (closed_till = now + that many days)",
    },
];

/// The settings that apply to one request: the system's (owner 0) and those of one scope.
#[derive(Debug, Default, Clone)]
pub struct Settings {
    scope: i64,
    system: HashMap<String, String, foldhash::fast::RandomState>,
    scoped: HashMap<String, String, foldhash::fast::RandomState>,
}

impl Settings {
    /// Builds the view from `(owner_id, name, value)` rows of `conflines`.
    pub fn from_rows(scope: i64, rows: impl IntoIterator<Item = (i64, String, String)>) -> Self {
        let mut s = Settings {
            scope,
            ..Default::default()
        };
        for (owner, name, value) in rows {
            if owner == 0 {
                s.system.insert(name.clone(), value.clone());
            }
            if owner == scope {
                s.scoped.insert(name, value);
            }
        }
        s
    }

    fn default_of(name: &str) -> &'static str {
        SETTINGS
            .iter()
            .find(|s| s.name == name)
            .map_or("", |s| s.default)
    }

    /// A system-scope value, or its default.
    pub fn system(&self, name: &str) -> &str {
        self.system
            .get(name)
            .map_or_else(|| Self::default_of(name), String::as_str)
    }

    /// A value in this request's scope (the system's when the scope is 0), or its default.
    pub fn scoped(&self, name: &str) -> &str {
        self.scoped
            .get(name)
            .map_or_else(|| Self::default_of(name), String::as_str)
    }

    /// The rows of this request's scope whose name starts with `prefix`, as (the rest of the
    /// name, value), sorted by name.
    pub fn scoped_prefixed(&self, prefix: &str) -> Vec<(&str, &str)> {
        let mut rows: Vec<(&str, &str)> = self
            .scoped
            .iter()
            .filter_map(|(k, v)| k.strip_prefix(prefix).map(|rest| (rest, v.as_str())))
            .collect();
        rows.sort_unstable();
        rows
    }

    /// Whether this request's scope has a row of this name (not just a default).
    pub fn scoped_has(&self, name: &str) -> bool {
        self.scoped.contains_key(name)
    }

    /// The scope this view was loaded for.
    pub fn scope(&self) -> i64 {
        self.scope
    }

    /// Whether a system flag is exactly `1`.
    pub fn system_on(&self, name: &str) -> bool {
        self.system(name).trim() == "1"
    }

    /// Whether a scoped flag is exactly `1`.
    pub fn scoped_on(&self, name: &str) -> bool {
        self.scoped(name).trim() == "1"
    }

    /// A number of this request's scope, or `default` when missing or not a number.
    pub fn scoped_int(&self, name: &str, default: i64) -> i64 {
        self.scoped(name).trim().parse().unwrap_or(default)
    }

    /// A system number, or `default` when missing or not a number.
    pub fn system_int(&self, name: &str, default: i64) -> i64 {
        self.system(name).trim().parse().unwrap_or(default)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scope_and_defaults() {
        let s = Settings::from_rows(
            7,
            [
                (0, ALLOW_API.to_string(), "1".to_string()),
                (7, API_SECRET_KEY.to_string(), "k7".to_string()),
                (9, API_SECRET_KEY.to_string(), "k9".to_string()),
            ],
        );
        assert!(s.system_on(ALLOW_API));
        assert!(!s.scoped_on(ALLOW_API));
        assert_eq!(s.scoped(API_SECRET_KEY), "k7");
        assert_eq!(s.system(API_SECRET_KEY), "");
        assert_eq!(s.system_int(NICE_NUMBER_DIGITS, 0), 2);
    }
}
