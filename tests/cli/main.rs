//! Integration tests: one binary, a module per subcommand.

mod common;
mod integrations;
mod rules;
mod scan;
