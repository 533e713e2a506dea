//! keyfence must never become the leak (issue 9): secrets planted in a tree
//! go through every command and format, with errors forced, and no stream or
//! file may hold the plaintext (nor a long piece of it). Only
//! `--show-secrets` prints it, which also proves the planted values are found.

use crate::common::{json, keyfence, password, rand_str, tree, BASE62};
use std::path::Path;
use std::process::Output;
use std::time::Duration;

/// The planted values, assembled at run time.
struct Planted {
    password: String,
    api_key: String,
    jwt: String,
    custom: String,
    /// Shapes of provider tokens; reported or not depending on the rule set,
    /// never printed either way.
    others: Vec<String>,
}

fn b64url(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

impl Planted {
    fn new() -> Planted {
        let header = b64url(br#"{"alg":"HS256","typ":"JWT"}"#);
        let claims = b64url(
            format!(
                r#"{{"sub":"{}","iat":1700000000}}"#,
                rand_str(41, 12, BASE62)
            )
            .as_bytes(),
        );
        let sig = rand_str(
            42,
            43,
            b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_",
        );
        Planted {
            password: password(40),
            api_key: rand_str(43, 28, BASE62),
            jwt: format!("{header}.{claims}.{sig}"),
            custom: format!("acme_{}", rand_str(44, 32, BASE62)),
            others: vec![
                crate::common::github_token(45, "ghp_"),
                crate::common::aws_key_id(46),
                crate::common::aws_secret(47),
            ],
        }
    }

    /// The values keyfence reports with the built-in rules plus the config's rule.
    fn reported(&self) -> [&str; 4] {
        [&self.password, &self.api_key, &self.jwt, &self.custom]
    }

    fn all(&self) -> Vec<&str> {
        let mut v = self.reported().to_vec();
        v.extend(self.others.iter().map(String::as_str));
        v
    }

    fn source(&self) -> String {
        format!(
            "# service settings\nDB_PASSWORD=\"{}\"\napi_key: '{}'\nAuthorization: Bearer {}\nACME = \"{}\"\ngh = \"{}\"\naws_access_key_id = {}\naws_secret_access_key = {}\n",
            self.password, self.api_key, self.jwt, self.custom, self.others[0], self.others[1], self.others[2]
        )
    }
}

const CONFIG: &str = r#"
[[rules]]
id = "acme-key"
name = "ACME key"
keywords = ["acme_"]
regex = '\b(?P<secret>acme_[A-Za-z0-9]{32})\b'
severity = "high"
"#;

/// Fails when `bytes` hold any planted secret or any 12-character piece of one.
fn assert_no_leak(what: &str, bytes: &[u8], planted: &Planted) {
    let text = String::from_utf8_lossy(bytes);
    for s in planted.all() {
        let n = s.len().min(12);
        for i in 0..=s.len() - n {
            let piece = &s[i..i + n];
            assert!(
                !text.contains(piece),
                "{what} holds {piece:?}, a piece of a planted secret:\n{text}"
            );
        }
    }
}

fn assert_output_clean(what: &str, out: &Output, planted: &Planted) {
    assert_no_leak(&format!("{what}: stdout"), &out.stdout, planted);
    assert_no_leak(&format!("{what}: stderr"), &out.stderr, planted);
}

/// Every file under `dir` except the planted source and config.
fn assert_files_clean(what: &str, dir: &Path, planted: &Planted) {
    for entry in walk(dir) {
        let name = entry.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if matches!(name, "app.env" | ".keyfence.toml" | "big.env") {
            continue;
        }
        let bytes = std::fs::read(&entry).expect("read output file");
        assert_no_leak(
            &format!("{what}: file {}", entry.display()),
            &bytes,
            planted,
        );
    }
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).expect("read dir") {
        let p = e.expect("entry").path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

fn planted_tree(planted: &Planted) -> tempfile::TempDir {
    tree(&[("app.env", &planted.source()), (".keyfence.toml", CONFIG)])
}

fn run(dir: &Path, args: &[&str], stdin: Option<&str>) -> Output {
    let mut c = keyfence();
    c.current_dir(dir)
        .args(args)
        .timeout(Duration::from_secs(120));
    if let Some(s) = stdin {
        c.write_stdin(s);
    }
    c.output().expect("runs")
}

const FORMATS: [&str; 5] = ["text", "json", "sarif", "junit", "csv"];

#[test]
fn the_planted_secrets_are_found_and_shown_only_when_asked() {
    // Without this the other tests could pass by finding nothing.
    let planted = Planted::new();
    let dir = planted_tree(&planted);
    let out = run(
        dir.path(),
        &["scan", "--format", "json", "--show-secrets", "."],
        None,
    );
    assert_eq!(out.status.code(), Some(1));
    let report = json(&out.stdout);
    let shown: Vec<&str> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter_map(|f| f["secret"].as_str())
        .collect();
    for s in planted.reported() {
        assert!(shown.contains(&s), "{s} not found: {report}");
    }
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains(&planted.custom));
}

#[test]
fn scan_in_every_format_to_stdout_and_to_a_file() {
    let planted = Planted::new();
    let dir = planted_tree(&planted);
    for format in FORMATS {
        let out = run(dir.path(), &["scan", "--format", format, "."], None);
        assert_eq!(out.status.code(), Some(1), "{format}");
        assert_output_clean(&format!("scan --format {format}"), &out, &planted);
        let file = format!("report.{format}");
        let out = run(
            dir.path(),
            &["scan", "--format", format, "--output", &file, "app.env"],
            None,
        );
        assert_eq!(out.status.code(), Some(1), "{format}");
        assert!(dir.path().join(&file).is_file());
        assert_output_clean(&format!("scan --output ({format})"), &out, &planted);
    }
    assert_files_clean("scan --output", dir.path(), &planted);
    // The JSON report holds the redacted values and hashes, and all four findings.
    let out = run(dir.path(), &["scan", "--format", "json", "app.env"], None);
    let report = json(&out.stdout);
    assert!(
        report["findings"].as_array().expect("findings").len() >= 4,
        "{report}"
    );
}

#[test]
fn standard_input_in_every_format() {
    let planted = Planted::new();
    let dir = tree(&[(".keyfence.toml", CONFIG)]);
    for format in FORMATS {
        let out = run(
            dir.path(),
            &["scan", "--format", format, "-"],
            Some(&planted.source()),
        );
        assert_eq!(out.status.code(), Some(1), "{format}");
        assert_output_clean(&format!("scan - --format {format}"), &out, &planted);
    }
}

#[test]
fn rules_commands() {
    let planted = Planted::new();
    // A rule file whose examples are the planted values, one failing on purpose.
    let rules = format!(
        "[[rules]]\nid = \"acme-key\"\nname = \"ACME key\"\nkeywords = [\"acme_\"]\nregex = '\\b(?P<secret>acme_[A-Za-z0-9]{{32}})\\b'\nexamples = ['k = {}']\nnegative_examples = ['k = {}']\n",
        planted.custom, planted.custom
    );
    let dir = tree(&[
        ("my-rules.toml", &rules),
        (".keyfence.toml", CONFIG),
        ("app.env", &planted.source()),
    ]);
    let out = run(dir.path(), &["rules", "check", "my-rules.toml"], None);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("negative_examples[0] matches"));
    assert_output_clean("rules check", &out, &planted);
    let list = run(dir.path(), &["rules", "list", "--format", "json"], None);
    assert_output_clean("rules list", &list, &planted);
    for rule in json(&list.stdout).as_array().expect("rules") {
        let id = rule["id"].as_str().expect("id");
        let out = run(dir.path(), &["rules", "explain", id], None);
        assert_eq!(out.status.code(), Some(0), "{id}");
        assert_output_clean(&format!("rules explain {id}"), &out, &planted);
    }
}

#[test]
fn errors_do_not_echo_secrets() {
    let planted = Planted::new();
    let p = &planted.password;
    let k = &planted.api_key;
    let bad_configs = [
        // A syntax error on the line holding a secret.
        format!("[allowlist]\nstopwords = [\"{p}\"\n"),
        // A value of the wrong type.
        format!("[allowlist]\nregexes = \"{p}\"\n"),
        format!("[scan]\nmax_file_size = \"{k}\"\n"),
        // Regexes that do not compile, with a secret inside.
        format!("[allowlist]\nregexes = ['^{p}(']\n"),
        format!("[[allowlist.scoped]]\nrule_ids = [\"jwt\"]\nlines = ['{k}[']\n"),
        format!("[[rules]]\nid = \"x\"\nname = \"X\"\nkeywords = [\"xx\"]\nregex = '{k}(?P<secret>['\n"),
        format!("[[rules]]\nid = \"x\"\nname = \"X\"\nkeywords = [\"xx\"]\nregex = 'xx'\nallowlist = ['{p}(']\n"),
        format!("[[rules]]\nid = \"x\"\nname = \"X\"\nkeywords = [\"xx\"]\nregex = 'xx'\nexamples = \"{p}\"\n"),
        // An unknown key next to a secret value.
        format!("[allowlist]\nstopword = [\"{p}\"]\n"),
    ];
    for (i, config) in bad_configs.iter().enumerate() {
        let dir = tree(&[("app.env", &planted.source()), (".keyfence.toml", config)]);
        for format in FORMATS {
            let out = run(dir.path(), &["scan", "--format", format, "."], None);
            assert_eq!(
                out.status.code(),
                Some(2),
                "config {i}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert!(stderr.contains(".keyfence.toml: "), "config {i}: {stderr}");
            assert_output_clean(&format!("bad config {i} ({format})"), &out, &planted);
        }
        // `rules check` reads only the [[rules]] of the file; whatever it
        // decides about the rest, it must not echo it.
        let out = run(dir.path(), &["rules", "check", ".keyfence.toml"], None);
        assert!(out.status.code().is_some(), "config {i}");
        assert_output_clean(&format!("rules check on bad config {i}"), &out, &planted);
    }
}

#[test]
fn failing_runs_do_not_leak() {
    let planted = Planted::new();
    let dir = planted_tree(&planted);
    std::fs::write(dir.path().join("big.env"), planted.source().repeat(50)).expect("write");
    std::fs::write(dir.path().join("not-a-dir"), "x").expect("write");
    let cases: Vec<Vec<&str>> = vec![
        // The output cannot be written.
        vec![
            "scan",
            "--output",
            "not-a-dir/report.json",
            "--format",
            "json",
            ".",
        ],
        vec![
            "scan",
            "--output",
            "missing/dir/report.sarif",
            "--format",
            "sarif",
            ".",
        ],
        // A path that does not exist next to one that does.
        vec!["scan", "app.env", "no-such-file"],
        // A file over the size limit (skipped) next to one that is scanned.
        vec!["scan", "--max-file-size", "2000", "--format", "json", "."],
        vec!["scan", "--max-file-size", "10", "--format", "csv", "-"],
        // A rule that does not exist.
        vec!["rules", "explain", "no-such-rule"],
        // Bad flags.
        vec!["scan", "--format", "yaml", "."],
        vec!["scan", "--max-findings-per-file", "many", "."],
        // Debug environment variables change nothing.
        vec!["scan", "--format", "text", "--threads", "1", "."],
    ];
    for args in &cases {
        let mut c = keyfence();
        c.current_dir(dir.path())
            .args(args)
            .env("RUST_LOG", "trace")
            .env("RUST_BACKTRACE", "full")
            .timeout(Duration::from_secs(120));
        if args.last() == Some(&"-") {
            c.write_stdin(planted.source());
        }
        let out = c.output().expect("runs");
        assert!(out.status.code().is_some(), "{args:?} was killed");
        assert_output_clean(&format!("{args:?}"), &out, &planted);
    }
    assert_files_clean("failing runs", dir.path(), &planted);
}

#[cfg(unix)]
#[test]
fn an_interrupted_run_leaves_nothing_behind() {
    let planted = Planted::new();
    let dir = planted_tree(&planted);
    for i in 0..400 {
        std::fs::write(
            dir.path().join(format!("f{i}.env")),
            planted.source().repeat(20),
        )
        .expect("write");
    }
    let out_dir = tempfile::tempdir().expect("tempdir");
    let report = out_dir.path().join("report.json");
    let bin = assert_cmd::cargo::cargo_bin("keyfence");
    for (signal, delay) in [(libc::SIGINT, 30), (libc::SIGTERM, 80), (libc::SIGINT, 200)] {
        let child = std::process::Command::new(&bin)
            .current_dir(dir.path())
            .args(["scan", "--format", "json", "--output"])
            .arg(&report)
            .arg(".")
            .env("NO_COLOR", "1")
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("spawn");
        std::thread::sleep(Duration::from_millis(delay));
        // SAFETY: signalling our own child by its pid.
        unsafe { libc::kill(child.id() as libc::pid_t, signal) };
        let out = child.wait_with_output().expect("wait");
        assert_output_clean("interrupted run", &out, &planted);
        assert_files_clean("interrupted run", out_dir.path(), &planted);
    }
}
