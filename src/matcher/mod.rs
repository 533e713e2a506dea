//! The matcher: finds candidate secrets in bytes.
//!
//! Takes a blob's bytes; gives [`RawMatch`]es (rule, secret span, validation).
//! One Aho-Corasick automaton over every rule's keywords finds candidate
//! regions; only rules whose keywords occur run their regex, and only in
//! windows around the hits. Windows of one rule are merged as they are found,
//! so the regex work is linear in the input even when every byte is a hit, and
//! a file with no keyword costs one automaton pass whatever the rule count.

mod check;
mod context;
mod entropy;
mod generic;
mod placeholder;

pub use check::{check_examples, ExampleFailure};
pub use context::{inside_public_blob, on_long_line, MINIFIED_LINE};
pub use entropy::shannon_entropy;
pub use generic::{is_implausible_generic_value, is_type_annotation, name_ends_with_keyword};
pub use placeholder::is_placeholder;

use crate::rules::{Rule, RuleSet};
use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};
use regex_automata::{meta, util::captures::Captures, Anchored, Input};
use std::collections::HashMap;
use std::ops::Range;
use std::sync::Arc;

/// A candidate secret that passed the rule's own checks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawMatch {
    /// Index of the rule in the matcher's [`RuleSet`].
    pub rule: usize,
    /// Byte span of the secret.
    pub secret: Range<usize>,
    /// Byte span of the whole regex match.
    pub span: Range<usize>,
    /// `Some(true)` when a validator confirmed the structure; `None` when the rule has none.
    pub validated: Option<bool>,
}

/// How to build the keyword automaton.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Start {
    /// A DFA: costs a few milliseconds to build and scans about twice as fast.
    /// For directories and history.
    #[default]
    Throughput,
    /// An NFA: builds in a fraction of a millisecond. For a few small inputs,
    /// such as a pre-commit run over staged changes.
    Quick,
}

/// The compiled matcher for one rule set. Cheap to share across threads.
#[derive(Debug)]
pub struct Matcher {
    rules: Arc<RuleSet>,
    ac: Option<AhoCorasick>,
    /// Keyword pattern id → rule indices.
    keyword_rules: Vec<Vec<u32>>,
}

/// Per-thread scratch space for [`Matcher::scan`].
#[derive(Debug)]
pub struct Scratch {
    open: Vec<(usize, usize)>,
    touched: Vec<u32>,
    windows: Vec<(u32, usize, usize)>,
    anchors: Vec<(u32, usize, usize)>,
    regex: Vec<Option<(meta::Cache, Captures)>>,
    /// Secret spans a validator rejected in this scan.
    rejected: Vec<Range<usize>>,
}

const CLOSED: (usize, usize) = (usize::MAX, 0);

/// Bytes before a match searched for the name a generic value is assigned to.
const NAME_CONTEXT: usize = 48;

impl Matcher {
    /// Builds the keyword automaton for `rules`, tuned for scanning many bytes.
    pub fn new(rules: Arc<RuleSet>) -> Matcher {
        Matcher::with_start(rules, Start::Throughput)
    }

    /// Builds the keyword automaton for `rules`, tuned as `start` says.
    pub fn with_start(rules: Arc<RuleSet>, start: Start) -> Matcher {
        let mut ids: HashMap<Vec<u8>, usize> = HashMap::new();
        let mut patterns: Vec<Vec<u8>> = Vec::new();
        let mut keyword_rules: Vec<Vec<u32>> = Vec::new();
        for (ri, rule) in rules.rules().iter().enumerate() {
            for kw in &rule.syntax.keywords {
                let key = kw.as_bytes().to_ascii_lowercase();
                let pid = *ids.entry(key.clone()).or_insert_with(|| {
                    patterns.push(key);
                    keyword_rules.push(Vec::new());
                    patterns.len() - 1
                });
                if !keyword_rules[pid].contains(&(ri as u32)) {
                    keyword_rules[pid].push(ri as u32);
                }
            }
        }
        let ac = if patterns.is_empty() {
            None
        } else {
            let build = |kind| {
                AhoCorasick::builder()
                    .ascii_case_insensitive(true)
                    .match_kind(MatchKind::Standard)
                    .kind(kind)
                    .build(&patterns)
            };
            let kind = match start {
                Start::Throughput => AhoCorasickKind::DFA,
                Start::Quick => AhoCorasickKind::ContiguousNFA,
            };
            build(Some(kind)).or_else(|_| build(None)).ok()
        };
        Matcher {
            rules,
            ac,
            keyword_rules,
        }
    }

