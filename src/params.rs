//! Request parameters: the query string and, for POST, the body (urlencoded, multipart or a
//! flat JSON object) folded into one ordered set (docs/README.md). Body values override
//! query values; within one source the last duplicate wins. Values are decoded strictly: a
//! broken percent-escape, invalid UTF-8 or a NUL byte is refused rather than guessed at.

use crate::error::ApiError;
use std::collections::HashMap;

/// The decoded parameters of one request, in the order their names first appeared.
#[derive(Debug, Default, Clone)]
pub struct Params {
    items: Vec<(String, String)>,
    /// Name → position, built only once there are more than [`SCAN_UP_TO`] names: a few
    /// names are found faster by looking at each than by hashing.
    index: Option<HashMap<String, usize>>,
    /// Where each item's value came from (`query`, `urlencoded`, `multipart`, `json`, `path`).
    sources: Vec<&'static str>,
    /// The source `set` records (the part of the request being read).
    reading: &'static str,
}

/// The parameters of a urlencoded text as they travelled, not decoded (for explaining a hash
/// made over encoded values).
pub fn raw_pairs(text: &str) -> Vec<(String, String)> {
    text.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (k.to_string(), v.to_string())
        })
        .collect()
}

/// The most names found by a scan; more get the (DoS-resistant, SipHash) index.
const SCAN_UP_TO: usize = 16;

const BAD_ESCAPE: ApiError = ApiError::Malformed("Malformed request: invalid percent-encoding");
const BAD_UTF8: ApiError = ApiError::Malformed("Malformed request: parameters must be UTF-8");
const NUL_BYTE: ApiError = ApiError::Malformed("Malformed request: NUL byte in a parameter");
const BAD_JSON: ApiError =
    ApiError::Malformed("Malformed request: the JSON body must be one flat object");
const BAD_MULTIPART: ApiError = ApiError::Malformed("Malformed request: invalid multipart body");

impl Params {
    /// Parses a request's query string and body into one set.
    pub fn from_request(
        query: Option<&str>,
        content_type: Option<&str>,
        body: &[u8],
    ) -> Result<Params, ApiError> {
        let mut params = Params {
            reading: "query",
            ..Params::default()
        };
        if let Some(q) = query {
            params.add_urlencoded(q.as_bytes())?;
        }
        if body.is_empty() {
            return Ok(params);
        }
        let ct = content_type.unwrap_or("application/x-www-form-urlencoded");
        let mime = ct
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        match mime.as_str() {
            "application/x-www-form-urlencoded" | "" => {
                params.reading = "urlencoded";
                params.add_urlencoded(body)?
            }
            "multipart/form-data" => {
                params.reading = "multipart";
                let boundary = header_param(ct, "boundary").ok_or(BAD_MULTIPART)?;
                params.add_multipart(body, boundary.as_bytes())?;
            }
            m if m == "application/json" || m.ends_with("+json") => {
                params.reading = "json";
                params.add_json(body)?
            }
            // Like the vendor's framework, a body of a type we do not read is ignored.
            _ => {}
        }
        Ok(params)
    }

