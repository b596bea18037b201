//! Each vendor's real `cases/<api>/api.yaml` authenticates as the vendor documents
//! (`../shared/reference/<api>/auth.json`), proved against a local server that answers only when
//! the credentials, token requests and signatures are exactly right. The expected values are
//! computed here independently of conform's template functions.

mod common;

use base64::Engine;
use common::{assert_no_secret_written, Project, Run};
use httpmock::prelude::*;
use rstest::rstest;
use serde_json::json;

/// A project holding the real api.yaml of `api` and one probe case.
fn project(api: &str) -> Project {
    let real = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("cases")
        .join(api)
        .join("api.yaml");
    let p = Project::with_api("name: unused\n");
    std::fs::remove_dir_all(p.path("cases/demo")).unwrap();
    p.write(
        &format!("cases/{api}/api.yaml"),
        &std::fs::read_to_string(real).unwrap(),
    );
    p.write(
        &format!("cases/{api}/probe.yaml"),
        "endpoint: GET /conform-probe\ncases:\n  - name: probe\n    expect: { status: 200 }\n",
    );
    p
}

/// The fixtures each api.yaml's `setup:` would discover, pinned with `--var` so that only the
/// probe reaches the server (a pinned step is left out).
fn pinned_fixtures(api: &str) -> &'static [&'static str] {
    match api {
        "kimai" => &[
            "known_customer_id=1",
            "hidden_customer_id=4",
            "known_rate_id=1",
        ],
        "mindbody" => &["known_contact_log_id=2001", "known_formula_note_id=9001"],
        _ => &[],
    }
}

/// Runs the probe with `--env ENV`, against `base_url` when given (else the environment's own).
fn run(p: &Project, api: &str, env: &str, base_url: Option<&str>, vars: &[(&str, &str)]) -> Run {
    let mut args = vec!["run", "--api", api, "--env", env];
    if let Some(url) = base_url {
        args.extend(["--base-url", url]);
    }
    for pin in pinned_fixtures(api) {
        args.extend(["--var", pin]);
    }
    let out = p.conform_env(&args, vars);
    // Every setup step is left out: nothing but the probe (and a token request) was sent.
    assert!(
        !out.stdout().contains(&format!("PASS {api}/setup::")),
        "{}",
        out.all()
    );
    out
}

fn md5_hex(s: &str) -> String {
    use md5::Digest;
    hex::encode(md5::Md5::digest(s.as_bytes()))
}

#[test]
fn kimai_sandbox_sends_the_api_password_headers() {
    let server = MockServer::start();
    let probe = server.mock(|when, then| {
        when.method(GET)
            .path("/conform-probe")
            .header("X-AUTH-USER", "qa-user@example.com")
            .header("X-AUTH-TOKEN", "kimai-api-password-5521");
        then.status(200);
    });
    let p = project("kimai");
    let vars = [
        ("KIMAI_USER", "qa-user@example.com"),
        ("KIMAI_API_TOKEN", "kimai-api-password-5521"),
    ];
    let out = run(&p, "kimai", "sandbox", Some(&server.base_url()), &vars);
    assert_eq!(out.code(), 0, "{}", out.all());
    probe.assert_calls(1);
    assert_no_secret_written(&p, &[&out], &["kimai-api-password-5521"]);
}

#[test]
fn kimai_production_uses_a_bearer_token_on_the_host_from_the_environment() {
    let server = MockServer::start();
    let probe = server.mock(|when, then| {
        when.method(GET)
            .path("/conform-probe")
            .header("Authorization", "Bearer kimai-api-token-7781");
        then.status(200);
    });
    let p = project("kimai");
    // No --base-url: the host comes from KIMAI_BASE_URL through the environment's base_url.
    let vars = [
        ("KIMAI_BASE_URL", server.base_url()),
        ("KIMAI_API_TOKEN", "kimai-api-token-7781".into()),
    ];
    let vars: Vec<(&str, &str)> = vars.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let out = run(&p, "kimai", "production", None, &vars);
    assert_eq!(out.code(), 0, "{}", out.all());
    probe.assert_calls(1);
    assert_no_secret_written(&p, &[&out], &["kimai-api-token-7781"]);
}

