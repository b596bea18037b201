//! Drift for people: the terminal (grouped by grade, breaking first) and `drift.md`, a
//! pull-request comment.

use super::doc::DriftDoc;
use super::finding::{show, Finding, Grade};

/// The totals line: counts by grade, cases compared, what was not.
pub fn headline(doc: &DriftDoc) -> String {
    let s = &doc.summary;
    let mut text = format!(
        "{} breaking, {} additive, {} value, {} noise; {} cases compared",
        s.breaking, s.additive, s.value, s.noise, s.compared
    );
    for (n, what) in [
        (s.no_recording, "without a recording"),
        (s.errors, "could not be checked"),
        (s.ignored, "findings ignored by rules"),
    ] {
        if n > 0 {
            text.push_str(&format!(", {n} {what}"));
        }
    }
    text
}

fn place(f: &Finding) -> String {
    if f.pointer.is_empty() {
        f.part.name().to_string()
    } else {
        format!("{} {}", f.part.name(), f.pointer)
    }
}

fn of_grade(doc: &DriftDoc, grade: Grade) -> Vec<&Finding> {
    doc.findings().filter(|f| f.grade == grade).collect()
}

/// The terminal report.
pub fn terminal(doc: &DriftDoc) -> String {
    let mut out = format!("drift: {}\n", headline(doc));
    for grade in Grade::ALL {
        let findings = of_grade(doc, grade);
        if findings.is_empty() {
            continue;
        }
        out.push_str(&format!("\n{} ({})\n", grade.name(), findings.len()));
        for f in findings {
            out.push_str(&format!(
                "  {}  {}  {}\n    recorded {} -> live {}  ({}; {})  {}  [{}]\n",
                f.code.name(),
                f.case,
                place(f),
                show(f.recorded.as_ref()),
                show(f.live.as_ref()),
                f.why,
                schema_word(f),
                f.location,
                f.fingerprint
            ));
        }
    }
    for c in doc.cases.iter().filter(|c| c.error.is_some()) {
        out.push_str(&format!(
            "\nnot checked: {}  {}: {}\n",
            c.case,
            c.location,
            c.error.as_deref().unwrap_or_default()
        ));
    }
    for r in &doc.refused {
        out.push_str(&format!("\nrefused: {}\n", r.message));
    }
    out
}

fn schema_word(f: &Finding) -> &'static str {
    match f.schema {
        super::finding::SchemaVerdict::Accepts => "schema accepts",
        super::finding::SchemaVerdict::Rejects => "schema rejects",
        super::finding::SchemaVerdict::NoSchema => "no schema",
    }
}

/// Text inside a Markdown table cell, as inline code: no backticks, pipes or line breaks.
fn cell(text: &str) -> String {
    let t = text
        .replace('`', "'")
        .replace('|', "\\|")
        .replace(['\n', '\r'], " ");
    format!("`{t}`")
}

/// `drift.md`: a pull-request comment.
pub fn markdown(doc: &DriftDoc) -> String {
    let mut out = format!("## conform drift\n\n{}\n", headline(doc));
    for grade in Grade::ALL {
        let findings = of_grade(doc, grade);
        if findings.is_empty() {
            continue;
        }
        out.push_str(&format!(
            "\n### {} ({})\n\n| code | case | where | recorded | live | schema | fingerprint |\n|---|---|---|---|---|---|---|\n",
            grade.name(),
            findings.len()
        ));
        for f in findings {
            out.push_str(&format!(
                "| {} | {} ({}) | {} | {} | {} | {} | {} |\n",
                f.code.name(),
                cell(&f.case.to_string()),
                cell(&f.location),
                cell(&place(f)),
                cell(&show(f.recorded.as_ref())),
                cell(&show(f.live.as_ref())),
                schema_word(f),
                cell(&f.fingerprint)
            ));
        }
    }
    if !doc.refused.is_empty() {
        out.push_str("\n### refused ignore rules\n\n");
        for r in &doc.refused {
            out.push_str(&format!("- {}\n", r.message.replace(['\n', '\r'], " ")));
        }
    }
    out.push_str(
        "\nAccept with `conform record --from-drift drift.json --grade additive,value` (breaking findings only by `--accept FINGERPRINT`).\n",
    );
    out
}
