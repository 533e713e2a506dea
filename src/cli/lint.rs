//! `keyfence lint [REPO]`.

use super::{emit, EngineArgs, Outcome, OutputArgs};
use anyhow::{bail, Context};
use clap::{Args, ValueEnum};
use keyfence::config::Config;
use keyfence::lint::{self, BaselineView, LintContext, RotationReport, LINTS};
use keyfence::report::Format;
use keyfence::scan::Engine;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Arguments of `keyfence lint`.
#[derive(Debug, Args)]
pub struct LintArgs {
    /// The repository (or directory) to check. Default: the current directory.
    #[arg(value_name = "REPO")]
    pub repo: Option<PathBuf>,
    /// Print a report instead of findings: `rotation` lists every secret with
    /// its status against the rotation policy (--format text or json).
    #[arg(long, value_enum, value_name = "KIND")]
    pub report: Option<ReportKind>,
    /// List the lint rules (id, default severity, summary) and exit.
    #[arg(long)]
    pub list: bool,
    #[command(flatten)]
    pub engine: EngineArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}

/// Reports `keyfence lint` can print instead of findings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportKind {
    /// Every secret with its rotation status.
    Rotation,
}

pub fn run(args: LintArgs) -> anyhow::Result<ExitCode> {
    if args.list {
        let w = LINTS.iter().map(|l| l.id().len()).max().unwrap_or(0);
        for l in LINTS {
            println!(
                "{:w$}  {:8}  {}",
                l.id(),
                l.default_severity().as_str(),
                l.summary()
            );
        }
        return Ok(ExitCode::SUCCESS);
    }
    if args.report.is_some() && !matches!(args.output.format, Format::Text | Format::Json) {
        bail!("the rotation report is written as --format text or --format json");
    }
    let started = std::time::Instant::now();
    let path = args.repo.clone().unwrap_or_else(|| PathBuf::from("."));
    let (root, repo) = lint::find_root(&path)?;
    let (config, origin) = Config::resolve(args.engine.config.as_deref(), &root)?;
    let engine = Engine::from_config(&config, origin.as_deref())?;
    let mut cx = LintContext::new(&root, repo, config, origin.as_deref())?;
    if let Some(max) = args.engine.max_file_size {
        cx.max_file_size = max;
    }
    if let Some(file) = &args.engine.baseline {
        cx.baseline = Some(BaselineView::load(file, &file.display().to_string())?);
    }
    let mut head = lint::scan_head(&cx, &engine, args.engine.threads);
    cx.head = head.findings.clone();
    if let Some(history) = lint::history_findings(&cx, &engine, args.engine.threads)? {
        if history.shallow && !args.output.quiet {
            eprintln!(
                "keyfence: note: {}: shallow clone: secret ages count from the oldest commit present",
                root.display()
            );
        }
        head.summary
            .errors
            .extend(history.scan.summary.errors.iter().cloned());
        cx.history = Some(history.scan.findings);
    }

    if args.report.is_some() {
        if !args.output.quiet {
            for e in &head.summary.errors {
                eprintln!("keyfence: warning: {e}");
            }
        }
        let report = RotationReport::build(&cx, args.output.show_secrets);
        write_report(&args.output, |w| match args.output.format {
            Format::Json => report.write_json(w),
            _ => report.write_text(w),
        })?;
        let failed = !head.summary.errors.is_empty() && args.engine.strict;
        return Ok(ExitCode::from(if report.has_problems() {
            1
        } else if failed {
            2
        } else {
            0
        }));
    }

    let mut findings = lint::run(&cx)?;
    let mut summary = lint::summary(&head, findings.len());
    summary.duration_ms = started.elapsed().as_millis() as u64;
    super::baseline::apply(
        &args.engine,
        &args.output,
        &root,
        &mut findings,
        &mut summary,
    )?;
    let mut catalog = keyfence::rule_catalog(engine.rules());
    catalog.extend(lint::catalog(&cx.config));
    let revision = cx
        .repo
        .as_ref()
        .and_then(|r| r.head().ok())
        .and_then(|h| h.target())
        .map(|o| o.to_string());
    let repository_uri = cx
        .repo
        .as_ref()
        .and_then(|r| r.find_remote("origin").ok())
        .and_then(|r| r.url().map(without_userinfo));
    emit(
        &args.output,
        args.engine.strict,
        &Outcome {
            findings: &findings,
            summary: &summary,
            rules: &catalog,
            command: "lint",
            revision: revision.as_deref(),
            repository_uri: repository_uri.as_deref(),
            errors_are_fatal: false,
        },
    )
}

/// A remote URL without credentials (`https://user:token@host/x` → `https://host/x`).
fn without_userinfo(url: &str) -> String {
    if let Some(i) = url.find("://") {
        let rest = &url[i + 3..];
        let host_end = rest.find('/').unwrap_or(rest.len());
        if let Some(at) = rest[..host_end].rfind('@') {
            return format!("{}{}", &url[..i + 3], &rest[at + 1..]);
        }
    }
    url.to_string()
}

/// Writes a report to stdout or, atomically, to `--output`.
fn write_report(
    out: &OutputArgs,
    write: impl Fn(&mut dyn Write) -> std::io::Result<()>,
) -> anyhow::Result<()> {
    match &out.output {
        None => {
            let stdout = std::io::stdout();
            let mut w = std::io::BufWriter::new(stdout.lock());
            write(&mut w)?;
            w.flush()?;
        }
        Some(path) => {
            let dir = match path.parent() {
                Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
                _ => PathBuf::from("."),
            };
            let cannot = |p: &Path| format!("{}: cannot write the output file", p.display());
            let mut tmp = tempfile::NamedTempFile::new_in(&dir).with_context(|| cannot(path))?;
            {
                let mut w = std::io::BufWriter::new(tmp.as_file_mut());
                write(&mut w).with_context(|| cannot(path))?;
                w.flush().with_context(|| cannot(path))?;
            }
            tmp.persist(path).with_context(|| cannot(path))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remote_credentials_are_dropped() {
        assert_eq!(
            without_userinfo("https://ci:hunter@github.com/o/r.git"),
            "https://github.com/o/r.git"
        );
        assert_eq!(
            without_userinfo("git@github.com:o/r.git"),
            "git@github.com:o/r.git"
        );
        assert_eq!(
            without_userinfo("https://github.com/o/r"),
            "https://github.com/o/r"
        );
    }
}