#[test]
fn mindbody_issues_a_staff_token_and_sends_it_with_the_api_key_and_site() {
    let server = MockServer::start();
    let issue = server.mock(|when, then| {
        when.method(POST)
            .path("/usertoken/issue")
            .header("Api-Key", "mb-api-key-0042")
            .header("SiteId", "-99")
            .header("content-type", "application/json")
            .json_body(json!({"Username": "mbowner", "Password": "mb-staff-password-77"}));
        then.status(200).json_body(json!({
            "TokenType": "Bearer",
            "AccessToken": "mb-access-token-9f9f",
            "Expires": "2026-11-25T00:00:00Z",
            "User": {"Id": 1, "FirstName": "QA", "LastName": "Owner", "Type": "Owner"}
        }));
    });
    let probe = server.mock(|when, then| {
        when.method(GET)
            .path("/conform-probe")
            .header("Api-Key", "mb-api-key-0042")
            .header("SiteId", "-99")
            // auth.json: the SDK sends the raw token, without a scheme.
            .header("Authorization", "mb-access-token-9f9f");
        then.status(200);
    });
    let p = project("mindbody");
    let vars = [
        ("MINDBODY_API_KEY", "mb-api-key-0042"),
        ("MINDBODY_USERNAME", "mbowner"),
        ("MINDBODY_PASSWORD", "mb-staff-password-77"),
        ("MINDBODY_CLIENT_ID", "100000001"),
    ];
    let out = run(&p, "mindbody", "sandbox", Some(&server.base_url()), &vars);
    assert_eq!(out.code(), 0, "{}", out.all());
    issue.assert_calls(1);
    probe.assert_calls(1);
    assert_no_secret_written(
        &p,
        &[&out],
        &[
            "mb-api-key-0042",
            "mb-staff-password-77",
            "mb-access-token-9f9f",
        ],
    );
}

/// A regex for the current Unix time in seconds, valid for the next two minutes.
fn epoch_seconds_now() -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let prefix = |t: u64| t.to_string()[..5].to_string();
    format!("^({}|{})\\d{{5}}$", prefix(now), prefix(now + 120))
}

fn timetap_vendor(server: &MockServer) -> (httpmock::Mock<'_>, httpmock::Mock<'_>) {
    // The signature is md5(apiKey + privateKey), lowercase hex; the private key is never sent.
    let signature = md5_hex("tt-api-key-3131tt-private-key-8080");
    let token = server.mock(|when, then| {
        when.method(GET)
            .path("/sessionToken")
            .query_param("apiKey", "tt-api-key-3131")
            .query_param("signature", &signature)
            // Seconds since the epoch, now (allowing for the run to cross a 10^5 s boundary).
            .query_param_matches(
                regex::Regex::new("^timestamp$").unwrap(),
                regex::Regex::new(&epoch_seconds_now()).unwrap(),
            );
        then.status(200).json_body(json!({
            "sessionToken": "st:api:api:0123456789abcdef0123456789abcdef"
        }));
    });
    let probe = server.mock(|when, then| {
        when.method(GET).path("/conform-probe").header(
            "Authorization",
            "Bearer st:api:api:0123456789abcdef0123456789abcdef",
        );
        then.status(200);
    });
    (token, probe)
}

#[test]
fn timetap_signs_the_session_token_request_and_sends_the_token() {
    let server = MockServer::start();
    let (token, probe) = timetap_vendor(&server);
    let p = project("timetap");
    let vars = [
        ("TIMETAP_API_KEY", "tt-api-key-3131"),
        ("TIMETAP_PRIVATE_KEY", "tt-private-key-8080"),
    ];
    let out = run(&p, "timetap", "sandbox", Some(&server.base_url()), &vars);
    assert_eq!(out.code(), 0, "{}", out.all());
    token.assert_calls(1);
    probe.assert_calls(1);
    let secrets = [
        "tt-api-key-3131",
        "tt-private-key-8080",
        "0123456789abcdef0123456789abcdef",
    ];
    assert_no_secret_written(&p, &[&out], &secrets);
}

