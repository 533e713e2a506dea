//! pre-commit, installed from PyPI into a virtual environment, running this
//! repository's hooks in a throwaway repository.
//!
//! Two ways in:
//! - the manifest's hooks as a `repo: local` config whose entries call the
//!   binary under test (fast; same ids, entries, stages and options), driven
//!   by real `git commit` and `git push` through pre-commit's installed hooks;
//! - `pre-commit try-repo` on this repository with `language: rust`, which
//!   makes pre-commit build keyfence with `cargo install` exactly as a user's
//!   machine does. Its cargo target directory is kept under the test target
//!   directory so later runs rebuild only keyfence itself, and its release
//!   profile is relaxed (no LTO, no optimisation) to save minutes.
//!
//! The virtual environment lives under `CARGO_TARGET_TMPDIR` and is reused
//! while its marker names the pinned pre-commit version. Without network
//! access to PyPI these tests print a note and pass, unless
//! `KEYFENCE_REQUIRE_PRE_COMMIT=1` makes that a failure.

use super::*;
use crate::common::{github_token, password, write};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;
use tempfile::TempDir;

/// The pre-commit release the tests install.
const PRE_COMMIT_VERSION: &str = "4.7.0";

/// The virtual environment's python with pre-commit installed, or `None`
/// (after printing why) when PyPI cannot be reached.
fn pre_commit_python() -> Option<&'static Path> {
    static PYTHON: OnceLock<Option<PathBuf>> = OnceLock::new();
    PYTHON
        .get_or_init(|| {
            let root = Path::new(env!("CARGO_TARGET_TMPDIR")).join("pre-commit-venv");
            let python = root.join("bin/python");
            let marker = root.join(format!(".keyfence-pre-commit-{PRE_COMMIT_VERSION}"));
            if marker.exists() && python.exists() {
                return Some(python);
            }
            let _ = std::fs::remove_dir_all(&root);
            let step = |cmd: &mut Command, what: &str| -> bool {
                match cmd.output() {
                    Ok(o) if o.status.success() => true,
                    Ok(o) => {
                        eprintln!(
                            "note: {what} failed; skipping the pre-commit tests\n{}{}",
                            String::from_utf8_lossy(&o.stdout),
                            String::from_utf8_lossy(&o.stderr)
                        );
                        false
                    }
                    Err(e) => {
                        eprintln!("note: {what}: {e}; skipping the pre-commit tests");
                        false
                    }
                }
            };
            let ok = step(
                Command::new("python3").args(["-m", "venv"]).arg(&root),
                "python3 -m venv",
            ) && step(
                Command::new(&python).args([
                    "-m",
                    "pip",
                    "install",
                    "--quiet",
                    "--disable-pip-version-check",
                    "--timeout",
                    "30",
                    &format!("pre-commit=={PRE_COMMIT_VERSION}"),
                ]),
                "pip install pre-commit (is PyPI reachable?)",
            );
            if !ok {
                assert!(
                    std::env::var_os("KEYFENCE_REQUIRE_PRE_COMMIT").is_none(),
                    "KEYFENCE_REQUIRE_PRE_COMMIT is set and pre-commit could not be installed"
                );
                return None;
            }
            std::fs::write(&marker, "").expect("marker");
            Some(python)
        })
        .as_deref()
}

/// A consumer repository with its own pre-commit cache.
struct Consumer {
    dir: TempDir,
    python: &'static Path,
}

impl Consumer {
    fn new(python: &'static Path) -> Consumer {
        let dir = TempDir::new().expect("tempdir");
        std::fs::create_dir_all(dir.path().join("work")).expect("mkdir");
        let c = Consumer { dir, python };
        c.git(&["init", "-q", "-b", "main"]);
        c
    }

    fn path(&self) -> PathBuf {
        self.dir.path().join("work")
    }

    fn env(&self, cmd: &mut Command) {
        cmd.env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", self.dir.path())
            .env("PRE_COMMIT_HOME", self.dir.path().join("pre-commit-home"))
            .env("PRE_COMMIT_COLOR", "never")
            .envs(git_env());
        for k in ["CARGO_HOME", "RUSTUP_HOME", "RUSTUP_TOOLCHAIN"] {
            if let Some(v) = std::env::var_os(k) {
                cmd.env(k, v);
            }
        }
        if std::env::var_os("CARGO_HOME").is_none() {
            if let Some(home) = std::env::var_os("HOME") {
                cmd.env("CARGO_HOME", Path::new(&home).join(".cargo"));
                cmd.env("RUSTUP_HOME", Path::new(&home).join(".rustup"));
            }
        }
    }

