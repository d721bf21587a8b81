//! `user_details_update` (alias `user_update_api`), NOTES.md section 8: who may change whom,
//! and turning the parameters into one all-or-nothing [`Change`] by walking
//! [`update_params::PARAMS`](super::update_params::PARAMS).
//!
//! Flow: the gates run on a read connection (a refused request never queues for the writer);
//! a password is hashed off the async workers; then one job on the writer does reach,
//! references, validation, the writes and the audit rows inside its own savepoint, and the
//! answer is sent only after the commit that holds it.

use super::update_params::{
    Group, Kind, PARAMS, Param, Ref, Target, group_column, is_email, parse_bool, parse_decimal,
    parse_int, username_problem,
};
use super::{ApiRequest, Authed, Backend, Outcome, authenticate};
use crate::auth::{Caller, Role, USER_MANAGE, target_id};
use crate::error::{ApiError, Problem};
use crate::settings::{
    PASSWORD_LENGTH, RESELLERS_USE_ADMIN_QF_RULES, RESELLERS_USE_ADMIN_TARIFFS, Settings,
    TWO_FA_ENABLED, USE_STRONG_PASSWORD, USERNAME_LENGTH,
};
use crate::store::queries;
use crate::store::user_update::{self, Change, RefScope, TargetRow};
use crate::xml::Doc;
use rusqlite::Connection;
use rusqlite::types::Value;

/// Runs one update request.
pub async fn handle(backend: &Backend, req: ApiRequest) -> Outcome {
    let store = &backend.store;
    let mut outcome = Outcome::new();
    // 1. The gates, on a read snapshot.
    let authed = match store.read(|conn, ctx| authenticate(conn, ctx, backend, &req, &mut outcome))
    {
        Ok(Ok(a)) => a,
        Ok(Err(e)) | Err(e) => {
            outcome.result = Err(e);
            return outcome;
        }
    };
    // 2. A password costs an argon2 hash: only a request that would succeed pays for it. Role,
    //    reach, references and every validation are checked on a read snapshot first; then the
    //    password is hashed on the bounded pool. The writer checks everything again below.
    let password_hash = match req.params.get("pswd") {
        Some(pw) => {
            let dry_run = store.read(|conn, _| {
                let target = reach(conn, &authed.caller, &req)?;
                plan(conn, &req, &authed, &target, None).map(|_| ())
            });
            if let Err(e) = dry_run.and_then(|r| r) {
                outcome.result = Err(e);
                return outcome;
            }
            match backend.passwords.hash(pw.to_string()).await {
                Ok(h) => Some(h),
                Err(e) => {
                    outcome.result = Err(e);
                    return outcome;
                }
            }
        }
        None => None,
    };
    // 3. Everything in one job on the writer.
    match store
        .writer()
        .write(move |conn| update(conn, &req, &authed, password_hash))
        .await
    {
        Ok((body, changed)) => {
            outcome.result = Ok(body);
            outcome.changed = changed;
        }
        Err(e) => outcome.result = Err(e),
    }
    outcome
}

/// The whole update, inside the writer's savepoint for this request: the answer and the
/// columns it changed.
fn update(
    conn: &Connection,
    req: &ApiRequest,
    authed: &Authed,
    password_hash: Option<String>,
) -> Result<(Vec<u8>, Vec<String>), ApiError> {
    let caller = &authed.caller;
    let target = reach(conn, caller, req)?;
    let change = plan(conn, req, authed, &target, password_hash)?;
    let password = change.password_hash.is_some();
    let mut changed: Vec<String> =
        user_update::apply(conn, caller.id, &target, change, &crate::dates::now())?
            .into_iter()
            .map(|c| c.column)
            .collect();
    if password {
        changed.push("users.password".into());
    }
    let mut d = Doc::new();
    d.open("page").leaf("status", "User was updated").close();
    Ok((d.finish()?, changed))
}

/// Who may update whom: the role first, then the target.
fn reach(conn: &Connection, caller: &Caller, req: &ApiRequest) -> Result<TargetRow, ApiError> {
    match caller.role {
        Role::User => return Err(ApiError::AccessDenied),
        Role::Accountant | Role::Manager => {
            if queries::group_right(conn, caller.acc_group_id, USER_MANAGE)? < 2 {
                return Err(ApiError::NoEditingPermission);
            }
        }
        Role::Admin | Role::Reseller => {}
    }
    let id = target_id(&req.params).ok_or(ApiError::UserNotFound)?;
    let target = user_update::load_target(conn, id)?.ok_or(ApiError::UserNotFound)?;
    let in_reach = match caller.role {
        Role::Admin => true,
        Role::Reseller => target.id == caller.id || target.owner_id == caller.id,
        Role::Accountant | Role::Manager => {
            target.owner_id == 0
                && target.usertype != "admin"
                && target.id != 0
                && target.id != caller.id
                // The assigned-only rule holds for changes as for reads.
                && (!caller.show_only_assigned_users
                    || target.responsible_accountant_id == caller.id)
        }
        Role::User => false,
    };
    if in_reach {
        Ok(target)
    } else {
        Err(ApiError::UserNotFound)
    }
}

