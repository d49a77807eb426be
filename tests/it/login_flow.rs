//! Login through the real pages: code issuance, the downgrade rule, consent, method outcomes,
//! claim release and subjects.

use crate::support::{http_client, TestBroker};
use crate::support_login::*;
use buergerkonto::clock::{ManualClock, SystemClock};
use buergerkonto::trust::TrustLevel;
use std::sync::Arc;
use std::time::Duration;

const HIGH: &str = "http://eidas.europa.eu/LoA/high";

async fn broker() -> TestBroker {
    broker_with_extra(Arc::new(SystemClock)).await
}

#[tokio::test]
async fn full_login_issues_code_and_grant() {
    let b = broker().await;
    let (url, verifier) = authorize_url_with_verifier(
        &b,
        "demo",
        &demo_redirect(&b),
        &[("scope", "openid profile birth nationality address")],
    );
    let cb = dev_login(&http_client(), &b, &url, "erika", "high").await;
    assert!(cb.as_str().starts_with(&demo_redirect(&b)));
    let code = param(&cb, "code").unwrap();
    let g = grant_for_code(&b, &code).await;
    assert_eq!(g.client_id, "demo");
    assert_eq!(g.level, TrustLevel::High);
    assert_eq!(g.claims["given_name"], "Erika");
    assert_eq!(g.claims["birth_family_name"], "Gabler");
    assert_eq!(g.claims["place_of_birth"], "Berlin");
    assert_eq!(g.claims["birthdate"], "1964-08-12");
    assert_eq!(g.claims["address"]["street_address"], "Heidestraße 17");
    assert_eq!(g.claims["address"]["postal_code"], "51147");
    assert_eq!(g.claims["nationalities"][0], "D");
    assert!(!g.sub.contains("erika") && g.sub.len() == 43);
    assert!(!g.sid.is_empty() && g.auth_time > 0 && g.amr == ["dev"]);
    // the code record is single-use and short-lived
    use buergerkonto::oidc_provider::records::AuthorizationCode;
    use buergerkonto::session::RecordKind;
    let c: AuthorizationCode = b
        .state
        .records()
        .get(RecordKind::AuthorizationCode, &buergerkonto::login::code::code_store_id(&code))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(c.nonce.as_ref().map(|n| n.as_str()), Some("n-456"));
    use base64::Engine;
    use sha2::Digest;
    let s256 = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(sha2::Sha256::digest(verifier.as_bytes()));
    assert_eq!(c.code_challenge, s256, "RFC 7636 §4.6: the token side can verify the verifier");
    assert_eq!(c.redirect_uri, demo_redirect(&b));
    assert!(c.expires_at - g.created_at <= 60);
    // the raw code is not a store key
    let raw: Option<AuthorizationCode> = b.state.records().get(RecordKind::AuthorizationCode, &code).await.unwrap();
    assert!(raw.is_none());
}

