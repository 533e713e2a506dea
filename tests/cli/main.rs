//! Integration tests: one binary, a module per subcommand.

mod allow;
mod baseline;
mod common;
mod defences;
mod git;
mod hostile;
mod hostile_git;
mod integrations;
mod leaks;
mod lint;
mod rules;
mod scan;
mod staged;
