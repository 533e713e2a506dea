//! The finding: what every source, rule and lint produces and every reporter
//! prints. Holds the plaintext secret in memory only; every output uses the
//! redacted form and the hashes unless the user asks for `--show-secrets`.
//!
//! Fingerprints (see the README's "Fingerprints" section):
//! - secret fingerprint = SHA-256 of `rule_id`, NUL, the secret's SHA-256 hex;
//! - location fingerprint = SHA-256 of the secret fingerprint, NUL, the path.

use crate::severity::{Confidence, Severity};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::fmt;

/// Whether a finding is a leaked secret or a hygiene/rotation lint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// A credential found in content.
    Secret,
    /// A lint rule about the repository.
    Lint,
}

/// A plaintext secret. Its `Debug` never shows the value; only
/// [`Secret::expose`] does.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Secret(String);

impl Secret {
    /// Wraps a plaintext value.
    pub fn new(value: impl Into<String>) -> Secret {
        Secret(value.into())
    }

    /// The plaintext. Only reporters honouring `--show-secrets` may print it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// A short prefix and the length: `ghp_Ab…(40)`. Never more than a sixth
    /// of the value (and at most six characters) is shown.
    pub fn redacted(&self) -> String {
        redact(&self.0)
    }

    /// Hex SHA-256 of the plaintext.
    pub fn sha256(&self) -> String {
        hex::encode(Sha256::digest(self.0.as_bytes()))
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Secret({})", self.redacted())
    }
}

/// Redacts a value: a short prefix of printable characters and the length in characters.
pub fn redact(value: &str) -> String {
    let n = value.chars().count();
    let shown = (n / 6).min(6);
    let prefix: String = value
        .chars()
        .take(shown)
        .map(|c| if c.is_control() { '?' } else { c })
        .collect();
    format!("{prefix}\u{2026}({n})")
}

/// Where a history finding came from.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct CommitInfo {
    /// Commit id (hex).
    pub id: String,
    /// Author name.
    pub author_name: String,
    /// Author email.
    pub author_email: String,
    /// Author date, RFC 3339.
    pub date: String,
    /// The path in that commit's tree.
    pub path: String,
}

/// One reported problem.
#[derive(Debug, Clone)]
pub struct Finding {
    /// Stable rule or lint id.
    pub rule_id: String,
    /// Secret or lint.
    pub kind: Kind,
    /// Severity.
    pub severity: Severity,
    /// Confidence.
    pub confidence: Confidence,
    /// `Some(true)` when an offline validator accepted it; `None` when the rule has none.
    pub validated: Option<bool>,
    /// Path relative to the scanned root, '/' separators; `-` for stdin.
    pub path: String,
    /// 1-based line of the secret's start.
    pub line: usize,
    /// 1-based column (in characters) of the secret's start.
    pub column: usize,
    /// 1-based line of the secret's end.
    pub end_line: usize,
    /// 1-based column just past the secret's last character.
    pub end_column: usize,
    /// The plaintext, for secret findings.
    pub secret: Option<Secret>,
    /// Secret fingerprint (rule id + secret hash); for lints, rule id + subject.
    pub fingerprint: String,
    /// Location fingerprint (fingerprint + path).
    pub location_fingerprint: String,
    /// The commit that first introduced it (history scans).
    pub commit: Option<CommitInfo>,
    /// Every other commit and path carrying it (`--all-occurrences`).
    pub occurrences: Vec<CommitInfo>,
    /// Human message (the rule name, or the lint's message).
    pub message: String,
}

/// Hex SHA-256 over parts joined by NUL bytes.
pub fn hash_parts(parts: &[&str]) -> String {
    let mut h = Sha256::new();
    for (i, p) in parts.iter().enumerate() {
        if i > 0 {
            h.update([0u8]);
        }
        h.update(p.as_bytes());
    }
    hex::encode(h.finalize())
}

impl Finding {
    /// The secret fingerprint for a rule and a secret's SHA-256.
    pub fn secret_fingerprint(rule_id: &str, secret_sha256: &str) -> String {
        hash_parts(&[rule_id, secret_sha256])
    }