    /// The rules this matcher runs.
    pub fn rules(&self) -> &Arc<RuleSet> {
        &self.rules
    }

    /// Counts keyword hits without running any regex (for benchmarks and diagnostics).
    pub fn count_keyword_hits(&self, hay: &[u8]) -> usize {
        self.ac
            .as_ref()
            .map_or(0, |ac| ac.find_overlapping_iter(hay).count())
    }

    /// Scratch space sized for this matcher; keep one per thread.
    pub fn scratch(&self) -> Scratch {
        let n = self.rules.len();
        Scratch {
            open: vec![CLOSED; n],
            touched: Vec::new(),
            windows: Vec::new(),
            anchors: Vec::new(),
            regex: (0..n).map(|_| None).collect(),
            rejected: Vec::new(),
        }
    }

    /// Finds every candidate secret in `hay`, appending to `out` in (start, rule) order.
    pub fn scan(&self, hay: &[u8], scratch: &mut Scratch, out: &mut Vec<RawMatch>) {
        let Some(ac) = &self.ac else { return };
        let rules = self.rules.rules();
        let len = hay.len();
        scratch.windows.clear();
        scratch.anchors.clear();
        scratch.rejected.clear();
        for m in ac.find_overlapping_iter(hay) {
            for &ri in &self.keyword_rules[m.pattern().as_usize()] {
                let rule = &rules[ri as usize];
                let w = rule.window;
                if rule.syntax.anchored {
                    scratch
                        .anchors
                        .push((ri, m.start(), (m.start() + w).min(len)));
                    continue;
                }
                let (s, e) = (m.start().saturating_sub(w), (m.end() + w).min(len));
                let open = &mut scratch.open[ri as usize];
                if *open == CLOSED {
                    *open = (s, e);
                    scratch.touched.push(ri);
                } else if s <= open.1 {
                    open.0 = open.0.min(s);
                    open.1 = open.1.max(e);
                } else {
                    scratch.windows.push((ri, open.0, open.1));
                    *open = (s, e);
                }
            }
        }
        for ri in scratch.touched.drain(..) {
            let (s, e) = std::mem::replace(&mut scratch.open[ri as usize], CLOSED);
            scratch.windows.push((ri, s, e));
        }
        if scratch.windows.is_empty() && scratch.anchors.is_empty() {
            return;
        }
        let first = out.len();
        scratch.windows.sort_unstable();
        // By rule, then position: a hit inside the previous match of its rule
        // is not searched again (as in a window, where the search resumes
        // after a match), so a file of back-to-back hits costs one pass, not
        // one overlapping search per hit.
        scratch.anchors.sort_unstable();
        let mut searched_to: Option<(u32, usize)> = None;
        for &(ri, s, e) in &scratch.anchors {
            if searched_to.is_some_and(|(r, end)| r == ri && s < end) {
                continue;
            }
            // An anchored search from `s` that finds nothing rules out only `s`.
            searched_to = Some((ri, s + 1));
            let rule = &rules[ri as usize];
            let Some(compiled) = rule.regex() else {
                continue;
            };
            let re = &compiled.regex;
            let (cache, caps) = scratch.regex[ri as usize]
                .get_or_insert_with(|| (re.create_cache(), re.create_captures()));
            let input = Input::new(hay).range(s..e).anchored(Anchored::Yes);
            // Most hits fail within a few bytes: a capture-free DFA pass first.
            if re.search_half_with(cache, &input).is_none() {
                continue;
            }
            re.search_captures_with(cache, &input, caps);
            if let Some(m) = caps.get_match() {
                searched_to = Some((ri, m.end().max(s + 1)));
                let secret = compiled
                    .secret_group
                    .and_then(|g| caps.get_group(g))
                    .map_or(m.range(), |sp| sp.range());
                if !secret.is_empty() {
                    match accept(rule, hay, &secret, &m.range()) {
                        Verdict::Keep(validated) => out.push(RawMatch {
                            rule: ri as usize,
                            secret,
                            span: m.range(),
                            validated,
                        }),
                        Verdict::Rejected => scratch.rejected.push(secret),
                        Verdict::Drop => {}
                    }
                }
            }
        }
        for &(ri, s, e) in &scratch.windows {
            let rule = &rules[ri as usize];
            let Some(compiled) = rule.regex() else {
                continue;
            };
            let re = &compiled.regex;
            let (cache, caps) = scratch.regex[ri as usize]
                .get_or_insert_with(|| (re.create_cache(), re.create_captures()));
            let mut input = Input::new(hay).range(s..e);
            loop {
                re.search_captures_with(cache, &input, caps);
                let Some(m) = caps.get_match() else { break };
                let secret = compiled
                    .secret_group
                    .and_then(|g| caps.get_group(g))
                    .map(|sp| sp.range())
                    .unwrap_or(m.range());
                if !secret.is_empty() {
                    match accept(rule, hay, &secret, &m.range()) {
                        Verdict::Keep(validated) => out.push(RawMatch {
                            rule: ri as usize,
                            secret,
                            span: m.range(),
                            validated,
                        }),
                        Verdict::Rejected => scratch.rejected.push(secret),
                        Verdict::Drop => {}
                    }
                }
                let next = if m.end() > m.start() {
                    m.end()
                } else {
                    m.end() + 1
                };
                if next >= e {
                    break;
                }
                input.set_start(next);
            }
        }
        let found = &mut out[first..];
        found.sort_unstable_by_key(|r| (r.secret.start, r.rule, r.secret.end));
        let mut kept = first;
        for i in first..out.len() {
            if kept == first
                || (out[kept - 1].rule, &out[kept - 1].secret) != (out[i].rule, &out[i].secret)
            {
                out.swap(kept, i);
                kept += 1;
            }
        }
        out.truncate(kept);
        self.drop_generic_overlaps(out, first, &scratch.rejected);
    }

