//! Integration tests: one binary, a module per subcommand.

mod common;
mod hostile;
mod leaks;
mod rules;
mod scan;
