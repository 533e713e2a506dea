//! The baseline of reviewed findings: `.keyfence-baseline.json`.
//!
//! Takes whole findings; gives the ones not recorded in the baseline, and the
//! entries that matched (so unused entries can be reported and pruned).
//!
//! Entries are keyed by a finding's location fingerprint (rule id + secret
//! hash + path), so moving lines within a file never breaks them. The file
//! holds hashes and a redacted prefix, never a plaintext secret, and nothing
//! that changes when nothing real changed: no line numbers, timestamps or
//! counts. It is written one entry per line, sorted by fingerprint, and every
//! entry line ends with a comma (the array is closed by a `null` line), so two
//! branches that each add an entry touch different lines and git merges them
//! without a conflict. For the rest there is a three-way merge,
//! [`Baseline::merge`], which `keyfence baseline merge` exposes as a git merge
//! driver.

use crate::finding::Finding;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::str::FromStr;

/// The file name looked for at the scanned root.
pub const BASELINE_FILE_NAME: &str = ".keyfence-baseline.json";

/// The baseline format version.
pub const BASELINE_VERSION: u32 = 1;

/// The review state of a baseline entry.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    clap::ValueEnum,
)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// Recorded, nobody has looked at it yet.
    Unreviewed,
    /// Not a credential (a test value, a placeholder, a hash).
    FalsePositive,
    /// A real credential whose presence has been accepted, with a reason.
    AcceptedRisk,
    /// A real credential that has been revoked at its provider.
    Revoked,
}

impl Status {
    /// Every status, in display order.
    pub const ALL: [Status; 4] = [
        Status::Unreviewed,
        Status::FalsePositive,
        Status::AcceptedRisk,
        Status::Revoked,
    ];

    /// The kebab-case name used in files and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Unreviewed => "unreviewed",
            Status::FalsePositive => "false-positive",
            Status::AcceptedRisk => "accepted-risk",
            Status::Revoked => "revoked",
        }
    }

    /// True for every status but `unreviewed`.
    pub fn is_reviewed(self) -> bool {
        self != Status::Unreviewed
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Status {
    type Err = String;

    fn from_str(s: &str) -> Result<Status, String> {
        Status::ALL
            .into_iter()
            .find(|st| st.as_str() == s)
            .ok_or_else(|| {
                format!(
                    "unknown status {s:?} (expected one of: {})",
                    Status::ALL.map(Status::as_str).join(", ")
                )
            })
    }
}

/// One recorded finding and its review.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    /// The finding's location fingerprint (rule id + secret hash + path).
    pub fingerprint: String,
    /// The rule id.
    pub rule_id: String,
    /// The path relative to the scanned root.
    pub path: String,
    /// Hex SHA-256 of the secret (never the secret); `None` for lints.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_sha256: Option<String>,
    /// The redacted secret (a short prefix and the length).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_redacted: Option<String>,
    /// History findings: the commit that introduced the secret, where known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
    /// Review state.
    pub status: Status,
    /// Why it has this status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Who reviewed it (an email address or user name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reviewer: Option<String>,
    /// The date of the review (`YYYY-MM-DD`, UTC); set only by a review.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reviewed_at: Option<String>,
}

impl Entry {
    /// An unreviewed entry for a finding.
    pub fn from_finding(f: &Finding) -> Entry {
        Entry {
            fingerprint: f.location_fingerprint.clone(),
            rule_id: f.rule_id.clone(),
            path: f.path.clone(),
            secret_sha256: f.secret_sha256(),
            secret_redacted: f.secret_redacted(),
            commit: f.commit.as_ref().map(|c| c.id.clone()),
            status: Status::Unreviewed,
            reason: None,
            reviewer: None,
            reviewed_at: None,
        }
    }

    /// The review fields (status, reason, reviewer, date), for comparisons.
    fn review(&self) -> (Status, Option<&str>, Option<&str>, Option<&str>) {
        (
            self.status,
            self.reason.as_deref(),
            self.reviewer.as_deref(),
            self.reviewed_at.as_deref(),
        )
    }
}

