//! Writing a report (stdout or an atomically written file), warnings on
//! stderr, and the exit code.

use super::OutputArgs;
use anyhow::Context;
use keyfence::finding::{Finding, Summary};
use keyfence::report::{reporter, Format, ReportContext, RuleCatalog};
use std::io::{IsTerminal, Write};
use std::process::ExitCode;

/// What a scanning command produced, ready to report.
pub struct Outcome<'a> {
    /// Sorted findings.
    pub findings: &'a [Finding],
    /// Counts and errors.
    pub summary: &'a Summary,
    /// Rule metadata.
    pub rules: &'a RuleCatalog,
    /// The command name (SARIF category).
    pub command: &'a str,
    /// Scanned commit, where there is one.
    pub revision: Option<&'a str>,
    /// Repository URL, where known.
    pub repository_uri: Option<&'a str>,
    /// Errors make the exit code 2 even without `--strict` (history scans).
    pub errors_are_fatal: bool,
}

/// Writes the report and returns the exit code: 1 with findings, else 2 when
/// inputs failed (always for history, with `--strict` for files), else 0.
pub fn emit(out: &OutputArgs, strict: bool, o: &Outcome<'_>) -> anyhow::Result<ExitCode> {
    if !out.quiet {
        let mut err = std::io::stderr().lock();
        for e in &o.summary.errors {
            writeln!(err, "keyfence: warning: {e}")?;
        }
        for n in &o.summary.notes {
            writeln!(err, "keyfence: note: {n}")?;
        }
    }
    let to_terminal = out.output.is_none() && std::io::stdout().is_terminal();
    let cx = ReportContext {
        summary: o.summary,
        rules: o.rules,
        show_secrets: out.show_secrets,
        color: to_terminal && std::env::var_os("NO_COLOR").is_none() && out.format == Format::Text,
        command: o.command,
        revision: o.revision,
        repository_uri: o.repository_uri,
    };
    let rep = reporter(out.format);
    match &out.output {
        None => {
            let stdout = std::io::stdout();
            let mut w = std::io::BufWriter::new(stdout.lock());
            rep.report(o.findings, &cx, &mut w)?;
            w.flush()?;
        }
        Some(path) => {
            let cant = |what: &str| format!("{}: cannot {what} the output file", path.display());
            // Write through a symlink to its target; write a FIFO, device or
            // other special file directly (renaming over it would replace
            // /dev/null with a regular file); replace a regular file atomically.
            let target = match std::fs::symlink_metadata(path) {
                Ok(m) if m.file_type().is_symlink() => {
                    std::fs::canonicalize(path).unwrap_or_else(|_| path.clone())
                }
                _ => path.clone(),
            };
            let special = std::fs::metadata(&target).is_ok_and(|m| !m.is_file() && !m.is_dir());
            if special {
                let f = std::fs::OpenOptions::new()
                    .write(true)
                    .open(&target)
                    .with_context(|| cant("open"))?;
                let mut w = std::io::BufWriter::new(f);
                rep.report(o.findings, &cx, &mut w)
                    .with_context(|| cant("write"))?;
                w.flush().with_context(|| cant("write"))?;
            } else {
                let dir = match target.parent() {
                    Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
                    _ => std::path::PathBuf::from("."),
                };
                let mut tmp =
                    tempfile::NamedTempFile::new_in(&dir).with_context(|| cant("create"))?;
                {
                    let mut w = std::io::BufWriter::new(tmp.as_file_mut());
                    rep.report(o.findings, &cx, &mut w)
                        .with_context(|| cant("write"))?;
                    w.flush().with_context(|| cant("write"))?;
                }
                tmp.as_file().sync_all().with_context(|| cant("write"))?;
                tmp.persist(&target).with_context(|| cant("write"))?;
            }
            if !out.quiet && out.format != Format::Text {
                let n = o.findings.len();
                eprintln!(
                    "keyfence: {n} finding{} written to {}",
                    if n == 1 { "" } else { "s" },
                    path.display()
                );
            }
        }
    }
    let code = if !o.findings.is_empty() {
        1
    } else if !o.summary.errors.is_empty() && (strict || o.errors_are_fatal) {
        2
    } else {
        0
    };
    Ok(ExitCode::from(code))
}
