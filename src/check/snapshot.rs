//! Snapshot checks: the response (status and normalised JSON body) against an insta `.snap` file
//! under `snapshots/<api>/`.
//!
//! Files use insta's documented format so that `cargo insta review` / `accept` work on them:
//! conform reads them with insta and writes pending `.snap.new` files itself (insta has no public
//! write API outside its macros).

use std::path::{Path, PathBuf};

use serde_json::Value;

use super::{CheckKind, CheckResult, ParsedBody};
use crate::case::{Selector, SnapshotExpect, Step};
use crate::http::HttpResponse;
use crate::json::sort_keys;
use crate::redact::Redactor;

/// What to do with a snapshot that is missing or differs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Write `.snap.new` for review; a missing snapshot passes as "new".
    Review,
    /// As insta does when `CI` is set: nothing is written and a missing snapshot fails.
    Ci,
    /// Write `.snap` in place (`--accept`, and record mode).
    Accept,
}

/// Where a snapshot belongs.
pub struct Place<'a> {
    pub root: &'a Path,
    pub api: &'a str,
    pub case_file: &'a Path,
    pub case: &'a str,
    /// Record mode: writes are staged and committed with the recordings at the end.
    pub staging: Option<&'a crate::fsutil::Staging>,
}

/// The placeholder that replaces redacted values.
pub const REDACTED: &str = "[redacted]";

/// Replaces every value `selector` points at with [`REDACTED`].
pub fn apply(selector: &Selector, value: &mut Value) {
    redact(value, &selector.steps);
}

fn redact(value: &mut Value, steps: &[Step]) {
    let Some((first, rest)) = steps.split_first() else {
        *value = Value::String(REDACTED.into());
        return;
    };
    match (first, value) {
        (Step::Deep, v) => {
            redact(v, rest);
            match v {
                Value::Object(map) => map.values_mut().for_each(|c| redact(c, steps)),
                Value::Array(items) => items.iter_mut().for_each(|c| redact(c, steps)),
                _ => {}
            }
        }
        (Step::Key(k), Value::Object(map)) => {
            if let Some(child) = map.get_mut(k) {
                redact(child, rest);
            }
        }
        (Step::AnyKey, Value::Object(map)) => map.values_mut().for_each(|c| redact(c, rest)),
        (Step::Index(i), Value::Array(items)) => {
            if let Some(child) = items.get_mut(*i) {
                redact(child, rest);
            }
        }
        (Step::AnyIndex, Value::Array(items)) => items.iter_mut().for_each(|c| redact(c, rest)),
        _ => {}
    }
}

/// The text stored in the snapshot: status and body, keys sorted, redactions and secrets applied.
pub fn render(
    spec: &SnapshotExpect,
    response: &HttpResponse,
    body: Option<&ParsedBody>,
    redactor: &Redactor,
) -> String {
    let body_value = match body {
        Some(ParsedBody::Json(v)) => {
            let mut v = redactor.json(v);
            for s in &spec.redact {
                apply(s, &mut v);
            }
            sort_keys(v)
        }
        _ if response.body.is_empty() => Value::Null,
        _ => Value::String(redactor.text(&String::from_utf8_lossy(&response.body))),
    };
    let doc = serde_json::json!({ "status": response.status, "body": body_value });
    serde_json::to_string_pretty(&sort_keys(doc)).unwrap_or_default()
}

pub fn snap_path(root: &Path, api: &str, name: &str) -> PathBuf {
    root.join("snapshots")
        .join(api)
        .join(format!("{name}.snap"))
}

