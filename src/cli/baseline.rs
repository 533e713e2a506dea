//! `keyfence baseline <create|update|prune|review|mark|log|merge|import>`, and
//! [`apply`], which every scanning command calls to leave out the findings
//! recorded in the baseline.

use super::{EngineArgs, OutputArgs};
use anyhow::{bail, Context};
use clap::{Args, Subcommand, ValueEnum};
use keyfence::config::{Config, DEFAULT_MAX_FILE_SIZE};
use keyfence::filter::audit::{
    save_with_audit, timestamp_now, today, Action, AuditLog, AuditRecord,
};
use keyfence::filter::baseline::{Change, Entry, Review};
use keyfence::filter::{Baseline, Status, BASELINE_FILE_NAME};
use keyfence::finding::{redact, CommitInfo, Finding, Summary, UnusedEntry};
use keyfence::report::Format;
use keyfence::scan::{scan_paths, Engine, ScanOptions};
use sha1::{Digest, Sha1};
use std::collections::BTreeMap;
use std::io::{self, BufRead, IsTerminal, Write};
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
        BaselineCommand::Review { path, tuning } => review(&cx, path, &tuning),
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
        } => import(&cx, from, &file, path, &tuning),
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
        Source::Staged | Source::Git => bail!(
            "--from {}: this build of keyfence cannot scan {} yet; use --from scan",
            source.name(),
            if source == Source::Git {
                "history"
            } else {
                "staged changes"
            }
        ),
    };
    for e in &summary.errors {
        eprintln!("keyfence: warning: {e}");
    }
    Ok(findings)
}

impl Source {
    fn name(self) -> &'static str {
        match self {
            Source::Scan => "scan",
            Source::Staged => "staged",
            Source::Git => "git",
        }
    }
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

fn review(cx: &Cx, path: Option<PathBuf>, t: &ScanTuning) -> anyhow::Result<ExitCode> {
    if !io::stdin().is_terminal() {
        eprintln!(
            "keyfence: error: `keyfence baseline review` asks questions and needs a terminal on \
             stdin; in scripts use `keyfence baseline mark FINGERPRINT --status STATUS --reason TEXT`"
        );
        return Ok(ExitCode::from(2));
    }
    let baseline_path = match (&cx.baseline, &path) {
        (Some(b), _) => b.clone(),
        (None, Some(root)) => at_root(root, BASELINE_FILE_NAME),
        (None, None) => PathBuf::from(BASELINE_FILE_NAME),
    };
    let root = path.unwrap_or_else(|| match baseline_path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    });
    let mut baseline = Baseline::load(&baseline_path)?;
    let pending: Vec<String> = baseline
        .entries()
        .filter(|e| !e.status.is_reviewed())
        .map(|e| e.fingerprint.clone())
        .collect();
    if pending.is_empty() {
        println!(
            "keyfence: {}: every entry is reviewed",
            baseline_path.display()
        );
        return Ok(ExitCode::SUCCESS);
    }
    let contexts = contexts(&root, t).unwrap_or_else(|e| {
        eprintln!("keyfence: warning: no context shown: {e:#}");
        BTreeMap::new()
    });
    let actor = cx.actor(&root);
    let stdin = io::stdin();
    let mut input = stdin.lock();
    let stdout = io::stdout();
    let mut out = stdout.lock();
    writeln!(
        out,
        "{} unreviewed entr{} in {} (reviewer: {actor}). Ctrl-C stops; decisions already made are saved.",
        pending.len(),
        if pending.len() == 1 { "y" } else { "ies" },
        baseline_path.display()
    )?;
    let done = review_loop(
        &mut baseline,
        &pending,
        &contexts,
        &actor,
        &mut input,
        &mut out,
        &mut |b, change| {
            save(
                b,
                &baseline_path,
                &actor,
                Action::Review,
                std::slice::from_ref(change),
            )
        },
    )?;
    writeln!(
        out,
        "keyfence: {done} entr{} reviewed",
        if done == 1 { "y" } else { "ies" }
    )?;
    Ok(ExitCode::SUCCESS)
}

/// What review shows of a finding: its line, with the secret redacted.
#[derive(Debug, Clone, PartialEq, Eq)]
struct LineContext {
    line: usize,
    text: String,
}

