//! `scanning-not-enforced`.

use super::files::{code_part, file_name, Lang};
use super::{Lint, LintContext};
use crate::finding::Finding;
use crate::severity::Severity;

declare_lint! {
    /// No pre-commit hook and no CI job runs a secret scanner.
    ///
    /// ## What it checks
    /// Whether the repository runs a secret scanner on its own: a committed
    /// pre-commit configuration (`.pre-commit-config.yaml`, `lefthook.yml`,
    /// `.husky/pre-commit`, `.githooks/pre-commit`, `.overcommit.yml`) or a CI
    /// definition (`.github/workflows/*.yml`, `.gitlab-ci.yml`,
    /// `.circleci/config.yml`, `azure-pipelines.yml`,
    /// `bitbucket-pipelines.yml`, `Jenkinsfile`, `.travis.yml`, `.drone.yml`,
    /// `.buildkite/pipeline.yml`, `.woodpecker.yml`) that names keyfence or
    /// another well-known scanner (gitleaks, TruffleHog, detect-secrets,
    /// ggshield, Talisman, Nosey Parker, Kingfisher, secretlint, git-secrets,
    /// ripsecrets) outside a comment. The lint reports when neither exists.
    ///
    /// ## Why it matters
    /// A scanner that each developer has to remember to run is not run. A
    /// pre-commit hook stops a secret before it enters history, where it is
    /// cheapest to fix; a CI job catches what skipped the hook (`--no-verify`,
    /// web edits, other machines).
    ///
    /// ## How to fix
    /// Add keyfence to `.pre-commit-config.yaml` and to CI, for example:
    /// ```text
    /// # .pre-commit-config.yaml
    /// repos:
    ///   - repo: local
    ///     hooks:
    ///       - id: keyfence
    ///         name: keyfence
    ///         entry: keyfence staged
    ///         language: system
    ///         pass_filenames: false
    /// ```
    /// and a CI step running `keyfence scan .` or `keyfence git`.
    ///
    /// ## Example
    /// ```text
    /// .pre-commit-config.yaml:1  scanning-not-enforced  no pre-commit hook or
    ///     CI job runs a secret scanner
    /// ```
    ///
    /// ## Configuration
    /// Disable with `[lint] disable = ["scanning-not-enforced"]` where
    /// scanning is enforced outside the repository (a server-side hook, an
    /// organisation-wide scanner).
    pub struct ScanningNotEnforced;
}

/// Scanner names recognised in hook and CI files (matched lowercase).
const SCANNERS: &[&str] = &[
    "keyfence",
    "gitleaks",
    "trufflehog",
    "detect-secrets",
    "ggshield",
    "talisman",
    "noseyparker",
    "nosey-parker",
    "kingfisher",
    "secretlint",
    "git-secrets",
    "ripsecrets",
];

/// Hook configuration files.
fn is_hook_config(p: &str) -> bool {
    matches!(
        p,
        ".pre-commit-config.yaml"
            | ".pre-commit-config.yml"
            | "lefthook.yml"
            | "lefthook.yaml"
            | ".lefthook.yml"
            | ".lefthook.yaml"
            | ".husky/pre-commit"
            | ".husky/pre-push"
            | ".githooks/pre-commit"
            | ".githooks/pre-push"
            | ".overcommit.yml"
    )
}

/// CI definitions.
fn is_ci_config(p: &str) -> bool {
    let yaml = p.ends_with(".yml") || p.ends_with(".yaml");
    (yaml
        && (p.starts_with(".github/workflows/")
            || p.starts_with(".woodpecker/")
            || p.starts_with(".gitea/workflows/")
            || p.starts_with(".forgejo/workflows/")))
        || matches!(
            p,
            ".gitlab-ci.yml"
                | ".circleci/config.yml"
                | "azure-pipelines.yml"
                | "bitbucket-pipelines.yml"
                | "Jenkinsfile"
                | ".travis.yml"
                | ".drone.yml"
                | ".buildkite/pipeline.yml"
                | ".woodpecker.yml"
                | "cloudbuild.yaml"
        )
}

