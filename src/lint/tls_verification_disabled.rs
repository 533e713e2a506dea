//! `tls-verification-disabled`.

use super::files::{code_part, Lang};
use super::{Lint, LintContext};
use crate::finding::Finding;
use crate::severity::Severity;
use aho_corasick::{AhoCorasick, MatchKind};
use rayon::prelude::*;
use regex::Regex;
use std::sync::LazyLock;

declare_lint! {
    /// TLS certificate verification is turned off, or TLS below 1.2 is allowed.
    ///
    /// ## What it checks
    /// Tracked source, script, CI and configuration files for the settings
    /// that switch off certificate or hostname verification or allow a
    /// protocol older than TLS 1.2. Among them: `verify=False` and
    /// `ssl._create_unverified_context()` (Python), `rejectUnauthorized: false`
    /// (Node.js), `NODE_TLS_REJECT_UNAUTHORIZED=0` (anywhere),
    /// `InsecureSkipVerify: true` (Go), `NoopHostnameVerifier` and trust
    /// managers with an empty `checkServerTrusted` (Java, Kotlin),
    /// `danger_accept_invalid_certs(true)` (Rust), `VERIFY_NONE` (Ruby),
    /// `CURLOPT_SSL_VERIFYPEER` set to false (PHP, C, pycurl), a certificate
    /// callback returning `true` (C#), `curl -k`/`--insecure`,
    /// `wget --no-check-certificate`, `git config http.sslVerify false`,
    /// `GIT_SSL_NO_VERIFY`, `strict-ssl=false`, `validate_certs: no`,
    /// `insecure-skip-tls-verify`, and `ssl.PROTOCOL_TLSv1`,
    /// `tls.VersionTLS10`, `ssl_protocols TLSv1` and their kin. Comments are
    /// skipped; files are read only when they contain one of the settings'
    /// names.
    ///
    /// ## Why it matters
    /// Without verification, anyone on the network path — a hostile Wi-Fi,
    /// a compromised proxy, a misrouted DNS answer — can impersonate the
    /// server and read or change everything sent, credentials first. Code
    /// that turns verification off "just for testing" tends to reach
    /// production. TLS 1.0 and 1.1 have known weaknesses and are deprecated.
    ///
    /// ## How to fix
    /// Remove the setting. If a server uses a private CA, trust that CA
    /// explicitly (a CA bundle path, `NODE_EXTRA_CA_CERTS`,
    /// `REQUESTS_CA_BUNDLE`, `--cacert`) rather than trusting everyone. Set
    /// the minimum protocol to TLS 1.2.
    ///
    /// ## Example
    /// ```text
    /// requests.get(url, verify=False)              <- reported
    /// requests.get(url, verify="/etc/ssl/ca.pem")  <- fine
    /// curl -fsSLk https://example.org/install.sh   <- reported
    /// ```
    ///
    /// ## Configuration
    /// Change its level with `[lint] severity = { tls-verification-disabled = "high" }`;
    /// allow a deliberate case with `keyfence:allow tls-verification-disabled`
    /// in a comment on the line or the line above, or scope it away from test
    /// directories with `[[allowlist.scoped]]`.
    pub struct TlsVerificationDisabled;
}

impl Lint for TlsVerificationDisabled {
    fn id(&self) -> &'static str {
        "tls-verification-disabled"
    }

    fn summary(&self) -> &'static str {
        Self::SUMMARY
    }

    fn default_severity(&self) -> Severity {
        Severity::Medium
    }

    fn doc(&self) -> &'static str {
        Self::DOC
    }

    fn check(&self, cx: &LintContext) -> Vec<Finding> {
        let sev = self.severity(cx);
        let (root, max) = (&cx.root, cx.max_file_size);
        let id = self.id();
        cx.files
            .par_iter()
            .filter_map(|p| Lang::of(p).map(|l| (p, l)))
            .flat_map_iter(|(p, lang)| {
                let text = super::files::read_text(root, p, max).unwrap_or_default();
                check_text(&text, lang)
                    .into_iter()
                    .map(|hit| {
                        Finding::lint(
                            id,
                            sev,
                            p,
                            hit.line,
                            &format!("{}\0{}", hit.what, hit.code),
                            format!("`{}` {}: {}", hit.setting, hit.what, hit.fix),
                        )
                    })
                    .collect::<Vec<_>>()
            })
            .collect()
    }
}

