//! The parallel directory walk.

use super::display_path;
use globset::{Glob, GlobSet, GlobSetBuilder};
use ignore::{WalkBuilder, WalkState};
use std::path::{Path, PathBuf};

/// The name of keyfence's own ignore file.
pub const IGNORE_FILE_NAME: &str = ".keyfenceignore";

/// How to walk.
#[derive(Debug, Clone)]
pub struct WalkOptions {
    /// Worker threads (0: one per core).
    pub threads: usize,
    /// Do not read `.gitignore`, `.ignore` or `.keyfenceignore`.
    pub no_ignore: bool,
    /// Path globs (relative to the root) never read.
    pub exclude: Vec<String>,
}

/// One thing the walk met.
#[derive(Debug)]
pub enum WalkItem {
    /// A regular file to read.
    File {
        /// Where it is.
        path: PathBuf,
        /// The path to report.
        display: String,
    },
    /// A symbolic link (not followed).
    Symlink {
        /// The path to report.
        display: String,
    },
    /// A FIFO, socket or device (not read).
    Special {
        /// The path to report.
        display: String,
    },
    /// An entry that could not be listed.
    Error {
        /// `path: problem`.
        message: String,
    },
}

/// Receives what one walker thread meets.
pub trait Visit: Send {
    /// Handles one item.
    fn visit(&mut self, item: WalkItem);
}

/// Builds the exclude glob set; the error names the bad glob.
pub fn exclude_set(globs: &[String]) -> Result<GlobSet, String> {
    let mut b = GlobSetBuilder::new();
    for g in globs {
        b.add(Glob::new(g).map_err(|e| format!("bad exclude glob {g:?}: {e}"))?);
    }
    b.build().map_err(|e| e.to_string())
}

/// Walks `root` in parallel. `prefix` is prepended to reported paths (empty to
/// report paths relative to `root`). `make_visitor` is called once per worker
/// thread; its visitor receives every item that thread meets.
pub fn walk<F, V>(
    root: &Path,
    prefix: &str,
    opts: &WalkOptions,
    excluded: &GlobSet,
    make_visitor: F,
) where
    F: Fn() -> V + Sync,
    V: Visit,
{
    let mut b = WalkBuilder::new(root);
    b.hidden(false)
        .follow_links(false)
        .git_global(false)
        .require_git(false)
        .threads(opts.threads)
        .filter_entry(|e| e.file_name() != ".git");
    if opts.no_ignore {
        b.ignore(false)
            .git_ignore(false)
            .git_exclude(false)
            .parents(false);
    } else {
        b.add_custom_ignore_filename(IGNORE_FILE_NAME);
    }
    let display = |p: &Path| -> String {
        let rel = p.strip_prefix(root).unwrap_or(p);
        let rel = display_path(rel);
        match (prefix.is_empty(), rel.is_empty()) {
            (true, _) => rel,
            (false, true) => prefix.to_string(),
            (false, false) => format!("{}/{rel}", prefix.trim_end_matches('/')),
        }
    };
    b.build_parallel().run(|| {
        let mut visit = make_visitor();
        let display = &display;
        Box::new(move |entry| {
            let entry = match entry {
                Ok(e) => e,
                Err(err) => {
                    visit.visit(WalkItem::Error {
                        message: walk_error_message(&err, root, prefix),
                    });
                    return WalkState::Continue;
                }
            };
            let Some(ft) = entry.file_type() else {
                return WalkState::Continue;
            };
            let rel = entry.path().strip_prefix(root).unwrap_or(entry.path());
            if !excluded.is_empty() && excluded.is_match(rel) {
                return if ft.is_dir() {
                    WalkState::Skip
                } else {
                    WalkState::Continue
                };
            }
            if ft.is_dir() {
                return WalkState::Continue;
            }
            let shown = display(entry.path());
            let item = if ft.is_symlink() {
                WalkItem::Symlink { display: shown }
            } else if ft.is_file() {
                WalkItem::File {
                    path: entry.into_path(),
                    display: shown,
                }
            } else {
                WalkItem::Special { display: shown }
            };
            visit.visit(item);
            WalkState::Continue
        })
    });
}

fn walk_error_message(err: &ignore::Error, root: &Path, prefix: &str) -> String {
    fn find(err: &ignore::Error) -> (Option<&Path>, String) {
        match err {
            ignore::Error::WithPath { path, err } => (Some(path.as_path()), find(err).1),
            ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
                find(err)
            }
            ignore::Error::Io(e) => (None, e.to_string().to_lowercase()),
            other => (None, other.to_string()),
        }
    }
    let (path, msg) = find(err);
    match path {
        Some(p) => {
            let rel = display_path(p.strip_prefix(root).unwrap_or(p));
            let shown = if prefix.is_empty() {
                rel
            } else {
                format!("{prefix}/{rel}")
            };
            format!("{shown}: {msg}")
        }
        None => msg,
    }
}
