//! Inline allow markers and `[allowlist]` lists, through the binary (issue 6).
//!
//! Two rules defined in the test's own `.keyfence.toml` keep these tests
//! independent of the built-in rule set: `test-alpha` (`alpha_` + 24
//! alphanumerics) and `test-beta` (`beta_` + 24 alphanumerics).

use crate::common::{findings, json, keyfence, rand_str, tree, write, TestRepo, BASE62};
use std::path::Path;

/// The two test rules, as `.keyfence.toml` text.
pub const RULES: &str = r#"
[[rules]]
id = "test-alpha"
name = "Alpha test key"
keywords = ["alpha_"]
regex = 'alpha_(?P<secret>[A-Za-z0-9]{24})'
severity = "high"
confidence = "high"

[[rules]]
id = "test-beta"
name = "Beta test key"
keywords = ["beta_"]
regex = 'beta_(?P<secret>[A-Za-z0-9]{24})'
severity = "high"
confidence = "high"
"#;

/// A `test-alpha` key whose 24 characters start with `stem`.
pub fn alpha(seed: u64, stem: &str) -> String {
    format!("alpha_{stem}{}", rand_str(seed, 24 - stem.len(), BASE62))
}

/// A `test-beta` key whose 24 characters start with `stem`.
pub fn beta(seed: u64, stem: &str) -> String {
    format!("beta_{stem}{}", rand_str(seed, 24 - stem.len(), BASE62))
}

/// (rule id, path, line) of every finding of `keyfence scan DIR --format json`.
pub fn scan(dir: &Path) -> Vec<(String, String, u64)> {
    let out = keyfence()
        .args(["scan", "--format", "json", "--no-progress"])
        .arg(dir)
        .output()
        .expect("runs");
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "scan failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    findings(&json(&out.stdout))
}

fn hit(rule: &str, path: &str, line: u64) -> (String, String, u64) {
    (rule.to_string(), path.to_string(), line)
}

#[test]
fn each_inline_marker_on_the_line_or_above_with_rule_scoping() {
    let lines = [
        format!("k1 {}  # keyfence:allow", alpha(1, "")),
        "---".to_string(),
        format!(
            "k3 {}  # keyfence:allow test-alpha reason=\"test fixture\"",
            alpha(3, "")
        ),
        "---".to_string(),
        // Scoped to another rule: still reported.
        format!(
            "k5 {}  # keyfence:allow test-beta reason=\"other rule\"",
            alpha(5, "")
        ),
        "---".to_string(),
        "# keyfence:allow".to_string(),
        format!("k8 {}", alpha(8, "")),
        "---".to_string(),
        "# keyfence:allow test-beta".to_string(),
        // The marker above names another rule.
        format!("k11 {}", alpha(11, "")),
        "---".to_string(),
        format!("k13 {}  # pragma: allowlist secret", alpha(13, "")),
        "---".to_string(),
        "# pragma: allowlist secret".to_string(),
        format!("k16 {}", alpha(16, "")),
        "---".to_string(),
        format!("k18 {}  // gitleaks:allow", alpha(18, "")),
        "---".to_string(),
        "// gitleaks:allow".to_string(),
        format!("k21 {}", beta(21, "")),
        "---".to_string(),
        // Two ids, comma-separated.
        format!(
            "k23 {} {}  # keyfence:allow test-beta, test-alpha",
            alpha(23, ""),
            beta(23, "")
        ),
        "---".to_string(),
        // Marker two lines above: too far.
        "# keyfence:allow".to_string(),
        "---".to_string(),
        format!("k27 {}", alpha(27, "")),
    ];
    let dir = tree(&[
        (".keyfence.toml", RULES),
        ("src/keys.txt", &lines.join("\n")),
    ]);
    assert_eq!(
        scan(dir.path()),
        vec![
            hit("test-alpha", "src/keys.txt", 5),
            hit("test-alpha", "src/keys.txt", 11),
            hit("test-alpha", "src/keys.txt", 27),
        ]
    );
}

/// Scans a tree holding one alpha and one beta key in each of a few files,
/// with `allowlist` appended to the rules; returns what is reported.
fn scan_with(allowlist: &str, files: &[(&str, &str)]) -> Vec<(String, String, u64)> {
    let config = format!("{RULES}\n{allowlist}");
    let mut all = vec![(".keyfence.toml", config.as_str())];
    all.extend_from_slice(files);
    let dir = tree(&all);
    scan(dir.path())
}

#[test]
fn path_globs_global_and_scoped() {
    let body = format!("a {}\nb {}\n", alpha(1, ""), beta(2, ""));
    let files = [
        ("fixtures/keys.txt", body.as_str()),
        ("src/keys.txt", body.as_str()),
    ];
    assert_eq!(
        scan_with("[allowlist]\npaths = [\"fixtures/**\"]\n", &files),
        vec![
            hit("test-alpha", "src/keys.txt", 1),
            hit("test-beta", "src/keys.txt", 2)
        ]
    );
    assert_eq!(
        scan_with(
            "[[allowlist.scoped]]\nrule_ids = [\"test-alpha\"]\npaths = [\"fixtures/**\"]\n",
            &files
        ),
        vec![
            hit("test-beta", "fixtures/keys.txt", 2),
            hit("test-alpha", "src/keys.txt", 1),
            hit("test-beta", "src/keys.txt", 2),
        ]
    );
}

