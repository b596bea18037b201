//! Mindbody's own client library against `conform mock --api mindbody`: every Client-controller
//! method of seed 000 sent as the APIMatic SDK sends it (`/public/v6/client/...`, headers
//! `API-Key`, `siteId`, `authorization`, query keys `request.clientId` with Python's `False`,
//! dates with an offset, PascalCase JSON bodies), each answer deserialized into the SDK's model
//! (field names and types from the SDK's models; the SDK marks every response field optional).
//! Every method must get a 2xx that deserializes; with `--strict` 25 of the 42 would not (their
//! arguments are not the recorded ones), so the fallbacks are what serve them.

mod mock_support;

use mock_support::sdk::{any_json, failures, typed, Body, Call};
use mock_support::Mock;
use serde::Deserialize;
use serde_json::Value;

#[test]
fn every_sdk_method_gets_a_2xx_that_deserializes() {
    let mock = Mock::start("mindbody", &[]);
    let headers = [
        ("accept", "application/json"),
        ("API-Key", "sdk-api-key"),
        ("siteId", "-99"),
        ("authorization", "sdk-staff-token"),
    ];
    let failed = failures(&mock, CALLS, &headers);
    assert_eq!(CALLS.len(), 42);
    assert!(
        failed.is_empty(),
        "{} of 42 methods failed:\n{}",
        failed.len(),
        failed.join("\n")
    );
}

// The SDK's response models (cartigan/mindbody_public_api lib/mindbody_public_api/models/*.rb).
#[derive(Debug, Deserialize)]
#[allow(non_snake_case, dead_code)]
struct AddArrivalResponse {
    ArrivalAdded: Option<bool>,
    ClientService: Option<Value>,
}

#[derive(Debug, Deserialize)]
#[allow(non_snake_case, dead_code)]
struct AddClientDirectDebitInfoResponse {
    AccountNumber: Option<String>,
    AccountType: Option<String>,
    ClientId: Option<String>,
    NameOnAccount: Option<String>,
    RoutingNumber: Option<String>,
}

#[derive(Debug, Deserialize)]
#[allow(non_snake_case, dead_code)]
struct AddClientResponse {
    Client: Option<Value>,
}

#[derive(Debug, Deserialize)]
#[allow(non_snake_case, dead_code)]
struct ContactLog {
    AssignedTo: Option<Value>,
    Client: Option<Value>,
    Comments: Option<Vec<Value>>,
    ContactMethod: Option<String>,
    ContactName: Option<String>,
    CreatedBy: Option<Value>,
    CreatedDateTime: Option<String>,
    FollowupByDate: Option<String>,
    Id: Option<i64>,
    Text: Option<String>,
    Types: Option<Vec<Value>>,
}

#[derive(Debug, Deserialize)]
#[allow(non_snake_case, dead_code)]
struct Contract {
    ActionUponCompletionOfAutopays: Option<String>,
    AgreementTerms: Option<String>,
    AssignsMembershipId: Option<i64>,
    AssignsMembershipName: Option<String>,
    AutopayEnabled: Option<bool>,
    AutopaySchedule: Option<Value>,
    AutopayTriggerType: Option<String>,
    ClientTerminateOnline: Option<bool>,
    ClientsChargedOn: Option<String>,
    ClientsChargedOnSpecificDate: Option<String>,
    ContractItems: Option<Vec<Value>>,
    DepositAmount: Option<f64>,
    Description: Option<String>,
    DiscountAmount: Option<f64>,
    FirstAutopayFree: Option<bool>,
    FirstPaymentAmountSubtotal: Option<f64>,
    FirstPaymentAmountTax: Option<f64>,
    FirstPaymentAmountTotal: Option<f64>,
    Id: Option<i64>,
    IntroOffer: Option<String>,
    LastAutopayFree: Option<bool>,
    LocationPurchaseRestrictionIds: Option<Vec<Value>>,
    LocationPurchaseRestrictionNames: Option<Vec<Value>>,
    MembershipTypeRestrictions: Option<Vec<Value>>,
    Name: Option<String>,
    NumberOfAutopays: Option<i64>,
    NumberOfPromoAutopays: Option<i64>,
    PromoPaymentAmountSubtotal: Option<f64>,
    PromoPaymentAmountTax: Option<f64>,
    PromoPaymentAmountTotal: Option<f64>,
    RecurringPaymentAmountSubtotal: Option<f64>,
    RecurringPaymentAmountTax: Option<f64>,
    RecurringPaymentAmountTotal: Option<f64>,
    RequiresElectronicConfirmation: Option<bool>,
    SoldOnline: Option<bool>,
    TotalContractAmountSubtotal: Option<f64>,
    TotalContractAmountTax: Option<f64>,
    TotalContractAmountTotal: Option<f64>,
}