    /// A generic rule's match gives way to a provider rule's match over the
    /// same bytes, and to a provider token whose validator rejected it (a
    /// broken checksum is not a credential under a secret-like name either).
    fn drop_generic_overlaps(
        &self,
        out: &mut Vec<RawMatch>,
        first: usize,
        rejected: &[Range<usize>],
    ) {
        let rules = self.rules.rules();
        let is_generic = |m: &RawMatch| rules[m.rule].syntax.generic;
        if !out[first..].iter().any(is_generic) {
            return;
        }
        let mut spans: Vec<Range<usize>> = out[first..]
            .iter()
            .filter(|m| !is_generic(m))
            .map(|m| m.secret.clone())
            .chain(rejected.iter().cloned())
            .collect();
        spans.sort_unstable_by_key(|r| r.start);
        let specific = SpanIndex::new(spans.into_iter());
        if specific.is_empty() {
            return;
        }
        let mut i = 0;
        out.retain(|m| {
            let keep_before = i < first;
            i += 1;
            keep_before || !is_generic(m) || !specific.overlaps(&m.secret)
        });
    }
}

/// Spans sorted by start, answering "does any overlap this range?" in
/// logarithmic time, so dropping generic matches stays linear-logarithmic
/// even in a file with thousands of provider and generic matches.
struct SpanIndex {
    starts: Vec<usize>,
    /// `max_end[i]`: the largest end among the first `i + 1` spans.
    max_end: Vec<usize>,
}

impl SpanIndex {
    /// Indexes `spans`, which must come sorted by start.
    fn new(spans: impl Iterator<Item = Range<usize>>) -> SpanIndex {
        let (mut starts, mut max_end) = (Vec::new(), Vec::new());
        for s in spans {
            debug_assert!(starts.last() <= Some(&s.start), "sorted by start");
            let end = max_end.last().map_or(s.end, |&m: &usize| m.max(s.end));
            starts.push(s.start);
            max_end.push(end);
        }
        SpanIndex { starts, max_end }
    }

    fn is_empty(&self) -> bool {
        self.starts.is_empty()
    }

    /// True when a span shares a byte with `r`.
    fn overlaps(&self, r: &Range<usize>) -> bool {
        // Spans starting before `r` ends overlap it if one ends after `r` starts.
        let n = self.starts.partition_point(|&s| s < r.end);
        n > 0 && self.max_end[n - 1] > r.start
    }
}

/// What the per-rule checks decided about a regex match.
enum Verdict {
    /// Not a credential (entropy, allowlist, placeholder, generic defences, context).
    Drop,
    /// The rule's validator rejected the token's structure.
    Rejected,
    /// A finding, with its validation state.
    Keep(Option<bool>),
}

