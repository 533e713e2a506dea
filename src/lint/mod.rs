//! Lint rules: hygiene and rotation checks that look at the repository rather
//! than at bytes — tracked `.env` files, ignore-rule coverage, file modes,
//! secret age from history, the rotation manifest, the baseline's review
//! state, secrets written to logs, TLS verification turned off, and whether
//! secret scanning is enforced at all.
//!
//! Takes a [`LintContext`] (the work tree, its repository and index, the
//! configuration, today's date, the baseline, and the secrets found at HEAD
//! and in history); gives findings of kind `lint`, built with
//! [`Finding::lint`] and passed through the same inline markers and
//! allowlists as secret findings, so every reporter serves them.
//!
//! Each lint is one file: a unit struct implementing [`Lint`], its
//! documentation in fixed sections (*What it checks*, *Why it matters*, *How
//! to fix*, *Example*, *Configuration*), and its tests. [`LINTS`] lists them
//! once; `docs/lint.md` and the SARIF rule entries are generated from it.

/// Declares a lint's unit struct and keeps its doc comment: the first line as
/// `SUMMARY`, the rest as `DOC` (markdown), so `docs/lint.md` and SARIF help
/// come from the same text as rustdoc.
macro_rules! declare_lint {
    (#[doc = $summary:literal] $(#[doc = $doc:literal])* $vis:vis struct $name:ident;) => {
        #[doc = $summary]
        $(#[doc = $doc])*
        #[derive(Debug, Clone, Copy, Default)]
        $vis struct $name;

        impl $name {
            const SUMMARY: &'static str = $summary.trim_ascii();
            const DOC: &'static str = concat!($($doc, "\n"),*);
        }
    };
}

mod baseline;
mod date;
mod files;
mod inventory;
mod rotation_report;

mod baseline_review;
mod env_example_drift;
mod gitignore_coverage;
mod rotation_overdue;
mod scanning_not_enforced;
mod secret_age;
mod secret_file_mode;
mod secret_in_history;
mod secret_logged;
mod tls_verification_disabled;
mod tracked_secret_file;

pub use baseline::{BaselineEntry, BaselineView};
pub use date::{now_rfc3339, Date};
pub use files::IgnoreRules;
pub use inventory::{Due, RotationStatus};
pub use rotation_report::{RotationEntry, RotationReport};

// Each lint's unit struct.
pub use baseline_review::*;
pub use env_example_drift::*;
pub use gitignore_coverage::*;
pub use rotation_overdue::*;
pub use scanning_not_enforced::*;
pub use secret_age::*;
pub use secret_file_mode::*;
pub use secret_in_history::*;
pub use secret_logged::*;
pub use tls_verification_disabled::*;
pub use tracked_secret_file::*;

use crate::config::{Config, CONFIG_FILE_NAME, DEFAULT_MAX_FILE_SIZE};
use crate::error::{Error, Result};
use crate::filter::{ContentContext, FilterSet, LocationContext, BASELINE_FILE_NAME};
use crate::finding::{sort_findings, Finding, Kind, Summary};
use crate::report::{RuleCatalog, RuleMeta, TOOL_INFORMATION_URI};
use crate::scan::history::{scan_history, HistoryOptions, HistoryOutput, NoProgress};
use crate::scan::{Engine, ScanOutput};
use crate::severity::{Confidence, Severity};
use crate::source::{self, ReadOutcome};
use git2::Repository;
use rayon::prelude::*;
use std::cell::OnceCell;
use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// A lint rule.
pub trait Lint: Sync {
    /// Stable kebab-case id, named for the problem.
    fn id(&self) -> &'static str;
    /// One line: the problem it reports.
    fn summary(&self) -> &'static str;
    /// Severity unless `[lint] severity` overrides it.
    fn default_severity(&self) -> Severity;
    /// The documentation in fixed sections, as markdown.
    fn doc(&self) -> &'static str;
    /// The findings for a repository.
    fn check(&self, cx: &LintContext) -> Vec<Finding>;

    /// The severity in force: `[lint] severity` or the default.
    fn severity(&self, cx: &LintContext) -> Severity {
        cx.config
            .lint
            .severity
            .get(self.id())
            .copied()
            .unwrap_or_else(|| self.default_severity())
    }
}

/// Every lint, in the order of the documentation.
pub static LINTS: &[&dyn Lint] = &[
    &TrackedSecretFile,
    &GitignoreCoverage,
    &SecretFileMode,
    &EnvExampleDrift,
    &SecretAge,
    &SecretInHistory,
    &RotationOverdue,
    &BaselineReview,
    &SecretLogged,
    &TlsVerificationDisabled,
    &ScanningNotEnforced,
];

/// The lint with this id.
pub fn by_id(id: &str) -> Option<&'static dyn Lint> {
    LINTS.iter().copied().find(|l| l.id() == id)
}

