//! Issue 9 items 1–3 and 6 (store keys): every login is bound to the browser that called
//! `/authorize`. The attack the security review found — an attacker runs his own login up to the
//! upstream's answer (SAML Response + RelayState, or the certificate return link) and has a
//! victim's browser submit it — must plant nothing: no session cookie, no code at any redirect URI,
//! no session, code, grant or consent in the store, and the victim reads the restart page.
//!
//! The store assertions run against Redis (unique namespace, `SCAN`, never flushed).

use crate::support::{http_client, TestBroker};
use crate::support_binding::*;
use crate::support_login::*;
use buergerkonto::clock::{ManualClock, SystemClock};
use openidconnect::reqwest;
use std::sync::Arc;
use std::time::Duration;

const HIGH: &str = "http://eidas.europa.eu/LoA/high";

fn demo_high(b: &TestBroker) -> String {
    authorize_url(b, &[("acr_values", HIGH)])
}

/// Victim browsers: one with its own login running (own binding cookie), one without cookies.
async fn victims(b: &TestBroker, c: &reqwest::Client) -> Vec<(&'static str, Jar)> {
    let mut own = Jar::default();
    let res = get(c, &mut own, &authorize_url(b, &[])).await;
    assert_eq!(res.status(), 303);
    assert!(own.binding().is_some(), "/authorize sets the binding cookie");
    vec![("own cookie jar", own), ("no cookies", Jar::default())]
}

#[tokio::test]
async fn a_saml_response_captured_in_browser_a_plants_nothing_in_browser_b() {
    let bed = bed("bind-saml", Arc::new(SystemClock)).await;
    let b = &bed.broker;
    let c = http_client();
    for (victim, mut jar_b) in victims(b, &c).await {
        let mut jar_a = Jar::default();
        let (saml, relay) = capture_saml(b, &c, &mut jar_a, &demo_high(b), "eid", "erika").await;
        let res = acs(b, &c, &saml, &relay).await;
        assert_eq!(res.status(), 303, "{victim}: the ACS continues on a same-site GET");
        let (end, set) = follow(b, &c, &mut jar_b, res).await;
        assert_refused(&end, &set);
        assert_nothing_created(&bed.namespace).await;
        // The attacker's request is gone too: nothing half-done is left to continue.
        let pending: Option<buergerkonto::oidc_provider::records::PendingAuthorization> = b
            .state
            .records()
            .get(buergerkonto::session::RecordKind::PendingAuthorization, &relay)
            .await
            .unwrap();
        assert!(pending.is_none(), "{victim}");
    }
    // The same for ELSTER.
    let mut jar_a = Jar::default();
    let citizen = authorize_url_for(b, "citizen", "http://127.0.0.1:9/citizen/cb", &[]);
    let (saml, relay) = capture_saml(b, &c, &mut jar_a, &citizen, "elster", "erika").await;
    let res = acs(b, &c, &saml, &relay).await;
    let (end, set) = follow(b, &c, &mut Jar::default(), res).await;
    assert_refused(&end, &set);
    assert_nothing_created(&bed.namespace).await;
}

#[tokio::test]
async fn a_certificate_return_link_captured_in_browser_a_plants_nothing_in_browser_b() {
    let bed = bed("bind-cert", Arc::new(SystemClock)).await;
    let b = &bed.broker;
    let c = http_client();
    for (victim, mut jar_b) in victims(b, &c).await {
        let mut jar_a = Jar::default();
        let link = cert_return_link(b, &c, &mut jar_a).await;
        let res = get(&c, &mut jar_b, &link).await;
        let (end, set) = follow(b, &c, &mut jar_b, res).await;
        assert_refused(&end, &set);
        assert_nothing_created(&bed.namespace).await;
        // The link is spent: the attacker cannot use it afterwards either.
        let res = get(&c, &mut jar_a, &link).await;
        let (end, set) = follow(b, &c, &mut jar_a, res).await;
        assert_refused(&end, &set);
        let _ = victim;
    }
    // In the browser that started it, the same leg logs in.
    let mut jar_a = Jar::default();
    let link = cert_return_link(b, &c, &mut jar_a).await;
    let res = get(&c, &mut jar_a, &link).await;
    let (end, _) = follow(b, &c, &mut jar_a, res).await;
    let End::Left(cb) = end else { panic!("{end:?}") };
    assert!(param(&cb, "code").is_some(), "{cb}");
}

