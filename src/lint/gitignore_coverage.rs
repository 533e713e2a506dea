//! `gitignore-coverage`.

use super::{Lint, LintContext};
use crate::finding::Finding;
use crate::severity::Severity;

declare_lint! {
    /// The ignore rules would let secret files be added.
    ///
    /// ## What it checks
    /// Asks the repository's ignore rules — every `.gitignore` and
    /// `.git/info/exclude`, with git's precedence — whether sample paths of
    /// five kinds of secret file would be ignored: `.env` files, `*.pem`
    /// certificates and keys, `*.key` files, `secrets.*` files and `.secrets/`
    /// directories, each at the root and in a subdirectory (`config/.env`).
    /// One finding per kind that is not ignored everywhere, naming the sample
    /// paths that slipped through. The user's global excludes file does not
    /// count: teammates do not share it.
    ///
    /// ## Why it matters
    /// `git add .` takes whatever the ignore rules let through. A `.env`
    /// created for local development is one careless commit away from the
    /// remote unless the repository itself ignores it; an anchored pattern
    /// such as `/.env` leaves `config/.env` open.
    ///
    /// ## How to fix
    /// Add the patterns to the root `.gitignore` (unanchored, so they apply in
    /// every directory): `.env`, `.env.*`, `!.env.example`, `*.pem`, `*.key`,
    /// `secrets.*`, `.secrets/`. Whitelist the example files you do commit.
    ///
    /// ## Example
    /// ```text
    /// # .gitignore
    /// .env
    /// .env.*
    /// !.env.example
    /// *.pem
    /// *.key
    /// secrets.*
    /// .secrets/
    /// ```
    ///
    /// ## Configuration
    /// Disable with `[lint] disable = ["gitignore-coverage"]`. The lint needs
    /// a git repository and is silent outside one.
    pub struct GitignoreCoverage;
}

/// (pattern shown, sample paths asked about).
const KINDS: &[(&str, &[&str])] = &[
    (".env", &[".env", "config/.env"]),
    ("*.pem", &["server.pem", "config/server.pem"]),
    ("*.key", &["server.key", "config/server.key"]),
    (
        "secrets.*",
        &["secrets.yaml", "secrets.json", "config/secrets.yaml"],
    ),
    (".secrets/", &[".secrets/token", "config/.secrets/token"]),
];

impl Lint for GitignoreCoverage {
    fn id(&self) -> &'static str {
        "gitignore-coverage"
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
        if !cx.in_repo() {
            return Vec::new();
        }
        let rules = cx.ignore_rules();
        let sev = self.severity(cx);
        KINDS
            .iter()
            .filter_map(|(pattern, samples)| {
                let open: Vec<&str> = samples
                    .iter()
                    .copied()
                    .filter(|s| !rules.is_ignored(s, false))
                    .collect();
                if open.is_empty() {
                    return None;
                }
                Some(Finding::lint(
                    self.id(),
                    sev,
                    ".gitignore",
                    1,
                    pattern,
                    format!(
                        "the ignore rules do not cover `{pattern}`: {} could be added; add `{pattern}` to .gitignore",
                        open.join(", ")
                    ),
                ))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::super::testutil::*;
    use super::*;

    fn subjects(fs: &[Finding]) -> Vec<String> {
        fs.iter()
            .map(|f| f.message.split('`').nth(1).unwrap_or("").to_string())
            .collect()
    }

    #[test]
    fn reports_each_uncovered_kind() {
        let t = Tree::new(&[(".gitignore", "/.env\n*.pem\ntarget/\n")]);
        let repo = t.git(&[".gitignore"]);
        let fs = GitignoreCoverage.check(&t.cx(Some(repo), ""));
        assert_eq!(
            subjects(&fs),
            vec![".env", "*.key", "secrets.*", ".secrets/"]
        );
        assert!(fs[0].message.contains("config/.env"), "{}", fs[0].message);
        assert!(!fs[0].message.contains(" .env,"), "{}", fs[0].message);
        assert!(fs
            .iter()
            .all(|f| f.path == ".gitignore" && f.severity == Severity::Low));
    }

    #[test]
    fn quiet_when_ignore_rules_cover_everything() {
        let t = Tree::new(&[
            (".gitignore", ".env\n*.pem\n"),
            ("config/.gitignore", "secrets.*\n"),
        ]);
        let repo = t.git(&[".gitignore", "config/.gitignore"]);
        std::fs::write(
            t.dir.path().join(".git/info/exclude"),
            "*.key\n.secrets/\n/secrets.*\n",
        )
        .expect("write exclude");
        assert!(GitignoreCoverage.check(&t.cx(Some(repo), "")).is_empty());
    }

    #[test]
    fn a_whitelist_reopens_a_pattern() {
        let t = Tree::new(&[(
            ".gitignore",
            ".env\n*.pem\n*.key\nsecrets.*\n.secrets/\n!config/server.key\n",
        )]);
        let repo = t.git(&[".gitignore"]);
        let fs = GitignoreCoverage.check(&t.cx(Some(repo), ""));
        assert_eq!(subjects(&fs), vec!["*.key"]);
    }

    #[test]
    fn silent_outside_a_repository() {
        let t = Tree::new(&[]);
        assert!(GitignoreCoverage.check(&t.cx(None, "")).is_empty());
    }
}