#[derive(Debug, Deserialize)]
#[allow(non_snake_case, dead_code)]
struct DirectDebitInfo {
    AccountNumber: Option<String>,
    AccountType: Option<String>,
    NameOnAccount: Option<String>,
    RoutingNumber: Option<String>,
}

#[derive(Debug, Deserialize)]
#[allow(non_snake_case, dead_code)]
struct FormulaNoteResponse {
    AppointmentId: Option<i64>,
    ClientId: Option<String>,
    EntryDate: Option<String>,
    Id: Option<i64>,
    Note: Option<String>,
    SiteId: Option<i64>,
    SiteName: Option<String>,
    StaffDisplayName: Option<String>,
    StaffFirstName: Option<String>,
    StaffLastName: Option<String>,
}

#[derive(Debug, Deserialize)]
#[allow(non_snake_case, dead_code)]
struct GetActiveClientMembershipsResponse {
    ClientMemberships: Option<Vec<Value>>,
    PaginationResponse: Option<Value>,
}

#[derive(Debug, Deserialize)]
#[allow(non_snake_case, dead_code)]
struct GetActiveClientsMembershipsResponse {
    ClientMemberships: Option<Vec<Value>>,
    PaginationResponse: Option<Value>,
}

#[derive(Debug, Deserialize)]
#[allow(non_snake_case, dead_code)]
struct GetClientAccountBalancesResponse {
    Clients: Option<Vec<Value>>,
    PaginationResponse: Option<Value>,
}

#[derive(Debug, Deserialize)]
#[allow(non_snake_case, dead_code)]
struct GetClientCompleteInfoResponse {
    Client: Option<Value>,
    ClientArrivals: Option<Vec<Value>>,
    ClientContracts: Option<Vec<Value>>,
    ClientMemberships: Option<Vec<Value>>,
    ClientServices: Option<Vec<Value>>,
}

#[derive(Debug, Deserialize)]
#[allow(non_snake_case, dead_code)]
struct GetClientContractsResponse {
    Contracts: Option<Vec<Value>>,
    PaginationResponse: Option<Value>,
}

#[derive(Debug, Deserialize)]
#[allow(non_snake_case, dead_code)]
struct GetClientDuplicatesResponse {
    ClientDuplicates: Option<Vec<Value>>,
    PaginationResponse: Option<Value>,
}

#[derive(Debug, Deserialize)]
#[allow(non_snake_case, dead_code)]
struct GetClientFormulaNotesResponse {
    FormulaNotes: Option<Vec<Value>>,
    PaginationResponse: Option<Value>,
}

#[derive(Debug, Deserialize)]
#[allow(non_snake_case, dead_code)]
struct GetClientIndexesResponse {
    ClientIndexes: Option<Vec<Value>>,
}

#[derive(Debug, Deserialize)]
#[allow(non_snake_case, dead_code)]
struct GetClientPurchasesResponse {
    PaginationResponse: Option<Value>,
    Purchases: Option<Vec<Value>>,
}

#[derive(Debug, Deserialize)]
#[allow(non_snake_case, dead_code)]
struct GetClientReferralTypesResponse {
    ReferralTypes: Option<Vec<Value>>,
}

#[derive(Debug, Deserialize)]
#[allow(non_snake_case, dead_code)]
struct GetClientRewardsResponse {
    Balance: Option<i64>,
    PaginationResponse: Option<Value>,
    Transactions: Option<Vec<Value>>,
}

#[derive(Debug, Deserialize)]
#[allow(non_snake_case, dead_code)]
struct GetClientScheduleResponse {
    PaginationResponse: Option<Value>,
    Visits: Option<Vec<Value>>,
}

