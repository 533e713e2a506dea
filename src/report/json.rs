//! `--format json`: the documented object (README, "JSON output").

use super::{Report, ReportContext};
use crate::finding::{CommitInfo, Finding, Summary};
use serde::Serialize;
use std::io::{self, Write};

/// The JSON schema version.
pub const JSON_VERSION: u32 = 1;

/// The JSON reporter.
pub struct Json;

#[derive(Serialize)]
struct Doc<'a> {
    version: u32,
    tool: Tool,
    findings: Vec<JsonFinding<'a>>,
    summary: &'a Summary,
}

#[derive(Serialize)]
struct Tool {
    name: &'static str,
    version: &'static str,
}

#[derive(Serialize)]
struct JsonFinding<'a> {
    rule_id: &'a str,
    kind: crate::finding::Kind,
    severity: crate::severity::Severity,
    confidence: crate::severity::Confidence,
    validated: Option<bool>,
    path: &'a str,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    secret_redacted: Option<String>,
    secret_sha256: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    secret: Option<&'a str>,
    fingerprint: &'a str,
    location_fingerprint: &'a str,
    commit: Option<&'a CommitInfo>,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    occurrences: &'a [CommitInfo],
    message: &'a str,
}

impl Report for Json {
    fn report(
        &self,
        findings: &[Finding],
        cx: &ReportContext<'_>,
        out: &mut dyn Write,
    ) -> io::Result<()> {
        let doc = Doc {
            version: JSON_VERSION,
            tool: Tool {
                name: "keyfence",
                version: env!("CARGO_PKG_VERSION"),
            },
            findings: findings
                .iter()
                .map(|f| JsonFinding {
                    rule_id: &f.rule_id,
                    kind: f.kind,
                    severity: f.severity,
                    confidence: f.confidence,
                    validated: f.validated,
                    path: &f.path,
                    line: f.line,
                    column: f.column,
                    end_line: f.end_line,
                    end_column: f.end_column,
                    secret_redacted: f.secret_redacted(),
                    secret_sha256: f.secret_sha256(),
                    secret: if cx.show_secrets {
                        f.secret.as_ref().map(|s| s.expose())
                    } else {
                        None
                    },
                    fingerprint: &f.fingerprint,
                    location_fingerprint: &f.location_fingerprint,
                    commit: f.commit.as_ref(),
                    occurrences: &f.occurrences,
                    message: &f.message,
                })
                .collect(),
            summary: cx.summary,
        };
        serde_json::to_writer_pretty(&mut *out, &doc)?;
        writeln!(out)
    }
}

#[cfg(test)]
mod tests {
    use super::super::testutil::{finding, render};
    use super::super::Format;

    #[test]
    fn contract_fields() {
        let out = render(Format::Json, &[finding("src/a.py", 3, true)], false);
        let v: serde_json::Value = serde_json::from_str(&out).expect("json");
        assert_eq!(v["version"], 1);
        assert_eq!(v["tool"]["name"], "keyfence");
        let f = &v["findings"][0];
        for k in [
            "rule_id",
            "kind",
            "severity",
            "confidence",
            "validated",
            "path",
            "line",
            "column",
            "end_line",
            "end_column",
            "secret_redacted",
            "secret_sha256",
            "fingerprint",
            "location_fingerprint",
            "commit",
            "message",
        ] {
            assert!(f.get(k).is_some(), "missing {k}");
        }
        assert!(f.get("secret").is_none());
        assert_eq!(f["commit"]["author_email"], "ada@example.org");
        for k in [
            "files_scanned",
            "bytes_scanned",
            "findings",
            "skipped",
            "duration_ms",
        ] {
            assert!(v["summary"].get(k).is_some(), "summary missing {k}");
        }
        for k in ["binary", "too_large", "unreadable"] {
            assert!(
                v["summary"]["skipped"].get(k).is_some(),
                "skipped missing {k}"
            );
        }
    }
}
