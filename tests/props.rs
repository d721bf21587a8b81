//! Property tests of the whole request path, in process (router::dispatch on a real SQLite
//! file, no socket): any input gives well-formed XML; the hash check accepts exactly the right
//! signature; an update changes only the columns its parameters name. Also replays the fuzz
//! corpus and every committed crash reproducer (`fuzz/corpus`, `fuzz/regressions`).

use crate::util::*;
use bytes::Bytes;
use hyper::Method;
use morbox::api::Backend;
use morbox::api::details::update_params::{PARAMS, Target};
use morbox::router::{App, RawRequest, dispatch};
use morbox::store::{Durability, Store};
use proptest::prelude::*;
use std::sync::OnceLock;

/// One backend on a demo database for the whole test binary, with a runtime to drive it.
struct InProcess {
    app: App,
    rt: tokio::runtime::Runtime,
    _dir: TempDir,
}

fn in_process() -> &'static InProcess {
    static IT: OnceLock<InProcess> = OnceLock::new();
    IT.get_or_init(|| {
        let dir = TempDir::new();
        let db = dir.0.join("props.db");
        morbox::store::init::create(&db, true, &[]).unwrap();
        let store = Store::open(&db, Durability::Normal).unwrap();
        InProcess {
            app: App::new(Backend::new(store, 0)),
            rt: tokio::runtime::Builder::new_multi_thread()
                .worker_threads(1)
                .enable_all()
                .build()
                .unwrap(),
            _dir: dir,
        }
    })
}

/// Runs one request through the whole path but the socket; returns (status, body).
pub fn run(
    method: &Method,
    path: &str,
    query: Option<&str>,
    ctype: Option<&str>,
    body: &[u8],
) -> (u16, String) {
    let it = in_process();
    let answer = it.rt.block_on(dispatch(
        &it.app,
        RawRequest {
            method,
            path,
            query,
            content_type: ctype,
            body: Ok(Bytes::copy_from_slice(body)),
            peer: "127.0.0.1".parse().unwrap(),
            headers: &hyper::HeaderMap::new(),
        },
    ));
    let status = answer.response.status().as_u16();
    let body = it.rt.block_on(async {
        use http_body_util::BodyExt;
        answer
            .response
            .into_body()
            .collect()
            .await
            .unwrap()
            .to_bytes()
    });
    (
        status,
        String::from_utf8(body.to_vec()).expect("answer is UTF-8"),
    )
}

fn check_answer(status: u16, body: &str) {
    assert!((200..500).contains(&status), "status {status}: {body}");
    assert!(
        body.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"),
        "{body}"
    );
    assert!(well_formed(body), "not well-formed: {body}");
}

const PATHS: &[&str] = &[
    "/billing/api/user_details_get",
    "/api/user_details_raw_get",
    "/api/user_details_update",
    "/api/user_update_api",
    "/api/x",
];
const CTYPES: &[&str] = &[
    "application/x-www-form-urlencoded",
    "application/json",
    "multipart/form-data; boundary=b",
    "text/plain",
];

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn any_request_gives_well_formed_xml(
        path in prop::sample::select(PATHS),
        query in ".{0,200}",
        ctype in prop::sample::select(CTYPES),
        body in prop::collection::vec(any::<u8>(), 0..300),
        get in any::<bool>(),
    ) {
        let method = if get { Method::GET } else { Method::POST };
        let (status, text) = run(&method, path, Some(&query), Some(ctype), &body);
        check_answer(status, &text);
    }

    #[test]
    fn any_parameter_values_give_well_formed_xml(
        path in prop::sample::select(PATHS),
        values in prop::collection::vec((prop::sample::select(&["u", "user_id", "username", "u9", "u33", "a8", "credit", "hash", "ay", "pswd", "time_zone"][..]), "\\PC{0,40}"), 0..8),
    ) {
        let q = values.iter().map(|(k, v)| format!("{}={}", pct(k), pct(v))).collect::<Vec<_>>().join("&");
        let (status, text) = run(&Method::POST, path, Some(&q), None, b"");
        check_answer(status, &text);
    }

    #[test]
    fn the_hash_check_accepts_exactly_the_right_signature(
        user in prop::sample::select(&["0", "5", "6", "007", "123"][..]),
        flip in 0usize..40,
        upper in any::<bool>(),
    ) {
        let good = sha1_hex(&format!("{}secret", user.trim_start_matches('0').to_string().max("0".to_string())));
        let (_, ok) = run(&Method::POST, "/api/user_details_get", Some(&format!("u=admin&user_id={user}&hash={good}")), None, b"");
        prop_assert!(ok.contains("<userid>"), "{}", ok);
        // Any other hash: one hex digit changed, or the case changed.
        let mut bad: Vec<char> = good.chars().collect();
        bad[flip] = if bad[flip] == '0' { '1' } else { '0' };
        let bad: String = bad.into_iter().collect();
        let bad = if upper && good.chars().any(|c| c.is_ascii_alphabetic()) { good.to_uppercase() } else { bad };
        let (_, refused) = run(&Method::POST, "/api/user_details_get", Some(&format!("u=admin&user_id={user}&hash={bad}")), None, b"");
        prop_assert!(refused.contains("<error>Incorrect hash</error>"), "{}", refused);
    }
}

