//! The global placeholder filter: values that stand for a secret rather than
//! being one. Applied to every rule's secret.

use aho_corasick::AhoCorasick;
use std::sync::OnceLock;

/// Fragments that mark a value as a template, an environment look-up or a
/// placeholder (compared lowercase).
const MARKERS: &[&str] = &[
    "${",
    "{{",
    "}}",
    "%(",
    "$(",
    "<",
    ">",
    "xxxx",
    "****",
    "...",
    "\u{2026}",
    "changeme",
    "change_me",
    "change-me",
    "placeholder",
    "example",
    "dummy",
    "redacted",
    "your_",
    "your-",
    "yourkey",
    "yourtoken",
    "yoursecret",
    "yourpassword",
    "replace_me",
    "replaceme",
    "insert_",
    "insert-",
    "os.environ",
    "getenv",
    "process.env",
    "env::var",
    "environ[",
    "env[",
    "env.",
    "12345678",
    "abcdefgh",
    "secrets.",
];

/// Documented example credentials from providers' own documentation; they are
/// published on purpose and grant nothing.
const DOCUMENTED_EXAMPLES: &[&str] = &[
    "sk_test_4eC39HqLyjWDarjtT1zdp7dc",
    "SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c",
];

/// True when `secret` is a placeholder, template variable, environment
/// look-up, documented example key, or a value of very low character variety.
pub fn is_placeholder(secret: &[u8]) -> bool {
    static MARKER_SET: OnceLock<Option<AhoCorasick>> = OnceLock::new();
    let markers = MARKER_SET.get_or_init(|| {
        AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .build(MARKERS)
            .ok()
    });
    if markers.as_ref().is_some_and(|m| m.is_match(secret)) {
        return true;
    }
    if DOCUMENTED_EXAMPLES
        .iter()
        .any(|e| memchr::memmem::find(secret, e.as_bytes()).is_some())
    {
        return true;
    }
    // `$VAR`, `%VAR%`: a shell or Windows environment variable.
    if let [b'$', c, ..] = secret {
        if c.is_ascii_alphabetic() || *c == b'_' {
            return true;
        }
    }
    if secret.len() > 2 && secret[0] == b'%' && secret[secret.len() - 1] == b'%' {
        return true;
    }
    low_variety(secret)
}

/// Fewer than four distinct bytes in a value of eight or more, or one byte
/// making up more than half of it.
fn low_variety(secret: &[u8]) -> bool {
    if secret.len() < 8 {
        return false;
    }
    let mut counts = [0u32; 256];
    for &b in secret {
        counts[b as usize] += 1;
    }
    let distinct = counts.iter().filter(|&&c| c > 0).count();
    let max = counts.iter().copied().max().unwrap_or(0) as usize;
    distinct < 4 || max * 2 > secret.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_and_env_lookups() {
        for p in [
            "${API_TOKEN}",
            "{{ token }}",
            "<your-key>",
            "xxxxxxxxxxxxxxxx",
            "changeme123",
            "os.environ[\"X\"]",
            "process.env.TOKEN",
            "$DB_PASSWORD",
            "%API_KEY%",
            "your_api_key_here",
            "AKIAIOSFODNN7EXAMPLE",
            "aaaaaaaaaaaaaaaa",
            "abababababab",
            "sk_live_1234567890abcdef",
            "********",
        ] {
            assert!(is_placeholder(p.as_bytes()), "{p}");
        }
    }

    #[test]
    fn real_looking_values_pass() {
        for p in [
            "q8Zr2LmX0pVt7Yw4",
            "ghp_aB3dE5gH7jK9mN1pQ3sT5vW7yZ9bC1xyz012",
            "s3cr3t-Passw0rd!",
        ] {
            assert!(!is_placeholder(p.as_bytes()), "{p}");
        }
    }
}
