//! `keyfence git [REPO]`: scan history.

use super::{emit, EngineArgs, Outcome, OutputArgs};
use anyhow::{bail, Context};
use clap::Args;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressState, ProgressStyle};
use keyfence::config::{Config, DEFAULT_MAX_FILE_SIZE};
use keyfence::scan::history::{scan_history, HistoryOptions, HistoryProgress, NoProgress};
use keyfence::scan::Engine;
use keyfence::source::git::time::{parse_date, DayEnd};
use keyfence::source::git::{self, parse_pre_push, PushRef, Selector, Window};
use std::io::{IsTerminal, Read};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// Arguments of `keyfence git`.
#[derive(Debug, Args)]
pub struct GitArgs {
    /// The repository (default: the one containing the current directory; bare repositories work).
    #[arg(value_name = "REPO")]
    pub repo: Option<PathBuf>,
    /// Scan only the history of this branch (or tag, or any revision).
    #[arg(long, value_name = "NAME", conflicts_with_all = ["range", "pre_push"])]
    pub branch: Option<String>,
    /// Scan what the commits reachable from B and not from A add (a pull request, a push).
    /// A secret already in the previous version of a file is not reported.
    #[arg(long, value_name = "A..B", conflicts_with = "pre_push")]
    pub range: Option<String>,
    /// Only commits made on or after DATE (YYYY-MM-DD or RFC 3339; committer date).
    #[arg(long, value_name = "DATE")]
    pub since: Option<String>,
    /// Only commits made on or before DATE (YYYY-MM-DD, the whole day, or RFC 3339).
    #[arg(long, value_name = "DATE")]
    pub until: Option<String>,
    /// List every commit and path where each secret appears, not only the first.
    #[arg(long)]
    pub all_occurrences: bool,
    /// Act as a pre-push hook: read '<local ref> <local sha> <remote ref> <remote sha>'
    /// lines on stdin and scan only the commits the push adds. Under pre-commit, which
    /// keeps stdin to itself, the range comes from PRE_COMMIT_FROM_REF and
    /// PRE_COMMIT_TO_REF; with neither, the commits of the pushed branch (or HEAD) that
    /// no remote-tracking branch has.
    #[arg(long)]
    pub pre_push: bool,
    #[command(flatten)]
    pub engine: EngineArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}

/// Bytes of a pack file mapped at a time.
const PACK_WINDOW: usize = 32 << 20;

/// Process-wide libgit2 settings for reading repositories we did not create.
pub fn configure_libgit2() {
    // keyfence reads objects only and never runs hooks, filters or programs a
    // repository's config names, so a checkout owned by another user (a CI
    // container, a mounted volume) is safe to read.
    // SAFETY: called before any thread uses libgit2.
    unsafe {
        let _ = git2::opts::set_verify_owner_validation(false);
        // Pack files are mapped in windows (1 GiB each by default); cap what
        // stays mapped so resident memory does not grow with the size of the
        // history. Costs a little system time on packs larger than the cap.
        let _ = git2::opts::set_mwindow_size(PACK_WINDOW);
        let _ = git2::opts::set_mwindow_mapped_limit(4 * PACK_WINDOW);
    }
    // Objects are inflated for their content only; re-hashing each one would
    // cost more than scanning it.
    git2::opts::strict_hash_verification(false);
    // Each tree and blob is read once (history scans keep their own compact
    // index), so libgit2's object cache would only hold memory.
    git2::opts::enable_caching(false);
}

pub fn run(args: GitArgs) -> anyhow::Result<ExitCode> {
    configure_libgit2();
    let path = args.repo.clone().unwrap_or_else(|| PathBuf::from("."));
    let repo = git::open(&path)?;
    let root = git::root(&repo);
    let (config, origin) = Config::resolve(args.engine.config.as_deref(), &root)?;
    let engine = Engine::from_config(&config, origin.as_deref())?;
    let selector = if args.pre_push {
        Selector::PrePush(pushed_refs(&repo)?)
    } else if let Some(r) = &args.range {
        Selector::Range(r.clone())
    } else if let Some(b) = &args.branch {
        Selector::Branch(b.clone())
    } else {
        Selector::All
    };
    let window = Window {
        since: date(args.since.as_deref(), "--since", DayEnd::Start)?,
        until: date(args.until.as_deref(), "--until", DayEnd::End)?,
    };
    let opts = HistoryOptions {
        selector,
        window,
        threads: args.engine.threads,
        max_file_size: args
            .engine
            .max_file_size
            .or(config.scan.max_file_size)
            .unwrap_or(DEFAULT_MAX_FILE_SIZE),
        exclude: config.scan.exclude.clone(),
        all_occurrences: args.all_occurrences,
    };
    let show_bar =
        !args.output.quiet && !args.output.no_progress && std::io::stderr().is_terminal();
    let mut out = if show_bar {
        let bar = Bar::new();
        let out = scan_history(&engine, &repo, &opts, &bar);
        bar.bar.finish_and_clear();
        out?
    } else {
        scan_history(&engine, &repo, &opts, &NoProgress)?
    };
    if out.shallow && !args.output.quiet {
        eprintln!(
            "keyfence: note: {}: shallow clone: scanned the {} commits present; older history was not fetched",
            root.display(),
            out.commits
        );
    }
    super::baseline::apply(
        &args.engine,
        &args.output,
        &root,
        &mut out.scan.findings,
        &mut out.scan.summary,
    )?;
    keyfence::finding::limit_per_path(
        &mut out.scan.findings,
        args.engine.max_findings_per_file,
        &mut out.scan.summary,
    );
    let catalog = keyfence::rule_catalog(engine.rules());
    emit(
        &args.output,
        args.engine.strict,
        &Outcome {
            findings: &out.scan.findings,
            summary: &out.scan.summary,
            rules: &catalog,
            command: "git",
            revision: out.revision.as_deref(),
            repository_uri: out.repository_uri.as_deref(),
            errors_are_fatal: true,
        },
    )
}