/// A review decision applied by [`Baseline::review`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Review {
    /// The new status.
    pub status: Status,
    /// Why.
    pub reason: Option<String>,
    /// Who decided.
    pub reviewer: String,
    /// When (`YYYY-MM-DD`).
    pub date: String,
}

/// One change to the baseline, as the audit log records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// The entry's fingerprint.
    pub fingerprint: String,
    /// Its rule id.
    pub rule_id: String,
    /// Its path.
    pub path: String,
    /// The status before (`None`: the entry was added).
    pub old_status: Option<Status>,
    /// The status after (`None`: the entry was removed).
    pub new_status: Option<Status>,
    /// The reason given.
    pub reason: Option<String>,
}

impl Change {
    fn new(e: &Entry, old: Option<Status>, new: Option<Status>) -> Change {
        Change {
            fingerprint: e.fingerprint.clone(),
            rule_id: e.rule_id.clone(),
            path: e.path.clone(),
            old_status: old,
            new_status: new,
            reason: e.reason.clone(),
        }
    }
}

/// An error reading or writing a baseline. Messages start with the file.
#[derive(Debug, thiserror::Error)]
pub enum BaselineError {
    /// The file cannot be read or written.
    #[error("{}: {source}", path.display())]
    Io {
        /// The baseline file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: io::Error,
    },
    /// The file is not a valid baseline.
    #[error("{}: {message}", path.display())]
    Parse {
        /// The baseline file.
        path: PathBuf,
        /// What is wrong, with the line where known.
        message: String,
    },
}

/// Why a fingerprint prefix did not name one entry.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LookupError {
    /// No entry starts with it.
    #[error("no baseline entry has a fingerprint starting with {0:?}")]
    NotFound(String),
    /// Several entries start with it.
    #[error("{count} baseline entries have a fingerprint starting with {prefix:?}; give more characters")]
    Ambiguous {
        /// The prefix.
        prefix: String,
        /// How many entries matched.
        count: usize,
    },
}

/// The on-disk shape (entries may be `null`: the closing sentinel).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileShape {
    version: u32,
    entries: Vec<Option<Entry>>,
}

/// Reviewed findings by location fingerprint.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Baseline {
    entries: BTreeMap<String, Entry>,
}

impl Baseline {
    /// An empty baseline.
    pub fn new() -> Baseline {
        Baseline::default()
    }

    /// Parses baseline text; errors name `path`. Empty text (as git hands a
    /// merge driver for a file both sides added) is an empty baseline.
    pub fn parse(path: &Path, text: &str) -> Result<Baseline, BaselineError> {
        let err = |message: String| BaselineError::Parse {
            path: path.to_path_buf(),
            message,
        };
        if text.trim().is_empty() {
            return Ok(Baseline::new());
        }
        let shape: FileShape = serde_json::from_str(text).map_err(|e| {
            if text.contains("\n<<<<<<< ") || text.starts_with("<<<<<<< ") {
                err(
                    "holds git conflict markers; resolve them or set up the merge driver \
                     (`keyfence baseline merge`)"
                        .into(),
                )
            } else {
                err(format!(
                    "not a keyfence baseline: {e} (line {}, column {})",
                    e.line(),
                    e.column()
                ))
            }
        })?;
        if shape.version != BASELINE_VERSION {
            return Err(err(format!(
                "unsupported baseline version {} (this keyfence reads version {BASELINE_VERSION})",
                shape.version
            )));
        }
        let mut entries = BTreeMap::new();
        for e in shape.entries.into_iter().flatten() {
            if e.fingerprint.is_empty() {
                return Err(err("an entry has an empty fingerprint".into()));
            }
            let fp = e.fingerprint.clone();
            if entries.insert(fp.clone(), e).is_some() {
                return Err(err(format!("fingerprint {fp} appears twice")));
            }
        }
        Ok(Baseline { entries })
    }