#[test]
fn secret_regexes_global_and_scoped() {
    let body = format!(
        "a {}\nb {}\nc {}\nd {}\n",
        alpha(1, "TESTKEY"),
        beta(2, "TESTKEY"),
        alpha(3, "real"),
        beta(4, "real")
    );
    let files = [("keys.txt", body.as_str())];
    assert_eq!(
        scan_with("[allowlist]\nregexes = ['^TESTKEY']\n", &files),
        vec![
            hit("test-alpha", "keys.txt", 3),
            hit("test-beta", "keys.txt", 4)
        ]
    );
    assert_eq!(
        scan_with(
            "[[allowlist.scoped]]\nrule_ids = [\"test-alpha\"]\nregexes = ['^TESTKEY']\n",
            &files
        ),
        vec![
            hit("test-beta", "keys.txt", 2),
            hit("test-alpha", "keys.txt", 3),
            hit("test-beta", "keys.txt", 4),
        ]
    );
}

#[test]
fn line_regexes_global_and_scoped() {
    let body = format!(
        "fixture-line {} {}\nplain {} {}\n",
        alpha(1, ""),
        beta(2, ""),
        alpha(3, ""),
        beta(4, "")
    );
    let files = [("keys.txt", body.as_str())];
    assert_eq!(
        scan_with("[allowlist]\nlines = ['^fixture-line ']\n", &files),
        vec![
            hit("test-alpha", "keys.txt", 2),
            hit("test-beta", "keys.txt", 2)
        ]
    );
    assert_eq!(
        scan_with(
            "[[allowlist.scoped]]\nrule_ids = [\"test-beta\"]\nlines = ['^fixture-line ']\n",
            &files
        ),
        vec![
            hit("test-alpha", "keys.txt", 1),
            hit("test-alpha", "keys.txt", 2),
            hit("test-beta", "keys.txt", 2),
        ]
    );
}

#[test]
fn stopwords_global_and_scoped_ignore_case() {
    let body = format!(
        "a {}\nb {}\nc {}\nd {}\n",
        alpha(1, "qSKIPME"),
        beta(2, "qSkipMe"),
        alpha(3, "real"),
        beta(4, "real")
    );
    let files = [("keys.txt", body.as_str())];
    assert_eq!(
        scan_with("[allowlist]\nstopwords = [\"skipme\"]\n", &files),
        vec![
            hit("test-alpha", "keys.txt", 3),
            hit("test-beta", "keys.txt", 4)
        ]
    );
    assert_eq!(
        scan_with(
            "[[allowlist.scoped]]\nrule_ids = [\"test-alpha\"]\nstopwords = [\"skipme\"]\n",
            &files
        ),
        vec![
            hit("test-beta", "keys.txt", 2),
            hit("test-alpha", "keys.txt", 3),
            hit("test-beta", "keys.txt", 4),
        ]
    );
}

/// Commit ids apply to findings from history. The history path the CLI has in
/// this build is `baseline import --from gitleaks` with commit entries: it
/// scans each file as it was in that commit, so an allowlisted commit yields
/// nothing to import.
#[test]
fn commit_ids_global_and_scoped() {
    // `section` names the commit as COMMIT (its first 10 hex digits go there).
    let import = |section: &str| -> String {
        let repo = TestRepo::new();
        repo.add(
            "old.txt",
            &format!("a {}\nb {}\n", alpha(1, ""), beta(2, "")),
        );
        let c = repo.commit("add keys").to_string();
        repo.remove("old.txt");
        repo.commit("remove keys");
        write(
            repo.path(),
            ".keyfence.toml",
            &format!("{RULES}\n{}", section.replace("COMMIT", &c[..10])),
        );
        write(
            repo.path(),
            ".gitleaksignore",
            &format!("{c}:old.txt:some-rule:1\n{c}:old.txt:other-rule:2\n"),
        );
        let out = keyfence()
            .current_dir(repo.path())
            .args([
                "baseline",
                "import",
                "--from",
                "gitleaks",
                ".gitleaksignore",
            ])
            .args(["--reviewer", "t@example.org"])
            .output()
            .expect("runs");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let none = import("");
    assert!(none.contains("imported 2 of 2"), "{none}");
    let global = import("[allowlist]\ncommits = [\"COMMIT\"]\n");
    assert!(global.contains("imported 0 of 2"), "{global}");
    let scoped =
        import("[[allowlist.scoped]]\nrule_ids = [\"test-beta\"]\ncommits = [\"COMMIT\"]\n");
    assert!(scoped.contains("imported 1 of 2"), "{scoped}");
    assert!(
        scoped.contains(":old.txt:2  other-rule: keyfence finds nothing on this line"),
        "{scoped}"
    );
}
