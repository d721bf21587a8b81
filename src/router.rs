//! (method, path) → call; the request body → parameters; and the one place an outcome, error or
//! not, becomes an HTTP response with the vendor's headers and XML wrapper.

use crate::api::{self, ApiRequest, Call, ErrorShape, Outcome};
use crate::error::ApiError;
use crate::params::Params;
use crate::store::Store;
use crate::xml::Doc;
use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::header::{ALLOW, CONTENT_DISPOSITION, CONTENT_TYPE, HeaderValue};
use hyper::{Method, Request, Response, StatusCode};
use std::sync::Arc;
use std::time::Instant;

/// The path prefixes the vendor serves the API under.
const PREFIXES: &[&str] = &["/billing/api/", "/api/"];

/// What the router needs besides the request.
pub struct App {
    /// The database.
    pub store: Arc<Store>,
    /// The largest body accepted, in bytes.
    pub body_limit: usize,
}

/// The call a path names, if any: `/billing/api/NAME` or `/api/NAME`, one trailing `/` allowed.
pub fn route(path: &str) -> Option<Call> {
    let name = PREFIXES.iter().find_map(|p| path.strip_prefix(p))?;
    let name = name.strip_suffix('/').unwrap_or(name);
    Call::from_name(name)
}

/// Answers one HTTP request. Never fails: every problem becomes an XML answer.
pub async fn respond(app: Arc<App>, req: Request<Incoming>) -> Response<Full<Bytes>> {
    let started = Instant::now();
    let method = req.method().clone();
    let path = req.uri().path().to_string();
    let call = route(&path);
    let (response, caller, outcome_text) = match answer(&app, req, call).await {
        Ok((resp, caller)) => (resp, caller, "ok".to_string()),
        Err((resp, caller, err)) => (resp, caller, err.to_string()),
    };
    tracing::info!(
        method = %method,
        path = %path,
        call = call.map_or("-", Call::name),
        caller = caller.map_or_else(|| "-".to_string(), |c| c.to_string()),
        outcome = %outcome_text,
        status = response.status().as_u16(),
        us = started.elapsed().as_micros() as u64,
        "request"
    );
    response
}

type Answered =
    Result<(Response<Full<Bytes>>, Option<i64>), (Response<Full<Bytes>>, Option<i64>, ApiError)>;

async fn answer(app: &App, req: Request<Incoming>, call: Option<Call>) -> Answered {
    let Some(call) = call else {
        let e = ApiError::UnknownMethod;
        return Err((error_response(&e, ErrorShape::Bare, false, false), None, e));
    };
    let is_get = match *req.method() {
        Method::GET => true,
        Method::POST => false,
        _ => {
            let e = ApiError::MethodNotAllowed;
            let mut resp = error_response(&e, ErrorShape::Bare, false, false);
            resp.headers_mut()
                .insert(ALLOW, HeaderValue::from_static("GET, POST"));
            return Err((resp, None, e));
        }
    };
    let params = match read_params(req, is_get, app.body_limit).await {
        Ok(p) => p,
        Err(e) => {
            return Err((
                error_response(&e, ErrorShape::Status, false, false),
                None,
                e,
            ));
        }
    };
    let test = params.get("test") == Some("1");
    let Outcome {
        result,
        xml_extension,
        caller,
    } = api::handle(
        &app.store,
        ApiRequest {
            call,
            is_get,
            params,
        },
    )
    .await;
    match result {
        Ok(body) => Ok((xml_response(200, body, xml_extension, test), caller)),
        Err(e) => {
            let shape = if e.is_gate() {
                ErrorShape::Status
            } else {
                call.spec().errors
            };
            Err((error_response(&e, shape, xml_extension, test), caller, e))
        }
    }
}

async fn read_params(
    req: Request<Incoming>,
    is_get: bool,
    limit: usize,
) -> Result<Params, ApiError> {
    let query = req.uri().query().map(str::to_string);
    let content_type = req
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    // A GET's body is not read as parameters, as in the vendor's framework.
    let body = if is_get {
        Bytes::new()
    } else {
        match Limited::new(req.into_body(), limit).collect().await {
            Ok(b) => b.to_bytes(),
            Err(e) if e.is::<http_body_util::LengthLimitError>() => {
                return Err(ApiError::BodyTooLarge);
            }
            Err(_) => {
                return Err(ApiError::Malformed(
                    "Malformed request: the body could not be read",
                ));
            }
        }
    };
    Params::from_request(query.as_deref(), content_type.as_deref(), &body)
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
    }
    d.finish().unwrap_or_else(|_| {
        b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<error>Internal error</error>\n".to_vec()
    })
}

fn error_response(
    e: &ApiError,
    shape: ErrorShape,
    xml_ext: bool,
    test: bool,
) -> Response<Full<Bytes>> {
    xml_response(e.http_status(), error_body(e, shape), xml_ext, test)
}

/// The vendor's headers: `text/html` as an attachment by default, `text/xml` with
/// `XML_API_Extension`, and inline (no `Content-Disposition`) for `test=1`.
fn xml_response(status: u16, body: Vec<u8>, xml_ext: bool, test: bool) -> Response<Full<Bytes>> {
    let (ctype, disposition) = if xml_ext {
        (
            "text/xml; charset=utf-8",
            "attachment; filename=\"mor_api_response.xml\"",
        )
    } else {
        (
            "text/html; charset=utf-8",
            "attachment; filename=\"mor_api_response.html\"",
        )
    };
    let mut resp = Response::new(Full::new(Bytes::from(body)));
    *resp.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
    let h = resp.headers_mut();
    h.insert(CONTENT_TYPE, HeaderValue::from_static(ctype));
    if !test {
        h.insert(CONTENT_DISPOSITION, HeaderValue::from_static(disposition));
    }
    resp
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Problem;

    #[test]
    fn routes() {
        assert_eq!(
            route("/billing/api/user_details_get"),
            Some(Call::UserDetailsGet)
        );
        assert_eq!(route("/api/user_details"), Some(Call::UserDetailsGet));
        assert_eq!(
            route("/api/user_update_api/"),
            Some(Call::UserDetailsUpdate)
        );
        assert_eq!(
            route("/billing/api/user_details_raw_get"),
            Some(Call::UserDetailsRawGet)
        );
        assert_eq!(route("/api/nope"), None);
        assert_eq!(route("/user_details_get"), None);
        assert_eq!(route("/api/user_details_get//"), None);
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
