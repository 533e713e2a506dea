//! `secret-file-mode`.

use super::tracked_secret_file::classify;
use super::{Lint, LintContext};
use crate::finding::Finding;
use crate::severity::Severity;

declare_lint! {
    /// A secret file in the work tree is readable by group or others.
    ///
    /// ## What it checks
    /// Every file of the work tree — tracked, untracked or ignored — that
    /// `tracked-secret-file` would call a secret store (`.env`, private keys,
    /// keystores, `credentials.json`, `.netrc`, …) and whose permission bits
    /// give the group or others any access: a mode other than `600` or `400`.
    /// Ignored directories are not walked, except secret-bearing ones
    /// (`.secrets/`, `secrets/`, `.ssh/`, `certs/`, `keys/`, `private/`,
    /// `credentials/`, `.aws/`). On systems without Unix permissions the lint
    /// is silent.
    ///
    /// ## Why it matters
    /// A `.env` file created with the default umask is readable by every
    /// account on the machine: other users of a shared host, a compromised
    /// service account, a backup agent. SSH refuses private keys with such
    /// modes for the same reason.
    ///
    /// ## How to fix
    /// `chmod 600 FILE` (or `400`). Create secret files with a restrictive
    /// umask (`umask 077`) so they start that way.
    ///
    /// ## Example
    /// ```text
    /// -rw-r--r--  .env        <- reported (644)
    /// -rw-------  .env        <- fine (600)
    /// ```
    ///
    /// ## Configuration
    /// Disable with `[lint] disable = ["secret-file-mode"]` (on a machine
    /// where file modes mean nothing, such as some container mounts), or
    /// allowlist paths with `[[allowlist.scoped]]`.
    pub struct SecretFileMode;
}

impl Lint for SecretFileMode {
    fn id(&self) -> &'static str {
        "secret-file-mode"
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

    #[cfg(unix)]
    fn check(&self, cx: &LintContext) -> Vec<Finding> {
        use std::os::unix::fs::PermissionsExt;
        let sev = self.severity(cx);
        cx.worktree_files()
            .iter()
            .filter_map(|p| {
                let meta = std::fs::symlink_metadata(cx.root.join(p)).ok()?;
                if !meta.is_file() {
                    return None;
                }
                let mode = meta.permissions().mode() & 0o777;
                if mode & 0o077 == 0 {
                    return None;
                }
                let what = classify(p, || cx.read_text(p))?;
                Some(Finding::lint(
                    self.id(),
                    sev,
                    p,
                    1,
                    p,
                    format!(
                        "{p} is {what} with mode {mode:03o}, readable by {}: chmod 600 {p}",
                        readers(mode)
                    ),
                ))
            })
            .collect()
    }

    #[cfg(not(unix))]
    fn check(&self, _cx: &LintContext) -> Vec<Finding> {
        Vec::new()
    }
}

#[cfg(unix)]
fn readers(mode: u32) -> &'static str {
    match (mode & 0o070 != 0, mode & 0o007 != 0) {
        (true, true) => "group and others",
        (true, false) => "its group",
        _ => "others",
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::super::testutil::*;
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn chmod(t: &Tree, rel: &str, mode: u32) {
        std::fs::set_permissions(
            t.dir.path().join(rel),
            std::fs::Permissions::from_mode(mode),
        )
        .expect("chmod");
    }

    #[test]
    fn reports_open_secret_files_tracked_or_not() {
        let t = Tree::new(&[
            (".gitignore", ".env\nbuild/\n.secrets/\n"),
            (".env", "A=1\n"),
            (".secrets/deploy.key", "k"),
            ("build/out/.env", "A=1\n"),
            ("server.pem", "-----BEGIN CERTIFICATE-----\n"),
            ("src/main.py", "print(1)\n"),
            ("ok/.env", "A=1\n"),
        ]);
        chmod(&t, ".env", 0o644);
        chmod(&t, ".secrets/deploy.key", 0o640);
        chmod(&t, "build/out/.env", 0o644);
        chmod(&t, "server.pem", 0o644);
        chmod(&t, "src/main.py", 0o644);
        chmod(&t, "ok/.env", 0o600);
        let repo = t.git(&[".gitignore", "src/main.py"]);
        let fs = SecretFileMode.check(&t.cx(Some(repo), ""));
        let paths: Vec<&str> = fs.iter().map(|f| f.path.as_str()).collect();
        assert_eq!(paths, vec![".env", ".secrets/deploy.key"]);
        assert!(fs[0].message.contains("mode 644"), "{}", fs[0].message);
        assert!(
            fs[0].message.contains("group and others"),
            "{}",
            fs[0].message
        );
        assert!(fs[1].message.contains("its group"), "{}", fs[1].message);
    }

    #[test]
    fn mode_600_and_400_are_fine() {
        let t = Tree::new(&[(".env", "A=1\n"), ("id_rsa", "k")]);
        chmod(&t, ".env", 0o600);
        chmod(&t, "id_rsa", 0o400);
        assert!(SecretFileMode.check(&t.cx(None, "")).is_empty());
    }
}
