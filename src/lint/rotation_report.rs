//! The rotation report (`keyfence lint --report rotation`): every secret
//! keyfence knows of — found at HEAD, left in history, or named in the
//! rotation manifest — with its standing against the rotation policy.

use super::date::{now_rfc3339, Date};
use super::inventory::{inventory, Due, RotationStatus};
use super::LintContext;
use serde::Serialize;
use std::io::{self, Write};

/// The report; its JSON form is `--format json`.
#[derive(Debug, Clone, Serialize)]
pub struct RotationReport {
    /// Format version of this object.
    pub version: u32,
    /// When the report was made (RFC 3339, UTC).
    pub generated_at: String,
    /// The day ages are counted to.
    pub today: String,
    /// Whether history was scanned (without it, ages of secrets in the code are unknown).
    pub history_scanned: bool,
    /// The policy in force.
    pub policy: Policy,
    /// Secrets counted: unique secrets in the code and history, plus manifest entries.
    pub total_secrets: usize,
    /// Counts by status.
    pub by_status: ByStatus,
    /// Secrets past their maximum age, or exposed in history and not revoked.
    pub needs_rotation: Vec<RotationEntry>,
    /// Secrets due within the warning window.
    pub expiring_soon: Vec<RotationEntry>,
}

/// `[rotation]` as applied.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Policy {
    /// Maximum age in days.
    pub max_age_days: u32,
    /// Days of warning ahead of the due date.
    pub warn_before_days: u32,
}

/// Counts by rotation status.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ByStatus {
    /// Within policy.
    pub current: usize,
    /// Due within the warning window.
    pub expiring: usize,
    /// Past due, or exposed in history and not revoked.
    pub expired: usize,
    /// Revoked, per the baseline.
    pub revoked: usize,
}

/// One secret in the report.
#[derive(Debug, Clone, Serialize)]
pub struct RotationEntry {
    /// `code` (at HEAD), `history` (only in history) or `manifest`.
    pub source: &'static str,
    /// The rule that found it (code and history secrets).
    pub rule: Option<String>,
    /// The manifest name (manifest entries).
    pub name: Option<String>,
    /// The redacted secret (never the plaintext).
    pub secret_redacted: Option<String>,
    /// The plaintext, only with `--show-secrets`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
    /// Secret fingerprint.
    pub fingerprint: Option<String>,
    /// Where it is (at HEAD, or in the commit that introduced it).
    pub path: Option<String>,
    /// Its line there.
    pub line: Option<usize>,
    /// The commit that first introduced it.
    pub commit: Option<String>,
    /// The day it was first committed (UTC).
    pub first_committed: Option<String>,
    /// The day it was last rotated (manifest entries).
    pub last_rotated: Option<String>,
    /// Days since it was first committed or last rotated.
    pub age_days: Option<i64>,
    /// The maximum age that applies to it.
    pub max_age_days: u32,
    /// When it is or was due.
    pub due: Option<String>,
    /// Its status.
    pub status: RotationStatus,
    /// Why it is listed.
    pub reason: String,
    /// Who owns it, where the manifest says.
    pub owner: Option<String>,
}

