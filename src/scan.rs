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
use crate::config::{Config, DEFAULT_MAX_FILE_SIZE, DEFAULT_MAX_FINDINGS_PER_FILE};
use crate::error::{Error, Result};
use crate::filter::{Baseline, ContentContext, FilterSet, LocationContext};
use crate::finding::{sort_findings, CommitInfo, Finding, Kind, Secret, Summary};
use crate::matcher::{Matcher, RawMatch, Scratch, Start};
use crate::rules::{RuleSet, RuleSetBuilder};
use crate::source::{self, ReadOutcome, Visit, WalkItem, WalkOptions};
use std::io::Read;
use std::ops::Range;
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
        if scratch.raw.is_empty() {
            return;
        }
        let markers = Markers::find(data);
        let mut lines = LineCounter::default();
        for m in &scratch.raw {
            if self.keep_content(data, m, &markers) {
                out.push(self.blob_match(data, m, &mut lines));
            }
        }
    }

    /// True when the content filters keep a raw match.
    fn keep_content(&self, data: &[u8], m: &RawMatch, markers: &Markers) -> bool {
        let rule = &self.rules.rules()[m.rule];
        let (line, prev_line) = line_around(data, m.secret.start, m.secret.end);
        let cx = ContentContext {
            rule_id: rule.id(),
            secret: &data[m.secret.clone()],
            line: &data[line.clone()],
            prev_line: &data[prev_line.clone()],
        };
        if markers.any_in(line) || markers.any_in(prev_line) {
            self.filters.keep_content(&cx)
        } else {
            self.filters.keep_content_unmarked(&cx)
        }
    }

    /// Locates a raw match (offsets must not decrease from one call to the next).
    fn blob_match(&self, data: &[u8], m: &RawMatch, lines: &mut LineCounter) -> BlobMatch {
        let (line, column) = lines.position(data, m.secret.start);
        let (end_line, end_column) = lines.end_position(data, m.secret.start, m.secret.end, line);
        let secret = Secret::new(String::from_utf8_lossy(&data[m.secret.clone()]).into_owned());
        BlobMatch {
            rule: m.rule,
            secret_sha256: secret.sha256(),
            secret,
            line,
            column,
            end_line,
            end_column,
            validated: m.validated,
        }
    }

    /// True when the location filters keep a match of rule `rule` at `path` (and `commit`).
    fn keep_location(&self, rule: usize, path: &str, commit: Option<&CommitInfo>) -> bool {
        let rule = &self.rules.rules()[rule];
        self.filters.keep_location(&LocationContext {
            rule_id: rule.id(),
            generic: rule.syntax.generic,
            path,
            commit: commit.map(|c| c.id.as_str()),
        })
    }

    /// Turns a blob match into a finding at `path` (and `commit`), unless a location filter drops it.
    pub fn locate(
        &self,
        m: &BlobMatch,
        path: &str,
        commit: Option<&CommitInfo>,
    ) -> Option<Finding> {
        if !self.keep_location(m.rule, path, commit) {
            return None;
        }
        let rule = &self.rules.rules()[m.rule];
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
        self.scan_bytes_limited(raw, path, 0, None, scratch, out);
    }

    /// Like [`Engine::scan_bytes`], but appends at most `limit` findings (the
    /// first ones in the file; 0 means no limit) and returns how many more
    /// there were. Findings past the limit are counted, not built, so a file
    /// made of nothing but hits costs little memory.
    ///
    /// Findings recorded in `known` (the baseline the caller will filter with)
    /// do not count toward the limit, so they cannot crowd new findings out of
    /// the report; only the first finding of each known fingerprint is
    /// appended, for the caller's baseline filter to see it.
    pub fn scan_bytes_limited(
        &self,
        raw: &[u8],
        path: &str,
        limit: usize,
        known: Option<&Baseline>,
        scratch: &mut EngineScratch,
        out: &mut Vec<Finding>,
    ) -> u64 {
        let data = blob::decode(raw);
        let data = &*data;
        scratch.raw.clear();
        self.matcher
            .scan(data, &mut scratch.matcher, &mut scratch.raw);
        if scratch.raw.is_empty() {
            return 0;
        }
        let markers = Markers::find(data);
        let mut lines = LineCounter::default();
        let (mut shown, mut more) = (0usize, 0u64);
        let mut seen_known = std::collections::HashSet::new();
        for m in &scratch.raw {
            if !self.keep_location(m.rule, path, None) || !self.keep_content(data, m, &markers) {
                continue;
            }
            let full = limit != 0 && shown >= limit;
            if full && known.is_none() {
                more += 1;
                continue;
            }
            let bm = self.blob_match(data, m, &mut lines);
            let Some(f) = self.locate(&bm, path, None) else {
                continue;
            };
            if known.is_some_and(|b| b.contains(&f)) {
                if seen_known.insert(f.location_fingerprint.clone()) {
                    out.push(f);
                }
            } else if full {
                more += 1;
            } else {
                out.push(f);
                shown += 1;
            }
        }
        more
    }
}

