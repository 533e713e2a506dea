//! Defences that look around a match rather than at the secret alone: a match
//! inside an encoded blob that holds no credential (a data URI, an SSH public
//! key, a certificate or public key PEM block), and the long lines of
//! minified code, where the generic rules keep only names written right
//! beside their value.

/// Lines longer than this many bytes are treated as minified or generated code.
pub const MINIFIED_LINE: usize = 1000;

/// Longest run of encoded text walked back from a match to find what encodes it.
const MAX_BLOB_WALK: usize = 64 * 1024;

/// True when the match starting at `start` lies inside a data URI, the body
/// of an SSH public key, or a PEM block that is not a private key
/// (`CERTIFICATE`, `PUBLIC KEY`, …).
pub fn inside_public_blob(hay: &[u8], start: usize) -> bool {
    inside_public_blob_memo(hay, start, &mut BlobWalk::default())
}

/// The last walk of [`inside_public_blob_memo`] over one haystack. Every hit in
/// a long run of encoded-looking text (a keyword flood, a big data URI) would
/// otherwise walk back up to 64 KiB on its own; a walk that reaches where the
/// previous one started reuses its answer, so the hits of a run cost one walk.
/// Reset it (`BlobWalk::default()`) for each new haystack.
#[derive(Debug, Default, Clone, Copy)]
pub struct BlobWalk {
    /// Where the remembered walk started.
    from: usize,
    /// Its answer.
    result: bool,
    /// The lowest offset its answer looked at (`usize::MAX`: the answer
    /// holds whatever the floor of a later walk).
    depends_from: usize,
    /// Whether anything is remembered.
    valid: bool,
}

/// [`inside_public_blob`], remembering the walk in `memo` for the next match
/// of the same haystack.
pub fn inside_public_blob_memo(hay: &[u8], start: usize, memo: &mut BlobWalk) -> bool {
    let floor = start.saturating_sub(MAX_BLOB_WALK);
    // The walk from `start` continues exactly as the remembered one once it
    // reaches that one's start, if the remembered answer looked no lower than
    // this walk may go.
    let reuse_at =
        (memo.valid && memo.from <= start && memo.depends_from >= floor).then_some(memo.from);
    let mut i = start;
    let (result, depends_from) = loop {
        if Some(i) == reuse_at {
            memo.from = start;
            return memo.result;
        }
        if i <= floor {
            // Encoded-looking text all the way down to the floor: nothing
            // before it counts, and a later walk that reaches this one's start
            // runs down to its own floor through the same text, so the
            // answer holds for it whatever its floor.
            break (false, Some(usize::MAX));
        }
        let b = hay[i - 1];
        if b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'=' | b'\\') {
            i -= 1;
        } else if matches!(b, b'\n' | b'\r' | b' ' | b'\t') {
            // Whitespace continues the blob only when it breaks a line (PEM
            // bodies, indented YAML); a lone space ends it.
            let mut j = i - 1;
            while j > floor && matches!(hay[j - 1], b' ' | b'\t' | b'\r' | b'\n') {
                j -= 1;
            }
            if hay[j..i].contains(&b'\n') {
                i = j;
            } else if j == floor {
                break (false, Some(usize::MAX));
            } else {
                let before = &hay[floor..j];
                let word = floor + word_start(before);
                break (follows_ssh_key_type(before), (word > floor).then_some(word));
            }
        } else {
            let before = &hay[floor..i];
            let r = before.ends_with(b";base64,") || ends_with_public_pem_header(before);
            // Both checks read at most the last 90 bytes (the header line).
            let looked = i.saturating_sub(96);
            break (r, (looked > floor).then_some(looked));
        }
    };
    *memo = match depends_from {
        Some(d) => BlobWalk {
            from: start,
            result,
            depends_from: d,
            valid: true,
        },
        None => BlobWalk::default(),
    };
    result
}

/// Where the last word of `before` starts (SSH key types: letters, digits, `-@.`).
fn word_start(before: &[u8]) -> usize {
    before
        .iter()
        .rposition(|b| !(b.is_ascii_alphanumeric() || matches!(b, b'-' | b'@' | b'.')))
        .map_or(0, |p| p + 1)
}

/// True when `before` ends with an SSH public key type (`ssh-rsa`,
/// `ssh-ed25519`, `ecdsa-sha2-nistp256`, `sk-ssh-ed25519@openssh.com`, …).
fn follows_ssh_key_type(before: &[u8]) -> bool {
    let word = &before[word_start(before)..];
    ["ssh-", "ecdsa-sha2-", "sk-ssh-", "sk-ecdsa-"]
        .iter()
        .any(|p| word.starts_with(p.as_bytes()))
}

/// Words of PEM labels that hold public material only (RFC 7468 and the
/// OpenPGP armor headers): certificates, public keys, parameters, CRLs,
/// signatures and message containers.
const PUBLIC_PEM_LABELS: &[&str] = &[
    "CERTIFICATE",
    "PUBLIC KEY",
    "PARAMETERS",
    "X509 CRL",
    "PKCS7",
    "CMS",
    "SIGNATURE",
    "ATTRIBUTE CERTIFICATE",
];

/// True when `before` ends with a `-----BEGIN <label>-----` line whose label names public material.
fn ends_with_public_pem_header(before: &[u8]) -> bool {
    let before = before.trim_ascii_end();
    // A `\n` escape right after the header line.
    let before = before.strip_suffix(b"\\n").unwrap_or(before);
    if !before.ends_with(b"-----") {
        return false;
    }
    let tail = &before[before.len().saturating_sub(80)..];
    let Some(begin) = memchr::memmem::rfind(tail, b"-----BEGIN ") else {
        return false;
    };
    let label = &tail[begin + 11..tail.len() - 5];
    !label.is_empty()
        && !label.contains(&b'\n')
        && memchr::memmem::find(label, b"PRIVATE").is_none()
        && PUBLIC_PEM_LABELS
            .iter()
            .any(|p| memchr::memmem::find(label, p.as_bytes()).is_some())
}

