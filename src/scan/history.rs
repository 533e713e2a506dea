//! History scans: git history → unique blobs → matcher → findings with commit
//! provenance.
//!
//! The calling thread walks the selected commits (oldest first) and sends each
//! blob it meets for the first time down a bounded channel; worker threads,
//! each with its own repository handle and scratch, read and scan the blobs as
//! they come, so walking and scanning overlap and memory holds at most the
//! channel, one blob per worker and the matches. Afterwards the matches are
//! tied to the commits and paths that carry them: the same secret at the same
//! path is one finding, reported at the earliest commit.

use super::{BlobMatch, Engine, ScanOutput};
use crate::blob;
use crate::error::{Error, Result};
use crate::finding::{sort_findings, CommitInfo, Finding, Summary};
use crate::source::git::{
    self, locate, path_string, BlobContent, BlobReader, HistoryIndex, IdMap, IdSet, Selection,
    Selector, Window,
};
use git2::{Oid, Repository};
use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::time::Instant;

/// What to scan in a history and how.
#[derive(Debug, Clone)]
pub struct HistoryOptions {
    /// Which commits.
    pub selector: Selector,
    /// Commit time limits.
    pub window: Window,
    /// Worker threads (0: one per core).
    pub threads: usize,
    /// Largest blob read.
    pub max_file_size: u64,
    /// Path globs never read.
    pub exclude: Vec<String>,
    /// List every commit and path carrying each finding's secret.
    pub all_occurrences: bool,
}

impl Default for HistoryOptions {
    fn default() -> Self {
        HistoryOptions {
            selector: Selector::All,
            window: Window::default(),
            threads: 0,
            max_file_size: crate::config::DEFAULT_MAX_FILE_SIZE,
            exclude: Vec::new(),
            all_occurrences: false,
        }
    }
}

/// Findings of a history scan and what it covered.
#[derive(Debug, Default)]
pub struct HistoryOutput {
    /// Sorted findings and the summary (`files_scanned` counts unique blobs).
    pub scan: ScanOutput,
    /// Commits walked.
    pub commits: u64,
    /// The history is shallow: commits before the cut were not there to scan.
    pub shallow: bool,
    /// The commit the scan is about (HEAD, the branch, the end of the range).
    pub revision: Option<String>,
    /// The `origin` remote's URL without credentials.
    pub repository_uri: Option<String>,
}

/// Receives progress from a history scan; called from several threads.
pub trait HistoryProgress: Sync {
    /// A new unique blob was found (the total grows while history is walked).
    fn blob_found(&self) {}
    /// The walk is over: `total` unique blobs.
    fn walk_done(&self, _total: u64) {}
    /// A blob was handled: `bytes` scanned (0 when skipped), `matches` found in it.
    fn blob_done(&self, _bytes: u64, _matches: u64) {}
}

/// Progress that goes nowhere.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoProgress;

impl HistoryProgress for NoProgress {}

/// Blobs waiting between the walk and the workers.
const QUEUE: usize = 4096;
/// Blobs found before the workers get the first batch.
const FIRST_BATCH: usize = 4096;

