//! Offline validators: checks of a token's own structure (a checksum, a
//! decodable header, a complete key block). A validator either confirms a
//! match, which the finding reports as `"validated": true`, or rejects it and
//! the match is dropped.
//!
//! One file per validator; each is registered once in [`VALIDATORS`].

mod github_crc32;

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
pub const VALIDATORS: &[Validator] = &[github_crc32::VALIDATOR];

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
