//! `keyfence scan`: files, directories, stdin, skips, symlinks, config, exit codes, formats.

use crate::common::*;
use predicates::prelude::*;
use std::path::Path;

/// A directory with one planted secret per line listed in the returned table:
/// (rule id, path, line, plaintext).
fn planted() -> (
    tempfile::TempDir,
    Vec<(&'static str, &'static str, u64, String)>,
) {
    let stripe = ["sk_", "live_", &rand_str(11, 24, BASE62)].concat();
    let slack = format!(
        "{}-{}-{}-{}",
        "xoxb",
        rand_str(12, 11, b"0123456789"),
        rand_str(13, 12, b"0123456789"),
        rand_str(14, 24, BASE62)
    );
    let pw = password(15);
    let api = rand_str(16, 26, BASE62);
    let dir = tree(&[
        (
            "src/config.py",
            &format!("import os\n\nSTRIPE_KEY = \"{stripe}\"\nDEBUG = False\n"),
        ),
        (
            ".env",
            &format!("APP_ENV=production\nSLACK_BOT_TOKEN={slack}\n"),
        ),
        (
            "deploy/values.yaml",
            &format!("db:\n  host: db.internal\n  user: app\n  password: \"{pw}\"\n"),
        ),
        (
            "web/app.js",
            &format!("// client\nconst apiKey = \"{api}\";\nexport default apiKey;\n"),
        ),
        (
            "README.md",
            "# demo\n\nNothing to see here. Set `password` in your environment.\n",
        ),
    ]);
    let table = vec![
        ("stripe-secret-key", "src/config.py", 3, stripe),
        ("slack-bot-token", ".env", 2, slack),
        ("generic-password", "deploy/values.yaml", 4, pw),
        ("generic-secret", "web/app.js", 2, api),
    ];
    (dir, table)
}

#[test]
fn every_planted_secret_is_found_at_its_file_and_line() {
    let (dir, table) = planted();
    let out = keyfence()
        .arg("scan")
        .arg(dir.path())
        .args(["--format", "json"])
        .assert()
        .code(1)
        .get_output()
        .clone();
    let report = json(&out.stdout);
    let found = findings(&report);
    for (rule, path, line, _) in &table {
        assert!(
            found
                .iter()
                .any(|(r, p, l)| r == rule && p == path && l == line),
            "{rule} at {path}:{line} not found in {found:?}"
        );
    }
    assert_eq!(
        found.len(),
        table.len(),
        "unexpected extra findings: {found:?}"
    );
    assert_eq!(report["summary"]["files_scanned"], 5);
}

#[test]
fn a_clean_directory_exits_zero() {
    let dir = tree(&[
        ("src/main.rs", "fn main() { println!(\"hello\"); }\n"),
        ("notes.txt", "password rotation is monthly\n"),
    ]);
    keyfence()
        .arg("scan")
        .arg(dir.path())
        .assert()
        .code(0)
        .stdout(predicate::str::contains("0 findings"));
}

#[test]
fn no_path_scans_the_current_directory() {
    let (dir, _) = planted();
    let out = keyfence()
        .arg("scan")
        .args(["-f", "json"])
        .current_dir(dir.path())
        .assert()
        .code(1)
        .get_output()
        .clone();
    assert_eq!(findings(&json(&out.stdout)).len(), 4);
}

#[test]
fn stdin_is_scanned_as_dash() {
    let pw = password(21);
    let out = keyfence()
        .args(["scan", "-", "--format", "json"])
        .write_stdin(format!("first line\nDB_PASSWORD='{pw}'\n"))
        .assert()
        .code(1)
        .get_output()
        .clone();
    assert_eq!(
        findings(&json(&out.stdout)),
        vec![("generic-password".to_string(), "-".to_string(), 2)]
    );
}

#[test]
fn binary_and_oversize_files_are_skipped_and_counted() {
    let pw = password(22);
    let dir = tree(&[("small.txt", "hello\n")]);
    std::fs::write(
        dir.path().join("blob.bin"),
        format!("\0\0PK password = \"{pw}\""),
    )
    .expect("write");
    write(
        dir.path(),
        "big.cfg",
        &format!("{}\npassword = \"{pw}\"\n", "x".repeat(5000)),
    );
    let out = keyfence()
        .arg("scan")
        .arg(dir.path())
        .args(["--format", "json", "--max-file-size", "1000"])
        .assert()
        .code(0)
        .get_output()
        .clone();
    let r = json(&out.stdout);
    assert_eq!(r["summary"]["skipped"]["binary"], 1);
    assert_eq!(r["summary"]["skipped"]["too_large"], 1);
    assert_eq!(r["summary"]["files_scanned"], 1);
}

