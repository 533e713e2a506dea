//! `keyfence staged [REPO]`: scan the lines the staged changes add (pre-commit).

use super::{emit, EngineArgs, Outcome, OutputArgs};
use clap::Args;
use keyfence::config::{Config, DEFAULT_MAX_FILE_SIZE};
use keyfence::matcher::Start;
use keyfence::scan::staged::{scan_staged, StagedOptions};
use keyfence::scan::Engine;
use keyfence::source::{git, staged};
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `keyfence staged`.
#[derive(Debug, Args)]
pub struct StagedArgs {
    /// The repository (default: the one containing the current directory).
    #[arg(value_name = "REPO")]
    pub repo: Option<PathBuf>,
    #[command(flatten)]
    pub engine: EngineArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}

pub fn run(args: StagedArgs) -> anyhow::Result<ExitCode> {
    super::git::configure_libgit2();
    let path = args.repo.clone().unwrap_or_else(|| PathBuf::from("."));
    let repo = staged::open(&path)?;
    let root = git::root(&repo);
    let (config, origin) = Config::resolve(args.engine.config.as_deref(), &root)?;
    // A commit touches a few files: an automaton that builds at once beats
    // one that scans faster.
    let engine = Engine::from_config_with(&config, origin.as_deref(), Start::Quick)?;
    let opts = StagedOptions {
        max_file_size: args
            .engine
            .max_file_size
            .or(config.scan.max_file_size)
            .unwrap_or(DEFAULT_MAX_FILE_SIZE),
        exclude: config.scan.exclude.clone(),
    };
    let mut out = scan_staged(&engine, &repo, &opts)?;
    super::baseline::apply(
        &args.engine,
        &args.output,
        &root,
        &mut out.findings,
        &mut out.summary,
    )?;
    keyfence::finding::limit_per_path(
        &mut out.findings,
        args.engine.max_findings_per_file,
        &mut out.summary,
    );
    let catalog = keyfence::rule_catalog(engine.rules());
    let head = repo
        .head()
        .ok()
        .and_then(|h| h.peel_to_commit().ok())
        .map(|c| c.id().to_string());
    let uri = git::origin_url(&repo);
    emit(
        &args.output,
        args.engine.strict,
        &Outcome {
            findings: &out.findings,
            summary: &out.summary,
            rules: &catalog,
            command: "staged",
            revision: head.as_deref(),
            repository_uri: uri.as_deref(),
            errors_are_fatal: true,
        },
    )
}
