//! `--format junit`: one failing test case per finding, for CI systems that
//! show JUnit XML.

use super::{shown_secret, Report, ReportContext};
use crate::finding::Finding;
use std::io::{self, Write};

/// The JUnit reporter.
pub struct Junit;

/// Escapes text for XML content and attributes.
pub(crate) fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => {
                out.push_str(&format!("&#x{:X};", c as u32))
            }
            c => out.push(c),
        }
    }
    out
}

impl Report for Junit {
    fn report(
        &self,
        findings: &[Finding],
        cx: &ReportContext<'_>,
        out: &mut dyn Write,
    ) -> io::Result<()> {
        let n = findings.len();
        writeln!(out, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
        writeln!(
            out,
            r#"<testsuites name="keyfence" tests="{}" failures="{n}" time="{:.3}">"#,
            n.max(1),
            cx.summary.duration_ms as f64 / 1000.0
        )?;
        writeln!(
            out,
            r#"  <testsuite name="keyfence {}" tests="{}" failures="{n}">"#,
            xml_escape(cx.command),
            n.max(1)
        )?;
        if findings.is_empty() {
            writeln!(
                out,
                r#"    <testcase classname="keyfence" name="no secrets found"/>"#
            )?;
        }
        for f in findings {
            let secret = shown_secret(f, cx.show_secrets);
            let name = format!("{}:{}:{} {}", f.path, f.line, f.column, f.rule_id);
            writeln!(
                out,
                r#"    <testcase classname="{}" name="{}" file="{}" line="{}">"#,
                xml_escape(&f.rule_id),
                xml_escape(&name),
                xml_escape(&f.path),
                f.line
            )?;
            let mut body = format!(
                "{} ({}) at {}:{}:{}",
                f.message, f.severity, f.path, f.line, f.column
            );
            if !secret.is_empty() {
                body.push_str(&format!("\nsecret: {secret}"));
            }
            body.push_str(&format!("\nfingerprint: {}", f.fingerprint));
            if let Some(c) = &f.commit {
                body.push_str(&format!(
                    "\ncommit: {} {} <{}> {}",
                    c.id, c.author_name, c.author_email, c.date
                ));
            }
            writeln!(
                out,
                r#"      <failure type="{}" message="{}">{}</failure>"#,
                f.severity,
                xml_escape(&f.message),
                xml_escape(&body)
            )?;
            writeln!(out, "    </testcase>")?;
        }
        writeln!(out, "  </testsuite>")?;
        writeln!(out, "</testsuites>")
    }
}

#[cfg(test)]
mod tests {
    use super::super::testutil::{finding, render};
    use super::super::Format;

    #[test]
    fn one_testcase_per_finding() {
        let out = render(
            Format::Junit,
            &[finding("a<b>.py", 3, false), finding("c.py", 1, true)],
            false,
        );
        assert_eq!(out.matches("<testcase ").count(), 2);
        assert_eq!(out.matches("<failure ").count(), 2);
        assert!(out.contains("a&lt;b&gt;.py"));
        let clean = render(Format::Junit, &[], false);
        assert!(clean.contains(r#"failures="0""#));
    }
}