/// Scans the history of `repo` chosen by `opts`.
pub fn scan_history(
    engine: &Engine,
    repo: &Repository,
    opts: &HistoryOptions,
    progress: &dyn HistoryProgress,
) -> Result<HistoryOutput> {
    let started = Instant::now();
    let root = git::root(repo);
    let git_err = |e: git2::Error| Error::Git {
        path: root.clone(),
        message: git::git_message(&e),
    };
    let exclude =
        crate::source::walk::exclude_set(&opts.exclude).map_err(|message| Error::Config {
            path: PathBuf::from(crate::config::CONFIG_FILE_NAME),
            message: format!("scan.exclude: {message}"),
        })?;
    let sel = git::select(repo, &opts.selector, opts.window)?;
    let reader = BlobReader::new(repo).map_err(git_err)?;
    let threads = match opts.threads {
        0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
        n => n,
    };
    let git_dir = repo.path().to_path_buf();
    let max = opts.max_file_size;
    let (index, parts) = std::thread::scope(|s| {
        let (tx, rx) = crossbeam_channel::bounded::<(u32, Oid)>(QUEUE);
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                let rx = rx.clone();
                let git_dir = &git_dir;
                s.spawn(move || scan_blobs(engine, git_dir, rx, max, progress))
            })
            .collect();
        drop(rx);
        let mut index = HistoryIndex::new(Some(exclude));
        for &tree in &sel.boundary {
            index.add_boundary(&reader, tree);
        }
        // Blobs go to the workers in batches sorted by path, so the versions
        // of a file are read one after another: each is a small delta on the
        // one before, still in libgit2's delta-base cache. Batches double in
        // size, so the workers start early and a file's history is split
        // into few batches.
        let mut pending: Vec<(u32, u32, Oid)> = Vec::new();
        let mut sent = 0usize;
        let flush = |pending: &mut Vec<(u32, u32, Oid)>| {
            pending.sort_unstable_by_key(|&(path, i, _)| (path, i));
            for (_, i, oid) in pending.drain(..) {
                // Workers only stop when the channel closes, so this cannot fail.
                let _ = tx.send((i, oid));
            }
        };
        for &c in &sel.commits {
            index.add_commit(&reader, c, &mut |i, path, oid| {
                progress.blob_found();
                pending.push((path, i, oid));
            });
            if pending.len() >= FIRST_BATCH.max(sent) {
                sent += pending.len();
                flush(&mut pending);
            }
        }
        flush(&mut pending);
        drop(tx);
        progress.walk_done(index.blobs().len() as u64);
        let parts: Vec<Part> = workers
            .into_iter()
            .map(|w| w.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
            .collect();
        (index, parts)
    });
    let mut index = index;
    let mut summary = Summary::default();
    summary.errors.extend(sel.errors.iter().cloned());
    summary.errors.extend(index.take_errors());
    let mut matches: IdMap<u32, Vec<BlobMatch>> = IdMap::default();
    for p in parts {
        summary.merge(&p.summary);
        matches.extend(p.matches);
    }
    let mut findings = attribute(
        engine,
        repo,
        &reader,
        &index,
        &sel,
        &matches,
        opts,
        &mut summary.errors,
    );
    sort_findings(&mut findings);
    summary.errors.sort();
    summary.errors.dedup();
    summary.findings = findings.len() as u64;
    summary.duration_ms = started.elapsed().as_millis() as u64;
    Ok(HistoryOutput {
        scan: ScanOutput { findings, summary },
        commits: index.commits().len() as u64,
        shallow: sel.shallow,
        revision: sel.tip.map(|t| t.to_string()),
        repository_uri: git::origin_url(repo),
    })
}

/// What one worker found.
#[derive(Default)]
struct Part {
    matches: Vec<(u32, Vec<BlobMatch>)>,
    summary: Summary,
}

