//! Git history as a source. Takes a repository and a choice of commits; gives
//! each unique blob once (with the commit and path that first introduced it),
//! its bytes, and the commit provenance to attach to findings afterwards.
//!
//! Everything goes through libgit2 and reads objects only: no hook, filter,
//! diff driver or other program named by a repository is ever run.
//!
//! - [`open`]: the repository at or above a path (bare ones too).
//! - [`select`]: which commits to walk (every ref, a branch, a range, what a
//!   push adds, a date window), oldest first in topological order.
//! - [`HistoryIndex`]: walks those commits' trees, each unique tree once, and
//!   names every blob met for the first time with its commit and path.
//! - [`BlobReader`]: reads one blob (size cap, Git LFS pointers); keep one per
//!   thread, each over its own [`git2::Repository`].
//! - [`locate`]: the other paths and commits that carry given blobs.

mod index;
pub mod locate;
mod select;
pub mod time;

pub use index::{BlobRec, HistoryIndex, IdMap, IdSet, NO_PATH};
pub use select::{parse_pre_push, select, CommitRec, PushRef, Selection, Selector, Window};

use crate::error::{Error, Result};
use crate::finding::CommitInfo;
use git2::{ErrorCode, ObjectType, Odb, OdbObject, Oid, Repository};
use std::path::{Path, PathBuf};

/// Opens the repository containing `path` (searching upwards), bare or not.
pub fn open(path: &Path) -> Result<Repository> {
    if std::fs::symlink_metadata(path).is_err() {
        return Err(Error::NotFound {
            path: path.to_path_buf(),
        });
    }
    Repository::discover(path).map_err(|e| {
        let message = if e.code() == ErrorCode::NotFound {
            "not a git repository (or any parent directory)".to_string()
        } else {
            git_message(&e)
        };
        Error::Git {
            path: path.to_path_buf(),
            message,
        }
    })
}

/// The directory a repository's paths are relative to and its
/// `.keyfence.toml` is read from: the work tree, or the git directory when bare.
pub fn root(repo: &Repository) -> PathBuf {
    repo.workdir().unwrap_or_else(|| repo.path()).to_path_buf()
}

/// A libgit2 error as a lowercase message.
pub fn git_message(e: &git2::Error) -> String {
    let m = e.message().trim_end_matches('.');
    let mut c = m.chars();
    match c.next() {
        Some(f) => f.to_lowercase().collect::<String>() + c.as_str(),
        None => format!("{:?}", e.code()).to_lowercase(),
    }
}

/// An error about one object: `object <id>: <problem>`.
pub fn object_error(oid: Oid, e: &git2::Error) -> String {
    format!("object {oid}: {}", git_message(e))
}

/// A path from a tree or the index as shown in reports: '/' separators and
/// `\xNN` escapes for bytes that are not UTF-8.
pub fn path_string(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_string(),
        Err(_) => bytes.utf8_chunks().fold(String::new(), |mut acc, chunk| {
            acc.push_str(chunk.valid());
            for b in chunk.invalid() {
                acc.push_str(&format!("\\x{b:02X}"));
            }
            acc
        }),
    }
}

/// The provenance of a commit (without a path): id, author and author date.
pub fn commit_info(repo: &Repository, id: Oid) -> std::result::Result<CommitInfo, String> {
    let c = repo.find_commit(id).map_err(|e| object_error(id, &e))?;
    let a = c.author();
    Ok(CommitInfo {
        id: id.to_string(),
        author_name: String::from_utf8_lossy(a.name_bytes()).into_owned(),
        author_email: String::from_utf8_lossy(a.email_bytes()).into_owned(),
        date: time::format_rfc3339(a.when().seconds(), a.when().offset_minutes()),
        path: String::new(),
    })
}

/// The URL of the `origin` remote without credentials, as a URL (`scp`-like
/// `host:path` becomes `ssh://host/path`); `None` for local paths.
pub fn origin_url(repo: &Repository) -> Option<String> {
    let remote = repo.find_remote("origin").ok()?;
    public_url(&String::from_utf8_lossy(remote.url_bytes()))
}

/// Drops the user and password of a remote URL; see [`origin_url`].
pub fn public_url(url: &str) -> Option<String> {
    let url = url.trim();
    if let Some((scheme, rest)) = url.split_once("://") {
        if scheme == "file" || scheme.is_empty() {
            return None;
        }
        let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
        let host = authority.rsplit('@').next().unwrap_or(authority);
        return (!host.is_empty()).then(|| format!("{scheme}://{host}{path}"));
    }
    // scp-like: [user@]host:path, where host holds no '/'.
    let (host, path) = url.split_once(':')?;
    if host.is_empty() || host.contains('/') || path.starts_with('/') && host.len() == 1 {
        return None;
    }
    let host = host.rsplit('@').next().unwrap_or(host);
    Some(format!("ssh://{host}/{}", path.trim_start_matches('/')))
}

/// True for a Git LFS pointer file: the large content lives elsewhere.
pub fn is_lfs_pointer(data: &[u8]) -> bool {
    data.len() < 1024
        && (data.starts_with(b"version https://git-lfs.github.com/spec/")
            || data.starts_with(b"version https://hawser.github.com/spec/"))
        && memchr::memmem::find(data, b"\noid sha256:").is_some()
}

/// What reading a blob gave.
pub enum BlobContent<'odb> {
    /// The bytes (call `.data()`).
    Data(OdbObject<'odb>),
    /// Larger than the cap; not read.
    TooLarge,
    /// A Git LFS pointer; not scanned.
    LfsPointer,
}

/// Reads blobs through one object database handle; keep one per thread.
pub struct BlobReader<'repo> {
    odb: Odb<'repo>,
}