/// One level lower (`info` stays `info`): the severity of early warnings.
pub fn lower(s: Severity) -> Severity {
    match s {
        Severity::Critical => Severity::High,
        Severity::High => Severity::Medium,
        Severity::Medium => Severity::Low,
        Severity::Low | Severity::Info => Severity::Info,
    }
}

/// Everything a lint looks at.
pub struct LintContext {
    /// The work tree's root (the repository's top level); finding paths are relative to it.
    pub root: PathBuf,
    /// The repository, when the root is a git work tree.
    pub repo: Option<Repository>,
    /// Tracked files (the index: regular files, sorted), or outside a
    /// repository the files a walk finds (respecting ignore files).
    pub files: Vec<String>,
    /// The configuration.
    pub config: Config,
    /// The configuration file, as given (for errors and reading its lines).
    pub config_file: Option<PathBuf>,
    /// Today (UTC), from the clock or set by a test.
    pub today: Date,
    /// The baseline, when there is one.
    pub baseline: Option<BaselineView>,
    /// Findings of a history scan (each with the commit that introduced it);
    /// `None` when history was not scanned.
    pub history: Option<Vec<Finding>>,
    /// Findings of a scan of the files at HEAD.
    pub head: Vec<Finding>,
    /// Largest file the content lints read.
    pub max_file_size: u64,
    ignore: OnceCell<IgnoreRules>,
    worktree: OnceCell<Vec<String>>,
}

impl fmt::Debug for LintContext {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LintContext")
            .field("root", &self.root)
            .field("repo", &self.repo.as_ref().map(Repository::path))
            .field("files", &self.files.len())
            .field("today", &self.today)
            .field("history", &self.history.as_ref().map(Vec::len))
            .field("head", &self.head.len())
            .finish_non_exhaustive()
    }
}

/// The work tree holding `path` and its repository: the repository's top
/// level when `path` is inside a git work tree, else `path` itself.
pub fn find_root(path: &Path) -> Result<(PathBuf, Option<Repository>)> {
    if !path.exists() {
        return Err(Error::NotFound {
            path: path.to_path_buf(),
        });
    }
    match Repository::discover(path) {
        Ok(repo) => match repo.workdir() {
            Some(w) => {
                let root = w.to_path_buf();
                Ok((root, Some(repo)))
            }
            None => Err(git_error(
                path,
                "a bare repository has no work tree to lint",
            )),
        },
        Err(e) if e.code() == git2::ErrorCode::NotFound => Ok((path.to_path_buf(), None)),
        Err(e) => Err(git_error(path, e.message())),
    }
}

fn git_error(path: &Path, message: &str) -> Error {
    Error::Git {
        path: path.to_path_buf(),
        message: message.to_lowercase(),
    }
}

impl LintContext {
    /// A context for the work tree at `root`: lists its files, reads the
    /// baseline at the root if there is one, and checks the `[lint]` and
    /// `[rotation]` configuration (errors name `config_file`). HEAD and
    /// history findings start empty; `today` is today.
    pub fn new(
        root: &Path,
        repo: Option<Repository>,
        config: Config,
        config_file: Option<&Path>,
    ) -> Result<LintContext> {
        check_config(&config, config_file)?;
        let mut cx = LintContext {
            root: root.to_path_buf(),
            repo,
            files: Vec::new(),
            max_file_size: config.scan.max_file_size.unwrap_or(DEFAULT_MAX_FILE_SIZE),
            config,
            config_file: config_file.map(Path::to_path_buf),
            today: Date::today(),
            baseline: None,
            history: None,
            head: Vec::new(),
            ignore: OnceCell::new(),
            worktree: OnceCell::new(),
        };
        cx.files = match &cx.repo {
            Some(repo) => tracked_files(repo, root)?,
            None => {
                let rules = cx.ignore_rules();
                let all = files::walk_worktree(root, rules);
                let kept = all
                    .iter()
                    .filter(|p| !rules.is_ignored(p, false))
                    .cloned()
                    .collect();
                let _ = cx.worktree.set(all);
                kept
            }
        };
        let baseline = root.join(BASELINE_FILE_NAME);
        if baseline.is_file() {
            cx.baseline = Some(BaselineView::load(&baseline, BASELINE_FILE_NAME)?);
        }
        Ok(cx)
    }

