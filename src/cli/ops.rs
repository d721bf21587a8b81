//! The operator's commands: `hash`, `users`, `settings`, `audit`, `payments`, `devices`,
//! `check`, `backup`. Output is an aligned table by default and JSON with `--json`; the SQL
//! lives in [`crate::store::ops`] and [`crate::store::devices`].

use super::{
    AuditArgs, BackupArgs, CallsCommand, DbArgs, DevicesCommand, DidsCommand, HashArgs,
    PaymentsCommand, ReferenceArgs, RestoreArgs, SettingsCommand, UsersCommand,
};
use crate::explain::{explain, hashed_values, named_keys};
use crate::params::Params;
use crate::settings::{API_SECRET_KEY, SETTINGS};
use crate::store::ops::{self, Row};
use crate::store::{open_connection, queries};
use rusqlite::Connection;
use std::error::Error;
use std::path::Path;

type Result = std::result::Result<(), Box<dyn Error>>;

/// Prints a line; a closed pipe (`morbox users list | head`) is not an error worth a panic.
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write;
        let _ = writeln!(std::io::stdout().lock(), $($arg)*);
    }};
}

/// Opens a database a command only reads: checked first ([`crate::store::probe`]), then
/// opened read-only, so a file it cannot use is never rewritten.
fn open(db: &Path) -> std::result::Result<Connection, Box<dyn Error>> {
    crate::store::probe(db)?;
    let conn = Connection::open_with_flags(
        db,
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    crate::store::add_functions(&conn)?;
    Ok(conn)
}

/// Opens a database a command writes, once it is known to be a morbox database.
fn open_rw(db: &Path) -> std::result::Result<Connection, Box<dyn Error>> {
    crate::store::probe(db)?;
    Ok(open_connection(db)?)
}

/// Prints rows as an aligned table, or as a JSON array of objects.
fn print_rows(rows: &[Row], json: bool) {
    if json {
        let arr: Vec<serde_json::Value> = rows
            .iter()
            .map(|r| {
                serde_json::Value::Object(
                    r.iter()
                        .map(|(k, v)| (k.clone(), v.clone().into()))
                        .collect(),
                )
            })
            .collect();
        say!("{}", serde_json::Value::Array(arr));
        return;
    }
    let Some(first) = rows.first() else {
        say!("(none)");
        return;
    };
    let mut widths: Vec<usize> = first.iter().map(|(k, _)| k.chars().count()).collect();
    for r in rows {
        for (i, (_, v)) in r.iter().enumerate() {
            widths[i] = widths[i].max(v.chars().count().min(60));
        }
    }
    // Columns are cut at 60 characters to stay aligned, but for the last one (a setting's
    // meaning, say), which is printed whole.
    let last = first.len().saturating_sub(1);
    let line = |cells: Vec<&str>| {
        cells
            .iter()
            .enumerate()
            .map(|(i, c)| {
                if i == last {
                    return c.to_string();
                }
                let c: String = c.chars().take(60).collect();
                format!("{c:<w$}", w = widths[i])
            })
            .collect::<Vec<_>>()
            .join("  ")
            .trim_end()
            .to_string()
    };
    say!("{}", line(first.iter().map(|(k, _)| k.as_str()).collect()));
    for r in rows {
        say!("{}", line(r.iter().map(|(_, v)| v.as_str()).collect()));
    }
}

/// Prints one record as `name  value` lines, or as a JSON object.
fn print_record(row: &Row, json: bool) {
    if json {
        let obj: serde_json::Map<String, serde_json::Value> = row
            .iter()
            .map(|(k, v)| (k.clone(), v.clone().into()))
            .collect();
        say!("{}", serde_json::Value::Object(obj));
    } else {
        let w = row.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
        for (k, v) in row {
            say!("{k:<w$}  {v}");
        }
    }
}

/// `morbox hash`.
pub fn hash(args: &HashArgs) -> Result {
    let call = crate::api::call(&args.call).ok_or_else(|| {
        let names: Vec<&str> = crate::api::calls()
            .flat_map(|c| c.names.iter().copied())
            .collect();
        format!("unknown call {}: one of {}", args.call, names.join(", "))
    })?;
    let hashing = call.hashing();
    let hash_order = hashing.order;
    if let Some(bad) = args.params.iter().find(|p| !p.contains('=')) {
        return Err(format!("{bad}: parameters are NAME=VALUE (an empty value: {bad}=)").into());
    }
    let query = args.params.join("&");
    let raw = crate::params::raw_pairs(&query);
    let params = Params::from_request(Some(&query), None, b"").map_err(|e| e.to_string())?;
    // The key: given, or the caller's scope's from the database.
    let (key, scope, others) = match &args.key {
        Some(k) => (k.clone(), "given with --key".to_string(), Vec::new()),
        None => {
            let conn = open(&args.db)?;
            let signing = crate::api::sign::signing_key(&conn, call, &params)?;
            let others = named_keys(queries::all_keys(&conn)?);
            (signing.key, signing.scope, others)
        }
    };
    let values = hashed_values(hashing, &params);
    let base: String = values.iter().map(|(_, v)| v.as_str()).collect();
    let expected = crate::auth::sha1_hex(&base, &key);
    say!("call: {}", call.name());
    say!(
        "hash parameters, in order: {}",
        if values.is_empty() {
            "(none sent)".to_string()
        } else {
            values
                .iter()
                .map(|(n, v)| format!("{n}={v}"))
                .collect::<Vec<_>>()
                .join(", ")
        }
    );
    let not_hashed: Vec<&str> = params
        .iter()
        .map(|(n, _)| n)
        .filter(|n| *n != "hash" && !hash_order.contains(n))
        .collect();
    if !not_hashed.is_empty() {
        say!("sent but not hashed: {}", not_hashed.join(", "));
    }
    let shown_key = if args.show_key {
        key.clone()
    } else {
        format!("<key of {scope}>")
    };
    say!("string hashed: {base}{shown_key}");
    say!("hash: {expected}");
    let Some(given) = params.get("hash") else {
        return Ok(());
    };
    match explain(hashing, &params, &raw, &key, &others, given) {
        None => {
            say!("given hash: matches");
            Ok(())
        }
        Some(why) => {
            say!("given hash: does not match: {why}");
            Err("the given hash does not match".into())
        }
    }
}

/// The user types morbox knows.
const USERTYPES: &[&str] = &["admin", "reseller", "accountant", "manager", "user"];

fn known_usertype(usertype: &str) -> Result {
    if USERTYPES.contains(&usertype) {
        Ok(())
    } else {
        Err(format!("unknown type {usertype}: {}", USERTYPES.join(", ")).into())
    }
}

/// `morbox users …`.
pub fn users(cmd: &UsersCommand) -> Result {
    match cmd {
        UsersCommand::List {
            db,
            owner,
            usertype,
            limit,
        } => {
            if let Some(t) = usertype {
                known_usertype(t)?;
            }
            let conn = open(&db.db)?;
            print_rows(
                &ops::list_users(&conn, *owner, usertype.as_deref(), *limit)?,
                db.json,
            );
        }
        UsersCommand::Show { db, user } => {
            let conn = open(&db.db)?;
            let id = ops::find_user(&conn, user)?.ok_or_else(|| format!("no user {user}"))?;
            print_record(&ops::show_user(&conn, id)?.ok_or("no such user")?, db.json);
        }
        UsersCommand::Add {
            db,
            username,
            usertype,
            owner,
            password,
            first_name,
            last_name,
        } => {
            known_usertype(usertype)?;
            let conn = open_rw(&db.db)?;
            // Who may own whom, as in MOR: the admin owns everybody of the system, a reseller
            // owns users; there is one admin.
            if usertype == "admin" && !ops::list_users(&conn, None, Some("admin"), 1)?.is_empty() {
                return Err("there is an admin already; a database has one".into());
            }
            let owner_type = queries::caller_by_id(&conn, *owner)?
                .map(|o| o.usertype)
                .ok_or_else(|| format!("owner {owner} does not exist"))?;
            match owner_type.as_str() {
                "admin" => {}
                "reseller" if usertype == "user" => {}
                "reseller" => {
                    return Err(format!("a reseller owns users only, not a {usertype}").into());
                }
                other => {
                    return Err(format!(
                        "owner {owner} is a {other}: only the admin (0) or a reseller owns users"
                    )
                    .into());
                }
            }
            let settings = queries::settings(&conn, 0)?;
            let min = settings
                .system_int(crate::settings::USERNAME_LENGTH, 1)
                .max(1) as usize;
            // The API's own username rules, so that the API could have made this user too.
            if let Some(problem) =
                crate::api::details::update_params::username_problem(username, min)
            {
                return Err(format!("username {username:?}: {problem}").into());
            }
            if crate::store::user_update::username_taken(&conn, username, -1)? {
                return Err(format!(
                    "username {username:?}: {}",
                    crate::error::Problem::UsernameTaken
                )
                .into());
            }
            let pw = read_password(password.as_deref())?;
            check_password(&pw, &settings)?;
            let id = ops::add_user(
                &conn,
                username,
                usertype,
                *owner,
                &argon2_hash(&pw)?,
                first_name,
                last_name,
            )?;
            print_record(
                &vec![
                    ("id".into(), id.to_string()),
                    ("username".into(), username.clone()),
                    ("usertype".into(), usertype.clone()),
                ],
                db.json,
            );
        }
        UsersCommand::Passwd { db, user, password } => {
            let conn = open_rw(&db.db)?;
            let id = ops::find_user(&conn, user)?.ok_or_else(|| format!("no user {user}"))?;
            let pw = read_password(password.as_deref())?;
            check_password(&pw, &queries::settings(&conn, 0)?)?;
            ops::set_password(&conn, id, &argon2_hash(&pw)?, &crate::dates::now())?;
            say!("password of user {id} changed");
        }
    }
    Ok(())
}

/// The password given, else read: at a terminal by a prompt without echo, from a pipe as one
/// line.
fn read_password(given: Option<&str>) -> std::result::Result<String, Box<dyn Error>> {
    use std::io::IsTerminal;
    if let Some(p) = given {
        return Ok(p.to_string());
    }
    if std::io::stdin().is_terminal() {
        return Ok(rpassword::prompt_password("Password: ")?);
    }
    let mut line = String::new();
    std::io::stdin().read_line(&mut line)?;
    Ok(line.trim_end_matches(['\n', '\r']).to_string())
}

fn check_password(pw: &str, settings: &crate::settings::Settings) -> Result {
    let problems = crate::passwords::problems(pw, settings);
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("; ")
            .into())
    }
}

