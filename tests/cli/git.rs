//! `keyfence git`: history scans over real repositories built in temporary
//! directories.

use crate::common::{json, keyfence, password, TestRepo};
use serde_json::Value;
use std::path::Path;
use std::process::Output;

/// A line the built-in generic password rule reports.
fn pw_line(seed: u64) -> String {
    format!("DB_PASSWORD=\"{}\"\n", password(seed))
}

/// Runs `keyfence git --format json` with `args` in `dir`.
fn scan(dir: &Path, args: &[&str]) -> (i32, Value, String) {
    let out = keyfence()
        .current_dir(dir)
        .args(["git", "--format", "json"])
        .args(args)
        .output()
        .expect("keyfence runs");
    report(out)
}

fn report(out: Output) -> (i32, Value, String) {
    let code = out.status.code().expect("exit code");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(
        !out.stdout.is_empty(),
        "no report (exit {code}); stderr: {stderr}"
    );
    (code, json(&out.stdout), stderr)
}

fn findings(v: &Value) -> &Vec<Value> {
    v["findings"].as_array().expect("findings")
}

/// (path, line, commit id) of every finding.
fn located(v: &Value) -> Vec<(String, u64, String)> {
    findings(v)
        .iter()
        .map(|f| {
            (
                f["path"].as_str().expect("path").to_string(),
                f["line"].as_u64().expect("line"),
                f["commit"]["id"].as_str().expect("commit id").to_string(),
            )
        })
        .collect()
}

/// Runs git, allowing failure (for merges that conflict).
fn git_may_fail(repo: &TestRepo, args: &[&str]) -> bool {
    repo.git_output(args).status.success()
}

/// Writes, adds and commits one file with the git command line; returns the commit id.
fn cli_commit(repo: &TestRepo, rel: &str, content: &str, message: &str) -> String {
    repo.write(rel, content);
    repo.git(&["add", rel]);
    repo.git(&["commit", "-q", "-m", message]);
    repo.git(&["rev-parse", "HEAD"]).trim().to_string()
}

fn branch(repo: &TestRepo) -> String {
    repo.git(&["rev-parse", "--abbrev-ref", "HEAD"])
        .trim()
        .to_string()
}

#[test]
fn secret_added_then_removed_is_attributed_to_the_commit_that_added_it() {
    let r = TestRepo::new();
    r.add("app.env", "MODE=prod\n");
    r.commit_at("start", 1_600_000_000);
    r.add("app.env", &format!("MODE=prod\n{}", pw_line(1)));
    let added = r.commit_as(
        "add database settings",
        "Ada Lovelace",
        "ada@example.org",
        1_700_000_000,
    );
    r.add("app.env", "MODE=prod\n");
    r.commit_at("remove the password", 1_750_000_000);

    let (code, v, _) = scan(r.path(), &[]);
    assert_eq!(code, 1);
    let fs = findings(&v);
    assert_eq!(fs.len(), 1, "{v:#}");
    let f = &fs[0];
    assert_eq!(f["rule_id"], "generic-password");
    assert_eq!(f["path"], "app.env");
    assert_eq!(f["line"], 2);
    assert_eq!(f["commit"]["id"], added.to_string());
    assert_eq!(f["commit"]["author_name"], "Ada Lovelace");
    assert_eq!(f["commit"]["author_email"], "ada@example.org");
    assert_eq!(f["commit"]["date"], "2023-11-14T22:13:20+00:00");
    assert_eq!(f["commit"]["path"], "app.env");
    assert_eq!(v["summary"]["files_scanned"], 2);
    let text = String::from_utf8_lossy(&v.to_string().into_bytes()).into_owned();
    assert!(!text.contains(&password(1)), "plaintext in the report");
}

