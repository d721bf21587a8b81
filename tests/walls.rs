//! The architecture's walls, read from the source: which module may name which (every path:
//! `crate::…` and `super::…`, in `use` lines and inline, outside comments and strings), that
//! no two modules name each other in a circle, and that the walls `src/lib.rs` states as
//! absences hold.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// The walls of `src/lib.rs`: (module, modules it must never name, why).
const WALLS: &[(&str, &[&str], &str)] = &[
    (
        "store",
        &[
            "api",
            "auth",
            "router",
            "server",
            "service",
            "params",
            "kit",
            "explain",
            "openapi",
            "ops",
            "cli",
            "guard",
            "passwords",
            "xml",
            "logging",
        ],
        "the store knows no call, no caller, no HTTP, no XML and no logging",
    ),
    (
        "auth",
        &["api", "router", "server", "service", "kit", "ops", "cli"],
        "the gates know no call",
    ),
    (
        "explain",
        &["api", "router", "server", "service", "kit", "ops", "cli"],
        "the explainer knows no call",
    ),
    (
        "xml",
        &["store", "api", "auth", "router", "server"],
        "the XML writer knows no store",
    ),
    (
        "error",
        &["api", "store", "auth", "router", "server", "xml"],
        "errors are data, below everything",
    ),
    (
        "server",
        &["api", "store", "auth"],
        "the accept loop knows no endpoint",
    ),
];

/// Crates the store must not use either: it knows no HTTP.
const STORE_NEVER_USES: &[&str] = &["hyper", "http_body_util", "hyper_util"];

/// The top module a source file belongs to: `src/api/x.rs` → `api`, `src/store.rs` → `store`.
fn module_of(path: &Path, src: &Path) -> String {
    let rel = path.strip_prefix(src).unwrap();
    let first = rel
        .components()
        .next()
        .unwrap()
        .as_os_str()
        .to_string_lossy();
    first.trim_end_matches(".rs").to_string()
}

/// The code of a file without comments (line comments, doc comments, block comments) and
/// without string literals, so that only real paths are read.
fn code_only(text: &str) -> String {
    let b = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'/' && b.get(i + 1) == Some(&b'/') {
            while i < b.len() && b[i] != b'\n' {
                i += 1;
            }
        } else if b[i] == b'/' && b.get(i + 1) == Some(&b'*') {
            i += 2;
            while i + 1 < b.len() && !(b[i] == b'*' && b[i + 1] == b'/') {
                i += 1;
            }
            i += 2;
        } else if b[i] == b'"' {
            i += 1;
            while i < b.len() && b[i] != b'"' {
                if b[i] == b'\\' {
                    i += 1;
                }
                i += 1;
            }
            i += 1;
        } else {
            out.push(b[i] as char);
            i += 1;
        }
    }
    out
}

/// The top modules a file at `path` (its module path below the crate: `["store"]` for
/// `src/store/mod.rs`, `["api", "details", "x"]` for `src/api/details/x.rs`) names through
/// `super::`: a chain of k `super::` climbs k levels; what follows names a top module when the
/// climb reaches the crate's root, else it stays inside the file's own top module.
fn super_modules(code: &str, path: &[String]) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut rest = code;
    while let Some(at) = rest.find("super::") {
        // Only a path's start: not `xsuper::`.
        let before = rest[..at].chars().last();
        let mut after = &rest[at..];
        if before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_') {
            rest = &rest[at + "super::".len()..];
            continue;
        }
        let mut climb = 0;
        while let Some(next) = after.strip_prefix("super::") {
            climb += 1;
            after = next;
        }
        let base = path.len().saturating_sub(climb);
        if base == 0 {
            // At the crate's root: the next segment (or each in a group) is a top module.
            out.extend(named_modules(&format!("crate::{after}")));
        } else {
            out.insert(path[0].clone());
        }
        rest = after;
    }
    out
}

/// The module path of a source file below `src`.
fn module_path(file: &Path, src: &Path) -> Vec<String> {
    let rel = file.strip_prefix(src).unwrap();
    let mut parts: Vec<String> = rel
        .components()
        .map(|c| {
            c.as_os_str()
                .to_string_lossy()
                .trim_end_matches(".rs")
                .to_string()
        })
        .collect();
    if parts.last().is_some_and(|l| l == "mod") {
        parts.pop();
    }
    parts
}

