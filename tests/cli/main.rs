//! Integration tests: one binary, a module per subcommand.

mod common;
mod defences;
mod rules;
mod scan;