/// The per-rule checks after a regex match.
fn accept(rule: &Rule, hay: &[u8], secret: &Range<usize>, span: &Range<usize>) -> Verdict {
    let matched = &hay[span.clone()];
    let secret_start = secret.start;
    // The name before the secret, reaching back a little before the match on
    // the same line (anchored matches start at the keyword, not at the name).
    let back = span.start.saturating_sub(NAME_CONTEXT);
    let from = memchr::memrchr(b'\n', &hay[back..span.start]).map_or(back, |i| back + i + 1);
    let name = &hay[from..secret.start];
    let following = &hay[secret.end..(secret.end + 8).min(hay.len())];
    let secret = &hay[secret.clone()];
    // Cheapest first: the generic shape checks are byte scans.
    if rule.syntax.generic
        && (is_implausible_generic_value(secret, name)
            || is_type_annotation(secret, name, following))
    {
        return Verdict::Drop;
    }
    if let Some(min) = rule.syntax.entropy {
        if shannon_entropy(secret) < min {
            return Verdict::Drop;
        }
    }
    if rule.allowlist().iter().any(|re| re.is_match(secret)) {
        return Verdict::Drop;
    }
    if is_placeholder(secret) {
        return Verdict::Drop;
    }
    // Minified code: only a name written right beside its value counts.
    if rule.syntax.generic
        && on_long_line(hay, span.start, span.end)
        && !name_ends_with_keyword(name, &rule.syntax.keywords)
    {
        return Verdict::Drop;
    }
    if inside_public_blob(hay, secret_start) {
        return Verdict::Drop;
    }
    match rule.validator {
        None => Verdict::Keep(None),
        Some(v) if (v.check)(secret, matched) => Verdict::Keep(Some(true)),
        Some(_) => Verdict::Rejected,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::RuleSetBuilder;

    fn matcher(toml: &str) -> Matcher {
        let mut b = RuleSetBuilder::default();
        b.add_file_text("test.toml", toml).expect("rules parse");
        Matcher::new(Arc::new(b.build(&[]).expect("build")))
    }

    const TWO_RULES: &str = r#"
[[rules]]
id = "alpha"
name = "Alpha"
keywords = ["alpha_"]
regex = '\b(?P<secret>alpha_[a-z0-9]{12})\b'
[[rules]]
id = "beta"
name = "Beta"
keywords = ["beta"]
regex = 'beta\s*=\s*"(?P<secret>[A-Za-z0-9]{10})"'
window = 32
"#;

    fn run(m: &Matcher, hay: &[u8]) -> Vec<RawMatch> {
        let mut s = m.scratch();
        let mut out = Vec::new();
        m.scan(hay, &mut s, &mut out);
        out
    }

    #[test]
    fn finds_only_near_keywords_and_dedupes() {
        let m = matcher(TWO_RULES);
        let hay = b"x = alpha_k3j4h5g6f7d8\nbeta = \"Qw3rTy9uIo\"\nalpha_k3j4h5g6f7d8";
        let found = run(&m, hay);
        assert_eq!(found.len(), 3, "{found:?}");
        assert_eq!(&hay[found[0].secret.clone()], b"alpha_k3j4h5g6f7d8");
        assert_eq!(&hay[found[1].secret.clone()], b"Qw3rTy9uIo");
    }

    #[test]
    fn prefilter_agrees_with_running_every_regex() {
        // The windowed matcher must find exactly what a full regex pass finds
        // when every match lies near a keyword.
        let m = matcher(TWO_RULES);
        let mut hay = Vec::new();
        for i in 0..200u32 {
            hay.extend_from_slice(
                format!(
                    "line {i} alpha_{:012x} filler\n",
                    u64::from(i) * 7919 + 0x5a5a5a5a
                )
                .as_bytes(),
            );
            if i % 7 == 0 {
                hay.extend_from_slice(
                    format!(
                        "beta = \"Zq{:08x}\"\n",
                        (u64::from(i) + 1) * 0x9E37_79B1 % 0xFFFF_FFFF
                    )
                    .as_bytes(),
                );
            }
        }
        let found = run(&m, &hay);
        let mut full = Vec::new();
        for (ri, rule) in m.rules().rules().iter().enumerate() {
            let re = regex::bytes::Regex::new(&rule.syntax.regex).expect("rule regex");
            for c in re.captures_iter(&hay) {
                full.push((c.name("secret").expect("secret group").start(), ri));
            }
        }
        full.sort();
        let got: Vec<(usize, usize)> = found.iter().map(|r| (r.secret.start, r.rule)).collect();
        assert_eq!(got, full);
    }

    #[test]
    fn keyword_flood_is_handled_in_one_merged_window() {
        let m = matcher(TWO_RULES);
        let hay = b"beta=".repeat(100_000);
        let mut s = m.scratch();
        let mut out = Vec::new();
        m.scan(&hay, &mut s, &mut out);
        assert!(out.is_empty());
        assert!(
            s.windows.len() <= 1,
            "windows were not merged: {}",
            s.windows.len()
        );
    }

    #[test]
    fn keyword_flood_with_every_builtin_rule_stays_linear() {
        // Issue 9: `password=` a million times (here 200,000) must not turn into
        // a regex run per hit: each touched rule searches one merged window, so
        // the bytes handed to regexes are at most (rules touched) × input.
        let m = Matcher::new(Arc::new(RuleSet::builtin().expect("built-in rules")));
        let hay = b"password=".repeat(200_000);
        let mut s = m.scratch();
        let mut out = Vec::new();
        m.scan(&hay, &mut s, &mut out);
        let touched: std::collections::BTreeSet<u32> = s.windows.iter().map(|w| w.0).collect();
        assert!(!touched.is_empty());
        assert_eq!(s.windows.len(), touched.len(), "one window per rule");
        let searched: usize = s.windows.iter().map(|w| w.2 - w.1).sum();
        assert!(
            searched <= touched.len() * hay.len(),
            "{searched} bytes searched"
        );
        // Anchored rules (searched at each hit) do not search again inside a
        // match: matches of one rule never overlap, so their number and the
        // bytes their regexes read stay linear too.
        assert!(!out.is_empty());
        let mut by_rule = out.clone();
        by_rule.sort_by_key(|m| (m.rule, m.span.start));
        for w in by_rule.windows(2) {
            assert!(
                w[0].rule != w[1].rule || w[0].span.end <= w[1].span.start,
                "overlapping matches {:?} {:?}",
                w[0],
                w[1]
            );
        }
    }

    #[test]
    fn span_index_agrees_with_checking_every_span() {
        // Issue 9: generic matches used to be checked against every provider
        // match (quadratic in a file full of both); the index must answer the same.
        let mut x: u64 = 7;
        let mut next = |n: u64| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x % n) as usize
        };
        for _ in 0..200 {
            let mut spans: Vec<Range<usize>> = (0..next(20))
                .map(|_| {
                    let s = next(200);
                    s..s + 1 + next(30)
                })
                .collect();
            spans.sort_by_key(|r| r.start);
            let index = SpanIndex::new(spans.iter().cloned());
            for _ in 0..50 {
                let s = next(220);
                let r = s..s + 1 + next(40);
                let brute = spans.iter().any(|p| p.start < r.end && r.start < p.end);
                assert_eq!(index.overlaps(&r), brute, "{spans:?} {r:?}");
            }
        }
    }

    #[test]
    fn keyword_case_is_ignored_and_boundary_respected() {
        let m = matcher(TWO_RULES);
        assert_eq!(
            run(&m, b"ALPHA_k3j4h5g6f7d8").len(),
            0,
            "regex is case-sensitive"
        );
        assert_eq!(run(&m, b"xalpha_k3j4h5g6f7d8").len(), 0, "\\b before");
        assert_eq!(run(&m, b"alpha_k3j4h5g6f7d8z").len(), 0, "\\b after");
    }
}

#[cfg(test)]
mod rejected_tests {
    use super::*;

    #[test]
    fn a_token_its_validator_rejects_is_not_reported_by_generic_rules() {
        let rules = Arc::new(RuleSet::builtin().expect("rules"));
        let m = Matcher::new(Arc::clone(&rules));
        let mut s = m.scratch();
        let mut out = Vec::new();
        let hay = format!(
            "DEPLOY_TOKEN=ghp_{}AAAAAA",
            "q7Lm2Xv9Rt4Kp8Zw3Nc6Bd1Fh5Jy0G"
        );
        m.scan(hay.as_bytes(), &mut s, &mut out);
        let ids: Vec<&str> = out.iter().map(|r| rules.rules()[r.rule].id()).collect();
        assert!(ids.is_empty(), "{ids:?}");
        assert_eq!(s.rejected.len(), 1, "the GitHub validator rejected it");
    }
}
