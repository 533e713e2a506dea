//! Integration tests: one binary, a module per subcommand.

mod common;
mod git;
mod rules;
mod scan;
mod staged;
