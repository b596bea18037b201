//! Snapshot checks: the response (status and body, normalised by `crate::normalize`) against an
//! insta `.snap` file under `snapshots/<api>/`.
//!
//! Files are insta's (`file`: read by insta, written with its serialiser), so the repository's
//! insta tests and `cargo insta` agree with conform byte for byte; `conform review` handles the
//! pending `.snap.new` files (`cargo insta review` needs a Cargo.toml, which a conform project
//! lacks).
//!
//! A difference is graded (`grade`): changes that a schema allows or that only reorder an array
//! nothing depends on the order of (`order`) pass with a note; `snapshot: { strict: true }`
//! compares exactly.

pub mod file;
mod grade;
mod order;

pub use grade::{Change, ChangeKind, Leniency};
pub use order::ordered_arrays;

use std::path::{Path, PathBuf};

use serde_json::Value;

use super::{CheckKind, CheckResult, ParsedBody};
use crate::case::SnapshotExpect;
use crate::http::HttpResponse;
use crate::json::sort_keys;
use crate::normalize::snapshot_body;
pub use crate::normalize::{apply, REDACTED};
use crate::redact::Redactor;

/// What to do with a snapshot that is missing or differs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Write `.snap.new` for review; a missing snapshot passes as "new".
    Review,
    /// As insta does when `CI` is set: nothing is written and a missing snapshot fails.
    Ci,
    /// Write `.snap` in place (`--accept` / `--update-snapshots`).
    Accept,
    /// `conform record`: as `Accept`, into the playback snapshots (those of the recordings).
    Record,
}

/// Where a snapshot belongs.
pub struct Place<'a> {
    pub root: &'a Path,
    pub api: &'a str,
    pub case_file: &'a Path,
    pub case: &'a str,
    /// A live run's own folder under `snapshots/<api>/` (`@sandbox`, see [`target_dir`]): it is
    /// compared when it holds the snapshot, skipped otherwise, written only in `Accept` mode.
    pub target: Option<&'a str>,
    /// Record mode: writes are staged and committed with the recordings at the end.
    pub staging: Option<&'a crate::fsutil::Staging>,
}

/// The folder of a live target's snapshots: `@` and the environment name (or the base URL's
/// `host_port`), every character but letters, digits, `.`, `-` and `_` replaced by `_` so that
/// a hostile name cannot leave `snapshots/<api>/`.
pub fn target_dir(name: &str) -> String {
    let safe: String = name
        .chars()
        .map(|c| match c {
            'a'..='z' | 'A'..='Z' | '0'..='9' | '.' | '-' | '_' => c,
            _ => '_',
        })
        .collect();
    format!("@{safe}")
}

/// The text stored in the snapshot: status and body, keys sorted, redactions and secrets applied.
pub fn render(
    spec: &SnapshotExpect,
    response: &HttpResponse,
    body: Option<&ParsedBody>,
    redactor: &Redactor,
) -> String {
    let json = match body {
        Some(ParsedBody::Json(v)) => Some(v),
        _ => None,
    };
    let body_value = snapshot_body(json, &response.body, redactor, &spec.redact);
    let doc = serde_json::json!({ "status": response.status, "body": body_value });
    serde_json::to_string_pretty(&sort_keys(doc)).unwrap_or_default()
}

pub fn snap_path(root: &Path, api: &str, target: Option<&str>, name: &str) -> PathBuf {
    let dir = root.join("snapshots").join(api);
    match target {
        Some(t) => dir.join(t),
        None => dir,
    }
    .join(format!("{name}.snap"))
}

/// Compares with the stored snapshot; writes `.snap.new` or `.snap` as `mode` says. `leniency`
/// is `None` for an exact comparison.
pub fn check(
    spec: &SnapshotExpect,
    place: &Place<'_>,
    response: &HttpResponse,
    body: Option<&ParsedBody>,
    redactor: &Redactor,
    mode: Mode,
    leniency: Option<&Leniency<'_>>,
) -> CheckResult {
    let content = render(spec, response, body, redactor);
    let path = snap_path(place.root, place.api, place.target, &spec.name);
    let accept = matches!(mode, Mode::Accept | Mode::Record);
    // A live target's snapshots are read-only unless accepted: the checkout is not a scratchpad.
    let read_only = mode == Mode::Ci || (place.target.is_some() && !accept);
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
            // A stale pending file would confuse `conform review`.
            remove_new();
            CheckResult::pass(CheckKind::Snapshot, &display, "matches")
        }
        _ if accept => match write(&path) {
            Ok(()) => {
                remove_new();
                CheckResult::pass(
                    CheckKind::Snapshot,
                    &display,
                    format!("written to {display}"),
                )
                .with_written(&display)
            }
            Err(e) => CheckResult::fail(
                CheckKind::Snapshot,
                &display,
                format!("cannot write {display}: {e}"),
            ),
        },
        None if place.target.is_some() => CheckResult::pass(
            CheckKind::Snapshot,
            &display,
            format!("not compared: this target has no snapshot {display} (--update-snapshots writes it)"),
        ),
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
                    format!("new snapshot written to {display}.new: review with `conform review`"),
                )
                .with_written(format!("{display}.new")),
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
            let (written, pending) = match read_only {
                true => (String::new(), None),
                false => match write(&new_path) {
                    Ok(()) => (
                        format!("; wrote {display}.new (review with `conform review`, or rerun with --accept)"),
                        Some(format!("{display}.new")),
                    ),
                    Err(e) => (format!("; cannot write {display}.new: {e}"), None),
                },
            };
            let changes = leniency
                .and_then(|l| graded_changes(&old, &content, l))
                .unwrap_or_default();
            let harmless = !changes.is_empty() && changes.iter().all(|c| c.kind.is_graded());
            let result = if harmless {
                let list: Vec<String> = changes
                    .iter()
                    .map(|c| format!("{} {}", c.kind.as_str(), c.path))
                    .collect();
                CheckResult::pass(
                    CheckKind::Snapshot,
                    &display,
                    format!(
                        "graded changes only against {display} ({}){written}",
                        list.join(", ")
                    ),
                )
            } else {
                CheckResult::fail(
                    CheckKind::Snapshot,
                    &display,
                    format!("response differs from {display}{written}"),
                )
            };
            let result = result
                .with_values(old, content)
                .with_diff(diff)
                .with_changes(changes);
            match pending {
                Some(p) => result.with_written(p),
                None => result,
            }
        }
    }
}

/// The graded differences of two rendered snapshots; `None` when either is not JSON.
fn graded_changes(old: &str, new: &str, leniency: &Leniency<'_>) -> Option<Vec<Change>> {
    let old: Value = serde_json::from_str(old).ok()?;
    let new: Value = serde_json::from_str(new).ok()?;
    Some(grade::grade(&old, &new, leniency))
}

/// Writes a snapshot as insta writes it (`file`), atomically (or staged, for record).
fn write_snap(path: &Path, place: &Place<'_>, content: &str) -> std::io::Result<()> {
    let source = place.case_file.display().to_string().replace('\\', "/");
    let bytes = file::snap_bytes(&source, place.case, content);
    match place.staging {
        Some(staging) => {
            staging.write(path, bytes);
            Ok(())
        }
        None => crate::fsutil::write_atomic(path, &bytes),
    }
}