    /// The location fingerprint for a secret fingerprint and a path.
    pub fn location_fingerprint_for(fingerprint: &str, path: &str) -> String {
        hash_parts(&[fingerprint, path])
    }

    /// Recomputes the location fingerprint after the path changed.
    pub fn set_path(&mut self, path: String) {
        self.location_fingerprint = Finding::location_fingerprint_for(&self.fingerprint, &path);
        self.path = path;
    }

    /// The redacted secret, or `None` for lints.
    pub fn secret_redacted(&self) -> Option<String> {
        self.secret.as_ref().map(Secret::redacted)
    }

    /// Hex SHA-256 of the secret, or `None` for lints.
    pub fn secret_sha256(&self) -> Option<String> {
        self.secret.as_ref().map(Secret::sha256)
    }

    /// A lint finding about `path`; `subject` distinguishes several findings of
    /// one lint on one path (a key name, a line) and feeds the fingerprint.
    pub fn lint(
        rule_id: &str,
        severity: Severity,
        path: &str,
        line: usize,
        subject: &str,
        message: String,
    ) -> Finding {
        let fingerprint = hash_parts(&[rule_id, subject]);
        Finding {
            rule_id: rule_id.to_string(),
            kind: Kind::Lint,
            severity,
            confidence: Confidence::High,
            validated: None,
            path: path.to_string(),
            line: line.max(1),
            column: 1,
            end_line: line.max(1),
            end_column: 1,
            secret: None,
            location_fingerprint: Finding::location_fingerprint_for(&fingerprint, path),
            fingerprint,
            commit: None,
            occurrences: Vec::new(),
            message,
        }
    }

    /// The ordering every report uses: path, line, column, rule id.
    pub fn sort_key(&self) -> (&str, usize, usize, &str) {
        (&self.path, self.line, self.column, &self.rule_id)
    }
}