/// What a push adds: git's pre-push lines on stdin; when stdin is empty (or
/// a terminal), pre-commit's `PRE_COMMIT_FROM_REF`..`PRE_COMMIT_TO_REF`;
/// without those (pre-commit passes no range when the push includes a root
/// commit, or a manual run), the pushed branch (`PRE_COMMIT_LOCAL_BRANCH`,
/// else HEAD) against every remote-tracking branch.
fn pushed_refs(repo: &git2::Repository) -> anyhow::Result<Vec<PushRef>> {
    let mut text = String::new();
    let stdin = std::io::stdin();
    if !stdin.is_terminal() {
        stdin
            .lock()
            .read_to_string(&mut text)
            .context("pre-push: cannot read the refs on stdin")?;
    }
    if !text.trim().is_empty() {
        return parse_pre_push(&text).map_err(|e| anyhow::anyhow!("pre-push: stdin {e}"));
    }
    let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    let commit = |spec: &str, name: &str| -> anyhow::Result<git2::Oid> {
        repo.revparse_single(spec)
            .and_then(|o| o.peel_to_commit())
            .map(|c| c.id())
            .map_err(|e| anyhow::anyhow!("pre-push: {name} '{spec}': {}", e.message()))
    };
    let (local_ref, local, remote) = match var("PRE_COMMIT_TO_REF") {
        Some(to) => {
            let remote = match var("PRE_COMMIT_FROM_REF") {
                Some(from) => commit(&from, "PRE_COMMIT_FROM_REF")?,
                None => git2::Oid::zero(),
            };
            let local = commit(&to, "PRE_COMMIT_TO_REF")?;
            (var("PRE_COMMIT_LOCAL_BRANCH").unwrap_or(to), local, remote)
        }
        None => {
            let branch = var("PRE_COMMIT_LOCAL_BRANCH").unwrap_or_else(|| "HEAD".into());
            let local = commit(&branch, "the pushed branch")?;
            (branch, local, git2::Oid::zero())
        }
    };
    Ok(vec![PushRef {
        local_ref,
        local,
        remote_ref: var("PRE_COMMIT_REMOTE_BRANCH").unwrap_or_default(),
        remote,
    }])
}

fn date(text: Option<&str>, flag: &str, end: DayEnd) -> anyhow::Result<Option<i64>> {
    match text {
        None => Ok(None),
        Some(t) => match parse_date(t, end) {
            Some(s) => Ok(Some(s)),
            None => bail!("{flag} '{t}': expected a date as YYYY-MM-DD or RFC 3339"),
        },
    }
}

/// The progress bar: blobs scanned of those found, bytes, matches.
struct Bar {
    bar: ProgressBar,
    bytes: Arc<AtomicU64>,
    matches: Arc<AtomicU64>,
}

impl Bar {
    fn new() -> Bar {
        let bytes = Arc::new(AtomicU64::new(0));
        let matches = Arc::new(AtomicU64::new(0));
        let (b, m) = (Arc::clone(&bytes), Arc::clone(&matches));
        let style = ProgressStyle::with_template(
            "{spinner} history: {pos}/{len} blobs · {scanned} · {found} · {elapsed}",
        )
        .expect("the template is valid")
        .with_key(
            "scanned",
            move |_: &ProgressState, w: &mut dyn std::fmt::Write| {
                let _ = write!(w, "{}", indicatif::HumanBytes(b.load(Ordering::Relaxed)));
            },
        )
        .with_key(
            "found",
            move |_: &ProgressState, w: &mut dyn std::fmt::Write| {
                let n = m.load(Ordering::Relaxed);
                let _ = write!(w, "{n} {}", if n == 1 { "match" } else { "matches" });
            },
        );
        let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr());
        bar.set_style(style);
        Bar {
            bar,
            bytes,
            matches,
        }
    }
}

impl HistoryProgress for Bar {
    fn blob_found(&self) {
        self.bar.inc_length(1);
    }

    fn walk_done(&self, total: u64) {
        self.bar.set_length(total);
    }

    fn blob_done(&self, bytes: u64, matches: u64) {
        self.bytes.fetch_add(bytes, Ordering::Relaxed);
        self.matches.fetch_add(matches, Ordering::Relaxed);
        self.bar.inc(1);
    }
}
