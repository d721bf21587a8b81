//! (method, path) → call; the request body → parameters; and the one place an outcome, error or
//! not, becomes an HTTP response with the vendor's headers and XML wrapper
//! ([`error_response`]). Paths that name no call go to [`crate::service`].

use crate::api::{self, ApiRequest, Backend, Body, Call, ErrorShape, Outcome, PREFIXES};
use crate::error::ApiError;
use crate::kit::TestKit;
use crate::params::Params;
use crate::service::Served;
use crate::stream::AnswerBody;
use crate::xml::Doc;
use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
pub use hyper::HeaderMap;
use hyper::body::Incoming;
use hyper::header::{
    ALLOW, CONTENT_DISPOSITION, CONTENT_LENGTH, CONTENT_TYPE, HeaderValue, RETRY_AFTER,
};
use hyper::{Method, Request, Response, StatusCode};
use std::net::IpAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// What the router needs besides the request.
pub struct App {
    /// What the calls run against.
    pub backend: Backend,
    /// Snapshot/reset and the request journal, with `serve --test-endpoints`.
    pub kit: Option<TestKit>,
    /// The largest body accepted, in bytes.
    pub body_limit: usize,
    /// How long a body may take to arrive.
    pub body_timeout: Duration,
}

impl App {
    /// An app with the default body limits and no test kit.
    pub fn new(backend: Backend) -> App {
        App {
            backend,
            kit: None,
            body_limit: 64 * 1024,
            body_timeout: Duration::from_secs(10),
        }
    }
}

/// A request as the router sees it once the body is in (or failed to come in).
pub struct RawRequest<'a> {
    /// The HTTP method.
    pub method: &'a Method,
    /// The path, without the query.
    pub path: &'a str,
    /// The query string, if any.
    pub query: Option<&'a str>,
    /// The `Content-Type` header, if any.
    pub content_type: Option<&'a str>,
    /// The body, or why it could not be read.
    pub body: Result<Bytes, ApiError>,
    /// The client's address.
    pub peer: IpAddr,
    /// The request's headers (the test kit reads `Host`, `Origin` and its own).
    pub headers: &'a HeaderMap,
}

/// The call a path names, if any: `/billing/api/NAME` or `/api/NAME`, one trailing `/`
/// allowed; for a call whose row has a path parameter, `NAME/VALUE` too.
pub fn route(path: &str) -> Option<Call> {
    route_with_value(path).map(|(c, _)| c)
}

/// [`route`], with the path parameter's value when one was given.
pub fn route_with_value(path: &str) -> Option<(Call, Option<&str>)> {
    let rest = PREFIXES.iter().find_map(|p| path.strip_prefix(p))?;
    let rest = rest.strip_suffix('/').unwrap_or(rest);
    match rest.split_once('/') {
        None => api::call(rest).map(|c| (c, None)),
        Some((name, value)) => {
            let call = api::call(name)?;
            (call.path_param.is_some() && !value.is_empty() && !value.contains('/'))
                .then_some((call, Some(value)))
        }
    }
}

/// The path as logs and the journal show it: a credential in the path (a uniquehash as the
/// last segment of `…/simple_balance/<id>`) masked.
pub fn shown_path(path: &str) -> std::borrow::Cow<'_, str> {
    match route_with_value(path) {
        Some((_, Some(value))) => match path.rfind(value) {
            Some(at) => format!("{}***{}", &path[..at], &path[at + value.len()..]).into(),
            None => path.into(),
        },
        _ => path.into(),
    }
}

