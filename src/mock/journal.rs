//! The mock's journal (`GET /__conform/journal`): every request it answered, what it matched and
//! why, the near misses, and the scenarios left unfinished. Kept in memory, newest last, bounded.

use std::collections::VecDeque;
use std::sync::Mutex;

use serde::Serialize;

/// How many requests the journal keeps (the oldest go first).
const KEEP: usize = 2000;

/// One answered request.
#[derive(Debug, Clone, Serialize)]
pub struct Entry {
    pub seq: u64,
    /// `GET /path?query`, as matched (base path and scenario prefix removed).
    pub request: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scenario: Option<String>,
    pub status: u16,
    /// `exact`, `fallback`, `case` (pinned by the case header) or `miss`.
    pub matched: &'static str,
    /// `<file stem>::<case>` of the interaction served.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub case: Option<String>,
    pub why: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub near_misses: Vec<NearMiss>,
}

/// An interaction that almost matched, and how it differs.
#[derive(Debug, Clone, Serialize)]
pub struct NearMiss {
    pub case: String,
    pub differences: Vec<String>,
}

#[derive(Debug, Default)]
pub struct Journal {
    entries: Mutex<(u64, VecDeque<Entry>)>,
}

impl Journal {
    /// Appends `entry`, numbering it.
    pub fn push(&self, mut entry: Entry) {
        let mut guard = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        let (next, entries) = &mut *guard;
        *next += 1;
        entry.seq = *next;
        if entries.len() == KEEP {
            entries.pop_front();
        }
        entries.push_back(entry);
    }

    /// The kept entries, oldest first.
    pub fn entries(&self) -> Vec<Entry> {
        let guard = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        guard.1.iter().cloned().collect()
    }
}
