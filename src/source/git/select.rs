//! Which commits a history scan walks, oldest first in topological order.
//!
//! Commits are read with `find_commit`, which honours a shallow clone's
//! grafts, so a shallow history ends cleanly at its cut instead of failing on
//! parents that were never fetched. Hidden commits (the `A` of `A..B`, what a
//! remote already has) are walked by commit date alongside the wanted ones and
//! the walk stops once only hidden commits are left, as git does.

use super::index::{IdMap, IdSet};
use super::{git_message, object_error};
use crate::error::{Error, Result};
use git2::{ErrorCode, Oid, Repository};
use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// Which commits to walk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selector {
    /// Every commit reachable from any ref (branches, tags, remotes, stash,
    /// notes and the rest) and from HEAD.
    All,
    /// The commits reachable from one branch, tag or other revision.
    Branch(String),
    /// `A..B`: reachable from B and not from A.
    Range(String),
    /// What a push adds, from the lines a pre-push hook reads on stdin.
    PrePush(Vec<PushRef>),
}

/// One line of pre-push input: `<local ref> <local sha> <remote ref> <remote sha>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PushRef {
    /// The local ref pushed (`refs/heads/main`, or `(delete)`).
    pub local_ref: String,
    /// Its commit; all zeros for a deletion.
    pub local: Oid,
    /// The remote ref updated.
    pub remote_ref: String,
    /// What the remote has now; all zeros for a new ref.
    pub remote: Oid,
}

/// Parses pre-push hook input; blank lines are skipped. The error names the line.
pub fn parse_pre_push(text: &str) -> std::result::Result<Vec<PushRef>, String> {
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let fields: Vec<&str> = line.split_whitespace().collect();
        let bad = || {
            format!(
                "line {}: expected '<local ref> <local sha> <remote ref> <remote sha>'",
                n + 1
            )
        };
        let [local_ref, local, remote_ref, remote] = fields[..] else {
            return Err(bad());
        };
        let oid = |s: &str| {
            (s.len() == 40 && s.bytes().all(|b| b.is_ascii_hexdigit()))
                .then(|| Oid::from_str(s).ok())
                .flatten()
        };
        out.push(PushRef {
            local_ref: local_ref.to_string(),
            local: oid(local).ok_or_else(bad)?,
            remote_ref: remote_ref.to_string(),
            remote: oid(remote).ok_or_else(bad)?,
        });
    }
    Ok(out)
}

/// Limits on commit time (committer date, seconds since the epoch), inclusive.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Window {
    /// Oldest commit time walked.
    pub since: Option<i64>,
    /// Newest commit time walked.
    pub until: Option<i64>,
}

impl Window {
    fn contains(&self, t: i64) -> bool {
        self.since.is_none_or(|s| t >= s) && self.until.is_none_or(|u| t <= u)
    }
}

/// A selected commit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CommitRec {
    /// The commit.
    pub id: Oid,
    /// Its root tree.
    pub tree: Oid,
}

/// The commits to walk and what was already there before them.
#[derive(Debug, Default)]
pub struct Selection {
    /// Selected commits, parents before children, older first among equals.
    pub commits: Vec<CommitRec>,
    /// Root trees of the commits just outside the selection (parents of
    /// selected commits that are not selected): their content was there
    /// before, so it is not blamed on the selection.
    pub boundary: Vec<Oid>,
    /// The commit the scan is about (HEAD, the branch, B of a range, the
    /// first commit pushed), for reports.
    pub tip: Option<Oid>,
    /// The history is shallow: commits before the cut are missing.
    pub shallow: bool,
    /// Refs or commits that could not be read (`ref …: problem`, `object …: problem`).
    pub errors: Vec<String>,
}

