//! perfectgym's client calls against `conform mock --api perfectgym`: every client method of the seed as the
//! client library sends it (paths with path parameters the recordings do not have, query encoding,
//! body shape), each answer deserialized into the documented model (required fields required).
//! Sport Alliance publishes no SDK; calls follow seed 003 (the customers API docs) and auth.json (`X-API-KEY`).

mod mock_support;

use mock_support::sdk::{any_json, failures, typed, Body, Call};
use mock_support::Mock;
use serde::Deserialize;
#[allow(unused_imports)]
use serde_json::Value;

#[test]
fn every_client_method_gets_a_2xx_that_deserializes() {
    let mock = Mock::start("perfectgym", &[]);
    let failed = failures(
        &mock,
        CALLS,
        &[("accept", "application/json"), ("X-API-KEY", "sdk-api-key")],
    );
    assert_eq!(CALLS.len(), COUNT);
    assert!(
        failed.is_empty(),
        "{} of {COUNT} methods failed:\n{}",
        failed.len(),
        failed.join("\n")
    );
}

// The documented models (models.json of the vendor's reference) and the calls.
#[derive(Debug, Deserialize)]
#[allow(non_snake_case, dead_code)]
struct AccessMedium {
    id: Option<i64>,
    #[serde(rename = "type")]
    r#type: Option<String>,
    value: Option<String>,
}

#[derive(Debug, Deserialize)]
#[allow(non_snake_case, dead_code)]
struct AccessRestriction {
    endDate: Option<String>,
    reason: String,
    startDate: Option<String>,
}

#[derive(Debug, Deserialize)]
#[allow(non_snake_case, dead_code)]
struct AdditionalInformationField {
    abbreviation: Option<String>,
    id: i64,
    listItems: Option<Vec<Value>>,
    name: String,
    #[serde(rename = "type")]
    r#type: String,
}

#[derive(Debug, Deserialize)]
#[allow(non_snake_case, dead_code)]
struct AdditionalInformationFieldAssignment {
    additionalInformationFieldId: i64,
    value: String,
}

#[derive(Debug, Deserialize)]
#[allow(non_snake_case, dead_code)]
struct Benefit {
    key: String,
    valid: bool,
}

#[derive(Debug, Deserialize)]
#[allow(non_snake_case, dead_code)]
struct CheckinSlice {
    hasNext: bool,
    offset: String,
    result: Vec<Value>,
}

#[derive(Debug, Deserialize)]
#[allow(non_snake_case, dead_code)]
struct Contract {
    cancellationDate: Option<String>,
    cancellationPeriod: Option<Value>,
    cancellationReason: Option<String>,
    cancellationReceiptDate: Option<String>,
    cancelled: bool,
    contractStatus: String,
    createdDate: String,
    endDate: String,
    extensionTerm: Value,
    flatFeeContracts: Option<Vec<Value>>,
    id: i64,
    lastPossibleCancellationDate: String,
    moduleContracts: Option<Vec<Value>>,
    priceDetails: Value,
    rateCodes: Option<Vec<Value>>,
    rateName: String,
    signedDocumentUrl: Option<String>,
    startDate: String,
    term: Value,
    thirdPartyId: Option<String>,
}

#[derive(Debug, Deserialize)]
#[allow(non_snake_case, dead_code)]
struct CreateCustomerResponse {
    customerId: i64,
}