/// One setting found.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Hit {
    line: usize,
    setting: &'static str,
    what: &'static str,
    fix: &'static str,
    /// The line's code, whitespace collapsed (hashed into the fingerprint only).
    code: String,
}

const ALL: &[Lang] = &[];
const PY: &[Lang] = &[Lang::Python];
const JS: &[Lang] = &[Lang::JavaScript];
const GO: &[Lang] = &[Lang::Go];
const JVM: &[Lang] = &[Lang::Java, Lang::Kotlin];
const RUST: &[Lang] = &[Lang::Rust];
const RUBY: &[Lang] = &[Lang::Ruby];
const PHP: &[Lang] = &[Lang::Php];
const CS: &[Lang] = &[Lang::CSharp];
const OPS: &[Lang] = &[Lang::Shell, Lang::Yaml, Lang::Docker];
const OPS_CONFIG: &[Lang] = &[Lang::Shell, Lang::Yaml, Lang::Docker, Lang::Config];
const CONFIG: &[Lang] = &[Lang::Config];
const YAML: &[Lang] = &[Lang::Yaml];

const VERIFY_OFF: &str = "turns TLS certificate verification off";
const HOSTNAME_OFF: &str = "turns TLS hostname verification off";
const OLD_TLS: &str = "allows a protocol older than TLS 1.2";
const FIX_VERIFY: &str =
    "remove it, and trust a private CA explicitly (a CA bundle) instead of trusting everyone";
const FIX_TLS: &str = "require TLS 1.2 or later";

/// A setting: how to name it, the files it applies to (empty: all), a literal every match
/// contains (for the prefilter, matched case-insensitively), its pattern,
/// what it does and how to fix it.
struct Check {
    setting: &'static str,
    langs: &'static [Lang],
    literal: &'static str,
    regex: &'static str,
    what: &'static str,
    fix: &'static str,
}

