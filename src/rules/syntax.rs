//! The rule as written in TOML.

use crate::severity::{Confidence, Severity};
use serde::{Deserialize, Serialize};

/// A rule file: a list of `[[rules]]` tables.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleFile {
    /// The rules.
    #[serde(default)]
    pub rules: Vec<RuleSyntax>,
}

/// One rule, field for field as written in `rules/*.toml` or `[[rules]]` of `.keyfence.toml`.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RuleSyntax {
    /// Stable kebab-case id.
    pub id: String,
    /// Short display name.
    pub name: String,
    /// What the credential grants.
    #[serde(default)]
    pub description: String,
    /// Literals for the prefilter (ASCII case-insensitive).
    pub keywords: Vec<String>,
    /// The regex, with a named group `secret`.
    pub regex: String,
    /// Minimum Shannon entropy (bits per character) of the secret.
    #[serde(default)]
    pub entropy: Option<f64>,
    /// Bytes searched on each side of a keyword hit.
    #[serde(default)]
    pub window: Option<usize>,
    /// Offline validator name.
    #[serde(default)]
    pub validator: Option<String>,
    /// Severity.
    #[serde(default = "default_severity")]
    pub severity: Severity,
    /// Confidence.
    #[serde(default = "default_confidence")]
    pub confidence: Confidence,
    /// Tags; the first is the family.
    #[serde(default)]
    pub tags: Vec<String>,
    /// The provider's documentation of the format.
    #[serde(default)]
    pub references: Vec<String>,
    /// Lines that must produce a finding of this rule.
    #[serde(default)]
    pub examples: Vec<String>,
    /// Lines that must not.
    #[serde(default)]
    pub negative_examples: Vec<String>,
    /// Regexes on the secret that drop a match.
    #[serde(default)]
    pub allowlist: Vec<String>,
    /// Every match starts where one of the keywords occurs: the regex runs
    /// anchored at each keyword hit (up to `window` bytes) instead of over
    /// windows around it. Much cheaper for rules with common keywords.
    #[serde(default)]
    pub anchored: bool,
    /// A keyword-plus-entropy rule: the generic false-positive defences apply
    /// (identifiers, hashes, UUIDs, file paths, calls, lock files).
    #[serde(default)]
    pub generic: bool,
}

fn default_severity() -> Severity {
    Severity::High
}

fn default_confidence() -> Confidence {
    Confidence::Medium
}
