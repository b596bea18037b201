//! Scenarios: a flow file plays as an ordered script per named scenario, scenarios never share
//! state (two clients playing the same flow at once, 50 times, get identical answers), and the
//! journal names what a scenario left unfinished.

mod mock_support;

use conform::mock::load::Loaded;
use mock_support::{read, recordings, replay, Mock, Reply};

fn flow(api: &str, stem: &str) -> Vec<Loaded> {
    recordings(api)
        .into_iter()
        .filter(|e| e.stem == stem)
        .collect()
}

/// Plays every step of `steps` in scenario `name`, by header or by path prefix.
async fn play(
    mock: &Mock,
    steps: &[Loaded],
    name: &str,
    by_prefix: bool,
) -> Vec<(u16, Vec<u8>, Option<String>)> {
    let mut out = Vec::new();
    for e in steps {
        let prefix = if by_prefix {
            format!("/__scenario/{name}")
        } else {
            String::new()
        };
        let mut r = replay(mock, "kimai", e, &prefix, e.authed);
        if !by_prefix {
            r = r.header("x-conform-scenario", name);
        }
        let reply: Reply = read(r).await;
        out.push((
            reply.status,
            reply.body.clone(),
            reply.matched().map(|m| m.1),
        ));
    }
    out
}

#[test]
fn concurrent_clients_of_one_flow_get_identical_answers() {
    let steps = flow("kimai", "customer_lifecycle_flow");
    assert!(steps.len() >= 5);
    let expected: Vec<(u16, Vec<u8>, Option<String>)> = steps
        .iter()
        .map(|e| {
            (
                e.interaction.response.status,
                e.interaction.response.body_bytes(),
                Some(e.id()),
            )
        })
        .collect();
    let mock = Mock::start("kimai", &["--strict"]);
    for round in 0..50 {
        let (name_a, name_b) = (format!("a-{round}"), format!("b {round}"));
        let (a, b) = mock.block_on(async {
            tokio::join!(
                play(&mock, &steps, &name_a, false),
                play(&mock, &steps, &name_b, true)
            )
        });
        assert_eq!(a, expected, "round {round}, client a");
        assert_eq!(b, expected, "round {round}, client b");
    }
}