#[tokio::test]
async fn downgrade_asked_high_upstream_answered_substantial_is_an_error_without_code() {
    let b = broker().await;
    let url = authorize_url(&b, &[("acr_values", HIGH)]);
    let cb = dev_login(&http_client(), &b, &url, "erika", "substantial").await;
    assert_eq!(param(&cb, "error").as_deref(), Some("unmet_authentication_requirements"));
    assert_eq!(param(&cb, "state").as_deref(), Some("st-123"));
    assert!(param(&cb, "code").is_none());
    // the same with an essential acr
    let claims = format!(r#"{{"id_token":{{"acr":{{"essential":true,"values":["{HIGH}"]}}}}}}"#);
    let cb = dev_login(
        &http_client(),
        &b,
        &authorize_url(&b, &[("claims", &claims)]),
        "erika",
        "substantial",
    )
    .await;
    assert_eq!(param(&cb, "error").as_deref(), Some("unmet_authentication_requirements"));
    assert!(param(&cb, "code").is_none());
}

#[tokio::test]
async fn client_minimum_is_enforced_after_the_upstream() {
    let b = broker().await;
    // demo requires substantial; the dev login answers low
    let cb = dev_login(&http_client(), &b, &authorize_url(&b, &[]), "erika", "low").await;
    assert_eq!(param(&cb, "error").as_deref(), Some("unmet_authentication_requirements"));
}

#[tokio::test]
async fn consent_deny_is_access_denied() {
    let b = broker().await;
    let mut jar = Jar::default();
    let cb = login_with_consent(
        &http_client(),
        &b,
        &mut jar,
        &authorize_url(&b, &[]),
        "dev",
        Outcome::Success("erika", "high"),
        "deny",
    )
    .await;
    assert_eq!(param(&cb, "error").as_deref(), Some("access_denied"));
    assert_eq!(param(&cb, "state").as_deref(), Some("st-123"));
    assert!(param(&cb, "code").is_none());
}

#[tokio::test]
async fn cancelled_and_failed_upstream_are_access_denied() {
    let b = broker().await;
    for outcome in [Outcome::Cancelled, Outcome::Failure] {
        let mut jar = Jar::default();
        let cb = login_in(&http_client(), &b, &mut jar, &authorize_url(&b, &[]), "dev", outcome).await;
        assert_eq!(param(&cb, "error").as_deref(), Some("access_denied"));
        assert_eq!(param(&cb, "iss").as_deref(), Some(b.base.as_str()));
    }
}

#[tokio::test]
async fn cancel_on_choice_page_is_access_denied() {
    let b = broker().await;
    let c = http_client();
    let mut jar = Jar::default();
    let res = get(&c, &mut jar, &authorize_url(&b, &[])).await;
    let choice = location(&b, &res);
    let html = get(&c, &mut jar, choice.as_str()).await.text().await.unwrap();
    let csrf = hidden(&html, "csrf").unwrap();
    let res = post(&c, &mut jar, &format!("{choice}/cancel"), &[("csrf", &csrf)]).await;
    let cb = location(&b, &res);
    assert_eq!(param(&cb, "error").as_deref(), Some("access_denied"));
}

#[tokio::test]
async fn skip_consent_client_gets_no_consent_page() {
    let b = broker().await;
    let c = http_client();
    let mut jar = Jar::default();
    let url = authorize_url_for(&b, "skip", "http://127.0.0.1:9/skip/cb", &[]);
    let res = get(&c, &mut jar, &url).await;
    let choice = location(&b, &res);
    let html = get(&c, &mut jar, choice.as_str()).await.text().await.unwrap();
    let csrf = hidden(&html, "csrf").unwrap();
    let res = post(&c, &mut jar, &format!("{choice}/start"), &[("csrf", &csrf), ("method", "dev")]).await;
    let dev = location(&b, &res);
    let res = post(
        &c,
        &mut jar,
        &b.url(dev.path()),
        &[("person", "erika"), ("level", "high"), ("outcome", "success")],
    )
    .await;
    let cb = location(&b, &res);
    assert!(
        cb.as_str().starts_with("http://127.0.0.1:9/skip/cb"),
        "straight to the client: {cb}"
    );
    assert!(param(&cb, "code").is_some());
}

#[tokio::test]
async fn claims_limited_to_client_list_and_never_invented() {
    let b = broker().await;
    let mut jar = Jar::default();
    let url = authorize_url_for(&b, "narrow", "http://127.0.0.2:9/narrow/cb", &[("scope", "openid profile birth")]);
    let cb = login_in(&http_client(), &b, &mut jar, &url, "dev", Outcome::Success("erika", "high")).await;
    let g = grant_for_code(&b, &param(&cb, "code").unwrap()).await;
    assert_eq!(g.claims.keys().collect::<Vec<_>>(), ["birth_family_name", "family_name"]);
    // Ludwig has no birth name: it is not released, not made up
    let mut jar = Jar::default();
    let cb = login_in(&http_client(), &b, &mut jar, &url, "dev", Outcome::Success("ludwig", "high")).await;
    let g = grant_for_code(&b, &param(&cb, "code").unwrap()).await;
    assert_eq!(g.claims.keys().collect::<Vec<_>>(), ["family_name"]);
}

#[tokio::test]
async fn id_token_claims_from_claims_parameter_only_if_released() {
    let b = broker().await;
    let claims = r#"{"id_token":{"given_name":null,"birth_family_name":{"essential":true}}}"#;
    let cb = dev_login(&http_client(), &b, &authorize_url(&b, &[("claims", claims)]), "erika", "high").await;
    let g = grant_for_code(&b, &param(&cb, "code").unwrap()).await;
    // profile granted, birth not requested as scope: only given_name
    assert_eq!(g.id_token_claims, ["given_name"]);
    assert!(!g.claims.contains_key("birth_family_name"));
}

#[tokio::test]
async fn pairwise_sub_stable_across_restarts_and_sector_separated_public_shared() {
    let clock: Arc<SystemClock> = Arc::new(SystemClock);
    let mut seen = Vec::new();
    for _ in 0..2 {
        // two broker instances (= restart / second node) with the same configuration
        let b = broker_with_extra(clock.clone()).await;
        let mut row = Vec::new();
        for (client, uri) in [
            ("skip", "http://127.0.0.1:9/skip/cb"),
            ("narrow", "http://127.0.0.2:9/narrow/cb"),
            ("pub1", "http://127.0.0.3:9/cb"),
            ("pub2", "http://127.0.0.4:9/cb"),
        ] {
            let url = authorize_url_for(&b, client, uri, &[("scope", "openid")]);
            let mut jar = Jar::default();
            let cb = login_in(&http_client(), &b, &mut jar, &url, "dev", Outcome::Success("erika", "high")).await;
            row.push(grant_for_code(&b, &param(&cb, "code").unwrap()).await.sub);
        }
        seen.push(row);
    }
    assert_eq!(seen[0], seen[1], "stable across instances");
    let r = &seen[0];
    assert_ne!(r[0], r[1], "pairwise per sector");
    assert_eq!(r[2], r[3], "public is shared");
    assert_ne!(r[0], r[2]);
}

#[tokio::test]
async fn choice_page_lists_only_sufficient_methods() {
    let b = broker().await;
    let c = http_client();
    let mut jar = Jar::default();
    let res = get(&c, &mut jar, &authorize_url(&b, &[("acr_values", HIGH)])).await;
    let html = get(&c, &mut jar, location(&b, &res).as_str()).await.text().await.unwrap();
    assert!(html.contains("value=\"dev\""), "{html}");
    assert!(
        !html.contains("value=\"dev-sub\""),
        "substantial-only method must not be offered for high"
    );
    // without acr_values both reach substantial (the client minimum)
    let res = get(&c, &mut jar, &authorize_url(&b, &[])).await;
    let html = get(&c, &mut jar, location(&b, &res).as_str()).await.text().await.unwrap();
    assert!(html.contains("value=\"dev\"") && html.contains("value=\"dev-sub\""));
    // the client's allowed_methods
    let res = get(
        &c,
        &mut jar,
        &authorize_url_for(&b, "subonly", "http://127.0.0.1:9/subonly/cb", &[]),
    )
    .await;
    let html = get(&c, &mut jar, location(&b, &res).as_str()).await.text().await.unwrap();
    assert!(!html.contains("value=\"dev\"") && html.contains("value=\"dev-sub\""));
}

#[tokio::test]
async fn starting_an_insufficient_method_by_hand_is_refused() {
    let b = broker().await;
    let c = http_client();
    let mut jar = Jar::default();
    let res = get(&c, &mut jar, &authorize_url(&b, &[("acr_values", HIGH)])).await;
    let choice = location(&b, &res);
    let html = get(&c, &mut jar, choice.as_str()).await.text().await.unwrap();
    let csrf = hidden(&html, "csrf").unwrap();
    let res = post(&c, &mut jar, &format!("{choice}/start"), &[("csrf", &csrf), ("method", "dev-sub")]).await;
    assert_eq!(res.status(), 400);
    assert!(res.headers().get("location").is_none());
    let page = res.text().await.unwrap();
    assert!(page.contains("Ungültige Anfrage"), "{page}");
}

#[tokio::test]
async fn start_requires_csrf_token_and_same_origin() {
    let b = broker().await;
    let c = http_client();
    let mut jar = Jar::default();
    let res = get(&c, &mut jar, &authorize_url(&b, &[])).await;
    let choice = location(&b, &res);
    let html = get(&c, &mut jar, choice.as_str()).await.text().await.unwrap();
    let csrf = hidden(&html, "csrf").unwrap();
    let start = format!("{choice}/start");
    let res = post(&c, &mut jar, &start, &[("method", "dev")]).await;
    assert_forbidden_page(res, "no csrf").await;
    let res = post(&c, &mut jar, &start, &[("csrf", "wrong"), ("method", "dev")]).await;
    assert_forbidden_page(res, "wrong csrf").await;
    let res = c
        .post(&start)
        .header("origin", "https://evil.example")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("csrf={csrf}&method=dev"))
        .send()
        .await
        .unwrap();
    assert_forbidden_page(res, "foreign origin").await;
    // an unknown pending id
    let res = post(
        &c,
        &mut jar,
        &b.url("/login/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA/start"),
        &[("csrf", &csrf), ("method", "dev")],
    )
    .await;
    assert_eq!(res.status(), 400);
    let page = res.text().await.unwrap();
    assert!(page.contains("Anmeldung abgelaufen"), "{page}");
}

