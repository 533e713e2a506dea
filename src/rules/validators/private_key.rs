//! A private key block is complete and well formed: a PEM block (RFC 7468)
//! whose `-----BEGIN <label>-----` and `-----END <label>-----` lines match and
//! whose body is base64 of a plausible size, holding
//! - for `OPENSSH PRIVATE KEY`, the `openssh-key-v1\0` magic of OpenSSH's key format;
//! - for `PGP PRIVATE KEY BLOCK` (RFC 4880 §6), an OpenPGP packet, and the
//!   armor's CRC-24 when the checksum line is present;
//! - for legacy encrypted PEM (`Proc-Type: 4,ENCRYPTED`), whole cipher blocks;
//! - for every other label (PKCS#1, PKCS#8, SEC 1, DSA), one DER SEQUENCE
//!   whose length is exactly the decoded size.
//!
//! The block may be written with real line breaks, with `\n` escapes (a JSON
//! or YAML string), or on one line.

use super::{decode_base64, Validator};

/// The registered validator.
pub const VALIDATOR: Validator = Validator {
    name: "private-key",
    summary: "a complete BEGIN/END private key block whose body is well-formed base64 of the key format its label names",
    check,
};

/// Smallest decoded key body accepted (an Ed25519 PKCS#8 key is 48 bytes).
const MIN_KEY_BYTES: usize = 40;
/// Largest decoded key body accepted.
const MAX_KEY_BYTES: usize = 64 * 1024;

fn check(secret: &[u8], matched: &[u8]) -> bool {
    if memchr::memmem::find(secret, b"-----BEGIN ").is_some() {
        is_complete_private_key(secret)
    } else {
        is_complete_private_key(matched)
    }
}

/// True when `text` holds a complete, well-formed private key block (see the module docs).
pub(crate) fn is_complete_private_key(text: &[u8]) -> bool {
    let text = unescape_newlines(text);
    let Some(begin) = memchr::memmem::find(&text, b"-----BEGIN ") else {
        return false;
    };
    let after_begin = &text[begin + 11..];
    let Some(label_len) = memchr::memmem::find(after_begin, b"-----") else {
        return false;
    };
    let label = &after_begin[..label_len];
    if label.len() > 40
        || !label
            .iter()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || *b == b' ')
        || memchr::memmem::find(label, b"PRIVATE KEY").is_none()
    {
        return false;
    }
    let rest = &after_begin[label_len + 5..];
    let mut end_line = b"-----END ".to_vec();
    end_line.extend_from_slice(label);
    end_line.extend_from_slice(b"-----");
    let Some(end) = memchr::memmem::find(rest, &end_line) else {
        return false;
    };
    let Some(body) = parse_body(&rest[..end]) else {
        return false;
    };
    let Some(decoded) = decode_base64(&body.base64) else {
        return false;
    };
    if !(MIN_KEY_BYTES..=MAX_KEY_BYTES).contains(&decoded.len()) {
        return false;
    }
    match label {
        b"OPENSSH PRIVATE KEY" => decoded.starts_with(b"openssh-key-v1\0"),
        b"PGP PRIVATE KEY BLOCK" => {
            decoded[0] & 0x80 != 0
                && match body.checksum.as_deref() {
                    None => true,
                    Some(sum) => decode_base64(sum).is_some_and(|s| {
                        s.len() == 3
                            && u32::from(s[0]) << 16 | u32::from(s[1]) << 8 | u32::from(s[2])
                                == crc24(&decoded)
                    }),
                }
        }
        _ if body.encrypted => decoded.len() % 8 == 0,
        _ => der_sequence_fills(&decoded),
    }
}

/// The base64 text of a block body, its armor checksum and whether a
/// `Proc-Type: 4,ENCRYPTED` header was present.
struct Body {
    base64: Vec<u8>,
    checksum: Option<Vec<u8>>,
    encrypted: bool,
}

