//! The history index: every unique blob of the selected commits, attributed
//! to the commit and path that first carried it.
//!
//! Commits are added oldest first. Each commit's tree is walked, but a tree
//! already seen is skipped whole: every blob under it was attributed to an
//! earlier commit. So each unique tree is read once and the walk costs what
//! the history adds, not commits × files. Content that only a merge commit
//! introduces (a conflict resolution) is first met at that merge.
//!
//! Per blob only a few words are kept (id, first commit, path id). A blob met
//! again at another path in a new tree is noted once per path, and a known
//! tree met at another path (a moved directory) once per path, so findings
//! can later be reported at every path that carries them.

use super::{parse_tree, BlobReader, EntryKind};
use git2::Oid;
use globset::GlobSet;
use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};
use std::path::Path;

use super::select::CommitRec;

/// The path id of content with no path (boundary trees).
pub const NO_PATH: u32 = u32::MAX;
/// A blob that was already there before the selection: never scanned.
const BOUNDARY: u32 = u32::MAX;

/// A fast hasher for object ids and small keys (object ids are already uniform).
#[derive(Debug, Default, Clone, Copy)]
pub struct IdHasher(u64);

impl Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut b = [0u8; 8];
            b[..chunk.len()].copy_from_slice(chunk);
            self.0 =
                (self.0.rotate_left(5) ^ u64::from_le_bytes(b)).wrapping_mul(0x517c_c1b7_2722_0a95);
        }
    }
}

/// A hash map keyed by object ids or small values.
pub type IdMap<K, V> = HashMap<K, V, BuildHasherDefault<IdHasher>>;
/// A hash set of object ids or small values.
pub type IdSet<K> = HashSet<K, BuildHasherDefault<IdHasher>>;

/// A unique blob to scan and where it first appeared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BlobRec {
    /// The blob.
    pub oid: Oid,
    /// Index of the first commit carrying it, in [`HistoryIndex::commits`].
    pub commit: u32,
    /// Its path there (see [`HistoryIndex::path`]).
    pub path: u32,
}

/// Unique blobs with their first commit and path; see the module docs.
#[derive(Debug, Default)]
pub struct HistoryIndex {
    commits: Vec<CommitRec>,
    paths: Vec<Box<[u8]>>,
    path_ids: IdMap<Box<[u8]>, u32>,
    blobs: Vec<BlobRec>,
    blob_ids: IdMap<Oid, u32>,
    trees: IdMap<Oid, u32>,
    extras: Vec<(u32, u32, u32)>,
    extra_seen: IdSet<(u32, u32)>,
    aliases: Vec<(Oid, u32, u32)>,
    alias_seen: IdSet<(Oid, u32)>,
    exclude: Option<GlobSet>,
    errors: Vec<String>,
}

impl HistoryIndex {
    /// An empty index; paths matching `exclude` are never indexed.
    pub fn new(exclude: Option<GlobSet>) -> HistoryIndex {
        HistoryIndex {
            exclude: exclude.filter(|g| !g.is_empty()),
            ..HistoryIndex::default()
        }
    }

    /// Marks everything under `tree` as already there: its blobs are never
    /// scanned and never attributed to a selected commit.
    pub fn add_boundary(&mut self, reader: &BlobReader<'_>, tree: Oid) {
        self.walk(reader, tree, None, &mut |_, _, _| {});
    }

    /// Adds the next commit (oldest first); calls `on_new(blob index, path id,
    /// blob id)` for every blob it is the first to carry.
    pub fn add_commit(
        &mut self,
        reader: &BlobReader<'_>,
        commit: CommitRec,
        on_new: &mut dyn FnMut(u32, u32, Oid),
    ) {
        let idx = self.commits.len() as u32;
        self.commits.push(commit);
        self.walk(reader, commit.tree, Some(idx), on_new);
    }

    /// The commits added, in order.
    pub fn commits(&self) -> &[CommitRec] {
        &self.commits
    }

    /// The unique blobs, in the order they were met.
    pub fn blobs(&self) -> &[BlobRec] {
        &self.blobs
    }

    /// A path by id.
    pub fn path(&self, id: u32) -> &[u8] {
        &self.paths[id as usize]
    }

    /// Blobs met again at another path: (blob index, commit index, path id),
    /// the first commit for each such path.
    pub fn extra_paths(&self) -> &[(u32, u32, u32)] {
        &self.extras
    }

    /// Known trees met again at another path: (tree, commit index, path id of
    /// the tree there), the first commit for each such path.
    pub fn moved_trees(&self) -> &[(Oid, u32, u32)] {
        &self.aliases
    }

