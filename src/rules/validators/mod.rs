//! Offline validators: checks of a token's own structure (a checksum, a
//! decodable header, a complete key block). A validator either confirms a
//! match, which the finding reports as `"validated": true`, or rejects it and
//! the match is dropped.
//!
//! One file per validator; each is registered once in [`VALIDATORS`].

mod base64_json;
mod gcp_service_account;
mod github_crc32;
mod jwt;
mod npm_crc32;
mod private_key;
mod pypi_macaroon;

use std::fmt;

/// A named structural check over the secret and the whole match.
#[derive(Clone, Copy)]
pub struct Validator {
    /// The name rules use in `validator = "…"`.
    pub name: &'static str,
    /// What it checks, for `keyfence rules explain`.
    pub summary: &'static str,
    /// Returns true when the structure holds.
    pub check: fn(secret: &[u8], matched: &[u8]) -> bool,
}

impl fmt::Debug for Validator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Validator")
            .field("name", &self.name)
            .finish()
    }
}

/// Every validator, in a fixed order.
pub const VALIDATORS: &[Validator] = &[
    github_crc32::VALIDATOR,
    npm_crc32::VALIDATOR,
    jwt::VALIDATOR,
    private_key::VALIDATOR,
    gcp_service_account::VALIDATOR,
    pypi_macaroon::VALIDATOR,
    base64_json::VALIDATOR,
];

/// Looks a validator up by name.
pub fn by_name(name: &str) -> Option<Validator> {
    VALIDATORS.iter().copied().find(|v| v.name == name)
}

/// Encodes `n` in base62 (`0-9A-Za-z`), left-padded with '0' to `width`.
pub(crate) fn base62(mut n: u64, width: usize) -> String {
    const ALPHABET: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    let mut out = Vec::new();
    while n > 0 {
        out.push(ALPHABET[(n % 62) as usize]);
        n /= 62;
    }
    while out.len() < width {
        out.push(b'0');
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

/// True when `body` is 30 base62 characters followed by the 6-character
/// base62 CRC32 of those 30 (the checksum scheme GitHub and npm tokens share).
pub(crate) fn crc32_base62_tail(body: &[u8]) -> bool {
    if body.len() != 36 || !body.iter().all(u8::is_ascii_alphanumeric) {
        return false;
    }
    let (random, sum) = body.split_at(30);
    base62(u64::from(crc32fast::hash(random)), 6).as_bytes() == sum
}

/// Decodes base64 in either alphabet (standard or URL-safe), with or without
/// `=` padding. `None` for anything else.
pub(crate) fn decode_base64(text: &[u8]) -> Option<Vec<u8>> {
    use base64::engine::general_purpose::{STANDARD_NO_PAD, URL_SAFE_NO_PAD};
    use base64::Engine as _;
    let trimmed = match text.iter().position(|&b| b == b'=') {
        Some(i) if text[i..].iter().all(|&b| b == b'=') && text.len() - i <= 2 => &text[..i],
        Some(_) => return None,
        None => text,
    };
    let url = trimmed.iter().any(|&b| b == b'-' || b == b'_');
    let standard = trimmed.iter().any(|&b| b == b'+' || b == b'/');
    if url && standard {
        return None;
    }
    if url {
        URL_SAFE_NO_PAD.decode(trimmed).ok()
    } else {
        STANDARD_NO_PAD.decode(trimmed).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_validator_is_found_by_its_name_once() {
        for v in VALIDATORS {
            assert_eq!(VALIDATORS.iter().filter(|w| w.name == v.name).count(), 1);
            assert!(by_name(v.name).is_some());
            assert!(!v.summary.is_empty());
        }
        assert!(by_name("no-such-validator").is_none());
    }

    #[test]
    fn base64_in_both_alphabets_with_or_without_padding() {
        assert_eq!(decode_base64(b"aGk="), Some(b"hi".to_vec()));
        assert_eq!(decode_base64(b"aGk"), Some(b"hi".to_vec()));
        assert_eq!(decode_base64(b"-_8"), Some(vec![0xfb, 0xff]));
        assert_eq!(decode_base64(b"+/8="), Some(vec![0xfb, 0xff]));
        assert_eq!(decode_base64(b"+_8"), None);
        assert_eq!(decode_base64(b"a=b"), None);
        assert_eq!(decode_base64(b"a!b"), None);
    }
}
