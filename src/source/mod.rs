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

/// A path for display: '/' separators, no leading `./`, and printable.
///
/// File names are attacker-controlled in a scanned repository: bytes that are
/// not UTF-8 are shown as `\xNN`, control characters (line breaks, escape
/// sequences) as `\xNN` or `\u{NN}`, and bidirectional-text controls as
/// `\u{NNNN}`, so a name can neither break a report's lines, inject terminal
/// or CI-log commands, nor disguise itself. Every other character is kept.
pub fn display_path(p: &std::path::Path) -> String {
    #[cfg(unix)]
    let s = {
        use std::os::unix::ffi::OsStrExt;
        let mut out = String::new();
        for chunk in p.as_os_str().as_bytes().utf8_chunks() {
            push_printable(&mut out, chunk.valid());
            for b in chunk.invalid() {
                out.push_str(&format!("\\x{b:02X}"));
            }
        }
        out
    };
    #[cfg(not(unix))]
    let s = {
        let mut out = String::new();
        push_printable(&mut out, &p.to_string_lossy().replace('\\', "/"));
        out
    };
    let mut s = s.as_str();
    while let Some(rest) = s.strip_prefix("./") {
        s = rest;
    }
    s.to_string()
}

/// Appends `text`, escaping control and bidirectional-text characters.
fn push_printable(out: &mut String, text: &str) {
    for c in text.chars() {
        let bidi = matches!(c, '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}');
        if c.is_ascii_control() {
            out.push_str(&format!("\\x{:02X}", c as u32));
        } else if c.is_control() || bidi {
            out.push_str(&format!("\\u{{{:X}}}", c as u32));
        } else {
            out.push(c);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    #[test]
    fn plain_paths_are_kept() {
        assert_eq!(display_path(Path::new("./src/main.rs")), "src/main.rs");
        assert_eq!(display_path(Path::new("docs/café.md")), "docs/café.md");
    }

    #[test]
    fn control_and_bidi_characters_are_escaped() {
        // A file name must not start a new report line (CI log commands),
        // carry a terminal escape, or reverse the text around it (issue 9).
        assert_eq!(
            display_path(Path::new("a\n::error::x.txt")),
            "a\\x0A::error::x.txt"
        );
        assert_eq!(display_path(Path::new("\u{1b}[2Jb")), "\\x1B[2Jb");
        assert_eq!(display_path(Path::new("c\u{85}d")), "c\\u{85}d");
        assert_eq!(
            display_path(Path::new("evil\u{202E}txt.exe")),
            "evil\\u{202E}txt.exe"
        );
    }

    #[cfg(unix)]
    #[test]
    fn invalid_utf8_is_shown_as_escapes() {
        use std::os::unix::ffi::OsStrExt;
        let p = Path::new(std::ffi::OsStr::from_bytes(b"caf\xe9/\xff.env"));
        assert_eq!(display_path(p), "caf\\xE9/\\xFF.env");
    }
}