fn parse_body(body: &[u8]) -> Option<Body> {
    let mut out = Body {
        base64: Vec::new(),
        checksum: None,
        encrypted: false,
    };
    for line in body.split(|&b| b == b'\n') {
        let line = line.trim_ascii();
        if line.is_empty() {
            continue;
        }
        if memchr::memchr(b':', line).is_some() {
            // A header (`Proc-Type`, `DEK-Info`, `Version`, `Comment`) only before the data.
            if !out.base64.is_empty() {
                return None;
            }
            if line.starts_with(b"Proc-Type:") && memchr::memmem::find(line, b"ENCRYPTED").is_some()
            {
                out.encrypted = true;
            }
            continue;
        }
        for word in line.split(|b| b.is_ascii_whitespace()) {
            if word.is_empty() {
                continue;
            }
            if out.checksum.is_some() {
                return None;
            }
            if word.len() == 5 && word[0] == b'=' && !out.base64.is_empty() {
                out.checksum = Some(word[1..].to_vec());
                continue;
            }
            if !word
                .iter()
                .all(|&b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'='))
            {
                return None;
            }
            out.base64.extend_from_slice(word);
        }
    }
    Some(out)
}

/// Turns `\n` and `\r` escapes (as in a JSON or YAML string) into line breaks.
fn unescape_newlines(text: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len());
    let mut i = 0;
    while i < text.len() {
        match (text[i], text.get(i + 1)) {
            (b'\\', Some(b'n')) => {
                out.push(b'\n');
                i += 2;
            }
            (b'\\', Some(b'r')) => i += 2,
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    out
}

/// True when `der` is one DER SEQUENCE whose encoded length covers exactly all of it.
fn der_sequence_fills(der: &[u8]) -> bool {
    let (Some(&0x30), Some(&first)) = (der.first(), der.get(1)) else {
        return false;
    };
    let (header, len) = match first {
        n if n < 0x80 => (2, usize::from(n)),
        0x81..=0x83 => {
            let k = usize::from(first - 0x80);
            let Some(bytes) = der.get(2..2 + k) else {
                return false;
            };
            (
                2 + k,
                bytes.iter().fold(0usize, |a, &b| a << 8 | usize::from(b)),
            )
        }
        _ => return false,
    };
    header + len == der.len()
}

/// The OpenPGP armor checksum (RFC 4880 §6.1).
fn crc24(data: &[u8]) -> u32 {
    let mut crc: u32 = 0x00B7_04CE;
    for &b in data {
        crc ^= u32::from(b) << 16;
        for _ in 0..8 {
            crc <<= 1;
            if crc & 0x0100_0000 != 0 {
                crc ^= 0x0186_4CFB;
            }
        }
    }
    crc & 0x00FF_FFFF
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::engine::general_purpose::STANDARD;
    use base64::Engine as _;

    /// Deterministic filler bytes (not a key).
    fn filler(n: usize, seed: u8) -> Vec<u8> {
        (0..n)
            .map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed))
            .collect()
    }

    fn pem(label: &str, headers: &str, body: &[u8]) -> String {
        let b64 = STANDARD.encode(body);
        let lines: Vec<&str> = b64
            .as_bytes()
            .chunks(64)
            .map(|c| std::str::from_utf8(c).expect("ascii"))
            .collect();
        format!(
            "-----BEGIN {label}-----\n{headers}{}\n-----END {label}-----\n",
            lines.join("\n")
        )
    }

    fn der(content_len: usize) -> Vec<u8> {
        let mut d = vec![0x30, 0x82, (content_len >> 8) as u8, content_len as u8];
        d.extend(filler(content_len, 3));
        d
    }

    fn ok(text: &str) -> bool {
        check(text.as_bytes(), text.as_bytes())
    }

    #[test]
    fn complete_der_blocks_pass() {
        for label in [
            "RSA PRIVATE KEY",
            "PRIVATE KEY",
            "EC PRIVATE KEY",
            "ENCRYPTED PRIVATE KEY",
        ] {
            assert!(ok(&pem(label, "", &der(1190))), "{label}");
        }
        let mut small = vec![0x30, 0x2e];
        small.extend(filler(0x2e, 9));
        assert!(ok(&pem("PRIVATE KEY", "", &small)), "short-form DER length");
    }

    #[test]
    fn openssh_needs_its_magic() {
        let mut body = b"openssh-key-v1\0".to_vec();
        body.extend(filler(380, 5));
        assert!(ok(&pem("OPENSSH PRIVATE KEY", "", &body)));
        assert!(!ok(&pem("OPENSSH PRIVATE KEY", "", &filler(395, 5))));
    }

    #[test]
    fn legacy_encrypted_pem_with_headers() {
        let headers =
            "Proc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,0A1B2C3D4E5F60718293A4B5C6D7E8F9\n\n";
        assert!(ok(&pem("RSA PRIVATE KEY", headers, &filler(1200, 1))));
        assert!(!ok(&pem("RSA PRIVATE KEY", headers, &filler(1201, 1))));
        assert!(
            !ok(&pem("RSA PRIVATE KEY", "", &filler(1200, 1))),
            "not DER without the header"
        );
    }

    #[test]
    fn pgp_armor_checksum() {
        let mut body = vec![0x95, 0x03, 0xc6];
        body.extend(filler(900, 7));
        let sum = crc24(&body);
        let sum = STANDARD.encode([(sum >> 16) as u8, (sum >> 8) as u8, sum as u8]);
        let b64 = STANDARD.encode(&body);
        let block = |sum: &str| {
            format!("-----BEGIN PGP PRIVATE KEY BLOCK-----\nVersion: Test\n\n{b64}\n={sum}\n-----END PGP PRIVATE KEY BLOCK-----")
        };
        assert!(ok(&block(&sum)));
        assert!(!ok(&block("AAAA")));
    }

    #[test]
    fn escaped_and_single_line_blocks() {
        let block = pem("PRIVATE KEY", "", &der(600));
        assert!(ok(&block.replace('\n', "\\n")), "JSON string");
        assert!(ok(&block.replace('\n', " ")), "one line with spaces");
        assert!(
            ok(&format!("  key: |\n{}", block.replace('\n', "\n    "))),
            "indented YAML"
        );
    }

    #[test]
    fn incomplete_or_malformed_blocks_fail() {
        let block = pem("RSA PRIVATE KEY", "", &der(1190));
        assert!(
            !ok(&block.replace("-----END RSA PRIVATE KEY-----", "")),
            "no END line"
        );
        assert!(
            !ok(&block.replace("END RSA", "END EC")),
            "END label differs"
        );
        let mut lines: Vec<&str> = block.lines().collect();
        lines.remove(3);
        assert!(!ok(&lines.join("\n")), "a body line missing");
        assert!(!ok(&block.replacen("MII", "MII...", 1)), "redacted body");
        assert!(
            !ok(&pem("RSA PRIVATE KEY", "", &der(1190)[..600])),
            "truncated DER"
        );
        assert!(!ok(&pem("PRIVATE KEY", "", &der(10))), "too small");
        assert!(
            !ok("-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\n-----END RSA PRIVATE KEY-----"),
            "a stub"
        );
    }

    #[test]
    fn public_keys_and_certificates_fail() {
        assert!(!ok(&pem("PUBLIC KEY", "", &der(290))));
        assert!(!ok(&pem("CERTIFICATE", "", &der(900))));
        assert!(!ok(&pem("RSA PUBLIC KEY", "", &der(266))));
    }

    #[test]
    fn crc24_known_value() {
        // CRC-24 of the empty input is the initial value.
        assert_eq!(crc24(b""), 0xB704CE);
        assert_ne!(crc24(b"a"), crc24(b"b"));
    }
}
