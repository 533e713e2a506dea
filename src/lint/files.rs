//! What the lints read from the work tree: the repository's ignore rules as
//! git applies them, a walk of the work tree that includes ignored files, text
//! reading, and the source languages the content lints know.

use crate::blob;
use ignore::gitignore::{Gitignore, GitignoreBuilder};
use ignore::Match;
use std::cell::RefCell;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// The ignore rules of a work tree: every directory's `.gitignore` and the
/// repository's `info/exclude`, with git's precedence (a deeper `.gitignore`
/// overrides a shallower one, `.gitignore` files override `info/exclude`, and
/// nothing inside an ignored directory can be re-included). The user's global
/// excludes file is left out on purpose: it is not part of the repository, so
/// teammates do not share it.
#[derive(Debug)]
pub struct IgnoreRules {
    root: PathBuf,
    exclude: Gitignore,
    dirs: RefCell<HashMap<String, Gitignore>>,
}

impl IgnoreRules {
    /// The rules of the work tree at `root`; `exclude_file` is the repository's
    /// `info/exclude` where there is a repository.
    pub fn new(root: &Path, exclude_file: Option<&Path>) -> IgnoreRules {
        let exclude = match exclude_file {
            Some(f) if f.is_file() => load(root, f),
            _ => Gitignore::empty(),
        };
        IgnoreRules {
            root: root.to_path_buf(),
            exclude,
            dirs: RefCell::new(HashMap::new()),
        }
    }

    /// True when git would ignore `rel` (a '/'-separated path under the root,
    /// which need not exist).
    pub fn is_ignored(&self, rel: &str, is_dir: bool) -> bool {
        let parts: Vec<&str> = rel.split('/').filter(|p| !p.is_empty()).collect();
        for i in 0..parts.len() {
            let this_is_dir = i + 1 < parts.len() || is_dir;
            if self.matched(&parts, i, this_is_dir) {
                return true;
            }
        }
        false
    }

    /// Whether the path made of `parts[..=last]` is ignored by the rules of the
    /// directories above it (deepest first), then `info/exclude`.
    fn matched(&self, parts: &[&str], last: usize, is_dir: bool) -> bool {
        let full = self.root.join(parts[..=last].join("/"));
        for depth in (0..=last).rev() {
            let dir = parts[..depth].join("/");
            let m = self.with_dir(&dir, |gi| match gi.matched(&full, is_dir) {
                Match::Ignore(_) => Some(true),
                Match::Whitelist(_) => Some(false),
                Match::None => None,
            });
            if let Some(ignored) = m {
                return ignored;
            }
        }
        self.exclude.matched(&full, is_dir).is_ignore()
    }

    fn with_dir<T>(&self, dir: &str, f: impl FnOnce(&Gitignore) -> T) -> T {
        let mut dirs = self.dirs.borrow_mut();
        let gi = dirs.entry(dir.to_string()).or_insert_with(|| {
            let d = self.root.join(dir);
            let file = d.join(".gitignore");
            if file.is_file() {
                load(&d, &file)
            } else {
                Gitignore::empty()
            }
        });
        f(gi)
    }
}

/// A gitignore file's rules rooted at `dir`; unreadable lines are skipped.
fn load(dir: &Path, file: &Path) -> Gitignore {
    let mut b = GitignoreBuilder::new(dir);
    let _partial_errors = b.add(file);
    b.build().unwrap_or_else(|_| Gitignore::empty())
}

/// Directory names the work-tree walk enters even when they are ignored: an
/// ignored directory is where secret files usually live.
const SECRET_DIRS: &[&str] = &[
    ".secrets",
    "secrets",
    ".ssh",
    "certs",
    "keys",
    "private",
    "credentials",
    ".aws",
];

/// Every regular file of the work tree as a '/'-separated relative path,
/// sorted: tracked, untracked and ignored files alike. It skips `.git`, nested
/// repositories, symbolic links, names that are not UTF-8, and ignored
/// directories other than the secret-bearing ones in [`SECRET_DIRS`] (so a
/// build directory is not walked, but an ignored `.env` is found).
pub fn walk_worktree(root: &Path, rules: &IgnoreRules) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![String::new()];
    while let Some(dir) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(root.join(&dir)) else {
            continue;
        };
        for entry in rd.flatten() {
            let name = entry.file_name();
            let Some(name) = name.to_str() else {
                continue;
            };
            if name == ".git" {
                continue;
            }
            let rel = if dir.is_empty() {
                name.to_string()
            } else {
                format!("{dir}/{name}")
            };
            let Ok(ft) = entry.file_type() else {
                continue;
            };
            if ft.is_dir() {
                let nested_repo = entry.path().join(".git").exists();
                let skip = rules.is_ignored(&rel, true) && !SECRET_DIRS.contains(&name);
                if !nested_repo && !skip {
                    stack.push(rel);
                }
            } else if ft.is_file() {
                out.push(rel);
            }
        }
    }
    out.sort();
    out
}

