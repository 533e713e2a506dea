//! The audit trail of baseline changes: `.keyfence-audit.jsonl`, beside the
//! baseline. One JSON object per line: when (RFC 3339, UTC), who, what
//! (action, fingerprint, rule id, path, old and new status) and why.
//!
//! The log is append-only, and appending is atomic: the existing lines plus
//! the new ones go to a synced temporary file that is renamed over the log, so
//! a crash or Ctrl-C leaves either the old log or the new one, never half a
//! line. (Appending with `O_APPEND` is atomic against other writers but can
//! leave a torn last line when the machine stops mid-write.) The log is small,
//! so rewriting it costs little. Timestamps live here, never in the baseline.

use super::baseline::{prepare_atomic, BaselineError, Change, PendingWrite, Status};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::io;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

/// The file name of the audit log, beside the baseline.
pub const AUDIT_FILE_NAME: &str = ".keyfence-audit.jsonl";

/// What was done to the baseline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Action {
    /// `baseline create`.
    Create,
    /// `baseline update`.
    Update,
    /// `baseline prune`.
    Prune,
    /// `baseline review` (interactive).
    Review,
    /// `baseline mark`.
    Mark,
    /// `baseline import`.
    Import,
}

impl Action {
    /// The kebab-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Create => "create",
            Action::Update => "update",
            Action::Prune => "prune",
            Action::Review => "review",
            Action::Mark => "mark",
            Action::Import => "import",
        }
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One line of the audit log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditRecord {
    /// When, RFC 3339 in UTC (`2026-11-23T10:43:42Z`).
    pub timestamp: String,
    /// Who (git `user.email`, `--reviewer`, or the user name).
    pub actor: String,
    /// What was done.
    pub action: Action,
    /// The entry's fingerprint (`None` for an action that changed no entry, such as creating an empty baseline).
    pub fingerprint: Option<String>,
    /// The entry's rule id.
    pub rule_id: Option<String>,
    /// The entry's path.
    pub path: Option<String>,
    /// Status before (`None`: added).
    pub old_status: Option<Status>,
    /// Status after (`None`: removed).
    pub new_status: Option<Status>,
    /// The reason given.
    pub reason: Option<String>,
}

impl AuditRecord {
    /// A record of one change.
    pub fn of_change(timestamp: &str, actor: &str, action: Action, c: &Change) -> AuditRecord {
        AuditRecord {
            timestamp: timestamp.to_string(),
            actor: actor.to_string(),
            action,
            fingerprint: Some(c.fingerprint.clone()),
            rule_id: Some(c.rule_id.clone()),
            path: Some(c.path.clone()),
            old_status: c.old_status,
            new_status: c.new_status,
            reason: c.reason.clone(),
        }
    }

    /// A record of an action that changed no entry.
    pub fn bare(
        timestamp: &str,
        actor: &str,
        action: Action,
        reason: Option<String>,
    ) -> AuditRecord {
        AuditRecord {
            timestamp: timestamp.to_string(),
            actor: actor.to_string(),
            action,
            fingerprint: None,
            rule_id: None,
            path: None,
            old_status: None,
            new_status: None,
            reason,
        }
    }
}

/// The audit log file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditLog {
    path: PathBuf,
}

impl AuditLog {
    /// The log at `path`.
    pub fn new(path: impl Into<PathBuf>) -> AuditLog {
        AuditLog { path: path.into() }
    }

    /// The log beside a baseline file.
    pub fn beside(baseline: &Path) -> AuditLog {
        let dir = baseline.parent().unwrap_or(Path::new(""));
        AuditLog::new(dir.join(AUDIT_FILE_NAME))
    }

    /// Its path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Every record, oldest first; a missing log has none. Errors name the file and line.
    pub fn read(&self) -> Result<Vec<AuditRecord>, BaselineError> {
        let text = match std::fs::read_to_string(&self.path) {
            Ok(t) => t,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(source) => {
                return Err(BaselineError::Io {
                    path: self.path.clone(),
                    source,
                })
            }
        };
        text.lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty())
            .map(|(i, l)| {
                serde_json::from_str(l).map_err(|e| BaselineError::Parse {
                    path: self.path.clone(),
                    message: format!("line {}: not an audit record: {e}", i + 1),
                })
            })
            .collect()
    }

    /// Prepares the log with `records` appended (see the module docs); nothing
    /// changes until the returned write is committed.
    pub fn prepare_append(&self, records: &[AuditRecord]) -> Result<PendingWrite, BaselineError> {
        let mut bytes = match std::fs::read(&self.path) {
            Ok(b) => b,
            Err(e) if e.kind() == io::ErrorKind::NotFound => Vec::new(),
            Err(source) => {
                return Err(BaselineError::Io {
                    path: self.path.clone(),
                    source,
                })
            }
        };
        if !bytes.is_empty() && !bytes.ends_with(b"\n") {
            bytes.push(b'\n');
        }
        for r in records {
            // A struct of strings, enums and options always serialises.
            let line = serde_json::to_string(r).unwrap_or_default();
            bytes.extend_from_slice(line.as_bytes());
            bytes.push(b'\n');
        }
        prepare_atomic(&self.path, &bytes)
    }

    /// Appends `records` atomically.
    pub fn append(&self, records: &[AuditRecord]) -> Result<(), BaselineError> {
        self.prepare_append(records)?.commit()
    }
}