#[derive(Debug, Deserialize)]
#[allow(non_snake_case, dead_code)]
struct Customer {
    accessMediums: Option<Vec<Value>>,
    accessRefusal: bool,
    accessRestrictions: Option<Vec<Value>>,
    additionalAddressInformation: Option<String>,
    additionalInformationFieldAssignments: Option<Vec<Value>>,
    bankAccount: Option<Value>,
    buildingName: Option<String>,
    cardNumbers: Option<Vec<String>>,
    city: Option<String>,
    cityPart: Option<String>,
    country: Option<String>,
    customerNumber: Option<String>,
    dateOfBirth: Option<String>,
    district: Option<String>,
    door: Option<String>,
    email: Option<String>,
    firstName: Option<String>,
    floor: Option<String>,
    gender: Option<String>,
    houseNumber: Option<String>,
    id: i64,
    idlePeriods: Option<Vec<Value>>,
    imageUrl: Option<String>,
    lastName: Option<String>,
    phoneBusiness: Option<String>,
    phoneBusinessMobile: Option<String>,
    phonePrivate: Option<String>,
    phonePrivateMobile: Option<String>,
    portal: Option<String>,
    preferredLanguage: Option<Value>,
    province: Option<String>,
    referralCode: Option<String>,
    secondFirstName: Option<String>,
    secondLastName: Option<String>,
    secondStreet: Option<String>,
    stairway: Option<String>,
    status: String,
    street: Option<String>,
    streetBlock: Option<String>,
    streetType: Option<String>,
    studioId: Option<i64>,
    thirdPartyId: Option<String>,
    uuid: Option<String>,
    zipCode: Option<String>,
}

#[derive(Debug, Deserialize)]
#[allow(non_snake_case, dead_code)]
struct CustomerAccessCode {
    content: String,
    expiresAt: Option<String>,
    format: String,
}

#[derive(Debug, Deserialize)]
#[allow(non_snake_case, dead_code)]
struct CustomerDocument {
    description: Option<String>,
    fileName: Option<String>,
    id: Option<i64>,
    url: Option<String>,
}

#[derive(Debug, Deserialize)]
#[allow(non_snake_case, dead_code)]
struct CustomerDocumentSlice {
    hasNext: bool,
    offset: String,
    result: Vec<Value>,
}

#[derive(Debug, Deserialize)]
#[allow(non_snake_case, dead_code)]
struct CustomerDocumentUploadResponse {
    id: Option<i64>,
}

#[derive(Debug, Deserialize)]
#[allow(non_snake_case, dead_code)]
struct CustomerImageResponse {
    imageUrl: Option<String>,
}

#[derive(Debug, Deserialize)]
#[allow(non_snake_case, dead_code)]
struct CustomerMeasurement {
    age: Option<i64>,
    dateOfBirth: Option<String>,
    firstName: Option<String>,
    gender: Option<String>,
    height: Option<f64>,
    id: i64,
    lastName: Option<String>,
}

#[derive(Debug, Deserialize)]
#[allow(non_snake_case, dead_code)]
struct CustomerSlice {
    hasNext: bool,
    offset: String,
    result: Vec<Value>,
}

#[derive(Debug, Deserialize)]
#[allow(non_snake_case, dead_code)]
struct Weighing {
    basalMetabolicRate: Option<f64>,
    bfmLeftArm: Option<f64>,
    bfmLeftLeg: Option<f64>,
    bfmPercentLeftArm: Option<f64>,
    bfmPercentLeftLeg: Option<f64>,
    bfmPercentRightArm: Option<f64>,
    bfmPercentRightLeg: Option<f64>,
    bfmPercentTrunk: Option<f64>,
    bfmRightArm: Option<f64>,
    bfmRightLeg: Option<f64>,
    bfmTrunk: Option<f64>,
    bodyFatMass: Option<f64>,
    bodyMassIndex: Option<f64>,
    databaseId: Option<i64>,
    fatFreeMass: Option<f64>,
    ffmLeftArm: Option<f64>,
    ffmLeftLeg: Option<f64>,
    ffmPercentLeftArm: Option<f64>,
    ffmPercentLeftLeg: Option<f64>,
    ffmPercentRightArm: Option<f64>,
    ffmPercentRightLeg: Option<f64>,
    ffmPercentTrunk: Option<f64>,
    ffmRightArm: Option<f64>,
    ffmRightLeg: Option<f64>,
    ffmTrunk: Option<f64>,
    height: Option<f64>,
    percentBodyFat: Option<f64>,
    percentSkeletalMuscleMass: Option<f64>,
    rawResults: String,
    skeletalMuscleMass: Option<f64>,
    totalBodyWater: Option<f64>,
    visceralFatLevel: Option<i64>,
    weight: Option<f64>,
}