/// Counts lines and columns incrementally over increasing offsets, so locating
/// every match of a blob is linear in its size, even when all of them sit on
/// one very long line.
#[derive(Debug, Default)]
struct LineCounter {
    /// Offset counted up to.
    pos: usize,
    /// Line breaks before `pos`.
    line: usize,
    /// Characters from the start of `pos`'s line up to `pos`.
    col: usize,
    /// Bytes examined so far (to check the linearity).
    #[cfg(test)]
    examined: usize,
}

impl LineCounter {
    /// 1-based (line, column in characters) of `offset`; offsets must not decrease
    /// (a smaller one restarts the count from the beginning).
    fn position(&mut self, data: &[u8], offset: usize) -> (usize, usize) {
        if offset < self.pos {
            *self = LineCounter::default();
        }
        let seg = &data[self.pos..offset];
        #[cfg(test)]
        {
            self.examined += seg.len();
        }
        match memchr::memrchr(b'\n', seg) {
            Some(last) => {
                self.line += memchr::memchr_iter(b'\n', seg).count();
                self.col = char_count(&seg[last + 1..]);
            }
            None => self.col += char_count(seg),
        }
        self.pos = offset;
        (self.line + 1, self.col + 1)
    }

    /// 1-based (line, column past the end) of the span `start..end` that
    /// [`LineCounter::position`] just located at `start`, on `line`.
    fn end_position(&self, data: &[u8], start: usize, end: usize, line: usize) -> (usize, usize) {
        debug_assert_eq!(start, self.pos, "end_position follows position");
        let span = &data[start..end];
        match memchr::memrchr(b'\n', span) {
            Some(last) => (
                line + memchr::memchr_iter(b'\n', span).count(),
                char_count(&span[last + 1..]) + 1,
            ),
            None => (line, self.col + char_count(span) + 1),
        }
    }
}

fn char_count(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&b| (b & 0xC0) != 0x80).count()
}

/// Offsets of the inline allow markers in a blob, found in one pass, so the
/// inline filter reads the lines of only the matches that have a marker near
/// them (a file made of hits is not re-read a few KiB around every hit).
#[derive(Debug)]
struct Markers(Vec<usize>);

impl Markers {
    fn find(data: &[u8]) -> Markers {
        let mut at = Vec::new();
        for m in crate::filter::INLINE_MARKERS {
            at.extend(memchr::memmem::find_iter(data, m.as_bytes()));
        }
        at.sort_unstable();
        Markers(at)
    }

    /// True when a marker starts in `range`.
    fn any_in(&self, range: Range<usize>) -> bool {
        let i = self.0.partition_point(|&o| o < range.start);
        self.0.get(i).is_some_and(|&o| o < range.end)
    }
}

/// The line holding `start` (capped to a few KiB around the span) and the line
/// above, as byte ranges of `data`.
fn line_around(data: &[u8], start: usize, end: usize) -> (Range<usize>, Range<usize>) {
    let lo = start.saturating_sub(LINE_CONTEXT);
    let line_start = memchr::memrchr(b'\n', &data[lo..start]).map_or(lo, |i| lo + i + 1);
    let hi = (end + LINE_CONTEXT).min(data.len());
    let line_end = memchr::memchr(b'\n', &data[end.min(hi)..hi]).map_or(hi, |i| end + i);
    let prev = if line_start > 0 && data[line_start - 1] == b'\n' {
        let pe = line_start - 1;
        let plo = pe.saturating_sub(LINE_CONTEXT);
        let ps = memchr::memrchr(b'\n', &data[plo..pe]).map_or(plo, |i| plo + i + 1);
        ps..pe
    } else {
        0..0
    };
    (line_start..line_end, prev)
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
    /// Findings reported per file (0: no limit); the rest are counted in a note.
    pub max_findings_per_file: usize,
    /// The baseline the caller filters the findings with: its findings do not
    /// count toward `max_findings_per_file`.
    pub baseline: Option<Arc<Baseline>>,
}

