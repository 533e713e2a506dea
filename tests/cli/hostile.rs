//! Hostile input (issue 9): file-system traps, encodings, very large and very
//! repetitive files, and the limits a user can set. A scanned repository may be
//! controlled by an attacker (a pull request from a fork): keyfence must not
//! hang, follow a link out of the tree, or lose count of what it skipped.

use crate::common::{json, keyfence, password, tree, write};
use assert_cmd::Command;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// A line the built-in `generic-password` rule reports.
fn pw_line(seed: u64) -> String {
    format!("password = \"{}\"\n", password(seed))
}

/// keyfence with a time limit, so a hang fails the test instead of stalling CI.
fn kf() -> Command {
    let mut c = keyfence();
    c.timeout(Duration::from_secs(120));
    c
}

/// Runs `keyfence scan --format json ARGS` in `dir`; returns (exit code, report, stderr).
fn scan_json(dir: &Path, args: &[&str]) -> (i32, serde_json::Value, String) {
    let out = kf()
        .current_dir(dir)
        .args(["scan", "--format", "json", "--no-progress"])
        .args(args)
        .output()
        .expect("runs");
    let code = out.status.code().expect("exit code");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(!out.stdout.is_empty(), "no report; stderr: {stderr}");
    (code, json(&out.stdout), stderr)
}

fn paths(report: &serde_json::Value) -> Vec<String> {
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| f["path"].as_str().expect("path").to_string())
        .collect()
}

fn skipped(report: &serde_json::Value, reason: &str) -> u64 {
    report["summary"]["skipped"][reason]
        .as_u64()
        .expect("skip count")
}

#[cfg(unix)]
fn mkfifo(path: &Path) {
    let c = std::ffi::CString::new(path.as_os_str().as_encoded_bytes()).expect("path");
    // SAFETY: `c` is a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o644) }, 0, "mkfifo");
}

// ---------------------------------------------------------------------------
// Unreadable files and directories

/// A keyfence command that file permissions apply to. As root they do not, so
/// the command runs as `nobody` instead; `None` (with a note) when that is not
/// possible here.
#[cfg(unix)]
fn unprivileged(dir: &Path) -> Option<Command> {
    use std::os::unix::fs::PermissionsExt;
    use std::os::unix::process::CommandExt;
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } != 0 {
        return Some(kf());
    }
    const NOBODY: u32 = 65534;
    let bin = assert_cmd::cargo::cargo_bin("keyfence");
    let probe = std::process::Command::new(&bin)
        .arg("--version")
        .uid(NOBODY)
        .gid(NOBODY)
        .output();
    if !probe.is_ok_and(|o| o.status.success()) {
        #[allow(clippy::print_stderr)] // tests may print a note on a skip
        {
            eprintln!(
                "note: running as root and cannot run keyfence as nobody; permission test skipped"
            );
        }
        return None;
    }
    // The temporary tree must be reachable for nobody.
    let mut p = Some(dir);
    while let Some(d) = p {
        if d.starts_with(std::env::temp_dir()) && d != std::env::temp_dir() {
            let mode = std::fs::metadata(d).expect("stat").permissions().mode();
            std::fs::set_permissions(d, std::fs::Permissions::from_mode(mode | 0o755))
                .expect("chmod");
        }
        p = d.parent();
    }
    let mut cmd = std::process::Command::new(bin);
    cmd.uid(NOBODY)
        .gid(NOBODY)
        .env("NO_COLOR", "1")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env_remove("RUST_LOG");
    let mut c = Command::from_std(cmd);
    c.timeout(Duration::from_secs(120));
    Some(c)
}

#[cfg(unix)]
fn chmod(p: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode)).expect("chmod");
}

#[cfg(unix)]
#[test]
fn unreadable_file_is_reported_counted_and_the_scan_goes_on() {
    let dir = tree(&[("a.env", &pw_line(1)), ("b.env", &pw_line(2))]);
    chmod(&dir.path().join("b.env"), 0o000);
    let Some(mut cmd) = unprivileged(dir.path()) else {
        return;
    };
    let out = cmd
        .current_dir(dir.path())
        .args(["scan", "--format", "json", "."])
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    let report = json(&out.stdout);
    assert_eq!(
        paths(&report),
        vec!["a.env"],
        "the readable file is still scanned"
    );
    assert_eq!(skipped(&report, "unreadable"), 1);
    assert!(
        stderr.contains("keyfence: warning: b.env: permission denied"),
        "{stderr}"
    );
    chmod(&dir.path().join("b.env"), 0o644);
}

