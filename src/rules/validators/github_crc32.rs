//! GitHub's `ghp_`, `gho_`, `ghu_`, `ghs_` and `ghr_` tokens end in six base62
//! characters that encode the CRC32 of the thirty random characters before
//! them.

use super::{base62, Validator};

/// The registered validator.
pub const VALIDATOR: Validator = Validator {
    name: "github-crc32",
    summary:
        "the last 6 base62 characters are the CRC32 of the 30 random characters after the prefix",
    check,
};

fn check(secret: &[u8], _matched: &[u8]) -> bool {
    let Some(body) = secret.get(4..) else {
        return false;
    };
    if secret.len() != 40 || &secret[..2] != b"gh" || secret[3] != b'_' {
        return false;
    }
    let (random, sum) = body.split_at(30);
    base62(u64::from(crc32fast::hash(random)), 6).as_bytes() == sum
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token(prefix: &str, random: &str) -> String {
        let sum = base62(u64::from(crc32fast::hash(random.as_bytes())), 6);
        format!("{prefix}{random}{sum}")
    }

    #[test]
    fn accepts_a_correct_checksum_and_rejects_a_wrong_one() {
        let good = token("ghp_", "aB3dE5gH7jK9mN1pQ3sT5vW7yZ9bC1");
        assert!(check(good.as_bytes(), b""));
        let mut bad = good.clone().into_bytes();
        bad[39] = if bad[39] == b'A' { b'B' } else { b'A' };
        assert!(!check(&bad, b""));
        assert!(!check(b"ghp_short", b""));
    }
}
