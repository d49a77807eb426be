//! Back-Channel Logout 1.0 (issue 11 items 2 and 7): the logout token as an independent receiver
//! (Python, jwcrypto) validates it; a receiver that is down for a while gets it when it is back;
//! a broker restart loses no pending delivery; two instances deliver once; the logout page never
//! waits for delivery.

use crate::support::{http_client, unique_namespace, TestBroker};
use crate::support_login::*;
use crate::support_logout::*;
use crate::support_receiver::*;
use crate::token::bed::peek;
use buergerkonto::logout::queue::{self, Delivery, DeliveryState};
use std::time::Duration;

const EVENT: &str = "http://schemas.openid.net/event/backchannel-logout";

/// Log in as the demo client in a fresh browser; returns the browser and the ID token's claims.
async fn logged_in(b: &TestBroker) -> (Jar, String, serde_json::Value) {
    let mut jar = Jar::default();
    let tokens = demo_login(b, &mut jar, "openid").await;
    let id_token = tokens["id_token"].as_str().unwrap().to_owned();
    let claims = peek(&id_token);
    (jar, id_token, claims)
}

/// RP-initiated logout with the hint; the redirect comes whether or not the receivers are up (the
/// tests below log out while a receiver is down, so the page never waits for delivery).
async fn logout_with_hint(b: &TestBroker, jar: &mut Jar, id_token: &str) {
    let res = get(
        &http_client(),
        jar,
        &logout_url(b, &[("id_token_hint", id_token), ("post_logout_redirect_uri", &demo_bye(b))]),
    )
    .await;
    assert_eq!(res.status(), 303);
}

/// "Überall abmelden" on `/session`.
async fn logout_everywhere(b: &TestBroker, jar: &mut Jar) -> String {
    let page = get(&http_client(), jar, &b.url("/session")).await.text().await.unwrap();
    let csrf = hidden(&page, "csrf").expect("csrf on /session");
    let res = post(&http_client(), jar, &b.url("/session/logout"), &[("csrf", &csrf), ("lang", "de")]).await;
    assert_eq!(res.status(), 200);
    assert!(clears_session_cookie(&res));
    res.text().await.unwrap()
}

async fn delivery(b: &TestBroker, sid: &str) -> Option<Delivery> {
    queue::get(b.state.records(), &queue::delivery_id(sid)).await.unwrap()
}

