//! The one way a call reads its parameters (as mini-redis's `Parse` reads a frame): a call's
//! typed value is made in its `parse`, each field in one line that names the parameter and the
//! form it is read in. Nothing keeps the raw parameters to read them again later.

use super::ApiRequest;
use crate::params::Params;

/// A request's parameters, read field by field.
#[derive(Clone, Copy)]
pub struct Fields<'a>(&'a Params);

impl<'a> Fields<'a> {
    /// The parameters of `req`.
    pub fn of(req: &'a ApiRequest) -> Fields<'a> {
        Fields(&req.params)
    }

    /// The value as sent, or `None` when it was not sent.
    pub fn sent(&self, name: &str) -> Option<String> {
        self.0.get(name).map(str::to_string)
    }

    /// The value as sent; empty when it was not sent.
    pub fn text(&self, name: &str) -> String {
        self.0.get(name).unwrap_or("").to_string()
    }

    /// The value without blanks at either end; empty when it was not sent.
    pub fn trimmed(&self, name: &str) -> String {
        self.0.get(name).unwrap_or("").trim().to_string()
    }

    /// A whole number (blanks at either end allowed), or `None`.
    pub fn int(&self, name: &str) -> Option<i64> {
        self.0.get(name).and_then(|v| v.trim().parse().ok())
    }

    /// Exactly `1`.
    pub fn flag(&self, name: &str) -> bool {
        self.0.get(name) == Some("1")
    }

    /// An amount as the accounts calls take it ([`crate::numbers::parse_amount`]), or `None`.
    pub fn amount(&self, name: &str) -> Option<f64> {
        self.0.get(name).and_then(crate::numbers::parse_amount)
    }

    /// An id: the value when all digits (leading zeros allowed), else `None`; one too large
    /// to be any row's id is -1.
    pub fn id(&self, name: &str) -> Option<i64> {
        self.0
            .get(name)
            .filter(|v| !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()))
            .map(|v| v.parse().unwrap_or(-1))
    }

    /// The value as sent, `None` when not sent or empty (a parameter sent empty counts as not
    /// sent).
    pub fn given(&self, name: &str) -> Option<String> {
        self.0
            .get(name)
            .filter(|v| !v.is_empty())
            .map(str::to_string)
    }

    /// The target named by `user_id` ([`crate::auth::target_id`]): `None` when not sent or not
    /// all digits.
    pub fn target(&self) -> Option<i64> {
        crate::auth::target_id(self.0)
    }
}
