//! `user_details_update` (alias `user_update_api`), docs/README.md: who may change whom
//! ([`REACH`]), and turning the parameters into one all-or-nothing [`Change`] by walking
//! [`update_params::PARAMS`](crate::api::details::update_params::PARAMS): parse (which rows were sent),
//! validate (each row's coercion and check, in the table's order of precedence), build (the
//! columns each value lands in, the groups, the follow-up rules).
//!
//! Flow: the gates run on a read connection (a refused request never queues for the writer);
//! a password is hashed only after a dry run of every rule; then one job on the writer does
//! reach, references, validation, the writes and the audit rows inside its own savepoint, and
//! the answer is sent only after the commit that holds it.

use crate::api::details::update_params::{
    self, Coercion, Group, Kind, PARAMS, Target, UpdateParam, column_of, group_column, parse_bool,
    parse_decimal, parse_int, username_problem,
};
use crate::api::reach::{self, Access, Targets};
use crate::api::{ApiRequest, Authed, CallSpec, Fields, Run, Write, Written};
use crate::auth::Role;
use crate::error::{ApiError, Problem};
use crate::settings::{
    RESELLERS_USE_ADMIN_QF_RULES, RESELLERS_USE_ADMIN_TARIFFS, TWO_FA_ENABLED, USERNAME_LENGTH,
};
use crate::store::refs::{self, Failure, RefScope};
use crate::store::user_update::{self, Change, TargetRow};
use crate::xml::Doc;
use rusqlite::Connection;
use rusqlite::types::Value;

/// The call's row of the call table.
pub const SPEC: CallSpec = CallSpec {
    names: &["user_details_update", "user_update_api"],
    hash_order: update_params::hash_order,
    run: Run::write::<Update>(),
    params: update_params::params,
    summary: "Change a user's details; send only what changes",
    reach: REACH,
    ..CallSpec::DEFAULT
};

/// Admin: anyone; reseller: itself and its users; staff whose group may write users: the
/// system's users but admins and itself; users: never.
pub const REACH: reach::Table = &[
    Access::open(Role::Admin, Targets::Anyone),
    Access::open(Role::Reseller, Targets::ItselfAndOwned),
    Access::staff(
        Role::Accountant,
        2,
        ApiError::NoEditingPermission,
        Targets::SystemUsers,
    ),
    Access::staff(
        Role::Manager,
        2,
        ApiError::NoEditingPermission,
        Targets::SystemUsers,
    ),
    Access::refused(Role::User, ApiError::AccessDenied),
];

/// An update request: whom, and the rows of the parameter table that were sent.
pub struct Update {
    /// The target's id, when `user_id` is all digits.
    target: Option<i64>,
    /// The sent parameters of the table, in its order, with their values (the rules that look
    /// at another parameter read it here too).
    sent: Sent,
}

/// The rows of the parameter table that were sent, in its order, with their values.
struct Sent(Vec<(&'static UpdateParam, String)>);

impl Sent {
    /// The value of the row named `name`, if it was sent.
    fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(p, _)| p.name == name)
            .map(|(_, v)| v.as_str())
    }

    /// Whether the row named `name` was sent.
    fn has(&self, name: &str) -> bool {
        self.get(name).is_some()
    }
}

impl Write for Update {
    fn parse(req: &ApiRequest) -> Result<Update, ApiError> {
        let f = Fields::of(req);
        let sent = PARAMS
            .iter()
            .filter_map(|p| f.sent(p.name).map(|v| (p, v)))
            .collect();
        Ok(Update {
            target: f.target(),
            sent: Sent(sent),
        })
    }

    fn password(&self) -> Option<&str> {
        self.sent.get("pswd")
    }

    fn check(&self, conn: &Connection, who: &Authed) -> Result<(), ApiError> {
        let target = self.reach(conn, who)?;
        self.validate(conn, who, &target).map(|_| ())
    }

    fn refused() -> ApiError {
        ApiError::UserNotUpdated(Vec::new())
    }