    /// Reads and parses a baseline file.
    pub fn load(path: &Path) -> Result<Baseline, BaselineError> {
        let text = std::fs::read_to_string(path).map_err(|source| BaselineError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        Baseline::parse(path, &text)
    }

    /// Reads a baseline file, or gives an empty baseline when there is none.
    pub fn load_or_new(path: &Path) -> Result<Baseline, BaselineError> {
        match std::fs::metadata(path) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(Baseline::new()),
            _ => Baseline::load(path),
        }
    }

    /// The file's text: sorted by fingerprint, one compact entry per line,
    /// each ending with a comma, the array closed by `null`.
    pub fn render(&self) -> String {
        let mut out = format!("{{\"version\":{BASELINE_VERSION},\"entries\":[\n");
        for e in self.entries.values() {
            // Serialising a struct of strings and an enum cannot fail.
            let line = serde_json::to_string(e).unwrap_or_default();
            out.push_str(&line);
            out.push_str(",\n");
        }
        out.push_str("null]}\n");
        out
    }

    /// Writes the file atomically (a synced temporary file renamed over it).
    pub fn save(&self, path: &Path) -> Result<(), BaselineError> {
        write_atomic(path, self.render().as_bytes(), &mut |_| Ok(()))
    }

    /// The entries, sorted by fingerprint.
    pub fn entries(&self) -> impl Iterator<Item = &Entry> {
        self.entries.values()
    }

    /// How many entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when there are no entries.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The entry with this exact fingerprint.
    pub fn get(&self, fingerprint: &str) -> Option<&Entry> {
        self.entries.get(fingerprint)
    }

    /// True when a finding is recorded.
    pub fn contains(&self, f: &Finding) -> bool {
        self.entries.contains_key(&f.location_fingerprint)
    }

    /// Adds or replaces an entry; returns the one replaced.
    pub fn insert(&mut self, entry: Entry) -> Option<Entry> {
        self.entries.insert(entry.fingerprint.clone(), entry)
    }

    /// The one entry whose fingerprint starts with `prefix`.
    pub fn resolve(&self, prefix: &str) -> Result<&Entry, LookupError> {
        let prefix_lower = prefix.trim().to_ascii_lowercase();
        if prefix_lower.is_empty() {
            return Err(LookupError::NotFound(prefix.to_string()));
        }
        let mut hits = self
            .entries
            .range(prefix_lower.clone()..)
            .take_while(|(k, _)| k.starts_with(&prefix_lower))
            .map(|(_, e)| e);
        match (hits.next(), hits.count()) {
            (None, _) => Err(LookupError::NotFound(prefix.to_string())),
            (Some(e), 0) => Ok(e),
            (Some(_), n) => Err(LookupError::Ambiguous {
                prefix: prefix.to_string(),
                count: n + 1,
            }),
        }
    }

    /// Splits findings into those not in the baseline (kept, in order) and
    /// the fingerprints of the entries that matched.
    pub fn filter(&self, findings: Vec<Finding>) -> (Vec<Finding>, BTreeSet<String>) {
        let mut used = BTreeSet::new();
        let kept = findings
            .into_iter()
            .filter(|f| {
                if self.contains(f) {
                    used.insert(f.location_fingerprint.clone());
                    false
                } else {
                    true
                }
            })
            .collect();
        (kept, used)
    }

