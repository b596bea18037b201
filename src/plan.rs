//! Planning: which cases of the suite run, in which groups. A file is the unit of ordering (its
//! cases run in order, sharing captures); files are independent and run concurrently.

use std::collections::BTreeSet;

use crate::case::template::Expr;
use crate::case::{Body, Case, PathPart, Predicate, Suite};
use crate::diag::did_you_mean;

/// What the user asked to run.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    /// API names; empty means all.
    pub apis: Vec<String>,
    /// Case-insensitive substring of `api/file::case name`.
    pub filter: Option<String>,
    /// A case runs when it has any of these tags; empty means all.
    pub tags: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct Plan {
    pub files: Vec<PlannedFile>,
}

#[derive(Debug, Clone)]
pub struct PlannedFile {
    /// Index into `suite.apis`.
    pub api: usize,
    /// Index into `api.files`.
    pub file: usize,
    /// Indexes into `file.cases`, in file order.
    pub cases: Vec<usize>,
}

impl Plan {
    pub fn case_count(&self) -> usize {
        self.files.iter().map(|f| f.cases.len()).sum()
    }

    /// The APIs with at least one planned case.
    pub fn apis(&self) -> BTreeSet<usize> {
        self.files.iter().map(|f| f.api).collect()
    }
}

/// Selects cases. An earlier case of the same file that captures a variable a selected case uses is
/// selected too, so that `--filter` never breaks a capture chain.
pub fn plan(suite: &Suite, selection: &Selection) -> Result<Plan, String> {
    for name in &selection.apis {
        if suite.api(name).is_none() {
            let names: Vec<&str> = suite.apis.iter().map(|a| a.name.as_str()).collect();
            let hint = did_you_mean(name, names.iter().copied())
                .map(|c| format!("did you mean `{c}`?"))
                .unwrap_or_else(|| format!("APIs: {}", names.join(", ")));
            return Err(format!("unknown API `{name}` ({hint})"));
        }
    }
    let filter = selection.filter.as_ref().map(|f| f.to_lowercase());
    let mut files = Vec::new();
    for (ai, api) in suite.apis.iter().enumerate() {
        if !selection.apis.is_empty() && !selection.apis.contains(&api.name) {
            continue;
        }
        for (fi, file) in api.files.iter().enumerate() {
            let selected: Vec<bool> = file
                .cases
                .iter()
                .map(|c| {
                    let id = format!("{}/{}::{}", api.name, file.stem, c.name).to_lowercase();
                    filter.as_ref().is_none_or(|f| id.contains(f.as_str()))
                        && (selection.tags.is_empty()
                            || c.tags.iter().any(|t| selection.tags.contains(t)))
                })
                .collect();
            let cases = with_dependencies(&file.cases, selected);
            if !cases.is_empty() {
                files.push(PlannedFile {
                    api: ai,
                    file: fi,
                    cases,
                });
            }
        }
    }
    Ok(Plan { files })
}

fn with_dependencies(cases: &[Case], mut selected: Vec<bool>) -> Vec<usize> {
    for i in (0..cases.len()).rev() {
        if !selected[i] {
            continue;
        }
        let uses = variables_used(&cases[i]);
        for (j, earlier) in cases[..i].iter().enumerate() {
            if earlier.captures.iter().any(|c| uses.contains(&c.name)) {
                selected[j] = true;
            }
        }
    }
    (0..cases.len()).filter(|i| selected[*i]).collect()
}

/// Names of the variables a case's request and expectations refer to.
pub fn variables_used(case: &Case) -> BTreeSet<String> {
    let mut exprs: Vec<&Expr> = Vec::new();
    for part in &case.request.path {
        if let PathPart::Param(t) = part {
            exprs.extend(t.exprs());
        }
    }
    for (_, t) in case.request.query.iter().chain(&case.request.headers) {
        exprs.extend(t.exprs());
    }
    match &case.request.body {
        Some(Body::Json(j)) => exprs.extend(j.exprs()),
        Some(Body::Form(fields)) => fields.iter().for_each(|(_, t)| exprs.extend(t.exprs())),
        Some(Body::Raw { text, .. }) => exprs.extend(text.exprs()),
        Some(Body::Multipart(parts)) => parts.iter().for_each(|p| {
            if let crate::case::PartContent::Text(t) = &p.content {
                exprs.extend(t.exprs())
            }
        }),
        Some(Body::File { .. }) => {}
        None => {}
    }
    for a in &case.expect.assertions {
        for p in &a.predicates {
            if let Predicate::Equals(t) | Predicate::Contains(t) = p {
                exprs.extend(t.exprs());
            }
        }
    }
    exprs
        .into_iter()
        .filter_map(|e| match e {
            Expr::Var(n) => Some(n.clone()),
            _ => None,
        })
        .collect()
}
