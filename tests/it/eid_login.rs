//! eID login end to end through the development simulator: our signed AuthnRequest, the
//! simulator's signed Response with an encrypted assertion, verification, mapping, replay cache and
//! the error outcomes (issue 4 items 4–6). Needs the samlcore crypto; ignored until merged.

use crate::support::{http_client, RawConfigExt, TestBroker};
use buergerkonto::authenticators::{Authenticator, AuthnError, LoginContext, StartAction, UpstreamReturn};
use buergerkonto::identity::VerifiedIdentity;
use buergerkonto::saml::post_binding::SamlResponseXml;
use buergerkonto::saml::upstream::UpstreamRecord;
use buergerkonto::session::RecordKind;
use buergerkonto::trust::TrustLevel;
use serde_json::json;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

fn field(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html.find(&marker).unwrap_or_else(|| panic!("no field {name} in {html}")) + marker.len();
    let end = start + html[start..].find('"').unwrap();
    html[start..end].replace("&amp;", "&")
}

/// Start at the broker, pass the simulator with `person`/`outcome`, return (SAMLResponse, RelayState).
async fn through_simulator(
    broker: &TestBroker,
    eid: &Arc<dyn Authenticator>,
    pending: &str,
    person: &str,
    outcome: &str,
) -> (String, String) {
    let ctx = LoginContext {
        transaction_id: pending.into(),
        required_level: eid.max_level().min(TrustLevel::High),
        locale: "de".into(),
        login_hint: None,
        scopes: Vec::new(),
        now: broker.state.clock().now(),
    };
    let StartAction::Redirect(url) = eid.start(&ctx).await.expect("start") else {
        panic!("redirect binding expected")
    };
    let c = http_client();
    let page = c.get(url.as_str()).send().await.unwrap();
    assert_eq!(page.status(), 200, "simulator accepted our signed request");
    let page = page.text().await.unwrap();
    assert!(page.contains("Erika Mustermann"));
    let sim = field(&page, "sim");
    let answer = c
        .post(broker.url("/dev/eid-simulator/answer"))
        .form(&[("sim", sim.as_str()), ("person", person), ("outcome", outcome)])
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 200);
    let csp = answer.headers()["content-security-policy"].to_str().unwrap().to_owned();
    assert!(!csp.contains("unsafe-inline"));
    let form = answer.text().await.unwrap();
    assert!(form.contains(&format!("action=\"{}\"", broker.url("/saml/acs"))));
    assert!(form.contains("<button type=\"submit\"") && !form.contains("<script"));
    (field(&form, "SAMLResponse"), field(&form, "RelayState"))
}

async fn finish(eid: &Arc<dyn Authenticator>, pending: &str, saml: &str, relay: &str) -> Result<VerifiedIdentity, AuthnError> {
    let input = UpstreamReturn::SamlPost {
        saml_response: SamlResponseXml::from_form_value(saml).expect("the simulator's SAMLResponse is base64"),
        relay_state: Some(relay.into()),
        transaction: None,
    };
    eid.finish(&pending.into(), input, SystemTime::now()).await
}

