//! The rules of devices that several calls share (docs/devices.md): the types with their
//! ports and hosts, the caller id rule, the random secret, PIN and IP-authentication name, the
//! values an IP-authenticated device takes. One rule each, so that a registration's device and
//! `device_create`'s are made alike.

use crate::error::ApiError;
use crate::settings::{RESELLERS_DAHDI, RESELLERS_VIRTUAL};

/// A device type: its name (exact case), the port and host a new one gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Kind {
    /// `device_type`.
    pub name: &'static str,
    /// Its default `port`.
    pub port: i64,
    /// A new device's `host`.
    pub host: &'static str,
    /// The system setting that must be 1 for a reseller to create one (`None`: always).
    pub for_resellers: Option<&'static str>,
}

/// Every device type morbox takes, with its default port, a new device's host and what a
/// reseller needs to create one.
pub const KINDS: &[Kind] = &[
    Kind {
        name: "SIP",
        port: 5060,
        host: "dynamic",
        for_resellers: None,
    },
    Kind {
        name: "IAX2",
        port: 4569,
        host: "dynamic",
        for_resellers: None,
    },
    Kind {
        name: "FAX",
        port: 0,
        host: "dynamic",
        for_resellers: None,
    },
    Kind {
        name: "H323",
        port: 1720,
        host: "",
        for_resellers: None,
    },
    Kind {
        name: "Virtual",
        port: 0,
        host: "dynamic",
        for_resellers: Some(RESELLERS_VIRTUAL),
    },
    Kind {
        name: "dahdi",
        port: 0,
        host: "dynamic",
        for_resellers: Some(RESELLERS_DAHDI),
    },
];

/// The type named `name` (exact case).
pub fn kind(name: &str) -> Option<&'static Kind> {
    KINDS.iter().find(|k| k.name == name)
}

/// The default port of a type (0 for one morbox does not know).
pub fn default_port(name: &str) -> i64 {
    kind(name).map_or(0, |k| k.port)
}

/// Whether the type registers with a username and secret (SIP and IAX2).
pub fn has_login(name: &str) -> bool {
    matches!(name, "SIP" | "IAX2")
}

/// A device's caller id from a name and a number, by the vendor's rule: both → `"name"
/// <number>`, the name only → `"name"`, the number only → `<number>`, neither → empty.
pub fn caller_id_of(name: &str, number: &str) -> String {
    match (name.is_empty(), number.is_empty()) {
        (false, false) => format!("\"{name}\" <{number}>"),
        (false, true) => format!("\"{name}\""),
        (true, false) => format!("<{number}>"),
        (true, true) => String::new(),
    }
}

/// The name and number halves of a stored caller id (the inverse of [`caller_id_of`]; text
/// that has neither form counts as a name).
pub fn caller_id_parts(cid: &str) -> (String, String) {
    let cid = cid.trim();
    let (name_part, number) = match (cid.rfind('<'), cid.ends_with('>')) {
        (Some(at), true) => (&cid[..at], cid[at + 1..cid.len() - 1].to_string()),
        _ => (cid, String::new()),
    };
    let name = name_part.trim();
    let name = name
        .strip_prefix('"')
        .and_then(|n| n.strip_suffix('"'))
        .unwrap_or(name);
    (name.to_string(), number)
}

/// The trunk settings a `trunk` value makes: (`istrunk`, `ani`); any other value: neither.
pub const TRUNKS: &[(&str, (i64, i64))] = &[("0", (0, 0)), ("1", (1, 0)), ("2", (1, 1))];

/// The characters of an IP-authenticated device's name after `ipauth` (the vendor's: no
/// `0`, `i`, `l`, `o`, `I`, `O`).
pub const IPAUTH_ALPHABET: &[u8] = b"123456789abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ";

/// A new IP-authenticated device's name: `ipauth` and 8 random characters.
pub fn ipauth_name() -> Result<String, ApiError> {
    Ok(format!("ipauth{}", random(IPAUTH_ALPHABET, 8)?))
}

/// Whether `host` is a dotted IPv4 address (four numbers 0–255, no leading `+` or blanks).
pub fn is_ipv4(host: &str) -> bool {
    host.parse::<std::net::Ipv4Addr>().is_ok()
}

/// Lower-case letters and digits: a secret without strong passwords, a uniquehash.
pub const LOWER_DIGITS: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
/// Letters of both cases and digits: a secret with `Use_strong_password`.
pub const MIXED_DIGITS: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
/// Digits: a PIN.
pub const DIGITS: &[u8] = b"0123456789";

/// The alphabet of a new device's secret.
pub fn secret_alphabet(strong: bool) -> &'static [u8] {
    if strong { MIXED_DIGITS } else { LOWER_DIGITS }
}

/// `n` characters from `alphabet`, from the operating system's random source (uniform:
/// bytes past the last whole multiple of the alphabet are drawn again).
pub fn random(alphabet: &[u8], n: usize) -> Result<String, ApiError> {
    let limit = 256 - 256 % alphabet.len();
    let mut out = String::with_capacity(n);
    while out.len() < n {
        let mut buf = [0u8; 32];
        getrandom::fill(&mut buf).map_err(|_| ApiError::Internal)?;
        for b in buf {
            if out.len() < n && (b as usize) < limit {
                out.push(alphabet[b as usize % alphabet.len()] as char);
            }
        }
    }
    Ok(out)
}

/// A random value `taken` says nobody has yet (100 draws at most).
pub fn unique<E: Into<ApiError>>(
    alphabet: &[u8],
    n: usize,
    mut taken: impl FnMut(&str) -> Result<bool, E>,
) -> Result<String, ApiError> {
    for _ in 0..100 {
        let v = random(alphabet, n)?;
        if !taken(&v).map_err(Into::into)? {
            return Ok(v);
        }
    }
    Err(ApiError::Internal)
}

/// Whether a value is made of digits and blanks only (the vendor's numeric test of a PIN and a
/// call timeout).
pub fn digits_and_spaces(v: &str) -> bool {
    v.bytes().all(|b| b.is_ascii_digit() || b == b' ')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caller_ids_both_ways() {
        for (name, number) in [
            ("Alice", "37060000001"),
            ("Alice", ""),
            ("", "3706"),
            ("", ""),
        ] {
            let cid = caller_id_of(name, number);
            assert_eq!(
                caller_id_parts(&cid),
                (name.to_string(), number.to_string())
            );
        }
        assert_eq!(caller_id_of("A", "1"), "\"A\" <1>");
    }

    #[test]
    fn random_values_use_their_alphabet() {
        let v = random(DIGITS, 6).unwrap();
        assert_eq!(v.len(), 6);
        assert!(v.bytes().all(|b| b.is_ascii_digit()));
        assert_ne!(
            random(LOWER_DIGITS, 12).unwrap(),
            random(LOWER_DIGITS, 12).unwrap()
        );
        let name = ipauth_name().unwrap();
        assert!(name.starts_with("ipauth") && name.len() == 14);
        assert!(name[6..].bytes().all(|b| IPAUTH_ALPHABET.contains(&b)));
    }

    #[test]
    fn hosts() {
        assert!(is_ipv4("192.168.5.20"));
        for bad in ["dynamic", "192.168.5", "256.1.1.1", " 1.2.3.4", "::1", ""] {
            assert!(!is_ipv4(bad), "{bad}");
        }
    }
}