/// Selects commits. Errors only for a bad argument (an unknown revision, a
/// malformed range); unreadable refs and commits are recorded in
/// [`Selection::errors`] and the rest is selected.
pub fn select(repo: &Repository, selector: &Selector, window: Window) -> Result<Selection> {
    let mut sel = Selection {
        shallow: repo.is_shallow(),
        ..Selection::default()
    };
    let bad_arg = |message: String| Error::Git {
        path: repo_display(repo),
        message,
    };
    let resolve = |spec: &str, what: &str| -> Result<Oid> {
        repo.revparse_single(spec)
            .and_then(|o| o.peel_to_commit())
            .map(|c| c.id())
            .map_err(|e| bad_arg(format!("{what} '{spec}': {}", git_message(&e))))
    };
    let mut tips = Vec::new();
    let mut hides = Vec::new();
    match selector {
        Selector::All => {
            tips = all_ref_tips(repo, &mut sel.errors);
            sel.tip = repo
                .head()
                .ok()
                .and_then(|h| h.peel_to_commit().ok())
                .map(|c| c.id());
        }
        Selector::Branch(name) => {
            let id = resolve(name, "--branch")?;
            tips.push(id);
            sel.tip = Some(id);
        }
        Selector::Range(spec) => {
            let Some((a, b)) = spec.split_once("..").filter(|(_, b)| !b.starts_with('.')) else {
                return Err(bad_arg(format!(
                    "--range '{spec}': expected A..B (commits reachable from B and not from A)"
                )));
            };
            let b = if b.is_empty() { "HEAD" } else { b };
            hides.push(resolve(a, "--range")?);
            let tip = resolve(b, "--range")?;
            tips.push(tip);
            sel.tip = Some(tip);
        }
        Selector::PrePush(refs) => {
            let mut hide_remotes = false;
            for r in refs.iter().filter(|r| !r.local.is_zero()) {
                if repo.find_commit(r.local).is_err() {
                    return Err(bad_arg(format!(
                        "pre-push: {} {}: no such commit",
                        r.local_ref, r.local
                    )));
                }
                tips.push(r.local);
                sel.tip.get_or_insert(r.local);
                if !r.remote.is_zero() && repo.find_commit(r.remote).is_ok() {
                    hides.push(r.remote);
                } else {
                    // A new branch, or a remote commit this clone never fetched.
                    hide_remotes = true;
                }
            }
            if hide_remotes {
                hides.extend(remote_tracking_tips(repo));
            }
        }
    }
    let walked = walk(repo, &tips, &hides, &mut sel.errors);
    let chosen: IdSet<Oid> = walked
        .wanted
        .iter()
        .copied()
        .filter(|id| window.contains(walked.nodes[id].time))
        .collect();
    sel.commits = topo_order(&walked, &chosen);
    let mut boundary = IdSet::default();
    for c in &sel.commits {
        for p in walked.parents(&c.id) {
            if !chosen.contains(p) && boundary.insert(*p) {
                match walked.nodes.get(p) {
                    Some(n) => sel.boundary.push(n.tree),
                    None => match repo.find_commit(*p) {
                        Ok(pc) => sel.boundary.push(pc.tree_id()),
                        Err(e) => sel.errors.push(object_error(*p, &e)),
                    },
                }
            }
        }
    }
    Ok(sel)
}

fn repo_display(repo: &Repository) -> std::path::PathBuf {
    repo.workdir().unwrap_or_else(|| repo.path()).to_path_buf()
}

/// Every ref that peels to a commit, and HEAD. Refs that point at missing
/// objects are errors; refs to trees or blobs are not history and are skipped.
fn all_ref_tips(repo: &Repository, errors: &mut Vec<String>) -> Vec<Oid> {
    let mut tips = Vec::new();
    match repo.references() {
        Ok(refs) => {
            for r in refs {
                let r = match r {
                    Ok(r) => r,
                    Err(e) => {
                        errors.push(format!("refs: {}", git_message(&e)));
                        continue;
                    }
                };
                let name = String::from_utf8_lossy(r.name_bytes()).into_owned();
                match r.peel_to_commit() {
                    Ok(c) => tips.push(c.id()),
                    Err(e) if e.code() == ErrorCode::NotFound => {
                        errors.push(format!("ref {name}: {}", git_message(&e)));
                    }
                    Err(_) => {}
                }
            }
        }
        Err(e) => errors.push(format!("refs: {}", git_message(&e))),
    }
    if let Ok(c) = repo.head().and_then(|h| h.peel_to_commit()) {
        tips.push(c.id());
    }
    tips
}

