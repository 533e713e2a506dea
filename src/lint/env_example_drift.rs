//! `env-example-drift`.

use super::files::file_name;
use super::tracked_secret_file::ENV_EXAMPLE_SUFFIXES;
use super::{Lint, LintContext};
use crate::finding::Finding;
use crate::matcher::{is_placeholder, shannon_entropy};
use crate::severity::Severity;
use std::collections::{BTreeMap, BTreeSet};

declare_lint! {
    /// `.env` and its example file disagree, or the example holds a real value.
    ///
    /// ## What it checks
    /// For every `.env` file in the work tree (tracked or not), that an
    /// example file sits beside it (`.env.example`, or `.env.sample`,
    /// `.env.template`, `.env.dist`), and that both name the same keys: a key
    /// set in `.env` but missing from the example, or documented in the
    /// example but missing from `.env`, is reported at its line. In every
    /// example file, a value that looks real is reported: a secret-named key
    /// (`…PASSWORD`, `…SECRET`, `…TOKEN`, `…KEY`, `…AUTH…`) with a long,
    /// varied value that is not a placeholder, or a URL with an embedded
    /// password.
    ///
    /// ## Why it matters
    /// The example file is how a team shares which settings exist without
    /// sharing their values. When it drifts, newcomers copy real values from
    /// chat instead; and the example file is committed, so a real value
    /// pasted into it is a leaked secret.
    ///
    /// ## How to fix
    /// Keep the example beside `.env` with every key and a placeholder value
    /// (`API_TOKEN=` or `API_TOKEN=<your token>`). If a real value reached
    /// the example file, rotate it and replace it with a placeholder.
    ///
    /// ## Example
    /// ```text
    /// # .env                      # .env.example
    /// DATABASE_URL=postgres://…   DATABASE_URL=postgres://user:password@localhost/app
    /// STRIPE_KEY=…                <- STRIPE_KEY missing from .env.example
    /// ```
    ///
    /// ## Configuration
    /// Disable with `[lint] disable = ["env-example-drift"]`. Values are
    /// never shown in findings, only key names.
    pub struct EnvExampleDrift;
}

impl Lint for EnvExampleDrift {
    fn id(&self) -> &'static str {
        "env-example-drift"
    }

    fn summary(&self) -> &'static str {
        Self::SUMMARY
    }

    fn default_severity(&self) -> Severity {
        Severity::Low
    }

    fn doc(&self) -> &'static str {
        Self::DOC
    }

    fn check(&self, cx: &LintContext) -> Vec<Finding> {
        let sev = self.severity(cx);
        let files = cx.worktree_files();
        let present: BTreeSet<&str> = files.iter().map(String::as_str).collect();
        let mut out = Vec::new();
        for env in files.iter().filter(|p| file_name(p) == ".env") {
            let dir = &env[..env.len() - ".env".len()];
            let example = ENV_EXAMPLE_SUFFIXES
                .iter()
                .map(|s| format!("{dir}.env.{s}"))
                .find(|p| present.contains(p.as_str()));
            let Some(example) = example else {
                out.push(Finding::lint(
                    self.id(),
                    sev,
                    env,
                    1,
                    "missing-example",
                    format!("{env} has no {dir}.env.example beside it: commit one that lists every key with a placeholder value"),
                ));
                continue;
            };
            let (Some(env_text), Some(ex_text)) = (cx.read_text(env), cx.read_text(&example))
            else {
                continue;
            };
            let env_keys = keys(&env_text);
            let ex_keys = keys(&ex_text);
            for (k, line) in &env_keys {
                if !ex_keys.contains_key(k) {
                    out.push(Finding::lint(
                        self.id(),
                        sev,
                        env,
                        *line,
                        &format!("undocumented:{k}"),
                        format!("{k} is set in {env} but missing from {example}: add it with a placeholder value"),
                    ));
                }
            }
            for (k, line) in &ex_keys {
                if !env_keys.contains_key(k) {
                    out.push(Finding::lint(
                        self.id(),
                        sev,
                        &example,
                        *line,
                        &format!("unset:{k}"),
                        format!("{k} is listed in {example} but not set in {env}: set it or drop it from the example"),
                    ));
                }
            }
        }
        for ex in files.iter().filter(|p| is_example(file_name(p))) {
            let Some(text) = cx.read_text(ex) else {
                continue;
            };
            for (k, v, line) in entries(&text) {
                if looks_real(&k, &v) {
                    out.push(Finding::lint(
                        self.id(),
                        sev,
                        ex,
                        line,
                        &format!("value:{k}"),
                        format!("{k} in {ex} holds a real-looking value: rotate it and replace it with a placeholder"),
                    ));
                }
            }
        }
        out
    }
}

fn is_example(name: &str) -> bool {
    name.strip_prefix(".env.")
        .is_some_and(|s| ENV_EXAMPLE_SUFFIXES.contains(&s))
}

/// (key, value, 1-based line) of each assignment in dotenv text.
fn entries(text: &str) -> Vec<(String, String, usize)> {
    let mut out = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim();
        let line = line.strip_prefix("export ").unwrap_or(line).trim_start();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let Some((k, v)) = line.split_once('=') else {
            continue;
        };
        let k = k.trim();
        if k.is_empty()
            || !k
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'.' || b == b'-')
        {
            continue;
        }
        out.push((k.to_string(), value(v), i + 1));
    }
    out
}

/// A dotenv value without its quotes or trailing comment.
fn value(v: &str) -> String {
    let v = v.trim();
    for q in ['"', '\''] {
        if let Some(rest) = v.strip_prefix(q) {
            return rest.split(q).next().unwrap_or("").to_string();
        }
    }
    v.split(" #").next().unwrap_or("").trim().to_string()
}