    /// Runs a command in the repository; returns (success, stdout + stderr).
    fn run(&self, program: &Path, args: &[&str], extra: &[(&str, &str)]) -> (bool, String) {
        let mut cmd = Command::new(program);
        cmd.args(args).current_dir(self.path());
        self.env(&mut cmd);
        cmd.envs(extra.iter().copied());
        let out: Output = cmd.output().expect("runs");
        (
            out.status.success(),
            format!(
                "{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ),
        )
    }

    fn git(&self, args: &[&str]) -> String {
        let (ok, out) = self.run(Path::new("git"), args, &[]);
        assert!(ok, "git {args:?}: {out}");
        out
    }

    fn pre_commit(&self, args: &[&str], extra: &[(&str, &str)]) -> (bool, String) {
        let mut all = vec!["-m", "pre_commit"];
        all.extend_from_slice(args);
        self.run(self.python, &all, extra)
    }

    fn stage(&self, rel: &str, content: &str) {
        write(&self.path(), rel, content);
        self.git(&["add", rel]);
    }
}

/// The manifest's hooks as a local config calling the binary under test.
fn local_config() -> String {
    let bin = keyfence_bin();
    let hooks: Vec<serde_json::Value> = yaml_file(".pre-commit-hooks.yaml")
        .as_array()
        .expect("hooks")
        .iter()
        // keyfence-lint looks at the repository, not at what a commit adds;
        // its own tests cover it.
        .filter(|h| h["id"] != "keyfence-lint")
        .map(|h| {
            let mut h = h.clone();
            let entry = h["entry"].as_str().expect("entry");
            let rest = entry.strip_prefix("keyfence").expect("entry runs keyfence");
            h["entry"] = format!("{}{rest}", bin.display()).into();
            h["language"] = "system".into();
            h
        })
        .collect();
    serde_json::to_string_pretty(&serde_json::json!({
        "default_install_hook_types": ["pre-commit", "pre-push"],
        "repos": [{"repo": "local", "hooks": hooks}]
    }))
    .expect("json is yaml")
}

#[test]
fn the_commit_and_push_hooks_block_secrets_through_pre_commit() {
    let Some(python) = pre_commit_python() else {
        return;
    };
    let c = Consumer::new(python);
    c.stage(".pre-commit-config.yaml", &local_config());
    c.stage("README.md", "# demo\n");
    let (ok, out) = c.pre_commit(&["install"], &[]);
    assert!(ok, "pre-commit install: {out}");
    assert!(c.path().join(".git/hooks/pre-push").exists(), "{out}");

    // A clean commit passes.
    let (ok, out) = c.run(Path::new("git"), &["commit", "-q", "-m", "init"], &[]);
    assert!(ok, "a clean commit was rejected:\n{out}");
    assert!(
        out.contains("keyfence (staged changes)") && out.contains("Passed"),
        "{out}"
    );

    // A staged secret is rejected, with the finding shown, redacted.
    let token = github_token(81, "ghp_");
    c.stage(
        "src/settings.py",
        &format!("import os\nTOKEN = \"{token}\"\n"),
    );
    let (ok, out) = c.run(Path::new("git"), &["commit", "-q", "-m", "leak"], &[]);
    assert!(!ok, "a commit adding a secret went through:\n{out}");
    assert!(
        out.contains("keyfence (staged changes)") && out.contains("Failed"),
        "{out}"
    );
    assert!(
        out.contains("github-pat"),
        "the finding is not shown:\n{out}"
    );
    assert!(out.contains("src/settings.py"), "{out}");
    assert!(!out.contains(&token), "the plaintext was printed:\n{out}");
    assert_eq!(c.git(&["rev-list", "--count", "HEAD"]).trim(), "1");

    // A remote that has the clean history.
    let remote = c.dir.path().join("remote.git");
    let (ok, out) = c.run(
        Path::new("git"),
        &["init", "-q", "--bare", remote.to_str().expect("utf-8")],
        &[],
    );
    assert!(ok, "{out}");
    c.git(&["remote", "add", "origin", remote.to_str().expect("utf-8")]);
    let (ok, out) = c.run(Path::new("git"), &["push", "-q", "origin", "main"], &[]);
    assert!(ok, "pushing a clean history was rejected:\n{out}");
    let pushed = c.git(&["rev-parse", "HEAD"]);

    // Commits that skipped the commit hook add a secret and remove it again:
    // the push changes no secret overall, yet its history holds one.
    c.git(&["commit", "-q", "--no-verify", "-m", "leak"]);
    c.stage(
        "src/settings.py",
        "import os\nTOKEN = os.environ[\"TOKEN\"]\n",
    );
    c.git(&[
        "commit",
        "-q",
        "--no-verify",
        "-m",
        "read it from the environment",
    ]);
    let (ok, out) = c.run(Path::new("git"), &["push", "origin", "main"], &[]);
    assert!(!ok, "a push adding a secret went through:\n{out}");
    assert!(
        out.contains("keyfence (commits being pushed)") && out.contains("Failed"),
        "{out}"
    );
    assert!(
        out.contains("github-pat") && out.contains("src/settings.py"),
        "{out}"
    );
    assert!(!out.contains(&token), "the plaintext was printed:\n{out}");
    let remote_head = Command::new("git")
        .args([
            "--git-dir",
            remote.to_str().expect("utf-8"),
            "rev-parse",
            "main",
        ])
        .envs(git_env())
        .output()
        .expect("git");
    assert_eq!(
        String::from_utf8_lossy(&remote_head.stdout).trim(),
        pushed.trim(),
        "the remote moved"
    );

    // The same commits on a new branch are rejected too.
    let (ok, out) = c.run(Path::new("git"), &["push", "origin", "main:topic"], &[]);
    assert!(!ok, "a new branch carrying a secret went through:\n{out}");
    assert!(out.contains("github-pat"), "{out}");

    // A clean commit on top of the pushed history goes through.
    c.git(&["reset", "-q", "--hard", pushed.trim()]);
    c.stage("docs/notes.md", "Tokens come from the environment.\n");
    c.git(&["commit", "-q", "-m", "notes"]);
    let (ok, out) = c.run(Path::new("git"), &["push", "-q", "origin", "main"], &[]);
    assert!(ok, "a clean push was rejected:\n{out}");
}

#[test]
fn the_first_push_of_a_repository_scans_its_whole_history() {
    let Some(python) = pre_commit_python() else {
        return;
    };
    let c = Consumer::new(python);
    c.stage(".pre-commit-config.yaml", &local_config());
    let (ok, out) = c.pre_commit(&["install"], &[]);
    assert!(ok, "{out}");
    let pw = password(82);
    c.stage("deploy/prod.env", &format!("DB_PASSWORD={pw}\n"));
    c.git(&["commit", "-q", "--no-verify", "-m", "root with a secret"]);
    let remote = c.dir.path().join("remote.git");
    c.run(
        Path::new("git"),
        &["init", "-q", "--bare", remote.to_str().expect("utf-8")],
        &[],
    );
    c.git(&["remote", "add", "origin", remote.to_str().expect("utf-8")]);
    // pre-commit passes no range for a push that includes a root commit.
    let (ok, out) = c.run(Path::new("git"), &["push", "origin", "main"], &[]);
    assert!(!ok, "the first push of a secret went through:\n{out}");
    assert!(out.contains("deploy/prod.env"), "{out}");
    assert!(!out.contains(&pw), "{out}");
}

#[test]
fn pre_commit_try_repo_builds_the_hooks_with_cargo_and_runs_them() {
    let Some(python) = pre_commit_python() else {
        return;
    };
    if Command::new("git")
        .args([
            "-C",
            &repo_root().display().to_string(),
            "rev-parse",
            "HEAD",
        ])
        .output()
        .map_or(true, |o| !o.status.success())
    {
        eprintln!("note: this checkout is not a git repository; skipping pre-commit try-repo");
        return;
    }
    let c = Consumer::new(python);
    let target = Path::new(env!("CARGO_TARGET_TMPDIR")).join("pre-commit-cargo");
    let target = target.to_str().expect("utf-8");
    let env = [
        ("CARGO_TARGET_DIR", target),
        ("CARGO_PROFILE_RELEASE_LTO", "off"),
        ("CARGO_PROFILE_RELEASE_OPT_LEVEL", "0"),
        ("CARGO_PROFILE_RELEASE_CODEGEN_UNITS", "16"),
        ("CARGO_PROFILE_RELEASE_DEBUG", "false"),
        ("CARGO_PROFILE_RELEASE_INCREMENTAL", "true"),
        ("CARGO_TERM_COLOR", "never"),
    ];
    let repo = repo_root().display().to_string();
    let token = github_token(83, "ghp_");
    c.stage("app/config.py", &format!("TOKEN = \"{token}\"\n"));
    let (ok, out) = c.pre_commit(&["try-repo", &repo, "keyfence"], &env);
    assert!(!ok, "try-repo passed a staged secret:\n{out}");
    assert!(
        out.contains("keyfence (staged changes)") && out.contains("Failed"),
        "{out}"
    );
    assert!(
        out.contains("github-pat") && out.contains("app/config.py"),
        "{out}"
    );
    assert!(!out.contains(&token), "{out}");

    c.stage(
        "app/config.py",
        "import os\nTOKEN = os.environ[\"TOKEN\"]\n",
    );
    let (ok, out) = c.pre_commit(&["try-repo", &repo, "keyfence"], &env);
    assert!(ok, "try-repo rejected clean changes:\n{out}");
    assert!(
        out.contains("keyfence (staged changes)") && out.contains("Passed"),
        "{out}"
    );
}

/// pre-commit keeps the hook's stdin to itself and passes the pushed range in
/// the environment; `keyfence git --pre-push` reads it from there.
#[test]
fn git_pre_push_takes_the_range_from_pre_commits_environment() {
    use crate::common::{findings, json, keyfence, TestRepo};
    let repo = TestRepo::new();
    let old = github_token(84, "ghp_");
    repo.add("old.py", &format!("T = \"{old}\"\n"));
    repo.commit_at("old leak", 1_700_000_000);
    repo.add("README.md", "# demo\n");
    let from = repo.commit_at("readme", 1_700_000_100);
    let new = github_token(85, "ghp_");
    repo.add("new.py", &format!("T = \"{new}\"\n"));
    let to = repo.commit_at("new leak", 1_700_000_200);
    let run = |stdin: &str, env: &[(&str, String)]| {
        let mut cmd = keyfence();
        cmd.arg("git")
            .arg(repo.path())
            .args(["--pre-push", "--format", "json"])
            .write_stdin(stdin.to_string());
        for (k, v) in env {
            cmd.env(k, v);
        }
        let out = cmd.assert().get_output().clone();
        let code = out.status.code();
        if code == Some(2) {
            let err = String::from_utf8_lossy(&out.stderr).into_owned();
            assert!(err.contains("pre-push: PRE_COMMIT_TO_REF"), "{err}");
            return (code, Vec::new());
        }
        let paths: Vec<String> = findings(&json(&out.stdout))
            .into_iter()
            .map(|f| f.1)
            .collect();
        (code, paths)
    };
    let range = [
        ("PRE_COMMIT", "1".to_string()),
        ("PRE_COMMIT_FROM_REF", from.to_string()),
        ("PRE_COMMIT_TO_REF", to.to_string()),
        ("PRE_COMMIT_LOCAL_BRANCH", "refs/heads/main".to_string()),
        ("PRE_COMMIT_REMOTE_BRANCH", "refs/heads/main".to_string()),
    ];
    assert_eq!(run("", &range), (Some(1), vec!["new.py".to_string()]));
    // git's own hook input, when there is some, wins.
    let same = format!("refs/heads/main {to} refs/heads/main {to}\n");
    assert_eq!(run(&same, &range), (Some(0), vec![]));
    // No range (a push that includes a root commit): everything the branch
    // has that no remote-tracking branch has; here, its whole history.
    assert_eq!(
        run("", &[("PRE_COMMIT", "1".to_string())]),
        (Some(1), vec!["new.py".to_string(), "old.py".to_string()])
    );
    // A range naming a commit that does not exist is an error naming it.
    let bad = [("PRE_COMMIT_TO_REF", "0123456789".repeat(4))];
    assert_eq!(run("", &bad).0, Some(2));
}
