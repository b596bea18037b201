//! File writing that never leaves a half-written file: write a temporary file beside the target,
//! flush it, then rename it over the target (atomic on the same filesystem).
//!
//! Files are created with the process umask (0644 under the usual 022), like any other tool's
//! output, so that a CI step running as another user can read the reports.

use std::io::{BufWriter, Write};
use std::path::Path;

use tempfile::NamedTempFile;

pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    write_atomic_with(path, |out| out.write_all(bytes))
}

/// Like [`write_atomic`], with the content streamed by `write` through a buffer, so that a big
/// report is never held in memory whole.
pub fn write_atomic_with(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let mut out = BufWriter::new(temp_file_in(dir)?);
    write(&mut out)?;
    let tmp = out.into_inner().map_err(|e| e.into_error())?;
    persist(tmp, path)
}

/// A temporary file in `dir` (hidden, `.conform-*.tmp`), created with the umask's permissions.
pub fn temp_file_in(dir: &Path) -> std::io::Result<NamedTempFile> {
    let mut builder = tempfile::Builder::new();
    builder.prefix(".conform-").suffix(".tmp");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        // The mode is masked by the umask at creation, as for any file the process creates.
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    builder.tempfile_in(dir)
}

/// Flushes `tmp` to disk and renames it over `path`.
pub fn persist(tmp: NamedTempFile, path: &Path) -> std::io::Result<()> {
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// Files to write together, later: record mode stages its snapshots here and commits them with
/// the recordings at the end, so that an interrupted record leaves every file as it was. Kept in
/// memory: a kill before [`Staging::commit`] leaves nothing behind.
#[derive(Debug, Default)]
pub struct Staging {
    /// Target path -> new content, or `None` to remove the file.
    files: std::sync::Mutex<std::collections::BTreeMap<std::path::PathBuf, Option<Vec<u8>>>>,
}

impl Staging {
    pub fn write(&self, path: &Path, bytes: Vec<u8>) {
        self.lock().insert(path.to_path_buf(), Some(bytes));
    }

    pub fn remove(&self, path: &Path) {
        self.lock().insert(path.to_path_buf(), None);
    }

    /// Forgets what was staged for `path` (a case that failed during record keeps its files).
    pub fn discard(&self, path: &Path) {
        self.lock().remove(path);
    }

    pub fn len(&self) -> usize {
        self.lock().len()
    }

    pub fn is_empty(&self) -> bool {
        self.lock().is_empty()
    }

    /// Writes every staged file (each atomically) and removes the staged removals.
    pub fn commit(&self) -> std::io::Result<Vec<std::path::PathBuf>> {
        let files = std::mem::take(&mut *self.lock());
        let mut written = Vec::new();
        for (path, content) in files {
            match content {
                Some(bytes) => {
                    write_atomic(&path, &bytes)?;
                    written.push(path);
                }
                None => match std::fs::remove_file(&path) {
                    Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e),
                    _ => {}
                },
            }
        }
        Ok(written)
    }

    fn lock(
        &self,
    ) -> std::sync::MutexGuard<'_, std::collections::BTreeMap<std::path::PathBuf, Option<Vec<u8>>>>
    {
        self.files.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// Why a path is refused: it resolves, after symlinks, outside the folder it must stay in.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{shown}` resolves outside the project (through a symlink?): conform reads and writes only inside it")]
pub struct Outside {
    /// The path relative to the root it had to stay in.
    pub shown: String,
}

/// `path` with its symlinks resolved, when it exists and lies inside `root` (resolved too).
/// `Ok(None)` when it does not exist; `Err` when it escapes.
pub fn resolve_inside(root: &Path, path: &Path) -> Result<Option<std::path::PathBuf>, Outside> {
    let Ok(real) = path.canonicalize() else {
        return Ok(None);
    };
    let root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    if real.starts_with(&root) {
        Ok(Some(real))
    } else {
        Err(Outside {
            shown: shown(&root, path),
        })
    }
}

/// Checks that writing `path` stays inside `root`: the nearest existing ancestor of the file
/// (after symlinks) must be inside, and an existing file must not be a symlink.
pub fn check_write_inside(root: &Path, path: &Path) -> Result<(), Outside> {
    let root_real = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    let outside = || Outside {
        shown: shown(root, path),
    };
    if path
        .symlink_metadata()
        .is_ok_and(|m| m.file_type().is_symlink())
    {
        return Err(outside());
    }
    let mut dir = path.parent();
    while let Some(d) = dir {
        if let Ok(real) = d.canonicalize() {
            return if real.starts_with(&root_real) {
                Ok(())
            } else {
                Err(outside())
            };
        }
        dir = d.parent();
    }
    Err(outside())
}

fn shown(root: &Path, path: &Path) -> String {
    let root_real = root.canonicalize().ok();
    path.strip_prefix(root)
        .ok()
        .or_else(|| root_real.as_deref().and_then(|r| path.strip_prefix(r).ok()))
        .unwrap_or(path)
        .display()
        .to_string()
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn symlinks_out_of_the_root_are_refused() {
        let outside = tempfile::tempdir().unwrap();
        let root = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("secret"), "x").unwrap();
        std::os::unix::fs::symlink(outside.path(), root.path().join("link")).unwrap();
        std::fs::write(root.path().join("ok"), "x").unwrap();
        assert!(resolve_inside(root.path(), &root.path().join("ok"))
            .unwrap()
            .is_some());
        assert!(resolve_inside(root.path(), &root.path().join("link/secret")).is_err());
        assert_eq!(
            resolve_inside(root.path(), &root.path().join("none")),
            Ok(None)
        );
        assert!(check_write_inside(root.path(), &root.path().join("link/new/file")).is_err());
        assert!(check_write_inside(root.path(), &root.path().join("new/dir/file")).is_ok());
    }
}