#[test]
fn timetap_with_a_wrong_private_key_fails_without_reaching_the_api() {
    let server = MockServer::start();
    let (token, probe) = timetap_vendor(&server);
    let p = project("timetap");
    let vars = [
        ("TIMETAP_API_KEY", "tt-api-key-3131"),
        ("TIMETAP_PRIVATE_KEY", "not-the-private-key"),
    ];
    let out = run(&p, "timetap", "sandbox", Some(&server.base_url()), &vars);
    assert_eq!(out.code(), 1, "{}", out.all());
    token.assert_calls(0);
    probe.assert_calls(0);
    assert!(
        out.stdout().to_lowercase().contains("token"),
        "the failure should name the token request: {}",
        out.all()
    );
    assert_no_secret_written(&p, &[&out], &["not-the-private-key", "tt-api-key-3131"]);
}

#[test]
fn trackops_uses_basic_auth_with_the_token_suffix() {
    let server = MockServer::start();
    let expected = base64::engine::general_purpose::STANDARD.encode("qa.lead/token:trk-token-6060");
    let probe = server.mock(|when, then| {
        when.method(GET)
            .path("/conform-probe")
            .header("Authorization", format!("Basic {expected}"));
        then.status(200);
    });
    let p = project("trackops");
    let vars = [
        ("TRACKOPS_USERNAME", "qa.lead"),
        ("TRACKOPS_API_TOKEN", "trk-token-6060"),
        ("TRACKOPS_SUBDOMAIN", "acme-test"),
    ];
    let out = run(&p, "trackops", "sandbox", Some(&server.base_url()), &vars);
    assert_eq!(out.code(), 0, "{}", out.all());
    probe.assert_calls(1);
    assert_no_secret_written(&p, &[&out], &["trk-token-6060", expected.as_str()]);
}

#[test]
fn perfectgym_sends_the_studio_api_key() {
    let server = MockServer::start();
    let probe = server.mock(|when, then| {
        when.method(GET)
            .path("/conform-probe")
            .header("X-API-KEY", "pg-studio-key-4545");
        then.status(200);
    });
    let p = project("perfectgym");
    let vars = [
        ("PERFECTGYM_API_KEY", "pg-studio-key-4545"),
        ("PERFECTGYM_TENANT", "acme"),
    ];
    let out = run(&p, "perfectgym", "sandbox", Some(&server.base_url()), &vars);
    assert_eq!(out.code(), 0, "{}", out.all());
    probe.assert_calls(1);
    assert_no_secret_written(&p, &[&out], &["pg-studio-key-4545"]);
}

/// With nothing set, every API refuses to start, names every variable its sandbox needs (and only
/// names), and sends nothing.
#[rstest]
#[case::kimai("kimai", &["KIMAI_API_TOKEN", "KIMAI_USER"])]
#[case::mindbody("mindbody", &["MINDBODY_API_KEY", "MINDBODY_CLIENT_ID", "MINDBODY_PASSWORD", "MINDBODY_USERNAME"])]
#[case::timetap("timetap", &["TIMETAP_API_KEY", "TIMETAP_PRIVATE_KEY"])]
#[case::trackops("trackops", &["TRACKOPS_API_TOKEN", "TRACKOPS_SUBDOMAIN", "TRACKOPS_USERNAME"])]
#[case::perfectgym("perfectgym", &["PERFECTGYM_API_KEY", "PERFECTGYM_TENANT"])]
fn a_missing_secret_stops_the_run_before_any_request(#[case] api: &str, #[case] names: &[&str]) {
    let server = MockServer::start();
    let anything = server.mock(|_, then| {
        then.status(200);
    });
    let p = project(api);
    let out = run(&p, api, "sandbox", Some(&server.base_url()), &[]);
    assert_eq!(out.code(), 2, "{}", out.all());
    let expected = format!(
        "missing environment variables (set them or put them in .env): {}",
        names.join(", ")
    );
    assert!(out.stderr().contains(&expected), "{}", out.all());
    assert!(out.stderr().contains("nothing was sent"), "{}", out.all());
    anything.assert_calls(0);
}
