//! `keyfence rules list|explain|check`.

use anyhow::{bail, Context};
use clap::{Args, Subcommand};
use keyfence::config::Config;
use keyfence::matcher::check_examples;
use keyfence::rules::{reference, validators, RuleSet, RuleSetBuilder, RuleSyntax};
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

/// Arguments of `keyfence rules`.
#[derive(Debug, Args)]
pub struct RulesArgs {
    #[command(subcommand)]
    command: RulesCommand,
}

#[derive(Debug, Subcommand)]
enum RulesCommand {
    /// List every built-in rule (id, name, confidence, tags).
    List {
        /// Output format.
        #[arg(long, short = 'f', value_enum, default_value_t = ListFormat::Text)]
        format: ListFormat,
    },
    /// Describe one rule: what it finds, its format, references and examples.
    Explain {
        /// The rule id.
        id: String,
    },
    /// Check a rule file: it parses, compiles, its examples match and its negative examples do not.
    Check {
        /// A TOML file with [[rules]] tables (a rules/*.toml file or a .keyfence.toml).
        file: PathBuf,
    },
    /// Print the Markdown rule reference (docs/rules-reference.md).
    #[command(hide = true)]
    Reference,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum ListFormat {
    Text,
    Json,
}

#[derive(Serialize)]
struct ListEntry<'a> {
    id: &'a str,
    name: &'a str,
    family: &'a str,
    severity: keyfence::severity::Severity,
    confidence: keyfence::severity::Confidence,
    tags: &'a [String],
    validator: Option<&'a str>,
}

pub fn run(args: RulesArgs) -> anyhow::Result<ExitCode> {
    match args.command {
        RulesCommand::List { format } => {
            let set = RuleSet::builtin()?;
            let entries: Vec<ListEntry<'_>> = set
                .rules()
                .iter()
                .map(|r| ListEntry {
                    id: r.id(),
                    name: &r.syntax.name,
                    family: reference::family(&r.syntax.tags),
                    severity: r.severity(),
                    confidence: r.confidence(),
                    tags: &r.syntax.tags,
                    validator: r.syntax.validator.as_deref(),
                })
                .collect();
            match format {
                ListFormat::Json => println!("{}", serde_json::to_string_pretty(&entries)?),
                ListFormat::Text => {
                    let w = entries.iter().map(|e| e.id.len()).max().unwrap_or(0);
                    for e in &entries {
                        println!(
                            "{:w$}  {:6}  {:8}  {}  [{}]",
                            e.id,
                            e.confidence.as_str(),
                            e.severity.as_str(),
                            e.name,
                            e.tags.join(", ")
                        );
                    }
                    println!("{} rules", entries.len());
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        RulesCommand::Explain { id } => {
            let set = RuleSet::builtin()?;
            let Some(rule) = set.get(&id) else {
                bail!("no rule has the id '{id}' (see `keyfence rules list`)");
            };
            let s = &rule.syntax;
            println!("{} — {}", s.id, s.name);
            println!();
            if !s.description.trim().is_empty() {
                println!("{}", s.description.trim());
                println!();
            }
            println!("severity:   {}", s.severity);
            println!("confidence: {}", s.confidence);
            if !s.tags.is_empty() {
                println!("tags:       {}", s.tags.join(", "));
            }
            println!("keywords:   {}", s.keywords.join(", "));
            println!("format:     {}", s.regex);
            if let Some(e) = s.entropy {
                println!("entropy:    at least {e} bits per character");
            }
            if let Some(v) = s.validator.as_deref().and_then(validators::by_name) {
                println!("validator:  {} — {}", v.name, v.summary);
            }
            if !s.references.is_empty() {
                println!("references:");
                for r in &s.references {
                    println!("  {r}");
                }
            }
            println!("examples (redacted):");
            for e in &s.examples {
                println!("  {}", redact_line(e));
            }
            Ok(ExitCode::SUCCESS)
        }
        RulesCommand::Check { file } => check(&file),
        RulesCommand::Reference => {
            print!("{}", reference::render(&RuleSet::builtin()?));
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// The rules of a file: a rule file holds only `[[rules]]`; anything else is
/// read as a `.keyfence.toml` (whose unknown keys are errors).
fn rules_of(file: &Path, text: &str) -> anyhow::Result<Vec<RuleSyntax>> {
    let only_rules = toml::from_str::<toml::Table>(text)
        .map(|t| t.keys().all(|k| k == "rules"))
        .unwrap_or(true);
    if only_rules {
        let mut b = RuleSetBuilder::default();
        b.add_file_text(&file.display().to_string(), text)?;
        Ok(toml::from_str::<keyfence::rules::RuleFile>(text)?.rules)
    } else {
        Ok(Config::from_text(file, text)?.rules)
    }
}

fn check(file: &Path) -> anyhow::Result<ExitCode> {
    let text = std::fs::read_to_string(file)
        .with_context(|| format!("{}: cannot read", file.display()))?;
    let origin = file.display().to_string();
    let mut own = RuleSetBuilder::default();
    for r in rules_of(file, &text)? {
        own.add(r, &origin)?;
    }
    let own = own.build(&[])?;
    let builtin = RuleSet::builtin()?;
    let mut problems = Vec::new();
    for r in own.rules() {
        if builtin.get(r.id()).is_some() {
            problems.push(format!(
                "{origin}: rule '{}': id is already a built-in rule",
                r.id()
            ));
        }
        if r.syntax.examples.is_empty() {
            problems.push(format!("{origin}: rule '{}': has no examples", r.id()));
        }
    }
    let own = Arc::new(own);
    for f in check_examples(&own) {
        problems.push(format!("{origin}: {f}"));
    }
    if problems.is_empty() {
        println!("{origin}: {} rules ok", own.len());
        Ok(ExitCode::SUCCESS)
    } else {
        for p in &problems {
            eprintln!("{p}");
        }
        eprintln!("{} problems", problems.len());
        Ok(ExitCode::from(1))
    }
}

/// Examples are fake, but `explain` still shows them redacted: long runs of
/// token characters are cut to their first few.
fn redact_line(line: &str) -> String {
    let mut out = String::new();
    let mut run = String::new();
    let flush = |run: &mut String, out: &mut String| {
        if run.len() >= 16 {
            out.push_str(&keyfence::finding::redact(run));
        } else {
            out.push_str(run);
        }
        run.clear();
    };
    for c in line.chars() {
        if c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '+' | '/' | '=' | '.') {
            run.push(c);
        } else {
            flush(&mut run, &mut out);
            out.push(c);
        }
    }
    flush(&mut run, &mut out);
    out
}