#[cfg(unix)]
#[test]
fn unreadable_directory_exits_2_only_with_strict() {
    let dir = tree(&[("ok.txt", "nothing here\n"), ("locked/c.env", &pw_line(3))]);
    chmod(&dir.path().join("locked"), 0o000);
    let Some(mut cmd) = unprivileged(dir.path()) else {
        chmod(&dir.path().join("locked"), 0o755);
        return;
    };
    let run = |cmd: &mut Command, strict: bool| {
        let mut c = cmd
            .current_dir(dir.path())
            .args(["scan", "--format", "json", "."]);
        if strict {
            c = c.arg("--strict");
        }
        c.output().expect("runs")
    };
    let out = run(&mut cmd, false);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let report = json(&out.stdout);
    assert_eq!(skipped(&report, "unreadable"), 1);
    assert_eq!(report["summary"]["files_scanned"], 1);
    assert!(stderr.contains("locked: permission denied"), "{stderr}");
    let mut cmd = unprivileged(dir.path()).expect("as before");
    let out = run(&mut cmd, true);
    assert_eq!(out.status.code(), Some(2));
    chmod(&dir.path().join("locked"), 0o755);
}

// ---------------------------------------------------------------------------
// Symlinks, FIFOs, devices

#[cfg(unix)]
#[test]
fn symlinks_out_of_the_tree_are_not_followed() {
    let base = tempfile::tempdir().expect("tempdir");
    let outside = base.path().join("outside");
    let root = base.path().join("repo");
    write(&outside, "secret.env", &pw_line(4));
    write(&root, "README", "hello\n");
    std::os::unix::fs::symlink(outside.join("secret.env"), root.join("link.env")).expect("link");
    std::os::unix::fs::symlink(&outside, root.join("linkdir")).expect("link");
    std::os::unix::fs::symlink("/", root.join("rootfs")).expect("link");
    let (code, report, stderr) = scan_json(&root, &["."]);
    assert_eq!(code, 0, "{stderr}");
    assert!(paths(&report).is_empty(), "{report}");
    assert_eq!(skipped(&report, "symlink"), 3);
    // The planted file is a real finding when scanned directly.
    let (code, report, _) = scan_json(&outside, &["."]);
    assert_eq!((code, paths(&report)), (1, vec!["secret.env".to_string()]));
}