#[test]
fn a_secret_in_many_commits_is_one_finding_with_every_occurrence_on_request() {
    let r = TestRepo::new();
    let mut content = pw_line(2);
    r.add("settings.py", &content);
    let first = r.commit_at("add settings", 1_700_000_000);
    let mut later = Vec::new();
    for i in 0..3 {
        content.push_str(&format!("TIMEOUT_{i} = {i}\n"));
        r.add("settings.py", &content);
        later.push(r.commit_at(&format!("tweak {i}"), 1_700_000_100 + i));
    }
    r.add("README.md", "docs\n");
    later.push(r.commit_at("docs", 1_700_000_200));

    let (code, v, _) = scan(r.path(), &[]);
    assert_eq!(code, 1);
    assert_eq!(
        located(&v),
        vec![("settings.py".to_string(), 1, first.to_string())]
    );
    assert!(findings(&v)[0].get("occurrences").is_none());

    let (_, v, _) = scan(r.path(), &["--all-occurrences"]);
    assert_eq!(findings(&v).len(), 1, "{v:#}");
    let occ: Vec<&str> = findings(&v)[0]["occurrences"]
        .as_array()
        .expect("occurrences")
        .iter()
        .map(|o| o["id"].as_str().expect("id"))
        .collect();
    let expected: Vec<String> = later.iter().map(|c| c.to_string()).collect();
    assert_eq!(occ, expected);
}

#[test]
fn range_reports_only_what_the_range_adds() {
    let r = TestRepo::new();
    r.add("config.py", &format!("HOST = 'db'\n{}", pw_line(3)));
    r.add("old.env", &pw_line(4));
    let base = r.commit_at("base with an old key", 1_700_000_000);
    r.add(
        "config.py",
        &format!("HOST = 'db'\n{}PORT = 5432\n{}", pw_line(3), pw_line(5)),
    );
    let c1 = r.commit_at("add a new key to an old file", 1_700_000_100);
    r.add("new.env", &pw_line(6));
    r.add("old.env", &format!("{}# touched\n", pw_line(4)));
    let c2 = r.commit_at("new file, and an old key left as it was", 1_700_000_200);

    let (code, v, _) = scan(r.path(), &["--range", &format!("{base}..HEAD")]);
    assert_eq!(code, 1);
    assert_eq!(
        located(&v),
        vec![
            ("config.py".to_string(), 4, c1.to_string()),
            ("new.env".to_string(), 1, c2.to_string()),
        ]
    );

    // The whole history has all four.
    let (_, v, _) = scan(r.path(), &[]);
    assert_eq!(findings(&v).len(), 4, "{v:#}");

    // An empty range has nothing.
    let (code, v, _) = scan(r.path(), &["--range", "HEAD..HEAD"]);
    assert_eq!((code, findings(&v).len()), (0, 0));
}

#[test]
fn secrets_on_a_side_branch_and_on_a_tag_are_found() {
    let r = TestRepo::new();
    cli_commit(&r, "README.md", "hello\n", "start");
    let main = branch(&r);
    r.git(&["checkout", "-q", "-b", "side"]);
    let side = cli_commit(&r, "side.env", &pw_line(7), "side work");
    r.git(&["checkout", "-q", &main]);
    r.git(&["checkout", "-q", "--detach"]);
    let tagged = cli_commit(&r, "release.env", &pw_line(8), "release build");
    r.git(&["tag", "-a", "v1", "-m", "release"]);
    r.git(&["checkout", "-q", &main]);
    cli_commit(&r, "README.md", "hello again\n", "main work");

    let (code, v, _) = scan(r.path(), &[]);
    assert_eq!(code, 1);
    assert_eq!(
        located(&v),
        vec![
            ("release.env".to_string(), 1, tagged),
            ("side.env".to_string(), 1, side),
        ]
    );

    let (code, v, _) = scan(r.path(), &["--branch", &main]);
    assert_eq!((code, findings(&v).len()), (0, 0), "{v:#}");
    let (_, v, _) = scan(r.path(), &["--branch", "side"]);
    assert_eq!(findings(&v).len(), 1);
}

#[test]
fn a_secret_only_a_merge_commit_introduces_is_attributed_to_the_merge() {
    let r = TestRepo::new();
    cli_commit(&r, "app.conf", "mode = base\n", "start");
    let main = branch(&r);
    r.git(&["checkout", "-q", "-b", "feature"]);
    cli_commit(&r, "app.conf", "mode = feature\n", "feature mode");
    r.git(&["checkout", "-q", &main]);
    cli_commit(&r, "app.conf", "mode = main\n", "main mode");
    assert!(
        !git_may_fail(&r, &["merge", "-q", "feature", "-m", "merge feature"]),
        "the merge must conflict"
    );
    r.write("app.conf", &format!("mode = merged\n{}", pw_line(9)));
    r.git(&["add", "app.conf"]);
    r.git(&["commit", "-q", "--no-edit"]);
    let merge = r.git(&["rev-parse", "HEAD"]).trim().to_string();
    assert_eq!(
        r.git(&["rev-list", "--parents", "-n", "1", "HEAD"])
            .split_whitespace()
            .count(),
        3,
        "HEAD is a merge"
    );

    let (code, v, _) = scan(r.path(), &[]);
    assert_eq!(code, 1);
    assert_eq!(located(&v), vec![("app.conf".to_string(), 2, merge)]);
}

