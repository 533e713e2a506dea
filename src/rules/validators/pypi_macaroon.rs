//! PyPI API tokens are `pypi-` followed by a macaroon in the version 2 binary
//! serialisation, base64url-encoded: a version byte `2`, then the location
//! field (type 1, a varint length, the bytes: `pypi.org` or `test.pypi.org`),
//! then the identifier field (type 2).

use super::{decode_base64, Validator};

/// The registered validator.
pub const VALIDATOR: Validator = Validator {
    name: "pypi-macaroon",
    summary: "the part after pypi- decodes to a version-2 macaroon whose location is a PyPI host",
    check,
};

fn check(secret: &[u8], _matched: &[u8]) -> bool {
    let Some(body) = secret.strip_prefix(b"pypi-") else {
        return false;
    };
    let Some(m) = decode_base64(body) else {
        return false;
    };
    let [2, 1, len, rest @ ..] = m.as_slice() else {
        return false;
    };
    let len = usize::from(*len);
    if len >= 0x80 || rest.len() <= len {
        return false;
    }
    let (location, rest) = rest.split_at(len);
    location.ends_with(b"pypi.org") && rest.first() == Some(&2)
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine as _;

    fn token(location: &[u8], identifier_field: u8) -> String {
        let mut m = vec![2, 1, location.len() as u8];
        m.extend_from_slice(location);
        m.extend_from_slice(&[identifier_field, 32]);
        m.extend((0..32u8).map(|i| i.wrapping_mul(37)));
        m.extend_from_slice(&[0, 0, 6, 32]);
        m.extend((0..32u8).map(|i| i.wrapping_mul(11)));
        format!("pypi-{}", URL_SAFE_NO_PAD.encode(m))
    }

    #[test]
    fn accepts_pypi_macaroons() {
        let t = token(b"pypi.org", 2);
        assert!(t.starts_with("pypi-AgEIcHlwaS5vcmc"), "{t}");
        assert!(check(t.as_bytes(), b""));
        assert!(check(token(b"test.pypi.org", 2).as_bytes(), b""));
    }

    #[test]
    fn rejects_other_structures() {
        assert!(!check(token(b"example.org", 2).as_bytes(), b""));
        assert!(!check(token(b"pypi.org", 4).as_bytes(), b""));
        assert!(!check(b"pypi-AgEIcHlwaS5vcmc", b""));
        assert!(!check(b"pypi-not base64!", b""));
        assert!(!check(b"AgEIcHlwaS5vcmcCJDAwMDAwMDAw", b""));
    }
}