impl RotationReport {
    /// Builds the report from a context's HEAD and history findings, baseline
    /// and manifest. `show_secrets` adds the plaintext of each listed secret.
    pub fn build(cx: &LintContext, show_secrets: bool) -> RotationReport {
        let policy = &cx.config.rotation;
        let mut counts = ByStatus::default();
        let mut needs = Vec::new();
        let mut expiring = Vec::new();
        let mut total = 0;
        for rec in inventory(cx) {
            if rec.false_positive() {
                continue;
            }
            total += 1;
            let f = rec.at_head.unwrap_or(rec.example);
            let mut e = RotationEntry {
                source: if rec.at_head.is_some() {
                    "code"
                } else {
                    "history"
                },
                rule: Some(f.rule_id.clone()),
                name: None,
                secret_redacted: f.secret_redacted(),
                secret: show_secrets
                    .then(|| f.secret.as_ref().map(|s| s.expose().to_string()))
                    .flatten(),
                fingerprint: Some(rec.fingerprint.to_string()),
                path: Some(match (rec.at_head, rec.first_commit) {
                    (None, Some((c, _))) => c.path.clone(),
                    _ => f.path.clone(),
                }),
                line: Some(f.line),
                commit: rec.first_commit.map(|(c, _)| c.id.clone()),
                first_committed: rec.first_commit.map(|(_, d)| d.to_string()),
                last_rotated: None,
                age_days: None,
                max_age_days: policy.max_age_days,
                due: None,
                status: RotationStatus::Current,
                reason: String::new(),
                owner: None,
            };
            if rec.revoked() {
                e.status = RotationStatus::Revoked;
                e.reason = "revoked".into();
            } else if rec.at_head.is_none() {
                e.status = RotationStatus::Expired;
                e.reason = "not at HEAD but still in history, and not revoked".into();
            } else if let Some((_, first)) = rec.first_commit {
                let due = Due::new(
                    first,
                    cx.today,
                    policy.max_age_days,
                    policy.warn_before_days,
                );
                e.age_days = Some(due.age_days);
                e.due = Some(due.due.to_string());
                e.status = due.status;
                e.reason = match due.status {
                    RotationStatus::Expired => format!(
                        "first committed {} days ago, past the {}-day policy",
                        due.age_days, policy.max_age_days
                    ),
                    RotationStatus::Expiring => format!("due in {} days", due.days_left),
                    _ => String::new(),
                };
            } else {
                e.reason = "not yet committed".into();
            }
            push(e, &mut counts, &mut needs, &mut expiring);
        }
        for s in &policy.secret {
            let d = s.last_rotated;
            let Some(since) = Date::from_ymd(d.year, d.month, d.day) else {
                continue;
            };
            total += 1;
            let max = s.max_age_days.unwrap_or(policy.max_age_days);
            let due = Due::new(since, cx.today, max, policy.warn_before_days);
            let reason = match due.status {
                RotationStatus::Expired => format!(
                    "last rotated {} days ago, past its {max}-day maximum",
                    due.age_days
                ),
                RotationStatus::Expiring => format!("due in {} days", due.days_left),
                _ => String::new(),
            };
            push(
                RotationEntry {
                    source: "manifest",
                    rule: None,
                    name: Some(s.name.clone()),
                    secret_redacted: None,
                    secret: None,
                    fingerprint: None,
                    path: None,
                    line: None,
                    commit: None,
                    first_committed: None,
                    last_rotated: Some(since.to_string()),
                    age_days: Some(due.age_days),
                    max_age_days: max,
                    due: Some(due.due.to_string()),
                    status: due.status,
                    reason,
                    owner: s.owner.clone(),
                },
                &mut counts,
                &mut needs,
                &mut expiring,
            );
        }
        let order = |e: &RotationEntry| {
            (
                e.due.clone().unwrap_or_default(),
                e.rule
                    .clone()
                    .or_else(|| e.name.clone())
                    .unwrap_or_default(),
                e.path.clone().unwrap_or_default(),
                e.fingerprint.clone().unwrap_or_default(),
            )
        };
        needs.sort_by_key(order);
        expiring.sort_by_key(order);
        RotationReport {
            version: 1,
            generated_at: now_rfc3339(),
            today: cx.today.to_string(),
            history_scanned: cx.history.is_some(),
            policy: Policy {
                max_age_days: policy.max_age_days,
                warn_before_days: policy.warn_before_days,
            },
            total_secrets: total,
            by_status: counts,
            needs_rotation: needs,
            expiring_soon: expiring,
        }
    }

    /// True when something needs rotation or is expiring (exit code 1).
    pub fn has_problems(&self) -> bool {
        !self.needs_rotation.is_empty() || !self.expiring_soon.is_empty()
    }

    /// Writes the JSON form.
    pub fn write_json(&self, out: &mut dyn Write) -> io::Result<()> {
        serde_json::to_writer_pretty(&mut *out, self)?;
        writeln!(out)
    }

