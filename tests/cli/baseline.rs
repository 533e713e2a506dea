//! `keyfence baseline …`, `--baseline` and `--report-unused` (issue 6).

use crate::allow::{alpha, scan, RULES};
use crate::common::{json, keyfence, tree, write, TestRepo};
use serde_json::Value;
use std::path::Path;
use std::process::Output;

const BASELINE: &str = ".keyfence-baseline.json";
const AUDIT: &str = ".keyfence-audit.jsonl";
const REVIEWER: &str = "reviewer@example.org";

/// Runs keyfence in `dir` with `args` (and a fixed reviewer).
fn run(dir: &Path, args: &[&str]) -> Output {
    keyfence()
        .current_dir(dir)
        .args(args)
        .args(["--reviewer", REVIEWER])
        .output()
        .expect("keyfence runs")
}

/// Like [`run`], asserting success; returns stdout.
fn ok(dir: &Path, args: &[&str]) -> String {
    let out = run(dir, args);
    assert!(
        out.status.success(),
        "keyfence {args:?} exited {:?}\nstdout: {}\nstderr: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// The baseline's entries, in file order.
fn entries(dir: &Path) -> Vec<Value> {
    let text = std::fs::read_to_string(dir.join(BASELINE)).expect("baseline exists");
    json(text.as_bytes())["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .filter(|e| !e.is_null())
        .cloned()
        .collect()
}

fn entry_for<'a>(entries: &'a [Value], path: &str) -> &'a Value {
    entries
        .iter()
        .find(|e| e["path"] == path)
        .unwrap_or_else(|| panic!("no entry for {path} in {entries:?}"))
}

/// The audit log's records.
fn audit(dir: &Path) -> Vec<Value> {
    std::fs::read_to_string(dir.join(AUDIT))
        .expect("audit log exists")
        .lines()
        .map(|l| json(l.as_bytes()))
        .collect()
}

/// The secret part of an `alpha_…` key (what the rule captures).
fn secret_of(key: &str) -> &str {
    key.strip_prefix("alpha_").expect("an alpha key")
}

/// Neither the baseline nor the audit log holds any of these plaintexts.
fn assert_no_plaintext(dir: &Path, keys: &[&str]) {
    for f in [BASELINE, AUDIT] {
        let Ok(text) = std::fs::read_to_string(dir.join(f)) else {
            continue;
        };
        for k in keys {
            assert!(!text.contains(secret_of(k)), "{f} holds a plaintext secret");
        }
    }
}

fn scan_exit(dir: &Path, extra: &[&str]) -> (i32, Value, String) {
    let out = keyfence()
        .current_dir(dir)
        .args(["scan", ".", "--format", "json"])
        .args(extra)
        .output()
        .expect("runs");
    let report = if out.stdout.is_empty() {
        Value::Null
    } else {
        json(&out.stdout)
    };
    (out.status.code().expect("exit code"), report, stderr(&out))
}

#[test]
fn create_then_only_new_findings_are_reported_and_moving_lines_changes_nothing() {
    let old = alpha(1, "");
    let dir = tree(&[
        (".keyfence.toml", RULES),
        ("src/app.txt", &format!("header\nkey {old}\n")),
    ]);
    let out = ok(dir.path(), &["baseline", "create"]);
    assert!(out.contains("with 1 entry"), "{out}");
    let e = entries(dir.path());
    assert_eq!(e.len(), 1);
    assert_eq!(e[0]["rule_id"], "test-alpha");
    assert_eq!(e[0]["path"], "src/app.txt");
    assert_eq!(e[0]["status"], "unreviewed");
    assert!(e[0].get("line").is_none(), "no line numbers: {}", e[0]);
    assert_eq!(scan(dir.path()), vec![]);

    // A new secret: only it is reported.
    let new = alpha(2, "");
    write(dir.path(), "src/new.txt", &format!("key {new}\n"));
    let (code, report, _) = scan_exit(dir.path(), &[]);
    assert_eq!(code, 1);
    assert_eq!(
        crate::common::findings(&report),
        vec![("test-alpha".to_string(), "src/new.txt".to_string(), 1)]
    );
    assert_eq!(report["summary"]["findings"], 1);

    // Moving the old secret's line does not resurface it.
    write(
        dir.path(),
        "src/app.txt",
        &format!("{}\n  indented key {old} moved\n", "filler\n".repeat(30)),
    );
    assert_eq!(
        scan(dir.path()),
        vec![("test-alpha".to_string(), "src/new.txt".to_string(), 1)]
    );

    // --baseline elsewhere works the same, and a file that is not there is an error.
    std::fs::rename(dir.path().join(BASELINE), dir.path().join("kept.json")).expect("mv");
    assert_eq!(scan(dir.path()).len(), 2);
    let (code, report, _) = scan_exit(dir.path(), &["--baseline", "kept.json"]);
    assert_eq!((code, report["summary"]["findings"].clone()), (1, 1.into()));
    let (code, _, err) = scan_exit(dir.path(), &["--baseline", "missing.json"]);
    assert_eq!(code, 2);
    assert!(err.contains("missing.json"), "{err}");
    assert_no_plaintext(dir.path(), &[&old, &new]);
}

#[test]
fn create_refuses_to_overwrite_and_force_records_what_it_drops() {
    let dir = tree(&[(".keyfence.toml", RULES), ("a.txt", &alpha(1, ""))]);
    ok(dir.path(), &["baseline", "create"]);
    let out = run(dir.path(), &["baseline", "create"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("baseline update"), "{}", stderr(&out));
    std::fs::remove_file(dir.path().join("a.txt")).expect("rm");
    ok(dir.path(), &["baseline", "create", "--force"]);
    assert!(entries(dir.path()).is_empty());
    let log = audit(dir.path());
    assert_eq!(log.len(), 2, "{log:?}");
    assert_eq!(log[1]["action"], "create");
    assert_eq!(log[1]["new_status"], Value::Null);
    assert_eq!(log[1]["old_status"], "unreviewed");
    assert_eq!(log[1]["reason"], "baseline recreated with --force");
    // A create that records nothing is still logged.
    let empty = tree(&[(".keyfence.toml", RULES)]);
    ok(empty.path(), &["baseline", "create"]);
    let log = audit(empty.path());
    assert_eq!(log.len(), 1);
    assert_eq!(log[0]["action"], "create");
    assert!(log[0]["fingerprint"].is_null(), "{log:?}");
}

#[test]
fn update_adds_unreviewed_entries_and_keeps_every_review() {
    let (k1, k2, k3) = (alpha(1, ""), alpha(2, ""), alpha(3, ""));
    let dir = tree(&[
        (".keyfence.toml", RULES),
        ("a.txt", &format!("x {k1}\n")),
        ("b.txt", &format!("x {k2}\n")),
    ]);
    ok(dir.path(), &["baseline", "create"]);
    let a = entry_for(&entries(dir.path()), "a.txt")["fingerprint"]
        .as_str()
        .expect("fp")
        .to_string();
    let out = ok(
        dir.path(),
        &[
            "baseline",
            "mark",
            &a[..10],
            "--status",
            "accepted-risk",
            "--reason",
            "internal only",
        ],
    );
    assert!(out.contains("unreviewed -> accepted-risk"), "{out}");
    let before = std::fs::read_to_string(dir.path().join(BASELINE)).expect("read");
    let reviewed_line = before
        .lines()
        .find(|l| l.contains(&a))
        .expect("line")
        .to_string();
    assert!(reviewed_line.contains("\"reviewer\":\"reviewer@example.org\""));
    assert!(reviewed_line.contains("\"reviewed_at\":\""));

    // Nothing new: update changes nothing, byte for byte.
    let out = ok(dir.path(), &["baseline", "update"]);
    assert!(out.contains("0 new entries"), "{out}");
    assert_eq!(
        std::fs::read_to_string(dir.path().join(BASELINE)).expect("read"),
        before
    );

    write(dir.path(), "c.txt", &format!("x {k3}\n"));
    let out = ok(dir.path(), &["baseline", "update"]);
    assert!(
        out.contains("1 new entry added as unreviewed; 2 kept"),
        "{out}"
    );
    let after = std::fs::read_to_string(dir.path().join(BASELINE)).expect("read");
    assert!(
        after.lines().any(|l| l == reviewed_line),
        "review kept verbatim"
    );
    let e = entries(dir.path());
    assert_eq!(e.len(), 3);
    assert_eq!(entry_for(&e, "a.txt")["status"], "accepted-risk");
    assert_eq!(entry_for(&e, "a.txt")["reason"], "internal only");
    assert_eq!(entry_for(&e, "b.txt")["status"], "unreviewed");
    assert_eq!(entry_for(&e, "c.txt")["status"], "unreviewed");
    let actions: Vec<String> = audit(dir.path())
        .iter()
        .map(|r| r["action"].as_str().expect("action").to_string())
        .collect();
    assert_eq!(actions, ["create", "create", "mark", "update"]);
    assert_no_plaintext(dir.path(), &[&k1, &k2, &k3]);
}

#[test]
fn prune_removes_entries_whose_finding_is_gone_and_says_how_many() {
    let keys: Vec<String> = (1..=3).map(|i| alpha(i, "")).collect();
    let dir = tree(&[
        (".keyfence.toml", RULES),
        ("a.txt", &format!("x {}\n", keys[0])),
        ("b.txt", &format!("x {}\n", keys[1])),
        ("c.txt", &format!("x {}\n", keys[2])),
    ]);
    ok(dir.path(), &["baseline", "create"]);
    std::fs::remove_file(dir.path().join("b.txt")).expect("rm");
    write(dir.path(), "c.txt", "the key was removed\n");

    // --report-unused names the two entries nothing matched.
    let (code, report, err) = scan_exit(dir.path(), &["--report-unused"]);
    assert_eq!(code, 0);
    let unused: Vec<&str> = report["summary"]["baseline_unused"]
        .as_array()
        .expect("baseline_unused")
        .iter()
        .map(|u| u["path"].as_str().expect("path"))
        .collect();
    let mut sorted = unused.clone();
    sorted.sort_unstable();
    assert_eq!(sorted, ["b.txt", "c.txt"]);
    assert!(
        err.contains("2 baseline entries matched no finding"),
        "{err}"
    );
    // Without the flag the JSON contract is unchanged.
    let (_, plain, _) = scan_exit(dir.path(), &[]);
    assert!(plain["summary"].get("baseline_unused").is_none());

    let out = ok(dir.path(), &["baseline", "prune"]);
    assert!(out.contains("pruned 2 entries"), "{out}");
    assert!(out.contains("1 left"), "{out}");
    let e = entries(dir.path());
    assert_eq!(e.len(), 1);
    assert_eq!(e[0]["path"], "a.txt");
    let pruned: Vec<Value> = audit(dir.path())
        .into_iter()
        .filter(|r| r["action"] == "prune")
        .collect();
    assert_eq!(pruned.len(), 2);
    assert!(pruned.iter().all(|r| r["new_status"].is_null()));
    let out = ok(dir.path(), &["baseline", "prune"]);
    assert!(out.contains("pruned 0 entries"), "{out}");
    let (_, _, err) = scan_exit(dir.path(), &["--report-unused"]);
    assert!(err.contains("every baseline entry matched"), "{err}");
}

#[test]
fn mark_takes_unique_prefixes_and_needs_a_reason() {
    let keys: Vec<String> = (1..=20).map(|i| alpha(i, "")).collect();
    let files: Vec<(String, String)> = keys
        .iter()
        .enumerate()
        .map(|(i, k)| (format!("f{i}.txt"), format!("x {k}\n")))
        .collect();
    let mut all: Vec<(&str, &str)> = vec![(".keyfence.toml", RULES)];
    all.extend(files.iter().map(|(p, c)| (p.as_str(), c.as_str())));
    let dir = tree(&all);
    ok(dir.path(), &["baseline", "create"]);
    let e = entries(dir.path());
    let fp = e[0]["fingerprint"].as_str().expect("fp");

    let out = run(
        dir.path(),
        &["baseline", "mark", &fp[..8], "--status", "revoked"],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("--reason is required"),
        "{}",
        stderr(&out)
    );

    let out = run(
        dir.path(),
        &["baseline", "mark", "zzzz", "--status", "revoked", "-r", "x"],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("no baseline entry"),
        "{}",
        stderr(&out)
    );

    // With 20 entries, some first hex digit is shared.
    let shared = "0123456789abcdef"
        .chars()
        .map(String::from)
        .find(|p| {
            e.iter()
                .filter(|x| {
                    x["fingerprint"]
                        .as_str()
                        .expect("fp")
                        .starts_with(p.as_str())
                })
                .count()
                > 1
        })
        .expect("20 fingerprints share a first digit");
    let out = run(
        dir.path(),
        &[
            "baseline", "mark", &shared, "--status", "revoked", "-r", "x",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("give more characters"),
        "{}",
        stderr(&out)
    );

    ok(
        dir.path(),
        &[
            "baseline",
            "mark",
            fp,
            "--status",
            "false-positive",
            "-r",
            "test data",
        ],
    );
    // The same decision again changes nothing and logs nothing.
    let out = ok(
        dir.path(),
        &[
            "baseline",
            "mark",
            fp,
            "--status",
            "false-positive",
            "-r",
            "test data",
        ],
    );
    assert!(out.contains("nothing changed"), "{out}");
    let marks = audit(dir.path())
        .into_iter()
        .filter(|r| r["action"] == "mark")
        .count();
    assert_eq!(marks, 1);
    let e = entries(dir.path());
    assert_eq!(e[0]["status"], "false-positive");
    assert_eq!(e[0]["reason"], "test data");
}

#[test]
fn review_refuses_without_a_terminal_and_points_at_mark() {
    let dir = tree(&[(".keyfence.toml", RULES), ("a.txt", &alpha(1, ""))]);
    ok(dir.path(), &["baseline", "create"]);
    let out = keyfence()
        .current_dir(dir.path())
        .args(["baseline", "review"])
        .write_stdin("f\nreason\n")
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("needs a terminal"), "{err}");
    assert!(err.contains("keyfence baseline mark"), "{err}");
    assert_eq!(entries(dir.path())[0]["status"], "unreviewed");
}

#[test]
fn log_prints_the_audit_trail_as_a_table_or_json_lines() {
    let repo = TestRepo::new();
    let key = alpha(1, "");
    repo.write(".keyfence.toml", RULES);
    repo.write("a.txt", &format!("x {key}\n"));
    // No --reviewer: the identity comes from git's user.email.
    let out = keyfence()
        .current_dir(repo.path())
        .args(["baseline", "create"])
        .output()
        .expect("runs");
    assert!(out.status.success(), "{}", stderr(&out));
    let fp = entries(repo.path())[0]["fingerprint"]
        .as_str()
        .expect("fp")
        .to_string();
    let out = keyfence()
        .current_dir(repo.path())
        .args([
            "baseline", "mark", &fp, "--status", "revoked", "--reason", "rotated",
        ])
        .output()
        .expect("runs");
    assert!(out.status.success(), "{}", stderr(&out));

    let text = ok(repo.path(), &["baseline", "log"]);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 3, "{text}");
    assert!(lines[0].starts_with("TIMESTAMP"), "{text}");
    assert!(lines[1].contains("author@example.org"), "{text}");
    assert!(
        lines[1].contains("create") && lines[1].contains("- -> unreviewed"),
        "{text}"
    );
    assert!(
        lines[2].contains("unreviewed -> revoked") && lines[2].ends_with("rotated"),
        "{text}"
    );
    assert!(lines[2].contains(&fp[..12]), "{text}");
    assert!(!text.contains(secret_of(&key)));

    let jsonl = ok(repo.path(), &["baseline", "log", "--format", "json"]);
    let records: Vec<Value> = jsonl.lines().map(|l| json(l.as_bytes())).collect();
    assert_eq!(records.len(), 2);
    let r = &records[1];
    assert_eq!(r["action"], "mark");
    assert_eq!(r["actor"], "author@example.org");
    assert_eq!(r["fingerprint"], fp.as_str());
    assert_eq!(r["rule_id"], "test-alpha");
    assert_eq!(r["path"], "a.txt");
    assert_eq!(
        (r["old_status"].clone(), r["new_status"].clone()),
        ("unreviewed".into(), "revoked".into())
    );
    assert_eq!(r["reason"], "rotated");
    let ts = r["timestamp"].as_str().expect("timestamp");
    assert!(
        ts.len() == 20 && ts.ends_with('Z') && ts.as_bytes()[10] == b'T',
        "{ts}"
    );
    // The baseline holds the review date, never a timestamp.
    let e = &entries(repo.path())[0];
    assert_eq!(e["reviewed_at"].as_str().expect("date"), &ts[..10]);
    assert_eq!(e["reviewer"], "author@example.org");
}

#[test]
fn an_interrupted_write_leaves_the_old_baseline_and_log_intact() {
    let dir = tree(&[(".keyfence.toml", RULES), ("a.txt", &alpha(1, ""))]);
    ok(dir.path(), &["baseline", "create"]);
    let old_baseline = std::fs::read(dir.path().join(BASELINE)).expect("read");
    let old_log = std::fs::read(dir.path().join(AUDIT)).expect("read");
    write(dir.path(), "b.txt", &alpha(2, ""));
    let listing = || {
        let mut names: Vec<String> = std::fs::read_dir(dir.path())
            .expect("ls")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    };
    let files_before = listing();

    let out = keyfence()
        .current_dir(dir.path())
        .args(["baseline", "update", "--reviewer", REVIEWER])
        .env("KEYFENCE_FAULT_BEFORE_RENAME", "1")
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("interrupted before renaming"),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        std::fs::read(dir.path().join(BASELINE)).expect("read"),
        old_baseline
    );
    assert_eq!(
        std::fs::read(dir.path().join(AUDIT)).expect("read"),
        old_log
    );
    assert_eq!(listing(), files_before, "no temporary file left behind");

    ok(dir.path(), &["baseline", "update"]);
    assert_eq!(entries(dir.path()).len(), 2);
    assert_eq!(audit(dir.path()).len(), 2);
}

