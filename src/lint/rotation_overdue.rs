//! `rotation-overdue`.

use super::date::Date;
use super::inventory::{Due, RotationStatus};
use super::{lower, Lint, LintContext};
use crate::finding::Finding;
use crate::severity::Severity;

declare_lint! {
    /// A secret in the rotation manifest is past or near its rotation date.
    ///
    /// ## What it checks
    /// Each `[[rotation.secret]]` entry of `.keyfence.toml`: its
    /// `last_rotated` date plus its `max_age_days` (or the policy's) is its
    /// due date. An entry past it is reported at its `last_rotated` line; one
    /// due within `warn_before_days` is reported one severity level lower.
    /// The manifest covers credentials that never appear in the code —
    /// database passwords, cloud keys held in a vault, signing keys — so
    /// their rotation is tracked in the same place as everything else.
    ///
    /// ## Why it matters
    /// A rotation policy that lives only in a wiki is not checked by anyone.
    /// Putting the dates in the repository makes a missed rotation fail the
    /// same CI job as a leaked key, and names the owner to ask.
    ///
    /// ## How to fix
    /// Rotate the secret, then set its `last_rotated` to the day you did.
    ///
    /// ## Example
    /// ```text
    /// [[rotation.secret]]
    /// name = "payments-api"
    /// last_rotated = 2026-01-10     <- reported on 2026-02-20: due 2026-02-09
    /// max_age_days = 30
    /// owner = "payments-team"
    /// ```
    ///
    /// ## Configuration
    /// ```toml
    /// [rotation]
    /// max_age_days = 90             # for entries without their own
    /// warn_before_days = 14
    ///
    /// [[rotation.secret]]
    /// name = "payments-api"         # required
    /// last_rotated = 2026-01-10     # required: a TOML date or "YYYY-MM-DD"
    /// max_age_days = 30             # optional
    /// owner = "payments-team"       # optional
    /// ```
    pub struct RotationOverdue;
}

impl Lint for RotationOverdue {
    fn id(&self) -> &'static str {
        "rotation-overdue"
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
        let policy = &cx.config.rotation;
        if policy.secret.is_empty() {
            return Vec::new();
        }
        let sev = self.severity(cx);
        let path = cx.config_display();
        let text = cx
            .config_file
            .as_ref()
            .and_then(|p| std::fs::read_to_string(p).ok())
            .unwrap_or_default();
        let mut out = Vec::new();
        for (i, s) in policy.secret.iter().enumerate() {
            let d = s.last_rotated;
            let Some(since) = Date::from_ymd(d.year, d.month, d.day) else {
                continue;
            };
            let max = s.max_age_days.unwrap_or(policy.max_age_days);
            let due = Due::new(since, cx.today, max, policy.warn_before_days);
            let owner = s
                .owner
                .as_deref()
                .map(|o| format!(" (owner: {o})"))
                .unwrap_or_default();
            let (severity, message) = match due.status {
                RotationStatus::Expired => (
                    sev,
                    format!(
                        "{}{owner} was last rotated {since}, {} days ago; it was due on {} ({max}-day policy): rotate it and update last_rotated",
                        s.name, due.age_days, due.due
                    ),
                ),
                RotationStatus::Expiring => (
                    lower(sev),
                    format!(
                        "{}{owner} is due for rotation on {} ({} days left, {max}-day policy)",
                        s.name, due.due, due.days_left
                    ),
                ),
                RotationStatus::Current | RotationStatus::Revoked => continue,
            };
            out.push(Finding::lint(
                self.id(),
                severity,
                &path,
                entry_line(&text, i),
                &s.name,
                message,
            ));
        }
        out
    }
}

/// The line of the `last_rotated` key of the `index`-th `[[rotation.secret]]`
/// table (or of its header), 1 when it cannot be found.
fn entry_line(text: &str, index: usize) -> usize {
    let mut seen = None;
    let mut header_line = None;
    for (i, line) in text.lines().enumerate() {
        let t = line.trim();
        if t.starts_with('[') {
            let is_entry = t.replace(' ', "") == "[[rotation.secret]]";
            if is_entry {
                seen = Some(seen.map_or(0, |n| n + 1));
                if seen == Some(index) {
                    header_line = Some(i + 1);
                }
            } else if header_line.is_some() {
                break;
            }
            continue;
        }
        if header_line.is_some() && seen == Some(index) && t.starts_with("last_rotated") {
            return i + 1;
        }
    }
    header_line.unwrap_or(1)
}

#[cfg(test)]
mod tests {
    use super::super::testutil::*;
    use super::*;
    use crate::config::Config;
    use crate::lint::LintContext;

    const CONFIG: &str = "[rotation]\nmax_age_days = 90\n\n\
        [[rotation.secret]]\nname = \"payments-api\"\nlast_rotated = 2026-01-10\nmax_age_days = 30\nowner = \"payments-team\"\n\n\
        [[rotation.secret]]\nname = \"db-password\"\nlast_rotated = \"2026-03-10\"\n\n\
        [[rotation.secret]]\nname = \"signing-key\"\nlast_rotated = 2026-05-20\n\n\
        [lint]\n";

    fn cx(config: &str) -> (Tree, LintContext) {
        let t = Tree::new(&[(".keyfence.toml", config)]);
        let file = t.dir.path().join(".keyfence.toml");
        let config = Config::load(&file).expect("config");
        let mut cx = LintContext::new(t.dir.path(), None, config, Some(&file)).expect("context");
        cx.today = date("2026-06-01");
        (t, cx)
    }

    #[test]
    fn overdue_and_expiring_entries() {
        let fs = RotationOverdue.check(&cx(CONFIG).1);
        assert_eq!(
            brief(&fs),
            vec![
                (
                    "rotation-overdue".into(),
                    ".keyfence.toml".into(),
                    6,
                    Severity::Medium
                ),
                (
                    "rotation-overdue".into(),
                    ".keyfence.toml".into(),
                    12,
                    Severity::Low
                ),
            ]
        );
        assert!(fs[0].message.starts_with("payments-api (owner: payments-team) was last rotated 2026-01-10, 142 days ago; it was due on 2026-02-09"), "{}", fs[0].message);
        assert!(
            fs[1].message.contains("due for rotation on 2026-06-08"),
            "{}",
            fs[1].message
        );
        assert!(fs[1].message.contains("db-password"));
    }

    #[test]
    fn policy_and_severity_configuration() {
        let longer = CONFIG.replace("max_age_days = 90", "max_age_days = 120");
        let fs = RotationOverdue.check(&cx(&longer).1);
        assert_eq!(fs.len(), 1, "db-password is current under 120 days");
        let high = format!("{CONFIG}severity = {{ rotation-overdue = \"high\" }}\n");
        let fs = RotationOverdue.check(&cx(&high).1);
        assert_eq!(fs[0].severity, Severity::High);
        assert_eq!(fs[1].severity, Severity::Medium);
    }

    #[test]
    fn no_manifest_no_findings() {
        assert!(RotationOverdue
            .check(&cx("[rotation]\nmax_age_days = 1\n").1)
            .is_empty());
        assert_eq!(entry_line("", 0), 1);
    }

    #[test]
    fn finding_path_is_relative_to_the_root() {
        let t = Tree::new(&[]);
        let cx = t.cx(
            None,
            "[[rotation.secret]]\nname = \"x\"\nlast_rotated = 2020-01-01\n",
        );
        let fs = RotationOverdue.check(&cx);
        assert_eq!(fs[0].path, ".keyfence.toml");
        assert_eq!(fs[0].line, 1);
    }
}
