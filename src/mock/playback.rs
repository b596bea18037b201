//! Playback: deciding which recorded interaction answers a request.
//!
//! Runs name their case in [`CASE_HEADER`] and get exactly that case's interaction (never a
//! fallback). Other clients are matched on the request (`matcher`), their state kept per scenario
//! (`scenario`); when nothing matches exactly and fallbacks are allowed, the closest interaction
//! of the same endpoint template answers, marked as such (`fallback`). `server` serves this.

use serde_json::Value;

use super::fallback;
use super::journal::{Journal, NearMiss};
use super::load::{self, Loaded};
use super::matcher::{closeness, differences, Against, Incoming};
use super::scenario::{Pick, Scenarios};
use crate::case::{Api, BasePath};
use crate::diag::Diagnostic;
use crate::redact::Redactor;
use crate::run::wire::{decode_case_id, CASE_HEADER};

/// An API's recordings, ready to serve.
#[derive(Debug, Default)]
pub struct Playback {
    pub api: String,
    pub entries: Vec<Loaded>,
    /// Lowercase names of the API's credential headers.
    pub credentials: Vec<String>,
    /// The paths of the API's base URLs (`/public/v6`): requests may carry them.
    pub base_paths: Vec<BasePath>,
    pub scenarios: Scenarios,
    pub journal: Journal,
    /// The API's sensitive names: what the journal and the log show is scrubbed with them.
    pub redactor: Redactor,
}

/// How an answer was chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum How {
    /// The case named by the case header.
    Case,
    Exact,
    /// The closest interaction of the request's endpoint template.
    Fallback,
}

impl How {
    pub fn name(self) -> &'static str {
        match self {
            How::Case => "case",
            How::Exact => "exact",
            How::Fallback => "fallback",
        }
    }
}

/// What the interaction a miss is compared with is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expected {
    /// The case named by the case header.
    Pinned,
    /// The next step of a flow under way in the request's scenario.
    NextStep,
    /// Merely the closest interaction.
    Closest,
}

impl Expected {
    pub fn name(self) -> &'static str {
        match self {
            Expected::Pinned => "case",
            Expected::NextStep => "next_step",
            Expected::Closest => "closest",
        }
    }
}

/// What the server decided for one request.
pub enum Answer<'a> {
    Hit {
        entry: &'a Loaded,
        how: How,
        /// A fallback's response body with the request's path parameters substituted.
        body: Option<Value>,
        why: String,
    },
    Miss {
        explanation: String,
        /// The expected exchange (the pinned case's, the next step of a flow under way in the
        /// scenario) or else the closest one, and how the request differs from it.
        closest: Option<(&'a Loaded, Vec<String>)>,
        /// What `closest` is to the request.
        expected: Expected,
    },
}

impl Playback {
    /// Loads `cases/<api>/recordings/`: see [`load::load`].
    pub fn load(root: &std::path::Path, api: &Api) -> Result<Playback, Vec<Diagnostic>> {
        let loaded = load::load(root, api)?;
        let mut base_paths: Vec<BasePath> = api
            .base_url
            .iter()
            .chain(api.environments.values().map(|e| &e.base_url))
            .map(|u| BasePath::of(u))
            .filter(|b| *b != BasePath::default())
            .collect();
        base_paths.dedup();
        Ok(Playback {
            api: api.name.clone(),
            entries: loaded.entries,
            credentials: loaded.credentials,
            base_paths,
            redactor: Redactor::new(&api.sensitive),
            ..Playback::default()
        })
    }

