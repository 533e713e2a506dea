//! `keyfence staged`: only the lines the staged changes add, read from the index.

use crate::common::{findings, json, keyfence, password, TestRepo};
use serde_json::Value;
use std::path::Path;

fn pw_line(seed: u64) -> String {
    format!("DB_PASSWORD=\"{}\"\n", password(seed))
}

fn scan(dir: &Path) -> (i32, Value) {
    let out = keyfence()
        .current_dir(dir)
        .args(["staged", "--format", "json"])
        .output()
        .expect("keyfence runs");
    let code = out.status.code().expect("exit code");
    assert!(
        !out.stdout.is_empty(),
        "no report (exit {code}): {}",
        String::from_utf8_lossy(&out.stderr)
    );
    (code, json(&out.stdout))
}

fn located(v: &Value) -> Vec<(String, u64)> {
    findings(v).into_iter().map(|(_, p, l)| (p, l)).collect()
}

#[test]
fn a_staged_secret_is_found_at_its_staged_line() {
    let r = TestRepo::new();
    r.add("app/settings.py", "DEBUG = False\nHOST = 'db'\n");
    r.commit("start");
    r.add(
        "app/settings.py",
        &format!("DEBUG = False\nHOST = 'db'\n{}", pw_line(1)),
    );
    let (code, v) = scan(r.path());
    assert_eq!(code, 1);
    assert_eq!(located(&v), vec![("app/settings.py".to_string(), 3)]);
    assert!(v["findings"][0]["commit"].is_null());
    assert_eq!(v["summary"]["files_scanned"], 1);
}

#[test]
fn the_index_is_read_not_the_work_tree() {
    // An unstaged secret is not reported.
    let r = TestRepo::new();
    r.add("a.py", "x = 1\n");
    r.commit("start");
    r.add("a.py", "x = 2\n");
    r.write("a.py", &format!("x = 2\n{}", pw_line(2)));
    r.write("untracked.env", &pw_line(3));
    let (code, v) = scan(r.path());
    assert_eq!((code, located(&v)), (0, vec![]));

    // A staged secret is reported even when the work tree no longer has it.
    r.add("a.py", &format!("x = 2\n{}", pw_line(2)));
    r.write("a.py", "x = 2\n");
    let (code, v) = scan(r.path());
    assert_eq!(code, 1);
    assert_eq!(located(&v), vec![("a.py".to_string(), 2)]);
}

#[test]
fn removed_lines_and_deleted_files_report_nothing() {
    let r = TestRepo::new();
    r.add("conf.env", &format!("A=1\n{}B=2\n", pw_line(4)));
    r.add("old.env", &pw_line(5));
    r.commit("keys in history");
    // Remove the key line, edit another one, delete a whole file.
    r.add("conf.env", "A=1\nB=3\n");
    r.remove("old.env");
    let (code, v) = scan(r.path());
    assert_eq!((code, located(&v)), (0, vec![]));

    // An edit next to an old key does not report the old key.
    r.add("conf.env", &format!("A=1\n{}B=4\n", pw_line(4)));
    r.commit("back");
    r.add("conf.env", &format!("A=2\n{}B=5\n", pw_line(4)));
    let (code, v) = scan(r.path());
    assert_eq!((code, located(&v)), (0, vec![]));
}

#[test]
fn works_before_the_first_commit() {
    let r = TestRepo::new();
    r.add("first.env", &format!("# setup\n{}", pw_line(6)));
    let (code, v) = scan(r.path());
    assert_eq!(code, 1);
    assert_eq!(located(&v), vec![("first.env".to_string(), 2)]);
}

#[test]
fn renames_add_only_what_changed() {
    let r = TestRepo::new();
    let body = format!(
        "{}{}",
        "filler line for similarity\n".repeat(10),
        pw_line(7)
    );
    r.add("old/name.env", &body);
    r.commit("start");
    r.remove("old/name.env");
    r.add("new/name.env", &body);
    let (code, v) = scan(r.path());
    assert_eq!(
        (code, located(&v)),
        (0, vec![]),
        "a pure rename adds nothing"
    );

    r.add("new/name.env", &format!("{body}{}", pw_line(8)));
    let (code, v) = scan(r.path());
    assert_eq!(code, 1);
    assert_eq!(located(&v), vec![("new/name.env".to_string(), 12)]);
}

#[test]
fn binary_files_are_skipped() {
    let r = TestRepo::new();
    r.add("blob.bin", &format!("\0\u{1}binary\0{}", pw_line(9)));
    let (code, v) = scan(r.path());
    assert_eq!((code, located(&v)), (0, vec![]));
    assert_eq!(v["summary"]["skipped"]["binary"], 1);
}

#[test]
fn a_multi_line_key_is_found_when_any_of_its_lines_is_added() {
    let r = TestRepo::new();
    r.add(
        ".keyfence.toml",
        r#"
[[rules]]
id = "test-block-key"
name = "Test block key"
keywords = ["BEGIN TEST KEY"]
regex = '-----BEGIN TEST KEY-----\n(?P<secret>(?:[A-Za-z0-9+/]{16,}\n){2,})-----END TEST KEY-----'
severity = "high"
confidence = "high"
"#,
    );
    let line = |s| crate::common::rand_str(s, 32, crate::common::BASE62);
    let key = |middle: &str| {
        format!(
            "intro\n-----BEGIN TEST KEY-----\n{}\n{middle}\n{}\n-----END TEST KEY-----\n",
            line(1),
            line(3)
        )
    };
    r.add("key.pem", &key(&line(2)));
    r.commit("key");
    // Only the middle line of the key changes.
    r.add("key.pem", &key(&line(4)));
    let (code, v) = scan(r.path());
    assert_eq!(code, 1, "{v:#}");
    assert_eq!(located(&v), vec![("key.pem".to_string(), 3)]);
}

#[test]
fn bare_repositories_have_no_staged_changes() {
    let r = TestRepo::new();
    r.add("a.txt", "a\n");
    r.commit("a");
    let dir = tempfile::TempDir::new().expect("tempdir");
    let dest = dir.path().join("b.git");
    r.git(&["clone", "-q", "--bare", ".", dest.to_str().expect("utf-8")]);
    let out = keyfence()
        .current_dir(&dest)
        .arg("staged")
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("bare"));
}