    /// True when the root is a git work tree.
    pub fn in_repo(&self) -> bool {
        self.repo.is_some()
    }

    /// True when `path` is in the index.
    pub fn is_tracked(&self, path: &str) -> bool {
        self.in_repo()
            && self
                .files
                .binary_search_by(|p| p.as_str().cmp(path))
                .is_ok()
    }

    /// The work tree's ignore rules.
    pub fn ignore_rules(&self) -> &IgnoreRules {
        self.ignore.get_or_init(|| {
            let exclude = self
                .repo
                .as_ref()
                .map(|r| r.commondir().join("info").join("exclude"));
            IgnoreRules::new(&self.root, exclude.as_deref())
        })
    }

    /// Every file of the work tree, tracked or not, ignored or not (ignored
    /// directories other than secret-bearing ones are not entered), sorted.
    pub fn worktree_files(&self) -> &[String] {
        self.worktree.get_or_init(|| {
            let mut all = files::walk_worktree(&self.root, self.ignore_rules());
            if self.in_repo() {
                all.extend(self.files.iter().cloned());
                all.sort();
                all.dedup();
            }
            all
        })
    }

    /// The text of a work-tree file, unless it is missing, binary or too large.
    pub fn read_text(&self, rel: &str) -> Option<String> {
        files::read_text(&self.root, rel, self.max_file_size)
    }

    /// The configuration file as findings show it: relative to the root when
    /// it is inside, else as given; `.keyfence.toml` when there is none.
    pub fn config_display(&self) -> String {
        match &self.config_file {
            Some(p) => {
                let abs_root = self.root.canonicalize().ok();
                let abs = p.canonicalize().ok();
                match (abs_root, abs) {
                    (Some(r), Some(a)) if a.starts_with(&r) => {
                        source::display_path(a.strip_prefix(&r).unwrap_or(&a))
                    }
                    _ => source::display_path(p),
                }
            }
            None => CONFIG_FILE_NAME.to_string(),
        }
    }
}

/// The regular files of the index, sorted, as '/'-separated UTF-8 paths.
fn tracked_files(repo: &Repository, root: &Path) -> Result<Vec<String>> {
    let index = repo.index().map_err(|e| git_error(root, e.message()))?;
    let mut out: Vec<String> = index
        .iter()
        .filter(|e| e.mode & 0o170000 == 0o100000)
        .filter_map(|e| String::from_utf8(e.path).ok())
        .collect();
    out.sort();
    out.dedup();
    Ok(out)
}

/// Checks `[lint]` (known ids) and the rotation manifest (real dates).
fn check_config(config: &Config, file: Option<&Path>) -> Result<()> {
    let err = |message: String| Error::Config {
        path: file.map_or_else(|| PathBuf::from(CONFIG_FILE_NAME), Path::to_path_buf),
        message,
    };
    for id in &config.lint.disable {
        if by_id(id).is_none() {
            return Err(err(format!(
                "lint.disable: unknown lint id '{id}' (see `keyfence lint --list`)"
            )));
        }
    }
    for id in config.lint.severity.keys() {
        if by_id(id).is_none() {
            return Err(err(format!(
                "lint.severity: unknown lint id '{id}' (see `keyfence lint --list`)"
            )));
        }
    }
    for (i, s) in config.rotation.secret.iter().enumerate() {
        let d = s.last_rotated;
        if Date::from_ymd(d.year, d.month, d.day).is_none() {
            return Err(err(format!(
                "rotation.secret[{i}].last_rotated: {:04}-{:02}-{:02} is not a calendar date",
                d.year, d.month, d.day
            )));
        }
    }
    Ok(())
}

/// The lints the configuration leaves on.
pub fn enabled(config: &Config) -> Vec<&'static dyn Lint> {
    LINTS
        .iter()
        .copied()
        .filter(|l| !config.lint.disable.iter().any(|d| d == l.id()))
        .collect()
}

