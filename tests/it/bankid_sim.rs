//! Bank-ID through the built-in simulator (issue 10 item 5): the demo relying party (an
//! openidconnect-crate client) logs in at the broker, which logs in at the simulator (PAR,
//! private_key_jwt, PKCE, ES256 ID token, Norway BankID acr) and maps the result. Plus the
//! refusals a person can provoke from the browser: a lower acr than asked for, cancel, a replayed
//! callback, a callback in another browser, an unsolicited callback.

use crate::support::{http_client, TestBroker};
use crate::support_login::{get, hidden, location, param, post, Jar};
use openidconnect::reqwest;

pub const METHOD: &str = "bankid-dev";

/// Follow redirects from `res` through choice page, simulator and consent, choosing `person` at
/// the simulator, until a response that is not a redirect within the broker, or the demo callback
/// (returned unfollowed). Returns the last response and the broker callback URL seen, if any.
pub async fn drive(
    client: &reqwest::Client,
    broker: &TestBroker,
    jar: &mut Jar,
    mut res: reqwest::Response,
    person: &str,
) -> (reqwest::Response, Option<url::Url>) {
    let mut callback = None;
    for _ in 0..12 {
        if res.status() != 303 {
            return (res, callback);
        }
        let next = location(broker, &res);
        let path = next.path().to_owned();
        if path.starts_with("/demo/callback") {
            return (res, callback);
        } else if path.starts_with("/login/") {
            let html = get(client, jar, next.as_str()).await.text().await.unwrap();
            assert!(
                html.contains("Bank ID (development)") || html.contains("Bank-ID (Entwicklung)"),
                "{html}"
            );
            let csrf = hidden(&html, "csrf").expect("csrf");
            res = post(
                client,
                jar,
                &broker.url(&format!("{path}/start")),
                &[("csrf", &csrf), ("method", METHOD)],
            )
            .await;
        } else if path == "/dev/bankid/authorize" {
            assert!(
                param(&next, "request_uri").is_some(),
                "PAR: only client_id and request_uri in the front channel: {next}"
            );
            assert!(param(&next, "nonce").is_none() && param(&next, "code_challenge").is_none());
            let page = get(client, jar, next.as_str()).await;
            assert_eq!(page.status(), 200);
            let html = page.text().await.unwrap();
            let request = hidden(&html, "request").expect("request on the simulator page");
            res = post(
                client,
                jar,
                &broker.url("/dev/bankid/authorize"),
                &[("request", &request), ("person", person)],
            )
            .await;
        } else if path.starts_with("/oidc/callback/") {
            assert_eq!(param(&next, "iss").as_deref(), Some(broker.url("/dev/bankid").as_str()));
            callback = Some(next.clone());
            res = get(client, jar, next.as_str()).await;
        } else if path.starts_with("/consent/") {
            let html = get(client, jar, next.as_str()).await.text().await.unwrap();
            let csrf = hidden(&html, "csrf").expect("csrf on consent page");
            res = post(client, jar, &broker.url(&path), &[("csrf", &csrf), ("decision", "approve")]).await;
        } else {
            res = get(client, jar, next.as_str()).await;
        }
    }
    panic!("login did not finish");
}

async fn demo_start(client: &reqwest::Client, broker: &TestBroker, jar: &mut Jar, level: &str) -> reqwest::Response {
    post(client, jar, &broker.url("/demo/login"), &[("level", level), ("lang", "en")]).await
}

#[tokio::test]
async fn the_demo_logs_in_through_the_bank_id_simulator() {
    let broker = TestBroker::start().await;
    let client = http_client();
    let mut jar = Jar::default();
    let start = demo_start(&client, &broker, &mut jar, "high").await;
    let (res, callback) = drive(&client, &broker, &mut jar, start, "kari").await;
    assert!(callback.is_some());
    let to_demo = location(&broker, &res);
    assert!(param(&to_demo, "code").is_some(), "{to_demo}");
    let page = get(&client, &mut jar, to_demo.as_str()).await;
    let html = page.text().await.unwrap();
    // The demo verified the broker's ID token (openidconnect crate) and shows its claims.
    assert!(html.contains("http://eidas.europa.eu/LoA/high"), "{html}");
    assert!(html.contains("Kari") && html.contains("Nordmann"), "{html}");
    assert!(html.contains(METHOD), "amr names the method: {html}");
    // Nothing of the upstream login is left: the transaction record was taken.
    let replay = get(&client, &mut jar, callback.unwrap().as_str()).await;
    assert_eq!(replay.status(), 400, "a replayed callback finds no transaction");
}

