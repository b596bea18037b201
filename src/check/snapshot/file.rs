//! The `.snap` file itself, read and written by insta so that conform, `conform review`,
//! `cargo insta` and this repository's own insta tests never disagree on a byte (no quotes
//! flipping back and forth in the header).
//!
//! insta has no public constructor for a snapshot, but it reads any valid file and its `save`
//! writes its canonical form: conform drafts the file, lets insta read it and write it again
//! (both in the snapshot's own folder), and keeps insta's bytes.

use std::io;
use std::path::Path;

/// The bytes insta writes for a snapshot of `content` whose metadata names `source` (the case
/// file, `/`-separated) and `expression` (the case name). `dir` is the snapshot's folder: the
/// scratch files live there (created if missing) so nothing is written outside the project.
pub fn snap_bytes(
    dir: &Path,
    source: &str,
    expression: &str,
    content: &str,
) -> io::Result<Vec<u8>> {
    let quote = |s: &str| serde_json::to_string(s).unwrap_or_default();
    let draft = format!(
        "---\nsource: {}\nexpression: {}\n---\n{content}\n",
        quote(source),
        quote(expression)
    );
    std::fs::create_dir_all(dir)?;
    let scratch = crate::fsutil::temp_file_in(dir)?;
    std::fs::write(scratch.path(), draft)?;
    canonical(scratch.path(), dir)
}

/// Moves the pending `new` over `target` in insta's form (as `cargo insta accept` does: the
/// pending file's extra metadata, such as `assertion_line`, is dropped), atomically.
pub fn accept(new: &Path, target: &Path) -> io::Result<()> {
    let dir = target.parent().unwrap_or(Path::new("."));
    let bytes = canonical(new, dir)?;
    crate::fsutil::write_atomic(target, &bytes)?;
    std::fs::remove_file(new)
}

/// The text a snapshot file holds (its contents, without the header).
pub fn contents(path: &Path) -> io::Result<String> {
    let snap = insta::Snapshot::from_file(path).map_err(|e| io::Error::other(e.to_string()))?;
    Ok(snap
        .contents()
        .as_text()
        .map(|t| t.to_string())
        .unwrap_or_default())
}

/// What insta writes back for the snapshot file at `path`; its scratch file lives in `dir`.
fn canonical(path: &Path, dir: &Path) -> io::Result<Vec<u8>> {
    let snap = insta::Snapshot::from_file(path).map_err(|e| io::Error::other(e.to_string()))?;
    let out = crate::fsutil::temp_file_in(dir)?;
    snap.save(out.path())
        .map_err(|e| io::Error::other(e.to_string()))?;
    std::fs::read(out.path())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn insta_reads_back_exactly_what_conform_writes() {
        let dir = tempfile::tempdir().unwrap();
        for (source, case) in [
            (
                "cases/kimai/get_customer.yaml",
                "fetches a known customer (id 1)",
            ),
            ("cases/demo/ü.yaml", "Kundenübersicht: \"alle\" # 'x'"),
            ("cases/demo/x.yaml", "yes"),
        ] {
            let content = "{\n  \"body\": \"a: b\",\n  \"status\": 200\n}";
            let bytes = snap_bytes(dir.path(), source, case, content).unwrap();
            let path = dir.path().join("x.snap");
            std::fs::write(&path, &bytes).unwrap();
            // insta's own writer, applied again, changes nothing: no flip-flopping header.
            assert_eq!(canonical(&path, dir.path()).unwrap(), bytes);
            let snap = insta::Snapshot::from_file(&path).unwrap();
            assert_eq!(snap.metadata().source(), Some(source));
            assert_eq!(snap.metadata().expression(), Some(case));
            assert_eq!(contents(&path).unwrap(), content);
        }
        // Only the files written remain: the scratch files are gone.
        let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(left.len(), 1);
    }
}
