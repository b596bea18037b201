//! `conform list`: APIs, their endpoints and cases.

use std::path::Path;

use super::Out;
use crate::case::{load_suite, LoadOptions, Suite};
use crate::error::{Error, EXIT_OK};
use crate::plan::{plan, Selection};

pub fn list(root: &Path, apis: Vec<String>) -> Result<i32, Error> {
    let suite = load_suite(
        root,
        &LoadOptions {
            apis: apis.clone(),
            ..LoadOptions::default()
        },
    )?;
    let selection = Selection {
        apis,
        ..Selection::default()
    };
    plan(&suite, &selection).map_err(Error::Usage)?;
    Out::text(&list_text(&suite, &selection.apis));
    Ok(EXIT_OK)
}

/// `conform list`: APIs, then endpoints with their cases.
pub fn list_text(suite: &Suite, apis: &[String]) -> String {
    let mut out = String::new();
    for api in suite
        .apis
        .iter()
        .filter(|a| apis.is_empty() || apis.contains(&a.name))
    {
        let title = api
            .title
            .as_deref()
            .map(|t| format!(" — {t}"))
            .unwrap_or_default();
        out.push_str(&format!("{}{title}\n", api.name));
        for file in &api.files {
            let head = match &file.endpoint {
                Some(e) => format!("{:<7} {}", e.method, e.path),
                None => format!("{:<7} {}", "FLOW", file.stem),
            };
            out.push_str(&format!("  {head}  ({})\n", file.path.display()));
            for case in &file.cases {
                let step = match (&file.endpoint, file.flow) {
                    (Some(e), false) if *e == case.endpoint => String::new(),
                    _ => format!("{} ", case.endpoint),
                };
                let cleanup = if case.cleanup { " (cleanup)" } else { "" };
                let tags = if case.tags.is_empty() {
                    String::new()
                } else {
                    format!("  [{}]", case.tags.join(", "))
                };
                let skip = case
                    .skip
                    .as_ref()
                    .map(|r| format!("  (skip: {r})"))
                    .unwrap_or_default();
                out.push_str(&format!(
                    "            - {step}{}{cleanup}{tags}{skip}\n",
                    case.name
                ));
            }
        }
    }
    out
}
