//! The statement guard for every call: each row of the call table is run in process (the
//! router on a real SQLite file) with its own parameters, and every statement SQLite saw is
//! held to an index: no full scan of a table that grows, unless the statement says it lists
//! (`/* lists */`). A new call is under the guard the moment its row exists.

use crate::util::*;
use bytes::Bytes;
use hyper::Method;
use morbox::api::{Backend, Form, Identity};
use morbox::router::{App, RawRequest, dispatch};
use morbox::store::{Durability, Store};
use std::collections::BTreeSet;
use std::sync::Mutex;

static SEEN: Mutex<BTreeSet<String>> = Mutex::new(BTreeSet::new());

fn record(sql: &str) {
    if let Ok(mut seen) = SEEN.lock()
        && seen.len() < 10_000
    {
        seen.insert(sql.to_string());
    }
}

/// A value of the right form for a parameter, by its name where the demo world needs one.
fn value(name: &str, form: Form) -> String {
    let by_name = match name {
        "u" => "admin",
        "user_id" => "5",
        "username" => "user1",
        "p" => "admin1",
        "uniquehash" => "a0d1m2i3n4",
        "id" => "a0d1m2i3n4",
        "p_currency" | "currency" => "USD",
        "amount" | "balance" => "1",
        "password" | "password2" | "pswd" => "Guard1234x",
        "country_id" => "1",
        "device_type" => "SIP",
        _ => "",
    };
    if !by_name.is_empty() {
        return by_name.to_string();
    }
    match form {
        Form::Text => "guard".into(),
        Form::Digits | Form::Count | Form::Int => "1".into(),
        Form::Decimal => "1.5".into(),
        Form::Flag => "1".into(),
        Form::Email => "guard@example.com".into(),
        Form::Choice(options) => options[0].to_string(),
    }
}

#[test]
fn every_statement_of_every_call_uses_an_index() {
    morbox::store::trace_statements(record);
    let dir = TempDir::new();
    let db = dir.0.join("guard.db");
    morbox::store::init::create(&db, true, &[]).unwrap();
    // Hash checking off: every request reaches its call's own rules and statements.
    rusqlite::Connection::open(&db)
        .unwrap()
        .execute_batch(
            "UPDATE conflines SET value = '1' WHERE name IN ('API_Disable_hash_checking', \
             'Devices_Check_Ballance', 'API_Allow_registration_ower_API', \
             'API_Allow_payments_ower_API');",
        )
        .unwrap();
    let store = Store::open(&db, Durability::Normal).unwrap();
    let app = App::new(Backend::new(store, 0));
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let send = |call: &str, params: &[(String, String)]| {
        let pairs: Vec<(&str, &str)> = params
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let body = encode(&pairs);
        let headers = morbox::router::HeaderMap::new();
        let answer = rt.block_on(dispatch(
            &app,
            RawRequest {
                method: &Method::POST,
                path: &format!("/billing/api/{call}"),
                query: None,
                content_type: Some("application/x-www-form-urlencoded"),
                body: Ok(Bytes::from(body)),
                peer: "127.0.0.1".parse().unwrap(),
                headers: &headers,
            },
        ));
        answer.response.status().as_u16()
    };
    // Deletion last: it takes user 6 away.
    let mut calls: Vec<_> = morbox::api::calls().collect();
    calls.sort_by_key(|c| c.name() == "user_delete");
    for c in calls {
        let table = (c.params)();
        let mut base: Vec<(String, String)> = vec![("u".into(), "admin".into())];
        match c.identity {
            Identity::Login(p) => {
                base = vec![(p.into(), "user1".into()), ("p".into(), "User1pass".into())];
            }
            Identity::Username(p) => base.push((p.into(), "user1".into())),
            Identity::Uniquehash(p) => base.push((p.into(), "u1s2e3r4".into())),
            _ => {}
        }
        if table.iter().any(|p| p.name == "user_id") {
            let target = if c.name() == "user_delete" { "6" } else { "5" };
            base.push(("user_id".into(), target.into()));
        }
        // The identification alone, every parameter at once, then each on its own.
        let mut all = base.clone();
        for (i, p) in table.iter().enumerate() {
            if !base.iter().any(|(k, _)| k == p.name) {
                let mut v = value(p.name, p.form);
                if p.name == "username" || p.name == "email" {
                    v = format!("{i}{v}");
                }
                all.push((p.name.into(), v));
            }
        }
        assert!(send(c.name(), &base) < 500, "{}", c.name());
        assert!(send(c.name(), &all) < 500, "{}", c.name());
        for one in &all[base.len()..] {
            let mut req = base.clone();
            req.push(one.clone());
            assert!(send(c.name(), &req) < 500, "{} {}", c.name(), one.0);
        }
    }
    let seen: Vec<String> = SEEN.lock().unwrap().iter().cloned().collect();
    assert!(seen.len() > 30, "too few statements seen: {}", seen.len());
    // The sweep reached the calls' writes, not only their refusals.
    for write in [
        "INSERT INTO payments",
        "UPDATE users SET balance",
        "DELETE FROM users",
        "MAX(CAST(agreement_number",
        "INSERT INTO actions",
    ] {
        assert!(
            seen.iter().any(|s| s.contains(write)),
            "no statement with {write}"
        );
    }
    let conn = rusqlite::Connection::open(&db).unwrap();
    let mut scans = Vec::new();
    for sql in &seen {
        let head = sql.trim_start().to_ascii_uppercase();
        let plain = ["SELECT", "UPDATE", "DELETE", "INSERT", "WITH"]
            .iter()
            .any(|k| head.starts_with(k));
        if !plain || sql.contains("/* lists */") {
            continue;
        }
        let Ok(mut explain) = conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}")) else {
            continue;
        };
        let mut rows = explain.raw_query();
        while let Some(r) = rows.next().unwrap() {
            let step: String = r.get(3).unwrap();
            let big = [
                "users",
                "addresses",
                "conflines",
                "actions",
                "acc_group_rights",
                "devices",
                "payments",
                "callerids",
            ];
            if big.iter().any(|t| {
                step.starts_with(&format!("SCAN {t}"))
                    || step.starts_with(&format!("SCAN {} ", &t[..1]))
            }) {
                scans.push(format!("{step}: {sql}"));
            }
        }
    }
    assert!(scans.is_empty(), "full scans:\n{}", scans.join("\n\n"));
}
