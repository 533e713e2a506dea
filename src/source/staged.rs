//! Staged changes as a source, for pre-commit. Takes a repository; gives each
//! file the index adds or changes relative to HEAD (or to nothing, before the
//! first commit): its staged blob and the line ranges the change adds.
//!
//! Everything is read from the index and the object database, never from the
//! work tree, so an unstaged edit can neither hide nor invent a finding.
//! Renames are detected, so a moved file adds only the lines that changed.

use super::git::{git_message, path_string};
use crate::error::{Error, Result};
use git2::{Delta, DiffFindOptions, DiffOptions, ErrorCode, FileMode, Oid, Repository};
use std::cell::{Cell, RefCell};
use std::path::Path;

/// One staged file to scan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StagedFile {
    /// Its path in the index (relative to the repository's top level).
    pub path: String,
    /// The staged blob.
    pub blob: Oid,
    /// The blob it replaces (the old side of a modification or rename).
    pub old_blob: Option<Oid>,
    /// Added lines as inclusive 1-based ranges of the staged file, in order.
    /// Empty when git sees the file as binary; see [`StagedFile::whole`].
    pub added: Vec<(usize, usize)>,
    /// git could not diff it line by line (it sees binary content, such as
    /// UTF-16 text): the scanner decides what is new by comparing with `old_blob`.
    pub whole: bool,
}

impl StagedFile {
    /// True when the 1-based inclusive line span touches an added line.
    pub fn touches_added(&self, first: usize, last: usize) -> bool {
        self.added.iter().any(|&(a, b)| first <= b && last >= a)
    }
}

/// The files the staged changes add or modify (deletions have nothing to
/// scan), with their added lines. Submodules and symbolic links are left out.
/// Files larger than `max_size` are listed without line ranges.
pub fn staged_files(repo: &Repository, max_size: u64) -> Result<Vec<StagedFile>> {
    let root = super::git::root(repo);
    let err = |what: &str, e: git2::Error| Error::Git {
        path: root.clone(),
        message: format!("{what}: {}", git_message(&e)),
    };
    let index = repo.index().map_err(|e| err("index", e))?;
    let head_tree = match repo.head() {
        Ok(h) => Some(h.peel_to_tree().map_err(|e| err("HEAD", e))?),
        Err(e) if e.code() == ErrorCode::UnbornBranch || e.code() == ErrorCode::NotFound => None,
        Err(e) => return Err(err("HEAD", e)),
    };
    let mut opts = DiffOptions::new();
    opts.context_lines(0)
        .interhunk_lines(0)
        .ignore_submodules(true)
        .include_typechange(true)
        .max_size(i64::try_from(max_size).unwrap_or(i64::MAX));
    let mut diff = repo
        .diff_tree_to_index(head_tree.as_ref(), Some(&index), Some(&mut opts))
        .map_err(|e| err("diff", e))?;
    let mut find = DiffFindOptions::new();
    find.renames(true).copies(true);
    diff.find_similar(Some(&mut find))
        .map_err(|e| err("rename detection", e))?;

    let files: RefCell<Vec<StagedFile>> = RefCell::new(Vec::new());
    let current: Cell<Option<usize>> = Cell::new(None);
    diff.foreach(
        &mut |delta, _| {
            current.set(None);
            let new = delta.new_file();
            let scannable = matches!(
                delta.status(),
                Delta::Added | Delta::Modified | Delta::Renamed | Delta::Copied | Delta::Typechange
            ) && matches!(new.mode(), FileMode::Blob | FileMode::BlobExecutable);
            if scannable {
                let old = delta.old_file();
                let old_blob = (!old.id().is_zero()
                    && matches!(old.mode(), FileMode::Blob | FileMode::BlobExecutable))
                .then(|| old.id());
                let mut files = files.borrow_mut();
                files.push(StagedFile {
                    path: path_string(new.path_bytes().unwrap_or_default()),
                    blob: new.id(),
                    old_blob,
                    added: Vec::new(),
                    whole: delta.flags().is_binary(),
                });
                current.set(Some(files.len() - 1));
            }
            true
        },
        None,
        Some(&mut |_, hunk| {
            let mut files = files.borrow_mut();
            if let Some(f) = current.get().and_then(|i| files.get_mut(i)) {
                if hunk.new_lines() > 0 {
                    let start = hunk.new_start() as usize;
                    f.added.push((start, start + hunk.new_lines() as usize - 1));
                }
            }
            true
        }),
        None,
    )
    .map_err(|e| err("diff", e))?;
    let mut files = files.into_inner();
    for f in &mut files {
        // git found no lines to diff: binary to git (NUL bytes, UTF-16, a
        // `binary` attribute) or over the size limit. Let the scanner decide.
        if f.added.is_empty() && f.old_blob != Some(f.blob) {
            f.whole = true;
        }
    }
    files.retain(|f| !f.added.is_empty() || f.whole);
    Ok(files)
}

/// The repository for a staged scan: it must have a work tree and an index.
pub fn open(path: &Path) -> Result<Repository> {
    let repo = super::git::open(path)?;
    if repo.is_bare() {
        return Err(Error::Git {
            path: path.to_path_buf(),
            message: "a bare repository has no staged changes".into(),
        });
    }
    Ok(repo)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_touching_added_lines() {
        let f = StagedFile {
            path: "a".into(),
            blob: Oid::zero(),
            old_blob: None,
            added: vec![(3, 4), (10, 10)],
            whole: false,
        };
        assert!(f.touches_added(4, 4));
        assert!(f.touches_added(1, 3));
        assert!(f.touches_added(5, 12));
        assert!(!f.touches_added(5, 9));
        assert!(!f.touches_added(11, 20));
    }
}
