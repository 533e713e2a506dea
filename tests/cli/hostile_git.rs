//! A hostile repository's git configuration (issue 9): hooks, filters,
//! textconv drivers, fsmonitor and pagers that would run a command. keyfence
//! reads objects only and must run none of them, whatever the command.
//!
//! Commands that are not part of this build yet are skipped with a note.

use crate::common::{keyfence, password, TestRepo};
use std::path::Path;
use std::time::Duration;

/// A repository whose configuration tries every way git has to run a
/// command; each one would create a file named after it in `trap`.
fn booby_trapped(trap: &Path) -> TestRepo {
    let repo = TestRepo::new();
    let touch = |name: &str| format!("touch '{}'", trap.join(name).display());
    let hooks = repo.path().join("hooks");
    std::fs::create_dir_all(&hooks).expect("mkdir");
    for hook in [
        "pre-commit",
        "post-checkout",
        "post-index-change",
        "reference-transaction",
        "fsmonitor-watchman",
        "pre-push",
    ] {
        let p = hooks.join(hook);
        std::fs::write(&p, format!("#!/bin/sh\n{}\n", touch(hook))).expect("hook");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).expect("chmod");
        }
    }
    {
        let mut cfg = repo.repo.config().expect("config");
        let set = |cfg: &mut git2::Config, k: &str, v: &str| cfg.set_str(k, v).expect(k);
        set(&mut cfg, "core.hooksPath", &hooks.display().to_string());
        set(&mut cfg, "core.fsmonitor", &touch("fsmonitor"));
        set(&mut cfg, "core.pager", &touch("pager"));
        set(&mut cfg, "core.sshCommand", &touch("ssh"));
        set(&mut cfg, "filter.x.smudge", &touch("smudge"));
        set(&mut cfg, "filter.x.clean", &touch("clean"));
        set(&mut cfg, "filter.x.process", &touch("process"));
        set(&mut cfg, "filter.x.required", "true");
        set(&mut cfg, "diff.x.textconv", &touch("textconv"));
        set(&mut cfg, "diff.external", &touch("external-diff"));
        set(&mut cfg, "gpg.program", &touch("gpg"));
        set(
            &mut cfg,
            "credential.helper",
            &format!("!{}", touch("credential")),
        );
    }
    repo.add(".gitattributes", "* filter=x diff=x\n");
    repo.add("app.env", &format!("password = \"{}\"\n", password(77)));
    repo.commit("first");
    repo.add("more.env", &format!("password = \"{}\"\n", password(78)));
    repo
}

#[test]
fn no_hook_filter_or_driver_runs() {
    let trap = tempfile::tempdir().expect("tempdir");
    let repo = booby_trapped(trap.path());
    let setup: Vec<_> = std::fs::read_dir(trap.path()).expect("trap").collect();
    assert!(setup.is_empty(), "setting the repository up ran a command");
    let root = repo.path().display().to_string();
    let commands: [&[&str]; 4] = [
        &["scan", &root],
        &["git", &root],
        &["staged", &root],
        &["baseline", "create", &root],
    ];
    for args in commands {
        let out = keyfence()
            .current_dir(repo.path())
            .args(args)
            .timeout(Duration::from_secs(120))
            .output()
            .expect("runs");
        let stderr = String::from_utf8_lossy(&out.stderr);
        if stderr.contains("unrecognized subcommand") {
            #[allow(clippy::print_stderr)] // tests may print a note on a skip
            {
                eprintln!("note: `keyfence {}` is not in this build; skipped", args[0]);
            }
            continue;
        }
        assert!(
            matches!(out.status.code(), Some(0..=2)),
            "{args:?}: {:?}",
            out.status
        );
        let ran: Vec<String> = std::fs::read_dir(trap.path())
            .expect("read trap")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        assert!(ran.is_empty(), "keyfence {args:?} ran: {ran:?}");
    }
}

/// A repository with one committed secret; returns it and the blob's id.
fn one_secret() -> (TestRepo, git2::Oid) {
    let repo = TestRepo::new();
    repo.add("app.env", &format!("password = \"{}\"\n", password(79)));
    repo.add("b.txt", "hello\n");
    repo.commit("first");
    let blob = repo
        .repo
        .revparse_single("HEAD:app.env")
        .expect("blob")
        .id();
    (repo, blob)
}

