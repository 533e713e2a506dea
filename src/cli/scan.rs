//! `keyfence scan [PATH...]`.

use super::{emit, EngineArgs, Outcome, OutputArgs};
use clap::Args;
use keyfence::config::{Config, DEFAULT_MAX_FILE_SIZE};
use keyfence::matcher::Start;
use keyfence::scan::{scan_paths, Engine, ScanOptions};
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `keyfence scan`.
#[derive(Debug, Args)]
pub struct ScanArgs {
    /// Files and directories to scan ('-' reads stdin). Default: the current directory.
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Do not read .gitignore, .ignore or .keyfenceignore.
    #[arg(long)]
    pub no_ignore: bool,
    #[command(flatten)]
    pub engine: EngineArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}

/// The directory whose `.keyfence.toml` applies: the first directory given, else the current one.
pub fn config_root(paths: &[PathBuf]) -> PathBuf {
    paths
        .iter()
        .find(|p| p.is_dir())
        .cloned()
        .unwrap_or_else(|| PathBuf::from("."))
}

/// A few small files (a hook passing file names) are scanned sooner with the
/// quick-start matcher; anything else with the faster-scanning one.
fn start_for(paths: &[PathBuf]) -> Start {
    const SMALL: u64 = 4 << 20;
    let mut total = 0;
    for p in paths {
        match std::fs::metadata(p) {
            Ok(m) if m.is_file() => total += m.len(),
            _ => return Start::Throughput,
        }
    }
    if !paths.is_empty() && total < SMALL {
        Start::Quick
    } else {
        Start::Throughput
    }
}

pub fn run(args: ScanArgs) -> anyhow::Result<ExitCode> {
    let root = config_root(&args.paths);
    let (config, origin) = Config::resolve(args.engine.config.as_deref(), &root)?;
    let engine = Engine::from_config_with(&config, origin.as_deref(), start_for(&args.paths))?;
    let opts = ScanOptions {
        paths: args.paths.clone(),
        threads: args.engine.threads,
        max_file_size: args
            .engine
            .max_file_size
            .or(config.scan.max_file_size)
            .unwrap_or(DEFAULT_MAX_FILE_SIZE),
        no_ignore: args.no_ignore,
        exclude: config.scan.exclude.clone(),
        max_findings_per_file: args.engine.max_findings_per_file,
        baseline: super::baseline::known(&args.engine, &root)?.map(std::sync::Arc::new),
    };
    let mut out = scan_paths(&engine, &opts)?;
    super::baseline::apply(
        &args.engine,
        &args.output,
        &root,
        &mut out.findings,
        &mut out.summary,
    )?;
    let catalog = keyfence::rule_catalog(engine.rules());
    emit(
        &args.output,
        args.engine.strict,
        &Outcome {
            findings: &out.findings,
            summary: &out.summary,
            rules: &catalog,
            command: "scan",
            revision: None,
            repository_uri: None,
            errors_are_fatal: false,
        },
    )
}
