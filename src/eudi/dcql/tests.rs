//! DCQL from the OpenID4VP 1.0 examples (§6.4, §7.4, Appendix D), and our PID query.

use super::*;
use serde_json::json;

/// The credential of the claims path pointer examples (§7.4).
fn arthur() -> Value {
    json!({
        "name": "Arthur Dent",
        "address": { "street_address": "42 Market Street", "locality": "Milliways", "postal_code": "12345" },
        "degrees": [
            { "type": "Bachelor of Science", "university": "University of Betelgeuse" },
            { "type": "Master of Science", "university": "University of Betelgeuse" }
        ],
        "nationalities": ["British", "Betelgeusian"]
    })
}

fn path(v: Value) -> Vec<PathElement> {
    serde_json::from_value(v).unwrap()
}

#[test]
fn claims_path_pointers_select_as_the_spec_examples_say() {
    let c = arthur();
    assert_eq!(select(&path(json!(["name"])), &c), Some(vec![&json!("Arthur Dent")]));
    assert_eq!(select(&path(json!(["address"])), &c), Some(vec![&c["address"]]));
    assert_eq!(
        select(&path(json!(["address", "street_address"])), &c),
        Some(vec![&json!("42 Market Street")])
    );
    assert_eq!(
        select(&path(json!(["degrees", null, "type"])), &c),
        Some(vec![&json!("Bachelor of Science"), &json!("Master of Science")])
    );
    assert_eq!(select(&path(json!(["nationalities", 1])), &c), Some(vec![&json!("Betelgeusian")]));
    // Nothing there, out of range, or the wrong shape: nothing selected.
    assert_eq!(select(&path(json!(["email"])), &c), None);
    assert_eq!(select(&path(json!(["nationalities", 5])), &c), None);
    assert_eq!(select(&path(json!(["name", 0])), &c), None);
    assert_eq!(select(&path(json!([])), &c), None);
}

#[test]
fn the_spec_queries_parse_and_serialise_unchanged() {
    let examples = [
        json!({ "credentials": [{
            "id": "my_credential", "format": "dc+sd-jwt",
            "meta": { "vct_values": ["https://credentials.example.com/identity_credential"] },
            "claims": [ {"path": ["last_name"]}, {"path": ["first_name"]}, {"path": ["address", "street_address"]} ]
        }]}),
        json!({ "credentials": [{
            "id": "pid", "format": "dc+sd-jwt",
            "meta": { "vct_values": ["https://credentials.example.com/identity_credential"] },
            "claims": [
                {"id": "a", "path": ["last_name"]}, {"id": "b", "path": ["postal_code"]},
                {"id": "c", "path": ["locality"]}, {"id": "d", "path": ["region"]},
                {"id": "e", "path": ["date_of_birth"]}
            ],
            "claim_sets": [["a", "c", "d", "e"], ["a", "b", "e"]]
        }]}),
        json!({ "credentials": [
            { "id": "pid", "format": "dc+sd-jwt", "meta": { "vct_values": ["https://credentials.example.com/identity_credential"] } },
            { "id": "other_pid", "format": "dc+sd-jwt", "meta": { "vct_values": ["https://othercredentials.example/pid"] } },
            { "id": "pid_reduced_cred_1", "format": "dc+sd-jwt", "meta": { "vct_values": ["https://credentials.example.com/reduced_identity_credential"] } },
            { "id": "pid_reduced_cred_2", "format": "dc+sd-jwt", "meta": { "vct_values": ["https://cred.example/residence_credential"] } },
            { "id": "nice_to_have", "format": "dc+sd-jwt", "meta": { "vct_values": ["https://company.example/company_rewards"] } }
        ],
        "credential_sets": [
            { "options": [["pid"], ["other_pid"], ["pid_reduced_cred_1", "pid_reduced_cred_2"]] },
            { "required": false, "options": [["nice_to_have"]] }
        ]}),
        json!({ "credentials": [{
            "id": "my_credential", "format": "mso_mdoc", "meta": { "doctype_value": "org.iso.7367.1.mVRC" },
            "claims": [ {"path": ["org.iso.7367.1", "vehicle_holder"]}, {"path": ["org.iso.18013.5.1", "first_name"]} ]
        }]}),
        json!({ "credentials": [{
            "id": "my_credential", "format": "dc+sd-jwt",
            "meta": { "vct_values": ["https://credentials.example.com/identity_credential"] },
            "claims": [ {"path": ["last_name"], "values": ["Doe"]}, {"path": ["first_name"]},
                        {"path": ["address", "street_address"]}, {"path": ["postal_code"], "values": ["90210", "90211"]} ]
        }]}),
    ];
    for e in examples {
        let q: DcqlQuery = serde_json::from_value(e.clone()).unwrap();
        assert_eq!(serde_json::to_value(&q).unwrap(), e);
    }
}

fn identity() -> Value {
    json!({ "last_name": "Doe", "first_name": "John", "address": { "street_address": "123 Main St" },
            "postal_code": "90210", "locality": "Anytown", "date_of_birth": "1990-01-01" })
}

const VCT: &str = "https://credentials.example.com/identity_credential";

