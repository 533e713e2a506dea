//! `keyfence baseline <create|update|prune|review|mark|log|merge|import>`, and
//! [`apply`], which every scanning command calls to leave out the findings
//! recorded in the baseline.

mod import;
mod review;

use super::{EngineArgs, OutputArgs};
use anyhow::{bail, Context};
use clap::{Args, Subcommand, ValueEnum};
use keyfence::config::{Config, DEFAULT_MAX_FILE_SIZE};
use keyfence::filter::audit::{
    save_with_audit, timestamp_now, today, Action, AuditLog, AuditRecord,
};
use keyfence::filter::baseline::{Change, Entry, Review};
use keyfence::filter::{Baseline, Status, BASELINE_FILE_NAME};
use keyfence::finding::{Finding, Summary, UnusedEntry};
use keyfence::report::Format;
use keyfence::scan::history::{scan_history, HistoryOptions, NoProgress};
use keyfence::scan::staged::{scan_staged, StagedOptions};
use keyfence::scan::{scan_paths, Engine, ScanOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Test hook: when this variable is set, every baseline save stops after its
/// temporary files are written and synced, just before they are renamed into
/// place, as a crash at that moment would. Only tests set it.
const FAULT_ENV: &str = "KEYFENCE_FAULT_BEFORE_RENAME";

/// Arguments of `keyfence baseline`.
#[derive(Debug, Args)]
pub struct BaselineArgs {
    #[command(subcommand)]
    command: BaselineCommand,
    /// Baseline file (default: .keyfence-baseline.json at the scanned root,
    /// or in the current directory). The audit log sits beside it.
    #[arg(long, global = true, value_name = "FILE")]
    baseline: Option<PathBuf>,
    /// Who you are, for reviews and the audit log (default: git config
    /// user.email, else the user name).
    #[arg(long, global = true, value_name = "EMAIL")]
    reviewer: Option<String>,
}

#[derive(Debug, Subcommand)]
enum BaselineCommand {
    /// Record every current finding as unreviewed in a new baseline.
    Create {
        #[command(flatten)]
        source: SourceArgs,
        /// Replace an existing baseline (its reviews are lost).
        #[arg(long)]
        force: bool,
    },
    /// Add new findings as unreviewed; keep every existing entry and its review.
    Update {
        #[command(flatten)]
        source: SourceArgs,
    },
    /// Remove the entries whose finding no longer exists.
    Prune {
        #[command(flatten)]
        source: SourceArgs,
    },
    /// Review unreviewed entries one by one (needs a terminal).
    Review {
        /// The scanned root, for showing context. Default: the baseline's directory.
        #[arg(value_name = "PATH")]
        path: Option<PathBuf>,
        #[command(flatten)]
        tuning: ScanTuning,
    },
    /// Set an entry's status, for scripts.
    Mark {
        /// The entry's fingerprint, or a unique prefix of it.
        fingerprint: String,
        /// The new status.
        #[arg(long, short = 's', value_enum)]
        status: Status,
        /// Why (required unless the status is unreviewed).
        #[arg(long, short = 'r')]
        reason: Option<String>,
    },
    /// Print the audit log.
    Log {
        /// Output format.
        #[arg(long, short = 'f', value_enum, default_value_t = LogFormat::Text)]
        format: LogFormat,
    },
    /// Three-way merge, as a git merge driver: `keyfence baseline merge %O %A %B`.
    Merge {
        /// The common ancestor's version (%O).
        base: PathBuf,
        /// Our version (%A); the result is written here.
        ours: PathBuf,
        /// Their version (%B).
        theirs: PathBuf,
    },
    /// Import another tool's baseline or ignore file.
    Import {
        /// The file's format.
        #[arg(long = "from", value_enum)]
        from: ImportFormat,
        /// The file (.secrets.baseline, .gitleaksignore).
        file: PathBuf,
        /// The root the file's paths are relative to. Default: the current directory.
        #[arg(value_name = "PATH")]
        path: Option<PathBuf>,
        #[command(flatten)]
        tuning: ScanTuning,
    },
}

/// Where the findings of create, update and prune come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Source {
    /// The files under PATH.
    Scan,
    /// The staged changes of the repository at PATH.
    Staged,
    /// The history of the repository at PATH.
    Git,
}

#[derive(Debug, Args)]
struct SourceArgs {
    /// The directory (or repository) to scan. Default: the current directory.
    #[arg(value_name = "PATH")]
    path: Option<PathBuf>,
    /// What to scan.
    #[arg(long = "from", value_enum, default_value_t = Source::Scan)]
    from: Source,
    #[command(flatten)]
    tuning: ScanTuning,
}

