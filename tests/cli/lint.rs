//! `keyfence lint`: each lint rule firing and not firing on real repositories,
//! its configuration, filtering, SARIF rule entries, the rotation report and
//! error exits.

use crate::common::*;
use keyfence::finding::Finding;
use keyfence::lint::Date;
use predicates::prelude::*;
use serde_json::Value;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

/// Ignore rules that cover every kind of secret file.
const GITIGNORE: &str = ".env\n.env.*\n!.env.example\n*.pem\n*.key\nsecrets.*\n.secrets/\n";

/// A pre-commit configuration that runs keyfence.
const PRE_COMMIT: &str = "repos:\n  - repo: local\n    hooks:\n      - id: keyfence\n        name: keyfence\n        entry: keyfence staged\n        language: system\n        pass_filenames: false\n";

/// A repository that passes every lint: ignore rules, a hook, some code.
fn hygienic() -> TestRepo {
    let r = TestRepo::new();
    r.add(".gitignore", GITIGNORE);
    r.add(".pre-commit-config.yaml", PRE_COMMIT);
    r.add(
        "src/app.py",
        "import logging\n\nlogging.info(\"starting\")\n",
    );
    r.commit("initial");
    r
}

/// Runs `keyfence lint ROOT --format json ARGS`; returns the exit code and the report.
fn lint_json(root: &Path, args: &[&str]) -> (i32, Value) {
    let out = keyfence()
        .arg("lint")
        .arg(root)
        .args(["--format", "json"])
        .args(args)
        .output()
        .expect("runs");
    let code = out.status.code().expect("exit code");
    assert_ne!(
        code,
        2,
        "keyfence lint failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    (code, json(&out.stdout))
}

/// (rule id, path, line) of the findings of one lint.
fn of(report: &Value, rule: &str) -> Vec<(String, u64)> {
    findings(report)
        .into_iter()
        .filter(|(r, _, _)| r == rule)
        .map(|(_, p, l)| (p, l))
        .collect()
}

fn severity_of(report: &Value, rule: &str) -> Vec<String> {
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["rule_id"] == rule)
        .map(|f| f["severity"].as_str().expect("severity").to_string())
        .collect()
}

fn chmod(root: &Path, rel: &str, mode: u32) {
    std::fs::set_permissions(root.join(rel), std::fs::Permissions::from_mode(mode)).expect("chmod");
}

#[test]
fn a_hygienic_repository_is_clean() {
    let r = hygienic();
    let (code, report) = lint_json(r.path(), &[]);
    assert_eq!(findings(&report), vec![]);
    assert_eq!(code, 0);
    assert!(report["summary"]["files_scanned"].as_u64() >= Some(3));
}

#[test]
fn tracked_secret_file_fires_and_is_configurable() {
    let r = hygienic();
    r.add(".env.example", "DB_PASSWORD=\n");
    r.add("deploy/id_ed25519", "not really a key\n");
    // A tracked .env despite the ignore rules (staging by path bypasses them).
    r.add(".env", "DB_PASSWORD=\n");
    chmod(r.path(), ".env", 0o600);
    chmod(r.path(), "deploy/id_ed25519", 0o600);
    r.commit("oops");
    let (code, report) = lint_json(r.path(), &[]);
    assert_eq!(code, 1);
    assert_eq!(
        of(&report, "tracked-secret-file"),
        vec![(".env".into(), 1), ("deploy/id_ed25519".into(), 1)]
    );
    assert_eq!(
        severity_of(&report, "tracked-secret-file"),
        vec!["high", "high"]
    );
    assert_eq!(report["findings"][0]["kind"], "lint");

    r.write(
        ".keyfence.toml",
        "[lint]\nseverity = { tracked-secret-file = \"low\" }\n",
    );
    let (_, report) = lint_json(r.path(), &[]);
    assert_eq!(
        severity_of(&report, "tracked-secret-file"),
        vec!["low", "low"]
    );

    r.write(
        ".keyfence.toml",
        "[lint]\ndisable = [\"tracked-secret-file\"]\n",
    );
    let (code, report) = lint_json(r.path(), &[]);
    assert_eq!(of(&report, "tracked-secret-file"), vec![]);
    assert_eq!(code, 0, "{report}");
}

