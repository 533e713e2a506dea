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
