//! Integration tests: one binary, a module per subcommand.

mod allow;
mod baseline;
mod common;
mod defences;
mod git;
mod integrations;
mod lint;
mod rules;
mod scan;
mod staged;
