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
    "#{",
    "qwerty",
    "fake",
    "sample",
    "notreal",
    "not_real",
    "not-a-real",
];

/// Documented example credentials from providers' own documentation; they are
/// published on purpose and grant nothing.
const DOCUMENTED_EXAMPLES: &[&str] = &[
    // Stripe's documentation test keys.
    "sk_test_4eC39HqLyjWDarjtT1zdp7dc",
    "pk_test_TYooMQauvdEDq54NiTphI7jx",
    "sk_test_BQokikJOvBiI2HlWgH4olfQ2",
    // The signature of the jwt.io introduction token.
    "SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c",
    // Mailgun's documentation key.
    "key-3ax6xnjp29jd6fds4gc373sgvjxteol0",
    // Google's documentation API key.
    "AIzaSyDaGmWKa4JsXZ-HjGw7ISLn_3namBGewQe",
];

/// Delimiters that wrap a variable in build and deployment templates
/// (`__TOKEN__`, `@DB_PASSWORD@`, `%API_KEY%`, `[[secret]]`).
const WRAPPERS: &[(&[u8], &[u8])] = &[
    (b"__", b"__"),
    (b"@", b"@"),
    (b"%", b"%"),
    (b"[[", b"]]"),
    (b"#", b"#"),
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
        .any(|e| contains(secret, e.as_bytes()))
    {
        return true;
    }
    // `$VAR`, `%VAR%`: a shell or Windows environment variable.
    if let [b'$', c, ..] = secret {
        if c.is_ascii_alphabetic() || *c == b'_' {
            return true;
        }
    }
    if WRAPPERS.iter().any(|(open, close)| {
        secret.len() > open.len() + close.len() + 1
            && secret.starts_with(open)
            && secret.ends_with(close)
    }) {
        return true;
    }
    low_variety(secret) || repeats_a_unit(secret) || has_sequential_run(secret, 8)
}

/// Substring test without a searcher's set-up cost, for the few long documented keys.
fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.len() >= needle.len()
        && hay
            .windows(needle.len())
            .any(|w| w[0] == needle[0] && w == needle)
}

/// True when the value is one short unit repeated three or more times (`abcabcabc`).
fn repeats_a_unit(secret: &[u8]) -> bool {
    let n = secret.len();
    n >= 8
        && (1..=n / 3)
            .filter(|u| n % u == 0)
            .any(|u| secret.chunks(u).all(|c| c == &secret[..u]))
}

/// True when the value holds `len` alphanumerics in a row that step by one
/// (`0123456789`, `abcdefgh`, `ZYXWVUTS`).
fn has_sequential_run(secret: &[u8], len: usize) -> bool {
    let mut up = 1;
    let mut down = 1;
    for w in secret.windows(2) {
        let (a, b) = (w[0], w[1]);
        let alnum = a.is_ascii_alphanumeric() && b.is_ascii_alphanumeric();
        up = if alnum && b == a.wrapping_add(1) {
            up + 1
        } else {
            1
        };
        down = if alnum && a == b.wrapping_add(1) {
            down + 1
        } else {
            1
        };
        if up >= len || down >= len {
            return true;
        }
    }
    false
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
            "__DEPLOY_TOKEN__",
            "@DB_PASSWORD@",
            "#{vault.token}",
            "[[api_key]]",
            "fake-token-for-tests",
            "Ab1Ab1Ab1Ab1Ab1",
            "token-ZYXWVUTSRQ",
            "sk_test_4eC39HqLyjWDarjtT1zdp7dc",
            "key-3ax6xnjp29jd6fds4gc373sgvjxteol0",
            "AIzaSyDaGmWKa4JsXZ-HjGw7ISLn_3namBGewQe",
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
            "@user_at_host9x",
            "pa%ss-w0rd-Xy",
            "abc123XYZ789qwe",
        ] {
            assert!(!is_placeholder(p.as_bytes()), "{p}");
        }
    }
}