#[cfg(unix)]
#[test]
fn broken_symlinks_and_loops_are_skipped() {
    let dir = tree(&[("a.txt", "plain\n")]);
    let d = dir.path();
    std::os::unix::fs::symlink(d.join("missing"), d.join("dangling")).expect("link");
    std::os::unix::fs::symlink(d.join("loop-b"), d.join("loop-a")).expect("link");
    std::os::unix::fs::symlink(d.join("loop-a"), d.join("loop-b")).expect("link");
    std::os::unix::fs::symlink(".", d.join("self")).expect("link");
    std::os::unix::fs::symlink("..", d.join("parent")).expect("link");
    let (code, report, stderr) = scan_json(d, &["."]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(skipped(&report, "symlink"), 5);
    assert_eq!(report["summary"]["files_scanned"], 1);
    let errors = report["summary"]["errors"].as_array().cloned();
    assert!(errors.unwrap_or_default().is_empty(), "{report}");
}

#[cfg(unix)]
#[test]
fn fifos_and_devices_are_skipped_without_hanging() {
    let dir = tree(&[("a.env", &pw_line(5))]);
    mkfifo(&dir.path().join("pipe"));
    std::fs::create_dir(dir.path().join("sub")).expect("mkdir");
    mkfifo(&dir.path().join("sub/pipe2"));
    let (code, report, stderr) = scan_json(dir.path(), &["."]);
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(paths(&report), vec!["a.env"]);
    assert_eq!(skipped(&report, "special"), 2);
    // Named on the command line: a FIFO and endless devices are not read either.
    let (code, report, stderr) = scan_json(dir.path(), &["pipe", "/dev/zero", "/dev/urandom"]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(skipped(&report, "special"), 3);
}

#[cfg(unix)]
#[test]
fn a_symlink_named_on_the_command_line_is_followed() {
    // The user chose it; only links met while walking are left alone.
    let base = tempfile::tempdir().expect("tempdir");
    let real = base.path().join("real");
    write(&real, "a.env", &pw_line(6));
    std::os::unix::fs::symlink(&real, base.path().join("alias")).expect("link");
    std::os::unix::fs::symlink(real.join("a.env"), base.path().join("file.env")).expect("link");
    let (code, report, stderr) = scan_json(base.path(), &["alias"]);
    assert_eq!(
        (code, paths(&report)),
        (1, vec!["a.env".to_string()]),
        "{stderr}"
    );
    let (code, report, stderr) = scan_json(base.path(), &["file.env"]);
    assert_eq!(
        (code, paths(&report)),
        (1, vec!["file.env".to_string()]),
        "{stderr}"
    );
}

// ---------------------------------------------------------------------------
// Names and depth

#[cfg(unix)]
#[test]
fn non_utf8_and_control_character_names_are_reported_faithfully() {
    use std::os::unix::ffi::OsStrExt;
    let dir = tempfile::tempdir().expect("tempdir");
    let latin1 = std::ffi::OsStr::from_bytes(b"caf\xe9.env");
    std::fs::write(dir.path().join(latin1), pw_line(7)).expect("write");
    std::fs::write(dir.path().join("two\nlines.env"), pw_line(8)).expect("write");
    let (code, report, stderr) = scan_json(dir.path(), &["."]);
    assert_eq!(code, 1, "{stderr}");
    let mut got = paths(&report);
    got.sort();
    assert_eq!(got, vec!["caf\\xE9.env", "two\\x0Alines.env"]);
    // Text output: one line per finding, the name escaped the same way.
    let out = kf()
        .current_dir(dir.path())
        .args(["scan", "."])
        .output()
        .expect("runs");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.lines().any(|l| l == "two\\x0Alines.env"), "{text}");
    assert!(!text.lines().any(|l| l.starts_with("lines.env")), "{text}");
}

#[test]
fn very_deep_trees_are_walked() {
    let dir = tempfile::tempdir().expect("tempdir");
    let rel: PathBuf = (0..300).map(|_| "d").collect();
    let deep = dir.path().join(&rel);
    std::fs::create_dir_all(&deep).expect("mkdir");
    std::fs::write(deep.join("deep.env"), pw_line(9)).expect("write");
    let (code, report, stderr) = scan_json(dir.path(), &["."]);
    assert_eq!(code, 1, "{stderr}");
    let expected = format!("{}/deep.env", "d/".repeat(300).trim_end_matches('/'));
    assert_eq!(paths(&report), vec![expected]);
}

// ---------------------------------------------------------------------------
// Encodings through the command line

#[test]
fn utf16_files_are_decoded_and_binary_files_skipped() {
    let dir = tempfile::tempdir().expect("tempdir");
    let text = format!("# settings\r\n{}", pw_line(10));
    let mut le = vec![0xFF, 0xFE];
    let mut be = vec![0xFE, 0xFF];
    for u in text.encode_utf16() {
        le.extend_from_slice(&u.to_le_bytes());
        be.extend_from_slice(&u.to_be_bytes());
    }
    std::fs::write(dir.path().join("le.txt"), le).expect("write");
    std::fs::write(dir.path().join("be.txt"), be).expect("write");
    let mut bin = b"\x7fELF\0\0".to_vec();
    bin.extend_from_slice(pw_line(11).as_bytes());
    std::fs::write(dir.path().join("tool.bin"), bin).expect("write");
    let (code, report, stderr) = scan_json(dir.path(), &["."]);
    assert_eq!(code, 1, "{stderr}");
    let lines: Vec<(String, u64, u64)> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["path"].as_str().expect("path").to_string(),
                f["line"].as_u64().expect("line"),
                f["column"].as_u64().expect("column"),
            )
        })
        .collect();
    assert_eq!(
        lines,
        vec![("be.txt".to_string(), 2, 13), ("le.txt".to_string(), 2, 13)]
    );
    assert_eq!(skipped(&report, "binary"), 1);
}

// ---------------------------------------------------------------------------
// Limits

#[test]
fn findings_per_file_are_limited_with_a_note() {
    let many: String = (100..250).map(pw_line).collect();
    let dir = tree(&[("many.env", &many), ("one.env", &pw_line(1))]);
    let (code, report, stderr) = scan_json(dir.path(), &["."]);
    assert_eq!(code, 1);
    let got = paths(&report);
    assert_eq!(got.iter().filter(|p| *p == "many.env").count(), 100);
    assert_eq!(got.iter().filter(|p| *p == "one.env").count(), 1);
    assert_eq!(report["summary"]["findings"], 101);
    assert_eq!(report["summary"]["findings_not_shown"], 50);
    assert_eq!(
        report["summary"]["notes"][0],
        "many.env: 50 more findings not shown (at most 100 per file; see --max-findings-per-file)"
    );
    assert!(
        stderr.contains("keyfence: note: many.env: 50 more findings not shown"),
        "{stderr}"
    );
    // The text summary says so too.
    let out = kf()
        .current_dir(dir.path())
        .args(["scan", "--max-findings-per-file", "10", "."])
        .output()
        .expect("runs");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("11 findings in 2 files"), "{text}");
    assert!(
        text.contains("140 more not shown (--max-findings-per-file)"),
        "{text}"
    );
    // 0 lifts the limit.
    let (_, report, _) = scan_json(dir.path(), &["--max-findings-per-file", "0", "."]);
    assert_eq!(report["summary"]["findings"], 151);
    assert_eq!(report["summary"]["findings_not_shown"], 0);
}