    /// Entries that no finding matched, sorted by fingerprint.
    pub fn unused<'a>(&'a self, used: &BTreeSet<String>) -> Vec<&'a Entry> {
        self.entries
            .values()
            .filter(|e| !used.contains(&e.fingerprint))
            .collect()
    }

    /// Adds every finding not yet recorded as `unreviewed`; existing entries
    /// keep their review (a missing introducing commit is filled in).
    pub fn update(&mut self, findings: &[Finding]) -> Vec<Change> {
        let mut changes = Vec::new();
        for f in findings {
            match self.entries.get_mut(&f.location_fingerprint) {
                Some(e) => {
                    if e.commit.is_none() {
                        e.commit = f.commit.as_ref().map(|c| c.id.clone());
                    }
                }
                None => {
                    let e = Entry::from_finding(f);
                    changes.push(Change::new(&e, None, Some(Status::Unreviewed)));
                    self.insert(e);
                }
            }
        }
        changes
    }

    /// Removes the entries no finding matches, except those `keep` protects
    /// (history entries when only the work tree was scanned).
    pub fn prune(&mut self, findings: &[Finding], keep: impl Fn(&Entry) -> bool) -> Vec<Change> {
        let present: BTreeSet<&str> = findings
            .iter()
            .map(|f| f.location_fingerprint.as_str())
            .collect();
        let gone: Vec<String> = self
            .entries
            .values()
            .filter(|e| !present.contains(e.fingerprint.as_str()) && !keep(e))
            .map(|e| e.fingerprint.clone())
            .collect();
        gone.iter()
            .filter_map(|fp| self.entries.remove(fp))
            .map(|e| Change::new(&e, Some(e.status), None))
            .collect()
    }

    /// Adds imported entries: a new fingerprint is inserted as given; an
    /// unreviewed entry takes an imported review (by `reviewer` on `date`); a
    /// reviewed entry is never overwritten.
    pub fn absorb(&mut self, imported: &[Entry], reviewer: &str, date: &str) -> Vec<Change> {
        let mut changes = Vec::new();
        for e in imported {
            match self.entries.get(&e.fingerprint) {
                None => {
                    changes.push(Change::new(e, None, Some(e.status)));
                    self.insert(e.clone());
                }
                Some(old) if !old.status.is_reviewed() && e.status.is_reviewed() => {
                    let r = Review {
                        status: e.status,
                        reason: e.reason.clone(),
                        reviewer: reviewer.to_string(),
                        date: date.to_string(),
                    };
                    changes.extend(self.review(&e.fingerprint, &r));
                }
                Some(_) => {}
            }
        }
        changes
    }

    /// Records a review of the entry `fingerprint` (exact). Returns `None` when
    /// there is no such entry or the review changes nothing (same status,
    /// reason and reviewer), so repeating a decision does not move its date.
    /// Back to `unreviewed` clears the reason, reviewer and date.
    pub fn review(&mut self, fingerprint: &str, r: &Review) -> Option<Change> {
        let e = self.entries.get_mut(fingerprint)?;
        let old = e.status;
        if r.status == Status::Unreviewed {
            if old == Status::Unreviewed && e.reason.is_none() {
                return None;
            }
            e.status = Status::Unreviewed;
            e.reason = None;
            e.reviewer = None;
            e.reviewed_at = None;
        } else {
            if old == r.status
                && e.reason == r.reason
                && e.reviewer.as_deref() == Some(r.reviewer.as_str())
            {
                return None;
            }
            e.status = r.status;
            e.reason = r.reason.clone();
            e.reviewer = Some(r.reviewer.clone());
            e.reviewed_at = Some(r.date.clone());
        }
        let mut c = Change::new(e, Some(old), Some(e.status));
        c.reason = r.reason.clone();
        Some(c)
    }

    /// Three-way merge of a baseline's common ancestor and two descendants.
    ///
    /// Entries are united. An entry removed on one side and untouched on the
    /// other stays removed; removed on one side and reviewed on the other, it
    /// stays. Where both sides changed one entry differently, the reviewed
    /// one wins over `unreviewed`, then the later review date, then `ours`.
    pub fn merge(base: &Baseline, ours: &Baseline, theirs: &Baseline) -> Baseline {
        let keys: BTreeSet<&String> = ours.entries.keys().chain(theirs.entries.keys()).collect();
        let mut out = Baseline::new();
        for k in keys {
            let b = base.entries.get(k);
            let picked = match (ours.entries.get(k), theirs.entries.get(k)) {
                (Some(o), Some(t)) => Some(pick(b, o, t)),
                (Some(one), None) | (None, Some(one)) => match b {
                    // The other side removed it: keep it only if this side changed it.
                    Some(b) if b == one => None,
                    _ => Some(one),
                },
                (None, None) => None,
            };
            if let Some(e) = picked {
                out.insert(e.clone());
            }
        }
        out
    }
}

