//! Finding the paths and commits that carry given blobs, after the scan: only
//! blobs with matches are looked for, so this costs little unless asked for
//! every occurrence.

use super::index::{bytes_path, IdMap};
use super::{object_error, parse_tree, BlobReader, EntryKind, HistoryIndex};
use git2::{Oid, Repository};
use std::rc::Rc;

type Found = Rc<[(Box<[u8]>, u32)]>;

/// Deepest tree nesting searched (git's own default limit).
const MAX_TREE_DEPTH: usize = 4096;

/// Searches trees for wanted blobs, remembering each tree's answer, so each
/// unique tree is read at most once however many commits carry it.
pub struct TreeSearch<'a, 'r> {
    reader: &'a BlobReader<'r>,
    wanted: &'a IdMap<Oid, u32>,
    memo: IdMap<Oid, Found>,
    empty: Found,
    /// Trees that could not be read.
    pub errors: Vec<String>,
}

impl<'a, 'r> TreeSearch<'a, 'r> {
    /// A search for the blobs in `wanted` (blob id → caller's index).
    pub fn new(reader: &'a BlobReader<'r>, wanted: &'a IdMap<Oid, u32>) -> TreeSearch<'a, 'r> {
        TreeSearch {
            reader,
            wanted,
            memo: IdMap::default(),
            empty: Rc::from(Vec::new()),
            errors: Vec::new(),
        }
    }

    /// Every wanted blob under `tree`: (path relative to the tree, index).
    pub fn find(&mut self, tree: Oid) -> Found {
        self.find_at(tree, 0)
    }

    fn find_at(&mut self, tree: Oid, depth: usize) -> Found {
        if let Some(f) = self.memo.get(&tree) {
            return Rc::clone(f);
        }
        if depth > MAX_TREE_DEPTH {
            self.errors.push(format!(
                "object {tree}: trees nested more than {MAX_TREE_DEPTH} deep"
            ));
            return Rc::clone(&self.empty);
        }
        let mut found: Vec<(Box<[u8]>, u32)> = Vec::new();
        let mut subtrees = Vec::new();
        match self.reader.read_tree(tree) {
            Ok(obj) => {
                let wanted = self.wanted;
                let ok = parse_tree(obj.data(), |e| match e.kind {
                    EntryKind::File => {
                        if let Some(&i) = wanted.get(&e.oid) {
                            found.push((e.name.into(), i));
                        }
                    }
                    EntryKind::Tree => subtrees.push((e.name.to_vec(), e.oid)),
                    EntryKind::Symlink | EntryKind::Submodule => {}
                });
                if !ok {
                    self.errors.push(format!("object {tree}: malformed tree"));
                }
            }
            Err(e) => self.errors.push(e),
        }
        for (name, oid) in subtrees {
            for (rel, i) in self.find_at(oid, depth + 1).iter() {
                let mut p = name.clone();
                p.push(b'/');
                p.extend_from_slice(rel);
                found.push((p.into(), *i));
            }
        }
        let f: Found = if found.is_empty() {
            Rc::clone(&self.empty)
        } else {
            Rc::from(found)
        };
        self.memo.insert(tree, Rc::clone(&f));
        f
    }
}

/// A place a blob was found: (blob index, commit index, path).
pub type Place = (u32, u32, Vec<u8>);

/// The first (commit, path) of every path that carries each wanted blob:
/// its first sighting, the other paths it was met at, and the paths under
/// moved directories. `wanted` maps blob ids to blob indexes of `index`.
pub fn first_places(
    index: &HistoryIndex,
    reader: &BlobReader<'_>,
    wanted: &IdMap<Oid, u32>,
    errors: &mut Vec<String>,
) -> Vec<Place> {
    let mut out: Vec<Place> = Vec::new();
    for &i in wanted.values() {
        let b = index.blobs()[i as usize];
        out.push((i, b.commit, index.path(b.path).to_vec()));
    }
    for &(i, c, p) in index.extra_paths() {
        if wanted.contains_key(&index.blobs()[i as usize].oid) {
            out.push((i, c, index.path(p).to_vec()));
        }
    }
    if !index.moved_trees().is_empty() {
        let mut search = TreeSearch::new(reader, wanted);
        for &(tree, c, p) in index.moved_trees() {
            let prefix = index.path(p);
            for (rel, i) in search.find(tree).iter() {
                let mut full = prefix.to_vec();
                full.push(b'/');
                full.extend_from_slice(rel);
                if !index.is_excluded(&full) {
                    out.push((*i, c, full));
                }
            }
        }
        errors.append(&mut search.errors);
    }
    // Per (blob, path), keep the earliest commit.
    out.sort_by(|a, b| (a.0, &a.2, a.1).cmp(&(b.0, &b.2, b.1)));
    out.dedup_by(|later, first| later.0 == first.0 && later.2 == first.2);
    out
}

/// Every (commit, path) of the selection carrying each wanted blob, commits in
/// order; for `--all-occurrences`.
pub fn all_places(
    index: &HistoryIndex,
    reader: &BlobReader<'_>,
    wanted: &IdMap<Oid, u32>,
    errors: &mut Vec<String>,
) -> Vec<Place> {
    let mut search = TreeSearch::new(reader, wanted);
    let mut out = Vec::new();
    for (c, commit) in index.commits().iter().enumerate() {
        for (path, i) in search.find(commit.tree).iter() {
            if !index.is_excluded(path) {
                out.push((*i, c as u32, path.to_vec()));
            }
        }
    }
    errors.append(&mut search.errors);
    out
}

/// The blob at `path` in each parent of `commit` (parents without it are left out).
pub fn parent_versions(repo: &Repository, commit: Oid, path: &[u8]) -> Result<Vec<Oid>, String> {
    let c = repo
        .find_commit(commit)
        .map_err(|e| object_error(commit, &e))?;
    let mut out = Vec::new();
    for p in c.parents() {
        let tree = p.tree().map_err(|e| object_error(p.id(), &e))?;
        if let Ok(entry) = tree.get_path(bytes_path(path).as_ref()) {
            if entry.kind() == Some(git2::ObjectType::Blob) {
                out.push(entry.id());
            }
        }
    }
    Ok(out)
}