/// 403 with the bilingual "request not confirmed" page, never a redirect.
async fn assert_forbidden_page(res: openidconnect::reqwest::Response, what: &str) {
    assert_eq!(res.status(), 403, "{what}");
    assert!(res.headers().get("location").is_none(), "{what}: no redirect");
    let page = res.text().await.unwrap();
    assert!(page.contains("Anfrage nicht bestätigt"), "{what}: {page}");
}

#[tokio::test]
async fn consent_is_bound_to_the_browser_that_logged_in() {
    let b = broker().await;
    let c = http_client();
    let mut jar = Jar::default();
    let res = get(&c, &mut jar, &authorize_url(&b, &[("idp_hint", "dev")])).await;
    let dev = location(&b, &res);
    let res = post(
        &c,
        &mut jar,
        &b.url(dev.path()),
        &[("person", "erika"), ("level", "high"), ("outcome", "success")],
    )
    .await;
    let consent = location(&b, &res);
    assert!(consent.path().starts_with("/consent/"));
    // another browser (no session cookie) cannot see or approve it
    let mut other = Jar::default();
    let res = get(&c, &mut other, consent.as_str()).await;
    assert_forbidden_page(res, "consent page in another browser").await;
    let html = get(&c, &mut jar, consent.as_str()).await.text().await.unwrap();
    let csrf = hidden(&html, "csrf").unwrap();
    let res = post(&c, &mut other, consent.as_str(), &[("csrf", &csrf), ("decision", "approve")]).await;
    assert_forbidden_page(res, "approval from another browser").await;
    // the right browser can, once
    let res = post(&c, &mut jar, consent.as_str(), &[("csrf", &csrf), ("decision", "approve")]).await;
    assert!(param(&location(&b, &res), "code").is_some());
    let res = post(&c, &mut jar, consent.as_str(), &[("csrf", &csrf), ("decision", "approve")]).await;
    assert_eq!(res.status(), 400, "single use");
    let page = res.text().await.unwrap();
    assert!(page.contains("Anmeldung abgelaufen"), "single use: {page}");
}

