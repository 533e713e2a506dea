//! Rules: the TOML syntax as written ([`RuleSyntax`]), the compiled [`Rule`],
//! and the [`RuleSet`] built from the embedded rule files plus a user's own.
//!
//! Takes TOML text; gives compiled rules. Depends on nothing else of keyfence
//! but the shared severity vocabulary.

pub mod reference;
mod syntax;
pub mod validators;

pub use syntax::{RuleFile, RuleSyntax};

use crate::severity::{Confidence, Severity};
use regex_automata::meta;
use std::collections::HashMap;
use std::sync::{Arc, OnceLock};
use validators::Validator;

include!(concat!(env!("OUT_DIR"), "/builtin_rules.rs"));

/// Default bytes searched on each side of a keyword hit.
pub const DEFAULT_WINDOW: usize = 256;
/// Largest window a rule may ask for.
pub const MAX_WINDOW: usize = 64 * 1024;
/// Size limit for a compiled rule regex (bytes of NFA).
pub const REGEX_SIZE_LIMIT: usize = 4 << 20;

/// A rule that failed to load, with where it came from.
#[derive(Debug, thiserror::Error)]
#[error("{origin}: rule '{id}': {message}")]
pub struct RuleError {
    /// The file the rule came from (`rules/aws.toml`, `.keyfence.toml`, …).
    pub origin: String,
    /// The rule id, or `?` when it has none.
    pub id: String,
    /// What is wrong.
    pub message: String,
}

/// A compiled rule.
#[derive(Debug)]
pub struct Rule {
    /// The rule as written.
    pub syntax: RuleSyntax,
    /// Where it came from (a built-in file name or a config path).
    pub origin: String,
    /// Compiled regex (ASCII mode, byte haystacks), built on first use for
    /// built-in rules (they are checked by the test suite) and at load time for
    /// a user's rules (so a bad one is reported at once).
    regex: OnceLock<Option<Compiled>>,
    /// Compiled per-rule allowlist regexes on the secret (built like `regex`).
    allowlist: OnceLock<Vec<regex::bytes::Regex>>,
    /// The offline validator, if any.
    pub validator: Option<Validator>,
    /// Bytes searched on each side of a keyword hit.
    pub window: usize,
}

impl Rule {
    /// Compiles one rule now, regex included.
    pub fn compile(syntax: RuleSyntax, origin: &str) -> Result<Rule, RuleError> {
        let rule = Rule::prepare(syntax, origin)?;
        let compiled = Compiled::new(&rule.syntax.regex).map_err(|m| RuleError {
            origin: origin.to_string(),
            id: rule.syntax.id.clone(),
            message: format!("bad regex: {m}"),
        })?;
        let _ = rule.regex.set(Some(compiled));
        let allowlist = compile_allowlist(&rule.syntax.allowlist).map_err(|message| RuleError {
            origin: origin.to_string(),
            id: rule.syntax.id.clone(),
            message,
        })?;
        let _ = rule.allowlist.set(allowlist);
        Ok(rule)
    }

    /// Checks a rule and compiles everything but its regex, which is built on first use.
    pub fn prepare(syntax: RuleSyntax, origin: &str) -> Result<Rule, RuleError> {
        let err = |message: String| RuleError {
            origin: origin.to_string(),
            id: if syntax.id.is_empty() {
                "?".into()
            } else {
                syntax.id.clone()
            },
            message,
        };
        if !is_kebab_case(&syntax.id) {
            return Err(err(
                "id must be non-empty kebab-case ([a-z0-9] words joined by '-')".into(),
            ));
        }
        if syntax.name.trim().is_empty() {
            return Err(err("name is empty".into()));
        }
        if syntax.keywords.is_empty() {
            return Err(err(
                "at least one keyword is required (the prefilter finds rules by their keywords)"
                    .into(),
            ));
        }
        if let Some(k) = syntax.keywords.iter().find(|k| k.len() < 2) {
            return Err(err(format!("keyword {k:?} is shorter than 2 bytes")));
        }
        let window = syntax.window.unwrap_or(DEFAULT_WINDOW);
        if window == 0 || window > MAX_WINDOW {
            return Err(err(format!("window must be between 1 and {MAX_WINDOW}")));
        }
        if let Some(e) = syntax.entropy {
            if !(0.0..=8.0).contains(&e) {
                return Err(err(
                    "entropy must be between 0 and 8 bits per character".into()
                ));
            }
        }
        let validator = match &syntax.validator {
            None => None,
            Some(name) => Some(
                validators::by_name(name)
                    .ok_or_else(|| err(format!("unknown validator {name:?}")))?,
            ),
        };
        Ok(Rule {
            syntax,
            origin: origin.to_string(),
            regex: OnceLock::new(),
            allowlist: OnceLock::new(),
            validator,
            window,
        })
    }

