//! The command line: clap types, each subcommand's handler in its own file,
//! and the shared output path (format, `--output`, exit codes).
#![allow(clippy::print_stdout, clippy::print_stderr)]

mod baseline;
mod git;
mod lint;
mod output;
mod panic_hook;
mod rules;
mod scan;
mod staged;

use clap::{Args, Parser, Subcommand};
use keyfence::report::Format;
use std::path::PathBuf;
use std::process::ExitCode;

pub use output::{emit, Outcome};

/// keyfence finds credentials in repositories and keeps them out.
#[derive(Debug, Parser)]
#[command(name = "keyfence", version, about, long_about = None, propagate_version = true, max_term_width = 100)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Scan files and directories ('-' reads stdin); respects .gitignore.
    Scan(scan::ScanArgs),
    /// Scan git history: every blob reachable from all refs, each unique blob once.
    Git(git::GitArgs),
    /// Scan only the lines the staged changes add (for pre-commit).
    Staged(staged::StagedArgs),
    /// List, explain and check detection rules.
    Rules(rules::RulesArgs),
    /// Check rotation and hygiene rules; --report rotation for the rotation report.
    Lint(lint::LintArgs),
    /// Record, review and audit accepted findings (the baseline).
    Baseline(baseline::BaselineArgs),
    /// Print shell completions.
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff).
    Man,
}

/// Options shared by every command that reports findings.
#[derive(Debug, Clone, Args)]
pub struct OutputArgs {
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Write the report to FILE instead of stdout (written atomically).
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Print plaintext secrets (off by default: reports hold redacted values and hashes).
    #[arg(long)]
    pub show_secrets: bool,
    /// Print nothing but the report (no warnings, no summary on stderr).
    #[arg(long, short = 'q')]
    pub quiet: bool,
    /// Never show a progress bar.
    #[arg(long)]
    pub no_progress: bool,
}

/// Options shared by every scanning command.
#[derive(Debug, Clone, Args)]
pub struct EngineArgs {
    /// Config file (default: .keyfence.toml at the scanned root).
    #[arg(long, short = 'c', value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Worker threads (default: one per core).
    #[arg(long, short = 'j', value_name = "N", default_value_t = 0)]
    pub threads: usize,
    /// Skip files larger than this many bytes (default 10 MiB, or [scan] max_file_size).
    #[arg(long, value_name = "BYTES")]
    pub max_file_size: Option<u64>,
    /// Exit 2 when any input could not be read.
    #[arg(long)]
    pub strict: bool,
    /// Report at most N findings per file (0: no limit); the rest are counted in a note.
    #[arg(long, value_name = "N", default_value_t = keyfence::config::DEFAULT_MAX_FINDINGS_PER_FILE)]
    pub max_findings_per_file: usize,
    /// Leave out findings recorded in this baseline (default:
    /// .keyfence-baseline.json at the scanned root, when present).
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// List baseline entries that matched no finding (on stderr, and as
    /// baseline_unused in the JSON summary).
    #[arg(long)]
    pub report_unused: bool,
}

/// Parses the command line and runs the command.
pub fn run() -> anyhow::Result<ExitCode> {
    panic_hook::install();
    let cli = Cli::parse();
    match cli.command {
        Command::Scan(args) => scan::run(args),
        Command::Git(args) => git::run(args),
        Command::Staged(args) => staged::run(args),
        Command::Rules(args) => rules::run(args),
        Command::Lint(args) => lint::run(args),
        Command::Baseline(args) => baseline::run(args),
        Command::Completions { shell } => {
            let mut cmd = <Cli as clap::CommandFactory>::command();
            clap_complete::generate(shell, &mut cmd, "keyfence", &mut std::io::stdout());
            Ok(ExitCode::SUCCESS)
        }
        Command::Man => {
            let cmd = <Cli as clap::CommandFactory>::command();
            clap_mangen::Man::new(cmd).render(&mut std::io::stdout())?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn clap_definition_is_consistent() {
        Cli::command().debug_assert();
    }
}