/// Compares with the stored snapshot; writes `.snap.new` or `.snap` as `mode` says.
pub fn check(
    spec: &SnapshotExpect,
    place: &Place<'_>,
    response: &HttpResponse,
    body: Option<&ParsedBody>,
    redactor: &Redactor,
    mode: Mode,
) -> CheckResult {
    let content = render(spec, response, body, redactor);
    let path = snap_path(place.root, place.api, &spec.name);
    let display = path
        .strip_prefix(place.root)
        .unwrap_or(&path)
        .display()
        .to_string();
    let new_path = PathBuf::from(format!("{}.new", path.display()));
    for p in [&path, &new_path] {
        if let Err(outside) = crate::fsutil::check_write_inside(place.root, p) {
            return CheckResult::fail(CheckKind::Snapshot, &display, outside.to_string());
        }
    }
    let remove_new = || match place.staging {
        Some(staging) => staging.remove(&new_path),
        None => {
            let _ = std::fs::remove_file(&new_path);
        }
    };
    let stored = if path.exists() {
        match insta::Snapshot::from_file(&path) {
            Ok(s) => s.contents().as_text().map(|t| t.to_string()),
            Err(e) => {
                return CheckResult::fail(
                    CheckKind::Snapshot,
                    &display,
                    format!("cannot read snapshot {display}: {e}"),
                );
            }
        }
    } else {
        None
    };
    let write = |target: &Path| write_snap(target, place, &content);
    match stored {
        Some(old) if old.trim_end() == content.trim_end() => {
            // A stale pending file would confuse `cargo insta review`.
            remove_new();
            CheckResult::pass(CheckKind::Snapshot, &display, "matches")
        }
        _ if mode == Mode::Accept => match write(&path) {
            Ok(()) => {
                remove_new();
                CheckResult::pass(
                    CheckKind::Snapshot,
                    &display,
                    format!("written to {display}"),
                )
            }
            Err(e) => CheckResult::fail(
                CheckKind::Snapshot,
                &display,
                format!("cannot write {display}: {e}"),
            ),
        },
        None => {
            if mode == Mode::Ci {
                return CheckResult::fail(
                    CheckKind::Snapshot,
                    &display,
                    format!("snapshot {display} does not exist (CI is set, so nothing was written; run without CI and review)"),
                );
            }
            match write(&new_path) {
                Ok(()) => CheckResult::pass(
                    CheckKind::Snapshot,
                    &display,
                    format!(
                        "new snapshot written to {display}.new: review with `cargo insta review`"
                    ),
                ),
                Err(e) => CheckResult::fail(
                    CheckKind::Snapshot,
                    &display,
                    format!("cannot write {display}.new: {e}"),
                ),
            }
        }
        Some(old) => {
            let diff = similar::TextDiff::from_lines(old.trim_end(), content.trim_end())
                .unified_diff()
                .context_radius(3)
                .header("snapshot", "response")
                .to_string();
            let written = match mode {
                Mode::Ci => String::new(),
                _ => match write(&new_path) {
                    Ok(()) => format!("; wrote {display}.new (review with `cargo insta review`, or rerun with --accept)"),
                    Err(e) => format!("; cannot write {display}.new: {e}"),
                },
            };
            CheckResult::fail(
                CheckKind::Snapshot,
                &display,
                format!("response differs from {display}{written}"),
            )
            .with_values(old, content)
            .with_diff(diff)
        }
    }
}

/// Writes a snapshot in insta's format, atomically.
fn write_snap(path: &Path, place: &Place<'_>, content: &str) -> std::io::Result<()> {
    let source = place.case_file.display().to_string().replace('\\', "/");
    let header = format!(
        "---\nsource: {}\nexpression: {}\n---\n",
        serde_json::to_string(&source).unwrap_or_default(),
        serde_json::to_string(place.case).unwrap_or_default()
    );
    let bytes = format!("{header}{content}\n").into_bytes();
    match place.staging {
        Some(staging) => {
            staging.write(path, bytes);
            Ok(())
        }
        None => crate::fsutil::write_atomic(path, &bytes),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn selectors_redact_where_they_point() {
        let mut v = json!({"id": 1, "items": [{"createdDate": "a", "n": 1}], "deep": {"x": {"modifiedDate": "b"}}});
        for s in [".id", ".items[].createdDate", ".**.modifiedDate"] {
            apply(&Selector::parse(s).unwrap(), &mut v);
        }
        assert_eq!(
            v,
            json!({"id": "[redacted]", "items": [{"createdDate": "[redacted]", "n": 1}], "deep": {"x": {"modifiedDate": "[redacted]"}}})
        );
    }
}
