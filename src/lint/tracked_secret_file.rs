//! `tracked-secret-file`.

use super::files::file_name;
use super::{Lint, LintContext};
use crate::finding::Finding;
use crate::severity::Severity;

declare_lint! {
    /// A file that should never be committed is tracked.
    ///
    /// ## What it checks
    /// Every tracked file (the index) whose name or content marks it as a
    /// secret store: `.env` and `.env.*` files (but not `.env.example`,
    /// `.env.sample`, `.env.template`, `.env.dist` or the encrypted
    /// `.env.vault`); private keys and keystores (`*.pem` holding a private
    /// key, `*.key`, `*.p12`, `*.pfx`, `*.jks`, `*.keystore`, `*.ppk`, `*.p8`,
    /// `id_rsa`, `id_dsa`, `id_ecdsa`, `id_ed25519`); `credentials.json`,
    /// `client_secret*.json` and `.aws/credentials`; `secrets.yaml`,
    /// `secrets.yml`, `secrets.json` and `secrets.toml` unless they are
    /// templates or encrypted (SOPS, Ansible Vault); Terraform state
    /// (`*.tfstate`, `*.tfstate.backup`); `.htpasswd`; `.git-credentials`;
    /// `.netrc`, `.npmrc` and `.pypirc` that hold credentials; and password
    /// databases (`*.kdbx`, `*.kdb`).
    ///
    /// ## Why it matters
    /// These files exist to hold credentials. Once committed, every clone
    /// and fork carries them, and deleting the file later does not remove it
    /// from history. Terraform state holds every secret the infrastructure
    /// was built with, in plaintext.
    ///
    /// ## How to fix
    /// Rotate what the file holds, remove it from the index with
    /// `git rm --cached FILE`, add its pattern to `.gitignore`, and commit an
    /// example file with placeholder values instead (`.env.example`). Keep
    /// Terraform state in a remote backend.
    ///
    /// ## Example
    /// ```text
    /// $ git ls-files
    /// .env            <- reported
    /// .env.example    <- fine
    /// deploy/id_rsa   <- reported
    /// ```
    ///
    /// ## Configuration
    /// Disable with `[lint] disable = ["tracked-secret-file"]`. A fixture that
    /// must stay (a test key) is allowlisted by path
    /// (`[[allowlist.scoped]] rule_ids = ["tracked-secret-file"]`,
    /// `paths = ["tests/fixtures/**"]`) or, in a text file, by a
    /// `keyfence:allow tracked-secret-file` comment on its first line.
    pub struct TrackedSecretFile;
}

impl Lint for TrackedSecretFile {
    fn id(&self) -> &'static str {
        "tracked-secret-file"
    }

    fn summary(&self) -> &'static str {
        Self::SUMMARY
    }

    fn default_severity(&self) -> Severity {
        Severity::High
    }

    fn doc(&self) -> &'static str {
        Self::DOC
    }

    fn check(&self, cx: &LintContext) -> Vec<Finding> {
        if !cx.in_repo() {
            return Vec::new();
        }
        let sev = self.severity(cx);
        cx.files
            .iter()
            .filter_map(|p| {
                let what = classify(p, || cx.read_text(p))?;
                Some(Finding::lint(
                    self.id(),
                    sev,
                    p,
                    1,
                    p,
                    format!("{p} is {what} and is tracked: rotate what it holds, `git rm --cached` it and ignore it"),
                ))
            })
            .collect()
    }
}

/// Suffixes after `.env.` that mark an example file meant to be committed.
pub(crate) const ENV_EXAMPLE_SUFFIXES: &[&str] = &["example", "sample", "template", "dist"];

/// True for `.env.example` and its siblings (and `example.env`).
pub(crate) fn is_env_example(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    match lower.strip_prefix(".env.") {
        Some(rest) => rest.split('.').any(|p| ENV_EXAMPLE_SUFFIXES.contains(&p)),
        None => lower
            .strip_suffix(".env")
            .is_some_and(|stem| ENV_EXAMPLE_SUFFIXES.contains(&stem)),
    }
}