#[tokio::test]
async fn parallel_logins_in_tabs_of_one_browser_all_complete() {
    let bed = bed("bind-tabs", Arc::new(SystemClock)).await;
    let b = &bed.broker;
    let c = http_client();
    let mut jar = Jar::default();
    // Two development logins started side by side, finished in the other order.
    let tab1 = location(b, &start(b, &c, &mut jar, &authorize_url(b, &[]), "dev").await);
    let bind = jar.binding();
    let tab2 = location(b, &start(b, &c, &mut jar, &authorize_url(b, &[]), "dev").await);
    assert_eq!(jar.binding(), bind, "the second tab reuses the browser's binding value");
    let form = [("person", "erika"), ("level", "high"), ("outcome", "success")];
    let mut codes = Vec::new();
    for tab in [tab2, tab1] {
        let res = post(&c, &mut jar, &b.url(tab.path()), &form).await;
        let (end, _) = follow(b, &c, &mut jar, res).await;
        let End::Left(cb) = end else { panic!("{end:?}") };
        codes.push(param(&cb, "code").expect("code"));
    }
    assert_ne!(codes[0], codes[1]);
    // Two eID logins in two tabs, both answered before either reaches the ACS.
    // (prompt=login: the session from the logins above would otherwise answer silently.)
    let again = authorize_url(b, &[("acr_values", HIGH), ("prompt", "login")]);
    let (s1, r1) = capture_saml(b, &c, &mut jar, &again, "eid", "erika").await;
    let (s2, r2) = capture_saml(b, &c, &mut jar, &again, "eid", "erika").await;
    for (saml, relay) in [(s2, r2), (s1, r1)] {
        let res = acs(b, &c, &saml, &relay).await;
        let (end, _) = follow(b, &c, &mut jar, res).await;
        let End::Left(cb) = end else { panic!("{end:?}") };
        assert!(param(&cb, "code").is_some(), "{cb}");
    }
}

#[tokio::test]
async fn returns_twice_late_with_a_wrong_cookie_or_in_another_browser_are_refused() {
    let clock = Arc::new(ManualClock::starting_now());
    let bed = bed("bind-bad", clock.clone()).await;
    let b = &bed.broker;
    let c = http_client();
    let form = [("person", "erika"), ("level", "high"), ("outcome", "success")];

    // A wrong binding cookie (another browser's value planted by hand).
    let mut jar = Jar::default();
    let dev_page = location(b, &start(b, &c, &mut jar, &authorize_url(b, &[]), "dev").await);
    let mut other = Jar::default();
    get(&c, &mut other, &authorize_url(b, &[])).await;
    jar.set("bk_bind", &other.binding().unwrap());
    let res = post(&c, &mut jar, &b.url(dev_page.path()), &form).await;
    let (end, set) = follow(b, &c, &mut jar, res).await;
    assert_refused(&end, &set);
    assert_nothing_created(&bed.namespace).await;

    // The development login's form submitted from another browser; afterwards the login is over
    // for the browser that started it too (nothing half-done remains).
    let mut jar = Jar::default();
    let dev_page = location(b, &start(b, &c, &mut jar, &authorize_url(b, &[]), "dev").await);
    let res = post(&c, &mut Jar::default(), &b.url(dev_page.path()), &form).await;
    let (end, set) = follow(b, &c, &mut Jar::default(), res).await;
    assert_refused(&end, &set);
    let res = post(&c, &mut jar, &b.url(dev_page.path()), &form).await;
    assert_eq!(res.status(), 400);
    assert_nothing_created(&bed.namespace).await;

    // After the pending record expired (15 min): the restart page, no code.
    let mut jar = Jar::default();
    let (saml, relay) = capture_saml(b, &c, &mut jar, &demo_high(b), "eid", "erika").await;
    clock.advance(Duration::from_secs(16 * 60));
    let res = acs(b, &c, &saml, &relay).await;
    let (end, set) = follow(b, &c, &mut jar, res).await;
    match &end {
        End::Page(400, _) => assert_refused(&end, &set),
        other => panic!("expected a page, got {other:?}"),
    }
    assert_eq!(keys_of(&bed.namespace, "code").await, Vec::<String>::new());

    // Twice: the ACS answer and its continue link are single use.
    let mut jar = Jar::default();
    let (saml, relay) = capture_saml(b, &c, &mut jar, &demo_high(b), "eid", "erika").await;
    let res = acs(b, &c, &saml, &relay).await;
    let cont = location(b, &res);
    let (end, _) = follow(b, &c, &mut jar, res).await;
    assert!(matches!(end, End::Left(_)), "{end:?}");
    let again = acs(b, &c, &saml, &relay).await;
    assert_eq!(again.status(), 400);
    assert!(again.text().await.unwrap().contains("unbekannt oder abgelaufen"));
    let res = get(&c, &mut jar, cont.as_str()).await;
    let (end, set) = follow(b, &c, &mut jar, res).await;
    assert_refused(&end, &set);
}