async fn wait_attempts(b: &TestBroker, sid: &str, n: u32) {
    for _ in 0..200 {
        if delivery(b, sid).await.is_some_and(|d| d.attempts >= n) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("fewer than {n} attempts within 10 s");
}

/// The delivery record once the worker has written the receiver's answer: the receiver prints the
/// token before it answers, so the record may still say `Pending` for a moment.
async fn settled(b: &TestBroker, sid: &str) -> Delivery {
    for _ in 0..200 {
        if let Some(d) = delivery(b, sid).await.filter(|d| d.state != DeliveryState::Pending) {
            return d;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the delivery of {sid} did not settle within 10 s");
}

#[tokio::test]
async fn an_independent_receiver_validates_the_logout_token() {
    if !crate::peers::require_python() {
        return;
    }
    let port = free_port();
    let b = TestBroker::new()
        .with_config(backchannel_to(format!("http://127.0.0.1:{port}/bcl")))
        .start()
        .await;
    let py = PyReceiver::start(port, &b.base, "demo").await;
    let (mut jar, id_token, id_claims) = logged_in(&b).await;
    logout_with_hint(&b, &mut jar, &id_token).await;
    let line = py.wait_line(Duration::from_secs(10)).await;
    let claims: serde_json::Value = serde_json::from_str(line.strip_prefix("OK ").unwrap_or_else(|| panic!("{line}"))).unwrap();
    assert_eq!(claims["iss"], b.base);
    assert_eq!(claims["aud"], "demo");
    assert_eq!(claims["sid"], id_claims["sid"], "the sid of the ID token");
    assert_eq!(claims["sub"], id_claims["sub"]);
    assert_eq!(claims["events"][EVENT], serde_json::json!({}));
    assert!(claims.get("nonce").is_none());
    assert!(claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap() <= 120);
    let d = settled(&b, id_claims["sid"].as_str().unwrap()).await;
    assert_eq!((d.state, d.attempts), (DeliveryState::Delivered, 1));
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(py.lines().len(), 1, "delivered once");
}

#[tokio::test]
async fn a_receiver_down_for_a_while_gets_the_token_when_it_is_back() {
    if !crate::peers::require_python() {
        return;
    }
    // Nothing listens on the port yet: every attempt fails to connect.
    let port = free_port();
    let b = TestBroker::new()
        .with_config(backchannel_to(format!("http://127.0.0.1:{port}/bcl")))
        .start()
        .await;
    let (mut jar, id_token, id_claims) = logged_in(&b).await;
    logout_with_hint(&b, &mut jar, &id_token).await;
    let sid = id_claims["sid"].as_str().unwrap();
    wait_attempts(&b, sid, 3).await;
    let d = delivery(&b, sid).await.unwrap();
    assert_eq!(d.state, DeliveryState::Pending);
    assert!(d.next_at > d.ended_at, "backed off");
    let py = PyReceiver::start(port, &b.base, "demo").await;
    let line = py.wait_line(Duration::from_secs(10)).await;
    assert!(line.starts_with("OK "), "{line}");
    assert_eq!(settled(&b, sid).await.state, DeliveryState::Delivered);
}

#[tokio::test]
async fn a_broker_restart_loses_no_pending_delivery() {
    if !crate::peers::require_redis() {
        return;
    }
    let ns = unique_namespace("bcl-restart");
    let rx = Receiver::start(false, Duration::ZERO).await;
    let first = TestBroker::new()
        .with_config(on_redis(ns.clone()))
        .with_config(backchannel_to(rx.url.clone()))
        .start()
        .await;
    let (mut jar, id_token, id_claims) = logged_in(&first).await;
    logout_with_hint(&first, &mut jar, &id_token).await;
    let sid = id_claims["sid"].as_str().unwrap();
    wait_attempts(&first, sid, 1).await;
    // The instance goes away with the delivery pending (possibly mid-attempt, holding a lease).
    drop(first);
    rx.set_up(true);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(rx.received().is_empty(), "nobody delivers while no instance runs");
    let second = TestBroker::new()
        .with_config(on_redis(ns.clone()))
        .with_config(backchannel_to(rx.url.clone()))
        .start()
        .await;
    let tokens = rx.wait_for(1, Duration::from_secs(15)).await;
    assert_eq!(peek(&tokens[0])["sid"], id_claims["sid"]);
    assert_eq!(settled(&second, sid).await.state, DeliveryState::Delivered);
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(rx.received().len(), 1);
}

#[tokio::test]
async fn two_instances_deliver_each_token_once() {
    if !crate::peers::require_redis() {
        return;
    }
    let ns = unique_namespace("bcl-twice");
    // A slow receiver widens the window in which both instances see the same due delivery.
    let rx = Receiver::start(true, Duration::from_millis(300)).await;
    let start = |ns: String, uri: String| TestBroker::new().with_config(on_redis(ns)).with_config(backchannel_to(uri)).start();
    let a = start(ns.clone(), rx.url.clone()).await;
    let b = start(ns.clone(), rx.url.clone()).await;
    let mut sids = Vec::new();
    for i in 0..4 {
        // Logged in on instance A; logged out on A (RP-initiated) or on B ("Überall abmelden":
        // B shares the session store, but its dev keys are its own, so no hint from A).
        let (mut jar, id_token, claims) = logged_in(&a).await;
        sids.push(claims["sid"].as_str().unwrap().to_owned());
        if i % 2 == 0 {
            logout_with_hint(&a, &mut jar, &id_token).await;
        } else {
            let page = logout_everywhere(&b, &mut jar).await;
            assert!(page.contains("Demo-Fachverfahren"), "{page}");
        }
    }
    let tokens = rx.wait_for(4, Duration::from_secs(15)).await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let mut got: Vec<String> = rx.received().iter().map(|t| peek(t)["sid"].as_str().unwrap().to_owned()).collect();
    got.sort();
    sids.sort();
    assert_eq!(got, sids, "each session's token exactly once: {} received", tokens.len());
}

#[tokio::test]
async fn the_session_page_lists_the_services_and_logs_out_everywhere() {
    use buergerkonto::trust::TrustLevel;
    use buergerkonto::web::{i18n::level_name, Locale};
    let (rx_demo, rx_skip) = (
        Receiver::start(true, Duration::ZERO).await,
        Receiver::start(true, Duration::ZERO).await,
    );
    let skip_uri = rx_skip.url.clone();
    let b = TestBroker::new()
        .with_config(backchannel_to(rx_demo.url.clone()))
        .with_config(move |c| {
            use crate::support::RawConfigExt;
            c.client_mut("skip").backchannel_logout_uri = Some(skip_uri);
        })
        .start()
        .await;
    let mut jar = Jar::default();
    demo_login(&b, &mut jar, "openid").await;
    // SSO into a second service.
    let res = get(
        &http_client(),
        &mut jar,
        &authorize_url_for(&b, "skip", "http://127.0.0.1:9/skip/cb", &[]),
    )
    .await;
    assert!(param(&location(&b, &res), "code").is_some());
    let page = get(&http_client(), &mut jar, &b.url("/session")).await.text().await.unwrap();
    for text in [
        "Ihre Anmeldung bei Bürgerkonto (Entwicklung)",
        "Demo-Fachverfahren",
        "Interner Dienst",
        "Überall abmelden",
        " UTC",
    ] {
        assert!(page.contains(text), "{text} missing: {page}");
    }
    assert!(page.contains(level_name(Locale::De, TrustLevel::High)), "{page}");
    let en = get(&http_client(), &mut jar, &b.url("/session?lang=en"))
        .await
        .text()
        .await
        .unwrap();
    assert!(en.contains("Log out everywhere") && en.contains("<html lang=\"en\">"), "{en}");
    // Without the browser's token (or from another origin) nothing ends.
    let res = post(&http_client(), &mut jar.clone(), &b.url("/session/logout"), &[("csrf", "x")]).await;
    assert_eq!(res.status(), 403);
    let csrf = hidden(&page, "csrf").unwrap();
    let res = http_client()
        .post(b.url("/session/logout"))
        .header("cookie", jar.header())
        .header("origin", "https://evil.example")
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    assert!(session_alive(&b, &mut jar).await);
    let done = logout_everywhere(&b, &mut jar).await;
    assert!(done.contains("Sie sind abgemeldet") && done.contains("Interner Dienst"), "{done}");
    assert!(!session_alive(&b, &mut jar).await);
    // Every service is notified back-channel, each with its own sid.
    let (d, s) = (
        rx_demo.wait_for(1, Duration::from_secs(10)).await,
        rx_skip.wait_for(1, Duration::from_secs(10)).await,
    );
    assert_eq!(
        (peek(&d[0])["aud"].as_str(), peek(&s[0])["aud"].as_str()),
        (Some("demo"), Some("skip"))
    );
    assert_ne!(peek(&d[0])["sid"], peek(&s[0])["sid"]);
}

#[tokio::test]
async fn a_session_that_runs_out_of_its_limits_is_announced_too() {
    use buergerkonto::clock::ManualClock;
    let clock = std::sync::Arc::new(ManualClock::starting_now());
    let rx = Receiver::start(true, Duration::ZERO).await;
    let b = TestBroker::new()
        .with_clock(clock.clone())
        .with_config(backchannel_to(rx.url.clone()))
        .start()
        .await;
    let (mut jar, _, claims) = logged_in(&b).await;
    // Within the idle limit of the lower levels the session lives on: no token.
    clock.advance(Duration::from_secs(20 * 60));
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert!(rx.received().is_empty(), "announced while the session was alive");
    assert!(session_alive(&b, &mut jar).await);
    // Past every limit (low/basic: 1 h idle): the relying party is told, once.
    clock.advance(Duration::from_secs(2 * 3600));
    let tokens = rx.wait_for(1, Duration::from_secs(10)).await;
    assert_eq!(peek(&tokens[0])["sid"], claims["sid"]);
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(rx.received().len(), 1);
    assert!(!session_alive(&b, &mut jar).await);
}
