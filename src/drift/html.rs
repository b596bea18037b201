//! Drift in the HTML report: with `--report html`, `conform drift` writes `report.html` with a
//! drift section between the summary and the failures, grouped by grade (breaking first; noise
//! collapsed). Each finding shows its code, where it is, the recorded and live values (scrubbed in
//! drift.json already, escaped here with `html-escape`: responses may be hostile), the schema's
//! verdict, the fingerprint, and links to the case file and, when the case failed, its failure.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use html_escape::{encode_double_quoted_attribute as attr, encode_text as text};

use super::doc::DriftDoc;
use super::finding::{Finding, Grade, SchemaVerdict};
use super::render::headline;
use crate::case::CaseId;
use crate::report::doc::ReportDoc;
use crate::report::html::{case_anchor, render_with, source_link, Page};
use crate::report::markdown::is_failure;

/// A recorded or live value longer than this many characters is cut.
pub const VALUE_MAX_CHARS: usize = 2000;

/// The run's HTML report with the drift section.
pub fn page(report: &ReportDoc, links: &Page, drift: &DriftDoc) -> String {
    render_with(report, links, &section(report, links, drift))
}

/// The drift section alone.
pub fn section(report: &ReportDoc, links: &Page, drift: &DriftDoc) -> String {
    let failed: BTreeSet<&CaseId> = report
        .outcomes
        .iter()
        .filter(|o| is_failure(o))
        .map(|o| &o.id)
        .collect();
    let total = drift.findings().count();
    let plural = if total == 1 { "" } else { "s" };
    let mut out = String::new();
    let _ = writeln!(
        out,
        "<section id=\"drift\">\n<h2>Drift ({total} finding{plural})</h2>\n<p id=\"drift-totals\">{}</p>",
        text(&headline(drift))
    );
    for grade in Grade::ALL {
        let findings: Vec<&Finding> = drift.findings().filter(|f| f.grade == grade).collect();
        if findings.is_empty() {
            continue;
        }
        let name = grade.name();
        // Noise never needs a look: it starts collapsed.
        let open = if grade == Grade::Noise { "" } else { " open" };
        let _ = writeln!(
            out,
            "<details class=\"drift-grade g-{name}\" id=\"drift-{name}\"{open}><summary>{name} ({})</summary>",
            findings.len()
        );
        out.push_str("<table class=\"drift\">\n<thead><tr><th>code</th><th>case</th><th>where</th><th>recorded</th><th>live</th><th>schema</th><th>why</th><th>fingerprint</th></tr></thead>\n<tbody>\n");
        for f in findings {
            row(&mut out, f, links, failed.contains(&f.case));
        }
        out.push_str("</tbody>\n</table>\n</details>\n");
    }
    let unchecked: Vec<_> = drift.cases.iter().filter(|c| c.error.is_some()).collect();
    if !unchecked.is_empty() {
        out.push_str("<h3>not checked</h3>\n<ul class=\"drift-unchecked\">\n");
        for c in unchecked {
            let _ = writeln!(
                out,
                "<li>{} {}: {}</li>",
                text(&c.case.to_string()),
                location_link(links, &c.location),
                text(c.error.as_deref().unwrap_or_default())
            );
        }
        out.push_str("</ul>\n");
    }
    if !drift.refused.is_empty() {
        out.push_str("<h3>refused ignore rules</h3>\n<ul class=\"drift-refused\">\n");
        for r in &drift.refused {
            let _ = writeln!(out, "<li>{}</li>", text(&r.message));
        }
        out.push_str("</ul>\n");
    }
    out.push_str("</section>\n");
    out
}

fn row(out: &mut String, f: &Finding, links: &Page, failed: bool) {
    let case = f.case.to_string();
    let case = if failed {
        format!(
            "<a href=\"#{}\">{}</a>",
            attr(&case_anchor(&f.case)),
            text(&case)
        )
    } else {
        text(&case).into_owned()
    };
    let place = if f.pointer.is_empty() {
        f.part.name().to_string()
    } else {
        format!("{} {}", f.part.name(), f.pointer)
    };
    let schema = match f.schema {
        SchemaVerdict::Accepts => "accepts",
        SchemaVerdict::Rejects => "rejects",
        SchemaVerdict::NoSchema => "no schema",
    };
    let _ = writeln!(
        out,
        "<tr data-grade=\"{}\" data-fingerprint=\"{}\"><td class=\"code\">{}</td><td class=\"case\">{case}<br>{}</td><td class=\"place\">{}</td><td><pre class=\"recorded\">{}</pre></td><td><pre class=\"live\">{}</pre></td><td>{schema}</td><td>{}</td><td><code>{}</code></td></tr>",
        f.grade.name(),
        attr(&f.fingerprint),
        f.code.name(),
        location_link(links, &f.location),
        text(&place),
        text(&value(f.recorded.as_ref())),
        text(&value(f.live.as_ref())),
        text(&f.why),
        text(&f.fingerprint)
    );
}

/// A value pretty-printed, cut past [`VALUE_MAX_CHARS`].
fn value(v: Option<&serde_json::Value>) -> String {
    let Some(v) = v else {
        return "(absent)".into();
    };
    let pretty = serde_json::to_string_pretty(v).unwrap_or_default();
    if pretty.chars().count() <= VALUE_MAX_CHARS {
        return pretty;
    }
    let cut: String = pretty.chars().take(VALUE_MAX_CHARS).collect();
    format!("{cut}\n... (cut past {VALUE_MAX_CHARS} characters)")
}

/// `cases/x.yaml:5` as a link to the line; as text when it has no line.
fn location_link(links: &Page, location: &str) -> String {
    match location.rsplit_once(':') {
        Some((file, line)) => match line.parse::<u32>() {
            Ok(line) => source_link(links, file, line),
            Err(_) => text(location).into_owned(),
        },
        None => text(location).into_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_value_is_cut_and_a_location_links_to_its_line() {
        let long = serde_json::Value::String("x".repeat(VALUE_MAX_CHARS * 2));
        let shown = value(Some(&long));
        assert!(shown.ends_with("(cut past 2000 characters)"), "{shown}");
        assert!(shown.len() < VALUE_MAX_CHARS + 100);
        let links = Page {
            source_base: "../../".into(),
            commit: None,
        };
        assert_eq!(
            location_link(&links, "cases/a b.yaml:7"),
            "<a href=\"../../cases/a b.yaml#L7\">cases/a b.yaml:7</a>"
        );
        assert_eq!(location_link(&links, "<x>"), "&lt;x&gt;");
    }
}
