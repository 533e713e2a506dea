//! `keyfence rules` and the built-in rules' own examples.

use crate::common::*;
use keyfence::matcher::check_examples;
use keyfence::rules::RuleSet;
use predicates::prelude::*;
use std::sync::Arc;

#[test]
fn every_rule_example_matches_and_no_negative_example_does() {
    let set = Arc::new(RuleSet::builtin().expect("built-in rules load"));
    let failures: Vec<String> = check_examples(&set).iter().map(|f| f.to_string()).collect();
    assert!(
        failures.is_empty(),
        "{} failing examples:\n{}",
        failures.len(),
        failures.join("\n")
    );
    for r in set.rules() {
        assert!(
            !r.syntax.examples.is_empty(),
            "rule '{}' has no examples",
            r.id()
        );
        assert!(
            !r.syntax.negative_examples.is_empty(),
            "rule '{}' has no negative examples",
            r.id()
        );
    }
}

#[test]
fn list_shows_every_rule_and_json_parses() {
    let out = keyfence()
        .args(["rules", "list", "--format", "json"])
        .assert()
        .success()
        .get_output()
        .clone();
    let list = json(&out.stdout);
    let n = RuleSet::builtin().expect("rules").len();
    assert_eq!(list.as_array().expect("array").len(), n);
    assert!(list[0]["id"].is_string() && list[0]["confidence"].is_string());
    keyfence()
        .args(["rules", "list"])
        .assert()
        .success()
        .stdout(predicate::str::contains(format!("{n} rules")));
}

#[test]
fn explain_describes_a_rule_and_rejects_unknown_ids() {
    keyfence()
        .args(["rules", "explain", "generic-password"])
        .assert()
        .success()
        .stdout(
            predicate::str::contains("generic-password")
                .and(predicate::str::contains("references")),
        );
    keyfence()
        .args(["rules", "explain", "no-such-rule"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no-such-rule"));
}

#[test]
fn check_accepts_a_good_rule_file_and_names_failing_examples() {
    let good = format!(
        "[[rules]]\nid = \"acme-key\"\nname = \"ACME key\"\nkeywords = [\"acme_\"]\nregex = '\\b(?P<secret>acme_[A-Za-z0-9]{{32}})\\b'\nexamples = ['k = \"acme_{}\"']\nnegative_examples = ['k = \"acme_short\"']\n",
        rand_str(51, 32, BASE62)
    );
    let dir = tree(&[
        ("good.toml", &good),
        (
            "bad.toml",
            &good.replace("acme_short", &format!("acme_{}", rand_str(52, 32, BASE62))),
        ),
    ]);
    keyfence()
        .args(["rules", "check"])
        .arg(dir.path().join("good.toml"))
        .assert()
        .success()
        .stdout(predicate::str::contains("1 rules ok"));
    keyfence()
        .args(["rules", "check"])
        .arg(dir.path().join("bad.toml"))
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "rule 'acme-key': negative_examples[0] matches",
        ));
}

#[test]
fn check_reads_the_rules_of_a_keyfence_toml() {
    let rule = format!(
        "[allowlist]\npaths = [\"vendor/**\"]\n\n[[rules]]\nid = \"acme-key\"\nname = \"ACME key\"\nkeywords = [\"acme_\"]\nregex = '\\b(?P<secret>acme_[A-Za-z0-9]{{32}})\\b'\nexamples = ['k = \"acme_{}\"']\n",
        rand_str(61, 32, BASE62)
    );
    let dir = tree(&[
        (".keyfence.toml", &rule),
        ("typo.toml", "[allowlst]\npaths = []\n"),
    ]);
    keyfence()
        .args(["rules", "check"])
        .arg(dir.path().join(".keyfence.toml"))
        .assert()
        .success()
        .stdout(predicate::str::contains("1 rules ok"));
    keyfence()
        .args(["rules", "check"])
        .arg(dir.path().join("typo.toml"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("typo.toml").and(predicate::str::contains("allowlst")));
}

#[test]
fn check_names_the_file_and_rule_of_a_bad_regex_and_builtin_ids() {
    let dir = tree(&[
        (
            "bad.toml",
            "[[rules]]\nid = \"broken\"\nname = \"B\"\nkeywords = [\"bb\"]\nregex = '(?P<secret>[a-'\n",
        ),
        (
            "dup.toml",
            "[[rules]]\nid = \"jwt\"\nname = \"Mine\"\nkeywords = [\"zz_\"]\nregex = 'zz_[a-z]{8}'\nexamples = ['zz_kqmwprtx']\n",
        ),
    ]);
    keyfence()
        .args(["rules", "check"])
        .arg(dir.path().join("bad.toml"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "bad.toml: rule 'broken': bad regex",
        ));
    keyfence()
        .args(["rules", "check"])
        .arg(dir.path().join("dup.toml"))
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "rule 'jwt': id is already a built-in rule",
        ));
}

#[test]
fn list_json_carries_family_tags_and_validator() {
    let out = keyfence()
        .args(["rules", "list", "--format", "json"])
        .assert()
        .success()
        .get_output()
        .clone();
    let list = json(&out.stdout);
    let jwt = list
        .as_array()
        .expect("array")
        .iter()
        .find(|e| e["id"] == "jwt")
        .expect("jwt listed");
    assert_eq!(jwt["family"], "jwt");
    assert_eq!(jwt["validator"], "jwt");
    assert_eq!(jwt["tags"][0], "jwt");
    assert!(jwt["name"].is_string() && jwt["severity"].is_string());
}

#[test]
fn explain_shows_format_validator_and_redacted_examples() {
    let out = keyfence()
        .args(["rules", "explain", "jwt"])
        .assert()
        .success()
        .get_output()
        .clone();
    let text = String::from_utf8_lossy(&out.stdout);
    for part in [
        "format:",
        "validator:  jwt",
        "references:",
        "https://datatracker.ietf.org",
        "examples (redacted):",
    ] {
        assert!(text.contains(part), "{part} missing from:\n{text}");
    }
    assert!(
        !text.contains("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."),
        "examples are redacted:\n{text}"
    );
}

/// `docs/rules-reference.md` is rendered from the rules; this fails when the
/// committed copy is stale. `KEYFENCE_UPDATE_DOCS=1 cargo test` rewrites it.
#[test]
fn rules_reference_is_up_to_date() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/rules-reference.md");
    let out = keyfence()
        .args(["rules", "reference"])
        .assert()
        .success()
        .get_output()
        .clone();
    let fresh = String::from_utf8(out.stdout).expect("utf-8");
    if std::env::var_os("KEYFENCE_UPDATE_DOCS").is_some() {
        std::fs::write(&path, &fresh).expect("write docs/rules-reference.md");
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == fresh,
        "docs/rules-reference.md is stale; run `KEYFENCE_UPDATE_DOCS=1 cargo test --test cli rules_reference` and commit it"
    );
}
