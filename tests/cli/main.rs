//! Integration tests: one binary, a module per subcommand.

mod allow;
mod baseline;
mod common;
mod defences;
mod git;
mod lint;
mod rules;
mod scan;
mod staged;