#[test]
fn gitignore_coverage_asks_the_ignore_rules() {
    let r = TestRepo::new();
    r.add(".pre-commit-config.yaml", PRE_COMMIT);
    r.add(".gitignore", "/.env\ntarget/\n");
    r.commit("initial");
    let (_, report) = lint_json(r.path(), &[]);
    let messages: Vec<&str> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["rule_id"] == "gitignore-coverage")
        .map(|f| f["message"].as_str().expect("message"))
        .collect();
    assert_eq!(messages.len(), 5, "{messages:?}");
    let env = messages
        .iter()
        .find(|m| m.contains("`.env`"))
        .expect(".env reported");
    assert!(
        env.contains("config/.env") && !env.contains(" .env,"),
        "{env}"
    );

    // The repository's own exclude file counts; comments and look-alikes in .gitignore do not.
    r.add(
        ".gitignore",
        "# .env *.pem *.key secrets.* .secrets/\n.env.sample\n",
    );
    r.commit("ignore");
    std::fs::write(
        r.path().join(".git/info/exclude"),
        ".env\n*.pem\n*.key\nsecrets.*\n.secrets/\n",
    )
    .expect("write exclude");
    let (code, report) = lint_json(r.path(), &[]);
    assert_eq!(of(&report, "gitignore-coverage"), vec![]);
    assert_eq!(code, 0, "{report}");
}

#[test]
fn secret_file_mode_checks_untracked_and_ignored_files() {
    let r = hygienic();
    r.add(".env.example", "TOKEN=\n");
    r.commit("example");
    r.write(".env", "TOKEN=x\n");
    r.write(".secrets/deploy.key", "k\n");
    chmod(r.path(), ".env", 0o644);
    chmod(r.path(), ".secrets/deploy.key", 0o600);
    let (code, report) = lint_json(r.path(), &[]);
    assert_eq!(code, 1);
    assert_eq!(of(&report, "secret-file-mode"), vec![(".env".into(), 1)]);
    chmod(r.path(), ".env", 0o600);
    let (code, report) = lint_json(r.path(), &[]);
    assert_eq!(of(&report, "secret-file-mode"), vec![]);
    assert_eq!(code, 0, "{report}");
}

#[test]
fn env_example_drift_names_keys_not_values() {
    let r = hygienic();
    let token = rand_str(21, 24, BASE62);
    r.add(".env.example", "DB_HOST=\nDB_PASSWORD=\nLEGACY=\n");
    r.commit("example");
    r.write(
        ".env",
        &format!("DB_HOST=db\nDB_PASSWORD=pw\nSTRIPE_TOKEN={token}\n"),
    );
    chmod(r.path(), ".env", 0o600);
    let out = keyfence()
        .arg("lint")
        .arg(r.path())
        .args(["--format", "json"])
        .output()
        .expect("runs");
    let report = json(&out.stdout);
    assert_eq!(
        of(&report, "env-example-drift"),
        vec![(".env".into(), 3), (".env.example".into(), 3)]
    );
    assert!(!String::from_utf8_lossy(&out.stdout).contains(&token));
}

#[test]
fn rotation_overdue_follows_the_manifest_and_policy() {
    let r = hygienic();
    let today = Date::today();
    let config = format!(
        "[rotation]\nmax_age_days = 90\n\n\
         [[rotation.secret]]\nname = \"payments-api\"\nlast_rotated = {}\nowner = \"payments-team\"\n\n\
         [[rotation.secret]]\nname = \"fresh\"\nlast_rotated = \"{}\"\n",
        today.add_days(-200),
        today.add_days(-3),
    );
    r.add(".keyfence.toml", &config);
    r.commit("manifest");
    let (code, report) = lint_json(r.path(), &[]);
    assert_eq!(code, 1);
    assert_eq!(
        of(&report, "rotation-overdue"),
        vec![(".keyfence.toml".into(), 6)]
    );
    let f = &report["findings"][0];
    assert!(
        f["message"].as_str().is_some_and(
            |m| m.contains("payments-api (owner: payments-team)") && m.contains("200 days ago")
        ),
        "{f}"
    );
    assert_eq!(f["severity"], "medium");

    r.add(
        ".keyfence.toml",
        &config.replace("max_age_days = 90", "max_age_days = 365"),
    );
    r.commit("longer policy");
    let (code, report) = lint_json(r.path(), &[]);
    assert_eq!(of(&report, "rotation-overdue"), vec![]);
    assert_eq!(code, 0, "{report}");
}