#[derive(Debug, Deserialize)]
#[allow(non_snake_case, dead_code)]
struct GetClientServicesResponse {
    ClientServices: Option<Vec<Value>>,
    PaginationResponse: Option<Value>,
}

#[derive(Debug, Deserialize)]
#[allow(non_snake_case, dead_code)]
struct GetClientVisitsResponse {
    PaginationResponse: Option<Value>,
    Visits: Option<Vec<Value>>,
}

#[derive(Debug, Deserialize)]
#[allow(non_snake_case, dead_code)]
struct GetClientsResponse {
    Clients: Option<Vec<Value>>,
    PaginationResponse: Option<Value>,
}

#[derive(Debug, Deserialize)]
#[allow(non_snake_case, dead_code)]
struct GetContactLogTypesResponse {
    ContactLogTypes: Option<Vec<Value>>,
    PaginationResponse: Option<Value>,
}

#[derive(Debug, Deserialize)]
#[allow(non_snake_case, dead_code)]
struct GetContactLogsResponse {
    ContactLogs: Option<Vec<Value>>,
    PaginationResponse: Option<Value>,
}

#[derive(Debug, Deserialize)]
#[allow(non_snake_case, dead_code)]
struct GetCrossRegionalClientAssociationsResponse {
    CrossRegionalClientAssociations: Option<Vec<Value>>,
    PaginationResponse: Option<Value>,
}

#[derive(Debug, Deserialize)]
#[allow(non_snake_case, dead_code)]
struct GetCustomClientFieldsResponse {
    CustomClientFields: Option<Vec<Value>>,
    PaginationResponse: Option<Value>,
}

#[derive(Debug, Deserialize)]
#[allow(non_snake_case, dead_code)]
struct GetRequiredClientFieldsResponse {
    RequiredClientFields: Option<Vec<Value>>,
}

#[derive(Debug, Deserialize)]
#[allow(non_snake_case, dead_code)]
struct SuspendContractResponse {
    Contract: Option<Value>,
}

#[derive(Debug, Deserialize)]
#[allow(non_snake_case, dead_code)]
struct TerminateContractResponse {
    Contract: Option<Value>,
}

#[derive(Debug, Deserialize)]
#[allow(non_snake_case, dead_code)]
struct UpdateClientResponse {
    Client: Option<Value>,
}

#[derive(Debug, Deserialize)]
#[allow(non_snake_case, dead_code)]
struct UpdateClientServiceResponse {
    ClientService: Option<Value>,
}

#[derive(Debug, Deserialize)]
#[allow(non_snake_case, dead_code)]
struct UpdateClientVisitResponse {
    Visit: Option<Value>,
}

#[derive(Debug, Deserialize)]
#[allow(non_snake_case, dead_code)]
struct UploadClientDocumentResponse {
    FileName: Option<String>,
    FileSize: Option<i64>,
}

#[derive(Debug, Deserialize)]
#[allow(non_snake_case, dead_code)]
struct UploadClientPhotoResponse {
    ClientId: Option<String>,
    PhotoUrl: Option<String>,
}