fn loose_object(repo: &TestRepo, id: git2::Oid) -> std::path::PathBuf {
    let hex = id.to_string();
    repo.repo
        .path()
        .join("objects")
        .join(&hex[..2])
        .join(&hex[2..])
}

fn git_json(dir: &Path) -> (i32, serde_json::Value, String) {
    let out = keyfence()
        .current_dir(dir)
        .args(["git", "--format", "json", "--no-progress", "."])
        .timeout(Duration::from_secs(120))
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let code = out.status.code().expect("exited, not killed");
    let report = if out.stdout.is_empty() {
        serde_json::Value::Null
    } else {
        crate::common::json(&out.stdout)
    };
    (code, report, stderr)
}

#[test]
fn corrupt_and_missing_objects_are_reported_and_counted() {
    for damage in ["corrupt", "missing"] {
        let (repo, blob) = one_secret();
        let path = loose_object(&repo, blob);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).expect("chmod");
        }
        if damage == "corrupt" {
            std::fs::write(&path, b"not zlib at all").expect("write");
        } else {
            std::fs::remove_file(&path).expect("remove");
        }
        let (code, report, stderr) = git_json(repo.path());
        assert_eq!(code, 2, "{damage}: {stderr}");
        assert!(
            stderr.contains(&format!("object {blob}")),
            "{damage}: {stderr}"
        );
        assert_eq!(report["summary"]["skipped"]["unreadable"], 1, "{damage}");
        // The other blob is still scanned.
        assert_eq!(report["summary"]["files_scanned"], 1, "{damage}");
    }
}

#[test]
fn refs_to_non_commits_do_not_stop_the_scan() {
    let (repo, blob) = one_secret();
    let tree = repo.repo.revparse_single("HEAD^{tree}").expect("tree").id();
    let refs = repo.repo.path().join("refs");
    std::fs::write(refs.join("heads/to-a-blob"), format!("{blob}\n")).expect("ref");
    std::fs::write(refs.join("tags/to-a-tree"), format!("{tree}\n")).expect("ref");
    std::fs::write(refs.join("heads/dangling"), "ref: refs/heads/nowhere\n").expect("ref");
    let (code, report, stderr) = git_json(repo.path());
    assert_eq!(code, 1, "{stderr}");
    let found = report["findings"].as_array().expect("findings");
    assert_eq!(found.len(), 1, "{report}");
    assert_eq!(found[0]["path"], "app.env");
}

#[test]
fn a_git_file_pointing_elsewhere() {
    // A worktree's `.git` is a file naming the real git directory.
    let (repo, _) = one_secret();
    let wt = tempfile::tempdir().expect("tempdir");
    let wt_path = wt.path().join("wt");
    repo.git(&["worktree", "add", "-q", &wt_path.display().to_string()]);
    assert!(wt_path.join(".git").is_file());
    let (code, report, stderr) = git_json(&wt_path);
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(report["findings"][0]["path"], "app.env");
    // One naming a directory that does not exist is an error, not a crash.
    let bad = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        bad.path().join(".git"),
        "gitdir: /nonexistent/keyfence-test\n",
    )
    .expect("write");
    let (code, _, stderr) = git_json(bad.path());
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.starts_with("keyfence: error: "), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
}

#[test]
fn history_and_staged_findings_are_limited_per_file() {
    let repo = TestRepo::new();
    let many: String = (500..620)
        .map(|i| format!("password = \"{}\"\n", password(i)))
        .collect();
    repo.add("many.env", &many);
    for args in [
        &[
            "staged",
            "--format",
            "json",
            "--max-findings-per-file",
            "10",
            ".",
        ][..],
        &[
            "git",
            "--format",
            "json",
            "--max-findings-per-file",
            "10",
            ".",
        ][..],
    ] {
        if args[0] == "git" {
            repo.commit("add");
        }
        let out = keyfence()
            .current_dir(repo.path())
            .args(args)
            .timeout(Duration::from_secs(120))
            .output()
            .expect("runs");
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        let report = crate::common::json(&out.stdout);
        assert_eq!(
            report["findings"].as_array().map(Vec::len),
            Some(10),
            "{args:?}"
        );
        assert_eq!(report["summary"]["findings_not_shown"], 110, "{args:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains("many.env: 110 more findings not shown"),
            "{stderr}"
        );
    }
}
