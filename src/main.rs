//! The `keyfence` binary: parses the command line, calls the library, and maps
//! the result to an exit code (0 clean, 1 findings, 2 error).

mod cli;

use std::process::ExitCode;

fn main() -> ExitCode {
    match cli::run() {
        Ok(code) => code,
        Err(err) => {
            if err.chain().any(|c| {
                c.downcast_ref::<std::io::Error>()
                    .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
            }) {
                return ExitCode::SUCCESS;
            }
            #[allow(clippy::print_stderr)]
            {
                eprintln!("keyfence: error: {err:#}");
            }
            ExitCode::from(2)
        }
    }
}
