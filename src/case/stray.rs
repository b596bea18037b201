//! Files in places conform does not read, each a warning naming the file (an error under
//! `validate --strict`): a case file at the top of `cases/` or in a subfolder of an API folder
//! (other than `recordings/`), a `*.yaml` symlink that leads nowhere or loops, a schema file
//! under `schemas/<api>/` that no case uses, directly or through a `$ref`, a `.snap` file
//! under `snapshots/<api>/` that no case's snapshot names, and a recording file under
//! `cases/<api>/recordings/` that no case file of that name has (playback never reads it, so
//! `run` warns of it too).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use super::model::{Api, Stray};
use crate::diag::{Diagnostic, Pos};

/// Finds the stray files of a project. `api_dirs` are the API folders (absolute), `loaded` the
/// APIs whose cases were lowered (their schema and snapshot use is known), and `used_schemas`
/// the canonical paths of every schema file read.
pub fn stray_files(
    root: &Path,
    api_dirs: &[PathBuf],
    loaded: &[Api],
    used_schemas: &BTreeSet<PathBuf>,
) -> Stray {
    let rel = |p: &Path| p.strip_prefix(root).unwrap_or(p).to_path_buf();
    let warn = |p: &Path, message: &str, help: String| {
        Diagnostic::new(rel(p), Pos::UNKNOWN, message)
            .with_help(help)
            .as_warning()
    };
    let mut out = Vec::new();
    let mut unused = Vec::new();
    for path in entries(&root.join("cases")) {
        if is_yaml(&path) && !path.is_dir() {
            out.push(warn(
                &path,
                "file at the top of cases/ is not read",
                "case files go in an API folder: cases/<api>/<endpoint>.yaml".into(),
            ));
        }
    }
    for dir in api_dirs {
        let api = dir.file_name().unwrap_or_default().to_string_lossy();
        for (path, kind) in typed_entries(dir) {
            // The entry's type comes with the listing: only a symlink needs a `stat` (a folder
            // of thousands of case files costs no system call per file here).
            let is_link = kind.is_none_or(|k| k.is_symlink());
            let is_dir = kind.is_some_and(|k| k.is_dir()) || (is_link && path.is_dir());
            if is_dir {
                if path.file_name().is_some_and(|n| n != "recordings") {
                    for file in yaml_files_below(&path) {
                        let help = format!("case files go directly in cases/{api}/");
                        out.push(warn(
                            &file,
                            "file in a subfolder of an API folder is not read",
                            help,
                        ));
                    }
                }
            } else if is_link && is_yaml(&path) {
                if let Some(why) = broken_link(&path) {
                    let help = "point the link at a case file, or remove it".to_string();
                    out.push(warn(&path, &format!("{why}: it is not read"), help));
                }
            }
        }
    }
    for api in loaded {
        out.extend(orphaned_recordings(root, api).iter().map(|(file, help)| {
            warn(
                file,
                "recording file is not used by any case file",
                help.clone(),
            )
        }));
        unused.extend(unused_snapshots(root, api).iter().map(|file| {
            let help = "no case maps to it (renamed or removed): delete it, or rename it \
                        to the case's snapshot name"
                .to_string();
            warn(file, "snapshot file is not used by any case", help)
        }));
        let api = &api.name;
        for file in files_below(&root.join("schemas").join(api)) {
            let is_json = file.extension().is_some_and(|e| e == "json");
            let used = file.canonicalize().is_ok_and(|c| used_schemas.contains(&c));
            if is_json && !used {
                let help = format!(
                    "no case of cases/{api}/ names it in `expect.schema` and no used schema \
                     `$ref`s it: use it or remove it"
                );
                unused.push(warn(&file, "schema file is not used by any case", help));
            }
        }
    }
    Stray {
        not_read: out,
        unused,
    }
}

/// The `.snap` files under `snapshots/<api>/` that no case of `api` names.
fn unused_snapshots(root: &Path, api: &Api) -> Vec<PathBuf> {
    let named: BTreeSet<String> = api
        .files
        .iter()
        .flat_map(|f| &f.cases)
        .filter_map(|c| c.expect.snapshot.as_ref())
        .map(|s| format!("{}.snap", s.name))
        .collect();
    entries(&root.join("snapshots").join(&api.name))
        .into_iter()
        .filter(|p| {
            let name = p.file_name().unwrap_or_default().to_string_lossy();
            name.ends_with(".snap") && !named.contains(name.as_ref())
        })
        .collect()
}

