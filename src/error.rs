//! The one error type of the request path. Each variant's `Display` is the exact text the
//! vendor sends; which XML wrapper and HTTP status it gets lives in [`crate::api::Call`] and
//! [`ApiError::http_status`], so the texts are written here once and nowhere else.

use std::fmt;

/// Every way a request can fail, as the integrator sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApiError {
    /// The path names no API call.
    UnknownMethod,
    /// A method other than GET or POST.
    MethodNotAllowed,
    /// The request could not be read as parameters (bad percent-encoding, invalid UTF-8,
    /// malformed body). The text says what was wrong, never echoing the input.
    Malformed(&'static str),
    /// The body is over the configured limit.
    BodyTooLarge,
    /// `Allow_API` is not on for the caller's scope.
    ApiDisabled,
    /// A GET while `Allow_GET_API` is off.
    GetDisabled,
    /// No `API_Secret_Key` in the caller's scope.
    NoSecretKey,
    /// The `hash` parameter does not match.
    IncorrectHash,
    /// No such caller, or a rule forbids this caller this act.
    AccessDenied,
    /// The caller's role (or group) may not use this call at all.
    NotAuthorized,
    /// The target user is missing or out of the caller's reach.
    UserNotFound,
    /// An accountant or manager whose group lacks `user_manage` read/write.
    NoEditingPermission,
    /// `u5` names no tariff in reach.
    TariffNotFound,
    /// `u1` names no LCR of the target's owner.
    LcrNotFound,
    /// `u16` names no quick-forward rule in reach.
    QuickforwardRuleNotFound,
    /// `u29` names no PBX pool of the caller.
    PbxPoolNotFound,
    /// `u31` names no visible accountant or manager.
    ResponsibleAccountantInvalid,
    /// Validation problems; each string becomes one `<message>`.
    UserNotUpdated(Vec<String>),
    /// Something failed inside morbox (the cause is logged, never sent).
    Internal,
}

impl ApiError {
    /// The HTTP status: 200 for every API outcome, as the vendor does; 4xx only where the
    /// request never reached an API call.
    pub fn http_status(&self) -> u16 {
        match self {
            ApiError::UnknownMethod => 404,
            ApiError::MethodNotAllowed => 405,
            ApiError::Malformed(_) => 400,
            ApiError::BodyTooLarge => 413,
            ApiError::Internal => 503,
            _ => 200,
        }
    }

    /// Gate errors share one shape for every call (`<status><error>…`); the rest take the
    /// endpoint's own wrapper.
    pub fn is_gate(&self) -> bool {
        matches!(
            self,
            ApiError::ApiDisabled
                | ApiError::GetDisabled
                | ApiError::NoSecretKey
                | ApiError::IncorrectHash
                | ApiError::Malformed(_)
                | ApiError::BodyTooLarge
                | ApiError::Internal
        )
    }

    /// The `<message>` lines that follow the error, where there are any.
    pub fn messages(&self) -> &[String] {
        match self {
            ApiError::UserNotUpdated(m) => m,
            _ => &[],
        }
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ApiError::UnknownMethod => "Unknown API method",
            ApiError::MethodNotAllowed => "Method not allowed",
            ApiError::Malformed(what) => what,
            ApiError::BodyTooLarge => "Request body is too large",
            ApiError::ApiDisabled => "API Requests are disabled",
            ApiError::GetDisabled => "GET Requests are disabled",
            ApiError::NoSecretKey => "API must have Secret Key",
            ApiError::IncorrectHash => "Incorrect hash",
            ApiError::AccessDenied => "Access Denied",
            ApiError::NotAuthorized => "You are not authorized to view this page",
            ApiError::UserNotFound => "User was not found",
            ApiError::NoEditingPermission => "You have no editing permission",
            ApiError::TariffNotFound => "Tariff not found",
            ApiError::LcrNotFound => "LCR was not found",
            ApiError::QuickforwardRuleNotFound => "Quickforward Rule was not found",
            ApiError::PbxPoolNotFound => "PBX Pool was not found",
            ApiError::ResponsibleAccountantInvalid => "Responsible accountant is not valid",
            ApiError::UserNotUpdated(_) => "User was not updated",
            ApiError::Internal => "Internal error, please try again",
        })
    }
}

impl std::error::Error for ApiError {}

impl From<rusqlite::Error> for ApiError {
    /// SQLite's own message never reaches a client: it is logged here and the client gets
    /// [`ApiError::Internal`].
    fn from(e: rusqlite::Error) -> Self {
        tracing::error!(error = %e, "database error");
        ApiError::Internal
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
            ApiError::UserNotUpdated(vec!["x".into()]).to_string(),
            "User was not updated"
        );
    }

    #[test]
    fn api_outcomes_are_http_200() {
        assert_eq!(ApiError::UserNotFound.http_status(), 200);
        assert_eq!(ApiError::IncorrectHash.http_status(), 200);
        assert_eq!(ApiError::UnknownMethod.http_status(), 404);
    }
}