/// Sorts findings by path, line, column, rule id (then commit) so output is deterministic.
pub fn sort_findings(findings: &mut [Finding]) {
    findings.sort_by(|a, b| {
        a.sort_key()
            .cmp(&b.sort_key())
            .then_with(|| a.commit.cmp(&b.commit))
            .then_with(|| a.fingerprint.cmp(&b.fingerprint))
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redaction_shows_at_most_a_sixth() {
        assert_eq!(
            redact("ghp_aB3dE5gH7jK9mN1pQ3sT5vW7yZ9bC1xyz012"),
            "ghp_aB\u{2026}(40)"
        );
        assert_eq!(redact("hunter2hunter"), "hu\u{2026}(13)");
        assert_eq!(redact("abc"), "\u{2026}(3)");
        assert_eq!(redact("a\nbcdefghijkl"), "a?\u{2026}(13)");
    }

    #[test]
    fn limit_per_path_keeps_the_first_of_each_path() {
        let f =
            |path: &str, line| Finding::lint("r", Severity::Low, path, line, "s", String::new());
        let mut fs = vec![f("a", 1), f("a", 2), f("a", 3), f("b", 1), f("b", 2)];
        let mut summary = Summary::default();
        limit_per_path(&mut fs, 2, &mut summary);
        let kept: Vec<(&str, usize)> = fs.iter().map(|f| (f.path.as_str(), f.line)).collect();
        assert_eq!(kept, vec![("a", 1), ("a", 2), ("b", 1), ("b", 2)]);
        assert_eq!((summary.findings, summary.findings_not_shown), (4, 1));
        assert_eq!(summary.notes.len(), 1);
        assert!(summary.notes[0].starts_with("a: 1 more finding not shown"));
    }

    #[test]
    fn debug_never_shows_the_plaintext() {
        let s = Secret::new("q8Zr2LmX0pVt7Yw4nB6cQ8zR");
        assert!(!format!("{s:?}").contains("q8Zr2LmX0pVt7Yw4nB6cQ8zR"));
    }

    #[test]
    fn fingerprints_depend_on_rule_secret_and_path() {
        let a = Finding::secret_fingerprint("r1", "h");
        assert_ne!(a, Finding::secret_fingerprint("r2", "h"));
        assert_ne!(
            Finding::location_fingerprint_for(&a, "x"),
            Finding::location_fingerprint_for(&a, "y")
        );
        assert_eq!(a, Finding::secret_fingerprint("r1", "h"));
    }
}

/// Keeps the first `max` findings of each path (0: all), in the order given
/// (sorted, so the first in the file), and counts the others in `summary`
/// (`findings_not_shown`, a note per path, `findings`). For sources that
/// collect every finding before reporting (history, the index); a directory
/// scan applies the same limit as it goes.
pub fn limit_per_path(findings: &mut Vec<Finding>, max: usize, summary: &mut Summary) {
    if max == 0 {
        return;
    }
    let mut counts: std::collections::BTreeMap<String, usize> = Default::default();
    findings.retain(|f| {
        let n = counts.entry(f.path.clone()).or_default();
        *n += 1;
        *n <= max
    });
    for (path, n) in counts {
        if n > max {
            let more = n - max;
            summary.findings_not_shown += more as u64;
            summary.notes.push(format!(
                "{path}: {more} more finding{} not shown (at most {max} per file; see --max-findings-per-file)",
                if more == 1 { "" } else { "s" }
            ));
        }
    }
    summary.findings = findings.len() as u64;
}

/// Files skipped, by reason.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Skipped {
    /// A NUL byte in the first 8 KiB.
    pub binary: u64,
    /// Larger than the size limit.
    pub too_large: u64,
    /// Could not be read (permissions, vanished, I/O error).
    pub unreadable: u64,
    /// Symbolic links (never followed).
    pub symlink: u64,
    /// FIFOs, sockets and devices.
    pub special: u64,
    /// Git LFS pointer files and submodule entries (history and index scans).
    pub lfs_pointer: u64,
}

/// What a scan covered.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    /// Files (or blobs) whose content was scanned.
    pub files_scanned: u64,
    /// Bytes scanned.
    pub bytes_scanned: u64,
    /// Findings reported.
    pub findings: u64,
    /// Findings found but left out of the report (past the per-file limit).
    #[serde(default)]
    pub findings_not_shown: u64,
    /// Skipped inputs, by reason.
    pub skipped: Skipped,
    /// Wall time.
    pub duration_ms: u64,
    /// Problems that did not stop the scan (`path: problem`).
    pub errors: Vec<String>,
    /// Things the user should know that are not errors (`path: 37 more findings not shown`).
    #[serde(default)]
    pub notes: Vec<String>,
    /// Baseline entries no finding matched (`--report-unused`); absent when empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub baseline_unused: Vec<UnusedEntry>,
}

/// A baseline entry that no finding of a scan matched.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnusedEntry {
    /// The entry's location fingerprint.
    pub fingerprint: String,
    /// Its rule id.
    pub rule_id: String,
    /// Its path.
    pub path: String,
    /// Its review status (`unreviewed`, `false-positive`, `accepted-risk`, `revoked`).
    pub status: String,
}

impl Summary {
    /// Adds another partial summary into this one.
    pub fn merge(&mut self, o: &Summary) {
        self.files_scanned += o.files_scanned;
        self.bytes_scanned += o.bytes_scanned;
        self.findings += o.findings;
        self.findings_not_shown += o.findings_not_shown;
        self.skipped.binary += o.skipped.binary;
        self.skipped.too_large += o.skipped.too_large;
        self.skipped.unreadable += o.skipped.unreadable;
        self.skipped.symlink += o.skipped.symlink;
        self.skipped.special += o.skipped.special;
        self.skipped.lfs_pointer += o.skipped.lfs_pointer;
        self.errors.extend(o.errors.iter().cloned());
        self.notes.extend(o.notes.iter().cloned());
        self.baseline_unused
            .extend(o.baseline_unused.iter().cloned());
    }
}
