//! File writing that never leaves a half-written file: write a temporary file beside the target,
//! flush it, then rename it over the target (atomic on the same filesystem).
//!
//! Files are created with the process umask (0644 under the usual 022), like any other tool's
//! output, so that a CI step running as another user can read the reports.
//!
//! Beside it: `boundary` (every path read or written stays inside the project, after symlinks)
//! and `staging` (record's files, written all together at the end).

mod boundary;
mod staging;

pub use boundary::{check_write_inside, resolve_inside, Outside};
pub use staging::Staging;

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