fn argon2_hash(pw: &str) -> std::result::Result<String, Box<dyn Error>> {
    Ok(crate::passwords::hash(pw)?)
}

/// `morbox payments …`.
pub fn payments(cmd: &PaymentsCommand) -> Result {
    let PaymentsCommand::List { db, user, limit } = cmd;
    let conn = open(&db.db)?;
    let user = match user {
        Some(who) => Some(ops::find_user(&conn, who)?.ok_or_else(|| format!("no user {who}"))?),
        None => None,
    };
    print_rows(&ops::list_payments(&conn, user, *limit)?, db.json);
    Ok(())
}

/// `morbox devices …`.
pub fn devices(cmd: &DevicesCommand) -> Result {
    let DevicesCommand::List {
        db,
        user,
        show_secrets,
    } = cmd;
    let conn = open(&db.db)?;
    let user = match user {
        Some(who) => Some(ops::find_user(&conn, who)?.ok_or_else(|| format!("no user {who}"))?),
        None => None,
    };
    let mut rows: Vec<Row> = Vec::new();
    crate::store::devices::all(&conn, user, |owner, d| {
        let secret = if *show_secrets || d.secret.is_empty() {
            d.secret.clone()
        } else {
            "***".into()
        };
        rows.push(vec![
            ("id".into(), d.id.to_string()),
            ("user_id".into(), owner.to_string()),
            ("device_type".into(), d.device_type.clone()),
            (
                "devicegroup_id".into(),
                d.devicegroup_id.map(|g| g.to_string()).unwrap_or_default(),
            ),
            (
                "primary".into(),
                if d.primary { "yes" } else { "no" }.into(),
            ),
            ("username".into(), d.username.clone()),
            ("secret".into(), secret),
            ("ipaddr".into(), d.ipaddr.clone()),
            ("port".into(), d.port.to_string()),
            ("hidden".into(), if d.hidden { "1" } else { "0" }.into()),
        ]);
    })?;
    print_rows(&rows, db.json);
    Ok(())
}