#[tokio::test]
async fn expired_pending_request_shows_a_page() {
    let clock = Arc::new(ManualClock::starting_now());
    let b = broker_with_extra(clock.clone()).await;
    let c = http_client();
    let mut jar = Jar::default();
    let res = get(&c, &mut jar, &authorize_url(&b, &[("idp_hint", "dev")])).await;
    let dev = location(&b, &res);
    clock.advance(Duration::from_secs(901));
    let res = post(&c, &mut jar, &b.url(dev.path()), &[("outcome", "cancelled")]).await;
    assert_eq!(res.status(), 400);
    assert!(res.headers().get("location").is_none());
    assert!(res.text().await.unwrap().contains("Anmeldung abgelaufen"));
}

#[tokio::test]
async fn another_instance_finishes_a_login_this_one_began() {
    let a = broker().await;
    let b = SecondInstance::start(&a).await;
    let c = http_client();
    let mut jar = Jar::default();
    let res = get(&c, &mut jar, &authorize_url(&a, &[])).await;
    let path = location(&a, &res).path().to_owned();
    // everything after /authorize happens on the other node
    let html = get(&c, &mut jar, &b.url(&path)).await.text().await.unwrap();
    let csrf = hidden(&html, "csrf").unwrap();
    let res = post(
        &c,
        &mut jar,
        &b.url(&format!("{path}/start")),
        &[("csrf", &csrf), ("method", "dev")],
    )
    .await;
    let dev = url::Url::parse(res.headers()["location"].to_str().unwrap()).unwrap();
    let res = post(
        &c,
        &mut jar,
        &b.url(dev.path()),
        &[("person", "erika"), ("level", "high"), ("outcome", "success")],
    )
    .await;
    let consent = res.headers()["location"].to_str().unwrap().to_owned();
    let html = get(&c, &mut jar, &b.url(&consent)).await.text().await.unwrap();
    let csrf = hidden(&html, "csrf").unwrap();
    let res = post(&c, &mut jar, &b.url(&consent), &[("csrf", &csrf), ("decision", "approve")]).await;
    let cb = url::Url::parse(res.headers()["location"].to_str().unwrap()).unwrap();
    let g = grant_for_code(&a, &param(&cb, "code").unwrap()).await;
    assert_eq!(g.level, TrustLevel::High);
    // and the first node honours the session the second one created
    let res = get(&c, &mut jar, &authorize_url(&a, &[("prompt", "none")])).await;
    assert!(param(&location(&a, &res), "code").is_some());
}

