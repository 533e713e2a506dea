//! False-positive defences for the generic keyword-plus-entropy rules: values
//! that are code, labels, hashes, identifiers, paths or URLs rather than
//! credentials.

/// Name fragments that say a hex value is a digest rather than a secret.
const DIGEST_NAMES: &[&str] = &[
    "hash",
    "sha",
    "md5",
    "digest",
    "checksum",
    "commit",
    "etag",
    "integrity",
    "fingerprint",
    "nonce",
];

/// True when a generic rule's `secret` is not plausibly a credential. `name`
/// is the text before the secret on its line (the name it is assigned to).
pub fn is_implausible_generic_value(secret: &[u8], name: &[u8]) -> bool {
    let s = secret;
    // An identifier, label or dotted path: letters, '_', '.', '-' and no digit
    // (`Password`, `tokenValue`, `config.api_key`, `reset-password`).
    if s.iter()
        .all(|b| b.is_ascii_alphabetic() || matches!(b, b'_' | b'.' | b'-'))
    {
        return true;
    }
    // Code: a call, an index, an operator.
    if s.iter()
        .any(|b| matches!(b, b'(' | b')' | b'[' | b']' | b'{' | b'}' | b'\\'))
    {
        return true;
    }
    let lower = s.to_ascii_lowercase();
    // URLs, data URIs and file paths.
    for p in [
        &b"http://"[..],
        b"https://",
        b"data:",
        b"file:",
        b"/",
        b"./",
        b"../",
        b"~/",
    ] {
        if lower.starts_with(p) {
            return true;
        }
    }
    if is_uuid(s) {
        return true;
    }
    // Hex digests where the name says hash.
    if matches!(s.len(), 32 | 40 | 64 | 128) && s.iter().all(u8::is_ascii_hexdigit) {
        let name = name.to_ascii_lowercase();
        if DIGEST_NAMES
            .iter()
            .any(|d| memchr::memmem::find(&name, d.as_bytes()).is_some())
        {
            return true;
        }
    }
    // Integrity strings (`sha512-…`, `sha256:…`).
    for p in [
        &b"sha1-"[..],
        b"sha256-",
        b"sha384-",
        b"sha512-",
        b"sha256:",
        b"sha1:",
        b"md5:",
    ] {
        if lower.starts_with(p) {
            return true;
        }
    }
    // Boolean and null literals, numbers only, dates.
    if s.iter()
        .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'-' | b':' | b'+' | b'_'))
    {
        return true;
    }
    false
}

fn is_uuid(s: &[u8]) -> bool {
    s.len() == 36
        && s.iter().enumerate().all(|(i, b)| match i {
            8 | 13 | 18 | 23 => *b == b'-',
            _ => b.is_ascii_hexdigit(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn implausible(v: &str) -> bool {
        is_implausible_generic_value(v.as_bytes(), b"token = ")
    }

    #[test]
    fn code_labels_and_paths_are_dropped() {
        for v in [
            "Password",
            "tokenValue",
            "config.api_key",
            "get_secret()",
            "request.form[x]",
            "https://example.org/a",
            "/etc/ssl/key.pem",
            "./secrets.json",
            "123e4567-e89b-12d3-a456-426614174000",
            "sha512-AbCdEf0123456789",
            "2024-01-01",
        ] {
            assert!(implausible(v), "{v}");
        }
    }

    #[test]
    fn hex_needs_a_digest_name_to_be_dropped() {
        let hex = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
        assert!(is_implausible_generic_value(
            hex.as_bytes(),
            format!("token_sha256 = {hex}").as_bytes()
        ));
        assert!(!is_implausible_generic_value(
            hex.as_bytes(),
            format!("api_token = {hex}").as_bytes()
        ));
    }

    #[test]
    fn credentials_pass() {
        for v in [
            "q8Zr2LmX0pVt7Yw4nB6c",
            "Tr0ub4dor&3xyz!",
            "a1b2c3d4e5f6g7h8i9j0",
        ] {
            assert!(!implausible(v), "{v}");
        }
    }
}