#[test]
fn baseline_review_reports_unreviewed_and_expired_acceptances() {
    let r = hygienic();
    let old = Date::today().add_days(-120);
    let recent = Date::today().add_days(-10);
    r.add(
        ".keyfence-baseline.json",
        &format!(
            "{{\"version\":1,\"entries\":[\n\
             {{\"fingerprint\":\"1111aaaa\",\"rule_id\":\"generic-password\",\"path\":\"a.yaml\",\"status\":\"unreviewed\"}},\n\
             {{\"fingerprint\":\"2222bbbb\",\"rule_id\":\"github-pat\",\"path\":\"b.py\",\"status\":\"accepted-risk\",\"reason\":\"test org\",\"reviewed_at\":\"{old}\"}},\n\
             {{\"fingerprint\":\"3333cccc\",\"rule_id\":\"github-pat\",\"path\":\"c.py\",\"status\":\"accepted-risk\",\"reason\":\"test org\",\"reviewed_at\":\"{recent}\"}},\n\
             {{\"fingerprint\":\"4444dddd\",\"rule_id\":\"github-pat\",\"path\":\"d.py\",\"status\":\"false-positive\"}},\n\
             null]}}\n"
        ),
    );
    r.commit("baseline");
    let (code, report) = lint_json(r.path(), &[]);
    assert_eq!(code, 1);
    assert_eq!(
        of(&report, "baseline-review"),
        vec![
            (".keyfence-baseline.json".into(), 2),
            (".keyfence-baseline.json".into(), 3)
        ]
    );
}

#[test]
fn lint_findings_recorded_in_the_baseline_are_not_reported() {
    let r = hygienic();
    r.add(".env", "A=1\n");
    chmod(r.path(), ".env", 0o600);
    r.add(".env.example", "A=\n");
    r.commit("env");
    let (code, report) = lint_json(r.path(), &[]);
    assert_eq!(code, 1);
    let f = &report["findings"][0];
    assert_eq!(f["rule_id"], "tracked-secret-file");
    let fingerprint = f["location_fingerprint"].as_str().expect("fingerprint");
    let file = r.path().join("reviewed.json");
    std::fs::write(
        &file,
        format!(
            "{{\"version\":1,\"entries\":[\n{{\"fingerprint\":\"{fingerprint}\",\"rule_id\":\"tracked-secret-file\",\"path\":\".env\",\"status\":\"accepted-risk\",\"reason\":\"demo values only\",\"reviewed_at\":\"{}\"}},\nnull]}}\n",
            Date::today()
        ),
    )
    .expect("write baseline");
    let (code, report) = lint_json(r.path(), &["--baseline", file.to_str().expect("utf-8")]);
    assert_eq!(findings(&report), vec![]);
    assert_eq!(code, 0);
}

