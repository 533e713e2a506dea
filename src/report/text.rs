//! `--format text`: grouped by file, colour on a terminal only, a summary line.

use super::{shown_secret, Report, ReportContext};
use crate::finding::Finding;
use std::io::{self, Write};

/// The text reporter.
pub struct Text;

struct Paint(bool);

impl Paint {
    fn wrap(&self, code: &str, s: &str) -> String {
        if self.0 {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }
}

impl Report for Text {
    fn report(
        &self,
        findings: &[Finding],
        cx: &ReportContext<'_>,
        out: &mut dyn Write,
    ) -> io::Result<()> {
        let p = Paint(cx.color);
        let mut current: Option<&str> = None;
        for f in findings {
            if current != Some(f.path.as_str()) {
                if current.is_some() {
                    writeln!(out)?;
                }
                writeln!(out, "{}", p.wrap("1;35", &f.path))?;
                current = Some(&f.path);
            }
            let sev = match f.severity.as_str() {
                s @ ("critical" | "high") => p.wrap("1;31", s),
                s @ "medium" => p.wrap("33", s),
                s => p.wrap("36", s),
            };
            let secret = shown_secret(f, cx.show_secrets);
            let validated = if f.validated == Some(true) {
                " (validated)"
            } else {
                ""
            };
            write!(
                out,
                "  {}:{}  {sev}  {}  {}",
                f.line,
                f.column,
                p.wrap("1", &f.rule_id),
                f.message
            )?;
            if !secret.is_empty() {
                write!(out, "  {}", p.wrap("32", &secret))?;
            }
            writeln!(out, "{validated}")?;
            if let Some(c) = &f.commit {
                let short = c.id.get(..12).unwrap_or(&c.id);
                writeln!(
                    out,
                    "      commit {short}  {} <{}>  {}",
                    c.author_name, c.author_email, c.date
                )?;
            }
            for o in &f.occurrences {
                let short = o.id.get(..12).unwrap_or(&o.id);
                writeln!(out, "      also in {short}:{}", o.path)?;
            }
        }
        if !findings.is_empty() {
            writeln!(out)?;
        }
        let s = cx.summary;
        let files: std::collections::BTreeSet<&str> =
            findings.iter().map(|f| f.path.as_str()).collect();
        let skipped =
            s.skipped.binary + s.skipped.too_large + s.skipped.unreadable + s.skipped.special;
        let n = findings.len();
        let mut line = format!(
            "{} {} in {} {} · {} {} scanned ({}) · {:.2}s",
            n,
            if n == 1 { "finding" } else { "findings" },
            files.len(),
            if files.len() == 1 { "file" } else { "files" },
            s.files_scanned,
            if s.files_scanned == 1 {
                "file"
            } else {
                "files"
            },
            human_bytes(s.bytes_scanned),
            s.duration_ms as f64 / 1000.0
        );
        if s.findings_not_shown > 0 {
            line.push_str(&format!(
                " · {} more not shown (--max-findings-per-file)",
                s.findings_not_shown
            ));
        }
        if skipped > 0 {
            line.push_str(&format!(
                " · {skipped} skipped ({} binary, {} too large, {} unreadable, {} special)",
                s.skipped.binary, s.skipped.too_large, s.skipped.unreadable, s.skipped.special
            ));
        }
        let painted = if n > 0 {
            p.wrap("1;31", &line)
        } else {
            p.wrap("1;32", &line)
        };
        writeln!(out, "{painted}")
    }
}

fn human_bytes(n: u64) -> String {
    const UNITS: [&str; 4] = ["B", "KB", "MB", "GB"];
    let mut v = n as f64;
    let mut u = 0;
    while v >= 1000.0 && u < UNITS.len() - 1 {
        v /= 1000.0;
        u += 1;
    }
    if u == 0 {
        format!("{n} B")
    } else {
        format!("{v:.1} {}", UNITS[u])
    }
}

#[cfg(test)]
mod tests {
    use super::super::testutil::{finding, render};
    use super::super::Format;

    #[test]
    fn grouped_by_file_with_summary() {
        let out = render(
            Format::Text,
            &[finding("src/a.py", 3, false), finding("src/a.py", 7, true)],
            false,
        );
        insta::assert_snapshot!(out.replace('\u{2026}', "..."));
    }
}
