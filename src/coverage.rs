//! Coverage: which documented endpoints and statuses the cases exercise ([`ApiCoverage`]).
//!
//! What is documented comes from a spec, a catalog (a JSON array of `{method, path, responses}`)
//! or, without either, the `endpoints:` list of `api.yaml` (statuses unknown then). A case
//! exercises an endpoint when its `endpoint` matches (placeholder names ignored: `/a/{id}` is
//! `/a/{customerId}`), and a status when its `expect.status` names it or its class covers it.
//! Skipped cases exercise nothing.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde::Serialize;
use serde_json::Value;

use crate::case::{Api, StatusExpect};
use crate::import::spec::Spec;

/// A documented endpoint and, when known, its documented statuses (`200`, `4XX`).
#[derive(Debug, Clone)]
pub struct Documented {
    pub method: String,
    pub path: String,
    pub statuses: Option<Vec<String>>,
}

/// Why a catalog could not be read.
#[derive(Debug, thiserror::Error)]
pub enum CoverageError {
    #[error("cannot read catalog `{path}`: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("catalog `{path}` is not a JSON array of {{method, path, responses}}: {message}")]
    Parse { path: PathBuf, message: String },
}

/// The coverage of one API.
#[derive(Debug, Clone, Serialize)]
pub struct ApiCoverage {
    pub api: String,
    /// `api.yaml`, or the spec or catalog file name.
    pub source: String,
    pub documented: usize,
    pub with_cases: usize,
    /// Percent of documented endpoints with at least one case (100 when none are documented).
    pub percent: f64,
    /// Documented statuses, when the source lists them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub statuses_documented: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub statuses_exercised: Option<usize>,
    pub endpoints: Vec<EndpointCoverage>,
    /// Endpoints the cases call that the source does not document.
    pub undocumented: Vec<EndpointCoverage>,
    /// With a run report: documented endpoints with at least one case that passed in that run.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub with_passing: Option<usize>,
}

