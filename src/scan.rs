//! The one place the stages are wired together:
//! source → blob → matcher → filters → sorted findings.
//!
//! [`Engine`] holds the compiled rules, matcher and filters. It scans a blob's
//! bytes once into [`BlobMatch`]es (content filters applied), then turns each
//! match into a [`Finding`] for a given path and commit (location filters
//! applied). Directory scans do both at once; history scans attribute a blob's
//! matches to every path and commit that carries it.

pub mod history;
pub mod staged;

use crate::blob;
use crate::config::{Config, DEFAULT_MAX_FILE_SIZE};
use crate::error::{Error, Result};
use crate::filter::{ContentContext, FilterSet, LocationContext};
use crate::finding::{sort_findings, CommitInfo, Finding, Kind, Secret, Summary};
use crate::matcher::{Matcher, RawMatch, Scratch, Start};
use crate::rules::{RuleSet, RuleSetBuilder};
use crate::source::{self, ReadOutcome, Visit, WalkItem, WalkOptions};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// Bytes of line context kept on each side of a secret for the line filters.
const LINE_CONTEXT: usize = 2048;

/// A match in a blob, located and past the content filters; not yet tied to a path.
#[derive(Debug, Clone)]
pub struct BlobMatch {
    /// Index of the rule in the engine's rule set.
    pub rule: usize,
    /// The secret.
    pub secret: Secret,
    /// Hex SHA-256 of the secret.
    pub secret_sha256: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
    /// 1-based end line.
    pub end_line: usize,
    /// 1-based column past the end.
    pub end_column: usize,
    /// Validation state.
    pub validated: Option<bool>,
}

/// Compiled rules, matcher and filters.
#[derive(Debug)]
pub struct Engine {
    rules: Arc<RuleSet>,
    matcher: Matcher,
    filters: FilterSet,
}

/// Per-thread scratch for [`Engine::scan_blob`].
#[derive(Debug)]
pub struct EngineScratch {
    matcher: Scratch,
    raw: Vec<RawMatch>,
}

impl Engine {
    /// An engine over `rules` with `filters`.
    pub fn new(rules: Arc<RuleSet>, filters: FilterSet) -> Engine {
        Engine::with_start(rules, filters, Start::Throughput)
    }

    /// An engine whose keyword automaton is built as `start` says.
    pub fn with_start(rules: Arc<RuleSet>, filters: FilterSet, start: Start) -> Engine {
        let matcher = Matcher::with_start(Arc::clone(&rules), start);
        Engine {
            rules,
            matcher,
            filters,
        }
    }

    /// The built-in rules plus the config's rules, less its disabled ids, with its allowlist.
    /// Errors name `origin` (the config file).
    pub fn from_config(config: &Config, origin: Option<&Path>) -> Result<Engine> {
        Engine::from_config_with(config, origin, Start::Throughput)
    }

    /// Like [`Engine::from_config`], with the keyword automaton built as `start` says
    /// ([`Start::Quick`] for a pre-commit run over a few staged files).
    pub fn from_config_with(
        config: &Config,
        origin: Option<&Path>,
        start: Start,
    ) -> Result<Engine> {
        let origin = origin.unwrap_or(Path::new(crate::config::CONFIG_FILE_NAME));
        let shown = origin.display().to_string();
        let mut b = RuleSetBuilder::default();
        b.add_builtin()?;
        for r in &config.rules {
            b.add(r.clone(), &shown)?;
        }
        let rules = b.build(&config.disable).map_err(|e| Error::Config {
            path: origin.to_path_buf(),
            message: format!("disable: unknown rule id '{}'", e.id),
        })?;
        Ok(Engine::with_start(
            Arc::new(rules),
            FilterSet::new(&config.allowlist, origin)?,
            start,
        ))
    }

    /// The rules.
    pub fn rules(&self) -> &Arc<RuleSet> {
        &self.rules
    }