#[test]
fn baselined_findings_do_not_crowd_new_ones_out() {
    // 150 reviewed findings in one file must not hide a new one behind the limit.
    let old: String = (300..450).map(pw_line).collect();
    let dir = tree(&[("many.env", &old)]);
    let out = kf()
        .current_dir(dir.path())
        .args(["baseline", "create"])
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let baseline =
        json(&std::fs::read(dir.path().join(".keyfence-baseline.json")).expect("baseline"));
    let entries = baseline["entries"].as_array().expect("entries");
    let recorded = entries.iter().filter(|e| !e.is_null()).count();
    assert_eq!(recorded, 150, "the baseline records every finding");
    write(dir.path(), "many.env", &format!("{old}{}", pw_line(999)));
    let (code, report, stderr) = scan_json(dir.path(), &["."]);
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(paths(&report), vec!["many.env"]);
    assert_eq!(report["findings"][0]["line"], 151);
    assert_eq!(report["summary"]["findings_not_shown"], 0);
}

#[test]
fn files_over_the_size_limit_are_skipped_and_counted() {
    let dir = tree(&[
        ("big.env", &pw_line(12).repeat(100)),
        ("small.env", &pw_line(13)),
    ]);
    let (code, report, _) = scan_json(dir.path(), &["--max-file-size", "1000", "."]);
    assert_eq!((code, paths(&report)), (1, vec!["small.env".to_string()]));
    assert_eq!(skipped(&report, "too_large"), 1);
}

#[test]
fn standard_input_is_capped_at_the_size_limit() {
    // An endless pipe must not exhaust memory: stdin obeys --max-file-size.
    let dir = tempfile::tempdir().expect("tempdir");
    let out = kf()
        .current_dir(dir.path())
        .args(["scan", "--format", "json", "--max-file-size", "1000", "-"])
        .write_stdin(pw_line(14).repeat(100))
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(0));
    let report = json(&out.stdout);
    assert_eq!(skipped(&report, "too_large"), 1);
    assert!(String::from_utf8_lossy(&out.stderr)
        .contains("-: standard input is larger than the size limit (1000 bytes)"));
    let out = kf()
        .current_dir(dir.path())
        .args(["scan", "--format", "json", "-"])
        .write_stdin(pw_line(14))
        .output()
        .expect("runs");
    assert_eq!(paths(&json(&out.stdout)), vec!["-"]);
}

#[test]
fn a_pathological_user_regex_is_rejected_naming_file_and_rule() {
    let config = r#"
[[rules]]
id = "acme-key"
name = "ACME key"
keywords = ["acme_"]
regex = 'acme_(?P<secret>(?:\w{1000}){1000})'
"#;
    let dir = tree(&[(".keyfence.toml", config), ("a.txt", "x\n")]);
    let out = kf()
        .current_dir(dir.path())
        .args(["scan", "."])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("keyfence: error: ./.keyfence.toml: rule 'acme-key': bad regex: too large once compiled")
            || stderr.contains("keyfence: error: .keyfence.toml: rule 'acme-key': bad regex: too large once compiled"),
        "{stderr}"
    );
    assert_eq!(
        stderr.lines().count(),
        1,
        "one line, no backtrace: {stderr}"
    );
}

#[test]
fn a_keyword_flood_is_reported_within_the_limit() {
    // `password=` repeated (a million times in the benchmark): counted, capped, no blow-up.
    let dir = tree(&[("flood.txt", &"password=".repeat(200_000))]);
    let (code, report, _) = scan_json(dir.path(), &["."]);
    let shown = paths(&report).len() as u64;
    let more = report["summary"]["findings_not_shown"]
        .as_u64()
        .expect("count");
    assert!(shown <= 100, "{shown}");
    if shown == 100 {
        assert!(more > 0);
        assert_eq!(code, 1);
    } else {
        assert_eq!(more, 0);
    }
}
