//! `GET /_morbox/openapi.json`: an OpenAPI 3.1 description of every call and its aliases,
//! generated from the same tables the server runs on (the rows of [`crate::api::CALLS`] and
//! the parameters each names, [`crate::error::ApiError::catalogue`]), so that it cannot drift
//! from what the server does.

use crate::api::{Call, ErrorShape, Form, PREFIXES, calls};
use crate::error::ApiError;
use serde_json::{Map, Value, json};

/// One parameter of a call, for the description.
struct Field {
    name: &'static str,
    schema: Value,
    hash_position: Option<usize>,
    description: String,
}

/// Every parameter of a call: the three every call takes, then the row's own.
fn fields(call: Call) -> Vec<Field> {
    let hashed = (call.hash_order)();
    let pos = |n: &str| hashed.iter().position(|h| *h == n).map(|p| p + 1);
    let mut out = vec![
        Field {
            name: "u",
            schema: json!({"type": "string"}),
            hash_position: pos("u"),
            description: "Username of the caller. Required.".into(),
        },
        Field {
            name: "hash",
            schema: json!({"type": "string", "pattern": "^[0-9a-f]{40}$"}),
            hash_position: None,
            description: "Lowercase hex SHA1 of the hashed parameters' values, in order, then the API_Secret_Key.".into(),
        },
        Field {
            name: "test",
            schema: json!({"type": "string", "enum": ["1"]}),
            hash_position: None,
            description: "1: answer inline (no Content-Disposition).".into(),
        },
    ];
    // `u` is described above; a table names it only to place it in the hash.
    for p in (call.params)().iter().filter(|p| p.name != "u") {
        out.push(Field {
            name: p.name,
            schema: form_schema(p.form),
            hash_position: pos(p.name),
            description: p.doc.to_string(),
        });
    }
    out
}

/// The JSON schema of a value's form (every form named: a new one cannot slip through).
fn form_schema(form: Form) -> Value {
    match form {
        Form::Text => json!({"type": "string"}),
        Form::Digits => json!({"type": "string", "pattern": "^[0-9]+$"}),
        Form::Int => json!({"type": "string", "pattern": "^\\s*[+-]?[0-9]+\\s*$"}),
        Form::Count => json!({"type": "string", "pattern": "^\\s*\\+?[0-9]+\\s*$"}),
        Form::Decimal => {
            json!({"type": "string", "description": "decimal; ',' accepted as the decimal mark"})
        }
        Form::Flag => json!({"type": "string", "description": "1 (any value > 0) or 0"}),
        Form::Email => json!({"type": "string", "format": "email"}),
        Form::Choice(options) => json!({"type": "string", "enum": options}),
    }
}

/// The whole document.
pub fn document() -> Value {
    let mut paths = Map::new();
    let errors: Vec<Value> = ApiError::catalogue()
        .iter()
        .map(
            |e| json!({"text": e.to_string(), "http_status": e.http_status(), "gate": e.is_gate()}),
        )
        .collect();
    for spec in calls() {
        let fs = fields(spec);
        let props: Map<String, Value> = fs
            .iter()
            .map(|f| {
                let mut schema = f.schema.clone();
                if let Value::Object(m) = &mut schema {
                    m.insert("description".into(), json!(f.description));
                    m.insert("x-hashed".into(), json!(f.hash_position.is_some()));
                    if let Some(p) = f.hash_position {
                        m.insert("x-hash-position".into(), json!(p));
                    }
                }
                (f.name.to_string(), schema)
            })
            .collect();
        let body_schema = json!({"type": "object", "properties": props, "required": ["u"]});
        let query_params: Vec<Value> = fs
            .iter()
            .map(|f| {
                json!({
                    "name": f.name, "in": "query", "required": false,
                    "schema": f.schema, "description": f.description,
                    "x-hashed": f.hash_position.is_some(),
                    "x-hash-position": f.hash_position,
                })
            })
            .collect();
        let xml = json!({"schema": {"type": "string", "description": "An XML document"}});
        let op = |method: &str, main: &str| {
            let mut o = json!({
                "operationId": format!("{}_{}", main, method),
                "summary": format!("{main} ({method})"),
                "description": format!(
                    "Hash order: {}. Errors of this call are wrapped as {}; gate errors as {}.",
                    (spec.hash_order)().join(", "),
                    spec.errors.describe(),
                    ErrorShape::Status.describe()
                ),
                "parameters": query_params,
                "responses": {
                    "200": {"description": "The answer, or an API error (HTTP 200 as the vendor sends)",
                            "content": {"text/html": xml, "text/xml": xml}},
                    "400": {"description": "Malformed request", "content": {"text/html": xml}},
                    "404": {"description": "Unknown API method", "content": {"text/html": xml}},
                    "405": {"description": "Method not allowed", "content": {"text/html": xml}},
                    "408": {"description": "Body not received in time", "content": {"text/html": xml}},
                    "413": {"description": "Body too large", "content": {"text/html": xml}},
                    "429": {"description": "Too many failed hash checks", "content": {"text/html": xml}},
                    "503": {"description": "Storage unavailable", "content": {"text/html": xml}}
                },
                "x-errors": errors,
            });
            if let crate::api::Body::Zip(stem) = spec.body {
                o["responses"]["200"]["content"]["application/zip"] = json!({"schema": {
                    "type": "string", "format": "binary",
                    "description": format!("A ZIP archive holding one file, {stem}_<unix time>.xml (without test=1)"),
                }});
            }
            if method == "post" {
                o["requestBody"] = json!({"required": false, "content": {
                    "application/x-www-form-urlencoded": {"schema": body_schema},
                    "multipart/form-data": {"schema": body_schema},
                    "application/json": {"schema": body_schema}
                }});
            }
            o
        };
        for name in spec.names {
            for prefix in PREFIXES {
                paths.insert(
                    format!("{prefix}{name}"),
                    json!({
                        "post": op("post", &format!("{}_{}", name, prefix.trim_matches('/').replace('/', "_"))),
                        "get": op("get", &format!("{}_{}", name, prefix.trim_matches('/').replace('/', "_"))),
                    }),
                );
            }
        }
    }
    paths.insert(
        "/health".into(),
        json!({"get": {"operationId": "health", "responses": {
            "200": {"description": "The database answers", "content": {"application/json": {"schema": {
                "type": "object", "properties": {
                    "status": {"type": "string"}, "schema_version": {"type": "integer"}, "users": {"type": "integer"}}}}}},
            "503": {"description": "The database does not answer"}}}}),
    );
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "morbox: the MOR billing API's user-details and accounts calls",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Parameters are SHA1-signed: hash = sha1(values of the hashed parameters, in x-hash-position order, only those sent, then API_Secret_Key), lowercase hex."
        },
        "servers": [{"url": "http://127.0.0.1:8080"}],
        "paths": paths,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_update_parameter_is_described_with_its_hash_position() {
        use crate::api::details::update_params::PARAMS;
        let doc = document();
        let props = &doc["paths"]["/api/user_details_update"]["post"]["requestBody"]["content"]["application/json"]
            ["schema"]["properties"];
        for (i, p) in PARAMS.iter().filter(|p| p.hashed).enumerate() {
            assert_eq!(props[p.name]["x-hash-position"], json!(i + 1), "{}", p.name);
        }
        for p in PARAMS.iter().filter(|p| !p.hashed) {
            assert_eq!(props[p.name]["x-hashed"], json!(false), "{}", p.name);
        }
        assert!(doc["paths"]["/billing/api/user_update_api"]["get"].is_object());
    }
}