#[test]
fn content_lints_report_path_and_line_and_obey_markers_and_allowlists() {
    let r = hygienic();
    r.add(
        "src/client.py",
        "import logging\nimport requests\n\n\
         def fetch(url, api_key, token_count):\n\
         \x20   logging.info(\"fetching with %s\", api_key)\n\
         \x20   logging.info(\"%d tokens\", token_count)\n\
         \x20   return requests.get(url, verify=False)\n",
    );
    r.add("scripts/dev.sh", "#!/bin/sh\n# keyfence:allow tls-verification-disabled reason=\"local proxy\"\ncurl -k https://localhost:8443/health\n");
    r.add("tests/test_client.py", "print(password)\n");
    r.add(
        ".keyfence.toml",
        "[[allowlist.scoped]]\nrule_ids = [\"secret-logged\"]\npaths = [\"tests/**\"]\n",
    );
    r.commit("client");
    let (code, report) = lint_json(r.path(), &[]);
    assert_eq!(code, 1);
    assert_eq!(
        findings(&report),
        vec![
            ("secret-logged".into(), "src/client.py".into(), 5),
            (
                "tls-verification-disabled".into(),
                "src/client.py".into(),
                7
            ),
        ]
    );
}

#[test]
fn scanning_not_enforced_until_a_hook_or_ci_runs_a_scanner() {
    let r = TestRepo::new();
    r.add(".gitignore", GITIGNORE);
    r.add(".pre-commit-config.yaml", "repos:\n  - repo: https://github.com/psf/black\n    rev: 24.1.0\n    hooks: [{id: black}]\n");
    r.commit("initial");
    let (code, report) = lint_json(r.path(), &[]);
    assert_eq!(code, 1);
    assert_eq!(
        of(&report, "scanning-not-enforced"),
        vec![(".pre-commit-config.yaml".into(), 1)]
    );
    r.add(
        ".github/workflows/secrets.yml",
        "on: push\njobs:\n  scan:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - run: keyfence git --format sarif -o keyfence.sarif\n",
    );
    r.commit("ci");
    let (code, report) = lint_json(r.path(), &[]);
    assert_eq!(code, 0, "{report}");
}

