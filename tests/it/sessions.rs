//! SSO session: reuse, `prompt`, `max_age`, step-up keeping one session, per-level limits with a
//! manual clock (no sleeps).

use crate::support::{http_client, TestBroker};
use crate::support_login::*;
use buergerkonto::clock::ManualClock;
use buergerkonto::trust::TrustLevel;
use std::sync::Arc;
use std::time::Duration;

const HIGH: &str = "http://eidas.europa.eu/LoA/high";
const SUBSTANTIAL: &str = "http://eidas.europa.eu/LoA/substantial";

async fn broker(clock: &Arc<ManualClock>) -> TestBroker {
    broker_with_extra(clock.clone()).await
}

/// Log in once (demo client, consent approved); returns the browser.
async fn logged_in(b: &TestBroker, level: &str) -> Jar {
    let mut jar = Jar::default();
    let cb = login_in(
        &http_client(),
        b,
        &mut jar,
        &authorize_url(b, &[]),
        "dev",
        Outcome::Success("erika", level),
    )
    .await;
    assert!(param(&cb, "code").is_some(), "{cb}");
    assert!(jar.session().is_some());
    jar
}

/// One `/authorize` in a browser; the Location it answers with.
async fn authorize_in(b: &TestBroker, jar: &mut Jar, extra: &[(&str, &str)]) -> url::Url {
    let res = get(&http_client(), jar, &authorize_url(b, extra)).await;
    assert_eq!(res.status(), 303);
    location(b, &res)
}

#[tokio::test]
async fn sso_reuses_the_session_without_login() {
    let clock = Arc::new(ManualClock::starting_now());
    let b = broker(&clock).await;
    let mut jar = logged_in(&b, "high").await;
    let first_session = jar.session();
    clock.advance(Duration::from_secs(60));
    let cb = authorize_in(&b, &mut jar, &[]).await;
    let code = param(&cb, "code").expect("code straight away (consent remembered)");
    assert_eq!(param(&cb, "state").as_deref(), Some("st-123"));
    let g = grant_for_code(&b, &code).await;
    assert_eq!(g.level, TrustLevel::High);
    assert_eq!(jar.session(), first_session);
    // another client of the same broker (skip_consent): SSO straight to its code
    let url = authorize_url_for(&b, "skip", "http://127.0.0.1:9/skip/cb", &[]);
    let res = get(&http_client(), &mut jar, &url).await;
    let cb = location(&b, &res);
    assert!(
        cb.as_str().starts_with("http://127.0.0.1:9/skip/cb") && param(&cb, "code").is_some(),
        "{cb}"
    );
}

#[tokio::test]
async fn prompt_none_variants() {
    let clock = Arc::new(ManualClock::starting_now());
    let b = broker(&clock).await;
    // no session
    let mut fresh = Jar::default();
    let cb = authorize_in(&b, &mut fresh, &[("prompt", "none")]).await;
    assert_eq!(param(&cb, "error").as_deref(), Some("login_required"));
    assert_eq!(param(&cb, "state").as_deref(), Some("st-123"));
    assert!(param(&cb, "iss").is_some());

    let mut jar = logged_in(&b, "substantial").await;
    // session fine, consent given: a code
    let cb = authorize_in(&b, &mut jar, &[("prompt", "none")]).await;
    assert!(param(&cb, "code").is_some(), "{cb}");
    // level too low for what is asked
    let cb = authorize_in(&b, &mut jar, &[("prompt", "none"), ("acr_values", HIGH)]).await;
    assert_eq!(param(&cb, "error").as_deref(), Some("login_required"));
    // consent not yet given for a larger claim set
    let cb = authorize_in(&b, &mut jar, &[("prompt", "none"), ("scope", "openid profile birth")]).await;
    assert_eq!(param(&cb, "error").as_deref(), Some("consent_required"));
    // a new scope (offline_access, OIDC Core §11) needs a new consent too
    let cb = authorize_in(&b, &mut jar, &[("prompt", "none"), ("scope", "openid profile offline_access")]).await;
    assert_eq!(param(&cb, "error").as_deref(), Some("consent_required"));
    // max_age exceeded
    clock.advance(Duration::from_secs(120));
    let cb = authorize_in(&b, &mut jar, &[("prompt", "none"), ("max_age", "60")]).await;
    assert_eq!(param(&cb, "error").as_deref(), Some("login_required"));
    let cb = authorize_in(&b, &mut jar, &[("prompt", "none"), ("max_age", "600")]).await;
    assert!(param(&cb, "code").is_some());
    // a client that does not accept the session's method
    let url = authorize_url_for(&b, "subonly", "http://127.0.0.1:9/subonly/cb", &[("prompt", "none")]);
    let res = get(&http_client(), &mut jar, &url).await;
    assert_eq!(param(&location(&b, &res), "error").as_deref(), Some("interaction_required"));
}

