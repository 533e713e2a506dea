//! `keyfence baseline import --from detect-secrets|gitleaks FILE`: the
//! mapping lives in the library (`keyfence::filter::import`); this scans the
//! tree, reads history for gitleaks commit entries, and saves.

use super::{prepare, root_of, save, short, Cx, ImportFormat, ScanTuning};
use anyhow::Context;
use keyfence::filter::audit::{rfc3339_utc, today, Action};
use keyfence::filter::import;
use keyfence::filter::Baseline;
use keyfence::finding::{CommitInfo, Finding};
use keyfence::scan::{scan_paths, Engine};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

pub(super) fn import(
    cx: &Cx,
    from: ImportFormat,
    file: &Path,
    path: Option<PathBuf>,
    t: &ScanTuning,
) -> anyhow::Result<ExitCode> {
    let root = root_of(path)?;
    let baseline_path = cx.baseline_path(&root);
    let mut baseline = Baseline::load_or_new(&baseline_path)?;
    let text = std::fs::read_to_string(file)
        .with_context(|| format!("{}: cannot read", file.display()))?;
    let actor = cx.actor(&root);
    let date = today();
    let (engine, opts) = prepare(&root, t)?;
    let scanned = scan_paths(&engine, &opts)?;
    for e in &scanned.summary.errors {
        eprintln!("keyfence: warning: {e}");
    }
    let mapping = match from {
        ImportFormat::DetectSecrets => {
            import::detect_secrets(file, &text, &scanned.findings, &actor, &date)?
        }
        ImportFormat::Gitleaks => {
            let repo = git2::Repository::open(&root).ok();
            let mut scratch = engine.scratch();
            import::gitleaks(&text, &scanned.findings, &mut |commit, path| {
                in_commit(repo.as_ref(), commit, path, &engine, &mut scratch)
            })
        }
    };
    let (mapped, unmapped) = (mapping.mapped.len(), mapping.unmapped.len());
    let entries: Vec<_> = mapping
        .mapped
        .into_iter()
        .flat_map(|(_, entries)| entries)
        .collect();
    let changes = baseline.absorb(&entries, &actor, &date);
    if !changes.is_empty() {
        save(&baseline, &baseline_path, &actor, Action::Import, &changes)?;
    }
    let total = mapped + unmapped;
    println!(
        "keyfence: imported {mapped} of {total} entr{} from {} into {} ({} baseline entr{} added or updated)",
        if total == 1 { "y" } else { "ies" },
        file.display(),
        baseline_path.display(),
        changes.len(),
        if changes.len() == 1 { "y" } else { "ies" },
    );
    if unmapped > 0 {
        println!("keyfence: could not map {unmapped}:");
        for (f, why) in &mapping.unmapped {
            println!("  {}  {}: {why}", f.at, f.what);
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Scans `file` as it was in `commit`; the findings carry that commit.
fn in_commit(
    repo: Option<&git2::Repository>,
    commit: &str,
    file: &str,
    engine: &Engine,
    scratch: &mut keyfence::scan::EngineScratch,
) -> Result<Vec<Finding>, String> {
    let repo = repo.ok_or("the root is not a git repository")?;
    let c = repo
        .revparse_single(commit)
        .and_then(|o| o.peel_to_commit())
        .map_err(|_| format!("commit {} not found", short(commit)))?;
    let entry = c
        .tree()
        .and_then(|t| t.get_path(Path::new(file)))
        .map_err(|_| format!("{file} is not in commit {}", short(commit)))?;
    let blob = repo
        .find_blob(entry.id())
        .map_err(|_| format!("{file} in commit {} is not a file", short(commit)))?;
    let info = CommitInfo {
        id: c.id().to_string(),
        author_name: c.author().name().unwrap_or_default().to_string(),
        author_email: c.author().email().unwrap_or_default().to_string(),
        date: rfc3339_utc(c.time().seconds()),
        path: file.to_string(),
    };
    let data = keyfence::blob::decode(blob.content());
    let mut matches = Vec::new();
    engine.scan_blob(&data, scratch, &mut matches);
    Ok(matches
        .iter()
        .filter_map(|m| engine.locate(m, file, Some(&info)))
        .collect())
}
