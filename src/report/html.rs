//! The HTML report (`report.html`): one self-contained file (inline CSS and a small script, no
//! network), rendered from the [`ReportDoc`]. Summary first, then every failure in detail, then
//! every case in a table filterable by API, status, tag and text.
//!
//! Every piece of text from the run is escaped with `html-escape` (case files and responses may
//! be hostile); the script reads only `data-` attributes, so no run data is ever inside it.
//! Bodies longer than [`BODY_MAX_BYTES`] are cut with a note, so that big suites stay small.

use std::fmt::Write as _;

use html_escape::{encode_double_quoted_attribute as attr, encode_text as text};

use super::doc::ReportDoc;
use super::markdown::{api_summaries, is_failure, totals, verdict};
use crate::case::CaseId;
use crate::run::event::TargetInfo;
use crate::run::{CaseOutcome, OutcomeStatus};

/// A body is cut past this many bytes.
pub const BODY_MAX_BYTES: usize = 64 * 1024;

/// A body of more lines than this starts collapsed.
const OPEN_MAX_LINES: usize = 25;

const STYLE: &str = include_str!("html/style.css");
const SCRIPT: &str = include_str!("html/filter.js");

/// What the page knows beyond the document: where case files are, which commit ran.
#[derive(Debug, Clone, Default)]
pub struct Page {
    /// Prefix of a case file's link (`source_base` + `cases/kimai/x.yaml` + `#L12`): e.g.
    /// `../../` from `target/conform/` to the project, or a repository's blob URL.
    pub source_base: String,
    /// The commit under test, when CI says (`GITHUB_SHA`, `CI_COMMIT_SHA`).
    pub commit: Option<String>,
}

/// The whole page.
pub fn render(doc: &ReportDoc, links: &Page) -> String {
    render_with(doc, links, "")
}

/// The whole page with `sections` (already escaped HTML, e.g. `conform drift`'s) between the
/// summary and the failures.
pub fn render_with(doc: &ReportDoc, links: &Page, sections: &str) -> String {
    let mut out = String::with_capacity(16 * 1024 + doc.outcomes.len() * 300);
    let verdict = verdict(&doc.summary);
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>conform: {}</title>\n<style>\n{STYLE}</style>\n</head>\n<body>\n",
        text(verdict)
    );
    summary(&mut out, doc, links);
    out.push_str(sections);
    failures(&mut out, doc, links);
    cases(&mut out, doc, links);
    let _ = write!(out, "<script>\n{SCRIPT}</script>\n</body>\n</html>\n");
    out
}

fn status_name(s: OutcomeStatus) -> &'static str {
    match s {
        OutcomeStatus::Passed => "passed",
        OutcomeStatus::Failed => "failed",
        OutcomeStatus::Error => "error",
        OutcomeStatus::Skipped => "skipped",
        OutcomeStatus::Interrupted => "interrupted",
    }
}

fn summary(out: &mut String, doc: &ReportDoc, page: &Page) {
    let s = &doc.summary;
    let v = verdict(s);
    let _ = write!(
        out,
        "<header>\n<h1>conform: <span class=\"verdict v-{}\">{}</span></h1>\n<p id=\"totals\">{}</p>\n",
        attr(&v.replace(' ', "-").to_lowercase()),
        text(v),
        text(&totals(s))
    );
    out.push_str("<dl class=\"meta\">\n");
    let _ = writeln!(
        out,
        "<dt>duration</dt><dd>{:.2} s</dd>",
        s.duration_ms / 1000.0
    );
    for t in &doc.run.targets {
        let _ = writeln!(
            out,
            "<dt>target {}</dt><dd>{}</dd>",
            text(&t.api),
            text(&t.target)
        );
    }
    if let Some(shard) = &doc.run.selection.shard {
        let _ = writeln!(out, "<dt>shard</dt><dd>{}</dd>", text(shard));
    }
    if let Some(commit) = &page.commit {
        let _ = writeln!(out, "<dt>commit</dt><dd>{}</dd>", text(commit));
    }
    let _ = writeln!(
        out,
        "<dt>conform</dt><dd>{}</dd>\n</dl>",
        text(&doc.conform_version)
    );
    out.push_str("<table id=\"by-status\" class=\"counts\">\n<caption>by status</caption>\n<tr>");
    for (name, n) in [
        ("passed", s.passed),
        ("failed", s.failed),
        ("error", s.errors),
        ("skipped", s.skipped),
        ("interrupted", s.interrupted),
        ("total", s.total),
    ] {
        let _ = write!(
            out,
            "<td class=\"s-{name}\"><span class=\"n\" data-count=\"{name}\">{n}</span> {name}</td>"
        );
    }
    out.push_str("</tr>\n</table>\n");
    out.push_str(
        "<table id=\"by-class\" class=\"counts\">\n<caption>failures by class</caption>\n<tr>",
    );
    for (name, n) in [
        ("contract", s.contract),
        ("refused", s.refused),
        ("data", s.data),
    ] {
        let _ = write!(
            out,
            "<td class=\"c-{name}\"><span class=\"n\" data-count=\"{name}\">{n}</span> {name}</td>"
        );
    }
    out.push_str("</tr>\n</table>\n");
    out.push_str("<table id=\"by-api\" class=\"apis\">\n<caption>by API</caption>\n<tr><th>API</th><th>cases</th><th>passed</th><th>failed</th><th>error</th><th>skipped</th></tr>\n");
    for (api, a) in api_summaries(doc) {
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            text(&api),
            a.total,
            a.passed,
            a.failed,
            a.errors,
            a.skipped
        );
    }
    out.push_str("</table>\n</header>\n");
}

