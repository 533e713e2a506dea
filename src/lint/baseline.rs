//! The baseline as the lints see it: each entry's fingerprints, review status
//! and review date.
//!
//! This is the one place that reads `.keyfence-baseline.json` for the lints.
//! It reads tolerantly (entries as an array or a map keyed by location
//! fingerprint, a few spellings of each field, unknown fields ignored), so it
//! can later be switched to the baseline module's own type without touching
//! the lints that use [`BaselineView`].

use super::date::Date;
use crate::error::{Error, Result};
use crate::finding::Finding;
use serde_json::{Map, Value};
use std::collections::HashMap;
use std::path::Path;

/// The baseline file looked for at the repository root.
pub const BASELINE_FILE_NAME: &str = ".keyfence-baseline.json";

/// The review state of a baseline entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ReviewStatus {
    /// Nobody has looked at it yet.
    Unreviewed,
    /// Reviewed: not a credential.
    FalsePositive,
    /// Reviewed: a real credential whose presence is accepted for now.
    AcceptedRisk,
    /// Reviewed: the credential was revoked at its provider.
    Revoked,
    /// A status keyfence does not know; the lints ignore such entries.
    Other,
}

impl ReviewStatus {
    fn parse(s: &str) -> ReviewStatus {
        match s
            .trim()
            .to_ascii_lowercase()
            .replace(['_', ' '], "-")
            .as_str()
        {
            "unreviewed" | "new" | "pending" | "" => ReviewStatus::Unreviewed,
            "false-positive" => ReviewStatus::FalsePositive,
            "accepted-risk" | "accepted" => ReviewStatus::AcceptedRisk,
            "revoked" => ReviewStatus::Revoked,
            _ => ReviewStatus::Other,
        }
    }

    /// The name used in the baseline file.
    pub fn as_str(self) -> &'static str {
        match self {
            ReviewStatus::Unreviewed => "unreviewed",
            ReviewStatus::FalsePositive => "false-positive",
            ReviewStatus::AcceptedRisk => "accepted-risk",
            ReviewStatus::Revoked => "revoked",
            ReviewStatus::Other => "other",
        }
    }
}

/// One baseline entry, as far as the lints need it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BaselineEntry {
    /// Location fingerprint (the entry's key).
    pub location_fingerprint: Option<String>,
    /// Secret fingerprint, given or computed from the rule id and secret hash.
    pub fingerprint: Option<String>,
    /// Rule id.
    pub rule_id: Option<String>,
    /// Path of the finding.
    pub path: Option<String>,
    /// Review status.
    pub status: ReviewStatus,
    /// When it was last reviewed (or, failing that, recorded).
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
    by_fingerprint: HashMap<String, ReviewStatus>,
    by_location: HashMap<String, ReviewStatus>,
}

const LIST_KEYS: &[&str] = &["entries", "findings", "baseline", "results"];
const DATE_KEYS: &[&str] = &[
    "reviewed_at",
    "review_date",
    "reviewed_on",
    "reviewed",
    "date",
    "updated_at",
    "created_at",
    "first_seen",
];

impl BaselineView {
    /// Reads a baseline file; `shown` is the path used in findings and errors.
    pub fn load(file: &Path, shown: &str) -> Result<BaselineView> {
        let text = std::fs::read_to_string(file).map_err(|source| Error::Io {
            path: file.to_path_buf(),
            source,
        })?;
        BaselineView::from_text(shown, &text)
    }

    /// Parses baseline text; errors name `shown`.
    pub fn from_text(shown: &str, text: &str) -> Result<BaselineView> {
        let root: Value = serde_json::from_str(text).map_err(|e| Error::Config {
            path: shown.into(),
            message: format!("not a baseline file: {e}"),
        })?;
        let mut raw: Vec<(Option<String>, &Map<String, Value>)> = Vec::new();
        let list = match &root {
            Value::Object(o) => LIST_KEYS.iter().find_map(|k| o.get(*k)),
            Value::Array(_) => Some(&root),
            _ => None,
        };
        match list {
            Some(Value::Array(items)) => {
                raw.extend(items.iter().filter_map(Value::as_object).map(|o| (None, o)));
            }
            Some(Value::Object(map)) => {
                raw.extend(
                    map.iter()
                        .filter_map(|(k, v)| v.as_object().map(|o| (Some(k.clone()), o))),
                );
            }
            _ => {}
        }
        let mut view = BaselineView {
            path: shown.to_string(),
            ..Default::default()
        };
        let mut search_from = 0;
        for (key, o) in raw {
            let e = entry(key, o, text, &mut search_from);
            if let Some(fp) = &e.fingerprint {
                merge_status(&mut view.by_fingerprint, fp, e.status);
            }
            if let Some(lfp) = &e.location_fingerprint {
                merge_status(&mut view.by_location, lfp, e.status);
            }
            view.entries.push(e);
        }
        Ok(view)
    }

    /// The review status recorded for a secret: by its fingerprint, or by any of
    /// the location fingerprints of its findings. Where several entries speak of
    /// it, the most decisive status wins (revoked, then false positive, then
    /// accepted risk).
    pub fn status_of<'a>(
        &self,
        fingerprint: &str,
        locations: impl IntoIterator<Item = &'a str>,
    ) -> Option<ReviewStatus> {
        let mut best = self.by_fingerprint.get(fingerprint).copied();
        for l in locations {
            if let Some(s) = self.by_location.get(l) {
                best = Some(best.map_or(*s, |b| decisive(b, *s)));
            }
        }
        best
    }
}

