//! Record's all-or-nothing writes: files staged in memory, written together by [`Staging::commit`].

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use super::write_atomic;

/// Files to write together, later: record mode stages its snapshots here and commits them with
/// the recordings at the end, so that an interrupted record leaves every file as it was. Kept in
/// memory: a kill before [`Staging::commit`] leaves nothing behind.
#[derive(Debug, Default)]
pub struct Staging {
    /// Target path -> new content, or `None` to remove the file.
    files: Mutex<BTreeMap<PathBuf, Option<Vec<u8>>>>,
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
    pub fn commit(&self) -> std::io::Result<Vec<PathBuf>> {
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

    fn lock(&self) -> MutexGuard<'_, BTreeMap<PathBuf, Option<Vec<u8>>>> {
        self.files.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nothing_changes_before_commit() {
        let dir = tempfile::tempdir().unwrap();
        let (kept, gone) = (
            dir.path().join("a/new.snap"),
            dir.path().join("old.snap.new"),
        );
        std::fs::write(&gone, "pending").unwrap();
        let staging = Staging::default();
        staging.write(&kept, b"v1".to_vec());
        staging.write(&dir.path().join("dropped"), b"x".to_vec());
        staging.discard(&dir.path().join("dropped"));
        staging.remove(&gone);
        assert!(!kept.exists() && gone.exists(), "written before commit");
        assert_eq!(staging.commit().unwrap(), vec![kept.clone()]);
        assert_eq!(std::fs::read(&kept).unwrap(), b"v1");
        assert!(!gone.exists() && !dir.path().join("dropped").exists());
    }
}
