//! The secrets a repository holds, for the rotation lints and the rotation
//! report: each secret fingerprint with where HEAD has it, the commit that
//! first brought it into history, and its review status in the baseline.

use super::date::Date;
use super::LintContext;
use crate::filter::Status;
use crate::finding::{CommitInfo, Finding};
use serde::Serialize;
use std::collections::BTreeMap;

/// Where a secret or a manifest entry stands against the rotation policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RotationStatus {
    /// Within its maximum age and not yet in the warning window.
    Current,
    /// Due within the warning window.
    Expiring,
    /// Past its maximum age (or exposed and not revoked).
    Expired,
    /// Revoked at its provider (per the baseline).
    Revoked,
}

impl RotationStatus {
    /// The lowercase name used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            RotationStatus::Current => "current",
            RotationStatus::Expiring => "expiring",
            RotationStatus::Expired => "expired",
            RotationStatus::Revoked => "revoked",
        }
    }
}

/// How a date stands against a maximum age, seen from `today`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Due {
    /// Days from `since` to today.
    pub age_days: i64,
    /// `since` plus the maximum age.
    pub due: Date,
    /// Days from today to the due date (negative once past it).
    pub days_left: i64,
    /// Current, expiring or expired.
    pub status: RotationStatus,
}

impl Due {
    /// The standing of something dated `since` with a maximum age of
    /// `max_age_days`, warned about `warn_before_days` ahead.
    pub fn new(since: Date, today: Date, max_age_days: u32, warn_before_days: u32) -> Due {
        let due = since.add_days(i64::from(max_age_days));
        let days_left = today.days_until(due);
        let status = if days_left < 0 {
            RotationStatus::Expired
        } else if days_left <= i64::from(warn_before_days) {
            RotationStatus::Expiring
        } else {
            RotationStatus::Current
        };
        Due {
            age_days: since.days_until(today),
            due,
            days_left,
            status,
        }
    }
}

/// One secret, by fingerprint.
#[derive(Debug, Clone)]
pub struct SecretRecord<'a> {
    /// Secret fingerprint.
    pub fingerprint: &'a str,
    /// A finding that carries it: at HEAD where it is there, else in history.
    pub example: &'a Finding,
    /// Its first finding at HEAD (in report order), if HEAD has it.
    pub at_head: Option<&'a Finding>,
    /// The history finding with the earliest commit, if history has it.
    pub in_history: Option<&'a Finding>,
    /// The earliest commit that carries it, and that commit's (UTC) day.
    pub first_commit: Option<(&'a CommitInfo, Date)>,
    /// Its status in the baseline, if an entry speaks of it.
    pub review: Option<Status>,
}

impl SecretRecord<'_> {
    /// True when the baseline says it was revoked.
    pub fn revoked(&self) -> bool {
        self.review == Some(Status::Revoked)
    }

    /// True when the baseline says it is no credential at all.
    pub fn false_positive(&self) -> bool {
        self.review == Some(Status::FalsePositive)
    }
}

/// Every secret of the HEAD scan and the history scan, by fingerprint.
pub fn inventory(cx: &LintContext) -> Vec<SecretRecord<'_>> {
    let mut by_fp: BTreeMap<&str, SecretRecord<'_>> = BTreeMap::new();
    for f in &cx.head {
        by_fp
            .entry(f.fingerprint.as_str())
            .or_insert_with(|| SecretRecord {
                fingerprint: &f.fingerprint,
                example: f,
                at_head: Some(f),
                in_history: None,
                first_commit: None,
                review: None,
            });
    }
    for f in cx.history.iter().flatten() {
        let earliest = f
            .commit
            .iter()
            .chain(&f.occurrences)
            .filter_map(|c| Date::parse(&c.date).map(|d| (c, d)))
            .min_by_key(|(_, d)| *d);
        let rec = by_fp
            .entry(f.fingerprint.as_str())
            .or_insert_with(|| SecretRecord {
                fingerprint: &f.fingerprint,
                example: f,
                at_head: None,
                in_history: None,
                first_commit: None,
                review: None,
            });
        let earlier = match (earliest, rec.first_commit) {
            (Some((_, d)), Some((_, old))) => d < old,
            (Some(_), None) => true,
            (None, _) => rec.in_history.is_none(),
        };
        if earlier {
            rec.in_history = Some(f);
            if earliest.is_some() {
                rec.first_commit = earliest;
            }
        }
    }
    if let Some(b) = &cx.baseline {
        for rec in by_fp.values_mut() {
            let locations = cx
                .head
                .iter()
                .chain(cx.history.iter().flatten())
                .filter(|f| f.fingerprint == rec.fingerprint)
                .map(|f| f.location_fingerprint.as_str());
            rec.review = b.status_of(rec.fingerprint, locations);
        }
    }
    by_fp.into_values().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn due_windows() {
        let since = Date::from_ymd(2026, 1, 1).expect("date");
        let at = |days| Due::new(since, since.add_days(days), 90, 14);
        assert_eq!(at(10).status, RotationStatus::Current);
        assert_eq!(at(75).status, RotationStatus::Current);
        assert_eq!(at(76).status, RotationStatus::Expiring);
        assert_eq!(at(90).status, RotationStatus::Expiring);
        assert_eq!(at(91).status, RotationStatus::Expired);
        assert_eq!(at(91).days_left, -1);
        assert_eq!(at(91).age_days, 91);
        assert_eq!(at(0).due.to_string(), "2026-04-01");
    }
}
