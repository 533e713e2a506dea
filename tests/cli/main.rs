//! Integration tests: one binary, a module per subcommand.

mod allow;
mod baseline;
mod common;
mod hostile;
mod hostile_git;
mod leaks;
mod rules;
mod scan;