/// The text of a work-tree file: `None` when it is missing, not a regular
/// file, larger than `max` bytes, or binary. UTF-16 is decoded; invalid UTF-8
/// is replaced.
pub fn read_text(root: &Path, rel: &str, max: u64) -> Option<String> {
    let path = root.join(rel);
    let meta = std::fs::symlink_metadata(&path).ok()?;
    if !meta.is_file() || meta.len() > max {
        return None;
    }
    let raw = std::fs::read(&path).ok()?;
    if blob::is_binary(&raw) {
        return None;
    }
    Some(String::from_utf8_lossy(&blob::decode(&raw)).into_owned())
}

/// The file name of a '/'-separated path.
pub fn file_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// The languages and file types the content lints read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    /// Python.
    Python,
    /// JavaScript and TypeScript.
    JavaScript,
    /// Go.
    Go,
    /// Java.
    Java,
    /// Kotlin.
    Kotlin,
    /// C#.
    CSharp,
    /// Rust.
    Rust,
    /// Ruby.
    Ruby,
    /// PHP.
    Php,
    /// C and C++ (libcurl options).
    C,
    /// Shell scripts and Makefiles.
    Shell,
    /// YAML (CI workflows, Kubernetes, Ansible, Compose).
    Yaml,
    /// Dockerfiles.
    Docker,
    /// Configuration files (`.conf`, `.ini`, `.cfg`, `.toml`, `.npmrc`, `.env`).
    Config,
}

impl Lang {
    /// The language of a path, by extension or file name.
    pub fn of(path: &str) -> Option<Lang> {
        let name = file_name(path);
        let lower = name.to_ascii_lowercase();
        if lower == "dockerfile"
            || lower.starts_with("dockerfile.")
            || lower.ends_with(".dockerfile")
        {
            return Some(Lang::Docker);
        }
        if matches!(lower.as_str(), "makefile" | "gnumakefile" | "jenkinsfile") {
            return Some(Lang::Shell);
        }
        if matches!(
            lower.as_str(),
            ".npmrc" | ".yarnrc" | ".curlrc" | ".wgetrc" | ".gitconfig" | ".env"
        ) || lower.starts_with(".env.")
        {
            return Some(Lang::Config);
        }
        let ext = lower.rsplit_once('.').map(|(_, e)| e)?;
        Some(match ext {
            "py" | "pyw" => Lang::Python,
            "js" | "jsx" | "mjs" | "cjs" | "ts" | "tsx" | "mts" | "cts" => Lang::JavaScript,
            "go" => Lang::Go,
            "java" | "groovy" | "scala" => Lang::Java,
            "kt" | "kts" => Lang::Kotlin,
            "cs" => Lang::CSharp,
            "rs" => Lang::Rust,
            "rb" | "rake" => Lang::Ruby,
            "php" => Lang::Php,
            "c" | "h" | "cc" | "cpp" | "cxx" | "hpp" => Lang::C,
            "sh" | "bash" | "zsh" | "ksh" | "mk" | "ps1" => Lang::Shell,
            "yml" | "yaml" => Lang::Yaml,
            "conf" | "ini" | "cfg" | "toml" | "properties" | "env" | "tf" => Lang::Config,
            _ => return None,
        })
    }

    /// True for programming languages (where logging calls live).
    pub fn is_code(self) -> bool {
        !matches!(self, Lang::Shell | Lang::Yaml | Lang::Docker | Lang::Config)
    }

    fn hash_comments(self) -> bool {
        matches!(
            self,
            Lang::Python
                | Lang::Ruby
                | Lang::Php
                | Lang::Shell
                | Lang::Yaml
                | Lang::Docker
                | Lang::Config
        )
    }

    fn slash_comments(self) -> bool {
        !matches!(
            self,
            Lang::Python | Lang::Ruby | Lang::Shell | Lang::Yaml | Lang::Docker | Lang::Config
        )
    }

    /// Whether `#` starts a comment only at the start of a word (shell-like).
    fn hash_at_word_start(self) -> bool {
        matches!(self, Lang::Shell | Lang::Yaml | Lang::Docker | Lang::Config)
    }
}

