//! Importing other tools' records of accepted findings into the baseline:
//! detect-secrets' `.secrets.baseline` and gitleaks' `.gitleaksignore`.
//!
//! Takes the file's text and the findings of a scan of the same tree; gives
//! baseline entries for every foreign entry that maps to a keyfence finding,
//! and the reason for every one that does not.

use super::baseline::{BaselineError, Entry, Status};
use crate::finding::Finding;
use sha1::{Digest, Sha1};
use std::collections::BTreeMap;
use std::path::Path;

/// One entry of the other tool's file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Foreign {
    /// Where the other tool put it (`path:line`, or the raw line when unparsable).
    pub at: String,
    /// What it was (the other tool's rule or type).
    pub what: String,
}

/// What an import maps.
#[derive(Debug, Default)]
pub struct Mapping {
    /// Foreign entries with the baseline entries they map to (one or more).
    pub mapped: Vec<(Foreign, Vec<Entry>)>,
    /// Foreign entries that map to nothing, and why.
    pub unmapped: Vec<(Foreign, String)>,
}

/// Maps a detect-secrets baseline (`results`: file name → list of
/// `{type, hashed_secret, line_number, is_secret?}`). detect-secrets keeps only
/// the SHA-1 of each secret, so an entry maps to every finding in the same file
/// whose secret has that SHA-1. Entries audited `is_secret: false` become
/// `false-positive`, reviewed by `reviewer` on `date`; the rest `unreviewed`.
/// Errors name `origin`.
pub fn detect_secrets(
    origin: &Path,
    text: &str,
    findings: &[Finding],
    reviewer: &str,
    date: &str,
) -> Result<Mapping, BaselineError> {
    let err = |message: String| BaselineError::Parse {
        path: origin.to_path_buf(),
        message,
    };
    let doc: serde_json::Value = serde_json::from_str(text)
        .map_err(|e| err(format!("not a detect-secrets baseline: {e}")))?;
    let results = doc
        .get("results")
        .and_then(|r| r.as_object())
        .ok_or_else(|| err("not a detect-secrets baseline (no \"results\" object)".into()))?;
    let mut by_hash: BTreeMap<(&str, String), Vec<&Finding>> = BTreeMap::new();
    for f in findings {
        if let Some(s) = &f.secret {
            let sha1 = hex::encode(Sha1::digest(s.expose().as_bytes()));
            by_hash.entry((f.path.as_str(), sha1)).or_default().push(f);
        }
    }
    let mut out = Mapping::default();
    for (name, list) in results {
        let path = normalize(name);
        for item in list.as_array().map(Vec::as_slice).unwrap_or_default() {
            let foreign = Foreign {
                at: format!("{path}:{}", item["line_number"].as_u64().unwrap_or(0)),
                what: item["type"].as_str().unwrap_or("?").to_string(),
            };
            let Some(hash) = item["hashed_secret"].as_str() else {
                out.unmapped.push((foreign, "no hashed_secret".into()));
                continue;
            };
            let Some(hits) = by_hash.get(&(path.as_str(), hash.to_ascii_lowercase())) else {
                out.unmapped.push((
                    foreign,
                    "no keyfence finding in this file has a secret with this hash".into(),
                ));
                continue;
            };
            let (status, reason) = match item.get("is_secret").and_then(|v| v.as_bool()) {
                Some(false) => (
                    Status::FalsePositive,
                    "marked not a secret in a detect-secrets audit (imported)",
                ),
                Some(true) => (
                    Status::Unreviewed,
                    "marked a real secret in a detect-secrets audit (imported): rotate it",
                ),
                None => (
                    Status::Unreviewed,
                    "imported from a detect-secrets baseline",
                ),
            };
            let reviewed = status.is_reviewed();
            let entries = hits
                .iter()
                .map(|f| Entry {
                    status,
                    reason: Some(reason.to_string()),
                    reviewer: reviewed.then(|| reviewer.to_string()),
                    reviewed_at: reviewed.then(|| date.to_string()),
                    ..Entry::from_finding(f)
                })
                .collect();
            out.mapped.push((foreign, entries));
        }
    }
    Ok(out)
}

/// Finds what keyfence reports in a file as it was in a commit
/// (`commit`, `file`), or says why it cannot.
pub type InCommit<'a> = dyn FnMut(&str, &str) -> Result<Vec<Finding>, String> + 'a;

/// One line of a `.gitleaksignore`: `[commit:]file:rule-id:line`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GitleaksEntry {
    /// The commit, for findings from history.
    pub commit: Option<String>,
    /// The file, relative to the repository's top level.
    pub file: String,
    /// gitleaks' rule id.
    pub rule: String,
    /// 1-based line.
    pub line: usize,
}

impl GitleaksEntry {
    /// Parses one fingerprint; `None` when the line is not one.
    pub fn parse(line: &str) -> Option<GitleaksEntry> {
        let (rest, line_no) = line.trim().rsplit_once(':')?;
        let line_no: usize = line_no.trim().parse().ok()?;
        let (rest, rule) = rest.rsplit_once(':')?;
        let (commit, file) = match rest.split_once(':') {
            Some((c, f))
                if (7..=64).contains(&c.len()) && c.bytes().all(|b| b.is_ascii_hexdigit()) =>
            {
                (Some(c.to_ascii_lowercase()), f)
            }
            _ => (None, rest),
        };
        if file.is_empty() || rule.is_empty() {
            return None;
        }
        Some(GitleaksEntry {
            commit,
            file: normalize(file),
            rule: rule.to_string(),
            line: line_no,
        })
    }
}

