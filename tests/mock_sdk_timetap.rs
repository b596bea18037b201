//! timetap's client calls against `conform mock --api timetap`: every client method of the seed as the
//! client library sends it (paths with path parameters the recordings do not have, query encoding,
//! body shape), each answer deserialized into the documented model (required fields required).
//! TimeTap has no published SDK; calls follow the API docs of seed 001 and the community client `timetappy` (its `Bearer <sessionToken>` header), under the test base path `/test`, after the
//! token exchange timetappy does first.

mod mock_support;

use mock_support::sdk::{any_json, failures, typed, Body, Call};
use mock_support::Mock;
use serde::Deserialize;
#[allow(unused_imports)]
use serde_json::Value;

#[test]
fn every_client_method_gets_a_2xx_that_deserializes() {
    let mock = Mock::start("timetap", &[]);
    let token = session_token(&mock);
    assert!(
        token.starts_with("st:api:api:"),
        "documented token shape: {token}"
    );
    // The token request is repeatable: a client that re-authenticates gets a token again.
    assert_eq!(session_token(&mock), token);
    let authorization = format!("Bearer {token}");
    let failed = failures(
        &mock,
        CALLS,
        &[
            ("accept", "application/json"),
            ("Authorization", authorization.as_str()),
        ],
    );
    assert_eq!(CALLS.len(), COUNT);
    assert!(
        failed.is_empty(),
        "{} of {COUNT} methods failed:\n{}",
        failed.len(),
        failed.join("\n")
    );
}

/// timetappy's auth: `GET /live/sessionToken` (always the live prefix) with the API key, a float
/// timestamp (`time.time()`) and md5(apiKey + privateKey) as hex; no Authorization header.
fn session_token(mock: &Mock) -> String {
    use md5::Digest;
    let signature = hex::encode(md5::Md5::digest(b"sdk-api-keysdk-private-key"));
    let reply = mock.send(mock.request("GET", "/live/sessionToken").query(&[
        ("apiKey", "sdk-api-key"),
        ("timestamp", "1764690000.123456"),
        ("signature", signature.as_str()),
    ]));
    assert_eq!(
        reply.status,
        200,
        "token request: {}",
        String::from_utf8_lossy(&reply.body)
    );
    let body: SessionTokenResponse =
        serde_json::from_slice(&reply.body).expect("a SessionTokenResponse");
    body.sessionToken
}

/// The documented token answer (auth.json `response_model`).
#[derive(Debug, Deserialize)]
#[allow(non_snake_case)]
struct SessionTokenResponse {
    sessionToken: String,
}

