//! `did_create`, docs/dids.md: a new number from a provider into the caller's stock (the
//! system's, or a reseller's when resellers may add their own DIDs), free.

use crate::api::dids::{self as family, MANAGE_DIDS};
use crate::api::reach::{self, Access, Admit};
use crate::api::{
    ApiRequest, Authed, CallSpec, ErrorShape, Fields, Form, Param, Run, Write, Written,
};
use crate::auth::Role;
use crate::dids;
use crate::error::ApiError;
use crate::settings::{DID_DEFAULT_PROVIDER, RESELLERS_ADD_DIDS};
use crate::store::dids as store;
use rusqlite::Connection;

/// The call's row of the call table.
pub const SPEC: CallSpec = CallSpec {
    names: &["did_create"],
    hash_order: hash_order!(PARAMS),
    hash_rules: crate::auth::AS_SENT,
    errors: ErrorShape::PageStatus,
    shut_out: &[Role::User],
    run: Run::write::<Create>(),
    params: || PARAMS,
    summary: "A new DID from one of the caller's providers into its stock, free",
    reach: REACH,
    ..CallSpec::DEFAULT
};

/// The admin: its own providers; a reseller: its own, when `Resellers_can_add_their_own_DIDs`
/// is 1; staff with the DID right (read and write): as the admin; users: never.
const REACH: reach::Table = did_reach!(
    Admit::Right(MANAGE_DIDS, 2, ApiError::NotAuthorizedDids),
    Access::refused(Role::User, ApiError::AccessDenied)
);

/// The parameters besides `hash` and `test`, hashed ones first in hash order.
const PARAMS: &[Param] = &[
    Param::hashed(
        "provider_id",
        Form::Digits,
        "The provider (not hidden, the caller's own). A reseller may leave it out: DID_default_provider_to_resellers.",
    ),
    Param::hashed("did", Form::Digits, "The number: digits only."),
];

/// A new DID, as sent.
pub struct Create {
    provider: Option<Option<i64>>,
    did: String,
    test: bool,
}

impl Write for Create {
    fn parse(req: &ApiRequest) -> Result<Create, ApiError> {
        let f = Fields::of(req);
        Ok(Create {
            provider: f.given("provider_id").map(|_| f.id("provider_id")),
            did: f.trimmed("did"),
            test: f.flag("test"),
        })
    }

    fn refused() -> ApiError {
        ApiError::DidNotCreated
    }

    fn apply(
        self,
        conn: &Connection,
        who: &Authed,
        _: Option<String>,
    ) -> Result<Written, ApiError> {
        let caller = &who.caller;
        let scope = caller.scope();
        let (provider, by_default) = match self.provider {
            Some(id) => (id, false),
            None if caller.role == Role::Reseller => {
                (Some(who.settings.system_int(DID_DEFAULT_PROVIDER, 0)), true)
            }
            None => (None, false),
        };
        let provider = match provider {
            Some(id) => store::visible_provider(conn, id)?,
            None => None,
        }
        .ok_or(ApiError::ProviderNotFound)?;
        if provider.user_id != scope && !by_default {
            return Err(ApiError::ProviderNotYours);
        }
        reach::admit(conn, caller, REACH)?;
        if caller.role == Role::Reseller && !who.settings.system_on(RESELLERS_ADD_DIDS) {
            return Err(ApiError::NotAuthorizedDids);
        }
        if !self.did.is_empty() && store::by_number(conn, &self.did)?.is_some() {
            return Err(ApiError::DidExists);
        }
        if !dids::is_number(&self.did) {
            return Err(ApiError::DidInvalid);
        }
        let id = store::create(conn, &self.did, provider.id, scope, dids::born().word())?;
        store::audit(
            conn,
            &crate::dates::now(),
            caller.id,
            0,
            "did_created",
            id,
            &format!(
                "did={} provider_id={} reseller_id={scope}",
                self.did, provider.id
            ),
        )?;
        let body = family::success("DID created", |d| {
            d.open("did_details").leaf_int("id", id);
            if self.test {
                d.leaf("did", &self.did);
            }
            d.close();
        })?;
        Ok(Written {
            body,
            changed: vec!["dids.id".into()],
            changes: vec![("dids.did".into(), None, Some(self.did))],
        })
    }
}