/// `morbox dids list`.
pub fn dids(cmd: &DidsCommand) -> Result {
    let DidsCommand::List { db, status, user } = cmd;
    if let Some(st) = status
        && crate::dids::Status::of(st).is_none()
    {
        return Err(format!("no status {st}: free, reserved, active, closed or terminated").into());
    }
    let conn = open(&db.db)?;
    let user = match user {
        Some(who) => Some(ops::find_user(&conn, who)?.ok_or_else(|| format!("no user {who}"))?),
        None => None,
    };
    let rows: Vec<Row> = crate::store::dids::overview(&conn, status.as_deref(), user)?
        .into_iter()
        .map(|d| {
            vec![
                ("id".into(), d.id.to_string()),
                ("did".into(), d.did),
                ("status".into(), d.status),
                ("user_id".into(), d.user_id.to_string()),
                ("device_id".into(), d.device_id.to_string()),
                ("reseller_id".into(), d.reseller_id.to_string()),
                ("dialplan_id".into(), d.dialplan_id.to_string()),
            ]
        })
        .collect();
    print_rows(&rows, db.json);
    Ok(())
}

/// `morbox calls …`.
pub fn calls(cmd: &CallsCommand) -> Result {
    let CallsCommand::Import { db, file, charge } = cmd else {
        return generate_calls(cmd);
    };
    let mut conn = open_rw(&db.db)?;
    let input: Box<dyn std::io::BufRead> = if file.as_os_str() == "-" {
        Box::new(std::io::BufReader::new(std::io::stdin()))
    } else {
        let f = std::fs::File::open(file)
            .map_err(|e| format!("cannot read {}: {e}", file.display()))?;
        Box::new(std::io::BufReader::new(f))
    };
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    let mut charged = 0.0;
    let mut loader = crate::callfile::Loader::new(&tx, *charge)
        .map_err(|e| format!("{}: {e}; nothing was loaded", file.display()))?;
    let n = crate::callfile::read(input, |record| {
        charged += loader.load(&record)?;
        Ok(())
    })
    .map_err(|e| format!("{}: {e}; nothing was loaded", file.display()))?;
    loader.finish()?;
    tx.commit()?;
    if *charge {
        say!(
            "loaded {n} calls; charged {} in all",
            crate::numbers::real_text(charged)
        );
    } else {
        say!("loaded {n} calls");
    }
    Ok(())
}

