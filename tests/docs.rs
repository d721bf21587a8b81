//! The contract in the repository: `docs/` holds the reference of every family, in step with
//! the call table, and every call has tests of its own.

use crate::util::*;
use std::path::Path;

fn docs() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("docs")
}

#[test]
fn every_family_page_holds_the_reference_of_the_call_table() {
    let mut stale = Vec::new();
    for f in morbox::api::CALLS {
        let path = docs().join(format!("{}.md", f.name));
        let page = std::fs::read_to_string(&path).unwrap_or_else(|e| {
            panic!(
                "{}: {e}; write its prose, then `morbox reference --write docs`",
                path.display()
            )
        });
        let generated = morbox::reference::family(f);
        if morbox::reference::in_step(&page, &generated) != page {
            stale.push(path.display().to_string());
        }
        // The prose names every call of the family.
        for c in f.calls {
            assert!(
                page.contains(&format!("## {}", c.name()))
                    || page[..page.find(morbox::reference::BEGIN).unwrap()].contains(c.name()),
                "{} says nothing of {}",
                path.display(),
                c.name()
            );
        }
        // The index names the page.
        let index = std::fs::read_to_string(docs().join("README.md")).unwrap();
        assert!(
            index.contains(&format!("({}.md)", f.name)),
            "docs/README.md lacks {}",
            f.name
        );
    }
    assert!(
        stale.is_empty(),
        "out of step with the call table: {} (run `morbox reference --write docs`)",
        stale.join(", ")
    );
    // The command prints the same.
    let (ok, out, err) = morbox(&["reference", "details"]);
    assert!(ok, "{err}");
    assert_eq!(
        out.trim_end(),
        morbox::reference::family(&morbox::api::CALLS[0]).trim_end()
    );
    assert!(must_fail(&["reference", "nope"]).contains("details"));
}

#[test]
fn every_call_has_tests_of_its_own() {
    // A call's tests send it by its name (`"name"` in a test file), worked examples included.
    let tests = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
    let mut text = String::new();
    for entry in std::fs::read_dir(&tests).unwrap() {
        let path = entry.unwrap().path();
        let own = ["docs.rs", "util.rs", "hostile.rs", "tests.rs"];
        if path.extension().is_some_and(|e| e == "rs") && !own.iter().any(|o| path.ends_with(o)) {
            text.push_str(&std::fs::read_to_string(&path).unwrap());
        }
    }
    let untested: Vec<&str> = morbox::api::calls()
        .map(|c| c.name())
        .filter(|name| {
            let sent = text.matches(&format!("\"{name}\"")).count()
                + text.matches(&format!("/api/{name}")).count();
            sent < 3
        })
        .collect();
    assert!(
        untested.is_empty(),
        "calls without tests of their own: {untested:?}"
    );
}
