//! The GitHub Action's scripts, run as the action runs them: `install.sh`
//! (with the already built binary instead of a cargo build) and `run.sh`,
//! with the `GITHUB_*` variables pointing at a temporary repository.

use super::sarif::assert_github_accepts;
use super::*;
use crate::common::{github_token, password};
use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Output};
use tempfile::TempDir;

/// A fake runner: a workspace holding a repository, RUNNER_TEMP, and the
/// files the runner reads back (GITHUB_OUTPUT, GITHUB_STEP_SUMMARY, GITHUB_PATH).
struct Runner {
    dir: TempDir,
}

/// What one script run left behind.
struct Step {
    code: i32,
    stdout: String,
    stderr: String,
    outputs: BTreeMap<String, String>,
    summary: String,
}

impl Step {
    fn output(&self, name: &str) -> &str {
        self.outputs
            .get(name)
            .map(String::as_str)
            .unwrap_or_else(|| panic!("no output {name} in {:?}\n{}", self.outputs, self.log()))
    }

    fn log(&self) -> String {
        format!("stdout:\n{}\nstderr:\n{}", self.stdout, self.stderr)
    }
}

impl Runner {
    fn new() -> Runner {
        let dir = TempDir::new().expect("tempdir");
        for d in ["workspace/repo", "temp", "tool-cache"] {
            std::fs::create_dir_all(dir.path().join(d)).expect("mkdir");
        }
        git(
            &dir.path().join("workspace/repo"),
            &["init", "-q", "-b", "main"],
        );
        Runner { dir }
    }

    fn repo(&self) -> std::path::PathBuf {
        self.dir.path().join("workspace/repo")
    }

    fn commit(&self, files: &[(&str, &str)], message: &str) -> String {
        for (p, c) in files {
            crate::common::write(&self.repo(), p, c);
            git(&self.repo(), &["add", p]);
        }
        git(&self.repo(), &["commit", "-q", "-m", message]);
        git(&self.repo(), &["rev-parse", "HEAD"])
    }

    fn event(&self, json: serde_json::Value) -> std::path::PathBuf {
        let p = self.dir.path().join("event.json");
        std::fs::write(&p, serde_json::to_vec(&json).expect("json")).expect("event");
        p
    }

    /// Runs `action/<script>` as a composite step would: from the workspace,
    /// with the step's env and fresh output files.
    fn run(&self, script: &str, args: &[&str], env: &[(&str, &str)]) -> Step {
        let files = ["output", "summary", "path"].map(|f| self.dir.path().join(f));
        for f in &files {
            std::fs::write(f, "").expect("reset");
        }
        let mut cmd = Command::new("bash");
        cmd.arg(repo_root().join("action").join(script))
            .args(args)
            .current_dir(self.dir.path().join("workspace"))
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", self.dir.path())
            .envs(git_env())
            .env("GITHUB_ACTIONS", "true")
            .env("GITHUB_ACTION_PATH", repo_root())
            .env("GITHUB_WORKSPACE", self.dir.path().join("workspace"))
            .env("GITHUB_OUTPUT", &files[0])
            .env("GITHUB_STEP_SUMMARY", &files[1])
            .env("GITHUB_PATH", &files[2])
            .env("RUNNER_TEMP", self.dir.path().join("temp"))
            .env("RUNNER_TOOL_CACHE", self.dir.path().join("tool-cache"))
            .env("RUNNER_OS", "Linux")
            .env("RUNNER_ARCH", "X64");
        for (k, v) in env {
            cmd.env(k, v);
        }
        let out: Output = cmd.output().expect("bash runs");
        let outputs = std::fs::read_to_string(&files[0])
            .expect("GITHUB_OUTPUT")
            .lines()
            .filter_map(|l| l.split_once('='))
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Step {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
            outputs,
            summary: std::fs::read_to_string(&files[1]).expect("summary"),
        }
    }

