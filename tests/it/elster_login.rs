//! ELSTER login end to end through the development ELSTER simulator (issue 6 items 1, 3, 5): our
//! signed AuthnRequest, the simulator's signed Response with an encrypted assertion, the ELSTER
//! mapping (account pseudonym → `sub`, organisation → `org`), tax data only where configured,
//! the `org` claim only with the `org` scope, and the choice page offering ELSTER only where
//! substantial suffices and to business-only clients.

use crate::support::{append_toml, dev_config, http_client, RawConfigExt, TestBroker};
use crate::support_login::{authorize_url_with_verifier, get, hidden, location, post, Jar};
use base64::Engine;
use buergerkonto::authenticators::{Authenticator, AuthnError, LoginContext, StartAction, UpstreamReturn};
use buergerkonto::identity::VerifiedIdentity;
use buergerkonto::saml::post_binding::SamlResponseXml;
use buergerkonto::trust::TrustLevel;
use serde_json::Value;
use std::sync::Arc;
use std::time::SystemTime;

const SECRET: &str = "demo-relying-party-secret-for-development-only";

/// Clients: a business-only service and a citizen service (both may ask for `org` and `tax_id`).
pub(crate) const CLIENTS: &str = r#"
[[clients]]
id = "biz"
name = "Gewerbeportal"
auth_method = "client_secret_basic"
secret_hash = "sha256:85uvUn3M0QMQZNDZez833q8fpX3s8ecmbemivr4ZlLo"
redirect_uris = ["http://127.0.0.1:9/biz/cb"]
scopes = ["openid", "profile", "email", "org", "tax_id"]
min_level = "substantial"
organisation_only = true
skip_consent = true

[[clients]]
id = "citizen"
name = "Bürgerdienst"
auth_method = "client_secret_basic"
secret_hash = "sha256:85uvUn3M0QMQZNDZez833q8fpX3s8ecmbemivr4ZlLo"
redirect_uris = ["http://127.0.0.1:9/citizen/cb"]
scopes = ["openid", "profile", "email", "org", "tax_id"]
min_level = "low"
skip_consent = true

[[clients]]
id = "highonly"
name = "Hochsicherer Dienst"
auth_method = "client_secret_basic"
secret_hash = "sha256:85uvUn3M0QMQZNDZez833q8fpX3s8ecmbemivr4ZlLo"
redirect_uris = ["http://127.0.0.1:9/highonly/cb"]
scopes = ["openid", "profile"]
min_level = "high"
skip_consent = true
"#;

async fn broker(edit: impl FnOnce(&mut buergerkonto::config::raw::RawConfig) + Send + 'static) -> TestBroker {
    TestBroker::new()
        .with_config(|c| append_toml(c, CLIENTS))
        .with_config(edit)
        .start()
        .await
}

fn field(html: &str, name: &str) -> String {
    hidden(html, name)
        .unwrap_or_else(|| panic!("no field {name} in {html}"))
        .replace("&amp;", "&")
}

/// Methods offered on the choice page for an authorization request.
async fn offered(broker: &TestBroker, client: &str, scope: &str) -> Vec<String> {
    let c = http_client();
    let mut jar = Jar::default();
    let (url, _) = authorize_url_with_verifier(broker, client, &format!("http://127.0.0.1:9/{client}/cb"), &[("scope", scope)]);
    let res = get(&c, &mut jar, &url).await;
    assert_eq!(res.status(), 303, "{}", res.text().await.unwrap_or_default());
    let html = get(&c, &mut jar, location(broker, &res).as_str()).await.text().await.unwrap();
    html.split("name=\"method\" value=\"")
        .skip(1)
        .map(|s| s[..s.find('"').unwrap()].to_owned())
        .collect()
}

