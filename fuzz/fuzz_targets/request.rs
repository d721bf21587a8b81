//! Drives the whole request path in process — parameters, gates, all three calls — against a
//! real SQLite file (the demo world, hash checking off so inputs reach the calls' rules), and
//! checks every answer is well-formed XML with a 2xx/4xx status. A panic is a finding.
#![no_main]

use bytes::Bytes;
use libfuzzer_sys::fuzz_target;
use morbox::api::Backend;
use morbox::router::{App, RawRequest, dispatch};
use morbox::store::{Durability, Store};
use std::sync::OnceLock;

struct Target {
    app: App,
    rt: tokio::runtime::Runtime,
}

fn target() -> &'static Target {
    static T: OnceLock<Target> = OnceLock::new();
    T.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("morbox-fuzz-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let db = dir.join("fuzz.db");
        morbox::store::init::create(&db, true, &[]).unwrap();
        rusqlite_free_update(&db);
        let store = Store::open(&db, Durability::Normal).unwrap();
        Target {
            app: App::new(Backend::new(store, 0)),
            rt: tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap(),
        }
    })
}

/// Turns hash checking off (through the same kind of fixture file an integrator would use).
fn rusqlite_free_update(db: &std::path::Path) {
    let seed = db.with_extension("sql");
    std::fs::write(&seed, "UPDATE conflines SET value = '1' WHERE name = 'API_Disable_hash_checking';").unwrap();
    let again = db.with_file_name("fuzz2.db");
    let _ = std::fs::remove_file(&again);
    morbox::store::init::create(&again, true, &[seed]).unwrap();
    std::fs::rename(&again, db).unwrap();
}

fuzz_target!(|data: &[u8]| {
    let t = target();
    let (method, path, query, ctype, body) = morbox::fuzzing::split_input(data);
    let answer = t.rt.block_on(dispatch(
        &t.app,
        RawRequest {
            method: &method,
            path: &path,
            query: query.as_deref(),
            content_type: ctype.as_deref(),
            body: Ok(Bytes::from(body)),
            peer: "127.0.0.1".parse().unwrap(),
            headers: &morbox::router::HeaderMap::new(),
        },
    ));
    let status = answer.response.status().as_u16();
    assert!((200..500).contains(&status), "status {status}");
    let bytes = t.rt.block_on(async {
        use http_body_util::BodyExt;
        answer.response.into_body().collect().await.unwrap().to_bytes()
    });
    let text = std::str::from_utf8(&bytes).expect("answer is UTF-8");
    let mut elements = 0;
    for e in xml::reader::EventReader::new(text.as_bytes()) {
        match e.expect("answer is well-formed XML") {
            xml::reader::XmlEvent::StartElement { .. } => elements += 1,
            _ => {}
        }
    }
    assert!(elements > 0);
});
