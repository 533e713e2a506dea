//! False-positive defences for the generic keyword-plus-entropy rules: values
//! that are code, labels, hashes, identifiers, paths or URLs rather than
//! credentials.

/// Name fragments that say a hex value is a digest or an identifier rather
/// than a secret.
const DIGEST_NAMES: &[&str] = &[
    "hash",
    "sha",
    "md5",
    "digest",
    "checksum",
    "commit",
    "etag",
    "integrity",
    "fingerprint",
    "nonce",
    "revision",
    "version",
    "cache",
];

/// Prefixes of values that refer to a secret stored elsewhere, or that are
/// URLs and paths (compared lowercase).
const REFERENCE_PREFIXES: &[&str] = &[
    "http://",
    "https://",
    "data:",
    "file:",
    "/",
    "./",
    "../",
    "~/",
    "#",
    "$",
    "arn:",
    "vault:",
    "op://",
    "ssm:",
    "env:",
    "secret:",
    "ref+",
    "sops:",
    "awskms:",
    "gcpkms:",
    "azurekeyvault:",
    "@env:",
    "@keychain:",
];

/// Prefixes of integrity and content-hash strings (`sha512-…` in npm lock
/// files, `h1:…` in `go.sum`, `sha256:…` image digests).
const INTEGRITY_PREFIXES: &[&str] = &[
    "sha1-", "sha256-", "sha384-", "sha512-", "sha256:", "sha512:", "sha1:", "md5:", "h1:", "zh:",
];

/// Fragments of format strings and i18n interpolation.
const FORMAT_MARKERS: &[&str] = &["%s", "%d", "%v", "%@", "%1$s", "{0}"];

/// True when a generic rule's `secret` is not plausibly a credential. `name`
/// is the text before the secret on its line (the name it is assigned to).
pub fn is_implausible_generic_value(secret: &[u8], name: &[u8]) -> bool {
    let s = secret;
    // An identifier, label, dotted path or expression without digits, in any
    // script (`Password`, `tokenValue`, `config.api_key`, `response?`,
    // `&self.token`, `Contrase\u{f1}a`).
    if is_word_or_label(s) {
        return true;
    }
    // Code: a call, an index, a block, a path or an operator
    // (`get_secret()`, `std::sync::OnceLock`, `self->token`, `count++`).
    if s.iter().any(|b| b"()[]{}\\".contains(b)) {
        return true;
    }
    // One pass over the pairs (no searcher set-up per operator).
    const OPS: [[u8; 2]; 6] = [*b"::", *b"->", *b"=>", *b"++", *b"--", *b"$("];
    if s.windows(2)
        .any(|w| OPS.iter().any(|op| w[0] == op[0] && w[1] == op[1]))
    {
        return true;
    }
    if is_number_literal(s) {
        return true;
    }
    let quoted = matches!(name.last(), Some(b'"' | b'\'' | b'`'));
    if !quoted && is_constant_name(s) {
        return true;
    }
    let lower = s.to_ascii_lowercase();
    let starts = |p: &&str| lower.starts_with(p.as_bytes());
    if REFERENCE_PREFIXES.iter().any(starts) || INTEGRITY_PREFIXES.iter().any(starts) {
        return true;
    }
    // Password hashes (bcrypt `$2b$…`, crypt `$6$…`) are digests, not secrets.
    if s.len() > 3 && s[0] == b'$' && s[1..].contains(&b'$') {
        return true;
    }
    // A format string leads or ends with its conversion (`%s: bad password`,
    // `Password%s`); inside a random value `%d` is just two characters.
    if FORMAT_MARKERS
        .iter()
        .any(|m| lower.starts_with(m.as_bytes()) || lower.ends_with(m.as_bytes()))
    {
        return true;
    }
    if is_uuid(s) {
        return true;
    }
    // Hex digests where the name says digest; any value whose name says hash.
    let name = name.to_ascii_lowercase();
    let name_says = |words: &[&str]| {
        words
            .iter()
            .any(|d| memchr::memmem::find(&name, d.as_bytes()).is_some())
    };
    if name_says(DIGEST_NAMES) && (s.iter().all(u8::is_ascii_hexdigit) || name_says(&["hash"])) {
        return true;
    }
    // Numbers, versions, dates and times.
    if s.iter()
        .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'-' | b':' | b'+' | b'_'))
    {
        return true;
    }
    false
}