// The documented models (models.json of the vendor's reference) and the calls.
#[derive(Debug, Deserialize)]
#[allow(non_snake_case, dead_code)]
struct Client {
    address1: Option<String>,
    address2: Option<String>,
    alertNotes: Option<Vec<Value>>,
    allowWaitListText: Option<bool>,
    authnetCustomerId: Option<i64>,
    businessId: Option<i64>,
    cellPhone: Option<String>,
    city: Option<String>,
    clientAccountId: Option<i64>,
    clientId: Option<i64>,
    companyName: Option<String>,
    country: Option<String>,
    county: Option<String>,
    createdDate: Option<i64>,
    createdUser: Option<String>,
    dateOfBirth: Option<String>,
    deleted: Option<bool>,
    emailAddress: Option<String>,
    excludeEmailCategoryIdList: Option<Vec<i64>>,
    excludeEmailTemplateIdList: Option<Vec<i64>>,
    externalUserName: Option<String>,
    fields: Option<Vec<Value>>,
    firstName: Option<String>,
    formList: Option<Vec<Value>>,
    fullName: Option<String>,
    homePhone: Option<String>,
    imageUrl: Option<String>,
    infusionsoftContactId: Option<i64>,
    invitationOptIn: Option<bool>,
    jobRequisitionNumbersAccepted: Option<String>,
    jobRequisitionNumbersDeleted: Option<String>,
    jobRequisitionNumbersSent: Option<String>,
    lastName: Option<String>,
    locale: Option<String>,
    modifiedDate: Option<i64>,
    modifiedUser: Option<String>,
    notes: Option<String>,
    password: Option<String>,
    requisitionIdsAccepted: Option<String>,
    requisitionIdsDeclined: Option<String>,
    requisitionIdsSent: Option<String>,
    salesforceContactId: Option<i64>,
    salesforcePersonId: Option<Value>,
    sex: Option<String>,
    squareCustomerId: Option<i64>,
    ssn: Option<i64>,
    state: Option<String>,
    status: Option<String>,
    stripeCustomerId: Option<i64>,
    tags: Option<Vec<String>>,
    textSearchable: Option<String>,
    timeZone: Option<Value>,
    timeZoneCode: Option<Value>,
    viewByClients: Option<Vec<i64>>,
    viewClientAccountIds: Option<Vec<i64>>,
    viewClients: Option<Vec<i64>>,
    zip: Option<String>,
    activeAppointmentCount: Option<i64>,
    aggregatedNotes: Option<String>,
    authnetPaymentProfileIdList: Option<Vec<Value>>,
    blocked: Option<bool>,
    businessPhone: Option<String>,
    clientIdsClientCanView: Option<Vec<i64>>,
    emergencyContact: Option<String>,
    emergencyContactPhone: Option<String>,
    enrollee: Option<Value>,
    enterpriseClientId: Option<Value>,
    fieldDataList: Option<Vec<Value>>,
    fieldDataListJson: Option<Vec<Value>>,
    fieldDataMap: Option<Value>,
    fieldDataMapJson: Option<String>,
    hubspotutk: Option<String>,
    insuranceCo: Option<String>,
    insuranceGroup: Option<String>,
    insuranceNo: Option<String>,
    insurancePlan: Option<String>,
    ipAddress: Option<String>,
    jobRequisitionNumbersDeclined: Option<String>,
    latitude: Option<f64>,
    longitude: Option<f64>,
    parentBusinessId: Option<i64>,
    referredBy: Option<String>,
    safeDateOfBirth: Option<Value>,
    salesforceAccountId: Option<Value>,
    salesforceLeadId: Option<Value>,
    sanitized: Option<bool>,
    spouseName: Option<String>,
    ssoTags: Option<Value>,
}

#[derive(Debug, Deserialize)]
#[allow(non_snake_case, dead_code)]
struct ClientCount {
    count: Option<i64>,
}

#[derive(Debug, Deserialize)]
#[allow(non_snake_case, dead_code)]
struct ClientListWithCount {
    clients: Option<Vec<Value>>,
    count: Option<i64>,
}