/// What kind of secret store `path` is (as a phrase for messages), or `None`
/// when it is not one. `content` is read only for the names that need it
/// (`*.pem`, `.npmrc`, `.pypirc`, `.netrc`, `secrets.*`).
pub(crate) fn classify(
    path: &str,
    content: impl FnOnce() -> Option<String>,
) -> Option<&'static str> {
    let name = file_name(path);
    let lower = name.to_ascii_lowercase();
    if lower == ".env" {
        return Some("an environment file");
    }
    if let Some(rest) = lower.strip_prefix(".env.") {
        return (!is_env_example(&lower) && rest != "vault").then_some("an environment file");
    }
    if matches!(
        lower.as_str(),
        "id_rsa" | "id_dsa" | "id_ecdsa" | "id_ed25519" | "id_ecdsa_sk" | "id_ed25519_sk"
    ) {
        return Some("an SSH private key");
    }
    if lower == "credentials.json"
        || (lower.starts_with("client_secret") && lower.ends_with(".json"))
    {
        return Some("a cloud credentials file");
    }
    if lower == "credentials" && path.ends_with(".aws/credentials") {
        return Some("an AWS credentials file");
    }
    if lower == ".htpasswd" {
        return Some("a password file");
    }
    if lower == ".git-credentials" {
        return Some("a git credential store");
    }
    if lower.ends_with(".tfstate") || lower.ends_with(".tfstate.backup") {
        return Some("Terraform state");
    }
    let ext = lower.rsplit_once('.').map_or("", |(_, e)| e);
    match ext {
        "key" | "p12" | "pfx" | "jks" | "keystore" | "ppk" | "p8" => {
            return Some("a private key or keystore")
        }
        "kdbx" | "kdb" => return Some("a password database"),
        _ => {}
    }
    // A CI workflow named for what it does (`.github/workflows/secrets.yml`) is no store.
    let ci_definition = [
        ".github/",
        ".gitea/",
        ".forgejo/",
        ".circleci/",
        ".woodpecker/",
    ]
    .iter()
    .any(|d| path.starts_with(d) || path.contains(&format!("/{d}")));
    if !ci_definition
        && matches!(
            lower.as_str(),
            "secrets.yaml" | "secrets.yml" | "secrets.json" | "secrets.toml"
        )
    {
        let text = content().unwrap_or_default();
        let template_or_encrypted = text.contains("{{")
            || text.contains("ENC[")
            || text.contains("$ANSIBLE_VAULT")
            || text.contains("sops:");
        return (!template_or_encrypted).then_some("a secrets file");
    }
    if ext == "pem" {
        return content()
            .is_some_and(|t| t.contains("PRIVATE KEY-----"))
            .then_some("a private key");
    }
    match lower.as_str() {
        ".npmrc" | ".yarnrc.yml" => content()
            .is_some_and(|t| t.lines().any(npmrc_credential))
            .then_some("a package registry config holding credentials"),
        ".pypirc" | ".netrc" | "_netrc" => content()
            .is_some_and(|t| t.lines().any(password_line))
            .then_some("a credentials file"),
        _ => None,
    }
}

/// An `.npmrc` line with a literal auth token or password (not `${VAR}`).
fn npmrc_credential(line: &str) -> bool {
    let line = line.trim();
    if line.starts_with(['#', ';']) {
        return false;
    }
    // `.npmrc` is `key=value`; `.yarnrc.yml` is `key: value`.
    let Some((key, value)) = line.split_once('=').or_else(|| line.split_once(':')) else {
        return false;
    };
    let key = key.trim().to_ascii_lowercase();
    let value = value.trim().trim_matches(['"', '\'']);
    let is_auth = [
        "_authtoken",
        "_auth",
        "_password",
        "npmauthtoken",
        "npmauthident",
    ]
    .iter()
    .any(|k| key.ends_with(k));
    is_auth && !value.is_empty() && !value.starts_with('$')
}