/// A number in code, with its base prefix and type suffix (`0x8031002C_u32`, `983040i32`, `10UL`).
fn is_number_literal(s: &[u8]) -> bool {
    let body = s
        .strip_prefix(b"0x")
        .or_else(|| s.strip_prefix(b"0X"))
        .unwrap_or(s);
    let hex = body.len() != s.len();
    let digits = body
        .iter()
        .take_while(|b| b.is_ascii_digit() || **b == b'_' || (hex && b.is_ascii_hexdigit()))
        .count();
    if digits == 0 || !body[0].is_ascii_digit() && !hex {
        return false;
    }
    let suffix = body[digits..].strip_prefix(b"_").unwrap_or(&body[digits..]);
    [
        &b""[..],
        b"i8",
        b"i16",
        b"i32",
        b"i64",
        b"i128",
        b"isize",
        b"u8",
        b"u16",
        b"u32",
        b"u64",
        b"u128",
        b"usize",
        b"f32",
        b"f64",
        b"u",
        b"l",
        b"ul",
        b"ll",
        b"ull",
        b"L",
        b"UL",
        b"LL",
        b"ULL",
        b"U",
    ]
    .contains(&suffix)
}

/// A constant or type name (`IKEEXT_CREDENTIAL0`, `MSV1_0_CREDENTIAL_KEY`,
/// `MI_UserCredentials_0`): identifier words joined by `_`, one of them a
/// word of three or more letters.
fn is_constant_name(s: &[u8]) -> bool {
    let words: Vec<&[u8]> = s.split(|&b| b == b'_').filter(|w| !w.is_empty()).collect();
    words.len() >= 2
        && s.iter().all(|b| b.is_ascii_alphanumeric() || *b == b'_')
        && words
            .iter()
            .any(|w| w.iter().filter(|b| b.is_ascii_alphabetic()).count() >= 3)
        && words.iter().all(|w| {
            // Within a word, letters of one case, or a capitalised word, then digits.
            let upper = w.iter().all(|b| !b.is_ascii_lowercase());
            let capitalised = w[0].is_ascii_uppercase() || w[0].is_ascii_digit();
            upper || capitalised || w.iter().all(|b| !b.is_ascii_uppercase())
        })
}

/// True when an unquoted value is a type in a declaration (`Token:
/// D3DKMT_HISTORY_TOKEN,`, `Key: X509KeyFlag = 3;`): an identifier after `:`
/// that code, not a config file, follows (`,` `;` `)` `=` `{` `<`).
pub fn is_type_annotation(secret: &[u8], name: &[u8], following: &[u8]) -> bool {
    let sep = name.trim_ascii_end();
    let next = following
        .iter()
        .find(|b| !matches!(b, b' ' | b'\t'))
        .copied();
    sep.ends_with(b":")
        && !secret.is_empty()
        && (secret[0].is_ascii_alphabetic() || matches!(secret[0], b'_' | b'&' | b'*'))
        && secret[1..]
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || *b == b'_')
        && matches!(next, Some(b',' | b';' | b')' | b'=' | b'{' | b'<'))
}

/// A word, identifier, dotted path or UI label in any script: letters and
/// `_ . -` only, possibly ending in label punctuation (`Password:`,
/// `tokenValue`, `config.api_key`, `Contraseña`, `Пароль`).
fn is_word_or_label(s: &[u8]) -> bool {
    let Ok(text) = std::str::from_utf8(s) else {
        return false;
    };
    // `::` paths (`token::Kind`) and symbols (`:password`) lead with ':'.
    let text = text
        .trim_start_matches(':')
        .trim_end_matches([':', '?', '!', '.', '\u{2026}', '*']);
    !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_alphabetic() || "_.-?!&*:/$@".contains(c))
}