/// A full login of `client` with ELSTER as `person`; returns (ID token claims, userinfo).
/// Through the choice page and the ELSTER simulator up to the ACS; returns the client, the
/// browser's cookies, the ACS response, the redirect URI and the PKCE verifier.
async fn elster_to_acs(
    broker: &TestBroker,
    client: &str,
    scope: &str,
    person: &str,
) -> (
    openidconnect::reqwest::Client,
    Jar,
    openidconnect::reqwest::Response,
    String,
    String,
) {
    let c = http_client();
    let mut jar = Jar::default();
    let redirect = format!("http://127.0.0.1:9/{client}/cb");
    let (url, verifier) = authorize_url_with_verifier(broker, client, &redirect, &[("scope", scope)]);
    let res = get(&c, &mut jar, &url).await;
    let choice = location(broker, &res);
    let html = get(&c, &mut jar, choice.as_str()).await.text().await.unwrap();
    let csrf = field(&html, "csrf");
    let res = post(
        &c,
        &mut jar,
        &broker.url(&format!("{}/start", choice.path())),
        &[("csrf", &csrf), ("method", "elster")],
    )
    .await;
    assert_eq!(res.status(), 303);
    let sso = location(broker, &res);
    assert!(sso.path().starts_with("/dev/elster-simulator/sso"), "{sso}");
    let page = c.get(sso.as_str()).send().await.unwrap();
    assert_eq!(page.status(), 200, "the simulator accepted our signed request");
    let page = page.text().await.unwrap();
    assert!(page.contains("Musterbau GmbH") && page.contains("Erika Mustermann"));
    let answer = c
        .post(broker.url("/dev/elster-simulator/answer"))
        .form(&[("sim", field(&page, "sim").as_str()), ("person", person), ("outcome", "success")])
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    // The cross-site POST to the ACS carries no cookie; the browser's cookies matter afterwards.
    let res = c
        .post(broker.url("/saml/acs"))
        .form(&[
            ("SAMLResponse", field(&answer, "SAMLResponse").as_str()),
            ("RelayState", field(&answer, "RelayState").as_str()),
        ])
        .send()
        .await
        .unwrap();
    jar.absorb(&res);
    (c, jar, res, redirect, verifier)
}