    /// Objects that could not be read (`object <id>: problem`).
    pub fn errors(&self) -> &[String] {
        &self.errors
    }

    /// Takes the errors out.
    pub fn take_errors(&mut self) -> Vec<String> {
        std::mem::take(&mut self.errors)
    }

    /// True when `path` matches the exclude globs.
    pub fn is_excluded(&self, path: &[u8]) -> bool {
        self.exclude
            .as_ref()
            .is_some_and(|g| g.is_match(bytes_path(path).as_ref()))
    }

    fn intern(&mut self, path: &[u8]) -> u32 {
        if let Some(&id) = self.path_ids.get(path) {
            return id;
        }
        let id = self.paths.len() as u32;
        self.paths.push(path.into());
        self.path_ids.insert(path.into(), id);
        id
    }

    /// Walks `root`; with a commit, records first sightings for it, else marks
    /// everything as boundary.
    fn walk(
        &mut self,
        reader: &BlobReader<'_>,
        root: Oid,
        commit: Option<u32>,
        on_new: &mut dyn FnMut(u32, u32, Oid),
    ) {
        if self.trees.contains_key(&root) {
            return;
        }
        let root_path = if commit.is_some() {
            self.intern(b"")
        } else {
            NO_PATH
        };
        self.trees.insert(root, root_path);
        let mut stack: Vec<(Oid, Vec<u8>)> = vec![(root, Vec::new())];
        let mut full = Vec::new();
        while let Some((tree, prefix)) = stack.pop() {
            let obj = match reader.read_tree(tree) {
                Ok(o) => o,
                Err(e) => {
                    self.errors.push(e);
                    continue;
                }
            };
            let ok = parse_tree(obj.data(), |e| {
                full.clear();
                full.extend_from_slice(&prefix);
                if !prefix.is_empty() {
                    full.push(b'/');
                }
                full.extend_from_slice(e.name);
                let indexed = matches!(e.kind, EntryKind::Tree | EntryKind::File);
                if indexed && self.is_excluded(&full) {
                    return;
                }
                match e.kind {
                    EntryKind::Tree => self.see_tree(e.oid, &full, commit, &mut stack),
                    EntryKind::File => self.see_blob(e.oid, &full, commit, on_new),
                    EntryKind::Symlink | EntryKind::Submodule => {}
                }
            });
            if !ok {
                self.errors.push(format!("object {tree}: malformed tree"));
            }
        }
    }

    fn see_tree(
        &mut self,
        oid: Oid,
        full: &[u8],
        commit: Option<u32>,
        stack: &mut Vec<(Oid, Vec<u8>)>,
    ) {
        match self.trees.get(&oid).copied() {
            None => {
                let pid = if commit.is_some() {
                    self.intern(full)
                } else {
                    NO_PATH
                };
                self.trees.insert(oid, pid);
                stack.push((oid, full.to_vec()));
            }
            Some(first) => {
                let Some(c) = commit else { return };
                if first != NO_PATH && self.path(first) != full {
                    let pid = self.intern(full);
                    if self.alias_seen.insert((oid, pid)) {
                        self.aliases.push((oid, c, pid));
                    }
                }
            }
        }
    }

    fn see_blob(
        &mut self,
        oid: Oid,
        full: &[u8],
        commit: Option<u32>,
        on_new: &mut dyn FnMut(u32, u32, Oid),
    ) {
        match (self.blob_ids.get(&oid).copied(), commit) {
            (None, Some(c)) => {
                let path = self.intern(full);
                let idx = self.blobs.len() as u32;
                self.blobs.push(BlobRec {
                    oid,
                    commit: c,
                    path,
                });
                self.blob_ids.insert(oid, idx);
                on_new(idx, path, oid);
            }
            (None, None) => {
                self.blob_ids.insert(oid, BOUNDARY);
            }
            (Some(idx), Some(c)) if idx != BOUNDARY => {
                let first = self.blobs[idx as usize].path;
                if self.path(first) != full {
                    let pid = self.intern(full);
                    if self.extra_seen.insert((idx, pid)) {
                        self.extras.push((idx, c, pid));
                    }
                }
            }
            (Some(_), _) => {}
        }
    }
}

/// A tree path as a filesystem path, for glob matching.
pub(crate) fn bytes_path(bytes: &[u8]) -> Cow<'_, Path> {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        Cow::Borrowed(Path::new(std::ffi::OsStr::from_bytes(bytes)))
    }
    #[cfg(not(unix))]
    {
        Cow::Owned(std::path::PathBuf::from(
            String::from_utf8_lossy(bytes).into_owned(),
        ))
    }
}