#[derive(Debug, Args)]
struct ScanTuning {
    /// Config file (default: .keyfence.toml at the scanned root).
    #[arg(long, short = 'c', value_name = "FILE")]
    config: Option<PathBuf>,
    /// Worker threads (default: one per core).
    #[arg(long, short = 'j', value_name = "N", default_value_t = 0)]
    threads: usize,
    /// Skip files larger than this many bytes.
    #[arg(long, value_name = "BYTES")]
    max_file_size: Option<u64>,
    /// Do not read .gitignore, .ignore or .keyfenceignore.
    #[arg(long)]
    no_ignore: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum LogFormat {
    /// A table.
    Text,
    /// JSON lines, as stored.
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ImportFormat {
    /// detect-secrets' `.secrets.baseline` (JSON).
    DetectSecrets,
    /// gitleaks' `.gitleaksignore` (one finding fingerprint per line).
    Gitleaks,
}

/// The baseline [`apply`] will filter with, if there is one: a scan passes it
/// on so that recorded findings do not count toward `--max-findings-per-file`.
pub fn known(engine: &EngineArgs, root: &Path) -> anyhow::Result<Option<Baseline>> {
    let path = match &engine.baseline {
        Some(p) => p.clone(),
        None => at_root(root, BASELINE_FILE_NAME),
    };
    if engine.baseline.is_none() && !path.is_file() {
        return Ok(None);
    }
    Ok(Some(Baseline::load(&path)?))
}

/// Leaves out of `findings` those recorded in the baseline (`--baseline`, or
/// `.keyfence-baseline.json` at `root` when present), and with
/// `--report-unused` lists the entries nothing matched. Every scanning command
/// calls this just before reporting.
pub fn apply(
    engine: &EngineArgs,
    output: &OutputArgs,
    root: &Path,
    findings: &mut Vec<Finding>,
    summary: &mut Summary,
) -> anyhow::Result<()> {
    let path = match &engine.baseline {
        Some(p) => p.clone(),
        None => {
            let p = at_root(root, BASELINE_FILE_NAME);
            if !p.is_file() {
                if engine.report_unused && !output.quiet {
                    eprintln!(
                        "keyfence: --report-unused: no baseline ({} not found)",
                        p.display()
                    );
                }
                return Ok(());
            }
            p
        }
    };
    let baseline = Baseline::load(&path)?;
    let before = findings.len();
    let (kept, used) = baseline.filter(std::mem::take(findings));
    *findings = kept;
    summary.findings = findings.len() as u64;
    let hidden = before - findings.len();
    if hidden > 0 && !output.quiet && output.format == Format::Text {
        eprintln!(
            "keyfence: {hidden} finding{} recorded in {} not shown",
            plural(hidden),
            path.display()
        );
    }
    if engine.report_unused {
        let unused = baseline.unused(&used);
        summary.baseline_unused = unused
            .iter()
            .map(|e| UnusedEntry {
                fingerprint: e.fingerprint.clone(),
                rule_id: e.rule_id.clone(),
                path: e.path.clone(),
                status: e.status.to_string(),
            })
            .collect();
        if !output.quiet {
            if unused.is_empty() {
                eprintln!("keyfence: every baseline entry matched a finding");
            } else {
                eprintln!(
                    "keyfence: {} baseline entr{} matched no finding (`keyfence baseline prune` removes them):",
                    unused.len(),
                    if unused.len() == 1 { "y" } else { "ies" }
                );
                for e in unused {
                    eprintln!(
                        "  {}  {}  {}  ({})",
                        short(&e.fingerprint),
                        e.rule_id,
                        e.path,
                        e.status
                    );
                }
            }
        }
    }
    Ok(())
}

/// Runs `keyfence baseline …`.
pub fn run(args: BaselineArgs) -> anyhow::Result<ExitCode> {
    let cx = Cx {
        baseline: args.baseline,
        reviewer: args.reviewer,
    };
    match args.command {
        BaselineCommand::Create { source, force } => create(&cx, &source, force),
        BaselineCommand::Update { source } => update(&cx, &source),
        BaselineCommand::Prune { source } => prune(&cx, &source),
        BaselineCommand::Review { path, tuning } => review::review(&cx, path, &tuning),
        BaselineCommand::Mark {
            fingerprint,
            status,
            reason,
        } => mark(&cx, &fingerprint, status, reason),
        BaselineCommand::Log { format } => log(&cx, format),
        BaselineCommand::Merge { base, ours, theirs } => merge(&base, &ours, &theirs),
        BaselineCommand::Import {
            from,
            file,
            path,
            tuning,
        } => import::import(&cx, from, &file, path, &tuning),
    }
}

/// Options every subcommand shares.
struct Cx {
    baseline: Option<PathBuf>,
    reviewer: Option<String>,
}

impl Cx {
    fn baseline_path(&self, root: &Path) -> PathBuf {
        self.baseline
            .clone()
            .unwrap_or_else(|| at_root(root, BASELINE_FILE_NAME))
    }

    fn actor(&self, root: &Path) -> String {
        identity(self.reviewer.as_deref(), root)
    }
}

/// `--reviewer`, else git's `user.email` (the repository's config, then the
/// user's), else the user name.
fn identity(explicit: Option<&str>, root: &Path) -> String {
    if let Some(r) = explicit.map(str::trim).filter(|r| !r.is_empty()) {
        return r.to_string();
    }
    let config = git2::Repository::discover(root)
        .and_then(|r| r.config())
        .or_else(|_| git2::Config::open_default());
    if let Some(email) = config
        .ok()
        .and_then(|c| c.get_string("user.email").ok())
        .filter(|e| !e.trim().is_empty())
    {
        return email;
    }
    ["USER", "USERNAME", "LOGNAME"]
        .iter()
        .find_map(|v| std::env::var(v).ok().filter(|s| !s.is_empty()))
        .unwrap_or_else(|| "unknown".to_string())
}

/// Findings of a source, without the baseline applied.
fn collect(source: Source, root: &Path, t: &ScanTuning) -> anyhow::Result<Vec<Finding>> {
    let (engine, opts) = prepare(root, t)?;
    let (findings, summary) = match source {
        Source::Scan => {
            let out = scan_paths(&engine, &opts)?;
            (out.findings, out.summary)
        }
        Source::Git => {
            super::git::configure_libgit2();
            let repo = keyfence::source::git::open(root)?;
            let hopts = HistoryOptions {
                threads: opts.threads,
                max_file_size: opts.max_file_size,
                exclude: opts.exclude.clone(),
                ..HistoryOptions::default()
            };
            let out = scan_history(&engine, &repo, &hopts, &NoProgress)?;
            (out.scan.findings, out.scan.summary)
        }
        Source::Staged => {
            super::git::configure_libgit2();
            let repo = keyfence::source::staged::open(root)?;
            let sopts = StagedOptions {
                max_file_size: opts.max_file_size,
                exclude: opts.exclude.clone(),
            };
            let out = scan_staged(&engine, &repo, &sopts)?;
            (out.findings, out.summary)
        }
    };
    for e in &summary.errors {
        eprintln!("keyfence: warning: {e}");
    }
    Ok(findings)
}

/// The engine and scan options for the files under `root`.
fn prepare(root: &Path, t: &ScanTuning) -> anyhow::Result<(Engine, ScanOptions)> {
    let (config, origin) = Config::resolve(t.config.as_deref(), root)?;
    let engine = Engine::from_config(&config, origin.as_deref())?;
    let opts = ScanOptions {
        paths: vec![root.to_path_buf()],
        threads: t.threads,
        max_file_size: t
            .max_file_size
            .or(config.scan.max_file_size)
            .unwrap_or(DEFAULT_MAX_FILE_SIZE),
        no_ignore: t.no_ignore,
        exclude: config.scan.exclude.clone(),
        // A baseline must record every finding, not the first few of a file.
        max_findings_per_file: 0,
        baseline: None,
    };
    Ok((engine, opts))
}

fn root_of(path: Option<PathBuf>) -> anyhow::Result<PathBuf> {
    let root = path.unwrap_or_else(|| PathBuf::from("."));
    if !root.is_dir() {
        bail!("{}: not a directory", root.display());
    }
    Ok(root)
}

/// Saves the baseline and appends one audit record per change (or one bare
/// record when nothing changed an entry) atomically.
fn save(
    baseline: &Baseline,
    path: &Path,
    actor: &str,
    action: Action,
    changes: &[Change],
) -> anyhow::Result<()> {
    let ts = timestamp_now();
    let mut records: Vec<AuditRecord> = changes
        .iter()
        .map(|c| AuditRecord::of_change(&ts, actor, action, c))
        .collect();
    if records.is_empty() {
        records.push(AuditRecord::bare(&ts, actor, action, None));
    }
    let fail = std::env::var_os(FAULT_ENV).is_some();
    save_with_audit(
        baseline,
        path,
        &AuditLog::beside(path),
        &records,
        &mut |_| {
            if fail {
                Err(io::Error::other(
                    "interrupted before renaming (fault injected for a test)",
                ))
            } else {
                Ok(())
            }
        },
    )?;
    Ok(())
}

fn create(cx: &Cx, s: &SourceArgs, force: bool) -> anyhow::Result<ExitCode> {
    let root = root_of(s.path.clone())?;
    let path = cx.baseline_path(&root);
    let old = if path.exists() {
        if !force {
            bail!(
                "{}: a baseline already exists; `keyfence baseline update` adds new findings \
                 and keeps its reviews (--force starts over and drops them)",
                path.display()
            );
        }
        // A broken file can be replaced, which is what --force is for.
        Baseline::load(&path).unwrap_or_default()
    } else {
        Baseline::new()
    };
    let findings = collect(s.from, &root, &s.tuning)?;
    let mut baseline = Baseline::new();
    let mut changes = baseline.update(&findings);
    // With --force, the entries dropped are recorded too.
    changes.extend(
        old.entries()
            .filter(|e| baseline.get(&e.fingerprint).is_none())
            .map(|e| Change {
                fingerprint: e.fingerprint.clone(),
                rule_id: e.rule_id.clone(),
                path: e.path.clone(),
                old_status: Some(e.status),
                new_status: None,
                reason: Some("baseline recreated with --force".into()),
            }),
    );
    save(&baseline, &path, &cx.actor(&root), Action::Create, &changes)?;
    println!(
        "keyfence: wrote {} with {} entr{} (unreviewed); review them with `keyfence baseline review`",
        path.display(),
        baseline.len(),
        if baseline.len() == 1 { "y" } else { "ies" }
    );
    Ok(ExitCode::SUCCESS)
}

fn update(cx: &Cx, s: &SourceArgs) -> anyhow::Result<ExitCode> {
    let root = root_of(s.path.clone())?;
    let path = cx.baseline_path(&root);
    let mut baseline = Baseline::load_or_new(&path)?;
    let before = baseline.render();
    let findings = collect(s.from, &root, &s.tuning)?;
    let changes = baseline.update(&findings);
    if baseline.render() != before || !path.exists() {
        save(&baseline, &path, &cx.actor(&root), Action::Update, &changes)?;
    }
    println!(
        "keyfence: {}: {} new entr{} added as unreviewed; {} kept",
        path.display(),
        changes.len(),
        if changes.len() == 1 { "y" } else { "ies" },
        baseline.len() - changes.len()
    );
    Ok(ExitCode::SUCCESS)
}

fn prune(cx: &Cx, s: &SourceArgs) -> anyhow::Result<ExitCode> {
    let root = root_of(s.path.clone())?;
    let path = cx.baseline_path(&root);
    let mut baseline = Baseline::load(&path)?;
    let findings = collect(s.from, &root, &s.tuning)?;
    // A file scan cannot see history: entries from history stay.
    let history_kept = |e: &Entry| s.from != Source::Git && e.commit.is_some();
    let removed = baseline.prune(&findings, history_kept);
    if !removed.is_empty() {
        save(&baseline, &path, &cx.actor(&root), Action::Prune, &removed)?;
    }
    println!(
        "keyfence: {}: pruned {} entr{} whose finding no longer exists; {} left",
        path.display(),
        removed.len(),
        if removed.len() == 1 { "y" } else { "ies" },
        baseline.len()
    );
    let kept = baseline.entries().filter(|e| history_kept(e)).count();
    if kept > 0 {
        println!(
            "keyfence: kept {kept} entr{} from history (prune them with --from git)",
            if kept == 1 { "y" } else { "ies" }
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn mark(cx: &Cx, prefix: &str, status: Status, reason: Option<String>) -> anyhow::Result<ExitCode> {
    let root = PathBuf::from(".");
    let path = cx.baseline_path(&root);
    let reason = reason
        .map(|r| r.trim().to_string())
        .filter(|r| !r.is_empty());
    if status.is_reviewed() && reason.is_none() {
        bail!("--reason is required with --status {status}");
    }
    let mut baseline = Baseline::load(&path)?;
    let fp = baseline
        .resolve(prefix)
        .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?
        .fingerprint
        .clone();
    let actor = cx.actor(&root);
    let r = Review {
        status,
        reason,
        reviewer: actor.clone(),
        date: today(),
    };
    let Some(change) = baseline.review(&fp, &r) else {
        println!(
            "keyfence: {}: already {status}; nothing changed",
            short(&fp)
        );
        return Ok(ExitCode::SUCCESS);
    };
    save(
        &baseline,
        &path,
        &actor,
        Action::Mark,
        std::slice::from_ref(&change),
    )?;
    println!(
        "keyfence: {}  {}  {}: {} -> {}",
        short(&fp),
        change.rule_id,
        change.path,
        status_name(change.old_status),
        status_name(change.new_status)
    );
    Ok(ExitCode::SUCCESS)
}

fn log(cx: &Cx, format: LogFormat) -> anyhow::Result<ExitCode> {
    let path = cx.baseline_path(Path::new("."));
    let log = AuditLog::beside(&path);
    let records = log.read()?;
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    match format {
        LogFormat::Json => {
            for r in &records {
                serde_json::to_writer(&mut out, r)?;
                writeln!(out)?;
            }
        }
        LogFormat::Text => write_log_table(&records, &mut out)?,
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

fn write_log_table(records: &[AuditRecord], out: &mut dyn Write) -> io::Result<()> {
    if records.is_empty() {
        return writeln!(out, "(the audit log is empty)");
    }
    let rows: Vec<[String; 8]> = records
        .iter()
        .map(|r| {
            [
                r.timestamp.clone(),
                r.actor.clone(),
                r.action.to_string(),
                format!(
                    "{} -> {}",
                    status_name(r.old_status),
                    status_name(r.new_status)
                ),
                r.rule_id.clone().unwrap_or_default(),
                r.path.clone().unwrap_or_default(),
                r.fingerprint
                    .as_deref()
                    .map(short)
                    .unwrap_or_default()
                    .to_string(),
                r.reason
                    .clone()
                    .unwrap_or_default()
                    .replace(['\n', '\r'], " "),
            ]
        })
        .collect();
    let header = [
        "TIMESTAMP",
        "ACTOR",
        "ACTION",
        "STATUS",
        "RULE",
        "PATH",
        "FINGERPRINT",
        "REASON",
    ];
    let mut widths = header.map(|h| h.chars().count());
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: &[&str]| -> String {
        let mut s = String::new();
        for (i, c) in cells.iter().enumerate() {
            if i + 1 == cells.len() {
                s.push_str(c);
            } else {
                s.push_str(&format!("{c:<w$}  ", w = widths[i]));
            }
        }
        s.trim_end().to_string()
    };
    writeln!(out, "{}", line(&header))?;
    for row in &rows {
        let cells: Vec<&str> = row.iter().map(String::as_str).collect();
        writeln!(out, "{}", line(&cells))?;
    }
    Ok(())
}

fn merge(base: &Path, ours: &Path, theirs: &Path) -> anyhow::Result<ExitCode> {
    let read = |p: &Path| -> anyhow::Result<Baseline> {
        match std::fs::read_to_string(p) {
            Ok(t) => Ok(Baseline::parse(p, &t)?),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(Baseline::new()),
            Err(e) => Err(e).with_context(|| format!("{}: cannot read", p.display())),
        }
    };
    let merged = Baseline::merge(&read(base)?, &read(ours)?, &read(theirs)?);
    merged.save(ours)?;
    Ok(ExitCode::SUCCESS)
}

/// `root/name`, without a leading `./` for the current directory.
fn at_root(root: &Path, name: &str) -> PathBuf {
    if root == Path::new(".") || root.as_os_str().is_empty() {
        PathBuf::from(name)
    } else {
        root.join(name)
    }
}

fn short(fp: &str) -> &str {
    fp.get(..12).unwrap_or(fp)
}

fn status_name(s: Option<Status>) -> &'static str {
    s.map_or("-", Status::as_str)
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_table_has_aligned_columns() {
        let r = AuditRecord {
            timestamp: "2026-01-01T00:00:00Z".into(),
            actor: "a@example.org".into(),
            action: Action::Mark,
            fingerprint: Some("0123456789abcdef".into()),
            rule_id: Some("generic-secret".into()),
            path: Some("src/a.py".into()),
            old_status: Some(Status::Unreviewed),
            new_status: Some(Status::FalsePositive),
            reason: Some("test\nfixture".into()),
        };
        let mut out = Vec::new();
        write_log_table(&[r], &mut out).expect("table");
        let text = String::from_utf8(out).expect("utf8");
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 2);
        assert!(lines[0].starts_with("TIMESTAMP "));
        assert_eq!(lines[0].find("ACTOR"), lines[1].find("a@example.org"));
        assert!(lines[1].contains("unreviewed -> false-positive"));
        assert!(lines[1].contains("0123456789ab "));
        assert!(lines[1].ends_with("test fixture"));
    }
}