const CHECKS: &[Check] = &[
    // Python.
    Check {
        setting: "verify=False/ssl=False",
        langs: PY,
        literal: "false",
        regex: r"\b(?:verify|verify_ssl|ssl)\s*=\s*False\b",
        what: VERIFY_OFF,
        fix: FIX_VERIFY,
    },
    Check {
        setting: "ssl._create_unverified_context()",
        langs: PY,
        literal: "_create_unverified_context",
        regex: r"\b_create_unverified_context\b",
        what: VERIFY_OFF,
        fix: FIX_VERIFY,
    },
    Check {
        setting: "check_hostname = False",
        langs: PY,
        literal: "check_hostname",
        regex: r"\bcheck_hostname\s*=\s*False\b",
        what: HOSTNAME_OFF,
        fix: FIX_VERIFY,
    },
    Check {
        setting: "CERT_NONE",
        langs: PY,
        literal: "cert_none",
        regex: r"\bCERT_NONE\b",
        what: VERIFY_OFF,
        fix: FIX_VERIFY,
    },
    Check {
        setting: "ssl.PROTOCOL_TLSv1/TLSv1_1/SSLv3",
        langs: PY,
        literal: "protocol_",
        regex: r"\bPROTOCOL_(?:SSLv2|SSLv3|TLSv1|TLSv1_1)\b",
        what: OLD_TLS,
        fix: FIX_TLS,
    },
    Check {
        setting: "TLSVersion.TLSv1/TLSv1_1",
        langs: PY,
        literal: "tlsversion.",
        regex: r"\bTLSVersion\.(?:SSLv3|TLSv1|TLSv1_1)\b",
        what: OLD_TLS,
        fix: FIX_TLS,
    },
    // JavaScript and TypeScript.
    Check {
        setting: "rejectUnauthorized: false",
        langs: JS,
        literal: "rejectunauthorized",
        regex: r#"\brejectUnauthorized['"]?\s*:\s*false\b"#,
        what: VERIFY_OFF,
        fix: FIX_VERIFY,
    },
    Check {
        setting: "strictSSL: false",
        langs: JS,
        literal: "strictssl",
        regex: r"\bstrictSSL\s*:\s*false\b",
        what: VERIFY_OFF,
        fix: FIX_VERIFY,
    },
    Check {
        setting: "secureProtocol: TLSv1/SSLv3 method",
        langs: JS,
        literal: "secureprotocol",
        regex: r#"\bsecureProtocol\s*:\s*['"](?:SSLv2|SSLv3|TLSv1|TLSv1_1)_(?:client_|server_)?method['"]"#,
        what: OLD_TLS,
        fix: FIX_TLS,
    },
    Check {
        setting: "minVersion: TLSv1/TLSv1.1",
        langs: JS,
        literal: "minversion",
        regex: r#"\bminVersion\s*:\s*['"]TLSv1(?:\.1)?['"]"#,
        what: OLD_TLS,
        fix: FIX_TLS,
    },
    // Anywhere: Node's global switch.
    Check {
        // keyfence:allow tls-verification-disabled reason="the setting this check names"
        setting: "NODE_TLS_REJECT_UNAUTHORIZED=0",
        langs: ALL,
        literal: "node_tls_reject_unauthorized",
        regex: r#"\bNODE_TLS_REJECT_UNAUTHORIZED['"]?\s*(?:=|:|\s)\s*['"]?0\b"#,
        what: VERIFY_OFF,
        fix: FIX_VERIFY,
    },
    // Go.
    Check {
        setting: "InsecureSkipVerify: true",
        langs: GO,
        literal: "insecureskipverify",
        regex: r"\bInsecureSkipVerify\s*:\s*true\b",
        what: VERIFY_OFF,
        fix: FIX_VERIFY,
    },
    Check {
        setting: "MinVersion: tls.VersionTLS10/TLS11",
        langs: GO,
        literal: "minversion",
        regex: r"\bMinVersion\s*:\s*tls\.Version(?:SSL30|TLS10|TLS11)\b",
        what: OLD_TLS,
        fix: FIX_TLS,
    },
    // Java and Kotlin.
    Check {
        setting: "NoopHostnameVerifier",
        langs: JVM,
        literal: "hostname",
        regex: r"\b(?:NoopHostnameVerifier|ALLOW_ALL_HOSTNAME_VERIFIER)\b",
        what: HOSTNAME_OFF,
        fix: FIX_VERIFY,
    },
    Check {
        setting: "HostnameVerifier -> true",
        langs: JVM,
        literal: "hostnameverifier",
        regex: r"[Hh]ostnameVerifier\s*[({]\s*\(?\s*\w+\s*(?::\s*\w+\s*)?,\s*\w+\s*(?::\s*\w+\s*)?\)?\s*->\s*true\b",
        what: HOSTNAME_OFF,
        fix: FIX_VERIFY,
    },
    Check {
        setting: "checkServerTrusted() {}",
        langs: JVM,
        literal: "checkservertrusted",
        regex: r"\bcheckServerTrusted\s*\([^)]*\)\s*(?:throws\s+[\w.]+\s*)?(?::\s*Unit\s*)?\{\s*\}",
        what: VERIFY_OFF,
        fix: FIX_VERIFY,
    },
    Check {
        setting: "SSLContext.getInstance(TLSv1/SSL)",
        langs: JVM,
        literal: "sslcontext",
        regex: r#"\bSSLContext\.getInstance\(\s*"(?:SSL|SSLv2|SSLv3|TLSv1|TLSv1\.1)"\s*\)"#,
        what: OLD_TLS,
        fix: FIX_TLS,
    },
    // Rust.
    Check {
        // keyfence:allow tls-verification-disabled reason="the setting this check names"
        setting: "danger_accept_invalid_certs(true)",
        langs: RUST,
        literal: "danger_accept_invalid_",
        regex: r"\bdanger_accept_invalid_(?:certs|hostnames)\s*\(\s*true\s*\)",
        what: VERIFY_OFF,
        fix: FIX_VERIFY,
    },
    Check {
        // keyfence:allow tls-verification-disabled reason="the setting this check names"
        setting: "SslVerifyMode::NONE",
        langs: RUST,
        literal: "sslverifymode::none",
        regex: r"\bSslVerifyMode::NONE\b",
        what: VERIFY_OFF,
        fix: FIX_VERIFY,
    },
    // Ruby.
    Check {
        setting: "VERIFY_NONE",
        langs: RUBY,
        literal: "verify_none",
        regex: r"\bVERIFY_NONE\b",
        what: VERIFY_OFF,
        fix: FIX_VERIFY,
    },
    Check {
        setting: "verify: false",
        langs: RUBY,
        literal: "verify",
        regex: r"\b(?:verify|verify_ssl|ssl_verify)\s*(?::|=>)\s*false\b",
        what: VERIFY_OFF,
        fix: FIX_VERIFY,
    },
    // PHP.
    Check {
        setting: "'verify' => false",
        langs: PHP,
        literal: "verify",
        regex: r#"['"]verify(?:_peer|_peer_name)?['"]\s*=>\s*false\b"#,
        what: VERIFY_OFF,
        fix: FIX_VERIFY,
    },
    // libcurl from PHP, C and pycurl.
    Check {
        setting: "CURLOPT_SSL_VERIFY* = false",
        langs: ALL,
        literal: "ssl_verify",
        regex: r"\b(?:CURLOPT_|pycurl\.)SSL_VERIFY(?:PEER|HOST)\s*(?:,|=>)\s*(?:false|FALSE|False|0L?)\b",
        what: VERIFY_OFF,
        fix: FIX_VERIFY,
    },
    // C#.
    Check {
        setting: "ValidationCallback => true",
        langs: CS,
        literal: "validationcallback",
        regex: r"\bServerCertificate(?:Custom)?ValidationCallback\s*(?:=|\+=)\s*(?:\([^)]*\)|\w+)\s*=>\s*true\b",
        what: VERIFY_OFF,
        fix: FIX_VERIFY,
    },
    Check {
        setting: "DangerousAcceptAnyServerCertificateValidator",
        langs: CS,
        literal: "dangerousacceptany",
        regex: r"\bDangerousAcceptAnyServerCertificateValidator\b",
        what: VERIFY_OFF,
        fix: FIX_VERIFY,
    },
    // Shell, CI, Dockerfiles.
    Check {
        setting: "curl -k/--insecure",
        langs: OPS,
        literal: "curl",
        regex: r"(?m)\bcurl\b[^\n|;&]*?\s(?:-[a-zA-Z]*k[a-zA-Z]*|--insecure)(?:\s|$)",
        what: VERIFY_OFF,
        fix: FIX_VERIFY,
    },
    Check {
        setting: "wget --no-check-certificate",
        langs: OPS,
        literal: "no-check-certificate",
        regex: r"\bwget\b[^\n|;&]*?\s--no-check-certificate\b",
        what: VERIFY_OFF,
        fix: FIX_VERIFY,
    },
    Check {
        setting: "--insecure-skip-tls-verify",
        langs: OPS,
        literal: "insecure-skip-tls-verify",
        regex: r"--insecure-skip-tls-verify(?:=true)?\b",
        what: VERIFY_OFF,
        fix: FIX_VERIFY,
    },
    Check {
        setting: "http.sslVerify false",
        langs: OPS_CONFIG,
        literal: "sslverify",
        regex: r"(?i)\b(?:http\.)?sslverify\s*(?:=|\s)\s*(?:false|0|no)\b",
        what: VERIFY_OFF,
        fix: FIX_VERIFY,
    },
    Check {
        setting: "GIT_SSL_NO_VERIFY",
        langs: OPS_CONFIG,
        literal: "git_ssl_no_verify",
        regex: r#"\bGIT_SSL_NO_VERIFY['"]?\s*(?:=|:|\s)\s*['"]?(?:1|true)\b"#,
        what: VERIFY_OFF,
        fix: FIX_VERIFY,
    },
    Check {
        setting: "strict-ssl=false",
        langs: OPS_CONFIG,
        literal: "strict-ssl",
        regex: r"\bstrict-ssl\s*(?:=|\s)\s*false\b",
        what: VERIFY_OFF,
        fix: FIX_VERIFY,
    },
    Check {
        setting: "PYTHONHTTPSVERIFY=0",
        langs: OPS_CONFIG,
        literal: "pythonhttpsverify",
        regex: r#"\bPYTHONHTTPSVERIFY['"]?\s*(?:=|:|\s)\s*['"]?0\b"#,
        what: VERIFY_OFF,
        fix: FIX_VERIFY,
    },
    Check {
        setting: "validate_certs: no",
        langs: YAML,
        literal: "validate_certs",
        regex: r#"\bvalidate_certs\s*:\s*['"]?(?:no|false|False)\b"#,
        what: VERIFY_OFF,
        fix: FIX_VERIFY,
    },
    Check {
        setting: "insecure-skip-verify: true",
        langs: YAML,
        literal: "skip",
        regex: r"(?i)\binsecure[_-]?skip[_-]?(?:tls[_-]?)?verify\s*:\s*true\b",
        what: VERIFY_OFF,
        fix: FIX_VERIFY,
    },
    // Server configuration.
    Check {
        setting: "ssl_protocols TLSv1/TLSv1.1",
        langs: CONFIG,
        literal: "ssl_protocols",
        regex: r"(?m)\bssl_protocols\b[^;\n]*\s(?:SSLv2|SSLv3|TLSv1|TLSv1\.1)(?:\s|;|$)",
        what: OLD_TLS,
        fix: FIX_TLS,
    },
];