    /// Writes the text form: a summary and a table per list.
    pub fn write_text(&self, out: &mut dyn Write) -> io::Result<()> {
        writeln!(
            out,
            "Rotation report, {} (policy: rotate within {} days, warn {} days ahead)",
            self.today, self.policy.max_age_days, self.policy.warn_before_days
        )?;
        if !self.history_scanned {
            writeln!(
                out,
                "History was not scanned: ages of secrets in the code are unknown."
            )?;
        }
        let b = &self.by_status;
        writeln!(
            out,
            "{} secret{}: {} current, {} expiring, {} expired, {} revoked",
            self.total_secrets,
            if self.total_secrets == 1 { "" } else { "s" },
            b.current,
            b.expiring,
            b.expired,
            b.revoked
        )?;
        table(out, "Needs rotation", &self.needs_rotation)?;
        table(out, "Expiring soon", &self.expiring_soon)
    }
}

fn push(
    e: RotationEntry,
    counts: &mut ByStatus,
    needs: &mut Vec<RotationEntry>,
    expiring: &mut Vec<RotationEntry>,
) {
    match e.status {
        RotationStatus::Current => counts.current += 1,
        RotationStatus::Revoked => counts.revoked += 1,
        RotationStatus::Expiring => {
            counts.expiring += 1;
            expiring.push(e);
        }
        RotationStatus::Expired => {
            counts.expired += 1;
            needs.push(e);
        }
    }
}

