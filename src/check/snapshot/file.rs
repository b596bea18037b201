//! The `.snap` file itself, read by insta and written with insta's own serialiser, so that
//! conform, `conform review`, `cargo insta` and this repository's own insta tests never disagree
//! on a byte (no quotes flipping back and forth in the header).
//!
//! insta has no public constructor for a snapshot file; it writes one as its metadata in its own
//! YAML (`source`, `description`, `expression`, `input_file`, in that order, absent ones left
//! out), `---`, the contents and a newline. The header is produced by insta's YAML serialiser
//! (`serialize_value`), the layout is insta's `serialize_snapshot`; the tests check the result
//! against `insta::Snapshot::save`. Nothing touches the file system but the final atomic write.

use std::io;
use std::path::Path;

use insta::_macro_support::{serialize_value, SerializationFormat};

/// The metadata insta keeps in a `.snap` file (what `trim_for_persistence` leaves but `info`).
#[derive(serde::Serialize)]
struct MetaData<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    source: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    expression: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    input_file: Option<&'a str>,
}

/// The bytes insta writes for a snapshot of `content` whose metadata names `source` (the case
/// file, `/`-separated) and `expression` (the case name).
pub fn snap_bytes(source: &str, expression: &str, content: &str) -> Vec<u8> {
    let meta = MetaData {
        source: Some(source),
        description: None,
        expression: Some(expression),
        input_file: None,
    };
    layout(&meta, content)
}

fn layout(meta: &MetaData<'_>, content: &str) -> Vec<u8> {
    let header = serialize_value(meta, SerializationFormat::Yaml);
    // insta's own normalisation of a file snapshot's text: trailing line ends trimmed.
    let body = content.trim_end_matches(['\r', '\n']);
    format!("---\n{header}---\n{body}\n").into_bytes()
}

/// Moves the pending `new` over `target` as `cargo insta accept` does (its metadata kept but
/// `assertion_line`), atomically.
pub fn accept(new: &Path, target: &Path) -> io::Result<()> {
    let snap = read(new)?;
    let md = snap.metadata();
    let meta = MetaData {
        source: md.source(),
        description: md.description(),
        expression: md.expression(),
        input_file: md.input_file(),
    };
    let text = text_of(&snap);
    crate::fsutil::write_atomic(target, &layout(&meta, &text))?;
    std::fs::remove_file(new)
}

/// The text a snapshot file holds (its contents, without the header).
pub fn contents(path: &Path) -> io::Result<String> {
    read(path).map(|s| text_of(&s))
}

fn read(path: &Path) -> io::Result<insta::Snapshot> {
    insta::Snapshot::from_file(path).map_err(|e| io::Error::other(e.to_string()))
}

fn text_of(snap: &insta::Snapshot) -> String {
    snap.contents()
        .as_text()
        .map(|t| t.to_string())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conform_writes_what_insta_writes() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.snap");
        let by_insta = dir.path().join("by_insta.snap");
        for (source, case) in [
            (
                "cases/kimai/get_customer.yaml",
                "fetches a known customer (id 1)",
            ),
            ("cases/demo/ü.yaml", "Kundenübersicht: \"alle\" # 'x'"),
            ("cases/demo/x.yaml", "yes"),
            ("cases/demo/x.yaml", "!!!"),
            ("cases/demo/x.yaml", "- a\nb"),
        ] {
            let content = "{\n  \"body\": \"a: b\",\n  \"status\": 200\n}";
            let bytes = snap_bytes(source, case, content);
            std::fs::write(&path, &bytes).unwrap();
            // insta reads it back as written, and its own writer gives the same bytes.
            let snap = insta::Snapshot::from_file(&path).unwrap();
            assert_eq!(snap.metadata().source(), Some(source));
            assert_eq!(snap.metadata().expression(), Some(case));
            assert_eq!(contents(&path).unwrap(), content);
            snap.save(&by_insta).unwrap();
            assert_eq!(std::fs::read(&by_insta).unwrap(), bytes, "{case}");
        }
    }

    #[test]
    fn accepting_keeps_insta_metadata_but_the_assertion_line() {
        let dir = tempfile::tempdir().unwrap();
        let new = dir.path().join("x.snap.new");
        let target = dir.path().join("x.snap");
        std::fs::write(
            &new,
            "---\nsource: tests/conformance.rs\nassertion_line: 110\ndescription: d\n---\nhello\n",
        )
        .unwrap();
        let by_insta = dir.path().join("by_insta.snap");
        insta::Snapshot::from_file(&new)
            .unwrap()
            .save(&by_insta)
            .unwrap();
        accept(&new, &target).unwrap();
        assert_eq!(
            std::fs::read(&target).unwrap(),
            std::fs::read(&by_insta).unwrap()
        );
        assert!(!new.exists());
        assert!(!String::from_utf8(std::fs::read(&target).unwrap())
            .unwrap()
            .contains("assertion_line"));
    }
}