/// True when the line holding `span` is longer than [`MINIFIED_LINE`] bytes.
pub fn on_long_line(hay: &[u8], start: usize, end: usize) -> bool {
    let lo = start.saturating_sub(MINIFIED_LINE);
    let line_start = memchr::memrchr(b'\n', &hay[lo..start]).map_or(lo, |p| lo + p + 1);
    let hi = (end + MINIFIED_LINE).min(hay.len());
    let line_end = memchr::memchr(b'\n', &hay[end..hi]).map_or(hi, |p| end + p);
    line_end - line_start > MINIFIED_LINE
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remembered_walks_give_the_same_answers() {
        // Issue 9: each hit in a run of encoded text walked back up to 64 KiB
        // (a keyword flood took seconds); reusing the walk must not change
        // any answer, whatever the order of the queries.
        let mut hay = Vec::new();
        let pieces: [&[u8]; 9] = [
            b"password=",
            b"data:image/png;base64,",
            b"-----BEGIN CERTIFICATE-----\n",
            b"-----BEGIN RSA PRIVATE KEY-----\n",
            b"ssh-ed25519 ",
            b"\n  ",
            b" ",
            b"#",
            b"AbC0+/=\\",
        ];
        let mut x: u64 = 99;
        let mut next = |n: u64| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x % n) as usize
        };
        // Long runs of encoded text (past the 64 KiB floor) and short pieces.
        for k in 0..30_000 {
            let piece = if k % 12_000 < 10_000 { 8 } else { next(9) };
            hay.extend_from_slice(pieces[piece]);
        }
        let mut memo = BlobWalk::default();
        let mut start = 0;
        for _ in 0..5000 {
            // Mostly forward, as the matcher asks, sometimes back.
            start = if next(10) == 0 {
                next(hay.len() as u64)
            } else {
                (start + next(40)).min(hay.len())
            };
            assert_eq!(
                inside_public_blob_memo(&hay, start, &mut memo),
                inside_public_blob(&hay, start),
                "at {start}"
            );
        }
    }

    fn inside(text: &str, needle: &str) -> bool {
        let at = text.find(needle).expect("needle in text");
        inside_public_blob(text.as_bytes(), at)
    }

    const BODY: &str = "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAu1SU1LfVLPHCozMxH2Mo\n4lgOEePzNm0tRgeLezV6ffAt0gunVTLw7onLRnrq0/IzW7yWR7QkrmBL7jTKEn5u\n+qKhbwKfBstIs+bMY2Zkp18gnTxKLxoS2tFczGkPLPgizskuemMghRniWaoLcyeh\n";

    /// An access-key-shaped string, assembled at run time.
    fn akia() -> String {
        format!("{}{}", "AK", "IAQ7RZ4W2M5XN3P6TB")
    }

    #[test]
    fn certificates_and_public_keys_are_blobs() {
        for label in ["CERTIFICATE", "PUBLIC KEY", "RSA PUBLIC KEY", "X509 CRL"] {
            let pem = format!("-----BEGIN {label}-----\n{BODY}-----END {label}-----\n");
            assert!(inside(&pem, "4lgOE"), "{label}");
            assert!(inside(&pem, "+qKhb"), "{label}");
            let yaml = format!("cert: |\n  {}", pem.replace('\n', "\n  "));
            assert!(inside(&yaml, "4lgOE"), "indented {label}");
            let json = format!("{{\"cert\": \"{}\"}}", pem.replace('\n', "\\n"));
            assert!(inside(&json, "4lgOE"), "escaped {label}");
        }
    }

    #[test]
    fn private_key_blocks_and_text_after_a_block_are_not_public_blobs() {
        let pem = format!("-----BEGIN RSA PRIVATE KEY-----\n{BODY}-----END RSA PRIVATE KEY-----\n");
        assert!(!inside(&pem, "4lgOE"));
        assert!(!inside(&pem, "-----BEGIN"));
        let after = format!(
            "-----BEGIN CERTIFICATE-----\n{BODY}-----END CERTIFICATE-----\n{}\n",
            akia()
        );
        assert!(!inside(&after, "AKIAQ"));
    }

    #[test]
    fn ssh_public_keys_and_data_uris_are_blobs() {
        let ssh = format!(
            "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGq4Zy1Wb6Xr9ZkT2nQm8{} user@host",
            akia()
        );
        assert!(inside(&ssh, "AKIAQ"));
        assert!(inside(
            "ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBAkz",
            "AAAAE2"
        ));
        let uri = "background: url(data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==)";
        assert!(inside(uri, "AAAADUlEQVR42"));
        assert!(inside(uri, "iVBOR"));
    }

    #[test]
    fn ordinary_assignments_are_not_blobs() {
        let k = akia();
        assert!(!inside(&format!("token = {k}"), "AKIAQ"));
        assert!(!inside(&k, "AKIAQ"));
        assert!(!inside("key: \"ghp_abc\"", "ghp_"));
        assert!(!inside(&format!("a\n{k}"), "AKIAQ"));
        assert!(!inside(&format!("the key is {k}"), "AKIAQ"));
    }

    #[test]
    fn long_lines() {
        let long = format!("var a={};token:\"x\"", "b".repeat(MINIFIED_LINE));
        let at = long.find("token").expect("token");
        assert!(on_long_line(long.as_bytes(), at, at + 5));
        let short = "x\ntoken: \"abc\"\ny";
        assert!(!on_long_line(short.as_bytes(), 2, 7));
    }
}
