//! Inline allow comments on the line of a finding or the line above:
//! `keyfence:allow` (optionally with rule ids and a `reason="…"`), and the
//! markers teams bring from other tools (`pragma: allowlist secret`,
//! `gitleaks:allow`) so a migrating repository keeps working.

/// Markers that allow every rule on their line (or the next one).
pub const INLINE_MARKERS: &[&str] = &[
    "keyfence:allow",
    "pragma: allowlist secret",
    "gitleaks:allow",
];

/// True when `line` or `prev_line` carries a marker that allows `rule_id`.
pub fn inline_allows(rule_id: &str, line: &[u8], prev_line: &[u8]) -> bool {
    allows(rule_id, line) || allows(rule_id, prev_line)
}

fn allows(rule_id: &str, line: &[u8]) -> bool {
    if line.is_empty() || memchr::memchr3(b'k', b'p', b'g', line).is_none() {
        return false;
    }
    let text = String::from_utf8_lossy(line);
    if INLINE_MARKERS[1..].iter().any(|m| text.contains(m)) {
        return true;
    }
    let mut rest: &str = &text;
    while let Some(i) = rest.find(INLINE_MARKERS[0]) {
        let after = &rest[i + INLINE_MARKERS[0].len()..];
        // Words after the marker up to a reason or the end: rule ids.
        let ids: Vec<&str> = after
            .split_whitespace()
            .take_while(|w| !w.starts_with("reason=") && is_rule_id(w))
            .collect();
        if ids.is_empty() || ids.iter().any(|id| id.trim_end_matches(',') == rule_id) {
            return true;
        }
        rest = after;
    }
    false
}

fn is_rule_id(w: &str) -> bool {
    let w = w.trim_end_matches(',');
    !w.is_empty()
        && w.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markers() {
        assert!(inline_allows("github-pat", b"x = 1 # keyfence:allow", b""));
        assert!(inline_allows(
            "github-pat",
            b"x = 1 # keyfence:allow github-pat reason=\"test fixture\"",
            b""
        ));
        assert!(!inline_allows(
            "aws-access-key-id",
            b"x = 1 # keyfence:allow github-pat reason=\"x\"",
            b""
        ));
        assert!(inline_allows(
            "aws-access-key-id",
            b"x = 1",
            b"// keyfence:allow"
        ));
        assert!(inline_allows(
            "r",
            b"k = 'v'  # pragma: allowlist secret",
            b""
        ));
        assert!(inline_allows("r", b"k = 'v'  // gitleaks:allow", b""));
        assert!(!inline_allows("r", b"k = 'v'", b"other"));
        assert!(inline_allows(
            "b-rule",
            b"# keyfence:allow a-rule, b-rule",
            b""
        ));
    }
}