#[cfg(unix)]
#[test]
fn symlinks_are_not_followed_out_of_the_root() {
    let outside = tree(&[("secret.env", &format!("DB_PASSWORD={}\n", password(23)))]);
    let root = tree(&[("ok.txt", "fine\n")]);
    std::os::unix::fs::symlink(
        outside.path().join("secret.env"),
        root.path().join("link.env"),
    )
    .expect("symlink");
    std::os::unix::fs::symlink(outside.path(), root.path().join("linkdir")).expect("symlink");
    std::os::unix::fs::symlink(root.path().join("missing"), root.path().join("broken"))
        .expect("symlink");
    keyfence().arg("scan").arg(root.path()).assert().code(0);
}

#[test]
fn a_missing_path_exits_2_naming_it() {
    keyfence()
        .args(["scan", "does/not/exist"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "does/not/exist: no such file or directory",
        ));
}

#[test]
fn a_bad_user_regex_exits_2_naming_file_and_rule() {
    let dir = tree(&[
        (".keyfence.toml", "[[rules]]\nid = \"acme-key\"\nname = \"ACME key\"\nkeywords = [\"acme_\"]\nregex = 'acme_(?P<secret>[a-z'\n"),
        ("a.txt", "x\n"),
    ]);
    keyfence()
        .arg("scan")
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            ".keyfence.toml: rule 'acme-key': bad regex",
        ));
}

#[test]
fn an_unknown_config_key_exits_2_naming_file_and_key() {
    let dir = tree(&[
        (".keyfence.toml", "[scan]\nmax_filesize = 3\n"),
        ("a.txt", "x\n"),
    ]);
    keyfence()
        .arg("scan")
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains(".keyfence.toml")
                .and(predicate::str::contains("max_filesize")),
        );
}

#[test]
fn config_adds_rules_disables_rules_and_allowlists() {
    let acme = format!("acme_{}", rand_str(31, 32, BASE62));
    let pw = password(32);
    let dir = tree(&[
        (
            ".keyfence.toml",
            "disable = [\"generic-secret\"]\n\n[[rules]]\nid = \"acme-key\"\nname = \"ACME key\"\nkeywords = [\"acme_\"]\nregex = '\\b(?P<secret>acme_[A-Za-z0-9]{32})\\b'\n\n[allowlist]\npaths = [\"tests/**\"]\n",
        ),
        ("src/a.py", &format!("ACME = \"{acme}\"\nAPI_KEY = \"{}\"\n", rand_str(33, 24, BASE62))),
        ("tests/fixture.py", &format!("PASSWORD = \"{pw}\"\n")),
    ]);
    let out = keyfence()
        .arg("scan")
        .arg(dir.path())
        .args(["-f", "json"])
        .assert()
        .code(1)
        .get_output()
        .clone();
    assert_eq!(
        findings(&json(&out.stdout)),
        vec![("acme-key".to_string(), "src/a.py".to_string(), 1)]
    );
}

#[test]
fn ignore_files_are_respected_hidden_files_scanned_and_git_never_entered() {
    let pw = |s| format!("PASSWORD = \"{}\"\n", password(s));
    let dir = tree(&[
        (".gitignore", "ignored.py\n"),
        (".keyfenceignore", "also-ignored/\n"),
        ("ignored.py", &pw(41)),
        ("also-ignored/x.py", &pw(42)),
        (".hidden/visible.py", &pw(43)),
        (".git/config.py", &pw(44)),
    ]);
    let out = keyfence()
        .arg("scan")
        .arg(dir.path())
        .args(["-f", "json"])
        .assert()
        .code(1)
        .get_output()
        .clone();
    let paths: Vec<String> = findings(&json(&out.stdout))
        .into_iter()
        .map(|f| f.1)
        .collect();
    assert_eq!(paths, vec![".hidden/visible.py"]);
    let out = keyfence()
        .arg("scan")
        .arg(dir.path())
        .args(["-f", "json", "--no-ignore"])
        .assert()
        .code(1)
        .get_output()
        .clone();
    let paths: Vec<String> = findings(&json(&out.stdout))
        .into_iter()
        .map(|f| f.1)
        .collect();
    assert_eq!(
        paths,
        vec![".hidden/visible.py", "also-ignored/x.py", "ignored.py"]
    );
}

