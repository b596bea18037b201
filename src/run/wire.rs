//! The playback wire contract: what a run and conform's playback server (`mock::playback`) say to
//! each other over HTTP beyond the recorded request itself. `mock` imports these from here; `run`
//! never imports `mock`.
//!
//! - [`CASE_HEADER`]: sent by the runner only to the playback server; its value is the case's
//!   `<file stem>::<case name>`, percent-encoded ([`encode_case_id`], [`decode_case_id`]), so each
//!   case is answered with its own recorded interaction. Never recorded, never sent live.
//! - [`UNMATCHED_HEADER`]: set by the playback server on its 404 when no recording matches; the
//!   JSON body then carries a human-readable [`UNMATCHED_MESSAGE`] field, `differences` and an
//!   [`UNMATCHED_DIFF`] against the expected exchange.
//! - [`SCENARIO_HEADER`], [`SCENARIO_PREFIX`], [`MATCH_HEADER`], [`JOURNAL_PATH`]: what other
//!   clients of `conform mock` use (docs/recordings.md, "The wire contract").

use super::request::HEADER_VALUE;

/// Header naming the running case, sent only to conform's own playback server.
pub const CASE_HEADER: &str = "x-conform-case";

/// Header on a playback answer that means "no recording matches this request".
pub const UNMATCHED_HEADER: &str = "x-conform-unmatched";

/// Field of an unmatched answer's JSON body holding the explanation.
pub const UNMATCHED_MESSAGE: &str = "message";

/// Field of an unmatched answer's JSON body holding a unified diff of the expected exchange's
/// request (the pinned case's, or the next step of the flow under way) against the one sent.
pub const UNMATCHED_DIFF: &str = "diff";

/// Header naming the scenario a client plays against `conform mock` (state kept per name).
pub const SCENARIO_HEADER: &str = "x-conform-scenario";

/// Path prefix naming a scenario, for clients that cannot add headers: `/__scenario/<name>/...`.
pub const SCENARIO_PREFIX: &str = "/__scenario/";

/// Header on every answer the mock serves from a recording: `exact; case=<id>`,
/// `fallback; closest=<id>` or `case; case=<id>` (ids percent-encoded as in [`CASE_HEADER`]).
pub const MATCH_HEADER: &str = "x-conform-match";

/// Path of the mock's journal: every request, what it matched and why, the near misses.
pub const JOURNAL_PATH: &str = "/__conform/journal";

/// The [`CASE_HEADER`] value for a case id (percent-encoded: case names may hold any text).
pub fn encode_case_id(id: &str) -> String {
    percent_encoding::utf8_percent_encode(id, HEADER_VALUE).to_string()
}

/// The case id carried by a [`CASE_HEADER`] value.
pub fn decode_case_id(value: &str) -> String {
    percent_encoding::percent_decode_str(value)
        .decode_utf8_lossy()
        .into_owned()
}

/// What a miss answer says: its message, then the diff against the expected exchange (method,
/// path, query, body of what was expected against what was sent).
pub fn unmatched_detail(body: &[u8]) -> String {
    let body = serde_json::from_slice::<serde_json::Value>(body).ok();
    let field = |name: &str| {
        body.as_ref()
            .and_then(|v| v.get(name)?.as_str())
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    let message = field(UNMATCHED_MESSAGE)
        .unwrap_or_else(|| "the playback server has no recording for this request".into());
    match field(UNMATCHED_DIFF) {
        Some(diff) => format!("{message}\n{}", diff.trim_end()),
        None => message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn case_ids_survive_the_header() {
        let id = "get_item::fetches 1 (ümlaut) : ok";
        let value = encode_case_id(id);
        assert!(value.is_ascii(), "{value}");
        assert_eq!(decode_case_id(&value), id);
    }

    #[test]
    fn a_miss_reads_as_its_message_then_its_diff() {
        let body = br#"{"message": "no match", "diff": "--- expected a::b\n+++ sent\n"}"#;
        assert_eq!(
            unmatched_detail(body),
            "no match\n--- expected a::b\n+++ sent"
        );
        assert_eq!(
            unmatched_detail(b"not json"),
            "the playback server has no recording for this request"
        );
    }
}
