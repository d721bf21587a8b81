//! `user_login` (alias `login`), docs/accounts.md: `u` (a username, or the e-mail of the user's
//! address when `Allow_login_by_email` is 1) and `p` must verify before any gate; then the
//! gates run in the user's scope, the user is marked logged in, and the login is audited. The
//! answer's root is `<action>`, failure included (a failure is not an error to clients).

use crate::api::{
    ApiRequest, Authed, CallSpec, ErrorShape, Form, Identity, Param, Proof, Run, Write, Written,
};
use crate::error::ApiError;
use crate::xml::Doc;
use rusqlite::Connection;

/// The call's row of the call table.
pub const SPEC: CallSpec = CallSpec {
    names: &["user_login", "login"],
    hash_order: hash_order!(PARAMS),
    errors: ErrorShape::Action,
    identity: Identity::Login("u"),
    unknown: |_| ApiError::LoginFailed,
    proof: Proof::PasswordFirst("p"),
    run: Run::write::<Login>(),
    params: || PARAMS,
    summary: "Check u and p; mark the user logged in",
    ..CallSpec::DEFAULT
};

/// The parameters besides `hash` and `test` (`u` where it is hashed), hashed ones first in
/// hash order.
const PARAMS: &[Param] = &[
    Param::hashed(
        "u",
        Form::Text,
        "The user's username (or, with Allow_login_by_email, its e-mail); hashed first.",
    ),
    Param::hashed(
        "p",
        Form::Text,
        "The user's password, plain (hashed second, after u).",
    ),
];

/// A login, from its address.
pub struct Login {
    peer: String,
}

impl Write for Login {
    fn parse(req: &ApiRequest) -> Result<Login, ApiError> {
        Ok(Login {
            peer: req.peer.to_string(),
        })
    }

    fn apply(
        self,
        conn: &Connection,
        who: &Authed,
        _password_hash: Option<String>,
    ) -> Result<Written, ApiError> {
        let id = who.caller.id;
        crate::store::audit::login(conn, &crate::dates::now(), id, &self.peer)?;
        let mut d = Doc::new();
        d.open("action")
            .leaf("name", "login")
            .leaf("status", "ok")
            .leaf("user_id", &id.to_string())
            .leaf("status_message", "Successfully logged in")
            .close();
        Ok(Written {
            body: d.finish()?,
            changed: vec!["users.logged".into()],
            changes: Vec::new(),
        })
    }
}