    /// The compiled regex and its `secret` group index; `None` if the pattern
    /// does not compile (only possible for a lazily built rule).
    pub fn regex(&self) -> Option<&Compiled> {
        self.regex
            .get_or_init(|| Compiled::new(&self.syntax.regex).ok())
            .as_ref()
    }

    /// The compiled allowlist regexes (empty if one does not compile, which the
    /// test suite rules out for built-in rules).
    pub fn allowlist(&self) -> &[regex::bytes::Regex] {
        self.allowlist
            .get_or_init(|| compile_allowlist(&self.syntax.allowlist).unwrap_or_default())
    }

    /// The stable id.
    pub fn id(&self) -> &str {
        &self.syntax.id
    }

    /// The rule's severity.
    pub fn severity(&self) -> Severity {
        self.syntax.severity
    }

    /// The rule's confidence.
    pub fn confidence(&self) -> Confidence {
        self.syntax.confidence
    }
}

fn compile_allowlist(patterns: &[String]) -> Result<Vec<regex::bytes::Regex>, String> {
    patterns
        .iter()
        .enumerate()
        .map(|(i, p)| {
            regex::bytes::RegexBuilder::new(p)
                .size_limit(REGEX_SIZE_LIMIT)
                .build()
                .map_err(|e| {
                    format!(
                        "bad allowlist regex [{i}]: {}",
                        regex_error_message(&e.to_string())
                    )
                })
        })
        .collect()
}

/// A compiled rule regex.
#[derive(Debug)]
pub struct Compiled {
    /// The regex.
    pub regex: meta::Regex,
    /// Index of the `secret` capture group, when present.
    pub secret_group: Option<usize>,
}

impl Compiled {
    fn new(pattern: &str) -> Result<Compiled, String> {
        let regex = compile_regex(pattern)?;
        let secret_group = regex
            .group_info()
            .to_index(regex_automata::PatternID::ZERO, "secret");
        Ok(Compiled {
            regex,
            secret_group,
        })
    }
}

/// Compiles a rule regex: ASCII classes, byte haystacks, bounded size.
pub fn compile_regex(pattern: &str) -> Result<meta::Regex, String> {
    meta::Regex::builder()
        .syntax(
            regex_automata::util::syntax::Config::new()
                .unicode(false)
                .utf8(false),
        )
        .configure(
            meta::Config::new()
                .utf8_empty(false)
                .nfa_size_limit(Some(REGEX_SIZE_LIMIT))
                .onepass_size_limit(Some(REGEX_SIZE_LIMIT))
                .dfa_size_limit(Some(REGEX_SIZE_LIMIT))
                .hybrid_cache_capacity(2 << 20),
        )
        .build(pattern)
        .map_err(|e| {
            if let Some(limit) = e.size_limit() {
                format!(
                    "too large once compiled (the limit is {limit} bytes); bound its repetitions"
                )
            } else if let Some(syntax) = e.syntax_error() {
                regex_error_message(&syntax.to_string())
            } else {
                regex_error_message(&e.to_string())
            }
        })
}

