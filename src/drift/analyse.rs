//! From what the observer saw to the drift document: each case's live response normalised like a
//! recording, compared with its recorded interaction, graded against its schema, noise learned
//! from a second read of safe requests, ignore rules applied (or refused).

use std::collections::{BTreeMap, BTreeSet};

use super::compare::{compare, generalise};
use super::doc::{CaseDrift, CaseStatus, DriftDoc, DriftSummary, Refusal, SchemaCheck, FORMAT};
use super::finding::{fingerprint, Difference, Finding, Grade, Part, SchemaVerdict};
use super::grade::{grade, Violation, Violations};
use super::noise;
use super::observer::{DriftObserver, Observed};
use crate::case::{Api, Case, CaseFile, Suite};
use crate::diag::Diagnostic;
use crate::http::Transport;
use crate::mock::normalize;
use crate::mock::recording::{self, RecordingFile};
use crate::run::OutcomeStatus;

/// The recordings of the planned case files, by (API, file stem).
pub type Recordings = BTreeMap<(String, String), RecordingFile>;

/// Loads and checks the recording of every case file of the selected APIs (before anything is
/// sent: a broken recording is bad input).
pub fn load_recordings(suite: &Suite, apis: &[usize]) -> Result<Recordings, Vec<Diagnostic>> {
    let mut out = Recordings::new();
    let mut problems = Vec::new();
    for &ai in apis {
        let api = &suite.apis[ai];
        for file in &api.files {
            let path = recording::recording_path(&suite.root.join(&api.dir), &file.stem);
            let display = recording::recording_path(&api.dir, &file.stem);
            let names: Vec<&str> = file.cases.iter().map(|c| c.name.as_str()).collect();
            match recording::load(&path, &display, &file.path, &names) {
                Ok(Some(r)) => {
                    out.insert((api.name.clone(), file.stem.clone()), r);
                }
                Ok(None) => {}
                Err(mut d) => problems.append(&mut d),
            }
        }
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(problems)
    }
}

/// Does an ignore rule (`/items/*/lastModified`, `*` for any one segment) cover `pointer`, or a
/// place under it?
pub fn rule_covers(rule: &str, pointer: &str) -> bool {
    let rule: Vec<&str> = rule.split('/').skip(1).collect();
    let at: Vec<&str> = pointer.split('/').skip(1).collect();
    rule.len() <= at.len() && rule.iter().zip(&at).all(|(r, a)| *r == "*" || r == a)
}

/// Compares every observed case; `transport` sends the second reads that learn noise.
pub async fn analyse(
    suite: &Suite,
    recordings: &Recordings,
    observed: DriftObserver,
    transport: Option<&Transport>,
) -> DriftDoc {
    let mut summary = DriftSummary::default();
    let mut refused = Vec::new();
    let mut cases = Vec::new();
    for o in &observed.cases {
        let entry = case_drift(suite, recordings, o, transport, &mut refused).await;
        match entry.status {
            CaseStatus::Compared => summary.compared += 1,
            CaseStatus::NoRecording => summary.no_recording += 1,
            CaseStatus::Error => summary.errors += 1,
            CaseStatus::Skipped => summary.skipped += 1,
        }
        summary.ignored += entry.ignored;
        for f in &entry.findings {
            summary.add(f.grade);
        }
        cases.push(entry);
    }
    DriftDoc {
        format: FORMAT.into(),
        conform_version: env!("CARGO_PKG_VERSION").into(),
        at: humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string(),
        targets: observed.targets,
        summary,
        cases,
        refused,
    }
}

fn find<'s>(suite: &'s Suite, o: &Observed) -> Option<(&'s Api, &'s CaseFile, &'s Case)> {
    let id = &o.outcome.id;
    let api = suite.api(&id.api)?;
    let file = api.files.iter().find(|f| f.stem == id.file)?;
    let case = file.cases.iter().find(|c| c.name == id.case)?;
    Some((api, file, case))
}