    /// The matcher.
    pub fn matcher(&self) -> &Matcher {
        &self.matcher
    }

    /// Scratch space; keep one per thread.
    pub fn scratch(&self) -> EngineScratch {
        EngineScratch {
            matcher: self.matcher.scratch(),
            raw: Vec::new(),
        }
    }

    /// Scans decoded bytes; appends located matches that pass the content filters.
    pub fn scan_blob(&self, data: &[u8], scratch: &mut EngineScratch, out: &mut Vec<BlobMatch>) {
        scratch.raw.clear();
        self.matcher
            .scan(data, &mut scratch.matcher, &mut scratch.raw);
        let mut lines = LineCounter::default();
        for m in &scratch.raw {
            let rule = &self.rules.rules()[m.rule];
            let secret = &data[m.secret.clone()];
            let (line_text, prev_line) = line_around(data, m.secret.start, m.secret.end);
            let cx = ContentContext {
                rule_id: rule.id(),
                secret,
                line: line_text,
                prev_line,
            };
            if !self.filters.keep_content(&cx) {
                continue;
            }
            let (line, column) = lines.position(data, m.secret.start);
            let (end_line, end_column) =
                lines.end_position(data, m.secret.start, m.secret.end, line);
            let secret = Secret::new(String::from_utf8_lossy(secret).into_owned());
            out.push(BlobMatch {
                rule: m.rule,
                secret_sha256: secret.sha256(),
                secret,
                line,
                column,
                end_line,
                end_column,
                validated: m.validated,
            });
        }
    }

    /// Turns a blob match into a finding at `path` (and `commit`), unless a location filter drops it.
    pub fn locate(
        &self,
        m: &BlobMatch,
        path: &str,
        commit: Option<&CommitInfo>,
    ) -> Option<Finding> {
        let rule = &self.rules.rules()[m.rule];
        let cx = LocationContext {
            rule_id: rule.id(),
            generic: rule.syntax.generic,
            path,
            commit: commit.map(|c| c.id.as_str()),
        };
        if !self.filters.keep_location(&cx) {
            return None;
        }
        let fingerprint = Finding::secret_fingerprint(rule.id(), &m.secret_sha256);
        Some(Finding {
            rule_id: rule.id().to_string(),
            kind: Kind::Secret,
            severity: rule.severity(),
            confidence: rule.confidence(),
            validated: m.validated,
            path: path.to_string(),
            line: m.line,
            column: m.column,
            end_line: m.end_line,
            end_column: m.end_column,
            secret: Some(m.secret.clone()),
            location_fingerprint: Finding::location_fingerprint_for(&fingerprint, path),
            fingerprint,
            commit: commit.cloned(),
            occurrences: Vec::new(),
            message: rule.syntax.name.clone(),
        })
    }

    /// Scans one file's raw bytes (decoding UTF-16) as `path`; appends findings.
    pub fn scan_bytes(
        &self,
        raw: &[u8],
        path: &str,
        scratch: &mut EngineScratch,
        out: &mut Vec<Finding>,
    ) {
        let data = blob::decode(raw);
        let mut matches = Vec::new();
        self.scan_blob(&data, scratch, &mut matches);
        out.extend(matches.iter().filter_map(|m| self.locate(m, path, None)));
    }
}

/// Counts lines incrementally over increasing offsets.
#[derive(Debug, Default)]
struct LineCounter {
    pos: usize,
    line: usize,
}

impl LineCounter {
    /// 1-based (line, column in characters) of `offset`; offsets must not decrease.
    fn position(&mut self, data: &[u8], offset: usize) -> (usize, usize) {
        if offset < self.pos {
            *self = LineCounter::default();
        }
        self.line += memchr::memchr_iter(b'\n', &data[self.pos..offset]).count();
        self.pos = offset;
        let start = memchr::memrchr(b'\n', &data[..offset]).map_or(0, |i| i + 1);
        (self.line + 1, char_count(&data[start..offset]) + 1)
    }

