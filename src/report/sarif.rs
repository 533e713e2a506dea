//! `--format sarif`: SARIF 2.1.0 through serde-sarif, shaped for GitHub code
//! scanning: one run, a `rules` entry per rule that fired (with help markdown
//! and `security-severity`), relative URIs with `uriBaseId`, a stable
//! `partialFingerprints` entry, one location per result, and the commit in the
//! result's properties for history findings.
//!
//! GitHub's documented limits are kept by construction: one run per log, at
//! most [`MAX_RESULTS`] results per run (the most severe are kept and a
//! warning notification says how many were left out), rules only for the
//! results written (so never more rules than results), at most 10 tags per
//! rule, names of at most 255 characters and descriptions of at most 1024.

use super::{shown_secret, Report, ReportContext, RuleMeta};
use crate::finding::Finding;
use crate::severity::Severity;
use serde_json::{json, Value};
use serde_sarif::sarif;
use std::collections::BTreeMap;
use std::io::{self, Write};

/// The `$schema` written into every log.
pub const SARIF_SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";
/// The tool's `informationUri`.
pub const TOOL_INFORMATION_URI: &str = "https://github.com/keyfence/keyfence";
/// GitHub keeps at most this many tags per rule.
const MAX_TAGS: usize = 10;
/// GitHub rejects descriptions longer than this.
const MAX_DESCRIPTION: usize = 1024;
/// GitHub rejects rule names longer than this.
const MAX_NAME: usize = 255;
/// GitHub rejects a run with more results than this; keyfence writes the most
/// severe ones and says how many it left out.
pub const MAX_RESULTS: usize = 25_000;

/// The SARIF reporter.
pub struct Sarif;

fn level(s: Severity) -> sarif::ResultLevel {
    match s {
        Severity::Critical | Severity::High => sarif::ResultLevel::Error,
        Severity::Medium => sarif::ResultLevel::Warning,
        Severity::Low | Severity::Info => sarif::ResultLevel::Note,
    }
}

fn bag(tags: Option<Vec<String>>, props: BTreeMap<String, Value>) -> sarif::PropertyBag {
    sarif::PropertyBag {
        tags,
        additional_properties: props,
    }
}

fn text(s: &str) -> sarif::MultiformatMessageString {
    sarif::MultiformatMessageString::builder()
        .text(truncate(s, MAX_DESCRIPTION))
        .build()
}

fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        s.chars().take(max - 1).collect::<String>() + "\u{2026}"
    }
}

fn descriptor(m: &RuleMeta) -> sarif::ReportingDescriptor {
    let description = if m.description.trim().is_empty() {
        m.name.clone()
    } else {
        m.description.trim().to_string()
    };
    let mut md = format!("**{}** (`{}`)\n\n{}\n\n", m.name, m.id, description);
    md.push_str(match m.kind {
        crate::finding::Kind::Secret => {
            "**How to fix:** revoke the credential at its provider and issue a new one, then remove it from the \
             code and read it from a secret store or the environment. Deleting it from the file does not revoke \
             it: every clone of the history still carries it.\n"
        }
        crate::finding::Kind::Lint => "**How to fix:** see the description above.\n",
    });
    if !m.references.is_empty() {
        md.push_str("\n**References:**\n");
        for r in &m.references {
            md.push_str(&format!("- <{r}>\n"));
        }
    }
    let mut tags: Vec<String> = vec!["security".into(), "secret".into()];
    if m.kind == crate::finding::Kind::Lint {
        tags[1] = "hygiene".into();
    }
    for t in &m.tags {
        if !tags.contains(t) {
            tags.push(t.clone());
        }
    }
    tags.truncate(MAX_TAGS);
    let mut props = BTreeMap::new();
    props.insert(
        "security-severity".into(),
        json!(m.severity.security_severity()),
    );
    props.insert(
        "precision".into(),
        json!(match m.confidence {
            crate::severity::Confidence::High => "high",
            crate::severity::Confidence::Medium => "medium",
            crate::severity::Confidence::Low => "low",
        }),
    );
    props.insert(
        "problem.severity".into(),
        json!(match level(m.severity) {
            sarif::ResultLevel::Error => "error",
            sarif::ResultLevel::Warning => "warning",
            _ => "recommendation",
        }),
    );
    sarif::ReportingDescriptor {
        name: Some(truncate(&m.name, MAX_NAME)),
        short_description: Some(text(&m.name)),
        full_description: Some(text(&description)),
        help: Some(
            sarif::MultiformatMessageString::builder()
                .text(truncate(&format!("{description} Revoke and rotate the credential, then remove it from the code."), 4000))
                .markdown(md)
                .build(),
        ),
        help_uri: m.references.first().cloned(),
        default_configuration: Some(sarif::ReportingConfiguration {
            level: Some(json!(serde_json::to_value(level(m.severity)).unwrap_or(json!("warning")))),
            ..Default::default()
        }),
        properties: Some(bag(Some(tags), props)),
        ..sarif::ReportingDescriptor::builder().id(m.id.clone()).build()
    }
}

