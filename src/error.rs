//! The library's error type. Every variant names the file (or rule) it is
//! about; none ever holds a secret.

use std::path::PathBuf;

/// An error from loading configuration or rules, or reading input.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A configuration file that cannot be read or parsed.
    #[error("{}: {message}", path.display())]
    Config {
        /// The config file.
        path: PathBuf,
        /// What is wrong (the key and line where known).
        message: String,
    },
    /// A rule that does not compile or is malformed.
    #[error(transparent)]
    Rule(#[from] crate::rules::RuleError),
    /// An I/O error on a path.
    #[error("{}: {source}", path.display())]
    Io {
        /// The path.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// A git repository that cannot be opened or read (objects, refs, index).
    #[error("{}: {message}", path.display())]
    Git {
        /// The repository (or the path given for it).
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// A path given on the command line does not exist.
    #[error("{}: no such file or directory", path.display())]
    NotFound {
        /// The path.
        path: PathBuf,
    },
}

/// Shorthand for results with [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