async fn case_drift(
    suite: &Suite,
    recordings: &Recordings,
    o: &Observed,
    transport: Option<&Transport>,
    refused: &mut Vec<Refusal>,
) -> CaseDrift {
    let id = &o.outcome.id;
    let location = format!("{}:{}", o.outcome.file, o.outcome.line);
    let mut entry = CaseDrift {
        case: id.clone(),
        location: location.clone(),
        recording: String::new(),
        status: CaseStatus::Skipped,
        error: None,
        schema: None,
        sent_twice: false,
        findings: Vec::new(),
        ignored: 0,
        host: None,
        live: None,
    };
    let Some((api, file, case)) = find(suite, o) else {
        return entry;
    };
    entry.recording = recording::recording_path(&api.dir, &file.stem)
        .display()
        .to_string();
    let ex = match (&o.exchange, o.outcome.status) {
        (_, OutcomeStatus::Skipped | OutcomeStatus::Interrupted) => return entry,
        (Some(ex), _) => ex,
        (None, _) => {
            entry.status = CaseStatus::Error;
            entry.error = Some(
                o.outcome
                    .error
                    .clone()
                    .unwrap_or_else(|| "no response".into()),
            );
            return entry;
        }
    };
    let recorded = recordings
        .get(&(api.name.clone(), file.stem.clone()))
        .and_then(|r| r.interactions.iter().find(|i| i.case == case.name));
    let Some(recorded) = recorded else {
        entry.status = CaseStatus::NoRecording;
        return entry;
    };
    entry.status = CaseStatus::Compared;
    let redactor = &ex.redactor;
    let live = normalize::response(&ex.response, redactor);
    let differences = compare(&recorded.response, &live);
    // The schema judges the scrubbed body: its messages quote values, and they reach the reports.
    let violations = match (case.expect.schema, &live.json) {
        (Some(sid), Some(body)) => {
            let all = suite.schemas.validate(sid, body);
            entry.schema = Some(SchemaCheck {
                schema: suite.schemas.display(sid).to_string(),
                valid: all.is_empty(),
                violations: all
                    .iter()
                    .take(10)
                    .map(|v| redactor.text(&format!("{}: {}", v.instance_path, v.message)))
                    .collect(),
            });
            Violations(Some(
                all.into_iter()
                    .map(|v| Violation {
                        pointer: generalise(body, &v.instance_path),
                        keyword: v.keyword,
                        message: v.message,
                    })
                    .collect(),
            ))
        }
        _ => Violations(None),
    };
    let moving = if differences.iter().any(|d| d.code.is_value_only())
        && noise::is_safe(&ex.request.method, file.flow)
    {
        match transport {
            Some(t) => match t.send(&ex.request).await {
                Ok(second) => {
                    entry.sent_twice = true;
                    noise::learned(&live, &normalize::response(&second, redactor))
                }
                Err(_) => BTreeSet::new(),
            },
            None => BTreeSet::new(),
        }
    } else {
        BTreeSet::new()
    };
    let echoes = Echoes {
        recorded: noise::request_values(
            &recorded.request.path,
            &recorded.request.query,
            recorded.request.json.as_ref(),
        ),
        live: live_request_values(&ex.request),
    };
    for d in differences {
        let mut f = finding(&d, &violations, &moving, &echoes, o, &location);
        f.recorded = f.recorded.map(|v| redactor.json(&v));
        f.live = f.live.map(|v| redactor.json(&v));
        let rule = (d.part == Part::Body)
            .then(|| api.drift.ignore.iter().find(|r| rule_covers(r, &d.pointer)))
            .flatten();
        match rule {
            Some(_) if d.code.is_value_only() || f.grade == Grade::Noise => entry.ignored += 1,
            Some(rule) => {
                let message = format!(
                    "ignore rule `{rule}` of {} would also hide a {} at {}: refused, the finding stays",
                    api.name,
                    f.code.name(),
                    d.pointer
                );
                f.why = format!("{}; {message}", f.why);
                refused.push(Refusal {
                    rule: rule.clone(),
                    case: id.clone(),
                    code: f.code,
                    pointer: d.pointer.clone(),
                    message,
                });
                entry.findings.push(f);
            }
            None => entry.findings.push(f),
        }
    }
    if entry.findings.iter().any(|f| f.grade != Grade::Noise) {
        // Normalising scrubbed it with the exchange's redactor, as a recording would be.
        entry.live = Some(live);
        entry.host = url::Url::parse(&ex.request.url).ok().and_then(|u| {
            u.host_str().map(|h| match u.port() {
                Some(p) => format!("{h}:{p}"),
                None => h.to_string(),
            })
        });
    }
    entry
}

/// The values the recorded and the live request carried (for echoes of the request).
struct Echoes {
    recorded: BTreeSet<String>,
    live: BTreeSet<String>,
}

fn live_request_values(request: &crate::http::HttpRequest) -> BTreeSet<String> {
    let Ok(url) = url::Url::parse(&request.url) else {
        return BTreeSet::new();
    };
    let query: Vec<(String, String)> = url.query_pairs().into_owned().collect();
    let body: Option<serde_json::Value> = request
        .body
        .as_deref()
        .and_then(|b| serde_json::from_slice(b).ok());
    noise::request_values(url.path(), &query, body.as_ref())
}

fn finding(
    d: &Difference,
    violations: &Violations,
    moving: &BTreeSet<(Part, String)>,
    echoes: &Echoes,
    o: &Observed,
    location: &str,
) -> Finding {
    let g = grade(d, violations);
    let (mut grade, mut why) = (g.grade, g.why);
    if g.grade == Grade::Value && g.code.is_value_only() {
        if moving.contains(&(d.part, d.pointer.clone())) {
            grade = Grade::Noise;
            why = "the value differed between two live reads".into();
        } else if let Some(reason) = noise::by_format(d)
            .or_else(|| noise::by_unique(d))
            .or_else(|| noise::by_echo(d, &echoes.recorded, &echoes.live))
        {
            grade = Grade::Noise;
            why = reason;
        }
    }
    Finding {
        code: g.code,
        grade,
        part: d.part,
        pointer: d.pointer.clone(),
        recorded: d.recorded.clone(),
        live: d.live.clone(),
        case: o.outcome.id.clone(),
        location: location.to_string(),
        schema: if d.part == Part::Body {
            g.schema
        } else {
            SchemaVerdict::NoSchema
        },
        why,
        fingerprint: fingerprint(g.code, &o.outcome.id, d.part, &d.pointer),
    }
}

#[cfg(test)]
mod tests {
    use super::rule_covers;

    #[test]
    fn a_rule_covers_its_pointer_and_what_is_under_it() {
        assert!(rule_covers(
            "/items/*/lastModified",
            "/items/*/lastModified"
        ));
        assert!(rule_covers("/items/*/meta", "/items/*/meta/at"));
        assert!(rule_covers("/*/at", "/a/at"));
        assert!(!rule_covers("/items/*/lastModified", "/items/*/name"));
        assert!(!rule_covers("/items/*/meta/at", "/items/*/meta"));
    }
}