/// True when the name in `prefix` (the match up to its value) ends with one
/// of `keywords`: the name is the keyword itself, right beside its value
/// (`api_key: "…"`, `"password": "…"`), not a longer identifier that merely
/// contains it (`tokenInputLabel: "…"`).
pub fn name_ends_with_keyword(prefix: &[u8], keywords: &[String]) -> bool {
    let name = prefix.trim_ascii_end();
    let end = name
        .iter()
        .rposition(|b| !matches!(b, b'"' | b'\'' | b'`' | b'=' | b':' | b'>' | b' ' | b'\t'))
        .map_or(0, |p| p + 1);
    let name = name[..end].to_ascii_lowercase();
    let squashed: Vec<u8> = name
        .iter()
        .copied()
        .filter(|b| !matches!(b, b'_' | b'-' | b'.'))
        .collect();
    keywords.iter().any(|k| {
        let k = k.to_ascii_lowercase();
        let ks: Vec<u8> = k
            .bytes()
            .filter(|b| !matches!(b, b'_' | b'-' | b'.'))
            .collect();
        name.ends_with(k.as_bytes()) || squashed.ends_with(&ks)
    })
}

fn is_uuid(s: &[u8]) -> bool {
    s.len() == 36
        && s.iter().enumerate().all(|(i, b)| match i {
            8 | 13 | 18 | 23 => *b == b'-',
            _ => b.is_ascii_hexdigit(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn implausible(v: &str) -> bool {
        is_implausible_generic_value(v.as_bytes(), b"token = ")
    }

    #[test]
    fn code_labels_and_paths_are_dropped() {
        for v in [
            "Password",
            "tokenValue",
            "config.api_key",
            "get_secret()",
            "request.form[x]",
            "https://example.org/a",
            "/etc/ssl/key.pem",
            "./secrets.json",
            "123e4567-e89b-12d3-a456-426614174000",
            "sha512-AbCdEf0123456789",
            "2024-01-01",
        ] {
            assert!(implausible(v), "{v}");
        }
    }

    #[test]
    fn ui_labels_in_any_language_are_dropped() {
        for v in [
            "Password:",
            "Contrase\u{f1}a",
            "\u{41f}\u{430}\u{440}\u{43e}\u{43b}\u{44c}",
            "\u{30d1}\u{30b9}\u{30ef}\u{30fc}\u{30c9}",
            "Mot_de_passe",
            "Passwort?",
            "Kennwort\u{2026}",
            ":is_complete_private_key",
            ":password_confirmation",
        ] {
            assert!(implausible(v), "{v}");
        }
    }

    #[test]
    fn types_paths_numbers_and_constants_in_code_are_dropped() {
        for (line, value) in [
            ("token: cpuid::InitToken", "cpuid::InitToken"),
            ("_token_start: &Self::Checkpoint", "&Self::Checkpoint"),
            (
                "password: windows_sys::core::PWSTR",
                "windows_sys::core::PWSTR",
            ),
            ("TOKEN_ID: u32 = 0x8031002C_u32", "0x8031002C_u32"),
            ("PrivateKeyServerVersionShift = 983040i32", "983040i32"),
            ("localCredentials: IKEEXT_CREDENTIAL0", "IKEEXT_CREDENTIAL0"),
            ("NtOwfPassword: LM_OWF_PASSWORD", "LM_OWF_PASSWORD"),
            (
                "CredentialKey: MSV1_0_CREDENTIAL_KEY",
                "MSV1_0_CREDENTIAL_KEY",
            ),
            ("credentials: MI_UserCredentials_0", "MI_UserCredentials_0"),
            (
                "Token: STORAGE_OFFLOAD_TOKEN_0_0",
                "STORAGE_OFFLOAD_TOKEN_0_0",
            ),
        ] {
            let name = &line[..line.len() - value.len()];
            assert!(
                is_implausible_generic_value(value.as_bytes(), name.as_bytes()),
                "{line}"
            );
        }
        // A quoted constant-looking value is a literal, and may be a password.
        assert!(!is_implausible_generic_value(
            b"ADMIN_PASS_2024",
            b"password = \""
        ));
    }

    #[test]
    fn type_annotations_are_code_but_yaml_values_are_not() {
        let typed = |line: &str, value: &str, after: &str| {
            let name = &line[..line.len() - value.len()];
            is_type_annotation(value.as_bytes(), name.as_bytes(), after.as_bytes())
        };
        assert!(typed(
            "pub Token: D3DKMT_PRESENTHISTORYTOKEN_0",
            "D3DKMT_PRESENTHISTORYTOKEN_0",
            ","
        ));
        let flag = "X509CertificateTemplatePrivateKeyFlag";
        assert!(typed(
            &format!("pub const PrivateKeyAttestMask: {flag}"),
            flag,
            " = 12288i32;"
        ));
        // Values assembled here so that this file holds no password-like line.
        let v = format!("Xk9mQ2{}", "pL7vR3zT");
        let line = |sep: &str| format!("password{sep}{v}");
        assert!(!typed(&line(": "), &v, ""));
        assert!(!typed(&line(": "), &v, "  # prod"));
        assert!(!typed(&line(": \""), &v, "\","));
        assert!(!typed(&line(" = "), &v, ";"));
    }

    #[test]
    fn references_to_secret_stores_are_dropped() {
        for v in [
            "arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf",
            "vault:secret/data/db#password",
            "op://Infra/db/password",
            "ref+awsssm://prod/db/password",
            "ENC(G6N718UuyPE5bHyWKyuLQSm02auQPUtm)",
            "@env:AC_PASSWORD",
            "@keychain:AC_PASSWORD",
        ] {
            assert!(implausible(v), "{v}");
        }
    }

    #[test]
    fn integrity_strings_and_format_strings_are_dropped() {
        for v in [
            "h1:Qm8zU0V1bXq3Ll1cZ8rXyUpv0bTqS1vV5xQeR2b9Kfs=",
            "zh:0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d",
            "sha256:9f86d081884c7d659a2feaa0c55ad015",
            "Welcome_back_%s",
            "%s:InvalidPassword",
        ] {
            assert!(implausible(v), "{v}");
        }
    }

    #[test]
    fn hex_needs_a_digest_name_to_be_dropped() {
        let hex = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
        for name in [
            "token_sha256",
            "secret_hash",
            "api_key_checksum",
            "token_version",
        ] {
            assert!(
                is_implausible_generic_value(hex.as_bytes(), format!("{name} = ").as_bytes()),
                "{name}"
            );
        }
        assert!(!is_implausible_generic_value(
            hex.as_bytes(),
            b"api_token = "
        ));
        let md5 = "5f4dcc3b5aa765d61d8327deb882cf99";
        assert!(is_implausible_generic_value(
            md5.as_bytes(),
            b"password_md5: "
        ));
    }

    #[test]
    fn credentials_pass() {
        for v in [
            "q8Zr2LmX0pVt7Yw4nB6c",
            "Tr0ub4dor&3xyz!",
            "a1b2c3d4e5f6g7h8i9j0",
            "wq9:Xv2+Lm0_Rt7",
            "rBbsUJ%dVFAen^368",
        ] {
            assert!(!implausible(v), "{v}");
        }
    }

    #[test]
    fn name_right_beside_its_value() {
        let kw: Vec<String> = ["token", "api_key", "password", "secret"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        for p in [
            "api_key: \"",
            "\"password\":\"",
            "apiKey=",
            "client_secret => '",
            "--token ",
            "accessToken:\"",
        ] {
            assert!(name_ends_with_keyword(p.as_bytes(), &kw), "{p}");
        }
        for p in ["tokenInput:\"", "passwordLabel=", "secretHandling: '"] {
            assert!(!name_ends_with_keyword(p.as_bytes(), &kw), "{p}");
        }
    }
}