/// Answers one HTTP request. Never fails: every problem becomes an XML answer.
pub async fn respond(app: Arc<App>, req: Request<Incoming>, peer: IpAddr) -> Response<AnswerBody> {
    let started = Instant::now();
    let (parts, body) = req.into_parts();
    let path = parts.uri.path();
    // Routed once: the call, and whether the path carries a credential to mask in logs.
    let routed = route_with_value(path);
    let call = routed.map(|(c, _)| c);
    let logged_path = match routed {
        Some((_, Some(_))) => shown_path(path),
        _ => path.into(),
    };
    tracing::debug!(%peer, path = %logged_path, "request head read");
    let content_type = parts
        .headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok());
    // A declared length over the limit is refused before any byte of the body is read.
    let declared = parts
        .headers
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    // A POST to an API call has a body worth reading, and so has one to the test kit (the
    // hash workbench); anything else is answered without.
    let body = if parts.method == Method::POST && (call.is_some() || path.starts_with("/_morbox/"))
    {
        if declared.is_some_and(|n| n > app.body_limit as u64) {
            Err(ApiError::BodyTooLarge)
        } else if declared == Some(0) {
            // Nothing to wait for: no timer, no collector.
            Ok(Bytes::new())
        } else {
            read_body(body, app.body_limit, app.body_timeout).await
        }
    } else {
        Ok(Bytes::new())
    };
    let raw = RawRequest {
        method: &parts.method,
        path,
        query: parts.uri.query(),
        content_type,
        body,
        peer,
        headers: &parts.headers,
    };
    let answer = dispatch(&app, raw).await;
    crate::logging::access(&crate::logging::Access {
        method: parts.method.as_str(),
        path: &logged_path,
        call: call.map_or("-", |c| c.name()),
        caller: answer.caller,
        outcome: &OutcomeText(&answer.outcome),
        status: answer.response.status().as_u16(),
        us: started.elapsed().as_micros() as u64,
    });
    answer.response
}

/// `ok`, or the error's text, for the access log (written into the line, not allocated).
struct OutcomeText<'a>(&'a Result<(), ApiError>);

impl std::fmt::Display for OutcomeText<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.0 {
            Ok(()) => f.write_str("ok"),
            Err(e) => e.fmt(f),
        }
    }
}

async fn read_body(body: Incoming, limit: usize, timeout: Duration) -> Result<Bytes, ApiError> {
    match tokio::time::timeout(timeout, Limited::new(body, limit).collect()).await {
        Err(_) => Err(ApiError::BodyTimeout),
        Ok(Ok(b)) => Ok(b.to_bytes()),
        Ok(Err(e)) if e.is::<http_body_util::LengthLimitError>() => Err(ApiError::BodyTooLarge),
        Ok(Err(_)) => Err(ApiError::Malformed(
            "Malformed request: the body could not be read",
        )),
    }
}

/// A response with what the log line needs.
pub struct Answer {
    /// What is sent.
    pub response: Response<AnswerBody>,
    /// The caller's id, once known.
    pub caller: Option<i64>,
    /// `Ok` or the error answered.
    pub outcome: Result<(), ApiError>,
}

