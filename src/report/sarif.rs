//! `--format sarif`: SARIF 2.1.0 through serde-sarif, shaped for GitHub code
//! scanning: one run, a `rules` entry per rule that fired (with help markdown
//! and `security-severity`), relative URIs with `uriBaseId`, a stable
//! `partialFingerprints` entry, one location per result, and the commit in the
//! result's properties for history findings.

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
    tags.extend(m.tags.iter().cloned());
    tags.dedup();
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
        name: Some(truncate(&m.name, 255)),
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

impl Report for Sarif {
    fn report(
        &self,
        findings: &[Finding],
        cx: &ReportContext<'_>,
        out: &mut dyn Write,
    ) -> io::Result<()> {
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
        let notifications: Vec<sarif::Notification> = cx
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
}