/// Key → first line.
fn keys(text: &str) -> BTreeMap<String, usize> {
    let mut m = BTreeMap::new();
    for (k, _, line) in entries(text) {
        m.entry(k).or_insert(line);
    }
    m
}

const SECRET_WORDS: &[&str] = &[
    "PASSWORD",
    "PASSWD",
    "PASS",
    "PWD",
    "SECRET",
    "TOKEN",
    "KEY",
    "APIKEY",
    "CREDENTIAL",
    "CREDENTIALS",
    "AUTH",
    "PRIVATE",
    "SALT",
];

const HARMLESS_LAST: &[&str] = &[
    "ID",
    "NAME",
    "URL",
    "URI",
    "HOST",
    "PORT",
    "USER",
    "USERNAME",
    "FILE",
    "PATH",
    "REGION",
    "TTL",
    "EXPIRY",
    "TYPE",
    "ALGORITHM",
    "LENGTH",
    "HEADER",
    "ENABLED",
];

fn secret_named(key: &str) -> bool {
    let upper = key.to_ascii_uppercase();
    let words: Vec<&str> = upper
        .split(['_', '.', '-'])
        .filter(|w| !w.is_empty())
        .collect();
    words.iter().any(|w| SECRET_WORDS.contains(w))
        && !words.last().is_some_and(|w| HARMLESS_LAST.contains(w))
}

/// Default credentials of local services, which example files use on purpose.
const DEFAULT_PASSWORDS: &[&str] = &[
    "password", "pass", "secret", "postgres", "root", "admin", "test", "guest", "mysql", "redis",
    "user", "dev",
];

fn looks_real(key: &str, value: &str) -> bool {
    if value.is_empty() || is_placeholder(value.as_bytes()) {
        return false;
    }
    if let Some(pw) = url_password(value) {
        return !is_placeholder(pw.as_bytes())
            && !DEFAULT_PASSWORDS.contains(&pw.to_ascii_lowercase().as_str())
            && shannon_entropy(pw.as_bytes()) >= 2.5;
    }
    let classes = [
        value.bytes().any(|b| b.is_ascii_lowercase()),
        value.bytes().any(|b| b.is_ascii_uppercase()),
        value.bytes().any(|b| b.is_ascii_digit()),
        value.bytes().any(|b| !b.is_ascii_alphanumeric()),
    ]
    .iter()
    .filter(|c| **c)
    .count();
    secret_named(key)
        && value.len() >= 12
        && !value.contains(' ')
        && classes >= 2
        && shannon_entropy(value.as_bytes()) >= 3.2
}

/// The password of a `scheme://user:password@host` URL.
fn url_password(value: &str) -> Option<&str> {
    let rest = &value[value.find("://")? + 3..];
    let userinfo = &rest[..rest.find('@')?];
    let (_, pw) = userinfo.split_once(':')?;
    (!pw.is_empty()).then_some(pw)
}

#[cfg(test)]
mod tests {
    use super::super::testutil::*;
    use super::*;

    fn check(files: &[(&str, &str)]) -> Vec<Finding> {
        let t = Tree::new(files);
        EnvExampleDrift.check(&t.cx(None, ""))
    }

    #[test]
    fn missing_example_is_reported() {
        let fs = check(&[
            (".env", "A=1\n"),
            ("svc/.env", "A=1\n"),
            ("svc/.env.sample", "A=\n"),
        ]);
        assert_eq!(
            brief(&fs),
            vec![("env-example-drift".into(), ".env".into(), 1, Severity::Low)]
        );
        assert!(fs[0].message.contains(".env.example"));
    }

    #[test]
    fn key_drift_both_ways_at_the_key_line() {
        let fs = check(&[
            (
                ".env",
                "# local\nDB_HOST=localhost\nexport STRIPE_KEY=q8Zr2LmX0pVt7Yw4\n",
            ),
            (".env.example", "DB_HOST=\nLEGACY_FLAG=\n"),
        ]);
        let got: Vec<(String, usize)> = fs.iter().map(|f| (f.path.clone(), f.line)).collect();
        assert_eq!(got, vec![(".env".into(), 3), (".env.example".into(), 2)]);
        assert!(fs[0].message.starts_with("STRIPE_KEY is set in .env"));
        assert!(!fs[0].message.contains("q8Zr2LmX0pVt7Yw4"));
        assert!(fs[1].message.starts_with("LEGACY_FLAG is listed"));
    }

    #[test]
    fn real_looking_values_in_the_example() {
        let secret = format!("{}{}", "q8Zr2LmX", "0pVt7Yw4nB6c");
        let example = format!(
            "API_TOKEN={secret}\nAPI_TOKEN_URL=https://example.org/x9Yy\nDB_PASSWORD=changeme\nJWT_SECRET=\nSESSION_KEY=<random>\n\
             DATABASE_URL=postgres://app:{secret}@db/app\nCACHE_URL=redis://user:password@localhost\nDEBUG=true\nSIGNING_KEY=\"${{SIGNING_KEY}}\"\n"
        );
        let fs = check(&[(".env.example", &example)]);
        let lines: Vec<usize> = fs.iter().map(|f| f.line).collect();
        assert_eq!(lines, vec![1, 6]);
        assert!(fs.iter().all(|f| !f.message.contains(&secret)));
    }

    #[test]
    fn matching_files_are_quiet() {
        assert!(check(&[
            (".env", "A=1\nB=\"two\" # note\n"),
            (".env.example", "A=\nB=\n"),
        ])
        .is_empty());
    }
}
