//! `--format csv`: a header and one row per finding (RFC 4180 quoting).

use super::{shown_secret, Report, ReportContext};
use crate::finding::Finding;
use std::io::{self, Write};

/// The CSV reporter.
pub struct Csv;

const HEADER: &[&str] = &[
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
    "secret",
    "secret_sha256",
    "fingerprint",
    "location_fingerprint",
    "commit",
    "author_email",
    "date",
    "message",
];

fn field(s: &str) -> String {
    // A leading = + - @ would be a formula in spreadsheets: prefix a quote.
    let s = if s.starts_with(['=', '+', '-', '@']) {
        format!("'{s}")
    } else {
        s.to_string()
    };
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

impl Report for Csv {
    fn report(
        &self,
        findings: &[Finding],
        cx: &ReportContext<'_>,
        out: &mut dyn Write,
    ) -> io::Result<()> {
        writeln!(out, "{}", HEADER.join(","))?;
        for f in findings {
            let c = f.commit.as_ref();
            let row = [
                f.rule_id.clone(),
                serde_json::to_value(f.kind)
                    .ok()
                    .and_then(|v| v.as_str().map(String::from))
                    .unwrap_or_default(),
                f.severity.to_string(),
                f.confidence.to_string(),
                f.validated.map(|v| v.to_string()).unwrap_or_default(),
                f.path.clone(),
                f.line.to_string(),
                f.column.to_string(),
                f.end_line.to_string(),
                f.end_column.to_string(),
                shown_secret(f, cx.show_secrets),
                f.secret_sha256().unwrap_or_default(),
                f.fingerprint.clone(),
                f.location_fingerprint.clone(),
                c.map(|c| c.id.clone()).unwrap_or_default(),
                c.map(|c| c.author_email.clone()).unwrap_or_default(),
                c.map(|c| c.date.clone()).unwrap_or_default(),
                f.message.clone(),
            ];
            let line: Vec<String> = row.iter().map(|s| field(s)).collect();
            writeln!(out, "{}", line.join(","))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::super::testutil::{finding, render};
    use super::super::Format;
    use super::field;

    #[test]
    fn header_and_rows() {
        let out = render(Format::Csv, &[finding("a,b.py", 3, false)], false);
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines.len(), 2);
        assert!(lines[0].starts_with("rule_id,kind,severity"));
        assert!(lines[1].contains("\"a,b.py\""));
        assert_eq!(field("=cmd"), "'=cmd");
    }
}
