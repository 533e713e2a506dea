//! A Google Cloud service-account key file: a JSON object with
//! `"type": "service_account"`, a `private_key` holding a complete private key
//! block and a `client_email` of a service account
//! (`…@….gserviceaccount.com`). The rule's match must cover the whole object;
//! an object written inside a string (with `\"` escapes) is accepted too.

use super::private_key::is_complete_private_key;
use super::Validator;
use serde_json::{Map, Value};

/// The registered validator.
pub const VALIDATOR: Validator = Validator {
    name: "gcp-service-account",
    summary: "a JSON object with \"type\": \"service_account\", a complete private key in \"private_key\" and a service-account \"client_email\"",
    check,
};

fn check(secret: &[u8], matched: &[u8]) -> bool {
    [secret, matched].iter().any(|text| {
        first_object(text)
            .or_else(|| first_object(&unescape_quotes(text)))
            .is_some_and(|o| is_service_account_key(&o))
    })
}

fn is_service_account_key(o: &Map<String, Value>) -> bool {
    let field = |k: &str| o.get(k).and_then(Value::as_str);
    field("type") == Some("service_account")
        && field("private_key").is_some_and(|k| is_complete_private_key(k.as_bytes()))
        && field("client_email").is_some_and(|e| {
            e.split_once('@').is_some_and(|(user, domain)| {
                !user.is_empty() && domain.ends_with("gserviceaccount.com")
            })
        })
}

/// Parses the first JSON object in `text` (from its first `{`), ignoring what follows it.
fn first_object(text: &[u8]) -> Option<Map<String, Value>> {
    let start = memchr::memchr(b'{', text)?;
    let mut stream = serde_json::Deserializer::from_slice(&text[start..]).into_iter::<Value>();
    match stream.next()?.ok()? {
        Value::Object(o) => Some(o),
        _ => None,
    }
}

/// `\"` → `"` and `\\` → `\`, for an object embedded in a string literal.
fn unescape_quotes(text: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len());
    let mut i = 0;
    while i < text.len() {
        match (text[i], text.get(i + 1)) {
            (b'\\', Some(&c @ (b'"' | b'\\'))) => {
                out.push(c);
                i += 2;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::engine::general_purpose::STANDARD;
    use base64::Engine as _;

    fn key_pem() -> String {
        let mut der = vec![0x30, 0x82, 0x02, 0x00];
        der.extend((0..0x200u32).map(|i| (i * 17 + 5) as u8));
        format!(
            "-----BEGIN PRIVATE KEY-----\n{}\n-----END PRIVATE KEY-----\n",
            STANDARD.encode(der)
        )
    }

    fn key_file(kind: &str, email: &str, pem: &str) -> String {
        serde_json::json!({
            "type": kind,
            "project_id": "demo-project",
            "private_key_id": "0123456789abcdef0123456789abcdef01234567",
            "private_key": pem,
            "client_email": email,
            "client_id": "100000000000000000001",
        })
        .to_string()
    }

    const EMAIL: &str = "deployer@demo-project.iam.gserviceaccount.com";

    #[test]
    fn accepts_a_complete_key_file() {
        let f = key_file("service_account", EMAIL, &key_pem());
        assert!(check(f.as_bytes(), f.as_bytes()));
        let pretty =
            serde_json::to_string_pretty(&serde_json::from_str::<Value>(&f).expect("json"))
                .expect("json");
        let assigned = format!("credentials = {pretty}\nnext = 1");
        assert!(check(b"", assigned.as_bytes()));
    }

    #[test]
    fn accepts_an_object_inside_a_string() {
        let f = key_file("service_account", EMAIL, &key_pem());
        let embedded = format!(
            "GOOGLE_CREDENTIALS=\"{}\"",
            f.replace('\\', "\\\\").replace('"', "\\\"")
        );
        assert!(check(b"", embedded.as_bytes()));
    }

    #[test]
    fn rejects_other_types_incomplete_keys_and_other_emails() {
        let pem = key_pem();
        for f in [
            key_file("authorized_user", EMAIL, &pem),
            key_file("service_account", "someone@example.org", &pem),
            key_file(
                "service_account",
                EMAIL,
                "-----BEGIN PRIVATE KEY-----\nMIIE...\n-----END PRIVATE KEY-----\n",
            ),
            key_file("service_account", EMAIL, &pem[..pem.len() / 2]),
        ] {
            assert!(!check(f.as_bytes(), f.as_bytes()), "{f}");
        }
        assert!(!check(b"{\"type\": \"service_account\"", b""));
        assert!(!check(b"no json here", b""));
    }
}
