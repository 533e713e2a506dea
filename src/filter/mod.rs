//! Filters: decide which matches the user sees.
//!
//! Takes matches with their line text and location; gives keep or drop.
//! Content filters (inline allow comments, allowlist regexes on the secret or
//! line, stopwords) depend only on the bytes, so history scans apply them once
//! per blob. Location filters (path globs, commit ids, lock files for generic
//! rules) are applied to each path and commit that carries the blob. The
//! baseline is applied last, to whole findings.

mod allowlist;
pub mod audit;
pub mod baseline;
pub mod import;
mod inline;

pub use allowlist::Allowlist;
pub use baseline::{Baseline, Status, BASELINE_FILE_NAME};
pub use inline::{inline_allows, INLINE_MARKERS};

use crate::config::AllowlistConfig;
use crate::error::Result;
use std::path::Path;

/// Lock files: their integrity hashes and resolved URLs are never credentials
/// for the generic rules.
pub const LOCK_FILES: &[&str] = &[
    "package-lock.json",
    "npm-shrinkwrap.json",
    "yarn.lock",
    "pnpm-lock.yaml",
    "bun.lock",
    "Cargo.lock",
    "go.sum",
    "poetry.lock",
    "Pipfile.lock",
    "uv.lock",
    "composer.lock",
    "Gemfile.lock",
    "mix.lock",
    "flake.lock",
    "packages.lock.json",
    "gradle.lockfile",
    "pubspec.lock",
    "Podfile.lock",
    "deno.lock",
    "Gopkg.lock",
    "go.work.sum",
    "pdm.lock",
    "pixi.lock",
    "conan.lock",
    "paket.lock",
    "shard.lock",
    "Berksfile.lock",
    "Cartfile.resolved",
    "Package.resolved",
    "MODULE.bazel.lock",
    "renv.lock",
    ".terraform.lock.hcl",
];

/// True when `path`'s file name is a lock file.
pub fn is_lock_file(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    LOCK_FILES.contains(&name)
}

/// Everything a content filter looks at.
#[derive(Debug, Clone, Copy)]
pub struct ContentContext<'a> {
    /// The rule id.
    pub rule_id: &'a str,
    /// The secret.
    pub secret: &'a [u8],
    /// The line holding the start of the secret (capped around it on very long lines).
    pub line: &'a [u8],
    /// The line above it (empty on the first line).
    pub prev_line: &'a [u8],
}

/// Everything a location filter looks at.
#[derive(Debug, Clone, Copy)]
pub struct LocationContext<'a> {
    /// The rule id.
    pub rule_id: &'a str,
    /// Whether the rule is a generic keyword-plus-entropy rule.
    pub generic: bool,
    /// The path relative to the scanned root.
    pub path: &'a str,
    /// The commit id, for history.
    pub commit: Option<&'a str>,
}

/// The configured filters, compiled.
#[derive(Debug, Default)]
pub struct FilterSet {
    allowlist: Allowlist,
}

impl FilterSet {
    /// Compiles the `[allowlist]` of a config; errors name `origin`.
    pub fn new(config: &AllowlistConfig, origin: &Path) -> Result<FilterSet> {
        Ok(FilterSet {
            allowlist: Allowlist::new(config, origin)?,
        })
    }

    /// True when the content filters keep the match.
    pub fn keep_content(&self, cx: &ContentContext<'_>) -> bool {
        !inline_allows(cx.rule_id, cx.line, cx.prev_line) && !self.allowlist.drops_content(cx)
    }

    /// [`FilterSet::keep_content`] for a match with no inline marker on its
    /// line or the line above (the caller checked): skips looking for one.
    pub fn keep_content_unmarked(&self, cx: &ContentContext<'_>) -> bool {
        !self.allowlist.drops_content(cx)
    }

    /// True when the location filters keep the match.
    pub fn keep_location(&self, cx: &LocationContext<'_>) -> bool {
        let lock_file = cx.generic && is_lock_file(cx.path);
        !lock_file && !self.allowlist.drops_location(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lock_files_by_name() {
        assert!(is_lock_file("web/package-lock.json"));
        assert!(is_lock_file("Cargo.lock"));
        for name in [
            "go.sum",
            "poetry.lock",
            "infra/.terraform.lock.hcl",
            "yarn.lock",
        ] {
            assert!(is_lock_file(name), "{name}");
        }
        assert!(!is_lock_file("src/lock.rs"));
        let f = FilterSet::default();
        let cx = |generic| LocationContext {
            rule_id: "r",
            generic,
            path: "a/yarn.lock",
            commit: None,
        };
        assert!(!f.keep_location(&cx(true)));
        assert!(f.keep_location(&cx(false)));
    }
}
