//! How the fuzz target (`fuzz/fuzz_targets/request.rs`) turns bytes into a request, shared with
//! the test that replays the fuzz corpus and crash reproducers, so both read inputs the same way.

use hyper::Method;

/// The paths a fuzz input picks from by its second byte (the calls, aliases and near misses).
pub const PATHS: &[&str] = &[
    "/billing/api/user_details_get",
    "/api/user_details",
    "/billing/api/user_details_raw_get",
    "/api/user_details_update",
    "/billing/api/user_update_api",
    "/api/user_details_get/",
    "/api/unknown",
    "/",
];

/// The content types a fuzz input picks from.
pub const CONTENT_TYPES: &[&str] = &[
    "application/x-www-form-urlencoded",
    "application/json",
    "multipart/form-data; boundary=b",
    "text/plain",
];

/// Splits fuzz bytes into (method, path, query, content type, body): byte 0 picks the method,
/// byte 1 the path, byte 2 the content type; then the query runs to the first newline (only the
/// printable ASCII an HTTP request line can carry); the rest is the body.
pub fn split_input(data: &[u8]) -> (Method, String, Option<String>, Option<String>, Vec<u8>) {
    let byte = |i: usize| data.get(i).copied().unwrap_or(0) as usize;
    let method = match byte(0) % 8 {
        0..=3 => Method::POST,
        4..=6 => Method::GET,
        _ => Method::PUT,
    };
    let path = PATHS[byte(1) % PATHS.len()].to_string();
    let ctype = CONTENT_TYPES[byte(2) % CONTENT_TYPES.len()].to_string();
    let rest = data.get(3..).unwrap_or(&[]);
    let (query, body) = match rest.iter().position(|&b| b == b'\n') {
        Some(i) => (&rest[..i], &rest[i + 1..]),
        None => (rest, &[][..]),
    };
    let query: String = query
        .iter()
        .filter(|b| b.is_ascii_graphic())
        .map(|&b| b as char)
        .collect();
    (method, path, Some(query), Some(ctype), body.to_vec())
}