/// The commits of every remote-tracking ref (`refs/remotes/*`).
fn remote_tracking_tips(repo: &Repository) -> Vec<Oid> {
    let Ok(refs) = repo.references_glob("refs/remotes/*") else {
        return Vec::new();
    };
    refs.flatten()
        .filter_map(|r| r.peel_to_commit().ok().map(|c| c.id()))
        .collect()
}

/// Reachable from a hidden commit.
const HIDDEN: u8 = 1;
/// Parents known.
const PARSED: u8 = 2;
/// In the queue now.
const QUEUED: u8 = 4;
/// Ever queued.
const SEEN: u8 = 8;
/// Hidden commits processed after the last wanted one, in case commit dates are skewed.
const SLOP: usize = 5;

#[derive(Debug)]
struct Node {
    time: i64,
    tree: Oid,
    parents: (u32, u32),
    flags: u8,
}

#[derive(Debug, Default)]
struct Walked {
    nodes: IdMap<Oid, Node>,
    parent_ids: Vec<Oid>,
    /// Commits reachable from the tips and not from the hidden ones, newest first.
    wanted: Vec<Oid>,
}

impl Walked {
    fn parents(&self, id: &Oid) -> &[Oid] {
        match self.nodes.get(id) {
            Some(n) if n.flags & PARSED != 0 => {
                let (start, len) = (n.parents.0 as usize, n.parents.1 as usize);
                &self.parent_ids[start..start + len]
            }
            _ => &[],
        }
    }

    fn flags(&self, id: &Oid) -> u8 {
        self.nodes.get(id).map_or(0, |n| n.flags)
    }

    fn node(&mut self, id: &Oid) -> &mut Node {
        self.nodes.get_mut(id).expect("the commit was parsed")
    }

    /// Reads a commit into the node table; false (and an error recorded) when it cannot be read.
    fn parse(&mut self, repo: &Repository, id: Oid, errors: &mut Vec<String>) -> bool {
        if self.flags(&id) & PARSED != 0 {
            return true;
        }
        let c = match repo.find_commit(id) {
            Ok(c) => c,
            Err(e) => {
                errors.push(object_error(id, &e));
                return false;
            }
        };
        let start = self.parent_ids.len() as u32;
        self.parent_ids.extend(c.parent_ids());
        let len = self.parent_ids.len() as u32 - start;
        let n = self.nodes.entry(id).or_insert(Node {
            time: 0,
            tree: Oid::zero(),
            parents: (0, 0),
            flags: 0,
        });
        n.time = c.time().seconds();
        n.tree = c.tree_id();
        n.parents = (start, len);
        n.flags |= PARSED;
        true
    }

    /// Hides a commit and every parsed ancestor; returns how many wanted
    /// commits waiting in the queue became hidden.
    fn hide(&mut self, id: Oid) -> usize {
        let mut flipped = 0;
        let mut stack = vec![id];
        while let Some(c) = stack.pop() {
            let Some(n) = self.nodes.get_mut(&c) else {
                continue;
            };
            if n.flags & HIDDEN != 0 {
                continue;
            }
            n.flags |= HIDDEN;
            if n.flags & QUEUED != 0 {
                flipped += 1;
            }
            stack.extend_from_slice(self.parents(&c));
        }
        flipped
    }
}