#[test]
fn every_asked_claim_must_be_there_with_an_accepted_value() {
    let q: DcqlQuery = serde_json::from_value(json!({ "credentials": [{
        "id": "my_credential", "format": "dc+sd-jwt", "meta": { "vct_values": [VCT] },
        "claims": [ {"path": ["last_name"], "values": ["Doe"]}, {"path": ["first_name"]},
                    {"path": ["address", "street_address"]}, {"path": ["postal_code"], "values": ["90210", "90211"]} ]
    }]}))
    .unwrap();
    let cq = &q.credentials[0];
    assert_eq!(check_credential(cq, VCT, &identity()), Ok(()));
    let mut other = identity();
    other["postal_code"] = json!("10115");
    assert_eq!(
        check_credential(cq, VCT, &other),
        Err(WalletError::Dcql("claim postal_code missing".into()))
    );
    let mut no_street = identity();
    no_street["address"] = json!({});
    assert_eq!(
        check_credential(cq, VCT, &no_street),
        Err(WalletError::Dcql("claim address.street_address missing".into()))
    );
    assert_eq!(
        check_credential(cq, "https://other.example/vct", &identity()),
        Err(WalletError::WrongVct("https://other.example/vct".into()))
    );
}

#[test]
fn one_complete_claim_set_is_enough() {
    let q: DcqlQuery = serde_json::from_value(json!({ "credentials": [{
        "id": "pid", "format": "dc+sd-jwt", "meta": { "vct_values": [VCT] },
        "claims": [ {"id": "a", "path": ["last_name"]}, {"id": "b", "path": ["postal_code"]},
                    {"id": "c", "path": ["locality"]}, {"id": "d", "path": ["region"]}, {"id": "e", "path": ["date_of_birth"]} ],
        "claim_sets": [["a", "c", "d", "e"], ["a", "b", "e"]]
    }]}))
    .unwrap();
    let cq = &q.credentials[0];
    // No `region`: the first set fails, the second (a, b, e) holds.
    assert_eq!(check_credential(cq, VCT, &identity()), Ok(()));
    let mut neither = identity();
    neither.as_object_mut().unwrap().remove("postal_code");
    assert_eq!(
        check_credential(cq, VCT, &neither),
        Err(WalletError::Dcql("no claim set complete".into()))
    );
}

#[test]
fn credential_sets_decide_which_credentials_are_required() {
    let q: DcqlQuery = serde_json::from_value(json!({ "credentials": [
        { "id": "pid", "format": "dc+sd-jwt" },
        { "id": "other_pid", "format": "dc+sd-jwt" },
        { "id": "pid_reduced_cred_1", "format": "dc+sd-jwt" },
        { "id": "pid_reduced_cred_2", "format": "dc+sd-jwt" },
        { "id": "nice_to_have", "format": "dc+sd-jwt" }
    ],
    "credential_sets": [
        { "options": [["pid"], ["other_pid"], ["pid_reduced_cred_1", "pid_reduced_cred_2"]] },
        { "required": false, "options": [["nice_to_have"]] }
    ]}))
    .unwrap();
    assert_eq!(presentations(&q, &json!({ "other_pid": ["x~"] })).unwrap().len(), 1);
    assert_eq!(
        presentations(&q, &json!({ "pid_reduced_cred_1": ["a~"], "pid_reduced_cred_2": ["b~"] }))
            .unwrap()
            .len(),
        2
    );
    assert!(matches!(
        presentations(&q, &json!({ "pid_reduced_cred_1": ["a~"] })),
        Err(WalletError::Dcql(_))
    ));
    assert!(matches!(
        presentations(&q, &json!({ "nice_to_have": ["a~"] })),
        Err(WalletError::Dcql(_))
    ));
    assert!(matches!(
        presentations(&q, &json!({ "pid": ["a~"], "unasked": ["b~"] })),
        Err(WalletError::Dcql(_))
    ));
    assert!(matches!(presentations(&q, &json!({ "pid": [] })), Err(WalletError::Malformed(_))));
    assert!(matches!(presentations(&q, &json!({ "pid": "a~" })), Err(WalletError::Malformed(_))));
}

#[test]
fn the_pid_query_asks_for_the_subject_basis_and_the_scopes_claims_only() {
    let q = pid_query(&[PidClaim::Address, PidClaim::FamilyName], &["s9tIpPmhxdiuNkHMEWNpYim8S8Y".into()]);
    assert_eq!(
        serde_json::to_value(&q).unwrap(),
        json!({ "credentials": [{
            "id": "pid",
            "format": "dc+sd-jwt",
            "meta": { "vct_values": ["urn:eudi:pid:de:1", "urn:eudi:pid:1"] },
            "trusted_authorities": [{ "type": "aki", "values": ["s9tIpPmhxdiuNkHMEWNpYim8S8Y"] }],
            "claims": [
                { "path": ["family_name"] },
                { "path": ["given_name"] },
                { "path": ["birthdate"] },
                { "path": ["place_of_birth"] },
                { "path": ["address"] }
            ]
        }]})
    );
    assert!(pid_query(&[], &[]).credentials[0].trusted_authorities.is_none());
}
