//! Integration tests: one binary, a module per subcommand.

mod common;
mod lint;
mod rules;
mod scan;