#[tokio::test]
async fn erika_logs_in_with_the_eid_simulator() {
    let broker = TestBroker::start().await;
    let eid = broker.state.methods().get("eid").unwrap().clone();
    let (saml, relay) = through_simulator(&broker, &eid, "pending-erika", "erika", "success").await;
    assert_eq!(relay, "pending-erika", "RelayState echoed");
    let response_xml = String::from_utf8(base64::Engine::decode(&base64::engine::general_purpose::STANDARD, &saml).unwrap()).unwrap();
    assert!(response_xml.contains("EncryptedAssertion") && !response_xml.contains("<saml2:Assertion"));
    let id = finish(&eid, "pending-erika", &saml, &relay).await.expect("verified identity");
    assert_eq!(id.level, TrustLevel::High);
    assert_eq!(id.subject.0, "DE/DE/123456");
    assert_eq!(id.method.as_str(), "eid");
    let a = serde_json::Value::Object(id.attributes.into_iter().collect());
    assert_eq!(a["given_name"], json!("Erika"));
    assert_eq!(a["family_name"], json!("Mustermann"));
    assert_eq!(a["birthdate"], json!("1964-08-12"));
    assert_eq!(a["birth_family_name"], json!("Gabler"));
    assert_eq!(a["place_of_birth"], json!({"locality": "Berlin"}));
    assert_eq!(
        a["address"],
        json!({"street_address": "Heidestraße 17", "locality": "Köln", "postal_code": "51147", "country": "D"})
    );
    assert_eq!(a["nationalities"], json!(["D"]));
    assert!(!a.to_string().contains("123456"), "PersonIdentifier is not a claim");

    // Replay: even with a pending request re-created for the same ID, the assertion is refused.
    let rec = UpstreamRecord {
        tag: "saml".into(),
        request_id: {
            let doc = roxmltree::Document::parse(&response_xml).unwrap();
            doc.root_element().attribute("InResponseTo").unwrap().to_owned()
        },
        upstream: "eid".into(),
        method: "eid".into(),
        pending_id: "pending-erika".into(),
        issued_at: buergerkonto::clock::unix_seconds(SystemTime::now()),
        required_level: TrustLevel::High,
    };
    broker
        .state
        .records()
        .put(RecordKind::UpstreamTransaction, "pending-erika", &rec, Duration::from_secs(60))
        .await
        .unwrap();
    assert!(matches!(
        finish(&eid, "pending-erika", &saml, &relay).await,
        Err(AuthnError::Rejected(_))
    ));
    // And the transaction is single use: a second finish finds nothing.
    assert!(matches!(
        finish(&eid, "pending-erika", &saml, &relay).await,
        Err(AuthnError::Unverified(_))
    ));
}

#[tokio::test]
async fn the_post_leg_reaches_the_login_core_without_any_cookie() {
    let broker = TestBroker::start().await;
    let eid = broker.state.methods().get("eid").unwrap().clone();
    let (saml, relay) = through_simulator(&broker, &eid, "pending-post", "max", "success").await;
    // A fresh client: no cookie of any kind travels with the cross-site POST.
    let r = http_client()
        .post(broker.url("/saml/acs"))
        .form(&[("SAMLResponse", saml.as_str()), ("RelayState", relay.as_str())])
        .send()
        .await
        .unwrap();
    let status = r.status();
    let body = r.text().await.unwrap();
    assert!(
        !body.contains("unbekannt oder abgelaufen"),
        "correlated via RelayState: {status} {body}"
    );
    assert!(broker
        .state
        .records()
        .get::<UpstreamRecord>(RecordKind::UpstreamTransaction, "pending-post")
        .await
        .unwrap()
        .is_none());
}

#[tokio::test]
async fn error_outcomes_map_to_authn_errors() {
    let broker = TestBroker::start().await;
    let eid = broker.state.methods().get("eid").unwrap().clone();
    for (outcome, expected) in [
        ("cancel", None),
        ("wrong_pin", Some("wrong_pin")),
        ("card_expired", Some("card_expired")),
    ] {
        let pending = format!("pending-{outcome}");
        let (saml, relay) = through_simulator(&broker, &eid, &pending, "erika", outcome).await;
        let err = finish(&eid, &pending, &saml, &relay).await.expect_err("error outcome");
        match (expected, &err) {
            (None, AuthnError::Cancelled) => {}
            (Some(code), AuthnError::UpstreamFailure { code: got }) if got == code => {}
            _ => panic!("{outcome}: unexpected {err:?}"),
        }
        assert_eq!(buergerkonto::oidc_provider::errors::ErrorCode::from(&err).as_str(), "access_denied");
    }
}