/// Runs every enabled lint and passes the findings through the inline allow
/// markers and the configured allowlists; returns them sorted.
pub fn run(cx: &LintContext) -> Result<Vec<Finding>> {
    let origin = cx
        .config_file
        .clone()
        .unwrap_or_else(|| PathBuf::from(CONFIG_FILE_NAME));
    let filters = FilterSet::new(&cx.config.allowlist, &origin)?;
    let mut out: Vec<Finding> = enabled(&cx.config)
        .into_iter()
        .flat_map(|l| l.check(cx))
        .collect();
    let mut texts: HashMap<String, Option<String>> = HashMap::new();
    out.retain(|f| keep(cx, &filters, f, &mut texts));
    sort_findings(&mut out);
    Ok(out)
}

/// Whether the filters keep a lint finding: its path and commit against the
/// allowlist, and the text of its line (and the line above) against inline
/// markers and line regexes.
fn keep(
    cx: &LintContext,
    filters: &FilterSet,
    f: &Finding,
    texts: &mut HashMap<String, Option<String>>,
) -> bool {
    let location = LocationContext {
        rule_id: &f.rule_id,
        generic: false,
        path: &f.path,
        commit: f.commit.as_ref().map(|c| c.id.as_str()),
    };
    if !filters.keep_location(&location) {
        return false;
    }
    let text = texts
        .entry(f.path.clone())
        .or_insert_with(|| cx.read_text(&f.path));
    let line_at = |n: usize| -> &str {
        match (text.as_deref(), n) {
            (Some(t), 1..) => t.lines().nth(n - 1).unwrap_or(""),
            _ => "",
        }
    };
    let secret = f.secret.as_ref().map_or("", |s| s.expose());
    filters.keep_content(&ContentContext {
        rule_id: &f.rule_id,
        secret: secret.as_bytes(),
        line: line_at(f.line).as_bytes(),
        prev_line: line_at(f.line.saturating_sub(1)).as_bytes(),
    })
}

/// Reporter metadata for every lint, at the severity the configuration sets.
pub fn catalog(config: &Config) -> RuleCatalog {
    LINTS
        .iter()
        .map(|l| {
            let severity = config
                .lint
                .severity
                .get(l.id())
                .copied()
                .unwrap_or_else(|| l.default_severity());
            let what = section(l.doc(), "What it checks");
            let fix = section(l.doc(), "How to fix");
            (
                l.id().to_string(),
                RuleMeta {
                    id: l.id().to_string(),
                    name: l.summary().to_string(),
                    description: format!("{what}\n\nHow to fix: {fix}"),
                    severity,
                    confidence: Confidence::High,
                    kind: Kind::Lint,
                    tags: vec!["lint".into()],
                    references: vec![format!(
                        "{TOOL_INFORMATION_URI}/blob/main/docs/lint.md#{}",
                        l.id()
                    )],
                },
            )
        })
        .collect()
}

/// A lint's doc comment as markdown: one leading space dropped from each line.
pub fn doc_markdown(doc: &str) -> String {
    let mut out = String::new();
    for line in doc.lines() {
        out.push_str(line.strip_prefix(' ').unwrap_or(line));
        out.push('\n');
    }
    out.trim().to_string()
}

/// The text of one `## heading` section of a lint's documentation, on one line.
pub fn section(doc: &str, heading: &str) -> String {
    let md = doc_markdown(doc);
    let mut lines = md.lines().skip_while(|l| *l != format!("## {heading}"));
    lines.next();
    let body: Vec<&str> = lines
        .take_while(|l| !l.starts_with("## "))
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    body.join(" ")
}