const CALLS: &[Call] = &[
    Call {
        sdk: "get_active_client_memberships",
        method: "GET",
        path: "/public/v6/client/activeclientmemberships",
        query: &[("request.clientId", "100000001")],
        body: None,
        model: "GetActiveClientMembershipsResponse",
        check: |v| typed::<GetActiveClientMembershipsResponse>(v),
    },
    Call {
        sdk: "get_active_clients_memberships",
        method: "GET",
        path: "/public/v6/client/activeclientsmemberships",
        query: &[("request.clientIds", "100000001")],
        body: None,
        model: "GetActiveClientsMembershipsResponse",
        check: |v| typed::<GetActiveClientsMembershipsResponse>(v),
    },
    Call {
        sdk: "get_client_account_balances",
        method: "GET",
        path: "/public/v6/client/clientaccountbalances",
        query: &[("request.clientIds", "100000001")],
        body: None,
        model: "GetClientAccountBalancesResponse",
        check: |v| typed::<GetClientAccountBalancesResponse>(v),
    },
    Call {
        sdk: "get_client_complete_info",
        method: "GET",
        path: "/public/v6/client/clientcompleteinfo",
        query: &[("request.clientId", "100000001")],
        body: None,
        model: "GetClientCompleteInfoResponse",
        check: |v| typed::<GetClientCompleteInfoResponse>(v),
    },
    Call {
        sdk: "get_client_contracts",
        method: "GET",
        path: "/public/v6/client/clientcontracts",
        query: &[("request.clientId", "100000001")],
        body: None,
        model: "GetClientContractsResponse",
        check: |v| typed::<GetClientContractsResponse>(v),
    },
    Call {
        sdk: "get_direct_debit_info",
        method: "GET",
        path: "/public/v6/client/clientdirectdebitinfo",
        query: &[("clientId", "100000001")],
        body: None,
        model: "DirectDebitInfo",
        check: |v| typed::<DirectDebitInfo>(v),
    },
    Call {
        sdk: "delete_direct_debit_info",
        method: "DELETE",
        path: "/public/v6/client/clientdirectdebitinfo",
        query: &[("clientId", "100000001")],
        body: None,
        model: "any JSON (SDK type Any; body not modelled)",
        check: |v| any_json(v),
    },
    Call {
        sdk: "get_client_duplicates",
        method: "GET",
        path: "/public/v6/client/clientduplicates",
        query: &[],
        body: None,
        model: "GetClientDuplicatesResponse",
        check: |v| typed::<GetClientDuplicatesResponse>(v),
    },
    Call {
        sdk: "get_client_formula_notes",
        method: "GET",
        path: "/public/v6/client/clientformulanotes",
        query: &[("request.clientId", "100000001")],
        body: None,
        model: "GetClientFormulaNotesResponse",
        check: |v| typed::<GetClientFormulaNotesResponse>(v),
    },
    Call {
        sdk: "get_client_indexes",
        method: "GET",
        path: "/public/v6/client/clientindexes",
        query: &[],
        body: None,
        model: "GetClientIndexesResponse",
        check: |v| typed::<GetClientIndexesResponse>(v),
    },
    Call {
        sdk: "get_client_purchases",
        method: "GET",
        path: "/public/v6/client/clientpurchases",
        query: &[("request.clientId", "100000001")],
        body: None,
        model: "GetClientPurchasesResponse",
        check: |v| typed::<GetClientPurchasesResponse>(v),
    },
    Call {
        sdk: "get_client_referral_types",
        method: "GET",
        path: "/public/v6/client/clientreferraltypes",
        query: &[],
        body: None,
        model: "GetClientReferralTypesResponse",
        check: |v| typed::<GetClientReferralTypesResponse>(v),
    },
    Call {
        sdk: "get_client_rewards",
        method: "GET",
        path: "/public/v6/client/clientrewards",
        query: &[("request.clientId", "100000001")],
        body: None,
        model: "GetClientRewardsResponse",
        check: |v| typed::<GetClientRewardsResponse>(v),
    },
    Call {
        sdk: "update_client_rewards",
        method: "POST",
        path: "/public/v6/client/clientrewards",
        query: &[],
        body: Some(Body::Json(
            r#"{"Action": "Earned", "ClientId": "100000001", "Points": 1}"#,
        )),
        model: "GetClientRewardsResponse",
        check: |v| typed::<GetClientRewardsResponse>(v),
    },
    Call {
        sdk: "get_clients",
        method: "GET",
        path: "/public/v6/client/clients",
        query: &[("request.clientIDs", "100000001")],
        body: None,
        model: "GetClientsResponse",
        check: |v| typed::<GetClientsResponse>(v),
    },
    Call {
        sdk: "get_client_schedule",
        method: "GET",
        path: "/public/v6/client/clientschedule",
        query: &[("request.clientId", "100000001")],
        body: None,
        model: "GetClientScheduleResponse",
        check: |v| typed::<GetClientScheduleResponse>(v),
    },
    Call {
        sdk: "get_client_services",
        method: "GET",
        path: "/public/v6/client/clientservices",
        query: &[
            ("request.clientId", "100000001"),
            ("request.clientIds", "100000001"),
        ],
        body: None,
        model: "GetClientServicesResponse",
        check: |v| typed::<GetClientServicesResponse>(v),
    },
    Call {
        sdk: "get_client_visits",
        method: "GET",
        path: "/public/v6/client/clientvisits",
        query: &[("request.clientId", "100000001")],
        body: None,
        model: "GetClientVisitsResponse",
        check: |v| typed::<GetClientVisitsResponse>(v),
    },
    Call {
        sdk: "get_contact_logs",
        method: "GET",
        path: "/public/v6/client/contactlogs",
        query: &[("request.clientId", "100000001")],
        body: None,
        model: "GetContactLogsResponse",
        check: |v| typed::<GetContactLogsResponse>(v),
    },
    Call {
        sdk: "get_contact_log_types",
        method: "GET",
        path: "/public/v6/client/contactlogtypes",
        query: &[],
        body: None,
        model: "GetContactLogTypesResponse",
        check: |v| typed::<GetContactLogTypesResponse>(v),
    },
    Call {
        sdk: "get_cross_regional_client_associations",
        method: "GET",
        path: "/public/v6/client/crossregionalclientassociations",
        query: &[("request.clientId", "100000001")],
        body: None,
        model: "GetCrossRegionalClientAssociationsResponse",
        check: |v| typed::<GetCrossRegionalClientAssociationsResponse>(v),
    },
    Call {
        sdk: "get_custom_client_fields",
        method: "GET",
        path: "/public/v6/client/customclientfields",
        query: &[],
        body: None,
        model: "GetCustomClientFieldsResponse",
        check: |v| typed::<GetCustomClientFieldsResponse>(v),
    },
    Call {
        sdk: "get_required_client_fields",
        method: "GET",
        path: "/public/v6/client/requiredclientfields",
        query: &[],
        body: None,
        model: "GetRequiredClientFieldsResponse",
        check: |v| typed::<GetRequiredClientFieldsResponse>(v),
    },
    Call {
        sdk: "add_arrival",
        method: "POST",
        path: "/public/v6/client/addarrival",
        query: &[],
        body: Some(Body::Json(
            r#"{"ClientId": "100000001", "LocationId": 1, "Test": true}"#,
        )),
        model: "AddArrivalResponse",
        check: |v| typed::<AddArrivalResponse>(v),
    },
    Call {
        sdk: "add_client",
        method: "POST",
        path: "/public/v6/client/addclient",
        query: &[],
        body: Some(Body::Json(
            r#"{"FirstName": "Ann", "LastName": "Doe", "Test": true}"#,
        )),
        model: "AddClientResponse",
        check: |v| typed::<AddClientResponse>(v),
    },
    Call {
        sdk: "add_client_direct_debit_info",
        method: "POST",
        path: "/public/v6/client/addclientdirectdebitinfo",
        query: &[],
        body: Some(Body::Json(r#"{"ClientId": "100000001", "Test": true}"#)),
        model: "AddClientDirectDebitInfoResponse",
        check: |v| typed::<AddClientDirectDebitInfoResponse>(v),
    },
    Call {
        sdk: "add_formula_note",
        method: "POST",
        path: "/public/v6/client/addclientformulanote",
        query: &[],
        body: Some(Body::Json(
            r#"{"ClientId": "100000001", "Note": "SDK note"}"#,
        )),
        model: "FormulaNoteResponse",
        check: |v| typed::<FormulaNoteResponse>(v),
    },
    Call {
        sdk: "add_contact_log",
        method: "POST",
        path: "/public/v6/client/addcontactlog",
        query: &[],
        body: Some(Body::Json(
            r#"{"ClientId": "100000001", "ContactMethod": "Email", "Test": true}"#,
        )),
        model: "ContactLog",
        check: |v| typed::<ContactLog>(v),
    },
    Call {
        sdk: "merge_client",
        method: "POST",
        path: "/public/v6/client/mergeclients",
        query: &[],
        body: Some(Body::Json(r#"{}"#)),
        model: "any JSON (SDK type Any; body not modelled)",
        check: |v| any_json(v),
    },
    Call {
        sdk: "send_auto_email",
        method: "POST",
        path: "/public/v6/client/sendautoemail",
        query: &[],
        body: Some(Body::Json(
            r#"{"ClientId": "100000001", "EmailType": "ConsumerPasswordReset"}"#,
        )),
        model: "any JSON (SDK type Any; body not modelled)",
        check: |v| any_json(v),
    },
    Call {
        sdk: "send_password_reset_email",
        method: "POST",
        path: "/public/v6/client/sendpasswordresetemail",
        query: &[],
        body: Some(Body::Json(
            r#"{"UserEmail": "ann@example.com", "UserFirstName": "Ann", "UserLastName": "Doe"}"#,
        )),
        model: "any JSON (SDK type Any; body not modelled)",
        check: |v| any_json(v),
    },
    Call {
        sdk: "suspend_contract",
        method: "POST",
        path: "/public/v6/client/suspendcontract",
        query: &[],
        body: Some(Body::Json(
            r#"{"ClientContractId": 1, "ClientId": "100000001"}"#,
        )),
        model: "SuspendContractResponse",
        check: |v| typed::<SuspendContractResponse>(v),
    },
    Call {
        sdk: "terminate_contract",
        method: "POST",
        path: "/public/v6/client/terminatecontract",
        query: &[],
        body: Some(Body::Json(
            r#"{"ClientContractId": 1, "ClientId": "100000001", "TerminationDate": "2026-01-01T00:00:00"}"#,
        )),
        model: "TerminateContractResponse",
        check: |v| typed::<TerminateContractResponse>(v),
    },
    Call {
        sdk: "update_client",
        method: "POST",
        path: "/public/v6/client/updateclient",
        query: &[],
        body: Some(Body::Json(
            r#"{"Client": {"FirstName": "Ann", "LastName": "Doe", "Id": "100000001"}, "Test": true}"#,
        )),
        model: "UpdateClientResponse",
        check: |v| typed::<UpdateClientResponse>(v),
    },
    Call {
        sdk: "update_client_contract_autopays",
        method: "POST",
        path: "/public/v6/client/updateclientcontractautopays",
        query: &[],
        body: Some(Body::Json(r#"{}"#)),
        model: "Contract",
        check: |v| typed::<Contract>(v),
    },
    Call {
        sdk: "update_client_service",
        method: "POST",
        path: "/public/v6/client/updateclientservice",
        query: &[],
        body: Some(Body::Json(r#"{"ServiceId": 1, "Test": true}"#)),
        model: "UpdateClientServiceResponse",
        check: |v| typed::<UpdateClientServiceResponse>(v),
    },
    Call {
        sdk: "update_client_visit",
        method: "POST",
        path: "/public/v6/client/updateclientvisit",
        query: &[],
        body: Some(Body::Json(r#"{"Test": true, "VisitId": 1}"#)),
        model: "UpdateClientVisitResponse",
        check: |v| typed::<UpdateClientVisitResponse>(v),
    },
    Call {
        sdk: "update_contact_log",
        method: "POST",
        path: "/public/v6/client/updatecontactlog",
        query: &[],
        body: Some(Body::Json(r#"{"Test": true}"#)),
        model: "ContactLog",
        check: |v| typed::<ContactLog>(v),
    },
    Call {
        sdk: "upload_client_document",
        method: "POST",
        path: "/public/v6/client/uploadclientdocument",
        query: &[],
        body: Some(Body::Json(r#"{"ClientId": "100000001", "File": {}}"#)),
        model: "UploadClientDocumentResponse",
        check: |v| typed::<UploadClientDocumentResponse>(v),
    },
    Call {
        sdk: "upload_client_photo",
        method: "POST",
        path: "/public/v6/client/uploadclientphoto",
        query: &[],
        body: Some(Body::Json(r#"{"Bytes": "x", "ClientId": "100000001"}"#)),
        model: "UploadClientPhotoResponse",
        check: |v| typed::<UploadClientPhotoResponse>(v),
    },
    Call {
        sdk: "delete_client_formula_note",
        method: "DELETE",
        path: "/public/v6/client/clientformulanote",
        query: &[
            ("request.clientId", "100000001"),
            ("request.formulaNoteId", "1"),
        ],
        body: None,
        model: "empty (SDK returns no body)",
        check: |v| any_json(v),
    },
    Call {
        sdk: "delete_contact_log",
        method: "DELETE",
        path: "/public/v6/client/deletecontactlog",
        query: &[
            ("request.clientId", "100000001"),
            ("request.contactLogId", "1"),
        ],
        body: None,
        model: "any JSON (SDK type Any; body not modelled)",
        check: |v| any_json(v),
    },
];