#[tokio::test]
async fn http_post_binding_request_is_accepted_by_the_simulator() {
    let broker = TestBroker::new()
        .with_config(|c| c.saml_mut().upstreams.iter_mut().for_each(|u| u.binding = "post".into()))
        .start()
        .await;
    let eid = broker.state.methods().get("eid").unwrap().clone();
    let ctx = LoginContext {
        transaction_id: "pending-postbinding".into(),
        required_level: TrustLevel::High,
        locale: "de".into(),
        login_hint: None,
        scopes: Vec::new(),
        now: SystemTime::now(),
    };
    let StartAction::PostForm { action, fields } = eid.start(&ctx).await.unwrap() else {
        panic!("POST binding expected")
    };
    assert_eq!(action.as_str(), broker.url("/dev/eid-simulator/sso"));
    let xml = String::from_utf8(base64::Engine::decode(&base64::engine::general_purpose::STANDARD, &fields[0].1).unwrap()).unwrap();
    assert!(xml.contains("ecdsa-sha256") && !xml.contains("#rsa-sha256"), "{xml}");
    let r = http_client().post(action.as_str()).form(&fields).send().await.unwrap();
    assert_eq!(r.status(), 200, "simulator verified our enveloped signature");
    // A tampered request is refused.
    let tampered = xml.replace("LoA/high", "LoA/low");
    let b64 = base64::Engine::encode(&base64::engine::general_purpose::STANDARD, tampered);
    let r = http_client()
        .post(action.as_str())
        .form(&[("SAMLRequest", b64.as_str()), ("RelayState", "pending-postbinding")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let page = r.text().await.unwrap();
    assert!(page.contains("Signatur der Anfrage ist ungültig"), "{page}");
}

#[tokio::test]
async fn a_response_cannot_be_redirected_to_another_pending_login() {
    let broker = TestBroker::start().await;
    let eid = broker.state.methods().get("eid").unwrap().clone();
    let (saml_a, _) = through_simulator(&broker, &eid, "pending-a", "erika", "success").await;
    let (saml_b, relay_b) = through_simulator(&broker, &eid, "pending-b", "max", "success").await;
    // Erika's response presented under Max's RelayState: InResponseTo does not match B's request.
    assert!(matches!(
        finish(&eid, "pending-b", &saml_a, &relay_b).await,
        Err(AuthnError::Unverified(_))
    ));
    // Issue 9 item 4: an unverifiable response does not spend B's transaction …
    assert!(broker
        .state
        .records()
        .get::<UpstreamRecord>(RecordKind::UpstreamTransaction, "pending-b")
        .await
        .unwrap()
        .is_some());
    // … so B's genuine response still logs Max in, exactly once.
    let id = finish(&eid, "pending-b", &saml_b, &relay_b).await.expect("B's own response");
    assert_eq!(id.method.as_str(), "eid");
    assert!(matches!(
        finish(&eid, "pending-b", &saml_b, &relay_b).await,
        Err(AuthnError::Unverified(_))
    ));
}

/// Issue 13 item 5: the attempt slots of a transaction end with it, so a finished login leaves no
/// record behind for them (only the assertion's replay-cache entry stays, until it expires).
#[tokio::test]
async fn a_finished_login_leaves_no_attempt_slots() {
    use buergerkonto::ids::store_id;
    let broker = TestBroker::start().await;
    let eid = broker.state.methods().get("eid").unwrap().clone();
    let (saml_a, _) = through_simulator(&broker, &eid, "pending-sa", "erika", "success").await;
    let (saml_b, relay_b) = through_simulator(&broker, &eid, "pending-sb", "max", "success").await;
    let records = broker.state.records();
    let slot = |n: u32| {
        let id = store_id(&format!("{}.{n}", store_id("pending-sb")));
        records.store_key(RecordKind::Other("saml-attempt"), &id)
    };
    // A failed attempt spends slot 0 and leaves it in the store …
    assert!(matches!(
        finish(&eid, "pending-sb", &saml_a, &relay_b).await,
        Err(AuthnError::Unverified(_))
    ));
    assert!(records.backend().get(&slot(0)).await.unwrap().is_some(), "slot 0 is spent");
    // … the genuine response takes slot 1 and the login ends: both slots are gone with it.
    finish(&eid, "pending-sb", &saml_b, &relay_b).await.expect("B's own response");
    for n in 0..buergerkonto::saml::upstream::MAX_ATTEMPTS {
        assert!(records.backend().get(&slot(n)).await.unwrap().is_none(), "slot {n} left behind");
    }
    // The replayed Response still fails (the transaction is gone before any slot is claimed).
    assert!(matches!(
        finish(&eid, "pending-sb", &saml_b, &relay_b).await,
        Err(AuthnError::Unverified(_))
    ));
    assert!(
        records.backend().get(&slot(0)).await.unwrap().is_none(),
        "no slot claimed after the end"
    );
}

#[tokio::test]
async fn a_flood_of_unverifiable_responses_gets_bounded_tries() {
    let broker = TestBroker::start().await;
    let eid = broker.state.methods().get("eid").unwrap().clone();
    let (saml_a, _) = through_simulator(&broker, &eid, "pending-fa", "erika", "success").await;
    let (saml_b, relay_b) = through_simulator(&broker, &eid, "pending-fb", "max", "success").await;
    for _ in 0..buergerkonto::saml::upstream::MAX_ATTEMPTS {
        assert!(matches!(
            finish(&eid, "pending-fb", &saml_a, &relay_b).await,
            Err(AuthnError::Unverified(_))
        ));
    }
    // The budget is spent: the transaction is closed, even the genuine response is not verified.
    assert!(broker
        .state
        .records()
        .get::<UpstreamRecord>(RecordKind::UpstreamTransaction, "pending-fb")
        .await
        .unwrap()
        .is_none());
    assert!(matches!(
        finish(&eid, "pending-fb", &saml_b, &relay_b).await,
        Err(AuthnError::Unverified(_))
    ));
}

#[tokio::test]
async fn a_method_ceiling_below_the_requirement_never_starts() {
    let broker = TestBroker::new()
        .with_config(|c| c.method_mut("eid").level = "substantial".into())
        .start()
        .await;
    let eid = broker.state.methods().get("eid").unwrap().clone();
    assert_eq!(eid.max_level(), TrustLevel::Substantial);
    let ctx = LoginContext {
        transaction_id: "pending-ceiling".into(),
        required_level: TrustLevel::High,
        locale: "de".into(),
        login_hint: None,
        scopes: Vec::new(),
        now: SystemTime::now(),
    };
    assert!(matches!(eid.start(&ctx).await, Err(AuthnError::LevelTooLow)));
    // With a satisfiable requirement the reached level is capped by the ceiling, not the upstream's "high".
    let (saml, relay) = through_simulator(&broker, &eid, "pending-capped", "erika", "success").await;
    let id = finish(&eid, "pending-capped", &saml, &relay).await.unwrap();
    assert_eq!(id.level, TrustLevel::Substantial);
}

#[tokio::test]
async fn a_late_response_is_refused() {
    let clock = Arc::new(buergerkonto::clock::ManualClock::starting_now());
    let broker = TestBroker::start_with_clock(clock.clone()).await;
    let eid = broker.state.methods().get("eid").unwrap().clone();
    let (saml, relay) = through_simulator(&broker, &eid, "pending-late", "erika", "success").await;
    clock.advance(Duration::from_secs(11 * 60));
    let input = UpstreamReturn::SamlPost {
        saml_response: SamlResponseXml::from_form_value(&saml).expect("the simulator's SAMLResponse is base64"),
        relay_state: Some(relay),
        transaction: None,
    };
    use buergerkonto::clock::Clock;
    assert!(matches!(
        eid.finish(&"pending-late".into(), input, clock.now()).await,
        Err(AuthnError::Rejected(_))
    ));
}