#[tokio::test]
async fn prompt_login_and_max_age_force_reauthentication() {
    let clock = Arc::new(ManualClock::starting_now());
    let b = broker(&clock).await;
    let mut jar = logged_in(&b, "high").await;
    let next = authorize_in(&b, &mut jar, &[("prompt", "login")]).await;
    assert!(next.path().starts_with("/login/"), "{next}");
    clock.advance(Duration::from_secs(30));
    let next = authorize_in(&b, &mut jar, &[("max_age", "10")]).await;
    assert!(next.path().starts_with("/login/"), "{next}");
    // after re-authentication the same session continues, with a new auth_time
    let before = jar.session();
    let cb = login_in(
        &http_client(),
        &b,
        &mut jar,
        &authorize_url(&b, &[("prompt", "login")]),
        "dev",
        Outcome::Success("erika", "high"),
    )
    .await;
    let g = grant_for_code(&b, &param(&cb, "code").unwrap()).await;
    assert_eq!(g.auth_time, buergerkonto::clock::Clock::unix(clock.as_ref()));
    assert_eq!(jar.session(), before);
}

#[tokio::test]
async fn consent_prompt_forces_the_page() {
    let clock = Arc::new(ManualClock::starting_now());
    let b = broker(&clock).await;
    let mut jar = logged_in(&b, "high").await;
    let next = authorize_in(&b, &mut jar, &[("prompt", "consent")]).await;
    assert!(next.path().starts_with("/consent/"), "{next}");
}

#[tokio::test]
async fn step_up_keeps_one_session() {
    let clock = Arc::new(ManualClock::starting_now());
    let b = broker(&clock).await;
    let c = http_client();
    let mut jar = Jar::default();
    let cb = login_in(
        &c,
        &b,
        &mut jar,
        &authorize_url(&b, &[("acr_values", SUBSTANTIAL)]),
        // Step-up merges only logins of the same method and subject (issue 9 item 5).
        "dev",
        Outcome::Success("erika", "substantial"),
    )
    .await;
    let first = grant_for_code(&b, &param(&cb, "code").unwrap()).await;
    assert_eq!(first.level, TrustLevel::Substantial);
    let session = jar.session().unwrap();
    clock.advance(Duration::from_secs(30));

    // the relying party now needs high (RFC 9470 step-up): login again, the choice offers only high
    let next = authorize_in(&b, &mut jar, &[("acr_values", HIGH)]).await;
    assert!(next.path().starts_with("/login/"));
    let html = get(&c, &mut jar, next.as_str()).await.text().await.unwrap();
    assert!(!html.contains("value=\"dev-sub\""));
    let cb = login_in(
        &c,
        &b,
        &mut jar,
        &authorize_url(&b, &[("acr_values", HIGH)]),
        "dev",
        Outcome::Success("erika", "high"),
    )
    .await;
    let second = grant_for_code(&b, &param(&cb, "code").unwrap()).await;
    assert_eq!(second.level, TrustLevel::High);
    assert_eq!(jar.session().unwrap(), session, "same session id");
    assert_eq!(second.sid, first.sid, "same sid");
    assert_eq!(second.sub, first.sub);

    // the session now serves high without a login
    let cb = authorize_in(&b, &mut jar, &[("acr_values", HIGH), ("prompt", "none")]).await;
    assert_eq!(grant_for_code(&b, &param(&cb, "code").unwrap()).await.level, TrustLevel::High);
}