/// An identity as an upstream endpoint would hand it over.
fn identity(method: &str, level: TrustLevel, person: &str) -> buergerkonto::identity::VerifiedIdentity {
    use buergerkonto::identity::{Attributes, MethodId, UpstreamSubject, VerifiedIdentity};
    VerifiedIdentity {
        method: MethodId(method.into()),
        level,
        subject: UpstreamSubject(format!("dev:{person}")),
        attributes: Attributes::new(),
        organisation: None,
        amr: vec!["test".into()],
        auth_time: buergerkonto::clock::unix_seconds(std::time::SystemTime::now()),
        upstream_session: None,
    }
}

/// Park a request with `idp_hint` and return its pending id and the browser's binding value.
async fn parked(b: &TestBroker, extra: &[(&str, &str)]) -> (String, buergerkonto::login::binding::Presented) {
    let res = http_client()
        .get(authorize_url_for(b, "skip", "http://127.0.0.1:9/skip/cb", extra))
        .send()
        .await
        .unwrap();
    let mut jar = Jar::default();
    jar.absorb(&res);
    let bind = jar.binding().expect("binding cookie set by /authorize");
    let loc = location(b, &res);
    (
        loc.path().rsplit('/').next().unwrap().to_owned(),
        buergerkonto::login::binding::Presented::parse(&bind).unwrap(),
    )
}

#[tokio::test]
async fn identity_from_a_method_not_started_is_refused() {
    let b = broker().await;
    let (id, bind) = parked(&b, &[("idp_hint", "dev-sub")]).await;
    let res = buergerkonto::http::login::continue_after_upstream(
        &b.state,
        &id.as_str().into(),
        Some(&bind),
        Ok(identity("dev", TrustLevel::High, "erika")),
    )
    .await;
    assert_eq!(res.status(), 303);
    let loc = res.headers()["location"].to_str().unwrap();
    assert!(loc.contains("error=access_denied") && !loc.contains("code="), "{loc}");
}

#[tokio::test]
async fn method_ceiling_caps_the_asserted_level() {
    let b = broker().await;
    let (id, bind) = parked(&b, &[("idp_hint", "dev-sub")]).await;
    let res = buergerkonto::http::login::continue_after_upstream(
        &b.state,
        &id.as_str().into(),
        Some(&bind),
        Ok(identity("dev-sub", TrustLevel::High, "erika")),
    )
    .await;
    let cb = url::Url::parse(res.headers()["location"].to_str().unwrap()).unwrap();
    let g = grant_for_code(&b, &param(&cb, "code").unwrap()).await;
    assert_eq!(g.level, TrustLevel::Substantial, "a substantial method cannot give high");
}

