//! `secret-age`.

use super::inventory::{inventory, Due, RotationStatus};
use super::{lower, Lint, LintContext};
use crate::finding::Finding;
use crate::severity::Severity;

declare_lint! {
    /// A secret at HEAD is older than the rotation policy allows.
    ///
    /// ## What it checks
    /// Every secret that a scan of HEAD finds, dated by the commit that first
    /// brought it into history. A secret first committed more than
    /// `max_age_days` ago (default 90) is reported at its place in HEAD; one
    /// that reaches that age within `warn_before_days` (default 14) is
    /// reported one severity level lower as an early warning. Secrets the
    /// baseline marks `revoked` or `false-positive` are left out; a secret not
    /// yet committed has no age. The lint needs history and is silent outside
    /// a repository.
    ///
    /// ## Why it matters
    /// A committed credential has been readable by everyone with access to
    /// the repository — and every clone, fork, CI cache and laptop backup —
    /// since the day it was committed. Rotation policies bound how long such
    /// exposure lasts; a key that has sat in the code for a year has been
    /// exposed for a year.
    ///
    /// ## How to fix
    /// Rotate the credential at its provider, move the new one out of the
    /// code (a secret store or the environment), and mark the old one
    /// `revoked` in the baseline.
    ///
    /// ## Example
    /// ```text
    /// src/billing.py:12  secret-age  Stripe secret key first committed 2025-09-01
    ///                    (273 days ago) is past the 90-day rotation policy: rotate it
    /// ```
    ///
    /// ## Configuration
    /// ```toml
    /// [rotation]
    /// max_age_days = 90
    /// warn_before_days = 14
    /// ```
    pub struct SecretAge;
}

impl Lint for SecretAge {
    fn id(&self) -> &'static str {
        "secret-age"
    }

    fn summary(&self) -> &'static str {
        Self::SUMMARY
    }

    fn default_severity(&self) -> Severity {
        Severity::High
    }

    fn doc(&self) -> &'static str {
        Self::DOC
    }

    fn check(&self, cx: &LintContext) -> Vec<Finding> {
        if cx.history.is_none() {
            return Vec::new();
        }
        let sev = self.severity(cx);
        let policy = &cx.config.rotation;
        let mut out = Vec::new();
        for rec in inventory(cx) {
            let (Some(head), Some((commit, first))) = (rec.at_head, rec.first_commit) else {
                continue;
            };
            if rec.revoked() || rec.false_positive() {
                continue;
            }
            let due = Due::new(
                first,
                cx.today,
                policy.max_age_days,
                policy.warn_before_days,
            );
            let short = commit.id.get(..12).unwrap_or(&commit.id);
            let (severity, message) = match due.status {
                RotationStatus::Expired => (
                    sev,
                    format!(
                        "{} ({}) first committed {first} in {short} ({} days ago) is past the {}-day rotation policy: rotate it",
                        head.message, head.rule_id, due.age_days, policy.max_age_days
                    ),
                ),
                RotationStatus::Expiring => (
                    lower(sev),
                    format!(
                        "{} ({}) first committed {first} in {short} ({} days ago) is due for rotation on {} ({} days left)",
                        head.message, head.rule_id, due.age_days, due.due, due.days_left
                    ),
                ),
                RotationStatus::Current | RotationStatus::Revoked => continue,
            };
            let mut f = Finding::lint(
                self.id(),
                severity,
                &head.path,
                head.line,
                rec.fingerprint,
                message,
            );
            f.column = head.column;
            f.end_line = head.end_line;
            f.end_column = head.end_column;
            f.secret = head.secret.clone();
            f.commit = Some(commit.clone());
            out.push(f);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::super::testutil::*;
    use super::*;
    use crate::filter::Status;
    use crate::lint::baseline::testutil::baseline_text;
    use crate::lint::BaselineView;

    const TOKEN: &str = "tok_Q8zR2LmX0pVt7Yw4nB6cD1eF";

    fn cx_with(config: &str, history_date: &str) -> crate::lint::LintContext {
        let t = Tree::new(&[]);
        let mut cx = t.cx(None, config);
        cx.head = vec![secret_finding("demo-token", TOKEN, "src/app.py", None)];
        cx.history = Some(vec![secret_finding(
            "demo-token",
            TOKEN,
            "src/old.py",
            Some(history_date),
        )]);
        cx
    }

    #[test]
    fn old_secret_at_head_is_reported_where_head_has_it() {
        // today is 2026-06-01 in tests; 2026-01-01 is 151 days before.
        let cx = cx_with("", "2026-01-01T09:00:00+00:00");
        let fs = SecretAge.check(&cx);
        assert_eq!(
            brief(&fs),
            vec![("secret-age".into(), "src/app.py".into(), 3, Severity::High)]
        );
        assert_eq!(fs[0].column, 7);
        assert!(fs[0].message.contains("151 days ago"), "{}", fs[0].message);
        assert!(fs[0].message.contains("90-day"), "{}", fs[0].message);
        assert!(!fs[0].message.contains(TOKEN));
        assert_eq!(
            fs[0].commit.as_ref().map(|c| c.date.as_str()),
            Some("2026-01-01T09:00:00+00:00")
        );
    }

    #[test]
    fn warns_ahead_and_follows_the_policy() {
        // 80 days old: inside the 14-day window of a 90-day policy.
        let cx = cx_with("", "2026-03-13T00:00:00Z");
        let fs = SecretAge.check(&cx);
        assert_eq!(fs.len(), 1);
        assert_eq!(fs[0].severity, Severity::Medium);
        assert!(fs[0].message.contains("10 days left"), "{}", fs[0].message);
        // The same secret under a 365-day policy is current.
        let cx = cx_with("[rotation]\nmax_age_days = 365\n", "2026-03-13T00:00:00Z");
        assert!(SecretAge.check(&cx).is_empty());
        // With no warning window it is current until due.
        let cx = cx_with("[rotation]\nwarn_before_days = 0\n", "2026-03-13T00:00:00Z");
        assert!(SecretAge.check(&cx).is_empty());
        // A severity override applies to both levels.
        let cx = cx_with(
            "[lint]\nseverity = { secret-age = \"critical\" }\n",
            "2026-03-13T00:00:00Z",
        );
        assert_eq!(SecretAge.check(&cx)[0].severity, Severity::High);
    }

    #[test]
    fn young_revoked_and_historyless_secrets_are_quiet() {
        assert!(SecretAge
            .check(&cx_with("", "2026-05-20T00:00:00Z"))
            .is_empty());
        let mut cx = cx_with("", "2025-01-01T00:00:00Z");
        cx.history = None;
        assert!(SecretAge.check(&cx).is_empty());
        let mut cx = cx_with("", "2025-01-01T00:00:00Z");
        let text = baseline_text(&[(&cx.head[0], Status::Revoked, None)]);
        cx.baseline = Some(BaselineView::from_text("b.json", &text).expect("baseline"));
        assert!(SecretAge.check(&cx).is_empty());
    }

    #[test]
    fn age_counts_from_the_earliest_commit() {
        let mut cx = cx_with("", "2026-05-20T00:00:00Z");
        let mut older = secret_finding("demo-token", TOKEN, "a.py", Some("2025-12-01T00:00:00Z"));
        older.commit.as_mut().expect("commit").id =
            "fedcba9876543210fedcba9876543210fedcba98".into();
        cx.history.as_mut().expect("history").push(older);
        let fs = SecretAge.check(&cx);
        assert_eq!(fs.len(), 1);
        assert!(
            fs[0].message.contains("2025-12-01 in fedcba987654"),
            "{}",
            fs[0].message
        );
    }
}
