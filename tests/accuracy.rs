//! Detection accuracy on the labeled corpus in `fixtures/accuracy/`: every
//! built-in rule family's planted credentials must be found (recall of at
//! least 0.95) and no more than 2% of the planted hard negatives reported.
//!
//! The table of recall, precision and F1 per family, and of reported hard
//! negatives per kind, is printed on stderr and written to
//! `target/accuracy.md`.
#![allow(clippy::print_stderr)]

use keyfence::config::Config;
use keyfence::rules::reference::family;
use keyfence::scan::{scan_paths, Engine, ScanOptions};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

const MIN_RECALL: f64 = 0.95;
const MAX_NEGATIVES_REPORTED: f64 = 0.02;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/accuracy")
}

/// One row of `labels.tsv`.
#[derive(Debug, Clone)]
struct Label {
    path: String,
    line: usize,
    end_line: usize,
    family: String,
    positive: bool,
    /// The rule id of a positive, the kind of a negative.
    kind: String,
}

impl Label {
    fn covers(&self, path: &str, line: usize) -> bool {
        self.path == path && (self.line..=self.end_line).contains(&line)
    }
}

fn labels() -> Vec<Label> {
    let text = std::fs::read_to_string(fixtures().join("labels.tsv")).expect("labels.tsv");
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some("path\tline\tfamily\tlabel\tkind\tend_line"),
        "labels.tsv header"
    );
    lines
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            assert_eq!(f.len(), 6, "labels.tsv row {l:?}");
            Label {
                path: f[0].to_string(),
                line: f[1].parse().expect("line"),
                family: f[2].to_string(),
                positive: match f[3] {
                    "positive" => true,
                    "negative" => false,
                    other => panic!("labels.tsv: label {other:?}"),
                },
                kind: f[4].to_string(),
                end_line: f[5].parse().expect("end_line"),
            }
        })
        .collect()
}

/// A finding reduced to what the labels speak of.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Hit {
    path: String,
    line: usize,
    rule_id: String,
    family: String,
}

fn scan_corpus() -> Vec<Hit> {
    let engine = Engine::from_config(&Config::default(), None).expect("built-in rules");
    let opts = ScanOptions {
        paths: vec![fixtures().join("corpus")],
        threads: 2,
        ..ScanOptions::default()
    };
    let out = scan_paths(&engine, &opts).expect("scan the corpus");
    assert!(
        out.summary.errors.is_empty(),
        "errors: {:?}",
        out.summary.errors
    );
    out.findings
        .iter()
        .map(|f| Hit {
            path: f.path.clone(),
            line: f.line,
            family: engine
                .rules()
                .get(&f.rule_id)
                .map_or("other", |r| family(&r.syntax.tags))
                .to_string(),
            rule_id: f.rule_id.clone(),
        })
        .collect()
}

#[derive(Debug, Default)]
struct FamilyScore {
    positives: usize,
    detected: usize,
    findings: usize,
    true_findings: usize,
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 {
        1.0
    } else {
        a as f64 / b as f64
    }
}

fn f1(p: f64, r: f64) -> f64 {
    if p + r == 0.0 {
        0.0
    } else {
        2.0 * p * r / (p + r)
    }
}