impl Default for ScanOptions {
    fn default() -> Self {
        ScanOptions {
            paths: Vec::new(),
            threads: 0,
            max_file_size: DEFAULT_MAX_FILE_SIZE,
            no_ignore: false,
            exclude: Vec::new(),
            max_findings_per_file: DEFAULT_MAX_FINDINGS_PER_FILE,
            baseline: None,
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
            // Never more than the size limit in memory, whatever is piped in.
            let read = std::io::stdin()
                .lock()
                .take(opts.max_file_size.saturating_add(1))
                .read_to_end(&mut buf);
            match read {
                Ok(n) if n as u64 > opts.max_file_size => {
                    part.summary.skipped.too_large += 1;
                    part.summary.notes.push(format!(
                        "-: standard input is larger than the size limit ({} bytes); not scanned",
                        opts.max_file_size
                    ));
                }
                Ok(_) => scan_one(engine, &buf, "-", opts, &mut engine.scratch(), &mut part),
                Err(e) => part.summary.errors.push(format!("-: {}", io_message(&e))),
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
                opts,
                scratch: engine.scratch(),
                buf: Vec::new(),
                part: ScanOutput::default(),
                shared: &shared,
            });
        } else {
            let mut v = Visitor {
                engine,
                max: opts.max_file_size,
                opts,
                scratch: engine.scratch(),
                buf: Vec::new(),
                part: ScanOutput::default(),
                shared: &shared,
            };
            // A file named on the command line is read even through a
            // symlink (the user chose it); walked files never are.
            let meta = std::fs::metadata(p);
            let display = source::display_path(p);
            match meta {
                Ok(m) if m.is_file() => v.visit(WalkItem::File {
                    path: std::fs::canonicalize(p).unwrap_or_else(|_| p.clone()),
                    display,
                }),
                Ok(_) => v.visit(WalkItem::Special { display }),
                Err(e) => v.visit(WalkItem::Error {
                    message: format!("{display}: {}", io_message(&e)),
                }),
            }
        }
    }
    let mut out = shared.into_inner().unwrap_or_else(|e| e.into_inner());
    sort_findings(&mut out.findings);
    out.summary.errors.sort();
    out.summary.notes.sort();
    out.summary.findings = out.findings.len() as u64;
    out.summary.duration_ms = started.elapsed().as_millis() as u64;
    Ok(out)
}

fn scan_one(
    engine: &Engine,
    raw: &[u8],
    display: &str,
    opts: &ScanOptions,
    scratch: &mut EngineScratch,
    part: &mut ScanOutput,
) {
    if blob::is_binary(raw) {
        part.summary.skipped.binary += 1;
        return;
    }
    part.summary.files_scanned += 1;
    part.summary.bytes_scanned += raw.len() as u64;
    let max_findings = opts.max_findings_per_file;
    let more = engine.scan_bytes_limited(
        raw,
        display,
        max_findings,
        opts.baseline.as_deref(),
        scratch,
        &mut part.findings,
    );
    if more > 0 {
        part.summary.findings_not_shown += more;
        part.summary.notes.push(format!(
            "{display}: {more} more finding{} not shown (at most {max_findings} per file; see --max-findings-per-file)",
            if more == 1 { "" } else { "s" }
        ));
    }
}

fn merge(shared: &Mutex<ScanOutput>, part: ScanOutput) {
    let mut s = shared.lock().unwrap_or_else(|e| e.into_inner());
    s.findings.extend(part.findings);
    s.summary.merge(&part.summary);
}

struct Visitor<'a> {
    engine: &'a Engine,
    max: u64,
    opts: &'a ScanOptions,
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
                            self.opts,
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

#[cfg(test)]
mod tests {
    //! Hostile shapes of input (issue 9): encodings, line endings, very long
    //! lines, very many lines and floods of hits. Sizes prove the behaviour
    //! (work counted, not timed); the benchmark runs the full sizes.
    use super::*;
    use crate::rules::RuleSetBuilder;

    const RULE: &str = r#"
[[rules]]
id = "demo-key"
name = "Demo key"
keywords = ["dk_"]
regex = '\b(?P<secret>dk_[A-Za-z0-9]{20})\b'
"#;