/// `docs/lint.md`, rendered from [`LINTS`].
pub fn render_docs() -> String {
    let mut out = String::from(
        "# Lint rules\n\n\
         <!-- Generated from the lint registry (src/lint/); edit the doc comments there. -->\n\n\
         `keyfence lint [REPO]` checks the repository against secret-handling policy: files \
         that should never be committed, ignore rules, file modes, the age of every secret \
         and the rotation manifest, the baseline's review state, secrets written to logs, \
         TLS verification turned off, and whether scanning is enforced at all. Lint findings \
         have kind `lint` and go through the same inline `keyfence:allow` markers, \
         allowlists, reporters and exit codes as secret findings (0 clean, 1 findings, 2 \
         error).\n\n\
         ## Configuration\n\n\
         ```toml\n\
         [lint]\n\
         disable = [\"secret-file-mode\"]            # lint ids turned off\n\
         severity = { secret-logged = \"low\" }       # critical | high | medium | low | info\n\
         \n\
         [rotation]\n\
         max_age_days = 90                         # default 90\n\
         warn_before_days = 14                     # default 14\n\
         \n\
         [[rotation.secret]]                       # the rotation manifest\n\
         name = \"payments-api\"\n\
         last_rotated = 2026-08-01\n\
         max_age_days = 30                         # optional, overrides the policy\n\
         owner = \"payments-team\"                   # optional\n\
         ```\n\n\
         An unknown lint id in `[lint]` is an error (exit 2) naming the file and the key. \
         Early warnings (a secret or manifest entry due within `warn_before_days`) are \
         reported one severity level below the lint's severity.\n\n\
         ## Rotation report\n\n\
         `keyfence lint --report rotation --format json` (or `text`) prints, instead of \
         findings, every secret keyfence knows of — found at HEAD or in history, and each \
         entry of the rotation manifest — with its status against the policy: \
         `generated_at`, `policy` (`max_age_days`, `warn_before_days`), `total_secrets`, \
         `by_status` (`current`, `expiring`, `expired`, `revoked`), `needs_rotation` and \
         `expiring_soon`. Each listed secret has its `rule` (or manifest `name`), \
         `secret_redacted`, `fingerprint`, `first_committed` (or `last_rotated`), \
         `age_days`, `due`, `status`, `reason` and `owner` where the manifest names one. \
         A secret that history carries but HEAD does not counts as `expired` until its \
         baseline entry is marked `revoked`. The exit code is 1 when anything needs \
         rotation or is expiring, else 0.\n\n\
         ## Rules\n\n\
         | id | default severity | reports |\n|---|---|---|\n",
    );
    for l in LINTS {
        out.push_str(&format!(
            "| [`{0}`](#{0}) | {1} | {2} |\n",
            l.id(),
            l.default_severity(),
            l.summary()
        ));
    }
    for l in LINTS {
        out.push_str(&format!(
            "\n## {}\n\n{}\n\nDefault severity: **{}**.\n\n",
            l.id(),
            l.summary(),
            l.default_severity()
        ));
        let body = doc_markdown(l.doc()).replace("\n## ", "\n### ");
        let body = body
            .strip_prefix("## ")
            .map_or(body.clone(), |b| format!("### {b}"));
        out.push_str(&body);
        out.push('\n');
    }
    out
}

/// Scans the tracked files of the work tree (HEAD as checked out) with the
/// engine: the `head` input of the rotation lints. A file deleted from the
/// work tree is skipped; one that cannot be read is counted and reported.
pub fn scan_head(cx: &LintContext, engine: &Engine, threads: usize) -> ScanOutput {
    let (root, files, max) = (&cx.root, &cx.files, cx.max_file_size);
    let out = Mutex::new(ScanOutput::default());
    let work = || {
        files.par_iter().for_each_init(
            || (engine.scratch(), Vec::new()),
            |(scratch, buf), rel| {
                let mut part = ScanOutput::default();
                let sk = &mut part.summary.skipped;
                match source::read_capped(&root.join(rel), max, buf) {
                    Ok(ReadOutcome::TooLarge) => sk.too_large += 1,
                    Ok(ReadOutcome::Read) if crate::blob::is_binary(buf) => sk.binary += 1,
                    Ok(ReadOutcome::Read) => {
                        part.summary.files_scanned += 1;
                        part.summary.bytes_scanned += buf.len() as u64;
                        engine.scan_bytes(buf, rel, scratch, &mut part.findings);
                    }
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                    Err(e) => {
                        sk.unreadable += 1;
                        part.summary
                            .errors
                            .push(format!("{rel}: {}", e.to_string().to_lowercase()));
                    }
                }
                let mut all = out.lock().unwrap_or_else(|e| e.into_inner());
                all.findings.extend(part.findings);
                all.summary.merge(&part.summary);
            },
        );
    };
    let pool = (threads > 0)
        .then(|| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .ok()
        })
        .flatten();
    match pool {
        Some(pool) => pool.install(work),
        None => work(),
    }
    let mut out = out.into_inner().unwrap_or_else(|e| e.into_inner());
    sort_findings(&mut out.findings);
    out.summary.errors.sort();
    out
}