#[test]
fn a_used_step_is_not_served_twice_and_unfinished_flows_are_journaled() {
    let steps = flow("kimai", "customer_lifecycle_flow");
    let mock = Mock::start("kimai", &["--strict"]);
    let send = |e: &Loaded, scenario: &str| {
        mock.send(replay(&mock, "kimai", e, "", e.authed).header("x-conform-scenario", scenario))
    };
    let first = send(&steps[0], "s1");
    assert_eq!(first.matched().unwrap().1, steps[0].id());
    // The create step of the flow is used up in s1: the same request now gets another
    // recording of POST /api/customers (outside the flow) or the explained 404, never the step.
    let again = send(&steps[0], "s1");
    assert_ne!(again.matched().map(|m| m.1), Some(steps[0].id()));
    // Another scenario starts fresh.
    assert_eq!(send(&steps[0], "s2").matched().unwrap().1, steps[0].id());
    let journal = mock.get("/__conform/journal").json();
    let unfinished = journal["unfinished"].as_array().unwrap();
    for s in ["s1", "s2"] {
        let u = unfinished
            .iter()
            .find(|u| u["scenario"] == s)
            .unwrap_or_else(|| panic!("{journal}"));
        assert_eq!(u["next"], steps[1].id());
        assert_eq!(u["flow"], "customer_lifecycle_flow.yaml");
    }
    let requests = journal["requests"].as_array().unwrap();
    assert_eq!(requests.len(), 3);
    // A request that matches nothing in s1 is journaled with s1's expected next step first.
    let stray = mock.send(
        mock.request("GET", "/api/customers/9/nothing")
            .header("x-conform-scenario", "s1")
            .header("X-AUTH-USER", "u")
            .header("X-AUTH-TOKEN", "t"),
    );
    assert_eq!(stray.status, 404);
    let journal = mock.get("/__conform/journal").json();
    let last = journal["requests"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(last["matched"], "miss");
    assert_eq!(last["near_misses"][0]["case"], steps[1].id(), "{last}");
    assert!(last["near_misses"][0]["differences"][0]
        .as_str()
        .unwrap()
        .starts_with("path:"));
    assert_eq!(requests[0]["scenario"], "s1");
    assert_eq!(requests[0]["case"], steps[0].id());
    assert_eq!(requests[0]["matched"], "exact");
}

#[test]
fn out_of_order_steps_are_journaled_and_requests_without_a_scenario_keep_their_answer() {
    let steps = flow("kimai", "customer_lifecycle_flow");
    let mock = Mock::start("kimai", &["--strict"]);
    let step = &steps[2];
    let r = mock
        .send(replay(&mock, "kimai", step, "", step.authed).header("x-conform-scenario", "skip"));
    assert!(r.matched().is_some());
    let journal = mock.get("/__conform/journal").json();
    let why = journal["requests"][0]["why"].as_str().unwrap().to_string();
    assert_eq!(r.matched().unwrap().1, step.id());
    assert!(why.contains("out of order"), "{why}");
    assert!(why.contains(&steps[0].id()), "{why}");
    let once: Vec<Reply> = (0..3)
        .map(|_| mock.send(replay(&mock, "kimai", &steps[1], "", steps[1].authed)))
        .collect();
    let seen = |r: &Reply| (r.status, r.body.clone(), r.matched());
    assert!(
        once.windows(2).all(|w| seen(&w[0]) == seen(&w[1])),
        "{once:?}"
    );
    assert_eq!(once[0].status, 200);
}

/// A flow step whose request was changed misses with a diff against the flow's expected next
/// step (not merely the closest recording), in the answer `conform run` reports.
#[test]
fn a_mutated_step_misses_with_a_diff_against_the_expected_next_step() {
    let steps = flow("kimai", "customer_lifecycle_flow");
    let mock = Mock::start("kimai", &["--strict"]);
    let send = |r: reqwest::RequestBuilder| mock.send(r.header("x-conform-scenario", "mutated"));
    let first = send(replay(&mock, "kimai", &steps[0], "", steps[0].authed));
    assert_eq!(first.matched().unwrap().1, steps[0].id());
    let next = &steps[1];
    let mutated =
        send(replay(&mock, "kimai", next, "", next.authed).query(&[("mutated", "yes-this-one")]));
    assert_eq!(mutated.status, 404);
    assert_eq!(mutated.header("x-conform-unmatched"), Some("1"));
    let body = mutated.json();
    assert_eq!(body["closest"]["is"], "next_step", "{body:#}");
    assert_eq!(body["closest"]["case"], next.interaction.case.as_str());
    let message = body["message"].as_str().unwrap();
    assert!(
        message.contains("expected next step of the flow"),
        "{message}"
    );
    let diff = body["diff"].as_str().unwrap();
    let lines: Vec<&str> = diff.lines().collect();
    assert_eq!(lines[0], format!("--- expected {}", next.id()), "{diff}");
    assert_eq!(lines[1], "+++ sent", "{diff}");
    assert!(lines.contains(&"+?mutated=yes-this-one"), "{diff}");
    let request_line = format!(
        " {} {}",
        next.interaction.request.method, next.interaction.request.path
    );
    assert!(lines.contains(&request_line.as_str()), "{diff}");
}

/// Two files record the same GET: in a scenario, the file the client played last answers it
/// (its cases run in order: the list read after its delete is its own, not another file's).
#[test]
fn an_identical_request_goes_to_the_file_played_last() {
    let add = flow("kimai", "add_customer_rate");
    let delete = flow("kimai", "delete_customer_rate");
    let mock = Mock::start("kimai", &["--strict"]);
    let send = |e: &Loaded| {
        mock.send(replay(&mock, "kimai", e, "", e.authed).header("x-conform-scenario", "files"))
    };
    assert_eq!(send(&add[0]).matched().unwrap().1, add[0].id());
    for step in &delete[..3] {
        assert_eq!(send(step).matched().unwrap().1, step.id());
    }
    assert_eq!(delete[2].interaction.request.method, "GET");
    assert!(add.iter().any(
        |e| e.interaction.request.path == delete[2].interaction.request.path
            && e.interaction.request.method == "GET"
    ));
}