/// Routes and answers a request whose body is already read (the whole request path but the
/// socket; the fuzz target and property tests drive it directly).
pub async fn dispatch(app: &App, raw: RawRequest<'_>) -> Answer {
    let backend: &Backend = &app.backend;
    let fail = |e: ApiError, call, caller| Answer {
        response: error_response(&e, call, false, false).map(AnswerBody::from),
        caller,
        outcome: Err(e),
    };
    let Some((call, path_value)) = route_with_value(raw.path) else {
        let body = raw.body.as_deref().unwrap_or_default();
        if let Some(served) = crate::service::answer(
            &backend.store,
            app.kit.as_ref(),
            raw.method,
            raw.path,
            raw.query,
            raw.headers,
            body,
        )
        .await
        {
            let mut response = match served {
                Served::Json(status, v) => json_response(status, &v),
                Served::JsonBytes(bytes) => {
                    let mut resp = Response::new(Full::new(bytes));
                    resp.headers_mut()
                        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
                    resp
                }
                Served::Busy => {
                    let mut resp = json_response(
                        503,
                        &serde_json::json!({"error": "too many lists of the journal being sent; try again"}),
                    );
                    resp.headers_mut()
                        .insert(RETRY_AFTER, HeaderValue::from_static("1"));
                    resp
                }
                Served::Inspector(ctype, text) => {
                    let mut resp = Response::new(Full::new(Bytes::from_static(text.as_bytes())));
                    let h = resp.headers_mut();
                    h.insert(CONTENT_TYPE, HeaderValue::from_static(ctype));
                    h.insert(
                        "content-security-policy",
                        HeaderValue::from_static(crate::service::INSPECTOR_CSP),
                    );
                    h.insert("x-frame-options", HeaderValue::from_static("DENY"));
                    h.insert("referrer-policy", HeaderValue::from_static("no-referrer"));
                    resp
                }
            };
            if raw.path.starts_with("/_morbox") {
                let h = response.headers_mut();
                h.insert(
                    "x-content-type-options",
                    HeaderValue::from_static("nosniff"),
                );
                h.insert("cache-control", HeaderValue::from_static("no-store"));
            }
            return Answer {
                response: response.map(AnswerBody::from),
                caller: None,
                outcome: Ok(()),
            };
        }
        return fail(ApiError::UnknownMethod, None, None);
    };
    let is_get = match *raw.method {
        Method::GET => true,
        Method::POST => false,
        _ => {
            let mut a = fail(ApiError::MethodNotAllowed, None, None);
            a.response
                .headers_mut()
                .insert(ALLOW, HeaderValue::from_static("GET, POST"));
            return a;
        }
    };
    // A GET's body is not read as parameters, as in the vendor's framework.
    let body = if is_get {
        Ok(Bytes::new())
    } else {
        raw.body.clone()
    };
    let mut params = match body.and_then(|b| Params::from_request(raw.query, raw.content_type, &b))
    {
        Ok(p) => p,
        Err(e) => return fail(e, Some(call), None),
    };
    // A value in the path counts only when the query and body do not name it.
    if let (Some(name), Some(value)) = (call.path_param, path_value)
        && !params.has(name)
    {
        params.set_from_path(name.to_string(), value.to_string());
    }
    let test = params.get("test") == Some("1");
    let journal = app.kit.as_ref().map(|kit| {
        (
            kit,
            crate::kit::journal_params(params.iter_with_source()),
            params
                .get("u")
                .map(|u| u.chars().take(crate::kit::ENTRY_MAX_VALUE).collect()),
            Instant::now(),
        )
    });
    let raw_params = if backend.explain_hash_errors || backend.explain_in_journal {
        let mut r = crate::params::raw_pairs(raw.query.unwrap_or(""));
        if let (false, Ok(b)) = (is_get, &raw.body) {
            r.extend(crate::params::raw_pairs(&String::from_utf8_lossy(b)));
        }
        r
    } else {
        Vec::new()
    };
    let req = ApiRequest {
        call,
        is_get,
        params,
        peer: raw.peer,
        raw: raw_params,
    };
    let Outcome {
        result,
        rest,
        xml_extension,
        caller,
        changed,
        changes,
        explanation,
    } = api::handle(backend, req).await;
    // The outcome and the body as sent, kept only for the journal.
    let sent = journal.as_ref().map(|_| match &result {
        Ok(body) => ("ok".to_string(), body.clone()),
        Err(e) => (e.to_string(), error_body(e, shape_for(e, Some(call)))),
    });
    let answer = match result {
        Ok(body) => Answer {
            response: match (call.body, rest) {
                // An answer sent as it is written: its first piece, then the rest.
                (Body::Xml, Some(rest)) => xml_response(200, Vec::new(), xml_extension, test)
                    .map(|_| AnswerBody::streamed(Bytes::from(body), rest)),
                (Body::Xml, None) => xml_response(200, body, xml_extension, test).map(Into::into),
                (Body::Text, _) => text_response(200, body).map(Into::into),
                (Body::Zip(_), _) if test => {
                    xml_response(200, body, xml_extension, test).map(Into::into)
                }
                (Body::Zip(stem), _) => zip_response(200, body, stem).map(Into::into),
            },
            caller,
            outcome: Ok(()),
        },
        Err(e) => Answer {
            response: error_response(&e, Some(call), xml_extension, test).map(Into::into),
            caller,
            outcome: Err(e),
        },
    };
    if let (Some((kit, params, u, started)), Some((outcome, sent_body))) = (journal, sent) {
        kit.journal.record(crate::kit::Entry {
            id: 0,
            time: crate::dates::now(),
            method: raw.method.to_string(),
            path: shown_path(raw.path).into_owned(),
            call: call.name().to_string(),
            params: params.0,
            params_sent: params.1,
            caller: u,
            caller_id: caller,
            outcome,
            duration_us: started.elapsed().as_micros() as u64,
            changed,
            changes,
            answer: answered(&answer.response, &sent_body),
            explanation,
        });
    }
    answer
}