/// Saves a baseline and appends its audit records as one step: both new files
/// are written and synced first, `before_rename` runs, then the log is renamed
/// into place and then the baseline, so a failure before the renames changes
/// neither file and no baseline change is ever left without its record.
pub fn save_with_audit(
    baseline: &super::Baseline,
    path: &Path,
    log: &AuditLog,
    records: &[AuditRecord],
    before_rename: &mut dyn FnMut(&Path) -> io::Result<()>,
) -> Result<(), BaselineError> {
    let new_baseline = prepare_atomic(path, baseline.render().as_bytes())?;
    let new_log = if records.is_empty() {
        None
    } else {
        Some(log.prepare_append(records)?)
    };
    before_rename(path).map_err(|source| BaselineError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    if let Some(l) = new_log {
        l.commit()?;
    }
    new_baseline.commit()
}

/// Now, RFC 3339 in UTC with seconds: `2026-11-23T10:43:42Z`.
pub fn timestamp_now() -> String {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    rfc3339_utc(secs)
}

/// Today's date in UTC: `2026-11-23`.
pub fn today() -> String {
    timestamp_now()[..10].to_string()
}

/// Seconds since the epoch as RFC 3339 in UTC.
pub fn rfc3339_utc(secs: i64) -> String {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// Days since 1970-01-01 to a proleptic Gregorian (year, month, day).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::filter::BASELINE_FILE_NAME;

    #[test]
    fn timestamps() {
        assert_eq!(rfc3339_utc(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339_utc(1_700_000_000), "2023-11-14T22:13:20Z");
        assert_eq!(rfc3339_utc(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(rfc3339_utc(4_102_444_799), "2099-12-31T23:59:59Z");
        assert_eq!(today().len(), 10);
    }

    #[test]
    fn append_keeps_old_lines_and_reads_back() {
        let dir = tempfile::tempdir().expect("tempdir");
        let log = AuditLog::beside(&dir.path().join(BASELINE_FILE_NAME));
        assert!(log.read().expect("missing is empty").is_empty());
        let r = AuditRecord::bare(
            "2026-01-01T00:00:00Z",
            "a@example.org",
            Action::Create,
            None,
        );
        log.append(std::slice::from_ref(&r)).expect("append");
        let mut r2 = r.clone();
        r2.action = Action::Prune;
        log.append(std::slice::from_ref(&r2)).expect("append");
        assert_eq!(log.read().expect("read"), vec![r, r2]);
        let text = std::fs::read_to_string(log.path()).expect("read");
        assert_eq!(text.lines().count(), 2);
        assert!(text.lines().all(|l| l.starts_with("{\"timestamp\":")));
    }

    #[test]
    fn bad_line_names_file_and_line() {
        let dir = tempfile::tempdir().expect("tempdir");
        let log = AuditLog::new(dir.path().join("log.jsonl"));
        std::fs::write(log.path(), "\nnot json\n").expect("write");
        let e = log.read().expect_err("bad");
        assert!(e.to_string().contains("log.jsonl: line 2:"), "{e}");
    }

    #[test]
    fn failure_before_rename_changes_neither_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join(BASELINE_FILE_NAME);
        let log = AuditLog::beside(&path);
        let b = super::super::Baseline::new();
        let r = AuditRecord::bare("2026-01-01T00:00:00Z", "a", Action::Create, None);
        save_with_audit(&b, &path, &log, std::slice::from_ref(&r), &mut |_| Ok(())).expect("saved");
        let (old_b, old_l) = (
            std::fs::read(&path).expect("b"),
            std::fs::read(log.path()).expect("l"),
        );
        let e = save_with_audit(&b, &path, &log, &[r.clone(), r], &mut |_| {
            Err(io::Error::other("simulated crash"))
        })
        .expect_err("fails");
        assert!(e.to_string().contains("simulated crash"));
        assert_eq!(std::fs::read(&path).expect("b"), old_b);
        assert_eq!(std::fs::read(log.path()).expect("l"), old_l);
    }
}
