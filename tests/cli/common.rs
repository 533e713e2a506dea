//! Shared helpers: the binary under test, fake credentials assembled at run
//! time, and a throwaway git repository.
#![allow(dead_code)]

use assert_cmd::Command;
use git2::{Repository, Signature, Time};
use std::path::{Path, PathBuf};
use tempfile::TempDir;

/// The keyfence binary, with an isolated environment (no colour, no user git config).
pub fn keyfence() -> Command {
    let mut c = Command::cargo_bin("keyfence").expect("binary built");
    c.env("NO_COLOR", "1")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env_remove("RUST_LOG");
    c
}

/// Deterministic pseudo-random text from a seed (xorshift), for fake secrets.
pub fn rand_str(seed: u64, len: usize, alphabet: &[u8]) -> String {
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            alphabet[(x % alphabet.len() as u64) as usize] as char
        })
        .collect()
}

pub const BASE62: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
pub const UPPER_DIGITS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
pub const BASE64: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

fn base62(mut n: u64, width: usize) -> String {
    let mut out = Vec::new();
    while n > 0 {
        out.push(BASE62[(n % 62) as usize]);
        n /= 62;
    }
    while out.len() < width {
        out.push(b'0');
    }
    out.reverse();
    String::from_utf8(out).expect("ascii")
}

/// A GitHub token (`ghp_` by default) with a correct CRC32 checksum.
pub fn github_token(seed: u64, prefix: &str) -> String {
    let random = rand_str(seed, 30, BASE62);
    let sum = base62(u64::from(crc32fast::hash(random.as_bytes())), 6);
    format!("{prefix}{random}{sum}")
}

/// An AWS access key id shape.
pub fn aws_key_id(seed: u64) -> String {
    ["AK", "IA", &rand_str(seed, 16, UPPER_DIGITS)].concat()
}

/// An AWS secret access key shape (40 base64 characters).
pub fn aws_secret(seed: u64) -> String {
    rand_str(seed, 40, BASE64)
}

/// A high-entropy password-like value.
pub fn password(seed: u64) -> String {
    format!(
        "{}#{}",
        rand_str(seed, 8, BASE62),
        rand_str(seed + 1, 6, BASE62)
    )
}

/// A temporary directory with files written from (relative path, content) pairs.
pub fn tree(files: &[(&str, &str)]) -> TempDir {
    let dir = TempDir::new().expect("tempdir");
    for (p, c) in files {
        write(dir.path(), p, c);
    }
    dir
}

/// Writes `content` to `root/rel`, creating directories.
pub fn write(root: &Path, rel: &str, content: &str) -> PathBuf {
    let p = root.join(rel);
    if let Some(parent) = p.parent() {
        std::fs::create_dir_all(parent).expect("mkdir");
    }
    std::fs::write(&p, content).expect("write");
    p
}

/// Parses a `--format json` report.
pub fn json(out: &[u8]) -> serde_json::Value {
    serde_json::from_slice(out)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(out)))
}

/// (rule_id, path, line) of every finding in a JSON report.
pub fn findings(report: &serde_json::Value) -> Vec<(String, String, u64)> {
    report["findings"]
        .as_array()
        .expect("findings array")
        .iter()
        .map(|f| {
            (
                f["rule_id"].as_str().expect("rule_id").to_string(),
                f["path"].as_str().expect("path").to_string(),
                f["line"].as_u64().expect("line"),
            )
        })
        .collect()
}

/// A throwaway git repository driven through git2, with fixed identities and
/// explicit commit times (seconds since the epoch).
pub struct TestRepo {
    pub dir: TempDir,
    pub repo: Repository,
}

impl TestRepo {
    pub fn new() -> TestRepo {
        let dir = TempDir::new().expect("tempdir");
        let repo = Repository::init(dir.path()).expect("git init");
        {
            let mut cfg = repo.config().expect("config");
            cfg.set_str("user.name", "Test Author").expect("name");
            cfg.set_str("user.email", "author@example.org")
                .expect("email");
        }
        TestRepo { dir, repo }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Writes a file in the work tree (not staged).
    pub fn write(&self, rel: &str, content: &str) {
        write(self.path(), rel, content);
    }

    /// Stages a path (added, modified or removed).
    pub fn stage(&self, rel: &str) {
        let mut idx = self.repo.index().expect("index");
        if self.path().join(rel).exists() {
            idx.add_path(Path::new(rel)).expect("add");
        } else {
            idx.remove_path(Path::new(rel)).expect("remove");
        }
        idx.write().expect("write index");
    }

    /// Writes and stages a file.
    pub fn add(&self, rel: &str, content: &str) {
        self.write(rel, content);
        self.stage(rel);
    }

    /// Removes a file from the work tree and the index.
    pub fn remove(&self, rel: &str) {
        let _ = std::fs::remove_file(self.path().join(rel));
        self.stage(rel);
    }

    /// Commits the index on HEAD with the given author and time; returns the commit id.
    pub fn commit_as(&self, message: &str, name: &str, email: &str, time: i64) -> git2::Oid {
        let sig = Signature::new(name, email, &Time::new(time, 0)).expect("signature");
        let mut idx = self.repo.index().expect("index");
        let tree_id = idx.write_tree().expect("write tree");
        let tree = self.repo.find_tree(tree_id).expect("tree");
        let parents: Vec<git2::Commit<'_>> = match self.repo.head() {
            Ok(h) => vec![h.peel_to_commit().expect("head commit")],
            Err(_) => Vec::new(),
        };
        let refs: Vec<&git2::Commit<'_>> = parents.iter().collect();
        self.repo
            .commit(Some("HEAD"), &sig, &sig, message, &tree, &refs)
            .expect("commit")
    }

    /// Commits the index as the default author at `time`.
    pub fn commit_at(&self, message: &str, time: i64) -> git2::Oid {
        self.commit_as(message, "Test Author", "author@example.org", time)
    }

    /// Commits the index as the default author at a fixed time.
    pub fn commit(&self, message: &str) -> git2::Oid {
        self.commit_at(message, 1_700_000_000)
    }

    /// Runs the git command line in the repository (isolated from user
    /// config, fixed identity) and returns its output, failed or not.
    pub fn git_output(&self, args: &[&str]) -> std::process::Output {
        std::process::Command::new("git")
            .args(args)
            .current_dir(self.path())
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_AUTHOR_NAME", "Test Author")
            .env("GIT_AUTHOR_EMAIL", "author@example.org")
            .env("GIT_COMMITTER_NAME", "Test Author")
            .env("GIT_COMMITTER_EMAIL", "author@example.org")
            .output()
            .expect("git runs")
    }

    /// Runs the git command line in the repository and returns its stdout; it must succeed.
    pub fn git(&self, args: &[&str]) -> String {
        let out = self.git_output(args);
        assert!(
            out.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }
}
