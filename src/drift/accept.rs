//! `conform record --from-drift drift.json`: rewrites the recordings whose findings were accepted
//! and no other. A case's recording is rewritten only when every one of its findings that is not
//! noise is accepted: by grade (`--grade additive,value`; never `breaking`) or by fingerprint
//! (`--accept FINGERPRINT`, the only way to accept a breaking finding). The new interaction keeps
//! its request, takes the live response drift saw (scrubbed), and gets `recorded` provenance.

use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};

use super::doc::{CaseDrift, DriftDoc};
use super::finding::Grade;
use crate::case::CaseId;
use crate::mock::recording::{self, Provenance, ProvenanceKind};

pub struct AcceptOptions {
    pub grades: Vec<Grade>,
    pub fingerprints: Vec<String>,
}

#[derive(Debug, Default)]
pub struct Accepted {
    /// Recording files rewritten, relative to the project root.
    pub files: Vec<PathBuf>,
    /// Cases whose interaction was replaced.
    pub cases: Vec<CaseId>,
    /// Cases with drift that stayed as recorded, and why.
    pub held: Vec<(CaseId, String)>,
}

/// Checks the options against the document before anything is written.
pub fn check(doc: &DriftDoc, options: &AcceptOptions) -> Result<(), String> {
    if options.grades.contains(&Grade::Breaking) {
        return Err(
            "--grade breaking is refused: accept a breaking finding by naming it, --accept FINGERPRINT"
                .into(),
        );
    }
    for fp in &options.fingerprints {
        if !doc.findings().any(|f| &f.fingerprint == fp) {
            return Err(format!(
                "--accept {fp}: no finding of this drift document has that fingerprint"
            ));
        }
    }
    Ok(())
}

/// A recording path from the document: relative, inside `cases/`, no `..` (the document may come
/// from anywhere; nothing is written outside the project).
fn safe_path(text: &str) -> Option<PathBuf> {
    let path = PathBuf::from(text);
    let normal = path.components().all(|c| matches!(c, Component::Normal(_)));
    let in_cases = path.starts_with("cases") && path.extension().is_some_and(|e| e == "yaml");
    (normal && in_cases && path.components().count() >= 4).then_some(path)
}

/// Why a case stays as recorded, or `None` when all its drift is accepted.
fn held_because(case: &CaseDrift, options: &AcceptOptions) -> Option<String> {
    let open: Vec<String> = case
        .findings
        .iter()
        .filter(|f| f.grade != Grade::Noise)
        .filter(|f| {
            let by_grade = f.grade != Grade::Breaking && options.grades.contains(&f.grade);
            !(by_grade || options.fingerprints.contains(&f.fingerprint))
        })
        .map(|f| {
            format!(
                "{} {} at {} [{}]",
                f.grade.name(),
                f.code.name(),
                f.pointer,
                f.fingerprint
            )
        })
        .collect();
    (!open.is_empty()).then(|| format!("not accepted: {}", open.join(", ")))
}

pub fn accept(root: &Path, doc: &DriftDoc, options: &AcceptOptions) -> Result<Accepted, String> {
    check(doc, options)?;
    let mut out = Accepted::default();
    let mut by_file: BTreeMap<PathBuf, Vec<&CaseDrift>> = BTreeMap::new();
    for case in &doc.cases {
        if case.findings.iter().all(|f| f.grade == Grade::Noise) {
            continue;
        }
        if let Some(why) = held_because(case, options) {
            out.held.push((case.case.clone(), why));
            continue;
        }
        match (safe_path(&case.recording), &case.live) {
            (Some(path), Some(_)) => by_file.entry(path).or_default().push(case),
            (None, _) => out.held.push((
                case.case.clone(),
                format!("recording path `{}` is not under cases/", case.recording),
            )),
            (_, None) => out.held.push((
                case.case.clone(),
                "the document has no live response".into(),
            )),
        }
    }
    for (path, cases) in by_file {
        let full = root.join(&path);
        let mut file = recording::read(&full, &path)
            .map_err(|d| d.to_string())?
            .ok_or_else(|| format!("{}: the recording is gone", path.display()))?;
        for case in cases {
            let Some(it) = file
                .interactions
                .iter_mut()
                .find(|i| i.case == case.case.case)
            else {
                out.held.push((
                    case.case.clone(),
                    format!("{} has no interaction for it now", path.display()),
                ));
                continue;
            };
            if let Some(live) = &case.live {
                it.response = live.clone();
            }
            it.provenance = Provenance {
                kind: ProvenanceKind::Recorded,
                source: None,
                at: Some(doc.at.clone()),
                host: Some(case.host.clone().unwrap_or_else(|| "unknown".into())),
                conform_version: Some(env!("CARGO_PKG_VERSION").into()),
            };
            out.cases.push(case.case.clone());
        }
        crate::fsutil::write_atomic(&full, recording::to_yaml(&file).as_bytes())
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        out.files.push(path);
    }
    Ok(out)
}