/// Maps a `.gitleaksignore`. gitleaks' rule ids are not keyfence's, so an
/// entry maps to every finding on its line of its file: among `findings` for
/// entries without a commit, else among what `in_commit(commit, file)` finds
/// in that commit's version of the file (or the reason it cannot look).
/// Entries become `unreviewed`, with a reason naming the gitleaks rule.
pub fn gitleaks(text: &str, findings: &[Finding], in_commit: &mut InCommit<'_>) -> Mapping {
    let mut out = Mapping::default();
    for raw in text.lines().map(str::trim) {
        if raw.is_empty() || raw.starts_with('#') {
            continue;
        }
        let Some(g) = GitleaksEntry::parse(raw) else {
            out.unmapped.push((
                Foreign {
                    at: raw.to_string(),
                    what: "?".into(),
                },
                "not a gitleaks fingerprint ([commit:]file:rule-id:line)".into(),
            ));
            continue;
        };
        let foreign = Foreign {
            at: match &g.commit {
                Some(c) => format!("{}:{}:{}", c.get(..12).unwrap_or(c), g.file, g.line),
                None => format!("{}:{}", g.file, g.line),
            },
            what: g.rule.clone(),
        };
        let on_line = |f: &&Finding| f.path == g.file && f.line <= g.line && g.line <= f.end_line;
        let hits: Vec<Finding> = match &g.commit {
            None => findings.iter().filter(on_line).cloned().collect(),
            Some(c) => match in_commit(c, &g.file) {
                Ok(found) => found.iter().filter(on_line).cloned().collect(),
                Err(why) => {
                    out.unmapped.push((foreign, why));
                    continue;
                }
            },
        };
        if hits.is_empty() {
            out.unmapped
                .push((foreign, "keyfence finds nothing on this line".into()));
            continue;
        }
        let entries = hits
            .iter()
            .map(|f| Entry {
                reason: Some(format!(
                    "imported from .gitleaksignore (gitleaks rule {})",
                    g.rule
                )),
                ..Entry::from_finding(f)
            })
            .collect();
        out.mapped.push((foreign, entries));
    }
    out
}

/// A path as keyfence reports it: '/' separators, no leading `./`.
fn normalize(p: &str) -> String {
    let p = p.replace('\\', "/");
    let mut s = p.as_str();
    while let Some(rest) = s.strip_prefix("./") {
        s = rest;
    }
    s.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::{Kind, Secret};
    use crate::severity::{Confidence, Severity};

    fn finding(secret: &str, path: &str, line: usize) -> Finding {
        let s = Secret::new(secret);
        let fp = Finding::secret_fingerprint("r", &s.sha256());
        Finding {
            rule_id: "r".into(),
            kind: Kind::Secret,
            severity: Severity::High,
            confidence: Confidence::High,
            validated: None,
            path: path.into(),
            line,
            column: 1,
            end_line: line,
            end_column: 2,
            secret: Some(s),
            location_fingerprint: Finding::location_fingerprint_for(&fp, path),
            fingerprint: fp,
            commit: None,
            occurrences: Vec::new(),
            message: "m".into(),
        }
    }

    #[test]
    fn gitleaks_lines() {
        let c = "0123456789abcdef0123456789abcdef01234567";
        assert_eq!(
            GitleaksEntry::parse(&format!("{c}:src/a.py:generic-api-key:12")),
            Some(GitleaksEntry {
                commit: Some(c.into()),
                file: "src/a.py".into(),
                rule: "generic-api-key".into(),
                line: 12
            })
        );
        let e = GitleaksEntry::parse("./src/a.py:aws-access-token:3").expect("parses");
        assert_eq!((e.commit, e.file.as_str(), e.line), (None, "src/a.py", 3));
        // A file name with a colon that is not a commit.
        let e = GitleaksEntry::parse("dir:x/a.py:r:3").expect("parses");
        assert_eq!((e.commit, e.file.as_str()), (None, "dir:x/a.py"));
        assert_eq!(GitleaksEntry::parse("src/a.py:12"), None);
        assert_eq!(GitleaksEntry::parse("src/a.py:r:x"), None);
    }

    #[test]
    fn detect_secrets_maps_by_file_and_sha1() {
        let fs = [finding("s3cr3t-value-one", "a.py", 2)];
        let sha1 = hex::encode(Sha1::digest(b"s3cr3t-value-one"));
        let text = format!(
            r#"{{"results": {{"./a.py": [{{"type": "T", "hashed_secret": "{sha1}", "line_number": 2, "is_secret": false}}],
                "b.py": [{{"type": "T", "hashed_secret": "{sha1}", "line_number": 2}}]}}}}"#
        );
        let m = detect_secrets(Path::new("ds"), &text, &fs, "me", "2026-01-01").expect("maps");
        assert_eq!(m.mapped.len(), 1);
        let e = &m.mapped[0].1[0];
        assert_eq!(e.status, Status::FalsePositive);
        assert_eq!(e.reviewer.as_deref(), Some("me"));
        assert_eq!(m.unmapped.len(), 1);
        assert_eq!(m.unmapped[0].0.at, "b.py:2");
        let e = detect_secrets(Path::new("ds"), "[]", &fs, "me", "d").expect_err("bad");
        assert!(
            e.to_string()
                .starts_with("ds: not a detect-secrets baseline"),
            "{e}"
        );
    }
}
