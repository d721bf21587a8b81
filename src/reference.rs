//! The reference of every call, made from the call table ([`crate::api::CALLS`]): per family a
//! Markdown section with, per call, its paths and aliases, its parameters and hash order, who
//! may call it and whom it reaches, how it is answered and wrapped. `morbox reference` prints
//! it; `docs/FAMILY.md` holds it between two markers under the prose written once, and a test
//! fails when the two differ (`morbox reference --write docs` brings them in step).

use crate::api::{Body, Call, Family, Form, Gates, Identity, PREFIXES, Proof};
use crate::settings::Settings;
use std::fmt::Write as _;

/// The line before the generated part of a family's page.
pub const BEGIN: &str =
    "<!-- reference: made by `morbox reference`; edit the call table, not this -->";

/// The line after it.
pub const END: &str = "<!-- reference: end -->";

/// The form of a value, in words.
fn form(f: Form) -> String {
    match f {
        Form::Text => "text".into(),
        Form::Digits => "digits".into(),
        Form::Int => "whole number".into(),
        Form::Count => "whole number, 0 or more".into(),
        Form::Decimal => "decimal (`,` accepted as the mark)".into(),
        Form::Flag => "1 or 0".into(),
        Form::Email => "e-mail address".into(),
        Form::Choice(options) => format!("one of {}", options.join(", ")),
    }
}

/// How the subject is found, in words.
fn identity(i: Identity) -> String {
    match i {
        Identity::Caller => "the caller named by `u`".into(),
        Identity::Username(p) => {
            format!("the user named by `{p}`, who signs with its own scope's key (`u` is not read)")
        }
        Identity::Uniquehash(p) => format!("the user whose uniquehash is `{p}`"),
        Identity::Login(p) => format!(
            "the user named by `{p}` (or, with `Allow_login_by_email`, the e-mail of its address)"
        ),
        Identity::Owner(p) => {
            format!("the owner whose uniquehash is `{p}`; without it, the admin")
        }
    }
}

fn gates(g: Gates) -> String {
    let get = if g.get {
        "GET only while `Allow_GET_API` is 1"
    } else {
        "GET always"
    };
    let hash = if g.hash {
        "the hash is checked"
    } else {
        "no hash is checked"
    };
    format!("POST; {get}; {hash}")
}

fn proof(p: Proof) -> Option<String> {
    match p {
        Proof::None => None,
        Proof::PasswordFirst(param) => Some(format!(
            "`{param}` must be the subject's password, checked before any gate"
        )),
        Proof::PasswordOrUniquehash(pw, uh) => Some(format!(
            "`{pw}` must be the caller's password, or when it is not sent `{uh}` its uniquehash"
        )),
    }
}

/// The answer to an unknown subject, under the default settings and with the feature
/// settings on (the call's row decides).
fn unknown(call: Call) -> String {
    let mut answers: Vec<String> = [Settings::default(), all_on()]
        .iter()
        .map(|s| (call.unknown)(s).to_string())
        .collect();
    answers.dedup();
    let named = answers
        .iter()
        .map(|a| format!("`{a}`"))
        .collect::<Vec<_>>()
        .join(" or ");
    match &call.unnamed {
        Some(e) => format!("{named}; not sent at all: `{e}`"),
        None => named,
    }
}

/// The system's settings with the features the unknown-subject answers depend on turned on.
fn all_on() -> Settings {
    let on = [
        crate::settings::DEVICES_CHECK_BALANCE,
        crate::settings::API_ALLOW_REGISTRATION,
    ];
    Settings::from_rows(0, on.iter().map(|n| (0, n.to_string(), "1".to_string())))
}

