//! The project is the boundary: a path conform reads or writes must resolve, after symlinks,
//! inside the folder it belongs to (docs/security.md).

use std::path::{Path, PathBuf};

/// Why a path is refused: it resolves, after symlinks, outside the folder it must stay in.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{shown}` resolves outside the project (through a symlink?): conform reads and writes only inside it")]
pub struct Outside {
    /// The path relative to the root it had to stay in.
    pub shown: String,
}

/// `path` with its symlinks resolved, when it exists and lies inside `root` (resolved too).
/// `Ok(None)` when it does not exist; `Err` when it escapes.
pub fn resolve_inside(root: &Path, path: &Path) -> Result<Option<PathBuf>, Outside> {
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