/// The continue handle is `{request id}.{random}` (login/resume.rs: the leg reads the parked outcome
/// and the request in one round trip). A handle whose request part names another login of the same
/// browser finds nothing (the parked record is stored under the digest of the whole handle) and
/// takes nothing: the genuine link still completes its own login afterwards.
#[tokio::test]
async fn a_continue_handle_pointed_at_another_request_finds_nothing() {
    let bed = bed("bind-handle", Arc::new(SystemClock)).await;
    let b = &bed.broker;
    let c = http_client();
    let mut jar = Jar::default();
    let (saml, relay) = capture_saml(b, &c, &mut jar, &demo_high(b), "eid", "erika").await;
    let (_, other_relay) = capture_saml(b, &c, &mut jar, &demo_high(b), "eid", "max").await;
    let res = acs(b, &c, &saml, &relay).await;
    let cont = location(b, &res);
    let handle = cont.path().rsplit('/').next().unwrap().to_owned();
    let (named, secret) = handle.split_once('.').expect("{request id}.{random}");
    assert_eq!(named, relay, "the handle names the request it continues");
    for forged in [format!("{other_relay}.{secret}"), secret.to_owned(), format!("{named}.{named}")] {
        let res = get(&c, &mut jar, b.url(&format!("/login/continue/{forged}")).as_str()).await;
        let (end, set) = follow(b, &c, &mut jar, res).await;
        assert_refused(&end, &set);
    }
    let (end, _) = follow(b, &c, &mut jar, res).await;
    assert!(matches!(end, End::Left(_)), "the genuine link still completes: {end:?}");
}

#[tokio::test]
async fn a_personal_elster_session_gives_an_organisation_only_client_no_code() {
    let bed = bed("bind-org", Arc::new(SystemClock)).await;
    let b = &bed.broker;
    let c = http_client();
    let mut jar = Jar::default();
    // A personal ELSTER login at the citizen service: an SSO session without organisation.
    let citizen = authorize_url_for(b, "citizen", "http://127.0.0.1:9/citizen/cb", &[]);
    let (saml, relay) = capture_saml(b, &c, &mut jar, &citizen, "elster", "erika").await;
    let res = acs(b, &c, &saml, &relay).await;
    let (end, _) = follow(b, &c, &mut jar, res).await;
    let End::Left(cb) = end else { panic!("{end:?}") };
    assert!(param(&cb, "code").is_some());
    assert!(jar.session().is_some());
    // The session still serves the citizen service silently …
    let res = get(
        &c,
        &mut jar,
        &authorize_url_for(b, "citizen", "http://127.0.0.1:9/citizen/cb", &[("prompt", "none")]),
    )
    .await;
    assert!(param(&location(b, &res), "code").is_some());
    // … but the business service gets no code from it: a login, or with prompt=none the error.
    let biz = |extra: &[(&str, &str)]| authorize_url_for(b, "biz", "http://127.0.0.1:9/biz/cb", extra);
    let res = get(&c, &mut jar, &biz(&[])).await;
    let next = location(b, &res);
    assert!(next.path().starts_with("/login/"), "a new login, not a code: {next}");
    let res = get(&c, &mut jar, &biz(&[("prompt", "none")])).await;
    let cb = location(b, &res);
    assert!(cb.as_str().starts_with("http://127.0.0.1:9/biz/cb"), "{cb}");
    assert_eq!(param(&cb, "error").as_deref(), Some("login_required"));
    assert_eq!(param(&cb, "code"), None);
}

