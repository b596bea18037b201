//! Kimai's own client library (kimai_python 0.2.9, `CustomerApi`, seed 002) against
//! `conform mock --api kimai`: each of its 8 customer methods sent as the SDK sends it
//! (`X-AUTH-USER`/`X-AUTH-TOKEN`, `Accept: */*`, `orderBy` for `order_by`, JSON bodies of the
//! SDK's form models) with the SDK's own example-style arguments, each answer deserialized into the
//! SDK's model with its required fields (models.json `kimai_python_0_2_9`).

mod mock_support;

use mock_support::{Mock, Reply};
use serde::Deserialize;
use serde_json::{json, Value};

#[derive(Debug, Deserialize)]
#[allow(dead_code)]
struct CustomerCollection {
    id: Option<i64>,
    name: String,
    visible: bool,
    billable: bool,
    currency: String,
}

#[derive(Debug, Deserialize)]
#[allow(dead_code)]
#[serde(rename_all = "camelCase")]
struct CustomerEntity {
    id: Option<i64>,
    name: String,
    visible: bool,
    billable: bool,
    currency: String,
    country: String,
    timezone: String,
    budget: f64,
    time_budget: i64,
}

#[derive(Debug, Deserialize)]
#[allow(dead_code)]
#[serde(rename_all = "camelCase")]
struct CustomerRate {
    id: Option<i64>,
    rate: Option<f64>,
    is_fixed: bool,
}

fn call(
    mock: &Mock,
    method: &str,
    path: &str,
    query: &[(&str, &str)],
    body: Option<Value>,
) -> Reply {
    let mut r = mock
        .request(method, path)
        .query(query)
        .header("accept", "*/*")
        .header("X-AUTH-USER", "susan_super")
        .header("X-AUTH-TOKEN", "api_kitten");
    if let Some(b) = body {
        r = r.json(&b);
    }
    mock.send(r)
}

fn decode<T: serde::de::DeserializeOwned>(sdk: &str, r: &Reply) -> Result<T, String> {
    if !(200..300).contains(&r.status) {
        return Err(format!(
            "{sdk}: status {}: {}",
            r.status,
            String::from_utf8_lossy(&r.body)
        ));
    }
    serde_json::from_slice(&r.body).map_err(|e| format!("{sdk}: {e}"))
}

#[test]
fn every_customer_method_gets_a_2xx_that_deserializes() {
    let mock = Mock::start("kimai", &[]);
    let form = json!({
        "name": "SDK Customer", "country": "DE", "currency": "EUR", "timezone": "Europe/Berlin",
        "visible": true, "billable": true, "comment": "created by kimai_python"
    });
    let mut results: Vec<Result<(), String>> = Vec::new();
    let list = call(
        &mock,
        "GET",
        "/api/customers",
        &[
            ("visible", "3"),
            ("order", "DESC"),
            ("orderBy", "id"),
            ("term", "SDK"),
        ],
        None,
    );
    results.push(decode::<Vec<CustomerCollection>>("api_customers_get", &list).map(|_| ()));
    let get = call(&mock, "GET", "/api/customers/17", &[], None);
    results.push(
        decode::<CustomerEntity>("api_customers_id_get", &get).map(|c| assert_eq!(c.id, Some(17))),
    );
    let meta = call(
        &mock,
        "PATCH",
        "/api/customers/17/meta",
        &[],
        Some(json!({"name": "contract_ref", "value": "SDK-17"})),
    );
    results.push(decode::<CustomerEntity>("api_customers_id_meta_patch", &meta).map(|_| ()));
    let patch = call(&mock, "PATCH", "/api/customers/17", &[], Some(form.clone()));
    results.push(decode::<CustomerEntity>("api_customers_id_patch", &patch).map(|_| ()));
    let rates = call(&mock, "GET", "/api/customers/17/rates", &[], None);
    results.push(decode::<Vec<CustomerRate>>("api_customers_id_rates_get", &rates).map(|_| ()));
    let add = call(
        &mock,
        "POST",
        "/api/customers/17/rates",
        &[],
        Some(json!({"user": 5, "rate": 99.5, "internalRate": 50, "isFixed": true})),
    );
    results.push(decode::<CustomerRate>("api_customers_id_rates_post", &add).map(|_| ()));
    let delete = call(&mock, "DELETE", "/api/customers/17/rates/23", &[], None);
    results.push(if delete.status == 204 && delete.body.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "api_customers_id_rates_rate_id_delete: status {}",
            delete.status
        ))
    });
    let post = call(&mock, "POST", "/api/customers", &[], Some(form));
    results.push(decode::<CustomerEntity>("api_customers_post", &post).map(|_| ()));
    let failures: Vec<String> = results.into_iter().filter_map(Result::err).collect();
    assert!(failures.is_empty(), "{failures:#?}");
    for r in [&list, &get, &patch, &post] {
        assert!(
            r.matched().is_some(),
            "every answer says how it matched: {r:?}"
        );
    }
}