    /// The value of `name`, if it was sent.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.position(name).map(|i| self.items[i].1.as_str())
    }

    /// Whether `name` was sent at all (with any value).
    pub fn has(&self, name: &str) -> bool {
        self.position(name).is_some()
    }

    fn position(&self, name: &str) -> Option<usize> {
        match &self.index {
            Some(index) => index.get(name).copied(),
            None => self.items.iter().position(|(n, _)| n == name),
        }
    }

    /// Sets `name`, replacing an earlier value but keeping its first position.
    pub fn set(&mut self, name: String, value: String) {
        let source = if self.reading.is_empty() {
            "set"
        } else {
            self.reading
        };
        match self.position(&name) {
            Some(i) => {
                self.items[i].1 = value;
                self.sources[i] = source;
            }
            None => {
                if let Some(index) = &mut self.index {
                    index.insert(name.clone(), self.items.len());
                } else if self.items.len() == SCAN_UP_TO {
                    let mut index: HashMap<String, usize> = self
                        .items
                        .iter()
                        .enumerate()
                        .map(|(i, (n, _))| (n.clone(), i))
                        .collect();
                    index.insert(name.clone(), self.items.len());
                    self.index = Some(index);
                }
                self.items.push((name, value));
                self.sources.push(source);
            }
        }
    }

    /// Sets `name` as read from the request's path.
    pub fn set_from_path(&mut self, name: String, value: String) {
        self.reading = "path";
        self.set(name, value);
    }

    /// All parameters with where each came from, in first-seen order.
    pub fn iter_with_source(&self) -> impl Iterator<Item = (&str, &str, &'static str)> {
        self.items
            .iter()
            .zip(&self.sources)
            .map(|((k, v), s)| (k.as_str(), v.as_str(), *s))
    }

    /// All parameters, in first-seen order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.items.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    fn add_urlencoded(&mut self, bytes: &[u8]) -> Result<(), ApiError> {
        for pair in bytes.split(|&b| b == b'&') {
            if pair.is_empty() {
                continue;
            }
            let (name, value) = match pair.iter().position(|&b| b == b'=') {
                Some(i) => (&pair[..i], &pair[i + 1..]),
                None => (pair, &b""[..]),
            };
            let name = percent_decode(name)?;
            if name.is_empty() {
                continue;
            }
            self.set(name, percent_decode(value)?);
        }
        Ok(())
    }

    fn add_json(&mut self, body: &[u8]) -> Result<(), ApiError> {
        let value: serde_json::Value = serde_json::from_slice(body).map_err(|_| BAD_JSON)?;
        let serde_json::Value::Object(map) = value else {
            return Err(BAD_JSON);
        };
        for (name, v) in map {
            let text = match v {
                serde_json::Value::String(s) => s,
                serde_json::Value::Number(n) => json_number_text(&n),
                serde_json::Value::Bool(b) => if b { "1" } else { "0" }.to_string(),
                // null, arrays and objects count as not sent.
                _ => continue,
            };
            if name.contains('\0') || text.contains('\0') {
                return Err(NUL_BYTE);
            }
            self.set(name, text);
        }
        Ok(())
    }

    fn add_multipart(&mut self, body: &[u8], boundary: &[u8]) -> Result<(), ApiError> {
        if boundary.is_empty() || boundary.len() > 200 {
            return Err(BAD_MULTIPART);
        }
        let mut delim = b"--".to_vec();
        delim.extend_from_slice(boundary);
        let start = find(body, &delim).ok_or(BAD_MULTIPART)?;
        let mut rest = &body[start + delim.len()..];
        let mut next_delim = b"\r\n".to_vec();
        next_delim.extend_from_slice(&delim);
        loop {
            if rest.starts_with(b"--") {
                return Ok(());
            }
            rest = rest.strip_prefix(b"\r\n").ok_or(BAD_MULTIPART)?;
            let head_end = find(rest, b"\r\n\r\n").ok_or(BAD_MULTIPART)?;
            let head = std::str::from_utf8(&rest[..head_end]).map_err(|_| BAD_UTF8)?;
            let content_start = head_end + 4;
            let end = find(&rest[content_start..], &next_delim).ok_or(BAD_MULTIPART)?;
            let content = &rest[content_start..content_start + end];
            let name = head
                .split("\r\n")
                .find_map(|line| {
                    let (h, v) = line.split_once(':')?;
                    h.trim()
                        .eq_ignore_ascii_case("content-disposition")
                        .then(|| header_param(v, "name"))
                        .flatten()
                })
                .ok_or(BAD_MULTIPART)?;
            let value = String::from_utf8(content.to_vec()).map_err(|_| BAD_UTF8)?;
            if name.contains('\0') || value.contains('\0') {
                return Err(NUL_BYTE);
            }
            if !name.is_empty() {
                self.set(name, value);
            }
            rest = &rest[content_start + end + next_delim.len()..];
        }
    }
}

/// A JSON number as the text a client would have sent in a form: integers as they are, of any
/// length (digits past 64 bits kept: the JSON text itself), fractions in their shortest form
/// (`1.50` → `1.5`, `1e3` → `1000`).
fn json_number_text(n: &serde_json::Number) -> String {
    let text = n.to_string();
    let digits = text.strip_prefix('-').unwrap_or(&text);
    if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        return text;
    }
    match n.as_f64() {
        Some(f) => format!("{f}"),
        None => n.to_string(),
    }
}

/// Decodes `application/x-www-form-urlencoded` text: `+` is a space, `%XX` a byte.
fn percent_decode(bytes: &[u8]) -> Result<String, ApiError> {
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let hi = bytes.get(i + 1).and_then(|&b| hex_val(b));
                let lo = bytes.get(i + 2).and_then(|&b| hex_val(b));
                let (Some(hi), Some(lo)) = (hi, lo) else {
                    return Err(BAD_ESCAPE);
                };
                out.push(hi * 16 + lo);
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    if out.contains(&0) {
        return Err(NUL_BYTE);
    }
    String::from_utf8(out).map_err(|_| BAD_UTF8)
}