/// The findings a run can hold: all of them when there are at most `max`,
/// else the `max` most severe (then most confident, then first), in their
/// original order.
fn within_limit(findings: &[Finding], max: usize) -> Vec<&Finding> {
    if findings.len() <= max {
        return findings.iter().collect();
    }
    let mut order: Vec<usize> = (0..findings.len()).collect();
    order.sort_by(|&a, &b| {
        let (fa, fb) = (&findings[a], &findings[b]);
        fb.severity
            .cmp(&fa.severity)
            .then(fb.confidence.cmp(&fa.confidence))
            .then(a.cmp(&b))
    });
    order.truncate(max);
    order.sort_unstable();
    order.into_iter().map(|i| &findings[i]).collect()
}

impl Report for Sarif {
    fn report(
        &self,
        findings: &[Finding],
        cx: &ReportContext<'_>,
        out: &mut dyn Write,
    ) -> io::Result<()> {
        write_log(findings, cx, MAX_RESULTS, out)
    }
}

/// Writes the log, holding at most `max_results` results.
fn write_log(
    all: &[Finding],
    cx: &ReportContext<'_>,
    max_results: usize,
    out: &mut dyn Write,
) -> io::Result<()> {
    let findings = within_limit(all, max_results);
    let left_out = all.len() - findings.len();
    // Rules that fired, sorted by id; unknown ids get a minimal entry.
    let mut ids: Vec<&str> = findings.iter().map(|f| f.rule_id.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    let metas: Vec<RuleMeta> = ids
        .iter()
        .map(|id| {
            cx.rules.get(*id).cloned().unwrap_or_else(|| {
                let f = findings
                    .iter()
                    .find(|f| f.rule_id == *id)
                    .expect("id came from findings");
                RuleMeta {
                    id: id.to_string(),
                    name: f.message.clone(),
                    description: f.message.clone(),
                    severity: f.severity,
                    confidence: f.confidence,
                    kind: f.kind,
                    tags: Vec::new(),
                    references: Vec::new(),
                }
            })
        })
        .collect();
    let index: BTreeMap<&str, usize> = ids.iter().enumerate().map(|(i, id)| (*id, i)).collect();
    let results: Vec<sarif::Result> = findings
        .iter()
        .map(|f| result(f, index[f.rule_id.as_str()], cx))
        .collect();
    let driver = sarif::ToolComponent {
        full_name: Some(format!("keyfence {}", env!("CARGO_PKG_VERSION"))),
        version: Some(env!("CARGO_PKG_VERSION").into()),
        semantic_version: Some(env!("CARGO_PKG_VERSION").into()),
        information_uri: Some(TOOL_INFORMATION_URI.into()),
        rules: Some(metas.iter().map(descriptor).collect()),
        ..sarif::ToolComponent::builder().name("keyfence").build()
    };
    let mut notifications: Vec<sarif::Notification> = cx
        .summary
        .errors
        .iter()
        .map(|e| sarif::Notification {
            level: Some(json!("error")),
            ..sarif::Notification::builder()
                .message(sarif::Message::builder().text(e.clone()).build())
                .build()
        })
        .collect();
    if left_out > 0 {
        notifications.push(sarif::Notification {
                level: Some(json!("warning")),
                ..sarif::Notification::builder()
                    .message(
                        sarif::Message::builder()
                            .text(format!(
                                "keyfence found {} results, more than the {max_results} a code scanning run \
                                 accepts; this log holds the {max_results} most severe and leaves out {left_out}. \
                                 Use --format json for the full list.",
                                all.len()
                            ))
                            .build(),
                    )
                    .build()
            });
    }
    let invocation = sarif::Invocation {
        tool_execution_notifications: (!notifications.is_empty()).then_some(notifications),
        ..sarif::Invocation::builder()
            .execution_successful(cx.summary.errors.is_empty())
            .build()
    };
    let provenance = cx.revision.map(|rev| {
        vec![sarif::VersionControlDetails {
            revision_id: Some(rev.to_string()),
            ..sarif::VersionControlDetails::builder()
                .repository_uri(cx.repository_uri.unwrap_or("").to_string())
                .build()
        }]
    });
    let run = sarif::Run {
        results: Some(results),
        invocations: Some(vec![invocation]),
        automation_details: Some(sarif::RunAutomationDetails {
            id: Some(format!("keyfence/{}/", cx.command)),
            ..Default::default()
        }),
        column_kind: Some(json!("unicodeCodePoints")),
        version_control_provenance: provenance
            .filter(|_| cx.repository_uri.is_some_and(|u| !u.is_empty())),
        ..sarif::Run::builder()
            .tool(sarif::Tool::builder().driver(driver).build())
            .build()
    };
    let log = sarif::Sarif {
        schema: Some(SARIF_SCHEMA.into()),
        ..sarif::Sarif::builder()
            .version(json!("2.1.0"))
            .runs(vec![run])
            .build()
    };
    serde_json::to_writer_pretty(&mut *out, &log)?;
    writeln!(out)
}

fn result(f: &Finding, rule_index: usize, cx: &ReportContext<'_>) -> sarif::Result {
    let secret = shown_secret(f, cx.show_secrets);
    let mut message = f.message.clone();
    if !secret.is_empty() {
        message.push_str(&format!(": {secret}"));
    }
    if let Some(c) = &f.commit {
        message.push_str(&format!(
            " (introduced in commit {} by {})",
            c.id.get(..12).unwrap_or(&c.id),
            c.author_name
        ));
    }
    let region = sarif::Region {
        start_line: Some(f.line as i64),
        start_column: Some(f.column as i64),
        end_line: Some(f.end_line as i64),
        end_column: Some(f.end_column as i64),
        ..Default::default()
    };
    let location = sarif::Location {
        physical_location: Some(sarif::PhysicalLocation {
            artifact_location: Some(sarif::ArtifactLocation {
                uri: Some(uri_escape(&f.path)),
                uri_base_id: Some("%SRCROOT%".into()),
                ..Default::default()
            }),
            region: Some(region),
            ..Default::default()
        }),
        ..Default::default()
    };
    let mut props = BTreeMap::new();
    props.insert("kind".into(), json!(f.kind));
    props.insert("confidence".into(), json!(f.confidence));
    props.insert("validated".into(), json!(f.validated));
    props.insert("fingerprint".into(), json!(f.fingerprint));
    if let Some(h) = f.secret_sha256() {
        props.insert("secret_sha256".into(), json!(h));
    }
    if let Some(r) = f.secret_redacted() {
        props.insert("secret_redacted".into(), json!(r));
    }
    if cx.show_secrets {
        if let Some(s) = &f.secret {
            props.insert("secret".into(), json!(s.expose()));
        }
    }
    if let Some(c) = &f.commit {
        props.insert("commit".into(), json!(c));
    }
    let mut partial = BTreeMap::new();
    partial.insert("keyfence/v1".to_string(), f.location_fingerprint.clone());
    sarif::Result {
        rule_id: Some(f.rule_id.clone()),
        rule_index: Some(rule_index as i64),
        level: Some(level(f.severity)),
        locations: Some(vec![location]),
        partial_fingerprints: Some(partial),
        properties: Some(bag(None, props)),
        ..sarif::Result::builder()
            .message(sarif::Message::builder().text(message).build())
            .build()
    }
}

/// Percent-encodes what a relative URI reference cannot hold as is.
fn uri_escape(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        match b {
            b'A'..=b'Z'
            | b'a'..=b'z'
            | b'0'..=b'9'
            | b'-'
            | b'.'
            | b'_'
            | b'~'
            | b'/'
            | b'!'
            | b'$'
            | b'&'
            | b'\''
            | b'('
            | b')'
            | b'*'
            | b'+'
            | b','
            | b';'
            | b'='
            | b':'
            | b'@' => out.push(b as char),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::testutil::{finding, render};
    use super::super::Format;
    use super::*;

    #[test]
    fn deserialises_into_serde_sarif_with_the_fields_code_scanning_reads() {
        let out = render(
            Format::Sarif,
            &[finding("src/a b.py", 3, false), finding("x.py", 1, true)],
            false,
        );
        let log: sarif::Sarif = serde_json::from_str(&out).expect("valid serde-sarif");
        assert_eq!(log.version, json!("2.1.0"));
        let run = &log.runs[0];
        let driver = &run.tool.driver;
        assert_eq!(
            driver.semantic_version.as_deref(),
            Some(env!("CARGO_PKG_VERSION"))
        );
        assert!(driver.information_uri.is_some());
        let rules = driver.rules.as_ref().expect("rules");
        assert_eq!(rules.len(), 1);
        let props = rules[0].properties.as_ref().expect("props");
        assert!(props
            .additional_properties
            .contains_key("security-severity"));
        assert!(rules[0]
            .help
            .as_ref()
            .and_then(|h| h.markdown.as_ref())
            .is_some());
        assert_eq!(
            run.automation_details
                .as_ref()
                .and_then(|a| a.id.as_deref()),
            Some("keyfence/scan/")
        );
        let results = run.results.as_ref().expect("results");
        let loc = results[0].locations.as_ref().expect("locations")[0]
            .physical_location
            .as_ref()
            .expect("physical");
        let art = loc.artifact_location.as_ref().expect("artifact");
        assert_eq!(art.uri.as_deref(), Some("src/a%20b.py"));
        assert_eq!(art.uri_base_id.as_deref(), Some("%SRCROOT%"));
        assert!(results[0]
            .partial_fingerprints
            .as_ref()
            .expect("fp")
            .contains_key("keyfence/v1"));
        let commit = &results[1]
            .properties
            .as_ref()
            .expect("props")
            .additional_properties["commit"];
        assert_eq!(commit["id"], "0123456789abcdef0123456789abcdef01234567");
    }

    fn log_with_limit(findings: &[Finding], max: usize) -> Value {
        let summary = crate::finding::Summary::default();
        let rules = super::super::testutil::catalog();
        let cx = ReportContext {
            summary: &summary,
            rules: &rules,
            show_secrets: false,
            color: false,
            command: "git",
            revision: None,
            repository_uri: None,
        };
        let mut out = Vec::new();
        write_log(findings, &cx, max, &mut out).expect("report");
        serde_json::from_slice(&out).expect("json")
    }

    fn with(path: &str, rule: &str, severity: Severity) -> Finding {
        let mut f = finding(path, 1, false);
        f.rule_id = rule.into();
        f.severity = severity;
        f
    }

    #[test]
    fn over_the_results_limit_keeps_the_most_severe_in_order_and_warns() {
        let fs = vec![
            with("a.txt", "low-one", Severity::Low),
            with("b.txt", "crit-one", Severity::Critical),
            with("c.txt", "medium-one", Severity::Medium),
            with("d.txt", "high-one", Severity::High),
            with("e.txt", "info-one", Severity::Info),
        ];
        let log = log_with_limit(&fs, 3);
        let run = &log["runs"][0];
        let results = run["results"].as_array().expect("results");
        let kept: Vec<&str> = results
            .iter()
            .map(|r| r["ruleId"].as_str().expect("ruleId"))
            .collect();
        assert_eq!(kept, ["crit-one", "medium-one", "high-one"]);
        // Rules are only those written, and every ruleIndex points at its rule.
        let rules = run["tool"]["driver"]["rules"].as_array().expect("rules");
        assert_eq!(rules.len(), 3);
        for r in results {
            let i = r["ruleIndex"].as_u64().expect("index") as usize;
            assert_eq!(rules[i]["id"], r["ruleId"]);
        }
        let notes = run["invocations"][0]["toolExecutionNotifications"]
            .as_array()
            .expect("a notification");
        assert_eq!(notes.len(), 1);
        assert_eq!(notes[0]["level"], "warning");
        let text = notes[0]["message"]["text"].as_str().expect("text");
        assert!(
            text.contains("5 results") && text.contains("leaves out 2"),
            "{text}"
        );
        // At the limit nothing is left out and nothing is said.
        let log = log_with_limit(&fs, 5);
        assert_eq!(log["runs"][0]["results"].as_array().map(Vec::len), Some(5));
        assert!(log["runs"][0]["invocations"][0]
            .get("toolExecutionNotifications")
            .is_none());
    }

    #[test]
    fn rules_keep_githubs_limits_on_tags_names_and_descriptions() {
        let mut meta = super::super::testutil::catalog()["demo-token"].clone();
        meta.name = "n".repeat(400);
        meta.description = "d".repeat(3000);
        meta.tags = (0..30).map(|i| format!("tag{i}")).collect();
        meta.tags.push("security".into());
        let d = serde_json::to_value(descriptor(&meta)).expect("json");
        assert_eq!(d["name"].as_str().map(|s| s.chars().count()), Some(255));
        for k in ["shortDescription", "fullDescription"] {
            let n = d[k]["text"].as_str().map(|s| s.chars().count());
            assert!(n.is_some_and(|n| n <= 1024), "{k}: {n:?}");
        }
        let tags = d["properties"]["tags"].as_array().expect("tags");
        assert_eq!(tags.len(), 10);
        assert_eq!(tags[0], "security");
        let unique: std::collections::BTreeSet<String> =
            tags.iter().map(|t| t.to_string()).collect();
        assert_eq!(unique.len(), tags.len(), "tags repeat: {tags:?}");
        let sev = d["properties"]["security-severity"]
            .as_str()
            .expect("a string");
        let score: f64 = sev.parse().expect("a number");
        assert!(score > 0.0 && score <= 10.0);
    }
}
