//! Planning: which cases of the suite run, in which groups. A file is the unit of ordering (its
//! cases run in order, sharing captures); files are independent and run concurrently. `--shard`
//! keeps one part of a plan ([`shard`]).

pub mod shard;

use std::collections::BTreeSet;

use crate::case::template::Expr;
use crate::case::{Api, AssertionPath, Body, Case, CaseFile, CaseId, PathPart, Predicate, Suite};
use crate::diag::did_you_mean;

/// What the user asked to run.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    /// API names; empty means all.
    pub apis: Vec<String>,
    /// What conform prints for a case or a file: a case-insensitive part of `api/file::case`, or
    /// a case file's path (`cases/kimai/get_customer.yaml`, optionally `:LINE` for one case).
    pub filter: Option<String>,
    /// A case runs when it has any of these tags (case-insensitive); empty means all.
    pub tags: Vec<String>,
    /// A case with any of these tags does not run (case-insensitive), even if `tags` names it.
    pub skip_tags: Vec<String>,
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
    /// Plan position (`seq` in events) of the first planned case; the others follow in order.
    pub first_seq: usize,
}

impl Plan {
    pub fn case_count(&self) -> usize {
        self.files.iter().map(|f| f.cases.len()).sum()
    }

    /// The APIs with at least one planned case.
    pub fn apis(&self) -> BTreeSet<usize> {
        self.files.iter().map(|f| f.api).collect()
    }

    /// Every planned case as (seq, api, file, case index), in plan order.
    pub fn cases(&self) -> impl Iterator<Item = (usize, usize, usize, usize)> + '_ {
        self.files.iter().flat_map(|f| {
            f.cases
                .iter()
                .enumerate()
                .map(move |(k, &ci)| (f.first_seq + k, f.api, f.file, ci))
        })
    }
}

/// Selects cases. An earlier case of the same file that captures a variable a selected case uses is
/// selected too, so that `--filter` never breaks a capture chain. A selection that matches no case
/// is an error that names what exists.
pub fn plan(suite: &Suite, selection: &Selection) -> Result<Plan, String> {
    check_apis(suite, &selection.apis)?;
    let filter = selection.filter.as_deref().map(Filter::parse);
    let lower =
        |tags: &[String]| -> Vec<String> { tags.iter().map(|t| t.to_lowercase()).collect() };
    let (tags, skip_tags) = (lower(&selection.tags), lower(&selection.skip_tags));
    let mut files = Vec::new();
    let mut seq = 0;
    for (ai, api) in suite.apis.iter().enumerate() {
        if !selection.apis.is_empty() && !selection.apis.contains(&api.name) {
            continue;
        }
        let api_start = files.len();
        for (fi, file) in api.files.iter().enumerate() {
            if file.setup {
                continue;
            }
            let selected: Vec<bool> = file
                .cases
                .iter()
                .map(|c| {
                    let has = |wanted: &[String]| {
                        c.tags.iter().any(|t| wanted.contains(&t.to_lowercase()))
                    };
                    filter.as_ref().is_none_or(|f| f.matches(api, file, c))
                        && (tags.is_empty() || has(&tags))
                        && !has(&skip_tags)
                })
                .collect();
            let cases = with_dependencies(&file.cases, selected);
            if !cases.is_empty() {
                let n = cases.len();
                files.push(PlannedFile {
                    api: ai,
                    file: fi,
                    cases,
                    first_seq: seq,
                });
                seq += n;
            }
        }
        seq += with_setup(api, ai, &mut files, api_start);
    }
    if files.is_empty() {
        return Err(nothing_selected(suite, selection));
    }
    Ok(Plan { files })
}

/// The API's setup file, whole and first, when any other file of it is planned (`files[start..]`):
/// selection never splits it, since its captures are what the selected cases use. Returns the
/// number of cases added.
fn with_setup(api: &Api, ai: usize, files: &mut Vec<PlannedFile>, start: usize) -> usize {
    let Some(fi) = api.files.iter().position(|f| f.setup) else {
        return 0;
    };
    if files.len() == start {
        return 0;
    }
    let n = api.files[fi].cases.len();
    let first_seq = files[start].first_seq;
    for f in &mut files[start..] {
        f.first_seq += n;
    }
    let setup = PlannedFile {
        api: ai,
        file: fi,
        cases: (0..n).collect(),
        first_seq,
    };
    files.insert(start, setup);
    n
}