/// The redacted line of every current finding, by location fingerprint.
fn contexts(root: &Path, t: &ScanTuning) -> anyhow::Result<BTreeMap<String, LineContext>> {
    let findings = collect(Source::Scan, root, t)?;
    let mut out = BTreeMap::new();
    for f in findings {
        let Some(secret) = &f.secret else { continue };
        let text = std::fs::read(root.join(&f.path))
            .ok()
            .and_then(|b| {
                String::from_utf8_lossy(&b)
                    .lines()
                    .nth(f.line.saturating_sub(1))
                    .map(str::to_string)
            })
            .map(|l| redacted_line(&l, secret.expose()))
            .unwrap_or_default();
        out.insert(
            f.location_fingerprint.clone(),
            LineContext { line: f.line, text },
        );
    }
    Ok(out)
}

/// The line with every occurrence of the secret redacted, trimmed and cut to a readable length.
fn redacted_line(line: &str, secret: &str) -> String {
    let mut text = if secret.is_empty() {
        line.to_string()
    } else {
        line.replace(secret, &redact(secret))
    };
    text = text
        .trim()
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if text.chars().count() > 160 {
        text = text.chars().take(159).collect::<String>() + "\u{2026}";
    }
    text
}

/// Asks about each fingerprint in `pending`; calls `saved` after each
/// decision. Returns how many were decided. End of input is "quit".
fn review_loop(
    baseline: &mut Baseline,
    pending: &[String],
    contexts: &BTreeMap<String, LineContext>,
    reviewer: &str,
    input: &mut dyn BufRead,
    out: &mut dyn Write,
    saved: &mut dyn FnMut(&Baseline, &Change) -> anyhow::Result<()>,
) -> anyhow::Result<usize> {
    let mut done = 0;
    for (i, fp) in pending.iter().enumerate() {
        let Some(e) = baseline.get(fp).cloned() else {
            continue;
        };
        writeln!(out)?;
        let at = contexts
            .get(fp)
            .map(|c| format!("{}:{}", e.path, c.line))
            .unwrap_or_else(|| e.path.clone());
        writeln!(
            out,
            "[{}/{}] {}  {at}  {}",
            i + 1,
            pending.len(),
            e.rule_id,
            short(fp)
        )?;
        if let Some(s) = &e.secret_redacted {
            writeln!(out, "      secret  {s}")?;
        }
        if let Some(c) = &e.commit {
            writeln!(out, "      commit  {}", short(c))?;
        }
        match contexts.get(fp) {
            Some(c) if !c.text.is_empty() => writeln!(out, "      line    {}", c.text)?,
            _ => writeln!(out, "      (not found in the files under the root)")?,
        }
        let status = loop {
            let Some(answer) = ask(
                input,
                out,
                "  (f) false positive  (a) accepted risk  (r) revoked  (s) skip  (q) quit > ",
            )?
            else {
                return Ok(done);
            };
            match answer.to_ascii_lowercase().as_str() {
                "f" | "false positive" | "false-positive" => break Some(Status::FalsePositive),
                "a" | "accepted risk" | "accepted-risk" => break Some(Status::AcceptedRisk),
                "r" | "revoked" => break Some(Status::Revoked),
                "s" | "skip" | "" => break None,
                "q" | "quit" => return Ok(done),
                _ => writeln!(out, "  please answer f, a, r, s or q")?,
            }
        };
        let Some(status) = status else { continue };
        let reason = loop {
            let Some(r) = ask(input, out, "  reason > ")? else {
                return Ok(done);
            };
            if !r.is_empty() {
                break r;
            }
            writeln!(
                out,
                "  a reason is required (who will read this later needs it)"
            )?;
        };
        let r = Review {
            status,
            reason: Some(reason),
            reviewer: reviewer.to_string(),
            date: today(),
        };
        if let Some(change) = baseline.review(fp, &r) {
            saved(baseline, &change)?;
            done += 1;
            writeln!(out, "  marked {status}")?;
        }
    }
    Ok(done)
}