/// A history scan of every commit reachable from any ref of the context's
/// repository, with the engine: the `history` input of the rotation lints
/// (each finding carries the commit that first introduced its secret).
/// `None` outside a repository.
pub fn history_findings(
    cx: &LintContext,
    engine: &Engine,
    threads: usize,
) -> Result<Option<HistoryOutput>> {
    let Some(repo) = &cx.repo else {
        return Ok(None);
    };
    let opts = HistoryOptions {
        threads,
        max_file_size: cx.max_file_size,
        exclude: cx.config.scan.exclude.clone(),
        ..HistoryOptions::default()
    };
    scan_history(engine, repo, &opts, &NoProgress).map(Some)
}

/// Counts for a lint run's summary: the files read by the HEAD scan.
pub fn summary(head: &ScanOutput, findings: usize) -> Summary {
    let mut s = head.summary.clone();
    s.findings = findings as u64;
    s
}

#[cfg(test)]
pub(crate) mod testutil {
    //! Contexts over temporary work trees for the lints' unit tests.
    use super::*;
    use crate::finding::{CommitInfo, Secret};

    /// A temporary work tree with `files`, with or without a git repository
    /// (every file staged when there is one).
    pub struct Tree {
        pub dir: tempfile::TempDir,
    }

    impl Tree {
        pub fn new(files: &[(&str, &str)]) -> Tree {
            let dir = tempfile::TempDir::new().expect("tempdir");
            let t = Tree { dir };
            for (p, c) in files {
                t.write(p, c);
            }
            t
        }

        pub fn write(&self, rel: &str, content: &str) {
            let p = self.dir.path().join(rel);
            std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
            std::fs::write(p, content).expect("write");
        }

        /// `git init` and stage `tracked`.
        pub fn git(&self, tracked: &[&str]) -> Repository {
            let repo = Repository::init(self.dir.path()).expect("init");
            {
                let mut idx = repo.index().expect("index");
                for p in tracked {
                    idx.add_path(Path::new(p)).expect("add");
                }
                idx.write().expect("write index");
            }
            repo
        }

        pub fn cx(&self, repo: Option<Repository>, config: &str) -> LintContext {
            let config =
                Config::from_text(Path::new(".keyfence.toml"), config).expect("config parses");
            let mut cx = LintContext::new(self.dir.path(), repo, config, None).expect("context");
            cx.today = date("2026-06-01");
            cx
        }
    }

    pub fn date(s: &str) -> Date {
        Date::parse(s).expect("date")
    }

    /// A secret finding for `rule` and `secret` at `path`, from `commit_date`
    /// when it is a history finding.
    pub fn secret_finding(
        rule: &str,
        secret: &str,
        path: &str,
        commit_date: Option<&str>,
    ) -> Finding {
        let s = Secret::new(secret);
        let fp = Finding::secret_fingerprint(rule, &s.sha256());
        Finding {
            rule_id: rule.into(),
            kind: Kind::Secret,
            severity: Severity::High,
            confidence: Confidence::High,
            validated: None,
            path: path.into(),
            line: 3,
            column: 7,
            end_line: 3,
            end_column: 7 + secret.len(),
            secret: Some(s),
            location_fingerprint: Finding::location_fingerprint_for(&fp, path),
            fingerprint: fp,
            commit: commit_date.map(|d| CommitInfo {
                id: "0123456789abcdef0123456789abcdef01234567".into(),
                author_name: "Ada".into(),
                author_email: "ada@example.org".into(),
                date: d.into(),
                path: path.into(),
            }),
            occurrences: Vec::new(),
            message: "Demo token".into(),
        }
    }