/// A response as the journal keeps it: status, `Content-Type`, `Content-Disposition`, body
/// (cut at [`crate::kit::ANSWER_MAX`] bytes).
fn answered<B>(resp: &Response<B>, body: &[u8]) -> (u16, String, Option<String>, String) {
    let header = |name| {
        resp.headers()
            .get(name)
            .and_then(|v: &HeaderValue| v.to_str().ok())
            .map(str::to_string)
    };
    let cut = &body[..body.len().min(crate::kit::ANSWER_MAX)];
    (
        resp.status().as_u16(),
        header(CONTENT_TYPE).unwrap_or_default(),
        header(CONTENT_DISPOSITION),
        String::from_utf8_lossy(cut).into_owned(),
    )
}

fn json_response(status: u16, v: &serde_json::Value) -> Response<Full<Bytes>> {
    let mut resp = Response::new(Full::new(Bytes::from(v.to_string())));
    *resp.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
    resp.headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    resp
}

/// The XML of an error in the given wrapper.
pub fn error_body(e: &ApiError, shape: ErrorShape) -> Vec<u8> {
    let text = e.to_string();
    let mut d = Doc::new();
    match shape {
        ErrorShape::Bare => {
            d.leaf("error", &text);
        }
        ErrorShape::Status => {
            d.open("status").leaf("error", &text).close();
        }
        ErrorShape::PageStatus => {
            d.open("page")
                .open("status")
                .leaf("error", &text)
                .close()
                .close();
        }
        ErrorShape::Page => {
            d.open("page").leaf("error", &text);
            for m in e.messages() {
                d.leaf("message", &m.to_string());
            }
            d.close();
        }
        ErrorShape::PagePage => {
            d.open("page")
                .open("page")
                .leaf("error", &text)
                .close()
                .close();
        }
        ErrorShape::Text => return text.into_bytes(),
        ErrorShape::Action => {
            d.open("action")
                .leaf("name", "login")
                .leaf("status", "failed")
                .leaf("status_message", &text)
                .close();
        }
    }
    d.finish().unwrap_or_else(|_| {
        b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<error>Internal error</error>\n".to_vec()
    })
}

/// The wrapper of an error: a gate error's `<status>`, else the call's own; `<error>` alone
/// where no call was reached.
fn shape_for(e: &ApiError, call: Option<Call>) -> ErrorShape {
    match call {
        None => ErrorShape::Bare,
        Some(_) if e.is_gate() => ErrorShape::Status,
        Some(c) => c.shape_of(e),
    }
}

/// The one place an error becomes a response: its status, its wrapper (a gate error's
/// `<status>`, else the call's own; `<error>` alone where no call was reached), the vendor's
/// headers, and `Retry-After` for the lockout.
pub fn error_response(
    e: &ApiError,
    call: Option<Call>,
    xml_ext: bool,
    test: bool,
) -> Response<Full<Bytes>> {
    let shape = shape_for(e, call);
    let zipped = match call.map(|c| c.body) {
        Some(Body::Zip(stem)) if !test && !e.is_gate() => Some(stem),
        _ => None,
    };
    let mut resp = match (shape, zipped) {
        (_, Some(stem)) => zip_response(e.http_status(), error_body(e, shape), stem),
        (ErrorShape::Text, None) => text_response(e.http_status(), error_body(e, shape)),
        _ => xml_response(e.http_status(), error_body(e, shape), xml_ext, test),
    };
    if let ApiError::TooManyFailures(wait) = e {
        resp.headers_mut()
            .insert(RETRY_AFTER, HeaderValue::from(*wait));
    }
    resp
}