fn check_apis(suite: &Suite, apis: &[String]) -> Result<(), String> {
    for name in apis {
        if suite.api(name).is_none() {
            let names: Vec<&str> = suite.apis.iter().map(|a| a.name.as_str()).collect();
            let hint = did_you_mean(name, names.iter().copied())
                .map(|c| format!("did you mean `{c}`?"))
                .unwrap_or_else(|| format!("APIs: {}", names.join(", ")));
            return Err(format!("unknown API `{name}` ({hint})"));
        }
    }
    Ok(())
}

/// `--filter`: a path to a case file (with an optional `:LINE`), or a part of a case id.
enum Filter {
    File { path: String, line: Option<u32> },
    Text(String),
}

impl Filter {
    fn parse(text: &str) -> Filter {
        let trimmed = text.trim().trim_start_matches("./");
        let (path, line) = match trimmed.rsplit_once(':') {
            Some((p, l)) if l.parse::<u32>().is_ok() => (p, l.parse().ok()),
            _ => (trimmed, None),
        };
        if path.ends_with(".yaml") || path.ends_with(".yml") {
            return Filter::File {
                path: path.replace('\\', "/"),
                line,
            };
        }
        Filter::Text(text.to_lowercase())
    }

    fn matches(&self, api: &Api, file: &CaseFile, case: &Case) -> bool {
        match self {
            Filter::File { path, line } => {
                let file_path = file.path.to_string_lossy().replace('\\', "/");
                (file_path == *path || file_path.ends_with(&format!("/{path}")))
                    && line
                        .is_none_or(|l| case_at_line(file, l).is_some_and(|c| c.name == case.name))
            }
            Filter::Text(t) => CaseId::of(api, file, case)
                .to_string()
                .to_lowercase()
                .contains(t.as_str()),
        }
    }
}

/// The case whose definition spans `line`: the last case starting at or before it.
fn case_at_line(file: &CaseFile, line: u32) -> Option<&Case> {
    file.cases.iter().rev().find(|c| c.pos.line <= line)
}

/// Why nothing was selected, with what does exist.
fn nothing_selected(suite: &Suite, selection: &Selection) -> String {
    let in_scope = || {
        suite
            .apis
            .iter()
            .filter(|a| selection.apis.is_empty() || selection.apis.contains(&a.name))
    };
    let mut parts = Vec::new();
    if let Some(f) = &selection.filter {
        parts.push(format!("--filter `{f}`"));
    }
    for t in &selection.tags {
        parts.push(format!("--tag `{t}`"));
    }
    for t in &selection.skip_tags {
        parts.push(format!("--skip-tag `{t}`"));
    }
    let what = if parts.is_empty() {
        "the selected APIs have no cases".to_string()
    } else {
        format!("no case matches {}", parts.join(" and "))
    };
    let mut hints = Vec::new();
    if !selection.tags.is_empty() {
        let known: BTreeSet<String> = in_scope()
            .flat_map(|a| a.files.iter().flat_map(|f| f.cases.iter()))
            .flat_map(|c| c.tags.iter().map(|t| t.to_lowercase()))
            .collect();
        let known: Vec<String> = known.into_iter().collect();
        hints.push(if known.is_empty() {
            "no case has a tag".to_string()
        } else {
            format!("known tags: {}", known.join(", "))
        });
    }
    if let Some(f) = &selection.filter {
        let ids: Vec<String> = in_scope()
            .flat_map(|a| {
                a.files.iter().flat_map(move |file| {
                    std::iter::once(file.path.to_string_lossy().into_owned()).chain(
                        file.cases
                            .iter()
                            .map(move |c| CaseId::of(a, file, c).to_string()),
                    )
                })
            })
            .collect();
        if let Some(near) = did_you_mean(f, ids.iter().map(String::as_str)) {
            hints.push(format!("did you mean `{near}`?"));
        } else {
            hints.push("`conform list` shows every case and file".to_string());
        }
    }
    if hints.is_empty() {
        what
    } else {
        format!("{what} ({})", hints.join("; "))
    }
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
        if let AssertionPath::Template(t) = &a.path {
            exprs.extend(t.exprs());
        }
        for t in a.predicates.iter().flat_map(Predicate::templates) {
            exprs.extend(t.exprs());
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
