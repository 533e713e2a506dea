//! `keyfence baseline review`: walks the unreviewed entries on a terminal.

use super::{at_root, collect, save, short, Cx, ScanTuning, Source};
use keyfence::filter::audit::{today, Action};
use keyfence::filter::baseline::{Change, Review};
use keyfence::filter::{Baseline, Status, BASELINE_FILE_NAME};
use keyfence::finding::redact;
use std::collections::BTreeMap;
use std::io::{self, BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

pub(super) fn review(cx: &Cx, path: Option<PathBuf>, t: &ScanTuning) -> anyhow::Result<ExitCode> {
    if !io::stdin().is_terminal() {
        eprintln!(
            "keyfence: error: `keyfence baseline review` asks questions and needs a terminal on \
             stdin; in scripts use `keyfence baseline mark FINGERPRINT --status STATUS --reason TEXT`"
        );
        return Ok(ExitCode::from(2));
    }
    let baseline_path = match (&cx.baseline, &path) {
        (Some(b), _) => b.clone(),
        (None, Some(root)) => at_root(root, BASELINE_FILE_NAME),
        (None, None) => PathBuf::from(BASELINE_FILE_NAME),
    };
    let root = path.unwrap_or_else(|| match baseline_path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    });
    let mut baseline = Baseline::load(&baseline_path)?;
    let pending: Vec<String> = baseline
        .entries()
        .filter(|e| !e.status.is_reviewed())
        .map(|e| e.fingerprint.clone())
        .collect();
    if pending.is_empty() {
        println!(
            "keyfence: {}: every entry is reviewed",
            baseline_path.display()
        );
        return Ok(ExitCode::SUCCESS);
    }
    let contexts = contexts(&root, t).unwrap_or_else(|e| {
        eprintln!("keyfence: warning: no context shown: {e:#}");
        BTreeMap::new()
    });
    let actor = cx.actor(&root);
    let stdin = io::stdin();
    let mut input = stdin.lock();
    let stdout = io::stdout();
    let mut out = stdout.lock();
    writeln!(
        out,
        "{} unreviewed entr{} in {} (reviewer: {actor}). Ctrl-C stops; decisions already made are saved.",
        pending.len(),
        if pending.len() == 1 { "y" } else { "ies" },
        baseline_path.display()
    )?;
    let done = review_loop(
        &mut baseline,
        &pending,
        &contexts,
        &actor,
        &mut input,
        &mut out,
        &mut |b, change| {
            save(
                b,
                &baseline_path,
                &actor,
                Action::Review,
                std::slice::from_ref(change),
            )
        },
    )?;
    writeln!(
        out,
        "keyfence: {done} entr{} reviewed",
        if done == 1 { "y" } else { "ies" }
    )?;
    Ok(ExitCode::SUCCESS)
}

/// What review shows of a finding: its line, with the secret redacted.
#[derive(Debug, Clone, PartialEq, Eq)]
struct LineContext {
    line: usize,
    text: String,
}

/// The redacted line of every current finding, by location fingerprint.
fn contexts(root: &Path, t: &ScanTuning) -> anyhow::Result<BTreeMap<String, LineContext>> {
    let findings = collect(Source::Scan, root, t)?;
    let mut out = BTreeMap::new();
    for f in findings {
        let Some(secret) = &f.secret else { continue };
        let text = std::fs::read(root.join(&f.path))
            .ok()
            .and_then(|b| {
                String::from_utf8_lossy(&b)
                    .lines()
                    .nth(f.line.saturating_sub(1))
                    .map(str::to_string)
            })
            .map(|l| redacted_line(&l, secret.expose()))
            .unwrap_or_default();
        out.insert(
            f.location_fingerprint.clone(),
            LineContext { line: f.line, text },
        );
    }
    Ok(out)
}

/// The line with every occurrence of the secret redacted, trimmed and cut to a readable length.
fn redacted_line(line: &str, secret: &str) -> String {
    let mut text = if secret.is_empty() {
        line.to_string()
    } else {
        line.replace(secret, &redact(secret))
    };
    text = text
        .trim()
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if text.chars().count() > 160 {
        text = text.chars().take(159).collect::<String>() + "\u{2026}";
    }
    text
}

/// Asks about each fingerprint in `pending`; calls `saved` after each
/// decision. Returns how many were decided. End of input is "quit".
fn review_loop(
    baseline: &mut Baseline,
    pending: &[String],
    contexts: &BTreeMap<String, LineContext>,
    reviewer: &str,
    input: &mut dyn BufRead,
    out: &mut dyn Write,
    saved: &mut dyn FnMut(&Baseline, &Change) -> anyhow::Result<()>,
) -> anyhow::Result<usize> {
    let mut done = 0;
    for (i, fp) in pending.iter().enumerate() {
        let Some(e) = baseline.get(fp).cloned() else {
            continue;
        };
        writeln!(out)?;
        let at = contexts
            .get(fp)
            .map(|c| format!("{}:{}", e.path, c.line))
            .unwrap_or_else(|| e.path.clone());
        writeln!(
            out,
            "[{}/{}] {}  {at}  {}",
            i + 1,
            pending.len(),
            e.rule_id,
            short(fp)
        )?;
        if let Some(s) = &e.secret_redacted {
            writeln!(out, "      secret  {s}")?;
        }
        if let Some(c) = &e.commit {
            writeln!(out, "      commit  {}", short(c))?;
        }
        match contexts.get(fp) {
            Some(c) if !c.text.is_empty() => writeln!(out, "      line    {}", c.text)?,
            _ => writeln!(out, "      (not found in the files under the root)")?,
        }
        let status = loop {
            let Some(answer) = ask(
                input,
                out,
                "  (f) false positive  (a) accepted risk  (r) revoked  (s) skip  (q) quit > ",
            )?
            else {
                return Ok(done);
            };
            match answer.to_ascii_lowercase().as_str() {
                "f" | "false positive" | "false-positive" => break Some(Status::FalsePositive),
                "a" | "accepted risk" | "accepted-risk" => break Some(Status::AcceptedRisk),
                "r" | "revoked" => break Some(Status::Revoked),
                "s" | "skip" | "" => break None,
                "q" | "quit" => return Ok(done),
                _ => writeln!(out, "  please answer f, a, r, s or q")?,
            }
        };
        let Some(status) = status else { continue };
        let reason = loop {
            let Some(r) = ask(input, out, "  reason > ")? else {
                return Ok(done);
            };
            if !r.is_empty() {
                break r;
            }
            writeln!(
                out,
                "  a reason is required (who will read this later needs it)"
            )?;
        };
        let r = Review {
            status,
            reason: Some(reason),
            reviewer: reviewer.to_string(),
            date: today(),
        };
        if let Some(change) = baseline.review(fp, &r) {
            saved(baseline, &change)?;
            done += 1;
            writeln!(out, "  marked {status}")?;
        }
    }
    Ok(done)
}

