//! False-positive defences, end to end: each test plants values that are not
//! credentials beside one that is, and checks that `keyfence scan` reports
//! exactly the real one.

use crate::common::*;
use std::path::Path;

/// (rule id, path, line) of every finding when scanning `dir`.
fn scan(dir: &Path) -> Vec<(String, String, u64)> {
    let out = keyfence()
        .arg("scan")
        .arg(dir)
        .args(["--format", "json", "--quiet"])
        .output()
        .expect("keyfence runs");
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "exit {:?}: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    findings(&json(&out.stdout))
}

/// Writes `lines` to `name` after a control line holding a real-shaped
/// GitHub token, and asserts only the control line is reported.
fn only_the_control_is_reported(name: &str, lines: &[String]) {
    let control = format!("GITHUB_TOKEN={}", github_token(77, "ghp_"));
    let content = format!("{control}\n{}\n", lines.join("\n"));
    let dir = tree(&[(name, &content)]);
    let found = scan(dir.path());
    let extra: Vec<_> = found
        .iter()
        .filter(|(_, _, line)| *line != 1)
        .map(|(rule, _, line)| format!("{rule} on line {line}: {}", lines[*line as usize - 2]))
        .collect();
    assert!(extra.is_empty(), "reported:\n{}", extra.join("\n"));
    assert!(
        found
            .iter()
            .any(|(rule, _, line)| rule == "github-pat" && *line == 1),
        "the control token was not found: {found:?}"
    );
}

fn hex(seed: u64, n: usize) -> String {
    rand_str(seed, n, b"0123456789abcdef")
}

