//! Scenarios: the state of one client's conversation with the mock, kept apart from every other.
//!
//! A client names its scenario (the scenario header or a `/__scenario/<name>/` path prefix).
//! Within one, the interactions of a flow file form an ordered script and every exchange that is
//! not repeatable answers once; scenarios never share state, so the same request sequence always
//! gets the same answers whatever else runs. Requests without a scenario share the default one
//! (named ``), where the last matching exchange repeats once all are used.

use std::collections::{BTreeSet, HashMap};
use std::sync::Mutex;

use super::load::Loaded;

/// What one scenario has used so far.
#[derive(Debug, Default, Clone)]
pub struct State {
    /// Indices of the non-repeatable interactions already answered.
    pub used: BTreeSet<usize>,
    /// The same, in the order they were answered (the latest last).
    pub order: Vec<usize>,
    /// The live `{{ unique }}` value the client sent, once seen (`unique`).
    pub unique: Option<String>,
}

/// Every scenario's state, by name.
#[derive(Debug, Default)]
pub struct Scenarios {
    by_name: Mutex<HashMap<String, State>>,
}

/// The interaction chosen for a request among those it matches exactly.
pub enum Pick {
    /// `out_of_order`: the flow steps of its file that should have come first.
    Chosen {
        index: usize,
        out_of_order: Vec<usize>,
    },
    /// Every matching exchange was already used in this scenario.
    Exhausted,
}

impl Scenarios {
    /// Chooses among `hits` (indices into `entries`, recorded order) and records the use.
    pub fn pick(&self, scenario: Option<&str>, hits: &[usize], entries: &[Loaded]) -> Pick {
        let name = scenario.unwrap_or("");
        let mut all = self.by_name.lock().unwrap_or_else(|p| p.into_inner());
        let state = all.entry(name.to_string()).or_default();
        let open: Vec<usize> = hits
            .iter()
            .copied()
            .filter(|&i| entries[i].repeatable || !state.used.contains(&i))
            .collect();
        // Earlier steps of `i`'s flow not yet used here (none for an exchange outside flows).
        let earlier = |i: usize| -> Vec<usize> {
            if !entries[i].flow {
                return Vec::new();
            }
            (0..i)
                .filter(|&j| {
                    entries[j].stem == entries[i].stem
                        && !entries[j].repeatable
                        && !state.used.contains(&j)
                })
                .collect()
        };
        let started = |i: usize| {
            (0..entries.len())
                .any(|j| entries[j].stem == entries[i].stem && state.used.contains(&j))
        };
        // The next step of a flow under way, then an exchange outside flows (first one of a file
        // whose state-changing exchange this scenario used: its cases run in order, so the list
        // read after its delete is its own), then the step that starts a flow, then anything
        // (out of order). Ties go to recorded order.
        let rank = |i: usize| match (entries[i].flow, earlier(i).is_empty()) {
            (true, true) if started(i) => 0,
            (false, _) if started(i) => 1,
            (false, _) => 2,
            (true, true) => 3,
            (true, false) => 4,
        };
        // Among files under way, the one that used an exchange last: the client plays it now.
        let latest = |i: usize| {
            let stem = &entries[i].stem;
            let at = state.order.iter().rposition(|&j| &entries[j].stem == stem);
            std::cmp::Reverse(at)
        };
        let Some(index) = open
            .iter()
            .copied()
            .min_by_key(|&i| (rank(i), latest(i), i))
        else {
            // The default scenario keeps answering: the last matching exchange repeats.
            return match hits.last() {
                Some(&index) if scenario.is_none() => Pick::Chosen {
                    index,
                    out_of_order: Vec::new(),
                },
                _ => Pick::Exhausted,
            };
        };
        let out_of_order = earlier(index);
        if !entries[index].repeatable {
            state.used.insert(index);
            state.order.push(index);
        }
        Pick::Chosen {
            index,
            out_of_order,
        }
    }

    /// Remembers `learned` (the live `{{ unique }}` value a request sent) for `scenario`, and
    /// gives the value the scenario's answers carry, if one was ever sent.
    pub fn unique(&self, scenario: Option<&str>, learned: Option<String>) -> Option<String> {
        let mut all = self.by_name.lock().unwrap_or_else(|p| p.into_inner());
        let state = all.entry(scenario.unwrap_or("").to_string()).or_default();
        if learned.is_some() {
            state.unique = learned;
        }
        state.unique.clone()
    }

    /// Each scenario's flows that were started and not finished: `(scenario, next step)`.
    pub fn unfinished(&self, entries: &[Loaded]) -> Vec<(String, usize)> {
        let all = self.by_name.lock().unwrap_or_else(|p| p.into_inner());
        let mut out = Vec::new();
        let mut names: Vec<&String> = all.keys().collect();
        names.sort();
        for name in names {
            let used = &all[name].used;
            let mut stems: Vec<&str> = used
                .iter()
                .filter(|&&i| entries[i].flow)
                .map(|&i| entries[i].stem.as_str())
                .collect();
            stems.dedup();
            for stem in stems {
                let next = (0..entries.len()).find(|&j| {
                    entries[j].stem == stem && !entries[j].repeatable && !used.contains(&j)
                });
                if let Some(next) = next {
                    out.push((name.clone(), next));
                }
            }
        }
        out
    }
}
