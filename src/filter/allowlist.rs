//! The `[allowlist]` of `.keyfence.toml`, compiled: path globs, regexes on the
//! secret and on the line, stopwords and commit ids, globally or scoped to rules.

use super::{ContentContext, LocationContext};
use crate::config::{AllowList, AllowlistConfig};
use crate::error::{Error, Result};
use globset::{Glob, GlobSet, GlobSetBuilder};
use regex::bytes::{Regex, RegexBuilder};
use std::path::Path;

#[derive(Debug)]
struct Compiled {
    /// `None` for the global lists.
    rule_ids: Option<Vec<String>>,
    paths: GlobSet,
    regexes: Vec<Regex>,
    lines: Vec<Regex>,
    stopwords: Vec<Vec<u8>>,
    commits: Vec<String>,
}

impl Compiled {
    fn applies(&self, rule_id: &str) -> bool {
        match &self.rule_ids {
            None => true,
            Some(ids) => ids.iter().any(|i| i == rule_id),
        }
    }
}

/// The compiled allowlist.
#[derive(Debug, Default)]
pub struct Allowlist {
    lists: Vec<Compiled>,
}

impl Allowlist {
    /// Compiles the config's lists; a bad glob or regex is an error naming `origin` and the key.
    pub fn new(config: &AllowlistConfig, origin: &Path) -> Result<Allowlist> {
        let mut lists = vec![compile(&config.global(), None, "allowlist", origin)?];
        for (i, s) in config.scoped.iter().enumerate() {
            let key = format!("allowlist.scoped[{i}]");
            lists.push(compile(&s.lists(), Some(s.rule_ids.clone()), &key, origin)?);
        }
        Ok(Allowlist { lists })
    }

    /// True when a content list (secret regex, line regex, stopword) drops the match.
    pub fn drops_content(&self, cx: &ContentContext<'_>) -> bool {
        self.lists
            .iter()
            .filter(|l| l.applies(cx.rule_id))
            .any(|l| {
                l.regexes.iter().any(|r| r.is_match(cx.secret))
                    || l.lines.iter().any(|r| r.is_match(cx.line))
                    || (!l.stopwords.is_empty() && {
                        let lower = cx.secret.to_ascii_lowercase();
                        l.stopwords
                            .iter()
                            .any(|w| memchr::memmem::find(&lower, w).is_some())
                    })
            })
    }

    /// True when a location list (path glob, commit id) drops the match.
    pub fn drops_location(&self, cx: &LocationContext<'_>) -> bool {
        self.lists
            .iter()
            .filter(|l| l.applies(cx.rule_id))
            .any(|l| {
                l.paths.is_match(cx.path)
                    || cx.commit.is_some_and(|c| {
                        l.commits
                            .iter()
                            .any(|p| !p.is_empty() && c.starts_with(p.as_str()))
                    })
            })
    }
}

fn compile(
    list: &AllowList,
    rule_ids: Option<Vec<String>>,
    key: &str,
    origin: &Path,
) -> Result<Compiled> {
    let err = |message: String| Error::Config {
        path: origin.to_path_buf(),
        message,
    };
    let mut globs = GlobSetBuilder::new();
    for (i, g) in list.paths.iter().enumerate() {
        let glob =
            Glob::new(g).map_err(|e| err(format!("{key}.paths[{i}]: bad glob {g:?}: {e}")))?;
        globs.add(glob);
    }
    let paths = globs
        .build()
        .map_err(|e| err(format!("{key}.paths: {e}")))?;
    let regexes = |name: &str, pats: &[String]| -> Result<Vec<Regex>> {
        pats.iter()
            .enumerate()
            .map(|(i, p)| {
                RegexBuilder::new(p)
                    .size_limit(crate::rules::REGEX_SIZE_LIMIT)
                    .build()
                    .map_err(|e| {
                        err(format!(
                            "{key}.{name}[{i}]: bad regex: {}",
                            crate::rules::regex_error_message(&e.to_string())
                        ))
                    })
            })
            .collect()
    };
    Ok(Compiled {
        rule_ids,
        paths,
        regexes: regexes("regexes", &list.regexes)?,
        lines: regexes("lines", &list.lines)?,
        stopwords: list
            .stopwords
            .iter()
            .filter(|w| !w.is_empty())
            .map(|w| w.as_bytes().to_ascii_lowercase())
            .collect(),
        commits: list
            .commits
            .iter()
            .map(|c| c.to_ascii_lowercase())
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{Config, ScopedAllowList};

    fn allowlist(toml: &str) -> Allowlist {
        let c = Config::from_text(Path::new("k.toml"), toml).expect("config");
        Allowlist::new(&c.allowlist, Path::new("k.toml")).expect("compiles")
    }

    fn content<'a>(rule_id: &'a str, secret: &'a [u8], line: &'a [u8]) -> ContentContext<'a> {
        ContentContext {
            rule_id,
            secret,
            line,
            prev_line: b"",
        }
    }

    fn location<'a>(
        rule_id: &'a str,
        path: &'a str,
        commit: Option<&'a str>,
    ) -> LocationContext<'a> {
        LocationContext {
            rule_id,
            generic: false,
            path,
            commit,
        }
    }

    #[test]
    fn each_global_list() {
        let a = allowlist(
            "[allowlist]\npaths = [\"tests/**\"]\nregexes = ['^AKIA0']\nlines = ['fixture']\nstopwords = [\"Sample\"]\ncommits = [\"abc123\"]\n",
        );
        assert!(a.drops_location(&location("r", "tests/x.py", None)));
        assert!(!a.drops_location(&location("r", "src/x.py", None)));
        assert!(a.drops_location(&location("r", "src/x.py", Some("abc123def"))));
        assert!(a.drops_content(&content("r", b"AKIA0XYZ", b"")));
        assert!(a.drops_content(&content("r", b"zzz", b"a fixture line")));
        assert!(a.drops_content(&content("r", b"mysampletoken", b"")));
        assert!(!a.drops_content(&content("r", b"q8Zr2LmX", b"k = q8Zr2LmX")));
    }

    #[test]
    fn scoped_lists_apply_to_their_rules_only() {
        let a = allowlist("[[allowlist.scoped]]\nrule_ids = [\"generic-secret\"]\npaths = [\"docs/**\"]\nstopwords = [\"demo\"]\n");
        assert!(a.drops_location(&location("generic-secret", "docs/a.md", None)));
        assert!(!a.drops_location(&location("github-pat", "docs/a.md", None)));
        assert!(a.drops_content(&content("generic-secret", b"demo123", b"")));
        assert!(!a.drops_content(&content("github-pat", b"demo123", b"")));
    }

    #[test]
    fn bad_regex_names_file_and_key() {
        let c = AllowlistConfig {
            scoped: vec![ScopedAllowList {
                rule_ids: vec!["x".into()],
                regexes: vec!["(".into()],
                ..Default::default()
            }],
            ..Default::default()
        };
        let e = Allowlist::new(&c, Path::new("k.toml")).expect_err("bad regex");
        assert!(
            e.to_string()
                .starts_with("k.toml: allowlist.scoped[0].regexes[0]: bad regex"),
            "{e}"
        );
    }
}