fn lines(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

#[test]
fn placeholders_and_template_variables() {
    only_the_control_is_reported(
        "config.yaml",
        &lines(&[
            "api_key: your-api-key-here",
            "password: ${DB_PASSWORD}",
            "token: {{ .Values.apiToken }}",
            "client_secret: __CLIENT_SECRET__",
            "db_password: '@DB_PASSWORD@'",
            "secret_token: \"#{vault.secret_token}\"",
            "deploy_token: ghp_XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX",
            "password: <PASSWORD>",
            "auth_token: \"%(auth_token)s\"",
            "password: changeme",
            "secret: '********************'",
        ]),
    );
}

#[test]
fn environment_lookups() {
    only_the_control_is_reported(
        "settings.txt",
        &lines(&[
            "API_KEY = os.environ[\"API_KEY\"]",
            "db_password = os.getenv(\"DB_PASSWORD\")",
            "const stripeSecret = process.env.STRIPE_SECRET_KEY;",
            "export const apiKey = import.meta.env.VITE_API_KEY;",
            "private static final String TOKEN = System.getenv(\"SERVICE_TOKEN\");",
            "config.secret_token = ENV.fetch(\"SECRET_TOKEN\")",
            "let api_key = std::env::var(\"API_KEY\")?;",
            "secret := os.Getenv(\"CLIENT_SECRET\")",
            "var password = Environment.GetEnvironmentVariable(\"DB_PASSWORD\");",
            "$token = $_ENV['API_TOKEN'];",
            "NPM_TOKEN: ${{ secrets.NPM_TOKEN }}",
            "password: $DB_PASSWORD",
            "set PASSWORD=%DB_PASSWORD%",
        ]),
    );
}

#[test]
fn hashes_named_as_hashes() {
    only_the_control_is_reported(
        "hashes.py",
        &[
            format!("password_hash = \"{}\"", hex(1, 32)),
            format!("token_sha256 = \"{}\"", hex(2, 64)),
            format!("api_key_checksum = \"{}\"", hex(3, 40)),
            format!("secret_digest = \"{}\"", hex(4, 128)),
            format!("token_version = \"{}\"", hex(5, 40)),
            format!("secret_fingerprint = \"{}\"", hex(6, 40)),
        ],
    );
}

#[test]
fn hex_under_a_secret_name_is_still_reported() {
    let dir = tree(&[("a.env", &format!("API_TOKEN={}\n", hex(7, 40)))]);
    let found = scan(dir.path());
    assert!(
        found.iter().any(|(rule, _, _)| rule == "generic-secret"),
        "{found:?}"
    );
}

#[test]
fn uuids() {
    let uuid = |seed| {
        format!(
            "{}-{}-{}-{}-{}",
            hex(seed, 8),
            hex(seed + 1, 4),
            hex(seed + 2, 4),
            hex(seed + 3, 4),
            hex(seed + 4, 12)
        )
    };
    only_the_control_is_reported(
        "ids.properties",
        &[
            format!("session.token.id={}", uuid(10)),
            format!("secret_ref = \"{}\"", uuid(20)),
            format!("api_key_id: {}", uuid(30)),
            format!("credential_id={}", uuid(40).to_uppercase()),
        ],
    );
}

#[test]
fn lock_files_are_not_read_by_the_generic_rules() {
    let token = rand_str(90, 32, BASE62);
    let integrity = rand_str(91, 86, BASE64);
    let lock = format!(
        "{{\n  \"packages\": {{\n    \"node_modules/js-tokens\": {{\n      \"integrity\": \"sha512-{integrity}==\",\n      \"auth_token\": \"{token}\"\n    }}\n  }}\n}}\n"
    );
    let gosum = format!(
        "golang.org/x/oauth2 v0.1.0 h1:{}=\n",
        rand_str(92, 43, BASE64)
    );
    let dir = tree(&[
        ("web/package-lock.json", &lock),
        ("web/yarn.lock", &format!("auth_token \"{token}\"\n")),
        ("go.sum", &gosum),
        ("config.json", &format!("{{\"auth_token\": \"{token}\"}}\n")),
    ]);
    let found = scan(dir.path());
    let paths: Vec<&str> = found.iter().map(|(_, p, _)| p.as_str()).collect();
    assert_eq!(paths, ["config.json"], "{found:?}");
}

#[test]
fn data_uris_and_base64_images() {
    let key = aws_key_id(5);
    let image = |bait: &str| {
        format!(
            "{}/{bait}/{}",
            rand_str(93, 60, BASE64),
            rand_str(94, 200, BASE64)
        )
    };
    only_the_control_is_reported(
        "style.css",
        &[
            format!(
                ".logo {{ background: url(data:image/png;base64,{}); }}",
                image(&key)
            ),
            format!(
                "const tokenIcon = 'data:image/svg+xml;base64,{}';",
                image(&key)
            ),
            format!("<img src=\"data:image/gif;base64,{}\">", image(&key)),
        ],
    );
}

#[test]
fn minified_code_needs_the_name_beside_its_value() {
    let filler: String = (0..80)
        .map(|i| format!("function f{i}(e,t){{return e.g{i}(t)}};"))
        .collect();
    let real = rand_str(95, 32, BASE62);
    let bundle = format!(
        "{filler}var a={{tokenInput:\"TokenInput_root__{}\",passwordField:\"PasswordField_{}\"}};{filler}\n{filler}var b={{apiKey:\"{real}\"}};{filler}\n",
        rand_str(96, 8, BASE62),
        rand_str(97, 12, BASE62)
    );
    let dir = tree(&[("dist/app.min.js", &bundle)]);
    let found = scan(dir.path());
    let lines: Vec<u64> = found.iter().map(|(_, _, l)| *l).collect();
    assert_eq!(lines, [2], "{found:?}");
}

#[test]
fn documented_example_keys() {
    only_the_control_is_reported(
        "docs.md",
        &lines(&[
            "AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE",
            "AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            "stripe.api_key = 'sk_test_4eC39HqLyjWDarjtT1zdp7dc'",
            "loadStripe('pk_test_TYooMQauvdEDq54NiTphI7jx')",
            "curl --user 'api:key-3ax6xnjp29jd6fds4gc373sgvjxteol0' https://api.mailgun.net",
            "GOOGLE_API_KEY=AIzaSyDaGmWKa4JsXZ-HjGw7ISLn_3namBGewQe",
            "Authorization: Bearer eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c",
        ]),
    );
}

#[test]
fn public_keys_and_certificates() {
    let key = aws_key_id(6);
    let body = format!(
        "{}/{key}/{}",
        rand_str(98, 40, BASE64),
        rand_str(99, 300, BASE64)
    );
    let pem_lines: Vec<String> = body
        .as_bytes()
        .chunks(64)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect();
    let mut items = Vec::new();
    for label in ["CERTIFICATE", "PUBLIC KEY", "RSA PUBLIC KEY"] {
        items.push(format!("-----BEGIN {label}-----"));
        items.extend(pem_lines.iter().cloned());
        items.push(format!("-----END {label}-----"));
    }
    items.push(format!("ssh-rsa AAAAB3NzaC1yc2E{body} deploy@ci"));
    items.push(format!("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5{body}"));
    only_the_control_is_reported("keys.pem", &items);
}

#[test]
fn ui_labels_and_i18n_strings() {
    only_the_control_is_reported(
        "messages.json",
        &lines(&[
            "\"password\": \"Password\",",
            "password_label = \"Enter password\"",
            "<label for=\"password\">Password</label>",
            "login.password.prompt=Password:",
            "password=Passwort",
            "\"password\": \"Contrase\u{f1}a\",",
            "\"password\": \"\u{41f}\u{430}\u{440}\u{43e}\u{43b}\u{44c}\",",
            "\"password\": \"\u{30d1}\u{30b9}\u{30ef}\u{30fc}\u{30c9}\",",
            "secret_question: Question_secr\u{e8}te",
            "\"passwordTooShort\": \"Password_must_be_longer\",",
        ]),
    );
}

#[test]
fn low_diversity_values() {
    only_the_control_is_reported(
        "local.env",
        &lines(&[
            "PASSWORD=aaaaaaaaaaaaaaaa",
            "API_KEY=1111111111111111111111111111",
            "TOKEN=abababababababababababab",
            "CLIENT_SECRET=Ab1Ab1Ab1Ab1Ab1Ab1Ab1Ab1",
            "SECRET=0123456789012345678901234567",
            "ACCESS_KEY=ZYXWVUTSRQPONMLKJIHGFEDC",
        ]),
    );
}

#[test]
fn a_broken_checksum_is_reported_by_no_rule() {
    let good = github_token(78, "ghp_");
    let mut bad = good.clone().into_bytes();
    bad[39] = if bad[39] == b'A' { b'B' } else { b'A' };
    let bad = String::from_utf8(bad).expect("ascii");
    only_the_control_is_reported(
        "ci.env",
        &[
            format!("DEPLOY_TOKEN={bad}"),
            format!("deploy_token: \"{bad}\""),
        ],
    );
}

#[test]
fn incomplete_private_keys_are_not_reported() {
    only_the_control_is_reported(
        "notes.md",
        &lines(&[
            "-----BEGIN RSA PRIVATE KEY-----",
            "MIIEowIBAAKCAQEA7vJ2H0lJ0Pq3mX9Zs1Y4W8nB6cR2dF5hK7mN9pQ3sT5vW7yZ",
            "...",
            "-----END RSA PRIVATE KEY-----",
            "-----BEGIN OPENSSH PRIVATE KEY-----",
            "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW",
            "-----END OPENSSH PRIVATE KEY-----",
        ]),
    );
}

#[test]
fn validated_findings_say_so() {
    let dir = tree(&[(
        "a.env",
        &format!("GITHUB_TOKEN={}\n", github_token(79, "ghp_")),
    )]);
    let out = keyfence()
        .arg("scan")
        .arg(dir.path())
        .args(["--format", "json"])
        .output()
        .expect("runs");
    let report = json(&out.stdout);
    assert_eq!(report["findings"][0]["rule_id"], "github-pat");
    assert_eq!(report["findings"][0]["validated"], true);
}

#[test]
fn types_paths_and_constants_in_code() {
    only_the_control_is_reported(
        "bindings.rs",
        &lines(&[
            "pub type TokenStream2 = proc_macro2::TokenStream;",
            "    _token_start: &Self::Checkpoint,",
            "pub const FVE_E_POLICY_PASSWORD_REQUIRED: windows_sys::core::HRESULT = 0x8031002C_u32 as _;",
            "pub const PrivateKeyServerVersionMask: X509CertificateTemplatePrivateKeyFlag = 983040i32;",
            "    pub CredentialKey: MSV1_0_CREDENTIAL_KEY,",
            "    pub Token: D3DKMT_PRESENTHISTORYTOKEN_0,",
            "let token: cpuid::InitToken = cpuid::init();",
            "use crate::token::private::CustomToken;",
        ]),
    );
}