struct Compiled {
    prefilter: AhoCorasick,
    /// For each check, the index of its literal in the prefilter.
    literal_of: Vec<usize>,
    regexes: Vec<Regex>,
}

static COMPILED: LazyLock<Compiled> = LazyLock::new(|| {
    let mut literals: Vec<&str> = Vec::new();
    let literal_of = CHECKS
        .iter()
        .map(|c| match literals.iter().position(|l| *l == c.literal) {
            Some(i) => i,
            None => {
                literals.push(c.literal);
                literals.len() - 1
            }
        })
        .collect();
    Compiled {
        prefilter: AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::Standard)
            .build(&literals)
            .expect("literal patterns compile"),
        literal_of,
        regexes: CHECKS
            .iter()
            .map(|c| Regex::new(c.regex).expect("built-in pattern compiles"))
            .collect(),
    }
});

/// Every setting in `text` that turns verification off.
fn check_text(text: &str, lang: Lang) -> Vec<Hit> {
    let c = &*COMPILED;
    let mut present = vec![false; c.prefilter.patterns_len()];
    for m in c.prefilter.find_overlapping_iter(text) {
        present[m.pattern().as_usize()] = true;
    }
    if !present.iter().any(|p| *p) {
        return Vec::new();
    }
    let mut hits: Vec<Hit> = Vec::new();
    for (i, check) in CHECKS.iter().enumerate() {
        if !present[c.literal_of[i]] || !(check.langs.is_empty() || check.langs.contains(&lang)) {
            continue;
        }
        for m in c.regexes[i].find_iter(text) {
            // Patterns may start at a leading space (`curl … -k `); locate the setting itself.
            let start = m.start() + (m.as_str().len() - m.as_str().trim_start().len());
            let line_start = text[..start].rfind('\n').map_or(0, |k| k + 1);
            let line_end = text[start..].find('\n').map_or(text.len(), |k| start + k);
            let code = code_part(&text[line_start..line_end], lang);
            if start - line_start >= code.len() {
                continue;
            }
            let line = 1 + text[..start].bytes().filter(|b| *b == b'\n').count();
            if hits.iter().any(|h| h.line == line && h.what == check.what) {
                continue;
            }
            hits.push(Hit {
                line,
                setting: check.setting,
                what: check.what,
                fix: check.fix,
                code: code.split_whitespace().collect::<Vec<_>>().join(" "),
            });
        }
    }
    hits.sort_by_key(|h| h.line);
    hits
}