fn pick<'a>(base: Option<&Entry>, ours: &'a Entry, theirs: &'a Entry) -> &'a Entry {
    if ours == theirs || base == Some(theirs) {
        return ours;
    }
    if base == Some(ours) {
        return theirs;
    }
    let rank = |e: &Entry| (e.status.is_reviewed(), e.reviewed_at.clone());
    if rank(theirs) > rank(ours) {
        theirs
    } else if ours.review() == theirs.review() && ours.commit.is_none() {
        // Same review; the other side only learnt the introducing commit.
        theirs
    } else {
        ours
    }
}

/// Writes `bytes` to `path` atomically: a temporary file in the same
/// directory, written and synced, then renamed over `path` (and the directory
/// synced). `before_rename` runs between the write and the rename; an error
/// from it (or from any step) leaves the old file untouched and removes the
/// temporary one. The new file keeps the old one's permissions.
pub fn write_atomic(
    path: &Path,
    bytes: &[u8],
    before_rename: &mut dyn FnMut(&Path) -> io::Result<()>,
) -> Result<(), BaselineError> {
    let pending = prepare_atomic(path, bytes)?;
    before_rename(path).map_err(|source| BaselineError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    pending.commit()
}

/// A file written and synced beside its destination, not yet renamed over
/// it. Dropping it removes the temporary file.
#[derive(Debug)]
pub struct PendingWrite {
    tmp: tempfile::NamedTempFile,
    path: PathBuf,
}

/// Writes `bytes` to a synced temporary file beside `path`; [`PendingWrite::commit`] renames it into place.
pub fn prepare_atomic(path: &Path, bytes: &[u8]) -> Result<PendingWrite, BaselineError> {
    let io_err = |source| BaselineError::Io {
        path: path.to_path_buf(),
        source,
    };
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut tmp = tempfile::Builder::new()
        .prefix(&format!(".{}.", name.trim_start_matches('.')))
        .suffix(".tmp")
        .tempfile_in(&dir)
        .map_err(io_err)?;
    tmp.write_all(bytes).map_err(io_err)?;
    let perms = match std::fs::metadata(path) {
        Ok(m) => Some(m.permissions()),
        Err(_) => default_permissions(),
    };
    if let Some(p) = perms {
        tmp.as_file().set_permissions(p).map_err(io_err)?;
    }
    tmp.as_file().sync_all().map_err(io_err)?;
    Ok(PendingWrite {
        tmp,
        path: path.to_path_buf(),
    })
}

impl PendingWrite {
    /// Renames the temporary file over the destination and syncs the directory.
    pub fn commit(self) -> Result<(), BaselineError> {
        let path = self.path;
        self.tmp.persist(&path).map_err(|e| BaselineError::Io {
            path: path.clone(),
            source: e.error,
        })?;
        sync_parent(&path);
        Ok(())
    }
}

#[cfg(unix)]
fn default_permissions() -> Option<std::fs::Permissions> {
    use std::os::unix::fs::PermissionsExt;
    Some(std::fs::Permissions::from_mode(0o644))
}

#[cfg(not(unix))]
fn default_permissions() -> Option<std::fs::Permissions> {
    None
}

/// Best effort: makes the rename durable. Not every platform can open a directory.
fn sync_parent(path: &Path) {
    #[cfg(unix)]
    {
        let dir = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        if let Ok(d) = std::fs::File::open(dir) {
            let _ = d.sync_all();
        }
    }
    #[cfg(not(unix))]
    let _ = path;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::{CommitInfo, Kind, Secret};
    use crate::severity::{Confidence, Severity};

    fn finding(rule: &str, secret: &str, path: &str, line: usize) -> Finding {
        let s = Secret::new(secret);
        let fp = Finding::secret_fingerprint(rule, &s.sha256());
        Finding {
            rule_id: rule.into(),
            kind: Kind::Secret,
            severity: Severity::High,
            confidence: Confidence::High,
            validated: None,
            path: path.into(),
            line,
            column: 1,
            end_line: line,
            end_column: 10,
            secret: Some(s),
            location_fingerprint: Finding::location_fingerprint_for(&fp, path),
            fingerprint: fp,
            commit: None,
            occurrences: Vec::new(),
            message: "m".into(),
        }
    }

    const PLAIN: &str = "q8Zr2LmX0pVt7Yw4nB6cQ8zR";

    #[test]
    fn render_is_sorted_one_entry_per_line_and_round_trips() {
        let mut b = Baseline::new();
        b.update(&[
            finding("r", PLAIN, "b.txt", 3),
            finding("r", "Zk3Jq9xQ2mZ7pL4vN8cR1tY6", "a.txt", 9),
        ]);
        let text = b.render();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "{\"version\":1,\"entries\":[");
        assert_eq!(lines[3], "null]}");
        assert!(lines[1] < lines[2], "sorted by fingerprint");
        assert!(lines[1..3].iter().all(|l| l.ends_with("},")));
        assert!(!text.contains(PLAIN));
        assert!(!text.contains("\"line\""));
        assert_eq!(
            Baseline::parse(Path::new("b.json"), &text).expect("parses"),
            b
        );
        // Rendering is stable.
        assert_eq!(b.render(), text);
    }

    #[test]
    fn moving_a_line_keeps_the_fingerprint() {
        let mut b = Baseline::new();
        b.update(&[finding("r", PLAIN, "a.txt", 3)]);
        let (kept, used) = b.filter(vec![
            finding("r", PLAIN, "a.txt", 40),
            finding("r", PLAIN, "other.txt", 3),
        ]);
        assert_eq!(kept.len(), 1);
        assert_eq!(kept[0].path, "other.txt");
        assert_eq!(used.len(), 1);
        assert!(b.unused(&used).is_empty());
        assert_eq!(b.unused(&BTreeSet::new()).len(), 1);
    }

    #[test]
    fn update_keeps_reviews_and_fills_commits() {
        let mut b = Baseline::new();
        let f = finding("r", PLAIN, "a.txt", 3);
        b.update(std::slice::from_ref(&f));
        let r = Review {
            status: Status::AcceptedRisk,
            reason: Some("internal only".into()),
            reviewer: "a@example.org".into(),
            date: "2026-01-02".into(),
        };
        assert!(b.review(&f.location_fingerprint, &r).is_some());
        assert!(
            b.review(&f.location_fingerprint, &r).is_none(),
            "same decision is a no-op"
        );
        let mut g = f.clone();
        g.commit = Some(CommitInfo {
            id: "c0ffee".into(),
            author_name: "n".into(),
            author_email: "e".into(),
            date: "d".into(),
            path: "a.txt".into(),
        });
        let changes = b.update(&[g, finding("r", "other-value-123456", "a.txt", 5)]);
        assert_eq!(changes.len(), 1);
        let e = b.get(&f.location_fingerprint).expect("kept");
        assert_eq!(e.status, Status::AcceptedRisk);
        assert_eq!(e.reason.as_deref(), Some("internal only"));
        assert_eq!(e.commit.as_deref(), Some("c0ffee"));
    }

    #[test]
    fn absorb_never_overwrites_a_review() {
        let mut b = Baseline::new();
        let (x, y) = (
            finding("r", PLAIN, "x.txt", 1),
            finding("r", PLAIN, "y.txt", 1),
        );
        b.update(&[x.clone(), y.clone()]);
        let r = Review {
            status: Status::Revoked,
            reason: Some("rotated".into()),
            reviewer: "a".into(),
            date: "2026-01-01".into(),
        };
        b.review(&x.location_fingerprint, &r);
        let imported = |f: &Finding| Entry {
            status: Status::FalsePositive,
            reason: Some("imported".into()),
            ..Entry::from_finding(f)
        };
        let z = finding("r", PLAIN, "z.txt", 1);
        let changes = b.absorb(
            &[imported(&x), imported(&y), imported(&z)],
            "me",
            "2026-02-02",
        );
        assert_eq!(changes.len(), 2);
        assert_eq!(
            b.get(&x.location_fingerprint).expect("x").status,
            Status::Revoked
        );
        let y = b.get(&y.location_fingerprint).expect("y");
        assert_eq!(
            (y.status, y.reviewer.as_deref()),
            (Status::FalsePositive, Some("me"))
        );
        assert_eq!(
            b.get(&z.location_fingerprint).expect("z").status,
            Status::FalsePositive
        );
    }

    #[test]
    fn prune_removes_missing_unless_kept() {
        let mut b = Baseline::new();
        let a = finding("r", PLAIN, "a.txt", 3);
        let c = finding("r", "other-value-123456", "c.txt", 3);
        b.update(&[a.clone(), c]);
        let removed = b.prune(std::slice::from_ref(&a), |_| false);
        assert_eq!(removed.len(), 1);
        assert_eq!(removed[0].path, "c.txt");
        assert_eq!(removed[0].new_status, None);
        assert_eq!(b.len(), 1);
        assert!(b.prune(&[], |_| true).is_empty());
    }

    #[test]
    fn prefixes_resolve_when_unique() {
        let mut b = Baseline::new();
        for (i, p) in ["a", "b", "c", "d", "e", "f", "g", "h"].iter().enumerate() {
            b.update(&[finding("r", &format!("value-{i}-abcdefgh"), p, 1)]);
        }
        let first = b.entries().next().expect("entry").fingerprint.clone();
        assert_eq!(b.resolve(&first[..12]).expect("unique").fingerprint, first);
        assert_eq!(
            b.resolve(&first[..12].to_ascii_uppercase())
                .expect("case-insensitive")
                .fingerprint,
            first
        );
        assert!(matches!(b.resolve(""), Err(LookupError::NotFound(_))));
        assert!(matches!(b.resolve("zz"), Err(LookupError::NotFound(_))));
        let all_hex = "0123456789abcdef";
        let ambiguous = all_hex
            .chars()
            .map(|c| c.to_string())
            .find(|p| b.entries().filter(|e| e.fingerprint.starts_with(p)).count() > 1);
        if let Some(p) = ambiguous {
            assert!(matches!(b.resolve(&p), Err(LookupError::Ambiguous { .. })));
        }
    }

    #[test]
    fn parse_errors_name_the_file() {
        let e = Baseline::parse(Path::new("x/b.json"), "{\"version\":1}").expect_err("bad");
        assert!(
            e.to_string()
                .starts_with("x/b.json: not a keyfence baseline"),
            "{e}"
        );
        let e = Baseline::parse(Path::new("b.json"), "{\"version\":9,\"entries\":[]}")
            .expect_err("version");
        assert!(
            e.to_string().contains("unsupported baseline version 9"),
            "{e}"
        );
        let e = Baseline::parse(Path::new("b.json"), "<<<<<<< ours\n").expect_err("markers");
        assert!(e.to_string().contains("conflict markers"), "{e}");
        assert!(Baseline::parse(Path::new("b.json"), "")
            .expect("empty")
            .is_empty());
        // Hand-written files need no sentinel.
        let b = Baseline::parse(
            Path::new("b.json"),
            "{\"version\":1,\"entries\":[{\"fingerprint\":\"ab\",\"rule_id\":\"r\",\"path\":\"p\",\"status\":\"revoked\"}]}",
        )
        .expect("parses");
        assert_eq!(b.get("ab").expect("entry").status, Status::Revoked);
    }

    fn reviewed(e: &Entry, status: Status, date: &str) -> Entry {
        Entry {
            status,
            reason: Some(format!("{status} on {date}")),
            reviewer: Some("r@example.org".into()),
            reviewed_at: Some(date.into()),
            ..e.clone()
        }
    }

    #[test]
    fn merge_unites_and_prefers_reviews() {
        let mut base = Baseline::new();
        base.update(&[
            finding("r", "shared-value-0001", "s.txt", 1),
            finding("r", "pruned-value-0002", "p.txt", 1),
            finding("r", "conflict-value-03", "c.txt", 1),
        ]);
        let fp = |p: &str| base.entries().find(|e| e.path == p).expect("entry").clone();
        let (s, p, c) = (fp("s.txt"), fp("p.txt"), fp("c.txt"));
        let mut ours = base.clone();
        let mut theirs = base.clone();
        ours.update(&[finding("r", "ours-only-value-4", "o.txt", 1)]);
        theirs.update(&[finding("r", "theirs-only-val-5", "t.txt", 1)]);
        // Pruned on theirs, untouched on ours: stays pruned.
        theirs.prune(&[], |e| e.path != "p.txt");
        // Both reviewed c: the later review wins.
        ours.insert(reviewed(&c, Status::FalsePositive, "2026-01-01"));
        theirs.insert(reviewed(&c, Status::Revoked, "2026-02-01"));
        // Ours reviewed s; theirs left it alone.
        ours.insert(reviewed(&s, Status::AcceptedRisk, "2025-12-01"));
        let m = Baseline::merge(&base, &ours, &theirs);
        let paths: Vec<&str> = m.entries().map(|e| e.path.as_str()).collect();
        assert_eq!(m.len(), 4, "{paths:?}");
        assert!(m.get(&p.fingerprint).is_none());
        assert_eq!(m.get(&c.fingerprint).expect("c").status, Status::Revoked);
        assert_eq!(
            m.get(&s.fingerprint).expect("s").status,
            Status::AcceptedRisk
        );
        // Symmetric in content.
        let m2 = Baseline::merge(&base, &theirs, &ours);
        assert_eq!(m2, m);
        // Reviewed beats unreviewed even when the other side changed it too.
        let mut o2 = base.clone();
        o2.prune(&[], |e| e.path != "s.txt");
        let mut t2 = base.clone();
        t2.insert(reviewed(&s, Status::FalsePositive, "2026-03-01"));
        let m3 = Baseline::merge(&base, &o2, &t2);
        assert_eq!(
            m3.get(&s.fingerprint).expect("kept").status,
            Status::FalsePositive
        );
    }

    #[test]
    fn interrupted_write_leaves_the_old_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join(BASELINE_FILE_NAME);
        let mut b = Baseline::new();
        b.update(&[finding("r", PLAIN, "a.txt", 1)]);
        b.save(&path).expect("saved");
        let before = std::fs::read(&path).expect("read");
        let mut bigger = b.clone();
        bigger.update(&[finding("r", "another-value-xyz1", "b.txt", 1)]);
        let e = write_atomic(&path, bigger.render().as_bytes(), &mut |_| {
            Err(io::Error::other("simulated crash before rename"))
        })
        .expect_err("interrupted");
        assert!(e.to_string().contains("simulated crash"), "{e}");
        assert_eq!(std::fs::read(&path).expect("read"), before);
        let leftovers: Vec<_> = std::fs::read_dir(dir.path())
            .expect("ls")
            .filter_map(|e| e.ok())
            .map(|e| e.file_name())
            .collect();
        assert_eq!(leftovers.len(), 1, "temporary file removed: {leftovers:?}");
        bigger.save(&path).expect("saved");
        assert_eq!(Baseline::load(&path).expect("load").len(), 2);
    }
}