/// A regex error without the pattern it quotes: the reason, and the column
/// where the pattern is on one line. Patterns (allowlists especially) may hold
/// a literal secret, and errors end up in CI logs.
pub(crate) fn regex_error_message(msg: &str) -> String {
    let lines: Vec<&str> = msg.lines().collect();
    let Some(reason_at) = lines.iter().rposition(|l| l.starts_with("error: ")) else {
        let joined = lines.join(" ");
        return if joined.contains("size limit") || joined.contains("too big") {
            format!("too large once compiled (the limit is {REGEX_SIZE_LIMIT} bytes); bound its repetitions ({joined})")
        } else {
            joined
        };
    };
    let reason = lines[reason_at]["error: ".len()..].trim();
    let quoted_at = lines.iter().position(|l| l.ends_with("regex parse error:"));
    let caret = lines.iter().position(|l| {
        let t = l.trim_start();
        t.starts_with('^') && t.chars().all(|c| c == '^' || c == ' ')
    });
    match (quoted_at, caret) {
        // `regex parse error:`, one pattern line indented by 4, the caret line.
        (Some(q), Some(c)) if c == q + 2 => {
            let column = lines[c].find('^').unwrap_or(4).saturating_sub(4) + 1;
            format!("{reason} (at column {column})")
        }
        _ => reason.to_string(),
    }
}

/// A TOML error as `line L, column C: message`, without the source line the
/// parser quotes and without string values serde echoes back: either may hold
/// a secret, and errors end up in CI logs.
pub(crate) fn toml_error_message(e: &toml::de::Error, text: &str) -> String {
    let message = scrub_string_values(e.message().trim()).replace('\n', " ");
    match e.span() {
        Some(span) => {
            let before = &text.as_bytes()[..span.start.min(text.len())];
            let line = memchr::memchr_iter(b'\n', before).count() + 1;
            let line_start = memchr::memrchr(b'\n', before).map_or(0, |i| i + 1);
            let column = String::from_utf8_lossy(&before[line_start..])
                .chars()
                .count()
                + 1;
            format!("line {line}, column {column}: {message}")
        }
        None => message,
    }
}

/// Drops the values serde quotes back: `string "…"` becomes `a string`, and
/// `unknown variant `…`` becomes `unknown variant` (the expected ones follow).
fn scrub_string_values(msg: &str) -> String {
    let msg = match msg.strip_prefix("unknown variant `") {
        Some(rest) => match rest.find('`') {
            Some(end) => format!("unknown variant{}", &rest[end + 1..]),
            None => "unknown variant".to_string(),
        },
        None => msg.to_string(),
    };
    const MARK: &str = "string \"";
    let mut out = String::new();
    let mut rest = msg.as_str();
    while let Some(i) = rest.find(MARK) {
        out.push_str(&rest[..i]);
        out.push_str("a string");
        let body = &rest[i + MARK.len()..];
        let mut escaped = false;
        let end = body
            .char_indices()
            .find(|&(_, c)| {
                let close = c == '"' && !escaped;
                escaped = c == '\\' && !escaped;
                close
            })
            .map_or(body.len(), |(j, _)| j + 1);
        rest = &body[end..];
    }
    out.push_str(rest);
    out
}