fn failures(out: &mut String, doc: &ReportDoc, links: &Page) {
    let list: Vec<&CaseOutcome> = doc.outcomes.iter().filter(|o| is_failure(o)).collect();
    if list.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "<section id=\"failures\">\n<h2>Failures ({})</h2>",
        list.len()
    );
    for o in list {
        failure(out, o, &doc.run.targets, links);
    }
    out.push_str("</section>\n");
}

fn failure(out: &mut String, o: &CaseOutcome, targets: &[TargetInfo], links: &Page) {
    let class = o
        .class
        .map(|c| format!(" · <span class=\"class\">{}</span>", c.as_str()))
        .unwrap_or_default();
    let _ = writeln!(
        out,
        "<article class=\"failure s-{}\" id=\"{}\">\n<h3>{}</h3>\n<p class=\"where\">{} · {}{class}</p>",
        status_name(o.status),
        attr(&anchor(o)),
        text(&o.id.to_string()),
        file_link(o, links),
        text(&o.endpoint)
    );
    for line in &o.not_evaluated {
        let _ = writeln!(
            out,
            "<p class=\"not-evaluated\">not evaluated: {}</p>",
            text(line)
        );
    }
    if let Some(e) = &o.error {
        let _ = writeln!(out, "<p class=\"why\">error: {}</p>", text(e));
    }
    for c in o.failed_checks() {
        let _ = writeln!(
            out,
            "<p class=\"why\"><span class=\"check\">{}</span> {}</p>",
            text(c.kind.as_str()),
            text(&c.message)
        );
        if let Some(diff) = &c.diff {
            out.push_str("<pre class=\"diff\">");
            for line in diff.lines() {
                let class = match line.chars().next() {
                    Some('+') if !line.starts_with("+++") => "add",
                    Some('-') if !line.starts_with("---") => "del",
                    _ => "ctx",
                };
                // Block spans, no newline between them: a newline would add a blank line.
                let _ = write!(out, "<span class=\"{class}\">{}</span>", text(line));
            }
            out.push_str("</pre>\n");
        }
    }
    for r in &o.retries {
        let _ = writeln!(out, "<p class=\"retry\">retry: {}</p>", text(r));
    }
    if let Some(r) = &o.request {
        let mut head = format!("{} {}\n", r.method, r.url);
        for (n, v) in &r.headers {
            let _ = writeln!(head, "{n}: {v}");
        }
        exchange(out, "request", &head, r.body.as_deref());
    }
    if let Some(r) = &o.response {
        let mut head = format!("{} ({} ms)\n", r.status, r.elapsed_ms);
        for (n, v) in &r.headers {
            let _ = writeln!(head, "{n}: {v}");
        }
        exchange(out, "response", &head, r.body.as_deref());
    }
    if let Some(cmd) = super::curl::command(o, super::curl::credentials_of(targets, o)) {
        let _ = writeln!(
            out,
            "<p class=\"label\">reproduce</p>\n<pre class=\"curl\">{}</pre>",
            text(&cmd)
        );
    }
    out.push_str("</article>\n");
}