/// Walks from `tips`, newest first, leaving out everything reachable from `hides`.
fn walk(repo: &Repository, tips: &[Oid], hides: &[Oid], errors: &mut Vec<String>) -> Walked {
    let mut w = Walked::default();
    let mut queue: BinaryHeap<(i64, Reverse<u64>, Oid)> = BinaryHeap::new();
    let mut seq = 0u64;
    let mut wanted_queued = 0usize;
    let starts = hides.iter().map(|h| (*h, true));
    for (id, hidden) in starts.chain(tips.iter().map(|t| (*t, false))) {
        if !w.parse(repo, id, errors) {
            continue;
        }
        if hidden {
            wanted_queued -= w.hide(id);
        }
        let n = w.node(&id);
        if n.flags & SEEN == 0 {
            n.flags |= SEEN | QUEUED;
            if n.flags & HIDDEN == 0 {
                wanted_queued += 1;
            }
            queue.push((n.time, Reverse(seq), id));
            seq += 1;
        }
    }
    let mut slop = SLOP;
    let mut order = Vec::new();
    while let Some((_, _, id)) = queue.pop() {
        let n = w.node(&id);
        n.flags &= !QUEUED;
        let hidden = n.flags & HIDDEN != 0;
        if !hidden {
            wanted_queued -= 1;
            order.push(id);
        } else if wanted_queued == 0 {
            if slop == 0 {
                break;
            }
            slop -= 1;
        }
        for p in w.parents(&id).to_vec() {
            let flags = w.flags(&p);
            if hidden && flags & SEEN != 0 && flags & HIDDEN == 0 {
                wanted_queued -= w.hide(p);
            }
            if flags & SEEN != 0 || !w.parse(repo, p, errors) {
                continue;
            }
            let n = w.node(&p);
            n.flags |= SEEN | QUEUED;
            if hidden {
                n.flags |= HIDDEN;
            } else {
                wanted_queued += 1;
            }
            queue.push((n.time, Reverse(seq), p));
            seq += 1;
        }
    }
    w.wanted = order
        .into_iter()
        .filter(|id| w.flags(id) & HIDDEN == 0)
        .collect();
    w
}