#[test]
fn recall_and_false_positives_on_the_labeled_corpus() {
    let labels = labels();
    let hits = scan_corpus();
    let mut families: BTreeMap<String, FamilyScore> = BTreeMap::new();
    let mut missed = Vec::new();
    for l in labels.iter().filter(|l| l.positive) {
        let s = families.entry(l.family.clone()).or_default();
        s.positives += 1;
        if hits.iter().any(|h| l.covers(&h.path, h.line)) {
            s.detected += 1;
        } else {
            missed.push(l);
        }
    }
    let mut false_findings = Vec::new();
    for h in &hits {
        let s = families.entry(h.family.clone()).or_default();
        s.findings += 1;
        if labels
            .iter()
            .any(|l| l.positive && l.covers(&h.path, h.line))
        {
            s.true_findings += 1;
        } else {
            false_findings.push(h);
        }
    }
    let mut kinds: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    let mut reported_negatives = Vec::new();
    for l in labels.iter().filter(|l| !l.positive) {
        let k = kinds.entry(&l.kind).or_default();
        k.0 += 1;
        let reporting: BTreeSet<&str> = hits
            .iter()
            .filter(|h| l.covers(&h.path, h.line))
            .map(|h| h.rule_id.as_str())
            .collect();
        if !reporting.is_empty() {
            k.1 += 1;
            reported_negatives.push((l, reporting));
        }
    }

    let total = families
        .values()
        .fold(FamilyScore::default(), |a, s| FamilyScore {
            positives: a.positives + s.positives,
            detected: a.detected + s.detected,
            findings: a.findings + s.findings,
            true_findings: a.true_findings + s.true_findings,
        });
    let negatives: usize = kinds.values().map(|k| k.0).sum();
    let negatives_reported: usize = kinds.values().map(|k| k.1).sum();
    let recall = ratio(total.detected, total.positives);
    let negative_rate = ratio(negatives_reported, negatives);

    let mut table = String::from("# keyfence accuracy on fixtures/accuracy\n\n");
    table.push_str(
        "| family | positives | detected | recall | findings | false | precision | F1 |\n",
    );
    table.push_str("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
    let row = |t: &mut String, name: &str, s: &FamilyScore| {
        let r = ratio(s.detected, s.positives);
        let p = ratio(s.true_findings, s.findings);
        let _ = writeln!(
            t,
            "| {name} | {} | {} | {r:.3} | {} | {} | {p:.3} | {:.3} |",
            s.positives,
            s.detected,
            s.findings,
            s.findings - s.true_findings,
            f1(p, r)
        );
    };
    for (name, s) in &families {
        row(&mut table, name, s);
    }
    row(&mut table, "**all**", &total);
    table.push_str(
        "\n| hard negative | planted | reported | rate |\n| --- | ---: | ---: | ---: |\n",
    );
    for (kind, (n, r)) in &kinds {
        let _ = writeln!(table, "| {kind} | {n} | {r} | {:.3} |", ratio(*r, *n));
    }
    let _ = writeln!(
        table,
        "| **all** | {negatives} | {negatives_reported} | {negative_rate:.3} |"
    );
    if !missed.is_empty() {
        table.push_str("\nMissed positives:\n\n");
        for l in &missed {
            let _ = writeln!(table, "- `{}` {}:{}", l.kind, l.path, l.line);
        }
    }
    if !reported_negatives.is_empty() {
        table.push_str("\nReported hard negatives:\n\n");
        for (l, rules) in &reported_negatives {
            let rules: Vec<&str> = rules.iter().copied().collect();
            let _ = writeln!(
                table,
                "- {} {}:{} by {}",
                l.kind,
                l.path,
                l.line,
                rules.join(", ")
            );
        }
    }
    let unlabeled: Vec<&&Hit> = false_findings
        .iter()
        .filter(|h| !labels.iter().any(|l| l.covers(&h.path, h.line)))
        .collect();
    if !unlabeled.is_empty() {
        table.push_str("\nFindings on unlabeled lines:\n\n");
        for h in &unlabeled {
            let _ = writeln!(table, "- `{}` {}:{}", h.rule_id, h.path, h.line);
        }
    }
    eprintln!("{table}");
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target"));
    let _ = std::fs::create_dir_all(&target);
    let _ = std::fs::write(target.join("accuracy.md"), &table);

    assert!(
        total.positives >= 300 && negatives >= 200,
        "the corpus is too small"
    );
    assert!(
        recall >= MIN_RECALL,
        "recall {recall:.3} is below {MIN_RECALL}"
    );
    assert!(
        negative_rate <= MAX_NEGATIVES_REPORTED,
        "{negatives_reported} of {negatives} hard negatives reported ({negative_rate:.3} > {MAX_NEGATIVES_REPORTED})"
    );
}

/// Every built-in rule family has planted positives, and every rule at least one.
#[test]
fn every_rule_and_family_is_planted() {
    let labels = labels();
    let rules = keyfence::rules::RuleSet::builtin().expect("built-in rules");
    let planted: BTreeSet<&str> = labels
        .iter()
        .filter(|l| l.positive)
        .map(|l| l.kind.as_str())
        .collect();
    let missing: Vec<&str> = rules
        .rules()
        .iter()
        .map(|r| r.id())
        .filter(|id| !planted.contains(id))
        .collect();
    assert!(
        missing.is_empty(),
        "rules without a planted positive (regenerate the corpus): {missing:?}"
    );
    let kinds: BTreeSet<&str> = labels
        .iter()
        .filter(|l| !l.positive)
        .map(|l| l.kind.as_str())
        .collect();
    for kind in [
        "placeholder",
        "template",
        "env-lookup",
        "hash",
        "uuid",
        "lock-integrity",
        "data-uri",
        "minified",
        "documented-example",
        "public-key",
        "certificate",
        "ui-label",
        "i18n",
        "low-diversity",
        "bad-checksum",
    ] {
        assert!(kinds.contains(kind), "no hard negative of kind {kind}");
    }
}

/// The committed corpus is what the generator writes from the current rules.
/// Without python3 the labels are at least checked against the files.
#[test]
fn corpus_matches_a_fresh_generation() {
    let script = fixtures().join("generate.py");
    match std::process::Command::new("python3")
        .arg(&script)
        .arg("--check")
        .output()
    {
        Ok(out) => assert!(
            out.status.success(),
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
        Err(e) => eprintln!("python3 unavailable ({e}); checking labels against files only"),
    }
    for l in labels() {
        let text = std::fs::read_to_string(fixtures().join("corpus").join(&l.path))
            .unwrap_or_else(|e| panic!("{}: {e}", l.path));
        let n = text.lines().count();
        assert!(
            l.line >= 1 && l.line <= l.end_line && l.end_line <= n,
            "{}:{}-{} is outside the file ({n} lines)",
            l.path,
            l.line,
            l.end_line
        );
    }
}
