//! keyfence finds credentials in repositories and keeps them out.
//!
//! One engine serves four sources (files, stdin, staged changes, git history):
//! source → blob → matcher → filters → finding → reporter.
//!
//! ```
//! use keyfence::config::Config;
//! use keyfence::scan::Engine;
//!
//! let engine = Engine::from_config(&Config::default(), None).expect("built-in rules compile");
//! let mut scratch = engine.scratch();
//! let mut findings = Vec::new();
//! let token = format!("ghp_{}", "k3J9xQ2mZ7pL4vN8cR1tY6wB0dF5hS");
//! engine.scan_bytes(format!("let t = \"{token}\";").as_bytes(), "src/main.rs", &mut scratch, &mut findings);
//! // This token's checksum does not hold, so the GitHub validator rejects it.
//! assert!(findings.iter().all(|f| f.rule_id != "github-pat"));
//! ```
#![warn(missing_docs)]

pub mod blob;
pub mod config;
pub mod error;
pub mod filter;
pub mod finding;
pub mod lint;
pub mod matcher;
pub mod report;
pub mod rules;
pub mod scan;
pub mod severity;
pub mod source;

pub use error::{Error, Result};

use report::{RuleCatalog, RuleMeta};

/// Reporter metadata for every rule of a set.
pub fn rule_catalog(rules: &rules::RuleSet) -> RuleCatalog {
    rules
        .rules()
        .iter()
        .map(|r| {
            let s = &r.syntax;
            (
                s.id.clone(),
                RuleMeta {
                    id: s.id.clone(),
                    name: s.name.clone(),
                    description: s.description.trim().to_string(),
                    severity: s.severity,
                    confidence: s.confidence,
                    kind: finding::Kind::Secret,
                    tags: s.tags.clone(),
                    references: s.references.clone(),
                },
            )
        })
        .collect()
}