/// Walks the parameter table: Access Denied first, then the first reference error, then all
/// validation problems; only with none of them is there a change to write.
fn plan(
    conn: &Connection,
    req: &ApiRequest,
    authed: &Authed,
    target: &TargetRow,
    password_hash: Option<String>,
) -> Result<Change, ApiError> {
    let params = &req.params;
    let caller = &authed.caller;
    let settings = &authed.settings;
    let scope = RefScope {
        caller_scope: caller.scope(),
        reseller: caller.role == Role::Reseller,
        target_owner: target.owner_id,
        admin_tariffs: settings.system_on(RESELLERS_USE_ADMIN_TARIFFS),
        admin_qf_rules: settings.system_on(RESELLERS_USE_ADMIN_QF_RULES),
    };
    let mut change = Change::default();
    let mut denied = false;
    let mut ref_error: Option<ApiError> = None;
    let mut problems: Vec<Problem> = Vec::new();
    let mut groups: Vec<(Group, &'static str)> = Vec::new();

    for p in PARAMS {
        let Some(v) = params.get(p.name) else {
            continue;
        };
        let value: Option<Value> = match p.kind {
            Kind::TargetId | Kind::Ignored => None,
            Kind::Text => Some(v.to_string().into()),
            Kind::Email => {
                if !v.is_empty() && !is_email(v) {
                    problems.push(Problem::BadEmail(p.label));
                }
                Some(v.to_string().into())
            }
            Kind::Int => int(v, p, &mut problems),
            Kind::IntMinZero => int(v, p, &mut problems).map(|x| clamp_int(x, 0)),
            Kind::MaxDevices => {
                if !matches!(caller.role, Role::Admin | Role::Accountant) {
                    denied = true;
                }
                match parse_int(v) {
                    Some(n) if n < 0 => {
                        problems.push(Problem::Negative(p.label));
                        None
                    }
                    Some(n) => Some(n.into()),
                    None => {
                        problems.push(Problem::NotAWholeNumber(p.label));
                        None
                    }
                }
            }
            Kind::Bool => Some(parse_bool(v).into()),
            Kind::Decimal => decimal(v, p, &mut problems),
            Kind::DecimalMinZero => decimal(v, p, &mut problems).map(|x| match x {
                Value::Real(f) if f <= 0.0 => Value::Real(0.0),
                other => other,
            }),
            Kind::Choice(choices) => {
                if !choices.contains(&v) {
                    problems.push(Problem::NotAChoice(p.label, choices));
                }
                Some(v.to_string().into())
            }
            Kind::TimeZone => {
                if !crate::timezones::is_known(v) {
                    problems.push(Problem::BadTimeZone);
                }
                Some(v.to_string().into())
            }
            Kind::Username => {
                let min = settings.system_int(USERNAME_LENGTH, 1).max(1) as usize;
                if let Some(problem) = username_problem(v, min) {
                    problems.push(problem);
                } else if user_update::username_taken(conn, v, target.id)? {
                    problems.push(Problem::UsernameTaken);
                }
                Some(v.to_string().into())
            }
            Kind::StaffGroup => {
                if target.is_staff() && caller.role != Role::Admin {
                    denied = true;
                }
                int(v, p, &mut problems)
            }
            Kind::Ref(r) => {
                let id = parse_int(v);
                let ok = match id {
                    Some(id) => user_update::reference_ok(conn, r, id, &scope)?,
                    None => false,
                };
                if !ok {
                    match ref_failure(r, p) {
                        Err(e) => {
                            ref_error.get_or_insert(e);
                        }
                        Ok(problem) => problems.push(problem),
                    }
                }
                id.map(Value::from)
            }
            Kind::Part(group, _) => {
                if !groups.iter().any(|(g, _)| *g == group) {
                    groups.push((group, p.label));
                }
                None
            }
            Kind::UserType => {
                let refused = match caller.role {
                    Role::Reseller => v != "user",
                    Role::Accountant | Role::Manager => v == "admin",
                    _ => false,
                };
                denied |= refused;
                None
            }
            Kind::Password => {
                problems.extend(password_problems(v, settings));
                None
            }
            Kind::CreditUnlimited => {
                // Written straight away; it wins over a `credit` of the same request below.
                if parse_bool(v) == 1 {
                    change.user.push(("credit", Value::Integer(-1)));
                }
                None
            }
            Kind::FallbackFor(primary) => {
                if params.has(primary) {
                    None
                } else {
                    int(v, p, &mut problems)
                }
            }
            Kind::TwoFa => {
                let on = parse_bool(v);
                if on == 1 {
                    let email = params.get("a8").unwrap_or(&target.email);
                    if !settings.system_on(TWO_FA_ENABLED) {
                        problems.push(Problem::TwoFaDisabled);
                    } else if email.trim().is_empty() {
                        problems.push(Problem::TwoFaNoEmail);
                    }
                }
                Some(on.into())
            }
        };
        let Some(value) = value else {
            continue;
        };
        let column = match (p.target, p.kind) {
            (_, Kind::FallbackFor(_)) => ("user", "warning_email_hour"),
            (Target::User(c), _) => ("user", c),
            (Target::Address(c), _) => ("address", c),
            (Target::Tax(c), _) => ("tax", c),
            (Target::Rule, _) => continue,
        };
        match column {
            ("address", c) => change.address.push((c, value)),
            ("tax", c) => change.tax.push((c, value)),
            (_, c) => change.user.push((c, value)),
        }
    }

    for (group, label) in groups {
        match group_value(params, group) {
            Some(v) => change.user.push((group_column(group), v)),
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
    // credit_unlimited wins over a credit sent in the same request.
    if let Some(i) = change
        .user
        .iter()
        .position(|(c, v)| *c == "credit" && *v == Value::Integer(-1))
    {
        let unlimited = change.user.remove(i);
        change.user.retain(|(c, _)| *c != "credit");
        change.user.push(unlimited);
    }
    follow_ups(params, target, &mut change);
    change.password_hash = password_hash;
    Ok(change)
}

/// The rules that follow from other columns' new values.
fn follow_ups(params: &crate::params::Params, target: &TargetRow, change: &mut Change) {
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

/// The error or problem a failed reference gives.
fn ref_failure(r: Ref, p: &Param) -> Result<Problem, ApiError> {
    match r {
        Ref::Lcr => Err(ApiError::LcrNotFound),
        Ref::Tariff => Err(ApiError::TariffNotFound),
        Ref::QuickForwardRule => Err(ApiError::QuickforwardRuleNotFound),
        Ref::PbxPool => Err(ApiError::PbxPoolNotFound),
        Ref::ResponsibleAccountant => Err(ApiError::ResponsibleAccountantInvalid),
        Ref::Currency | Ref::NumberPool => Ok(Problem::NotFound(p.label)),
    }
}

/// The value a group writes, or None when its date is incomplete or not a real day.
fn group_value(params: &crate::params::Params, group: Group) -> Option<Value> {
    let parts: Vec<&Param> = PARAMS
        .iter()
        .filter(|p| matches!(p.kind, Kind::Part(g, _) if g == group))
        .collect();
    let part = |p: &Param| match p.kind {
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

fn int(v: &str, p: &Param, problems: &mut Vec<Problem>) -> Option<Value> {
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

fn decimal(v: &str, p: &Param, problems: &mut Vec<Problem>) -> Option<Value> {
    match parse_decimal(v) {
        Some(f) => Some(f.into()),
        None => {
            problems.push(Problem::NotANumber(p.label));
            None
        }
    }
}

/// What is wrong with a new password under the password settings.
pub fn password_problems(pw: &str, settings: &Settings) -> Vec<Problem> {
    let strong = settings.system_on(USE_STRONG_PASSWORD);
    let floor = if strong { 8 } else { 6 };
    let min = settings.system_int(PASSWORD_LENGTH, floor).max(floor) as usize;
    let mut problems = Vec::new();
    let chars = pw.chars().count();
    if chars < min {
        problems.push(Problem::PasswordTooShort(min));
    }
    if chars > crate::passwords::MAX_CHARS {
        problems.push(Problem::PasswordTooLong(crate::passwords::MAX_CHARS));
    }
    let varied = pw.chars().any(|c| c.is_uppercase())
        && pw.chars().any(|c| c.is_lowercase())
        && pw.chars().any(|c| c.is_ascii_digit());
    if strong && !varied {
        problems.push(Problem::PasswordWeak);
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(rows: &[(&str, &str)]) -> Settings {
        Settings::from_rows(
            0,
            rows.iter().map(|(n, v)| (0, n.to_string(), v.to_string())),
        )
    }

    #[test]
    fn password_rules() {
        let plain = settings(&[]);
        assert_eq!(password_problems("abcdef", &plain), vec![]);
        assert_eq!(
            password_problems("abcde", &plain),
            vec![Problem::PasswordTooShort(6)]
        );
        let long = settings(&[(PASSWORD_LENGTH, "10")]);
        assert_eq!(
            password_problems("abcdefgh", &long),
            vec![Problem::PasswordTooShort(10)]
        );
        // The setting cannot go below 6.
        let low = settings(&[(PASSWORD_LENGTH, "2")]);
        assert_eq!(
            password_problems("abc", &low),
            vec![Problem::PasswordTooShort(6)]
        );
        let strong = settings(&[(USE_STRONG_PASSWORD, "1"), (PASSWORD_LENGTH, "6")]);
        assert_eq!(
            password_problems("abcdefg", &strong),
            vec![Problem::PasswordTooShort(8), Problem::PasswordWeak]
        );
        assert_eq!(password_problems("Abcdefg1", &strong), vec![]);
    }
}