impl<'repo> BlobReader<'repo> {
    /// A reader over `repo`'s objects.
    pub fn new(repo: &'repo Repository) -> std::result::Result<BlobReader<'repo>, git2::Error> {
        Ok(BlobReader { odb: repo.odb()? })
    }

    /// Reads blob `oid` unless it is larger than `max` bytes or an LFS pointer.
    /// The error is `object <id>: <problem>`.
    pub fn read(&self, oid: Oid, max: u64) -> std::result::Result<BlobContent<'_>, String> {
        let (size, kind) = self
            .odb
            .read_header(oid)
            .map_err(|e| object_error(oid, &e))?;
        if kind != ObjectType::Blob {
            return Err(format!("object {oid}: expected a blob, found a {kind}"));
        }
        if size as u64 > max {
            return Ok(BlobContent::TooLarge);
        }
        let obj = self.odb.read(oid).map_err(|e| object_error(oid, &e))?;
        if is_lfs_pointer(obj.data()) {
            return Ok(BlobContent::LfsPointer);
        }
        Ok(BlobContent::Data(obj))
    }

    /// Reads a tree's raw bytes.
    pub(crate) fn read_tree(&self, oid: Oid) -> std::result::Result<OdbObject<'_>, String> {
        let obj = self.odb.read(oid).map_err(|e| object_error(oid, &e))?;
        if obj.kind() != ObjectType::Tree {
            return Err(format!(
                "object {oid}: expected a tree, found a {}",
                obj.kind()
            ));
        }
        Ok(obj)
    }
}

/// What a tree entry points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum EntryKind {
    /// A subtree.
    Tree,
    /// A regular or executable file.
    File,
    /// A symbolic link (its blob is the target path; not scanned).
    Symlink,
    /// A submodule commit (not descended into).
    Submodule,
}

/// One entry of a raw tree object.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RawEntry<'a> {
    pub kind: EntryKind,
    pub name: &'a [u8],
    pub oid: Oid,
}

/// Parses a raw tree object: `<octal mode> <name>\0<20-byte id>` repeated.
/// Stops at the first malformed entry and says so.
pub(crate) fn parse_tree(mut data: &[u8], mut each: impl FnMut(RawEntry<'_>)) -> bool {
    while !data.is_empty() {
        let Some(sp) = memchr::memchr(b' ', data) else {
            return false;
        };
        let Some(nul) = memchr::memchr(0, &data[sp..]).map(|i| sp + i) else {
            return false;
        };
        if data.len() < nul + 21 {
            return false;
        }
        let mut mode = 0u32;
        for &b in &data[..sp] {
            if !(b'0'..=b'7').contains(&b) {
                return false;
            }
            mode = (mode << 3) | u32::from(b - b'0');
        }
        let Ok(oid) = Oid::from_bytes(&data[nul + 1..nul + 21]) else {
            return false;
        };
        let kind = match mode & 0o170000 {
            0o040000 => EntryKind::Tree,
            0o120000 => EntryKind::Symlink,
            0o160000 => EntryKind::Submodule,
            _ => EntryKind::File,
        };
        each(RawEntry {
            kind,
            name: &data[sp + 1..nul],
            oid,
        });
        data = &data[nul + 21..];
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_lose_their_credentials() {
        assert_eq!(
            public_url("https://user:tok3n@github.com/o/r.git").as_deref(),
            Some("https://github.com/o/r.git")
        );
        assert_eq!(
            public_url("https://github.com/o/r").as_deref(),
            Some("https://github.com/o/r")
        );
        assert_eq!(
            public_url("git@github.com:o/r.git").as_deref(),
            Some("ssh://github.com/o/r.git")
        );
        assert_eq!(
            public_url("ssh://git@host:22/o/r").as_deref(),
            Some("ssh://host:22/o/r")
        );
        assert_eq!(public_url("/srv/git/r.git"), None);
        assert_eq!(public_url("file:///srv/git/r.git"), None);
        assert_eq!(public_url("C:/repos/r"), None);
    }

    #[test]
    fn lfs_pointers_are_recognised() {
        let p = b"version https://git-lfs.github.com/spec/v1\noid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393\nsize 12345\n";
        assert!(is_lfs_pointer(p));
        assert!(!is_lfs_pointer(
            b"version https://git-lfs.github.com/spec/v1\n"
        ));
        assert!(!is_lfs_pointer(b"fn main() {}\n"));
    }

    #[test]
    fn raw_trees_parse() {
        let mut raw = Vec::new();
        for (mode, name, byte) in [
            ("100644", "a.txt", 1u8),
            ("40000", "dir", 2),
            ("160000", "sub", 3),
            ("120000", "link", 4),
        ] {
            raw.extend_from_slice(mode.as_bytes());
            raw.push(b' ');
            raw.extend_from_slice(name.as_bytes());
            raw.push(0);
            raw.extend_from_slice(&[byte; 20]);
        }
        let mut got = Vec::new();
        assert!(parse_tree(&raw, |e| got.push((
            e.kind,
            e.name.to_vec(),
            e.oid
        ))));
        assert_eq!(got.len(), 4);
        assert_eq!(got[0].0, EntryKind::File);
        assert_eq!(got[1].0, EntryKind::Tree);
        assert_eq!(got[2].0, EntryKind::Submodule);
        assert_eq!(got[3].0, EntryKind::Symlink);
        assert_eq!(got[1].1, b"dir");
        assert!(!parse_tree(&raw[..raw.len() - 3], |_| {}));
    }

    #[test]
    fn non_utf8_paths_are_escaped() {
        assert_eq!(path_string(b"a/b\xffc.txt"), "a/b\\xFFc.txt");
    }
}
