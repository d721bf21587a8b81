//! The rules of values that several calls take: an e-mail address ([`is_email`]). One rule
//! each, so that every call that takes such a value accepts and refuses the same ones.

/// A plausible e-mail address, by the vendor's pattern: `local@domain.tld`, the local part dot
/// separated words of `[A-Za-z0-9_+-]`, the domain two or more labels of `[A-Za-z0-9-]`, the
/// last of 2 to 15 letters. The one e-mail rule of every call that takes an address.
pub fn is_email(v: &str) -> bool {
    let Some((local, domain)) = v.split_once('@') else {
        return false;
    };
    let word = |s: &str, extra: &[char]| {
        !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || extra.contains(&c))
    };
    let labels: Vec<&str> = domain.split('.').collect();
    let tld = labels.last().copied().unwrap_or("");
    local.split('.').all(|p| word(p, &['_', '+', '-']))
        && labels.len() >= 2
        && labels.iter().all(|l| word(l, &['-']))
        && (2..=15).contains(&tld.len())
        && tld.chars().all(|c| c.is_ascii_alphabetic())
}