#[cfg(test)]
mod tests {
    use super::super::testutil::*;
    use super::*;

    /// Each fixture marks the lines the lint must report with a trailing
    /// `expect` comment; every other line must stay quiet.
    fn check_fixture(name: &str, text: &str) {
        let lang = Lang::of(name).expect("known language");
        let want: Vec<usize> = text
            .lines()
            .enumerate()
            .filter(|(_, l)| l.trim_end().ends_with("expect: tls-verification-disabled"))
            .map(|(i, _)| i + 1)
            .collect();
        assert!(!want.is_empty(), "{name}: no expectations");
        let got: Vec<usize> = check_text(text, lang).iter().map(|h| h.line).collect();
        assert_eq!(got, want, "{name}");
    }

    #[test]
    fn fixtures_per_language() {
        macro_rules! fixture {
            ($name:literal) => {
                (
                    $name,
                    include_str!(concat!(
                        "../../fixtures/lint/tls-verification-disabled/",
                        $name
                    )),
                )
            };
        }
        for (name, text) in [
            fixture!("client.py"),
            fixture!("client.ts"),
            fixture!("client.go"),
            fixture!("Client.java"),
            fixture!("Client.kt"),
            fixture!("client.rs"),
            fixture!("client.rb"),
            fixture!("client.php"),
            fixture!("client.c"),
            fixture!("Client.cs"),
            fixture!("deploy.sh"),
            fixture!("ci.yml"),
            fixture!("Dockerfile"),
            fixture!("nginx.conf"),
        ] {
            check_fixture(name, text);
        }
    }

    #[test]
    fn every_check_compiles_with_a_lowercase_literal() {
        for c in CHECKS {
            assert_eq!(c.literal, c.literal.to_ascii_lowercase(), "{}", c.regex);
        }
        assert_eq!(COMPILED.regexes.len(), CHECKS.len());
    }

    #[test]
    fn reports_tracked_files_with_path_and_line() {
        let t = Tree::new(&[
            (
                "scripts/install.sh",
                "#!/bin/sh\nset -e\ncurl -fsSLk https://get.example.org | sh\n",
            ),
            (
                "app/client.py",
                "import requests\nrequests.get(u, verify=True)\n",
            ),
            ("README.md", "curl -k https://x\n"),
        ]);
        let repo = t.git(&["scripts/install.sh", "app/client.py", "README.md"]);
        let fs = TlsVerificationDisabled.check(&t.cx(Some(repo), ""));
        assert_eq!(
            brief(&fs),
            vec![(
                "tls-verification-disabled".into(),
                "scripts/install.sh".into(),
                3,
                Severity::Medium
            )]
        );
        assert!(
            fs[0]
                .message
                .starts_with("`curl -k/--insecure` turns TLS certificate verification off: "),
            "{}",
            fs[0].message
        );
    }
}
