//! `conform report merge`: the report documents of a sharded run's parts become the document of
//! the whole run, as one unsplit run would have written it (apart from times): outcomes in plan
//! order, targets and coverage of every API, totals summed, no shard.
//!
//! Documents of different conform versions or selections are refused; shards missing from the
//! set are named (and make the run "could not check" when nothing failed).

use std::path::{Path, PathBuf};

use super::doc::ReportDoc;
use crate::run::event::SelectionInfo;
use crate::run::Summary;

/// The whole run, and the shards that were not given (`2/4`).
#[derive(Debug)]
pub struct Merged {
    pub doc: ReportDoc,
    pub missing: Vec<String>,
}

/// Reads `DIR/report.json` of each folder.
pub fn read(dirs: &[PathBuf]) -> Result<Vec<(PathBuf, ReportDoc)>, String> {
    dirs.iter()
        .map(|dir| {
            let path = dir.join("report.json");
            let text = std::fs::read_to_string(&path)
                .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            let doc = ReportDoc::from_json(&text)
                .map_err(|e| format!("{}: not a conform report: {e}", path.display()))?;
            Ok((path, doc))
        })
        .collect()
}

/// Merges shard documents; `Err` says why they do not belong together.
pub fn merge(docs: Vec<(PathBuf, ReportDoc)>) -> Result<Merged, String> {
    let Some((first_path, first)) = docs.first() else {
        return Err("nothing to merge: give the folders holding each shard's report.json".into());
    };
    let (first_path, version, selection) = (
        first_path.clone(),
        first.conform_version.clone(),
        without_shard(&first.run.selection),
    );
    let mut total = None;
    let mut seen: Vec<u32> = Vec::new();
    for (path, doc) in &docs {
        if doc.conform_version != version {
            return Err(refusal(
                path,
                &first_path,
                &format!(
                    "conform {} and conform {version} wrote them",
                    doc.conform_version
                ),
            ));
        }
        if without_shard(&doc.run.selection) != selection {
            return Err(refusal(path, &first_path, "they select different cases"));
        }
        let (k, n) = shard_of(path, doc)?;
        if *total.get_or_insert(n) != n {
            return Err(refusal(
                path,
                &first_path,
                "they split the run in different numbers of shards",
            ));
        }
        if seen.contains(&k) {
            return Err(format!("{}: shard {k}/{n} is given twice", display(path)));
        }
        seen.push(k);
    }
    let n = total.unwrap_or(1);
    let missing = (1..=n)
        .filter(|k| !seen.contains(k))
        .map(|k| format!("{k}/{n}"))
        .collect();
    Ok(Merged {
        doc: combine(
            docs.into_iter().map(|(_, d)| d).collect(),
            selection,
            version,
        ),
        missing,
    })
}

fn combine(docs: Vec<ReportDoc>, selection: SelectionInfo, version: String) -> ReportDoc {
    let mut run = docs[0].run.clone();
    run.selection = selection;
    run.planned = 0;
    run.targets.clear();
    run.coverage.clear();
    let mut summary = Summary::default();
    let mut outcomes = Vec::new();
    for doc in docs {
        run.planned += doc.run.planned;
        for t in doc.run.targets {
            if !run.targets.iter().any(|have| have.api == t.api) {
                run.targets.push(t);
            }
        }
        for c in doc.run.coverage {
            if !run.coverage.iter().any(|have| have.api == c.api) {
                run.coverage.push(c);
            }
        }
        // Shards run side by side: the run took as long as the longest.
        summary.duration_ms = summary.duration_ms.max(doc.summary.duration_ms);
        outcomes.extend(doc.outcomes);
    }
    // Plan order: APIs by name, the API's setup (its api.yaml) first, then case files by path
    // (the loader's order), cases in file order (a stable sort keeps it: a file is never split
    // between shards).
    let plan_key = |file: &str| {
        let path = Path::new(file);
        let setup = path.file_name().is_some_and(|n| n == "api.yaml");
        (
            path.parent().map(Path::to_path_buf),
            !setup,
            path.to_path_buf(),
        )
    };
    outcomes.sort_by_key(|o| plan_key(&o.file));
    run.targets.sort_by(|a, b| a.api.cmp(&b.api));
    run.coverage.sort_by(|a, b| a.api.cmp(&b.api));
    let mut doc = ReportDoc::new(run);
    for o in &outcomes {
        summary.add(o);
        doc.apis.entry(o.id.api.clone()).or_default().add(o);
    }
    doc.conform_version = version;
    doc.outcomes = outcomes;
    doc.summary = summary;
    doc
}

fn without_shard(s: &SelectionInfo) -> SelectionInfo {
    SelectionInfo {
        shard: None,
        ..s.clone()
    }
}

/// `K/N` of a document; an unsplit run is `1/1`.
fn shard_of(path: &Path, doc: &ReportDoc) -> Result<(u32, u32), String> {
    let Some(text) = &doc.run.selection.shard else {
        return Ok((1, 1));
    };
    let shard: crate::plan::shard::Shard = text
        .parse()
        .map_err(|e| format!("{}: {e}", display(path)))?;
    Ok((shard.index, shard.total))
}

fn refusal(path: &Path, first: &Path, why: &str) -> String {
    format!(
        "{} and {} are not parts of one run: {why}",
        display(first),
        display(path)
    )
}

fn display(path: &Path) -> String {
    path.display().to_string()
}