/// The code on a line, without its comment: empty for a comment line
/// (including block-comment continuation lines starting with `*`), else the
/// line up to a comment marker that is outside string literals.
pub fn code_part(line: &str, lang: Lang) -> &str {
    let trimmed = line.trim_start();
    if lang.slash_comments()
        && (trimmed.starts_with("//")
            || trimmed.starts_with("/*")
            || trimmed.starts_with("* ")
            || trimmed == "*")
    {
        return "";
    }
    if lang == Lang::Python && (trimmed.starts_with("\"\"\"") || trimmed.starts_with("'''")) {
        return "";
    }
    let b = line.as_bytes();
    let mut quote: Option<u8> = None;
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if let Some(q) = quote {
            if c == b'\\' {
                i += 2;
                continue;
            }
            if c == q {
                quote = None;
            }
        } else {
            match c {
                b'"' | b'`' => quote = Some(c),
                b'\'' if lang != Lang::Rust => quote = Some(c),
                b'#' if lang.hash_comments() => {
                    let word_start = i == 0 || b[i - 1].is_ascii_whitespace();
                    if !lang.hash_at_word_start() || word_start {
                        return &line[..i];
                    }
                }
                b'/' if lang.slash_comments() && b.get(i + 1) == Some(&b'/') => {
                    return &line[..i];
                }
                _ => {}
            }
        }
        i += 1;
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(files: &[(&str, &str)], exclude: Option<&str>) -> (tempfile::TempDir, IgnoreRules) {
        let dir = tempfile::TempDir::new().expect("tempdir");
        for (p, c) in files {
            let path = dir.path().join(p);
            std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
            std::fs::write(path, c).expect("write");
        }
        let ex = exclude.map(|text| {
            let p = dir.path().join("exclude");
            std::fs::write(&p, text).expect("write");
            p
        });
        let r = IgnoreRules::new(dir.path(), ex.as_deref());
        (dir, r)
    }

    #[test]
    fn git_precedence_of_ignore_files() {
        let (_d, r) = rules(
            &[
                (".gitignore", "/.env\n*.pem\nbuild/\n"),
                ("app/.gitignore", "!cert.pem\n.env\n"),
            ],
            Some("secrets.*\n"),
        );
        assert!(r.is_ignored(".env", false));
        assert!(!r.is_ignored("lib/.env", false), "anchored pattern");
        assert!(r.is_ignored("app/.env", false), "nested .gitignore");
        assert!(r.is_ignored("x/server.pem", false));
        assert!(
            !r.is_ignored("app/cert.pem", false),
            "deeper whitelist wins"
        );
        assert!(r.is_ignored("build/keep/cert.pem", false), "ignored parent");
        assert!(r.is_ignored("secrets.yaml", false), "info/exclude");
        assert!(!r.is_ignored("src/main.rs", false));
    }

    #[test]
    fn walk_includes_ignored_files_but_not_ignored_dirs() {
        let (d, r) = rules(
            &[
                (".gitignore", ".env\ntarget/\n.secrets/\n"),
                (".env", "A=1"),
                ("src/a.rs", ""),
                ("target/debug/big.bin", ""),
                (".secrets/token", ""),
                (".git/config", ""),
            ],
            None,
        );
        assert_eq!(
            walk_worktree(d.path(), &r),
            vec![".env", ".gitignore", ".secrets/token", "src/a.rs"]
        );
    }

    #[test]
    fn languages_and_comments() {
        assert_eq!(Lang::of("a/b.py"), Some(Lang::Python));
        assert_eq!(Lang::of("web/x.tsx"), Some(Lang::JavaScript));
        assert_eq!(Lang::of("Dockerfile.prod"), Some(Lang::Docker));
        assert_eq!(Lang::of(".github/workflows/ci.yml"), Some(Lang::Yaml));
        assert_eq!(Lang::of("README.md"), None);
        assert_eq!(
            code_part("x = 1  # print(password)", Lang::Python),
            "x = 1  "
        );
        assert_eq!(code_part("s = '#'; t", Lang::Python), "s = '#'; t");
        assert_eq!(code_part("  // log(token)", Lang::Go), "");
        assert_eq!(code_part(" * log(token)", Lang::Java), "");
        assert_eq!(code_part("f(&'a x) // c", Lang::Rust), "f(&'a x) ");
        assert_eq!(code_part("echo $# # c", Lang::Shell), "echo $# ");
        assert_eq!(code_part("url: http://x", Lang::Yaml), "url: http://x");
    }
}
