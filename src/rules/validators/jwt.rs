//! A JSON Web Token (RFC 7519) in the JWS compact serialisation (RFC 7515
//! §7.1): three base64url parts. The header must decode to a JSON object
//! naming its algorithm in a string `alg`; the payload must decode to a JSON
//! object (the claims set); the signature must be valid base64url.

use super::{decode_base64, Validator};

/// The registered validator.
pub const VALIDATOR: Validator = Validator {
    name: "jwt",
    summary: "the header decodes to a JSON object with an \"alg\" string and the payload to a JSON object",
    check,
};

fn check(secret: &[u8], _matched: &[u8]) -> bool {
    let mut parts = secret.split(|&b| b == b'.');
    let (Some(header), Some(payload), Some(signature), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return false;
    };
    let is_base64url = |p: &[u8]| {
        p.iter()
            .all(|&b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    };
    if !is_base64url(header) || !is_base64url(payload) || !is_base64url(signature) {
        return false;
    }
    match decode_base64(signature) {
        Some(s) if !s.is_empty() => {}
        _ => return false,
    }
    let Some(header) = decode_json_object(header) else {
        return false;
    };
    if !header.get("alg").is_some_and(serde_json::Value::is_string) {
        return false;
    }
    decode_json_object(payload).is_some()
}

fn decode_json_object(part: &[u8]) -> Option<serde_json::Map<String, serde_json::Value>> {
    let bytes = decode_base64(part)?;
    match serde_json::from_slice(&bytes).ok()? {
        serde_json::Value::Object(m) => Some(m),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine as _;

    fn jwt(header: &str, payload: &str) -> String {
        format!(
            "{}.{}.{}",
            URL_SAFE_NO_PAD.encode(header),
            URL_SAFE_NO_PAD.encode(payload),
            URL_SAFE_NO_PAD.encode([7u8; 32])
        )
    }

    #[test]
    fn accepts_a_well_formed_token() {
        let t = jwt(
            r#"{"alg":"HS256","typ":"JWT"}"#,
            r#"{"sub":"k2","iat":1700000000}"#,
        );
        assert!(check(t.as_bytes(), b""));
        let t = jwt(r#"{"alg":"RS256","kid":"a"}"#, r#"{}"#);
        assert!(check(t.as_bytes(), b""));
    }

    #[test]
    fn rejects_headers_without_alg_or_not_json() {
        for (h, p) in [
            (r#"{"typ":"JWT"}"#, r#"{"sub":"x"}"#),
            (r#"{"alg":256}"#, r#"{"sub":"x"}"#),
            (r#"["alg"]"#, r#"{"sub":"x"}"#),
            (r#"{"alg":"HS256""#, r#"{"sub":"x"}"#),
            (r#"{"alg":"HS256"}"#, r#"not json"#),
            (r#"{"alg":"HS256"}"#, r#""a string""#),
        ] {
            assert!(!check(jwt(h, p).as_bytes(), b""), "{h} {p}");
        }
    }

    #[test]
    fn rejects_wrong_shapes() {
        let good = jwt(r#"{"alg":"HS256"}"#, r#"{"sub":"x"}"#);
        assert!(!check(format!("{good}.extra").as_bytes(), b""));
        let two: Vec<&str> = good.splitn(3, '.').collect();
        assert!(!check(format!("{}.{}", two[0], two[1]).as_bytes(), b""));
        assert!(!check(format!("{}.{}.a", two[0], two[1]).as_bytes(), b""));
        assert!(!check(
            format!("{}.{}.ab+c", two[0], two[1]).as_bytes(),
            b""
        ));
        assert!(!check(b"eyJhbGciOiJIUzI1NiJ9.e30", b""));
    }
}