    /// `path` without a base URL's path in front (`/public/v6/client/x` -> `/client/x`).
    pub fn relative<'p>(&self, path: &'p str) -> &'p str {
        self.base_paths
            .iter()
            .map(|b| b.strip(path))
            .find(|p| p.len() < path.len())
            .unwrap_or(path)
    }

    fn against<'s>(&'s self, entry: &'s Loaded, check_credentials: bool) -> Against<'s> {
        Against {
            entry,
            credentials: &self.credentials,
            check_credentials,
        }
    }

    /// Decides the answer to `req` (path already relative); `fallbacks` allows template fallbacks.
    pub fn answer(&self, req: &Incoming, fallbacks: bool) -> Answer<'_> {
        if let Some(id) = req.header(CASE_HEADER) {
            return self.answer_for_case(&decode_case_id(id), req);
        }
        let hits: Vec<usize> = (0..self.entries.len())
            .filter(|&i| differences(&self.against(&self.entries[i], true), req).is_empty())
            .collect();
        let scenario = req.scenario.as_deref();
        match self.scenarios.pick(scenario, &hits, &self.entries) {
            Pick::Chosen {
                index,
                out_of_order,
            } => {
                let mut why = "method, path, query, headers and body match".to_string();
                if !out_of_order.is_empty() {
                    let skipped: Vec<String> =
                        out_of_order.iter().map(|&j| self.entries[j].id()).collect();
                    why.push_str(&format!(
                        "; out of order: the flow expected {} first",
                        skipped.join(", ")
                    ));
                }
                Answer::Hit {
                    entry: &self.entries[index],
                    how: How::Exact,
                    body: None,
                    why,
                }
            }
            Pick::Exhausted if !hits.is_empty() => self.miss(
                req,
                format!(
                    "every recorded interaction of API `{}` matching {} was already used in scenario `{}`",
                    self.api,
                    req.describe(),
                    scenario.unwrap_or("")
                ),
            ),
            Pick::Exhausted => {
                if fallbacks {
                    if let Some((index, body)) =
                        fallback::closest(&self.entries, &self.credentials, req)
                    {
                        let entry = &self.entries[index];
                        return Answer::Hit {
                            entry,
                            how: How::Fallback,
                            body,
                            why: format!(
                                "nothing matches exactly; closest interaction of {}",
                                entry.template
                            ),
                        };
                    }
                }
                self.miss(
                    req,
                    format!(
                        "no recorded interaction of API `{}` matches {}",
                        self.api,
                        req.describe()
                    ),
                )
            }
        }
    }

    fn answer_for_case(&self, id: &str, req: &Incoming) -> Answer<'_> {
        let (stem, case) = id.split_once("::").unwrap_or(("", id));
        let Some(entry) = self
            .entries
            .iter()
            .find(|e| e.stem == stem && e.interaction.case == case)
        else {
            return self.miss(
                req,
                format!(
                    "no recording for case `{case}` in cases/{}/recordings/{stem}.yaml",
                    self.api
                ),
            );
        };
        let diffs = differences(&self.against(entry, false), req);
        if diffs.is_empty() {
            Answer::Hit {
                entry,
                how: How::Case,
                body: None,
                why: "named by the case header; the request matches its recording".into(),
            }
        } else {
            Answer::Miss {
                explanation: format!(
                    "the request of case `{case}` differs from its recording (cases/{}/recordings/{stem}.yaml)",
                    self.api
                ),
                closest: Some((entry, diffs)),
                expected: Expected::Pinned,
            }
        }
    }

    fn miss(&self, req: &Incoming, explanation: String) -> Answer<'_> {
        let score = |e: &Loaded| closeness(&self.against(e, true), req);
        let next = self
            .expected_next(req)
            .into_iter()
            .map(|i| &self.entries[i])
            .max_by_key(|e| score(e));
        let closest = next
            .or_else(|| self.entries.iter().max_by_key(|e| score(e)))
            .map(|e| (e, differences(&self.against(e, true), req)));
        Answer::Miss {
            explanation,
            closest,
            expected: match next {
                Some(_) => Expected::NextStep,
                None => Expected::Closest,
            },
        }
    }

    /// The expected next step of each flow under way in `req`'s scenario (the default one when
    /// it names none).
    fn expected_next(&self, req: &Incoming) -> Vec<usize> {
        let name = req.scenario.as_deref().unwrap_or("");
        self.scenarios
            .unfinished(&self.entries)
            .into_iter()
            .filter(|(s, _)| s == name)
            .map(|(_, next)| next)
            .collect()
    }

    /// The interactions closest to `req`, with their differences (for the journal).
    /// In a scenario, the expected next step of each flow under way comes first.
    pub fn near_misses(&self, req: &Incoming, n: usize) -> Vec<NearMiss> {
        let mut scored: Vec<(i64, usize)> = (0..self.entries.len())
            .map(|i| (closeness(&self.against(&self.entries[i], true), req), i))
            .collect();
        scored.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        let expected = match &req.scenario {
            Some(_) => self.expected_next(req),
            None => Vec::new(),
        };
        let closest = scored.into_iter().map(|(_, i)| i).take(n);
        let mut picked: Vec<usize> = expected.clone();
        picked.extend(closest.filter(|i| !expected.contains(i)));
        picked
            .into_iter()
            .map(|i| {
                let e = &self.entries[i];
                NearMiss {
                    case: e.id(),
                    differences: differences(&self.against(e, true), req),
                }
            })
            .filter(|m| !m.differences.is_empty())
            .collect()
    }
}

/// The text of a miss, for the 404 body and for the runner's failure message.
pub fn miss_message(
    explanation: &str,
    closest: &Option<(&Loaded, Vec<String>)>,
    expected: Expected,
) -> String {
    let what = match expected {
        Expected::Pinned => {
            let diffs = closest.as_ref().map(|(_, d)| d.join("; "));
            return format!("{explanation}, in: {}", diffs.unwrap_or_default());
        }
        Expected::NextStep => "expected next step of the flow",
        Expected::Closest => "closest recording",
    };
    match closest {
        Some((e, diffs)) => format!(
            "{explanation}; {what}: `{}` ({} {}) in {}.yaml, which differs in: {}",
            e.interaction.case,
            e.interaction.request.method,
            e.interaction.request.path,
            e.stem,
            diffs.join("; ")
        ),
        None => format!("{explanation}; the API has no recordings"),
    }
}
