//! Checks every rule's `examples` and `negative_examples` through the real
//! matcher (keywords, windows, filters and validators included).

use super::{Matcher, RawMatch};
use crate::rules::RuleSet;
use std::sync::Arc;

/// One example that did not behave as its rule promises.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExampleFailure {
    /// The rule id.
    pub rule_id: String,
    /// True for an example that should match but did not; false for a negative example that matched.
    pub should_match: bool,
    /// Index of the example in its list.
    pub index: usize,
}

impl std::fmt::Display for ExampleFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.should_match {
            write!(
                f,
                "rule '{}': examples[{}] does not match",
                self.rule_id, self.index
            )
        } else {
            write!(
                f,
                "rule '{}': negative_examples[{}] matches",
                self.rule_id, self.index
            )
        }
    }
}

/// Runs every rule's examples and negative examples against a matcher over the
/// whole `rules` set and returns every failure (empty when all hold).
pub fn check_examples(rules: &Arc<RuleSet>) -> Vec<ExampleFailure> {
    let matcher = Matcher::new(Arc::clone(rules));
    let mut scratch = matcher.scratch();
    let mut out: Vec<RawMatch> = Vec::new();
    let mut failures = Vec::new();
    for (ri, rule) in rules.rules().iter().enumerate() {
        let cases = rule
            .syntax
            .examples
            .iter()
            .map(|e| (true, e))
            .chain(rule.syntax.negative_examples.iter().map(|e| (false, e)));
        let (mut pos, mut neg) = (0, 0);
        for (should_match, example) in cases {
            out.clear();
            matcher.scan(example.as_bytes(), &mut scratch, &mut out);
            let matched = out.iter().any(|m| m.rule == ri);
            let index = if should_match { pos } else { neg };
            if should_match {
                pos += 1
            } else {
                neg += 1
            }
            if matched != should_match {
                failures.push(ExampleFailure {
                    rule_id: rule.id().to_string(),
                    should_match,
                    index,
                });
            }
        }
    }
    failures
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failing_example_is_reported_by_rule_and_index() {
        let mut b = crate::rules::RuleSetBuilder::default();
        b.add_file_text(
            "t.toml",
            "[[rules]]\nid = \"t\"\nname = \"T\"\nkeywords = [\"tk_\"]\nregex = 'tk_[a-z]{8}'\nexamples = ['tk_pqmzrwxk', 'tk_short']\nnegative_examples = ['tk_wmxkqpzt']\n",
        )
        .expect("parses");
        let f = check_examples(&Arc::new(b.build(&[]).expect("builds")));
        let shown: Vec<String> = f.iter().map(ToString::to_string).collect();
        assert_eq!(
            shown,
            [
                "rule 't': examples[1] does not match",
                "rule 't': negative_examples[0] matches"
            ]
        );
    }
}