#[test]
fn no_format_leaks_a_planted_secret_unless_asked() {
    let (dir, table) = planted();
    let out_dir = tempfile::TempDir::new().expect("tempdir");
    for format in ["text", "json", "sarif", "junit", "csv"] {
        let file = out_dir.path().join(format!("report.{format}"));
        for args in [
            vec!["--format", format],
            vec![
                "--format",
                format,
                "--output",
                file.to_str().expect("utf-8"),
            ],
        ] {
            let out = keyfence()
                .arg("scan")
                .arg(dir.path())
                .args(&args)
                .assert()
                .code(1)
                .get_output()
                .clone();
            let written = std::fs::read_to_string(&file).unwrap_or_default();
            for (rule, _, _, plain) in &table {
                for (what, text) in [
                    ("stdout", String::from_utf8_lossy(&out.stdout)),
                    ("stderr", String::from_utf8_lossy(&out.stderr)),
                    ("file", written.clone().into()),
                ] {
                    assert!(
                        !text.contains(plain.as_str()),
                        "{rule} plaintext in {what} with {args:?}"
                    );
                }
            }
        }
    }
    let out = keyfence()
        .arg("scan")
        .arg(dir.path())
        .args(["-f", "json", "--show-secrets"])
        .assert()
        .code(1)
        .get_output()
        .clone();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        table.iter().all(|(_, _, _, p)| text.contains(p.as_str())),
        "--show-secrets must show them"
    );
}

#[test]
fn sarif_validates_against_the_official_schema() {
    let (dir, _) = planted();
    let out = keyfence()
        .arg("scan")
        .arg(dir.path())
        .args(["-f", "sarif"])
        .assert()
        .code(1)
        .get_output()
        .clone();
    let schema_path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/schemas/sarif-schema-2.1.0.json");
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(schema_path).expect("schema")).expect("json");
    let validator = jsonschema::validator_for(&schema).expect("schema compiles");
    let log = json(&out.stdout);
    let errors: Vec<String> = validator
        .iter_errors(&log)
        .map(|e| format!("{} at {}", e, e.instance_path))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    // And an invalid document is rejected.
    let mut bad = log.clone();
    bad["version"] = serde_json::json!("2.0.0");
    assert!(!validator.is_valid(&bad));
    let results = log["runs"][0]["results"].as_array().expect("results");
    assert_eq!(results.len(), 4);
    assert!(results
        .iter()
        .all(|r| r["partialFingerprints"]["keyfence/v1"].is_string()));
}

#[test]
fn this_repository_scans_clean() {
    keyfence()
        .arg("scan")
        .arg(env!("CARGO_MANIFEST_DIR"))
        .arg("--quiet")
        .assert()
        .code(0);
}

#[cfg(unix)]
#[test]
fn output_to_a_fifo_or_through_a_symlink_keeps_what_is_there() {
    let (dir, _) = planted();
    let out_dir = tempfile::TempDir::new().expect("tempdir");
    // A FIFO stays a FIFO (renaming over it would replace it, as it would /dev/null).
    let fifo = out_dir.path().join("pipe");
    assert!(std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("mkfifo")
        .success());
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::read_to_string(fifo).expect("read fifo"))
    };
    keyfence()
        .arg("scan")
        .arg(dir.path())
        .args(["-f", "json", "-o"])
        .arg(&fifo)
        .assert()
        .code(1);
    let text = reader.join().expect("reader");
    assert_eq!(findings(&json(text.as_bytes())).len(), 4);
    use std::os::unix::fs::FileTypeExt;
    assert!(std::fs::metadata(&fifo)
        .expect("fifo")
        .file_type()
        .is_fifo());
    // A symlink is written through, and stays a symlink.
    let real = out_dir.path().join("real.json");
    std::fs::write(&real, "old").expect("write");
    let link = out_dir.path().join("link.json");
    std::os::unix::fs::symlink(&real, &link).expect("symlink");
    keyfence()
        .arg("scan")
        .arg(dir.path())
        .args(["-f", "json", "-o"])
        .arg(&link)
        .assert()
        .code(1);
    assert!(std::fs::symlink_metadata(&link)
        .expect("link")
        .file_type()
        .is_symlink());
    assert_eq!(
        findings(&json(&std::fs::read(&real).expect("real"))).len(),
        4
    );
}
