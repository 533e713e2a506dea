//! The integrations: the pre-commit hook manifest, the GitHub Action and its
//! scripts, the example workflows, SARIF as code scanning takes it, shell
//! completions and the man page.
#![allow(clippy::print_stderr)]

mod action;
mod completions;
mod manifests;
mod precommit;
mod sarif;

use std::path::{Path, PathBuf};

/// The repository under test.
pub fn repo_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The built keyfence binary.
pub fn keyfence_bin() -> PathBuf {
    assert_cmd::cargo::cargo_bin("keyfence")
}

/// Parses a YAML file into a JSON value (serde_yaml 0.9 keeps `on` a string).
pub fn yaml_file(rel: &str) -> serde_json::Value {
    let path = repo_root().join(rel);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_yaml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// A validator for one of the schemas in `fixtures/schemas/`.
pub fn schema(name: &str) -> jsonschema::Validator {
    let path = repo_root().join("fixtures/schemas").join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let schema: serde_json::Value = serde_json::from_str(&text).expect("schema is JSON");
    jsonschema::validator_for(&schema).expect("schema compiles")
}

/// Panics with every schema error of `doc`.
pub fn assert_valid(validator: &jsonschema::Validator, doc: &serde_json::Value, what: &str) {
    let errors: Vec<String> = validator
        .iter_errors(doc)
        .map(|e| format!("{e} at {}", e.instance_path))
        .collect();
    assert!(errors.is_empty(), "{what}: {errors:#?}");
}

/// Runs git in `dir` with a fixed identity and no user configuration.
pub fn git(dir: &Path, args: &[&str]) -> String {
    let out = std::process::Command::new("git")
        .args(args)
        .current_dir(dir)
        .envs(git_env())
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// The environment every git (and pre-commit) child gets: no system or user
/// configuration, a fixed identity.
pub fn git_env() -> Vec<(&'static str, &'static str)> {
    vec![
        ("GIT_CONFIG_NOSYSTEM", "1"),
        ("GIT_CONFIG_GLOBAL", "/dev/null"),
        ("GIT_AUTHOR_NAME", "Test Author"),
        ("GIT_AUTHOR_EMAIL", "author@example.org"),
        ("GIT_COMMITTER_NAME", "Test Author"),
        ("GIT_COMMITTER_EMAIL", "author@example.org"),
        ("NO_COLOR", "1"),
    ]
}
