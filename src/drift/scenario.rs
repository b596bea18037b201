//! Scenarios for a target that keeps state per client (`conform mock`, docs/recordings.md): a
//! drift run names its own scenarios in `x-conform-scenario`, one per flow file (so that flows
//! running at the same time never take each other's steps) and one for the other files of each
//! API, all unique to the run. A vendor ignores the header.

use crate::case::template::Template;
use crate::case::Suite;
use crate::run::wire::SCENARIO_HEADER;

/// A name no other drift run uses: `drift-<unix milliseconds>-<process id>`.
pub fn run_name() -> String {
    let ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis())
        .unwrap_or_default();
    format!("drift-{ms}-{}", std::process::id())
}

/// The scenario of a file: `<run>.<api>.<file stem>` for a flow, `<run>.<api>` otherwise.
pub fn scenario_of(run: &str, api: &str, stem: &str, flow: bool) -> String {
    match flow {
        true => format!("{run}.{api}.{stem}"),
        false => format!("{run}.{api}"),
    }
}

/// Adds the scenario header to every case of the APIs `apis` (a case's own header wins).
pub fn name_scenarios(suite: &mut Suite, apis: &[usize], run: &str) {
    for &ai in apis {
        let api = &mut suite.apis[ai];
        for file in &mut api.files {
            let name = scenario_of(run, &api.name, &file.stem, file.flow);
            for case in &mut file.cases {
                let headers = &mut case.request.headers;
                if !headers
                    .iter()
                    .any(|(n, _)| n.eq_ignore_ascii_case(SCENARIO_HEADER))
                {
                    headers.push((SCENARIO_HEADER.into(), Template::literal(name.clone())));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_flow_file_has_its_own_scenario_and_runs_differ() {
        assert_eq!(
            scenario_of("r", "kimai", "lifecycle", true),
            "r.kimai.lifecycle"
        );
        assert_eq!(scenario_of("r", "kimai", "get_customer", false), "r.kimai");
        assert!(run_name().starts_with("drift-"));
    }
}