/// A `password = value` (`.pypirc`) or `password value` (`.netrc`) line with a value.
fn password_line(line: &str) -> bool {
    let line = line.trim();
    if line.starts_with('#') {
        return false;
    }
    let mut words = line.split(|c: char| c.is_whitespace() || c == '=' || c == ':');
    let mut prev = "";
    for w in words.by_ref().filter(|w| !w.is_empty()) {
        if prev.eq_ignore_ascii_case("password") && !w.starts_with('$') {
            return true;
        }
        prev = w;
    }
    false
}

#[cfg(test)]
mod tests {
    use super::super::testutil::*;
    use super::*;

    #[test]
    fn names_and_contents() {
        let none = || None;
        for p in [
            ".env",
            "app/.env.production",
            ".env.local",
            "deploy/id_rsa",
            "certs/server.key",
            "keystore.jks",
            "infra/terraform.tfstate",
            "config/credentials.json",
            "home/.aws/credentials",
            ".htpasswd",
            "vault.kdbx",
            "client_secret_123.apps.json",
        ] {
            assert!(classify(p, none).is_some(), "{p}");
        }
        for p in [
            ".env.example",
            ".env.local.sample",
            ".env.vault",
            "example.env",
            "id_rsa.pub",
            "src/keys.rs",
            "credentials.py",
            "README.md",
        ] {
            assert!(classify(p, none).is_none(), "{p}");
        }
        let key = "-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----\n";
        assert!(classify("tls.pem", || Some(key.into())).is_some());
        assert!(classify("ca.pem", || Some("-----BEGIN CERTIFICATE-----".into())).is_none());
        assert!(classify(".npmrc", || Some(
            "//registry.npmjs.org/:_authToken=npm_abcdef\n".into()
        ))
        .is_some());
        assert!(classify(".npmrc", || Some(
            "//registry.npmjs.org/:_authToken=${NPM_TOKEN}\n".into()
        ))
        .is_none());
        assert!(classify(".pypirc", || Some(
            "[pypi]\nusername = me\npassword = hunter22\n".into()
        ))
        .is_some());
        assert!(classify(".pypirc", || Some("[pypi]\nusername = __token__\n".into())).is_none());
        assert!(classify("secrets.yaml", || Some("db: s3cr3t\n".into())).is_some());
        assert!(classify(".github/workflows/secrets.yml", || Some(
            "on: push\n".into()
        ))
        .is_none());
        assert!(classify("chart/templates/secrets.yaml", || Some(
            "pw: {{ .Values.pw }}\n".into()
        ))
        .is_none());
        assert!(classify("secrets.yaml", || Some(
            "pw: ENC[AES256_GCM,data:x]\nsops:\n".into()
        ))
        .is_none());
    }

    #[test]
    fn fires_on_tracked_files_only() {
        let t = Tree::new(&[
            (".env", "DB_PASSWORD=x\n"),
            (".env.example", "DB_PASSWORD=\n"),
            ("deploy/id_ed25519", "key"),
            ("local.key", "untracked"),
            (".gitignore", "local.key\n"),
        ]);
        let repo = t.git(&[".env", ".env.example", "deploy/id_ed25519", ".gitignore"]);
        let cx = t.cx(Some(repo), "");
        let fs = TrackedSecretFile.check(&cx);
        assert_eq!(
            brief(&fs),
            vec![
                (
                    "tracked-secret-file".into(),
                    ".env".into(),
                    1,
                    Severity::High
                ),
                (
                    "tracked-secret-file".into(),
                    "deploy/id_ed25519".into(),
                    1,
                    Severity::High
                ),
            ]
        );
        assert!(fs[0].message.contains("git rm --cached"));
        assert!(!fs[0].message.contains("DB_PASSWORD=x"));
    }

    #[test]
    fn silent_outside_a_repository() {
        let t = Tree::new(&[(".env", "A=1\n")]);
        assert!(TrackedSecretFile.check(&t.cx(None, "")).is_empty());
    }
}
