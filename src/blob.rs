//! A blob: bytes to scan, and where they came from.
//!
//! Every source (directory walk, stdin, the index, git history) produces blobs;
//! the matcher reads only their bytes, and the provenance travels beside them to
//! the filters and the finding.

use std::borrow::Cow;

/// How many leading bytes are inspected to decide whether content is binary.
pub const BINARY_SNIFF_LEN: usize = 8 * 1024;

/// Where a blob's bytes came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Provenance {
    /// A file, by its path relative to the scanned root ('/' separators).
    File {
        /// Path relative to the scanned root.
        path: String,
    },
    /// Standard input.
    Stdin,
}

impl Provenance {
    /// The path to report: the relative path, or `-` for stdin.
    pub fn path(&self) -> &str {
        match self {
            Provenance::File { path } => path,
            Provenance::Stdin => "-",
        }
    }
}

/// The text encoding detected for a blob.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// UTF-8 or any byte soup that is scanned as is.
    Bytes,
    /// UTF-16 little endian with a byte-order mark.
    Utf16Le,
    /// UTF-16 big endian with a byte-order mark.
    Utf16Be,
}

/// Detects a UTF-16 byte-order mark.
pub fn detect_encoding(data: &[u8]) -> Encoding {
    match data {
        [0xFF, 0xFE, ..] => Encoding::Utf16Le,
        [0xFE, 0xFF, ..] => Encoding::Utf16Be,
        _ => Encoding::Bytes,
    }
}

/// True when the content looks binary: a NUL byte in its first 8 KiB, unless it
/// carries a UTF-16 byte-order mark (UTF-16 text is full of NULs).
pub fn is_binary(data: &[u8]) -> bool {
    if detect_encoding(data) != Encoding::Bytes {
        return false;
    }
    let head = &data[..data.len().min(BINARY_SNIFF_LEN)];
    memchr::memchr(0, head).is_some()
}

/// Returns the bytes to scan: UTF-16 (with a BOM) is decoded to UTF-8, a UTF-8
/// BOM is dropped (so first-line columns match what an editor shows), and
/// anything else is scanned as it is (invalid UTF-8 included). Line breaks
/// survive decoding one for one, so line numbers refer to the original file.
pub fn decode(data: &[u8]) -> Cow<'_, [u8]> {
    let enc = detect_encoding(data);
    let body = &data[data.len().min(2)..];
    let unit = |c: &[u8]| match enc {
        Encoding::Utf16Le => u16::from_le_bytes([c[0], c[1]]),
        _ => u16::from_be_bytes([c[0], c[1]]),
    };
    match enc {
        Encoding::Bytes => Cow::Borrowed(data.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(data)),
        Encoding::Utf16Le | Encoding::Utf16Be => {
            let units = body.chunks_exact(2).map(unit);
            let text: String = char::decode_utf16(units)
                .map(|r| r.unwrap_or(char::REPLACEMENT_CHARACTER))
                .collect();
            Cow::Owned(text.into_bytes())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nul_in_head_is_binary() {
        assert!(is_binary(b"abc\0def"));
        assert!(!is_binary(b"abc def"));
        let mut late = vec![b'a'; BINARY_SNIFF_LEN];
        late.push(0);
        assert!(!is_binary(&late));
    }

    #[test]
    fn utf16_is_decoded_not_binary() {
        let mut le = vec![0xFF, 0xFE];
        for u in "key=1\nx".encode_utf16() {
            le.extend_from_slice(&u.to_le_bytes());
        }
        assert!(!is_binary(&le));
        assert_eq!(&*decode(&le), b"key=1\nx");
        let mut be = vec![0xFE, 0xFF];
        for u in "ab\r\ncd".encode_utf16() {
            be.extend_from_slice(&u.to_be_bytes());
        }
        assert_eq!(&*decode(&be), b"ab\r\ncd");
    }

    #[test]
    fn utf16_odd_tail_and_lone_surrogates_do_not_fail() {
        // A truncated last unit is dropped; an unpaired surrogate becomes U+FFFD.
        let le = [0xFF, 0xFE, b'a', 0, 0x00, 0xD8, b'b', 0, b'c'];
        assert_eq!(&*decode(&le), "a\u{FFFD}b".as_bytes());
        assert_eq!(&*decode(&[0xFE, 0xFF]), b"");
    }

    #[test]
    fn utf8_bom_is_dropped_and_invalid_utf8_kept() {
        assert_eq!(&*decode(b"\xEF\xBB\xBFkey=1"), b"key=1");
        assert_eq!(&*decode(b"caf\xE9 \xFF"), b"caf\xE9 \xFF");
    }
}