    /// `install.sh key` then `install.sh install` with the built binary; returns its path.
    fn install(&self) -> String {
        let key = self.run("install.sh", &["key"], &[]);
        assert_eq!(key.code, 0, "{}", key.log());
        let dir = key.output("dir").to_string();
        assert!(dir.starts_with(&self.dir.path().join("tool-cache").display().to_string()));
        assert!(key.output("key").starts_with(&format!(
            "keyfence-{}-Linux-X64-",
            env!("CARGO_PKG_VERSION")
        )));
        let bin = keyfence_bin();
        let step = self.run(
            "install.sh",
            &["install"],
            &[
                ("KEYFENCE_INSTALL_DIR", &dir),
                ("KEYFENCE_ACTION_BINARY", bin.to_str().expect("utf-8")),
            ],
        );
        assert_eq!(step.code, 0, "{}", step.log());
        let installed = step.output("binary").to_string();
        assert_eq!(installed, format!("{dir}/bin/keyfence"));
        let path = std::fs::read_to_string(self.dir.path().join("path")).expect("GITHUB_PATH");
        assert_eq!(path.trim(), format!("{dir}/bin"));
        // A second install finds the binary the cache restored and skips cargo.
        let again = self.run(
            "install.sh",
            &["install"],
            &[("KEYFENCE_INSTALL_DIR", &dir)],
        );
        assert_eq!(again.code, 0, "{}", again.log());
        assert!(
            again.stdout.contains("restored from the cache"),
            "{}",
            again.log()
        );
        installed
    }

    fn scan(&self, keyfence: &str, env: &[(&str, &str)]) -> Step {
        let mut all = vec![("KEYFENCE", keyfence), ("KEYFENCE_PATH", "repo")];
        all.extend_from_slice(env);
        self.run("run.sh", &[], &all)
    }
}

fn short(sha: &str) -> &str {
    &sha[..12]
}