#[tokio::test]
async fn upstream_error_goes_to_the_relying_party_and_unknown_request_to_a_page() {
    let b = broker().await;
    let (id, bind) = parked(&b, &[("idp_hint", "dev")]).await;
    let err = buergerkonto::authenticators::AuthnError::Unavailable("x".into());
    let res = buergerkonto::http::login::continue_after_upstream(&b.state, &id.as_str().into(), Some(&bind), Err(err.clone())).await;
    // A page for the person (what happened, what to do) whose link carries the error to the RP.
    assert_eq!(res.status(), 200);
    assert!(res.headers().get("location").is_none());
    let body = axum::body::to_bytes(res.into_body(), 1 << 20).await.unwrap();
    let html = String::from_utf8_lossy(&body);
    assert!(html.contains("nicht erreichbar") && html.contains("Zurück zum Dienst"), "{html}");
    let loc = crate::support_login::continue_link(&html).expect("link back to the service");
    assert!(
        loc.as_str().starts_with("http://127.0.0.1:9/skip/cb?error=temporarily_unavailable"),
        "{loc}"
    );
    assert!(!html.contains("x\u{0}") && !html.contains(">x<"), "no internal detail");
    // the request is used up: a replay gets a page, not a second redirect
    let res = buergerkonto::http::login::continue_after_upstream(&b.state, &id.as_str().into(), Some(&bind), Err(err)).await;
    assert_eq!(res.status(), 400);
    assert!(res.headers().get("location").is_none());
    let body = axum::body::to_bytes(res.into_body(), 1 << 20).await.unwrap();
    let body = String::from_utf8_lossy(&body);
    // The request is gone, so the browser binding cannot be proven: the restart page.
    assert!(
        body.contains("Anmeldung nicht fortgesetzt") && body.contains("Bitte starten Sie die Anmeldung bei dem Online-Dienst neu"),
        "replay gets the restart page: {body}"
    );
}

#[tokio::test]
async fn upstream_failures_explained_in_english_too() {
    use buergerkonto::authenticators::AuthnError;
    let b = broker().await;
    for (err, text) in [
        (AuthnError::Cancelled, "You cancelled the login."),
        (
            AuthnError::UpstreamFailure { code: "wrong_pin".into() },
            "The PIN you entered was not correct.",
        ),
        (
            AuthnError::UpstreamFailure {
                code: "card_expired".into(),
            },
            "Your ID card has expired",
        ),
    ] {
        let (id, bind) = parked(&b, &[("idp_hint", "dev"), ("ui_locales", "en")]).await;
        let res = buergerkonto::http::login::continue_after_upstream(&b.state, &id.as_str().into(), Some(&bind), Err(err)).await;
        let body = axum::body::to_bytes(res.into_body(), 1 << 20).await.unwrap();
        let html = String::from_utf8_lossy(&body);
        assert!(html.contains(text) && html.contains("lang=\"en\""), "{html}");
        let back = crate::support_login::continue_link(&html).unwrap();
        assert_eq!(param(&back, "error").as_deref(), Some("access_denied"));
        assert_eq!(
            param(&back, "state").as_deref(),
            Some("st-123"),
            "state echoed to the relying party"
        );
    }
}

/// RFC 6749 §4.1.2: a replay that races the first redemption (the code record is already taken,
/// the first request has not finished) must still revoke the grant — the replay marker is written
/// when the code is issued, not after the first redemption took it.
#[tokio::test]
async fn replay_racing_the_first_redemption_still_revokes_the_grant() {
    use buergerkonto::oidc_provider::records::{AuthorizationCode, Grant};
    use buergerkonto::session::RecordKind;
    let b = broker().await;
    let (url, verifier) = authorize_url_with_verifier(&b, "demo", &demo_redirect(&b), &[]);
    let cb = dev_login(&http_client(), &b, &url, "erika", "high").await;
    let code = param(&cb, "code").unwrap();
    let grant_id = grant_for_code(&b, &code).await.id;
    // The "first redemption" takes the code and has not yet written anything else.
    let key = buergerkonto::login::code::code_store_id(&code);
    let taken: Option<AuthorizationCode> = b.state.records().take(RecordKind::AuthorizationCode, &key).await.unwrap();
    assert!(taken.is_some());
    // The racing replay arrives now.
    let res = http_client()
        .post(b.url("/token"))
        .basic_auth("demo", Some("demo-relying-party-secret-for-development-only"))
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", code.as_str()),
            ("redirect_uri", demo_redirect(&b).as_str()),
            ("code_verifier", verifier.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    let body: serde_json::Value = serde_json::from_slice(&res.bytes().await.unwrap()).unwrap();
    assert_eq!(body["error"], "invalid_grant");
    assert!(body.get("access_token").is_none());
    let grant: Option<Grant> = b.state.records().get(RecordKind::Grant, grant_id.as_str()).await.unwrap();
    assert!(grant.is_none(), "the grant the code stood for is revoked");
}
