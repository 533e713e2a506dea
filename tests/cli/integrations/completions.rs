//! `keyfence completions` and `keyfence man`, generated from the clap
//! definition, and a snapshot of `--help` so drift shows in review.

use crate::common::keyfence;

/// The subcommands `keyfence --help` lists.
fn subcommands() -> Vec<String> {
    let out = keyfence()
        .arg("--help")
        .assert()
        .success()
        .get_output()
        .clone();
    let help = String::from_utf8(out.stdout).expect("utf-8");
    let names: Vec<String> = help
        .lines()
        .skip_while(|l| !l.starts_with("Commands:"))
        .skip(1)
        .take_while(|l| l.starts_with("  "))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|n| *n != "help")
        .map(str::to_string)
        .collect();
    for expected in ["scan", "rules", "completions", "man"] {
        assert!(
            names.iter().any(|n| n == expected),
            "{expected} in {names:?}"
        );
    }
    names
}

#[test]
fn completions_name_every_subcommand_in_each_shell() {
    let names = subcommands();
    for (shell, marker) in [
        ("bash", "complete -F"),
        ("zsh", "#compdef keyfence"),
        ("fish", "complete -c keyfence"),
    ] {
        let out = keyfence()
            .args(["completions", shell])
            .assert()
            .success()
            .get_output()
            .clone();
        let script = String::from_utf8(out.stdout).expect("utf-8");
        assert!(script.contains(marker), "{shell}: no '{marker}'");
        for n in &names {
            assert!(script.contains(n.as_str()), "{shell} completion lacks {n}");
        }
        assert!(
            script.contains("format") && script.contains("show-secrets"),
            "{shell}: options are completed too"
        );
    }
}

#[test]
fn an_unknown_shell_is_a_usage_error() {
    keyfence().args(["completions", "tcsh"]).assert().code(2);
}

#[test]
fn man_prints_a_roff_page_naming_every_subcommand() {
    let out = keyfence()
        .arg("man")
        .assert()
        .success()
        .get_output()
        .clone();
    let page = String::from_utf8(out.stdout).expect("utf-8");
    assert!(
        page.starts_with(".ie") || page.starts_with(".TH"),
        "{}",
        &page[..40.min(page.len())]
    );
    assert!(page.contains(".TH keyfence 1"), "no .TH header");
    assert!(page.contains(".SH NAME"));
    assert!(page.contains(".SH SYNOPSIS"));
    for n in subcommands() {
        assert!(
            page.contains(&format!("keyfence\\-{n}")),
            "the page lacks {n}"
        );
    }
}

#[test]
fn top_level_help_is_unchanged() {
    let out = keyfence()
        .arg("--help")
        .env("COLUMNS", "100")
        .assert()
        .success()
        .get_output()
        .clone();
    insta::assert_snapshot!(
        "keyfence_help",
        String::from_utf8(out.stdout).expect("utf-8")
    );
}