#[derive(Debug, Clone, Serialize)]
pub struct EndpointCoverage {
    pub method: String,
    pub path: String,
    pub cases: usize,
    /// With a run report: the cases of this endpoint that passed in that run.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub passed: Option<usize>,
    /// Documented statuses and whether a case exercises each (empty when unknown).
    pub statuses: Vec<StatusCoverage>,
    /// What the cases expect, e.g. `200`, `2xx`.
    pub exercised: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct StatusCoverage {
    pub status: String,
    pub exercised: bool,
}

/// The endpoints listed in `api.yaml` (statuses unknown).
pub fn from_api_file(api: &Api) -> Vec<Documented> {
    api.endpoints
        .iter()
        .map(|e| Documented {
            method: e.method.clone(),
            path: e.path.clone(),
            statuses: None,
        })
        .collect()
}

/// The operations of a spec and their documented statuses (`default` is not a status).
pub fn from_spec(spec: &Spec) -> Vec<Documented> {
    spec.operations()
        .iter()
        .map(|op| {
            let (responses, _) = spec.responses(op);
            Documented {
                method: op.method.clone(),
                path: op.path.clone(),
                statuses: Some(
                    responses
                        .into_iter()
                        .map(|r| r.status)
                        .filter(|s| s != "default")
                        .collect(),
                ),
            }
        })
        .collect()
}

/// A catalog such as `reference/<vendor>/endpoints.json`.
pub fn from_catalog(path: &Path) -> Result<Vec<Documented>, CoverageError> {
    let text = std::fs::read_to_string(path).map_err(|source| CoverageError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let parse = |message: String| CoverageError::Parse {
        path: path.to_path_buf(),
        message,
    };
    let entries: Vec<Value> = serde_json::from_str(&text).map_err(|e| parse(e.to_string()))?;
    entries
        .iter()
        .enumerate()
        .map(|(i, e)| {
            let field = |k: &str| {
                e.get(k)
                    .and_then(Value::as_str)
                    .ok_or_else(|| parse(format!("entry {i} has no string `{k}`")))
            };
            Ok(Documented {
                method: field("method")?.to_ascii_uppercase(),
                path: field("path")?.to_string(),
                statuses: Some(
                    e.get("responses")
                        .and_then(Value::as_object)
                        .map(|m| m.keys().filter(|k| *k != "default").cloned().collect())
                        .unwrap_or_default(),
                ),
            })
        })
        .collect()
}

/// The coverage `conform run` reports: each planned API that lists `endpoints:` in api.yaml.
pub fn for_run(suite: &crate::case::Suite, apis: &BTreeSet<usize>) -> Vec<ApiCoverage> {
    apis.iter()
        .filter_map(|i| suite.apis.get(*i))
        .filter(|api| !api.endpoints.is_empty())
        .map(|api| compute(api, &from_api_file(api), "api.yaml"))
        .collect()
}

/// `/a/{id}/b` -> `/a/{}/b`: placeholder names do not matter.
fn shape(path: &str) -> String {
    let mut out = String::new();
    let mut in_param = false;
    for c in path.chars() {
        match c {
            '{' => {
                in_param = true;
                out.push('{');
            }
            '}' => {
                in_param = false;
                out.push('}');
            }
            _ if in_param => {}
            _ => out.push(c),
        }
    }
    out
}

/// Compares the API's cases with what `documented` lists.
pub fn compute(api: &Api, documented: &[Documented], source: &str) -> ApiCoverage {
    let cases: Vec<(String, &StatusExpect)> = api
        .files
        .iter()
        .flat_map(|f| &f.cases)
        .filter(|c| c.skip.is_none())
        .map(|c| (key(&c.endpoint.method, &c.endpoint.path), &c.expect.status))
        .collect();
    // Catalogs and specs may write full paths (`/public/v6/client/clients`) where cases are
    // relative to a base URL that already holds the prefix.
    let base = crate::case::BasePath::of(api.base_url.as_deref().unwrap_or_default());
    let mut endpoints = Vec::new();
    let mut seen = BTreeSet::new();
    for d in documented {
        let k = key(&d.method, base.strip(&d.path));
        if !seen.insert(k.clone()) {
            continue;
        }
        let expects: Vec<&StatusExpect> = cases
            .iter()
            .filter(|(ck, _)| *ck == k)
            .map(|(_, e)| *e)
            .collect();
        let statuses = d
            .statuses
            .iter()
            .flatten()
            .map(|s| StatusCoverage {
                status: s.clone(),
                exercised: expects.iter().any(|e| exercises(e, s)),
            })
            .collect();
        endpoints.push(endpoint(&d.method, &d.path, &expects, statuses));
    }
    let mut undocumented: Vec<EndpointCoverage> = Vec::new();
    for file in &api.files {
        for c in file.cases.iter().filter(|c| c.skip.is_none()) {
            let k = key(&c.endpoint.method, &c.endpoint.path);
            if seen.insert(k.clone()) {
                let expects: Vec<&StatusExpect> = cases
                    .iter()
                    .filter(|(ck, _)| *ck == k)
                    .map(|(_, e)| *e)
                    .collect();
                undocumented.push(endpoint(
                    &c.endpoint.method,
                    &c.endpoint.path,
                    &expects,
                    Vec::new(),
                ));
            }
        }
    }
    summarise(api, source, documented, endpoints, undocumented)
}

fn summarise(
    api: &Api,
    source: &str,
    documented: &[Documented],
    endpoints: Vec<EndpointCoverage>,
    undocumented: Vec<EndpointCoverage>,
) -> ApiCoverage {
    let with_cases = endpoints.iter().filter(|e| e.cases > 0).count();
    let known = documented.iter().any(|d| d.statuses.is_some());
    let all_statuses = endpoints.iter().flat_map(|e| &e.statuses);
    ApiCoverage {
        api: api.name.clone(),
        source: source.to_string(),
        documented: endpoints.len(),
        with_cases,
        percent: percent(with_cases, endpoints.len()),
        statuses_documented: known.then(|| all_statuses.clone().count()),
        statuses_exercised: known.then(|| all_statuses.filter(|s| s.exercised).count()),
        endpoints,
        undocumented,
        with_passing: None,
    }
}

/// Counts, per endpoint, the cases of the API that passed among a run's `outcomes`, so that a
/// suite whose cases all fail is not "100% covered".
pub fn apply_run(coverage: &mut ApiCoverage, outcomes: &[crate::run::CaseOutcome]) {
    let mut passed: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for o in outcomes
        .iter()
        .filter(|o| o.id.api == coverage.api && o.status == crate::run::OutcomeStatus::Passed)
    {
        if let Some((method, path)) = o.endpoint.split_once(' ') {
            *passed.entry(key(method, path)).or_default() += 1;
        }
    }
    for e in coverage
        .endpoints
        .iter_mut()
        .chain(coverage.undocumented.iter_mut())
    {
        e.passed = Some(passed.get(&key(&e.method, &e.path)).copied().unwrap_or(0));
    }
    coverage.with_passing = Some(
        coverage
            .endpoints
            .iter()
            .filter(|e| e.passed.unwrap_or(0) > 0)
            .count(),
    );
}

fn key(method: &str, path: &str) -> String {
    format!("{} {}", method.to_ascii_uppercase(), shape(path))
}

fn endpoint(
    method: &str,
    path: &str,
    expects: &[&StatusExpect],
    statuses: Vec<StatusCoverage>,
) -> EndpointCoverage {
    let mut exercised = BTreeSet::new();
    for e in expects {
        match e {
            StatusExpect::Class(c) => {
                exercised.insert(format!("{c}xx"));
            }
            other => exercised.extend(other.codes().iter().map(u16::to_string)),
        }
    }
    EndpointCoverage {
        method: method.to_string(),
        path: path.to_string(),
        cases: expects.len(),
        passed: None,
        statuses,
        exercised: exercised.into_iter().collect(),
    }
}

/// Whether an expectation exercises a documented status (`404` or a range such as `4XX`).
fn exercises(expect: &StatusExpect, status: &str) -> bool {
    if let Ok(code) = status.parse::<u16>() {
        return expect.accepts(code);
    }
    let class = status
        .strip_suffix("XX")
        .or_else(|| status.strip_suffix("xx"))
        .and_then(|c| c.parse::<u8>().ok());
    match (class, expect) {
        (Some(c), StatusExpect::Class(e)) => c == *e,
        (Some(c), other) => other.codes().iter().any(|code| code / 100 == u16::from(c)),
        (None, _) => false,
    }
}

fn percent(part: usize, whole: usize) -> f64 {
    if whole == 0 {
        100.0
    } else {
        (part as f64 * 1000.0 / whole as f64).round() / 10.0
    }
}

/// Percent of documented endpoints with a case, over all the given APIs; with a run report,
/// with a case that passed.
pub fn overall_percent(apis: &[ApiCoverage]) -> f64 {
    percent(
        apis.iter()
            .map(|a| a.with_passing.unwrap_or(a.with_cases))
            .sum(),
        apis.iter().map(|a| a.documented).sum(),
    )
}

impl ApiCoverage {
    /// The short form `report.json` carries per API.
    /// The coverage as plain data for run events and the report document.
    pub fn summary(&self) -> crate::run::event::CoverageSummary {
        crate::run::event::CoverageSummary {
            api: self.api.clone(),
            source: self.source.clone(),
            documented: self.documented,
            with_cases: self.with_cases,
            percent: self.percent,
            without_cases: self
                .endpoints
                .iter()
                .filter(|e| e.cases == 0)
                .map(|e| format!("{} {}", e.method, e.path))
                .collect(),
            headline: self.headline(),
        }
    }

    /// One line: `kimai: 6 of 8 documented endpoints have cases (75.0%), 7 of 9 statuses exercised`.
    pub fn headline(&self) -> String {
        let statuses = match (self.statuses_exercised, self.statuses_documented) {
            (Some(e), Some(d)) => format!(", {e} of {d} documented statuses exercised"),
            _ => String::new(),
        };
        let passing = match self.with_passing {
            Some(p) => format!(
                ", {p} with a case that passed ({:.1}%)",
                percent(p, self.documented)
            ),
            None => String::new(),
        };
        format!(
            "{} ({}): {} of {} documented endpoints have cases ({:.1}%){passing}{statuses}",
            self.api, self.source, self.with_cases, self.documented, self.percent
        )
    }
}

impl EndpointCoverage {
    fn cases_text(&self) -> String {
        let cases = match self.cases {
            0 => "no case".into(),
            1 => "1 case".into(),
            n => format!("{n} cases"),
        };
        match self.passed {
            Some(p) if self.cases > 0 => format!("{cases}, {p} passed"),
            _ => cases,
        }
    }

    fn statuses_text(&self) -> String {
        if self.cases == 0 && self.statuses.is_empty() {
            return String::new();
        }
        let mut parts: Vec<String> = self
            .statuses
            .iter()
            .map(|s| format!("{} {}", s.status, if s.exercised { "✓" } else { "✗" }))
            .collect();
        let documented: Vec<&str> = self.statuses.iter().map(|s| s.status.as_str()).collect();
        let others: Vec<&str> = self
            .exercised
            .iter()
            .map(String::as_str)
            .filter(|e| !documented.contains(e))
            .collect();
        if !others.is_empty() && self.cases > 0 {
            parts.push(format!("exercises {}", others.join(", ")));
        }
        parts.join("  ")
    }
}

/// The terminal table of `conform coverage`.
pub fn render_table(apis: &[ApiCoverage]) -> String {
    let mut out = String::new();
    for a in apis {
        out.push_str(&a.headline());
        out.push('\n');
        let width = a
            .endpoints
            .iter()
            .chain(&a.undocumented)
            .map(|e| e.path.len())
            .max()
            .unwrap_or(0);
        let row = |e: &EndpointCoverage| {
            let line = format!(
                "  {:<7} {:<width$}  {:<8}  {}",
                e.method,
                e.path,
                e.cases_text(),
                e.statuses_text()
            );
            format!("{}\n", line.trim_end())
        };
        for e in &a.endpoints {
            out.push_str(&row(e));
        }
        if !a.undocumented.is_empty() {
            out.push_str("  not documented:\n");
            for e in &a.undocumented {
                out.push_str(&row(e));
            }
        }
    }
    out
}

/// `coverage.md`: the same table in Markdown.
pub fn render_markdown(apis: &[ApiCoverage]) -> String {
    let mut out = String::from("# Coverage\n");
    for a in apis {
        out.push_str(&format!("\n## {}\n\n{}.\n\n", a.api, a.headline()));
        out.push_str("| endpoint | cases | statuses |\n|---|---|---|\n");
        let row = |e: &EndpointCoverage, note: &str| {
            format!(
                "| `{} {}`{note} | {} | {} |\n",
                e.method,
                e.path,
                e.cases_text(),
                e.statuses_text()
            )
        };
        for e in &a.endpoints {
            out.push_str(&row(e, ""));
        }
        for e in &a.undocumented {
            out.push_str(&row(e, " (not documented)"));
        }
    }
    out
}

/// `coverage.json`.
pub fn to_json(apis: &[ApiCoverage]) -> String {
    let doc = serde_json::json!({
        "format": "conform-coverage/1",
        "percent": overall_percent(apis),
        "apis": apis,
    });
    let mut text = serde_json::to_string_pretty(&doc).unwrap_or_default();
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholder_names_do_not_matter() {
        assert_eq!(shape("/a/{id}/b/{x}"), shape("/a/{customerId}/b/{y}"));
        assert_ne!(shape("/a/{id}"), shape("/a/b"));
    }

    #[test]
    fn classes_and_ranges() {
        assert!(exercises(&StatusExpect::Class(4), "404"));
        assert!(exercises(&StatusExpect::Code(404), "4XX"));
        assert!(exercises(&StatusExpect::AnyOf(vec![200, 201]), "201"));
        assert!(!exercises(&StatusExpect::Code(200), "404"));
        assert!(!exercises(&StatusExpect::Code(200), "default"));
    }
}