fn hex_val(b: u8) -> Option<u8> {
    (b as char).to_digit(16).map(|d| d as u8)
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() || haystack.len() < needle.len() {
        return None;
    }
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// A `key=value` or `key="value"` parameter of a header such as Content-Type.
fn header_param(header: &str, key: &str) -> Option<String> {
    header.split(';').skip(1).find_map(|part| {
        let (k, v) = part.split_once('=')?;
        if !k.trim().eq_ignore_ascii_case(key) {
            return None;
        }
        let v = v.trim();
        Some(
            v.strip_prefix('"')
                .and_then(|s| s.strip_suffix('"'))
                .unwrap_or(v)
                .to_string(),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(q: &str, ct: Option<&str>, body: &str) -> Result<Params, ApiError> {
        Params::from_request(Some(q), ct, body.as_bytes())
    }

    #[test]
    fn many_names_are_indexed_and_found_alike() {
        // Past SCAN_UP_TO names the index takes over; every name, early or late, is found,
        // the last duplicate wins and the first position is kept.
        let q: Vec<String> = (0..40).map(|i| format!("p{i}={i}")).collect();
        let p = parse(&q.join("&"), None, "p3=x&p39=y&p40=z").unwrap();
        assert!(p.index.is_some());
        assert_eq!(p.get("p0"), Some("0"));
        assert_eq!(p.get("p3"), Some("x"));
        assert_eq!(p.get("p39"), Some("y"));
        assert_eq!(p.get("p40"), Some("z"));
        assert_eq!(p.get("p41"), None);
        let names: Vec<&str> = p.items.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names[3], "p3");
        assert_eq!(names.len(), 41);
        let few = parse("a=1&b=2&a=3", None, "").unwrap();
        assert!(few.index.is_none());
        assert_eq!(few.get("a"), Some("3"));
    }

    #[test]
    fn decodes_and_last_duplicate_wins() {
        let p = parse("a=1&b=x%20y+z&a=2&&=skip&flag", None, "").unwrap();
        assert_eq!(p.get("a"), Some("2"));
        assert_eq!(p.get("b"), Some("x y z"));
        assert_eq!(p.get("flag"), Some(""));
        assert!(!p.has(""));
        let names: Vec<_> = p.iter().map(|(k, _)| k).collect();
        assert_eq!(names, ["a", "b", "flag"]);
    }

    #[test]
    fn body_overrides_query() {
        let p = parse("u=q&x=1", Some("application/x-www-form-urlencoded"), "u=b").unwrap();
        assert_eq!(p.get("u"), Some("b"));
        assert_eq!(p.get("x"), Some("1"));
    }

    #[test]
    fn refuses_broken_input() {
        assert_eq!(parse("a=%zz", None, "").unwrap_err(), BAD_ESCAPE);
        assert_eq!(parse("a=%4", None, "").unwrap_err(), BAD_ESCAPE);
        assert_eq!(parse("a=%ff", None, "").unwrap_err(), BAD_UTF8);
        assert_eq!(parse("a=%00", None, "").unwrap_err(), NUL_BYTE);
        assert_eq!(
            parse("", Some("application/json"), "[1]").unwrap_err(),
            BAD_JSON
        );
        assert_eq!(
            parse("", Some("application/json"), "{").unwrap_err(),
            BAD_JSON
        );
    }

    #[test]
    fn json_values() {
        let p = parse(
            "",
            Some("application/json; charset=utf-8"),
            r#"{"user_id":2,"u15":1,"credit":1.50,"big":1e3,"t":true,"f":false,"n":null,"a":[1],"s":"x y","huge":123456789012345678901234567890,"neg":-98765432109876543210}"#,
        )
        .unwrap();
        assert_eq!(p.get("user_id"), Some("2"));
        assert_eq!(p.get("huge"), Some("123456789012345678901234567890"));
        assert_eq!(p.get("neg"), Some("-98765432109876543210"));
        assert_eq!(p.get("credit"), Some("1.5"));
        assert_eq!(p.get("big"), Some("1000"));
        assert_eq!(p.get("t"), Some("1"));
        assert_eq!(p.get("f"), Some("0"));
        assert!(!p.has("n") && !p.has("a"));
        assert_eq!(p.get("s"), Some("x y"));
    }

    #[test]
    fn multipart() {
        let body = "--XyZ\r\nContent-Disposition: form-data; name=\"u\"\r\n\r\nadmin\r\n--XyZ\r\ncontent-disposition: form-data; name=\"note\"\r\nContent-Type: text/plain\r\n\r\nline1\r\nline2\r\n--XyZ--\r\n";
        let p = parse("u=q", Some("multipart/form-data; boundary=XyZ"), body).unwrap();
        assert_eq!(p.get("u"), Some("admin"));
        assert_eq!(p.get("note"), Some("line1\r\nline2"));
        assert_eq!(
            parse(
                "",
                Some("multipart/form-data; boundary=XyZ"),
                "--XyZ\r\njunk"
            )
            .unwrap_err(),
            BAD_MULTIPART
        );
        assert_eq!(
            parse("", Some("multipart/form-data"), "x").unwrap_err(),
            BAD_MULTIPART
        );
    }
}
