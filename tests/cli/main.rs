//! Integration tests: one binary, a module per subcommand.

mod allow;
mod baseline;
mod common;
mod integrations;
mod rules;
mod scan;
