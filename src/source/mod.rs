//! Sources: where bytes come from. Takes paths (or stdin); gives file entries
//! to read and the bytes of each.
//!
//! - [`walk`]: a parallel directory walk that respects `.gitignore`, `.ignore`
//!   and `.keyfenceignore`, scans hidden files, never enters `.git/` and never
//!   follows a symlink.
//! - [`read`]: reading a file with a size cap into a reused buffer.
//! - [`git`]: git history, each unique blob once, with commit provenance.
//! - [`staged`]: the staged changes of a repository and the lines they add.

pub mod git;
pub mod read;
pub mod staged;
pub mod walk;

pub use read::{read_capped, ReadOutcome};
pub use walk::{walk, Visit, WalkItem, WalkOptions};

/// A path for display: '/' separators, no leading `./`, lossy for non-UTF-8
/// bytes (which are shown as `\xNN` escapes so they stay faithful and printable).
pub fn display_path(p: &std::path::Path) -> String {
    #[cfg(unix)]
    let s = {
        use std::os::unix::ffi::OsStrExt;
        let bytes = p.as_os_str().as_bytes();
        match std::str::from_utf8(bytes) {
            Ok(s) => s.to_string(),
            Err(_) => bytes.utf8_chunks().fold(String::new(), |mut acc, chunk| {
                acc.push_str(chunk.valid());
                for b in chunk.invalid() {
                    acc.push_str(&format!("\\x{b:02X}"));
                }
                acc
            }),
        }
    };
    #[cfg(not(unix))]
    let s = p.to_string_lossy().replace('\\', "/");
    let mut s = s.as_str();
    while let Some(rest) = s.strip_prefix("./") {
        s = rest;
    }
    s.to_string()
}