    /// 1-based (line, column past the end) of a span starting on `line`.
    fn end_position(&self, data: &[u8], start: usize, end: usize, line: usize) -> (usize, usize) {
        let inner = memchr::memchr_iter(b'\n', &data[start..end]).count();
        let line_start = memchr::memrchr(b'\n', &data[..end]).map_or(0, |i| i + 1);
        (line + inner, char_count(&data[line_start..end]) + 1)
    }
}

fn char_count(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&b| (b & 0xC0) != 0x80).count()
}

/// The line holding `start` (capped to a few KiB around the span) and the line above.
fn line_around(data: &[u8], start: usize, end: usize) -> (&[u8], &[u8]) {
    let lo = start.saturating_sub(LINE_CONTEXT);
    let line_start = memchr::memrchr(b'\n', &data[lo..start]).map_or(lo, |i| lo + i + 1);
    let hi = (end + LINE_CONTEXT).min(data.len());
    let line_end = memchr::memchr(b'\n', &data[end.min(hi)..hi]).map_or(hi, |i| end + i);
    let line = &data[line_start..line_end];
    let prev = if line_start > 0 && data[line_start - 1] == b'\n' {
        let pe = line_start - 1;
        let plo = pe.saturating_sub(LINE_CONTEXT);
        let ps = memchr::memrchr(b'\n', &data[plo..pe]).map_or(plo, |i| plo + i + 1);
        &data[ps..pe]
    } else {
        &b""[..]
    };
    (line, prev)
}

/// What to scan and how, validated.
#[derive(Debug, Clone)]
pub struct ScanOptions {
    /// Paths; `-` is stdin. Empty: the current directory.
    pub paths: Vec<PathBuf>,
    /// Worker threads (0: one per core).
    pub threads: usize,
    /// Largest file read.
    pub max_file_size: u64,
    /// Do not read ignore files.
    pub no_ignore: bool,
    /// Path globs never read.
    pub exclude: Vec<String>,
}

impl Default for ScanOptions {
    fn default() -> Self {
        ScanOptions {
            paths: Vec::new(),
            threads: 0,
            max_file_size: DEFAULT_MAX_FILE_SIZE,
            no_ignore: false,
            exclude: Vec::new(),
        }
    }
}

/// Findings (sorted) and what the scan covered.
#[derive(Debug, Default)]
pub struct ScanOutput {
    /// Sorted findings.
    pub findings: Vec<Finding>,
    /// Counts, skips and errors.
    pub summary: Summary,
}

