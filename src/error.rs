//! The one error type of the request path. Each variant's `Display` is the exact text the
//! vendor sends; its HTTP status and whether it is a gate error sit in the same row of the
//! table below, so each error is written here once and nowhere else. Which XML wrapper a
//! call's own errors get is a column of the call table.

use std::fmt;

/// Declares [`ApiError`] from one table: each variant with its doc, its exact text, its HTTP
/// status and whether it is a gate error. The enum, `Display`, [`ApiError::http_status`],
/// [`ApiError::is_gate`] and [`ApiError::catalogue`] all come from the rows below, so a
/// variant is listed once.
macro_rules! api_errors {
    ($(
        $(#[$doc:meta])*
        $name:ident $(($bind:ident: $ty:ty = $sample:expr))? => $text:expr, $status:expr, $gate:expr;
    )*) => {
        /// Every way a request can fail, as the integrator sees it.
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub enum ApiError {
            $( $(#[$doc])* $name $(($ty))?, )*
        }

        impl ApiError {
            /// The HTTP status: 200 for every API outcome, as the vendor does; 4xx only where
            /// the request never reached an API call, 503 where storage failed.
            pub fn http_status(&self) -> u16 {
                match self {
                    $( ApiError::$name $(($bind))? => { $(let _ = $bind;)? $status } )*
                }
            }

            /// Gate errors share one shape for every call (`<status><error>…`); the rest take
            /// the call's own wrapper.
            pub fn is_gate(&self) -> bool {
                match self {
                    $( ApiError::$name $(($bind))? => { $(let _ = $bind;)? $gate } )*
                }
            }

            /// One of every error, for the API description (data-carrying ones with a sample).
            pub fn catalogue() -> Vec<ApiError> {
                vec![ $( ApiError::$name $(($sample))? ),* ]
            }
        }

        impl fmt::Display for ApiError {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                match self {
                    $( ApiError::$name $(($bind))? => f.write_str($text), )*
                }
            }
        }
    };
}

api_errors! {
    /// The path names no API call.
    UnknownMethod => "Unknown API method", 404, false;
    /// A method other than GET or POST.
    MethodNotAllowed => "Method not allowed", 405, false;
    /// The request could not be read as parameters (bad percent-encoding, invalid UTF-8,
    /// malformed body). The text says what was wrong, never echoing the input.
    Malformed(what: &'static str = "Malformed request: …") => what, 400, true;
    /// The body is over the configured limit.
    BodyTooLarge => "Request body is too large", 413, true;
    /// The body did not arrive within the body timeout.
    BodyTimeout => "Request body was not received in time", 408, true;
    /// Too many failed hash checks lately from this address, as this caller or against this
    /// key; the number is the seconds to wait (sent as `Retry-After`).
    TooManyFailures(_wait: u64 = 60) => "Too many failed hash checks, try again later", 429, true;
    /// `Allow_API` is not on for the caller's scope.
    ApiDisabled => "API Requests are disabled", 200, true;
    /// A GET while `Allow_GET_API` is off.
    GetDisabled => "GET Requests are disabled", 200, true;
    /// No `API_Secret_Key` in the caller's scope.
    NoSecretKey => "API must have Secret Key", 200, true;
    /// The `hash` parameter does not match.
    IncorrectHash => "Incorrect hash", 200, true;
    /// No such caller, or a rule forbids this caller this act.
    AccessDenied => "Access Denied", 200, false;
    /// The caller's role (or group) may not use this call at all.
    NotAuthorized => "You are not authorized to view this page", 200, false;
    /// The target user is missing or out of the caller's reach.
    UserNotFound => "User was not found", 200, false;
    /// An accountant or manager whose group lacks `user_manage` read/write.
    NoEditingPermission => "You have no editing permission", 200, false;
    /// `u5` names no tariff in reach.
    TariffNotFound => "Tariff not found", 200, false;
    /// `u1` names no LCR of the target's owner.
    LcrNotFound => "LCR was not found", 200, false;
    /// `u16` names no quick-forward rule in reach.
    QuickforwardRuleNotFound => "Quickforward Rule was not found", 200, false;
    /// `u29` names no PBX pool of the caller.
    PbxPoolNotFound => "PBX Pool was not found", 200, false;
    /// `u31` names no visible accountant or manager.
    ResponsibleAccountantInvalid => "Responsible accountant is not valid", 200, false;
    /// The call's feature setting is off (`Devices_Check_Ballance`).
    FeatureDisabled => "Feature disabled", 200, false;
    /// The caller named by `u` does not exist (balance update, payments).
    BadLogin => "Bad login", 200, false;
    /// `balance` is missing or not a number.
    BalanceNotUpdated => "User balance not updated", 200, false;
    /// `API_Allow_payments_ower_API` is off (the vendor server's text).
    PaymentsNotAllowed => "Payments not allow from api", 200, false;
    /// `p_currency` names no usable currency.
    NoCurrency => "No currency", 200, false;
    /// A payment with problems; each becomes one `<message>`.
    PaymentNotSaved(_problems: Vec<Problem> = Vec::new()) => "Payment was not saved", 200, false;
    /// The user has DIDs.
    DeleteHasDids => "Cannot delete user - it has DIDs", 200, false;
    /// The user has calls.
    DeleteHasCalls => "Cannot delete user - he has some calls", 200, false;
    /// The user has payments.
    DeleteHasPayments => "Cannot delete user - he has payments", 200, false;
    /// A reseller that owns users.
    DeleteResellerWithUsers => "Unable to delete this reseller - he has users", 200, false;
    /// An accountant or manager with assigned users.
    DeleteAccountantWithUsers => "Unable to delete accountant - he has users", 200, false;
    /// The user has invoices.
    DeleteHasInvoices => "Cannot delete User - he has Invoices", 200, false;
    /// `user_login`: unknown `u`, wrong `p`, or a blocked user (answered as an `<action>`).
    LoginFailed => "Login failed", 200, false;
    /// `users_get`: nobody in the caller's list.
    NoUsersFound => "No Users found", 200, false;
    /// A registration refused, with the vendor's text for why.
    NotRegistered(why: Registration = Registration::Disabled) => &why.to_string(), 200, false;
    /// Validation problems; each becomes one `<message>`.
    UserNotUpdated(_problems: Vec<Problem> = Vec::new()) => "User was not updated", 200, false;
    /// `user_delete`: the database refused the deletion (a constraint or a trigger of the
    /// integrator's own); nothing was written.
    UserNotDeleted => "User was not deleted", 200, false;
    /// `device_create`: a staff caller without `device_edit_opt_4` sent a caller id.
    CalleridNotAuthorized => "You are not authorized to manage callerid", 200, false;
    /// `device_create`: `caller_id` is not all digits.
    CalleridNotNumeric => "CallerID must be numeric", 200, false;
    /// `extension` is some other device's.
    ExtensionTaken => "Extension already exists in User's PBX Pool", 200, false;
    /// `pin` is some other device's.
    PinTaken => "PIN is already used", 200, false;
    /// `pin` has something but digits and blanks.
    PinNotNumeric => "PIN must be numeric", 200, false;
    /// `devicegroup_id` names no group of the device's user.
    DeviceGroupInvalid => "Device group invalid", 200, false;
    /// `type` is none the caller may use.
    DeviceTypeInvalid => "Device type invalid", 200, false;
    /// `call_timeout` has something but digits and blanks.
    CallTimeoutInvalid => "Device Call Timeout must be greater than or equal to 0", 200, false;
    /// No free extension in the device range.
    ConfigurationError => "Configuration error. Please contact System Administrator", 200, false;
    /// `device_create`: the device could not be stored; each problem becomes one `<message>`.
    DeviceNotCreated(_problems: Vec<Problem> = Vec::new()) => "Device was not created", 200, false;
    /// `device_update`: a staff caller without `device_manage` read/write.
    NotAuthorizedFunctionality => "You are not authorized to use this functionality", 200, false;
    /// No such device, or not in reach.
    DeviceNotFound => "Device was not found", 200, false;
    /// `new_location_id` names no location the caller may use.
    LocationNotFound => "Location was not found", 200, false;
    /// `host` is not an IPv4 address (our text).
    HostNotValid => "Host is not valid", 200, false;
    /// `port` is not a port number, 0 to 65535 (our text).
    PortNotValid => "Port is not valid", 200, false;
    /// The device's secret would be shorter than allowed.
    DevicePasswordTooShort => "Password is too short", 200, false;
    /// `device_update`: a value longer than a column holds, or a write the database refused
    /// (our text).
    DeviceNotUpdated => "Device was not updated", 200, false;
    /// `device_delete`: a staff caller without `device_manage` read/write.
    NoRightsToEdit => "You do not have rights to edit this", 200, false;
    /// `device_delete`: another device forwards calls to it.
    DeviceHasForwards => "Device has forwarded calls - we cannot delete it", 200, false;
    /// `device_delete`: it has calls.
    DeviceHasCalls => "Cannot delete device - it has calls. You can only hide device's user. Why is that and how to do that - please read in manual.", 200, false;
    /// `device_delete`: the database refused the deletion (our text).
    DeviceNotDeleted => "Device was not deleted", 200, false;
    /// `devices_get`: no `user_id`.
    UserIdEmpty => "user_id is empty", 200, false;
    /// `devices_get`: `user_id` names nobody (the vendor's words, without "was").
    UserNotFoundShort => "User not found", 200, false;
    /// `devices_get`: the user has no devices to list.
    NoDevices => "Device not found", 200, false;
    /// `tariff_rates_get`: no tariff the request may read.
    NoTariffFound => "No tariff found", 200, false;
    /// `rate_get`: `prefix` has no digits.
    EmptyPrefix => "Empty prefix", 200, false;
    /// `rate_get`: no destination's prefix begins the number.
    PrefixNotFound => "Prefix was not found", 200, false;
    /// `rate_get`: neither the destination nor a shorter one has a destination group.
    DestinationGroupNotFound => "Destination Group was not found", 200, false;
    /// `rate_get`: the tariff has no priced rate there, or the user has no tariff to look in.
    RateNotFound => "Rate was not found", 200, false;
    /// `rate_get`: the named user is another owner's (its username follows).
    UserBelongsTo(owner: String = String::new()) => &format!("User belongs to {owner}"), 200, false;
    /// The DID calls: staff without the DID right their call needs.
    NotAuthorizedDids => "You are not authorized to manage DIDs", 200, false;
    /// `dids_get`: no DID matches.
    NoDids => "No DIDs found", 200, false;
    /// `did_create`: no visible provider has the id.
    ProviderNotFound => "Provider was not found", 200, false;
    /// `did_create`: the provider is another owner's (the vendor's typo kept).
    ProviderNotYours => "Your are not authorized to use this Provider", 200, false;
    /// `did_create`: a DID has that number.
    DidExists => "DID already exists", 200, false;
    /// `did_create`: the number is missing or not all digits.
    DidInvalid => "Invalid DID specified", 200, false;
    /// `did_create`: the database refused the new row.
    DidNotCreated => "DID creation failed", 200, false;
    /// The assign calls: the device's user is another owner's (the vendor's typo kept).
    DeviceNotYours => "Your are not authorized to use this Device", 200, false;
    /// The DID calls: no DID in reach has that number or id.
    DidNotFound => "DID was not found", 200, false;
    /// The assign calls: the DID is another owner's stock (the vendor's typo kept).
    DidNotYours => "Your are not authorized to use this DID", 200, false;
    /// `did_device_unassign`: the DID is another owner's stock (spelt right there).
    DidNotYoursToFree => "You are not authorized to use this DID", 200, false;
    /// The assign calls: the DID is terminated.
    DidTerminated => "DID is terminated", 200, false;
    /// The assign calls: the DID is neither free nor reserved for the device's user.
    DidNotFree => "DID is not free", 200, false;
    /// `did_device_assign`: a reseller's trunk device while resellers may not give DIDs to trunks.
    DeviceNotAssigned => "Device was not assigned", 200, false;
    /// `did_trunk_device_assign`: the same refusal, in the trunk call's words.
    DidNotForTrunk => "DID cannot be assigned to Trunk", 200, false;
    /// `did_trunk_device_assign`: the device is not a trunk.
    NotATrunk => "Device is not a trunk", 200, false;
    /// `did_device_unassign`: the DID is not on a device.
    DidAlreadyFree => "DID is already free", 200, false;
    /// `did_device_unassign`: the DID is on a dial plan.
    DidOnDialplan => "DID is assigned to dialplan", 200, false;
    /// `did_device_unassign`: the database refused the change.
    DidNotUnassigned => "Failed to unassign DID", 200, false;
    /// `did_details_update`: the DID is another user's or on a dial plan.
    DidAlreadyAssigned => "DID is already assigned", 200, false;
    /// `did_details_update`: `call_limit` is not all digits.
    CallLimitFormat => "Call limit is incorrect format", 200, false;
    /// `did_details_update`: `grace_time` is not all digits.
    GraceTimeFormat => "Grace time is incorrect format", 200, false;
    /// `did_subscription_stop`, `did_close`: the DID is not on a device.
    DidNotOnDevice => "DID is not assigned to Device", 200, false;
    /// `did_subscription_stop`: the database refused the change.
    DidNotSaved => "DID was not saved", 200, false;
    /// `did_close`: the DID is closed already.
    DidAlreadyClosed => "DID is already closed", 200, false;
    /// `did_close`: the DID is on a dial plan.
    DidOnDialPlan => "DID is assigned to Dial Plan", 200, false;
    /// `did_make_free`: only reserved, closed and terminated DIDs can be made free.
    DidNotFreed => "DID was not freed. Only Terminated, Reserved or Closed DIDs can be freed", 200, false;
    /// `did_terminate`: a free DID in a reseller's stock.
    DidNotTerminated => "DID was not terminated", 200, false;
    /// `did_terminate`: only free and closed DIDs can be terminated (the vendor's grammar kept).
    DidNotTerminable => "DID was not terminated. Only Free or Closed DIDs can be terminate", 200, false;
    /// A write the database refused (a constraint or a trigger), for a call without a text of
    /// its own for it ([`crate::api::Write::refused`] gives the call's); nothing was written.
    WriteRefused => "Internal error, please try again", 503, true;
    /// The disk holding the database is full; nothing was written.
    StorageFull => "The database storage is full; nothing was changed", 503, true;
    /// The database file or its folder is read-only; nothing was written.
    StorageReadOnly => "The database is read-only; nothing was changed", 503, true;
    /// Something failed inside morbox (the cause is logged, never sent).
    Internal => "Internal error, please try again", 503, true;
}

impl ApiError {
    /// The `<message>` lines that follow the error, where there are any.
    pub fn messages(&self) -> &[Problem] {
        match self {
            ApiError::UserNotUpdated(m)
            | ApiError::PaymentNotSaved(m)
            | ApiError::DeviceNotCreated(m) => m,
            _ => &[],
        }
    }
}

impl std::error::Error for ApiError {}

/// One validation problem of an update, sent as a `<message>` after `User was not updated`.
/// The `&'static str` is the parameter's label from the update parameter table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// A decimal number was expected.
    NotANumber(&'static str),
    /// A whole number was expected.
    NotAWholeNumber(&'static str),
    /// A number below 0 where only 0 or more is allowed.
    Negative(&'static str),
    /// One of a fixed set of words was expected.
    NotAChoice(&'static str, &'static [&'static str]),
    /// A referenced row (currency, number pool) does not exist in reach.
    NotFound(&'static str),
    /// Another user has this username.
    UsernameTaken,
    /// Shorter than `Default_User_username_length`.
    UsernameTooShort(usize),
    /// Shorter than the password length in force.
    PasswordTooShort(usize),
    /// Longer than the longest password accepted (hashing is bounded before it starts).
    PasswordTooLong(usize),
    /// With control characters, or blanks at either end.
    UsernameInvalid,
    /// Strong passwords are on and this one is not.
    PasswordWeak,
    /// A three-part date that is incomplete or no real day.
    BadDate(&'static str),
    /// Not an e-mail address.
    BadEmail(&'static str),
    /// Not a known time zone.
    BadTimeZone,
    /// 2FA asked for while `Two_FA_enabled` is off.
    TwoFaDisabled,
    /// A number, or a result made from it, that is not a finite double.
    OutOfRange(&'static str),
    /// The database refused the write (a constraint or a trigger).
    NotStored,
    /// 2FA asked for a user without an e-mail address.
    TwoFaNoEmail,
    /// Longer than its column holds: (label, the most characters).
    TooLong(&'static str, usize),
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Problem::NotANumber(l) => write!(f, "{l} must be a number"),
            Problem::NotAWholeNumber(l) => write!(f, "{l} must be a whole number"),
            Problem::OutOfRange(l) => write!(f, "{l} is out of range"),
            Problem::NotStored => f.write_str("The database refused to store it"),
            Problem::TooLong(l, n) => write!(f, "{l} is too long (maximum is {n} characters)"),
            Problem::Negative(l) => write!(f, "{l} must be 0 or more"),
            Problem::NotAChoice(l, choices) => {
                write!(f, "{l} must be one of: {}", choices.join(", "))
            }
            Problem::NotFound(l) => write!(f, "{l} was not found"),
            Problem::UsernameTaken => f.write_str("Username has already been taken"),
            Problem::UsernameTooShort(n) => {
                write!(f, "Username is too short (minimum is {n} characters)")
            }
            Problem::PasswordTooShort(n) => {
                write!(f, "Password is too short (minimum is {n} characters)")
            }
            Problem::PasswordTooLong(n) => {
                write!(f, "Password is too long (maximum is {n} characters)")
            }
            Problem::UsernameInvalid => f.write_str(
                "Username must not contain control characters or begin or end with a blank",
            ),
            Problem::PasswordWeak => f.write_str(
                "Password is too weak: it must contain an uppercase letter, a lowercase letter and a digit",
            ),
            Problem::BadDate(l) => write!(f, "{l} is not a valid date"),
            Problem::BadEmail(l) => write!(f, "{l} is not a valid e-mail address"),
            Problem::BadTimeZone => f.write_str("Time zone is not valid"),
            Problem::TwoFaDisabled => {
                f.write_str("Two-factor authentication is disabled in the system settings")
            }
            Problem::TwoFaNoEmail => {
                f.write_str("Two-factor authentication needs the user's e-mail address")
            }
        }
    }
}

/// Why a registration is refused (docs/accounts.md), each with the vendor's exact text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Registration {
    /// `API_Allow_registration_ower_API` is off.
    Disabled,
    /// `tariff` names no usable tariff.
    Tariff,
    /// The owner's scope has no `Default_User_*` row.
    NoDefaultUser,
    /// `Default_User_tariff_id` is not a tariff of the owner.
    DefaultTariff,
    /// No default LCR the owner may use.
    DefaultLcr,
    /// `username` is blank.
    UsernameMissing,
    /// Shorter than allowed (the number is the minimum − 1).
    UsernameShort(usize),
    /// Somebody has it (any case).
    UsernameTaken,
    /// `password` is blank.
    PasswordMissing,
    /// `password2` differs.
    PasswordsDiffer,
    /// Shorter than allowed (the number is the minimum − 1).
    PasswordShort(usize),
    /// Strong passwords are on and this one is not.
    PasswordWeak,
    /// Longer than the longest password accepted (the most characters).
    PasswordLong(usize),
    /// Devices get the user's password and short ones are not allowed there.
    DevicePasswordShort,
    /// The password is the username.
    PasswordIsUsername,
    /// `first_name` is blank.
    FirstName,
    /// `last_name` is blank.
    LastName,
    /// `country_id` names no country.
    Country,
    /// Not an e-mail address.
    Email,
    /// Another address has it.
    EmailTaken,
    /// `mob_phone` is somebody's caller id.
    MobileTaken,
    /// `phone` is somebody's caller id.
    PhoneTaken,
    /// `fax` is somebody's caller id.
    FaxTaken,
    /// `device_type` is not SIP, IAX2 or Virtual.
    DeviceType,
    /// `lcr_id` names no LCR the owner may use.
    Lcr,
    /// `device_location_id` names no location of the owner.
    Location,
    /// No free extension in the device range.
    NoExtension,
}

impl fmt::Display for Registration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use Registration::*;
        match self {
            Disabled => f.write_str("Registration over API is disabled"),
            Tariff => f.write_str("Tariff was not found"),
            NoDefaultUser => f.write_str("Default user is not present"),
            DefaultTariff => f.write_str("Tariff was not found cannot create"),
            DefaultLcr => f.write_str("Default user does not have and LCR set"),
            UsernameMissing => f.write_str("Please enter username"),
            UsernameShort(n) => write!(f, "Username must be longer than {n} characters"),
            UsernameTaken => f.write_str("Such username is already taken"),
            PasswordMissing => f.write_str("Please enter password"),
            PasswordsDiffer => f.write_str("Passwords do not match"),
            PasswordShort(n) => write!(f, "Password must be longer than {n} characters"),
            PasswordWeak => f.write_str(
                "Password must contain at least one numeric value, capital and lowercase symbol",
            ),
            PasswordLong(n) => write!(f, "Password is too long (maximum is {n} characters)"),
            DevicePasswordShort => f.write_str(
                "Password must be longer than 7 characters or short passwords in Devices should be allowed",
            ),
            PasswordIsUsername => f.write_str("Please enter password not equal to username"),
            FirstName => f.write_str("Please enter first name"),
            LastName => f.write_str("Please enter last name"),
            Country => f.write_str("Please select country"),
            Email => f.write_str("Please enter correct email"),
            EmailTaken => f.write_str("This email address is already in use."),
            MobileTaken => f.write_str("User with such mobile phone number already exists"),
            PhoneTaken => f.write_str("User with such phone number already exists"),
            FaxTaken => f.write_str("User with such fax number already exists"),
            DeviceType => f.write_str("Enter device type"),
            Lcr => f.write_str("LCR was not found"),
            Location => f.write_str("Location was not found"),
            NoExtension => f.write_str("Configuration error. Please contact System Administrator"),
        }
    }
}

impl From<rusqlite::Error> for ApiError {
    /// SQLite's own message never reaches a client: it is logged here and the client gets
    /// [`ApiError::Internal`].
    fn from(e: rusqlite::Error) -> Self {
        tracing::error!(error = %e, "database error");
        match e.sqlite_error_code() {
            Some(rusqlite::ErrorCode::DiskFull) => ApiError::StorageFull,
            Some(rusqlite::ErrorCode::ReadOnly) => ApiError::StorageReadOnly,
            Some(rusqlite::ErrorCode::ConstraintViolation) => ApiError::WriteRefused,
            _ => ApiError::Internal,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts_are_the_vendors() {
        assert_eq!(ApiError::IncorrectHash.to_string(), "Incorrect hash");
        assert_eq!(
            ApiError::ApiDisabled.to_string(),
            "API Requests are disabled"
        );
        assert_eq!(
            ApiError::NotAuthorized.to_string(),
            "You are not authorized to view this page"
        );
        assert_eq!(
            ApiError::UserNotUpdated(vec![Problem::UsernameTaken]).to_string(),
            "User was not updated"
        );
        assert_eq!(
            Problem::UsernameTooShort(3).to_string(),
            "Username is too short (minimum is 3 characters)"
        );
    }

    #[test]
    fn api_outcomes_are_http_200() {
        assert_eq!(ApiError::UserNotFound.http_status(), 200);
        assert_eq!(ApiError::IncorrectHash.http_status(), 200);
        assert_eq!(ApiError::UnknownMethod.http_status(), 404);
    }
}