    const SECRET: &str = "dk_Q8zR2LmX0pVt7Yw4nB6c";

    fn engine() -> Engine {
        let mut b = RuleSetBuilder::default();
        b.add_file_text("test.toml", RULE).expect("rule parses");
        Engine::new(
            Arc::new(b.build(&[]).expect("builds")),
            FilterSet::default(),
        )
    }

    fn scan(raw: &[u8]) -> Vec<Finding> {
        let e = engine();
        let mut out = Vec::new();
        e.scan_bytes(raw, "f", &mut e.scratch(), &mut out);
        out
    }

    fn at(f: &Finding) -> (usize, usize, usize, usize) {
        (f.line, f.column, f.end_line, f.end_column)
    }

    /// (line, column) of `offset` counted the slow way.
    fn naive(data: &[u8], offset: usize) -> (usize, usize) {
        let line = data[..offset].iter().filter(|&&b| b == b'\n').count() + 1;
        let start = data[..offset]
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |i| i + 1);
        (line, char_count(&data[start..offset]) + 1)
    }

    #[test]
    fn utf16_le_and_be_with_bom_are_found_at_the_right_line() {
        let text = format!("first line\r\nsecond é line\r\n  key = \"{SECRET}\"\r\n");
        let mut le = vec![0xFF, 0xFE];
        let mut be = vec![0xFE, 0xFF];
        for u in text.encode_utf16() {
            le.extend_from_slice(&u.to_le_bytes());
            be.extend_from_slice(&u.to_be_bytes());
        }
        for raw in [le, be] {
            assert!(!blob::is_binary(&raw));
            let found = scan(&raw);
            assert_eq!(found.len(), 1, "{found:?}");
            assert_eq!(found[0].secret.as_ref().map(Secret::expose), Some(SECRET));
            assert_eq!(at(&found[0]), (3, 10, 3, 10 + SECRET.len()));
        }
    }

    #[test]
    fn crlf_line_numbers_and_columns() {
        let raw = format!("a\r\n\r\nb = {SECRET}\r\n\tc {SECRET}\r\n");
        let found = scan(raw.as_bytes());
        let got: Vec<_> = found.iter().map(at).collect();
        assert_eq!(
            got,
            vec![(3, 5, 3, 5 + SECRET.len()), (4, 4, 4, 4 + SECRET.len())]
        );
    }

    #[test]
    fn invalid_utf8_is_scanned_as_bytes() {
        let mut raw = b"\xfd\xff\xfe caf\xe9 \xc3\x28 ".to_vec();
        raw.extend_from_slice(SECRET.as_bytes());
        raw.extend_from_slice(b" \x80\n");
        let found = scan(&raw);
        assert_eq!(found.len(), 1, "{found:?}");
        // Each byte of an invalid sequence counts as one column.
        assert_eq!(at(&found[0]), (1, 13, 1, 13 + SECRET.len()));
    }

    #[test]
    fn utf8_bom_does_not_shift_columns() {
        let raw = format!("\u{FEFF}{SECRET}");
        assert_eq!(at(&scan(raw.as_bytes())[0]), (1, 1, 1, 1 + SECRET.len()));
    }

    #[test]
    fn line_counting_is_linear_on_one_long_line() {
        // A minified file: one 2 MB line with a hit every 4 KB. Locating every
        // hit used to rescan the line from its start each time (quadratic).
        let mut data = Vec::new();
        let mut offsets = Vec::new();
        while data.len() < 2_000_000 {
            data.extend_from_slice(&[b'x'; 4000]);
            data.extend_from_slice("é;".as_bytes());
            offsets.push(data.len());
            data.extend_from_slice(SECRET.as_bytes());
            data.push(b';');
        }
        let mut lc = LineCounter::default();
        for &o in &offsets {
            let (line, col) = lc.position(&data, o);
            assert_eq!((line, col), naive(&data, o));
            let end = lc.end_position(&data, o, o + SECRET.len(), line);
            assert_eq!(end, (1, col + SECRET.len()));
        }
        assert!(lc.examined <= data.len(), "examined {} bytes", lc.examined);
        // And through the engine: every hit, in order, on line 1.
        let found = scan(&data);
        assert_eq!(found.len(), offsets.len());
        assert!(found.iter().all(|f| f.line == 1));
    }

    #[test]
    fn many_short_lines_are_counted_right() {
        // 500,000 short lines (the benchmark uses 10 million), a hit every 50,000.
        let mut data = Vec::new();
        let mut expected = Vec::new();
        for i in 1..=500_000usize {
            if i % 50_000 == 0 {
                data.extend_from_slice(format!("k={SECRET}\r\n").as_bytes());
                expected.push((i, 3, i, 3 + SECRET.len()));
            } else {
                data.extend_from_slice(b"a=1\r\n");
            }
        }
        let got: Vec<_> = scan(&data).iter().map(at).collect();
        assert_eq!(got, expected);
    }

    #[test]
    fn positions_agree_with_counting_from_the_start() {
        let mut data = Vec::new();
        let mut x: u32 = 12345;
        for _ in 0..50_000 {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            data.push(match x % 7 {
                0 => b'\n',
                1 => b'\r',
                2 => 0xC3,
                3 => 0xA9,
                _ => b'a' + (x % 26) as u8,
            });
        }
        let mut lc = LineCounter::default();
        for o in (0..data.len()).step_by(37) {
            assert_eq!(lc.position(&data, o), naive(&data, o), "offset {o}");
        }
        // Going backwards restarts the count rather than going wrong.
        assert_eq!(lc.position(&data, 100), naive(&data, 100));
    }

    #[test]
    fn inline_markers_still_apply_on_the_line_and_the_line_above() {
        let raw = format!(
            "a = {SECRET} # keyfence:allow\n# gitleaks:allow\nb = {SECRET}\nc = {SECRET}\n{}keyfence:allow demo-key\nd = {SECRET}\n",
            "x".repeat(5000)
        );
        let lines: Vec<usize> = scan(raw.as_bytes()).iter().map(|f| f.line).collect();
        assert_eq!(lines, vec![4]);
    }

    #[test]
    fn findings_past_the_per_file_limit_are_counted_not_built() {
        let e = engine();
        let line = format!("k = {SECRET}\n");
        let raw = line.repeat(250);
        let mut out = Vec::new();
        let more = e.scan_bytes_limited(raw.as_bytes(), "f", 100, None, &mut e.scratch(), &mut out);
        assert_eq!((out.len(), more), (100, 150));
        assert_eq!(
            out.last().map(|f| f.line),
            Some(100),
            "the first ones are kept"
        );
        let mut all = Vec::new();
        let none = e.scan_bytes_limited(raw.as_bytes(), "f", 0, None, &mut e.scratch(), &mut all);
        assert_eq!((all.len(), none), (250, 0));
    }

    #[test]
    fn baselined_findings_do_not_count_toward_the_limit() {
        // Otherwise reviewed findings could crowd new ones out of the report.
        let e = engine();
        let secret = |i: usize| format!("dk_Q8zR2LmX0pVt7Yw4{i:04}");
        let mut raw = String::new();
        for i in 0..20 {
            raw.push_str(&format!("old = {}\nagain = {}\n", secret(i), secret(i)));
        }
        for i in 20..30 {
            raw.push_str(&format!("new = {}\n", secret(i)));
        }
        let mut all = Vec::new();
        e.scan_bytes(raw.as_bytes(), "f", &mut e.scratch(), &mut all);
        assert_eq!(all.len(), 50);
        let mut baseline = Baseline::new();
        for f in &all[..40] {
            baseline.insert(crate::filter::baseline::Entry::from_finding(f));
        }
        let mut out = Vec::new();
        let more = e.scan_bytes_limited(
            raw.as_bytes(),
            "f",
            5,
            Some(&baseline),
            &mut e.scratch(),
            &mut out,
        );
        let (known, new): (Vec<_>, Vec<_>) = out.iter().partition(|f| baseline.contains(f));
        assert_eq!((known.len(), new.len(), more), (20, 5, 5));
        assert_eq!(new[0].line, 41);
    }

    #[test]
    fn the_limit_counts_only_what_the_filters_keep() {
        let e = engine();
        // Allowed on their own line (the blank line keeps the allowance from the next one).
        let raw = format!("a {SECRET} # keyfence:allow\n\n").repeat(5)
            + &format!("b {SECRET}\n").repeat(3);
        let mut out = Vec::new();
        let more = e.scan_bytes_limited(raw.as_bytes(), "f", 2, None, &mut e.scratch(), &mut out);
        assert_eq!((out.len(), more), (2, 1));
        assert_eq!(out[0].line, 11);
    }
}
