//! Staged scans, for pre-commit: staged changes → staged blobs → matcher →
//! findings on added lines only.
//!
//! Each staged file's new blob is scanned whole, once, and a match is kept
//! when its lines touch a line the change adds, so a key that spans lines is
//! found when any of its lines is new, and a key that was already there is not.

use super::{Engine, ScanOutput};
use crate::blob;
use crate::error::{Error, Result};
use crate::finding::sort_findings;
use crate::source::git::{self, BlobContent, BlobReader, IdSet};
use crate::source::staged::staged_files;
use git2::Repository;
use std::path::PathBuf;
use std::time::Instant;

/// How to scan staged changes.
#[derive(Debug, Clone)]
pub struct StagedOptions {
    /// Largest staged file read.
    pub max_file_size: u64,
    /// Path globs never read.
    pub exclude: Vec<String>,
}

impl Default for StagedOptions {
    fn default() -> Self {
        StagedOptions {
            max_file_size: crate::config::DEFAULT_MAX_FILE_SIZE,
            exclude: Vec::new(),
        }
    }
}

/// Scans the lines the staged changes of `repo` add.
pub fn scan_staged(engine: &Engine, repo: &Repository, opts: &StagedOptions) -> Result<ScanOutput> {
    let started = Instant::now();
    let excluded =
        crate::source::walk::exclude_set(&opts.exclude).map_err(|message| Error::Config {
            path: PathBuf::from(crate::config::CONFIG_FILE_NAME),
            message: format!("scan.exclude: {message}"),
        })?;
    let files = staged_files(repo, opts.max_file_size)?;
    let reader = BlobReader::new(repo).map_err(|e| Error::Git {
        path: git::root(repo),
        message: git::git_message(&e),
    })?;
    let mut out = ScanOutput::default();
    let mut scratch = engine.scratch();
    let mut matches = Vec::new();
    for f in files {
        if !excluded.is_empty() && excluded.is_match(&f.path) {
            continue;
        }
        let s = &mut out.summary;
        let obj = match reader.read(f.blob, opts.max_file_size) {
            Ok(BlobContent::Data(obj)) => obj,
            Ok(BlobContent::TooLarge) => {
                s.skipped.too_large += 1;
                continue;
            }
            Ok(BlobContent::LfsPointer) => {
                s.skipped.lfs_pointer += 1;
                continue;
            }
            Err(e) => {
                s.skipped.unreadable += 1;
                s.errors.push(format!("{}: {e}", f.path));
                continue;
            }
        };
        let raw = obj.data();
        if blob::is_binary(raw) {
            s.skipped.binary += 1;
            continue;
        }
        s.files_scanned += 1;
        s.bytes_scanned += raw.len() as u64;
        matches.clear();
        engine.scan_blob(&blob::decode(raw), &mut scratch, &mut matches);
        if matches.is_empty() {
            continue;
        }
        // git could not tell which lines are new: a secret is new unless the
        // old version had it.
        let old: IdSet<(usize, String)> = match (f.whole, f.old_blob) {
            (true, Some(old)) => match reader.read(old, opts.max_file_size) {
                Ok(BlobContent::Data(o)) if !blob::is_binary(o.data()) => {
                    let mut found = Vec::new();
                    engine.scan_blob(&blob::decode(o.data()), &mut scratch, &mut found);
                    found
                        .into_iter()
                        .map(|m| (m.rule, m.secret_sha256))
                        .collect()
                }
                _ => IdSet::default(),
            },
            _ => IdSet::default(),
        };
        for m in &matches {
            let new = if f.whole {
                !old.contains(&(m.rule, m.secret_sha256.clone()))
            } else {
                f.touches_added(m.line, m.end_line)
            };
            if new {
                out.findings.extend(engine.locate(m, &f.path, None));
            }
        }
    }
    sort_findings(&mut out.findings);
    out.summary.findings = out.findings.len() as u64;
    out.summary.duration_ms = started.elapsed().as_millis() as u64;
    Ok(out)
}