/// Scans files, directories and stdin (`-`). Paths are reported relative to the
/// directory when one directory is given, else as given.
pub fn scan_paths(engine: &Engine, opts: &ScanOptions) -> Result<ScanOutput> {
    let started = Instant::now();
    let paths = if opts.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        opts.paths.clone()
    };
    for p in &paths {
        if p.as_os_str() != "-" && std::fs::symlink_metadata(p).is_err() {
            return Err(Error::NotFound { path: p.clone() });
        }
    }
    let excluded = source::walk::exclude_set(&opts.exclude).map_err(|message| Error::Config {
        path: PathBuf::from(crate::config::CONFIG_FILE_NAME),
        message: format!("scan.exclude: {message}"),
    })?;
    let walk_opts = WalkOptions {
        threads: opts.threads,
        no_ignore: opts.no_ignore,
        exclude: opts.exclude.clone(),
    };
    let shared = Mutex::new(ScanOutput::default());
    let single_dir = paths.len() == 1 && paths[0].is_dir();
    for p in &paths {
        if p.as_os_str() == "-" {
            let mut buf = Vec::new();
            let mut part = ScanOutput::default();
            match std::io::stdin().lock().read_to_end(&mut buf) {
                Ok(_) => scan_one(engine, &buf, "-", &mut engine.scratch(), &mut part),
                Err(e) => part.summary.errors.push(format!("-: {e}")),
            }
            merge(&shared, part);
            continue;
        }
        if p.is_dir() {
            let prefix = if single_dir {
                String::new()
            } else {
                source::display_path(p)
            };
            source::walk(p, &prefix, &walk_opts, &excluded, || Visitor {
                engine,
                max: opts.max_file_size,
                scratch: engine.scratch(),
                buf: Vec::new(),
                part: ScanOutput::default(),
                shared: &shared,
            });
        } else {
            let mut v = Visitor {
                engine,
                max: opts.max_file_size,
                scratch: engine.scratch(),
                buf: Vec::new(),
                part: ScanOutput::default(),
                shared: &shared,
            };
            let meta = std::fs::metadata(p);
            let display = source::display_path(p);
            match meta {
                Ok(m) if m.is_file() => v.visit(WalkItem::File {
                    path: p.clone(),
                    display,
                }),
                Ok(_) => v.visit(WalkItem::Special { display }),
                Err(e) => v.visit(WalkItem::Error {
                    message: format!("{display}: {e}"),
                }),
            }
        }
    }
    let mut out = shared.into_inner().unwrap_or_else(|e| e.into_inner());
    sort_findings(&mut out.findings);
    out.summary.errors.sort();
    out.summary.findings = out.findings.len() as u64;
    out.summary.duration_ms = started.elapsed().as_millis() as u64;
    Ok(out)
}

fn scan_one(
    engine: &Engine,
    raw: &[u8],
    display: &str,
    scratch: &mut EngineScratch,
    part: &mut ScanOutput,
) {
    if blob::is_binary(raw) {
        part.summary.skipped.binary += 1;
        return;
    }
    part.summary.files_scanned += 1;
    part.summary.bytes_scanned += raw.len() as u64;
    engine.scan_bytes(raw, display, scratch, &mut part.findings);
}

fn merge(shared: &Mutex<ScanOutput>, part: ScanOutput) {
    let mut s = shared.lock().unwrap_or_else(|e| e.into_inner());
    s.findings.extend(part.findings);
    s.summary.merge(&part.summary);
}

struct Visitor<'a> {
    engine: &'a Engine,
    max: u64,
    scratch: EngineScratch,
    buf: Vec<u8>,
    part: ScanOutput,
    shared: &'a Mutex<ScanOutput>,
}

impl source::Visit for Visitor<'_> {
    fn visit(&mut self, item: WalkItem) {
        let sk = &mut self.part.summary.skipped;
        match item {
            WalkItem::Symlink { .. } => sk.symlink += 1,
            WalkItem::Special { .. } => sk.special += 1,
            WalkItem::Error { message } => {
                sk.unreadable += 1;
                self.part.summary.errors.push(message);
            }
            WalkItem::File { path, display } => {
                match source::read_capped(&path, self.max, &mut self.buf) {
                    Ok(ReadOutcome::TooLarge) => sk.too_large += 1,
                    Ok(ReadOutcome::Read) => {
                        let buf = std::mem::take(&mut self.buf);
                        scan_one(
                            self.engine,
                            &buf,
                            &display,
                            &mut self.scratch,
                            &mut self.part,
                        );
                        self.buf = buf;
                    }
                    Err(e) => {
                        sk.unreadable += 1;
                        self.part
                            .summary
                            .errors
                            .push(format!("{display}: {}", io_message(&e)));
                    }
                }
            }
        }
    }
}

impl Drop for Visitor<'_> {
    fn drop(&mut self) {
        merge(self.shared, std::mem::take(&mut self.part));
    }
}

fn io_message(e: &std::io::Error) -> String {
    let s = e.to_string();
    // "Permission denied (os error 13)" → "permission denied (os error 13)"
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_lowercase().collect::<String>() + c.as_str())
        .unwrap_or(s)
}