/// Values that every writable parameter accepts.
fn valid_value(name: &str) -> Option<&'static str> {
    Some(match name {
        "u1" | "u5" | "u29" | "u4" => "2",
        "u16" | "static_list_id" | "static_source_list_id" => "0",
        "u31" => "-1",
        "u9" => return None,
        "u22" | "a8" => "p@example.com",
        "time_zone" => "UTC",
        "enable_static_list" | "enable_static_source_list" => "no",
        "two_fa_enabled" => "0",
        _ => "7",
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn an_update_changes_only_the_columns_its_parameters_name(
        picks in prop::collection::btree_set(0..PARAMS.len(), 1..6),
        user in prop::sample::select(&[5i64, 6, 7][..]),
    ) {
        let chosen: Vec<_> = picks.iter().map(|&i| &PARAMS[i])
            .filter(|p| matches!(p.target, Target::User(_)) && valid_value(p.name).is_some())
            .collect();
        prop_assume!(!chosen.is_empty());
        let conn = rusqlite::Connection::open(in_process_db()).unwrap();
        let cols: Vec<String> = conn.prepare("SELECT name FROM pragma_table_info('users')").unwrap()
            .query_map([], |r| r.get(0)).unwrap().map(Result::unwrap).collect();
        let read = |conn: &rusqlite::Connection| -> Vec<Option<String>> {
            let sql = format!("SELECT {} FROM users WHERE id = {user}", cols.iter().map(|c| format!("CAST(\"{c}\" AS TEXT)")).collect::<Vec<_>>().join(","));
            conn.query_row(&sql, [], |r| (0..cols.len()).map(|i| r.get(i)).collect()).unwrap()
        };
        let before = read(&conn);
        let mut q = format!("u=admin&user_id={user}");
        let mut named: Vec<&str> = Vec::new();
        for p in &chosen {
            q.push_str(&format!("&{}={}", p.name, valid_value(p.name).unwrap()));
            if let Target::User(c) = p.target { named.push(c); }
        }
        // Sign over the hashed ones, in table order.
        let hashed: String = std::iter::once(user.to_string()).chain(PARAMS.iter().filter(|p| p.hashed && chosen.iter().any(|c| c.name == p.name)).map(|p| valid_value(p.name).unwrap().to_string())).collect();
        q.push_str(&format!("&hash={}", sha1_hex(&format!("{hashed}secret"))));
        let (_, body) = run(&Method::POST, "/api/user_details_update", Some(&q), None, b"");
        prop_assert!(body.contains("User was updated"), "{} -> {}", q, body);
        let after = read(&conn);
        for (i, c) in cols.iter().enumerate() {
            // A changed warning balance re-arms its e-mail: the one documented follow-up.
            let follow_up = c == "warning_email_sent" && named.contains(&"warning_email_balance");
            if before[i] != after[i] {
                prop_assert!(named.contains(&c.as_str()) || follow_up, "{} changed by {}", c, q);
            }
        }
    }
}

fn in_process_db() -> std::path::PathBuf {
    in_process()._dir.0.join("props.db")
}

/// Every input the fuzzer keeps (corpus) or ever crashed on (regressions) stays answered.
#[test]
fn fuzz_corpus_and_regressions_replay() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    let mut n = 0;
    for dir in ["corpus/request", "regressions"] {
        let Ok(entries) = std::fs::read_dir(root.join(dir)) else {
            continue;
        };
        for e in entries {
            let data = std::fs::read(e.unwrap().path()).unwrap();
            let (method, path, query, ctype, body) = morbox::fuzzing::split_input(&data);
            let (status, text) = run(&method, &path, query.as_deref(), ctype.as_deref(), &body);
            if route_known(&path) && (method == Method::GET || method == Method::POST) {
                check_answer(status, &text);
            } else {
                assert!((400..500).contains(&status) || status == 200, "{status}");
            }
            n += 1;
        }
    }
    assert!(n > 0, "no fuzz corpus found");
}

fn route_known(path: &str) -> bool {
    morbox::router::route(path).is_some()
}