/// The modules a file names: `crate::NAME` and, inside `use crate::{a, b::c}`, each NAME.
fn named_modules(code: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let ident = |s: &str| -> String {
        s.chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect()
    };
    let mut rest = code;
    while let Some(at) = rest.find("crate::") {
        let after = &rest[at + "crate::".len()..];
        if let Some(group) = after.strip_prefix('{') {
            // A grouped import: every first segment inside the braces (nested ones included).
            let mut depth = 1;
            let end = group
                .char_indices()
                .find(|&(_, c)| {
                    match c {
                        '{' => depth += 1,
                        '}' => depth -= 1,
                        _ => {}
                    }
                    depth == 0
                })
                .map_or(group.len(), |(i, _)| i);
            let mut level = 0;
            let mut item = String::new();
            for c in group[..end].chars() {
                match c {
                    '{' => level += 1,
                    '}' => level -= 1,
                    ',' if level == 0 => {
                        out.insert(ident(item.trim()));
                        item.clear();
                        continue;
                    }
                    _ => {}
                }
                if level == 0 {
                    item.push(c);
                }
            }
            out.insert(ident(item.trim()));
        } else {
            out.insert(ident(after));
        }
        rest = after;
    }
    out.remove("");
    out
}

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// module → the other modules it names, and the crates the store uses.
fn graph() -> (BTreeMap<String, BTreeSet<String>>, BTreeSet<String>) {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut g: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut store_crates = BTreeSet::new();
    for f in files {
        let module = module_of(&f, &src);
        if module == "lib" || module == "main" {
            continue;
        }
        let code = code_only(&std::fs::read_to_string(&f).unwrap());
        let mut names = named_modules(&code);
        names.extend(super_modules(&code, &module_path(&f, &src)));
        names.remove(&module);
        g.entry(module.clone()).or_default().extend(names);
        if module == "store" {
            for c in STORE_NEVER_USES {
                if code.contains(&format!("{c}::")) {
                    store_crates.insert(c.to_string());
                }
            }
        }
    }
    (g, store_crates)
}

#[test]
fn the_walls_of_lib_rs_hold() {
    let (g, store_crates) = graph();
    let mut broken = Vec::new();
    for (module, never, why) in WALLS {
        for n in g.get(*module).into_iter().flatten() {
            if never.contains(&n.as_str()) {
                broken.push(format!("{module} names {n}: {why}"));
            }
        }
    }
    for c in store_crates {
        broken.push(format!("store uses {c}: the store knows no HTTP"));
    }
    assert!(broken.is_empty(), "{}", broken.join("\n"));
}

#[test]
fn no_two_modules_name_each_other_in_a_circle() {
    let (g, _) = graph();
    // Depth-first search for a back edge; report the circle found.
    fn visit(
        n: &str,
        g: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(i) = path.iter().position(|p| p == n) {
            let mut circle = path[i..].to_vec();
            circle.push(n.to_string());
            return Some(circle);
        }
        if done.contains(n) {
            return None;
        }
        path.push(n.to_string());
        for m in g.get(n).into_iter().flatten() {
            if let Some(c) = visit(m, g, path, done) {
                return Some(c);
            }
        }
        path.pop();
        done.insert(n.to_string());
        None
    }
    let mut done = BTreeSet::new();
    for n in g.keys() {
        if let Some(circle) = visit(n, &g, &mut Vec::new(), &mut done) {
            panic!("import circle: {}", circle.join(" → "));
        }
    }
}

#[test]
fn the_reader_of_imports_sees_grouped_and_inline_paths() {
    let code = code_only(
        "use crate::{api::Call, store::{self, queries}};\n// crate::ops in a comment\nlet x = crate::xml::Doc::new(); let s = \"crate::cli\";",
    );
    let names: Vec<String> = named_modules(&code).into_iter().collect();
    assert_eq!(names, ["api", "store", "xml"]);
    // `super::` from a module at the crate's root names top modules; deeper, its own.
    let here = |p: &[&str]| p.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let code = code_only(
        "use super::{api::Call, xml};
let k = super::kept::X; let d = super::super::router::y;",
    );
    let names: Vec<String> = super_modules(&code, &here(&["store"]))
        .into_iter()
        .collect();
    assert_eq!(names, ["api", "kept", "router", "xml"]);
    let names: Vec<String> = super_modules(&code, &here(&["store", "kept"]))
        .into_iter()
        .collect();
    assert_eq!(names, ["router", "store"]);
    let names: Vec<String> = super_modules("x_super::a", &here(&["store"]))
        .into_iter()
        .collect();
    assert!(names.is_empty());
}