#[test]
fn a_bad_baseline_is_an_error_naming_the_file() {
    let dir = tree(&[
        (".keyfence.toml", RULES),
        ("a.txt", &alpha(1, "")),
        (BASELINE, "{\"version\":1,\"entries\":[{\"oops\":1}]}"),
    ]);
    let (code, _, err) = scan_exit(dir.path(), &[]);
    assert_eq!(code, 2);
    assert!(
        err.contains(".keyfence-baseline.json: not a keyfence baseline"),
        "{err}"
    );
}

#[test]
fn history_sources_outside_a_repository_fail_clearly() {
    let dir = tree(&[(".keyfence.toml", RULES)]);
    let out = run(dir.path(), &["baseline", "create", "--from", "git"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("git"), "{}", stderr(&out));
    assert!(!dir.path().join(BASELINE).exists());
}

/// A repository whose first commit holds `n` files with a key each, a
/// baseline of them and a `.gitattributes` that merges the audit log by union.
fn repo_with_baseline(n: u64) -> TestRepo {
    let repo = TestRepo::new();
    repo.write(".keyfence.toml", RULES);
    repo.write(".gitattributes", ".keyfence-audit.jsonl merge=union\n");
    for i in 0..n {
        repo.write(&format!("f{i}.txt"), &format!("x {}\n", alpha(100 + i, "")));
    }
    ok(repo.path(), &["baseline", "create"]);
    repo.git(&["add", "-A"]);
    repo.git(&["commit", "-q", "-m", "base"]);
    repo
}

fn git_status(repo: &TestRepo, args: &[&str]) -> Output {
    repo.git_output(args)
}

#[test]
fn two_branches_that_each_add_an_entry_merge_without_conflict() {
    let repo = repo_with_baseline(6);
    let main = repo
        .git(&["rev-parse", "--abbrev-ref", "HEAD"])
        .trim()
        .to_string();
    let mut added = Vec::new();
    for (branch, seed) in [("left", 201), ("right", 302)] {
        repo.git(&["checkout", "-q", "-b", branch, &main]);
        repo.write(
            &format!("{branch}.txt"),
            &format!("x {}\n", alpha(seed, "")),
        );
        ok(repo.path(), &["baseline", "update"]);
        repo.git(&["add", "-A"]);
        repo.git(&["commit", "-q", "-m", branch]);
        added.push(format!("{branch}.txt"));
    }
    repo.git(&["checkout", "-q", "left"]);
    let out = git_status(&repo, &["merge", "--no-edit", "right"]);
    assert!(
        out.status.success(),
        "git merge conflicted:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let e = entries(repo.path());
    assert_eq!(e.len(), 8);
    let fps: Vec<&str> = e
        .iter()
        .map(|x| x["fingerprint"].as_str().expect("fp"))
        .collect();
    let mut sorted = fps.clone();
    sorted.sort_unstable();
    assert_eq!(fps, sorted, "still sorted");
    // The premise: the two new entries are not neighbours in the file (so the
    // merge is the common case, not the one the merge driver is for).
    let at = |p: &str| e.iter().position(|x| x["path"] == p).expect("entry");
    assert!(
        at(&added[0]).abs_diff(at(&added[1])) > 1,
        "pick other seeds"
    );
    // The audit log merged by union: one create per base entry, one update per branch.
    let updates = audit(repo.path())
        .into_iter()
        .filter(|r| r["action"] == "update")
        .count();
    assert_eq!(updates, 2);
    assert_eq!(scan(repo.path()), vec![]);
}

#[test]
fn the_merge_driver_resolves_what_a_line_merge_cannot() {
    let repo = repo_with_baseline(6);
    repo.write(
        ".gitattributes",
        ".keyfence-audit.jsonl merge=union\n.keyfence-baseline.json merge=keyfence-baseline\n",
    );
    repo.git(&["commit", "-q", "-am", "attributes"]);
    let main = repo
        .git(&["rev-parse", "--abbrev-ref", "HEAD"])
        .trim()
        .to_string();
    let e = entries(repo.path());
    // Neighbouring lines: a line merge conflicts.
    let (a, b) = (
        e[2]["fingerprint"].as_str().expect("fp").to_string(),
        e[3]["fingerprint"].as_str().expect("fp").to_string(),
    );
    repo.git(&["checkout", "-q", "-b", "left", &main]);
    ok(
        repo.path(),
        &[
            "baseline",
            "mark",
            &a,
            "--status",
            "false-positive",
            "--reason",
            "test data",
        ],
    );
    repo.git(&["commit", "-q", "-am", "left"]);
    repo.git(&["checkout", "-q", "-b", "right", &main]);
    ok(
        repo.path(),
        &[
            "baseline", "mark", &b, "--status", "revoked", "--reason", "rotated",
        ],
    );
    repo.git(&["commit", "-q", "-am", "right"]);
    repo.git(&["checkout", "-q", "left"]);

    // Without the driver configured, git falls back to a line merge: conflict.
    let out = git_status(&repo, &["merge", "--no-edit", "right"]);
    assert!(
        !out.status.success(),
        "expected a conflict without the driver"
    );
    repo.git(&["merge", "--abort"]);

    let bin = assert_cmd::cargo::cargo_bin("keyfence");
    repo.git(&[
        "config",
        "merge.keyfence-baseline.driver",
        &format!("'{}' baseline merge %O %A %B", bin.display()),
    ]);
    let out = git_status(&repo, &["merge", "--no-edit", "right"]);
    assert!(
        out.status.success(),
        "merge driver failed:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let merged = entries(repo.path());
    assert_eq!(merged.len(), 6);
    let by_fp = |fp: &str| {
        merged
            .iter()
            .find(|x| x["fingerprint"] == fp)
            .expect("entry")
            .clone()
    };
    assert_eq!(by_fp(&a)["status"], "false-positive");
    assert_eq!(by_fp(&b)["status"], "revoked");
    let text = std::fs::read_to_string(repo.path().join(BASELINE)).expect("read");
    assert!(
        text.ends_with("null]}\n"),
        "written in the canonical layout"
    );
}

#[test]
fn plaintext_never_reaches_the_baseline_or_the_log() {
    let keys: Vec<String> = (1..=4).map(|i| alpha(i, "")).collect();
    let refs: Vec<&str> = keys.iter().map(String::as_str).collect();
    let dir = tree(&[
        (".keyfence.toml", RULES),
        ("a.txt", &format!("x {}\n", keys[0])),
        ("b.txt", &format!("x {}\n", keys[1])),
    ]);
    ok(dir.path(), &["baseline", "create"]);
    assert_no_plaintext(dir.path(), &refs);
    let fp = entries(dir.path())[0]["fingerprint"]
        .as_str()
        .expect("fp")
        .to_string();
    ok(
        dir.path(),
        &[
            "baseline",
            "mark",
            &fp,
            "--status",
            "accepted-risk",
            "--reason",
            "ok",
        ],
    );
    assert_no_plaintext(dir.path(), &refs);
    write(dir.path(), "c.txt", &format!("x {}\n", keys[2]));
    ok(dir.path(), &["baseline", "update"]);
    assert_no_plaintext(dir.path(), &refs);
    std::fs::remove_file(dir.path().join("b.txt")).expect("rm");
    ok(dir.path(), &["baseline", "prune"]);
    assert_no_plaintext(dir.path(), &refs);
    write(dir.path(), "d.txt", &format!("x {}\n", keys[3]));
    write(dir.path(), ".gitleaksignore", "d.txt:generic-api-key:1\n");
    ok(
        dir.path(),
        &[
            "baseline",
            "import",
            "--from",
            "gitleaks",
            ".gitleaksignore",
        ],
    );
    assert_no_plaintext(dir.path(), &refs);
    let log =
        ok(dir.path(), &["baseline", "log"]) + &ok(dir.path(), &["baseline", "log", "-f", "json"]);
    for k in &refs {
        assert!(!log.contains(secret_of(k)));
    }
    // The redacted form is there instead (a short prefix and the length).
    let text = std::fs::read_to_string(dir.path().join(BASELINE)).expect("read");
    assert!(text.contains(&format!(
        "\"secret_redacted\":\"{}\u{2026}(24)\"",
        &secret_of(&keys[0])[..4]
    )));
}

fn sha1_hex(s: &str) -> String {
    use sha1::{Digest, Sha1};
    hex::encode(Sha1::digest(s.as_bytes()))
}

#[test]
fn import_detect_secrets_maps_by_sha1_and_lists_the_rest() {
    let (k1, k2) = (alpha(1, ""), alpha(2, ""));
    let dir = tree(&[
        (".keyfence.toml", RULES),
        ("config/a.txt", &format!("x {k1}\n")),
        ("b.txt", &format!("\n\ny {k2}\n")),
    ]);
    let ds = serde_json::json!({
        "version": "1.5.0",
        "plugins_used": [{"name": "KeywordDetector"}],
        "filters_used": [],
        "results": {
            "config/a.txt": [{
                "type": "Secret Keyword", "filename": "config/a.txt",
                "hashed_secret": sha1_hex(secret_of(&k1)),
                "is_verified": false, "line_number": 1, "is_secret": false
            }],
            "b.txt": [{
                "type": "Secret Keyword", "filename": "b.txt",
                "hashed_secret": sha1_hex(secret_of(&k2)),
                "is_verified": false, "line_number": 3
            }],
            "gone.txt": [{
                "type": "Base64 High Entropy String", "filename": "gone.txt",
                "hashed_secret": sha1_hex("not-here"),
                "is_verified": false, "line_number": 7
            }]
        },
        "generated_at": "2026-01-01T00:00:00Z"
    });
    // Kept outside the scanned tree: its hashes look like secrets to the generic rules.
    let elsewhere = tree(&[(
        ".secrets.baseline",
        &serde_json::to_string_pretty(&ds).expect("json"),
    )]);
    let file = elsewhere.path().join(".secrets.baseline");
    let file = file.to_str().expect("utf-8 path");
    let out = ok(
        dir.path(),
        &["baseline", "import", "--from", "detect-secrets", file],
    );
    assert!(out.contains("imported 2 of 3"), "{out}");
    assert!(out.contains("could not map 1"), "{out}");
    assert!(
        out.contains("gone.txt:7  Base64 High Entropy String: no keyfence finding"),
        "{out}"
    );
    let e = entries(dir.path());
    assert_eq!(e.len(), 2);
    let a = entry_for(&e, "config/a.txt");
    assert_eq!(a["status"], "false-positive");
    assert_eq!(a["reviewer"], REVIEWER);
    assert_eq!(entry_for(&e, "b.txt")["status"], "unreviewed");
    assert!(audit(dir.path()).iter().all(|r| r["action"] == "import"));
    assert_eq!(scan(dir.path()), vec![]);
    assert_no_plaintext(dir.path(), &[&k1, &k2]);

    // Importing again adds nothing.
    let out = ok(
        dir.path(),
        &["baseline", "import", "--from", "detect-secrets", file],
    );
    assert!(
        out.contains("(0 baseline entries added or updated)"),
        "{out}"
    );

    let bad = run(
        dir.path(),
        &[
            "baseline",
            "import",
            "--from",
            "detect-secrets",
            ".keyfence.toml",
        ],
    );
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        stderr(&bad).contains(".keyfence.toml: not a detect-secrets baseline"),
        "{}",
        stderr(&bad)
    );
}

#[test]
fn import_gitleaks_maps_file_and_commit_entries_by_line() {
    let repo = TestRepo::new();
    let (k1, k2, k3) = (alpha(1, ""), alpha(2, ""), alpha(3, ""));
    repo.add("old.txt", &format!("first line\nx {k3}\n"));
    let c = repo.commit("add a key").to_string();
    repo.remove("old.txt");
    repo.commit("remove it");
    repo.write(".keyfence.toml", RULES);
    repo.write("src/a.txt", &format!("x {k1}\n"));
    repo.write("b.txt", &format!("\n\n\ny {k2}\n"));
    repo.write(
        ".gitleaksignore",
        &format!(
            "# gitleaks ignore file\n\
             src/a.txt:generic-api-key:1\n\
             b.txt:generic-api-key:4\n\
             b.txt:generic-api-key:2\n\
             {c}:old.txt:generic-api-key:2\n\
             not a fingerprint\n"
        ),
    );
    let out = ok(
        repo.path(),
        &[
            "baseline",
            "import",
            "--from",
            "gitleaks",
            ".gitleaksignore",
        ],
    );
    assert!(out.contains("imported 3 of 5"), "{out}");
    assert!(
        out.contains("b.txt:2  generic-api-key: keyfence finds nothing on this line"),
        "{out}"
    );
    assert!(out.contains("not a fingerprint"), "{out}");
    let e = entries(repo.path());
    assert_eq!(e.len(), 3);
    let old = entry_for(&e, "old.txt");
    assert_eq!(old["commit"], c.as_str());
    assert_eq!(old["status"], "unreviewed");
    assert!(old["reason"]
        .as_str()
        .expect("reason")
        .contains("gitleaks rule generic-api-key"));
    assert_eq!(scan(repo.path()), vec![]);
    // A file scan cannot see history, so prune keeps the history entry.
    let out = ok(repo.path(), &["baseline", "prune"]);
    assert!(out.contains("pruned 0 entries"), "{out}");
    assert!(out.contains("kept 1 entry from history"), "{out}");
    assert_no_plaintext(repo.path(), &[&k1, &k2, &k3]);
}

#[test]
fn create_from_history_and_from_the_index_records_what_those_scans_find() {
    let r = TestRepo::new();
    r.add(".keyfence.toml", RULES);
    r.add("old.env", &format!("KEY={}\n", alpha(901, "hist")));
    r.commit_at("add a key", 1_600_000_000);
    r.remove("old.env");
    r.commit_at("remove it", 1_600_000_100);
    // History still carries the key: `git` reports it until it is baselined.
    let git = |r: &TestRepo| {
        keyfence()
            .current_dir(r.path())
            .args(["git", "--format", "json", "--no-progress"])
            .output()
            .expect("runs")
    };
    assert_eq!(git(&r).status.code(), Some(1));
    ok(r.path(), &["baseline", "create", "--from", "git"]);
    let e = entries(r.path());
    assert_eq!(e.len(), 1, "{e:?}");
    assert_eq!(e[0]["path"], "old.env");
    assert_eq!(
        git(&r).status.code(),
        Some(0),
        "the baselined history finding is no longer reported"
    );

    // The index: a staged key is recorded by --from staged.
    r.add("new.env", &format!("KEY={}\n", alpha(902, "stag")));
    ok(r.path(), &["baseline", "update", "--from", "staged"]);
    let paths: Vec<String> = entries(r.path())
        .iter()
        .map(|e| e["path"].as_str().expect("path").to_string())
        .collect();
    assert!(paths.contains(&"new.env".to_string()), "{paths:?}");
}