fn loose_object_path(repo: &TestRepo, id: &str) -> std::path::PathBuf {
    repo.path()
        .join(".git/objects")
        .join(&id[..2])
        .join(&id[2..])
}

fn corrupt(path: &Path) {
    let mut perms = std::fs::metadata(path)
        .expect("object exists")
        .permissions();
    #[allow(clippy::permissions_set_readonly_false)]
    perms.set_readonly(false);
    std::fs::set_permissions(path, perms).expect("chmod");
    std::fs::write(path, b"this is not a zlib stream").expect("overwrite");
}

#[test]
fn a_corrupt_object_is_reported_and_the_scan_goes_on() {
    let r = TestRepo::new();
    r.add("broken.txt", "some content that will be lost\n");
    r.add("keys.env", &pw_line(10));
    r.commit("two files");
    let broken = r.git(&["rev-parse", "HEAD:broken.txt"]).trim().to_string();
    corrupt(&loose_object_path(&r, &broken));

    let (code, v, stderr) = scan(r.path(), &[]);
    assert_eq!(code, 1, "findings decide the exit code");
    assert_eq!(findings(&v).len(), 1);
    let errors = v["summary"]["errors"].as_array().expect("errors");
    assert!(
        errors.iter().any(|e| e
            .as_str()
            .is_some_and(|e| e.starts_with(&format!("object {broken}: ")))),
        "{errors:?}"
    );
    assert!(stderr.contains(&broken), "{stderr}");
    assert_eq!(v["summary"]["skipped"]["unreadable"], 1);

    // Without findings, the error alone makes the run fail.
    let r = TestRepo::new();
    r.add("broken.txt", "more content\n");
    r.add("fine.txt", "fine\n");
    r.commit("files");
    let broken = r.git(&["rev-parse", "HEAD:broken.txt"]).trim().to_string();
    corrupt(&loose_object_path(&r, &broken));
    let (code, v, _) = scan(r.path(), &[]);
    assert_eq!(code, 2);
    assert_eq!(v["summary"]["files_scanned"], 1);
}

#[test]
fn a_missing_tree_is_reported_and_the_rest_is_scanned() {
    let r = TestRepo::new();
    r.add("lib/a.txt", "a\n");
    r.add("top.env", &pw_line(11));
    r.commit("files");
    let tree = r.git(&["rev-parse", "HEAD:lib"]).trim().to_string();
    std::fs::remove_file(loose_object_path(&r, &tree)).expect("delete the tree");
    let (code, v, _) = scan(r.path(), &[]);
    assert_eq!(code, 1);
    assert_eq!(findings(&v).len(), 1);
    let errors = v["summary"]["errors"].to_string();
    assert!(errors.contains(&format!("object {tree}")), "{errors}");
}

fn pre_push(dir: &Path, stdin: String) -> (i32, Value, String) {
    let out = keyfence()
        .current_dir(dir)
        .args(["git", "--pre-push", "--format", "json"])
        .write_stdin(stdin)
        .output()
        .expect("keyfence runs");
    report(out)
}