/// One call's section.
pub fn call(c: Call) -> String {
    let mut out = String::new();
    let main = c.name();
    let _ = writeln!(out, "### `{main}`\n\n{}.\n", c.summary);
    let paths: Vec<String> = c
        .names
        .iter()
        .flat_map(|n| PREFIXES.iter().map(move |p| format!("`{p}{n}`")))
        .collect();
    let _ = writeln!(out, "- Paths: {}", paths.join(", "));
    if let Some(p) = c.path_param {
        let _ = writeln!(
            out,
            "  (also `…/{main}/<{p}>`: `{p}` as the last path segment)"
        );
    }
    let _ = writeln!(out, "- Methods and gates: {}", gates(c.gates));
    let order: Vec<String> = (c.hash_order)().iter().map(|n| format!("`{n}`")).collect();
    if c.gates.hash && !order.is_empty() {
        let _ = writeln!(
            out,
            "- Hash: lowercase hex SHA1 of the values of {}, in that order, only those sent, then the key",
            order.join(", ")
        );
        for name in (c.hash_order)() {
            if let Some((_, rule)) = c.hash_rules.iter().find(|(n, _)| n == name) {
                let _ = writeln!(out, "  (`{name}`: {})", rule.describe());
            }
        }
    } else {
        let _ = writeln!(out, "- Hash: none");
    }
    let _ = writeln!(out, "- Subject: {}", identity(c.identity));
    if let Some(p) = proof(c.proof) {
        let _ = writeln!(out, "- Proof: {p}");
    }
    let _ = writeln!(out, "- Unknown subject: {}", unknown(c));
    if !c.shut_out.is_empty() {
        let roles: Vec<&str> = c.shut_out.iter().map(|r| r.usertype()).collect();
        let _ = writeln!(
            out,
            "- Answered as an unknown subject, before any gate: {}",
            roles.join(", ")
        );
    }
    let answer = match c.body {
        Body::Xml => "XML",
        Body::Text => "plain text",
        Body::Zip(_) => "XML in a ZIP archive (inline XML with `test=1`)",
    };
    let _ = writeln!(
        out,
        "- Answer: {answer}; its errors as `{}`, gate errors as `{}`",
        c.errors.describe(),
        crate::api::ErrorShape::Status.describe()
    );
    for (e, shape) in c.shapes {
        let _ = writeln!(out, "  (`{e}` as `{}`)", shape.describe());
    }
    if !c.reach.is_empty() {
        let _ = writeln!(out, "\n| caller | may call it |\n|---|---|");
        for a in c.reach {
            let _ = writeln!(out, "| {} | {} |", a.role.usertype(), a.describe());
        }
    }
    let params = (c.params)();
    if !params.is_empty() {
        let _ = writeln!(
            out,
            "\n| parameter | form | hashed | what |\n|---|---|---|---|"
        );
        let mut position = 0;
        for p in params {
            let hashed = if p.hashed {
                position += 1;
                position.to_string()
            } else {
                "no".into()
            };
            let doc = p.doc.replace('|', "\\|").replace('<', "&lt;");
            let _ = writeln!(
                out,
                "| `{}` | {} | {hashed} | {doc} |",
                p.name,
                form(p.form)
            );
        }
    }
    out
}

/// A family's generated part: every call's section, in the family's order.
pub fn family(f: &Family) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{BEGIN}\n");
    let _ = writeln!(out, "## Reference: {}\n", f.title);
    for c in f.calls {
        out.push_str(&call(c));
        out.push('\n');
    }
    let _ = writeln!(
        out,
        "Every call also takes `hash` and `test=1` (answer inline); the errors every call may give \
         are listed with their HTTP status in `GET /_morbox/openapi.json` (`x-errors`)."
    );
    let _ = write!(out, "\n{END}\n");
    out
}

/// `page` with its generated part replaced by `generated` (appended when it has none).
pub fn in_step(page: &str, generated: &str) -> String {
    match (page.find(BEGIN), page.find(END)) {
        (Some(b), Some(e)) if e > b => {
            let end = e + END.len();
            let rest = page[end..].strip_prefix('\n').unwrap_or(&page[end..]);
            format!("{}{generated}{rest}", &page[..b])
        }
        _ => format!("{}\n{generated}", page.trim_end()),
    }
}