const CALLS: &[Call] = &[
    Call {
        sdk: "list_customers",
        method: "GET",
        path: "/v1/customers",
        query: &[],
        body: None,
        model: "CustomerSlice",
        check: |v| typed::<CustomerSlice>(v),
    },
    Call {
        sdk: "get_customer_checkins",
        method: "GET",
        path: "/v1/customers/4242/activities/checkins",
        query: &[],
        body: None,
        model: "CheckinSlice",
        check: |v| typed::<CheckinSlice>(v),
    },
    Call {
        sdk: "get_customer",
        method: "GET",
        path: "/v1/customers/4242",
        query: &[],
        body: None,
        model: "Customer",
        check: |v| typed::<Customer>(v),
    },
    Call {
        sdk: "get_customer_by",
        method: "GET",
        path: "/v1/customers/by",
        query: &[],
        body: None,
        model: "Customer",
        check: |v| typed::<Customer>(v),
    },
    Call {
        sdk: "search_customers",
        method: "POST",
        path: "/v1/customers/search",
        query: &[],
        body: Some(Body::Json(r#"{}"#)),
        model: "array of Customer",
        check: |v| typed::<Vec<Customer>>(v),
    },
    Call {
        sdk: "get_customer_contracts",
        method: "GET",
        path: "/v1/customers/4242/contracts",
        query: &[],
        body: None,
        model: "array of Contract",
        check: |v| typed::<Vec<Contract>>(v),
    },
    Call {
        sdk: "get_customer_measurement",
        method: "GET",
        path: "/v1/customers/measurement/latest",
        query: &[],
        body: None,
        model: "CustomerMeasurement",
        check: |v| typed::<CustomerMeasurement>(v),
    },
    Call {
        sdk: "get_customer_contracts_by",
        method: "GET",
        path: "/v1/customers/contracts/by",
        query: &[],
        body: None,
        model: "array of Contract",
        check: |v| typed::<Vec<Contract>>(v),
    },
    Call {
        sdk: "save_weighing",
        method: "POST",
        path: "/v1/customers/4242/weighing",
        query: &[],
        body: Some(Body::Json(r#"{"rawResults": "SDK"}"#)),
        model: "Weighing",
        check: |v| typed::<Weighing>(v),
    },
    Call {
        sdk: "get_customer_benefits",
        method: "GET",
        path: "/v1/customers/4242/benefits",
        query: &[],
        body: None,
        model: "array of Benefit",
        check: |v| typed::<Vec<Benefit>>(v),
    },
    Call {
        sdk: "get_benefits_by_card",
        method: "GET",
        path: "/v1/customers/benefits",
        query: &[("cardNumber", "SDK")],
        body: None,
        model: "array of Benefit",
        check: |v| typed::<Vec<Benefit>>(v),
    },
    Call {
        sdk: "use_benefit",
        method: "POST",
        path: "/v1/customers/4242/benefits/SDK-KEY/use",
        query: &[],
        body: None,
        model: "no body documented",
        check: |v| any_json(v),
    },
    Call {
        sdk: "get_access_code",
        method: "GET",
        path: "/v1/customers/4242/access-code",
        query: &[],
        body: None,
        model: "CustomerAccessCode",
        check: |v| typed::<CustomerAccessCode>(v),
    },
    Call {
        sdk: "add_access_medium",
        method: "POST",
        path: "/v1/customers/4242/access-mediums",
        query: &[],
        body: Some(Body::Json(r#"{}"#)),
        model: "AccessMedium",
        check: |v| typed::<AccessMedium>(v),
    },
    Call {
        sdk: "update_access_medium",
        method: "PUT",
        path: "/v1/customers/4242/access-mediums/4242",
        query: &[],
        body: Some(Body::Json(r#"{}"#)),
        model: "AccessMedium",
        check: |v| typed::<AccessMedium>(v),
    },
    Call {
        sdk: "delete_access_medium",
        method: "DELETE",
        path: "/v1/customers/4242/access-mediums/4242",
        query: &[],
        body: None,
        model: "no body documented",
        check: |v| any_json(v),
    },
    Call {
        sdk: "list_customer_documents",
        method: "GET",
        path: "/v1/customers/4242/documents",
        query: &[],
        body: None,
        model: "CustomerDocumentSlice",
        check: |v| typed::<CustomerDocumentSlice>(v),
    },
    Call {
        sdk: "upload_customer_document",
        method: "POST",
        path: "/v1/customers/4242/documents",
        query: &[],
        body: Some(Body::Multipart("file", "contract.pdf")),
        model: "CustomerDocumentUploadResponse",
        check: |v| typed::<CustomerDocumentUploadResponse>(v),
    },
    Call {
        sdk: "get_customer_document",
        method: "GET",
        path: "/v1/customers/4242/documents/4242",
        query: &[],
        body: None,
        model: "CustomerDocument",
        check: |v| typed::<CustomerDocument>(v),
    },
    Call {
        sdk: "update_customer_image",
        method: "PUT",
        path: "/v1/customers/4242/images",
        query: &[],
        body: Some(Body::Multipart("image", "photo.jpg")),
        model: "CustomerImageResponse",
        check: |v| typed::<CustomerImageResponse>(v),
    },
    Call {
        sdk: "set_access_restriction",
        method: "PUT",
        path: "/v1/customers/4242/access-restrictions",
        query: &[],
        body: Some(Body::Json(r#"{"reason": "SDK"}"#)),
        model: "AccessRestriction",
        check: |v| typed::<AccessRestriction>(v),
    },
    Call {
        sdk: "delete_access_restriction",
        method: "DELETE",
        path: "/v1/customers/4242/access-restrictions",
        query: &[],
        body: None,
        model: "no body documented",
        check: |v| any_json(v),
    },
    Call {
        sdk: "create_customer",
        method: "POST",
        path: "/v1/customers/create",
        query: &[],
        body: Some(Body::Json(
            r#"{"city": "SDK", "countryCode": "DE", "dateOfBirth": "2026-01-15", "email": "sdk@example.com", "firstName": "SDK", "language": {"languageCode": "en"}, "lastName": "SDK", "street": "SDK", "zipCode": "SDK"}"#,
        )),
        model: "CreateCustomerResponse",
        check: |v| typed::<CreateCustomerResponse>(v),
    },
    Call {
        sdk: "list_additional_information_fields",
        method: "GET",
        path: "/v1/customers/additional-information-fields",
        query: &[],
        body: None,
        model: "array of AdditionalInformationField",
        check: |v| typed::<Vec<AdditionalInformationField>>(v),
    },
    Call {
        sdk: "set_additional_information_fields",
        method: "PUT",
        path: "/v1/customers/4242/additional-information-field-assignments",
        query: &[],
        body: Some(Body::Json(
            r#"[{"additionalInformationFieldId": 4242, "value": "SDK"}]"#,
        )),
        model: "array of AdditionalInformationFieldAssignment",
        check: |v| typed::<Vec<AdditionalInformationFieldAssignment>>(v),
    },
    Call {
        sdk: "switch_studio",
        method: "POST",
        path: "/v1/customers/4242/switch-studio",
        query: &[],
        body: Some(Body::Json(
            r#"{"switchDate": "2026-01-15", "targetStudioId": 4242}"#,
        )),
        model: "no body documented",
        check: |v| any_json(v),
    },
    Call {
        sdk: "add_access_medium_deprecated",
        method: "PUT",
        path: "/v1/customers/4242/access-medium",
        query: &[],
        body: Some(Body::Json(r#"{}"#)),
        model: "AccessMedium",
        check: |v| typed::<AccessMedium>(v),
    },
];
const COUNT: usize = 27;
