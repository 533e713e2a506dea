//! Tokens that carry a base64-encoded JSON object after their prefix (for
//! example `sntrys_eyJ…_…` or `glc_eyJ…`): the run of base64 characters that
//! starts at `eyJ` (the encoding of `{"`) must decode to a JSON object. A
//! trailing `_`-separated part is allowed after it.

use super::{decode_base64, Validator};

/// The registered validator.
pub const VALIDATOR: Validator = Validator {
    name: "base64-json",
    summary: "the base64 part starting at eyJ decodes to a JSON object",
    check,
};

fn check(secret: &[u8], _matched: &[u8]) -> bool {
    let Some(start) = memchr::memmem::find(secret, b"eyJ") else {
        return false;
    };
    let run = &secret[start..];
    let len = run
        .iter()
        .position(|&b| {
            !(b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'=' | b'-' | b'_'))
        })
        .unwrap_or(run.len());
    let run = &run[..len];
    // The payload ends at the end of the run or at one of its '_' separators.
    let ends = memchr::memchr_iter(b'_', run).chain(std::iter::once(run.len()));
    ends.into_iter().any(|end| {
        decode_base64(&run[..end]).is_some_and(|bytes| {
            matches!(
                serde_json::from_slice::<serde_json::Value>(&bytes),
                Ok(serde_json::Value::Object(_))
            )
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
    use base64::Engine as _;

    #[test]
    fn accepts_an_embedded_object_with_or_without_a_suffix() {
        let payload =
            STANDARD.encode(r#"{"iat":1700000000,"url":"https://s.example","org":"acme"}"#);
        assert!(check(
            format!("sntrys_{payload}_Q2lmZ3h5ZXJ0dWlvcGFzZGZnaGprbA").as_bytes(),
            b""
        ));
        let payload = STANDARD.encode(r#"{"o":"1","n":"stack-1-write","k":"K3y","m":{"r":"us"}}"#);
        assert!(check(format!("glc_{payload}").as_bytes(), b""));
        let payload = URL_SAFE_NO_PAD.encode(r#"{"o":"1","n":"a-b","k":"K3y"}"#);
        assert!(check(format!("glc_{payload}").as_bytes(), b""));
    }

    #[test]
    fn rejects_payloads_that_are_not_json_objects() {
        let not_json = STANDARD.encode(r#"{"o":"1","n":"#);
        assert!(!check(format!("glc_{not_json}").as_bytes(), b""));
        let array = STANDARD.encode(r#"["o"]"#);
        assert!(!check(format!("glc_{array}").as_bytes(), b""));
        assert!(!check(b"glc_eyJAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", b""));
        assert!(!check(b"sntrys_nothing_here", b""));
    }
}
