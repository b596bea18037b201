//! GitHub Actions (`--report github`): at most [`MAX_ANNOTATIONS`] `::error` workflow commands,
//! the most severe failures first, each pointing at the case's file and line; and the Markdown
//! summary appended to `$GITHUB_STEP_SUMMARY` when it is set, kept under GitHub's 1 MiB limit.
//!
//! GitHub shows at most 10 annotations of each level per step and drops the rest silently, so
//! conform chooses which ten and says how many it left out.

use std::io::Write;
use std::path::{Path, PathBuf};

use super::doc::ReportDoc;
use super::markdown;
use crate::run::{CaseOutcome, FailureClass, OutcomeStatus};

/// GitHub's per-step limit for `error` annotations.
pub const MAX_ANNOTATIONS: usize = 10;

/// GitHub refuses a job summary over 1 MiB (1,048,576 bytes); this leaves room below it.
pub const SUMMARY_MAX_BYTES: usize = 1_000_000;

/// Longest annotation message: GitHub shows a few lines, the rest is in the summary.
const MESSAGE_MAX_BYTES: usize = 1000;

/// The annotation lines for a document: the most severe failures first, then plan order.
pub fn annotations(doc: &ReportDoc) -> String {
    let mut failures: Vec<&CaseOutcome> = doc
        .outcomes
        .iter()
        .filter(|o| markdown::is_failure(o))
        .collect();
    failures.sort_by_key(|o| severity(o));
    let mut out = String::new();
    for o in failures.iter().take(MAX_ANNOTATIONS) {
        out.push_str(&format!(
            "::error file={},line={},title={}::{}\n",
            escape_property(&o.file),
            o.line,
            escape_property(&format!("{} ({})", o.id, status_word(o))),
            escape_data(&message(o)),
        ));
    }
    if failures.len() > MAX_ANNOTATIONS {
        out.push_str(&format!(
            "::warning title=conform::{} more failures are not annotated (GitHub shows {MAX_ANNOTATIONS} per step): see the job summary and report.json\n",
            failures.len() - MAX_ANNOTATIONS
        ));
    }
    out
}

/// Lower is more severe: a broken contract, a refused request, different data, then a case
/// that could not be checked.
fn severity(o: &CaseOutcome) -> u8 {
    match (o.status, o.class) {
        (OutcomeStatus::Failed, Some(FailureClass::Contract) | None) => 0,
        (OutcomeStatus::Failed, Some(FailureClass::Refused)) => 1,
        (OutcomeStatus::Failed, Some(FailureClass::Data)) => 2,
        _ => 3,
    }
}

fn status_word(o: &CaseOutcome) -> &'static str {
    match (o.status, o.class) {
        (OutcomeStatus::Error, _) => "could not be checked",
        (_, Some(class)) => class.as_str(),
        _ => "failed",
    }
}

/// The error, or each failed check on its own line.
fn message(o: &CaseOutcome) -> String {
    let mut lines: Vec<String> = o.error.iter().map(|e| format!("error: {e}")).collect();
    lines.extend(
        o.failed_checks()
            .map(|c| format!("[{}] {}", c.kind.as_str(), c.message)),
    );
    let text = lines.join("\n");
    crate::diag::truncate_str(&text, MESSAGE_MAX_BYTES).to_string()
}

/// A workflow command's message: `%`, CR and LF escaped (as `@actions/core`'s `escapeData`).
fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// A workflow command's property value: also `:` and `,` (as `@actions/core`'s `escapeProperty`).
fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

/// Writes the annotations to `out` and appends the summary to `summary_file` when there is one.
pub fn write(
    doc: &ReportDoc,
    out: &mut dyn Write,
    summary_file: Option<&Path>,
) -> std::io::Result<()> {
    out.write_all(annotations(doc).as_bytes())?;
    out.flush()?;
    if let Some(path) = summary_file {
        append(path, &markdown::render(doc, SUMMARY_MAX_BYTES))?;
    }
    Ok(())
}

/// The job summary file belongs to the runner and other steps may have written to it: append,
/// as GitHub documents, rather than replace.
fn append(path: &Path, text: &str) -> std::io::Result<()> {
    let mut file = std::fs::OpenOptions::new()
        .append(true)
        .create(true)
        .open(path)?;
    file.write_all(text.as_bytes())?;
    file.flush()
}

/// The `--report github` reporter: annotations on `out`, the summary to `summary_file`.
pub fn reporter(
    mut out: Box<dyn Write + Send>,
    summary_file: Option<PathBuf>,
) -> super::collect::DocReporter {
    super::collect::DocReporter::new(Box::new(move |doc| {
        write(doc, &mut out, summary_file.as_deref())
    }))
}