async fn elster_login(broker: &TestBroker, client: &str, scope: &str, person: &str) -> (Value, Value) {
    let (c, mut jar, mut res, redirect, verifier) = elster_to_acs(broker, client, scope, person).await;
    let callback = loop {
        assert_eq!(res.status(), 303, "{}", res.text().await.unwrap_or_default());
        let next = location(broker, &res);
        if next.as_str().starts_with(&redirect) {
            break next;
        }
        res = get(&c, &mut jar, next.as_str()).await;
    };
    let code = callback.query_pairs().find(|(k, _)| k == "code").expect("code").1.into_owned();
    let tokens: Value = json(
        c.post(broker.url("/token"))
            .basic_auth(client, Some(SECRET))
            .form(&[
                ("grant_type", "authorization_code"),
                ("code", code.as_str()),
                ("redirect_uri", redirect.as_str()),
                ("code_verifier", verifier.as_str()),
            ])
            .send()
            .await
            .unwrap(),
    )
    .await;
    let id_token = tokens["id_token"].as_str().unwrap_or_else(|| panic!("{tokens}"));
    let payload = id_token.split('.').nth(1).unwrap();
    let claims: Value = serde_json::from_slice(&base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap();
    let userinfo = json(
        c.get(broker.url("/userinfo"))
            .bearer_auth(tokens["access_token"].as_str().unwrap())
            .send()
            .await
            .unwrap(),
    )
    .await;
    (claims, userinfo)
}

async fn json(res: openidconnect::reqwest::Response) -> Value {
    let text = res.text().await.unwrap();
    serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON: {text}"))
}

#[tokio::test]
async fn organisation_login_releases_org_only_with_the_org_scope() {
    let broker = broker(|_| {}).await;
    let (id, ui) = elster_login(&broker, "biz", "openid profile email org", "musterbau").await;
    // With an access token the claims are served by userinfo (OIDC Core §5.4); the ID token
    // carries the login facts.
    assert!(id.get("org").is_none() && id.get("given_name").is_none(), "{id}");
    let claims = &ui;
    assert_eq!(claims["org"]["id"], "elster-org-5b8e20c4d9f1a736");
    assert_eq!(claims["org"]["name"], "Musterbau GmbH");
    assert_eq!(claims["org"]["legal_form"], "GmbH");
    assert_eq!(claims["org"]["seat"], "Köln");
    assert!(
        claims["org"].get("tax_number").is_none(),
        "Steuernummer not released by default: {claims}"
    );
    assert_eq!(claims["given_name"], "Max", "the acting person is separate from the organisation");
    assert!(
        !claims.to_string().contains("elster-acc-"),
        "account pseudonym only feeds the pairwise sub"
    );
    assert_eq!(id["amr"], serde_json::json!(["elster-org-cert"]));
    assert_eq!(id["acr"], "http://eidas.europa.eu/LoA/substantial");
    assert_eq!(ui["email"], "max.beispiel@musterbau.example");

    // Same organisation login without the org scope: no organisation data at all.
    let (id, ui) = elster_login(&broker, "biz", "openid profile", "musterbau").await;
    for claims in [&id, &ui] {
        assert!(claims.get("org").is_none(), "{claims}");
        assert!(!claims.to_string().contains("Musterbau"), "{claims}");
    }
}

#[tokio::test]
async fn a_business_only_service_refuses_a_personal_elster_login() {
    let broker = broker(|_| {}).await;
    let (c, mut jar, mut res, redirect, _) = elster_to_acs(&broker, "biz", "openid profile org", "erika").await;
    // Follow the broker's own hops; the last one must be the explanation page, not a code.
    let html = loop {
        if res.status() == 200 {
            break res.text().await.unwrap();
        }
        assert_eq!(res.status(), 303);
        let next = location(&broker, &res);
        assert!(!next.as_str().starts_with(&redirect), "no redirect with a code: {next}");
        res = get(&c, &mut jar, next.as_str()).await;
    };
    assert!(html.contains("Organisationszertifikat"), "{html}");
    let back = crate::support_login::continue_link(&html).expect("way back to the service");
    assert!(back.as_str().starts_with(&redirect));
    assert_eq!(
        back.query_pairs()
            .find(|(k, _)| k == "error")
            .map(|(_, v)| v.into_owned())
            .as_deref(),
        Some("access_denied")
    );
    assert!(back.query_pairs().all(|(k, _)| k != "code"));
}

#[tokio::test]
async fn personal_login_has_no_org_and_no_tax_id_without_configuration() {
    let broker = broker(|_| {}).await;
    let (id, ui) = elster_login(&broker, "citizen", "openid profile email org tax_id", "erika").await;
    assert_eq!(ui["given_name"], "Erika");
    assert_eq!(ui["family_name"], "Mustermann");
    for claims in [&id, &ui] {
        assert!(claims.get("org").is_none(), "{claims}");
        assert!(claims.get("tax_id").is_none(), "IdNr not released without release_tax_id: {claims}");
    }
    assert_eq!(id["amr"], serde_json::json!(["elster"]));
}

#[tokio::test]
async fn tax_data_is_released_only_where_configured() {
    let broker = broker(|c| {
        let elster = c.upstream_mut("elster");
        (elster.release_tax_id, elster.release_tax_number) = (true, true);
    })
    .await;
    let (_, ui) = elster_login(&broker, "citizen", "openid profile tax_id", "erika").await;
    assert_eq!(ui["tax_id"], "02476291358");
    // The tax_id scope is still needed: without it, no IdNr.
    let (id, _) = elster_login(&broker, "citizen", "openid profile", "erika").await;
    assert!(id.get("tax_id").is_none());
    let (_, ui) = elster_login(&broker, "biz", "openid org", "musterbau").await;
    assert_eq!(ui["org"]["tax_number"], "2181508150");
}

#[tokio::test]
async fn the_choice_offers_elster_only_where_substantial_suffices() {
    let broker = broker(|_| {}).await;
    let citizen = offered(&broker, "citizen", "openid profile").await;
    assert!(
        citizen.contains(&"elster".to_owned()) && citizen.contains(&"eid".to_owned()),
        "{citizen:?}"
    );
    // The README's first command: the demo client (substantial) is offered ELSTER too.
    let demo = {
        let c = http_client();
        let mut jar = Jar::default();
        let url = crate::support_login::authorize_url(&broker, &[]);
        let res = get(&c, &mut jar, &url).await;
        get(&c, &mut jar, location(&broker, &res).as_str()).await.text().await.unwrap()
    };
    assert!(demo.contains("value=\"elster\""));
    let high = offered(&broker, "highonly", "openid profile").await;
    assert!(!high.contains(&"elster".to_owned()) && high.contains(&"eid".to_owned()), "{high:?}");
    // A business-only client sees only methods that yield an organisation.
    let biz = offered(&broker, "biz", "openid org").await;
    assert_eq!(biz, ["elster"], "{biz:?}");
}

async fn through_simulator(
    broker: &TestBroker,
    elster: &Arc<dyn Authenticator>,
    pending: &str,
    person: &str,
    outcome: &str,
) -> (String, String) {
    let ctx = LoginContext {
        transaction_id: pending.into(),
        required_level: TrustLevel::Substantial,
        locale: "de".into(),
        login_hint: None,
        scopes: Vec::new(),
        now: SystemTime::now(),
    };
    let StartAction::Redirect(url) = elster.start(&ctx).await.expect("start") else {
        panic!("redirect binding expected")
    };
    let c = http_client();
    let page = c.get(url.as_str()).send().await.unwrap().text().await.unwrap();
    let form = c
        .post(broker.url("/dev/elster-simulator/answer"))
        .form(&[("sim", field(&page, "sim").as_str()), ("person", person), ("outcome", outcome)])
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    (field(&form, "SAMLResponse"), field(&form, "RelayState"))
}

async fn finish(m: &Arc<dyn Authenticator>, pending: &str, saml: &str, relay: &str) -> Result<VerifiedIdentity, AuthnError> {
    let input = UpstreamReturn::SamlPost {
        saml_response: SamlResponseXml::from_form_value(saml).expect("the simulator's SAMLResponse is base64"),
        relay_state: Some(relay.into()),
        transaction: None,
    };
    m.finish(&pending.into(), input, SystemTime::now()).await
}

#[tokio::test]
async fn the_elster_method_yields_identities_and_maps_failures() {
    let broker = broker(|_| {}).await;
    let elster = broker.state.methods().get("elster").unwrap().clone();
    assert!(elster.yields_organisation());
    assert_eq!(elster.max_level(), TrustLevel::Substantial);
    // ELSTER never starts for a requirement of high.
    let ctx = LoginContext {
        transaction_id: "p-high".into(),
        required_level: TrustLevel::High,
        locale: "de".into(),
        login_hint: None,
        scopes: Vec::new(),
        now: SystemTime::now(),
    };
    assert!(matches!(elster.start(&ctx).await, Err(AuthnError::LevelTooLow)));

    let (saml, relay) = through_simulator(&broker, &elster, "p-org", "musterbau", "success").await;
    let xml = String::from_utf8(base64::engine::general_purpose::STANDARD.decode(&saml).unwrap()).unwrap();
    assert!(
        xml.contains("EncryptedAssertion") && !xml.contains("Musterbau"),
        "attributes travel encrypted"
    );
    let id = finish(&elster, "p-org", &saml, &relay).await.unwrap();
    assert_eq!(id.level, TrustLevel::Substantial);
    assert_eq!(id.subject.0, "elster-acc-c19d44e07a2b6f35");
    assert_eq!(id.amr, ["elster-org-cert"]);
    let org = id.organisation.unwrap();
    assert_eq!((org.id.as_str(), org.tax_number), ("elster-org-5b8e20c4d9f1a736", None));

    for (outcome, cancelled) in [("cancel", true), ("certificate_revoked", false)] {
        let pending = format!("p-{outcome}");
        let (saml, relay) = through_simulator(&broker, &elster, &pending, "erika", outcome).await;
        match finish(&elster, &pending, &saml, &relay).await {
            Err(AuthnError::Cancelled) if cancelled => {}
            Err(AuthnError::UpstreamFailure { code }) if !cancelled && code == "certificate_revoked" => {}
            other => panic!("{outcome}: {other:?}"),
        }
    }
}

#[tokio::test]
async fn an_eid_response_is_not_accepted_for_elster() {
    // The eID simulator's (validly signed) answer to an ELSTER request: wrong issuer and key.
    let broker = broker(|_| {}).await;
    let elster = broker.state.methods().get("elster").unwrap().clone();
    let (_, relay) = through_simulator(&broker, &elster, "p-cross", "erika", "success").await;
    let eid = broker.state.methods().get("eid").unwrap().clone();
    let ctx = LoginContext {
        transaction_id: "p-eid".into(),
        required_level: TrustLevel::High,
        locale: "de".into(),
        login_hint: None,
        scopes: Vec::new(),
        now: SystemTime::now(),
    };
    let StartAction::Redirect(url) = eid.start(&ctx).await.unwrap() else {
        panic!()
    };
    let c = http_client();
    let page = c.get(url.as_str()).send().await.unwrap().text().await.unwrap();
    let form = c
        .post(broker.url("/dev/eid-simulator/answer"))
        .form(&[("sim", field(&page, "sim").as_str()), ("person", "erika"), ("outcome", "success")])
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let eid_saml = field(&form, "SAMLResponse");
    assert!(matches!(
        finish(&elster, "p-cross", &eid_saml, &relay).await,
        Err(AuthnError::Unverified(_))
    ));
}

#[test]
fn elster_configuration_rules() {
    use buergerkonto::config::raw::RawConfig;
    let err = |edit: fn(&mut RawConfig)| dev_config(edit).expect_err("refused").to_string();
    assert!(dev_config(|_| {}).is_ok());
    // Tax data and attribute renaming belong to the ELSTER profile only.
    let e = err(|c| c.upstream_mut("eid").release_tax_id = true);
    assert!(e.contains("only for profile \"elster\""), "{e}");
    let e = err(|c| {
        c.upstream_mut("eid").attribute_names.insert("PersonIdentifier".into(), "x".into());
    });
    assert!(e.contains("attribute names are fixed"), "{e}");
    // Requesting tax data without allowing its release is a contradiction.
    let e = err(|c| c.upstream_mut("elster").requested_attributes = vec!["IdNr".into()]);
    assert!(e.contains("needs release_tax_id = true"), "{e}");
    let e = err(|c| {
        c.upstream_mut("elster").attribute_names.insert("Nope".into(), "x".into());
    });
    assert!(e.contains("unknown attribute \"Nope\""), "{e}");
    // The simulator is development-only and must play an ELSTER upstream.
    let e = err(|c| c.server.development = false);
    assert!(e.contains("saml.dev_elster_simulator: the ELSTER simulator is refused"), "{e}");
    let e = err(|c| c.saml_mut().dev_elster_simulator.as_mut().expect("simulator").upstream = "eid".into());
    assert!(e.contains("does not use the profile"), "{e}");
}