/// Issue 9 item 6: after each kind of flow, no live secret appears in clear in any store key (or
/// in a stored value: they are sealed).
#[tokio::test]
async fn no_live_token_code_session_or_binding_value_appears_in_clear_in_the_store() {
    let bed = bed("bind-scan", Arc::new(SystemClock)).await;
    let b = &bed.broker;
    let c = http_client();
    let mut secrets: Vec<(String, String)> = Vec::new();
    let remember = |secrets: &mut Vec<(String, String)>, what: &str, jar: &Jar| {
        for (name, v) in [("binding", jar.binding()), ("session", jar.session())] {
            if let Some(v) = v {
                secrets.push((format!("{what} {name} cookie"), v));
            }
        }
    };

    // Development login, then the token endpoint with a refresh.
    let mut jar = Jar::default();
    let (url, verifier) = authorize_url_with_verifier(b, "demo", &demo_redirect(b), &[("scope", "openid profile offline_access")]);
    let res = start(b, &c, &mut jar, &url, "dev").await;
    let dev_page = location(b, &res);
    let res = post(
        &c,
        &mut jar,
        &b.url(dev_page.path()),
        &[("person", "erika"), ("level", "high"), ("outcome", "success")],
    )
    .await;
    let (end, _) = follow(b, &c, &mut jar, res).await;
    let End::Left(cb) = end else { panic!("{end:?}") };
    let code = param(&cb, "code").unwrap();
    secrets.push(("code".into(), code.clone()));
    remember(&mut secrets, "dev", &jar);
    let tokens: serde_json::Value = c
        .post(b.url("/token"))
        .basic_auth("demo", Some(SECRET))
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", code.as_str()),
            ("redirect_uri", demo_redirect(b).as_str()),
            ("code_verifier", verifier.as_str()),
        ])
        .send()
        .await
        .unwrap()
        .text()
        .await
        .map(|t| serde_json::from_str(&t).unwrap())
        .unwrap();
    let refresh = tokens["refresh_token"].as_str().expect("refresh token").to_owned();
    secrets.push(("refresh token".into(), refresh.clone()));
    secrets.push(("access token".into(), tokens["access_token"].as_str().unwrap().to_owned()));
    let rotated: serde_json::Value = c
        .post(b.url("/token"))
        .basic_auth("demo", Some(SECRET))
        .form(&[("grant_type", "refresh_token"), ("refresh_token", refresh.as_str())])
        .send()
        .await
        .unwrap()
        .text()
        .await
        .map(|t| serde_json::from_str(&t).unwrap())
        .unwrap();
    secrets.push((
        "rotated refresh token".into(),
        rotated["refresh_token"].as_str().unwrap().to_owned(),
    ));
    check_store(&bed, &secrets, "dev login + token + refresh").await;

    // eID via the simulator, and ELSTER (the continue handles are secrets too).
    for (method, url) in [
        ("eid", demo_high(b)),
        ("elster", authorize_url_for(b, "citizen", "http://127.0.0.1:9/citizen/cb", &[])),
    ] {
        let mut jar = Jar::default();
        let (saml, relay) = capture_saml(b, &c, &mut jar, &url, method, "erika").await;
        let res = acs(b, &c, &saml, &relay).await;
        let handle = location(b, &res).path().rsplit('/').next().unwrap().to_owned();
        secrets.push((format!("{method} continue handle"), handle));
        remember(&mut secrets, method, &jar);
        check_store(&bed, &secrets, &format!("{method} before continuing")).await;
        let (end, _) = follow(b, &c, &mut jar, res).await;
        let End::Left(cb) = end else { panic!("{end:?}") };
        secrets.push((format!("{method} code"), param(&cb, "code").unwrap()));
        remember(&mut secrets, method, &jar);
        check_store(&bed, &secrets, method).await;
    }

    // Certificate: the return token while it is live.
    let mut jar = Jar::default();
    let link = cert_return_link(b, &c, &mut jar).await;
    let token = param(&url::Url::parse(&link).unwrap(), "token").unwrap();
    secrets.push(("certificate return token".into(), token));
    remember(&mut secrets, "certificate", &jar);
    check_store(&bed, &secrets, "certificate return parked").await;
    let res = get(&c, &mut jar, &link).await;
    let (end, _) = follow(b, &c, &mut jar, res).await;
    let End::Left(cb) = end else { panic!("{end:?}") };
    secrets.push(("certificate code".into(), param(&cb, "code").unwrap()));
    remember(&mut secrets, "certificate", &jar);
    check_store(&bed, &secrets, "certificate").await;
}