#[test]
fn sarif_carries_lint_rule_entries_with_their_severities() {
    let r = hygienic();
    r.add(".env", "A=1\n");
    chmod(r.path(), ".env", 0o600);
    r.add("src/log.js", "console.log(`token ${token}`);\n");
    r.add(
        ".keyfence.toml",
        "[lint]\nseverity = { secret-logged = \"critical\" }\n",
    );
    r.commit("lints");
    let out = keyfence()
        .arg("lint")
        .arg(r.path())
        .args(["--format", "sarif"])
        .assert()
        .code(1)
        .get_output()
        .clone();
    let log = json(&out.stdout);
    let run = &log["runs"][0];
    assert_eq!(run["automationDetails"]["id"], "keyfence/lint/");
    let rules = run["tool"]["driver"]["rules"].as_array().expect("rules");
    let rule = |id: &str| {
        rules
            .iter()
            .find(|r| r["id"] == id)
            .unwrap_or_else(|| panic!("no rule entry for {id}: {rules:?}"))
    };
    assert_eq!(
        rule("tracked-secret-file")["properties"]["security-severity"],
        "8.0"
    );
    assert_eq!(
        rule("secret-logged")["properties"]["security-severity"],
        "9.5"
    );
    assert!(rule("secret-logged")["helpUri"]
        .as_str()
        .is_some_and(|u| u.ends_with("docs/lint.md#secret-logged")));
    let results = run["results"].as_array().expect("results");
    let logged = results
        .iter()
        .find(|r| r["ruleId"] == "secret-logged")
        .expect("secret-logged result");
    assert_eq!(logged["level"], "error");
    assert_eq!(
        logged["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "src/log.js"
    );
    assert!(logged["partialFingerprints"].is_object());
}

#[test]
fn outside_a_repository_the_git_lints_stay_quiet() {
    let dir = tree(&[
        (".env", "A=1\n"),
        (".env.example", "A=\n"),
        ("app.py", "import requests\nrequests.get(u, verify=False)\n"),
    ]);
    chmod(dir.path(), ".env", 0o644);
    let (code, report) = lint_json(dir.path(), &[]);
    assert_eq!(code, 1);
    let rules: Vec<String> = findings(&report).into_iter().map(|(r, _, _)| r).collect();
    assert_eq!(
        rules,
        vec![
            "secret-file-mode",
            "scanning-not-enforced",
            "tls-verification-disabled"
        ]
    );
}

#[test]
fn the_rotation_report_lists_what_needs_rotation() {
    let r = hygienic();
    let today = Date::today();
    r.add(
        ".keyfence.toml",
        &format!(
            "[rotation]\nwarn_before_days = 14\n\n\
             [[rotation.secret]]\nname = \"payments-api\"\nlast_rotated = {}\nowner = \"payments-team\"\n\n\
             [[rotation.secret]]\nname = \"db\"\nlast_rotated = {}\n\n\
             [[rotation.secret]]\nname = \"signing\"\nlast_rotated = {}\n",
            today.add_days(-100),
            today.add_days(-80),
            today.add_days(-5),
        ),
    );
    r.commit("manifest");
    let out = keyfence()
        .arg("lint")
        .arg(r.path())
        .args(["--report", "rotation", "--format", "json"])
        .assert()
        .code(1)
        .get_output()
        .clone();
    let report = json(&out.stdout);
    assert_eq!(report["policy"]["max_age_days"], 90);
    assert_eq!(report["policy"]["warn_before_days"], 14);
    assert_eq!(report["total_secrets"], 3);
    assert_eq!(
        report["by_status"],
        serde_json::json!({"current": 1, "expiring": 1, "expired": 1, "revoked": 0})
    );
    let needs = &report["needs_rotation"][0];
    assert_eq!(needs["name"], "payments-api");
    assert_eq!(needs["owner"], "payments-team");
    assert_eq!(needs["age_days"], 100);
    assert_eq!(report["expiring_soon"][0]["name"], "db");
    assert!(report["generated_at"]
        .as_str()
        .is_some_and(|s| s.ends_with('Z')));

    let out_file = r.path().join("rotation.txt");
    keyfence()
        .arg("lint")
        .arg(r.path())
        .args(["--report", "rotation", "-o"])
        .arg(&out_file)
        .assert()
        .code(1)
        .stdout(predicate::str::is_empty());
    let text = std::fs::read_to_string(&out_file).expect("report written");
    assert!(
        text.contains("3 secrets: 1 current, 1 expiring, 1 expired, 0 revoked"),
        "{text}"
    );
    assert!(text.contains("STATUS"), "{text}");
    assert!(text.contains("payments-team"), "{text}");

    keyfence()
        .arg("lint")
        .arg(r.path())
        .args(["--report", "rotation", "--format", "sarif"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--format text or --format json"));
}

#[test]
fn bad_configuration_and_paths_exit_2_naming_them() {
    let r = hygienic();
    r.write(".keyfence.toml", "[lint]\ndisable = [\"no-such-lint\"]\n");
    keyfence()
        .arg("lint")
        .arg(r.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            ".keyfence.toml: lint.disable: unknown lint id 'no-such-lint'",
        ));
    keyfence()
        .args(["lint", "/nonexistent/keyfence-lint-test"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "/nonexistent/keyfence-lint-test: no such file or directory",
        ));
}

#[test]
fn list_names_every_lint() {
    let out = keyfence()
        .args(["lint", "--list"])
        .assert()
        .success()
        .get_output()
        .clone();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(text.lines().count(), 11, "{text}");
    for id in [
        "tracked-secret-file",
        "gitignore-coverage",
        "secret-file-mode",
        "env-example-drift",
        "secret-age",
        "secret-in-history",
        "rotation-overdue",
        "baseline-review",
        "secret-logged",
        "tls-verification-disabled",
        "scanning-not-enforced",
    ] {
        assert!(text.contains(id), "{id} missing from:\n{text}");
    }
}

/// Seconds since the epoch, `days` days ago.
fn days_ago(days: i64) -> i64 {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock after 1970")
        .as_secs() as i64;
    now - days * 86_400
}

/// A hygienic repository whose first commit is a year old.
fn old_repo() -> TestRepo {
    let r = TestRepo::new();
    r.add(".gitignore", GITIGNORE);
    r.add(".pre-commit-config.yaml", PRE_COMMIT);
    r.commit_at("initial", days_ago(365));
    r
}

#[test]
fn secret_age_dates_secrets_by_their_first_commit() {
    let r = old_repo();
    let old = github_token(41, "ghp_");
    let fresh = github_token(42, "ghp_");
    r.add(
        "src/settings.py",
        &format!("DEBUG = False\nGITHUB_TOKEN = \"{old}\"\n"),
    );
    r.commit_at("settings", days_ago(200));
    r.add(
        "src/settings.py",
        &format!("DEBUG = True\nGITHUB_TOKEN = \"{old}\"\n"),
    );
    r.commit_at("debug", days_ago(150));
    r.add("src/new.py", &format!("TOKEN = \"{fresh}\"\n"));
    r.commit_at("new", days_ago(10));
    let out = keyfence()
        .arg("lint")
        .arg(r.path())
        .args(["--format", "json"])
        .output()
        .expect("runs");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(!stdout.contains(&old) && !stdout.contains(&fresh));
    let report = json(&out.stdout);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        of(&report, "secret-age"),
        vec![("src/settings.py".into(), 2)]
    );
    let f = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["rule_id"] == "secret-age")
        .expect("secret-age");
    assert_eq!(f["severity"], "high");
    assert_eq!(f["commit"]["path"], "src/settings.py");
    assert!(
        f["message"]
            .as_str()
            .is_some_and(|m| m.contains("200 days ago")),
        "{f}"
    );
    assert!(f["secret_redacted"].as_str().is_some());

    // Within the warning window of a 205-day policy: one level lower.
    r.write(
        ".keyfence.toml",
        "[rotation]\nmax_age_days = 205\nwarn_before_days = 14\n",
    );
    let (_, report) = lint_json(r.path(), &[]);
    assert_eq!(severity_of(&report, "secret-age"), vec!["medium"]);
    // A year-long policy: nothing is due.
    r.write(".keyfence.toml", "[rotation]\nmax_age_days = 365\n");
    let (_, report) = lint_json(r.path(), &[]);
    assert_eq!(of(&report, "secret-age"), vec![]);
}