/// A worker: reads and scans blobs from the channel until it closes.
fn scan_blobs(
    engine: &Engine,
    git_dir: &std::path::Path,
    rx: crossbeam_channel::Receiver<(u32, Oid)>,
    max: u64,
    progress: &dyn HistoryProgress,
) -> Part {
    let mut part = Part::default();
    let repo = match Repository::open(git_dir) {
        Ok(r) => r,
        Err(e) => {
            part.summary
                .errors
                .push(format!("{}: {}", git_dir.display(), git::git_message(&e)));
            for _ in rx {
                part.summary.skipped.unreadable += 1;
                progress.blob_done(0, 0);
            }
            return part;
        }
    };
    let reader = match BlobReader::new(&repo) {
        Ok(r) => r,
        Err(e) => {
            part.summary
                .errors
                .push(format!("{}: {}", git_dir.display(), git::git_message(&e)));
            for _ in rx {
                part.summary.skipped.unreadable += 1;
                progress.blob_done(0, 0);
            }
            return part;
        }
    };
    let mut scratch = engine.scratch();
    let mut found = Vec::new();
    for (idx, oid) in rx {
        let s = &mut part.summary;
        let mut bytes = 0;
        match reader.read(oid, max) {
            Err(e) => {
                s.skipped.unreadable += 1;
                s.errors.push(e);
            }
            Ok(BlobContent::TooLarge) => s.skipped.too_large += 1,
            Ok(BlobContent::LfsPointer) => s.skipped.lfs_pointer += 1,
            Ok(BlobContent::Data(obj)) => {
                let raw = obj.data();
                if blob::is_binary(raw) {
                    s.skipped.binary += 1;
                } else {
                    s.files_scanned += 1;
                    s.bytes_scanned += raw.len() as u64;
                    bytes = raw.len() as u64;
                    engine.scan_blob(&blob::decode(raw), &mut scratch, &mut found);
                }
            }
        }
        progress.blob_done(bytes, found.len() as u64);
        if !found.is_empty() {
            part.matches.push((idx, std::mem::take(&mut found)));
        }
    }
    part
}

/// Commit provenance, read once per commit.
struct Commits<'r> {
    repo: &'r Repository,
    cache: IdMap<u32, Option<CommitInfo>>,
}

impl Commits<'_> {
    fn info(
        &mut self,
        index: &HistoryIndex,
        c: u32,
        errors: &mut Vec<String>,
    ) -> Option<&CommitInfo> {
        let repo = self.repo;
        self.cache
            .entry(c)
            .or_insert_with(|| {
                let id = index.commits()[c as usize].id;
                git::commit_info(repo, id).map_err(|e| errors.push(e)).ok()
            })
            .as_ref()
    }
}

/// Ties blob matches to commits and paths; see the module docs.
#[allow(clippy::too_many_arguments)]
fn attribute(
    engine: &Engine,
    repo: &Repository,
    reader: &BlobReader<'_>,
    index: &HistoryIndex,
    sel: &Selection,
    matches: &IdMap<u32, Vec<BlobMatch>>,
    opts: &HistoryOptions,
    errors: &mut Vec<String>,
) -> Vec<Finding> {
    if matches.is_empty() {
        return Vec::new();
    }
    let wanted: IdMap<Oid, u32> = matches
        .keys()
        .map(|&i| (index.blobs()[i as usize].oid, i))
        .collect();
    let mut commits = Commits {
        repo,
        cache: IdMap::default(),
    };
    // With a boundary (a range, a push, --since), content may predate the
    // selection: a secret already in a parent's version of the path is not new.
    let mut before = (!sel.boundary.is_empty()).then(|| OldSecrets {
        engine,
        reader,
        max: opts.max_file_size,
        cache: IdMap::default(),
    });
    // Every (commit, path, match) where a secret may have been introduced.
    let mut candidates: Vec<(u32, String, &BlobMatch)> = Vec::new();
    for (bi, ci, path) in locate::first_places(index, reader, &wanted, errors) {
        let commit_id = index.commits()[ci as usize].id;
        let shown = path_string(&path);
        for m in &matches[&bi] {
            if let Some(old) = before.as_mut() {
                if old.had(repo, commit_id, &path, m, errors) {
                    continue;
                }
            }
            candidates.push((ci, shown.clone(), m));
        }
    }
    // The same secret at the same path is one finding, from its earliest
    // commit. The filters see that commit, so allowlisting the commit that
    // introduced a secret also hides the later commits that kept it.
    let mut earliest: HashMap<(usize, &str, &str), u32> = HashMap::new();
    for (ci, path, m) in &candidates {
        let e = earliest
            .entry((m.rule, m.secret_sha256.as_str(), path.as_str()))
            .or_insert(*ci);
        *e = (*e).min(*ci);
    }
    let mut findings = Vec::new();
    for (ci, path, m) in &candidates {
        if earliest[&(m.rule, m.secret_sha256.as_str(), path.as_str())] != *ci {
            continue;
        }
        let Some(info) = commits.info(index, *ci, errors) else {
            continue;
        };
        let info = CommitInfo {
            path: path.clone(),
            ..info.clone()
        };
        findings.extend(engine.locate(m, path, Some(&info)));
    }
    if opts.all_occurrences {
        add_occurrences(
            engine,
            index,
            reader,
            &wanted,
            matches,
            &mut commits,
            &mut findings,
            errors,
        );
    }
    findings
}