    /// (rule id, path, line, severity) of findings.
    pub fn brief(fs: &[Finding]) -> Vec<(String, String, usize, Severity)> {
        fs.iter()
            .map(|f| (f.rule_id.clone(), f.path.clone(), f.line, f.severity))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::testutil::*;
    use super::*;

    #[test]
    fn registry_is_well_formed() {
        let mut ids: Vec<&str> = LINTS.iter().map(|l| l.id()).collect();
        assert_eq!(ids.len(), 11);
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), 11, "duplicate lint ids");
        for l in LINTS {
            assert!(
                l.id().bytes().all(|b| b.is_ascii_lowercase() || b == b'-'),
                "{}",
                l.id()
            );
            assert!(!l.summary().is_empty() && !l.summary().starts_with(' '));
            for s in [
                "What it checks",
                "Why it matters",
                "How to fix",
                "Example",
                "Configuration",
            ] {
                assert!(
                    !section(l.doc(), s).is_empty(),
                    "{}: no '{s}' section",
                    l.id()
                );
            }
        }
    }

    #[test]
    fn docs_are_current() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/lint.md");
        let want = render_docs();
        if std::env::var_os("KEYFENCE_UPDATE_DOCS").is_some() {
            std::fs::write(&path, &want).expect("write docs/lint.md");
        }
        let have = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            have == want,
            "docs/lint.md is stale: run `KEYFENCE_UPDATE_DOCS=1 cargo test --lib lint::tests::docs_are_current`"
        );
    }

    #[test]
    fn unknown_lint_ids_are_config_errors() {
        let t = Tree::new(&[]);
        for text in [
            "[lint]\ndisable = [\"no-such-lint\"]\n",
            "[lint]\nseverity = { no-such-lint = \"low\" }\n",
        ] {
            let config = Config::from_text(Path::new("k.toml"), text).expect("parses");
            let e = LintContext::new(t.dir.path(), None, config, Some(Path::new("k.toml")))
                .expect_err("unknown id");
            let m = e.to_string();
            assert!(m.starts_with("k.toml: lint."), "{m}");
            assert!(m.contains("no-such-lint"), "{m}");
        }
        let config = Config::from_text(
            Path::new("k.toml"),
            "[[rotation.secret]]\nname = \"x\"\nlast_rotated = \"2026-02-30\"\n",
        )
        .expect("parses");
        let e = LintContext::new(t.dir.path(), None, config, Some(Path::new("k.toml")))
            .expect_err("bad date");
        assert!(
            e.to_string().contains("rotation.secret[0].last_rotated"),
            "{e}"
        );
    }

    #[test]
    fn disable_and_severity_overrides_apply() {
        let t = Tree::new(&[(".env", "A=1\n")]);
        let repo = t.git(&[".env"]);
        let cx = t.cx(Some(repo), "");
        let fs = run(&cx).expect("runs");
        assert!(fs
            .iter()
            .any(|f| f.rule_id == "tracked-secret-file" && f.severity == Severity::High));
        let repo = Repository::open(t.dir.path()).expect("open");
        let cx = t.cx(
            Some(repo),
            "[lint]\nseverity = { tracked-secret-file = \"low\" }\n",
        );
        let fs = run(&cx).expect("runs");
        assert!(fs
            .iter()
            .any(|f| f.rule_id == "tracked-secret-file" && f.severity == Severity::Low));
        assert_eq!(
            catalog(&cx.config)["tracked-secret-file"].severity,
            Severity::Low
        );
        let repo = Repository::open(t.dir.path()).expect("open");
        let cx = t.cx(Some(repo), "[lint]\ndisable = [\"tracked-secret-file\"]\n");
        assert!(!run(&cx)
            .expect("runs")
            .iter()
            .any(|f| f.rule_id == "tracked-secret-file"));
    }

    #[test]
    fn inline_markers_and_allowlists_filter_lint_findings() {
        let t = Tree::new(&[
            (
                ".env",
                "# keyfence:allow tracked-secret-file reason=\"demo\"\nA=1\n",
            ),
            ("deploy/.env", "A=1\n"),
            ("other/.env", "A=1\n"),
        ]);
        let repo = t.git(&[".env", "deploy/.env", "other/.env"]);
        let cx = t.cx(
            Some(repo),
            "[[allowlist.scoped]]\nrule_ids = [\"tracked-secret-file\"]\npaths = [\"deploy/**\"]\n",
        );
        let paths: Vec<String> = run(&cx)
            .expect("runs")
            .into_iter()
            .filter(|f| f.rule_id == "tracked-secret-file")
            .map(|f| f.path)
            .collect();
        assert_eq!(paths, vec!["other/.env"]);
    }

    #[test]
    fn catalog_has_every_lint_as_kind_lint() {
        let c = catalog(&Config::default());
        assert_eq!(c.len(), LINTS.len());
        assert!(c.values().all(|m| m.kind == Kind::Lint));
        assert!(c["secret-logged"].description.contains("How to fix: "));
    }

    #[test]
    fn lower_steps_down_one_level() {
        assert_eq!(lower(Severity::High), Severity::Medium);
        assert_eq!(lower(Severity::Info), Severity::Info);
    }
}
