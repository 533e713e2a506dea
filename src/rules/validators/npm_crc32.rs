//! npm access tokens (`npm_`) follow GitHub's token format: thirty random
//! base62 characters and six more encoding their CRC32 in base62.

use super::{crc32_base62_tail, Validator};

/// The registered validator.
pub const VALIDATOR: Validator = Validator {
    name: "npm-crc32",
    summary: "the last 6 base62 characters of an npm_ token are the CRC32 of the 30 random characters before them",
    check,
};

fn check(secret: &[u8], _matched: &[u8]) -> bool {
    secret.strip_prefix(b"npm_").is_some_and(crc32_base62_tail)
}

#[cfg(test)]
mod tests {
    use super::super::base62;
    use super::*;

    #[test]
    fn accepts_a_correct_checksum_and_rejects_a_wrong_one() {
        let random = "Zr8mQ2xLp4Vt6Yw9nB1cD3fG5hJ7kL";
        let sum = base62(u64::from(crc32fast::hash(random.as_bytes())), 6);
        let good = format!("npm_{random}{sum}");
        assert!(check(good.as_bytes(), b""));
        let mut bad = good.clone().into_bytes();
        bad[10] = if bad[10] == b'a' { b'b' } else { b'a' };
        assert!(!check(&bad, b""));
        assert!(!check(format!("ghp_{random}{sum}").as_bytes(), b""));
        assert!(!check(b"npm_short", b""));
        assert!(!check(format!("npm_{random}{sum}x").as_bytes(), b""));
    }
}