fn is_kebab_case(id: &str) -> bool {
    !id.is_empty()
        && !id.starts_with('-')
        && !id.ends_with('-')
        && !id.contains("--")
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// Every loaded rule, in a fixed order, with an index by id.
#[derive(Debug, Default)]
pub struct RuleSet {
    rules: Vec<Arc<Rule>>,
    by_id: HashMap<String, usize>,
}

impl RuleSet {
    /// The built-in rules, compiled.
    pub fn builtin() -> Result<RuleSet, RuleError> {
        let mut b = RuleSetBuilder::default();
        b.add_builtin()?;
        b.build(&[])
    }

    /// All rules in order.
    pub fn rules(&self) -> &[Arc<Rule>] {
        &self.rules
    }

    /// A rule by id.
    pub fn get(&self, id: &str) -> Option<&Arc<Rule>> {
        self.by_id.get(id).map(|&i| &self.rules[i])
    }

    /// Number of rules.
    pub fn len(&self) -> usize {
        self.rules.len()
    }

    /// True when there are no rules.
    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// A set of the first `n` rules (for benchmarks).
    pub fn truncated(&self, n: usize) -> RuleSet {
        let mut i = 0;
        self.filtered(|_| {
            i += 1;
            i <= n
        })
    }

    /// A set of the rules `keep` accepts, in order.
    pub fn filtered(&self, mut keep: impl FnMut(&Rule) -> bool) -> RuleSet {
        let rules: Vec<Arc<Rule>> = self.rules.iter().filter(|r| keep(r)).cloned().collect();
        let by_id = rules
            .iter()
            .enumerate()
            .map(|(i, r)| (r.id().to_string(), i))
            .collect();
        RuleSet { rules, by_id }
    }
}

fn parse_rule_file(origin: &str, text: &str) -> Result<Vec<RuleSyntax>, RuleError> {
    let file: RuleFile = toml::from_str(text).map_err(|e| RuleError {
        origin: origin.to_string(),
        id: "?".into(),
        message: toml_error_message(&e, text),
    })?;
    Ok(file.rules)
}

/// Collects rules from the built-in files and the user's config, then builds a [`RuleSet`].
#[derive(Debug, Default)]
pub struct RuleSetBuilder {
    rules: Vec<Rule>,
}

impl RuleSetBuilder {
    /// Adds every embedded rule file. Their regexes are compiled on first use.
    pub fn add_builtin(&mut self) -> Result<&mut Self, RuleError> {
        for (name, json) in BUILTIN_RULE_FILES {
            let origin = format!("rules/{name}");
            let file: RuleFile = serde_json::from_str(json).map_err(|e| RuleError {
                origin: origin.clone(),
                id: "?".into(),
                message: e.to_string(),
            })?;
            for r in file.rules {
                let rule = Rule::prepare(r, &origin)?;
                self.push(rule)?;
            }
        }
        Ok(self)
    }

    /// Parses a rule file (`[[rules]]` tables) and adds its rules, compiled now.
    pub fn add_file_text(&mut self, origin: &str, text: &str) -> Result<&mut Self, RuleError> {
        for r in parse_rule_file(origin, text)? {
            self.add(r, origin)?;
        }
        Ok(self)
    }

    /// Compiles and adds one rule.
    pub fn add(&mut self, syntax: RuleSyntax, origin: &str) -> Result<&mut Self, RuleError> {
        let rule = Rule::compile(syntax, origin)?;
        self.push(rule)
    }

    fn push(&mut self, rule: Rule) -> Result<&mut Self, RuleError> {
        if let Some(prev) = self.rules.iter().find(|r| r.id() == rule.id()) {
            return Err(RuleError {
                origin: rule.origin.clone(),
                id: rule.id().to_string(),
                message: format!("duplicate rule id (already defined in {})", prev.origin),
            });
        }
        self.rules.push(rule);
        Ok(self)
    }

    /// Builds the set, leaving out the `disabled` ids. An unknown disabled id is an error.
    pub fn build(self, disabled: &[String]) -> Result<RuleSet, RuleError> {
        for d in disabled {
            if !self.rules.iter().any(|r| r.id() == d) {
                return Err(RuleError {
                    origin: "disable".into(),
                    id: d.clone(),
                    message: "no rule has this id".into(),
                });
            }
        }
        let rules: Vec<Arc<Rule>> = self
            .rules
            .into_iter()
            .filter(|r| !disabled.iter().any(|d| d == r.id()))
            .map(Arc::new)
            .collect();
        let by_id = rules
            .iter()
            .enumerate()
            .map(|(i, r)| (r.id().to_string(), i))
            .collect();
        Ok(RuleSet { rules, by_id })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_rules_load() {
        let set = RuleSet::builtin().expect("built-in rules load");
        assert!(set.len() >= 40, "only {} built-in rules", set.len());
        for r in set.rules() {
            if let Err(e) = compile_regex(&r.syntax.regex) {
                panic!("{}: rule '{}': bad regex: {e}", r.origin, r.id());
            }
        }
    }

    #[test]
    fn kebab_case_ids() {
        assert!(is_kebab_case("github-pat"));
        assert!(is_kebab_case("aws2"));
        for bad in ["", "GitHub", "a_b", "-a", "a-", "a--b", "a b"] {
            assert!(!is_kebab_case(bad), "{bad}");
        }
    }

    #[test]
    fn bad_regex_names_rule_and_origin() {
        let text = "[[rules]]\nid = \"x-rule\"\nname = \"X\"\nkeywords = [\"xx\"]\nregex = '(?P<secret>[a-'\n";
        let mut b = RuleSetBuilder::default();
        let e = b.add_file_text("my.toml", text).expect_err("bad regex");
        let msg = e.to_string();
        assert!(
            msg.starts_with("my.toml: rule 'x-rule': bad regex"),
            "{msg}"
        );
    }

    #[test]
    fn pathological_regex_rejected_by_size_limit() {
        let e = compile_regex(r"(?P<secret>\w{1000}){1000}").expect_err("too large");
        assert!(e.starts_with("too large once compiled"), "{e}");
        assert!(compile_regex(r"(?P<secret>\w{10}){10}").is_ok());
        // Deep nesting is refused by the parser, not by exhausting the stack.
        let deep = format!("{}a{}", "(".repeat(10_000), ")".repeat(10_000));
        assert!(compile_regex(&deep).is_err());
    }

    // Issue 9: errors never quote a pattern or a value, which may be a secret.
    const LEAK: &str = "Zq8Rr2LmX0pVt7Yw4nB6";

    #[test]
    fn regex_errors_do_not_quote_the_pattern() {
        let e = compile_regex(&format!("(?P<secret>{LEAK}[a-")).expect_err("bad");
        assert!(!e.contains(LEAK), "{e}");
        assert!(e.contains("unclosed character class"), "{e}");
        assert!(
            e.ends_with("unclosed character class (at column 32)"),
            "{e}"
        );
        let text = format!(
            "[[rules]]\nid = \"x\"\nname = \"X\"\nkeywords = [\"xx\"]\nregex = 'xx'\nallowlist = ['{LEAK}(']\n"
        );
        let mut b = RuleSetBuilder::default();
        let e = b
            .add_file_text("my.toml", &text)
            .expect_err("bad allowlist")
            .to_string();
        assert!(!e.contains(LEAK), "{e}");
        assert!(
            e.starts_with("my.toml: rule 'x': bad allowlist regex [0]: unclosed group"),
            "{e}"
        );
    }

    #[test]
    fn toml_errors_do_not_quote_the_line_or_values() {
        for text in [
            format!("[[rules]]\nid = \"x\"\nname = \"{LEAK}\n"),
            format!("[[rules]]\nid = \"x\"\nname = \"X\"\nkeywords = \"{LEAK}\"\nregex = 'x'\n"),
            format!("[[rules]]\nid = \"x\"\nname = \"X\"\nkeywords = [\"xx\"]\nregex = 'x'\nentropy = \"{LEAK}\"\n"),
            format!("[[rules]]\nid = \"x\"\nname = \"X\"\nkeywords = [\"xx\"]\nregex = 'x'\nseverity = \"{LEAK}\"\n"),
            format!("{LEAK} = 1 2\n"),
        ] {
            let mut b = RuleSetBuilder::default();
            let e = b.add_file_text("my.toml", &text).expect_err("bad toml").to_string();
            assert!(!e.contains(LEAK), "{e}");
            assert!(e.starts_with("my.toml: rule '?': line "), "{e}");
        }
    }

    #[test]
    fn scrub_handles_escapes_and_several_values() {
        assert_eq!(
            scrub_string_values(r#"invalid type: string "a\"b", expected x; string "c""#),
            "invalid type: a string, expected x; a string"
        );
        assert_eq!(scrub_string_values(r#"string "unterminated"#), "a string");
        assert_eq!(
            scrub_string_values("unknown variant `hgih`, expected one of `low`, `high`"),
            "unknown variant, expected one of `low`, `high`"
        );
    }

    #[test]
    fn duplicate_and_unknown_disabled_ids() {
        let text = "[[rules]]\nid = \"dup\"\nname = \"D\"\nkeywords = [\"dd\"]\nregex = 'dd'\n";
        let mut b = RuleSetBuilder::default();
        b.add_file_text("a.toml", text).expect("first");
        assert!(b.add_file_text("b.toml", text).is_err());
        let b2 = RuleSetBuilder::default();
        assert!(b2.build(&["nope".to_string()]).is_err());
    }
}