/// The files under `cases/<api>/recordings/` that belong to no case file of `api` (a recording
/// is found by its case file's stem; `_api.yaml` holds the API's match defaults, `_auth.yaml` its token
/// exchanges), each with its
/// help: the case file it was probably meant for, when one is close.
fn orphaned_recordings(root: &Path, api: &Api) -> Vec<(PathBuf, String)> {
    let stems: Vec<&str> = api.files.iter().map(|f| f.stem.as_str()).collect();
    let dir = root.join(&api.dir).join("recordings");
    let mut out = Vec::new();
    for path in entries(&dir) {
        let stem = path.file_stem().unwrap_or_default().to_string_lossy();
        if !is_yaml(&path)
            || path.is_dir()
            || stem == "_api"
            || stem == "_auth"
            || stems.contains(&stem.as_ref())
        {
            continue;
        }
        let api_dir = api.dir.display();
        let fix = match crate::diag::did_you_mean(&stem, stems.iter().copied()) {
            Some(near) => format!(
                "rename it to recordings/{near}.yaml if it is {api_dir}/{near}.yaml's, or delete it"
            ),
            None => "rename it after its case file, or delete it (renamed or removed case file?)"
                .to_string(),
        };
        let help = format!(
            "recordings are read for the case file of the same name, and {api_dir}/{stem}.yaml \
             does not exist: {fix}"
        );
        out.push((path, help));
    }
    out
}

/// Why a `*.yaml` entry that is a symlink cannot be read, if it cannot.
fn broken_link(path: &Path) -> Option<&'static str> {
    let is_link = path
        .symlink_metadata()
        .is_ok_and(|m| m.file_type().is_symlink());
    match std::fs::metadata(path) {
        Ok(_) => None,
        Err(_) if !is_link => None,
        Err(e) if e.raw_os_error() == Some(libc::ELOOP) => Some("symlink loop"),
        Err(_) => Some("dangling symlink"),
    }
}

fn is_yaml(path: &Path) -> bool {
    matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("yaml" | "yml")
    )
}

fn yaml_files_below(dir: &Path) -> Vec<PathBuf> {
    files_below(dir)
        .into_iter()
        .filter(|p| is_yaml(p))
        .collect()
}

/// Every file below `dir`, sorted, not following symlinked folders (no loops).
fn files_below(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for path in entries(dir) {
        let is_real_dir = path.symlink_metadata().is_ok_and(|m| m.is_dir());
        if is_real_dir {
            out.extend(files_below(&path));
        } else {
            out.push(path);
        }
    }
    out
}

/// [`entries`] with each one's type as listed (`None` when the listing did not say).
fn typed_entries(dir: &Path) -> Vec<(PathBuf, Option<std::fs::FileType>)> {
    let mut entries: Vec<(PathBuf, Option<std::fs::FileType>)> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(|e| e.ok().map(|e| (e.path(), e.file_type().ok())))
                .collect()
        })
        .unwrap_or_default();
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    entries
}

fn entries(dir: &Path) -> Vec<PathBuf> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| rd.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    entries.sort();
    entries
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_each_stray_file_and_nothing_else() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let write = |rel: &str| {
            let p = root.join(rel);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, "x: 1\n").unwrap();
        };
        for rel in [
            "cases/top.yaml",
            "cases/README.md",
            "cases/demo/api.yaml",
            "cases/demo/get.yaml",
            "cases/demo/old/get.yaml",
            "cases/demo/recordings/get.yaml",
            "cases/demo/fixtures/a.txt",
        ] {
            write(rel);
        }
        let api = root.join("cases/demo");
        std::os::unix::fs::symlink("nowhere.yaml", api.join("dangling.yaml")).unwrap();
        std::os::unix::fs::symlink("loop.yaml", api.join("loop.yaml")).unwrap();
        // Schemas and snapshots need lowered APIs: tests/errors/validate_stray_files_warn.
        let found: Vec<String> = stray_files(root, &[api], &[], &BTreeSet::new())
            .not_read
            .iter()
            .map(|d| format!("{}: {}", d.file.display(), d.message))
            .collect();
        assert_eq!(
            found,
            [
                "cases/top.yaml: file at the top of cases/ is not read",
                "cases/demo/dangling.yaml: dangling symlink: it is not read",
                "cases/demo/loop.yaml: symlink loop: it is not read",
                "cases/demo/old/get.yaml: file in a subfolder of an API folder is not read",
            ]
        );
    }
}