    fn apply(
        self,
        conn: &Connection,
        who: &Authed,
        password_hash: Option<String>,
    ) -> Result<Written, ApiError> {
        let target = self.reach(conn, who)?;
        let values = self.validate(conn, who, &target)?;
        let mut change = self.build(values, &target);
        change.password_hash = password_hash;
        let password = change.password_hash.is_some();
        let now = crate::dates::now();
        let applied = user_update::apply(conn, who.caller.id, &target, change, &now)?;
        let mut changed: Vec<String> = applied.iter().map(|c| c.column.clone()).collect();
        // Old and new values for the journal; a password's never.
        let mut changes: Vec<(String, Option<String>, Option<String>)> = applied
            .into_iter()
            .map(|c| (c.column, c.old, c.new))
            .collect();
        if password {
            changed.push("users.password".into());
            changes.push((
                "users.password".into(),
                Some("***".into()),
                Some("***".into()),
            ));
        }
        let mut d = Doc::new();
        d.open("page").leaf("status", "User was updated").close();
        Ok(Written {
            body: d.finish()?,
            changed,
            changes,
        })
    }
}

/// A validated value and the row it came from.
type Checked = (&'static UpdateParam, Value);

impl Update {
    /// The target, if the caller's role may update and the target is in its reach.
    fn reach(&self, conn: &Connection, who: &Authed) -> Result<TargetRow, ApiError> {
        reach::target(
            conn,
            &who.caller,
            REACH,
            self.target,
            ApiError::UserNotFound,
            |_| None,
            user_update::load_target,
        )
    }

    /// Each sent row's coercion and check. Access Denied first, then the first reference
    /// error (table order), then every validation problem; with none, the values to write.
    fn validate(
        &self,
        conn: &Connection,
        who: &Authed,
        target: &TargetRow,
    ) -> Result<Vec<Checked>, ApiError> {
        let caller = &who.caller;
        let settings = &who.settings;
        let scope = RefScope {
            caller_scope: caller.scope(),
            reseller: caller.role == Role::Reseller,
            target_owner: target.owner_id,
            admin_tariffs: settings.system_on(RESELLERS_USE_ADMIN_TARIFFS),
            admin_qf_rules: settings.system_on(RESELLERS_USE_ADMIN_QF_RULES),
        };
        let mut denied = false;
        let mut ref_error: Option<ApiError> = None;
        let mut problems: Vec<Problem> = Vec::new();
        let mut groups: Vec<(Group, &'static str)> = Vec::new();
        let mut values: Vec<Checked> = Vec::new();

        for &(p, ref v) in &self.sent.0 {
            let v = v.as_str();
            // A fallback says nothing when its primary was sent.
            if let Kind::FallbackFor(primary) = p.kind
                && self.sent.has(primary)
            {
                continue;
            }
            // First the value's form (how it is read and coerced), then the rule it must meet.
            let mut value = coerce(p.kind.coercion(), v, p, &mut problems);
            match p.kind {
                Kind::Email => {
                    if !v.is_empty() && !crate::rules::is_email(v) {
                        problems.push(Problem::BadEmail(p.label));
                    }
                }
                Kind::StaffGroup => {
                    denied |= target.is_staff() && caller.role != Role::Admin;
                }
                Kind::MaxDevices => {
                    denied |= !matches!(caller.role, Role::Admin | Role::Accountant);
                    if matches!(value, Some(Value::Integer(n)) if n < 0) {
                        problems.push(Problem::Negative(p.label));
                        value = None;
                    }
                }
                Kind::Choice(choices) => {
                    if !choices.contains(&v) {
                        problems.push(Problem::NotAChoice(p.label, choices));
                    }
                }
                Kind::TimeZone => {
                    if !crate::timezones::is_known(v) {
                        problems.push(Problem::BadTimeZone);
                    }
                }
                Kind::Username => {
                    let min = settings.system_int(USERNAME_LENGTH, 1).max(1) as usize;
                    if let Some(problem) = username_problem(v, min) {
                        problems.push(problem);
                    } else if user_update::username_taken(conn, v, target.id)? {
                        problems.push(Problem::UsernameTaken);
                    }
                }
                Kind::Ref(r) => {
                    let found = match &value {
                        Some(Value::Integer(id)) => refs::exists(conn, r, *id, &scope)?,
                        _ => false,
                    };
                    if !found {
                        match refs::failure(r) {
                            Failure::Error(e) => {
                                ref_error.get_or_insert(e);
                            }
                            Failure::NotFound => problems.push(Problem::NotFound(p.label)),
                        }
                    }
                }
                Kind::Part(group, _) => {
                    if !groups.iter().any(|(g, _)| *g == group) {
                        groups.push((group, p.label));
                    }
                }
                Kind::UserType => {
                    denied |= match caller.role {
                        Role::Reseller => v != "user",
                        Role::Accountant | Role::Manager => v == "admin",
                        _ => false,
                    };
                }
                Kind::Password => problems.extend(crate::passwords::problems(v, settings)),
                Kind::TwoFa => {
                    if value == Some(Value::Integer(1)) {
                        // The e-mail this request sets, else the one the user has.
                        let email = PARAMS
                            .iter()
                            .find(|e| e.kind == Kind::Email && e.target == Target::Address("email"))
                            .and_then(|e| self.sent.get(e.name))
                            .unwrap_or(&target.email);
                        if !settings.system_on(TWO_FA_ENABLED) {
                            problems.push(Problem::TwoFaDisabled);
                        } else if email.trim().is_empty() {
                            problems.push(Problem::TwoFaNoEmail);
                        }
                    }
                }
                Kind::Text
                | Kind::Int
                | Kind::IntMinZero
                | Kind::Bool
                | Kind::Decimal
                | Kind::DecimalMinZero
                | Kind::CreditUnlimited
                | Kind::FallbackFor(_)
                | Kind::TargetId
                | Kind::Ignored => {}
            }
            if let Some(value) = value {
                values.push((p, value));
            }
        }
        for (group, label) in groups {
            match group_value(&self.sent, group) {
                Some(v) => values.push((group_leader(group), v)),
                None => problems.push(Problem::BadDate(label)),
            }
        }
        if denied {
            return Err(ApiError::AccessDenied);
        }
        if let Some(e) = ref_error {
            return Err(e);
        }
        if !problems.is_empty() {
            return Err(ApiError::UserNotUpdated(problems));
        }
        Ok(values)
    }

    /// Where each value lands: its row's column (a fallback writes its primary's column, a
    /// group its own), `credit_unlimited` over any `credit`, then the follow-up rules.
    fn build(&self, values: Vec<Checked>, target: &TargetRow) -> Change {
        let mut change = Change::default();
        let mut last: Vec<(&'static str, Value)> = Vec::new();
        for (p, value) in values {
            let target_of = match p.kind {
                Kind::FallbackFor(primary) => column_of(primary),
                Kind::Part(group, _) => Target::User(group_column(group)),
                _ => p.target,
            };
            let column = match target_of {
                Target::User(c) if p.kind == Kind::CreditUnlimited => {
                    last.push((c, value));
                    continue;
                }
                Target::User(c) => c,
                Target::Address(c) => {
                    change.address.push((c, value));
                    continue;
                }
                Target::Tax(c) => {
                    change.tax.push((c, value));
                    continue;
                }
                Target::Rule => continue,
            };
            change.user.push((column, value));
        }
        // A value that wins over the column's other values in the same request.
        for (c, v) in last {
            change.user.retain(|(col, _)| *col != c);
            change.user.push((c, v));
        }
        follow_ups(&self.sent, target, &mut change);
        change
    }
}

/// The rules that follow from other columns' new values.
fn follow_ups(params: &Sent, target: &TargetRow, change: &mut Change) {
    let new = |change: &Change, col: &str| {
        change
            .user
            .iter()
            .rev()
            .find(|(c, _)| *c == col)
            .map(|(_, v)| v.clone())
    };
    // A changed warning balance arms the warning e-mail again (unless the request sets it).
    if let Some(Value::Real(b)) = new(change, "warning_email_balance")
        && b != target.warning_email_balance
        && !params.has("email_warning_sent_test")
    {
        change.user.push(("warning_email_sent", Value::Integer(0)));
    }
    // A reseller's new LCR reaches its users when it has no providers of its own.
    if target.usertype == "reseller"
        && let Some(Value::Integer(lcr)) = new(change, "lcr_id")
    {
        let own_providers = match new(change, "own_providers") {
            Some(Value::Integer(v)) => v,
            _ => target.own_providers,
        };
        if lcr != target.lcr_id && own_providers == 0 {
            change.cascade_lcr = Some(lcr);
        }
    }
}

/// The first row of a group, which stands for the group's value.
fn group_leader(group: Group) -> &'static UpdateParam {
    PARAMS
        .iter()
        .find(|p| matches!(p.kind, Kind::Part(g, _) if g == group))
        .unwrap_or(&PARAMS[0])
}

/// The value a group writes, or None when its date is incomplete or not a real day.
fn group_value(params: &Sent, group: Group) -> Option<Value> {
    let parts: Vec<&UpdateParam> = PARAMS
        .iter()
        .filter(|p| matches!(p.kind, Kind::Part(g, _) if g == group))
        .collect();
    let part = |p: &UpdateParam| match p.kind {
        Kind::Part(_, n) => n,
        _ => 0,
    };
    match group {
        Group::AgreementDate | Group::BlockAt => {
            let mut ymd = [0i64; 3];
            for p in &parts {
                ymd[part(p) as usize] = parse_int(params.get(p.name)?)?;
            }
            let [y, m, d] = ymd;
            crate::dates::is_real_date(y, m, d).then(|| format!("{y:04}-{m:02}-{d:02}").into())
        }
        Group::Privacy | Group::InvoiceTypes => Some(
            parts
                .iter()
                .filter(|p| params.get(p.name).is_some_and(|v| parse_bool(v) == 1))
                .map(|p| part(p))
                .sum::<i64>()
                .into(),
        ),
    }
}

/// A sent value read in its form: the value to store, or none (with a problem when the text
/// does not have the form).
fn coerce(c: Coercion, v: &str, p: &UpdateParam, problems: &mut Vec<Problem>) -> Option<Value> {
    match c {
        Coercion::None => None,
        Coercion::Text => Some(v.to_string().into()),
        Coercion::Int => int(v, p, problems),
        Coercion::IntAtLeastZero => int(v, p, problems).map(|x| clamp_int(x, 0)),
        Coercion::Id => parse_int(v).map(Value::from),
        Coercion::Flag => Some(parse_bool(v).into()),
        Coercion::Decimal => decimal(v, p, problems),
        Coercion::DecimalAboveZero => decimal(v, p, problems).map(|x| match x {
            Value::Real(f) if f <= 0.0 => Value::Real(0.0),
            other => other,
        }),
        Coercion::Unlimited => (parse_bool(v) == 1).then_some(Value::Integer(-1)),
    }
}

fn int(v: &str, p: &UpdateParam, problems: &mut Vec<Problem>) -> Option<Value> {
    match parse_int(v) {
        Some(n) => Some(n.into()),
        None => {
            problems.push(Problem::NotAWholeNumber(p.label));
            None
        }
    }
}

fn clamp_int(v: Value, min: i64) -> Value {
    match v {
        Value::Integer(n) if n < min => Value::Integer(min),
        other => other,
    }
}

fn decimal(v: &str, p: &UpdateParam, problems: &mut Vec<Problem>) -> Option<Value> {
    match parse_decimal(v) {
        Some(f) => Some(f.into()),
        None => {
            problems.push(Problem::NotANumber(p.label));
            None
        }
    }
}
