//! SARIF as GitHub code scanning takes it: the official schema, the
//! documented limits and required fields, stable fingerprints, and history
//! findings that point at their commit.

use super::*;
use crate::common::*;
use serde_json::Value;
use std::io::Write;
use std::process::{Command, Stdio};

/// GitHub rejects an upload whose gzip-compressed size is over this.
const MAX_GZIP_BYTES: usize = 10 * 1024 * 1024;

/// The gzip-compressed size of `bytes` (through the system's gzip).
fn gzip_size(bytes: &[u8]) -> usize {
    let mut child = Command::new("gzip")
        .args(["-c", "-6"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("gzip runs");
    let mut stdin = child.stdin.take().expect("stdin");
    let input = bytes.to_vec();
    let writer = std::thread::spawn(move || stdin.write_all(&input).expect("write to gzip"));
    let out = child.wait_with_output().expect("gzip output");
    writer.join().expect("writer");
    assert!(out.status.success());
    out.stdout.len()
}

/// A string that is not empty.
fn nonempty(v: &Value) -> bool {
    v.as_str().is_some_and(|s| !s.is_empty())
}

/// Every documented limit and field GitHub code scanning requires, as a list
/// of problems (empty when the log is acceptable).
pub fn github_problems(raw: &[u8]) -> Vec<String> {
    let mut p = Vec::new();
    let log: Value = serde_json::from_slice(raw).expect("SARIF is JSON");
    let gz = gzip_size(raw);
    if gz > MAX_GZIP_BYTES {
        p.push(format!("{gz} bytes gzip-compressed, over 10 MB"));
    }
    if !nonempty(&log["$schema"]) {
        p.push("no $schema".into());
    }
    if log["version"] != "2.1.0" {
        p.push(format!("version {}", log["version"]));
    }
    let runs = log["runs"].as_array().cloned().unwrap_or_default();
    if runs.is_empty() || runs.len() > 20 {
        p.push(format!("{} runs", runs.len()));
    }
    for (ri, run) in runs.iter().enumerate() {
        let driver = &run["tool"]["driver"];
        if driver["name"] != "keyfence" {
            p.push(format!("run {ri}: tool name {}", driver["name"]));
        }
        match driver["semanticVersion"].as_str() {
            Some(v) if v.split('.').count() == 3 => {}
            other => p.push(format!("run {ri}: semanticVersion {other:?}")),
        }
        if !driver["informationUri"]
            .as_str()
            .is_some_and(|u| u.starts_with("https://"))
        {
            p.push(format!("run {ri}: no informationUri"));
        }
        let id = run["automationDetails"]["id"].as_str().unwrap_or("");
        // `category/run-id`; keyfence leaves the run id empty.
        if id.len() < 2 || !id.ends_with('/') {
            p.push(format!("run {ri}: automationDetails.id {id:?}"));
        }
        let rules = driver["rules"].as_array().cloned().unwrap_or_default();
        if rules.len() > 25_000 {
            p.push(format!("run {ri}: {} rules", rules.len()));
        }
        for r in &rules {
            let rid = r["id"].as_str().unwrap_or("?");
            if rid.is_empty() {
                p.push(format!("run {ri}: a rule without id"));
            }
            if r["name"].as_str().map_or(0, |n| n.chars().count()) > 255 {
                p.push(format!("{rid}: name over 255 characters"));
            }
            for k in ["shortDescription", "fullDescription"] {
                match r[k]["text"].as_str() {
                    Some(t) if !t.is_empty() && t.chars().count() <= 1024 => {}
                    _ => p.push(format!("{rid}: {k}.text missing or over 1024")),
                }
            }
            if !nonempty(&r["help"]["text"]) {
                p.push(format!("{rid}: no help.text"));
            }
            if !nonempty(&r["help"]["markdown"]) {
                p.push(format!("{rid}: no help.markdown"));
            }
            let tags = r["properties"]["tags"].as_array().map_or(0, Vec::len);
            if tags > 10 {
                p.push(format!("{rid}: {tags} tags"));
            }
            match r["properties"]["security-severity"].as_str() {
                Some(s) if s.parse::<f64>().is_ok_and(|x| x > 0.0 && x <= 10.0) => {}
                other => p.push(format!("{rid}: security-severity {other:?}")),
            }
            match r["defaultConfiguration"]["level"].as_str() {
                Some("note" | "warning" | "error") => {}
                other => p.push(format!("{rid}: level {other:?}")),
            }
        }
        let results = run["results"].as_array().cloned().unwrap_or_default();
        if run["results"].as_array().is_none() {
            p.push(format!("run {ri}: no results array"));
        }
        if results.len() > 25_000 {
            p.push(format!("run {ri}: {} results", results.len()));
        }
        for (i, r) in results.iter().enumerate() {
            let at = format!("run {ri} result {i}");
            let rule = r["ruleId"].as_str().unwrap_or("");
            match r["ruleIndex"].as_u64() {
                Some(x) if rules.get(x as usize).is_some_and(|d| d["id"] == rule) => {}
                other => p.push(format!("{at}: ruleIndex {other:?} is not {rule}")),
            }
            if !nonempty(&r["message"]["text"]) {
                p.push(format!("{at}: no message"));
            }
            let locs = r["locations"].as_array().map_or(0, Vec::len);
            if locs != 1 {
                p.push(format!("{at}: {locs} locations"));
            }
            let phys = &r["locations"][0]["physicalLocation"];
            let uri = phys["artifactLocation"]["uri"].as_str().unwrap_or("");
            if uri.is_empty()
                || uri.starts_with('/')
                || uri.contains("://")
                || uri.starts_with("..")
                || uri.contains('\\')
            {
                p.push(format!(
                    "{at}: uri {uri:?} is not relative to the repository"
                ));
            }
            for k in ["startLine", "startColumn", "endLine", "endColumn"] {
                if phys["region"][k].as_u64().unwrap_or(0) < 1 {
                    p.push(format!("{at}: region.{k}"));
                }
            }
            let fps = r["partialFingerprints"].as_object();
            if !fps.is_some_and(|m| {
                m.values()
                    .all(|v| v.as_str().is_some_and(|s| !s.is_empty()))
                    && !m.is_empty()
            }) {
                p.push(format!("{at}: no partialFingerprints"));
            }
            if fps.is_some_and(|m| m.contains_key("primaryLocationLineHash")) {
                p.push(format!(
                    "{at}: primaryLocationLineHash is upload-sarif's to compute"
                ));
            }
        }
    }
    p
}

/// Validates against the official schema and GitHub's limits; returns the log.
pub fn assert_github_accepts(raw: &[u8]) -> Value {
    let log: Value = serde_json::from_slice(raw).expect("SARIF is JSON");
    assert_valid(&schema("sarif-schema-2.1.0.json"), &log, "SARIF log");
    let problems = github_problems(raw);
    assert!(problems.is_empty(), "{problems:#?}");
    log
}

fn sarif_of(args: &[&str], dir: &std::path::Path) -> Vec<u8> {
    keyfence()
        .args(args)
        .arg(dir)
        .args(["--format", "sarif"])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone()
}

#[test]
fn the_checker_catches_what_github_rejects() {
    let dir = tree(&[("a.env", &format!("DB_PASSWORD={}\n", password(61)))]);
    let raw = sarif_of(&["scan"], dir.path());
    let good: Value = serde_json::from_slice(&raw).expect("json");
    assert!(github_problems(&raw).is_empty());
    let mutate = |f: &dyn Fn(&mut Value)| {
        let mut v = good.clone();
        f(&mut v);
        github_problems(&serde_json::to_vec(&v).expect("json"))
    };
    assert!(!mutate(
        &|v| v["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
            ["uri"] = "/abs/a.env".into()
    )
    .is_empty());
    assert!(!mutate(
        &|v| v["runs"][0]["tool"]["driver"]["rules"][0]["properties"]
            .as_object_mut()
            .expect("props")
            .remove("security-severity")
            .map(drop)
            .unwrap_or(())
    )
    .is_empty());
    assert!(!mutate(&|v| v["runs"][0]["automationDetails"]["id"] = "".into()).is_empty());
    assert!(!mutate(&|v| {
        let loc = v["runs"][0]["results"][0]["locations"][0].clone();
        v["runs"][0]["results"][0]["locations"]
            .as_array_mut()
            .expect("locations")
            .push(loc);
    })
    .is_empty());
}

#[test]
fn two_runs_write_the_same_sarif_and_fingerprints_survive_moved_lines() {
    let pw = password(62);
    let dir = tree(&[("conf/app.env", &format!("DB_PASSWORD={pw}\n"))]);
    let first = sarif_of(&["scan"], dir.path());
    let second = sarif_of(&["scan"], dir.path());
    assert_eq!(
        String::from_utf8_lossy(&first),
        String::from_utf8_lossy(&second),
        "two runs over the same input differ"
    );
    let fp = |raw: &[u8]| {
        let log: Value = serde_json::from_slice(raw).expect("json");
        log["runs"][0]["results"][0]["partialFingerprints"].clone()
    };
    write(
        dir.path(),
        "conf/app.env",
        &format!("# moved down\n\nDB_PASSWORD={pw}\n"),
    );
    let moved = sarif_of(&["scan"], dir.path());
    let log: Value = serde_json::from_slice(&moved).expect("json");
    assert_eq!(
        log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"],
        3
    );
    assert_eq!(
        fp(&first),
        fp(&moved),
        "a moved line changed the fingerprint"
    );
    assert!(fp(&first)["keyfence/v1"].is_string());
    assert_github_accepts(&moved);
}

#[test]
fn a_files_scan_with_findings_is_accepted() {
    let dir = tree(&[
        (
            "src/config.py",
            &format!("STRIPE = \"sk_live_{}\"\n", rand_str(63, 24, BASE62)),
        ),
        ("deploy/a b.env", &format!("DB_PASSWORD={}\n", password(64))),
        ("clean.txt", "nothing here\n"),
    ]);
    let log = assert_github_accepts(&sarif_of(&["scan"], dir.path()));
    let results = log["runs"][0]["results"].as_array().expect("results");
    assert_eq!(results.len(), 2);
    let uris: Vec<&str> = results
        .iter()
        .map(|r| {
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                .as_str()
                .expect("uri")
        })
        .collect();
    assert_eq!(uris, ["deploy/a%20b.env", "src/config.py"]);
}

#[test]
fn an_empty_result_set_is_accepted() {
    let dir = tree(&[("clean.txt", "nothing here\n")]);
    let out = keyfence()
        .arg("scan")
        .arg(dir.path())
        .args(["--format", "sarif"])
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let log = assert_github_accepts(&out);
    assert_eq!(log["runs"][0]["results"], serde_json::json!([]));
}

/// A repository whose history adds a secret in one commit and removes it in
/// the next, so only a history scan sees it.
fn history_with_a_removed_secret() -> (TestRepo, git2::Oid, String) {
    let repo = TestRepo::new();
    repo.add("README.md", "# demo\n");
    repo.commit_at("init", 1_700_000_000);
    let token = github_token(65, "ghp_");
    repo.add("src/settings.py", &format!("TOKEN = \"{token}\"\n"));
    let leak = repo.commit_as(
        "add settings",
        "Ada Lovelace",
        "ada@example.org",
        1_700_000_100,
    );
    repo.add(
        "src/settings.py",
        "import os\nTOKEN = os.environ[\"TOKEN\"]\n",
    );
    repo.commit_at("read the token from the environment", 1_700_000_200);
    (repo, leak, token)
}

#[test]
fn a_history_scan_with_findings_is_accepted_and_points_at_the_commit() {
    let (repo, leak, token) = history_with_a_removed_secret();
    repo.git(&[
        "remote",
        "add",
        "origin",
        "https://github.com/keyfence/demo.git",
    ]);
    let head = repo.git(&["rev-parse", "HEAD"]);
    let raw = keyfence()
        .arg("git")
        .arg(repo.path())
        .args(["--format", "sarif"])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    assert!(
        !String::from_utf8_lossy(&raw).contains(&token),
        "plaintext in SARIF"
    );
    let log = assert_github_accepts(&raw);
    let run = &log["runs"][0];
    assert_eq!(run["automationDetails"]["id"], "keyfence/git/");
    let vcp = &run["versionControlProvenance"][0];
    assert_eq!(vcp["repositoryUri"], "https://github.com/keyfence/demo.git");
    assert_eq!(vcp["revisionId"], head.trim());
    let results = run["results"].as_array().expect("results");
    let r = results
        .iter()
        .find(|r| r["ruleId"] == "github-pat")
        .unwrap_or_else(|| panic!("no github-pat in {results:#?}"));
    assert_eq!(
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "src/settings.py"
    );
    assert_eq!(r["properties"]["commit"]["id"], leak.to_string());
    assert_eq!(r["properties"]["commit"]["author_name"], "Ada Lovelace");
    let text = r["message"]["text"].as_str().expect("message");
    assert!(text.contains(&leak.to_string()[..12]), "{text}");
    // The same history scanned twice gives the same log.
    let again = keyfence()
        .arg("git")
        .arg(repo.path())
        .args(["--format", "sarif"])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    assert_eq!(
        String::from_utf8_lossy(&raw),
        String::from_utf8_lossy(&again)
    );
}

/// Findings built in code: `n` distinct secrets in long paths, each from a
/// commit, so the log is about as large per result as keyfence writes.
fn many_findings(n: usize) -> Vec<keyfence::finding::Finding> {
    use keyfence::finding::{CommitInfo, Finding, Kind, Secret};
    use keyfence::severity::{Confidence, Severity};
    (0..n)
        .map(|i| {
            let secret = Secret::new(rand_str(i as u64 + 1, 40, BASE62));
            let path = format!(
                "services/{}/config/{}/settings-{i}.env",
                rand_str(i as u64 + 7, 60, BASE62),
                rand_str(i as u64 + 9, 60, BASE62)
            );
            let fp = Finding::secret_fingerprint("generic-secret", &secret.sha256());
            Finding {
                rule_id: ["generic-secret", "github-pat", "aws-access-key-id"][i % 3].into(),
                kind: Kind::Secret,
                severity: [Severity::High, Severity::Medium, Severity::Critical][i % 3],
                confidence: Confidence::Medium,
                validated: None,
                line: i % 500 + 1,
                column: 12,
                end_line: i % 500 + 1,
                end_column: 52,
                location_fingerprint: Finding::location_fingerprint_for(&fp, &path),
                fingerprint: fp,
                commit: Some(CommitInfo {
                    id: keyfence::finding::hash_parts(&[&i.to_string()])[..40].to_string(),
                    author_name: format!("Author {}", rand_str(i as u64 + 3, 12, BASE62)),
                    author_email: format!("{}@example.org", rand_str(i as u64 + 4, 10, BASE62)),
                    date: "2026-01-02T03:04:05+00:00".into(),
                    path: path.clone(),
                }),
                path,
                secret: Some(secret),
                occurrences: Vec::new(),
                message: "Secret assigned in code or config".into(),
            }
        })
        .collect()
}

#[test]
fn a_log_over_the_results_limit_is_cut_to_25000_and_stays_under_10_mb_gzipped() {
    use keyfence::report::{reporter, Format, ReportContext};
    let findings = many_findings(25_001);
    let summary = keyfence::finding::Summary::default();
    let engine = keyfence::scan::Engine::from_config(&keyfence::config::Config::default(), None)
        .expect("built-in rules");
    let rules = keyfence::rule_catalog(engine.rules());
    let cx = ReportContext {
        summary: &summary,
        rules: &rules,
        show_secrets: false,
        color: false,
        command: "git",
        revision: Some("0123456789abcdef0123456789abcdef01234567"),
        repository_uri: Some("https://github.com/keyfence/demo"),
    };
    let mut raw = Vec::new();
    reporter(Format::Sarif)
        .report(&findings, &cx, &mut raw)
        .expect("report");
    let problems = github_problems(&raw);
    assert!(
        problems.is_empty(),
        "{:#?}",
        &problems[..problems.len().min(20)]
    );
    let log: Value = serde_json::from_slice(&raw).expect("json");
    let run = &log["runs"][0];
    assert_eq!(run["results"].as_array().map(Vec::len), Some(25_000));
    // The one left out is of the lowest severity (every github-pat here is medium).
    let count = |v: &mut dyn Iterator<Item = &str>| v.filter(|id| *id == "github-pat").count();
    let written = count(
        &mut run["results"]
            .as_array()
            .expect("results")
            .iter()
            .map(|r| r["ruleId"].as_str().expect("ruleId")),
    );
    assert_eq!(
        written,
        count(&mut findings.iter().map(|f| f.rule_id.as_str())) - 1
    );
    let note = &run["invocations"][0]["toolExecutionNotifications"][0];
    assert_eq!(note["level"], "warning");
    assert_eq!(
        run["versionControlProvenance"][0]["revisionId"],
        "0123456789abcdef0123456789abcdef01234567"
    );
    let gz = gzip_size(&raw);
    eprintln!(
        "25,000 results: {} bytes, {} gzip-compressed",
        raw.len(),
        gz
    );
}
