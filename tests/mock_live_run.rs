//! `conform run --env sandbox --base-url <conform mock>`: a live run with the environment's auth
//! against the standalone mock. Mindbody's token request is answered from recordings/_auth.yaml,
//! and a flow whose requests carry the run's own `{{ unique }}` value reaches the recordings made
//! with the placeholder, exactly (no fallback).

mod mock_support;

use mock_support::Mock;

#[test]
fn a_live_mindbody_flow_gets_a_token_then_exact_answers() {
    let mock = Mock::start("mindbody", &["--strict"]);
    let reports = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_conform"))
        .arg("-C")
        .arg(mock_support::root())
        .args(["run", "--api", "mindbody", "--env", "sandbox", "-j", "1"])
        .args(["--filter", "mindbody/flow_client_lifecycle::", "--base-url"])
        .arg(format!("{}/__scenario/live-run", mock.base))
        .arg("--report-dir")
        .arg(reports.path())
        .env("MINDBODY_API_KEY", "test-api-key-1")
        .env("MINDBODY_USERNAME", "staff-user-1")
        .env("MINDBODY_PASSWORD", "staff-password-1")
        .env("MINDBODY_SITE_ID", "-99")
        .env("MINDBODY_CLIENT_ID", "100000001")
        .output()
        .expect("conform run starts");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let journal = mock.get("/__conform/journal").json();
    let requests = journal["requests"].as_array().expect("journaled requests");
    assert_eq!(
        requests[0]["case"], "_auth::POST /usertoken/issue",
        "{journal:#}"
    );
    assert!(requests.len() > 3, "{journal:#}");
    for r in requests {
        assert_eq!(r["matched"], "exact", "{r}");
        let case = r["case"].as_str().unwrap();
        assert!(
            // The API's setup runs with any selected case (the steps the environment does not pin).
            ["flow_client_lifecycle::", "_auth::", "setup::"]
                .iter()
                .any(|p| case.starts_with(p)),
            "{r}"
        );
    }
    // The staff login and the API key never reach the journal.
    let shown = journal.to_string();
    for secret in ["test-api-key-1", "staff-user-1", "staff-password-1"] {
        assert!(!shown.contains(secret), "{secret} in {shown}");
    }
}