/// A request or response: its head, then its body (cut when huge, collapsed when long).
fn exchange(out: &mut String, what: &str, head: &str, body: Option<&str>) {
    let _ = write!(
        out,
        "<p class=\"label\">{what}</p>\n<pre class=\"head\">{}</pre>\n",
        text(head.trim_end())
    );
    let Some(body) = body.filter(|b| !b.is_empty()) else {
        return;
    };
    let pretty = pretty(body);
    let (shown, cut) = if pretty.len() > BODY_MAX_BYTES {
        let kept = crate::diag::truncate_str(&pretty, BODY_MAX_BYTES);
        (kept, Some(pretty.len() - kept.len()))
    } else {
        (pretty.as_str(), None)
    };
    let lines = shown.lines().count();
    let open = if lines <= OPEN_MAX_LINES { " open" } else { "" };
    let _ = write!(
        out,
        "<details class=\"body\"{open}><summary>{what} body ({lines} lines)</summary><pre>{}</pre>",
        text(shown)
    );
    if let Some(rest) = cut {
        let _ = write!(
            out,
            "<p class=\"note\">cut: {rest} more bytes (bodies are cut past {BODY_MAX_BYTES} bytes)</p>"
        );
    }
    out.push_str("</details>\n");
}

/// JSON pretty-printed; anything else as it is.
fn pretty(body: &str) -> String {
    serde_json::from_str::<serde_json::Value>(body)
        .ok()
        .and_then(|v| serde_json::to_string_pretty(&v).ok())
        .unwrap_or_else(|| body.to_string())
}

fn anchor(o: &CaseOutcome) -> String {
    case_anchor(&o.id)
}

/// The id of a failed case's article (`#case-...`).
pub fn case_anchor(id: &CaseId) -> String {
    let id: String = id
        .to_string()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    format!("case-{id}")
}

fn file_link(o: &CaseOutcome, links: &Page) -> String {
    source_link(links, &o.file, o.line)
}

/// A link to a line of a case file, `file:line` as its text.
pub fn source_link(links: &Page, file: &str, line: u32) -> String {
    format!(
        "<a href=\"{}\">{}:{}</a>",
        attr(&format!("{}{}#L{}", links.source_base, file, line)),
        text(file),
        line
    )
}

fn cases(out: &mut String, doc: &ReportDoc, links: &Page) {
    let mut apis: Vec<&str> = doc.outcomes.iter().map(|o| o.id.api.as_str()).collect();
    apis.dedup();
    apis.sort();
    apis.dedup();
    let mut tags: Vec<&str> = doc
        .outcomes
        .iter()
        .flat_map(|o| o.tags.iter().map(String::as_str))
        .collect();
    tags.sort();
    tags.dedup();
    let _ = writeln!(
        out,
        "<section id=\"cases\">\n<h2>All cases ({})</h2>\n<div class=\"filters\" id=\"filters\">",
        doc.outcomes.len()
    );
    select(out, "f-api", "all APIs", &apis);
    select(
        out,
        "f-status",
        "all statuses",
        &["passed", "failed", "error", "skipped", "interrupted"],
    );
    select(out, "f-tag", "all tags", &tags);
    out.push_str("<input type=\"search\" id=\"f-text\" placeholder=\"filter by text\" aria-label=\"filter by text\">\n<span id=\"shown\"></span>\n</div>\n");
    out.push_str("<table id=\"case-table\">\n<thead><tr><th>status</th><th>case</th><th>endpoint</th><th>file</th><th>ms</th></tr></thead>\n<tbody>\n");
    for o in &doc.outcomes {
        let status = status_name(o.status);
        let name = o.id.to_string();
        let link = if is_failure(o) {
            format!("<a href=\"#{}\">{}</a>", attr(&anchor(o)), text(&name))
        } else {
            text(&name).into_owned()
        };
        let _ = writeln!(
            out,
            "<tr class=\"s-{status}\" data-api=\"{}\" data-status=\"{status}\" data-tags=\"{}\" data-text=\"{}\"><td>{status}</td><td>{link}</td><td>{}</td><td>{}</td><td>{:.0}</td></tr>",
            attr(&o.id.api),
            attr(&o.tags.join(" ").to_lowercase()),
            attr(&format!("{name} {} {}", o.endpoint, o.skip_reason.as_deref().unwrap_or("")).to_lowercase()),
            text(&o.endpoint),
            file_link(o, links),
            o.duration_ms
        );
    }
    out.push_str("</tbody>\n</table>\n</section>\n");
}

fn select(out: &mut String, id: &str, all: &str, values: &[&str]) {
    let _ = write!(
        out,
        "<select id=\"{id}\" aria-label=\"{all}\"><option value=\"\">{all}</option>"
    );
    for v in values {
        let _ = write!(out, "<option value=\"{}\">{}</option>", attr(v), text(v));
    }
    out.push_str("</select>\n");
}
