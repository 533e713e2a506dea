//! Reporters: one file per output format, each writing findings to a
//! `&mut dyn Write`. Takes sorted findings and rule metadata; gives bytes.
//! Reporters never decide exit codes and never print a plaintext secret
//! unless the context says `show_secrets`.

mod csv;
mod json;
mod junit;
mod sarif;
mod text;

use crate::finding::{Finding, Kind, Summary};
use crate::severity::{Confidence, Severity};
use std::collections::BTreeMap;
use std::io::{self, Write};

pub use sarif::{SARIF_SCHEMA, TOOL_INFORMATION_URI};

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Human-readable, grouped by file.
    Text,
    /// The documented JSON object.
    Json,
    /// SARIF 2.1.0 for code scanning.
    Sarif,
    /// JUnit XML, one test case per finding.
    Junit,
    /// Comma-separated values, one row per finding.
    Csv,
}

/// What reporters know of a rule or lint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleMeta {
    /// Stable id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// What it finds and why it matters.
    pub description: String,
    /// Default severity.
    pub severity: Severity,
    /// Confidence.
    pub confidence: Confidence,
    /// Secret rule or lint.
    pub kind: Kind,
    /// Tags.
    pub tags: Vec<String>,
    /// Documentation links.
    pub references: Vec<String>,
}

/// Rule metadata by id.
pub type RuleCatalog = BTreeMap<String, RuleMeta>;

/// Everything a reporter needs besides the findings.
#[derive(Debug, Clone, Copy)]
pub struct ReportContext<'a> {
    /// Counts and errors.
    pub summary: &'a Summary,
    /// Metadata of every rule that may appear.
    pub rules: &'a RuleCatalog,
    /// Print plaintext secrets.
    pub show_secrets: bool,
    /// ANSI colour (text only).
    pub color: bool,
    /// Which command produced the findings (`scan`, `git`, `staged`, `lint`):
    /// the SARIF category.
    pub command: &'a str,
    /// The commit scanned, where there is one (SARIF `versionControlProvenance`).
    pub revision: Option<&'a str>,
    /// The repository's remote URL, where known.
    pub repository_uri: Option<&'a str>,
}

/// A reporter.
pub trait Report {
    /// Writes `findings` (already sorted).
    fn report(
        &self,
        findings: &[Finding],
        cx: &ReportContext<'_>,
        out: &mut dyn Write,
    ) -> io::Result<()>;
}

/// The reporter for a format.
pub fn reporter(format: Format) -> Box<dyn Report> {
    match format {
        Format::Text => Box::new(text::Text),
        Format::Json => Box::new(json::Json),
        Format::Sarif => Box::new(sarif::Sarif),
        Format::Junit => Box::new(junit::Junit),
        Format::Csv => Box::new(csv::Csv),
    }
}

/// The value shown for a finding's secret: the plaintext with `show_secrets`,
/// else the redacted form; empty for lints.
pub(crate) fn shown_secret(f: &Finding, show: bool) -> String {
    match (&f.secret, show) {
        (Some(s), true) => s.expose().to_string(),
        (Some(s), false) => s.redacted(),
        (None, _) => String::new(),
    }
}

#[cfg(test)]
pub(crate) mod testutil {
    //! Findings built in code for the reporter snapshots.
    use super::*;
    use crate::finding::{CommitInfo, Secret};

    pub const PLAINTEXT: &str = "tok_Q8zR2LmX0pVt7Yw4nB6cD1eF3gH5";

    pub fn finding(path: &str, line: usize, commit: bool) -> Finding {
        let secret = Secret::new(PLAINTEXT);
        let fp = Finding::secret_fingerprint("demo-token", &secret.sha256());
        Finding {
            rule_id: "demo-token".into(),
            kind: Kind::Secret,
            severity: Severity::High,
            confidence: Confidence::High,
            validated: Some(true),
            path: path.into(),
            line,
            column: 9,
            end_line: line,
            end_column: 9 + PLAINTEXT.len(),
            location_fingerprint: Finding::location_fingerprint_for(&fp, path),
            fingerprint: fp,
            secret: Some(secret),
            commit: commit.then(|| CommitInfo {
                id: "0123456789abcdef0123456789abcdef01234567".into(),
                author_name: "Ada Lovelace".into(),
                author_email: "ada@example.org".into(),
                date: "2026-01-02T03:04:05+00:00".into(),
                path: path.into(),
            }),
            occurrences: Vec::new(),
            message: "Demo token".into(),
        }
    }

    pub fn catalog() -> RuleCatalog {
        let mut c = RuleCatalog::new();
        c.insert(
            "demo-token".into(),
            RuleMeta {
                id: "demo-token".into(),
                name: "Demo token".into(),
                description: "A token for the demo service.".into(),
                severity: Severity::High,
                confidence: Confidence::High,
                kind: Kind::Secret,
                tags: vec!["saas".into()],
                references: vec!["https://docs.example.org/tokens".into()],
            },
        );
        c
    }

    pub fn render(format: Format, findings: &[Finding], show: bool) -> String {
        let summary = Summary {
            files_scanned: 3,
            bytes_scanned: 1234,
            findings: findings.len() as u64,
            ..Default::default()
        };
        let rules = catalog();
        let cx = ReportContext {
            summary: &summary,
            rules: &rules,
            show_secrets: show,
            color: false,
            command: "scan",
            revision: None,
            repository_uri: None,
        };
        let mut out = Vec::new();
        reporter(format)
            .report(findings, &cx, &mut out)
            .expect("report");
        String::from_utf8(out).expect("utf-8")
    }

    #[test]
    fn no_format_prints_the_plaintext_unless_asked() {
        let fs = vec![finding("src/a.py", 3, false), finding("b.env", 1, true)];
        for f in [
            Format::Text,
            Format::Json,
            Format::Sarif,
            Format::Junit,
            Format::Csv,
        ] {
            assert!(!render(f, &fs, false).contains(PLAINTEXT), "{f:?} leaks");
            assert!(
                render(f, &fs, true).contains(PLAINTEXT),
                "{f:?} hides with --show-secrets"
            );
        }
    }
}