const CALLS: &[Call] = &[
    Call {
        sdk: "list_clients",
        method: "GET",
        path: "/test/clients",
        query: &[],
        body: None,
        model: "array of Client",
        check: |v| typed::<Vec<Client>>(v),
    },
    Call {
        sdk: "get_client",
        method: "GET",
        path: "/test/clients/4242",
        query: &[],
        body: None,
        model: "Client",
        check: |v| typed::<Client>(v),
    },
    Call {
        sdk: "count_clients",
        method: "GET",
        path: "/test/clients/count",
        query: &[],
        body: None,
        model: "integer",
        check: |v| typed::<i64>(v),
    },
    Call {
        sdk: "list_client_tags",
        method: "GET",
        path: "/test/clients/tags",
        query: &[],
        body: None,
        model: "array of string",
        check: |v| typed::<Vec<String>>(v),
    },
    Call {
        sdk: "list_clients_viewable_by_account",
        method: "GET",
        path: "/test/clients/canViewedBy/4242",
        query: &[],
        body: None,
        model: "array of Client",
        check: |v| typed::<Vec<Client>>(v),
    },
    Call {
        sdk: "list_clients_viewable_by_client",
        method: "GET",
        path: "/test/clients/canView/4242",
        query: &[],
        body: None,
        model: "array of Client",
        check: |v| typed::<Vec<Client>>(v),
    },
    Call {
        sdk: "list_clients_by_external_user_name",
        method: "GET",
        path: "/test/clients/externalUserName/4242",
        query: &[],
        body: None,
        model: "array of Client",
        check: |v| typed::<Vec<Client>>(v),
    },
    Call {
        sdk: "client_report_with_count",
        method: "GET",
        path: "/test/clientList/reportWithCount",
        query: &[],
        body: None,
        model: "ClientListWithCount",
        check: |v| typed::<ClientListWithCount>(v),
    },
    Call {
        sdk: "client_report",
        method: "GET",
        path: "/test/clientList/report",
        query: &[],
        body: None,
        model: "array of Client",
        check: |v| typed::<Vec<Client>>(v),
    },
    Call {
        sdk: "client_report_count",
        method: "GET",
        path: "/test/clientList/reportCount",
        query: &[],
        body: None,
        model: "ClientCount",
        check: |v| typed::<ClientCount>(v),
    },
    Call {
        sdk: "client_id_list",
        method: "GET",
        path: "/test/clientIdList",
        query: &[],
        body: None,
        model: "array of integer",
        check: |v| typed::<Vec<i64>>(v),
    },
    Call {
        sdk: "create_client",
        method: "POST",
        path: "/test/clients",
        query: &[],
        body: Some(Body::Json(
            r#"{"emailAddress": "sdk@example.com", "fields": [], "firstName": "SDK", "fullName": "SDK", "lastName": "SDK"}"#,
        )),
        model: "Client",
        check: |v| typed::<Client>(v),
    },
    Call {
        sdk: "filter_clients_by_tag",
        method: "POST",
        path: "/test/clients/filterTag",
        query: &[],
        body: Some(Body::Text("SDK")),
        model: "array of Client",
        check: |v| typed::<Vec<Client>>(v),
    },
    Call {
        sdk: "filter_clients",
        method: "POST",
        path: "/test/clients/filter",
        query: &[],
        body: Some(Body::Text("SDK")),
        model: "array of Client",
        check: |v| typed::<Vec<Client>>(v),
    },
    Call {
        sdk: "dupecheck_email",
        method: "POST",
        path: "/test/clients/dupecheck/email",
        query: &[],
        body: Some(Body::Text("SDK")),
        model: "array of Client (empty array if none)",
        check: |v| typed::<Vec<Client>>(v),
    },
    Call {
        sdk: "merge_clients",
        method: "POST",
        path: "/test/clients/merge/4242",
        query: &[],
        body: Some(Body::Json(
            r#"[{"emailAddress": "sdk@example.com", "fields": [], "firstName": "SDK", "fullName": "SDK", "lastName": "SDK"}]"#,
        )),
        model: "not documented",
        check: |v| any_json(v),
    },
    Call {
        sdk: "update_client",
        method: "PUT",
        path: "/test/clients/4242",
        query: &[],
        body: Some(Body::Json(
            r#"{"emailAddress": "sdk@example.com", "fields": [], "firstName": "SDK", "fullName": "SDK", "lastName": "SDK"}"#,
        )),
        model: "Client (assumed; not documented)",
        check: |v| typed::<Client>(v),
    },
    Call {
        sdk: "patch_client",
        method: "PATCH",
        path: "/test/clients/4242",
        query: &[],
        body: Some(Body::Json(r#"{"firstName": "SDK"}"#)),
        model: "Client (assumed; not documented)",
        check: |v| typed::<Client>(v),
    },
    Call {
        sdk: "delete_client",
        method: "DELETE",
        path: "/test/clients/4242",
        query: &[],
        body: None,
        model: "not documented",
        check: |v| any_json(v),
    },
];
const COUNT: usize = 19;

/// conform's own runner with the sandbox's auth against the standalone mock: it requests the
/// session token (answered by recordings/_auth.yaml), then the cases get their recorded answers.
#[test]
fn conform_run_with_the_sandbox_auth_gets_a_token_then_recorded_answers() {
    let mock = Mock::start("timetap", &[]);
    let reports = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_conform"))
        .arg("-C")
        .arg(mock_support::root())
        .args(["run", "--api", "timetap", "--env", "sandbox", "--filter"])
        .args(["timetap/get_client::", "--base-url"])
        .arg(format!("{}/__scenario/sandbox-run", mock.base))
        .arg("--report-dir")
        .arg(reports.path())
        .env("TIMETAP_API_KEY", "sdk-api-key-123")
        .env("TIMETAP_PRIVATE_KEY", "sdk-private-key-456")
        .output()
        .expect("conform run starts");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains(" passed, 0 failed"), "{stdout}");
    let journal = mock.get("/__conform/journal").json();
    let requests = journal["requests"].as_array().expect("journaled requests");
    let first = &requests[0];
    assert_eq!(first["case"], "_auth::GET /sessionToken", "{first}");
    assert_eq!(first["status"], 200, "{first}");
    assert!(
        requests.iter().all(|r| r["matched"] == "exact"),
        "{journal:#}"
    );
}