#[tokio::test]
async fn the_client_jwks_is_published_and_the_simulator_requires_par() {
    let broker = TestBroker::start().await;
    let client = http_client();
    let jwks: serde_json::Value = serde_json::from_str(
        &client
            .get(broker.url("/oidc/jwks/bankid-dev"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
    )
    .unwrap();
    let key = &jwks["keys"][0];
    assert_eq!(key["kty"], "EC");
    assert!(key.get("d").is_none(), "public part only");
    let meta = client
        .get(broker.url("/dev/bankid/.well-known/openid-configuration"))
        .send()
        .await
        .unwrap();
    let meta: serde_json::Value = serde_json::from_str(&meta.text().await.unwrap()).unwrap();
    assert_eq!(meta["require_pushed_authorization_requests"], true);
    let direct = client
        .get(broker.url("/dev/bankid/authorize?client_id=buergerkonto-dev&redirect_uri=x"))
        .send()
        .await
        .unwrap();
    assert_eq!(direct.status(), 400);
}

#[tokio::test]
async fn a_lower_level_than_required_is_refused_with_unmet_authentication_requirements() {
    let broker = TestBroker::start().await;
    let client = http_client();
    let mut jar = Jar::default();
    let start = demo_start(&client, &broker, &mut jar, "high").await;
    // The simulator offers only persons meeting the acr asked for; a hostile page could still send
    // the biometric (LOA 3, substantial) login.
    let (res, callback) = drive(&client, &broker, &mut jar, start, "ola").await;
    assert!(callback.is_some());
    assert_eq!(res.status(), 200, "the upstream-error page");
    let html = res.text().await.unwrap();
    assert!(html.contains("error=unmet_authentication_requirements"), "{html}");
    assert!(!html.contains("code="), "no code");
}

#[tokio::test]
async fn cancel_at_the_bank_gives_access_denied() {
    let broker = TestBroker::start().await;
    let client = http_client();
    let mut jar = Jar::default();
    let start = demo_start(&client, &broker, &mut jar, "substantial").await;
    let (res, _) = drive(&client, &broker, &mut jar, start, "cancel").await;
    assert_eq!(res.status(), 200);
    let html = res.text().await.unwrap();
    assert!(html.contains("error=access_denied") && html.contains("state="), "{html}");
}

#[tokio::test]
async fn a_callback_in_another_browser_or_unsolicited_is_refused() {
    let broker = TestBroker::start().await;
    let client = http_client();
    let mut jar = Jar::default();
    let start = demo_start(&client, &broker, &mut jar, "high").await;
    // Drive until the callback, but deliver it in another browser.
    let mut res = start;
    let mut callback = None;
    for _ in 0..8 {
        let next = location(&broker, &res);
        let path = next.path().to_owned();
        if path.starts_with("/oidc/callback/") {
            callback = Some(next);
            break;
        } else if path.starts_with("/login/") {
            let html = get(&client, &mut jar, next.as_str()).await.text().await.unwrap();
            let csrf = hidden(&html, "csrf").unwrap();
            res = post(
                &client,
                &mut jar,
                &broker.url(&format!("{path}/start")),
                &[("csrf", &csrf), ("method", METHOD)],
            )
            .await;
        } else if path == "/dev/bankid/authorize" {
            let html = get(&client, &mut jar, next.as_str()).await.text().await.unwrap();
            let request = hidden(&html, "request").unwrap();
            res = post(
                &client,
                &mut jar,
                &broker.url("/dev/bankid/authorize"),
                &[("request", &request), ("person", "kari")],
            )
            .await;
        } else {
            res = get(&client, &mut jar, next.as_str()).await;
        }
    }
    let callback = callback.expect("reached the callback");
    let mut other = Jar::default();
    let refused = get(&client, &mut other, callback.as_str()).await;
    assert_eq!(refused.status(), 400);
    let html = refused.text().await.unwrap();
    assert!(html.contains(buergerkonto::http::login::restart::RESTART_DE), "{html}");
    // The login is over for the right browser too: nothing of it stays.
    let late = get(&client, &mut jar, callback.as_str()).await;
    assert_eq!(late.status(), 400);
    // Unsolicited: a state nobody issued, and the right state on another method's path.
    let bogus = get(
        &client,
        &mut jar,
        &broker.url(&format!("/oidc/callback/{METHOD}?code=x&state={}", "A".repeat(43))),
    )
    .await;
    assert_eq!(bogus.status(), 400);
    let none = get(&client, &mut jar, &broker.url(&format!("/oidc/callback/{METHOD}?code=x"))).await;
    assert_eq!(none.status(), 400);
}