impl Lint for ScanningNotEnforced {
    fn id(&self) -> &'static str {
        "scanning-not-enforced"
    }

    fn summary(&self) -> &'static str {
        Self::SUMMARY
    }

    fn default_severity(&self) -> Severity {
        Severity::Low
    }

    fn doc(&self) -> &'static str {
        Self::DOC
    }

    fn check(&self, cx: &LintContext) -> Vec<Finding> {
        let mut hooks = Vec::new();
        for p in cx
            .files
            .iter()
            .filter(|p| is_hook_config(p) || is_ci_config(p))
        {
            if runs_scanner(p, &cx.read_text(p).unwrap_or_default()) {
                return Vec::new();
            }
            if is_hook_config(p) {
                hooks.push(p.as_str());
            }
        }
        let path = hooks.first().copied().unwrap_or(".pre-commit-config.yaml");
        let detail = if hooks.is_empty() {
            String::new()
        } else {
            format!(" ({} runs none)", hooks.join(", "))
        };
        vec![Finding::lint(
            self.id(),
            self.severity(cx),
            path,
            1,
            "repository",
            format!("no pre-commit hook or CI job runs a secret scanner{detail}: add `keyfence staged` to the pre-commit configuration and `keyfence scan` to CI"),
        )]
    }
}

/// True when a line of `text`, outside comments, names a known scanner.
fn runs_scanner(path: &str, text: &str) -> bool {
    let lang = match file_name(path) {
        "Jenkinsfile" => Lang::Java,
        n if n.ends_with(".yml") || n.ends_with(".yaml") => Lang::Yaml,
        _ => Lang::Shell,
    };
    text.lines().any(|l| {
        let code = code_part(l, lang).to_ascii_lowercase();
        SCANNERS.iter().any(|s| code.contains(s))
    })
}

#[cfg(test)]
mod tests {
    use super::super::testutil::*;
    use super::*;

    fn run(files: &[(&str, &str)]) -> Vec<Finding> {
        let t = Tree::new(files);
        let paths: Vec<&str> = files.iter().map(|(p, _)| *p).collect();
        let repo = t.git(&paths);
        ScanningNotEnforced.check(&t.cx(Some(repo), ""))
    }

    #[test]
    fn fires_with_neither_hook_nor_ci() {
        let fs = run(&[("src/main.rs", "fn main() {}\n")]);
        assert_eq!(
            brief(&fs),
            vec![(
                "scanning-not-enforced".into(),
                ".pre-commit-config.yaml".into(),
                1,
                Severity::Low
            )]
        );
    }

    #[test]
    fn a_hook_or_ci_without_a_scanner_still_fires() {
        let fs = run(&[
            (
                ".pre-commit-config.yaml",
                "repos:\n  - repo: https://github.com/psf/black\n    hooks: [{id: black}]\n  # - repo: https://github.com/gitleaks/gitleaks\n",
            ),
            (".github/workflows/ci.yml", "jobs:\n  test:\n    steps:\n      - run: cargo test\n"),
        ]);
        assert_eq!(fs.len(), 1);
        assert!(
            fs[0]
                .message
                .contains("(.pre-commit-config.yaml runs none)"),
            "{}",
            fs[0].message
        );
    }

    #[test]
    fn a_scanner_in_a_hook_or_in_ci_is_enough() {
        assert!(run(&[(
            ".pre-commit-config.yaml",
            "repos:\n  - repo: local\n    hooks:\n      - id: keyfence\n        entry: keyfence staged\n        language: system\n",
        )])
        .is_empty());
        assert!(run(&[(
            ".github/workflows/secrets.yml",
            "jobs:\n  scan:\n    steps:\n      - uses: gitleaks/gitleaks-action@v2\n",
        )])
        .is_empty());
        assert!(run(&[(
            ".gitlab-ci.yml",
            "secrets:\n  script: trufflehog git file://. --fail\n"
        )])
        .is_empty());
        assert!(run(&[(".husky/pre-commit", "#!/bin/sh\nnpx secretlint \"**/*\"\n")]).is_empty());
    }
}
