//! Integration tests: one binary, a module per subcommand.

mod common;
mod rules;
mod scan;