/// Prints a prompt and reads one trimmed line; `None` at end of input.
fn ask(input: &mut dyn BufRead, out: &mut dyn Write, prompt: &str) -> io::Result<Option<String>> {
    write!(out, "{prompt}")?;
    out.flush()?;
    let mut line = String::new();
    if input.read_line(&mut line)? == 0 {
        writeln!(out)?;
        return Ok(None);
    }
    Ok(Some(line.trim().to_string()))
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

/// One entry of the other tool's file, and what became of it.
struct Foreign {
    /// Where the other tool put it (`path:line`).
    at: String,
    /// What it was (the other tool's rule or type).
    what: String,
}

fn import(
    cx: &Cx,
    from: ImportFormat,
    file: &Path,
    path: Option<PathBuf>,
    t: &ScanTuning,
) -> anyhow::Result<ExitCode> {
    let root = root_of(path)?;
    let baseline_path = cx.baseline_path(&root);
    let mut baseline = Baseline::load_or_new(&baseline_path)?;
    let text = std::fs::read_to_string(file)
        .with_context(|| format!("{}: cannot read", file.display()))?;
    let actor = cx.actor(&root);
    let (engine, opts) = prepare(&root, t)?;
    let scanned = scan_paths(&engine, &opts)?;
    for e in &scanned.summary.errors {
        eprintln!("keyfence: warning: {e}");
    }
    let (mapped, unmapped) = match from {
        ImportFormat::DetectSecrets => map_detect_secrets(file, &text, &scanned.findings, &actor)?,
        ImportFormat::Gitleaks => map_gitleaks(&text, &root, &engine, &scanned.findings),
    };
    let total = mapped.len() + unmapped.len();
    let mut changes = Vec::new();
    let mut imported = 0;
    for (_, entries) in &mapped {
        imported += 1;
        for e in entries {
            match baseline.get(&e.fingerprint) {
                None => {
                    changes.push(Change {
                        fingerprint: e.fingerprint.clone(),
                        rule_id: e.rule_id.clone(),
                        path: e.path.clone(),
                        old_status: None,
                        new_status: Some(e.status),
                        reason: e.reason.clone(),
                    });
                    baseline.insert(e.clone());
                }
                Some(old) if !old.status.is_reviewed() && e.status.is_reviewed() => {
                    let r = Review {
                        status: e.status,
                        reason: e.reason.clone(),
                        reviewer: actor.clone(),
                        date: today(),
                    };
                    changes.extend(baseline.review(&e.fingerprint, &r));
                }
                Some(_) => {}
            }
        }
    }
    if !changes.is_empty() {
        save(&baseline, &baseline_path, &actor, Action::Import, &changes)?;
    }
    println!(
        "keyfence: imported {imported} of {total} entr{} from {} into {} ({} baseline entr{} added or updated)",
        if total == 1 { "y" } else { "ies" },
        file.display(),
        baseline_path.display(),
        changes.len(),
        if changes.len() == 1 { "y" } else { "ies" },
    );
    if !unmapped.is_empty() {
        println!("keyfence: could not map {}:", unmapped.len());
        for (f, why) in &unmapped {
            println!("  {}  {}: {why}", f.at, f.what);
        }
    }
    Ok(ExitCode::SUCCESS)
}

type Mapped = Vec<(Foreign, Vec<Entry>)>;
type Unmapped = Vec<(Foreign, String)>;

/// detect-secrets keeps only the SHA-1 of each secret: a finding maps when
/// keyfence finds, in the same file, a secret with that SHA-1.
fn map_detect_secrets(
    file: &Path,
    text: &str,
    findings: &[Finding],
    actor: &str,
) -> anyhow::Result<(Mapped, Unmapped)> {
    let doc: serde_json::Value = serde_json::from_str(text)
        .with_context(|| format!("{}: not a detect-secrets baseline", file.display()))?;
    let Some(results) = doc.get("results").and_then(|r| r.as_object()) else {
        bail!(
            "{}: not a detect-secrets baseline (no \"results\" object)",
            file.display()
        );
    };
    let mut by_hash: BTreeMap<(&str, String), Vec<&Finding>> = BTreeMap::new();
    for f in findings {
        if let Some(s) = &f.secret {
            let sha1 = hex::encode(Sha1::digest(s.expose().as_bytes()));
            by_hash.entry((f.path.as_str(), sha1)).or_default().push(f);
        }
    }
    let (mut mapped, mut unmapped) = (Vec::new(), Vec::new());
    for (name, list) in results {
        let path = normalize(name);
        for item in list.as_array().map(Vec::as_slice).unwrap_or_default() {
            let kind = item["type"].as_str().unwrap_or("?").to_string();
            let line = item["line_number"].as_u64().unwrap_or(0);
            let foreign = Foreign {
                at: format!("{path}:{line}"),
                what: kind,
            };
            let Some(hash) = item["hashed_secret"].as_str() else {
                unmapped.push((foreign, "no hashed_secret".to_string()));
                continue;
            };
            let hash = hash.to_ascii_lowercase();
            let Some(hits) = by_hash.get(&(path.as_str(), hash)) else {
                unmapped.push((
                    foreign,
                    "no keyfence finding in this file has a secret with this hash".to_string(),
                ));
                continue;
            };
            let (status, reason, reviewer) = match item.get("is_secret").and_then(|v| v.as_bool()) {
                Some(false) => (
                    Status::FalsePositive,
                    "marked not a secret in a detect-secrets audit (imported)",
                    Some(actor.to_string()),
                ),
                Some(true) => (
                    Status::Unreviewed,
                    "marked a real secret in a detect-secrets audit (imported): rotate it",
                    None,
                ),
                None => (
                    Status::Unreviewed,
                    "imported from a detect-secrets baseline",
                    None,
                ),
            };
            let entries = hits
                .iter()
                .map(|f| Entry {
                    status,
                    reason: Some(reason.to_string()),
                    reviewed_at: reviewer.as_ref().map(|_| today()),
                    reviewer: reviewer.clone(),
                    ..Entry::from_finding(f)
                })
                .collect();
            mapped.push((foreign, entries));
        }
    }
    Ok((mapped, unmapped))
}

/// A `.gitleaksignore` line: `[commit:]file:rule-id:line`.
fn parse_gitleaks_line(line: &str) -> Option<(Option<String>, String, String, usize)> {
    let (rest, line_no) = line.rsplit_once(':')?;
    let line_no: usize = line_no.trim().parse().ok()?;
    let (rest, rule) = rest.rsplit_once(':')?;
    let (commit, file) = match rest.split_once(':') {
        Some((c, f)) if (7..=64).contains(&c.len()) && c.bytes().all(|b| b.is_ascii_hexdigit()) => {
            (Some(c.to_ascii_lowercase()), f)
        }
        _ => (None, rest),
    };
    if file.is_empty() || rule.is_empty() {
        return None;
    }
    Some((commit, normalize(file), rule.to_string(), line_no))
}

/// gitleaks records a file, a rule and a line (and a commit for history): an
/// entry maps to every keyfence finding on that line of that file (in that
/// commit's version of the file, when there is a commit).
fn map_gitleaks(
    text: &str,
    root: &Path,
    engine: &Engine,
    findings: &[Finding],
) -> (Mapped, Unmapped) {
    let (mut mapped, mut unmapped) = (Vec::new(), Vec::new());
    let repo = git2::Repository::open(root).ok();
    let mut scratch = engine.scratch();
    for raw in text.lines() {
        let raw = raw.trim();
        if raw.is_empty() || raw.starts_with('#') {
            continue;
        }
        let Some((commit, file, rule, line)) = parse_gitleaks_line(raw) else {
            unmapped.push((
                Foreign {
                    at: raw.to_string(),
                    what: "?".into(),
                },
                "not a gitleaks fingerprint ([commit:]file:rule-id:line)".to_string(),
            ));
            continue;
        };
        let foreign = Foreign {
            at: match &commit {
                Some(c) => format!("{}:{file}:{line}", short(c)),
                None => format!("{file}:{line}"),
            },
            what: rule.clone(),
        };
        let on_line = |f: &&Finding| f.path == file && f.line <= line && line <= f.end_line;
        let hits: Vec<Finding> = match &commit {
            None => findings.iter().filter(on_line).cloned().collect(),
            Some(c) => match history_findings(repo.as_ref(), c, &file, engine, &mut scratch) {
                Ok(found) => found.iter().filter(on_line).cloned().collect(),
                Err(why) => {
                    unmapped.push((foreign, why));
                    continue;
                }
            },
        };
        if hits.is_empty() {
            unmapped.push((foreign, "keyfence finds nothing on this line".to_string()));
            continue;
        }
        let entries = hits
            .iter()
            .map(|f| Entry {
                reason: Some(format!(
                    "imported from .gitleaksignore (gitleaks rule {rule})"
                )),
                ..Entry::from_finding(f)
            })
            .collect();
        mapped.push((foreign, entries));
    }
    (mapped, unmapped)
}

/// Scans `file` as it was in `commit`; the findings carry that commit.
fn history_findings(
    repo: Option<&git2::Repository>,
    commit: &str,
    file: &str,
    engine: &Engine,
    scratch: &mut keyfence::scan::EngineScratch,
) -> Result<Vec<Finding>, String> {
    let repo = repo.ok_or("the root is not a git repository")?;
    let c = repo
        .revparse_single(commit)
        .and_then(|o| o.peel_to_commit())
        .map_err(|_| format!("commit {} not found", short(commit)))?;
    let entry = c
        .tree()
        .and_then(|t| t.get_path(Path::new(file)))
        .map_err(|_| format!("{file} is not in commit {}", short(commit)))?;
    let blob = repo
        .find_blob(entry.id())
        .map_err(|_| format!("{file} in commit {} is not a file", short(commit)))?;
    let info = CommitInfo {
        id: c.id().to_string(),
        author_name: c.author().name().unwrap_or_default().to_string(),
        author_email: c.author().email().unwrap_or_default().to_string(),
        date: keyfence::filter::audit::rfc3339_utc(c.time().seconds()),
        path: file.to_string(),
    };
    let data = keyfence::blob::decode(blob.content());
    let mut matches = Vec::new();
    engine.scan_blob(&data, scratch, &mut matches);
    Ok(matches
        .iter()
        .filter_map(|m| engine.locate(m, file, Some(&info)))
        .collect())
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
    use keyfence::finding::{Kind, Secret};
    use keyfence::severity::{Confidence, Severity};

    fn finding(secret: &str, path: &str) -> Finding {
        let s = Secret::new(secret);
        let fp = Finding::secret_fingerprint("r", &s.sha256());
        Finding {
            rule_id: "r".into(),
            kind: Kind::Secret,
            severity: Severity::High,
            confidence: Confidence::High,
            validated: None,
            path: path.into(),
            line: 1,
            column: 1,
            end_line: 1,
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
    fn review_walks_entries_and_saves_each_decision() {
        let mut b = Baseline::new();
        b.update(&[
            finding("aaaaaaaaaaaaaaaaaaaaaaaa", "a.txt"),
            finding("bbbbbbbbbbbbbbbbbbbbbbbb", "b.txt"),
            finding("cccccccccccccccccccccccc", "c.txt"),
        ]);
        let pending: Vec<String> = b.entries().map(|e| e.fingerprint.clone()).collect();
        let mut contexts = BTreeMap::new();
        contexts.insert(
            pending[0].clone(),
            LineContext {
                line: 7,
                text: redacted_line(
                    "  key = \"aaaaaaaaaaaaaaaaaaaaaaaa\"",
                    "aaaaaaaaaaaaaaaaaaaaaaaa",
                ),
            },
        );
        // First: bad answer, then false positive with an empty then a real reason.
        // Second: skip. Third: revoked.
        let mut input = io::Cursor::new("x\nf\n\ntest fixture\ns\nr\nrotated on 2026-01-05\n");
        let mut out = Vec::new();
        let mut saves = Vec::new();
        let done = review_loop(
            &mut b,
            &pending,
            &contexts,
            "rev@example.org",
            &mut input,
            &mut out,
            &mut |_, c| {
                saves.push(c.clone());
                Ok(())
            },
        )
        .expect("review");
        let out = String::from_utf8(out).expect("utf8");
        assert_eq!(done, 2, "{out}");
        assert_eq!(saves.len(), 2);
        assert!(out.contains("please answer"), "{out}");
        assert!(out.contains("a reason is required"), "{out}");
        assert!(out.contains("line    key = \"aaaa\u{2026}(24)\""), "{out}");
        assert!(!out.contains("aaaaaaaaaaaaaaaaaaaaaaaa"), "{out}");
        let e0 = b.get(&pending[0]).expect("e0");
        assert_eq!(e0.status, Status::FalsePositive);
        assert_eq!(e0.reason.as_deref(), Some("test fixture"));
        assert_eq!(e0.reviewer.as_deref(), Some("rev@example.org"));
        assert_eq!(b.get(&pending[1]).expect("e1").status, Status::Unreviewed);
        assert_eq!(b.get(&pending[2]).expect("e2").status, Status::Revoked);
    }

    #[test]
    fn review_stops_at_end_of_input_and_quit() {
        let mut b = Baseline::new();
        b.update(&[finding("aaaaaaaaaaaaaaaaaaaaaaaa", "a.txt")]);
        let pending: Vec<String> = b.entries().map(|e| e.fingerprint.clone()).collect();
        for script in ["", "q\n", "f\n"] {
            let mut b = b.clone();
            let done = review_loop(
                &mut b,
                &pending,
                &BTreeMap::new(),
                "r",
                &mut io::Cursor::new(script),
                &mut Vec::new(),
                &mut |_, _| Ok(()),
            )
            .expect("review");
            assert_eq!(done, 0, "{script:?}");
            assert_eq!(b.get(&pending[0]).expect("e").status, Status::Unreviewed);
        }
    }

    #[test]
    fn gitleaks_lines() {
        let c = "0123456789abcdef0123456789abcdef01234567";
        assert_eq!(
            parse_gitleaks_line(&format!("{c}:src/a.py:generic-api-key:12")),
            Some((
                Some(c.to_string()),
                "src/a.py".into(),
                "generic-api-key".into(),
                12
            ))
        );
        assert_eq!(
            parse_gitleaks_line("./src/a.py:aws-access-token:3"),
            Some((None, "src/a.py".into(), "aws-access-token".into(), 3))
        );
        assert_eq!(parse_gitleaks_line("src/a.py:12"), None);
        assert_eq!(parse_gitleaks_line("src/a.py:r:x"), None);
    }

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