fn table(out: &mut dyn Write, title: &str, rows: &[RotationEntry]) -> io::Result<()> {
    writeln!(out)?;
    writeln!(out, "{title} ({})", rows.len())?;
    if rows.is_empty() {
        return writeln!(out, "  none");
    }
    let dash = || "-".to_string();
    let cells: Vec<[String; 7]> = rows
        .iter()
        .map(|e| {
            let what = match (&e.rule, &e.name) {
                (Some(r), _) => r.clone(),
                (None, Some(n)) => n.clone(),
                _ => dash(),
            };
            let secret = e
                .secret
                .clone()
                .or_else(|| e.secret_redacted.clone())
                .unwrap_or_else(dash);
            let place = match (&e.path, e.line, e.source) {
                (Some(p), Some(l), "history") => format!("{p}:{l} (history)"),
                (Some(p), Some(l), _) => format!("{p}:{l}"),
                _ => format!("({})", e.source),
            };
            [
                e.status.as_str().to_string(),
                e.age_days.map_or_else(dash, |a| format!("{a}d")),
                e.due.clone().unwrap_or_else(dash),
                what,
                secret,
                place,
                e.owner.clone().unwrap_or_else(dash),
            ]
        })
        .collect();
    let header = [
        "STATUS",
        "AGE",
        "DUE",
        "RULE/NAME",
        "SECRET",
        "WHERE",
        "OWNER",
    ];
    let mut widths = header.map(|h| h.chars().count());
    for row in &cells {
        for (w, c) in widths.iter_mut().zip(row) {
            *w = (*w).max(c.chars().count());
        }
    }
    let line = |cols: Vec<&str>| -> String {
        let mut s = String::from(" ");
        for (i, c) in cols.iter().enumerate() {
            s.push(' ');
            s.push_str(c);
            if i + 1 < cols.len() {
                s.push_str(&" ".repeat(widths[i] - c.chars().count() + 1));
            }
        }
        s
    };
    writeln!(out, "{}", line(header.to_vec()))?;
    for row in &cells {
        writeln!(out, "{}", line(row.iter().map(String::as_str).collect()))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::testutil::*;
    use super::*;
    use crate::filter::Status;
    use crate::lint::baseline::testutil::baseline_text;
    use crate::lint::BaselineView;

    const OLD: &str = "tok_Q8zR2LmX0pVt7Yw4nB6cD1eF";
    const NEW: &str = "tok_Zx1Cv2Bn3Mq4Wr5Ty6Ui7Op8A";
    const GONE: &str = "tok_Gq7W2mZr9XpL4vN8cR1tY6wB";
    const DEAD: &str = "tok_Dd4Ee5Ff6Gg7Hh8Ii9Jj0Kk1L";

    fn cx(t: &Tree) -> LintContext {
        let mut cx = t.cx(
            None,
            "[[rotation.secret]]\nname = \"payments-api\"\nlast_rotated = 2026-05-25\nmax_age_days = 14\nowner = \"payments-team\"\n\
             [[rotation.secret]]\nname = \"db\"\nlast_rotated = 2026-05-01\n",
        );
        cx.head = vec![
            secret_finding("demo-token", OLD, "src/app.py", None),
            secret_finding("demo-token", NEW, "src/new.py", None),
            secret_finding("demo-token", DEAD, "src/dead.py", None),
        ];
        cx.history = Some(vec![
            secret_finding(
                "demo-token",
                OLD,
                "src/app.py",
                Some("2026-01-01T00:00:00Z"),
            ),
            secret_finding(
                "demo-token",
                NEW,
                "src/new.py",
                Some("2026-05-30T00:00:00Z"),
            ),
            secret_finding("demo-token", GONE, "old.py", Some("2026-05-30T00:00:00Z")),
            secret_finding(
                "demo-token",
                DEAD,
                "src/dead.py",
                Some("2025-01-01T00:00:00Z"),
            ),
        ]);
        let text = baseline_text(&[(&cx.head[2], Status::Revoked, None)]);
        cx.baseline = Some(BaselineView::from_text("b.json", &text).expect("baseline"));
        cx
    }

    #[test]
    fn counts_and_lists() {
        let t = Tree::new(&[]);
        let r = RotationReport::build(&cx(&t), false);
        assert_eq!(r.total_secrets, 6);
        assert_eq!(
            r.by_status,
            ByStatus {
                current: 2,
                expiring: 1,
                expired: 2,
                revoked: 1
            }
        );
        let needs: Vec<(&str, Option<&str>)> = r
            .needs_rotation
            .iter()
            .map(|e| (e.source, e.path.as_deref()))
            .collect();
        assert_eq!(
            needs,
            vec![("history", Some("old.py")), ("code", Some("src/app.py"))]
        );
        let app = &r.needs_rotation[1];
        assert_eq!(app.age_days, Some(151));
        assert_eq!(app.first_committed.as_deref(), Some("2026-01-01"));
        assert_eq!(app.secret_redacted.as_deref(), Some("tok_\u{2026}(28)"));
        assert!(app.secret.is_none());
        let soon = &r.expiring_soon[0];
        assert_eq!(soon.name.as_deref(), Some("payments-api"));
        assert_eq!(soon.owner.as_deref(), Some("payments-team"));
        assert_eq!(soon.due.as_deref(), Some("2026-06-08"));
        assert!(r.has_problems());
    }

    #[test]
    fn json_and_text_never_hold_the_plaintext_unless_asked() {
        let t = Tree::new(&[]);
        let r = RotationReport::build(&cx(&t), false);
        let mut json = Vec::new();
        r.write_json(&mut json).expect("json");
        let json = String::from_utf8(json).expect("utf-8");
        let mut text = Vec::new();
        r.write_text(&mut text).expect("text");
        let text = String::from_utf8(text).expect("utf-8");
        for s in [OLD, GONE] {
            assert!(!json.contains(s) && !text.contains(s));
        }
        let v: serde_json::Value = serde_json::from_str(&json).expect("parses");
        assert_eq!(v["policy"]["max_age_days"], 90);
        assert_eq!(v["by_status"]["expired"], 2);
        assert!(v["generated_at"].as_str().is_some_and(|s| s.ends_with('Z')));
        assert!(
            text.contains("6 secrets: 2 current, 1 expiring, 2 expired, 1 revoked"),
            "{text}"
        );
        assert!(text.contains("Needs rotation (2)"), "{text}");
        assert!(text.contains("old.py:3 (history)"), "{text}");
        assert!(text.contains("payments-team"), "{text}");
        let shown = RotationReport::build(&cx(&t), true);
        assert_eq!(shown.needs_rotation[1].secret.as_deref(), Some(OLD));
    }
}