#[test]
fn pre_push_scans_only_the_commits_the_push_adds() {
    let r = TestRepo::new();
    r.add("old.env", &pw_line(12));
    let pushed = r.commit_at("already on the remote", 1_700_000_000);
    r.add("new.env", &pw_line(13));
    let local = r.commit_at("about to be pushed", 1_700_000_100);
    let zero = "0".repeat(40);

    let (code, v, _) = pre_push(
        r.path(),
        format!("refs/heads/main {local} refs/heads/main {pushed}\n"),
    );
    assert_eq!(code, 1);
    assert_eq!(
        located(&v),
        vec![("new.env".to_string(), 1, local.to_string())]
    );

    // A new branch: everything not on any remote-tracking ref.
    r.repo
        .reference("refs/remotes/origin/main", pushed, true, "test")
        .expect("remote ref");
    let (_, v, _) = pre_push(
        r.path(),
        format!("refs/heads/topic {local} refs/heads/topic {zero}\n"),
    );
    assert_eq!(
        located(&v),
        vec![("new.env".to_string(), 1, local.to_string())]
    );

    // A deletion pushes nothing.
    let (code, v, _) = pre_push(
        r.path(),
        format!("(delete) {zero} refs/heads/old {pushed}\n"),
    );
    assert_eq!((code, findings(&v).len()), (0, 0));

    // Garbage on stdin is an error.
    let out = keyfence()
        .current_dir(r.path())
        .args(["git", "--pre-push"])
        .write_stdin("not a ref line\n")
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("line 1"));
}

#[test]
fn bare_repositories_are_scanned() {
    let r = TestRepo::new();
    r.add("keys.env", &pw_line(14));
    let c = r.commit("keys");
    let bare = tempfile::TempDir::new().expect("tempdir");
    let dest = bare.path().join("r.git");
    r.git(&[
        "clone",
        "-q",
        "--bare",
        ".",
        dest.to_str().expect("utf-8 path"),
    ]);
    let (code, v, _) = scan(&dest, &[]);
    assert_eq!(code, 1);
    assert_eq!(
        located(&v),
        vec![("keys.env".to_string(), 1, c.to_string())]
    );
}

#[test]
fn shallow_clones_scan_what_is_there_and_say_so() {
    let r = TestRepo::new();
    r.add("gone.env", &pw_line(15));
    r.commit_at("old key", 1_700_000_000);
    r.remove("gone.env");
    r.commit_at("remove it", 1_700_000_100);
    r.add("tip.env", &pw_line(16));
    let tip = r.commit_at("new key", 1_700_000_200);
    let dir = tempfile::TempDir::new().expect("tempdir");
    let dest = dir.path().join("shallow");
    let url = format!("file://{}", r.path().display());
    r.git(&[
        "clone",
        "-q",
        "--depth",
        "1",
        &url,
        dest.to_str().expect("utf-8"),
    ]);

    let (code, v, stderr) = scan(&dest, &[]);
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(
        located(&v),
        vec![("tip.env".to_string(), 1, tip.to_string())]
    );
    assert!(stderr.contains("shallow"), "{stderr}");
    assert_eq!(v["summary"]["errors"].as_array().map(Vec::len), Some(0));
}

#[test]
fn lfs_pointers_and_submodules_are_skipped() {
    let r = TestRepo::new();
    let pointer = format!(
        "version https://git-lfs.github.com/spec/v1\noid sha256:{}\nsize 1234\n{}",
        "4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393",
        pw_line(17)
    );
    r.add("model.bin", &pointer);
    r.add("README.md", "readme\n");
    let c = r.commit("lfs");
    r.git(&[
        "update-index",
        "--add",
        "--cacheinfo",
        &format!("160000,{c},vendor/lib"),
    ]);
    r.git(&["commit", "-q", "-m", "submodule"]);
    let (code, v, stderr) = scan(r.path(), &[]);
    assert_eq!((code, findings(&v).len()), (0, 0), "{v:#} {stderr}");
    assert_eq!(v["summary"]["skipped"]["lfs_pointer"], 1);
    assert_eq!(v["summary"]["files_scanned"], 1);
}