/// Parents before children; among commits ready at once, the oldest (by
/// commit time, then walk order) first.
fn topo_order(w: &Walked, chosen: &IdSet<Oid>) -> Vec<CommitRec> {
    let pos: IdMap<Oid, usize> = w
        .wanted
        .iter()
        .filter(|id| chosen.contains(id))
        .enumerate()
        .map(|(i, id)| (*id, i))
        .collect();
    let mut pending: IdMap<Oid, usize> = IdMap::default();
    let mut children: IdMap<Oid, Vec<Oid>> = IdMap::default();
    for id in pos.keys() {
        let mut n = 0;
        let mut uniq = IdSet::default();
        for p in w.parents(id) {
            if pos.contains_key(p) && uniq.insert(*p) {
                n += 1;
                children.entry(*p).or_default().push(*id);
            }
        }
        pending.insert(*id, n);
    }
    let mut ready: BinaryHeap<Reverse<(i64, Reverse<usize>, Oid)>> = BinaryHeap::new();
    for (id, &n) in &pending {
        if n == 0 {
            // Walk order is newest first: a later position is older.
            ready.push(Reverse((w.nodes[id].time, Reverse(pos[id]), *id)));
        }
    }
    let mut out = Vec::with_capacity(pos.len());
    while let Some(Reverse((_, _, id))) = ready.pop() {
        out.push(CommitRec {
            id,
            tree: w.nodes[&id].tree,
        });
        for c in children.get(&id).map(Vec::as_slice).unwrap_or(&[]) {
            let n = pending.get_mut(c).expect("every child is pending");
            *n -= 1;
            if *n == 0 {
                ready.push(Reverse((w.nodes[c].time, Reverse(pos[c]), *c)));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pre_push_lines_parse() {
        let z = "0".repeat(40);
        let a = "a".repeat(40);
        let text = format!("refs/heads/main {a} refs/heads/main {z}\n\n");
        let refs = parse_pre_push(&text).expect("parses");
        assert_eq!(refs.len(), 1);
        assert!(refs[0].remote.is_zero());
        assert_eq!(refs[0].local.to_string(), a);
        let e = parse_pre_push("refs/heads/main abc refs/heads/main def\n").expect_err("bad");
        assert!(e.starts_with("line 1: "), "{e}");
    }

    /// A commit with the given parents at `time` (an empty tree).
    fn commit(repo: &Repository, parents: &[Oid], time: i64) -> Oid {
        let sig = git2::Signature::new("T", "t@example.org", &git2::Time::new(time, 0))
            .expect("signature");
        let tree = repo
            .find_tree(
                repo.treebuilder(None)
                    .expect("builder")
                    .write()
                    .expect("tree"),
            )
            .expect("tree");
        let parents: Vec<git2::Commit<'_>> = parents
            .iter()
            .map(|p| repo.find_commit(*p).expect("parent"))
            .collect();
        let refs: Vec<&git2::Commit<'_>> = parents.iter().collect();
        repo.commit(None, &sig, &sig, &format!("c{time}"), &tree, &refs)
            .expect("commit")
    }

    #[test]
    fn ranges_match_git_even_with_skewed_dates() {
        let dir = tempfile::TempDir::new().expect("tempdir");
        let repo = Repository::init(dir.path()).expect("init");
        // main: c1 - c2 - c3 - m; side: c2 - s1 - s2 - m. s1 claims to be
        // older than everything, to make the date-ordered walk work for it.
        let c1 = commit(&repo, &[], 100);
        let c2 = commit(&repo, &[c1], 200);
        let c3 = commit(&repo, &[c2], 300);
        let s1 = commit(&repo, &[c2], 50);
        let s2 = commit(&repo, &[s1], 400);
        let m = commit(&repo, &[c3, s2], 500);
        let ids = |sel: &Selection| {
            let mut v: Vec<Oid> = sel.commits.iter().map(|c| c.id).collect();
            v.sort();
            v
        };
        let sorted = |mut v: Vec<Oid>| {
            v.sort();
            v
        };
        let range =
            |spec: String| select(&repo, &Selector::Range(spec), Window::default()).expect("range");
        let sel = range(format!("{c3}..{m}"));
        assert_eq!(ids(&sel), sorted(vec![s1, s2, m]));
        assert_eq!(sel.boundary.len(), 2, "c3 and c2 hold what was there");
        assert_eq!(ids(&range(format!("{s2}..{c3}"))), vec![c3]);
        assert_eq!(ids(&range(format!("{m}..{c3}"))), Vec::<Oid>::new());
        assert_eq!(ids(&range(format!("{c1}..{s2}"))), sorted(vec![c2, s1, s2]));

        // Parents come before children, whatever the dates say.
        let all =
            select(&repo, &Selector::Branch(m.to_string()), Window::default()).expect("branch");
        let pos = |id: Oid| {
            all.commits
                .iter()
                .position(|c| c.id == id)
                .expect("selected")
        };
        assert_eq!(all.commits.len(), 6);
        assert!(all.boundary.is_empty());
        for (child, parent) in [(c2, c1), (c3, c2), (s1, c2), (s2, s1), (m, c3), (m, s2)] {
            assert!(pos(parent) < pos(child));
        }

        // A window keeps what is inside it and marks its edge.
        let w = Window {
            since: Some(250),
            until: Some(450),
        };
        let sel = select(&repo, &Selector::Branch(m.to_string()), w).expect("window");
        assert_eq!(ids(&sel), sorted(vec![c3, s2]));
        assert_eq!(sel.boundary.len(), 2, "c2 and s1");
    }

    #[test]
    fn windows_are_inclusive() {
        let w = Window {
            since: Some(10),
            until: Some(20),
        };
        assert!(w.contains(10) && w.contains(20) && !w.contains(9) && !w.contains(21));
        assert!(Window::default().contains(i64::MIN));
    }
}
