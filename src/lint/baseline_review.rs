//! `baseline-review`.

use super::baseline::BaselineEntry;
use super::inventory::{Due, RotationStatus};
use super::{lower, Lint, LintContext};
use crate::filter::Status;
use crate::finding::Finding;
use crate::severity::Severity;

declare_lint! {
    /// A baseline entry is unreviewed, or its accepted risk has expired.
    ///
    /// ## What it checks
    /// Each entry of `.keyfence-baseline.json`: an entry still `unreviewed`
    /// is reported, and so is an `accepted-risk` entry reviewed more than the
    /// rotation policy's `max_age_days` ago (one within `warn_before_days` of
    /// that is reported one severity level lower), or with no review date at
    /// all. Entries marked `false-positive` or `revoked` are settled. Each
    /// finding points at the entry's line in the baseline file.
    ///
    /// ## Why it matters
    /// A baseline silences findings so a team can adopt keyfence without
    /// fixing everything first; an entry nobody reviewed is a possible live
    /// credential hidden from every report. Accepting a risk is a decision
    /// made with what was known then — it should expire like a key does, and
    /// be made again.
    ///
    /// ## How to fix
    /// Review the entry (`keyfence baseline review`): mark it
    /// `false-positive`, `revoked` once the credential is revoked, or
    /// `accepted-risk` with a reason — which renews the review date.
    ///
    /// ## Example
    /// ```text
    /// .keyfence-baseline.json:14  baseline-review  baseline entry for
    ///     generic-password in config/dev.yaml is unreviewed: review it
    /// ```
    ///
    /// ## Configuration
    /// Uses `[rotation] max_age_days` and `warn_before_days` for the age of
    /// accepted risks. Disable with `[lint] disable = ["baseline-review"]`.
    pub struct BaselineReview;
}

impl Lint for BaselineReview {
    fn id(&self) -> &'static str {
        "baseline-review"
    }

    fn summary(&self) -> &'static str {
        Self::SUMMARY
    }

    fn default_severity(&self) -> Severity {
        Severity::Medium
    }

    fn doc(&self) -> &'static str {
        Self::DOC
    }

    fn check(&self, cx: &LintContext) -> Vec<Finding> {
        let Some(b) = &cx.baseline else {
            return Vec::new();
        };
        let sev = self.severity(cx);
        let policy = &cx.config.rotation;
        let mut out = Vec::new();
        for e in &b.entries {
            let what = describe(e);
            let (severity, message) = match (e.status, e.reviewed) {
                (Status::Unreviewed, _) => (
                    sev,
                    format!("{what} is unreviewed: review it (`keyfence baseline review`)"),
                ),
                (Status::AcceptedRisk, None) => (
                    sev,
                    format!("{what} is an accepted risk with no review date: review it again"),
                ),
                (Status::AcceptedRisk, Some(reviewed)) => {
                    let due = Due::new(
                        reviewed,
                        cx.today,
                        policy.max_age_days,
                        policy.warn_before_days,
                    );
                    match due.status {
                        RotationStatus::Expired => (
                            sev,
                            format!(
                                "{what} was accepted as a risk on {reviewed}, {} days ago; the acceptance expired on {} ({}-day policy): review it again",
                                due.age_days, due.due, policy.max_age_days
                            ),
                        ),
                        RotationStatus::Expiring => (
                            lower(sev),
                            format!(
                                "{what} was accepted as a risk on {reviewed}; the acceptance expires on {} ({} days left)",
                                due.due, due.days_left
                            ),
                        ),
                        _ => continue,
                    }
                }
                _ => continue,
            };
            out.push(Finding::lint(
                self.id(),
                severity,
                &b.path,
                e.line,
                &e.location_fingerprint,
                message,
            ));
        }
        out
    }
}

fn describe(e: &BaselineEntry) -> String {
    let l = &e.location_fingerprint;
    format!(
        "baseline entry for {} in {} ({})",
        e.rule_id,
        e.path,
        l.get(..12).unwrap_or(l)
    )
}

#[cfg(test)]
mod tests {
    use super::super::testutil::*;
    use super::*;
    use crate::filter::BASELINE_FILE_NAME;

    /// A baseline as the baseline module writes it: one entry per line.
    const BASELINE: &str = r#"{"version":1,"entries":[
{"fingerprint":"aaaa1111bbbb2222","rule_id":"generic-password","path":"config/dev.yaml","status":"unreviewed"},
{"fingerprint":"cccc3333","rule_id":"github-pat","path":"a.py","status":"accepted-risk","reason":"test org","reviewed_at":"2025-12-01"},
{"fingerprint":"dddd4444","rule_id":"github-pat","path":"b.py","status":"accepted-risk","reviewed_at":"2026-03-10"},
{"fingerprint":"eeee5555","rule_id":"github-pat","path":"c.py","status":"accepted-risk","reviewed_at":"2026-05-01"},
{"fingerprint":"ffff6666","rule_id":"github-pat","path":"d.py","status":"accepted-risk"},
{"fingerprint":"99997777","rule_id":"github-pat","path":"e.py","status":"false-positive","reviewed_at":"2020-01-01"},
{"fingerprint":"88888888","rule_id":"github-pat","path":"f.py","status":"revoked"},
null]}
"#;

    #[test]
    fn unreviewed_and_stale_acceptances() {
        let t = Tree::new(&[(BASELINE_FILE_NAME, BASELINE)]);
        let cx = t.cx(None, "");
        let fs = BaselineReview.check(&cx);
        assert_eq!(
            brief(&fs),
            vec![
                (
                    "baseline-review".into(),
                    BASELINE_FILE_NAME.into(),
                    2,
                    Severity::Medium
                ),
                (
                    "baseline-review".into(),
                    BASELINE_FILE_NAME.into(),
                    3,
                    Severity::Medium
                ),
                (
                    "baseline-review".into(),
                    BASELINE_FILE_NAME.into(),
                    4,
                    Severity::Low
                ),
                (
                    "baseline-review".into(),
                    BASELINE_FILE_NAME.into(),
                    6,
                    Severity::Medium
                ),
            ]
        );
        assert!(fs[0].message.starts_with("baseline entry for generic-password in config/dev.yaml (aaaa1111bbbb) is unreviewed"), "{}", fs[0].message);
        assert!(
            fs[1].message.contains("expired on 2026-03-01"),
            "{}",
            fs[1].message
        );
        assert!(fs[3].message.contains("no review date"));
    }

    #[test]
    fn policy_sets_how_long_an_acceptance_lasts() {
        let t = Tree::new(&[(BASELINE_FILE_NAME, BASELINE)]);
        let cx = t.cx(None, "[rotation]\nmax_age_days = 365\n");
        let lines: Vec<usize> = BaselineReview.check(&cx).iter().map(|f| f.line).collect();
        assert_eq!(lines, vec![2, 6]);
    }

    #[test]
    fn no_baseline_no_findings() {
        let t = Tree::new(&[]);
        assert!(BaselineReview.check(&t.cx(None, "")).is_empty());
    }
}