#[test]
fn since_and_until_limit_the_commits() {
    let r = TestRepo::new();
    r.add("a.env", &pw_line(18));
    let early = r.commit_at("early", 1_600_000_000); // 2020-09-13
    r.add("b.env", &pw_line(19));
    let late = r.commit_at("late", 1_700_000_000); // 2023-11-14
    let (_, v, _) = scan(r.path(), &["--since", "2021-01-01"]);
    assert_eq!(
        located(&v),
        vec![("b.env".to_string(), 1, late.to_string())]
    );
    let (_, v, _) = scan(r.path(), &["--until", "2020-09-13"]);
    assert_eq!(
        located(&v),
        vec![("a.env".to_string(), 1, early.to_string())]
    );
    let (_, v, _) = scan(r.path(), &["--since", "2023-11-14T22:13:20Z"]);
    assert_eq!(findings(&v).len(), 1);

    let out = keyfence()
        .current_dir(r.path())
        .args(["git", "--since", "last tuesday"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--since"));
}

#[test]
fn sarif_carries_the_commit_and_the_repository() {
    let r = TestRepo::new();
    r.add("keys.env", &pw_line(20));
    let c = r.commit("keys");
    r.repo
        .remote("origin", "https://someone:hunter2@example.org/team/app.git")
        .expect("remote");
    let out = keyfence()
        .current_dir(r.path())
        .args(["git", "--format", "sarif"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    let v = json(&out.stdout);
    let run = &v["runs"][0];
    let vcs = &run["versionControlProvenance"][0];
    assert_eq!(vcs["repositoryUri"], "https://example.org/team/app.git");
    assert_eq!(vcs["revisionId"], c.to_string());
    assert_eq!(
        run["results"][0]["properties"]["commit"]["id"],
        c.to_string()
    );
    assert!(!String::from_utf8_lossy(&out.stdout).contains("hunter2"));
}

#[test]
fn text_output_shows_the_commit() {
    let r = TestRepo::new();
    r.add("keys.env", &pw_line(21));
    let c = r.commit_as("keys", "Grace Hopper", "grace@example.org", 1_700_000_000);
    let out = keyfence()
        .current_dir(r.path())
        .args(["git"])
        .output()
        .expect("runs");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains(&c.to_string()[..12]), "{text}");
    assert!(text.contains("Grace Hopper <grace@example.org>"), "{text}");
    assert!(
        out.stderr.is_empty(),
        "no progress bar when stderr is not a terminal"
    );
}

#[test]
fn bad_arguments_and_non_repositories_exit_2() {
    let dir = tempfile::TempDir::new().expect("tempdir");
    let out = keyfence()
        .current_dir(dir.path())
        .arg("git")
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a git repository"));

    let r = TestRepo::new();
    r.add("a.txt", "a\n");
    r.commit("a");
    for args in [
        vec!["git", "--range", "HEAD"],
        vec!["git", "--range", "nope..HEAD"],
        vec!["git", "--branch", "no-such-branch"],
    ] {
        let out = keyfence()
            .current_dir(r.path())
            .args(&args)
            .output()
            .expect("runs");
        assert_eq!(out.status.code(), Some(2), "{args:?}");
    }
}

#[test]
fn moved_and_copied_files_are_reported_at_each_path() {
    let r = TestRepo::new();
    r.add("conf/keys.env", &pw_line(22));
    r.add("conf/other.txt", "other\n");
    let first = r.commit_at("keys", 1_700_000_000);
    // Move the whole directory (the same tree at a new path) and copy the file.
    r.remove("conf/keys.env");
    r.remove("conf/other.txt");
    r.add("settings/keys.env", &pw_line(22));
    r.add("settings/other.txt", "other\n");
    r.add("backup.env", &pw_line(22));
    let moved = r.commit_at("move", 1_700_000_100);

    let (_, v, _) = scan(r.path(), &[]);
    assert_eq!(
        located(&v),
        vec![
            ("backup.env".to_string(), 1, moved.to_string()),
            ("conf/keys.env".to_string(), 1, first.to_string()),
            ("settings/keys.env".to_string(), 1, moved.to_string()),
        ]
    );
    assert_eq!(v["summary"]["files_scanned"], 2, "each unique blob once");
}

#[test]
fn allowlisted_commits_and_excluded_paths_are_left_out() {
    let r = TestRepo::new();
    r.add("app.env", &pw_line(23));
    let introduced = r.commit_at("key", 1_700_000_000);
    r.add("app.env", &format!("{}OTHER=1\n", pw_line(23)));
    r.commit_at("keeps the key", 1_700_000_100);
    r.add("vendor/lib/conf.env", &pw_line(24));
    r.commit_at("vendored", 1_700_000_200);
    r.write(
        ".keyfence.toml",
        &format!("[scan]\nexclude = [\"vendor/**\"]\n[allowlist]\ncommits = [\"{introduced}\"]\n"),
    );
    let (code, v, _) = scan(r.path(), &[]);
    assert_eq!((code, findings(&v).len()), (0, 0), "{v:#}");
}