/// `morbox calls generate`.
fn generate_calls(cmd: &CallsCommand) -> Result {
    let CallsCommand::Generate {
        db,
        from,
        till,
        count,
        per_day,
        users,
        seed,
        answer_rate,
        mix,
        destinations,
        did_share,
        out,
    } = cmd
    else {
        return Ok(());
    };
    let list = |v: &str| -> Vec<String> {
        v.split(',')
            .map(|p| p.trim().to_string())
            .filter(|p| !p.is_empty())
            .collect()
    };
    let users = match users.trim() {
        "all" => None,
        v => Some(
            list(v)
                .iter()
                .map(|id| {
                    id.parse::<i64>()
                        .map_err(|_| format!("--users: {id} is not a user id"))
                })
                .collect::<std::result::Result<Vec<_>, _>>()?,
        ),
    };
    let mix = match (answer_rate, mix) {
        (Some(r), _) if !(0.0..=1.0).contains(r) => return Err("--answer-rate: from 0 to 1".into()),
        (Some(r), _) => crate::callgen::mix_with_answer_rate(*r),
        (None, Some(m)) => {
            let shares: Vec<f64> = list(m).iter().filter_map(|x| x.parse().ok()).collect();
            match shares.as_slice() {
                [a, b, c, d]
                    if shares.iter().all(|x| x.is_finite() && *x >= 0.0) && a + b + c + d > 0.0 =>
                {
                    [*a, *b, *c, *d]
                }
                _ => {
                    return Err(
                        "--mix: four shares (ANSWERED, NO ANSWER, BUSY, FAILED), 0 or more".into(),
                    );
                }
            }
        }
        (None, None) => crate::callgen::MIX,
    };
    if !(0.0..=1.0).contains(did_share) {
        return Err("--did-share: from 0 to 1".into());
    }
    let days = {
        let day = |d: &str| crate::dates::parse_datetime(&format!("{d} 00:00:00")).map(|(t, _)| t);
        match (day(from), day(till)) {
            (Some(a), Some(b)) if b >= a => ((b - a) / 86_400 + 1) as u64,
            (Some(_), Some(_)) => return Err("--till is before --from".into()),
            _ => return Err("--from and --till are YYYY-MM-DD dates".into()),
        }
    };
    let count = count.unwrap_or_else(|| per_day.unwrap_or(0).saturating_mul(days));
    let plan = crate::callgen::Plan {
        from: from.clone(),
        till: till.clone(),
        count,
        users,
        seed: *seed,
        mix,
        destinations: destinations.as_deref().map(list),
        did_share: *did_share,
    };
    use std::io::{IsTerminal, Write};
    let progress = std::io::stderr().is_terminal();
    // Each time another 100,000 are made, and at the end.
    let mut before = 0u64;
    let mut shown = move |made: u64| {
        let crossed = made / 100_000 > before / 100_000;
        before = made;
        if progress && (crossed || made == count) {
            eprint!("\r{made} / {count} calls");
            if made == count {
                eprintln!();
            }
        }
    };
    let mut conn = open_rw(&db.db)?;
    let made = match out {
        Some(path) => {
            let file = std::fs::File::create(path)
                .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
            let mut w = std::io::BufWriter::new(file);
            writeln!(w, "{}", crate::callgen::csv_header())?;
            let mut made = 0u64;
            let mut line = Vec::new();
            let n = crate::callgen::generate(&conn, &plan, |call| {
                line.clear();
                crate::callgen::csv_line(call, &mut line);
                w.write_all(&line).map_err(|e| e.to_string())?;
                made += 1;
                shown(made);
                Ok(())
            })?;
            w.flush()?;
            n
        }
        None => {
            let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
            let n = crate::callgen::load(&tx, &plan, shown)?;
            tx.commit()?;
            n
        }
    };
    say!("made {made} calls");
    Ok(())
}

