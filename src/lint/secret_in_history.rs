//! `secret-in-history`.

use super::inventory::inventory;
use super::{Lint, LintContext};
use crate::finding::Finding;
use crate::severity::Severity;

declare_lint! {
    /// A secret no longer at HEAD is still in history and was never revoked.
    ///
    /// ## What it checks
    /// Every secret that a scan of the history (every commit reachable from
    /// any ref) finds but a scan of HEAD does not: someone deleted it from
    /// the code, or it lives only on another branch. It is reported at the
    /// path and line of the commit that first introduced it, until the
    /// baseline entry for it is marked `revoked` (or `false-positive`). The
    /// lint needs history and is silent outside a repository.
    ///
    /// ## Why it matters
    /// Deleting a secret from the code does not revoke it: every clone, fork
    /// and mirror still holds the commits that carry it, and `git log -p`
    /// shows it to anyone who looks. Only revoking it at the provider ends
    /// the exposure.
    ///
    /// ## How to fix
    /// Revoke (rotate) the credential at its provider, then record that in
    /// the baseline by marking its entry `revoked` (`keyfence baseline mark`).
    /// Rewriting history is optional once the credential is dead.
    ///
    /// ## Example
    /// ```text
    /// config/settings.py:4  secret-in-history  AWS secret access key
    ///     (aws-secret-access-key) is not at HEAD but history still carries it
    ///     (since 3f2a9c1e0b7d, 2025-11-02): revoke it, then mark its baseline
    ///     entry `revoked`
    /// ```
    ///
    /// ## Configuration
    /// Disable with `[lint] disable = ["secret-in-history"]`; clear one secret
    /// by marking its baseline entry `revoked`. History findings from commits
    /// in `[allowlist] commits` never reach the lint.
    pub struct SecretInHistory;
}

impl Lint for SecretInHistory {
    fn id(&self) -> &'static str {
        "secret-in-history"
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
        let sev = self.severity(cx);
        inventory(cx)
            .into_iter()
            .filter(|r| r.at_head.is_none() && !r.revoked() && !r.false_positive())
            .filter_map(|r| {
                let h = r.in_history?;
                let since = match r.first_commit {
                    Some((c, d)) => format!(
                        " (since {}, {d})",
                        c.id.get(..12).unwrap_or(&c.id)
                    ),
                    None => String::new(),
                };
                let path = r
                    .first_commit
                    .map_or(h.path.as_str(), |(c, _)| c.path.as_str());
                let mut f = Finding::lint(
                    self.id(),
                    sev,
                    path,
                    h.line,
                    r.fingerprint,
                    format!(
                        "{} ({}) is not at HEAD but history still carries it{since}: revoke it, then mark its baseline entry `revoked`",
                        h.message, h.rule_id
                    ),
                );
                f.column = h.column;
                f.end_line = h.end_line;
                f.end_column = h.end_column;
                f.secret = h.secret.clone();
                f.commit = r.first_commit.map(|(c, _)| c.clone()).or_else(|| h.commit.clone());
                Some(f)
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::super::testutil::*;
    use super::*;
    use crate::filter::Status;
    use crate::lint::baseline::testutil::baseline_text;
    use crate::lint::BaselineView;

    const GONE: &str = "tok_Gq7W2mZr9XpL4vN8cR1tY6wB";
    const KEPT: &str = "tok_Q8zR2LmX0pVt7Yw4nB6cD1eF";

    fn cx() -> crate::lint::LintContext {
        let t = Tree::new(&[]);
        let mut cx = t.cx(None, "");
        cx.head = vec![secret_finding("demo-token", KEPT, "src/app.py", None)];
        cx.history = Some(vec![
            secret_finding(
                "demo-token",
                KEPT,
                "src/app.py",
                Some("2026-05-01T00:00:00Z"),
            ),
            secret_finding(
                "demo-token",
                GONE,
                "config/old.py",
                Some("2025-11-02T08:00:00Z"),
            ),
        ]);
        cx
    }

    #[test]
    fn removed_but_not_revoked_is_reported_at_its_commit() {
        let fs = SecretInHistory.check(&cx());
        assert_eq!(
            brief(&fs),
            vec![(
                "secret-in-history".into(),
                "config/old.py".into(),
                3,
                Severity::High
            )]
        );
        assert!(
            fs[0].message.contains("since 0123456789ab, 2025-11-02"),
            "{}",
            fs[0].message
        );
        assert!(!fs[0].message.contains(GONE));
        assert_eq!(fs[0].secret.as_ref().map(|s| s.expose()), Some(GONE));
        assert!(fs[0].commit.is_some());
    }

    #[test]
    fn revoked_in_the_baseline_clears_it() {
        let mut cx = cx();
        let gone = cx.history.as_ref().expect("history")[1].clone();
        // Entries are keyed by the location fingerprint of the history finding.
        let text = baseline_text(&[(&gone, Status::Revoked, Some("2026-05-30"))]);
        cx.baseline = Some(BaselineView::from_text("b.json", &text).expect("baseline"));
        assert!(SecretInHistory.check(&cx).is_empty());
        // Accepted risk does not clear it.
        let text = baseline_text(&[(&gone, Status::AcceptedRisk, Some("2026-05-30"))]);
        cx.baseline = Some(BaselineView::from_text("b.json", &text).expect("baseline"));
        assert_eq!(SecretInHistory.check(&cx).len(), 1);
    }

    #[test]
    fn quiet_without_history() {
        let mut cx = cx();
        cx.history = None;
        assert!(SecretInHistory.check(&cx).is_empty());
    }
}