/// Prints a prompt and reads one trimmed line; `None` at end of input.
fn ask(input: &mut dyn BufRead, out: &mut dyn Write, prompt: &str) -> io::Result<Option<String>> {
    write!(out, "{prompt}")?;
    out.flush()?;
    let mut line = String::new();
    if input.read_line(&mut line)? == 0 {
        writeln!(out)?;
        return Ok(None);
    }
    Ok(Some(line.trim().to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use keyfence::finding::{Finding, Kind, Secret};
    use keyfence::severity::{Confidence, Severity};

    fn finding(secret: &str, path: &str) -> Finding {
        let s = Secret::new(secret);
        let fp = Finding::secret_fingerprint("r", &s.sha256());
        Finding {
            rule_id: "r".into(),
            kind: Kind::Secret,
            severity: Severity::High,
            confidence: Confidence::High,
            validated: None,
            path: path.into(),
            line: 1,
            column: 1,
            end_line: 1,
            end_column: 2,
            secret: Some(s),
            location_fingerprint: Finding::location_fingerprint_for(&fp, path),
            fingerprint: fp,
            commit: None,
            occurrences: Vec::new(),
            message: "m".into(),
        }
    }

    #[test]
    fn review_walks_entries_and_saves_each_decision() {
        let mut b = Baseline::new();
        b.update(&[
            finding("aaaaaaaaaaaaaaaaaaaaaaaa", "a.txt"),
            finding("bbbbbbbbbbbbbbbbbbbbbbbb", "b.txt"),
            finding("cccccccccccccccccccccccc", "c.txt"),
        ]);
        let pending: Vec<String> = b.entries().map(|e| e.fingerprint.clone()).collect();
        let mut contexts = BTreeMap::new();
        contexts.insert(
            pending[0].clone(),
            LineContext {
                line: 7,
                text: redacted_line(
                    "  key = \"aaaaaaaaaaaaaaaaaaaaaaaa\"",
                    "aaaaaaaaaaaaaaaaaaaaaaaa",
                ),
            },
        );
        // First: bad answer, then false positive with an empty then a real reason.
        // Second: skip. Third: revoked.
        let mut input = io::Cursor::new("x\nf\n\ntest fixture\ns\nr\nrotated on 2026-01-05\n");
        let mut out = Vec::new();
        let mut saves = Vec::new();
        let done = review_loop(
            &mut b,
            &pending,
            &contexts,
            "rev@example.org",
            &mut input,
            &mut out,
            &mut |_, c| {
                saves.push(c.clone());
                Ok(())
            },
        )
        .expect("review");
        let out = String::from_utf8(out).expect("utf8");
        assert_eq!(done, 2, "{out}");
        assert_eq!(saves.len(), 2);
        assert!(out.contains("please answer"), "{out}");
        assert!(out.contains("a reason is required"), "{out}");
        assert!(out.contains("line    key = \"aaaa\u{2026}(24)\""), "{out}");
        assert!(!out.contains("aaaaaaaaaaaaaaaaaaaaaaaa"), "{out}");
        let e0 = b.get(&pending[0]).expect("e0");
        assert_eq!(e0.status, Status::FalsePositive);
        assert_eq!(e0.reason.as_deref(), Some("test fixture"));
        assert_eq!(e0.reviewer.as_deref(), Some("rev@example.org"));
        assert_eq!(b.get(&pending[1]).expect("e1").status, Status::Unreviewed);
        assert_eq!(b.get(&pending[2]).expect("e2").status, Status::Revoked);
    }

    #[test]
    fn review_stops_at_end_of_input_and_quit() {
        let mut b = Baseline::new();
        b.update(&[finding("aaaaaaaaaaaaaaaaaaaaaaaa", "a.txt")]);
        let pending: Vec<String> = b.entries().map(|e| e.fingerprint.clone()).collect();
        for script in ["", "q\n", "f\n"] {
            let mut b = b.clone();
            let done = review_loop(
                &mut b,
                &pending,
                &BTreeMap::new(),
                "r",
                &mut io::Cursor::new(script),
                &mut Vec::new(),
                &mut |_, _| Ok(()),
            )
            .expect("review");
            assert_eq!(done, 0, "{script:?}");
            assert_eq!(b.get(&pending[0]).expect("e").status, Status::Unreviewed);
        }
    }
}