/// `morbox settings …`.
pub fn settings(cmd: &SettingsCommand) -> Result {
    match cmd {
        SettingsCommand::List { db, owner } => {
            let conn = open(&db.db)?;
            let stored = ops::list_settings(&conn, Some(*owner))?;
            let value_of = |name: &str| {
                stored
                    .iter()
                    .find(|r| r[1].1 == name)
                    .map(|r| r[2].1.clone())
            };
            let mut rows: Vec<Row> = SETTINGS
                .iter()
                .filter(|s| *owner == 0 || s.per_reseller)
                .map(|s| {
                    let stored = value_of(s.name);
                    vec![
                        ("name".into(), s.name.to_string()),
                        (
                            "value".into(),
                            if s.name == API_SECRET_KEY && stored.is_some() {
                                "(set)".into()
                            } else {
                                stored.clone().unwrap_or_else(|| s.default.to_string())
                            },
                        ),
                        (
                            "source".into(),
                            if stored.is_some() {
                                "stored".into()
                            } else {
                                "default".into()
                            },
                        ),
                        ("meaning".into(), s.meaning.to_string()),
                    ]
                })
                .collect();
            for r in &stored {
                if !SETTINGS.iter().any(|s| s.name == r[1].1) {
                    rows.push(vec![
                        ("name".into(), r[1].1.clone()),
                        ("value".into(), r[2].1.clone()),
                        ("source".into(), "stored".into()),
                        ("meaning".into(), "(not read by morbox)".into()),
                    ]);
                }
            }
            print_rows(&rows, db.json);
        }
        SettingsCommand::Get { db, name, owner } => {
            let conn = open(&db.db)?;
            let known = SETTINGS.iter().find(|s| s.name == name);
            let value = match (ops::get_setting(&conn, name, *owner)?, known) {
                (Some(v), _) => v,
                (None, Some(s)) => s.default.to_string(),
                (None, None) => {
                    return Err(format!(
                        "no setting {name} (morbox knows: {})",
                        SETTINGS
                            .iter()
                            .map(|s| s.name)
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                    .into());
                }
            };
            if db.json {
                say!(
                    "{}",
                    serde_json::json!({"name": name, "owner_id": owner, "value": value})
                );
            } else {
                say!("{value}");
            }
        }
        SettingsCommand::Set {
            db,
            name,
            value,
            owner,
            force,
        } => {
            match SETTINGS.iter().find(|s| s.name == name) {
                None if !force => {
                    return Err(format!(
                        "morbox does not read a setting {name}; pass --force to store it anyway"
                    )
                    .into());
                }
                Some(known) => {
                    if let Some(want) = known.values.refuse(value) {
                        return Err(format!("{name} takes {want}, not {value:?}").into());
                    }
                    if *owner != 0 && !known.per_reseller {
                        return Err(format!(
                            "{name} is a system setting: it is read at owner 0 only, not at owner {owner}"
                        )
                        .into());
                    }
                }
                None => {}
            }
            let conn = open_rw(&db.db)?;
            ops::set_setting(&conn, name, value, *owner)?;
            say!(
                "{name} = {} (owner {owner})",
                if name == API_SECRET_KEY {
                    "(set)"
                } else {
                    value
                }
            );
        }
    }
    Ok(())
}

/// `morbox audit`.
pub fn audit(args: &AuditArgs) -> Result {
    let conn = open(&args.db.db)?;
    print_rows(
        &ops::audit(&conn, args.user, args.target, args.limit)?,
        args.db.json,
    );
    Ok(())
}

/// `morbox check`.
pub fn check(args: &DbArgs) -> Result {
    let conn = open(&args.db)?;
    let row = ops::check(&conn)?;
    print_record(&row, args.json);
    let ok = row[0].1 == "ok" && row[1].1 == row[2].1;
    if ok {
        Ok(())
    } else {
        Err("the database is not ok".into())
    }
}

/// `morbox backup`.
pub fn reference(args: &ReferenceArgs) -> Result {
    let families: Vec<&crate::api::Family> = crate::api::CALLS
        .iter()
        .filter(|f| args.family.as_deref().is_none_or(|n| n == f.name))
        .collect();
    if families.is_empty() {
        let known: Vec<&str> = crate::api::CALLS.iter().map(|f| f.name).collect();
        return Err(format!("no family of that name; the families: {}", known.join(", ")).into());
    }
    for f in families {
        let generated = crate::reference::family(f);
        match &args.write {
            None => say!("{generated}"),
            Some(dir) => {
                let page = dir.join(format!("{}.md", f.name));
                let old = std::fs::read_to_string(&page).unwrap_or_default();
                let new = crate::reference::in_step(&old, &generated);
                if new != old {
                    std::fs::write(&page, new)
                        .map_err(|e| format!("cannot write {}: {e}", page.display()))?;
                    say!("wrote {}", page.display());
                }
            }
        }
    }
    Ok(())
}

pub fn restore(args: &RestoreArgs) -> Result {
    if same_file(&args.db, &args.from) {
        return Err("--from and --db name the same file".into());
    }
    let version = crate::store::probe(&args.from)?;
    if version == 0 {
        return Err(format!("{} is not a morbox database", args.from.display()).into());
    }
    // The backup is read into memory and brought up to date there: the file is never written.
    let mut copy = Connection::open_in_memory()?;
    {
        let from = open(&args.from)?;
        rusqlite::backup::Backup::new(&from, &mut copy)?.step(-1)?;
    }
    crate::store::init::migrate(&mut copy, &args.from)?;
    let created = !args.db.exists();
    if created {
        crate::store::init::create_private(&args.db)
            .map_err(|e| format!("cannot create {}: {e}", args.db.display()))?;
    } else {
        crate::store::probe(&args.db)?;
    }
    let mut into = open_connection(&args.db)?;
    into.busy_timeout(std::time::Duration::from_secs(10))?;
    ops::restore(&copy, &mut into)
        .map_err(|e| format!("{} was not changed: {e}", args.db.display()))?;
    say!(
        "restored {} from {} (schema version {})",
        args.db.display(),
        args.from.display(),
        crate::store::init::SCHEMA_VERSION
    );
    Ok(())
}

/// Whether two paths name one file (links resolved); false when either is missing.
fn same_file(a: &Path, b: &Path) -> bool {
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

pub fn backup(args: &BackupArgs) -> Result {
    if args.to.exists() {
        return Err(format!("{} already exists", args.to.display()).into());
    }
    if let Some(folder) = args.to.parent().filter(|f| !f.as_os_str().is_empty())
        && !folder.is_dir()
    {
        return Err(format!(
            "folder {} does not exist; create it first (mkdir -p {})",
            folder.display(),
            folder.display()
        )
        .into());
    }
    let conn = open(&args.db)?;
    ops::backup(&conn, &args.to)?;
    say!("copied {} to {}", args.db.display(), args.to.display());
    Ok(())
}
