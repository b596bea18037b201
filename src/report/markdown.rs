//! Markdown (`report.md`, and the GitHub job summary): the verdict and totals, a table per API,
//! then every failure with its failure text, within a byte budget; what does not fit is counted
//! and said, never silently dropped.

use std::fmt::Write as _;

use super::doc::ReportDoc;
use super::failure_text;
use crate::run::event::TargetInfo;
use crate::run::{CaseOutcome, OutcomeStatus, Summary};

/// No budget: `report.md` holds every failure.
pub const UNLIMITED: usize = usize::MAX;

/// One failure's text is cut past this many bytes, so that one huge diff cannot crowd out the rest.
const FAILURE_MAX_BYTES: usize = 32 * 1024;

/// The document as Markdown of at most `max_bytes` bytes (the budget applies to the failures;
/// the summary is always whole).
pub fn render(doc: &ReportDoc, max_bytes: usize) -> String {
    let mut out = summary(doc);
    let failures: Vec<&CaseOutcome> = doc.outcomes.iter().filter(|o| is_failure(o)).collect();
    if failures.is_empty() {
        return out;
    }
    let _ = writeln!(out, "\n### Failures ({})\n", failures.len());
    // Room kept for the truncation note.
    let budget = max_bytes.saturating_sub(out.len() + 300);
    let mut used = 0;
    for (shown, o) in failures.iter().enumerate() {
        let block = failure_block(shown + 1, o, &doc.run.targets);
        if used + block.len() > budget {
            let _ = writeln!(
                out,
                "> **Truncated:** {shown} of {} failures shown, to stay under {max_bytes} bytes. \
                 Every failure is in `report.json` and the HTML report.",
                failures.len()
            );
            return out;
        }
        used += block.len();
        out.push_str(&block);
    }
    out
}

/// Failed or could not be checked.
pub fn is_failure(o: &CaseOutcome) -> bool {
    matches!(o.status, OutcomeStatus::Failed | OutcomeStatus::Error)
}

/// `FAILED`, `NOT CHECKED`, `INTERRUPTED` or `ok`, as the terminal says it.
pub fn verdict(s: &Summary) -> &'static str {
    if s.interrupted > 0 {
        "INTERRUPTED"
    } else if s.failed > 0 {
        "FAILED"
    } else if s.errors > 0 {
        "NOT CHECKED"
    } else {
        "ok"
    }
}

/// The totals in one sentence.
pub fn totals(s: &Summary) -> String {
    let mut text = format!(
        "{} passed, {} failed, {} skipped",
        s.passed, s.failed, s.skipped
    );
    if s.errors > 0 {
        let _ = write!(text, ", {} could not be checked", s.errors);
    }
    if s.interrupted > 0 {
        let _ = write!(text, ", {} interrupted", s.interrupted);
    }
    let _ = write!(
        text,
        " ({} cases in {:.2} s)",
        s.total,
        s.duration_ms / 1000.0
    );
    text
}

/// Totals of one API's outcomes.
pub fn api_summaries(doc: &ReportDoc) -> Vec<(String, Summary)> {
    let mut list: Vec<(String, Summary)> = Vec::new();
    for o in &doc.outcomes {
        let api = &o.id.api;
        let i = match list.iter().position(|(name, _)| name == api) {
            Some(i) => i,
            None => {
                list.push((api.clone(), Summary::default()));
                list.len() - 1
            }
        };
        list[i].1.add(o);
        list[i].1.duration_ms += o.duration_ms;
    }
    list
}

fn summary(doc: &ReportDoc) -> String {
    let s = &doc.summary;
    let mut out = format!("## conform: {}\n\n{}\n\n", verdict(s), totals(s));
    if s.failed > 0 {
        let _ = writeln!(
            out,
            "Failures by class: {} contract, {} refused, {} data.\n",
            s.contract, s.refused, s.data
        );
    }
    let selection = &doc.run.selection;
    let mut asked = Vec::new();
    asked.extend(selection.apis.iter().map(|a| format!("--api {a}")));
    asked.extend(selection.filter.iter().map(|f| format!("--filter {f}")));
    asked.extend(selection.tags.iter().map(|t| format!("--tag {t}")));
    asked.extend(
        selection
            .skip_tags
            .iter()
            .map(|t| format!("--skip-tag {t}")),
    );
    asked.extend(selection.shard.iter().map(|k| format!("--shard {k}")));
    if !asked.is_empty() {
        let _ = writeln!(out, "Selection: {}\n", code_span(&asked.join(" ")));
    }
    out.push_str("| API | target | cases | passed | failed | not checked | skipped |\n");
    out.push_str("|---|---|---:|---:|---:|---:|---:|\n");
    for (api, a) in api_summaries(doc) {
        let target = doc
            .run
            .targets
            .iter()
            .find(|t| t.api == api)
            .map_or("", |t| t.target.as_str());
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} |",
            cell(&api),
            cell(target),
            a.total,
            a.passed,
            a.failed,
            a.errors,
            a.skipped
        );
    }
    out
}

fn failure_block(n: usize, o: &CaseOutcome, targets: &[TargetInfo]) -> String {
    let status = match (o.status, o.class) {
        (OutcomeStatus::Error, _) => "could not be checked".to_string(),
        (_, Some(class)) => format!("failed ({})", class.as_str()),
        _ => "failed".to_string(),
    };
    let mut text = failure_text(o);
    if text.len() > FAILURE_MAX_BYTES {
        let cut = crate::diag::truncate_str(&text, FAILURE_MAX_BYTES).len();
        let rest = text.len() - cut;
        text.truncate(cut);
        let _ = writeln!(text, "\n... ({rest} more bytes in report.json)");
    }
    let fence = fence_for(&text);
    let mut block = format!(
        "#### {n}. {}\n\n{}:{} · {} · {status}\n\n{fence}text\n{}\n{fence}\n\n",
        code_span(&o.id.to_string()),
        code_span(&o.file),
        o.line,
        code_span(&o.endpoint),
        text.trim_end_matches('\n'),
    );
    if let Some(cmd) = super::curl::command(o, super::curl::credentials_of(targets, o)) {
        let fence = fence_for(&cmd);
        let _ = write!(block, "Reproduce:\n\n{fence}sh\n{cmd}\n{fence}\n\n");
    }
    block
}

/// A code fence longer than any run of backticks in `text` (CommonMark: the fence ends only at
/// a run at least as long), so hostile text cannot close it.
fn fence_for(text: &str) -> String {
    let longest = longest_backtick_run(text);
    "`".repeat(longest.max(2) + 1)
}

/// An inline code span that `text` cannot break out of.
pub fn code_span(text: &str) -> String {
    let ticks = "`".repeat(longest_backtick_run(text) + 1);
    let one_line = text.replace(['\n', '\r'], " ");
    // CommonMark strips one space on each side: needed only when the text touches a backtick.
    let pad = if one_line.starts_with('`') || one_line.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{ticks}{pad}{one_line}{pad}{ticks}")
}

fn longest_backtick_run(text: &str) -> usize {
    let (mut longest, mut run) = (0, 0);
    for c in text.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    longest
}

/// A table cell: pipes escaped, one line.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace(['\n', '\r'], " ")
}