#[tokio::test]
async fn another_person_gets_a_new_session() {
    let clock = Arc::new(ManualClock::starting_now());
    let b = broker(&clock).await;
    let mut jar = logged_in(&b, "high").await;
    let before = jar.session().unwrap();
    let cb = login_in(
        &http_client(),
        &b,
        &mut jar,
        &authorize_url(&b, &[("prompt", "login")]),
        "dev",
        Outcome::Success("ludwig", "high"),
    )
    .await;
    assert!(param(&cb, "code").is_some());
    assert_ne!(jar.session().unwrap(), before, "never merge two people into one session");
}

#[tokio::test]
async fn session_limits_per_level_with_manual_clock() {
    let clock = Arc::new(ManualClock::starting_now());
    let b = broker(&clock).await;
    let mut jar = logged_in(&b, "high").await;

    // within 5 minutes idle: still high
    clock.advance(Duration::from_secs(4 * 60));
    let cb = authorize_in(&b, &mut jar, &[("acr_values", HIGH), ("prompt", "none")]).await;
    assert_eq!(grant_for_code(&b, &param(&cb, "code").unwrap()).await.level, TrustLevel::High);

    // more than 5 minutes idle: high no longer holds, substantial does (decay, not all-or-nothing)
    clock.advance(Duration::from_secs(5 * 60 + 1));
    let cb = authorize_in(&b, &mut jar, &[("acr_values", HIGH), ("prompt", "none")]).await;
    assert_eq!(param(&cb, "error").as_deref(), Some("login_required"));
    let cb = authorize_in(&b, &mut jar, &[("prompt", "none")]).await;
    assert_eq!(
        grant_for_code(&b, &param(&cb, "code").unwrap()).await.level,
        TrustLevel::Substantial
    );

    // kept in use every 20 minutes, the 2 h total for substantial still ends it
    for _ in 0..6 {
        clock.advance(Duration::from_secs(20 * 60));
        let _ = authorize_in(&b, &mut jar, &[("prompt", "none")]).await;
    }
    let cb = authorize_in(&b, &mut jar, &[("prompt", "none")]).await;
    assert_eq!(param(&cb, "error").as_deref(), Some("login_required"), "past 2 h total");

    // and a fresh login restarts the clock
    let cb = login_in(
        &http_client(),
        &b,
        &mut jar,
        &authorize_url(&b, &[]),
        "dev",
        Outcome::Success("erika", "high"),
    )
    .await;
    assert!(param(&cb, "code").is_some());
}

#[tokio::test]
async fn substantial_session_idle_limit() {
    let clock = Arc::new(ManualClock::starting_now());
    let b = broker(&clock).await;
    let mut jar = logged_in(&b, "substantial").await;
    clock.advance(Duration::from_secs(31 * 60));
    // demo needs substantial: idle 30 min exceeded
    let cb = authorize_in(&b, &mut jar, &[("prompt", "none")]).await;
    assert_eq!(param(&cb, "error").as_deref(), Some("login_required"));
}

#[tokio::test]
async fn session_cookie_attributes_and_forged_cookie() {
    let clock = Arc::new(ManualClock::starting_now());
    let b = broker(&clock).await;
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
    let set = res.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(set.starts_with("bk_session="), "{set}");
    for attr in ["HttpOnly", "SameSite=Lax", "Path=/"] {
        assert!(set.contains(attr), "{set}");
    }
    let id = jar.session().unwrap();
    assert_eq!(id.len(), 43, "256-bit session id");
    // the cookie value is not the store key
    let raw: Option<serde_json::Value> = b
        .state
        .records()
        .get(buergerkonto::session::RecordKind::BrokerSession, &id)
        .await
        .unwrap_or(None);
    assert!(raw.is_none());
    // a forged or guessed cookie gives no session
    let mut forged = Jar::default();
    let fake = format!("bk_session={}", "A".repeat(43));
    let res = c
        .get(authorize_url(&b, &[("prompt", "none")]))
        .header("cookie", fake)
        .send()
        .await
        .unwrap();
    forged.absorb(&res);
    assert_eq!(param(&location(&b, &res), "error").as_deref(), Some("login_required"));
}