fn sarif_results(step: &Step) -> (serde_json::Value, Vec<serde_json::Value>) {
    let path = step.output("sarif-file");
    assert!(Path::new(path).is_absolute(), "{path}");
    let raw = std::fs::read(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let log = assert_github_accepts(&raw);
    let results = log["runs"][0]["results"]
        .as_array()
        .expect("results")
        .clone();
    (log, results)
}

#[test]
fn a_pull_request_scan_covers_every_commit_of_the_pr_including_merges() {
    let r = Runner::new();
    let bin = r.install();
    // main: a secret from before the pull request (not its business).
    let old = github_token(71, "ghp_");
    r.commit(&[("old.py", &format!("T = \"{old}\"\n"))], "old leak");
    let base = r.commit(&[("README.md", "# demo\n")], "readme");
    // The pull request: one commit adds a secret, then main is merged in and
    // the merge itself adds another one.
    git(&r.repo(), &["checkout", "-q", "-b", "feature"]);
    let in_commit = github_token(72, "ghp_");
    let c1 = r.commit(
        &[("src/app.py", &format!("TOKEN = \"{in_commit}\"\n"))],
        "feature",
    );
    git(&r.repo(), &["checkout", "-q", "main"]);
    r.commit(&[("CHANGELOG.md", "# changes\n")], "changelog");
    git(&r.repo(), &["checkout", "-q", "feature"]);
    git(
        &r.repo(),
        &["merge", "-q", "--no-ff", "--no-commit", "main"],
    );
    let in_merge = password(73);
    crate::common::write(
        &r.repo(),
        "deploy/prod.env",
        &format!("DB_PASSWORD={in_merge}\n"),
    );
    git(&r.repo(), &["add", "deploy/prod.env"]);
    git(&r.repo(), &["commit", "-q", "-m", "merge main"]);
    let head = git(&r.repo(), &["rev-parse", "HEAD"]);
    let event = r.event(serde_json::json!({
        "action": "synchronize",
        "number": 7,
        "pull_request": {"number": 7, "base": {"sha": base, "ref": "main"}, "head": {"sha": head, "ref": "feature"}}
    }));
    let env = [
        ("GITHUB_EVENT_NAME", "pull_request"),
        ("GITHUB_EVENT_PATH", event.to_str().expect("utf-8")),
    ];
    let step = r.scan(&bin, &env);
    assert_eq!(
        step.code,
        1,
        "findings fail the step by default\n{}",
        step.log()
    );
    assert_eq!(step.output("exit-code"), "1");
    assert_eq!(step.output("findings"), "2", "{}", step.log());
    assert_eq!(step.output("kind"), "pull-request");
    assert_eq!(step.output("range"), format!("{base}..{head}"));
    assert_eq!(
        step.output("checkout-path"),
        r.repo().canonicalize().expect("path").display().to_string()
    );
    let (log, results) = sarif_results(&step);
    assert_eq!(
        log["runs"][0]["automationDetails"]["id"],
        "keyfence/pull-request/"
    );
    let mut seen: Vec<(String, String)> = results
        .iter()
        .map(|x| {
            (
                x["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                    .as_str()
                    .expect("uri")
                    .to_string(),
                x["properties"]["commit"]["id"]
                    .as_str()
                    .expect("a commit")
                    .to_string(),
            )
        })
        .collect();
    seen.sort();
    assert_eq!(
        seen,
        vec![
            ("deploy/prod.env".to_string(), head.clone()),
            ("src/app.py".to_string(), c1.clone())
        ]
    );
    // The job summary: a table of findings, redacted, with their commits.
    let s = &step.summary;
    assert!(s.contains("### keyfence: 2 findings"), "{s}");
    assert!(
        s.contains("| Rule | Location | Secret (redacted) | Commit |"),
        "{s}"
    );
    assert!(
        s.contains("`src/app.py:1`") && s.contains("`deploy/prod.env:1`"),
        "{s}"
    );
    assert!(s.contains(&format!("`{}`", short(&c1))), "{s}");
    assert!(s.contains(&format!("`{}`", short(&head))), "{s}");
    assert!(s.contains("`ghp_"), "the redacted prefix is shown: {s}");
    for plain in [&old, &in_commit, &in_merge] {
        for (what, text) in [
            ("summary", s.as_str()),
            ("stdout", step.stdout.as_str()),
            ("stderr", step.stderr.as_str()),
        ] {
            assert!(!text.contains(plain.as_str()), "plaintext in the {what}");
        }
        let sarif = std::fs::read_to_string(step.output("sarif-file")).expect("sarif");
        assert!(!sarif.contains(plain.as_str()), "plaintext in the SARIF");
    }
    assert!(
        !s.contains("old.py"),
        "a secret from before the PR was reported"
    );

    // fail-on-findings: false reports but passes.
    let step = r.scan(
        &bin,
        &[env[0], env[1], ("KEYFENCE_FAIL_ON_FINDINGS", "false")],
    );
    assert_eq!(step.code, 0, "{}", step.log());
    assert_eq!(step.output("findings"), "2");
    assert_eq!(step.output("exit-code"), "1");
    assert!(step.stdout.contains("::warning"), "{}", step.log());
}

#[test]
fn a_clean_pull_request_passes_with_an_empty_table() {
    let r = Runner::new();
    let bin = r.install();
    let base = r.commit(&[("README.md", "# demo\n")], "readme");
    let head = r.commit(&[("src/lib.rs", "pub fn f() {}\n")], "code");
    let event = r.event(serde_json::json!({
        "pull_request": {"base": {"sha": base}, "head": {"sha": head}}
    }));
    let step = r.scan(
        &bin,
        &[
            ("GITHUB_EVENT_NAME", "pull_request"),
            ("GITHUB_EVENT_PATH", event.to_str().expect("utf-8")),
            ("KEYFENCE_SARIF_FILE", "reports/keyfence.sarif"),
        ],
    );
    assert_eq!(step.code, 0, "{}", step.log());
    assert_eq!(step.output("findings"), "0");
    assert_eq!(step.output("exit-code"), "0");
    assert_eq!(
        step.output("sarif-file"),
        r.dir
            .path()
            .join("workspace/reports/keyfence.sarif")
            .canonicalize()
            .expect("written")
            .display()
            .to_string()
    );
    let (_, results) = sarif_results(&step);
    assert!(results.is_empty());
    assert!(
        step.summary.contains("### keyfence: no findings"),
        "{}",
        step.summary
    );
}

#[test]
fn a_push_scans_the_pushed_range_and_a_new_branch_its_whole_history() {
    let r = Runner::new();
    let bin = r.install();
    let early = github_token(74, "ghp_");
    r.commit(&[("early.py", &format!("T = \"{early}\"\n"))], "early leak");
    let before = r.commit(&[("README.md", "# demo\n")], "readme");
    let pushed = github_token(75, "ghp_");
    let after = r.commit(&[("app.py", &format!("T = \"{pushed}\"\n"))], "leak");
    let push = |before: &str| {
        let event = r
            .event(serde_json::json!({"before": before, "after": after, "ref": "refs/heads/main"}));
        r.scan(
            &bin,
            &[
                ("GITHUB_EVENT_NAME", "push"),
                ("GITHUB_EVENT_PATH", event.to_str().expect("utf-8")),
                ("KEYFENCE_FAIL_ON_FINDINGS", "false"),
            ],
        )
    };
    let step = push(&before);
    assert_eq!(step.code, 0, "{}", step.log());
    assert_eq!(step.output("kind"), "push");
    assert_eq!(step.output("range"), format!("{before}..{after}"));
    assert_eq!(step.output("findings"), "1", "{}", step.summary);
    assert!(step.summary.contains("`app.py:1`"), "{}", step.summary);
    let step = push(&"0".repeat(40));
    assert_eq!(step.output("findings"), "2", "{}", step.log());
    assert!(step.summary.contains("`early.py:1`"), "{}", step.summary);
}

#[test]
fn a_scheduled_run_scans_the_full_history() {
    let r = Runner::new();
    let bin = r.install();
    let token = github_token(76, "ghp_");
    r.commit(&[("a.py", &format!("T = \"{token}\"\n"))], "leak");
    r.commit(&[("a.py", "T = None\n")], "remove");
    let event = r.event(serde_json::json!({"schedule": "17 3 * * *"}));
    let step = r.scan(
        &bin,
        &[
            ("GITHUB_EVENT_NAME", "schedule"),
            ("GITHUB_EVENT_PATH", event.to_str().expect("utf-8")),
        ],
    );
    assert_eq!(step.code, 1, "{}", step.log());
    assert_eq!(step.output("kind"), "history");
    assert_eq!(step.output("findings"), "1");
    let (log, _) = sarif_results(&step);
    assert_eq!(
        log["runs"][0]["automationDetails"]["id"],
        "keyfence/history/"
    );
}

#[test]
fn a_shallow_clone_fails_with_a_hint_to_fetch_the_whole_history() {
    let r = Runner::new();
    let bin = r.install();
    let base = r.commit(&[("a.txt", "one\n")], "one");
    let head = r.commit(&[("a.txt", "two\n")], "two");
    let src = format!("file://{}", r.repo().display());
    git(
        &r.dir.path().join("workspace"),
        &["clone", "-q", "--depth", "1", &src, "shallow"],
    );
    let event = r.event(serde_json::json!({
        "pull_request": {"base": {"sha": base}, "head": {"sha": head}}
    }));
    for (mode, event_name) in [("auto", "pull_request"), ("git", "workflow_dispatch")] {
        let step = r.run(
            "run.sh",
            &[],
            &[
                ("KEYFENCE", &bin),
                ("KEYFENCE_PATH", "shallow"),
                ("KEYFENCE_MODE", mode),
                ("GITHUB_EVENT_NAME", event_name),
                ("GITHUB_EVENT_PATH", event.to_str().expect("utf-8")),
            ],
        );
        assert_eq!(step.code, 2, "{mode}: {}", step.log());
        assert!(
            step.stdout.contains("::error") && step.stdout.contains("fetch-depth: 0"),
            "{mode}: {}",
            step.log()
        );
    }
}

#[test]
fn scan_mode_reports_paths_from_the_repository_root() {
    let r = Runner::new();
    let bin = r.install();
    let pw = password(77);
    r.commit(
        &[
            ("services/api/.env", &format!("DB_PASSWORD={pw}\n")),
            ("README.md", "# demo\n"),
        ],
        "init",
    );
    let step = r.scan(
        &bin,
        &[
            ("KEYFENCE_MODE", "scan"),
            ("KEYFENCE_PATH", "repo/services"),
            ("KEYFENCE_CATEGORY", "secrets/services"),
            ("KEYFENCE_ARGS", "--threads 1"),
        ],
    );
    assert_eq!(step.code, 1, "{}", step.log());
    let (log, results) = sarif_results(&step);
    assert_eq!(
        log["runs"][0]["automationDetails"]["id"],
        "secrets/services/"
    );
    assert_eq!(
        results[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "services/api/.env"
    );
    assert!(
        step.summary.contains("`services/api/.env:1`"),
        "{}",
        step.summary
    );
    assert!(!step.summary.contains(&pw));
}

#[test]
fn bad_inputs_fail_clearly_without_running_a_scan() {
    let r = Runner::new();
    let bin = r.install();
    r.commit(&[("a.txt", "one\n")], "one");
    for (env, says) in [
        (
            ("KEYFENCE_ARGS", "--show-secrets"),
            "--show-secrets is refused",
        ),
        (("KEYFENCE_ARGS", "--format json"), "set by the action"),
        (("KEYFENCE_MODE", "everything"), "mode: expected"),
        (("KEYFENCE_FAIL_ON_FINDINGS", "maybe"), "fail-on-findings"),
        (
            ("KEYFENCE_BASELINE", "missing.json"),
            "missing.json: no such file",
        ),
    ] {
        let step = r.scan(&bin, &[("KEYFENCE_MODE", "scan"), env]);
        assert_eq!(step.code, 2, "{env:?}: {}", step.log());
        assert!(step.stdout.contains(says), "{env:?}: {}", step.log());
        assert!(!step.outputs.contains_key("sarif-file"), "{env:?}");
    }
}

#[test]
fn the_baseline_input_leaves_out_reviewed_findings() {
    let r = Runner::new();
    let bin = r.install();
    let pw = password(78);
    r.commit(
        &[("config/app.env", &format!("DB_PASSWORD={pw}\n"))],
        "init",
    );
    let baseline = r.dir.path().join("workspace/ci/keyfence-baseline.json");
    std::fs::create_dir_all(baseline.parent().expect("parent")).expect("mkdir");
    let out = Command::new(&bin)
        .args(["baseline", "create"])
        .arg(r.repo())
        .arg("--baseline")
        .arg(&baseline)
        .args(["--reviewer", "ci@example.org"])
        .envs(git_env())
        .output()
        .expect("keyfence runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let env = [("KEYFENCE_MODE", "scan")];
    let step = r.scan(&bin, &env);
    assert_eq!(step.output("findings"), "1", "{}", step.log());
    let step = r.scan(
        &bin,
        &[env[0], ("KEYFENCE_BASELINE", "ci/keyfence-baseline.json")],
    );
    assert_eq!(step.code, 0, "{}", step.log());
    assert_eq!(step.output("findings"), "0");
    assert!(
        step.stdout.contains("--baseline ci/keyfence-baseline.json"),
        "{}",
        step.log()
    );
}