fn decisive(a: ReviewStatus, b: ReviewStatus) -> ReviewStatus {
    let rank = |s: ReviewStatus| match s {
        ReviewStatus::Revoked => 4,
        ReviewStatus::FalsePositive => 3,
        ReviewStatus::AcceptedRisk => 2,
        ReviewStatus::Unreviewed => 1,
        ReviewStatus::Other => 0,
    };
    if rank(b) > rank(a) {
        b
    } else {
        a
    }
}

fn merge_status(map: &mut HashMap<String, ReviewStatus>, key: &str, s: ReviewStatus) {
    let merged = map.get(key).map_or(s, |old| decisive(*old, s));
    map.insert(key.to_string(), merged);
}

fn string(o: &Map<String, Value>, keys: &[&str]) -> Option<String> {
    keys.iter()
        .find_map(|k| o.get(*k).and_then(Value::as_str))
        .map(str::to_string)
}

fn entry(
    key: Option<String>,
    o: &Map<String, Value>,
    text: &str,
    search_from: &mut usize,
) -> BaselineEntry {
    // A nested `review` object may hold the status and date.
    let review = o.get("review").and_then(Value::as_object);
    let status = string(o, &["status"])
        .or_else(|| review.and_then(|r| string(r, &["status"])))
        .map_or(ReviewStatus::Unreviewed, |s| ReviewStatus::parse(&s));
    let reviewed = review
        .and_then(|r| string(r, DATE_KEYS))
        .or_else(|| string(o, DATE_KEYS))
        .and_then(|d| Date::parse(&d));
    let location_fingerprint = string(o, &["location_fingerprint", "id"]).or(key);
    let rule_id = string(o, &["rule_id", "rule"]);
    let secret_sha256 = string(o, &["secret_sha256", "secret_hash", "sha256"]);
    let fingerprint = string(o, &["fingerprint", "secret_fingerprint"]).or_else(|| {
        rule_id
            .as_deref()
            .zip(secret_sha256.as_deref())
            .map(|(r, h)| Finding::secret_fingerprint(r, h))
    });
    let line = location_fingerprint
        .as_deref()
        .and_then(|needle| line_of(text, needle, search_from))
        .unwrap_or(1);
    BaselineEntry {
        location_fingerprint,
        fingerprint,
        rule_id,
        path: string(o, &["path"]),
        status,
        reviewed,
        line,
    }
}

/// The 1-based line of the first occurrence of `needle` at or after `from`
/// (falling back to the whole text), moving `from` past it.
fn line_of(text: &str, needle: &str, from: &mut usize) -> Option<usize> {
    let at = text
        .get(*from..)
        .and_then(|t| t.find(needle))
        .map(|i| i + *from)
        .or_else(|| text.find(needle))?;
    *from = at + needle.len();
    Some(1 + memchr::memchr_iter(b'\n', &text.as_bytes()[..at]).count())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_an_array_of_entries_tolerantly() {
        let text = r#"{
  "version": 1,
  "entries": [
    {"location_fingerprint": "loc-a", "rule_id": "r1", "secret_sha256": "h1",
     "path": "a.py", "status": "accepted-risk", "reviewed_at": "2026-01-02T10:00:00Z",
     "extra": {"anything": true}},
    {"location_fingerprint": "loc-b", "fingerprint": "fp-b", "status": "REVOKED"},
    {"location_fingerprint": "loc-c"},
    {"location_fingerprint": "loc-d", "review": {"status": "false_positive", "date": "2026-02-03"}}
  ]
}"#;
        let v = BaselineView::from_text("b.json", text).expect("parses");
        assert_eq!(v.entries.len(), 4);
        let a = &v.entries[0];
        assert_eq!(a.status, ReviewStatus::AcceptedRisk);
        assert_eq!(
            a.reviewed.map(|d| d.to_string()).as_deref(),
            Some("2026-01-02")
        );
        assert_eq!(
            a.fingerprint.as_deref(),
            Some(Finding::secret_fingerprint("r1", "h1").as_str())
        );
        assert_eq!(a.line, 4);
        assert_eq!(v.entries[1].status, ReviewStatus::Revoked);
        assert_eq!(v.entries[2].status, ReviewStatus::Unreviewed);
        assert_eq!(v.entries[3].status, ReviewStatus::FalsePositive);
        assert_eq!(v.status_of("fp-b", []), Some(ReviewStatus::Revoked));
        assert_eq!(
            v.status_of("nope", ["loc-c", "loc-d"]),
            Some(ReviewStatus::FalsePositive)
        );
        assert_eq!(v.status_of("nope", ["nope"]), None);
    }

    #[test]
    fn reads_a_map_keyed_by_location_fingerprint() {
        let text = r#"{"entries": {"loc-x": {"status": "unreviewed", "date": "2026-03-04"}}}"#;
        let v = BaselineView::from_text("b.json", text).expect("parses");
        assert_eq!(v.entries[0].location_fingerprint.as_deref(), Some("loc-x"));
        assert_eq!(v.entries[0].reviewed, Date::from_ymd(2026, 3, 4));
    }

    #[test]
    fn bad_json_names_the_file() {
        let e = BaselineView::from_text("dir/b.json", "{").expect_err("bad");
        assert!(e.to_string().starts_with("dir/b.json: "), "{e}");
    }
}