#[test]
fn secret_in_history_until_the_baseline_says_revoked() {
    let r = old_repo();
    let token = github_token(43, "ghp_");
    r.add(
        "config/old.py",
        &format!("# old settings\n\nTOKEN = \"{token}\"\n"),
    );
    r.commit_at("add", days_ago(30));
    r.remove("config/old.py");
    r.commit_at("remove the token", days_ago(20));
    let (code, report) = lint_json(r.path(), &[]);
    assert_eq!(code, 1);
    assert_eq!(
        of(&report, "secret-in-history"),
        vec![("config/old.py".into(), 3)]
    );
    assert_eq!(of(&report, "secret-age"), vec![]);

    // The rotation report lists it as needing rotation.
    let out = keyfence()
        .arg("lint")
        .arg(r.path())
        .args(["--report", "rotation", "--format", "json"])
        .assert()
        .code(1)
        .get_output()
        .clone();
    let rotation = json(&out.stdout);
    assert_eq!(rotation["history_scanned"], true);
    assert_eq!(rotation["needs_rotation"][0]["source"], "history");
    assert_eq!(rotation["needs_rotation"][0]["rule"], "github-pat");
    assert_eq!(rotation["by_status"]["expired"], 1);

    let sha = keyfence::finding::Secret::new(token.as_str()).sha256();
    let fingerprint = Finding::location_fingerprint_for(
        &Finding::secret_fingerprint("github-pat", &sha),
        "config/old.py",
    );
    r.write(
        ".keyfence-baseline.json",
        &format!(
            "{{\"version\":1,\"entries\":[\n{{\"fingerprint\":\"{fingerprint}\",\"rule_id\":\"github-pat\",\"path\":\"config/old.py\",\"secret_sha256\":\"{sha}\",\"status\":\"revoked\",\"reviewed_at\":\"{}\"}},\nnull]}}\n",
            Date::today()
        ),
    );
    let (code, report) = lint_json(r.path(), &[]);
    assert_eq!(of(&report, "secret-in-history"), vec![]);
    assert_eq!(code, 0, "{report}");
}