/// Fills `occurrences` with every other commit of the selection whose tree
/// carries the same secret at the same path.
#[allow(clippy::too_many_arguments)]
fn add_occurrences(
    engine: &Engine,
    index: &HistoryIndex,
    reader: &BlobReader<'_>,
    wanted: &IdMap<Oid, u32>,
    matches: &IdMap<u32, Vec<BlobMatch>>,
    commits: &mut Commits<'_>,
    findings: &mut [Finding],
    errors: &mut Vec<String>,
) {
    let keys: IdSet<(String, String)> = findings
        .iter()
        .map(|f| (f.fingerprint.clone(), f.path.clone()))
        .collect();
    let mut seen: BTreeMap<(String, String), Vec<u32>> = BTreeMap::new();
    for (bi, ci, path) in locate::all_places(index, reader, wanted, errors) {
        let shown = path_string(&path);
        let Some(info) = commits.info(index, ci, errors) else {
            continue;
        };
        let info = info.clone();
        for m in &matches[&bi] {
            let Some(f) = engine.locate(m, &shown, Some(&info)) else {
                continue;
            };
            let key = (f.fingerprint, shown.clone());
            if keys.contains(&key) {
                seen.entry(key).or_default().push(ci);
            }
        }
    }
    for f in findings.iter_mut() {
        let Some(list) = seen.get_mut(&(f.fingerprint.clone(), f.path.clone())) else {
            continue;
        };
        list.sort_unstable();
        list.dedup();
        let own = f.commit.as_ref().map(|c| c.id.clone());
        for &ci in list.iter() {
            let Some(info) = commits.info(index, ci, errors) else {
                continue;
            };
            if Some(&info.id) != own.as_ref() {
                f.occurrences.push(CommitInfo {
                    path: f.path.clone(),
                    ..info.clone()
                });
            }
        }
    }
}

/// The secrets of older versions of a file, scanned on demand and remembered.
struct OldSecrets<'a, 'r> {
    engine: &'a Engine,
    reader: &'a BlobReader<'r>,
    max: u64,
    cache: IdMap<Oid, IdSet<(usize, String)>>,
}

impl OldSecrets<'_, '_> {
    /// True when a parent of `commit` already had `m`'s secret (same rule) at `path`.
    fn had(
        &mut self,
        repo: &Repository,
        commit: Oid,
        path: &[u8],
        m: &BlobMatch,
        errors: &mut Vec<String>,
    ) -> bool {
        let olds = match locate::parent_versions(repo, commit, path) {
            Ok(v) => v,
            Err(e) => {
                errors.push(e);
                return false;
            }
        };
        let key = (m.rule, m.secret_sha256.clone());
        for old in olds {
            let (engine, reader, max) = (self.engine, self.reader, self.max);
            let secrets = self.cache.entry(old).or_insert_with(|| {
                let mut set = IdSet::default();
                match reader.read(old, max) {
                    Ok(BlobContent::Data(obj)) if !blob::is_binary(obj.data()) => {
                        let mut found = Vec::new();
                        engine.scan_blob(
                            &blob::decode(obj.data()),
                            &mut engine.scratch(),
                            &mut found,
                        );
                        set.extend(found.into_iter().map(|m| (m.rule, m.secret_sha256)));
                    }
                    Ok(_) => {}
                    Err(e) => errors.push(e),
                }
                set
            });
            if secrets.contains(&key) {
                return true;
            }
        }
        false
    }
}
