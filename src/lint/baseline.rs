//! The baseline as the lints see it: each entry's fingerprints, review status,
//! review date and line in the file, read through the baseline module's
//! [`Baseline`].

use super::date::Date;
use crate::error::{Error, Result};
use crate::filter::baseline::{Baseline, BaselineError, Status};
use crate::finding::Finding;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// One baseline entry, as far as the lints need it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BaselineEntry {
    /// Location fingerprint (the entry's key).
    pub location_fingerprint: String,
    /// Secret fingerprint, from the rule id and secret hash (`None` for lint entries).
    pub fingerprint: Option<String>,
    /// Rule id.
    pub rule_id: String,
    /// Path of the finding.
    pub path: String,
    /// Review status.
    pub status: Status,
    /// When it was last reviewed.
    pub reviewed: Option<Date>,
    /// 1-based line of the entry in the baseline file.
    pub line: usize,
}

/// The baseline file, read for the lints.
#[derive(Debug, Clone, Default)]
pub struct BaselineView {
    /// The file, as shown in findings.
    pub path: String,
    /// Its entries, in file order.
    pub entries: Vec<BaselineEntry>,
    by_fingerprint: HashMap<String, Status>,
    by_location: HashMap<String, Status>,
}

impl BaselineView {
    /// Reads a baseline file; `shown` is the path used in findings.
    pub fn load(file: &Path, shown: &str) -> Result<BaselineView> {
        let text = std::fs::read_to_string(file).map_err(|source| Error::Io {
            path: file.to_path_buf(),
            source,
        })?;
        BaselineView::parse(file, shown, &text)
    }

    /// Parses baseline text; errors name `file`, findings name `shown`.
    pub fn parse(file: &Path, shown: &str, text: &str) -> Result<BaselineView> {
        let baseline = Baseline::parse(file, text).map_err(|e| match e {
            BaselineError::Parse { path, message } => Error::Config { path, message },
            BaselineError::Io { path, source } => Error::Io { path, source },
        })?;
        let mut entries: Vec<BaselineEntry> = baseline
            .entries()
            .map(|e| BaselineEntry {
                location_fingerprint: e.fingerprint.clone(),
                fingerprint: e
                    .secret_sha256
                    .as_deref()
                    .map(|h| Finding::secret_fingerprint(&e.rule_id, h)),
                rule_id: e.rule_id.clone(),
                path: e.path.clone(),
                status: e.status,
                reviewed: e.reviewed_at.as_deref().and_then(Date::parse),
                line: line_of(text, &e.fingerprint),
            })
            .collect();
        entries.sort_by_key(|e| e.line);
        let mut view = BaselineView {
            path: shown.to_string(),
            ..Default::default()
        };
        for e in &entries {
            if let Some(fp) = &e.fingerprint {
                merge_status(&mut view.by_fingerprint, fp, e.status);
            }
            merge_status(&mut view.by_location, &e.location_fingerprint, e.status);
        }
        view.entries = entries;
        Ok(view)
    }

    /// Parses baseline text shown as `shown` (tests and callers holding text).
    pub fn from_text(shown: &str, text: &str) -> Result<BaselineView> {
        BaselineView::parse(&PathBuf::from(shown), shown, text)
    }

    /// The review status recorded for a secret: by its fingerprint (rule id
    /// and secret hash), or by any of the location fingerprints of its
    /// findings. Where several entries speak of it, the most decisive status
    /// wins (revoked, then false positive, then accepted risk).
    pub fn status_of<'a>(
        &self,
        fingerprint: &str,
        locations: impl IntoIterator<Item = &'a str>,
    ) -> Option<Status> {
        let mut best = self.by_fingerprint.get(fingerprint).copied();
        for l in locations {
            if let Some(s) = self.by_location.get(l) {
                best = Some(best.map_or(*s, |b| decisive(b, *s)));
            }
        }
        best
    }
}

fn decisive(a: Status, b: Status) -> Status {
    let rank = |s: Status| match s {
        Status::Revoked => 3,
        Status::FalsePositive => 2,
        Status::AcceptedRisk => 1,
        Status::Unreviewed => 0,
    };
    if rank(b) > rank(a) {
        b
    } else {
        a
    }
}

fn merge_status(map: &mut HashMap<String, Status>, key: &str, s: Status) {
    let merged = map.get(key).map_or(s, |old| decisive(*old, s));
    map.insert(key.to_string(), merged);
}

/// The 1-based line where `needle` first occurs (1 when it does not).
fn line_of(text: &str, needle: &str) -> usize {
    text.find(needle).map_or(1, |at| {
        1 + text.as_bytes()[..at]
            .iter()
            .filter(|b| **b == b'\n')
            .count()
    })
}

#[cfg(test)]
pub(crate) mod testutil {
    //! Baseline files written by the baseline module, for the lints' tests.
    use crate::filter::baseline::{Baseline, Entry, Status};
    use crate::finding::Finding;

    /// A baseline file recording each finding with a status and review date.
    pub fn baseline_text(entries: &[(&Finding, Status, Option<&str>)]) -> String {
        let mut b = Baseline::new();
        for (f, status, date) in entries {
            let mut e = Entry::from_finding(f);
            e.status = *status;
            e.reviewed_at = date.map(str::to_string);
            b.insert(e);
        }
        b.render()
    }
}

#[cfg(test)]
mod tests {
    use super::testutil::baseline_text;
    use super::*;
    use crate::lint::testutil::secret_finding;

    #[test]
    fn entries_statuses_dates_and_lines() {
        let a = secret_finding("r1", "tok_Q8zR2LmX0pVt7Yw4nB6cD1eF", "a.py", None);
        let b = secret_finding("r1", "tok_Gq7W2mZr9XpL4vN8cR1tY6wB", "b.py", None);
        let text = baseline_text(&[
            (&a, Status::AcceptedRisk, Some("2026-01-02")),
            (&b, Status::Revoked, None),
        ]);
        let v = BaselineView::from_text("b.json", &text).expect("parses");
        assert_eq!(v.entries.len(), 2);
        let ea = v
            .entries
            .iter()
            .find(|e| e.location_fingerprint == a.location_fingerprint)
            .expect("a");
        assert_eq!(ea.status, Status::AcceptedRisk);
        assert_eq!(ea.reviewed, Date::from_ymd(2026, 1, 2));
        assert_eq!(ea.fingerprint.as_deref(), Some(a.fingerprint.as_str()));
        assert!(ea.line >= 2, "{}", ea.line);
        assert_eq!(v.status_of(&b.fingerprint, []), Some(Status::Revoked));
        assert_eq!(
            v.status_of("nope", [a.location_fingerprint.as_str()]),
            Some(Status::AcceptedRisk)
        );
        assert_eq!(v.status_of("nope", ["nope"]), None);
    }

    #[test]
    fn a_bad_file_names_itself() {
        let e = BaselineView::from_text("dir/b.json", "{").expect_err("bad");
        assert!(e.to_string().starts_with("dir/b.json: "), "{e}");
    }
}