/// An XML document as the one file of a ZIP archive, an attachment named after `stem` and
/// the time (`get_tariff_1709251200.xml.zip`).
fn zip_response(status: u16, xml: Vec<u8>, stem: &str) -> Response<Full<Bytes>> {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    let name = format!("{stem}_{now}.xml");
    let archive = match crate::zip::single(&name, &xml, now) {
        Ok(a) => a,
        Err(e) => {
            tracing::error!(error = %e, "zipping an answer");
            return xml_response(
                503,
                error_body(&ApiError::Internal, ErrorShape::Bare),
                false,
                true,
            );
        }
    };
    let mut resp = Response::new(Full::new(Bytes::from(archive)));
    *resp.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
    let h = resp.headers_mut();
    h.insert(CONTENT_TYPE, HeaderValue::from_static("application/zip"));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{name}.zip\"")) {
        h.insert(CONTENT_DISPOSITION, v);
    }
    resp
}

/// A plain-text answer: `text/html`, inline, as the vendor sends its plain-text calls.
fn text_response(status: u16, body: Vec<u8>) -> Response<Full<Bytes>> {
    let mut resp = Response::new(Full::new(Bytes::from(body)));
    *resp.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
    resp.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    resp
}

/// The vendor's headers: `text/html` as an attachment by default, `text/xml` with
/// `XML_API_Extension`, and inline (no `Content-Disposition`) for `test=1`.
fn xml_response(status: u16, body: Vec<u8>, xml_ext: bool, test: bool) -> Response<Full<Bytes>> {
    // Checked once, when compiled (`from_static` checks its bytes each time it runs).
    const XML: [HeaderValue; 2] = [
        HeaderValue::from_static("text/xml; charset=utf-8"),
        HeaderValue::from_static("attachment; filename=\"mor_api_response.xml\""),
    ];
    const HTML: [HeaderValue; 2] = [
        HeaderValue::from_static("text/html; charset=utf-8"),
        HeaderValue::from_static("attachment; filename=\"mor_api_response.html\""),
    ];
    let [ctype, disposition] = if xml_ext { XML } else { HTML };
    let mut resp = Response::new(Full::new(Bytes::from(body)));
    *resp.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
    let h = resp.headers_mut();
    h.insert(CONTENT_TYPE, ctype);
    if !test {
        h.insert(CONTENT_DISPOSITION, disposition);
    }
    resp
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Problem;

    #[test]
    fn routes() {
        let name = |p: &str| route(p).map(|c| c.name());
        assert_eq!(
            name("/billing/api/user_details_get"),
            Some("user_details_get")
        );
        assert_eq!(name("/api/user_details"), Some("user_details_get"));
        assert_eq!(name("/api/user_update_api/"), Some("user_details_update"));
        assert_eq!(
            name("/billing/api/user_details_raw_get"),
            Some("user_details_raw_get")
        );
        assert_eq!(name("/api/nope"), None);
        assert_eq!(name("/user_details_get"), None);
        assert_eq!(name("/api/user_details_get//"), None);
        assert_eq!(
            shown_path("/billing/api/simple_balance/a1b2c3"),
            "/billing/api/simple_balance/***"
        );
        assert_eq!(shown_path("/api/simple_balance"), "/api/simple_balance");
        assert_eq!(shown_path("/api/user_details_get"), "/api/user_details_get");
    }

    #[test]
    fn error_shapes() {
        let s = |shape| String::from_utf8(error_body(&ApiError::UserNotFound, shape)).unwrap();
        assert!(s(ErrorShape::Bare).ends_with("?>\n<error>User was not found</error>\n"));
        assert!(s(ErrorShape::PageStatus).contains(
            "<page>\n  <status>\n    <error>User was not found</error>\n  </status>\n</page>"
        ));
        let e = ApiError::UserNotUpdated(vec![Problem::UsernameTaken, Problem::BadTimeZone]);
        let body = String::from_utf8(error_body(&e, ErrorShape::Page)).unwrap();
        assert!(body.contains(
            "<page>\n  <error>User was not updated</error>\n  <message>Username has already been taken</message>\n  <message>Time zone is not valid</message>\n</page>"
        ));
    }
}
