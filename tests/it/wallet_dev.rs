//! The EUDI wallet login with the built-in test wallet (issue 16 items 1, 3, 4, 7): the demo
//! relying party logs in at the broker, which sends the browser to its wallet page; the test
//! wallet at /dev/wallet fetches and checks our request object, answers with an encrypted PID
//! presentation, and the browser comes back with the response_code (same-device) or "Weiter"
//! (cross-device). Plus what the browser side can get wrong: a response_code in another browser,
//! a plaintext response, polling before the wallet answered, the other flow's request.

use crate::support::{http_client, TestBroker};
use crate::support_login::{get, hidden, location, param, post, Jar};
use openidconnect::reqwest;

const METHOD: &str = "wallet";

/// From the demo's start to the wallet page: returns the page's URL and HTML.
async fn to_wallet_page(client: &reqwest::Client, broker: &TestBroker, jar: &mut Jar) -> (url::Url, String) {
    let mut res = post(client, jar, &broker.url("/demo/login"), &[("level", "high"), ("lang", "en")]).await;
    for _ in 0..8 {
        assert_eq!(res.status(), 303, "{}", res.text().await.unwrap());
        let next = location(broker, &res);
        let path = next.path().to_owned();
        if path.starts_with("/wallet/start/") {
            let page = get(client, jar, next.as_str()).await;
            assert_eq!(page.status(), 200);
            assert_eq!(page.headers()["cache-control"], "no-store");
            return (next, page.text().await.unwrap());
        } else if path.starts_with("/login/") {
            let html = get(client, jar, next.as_str()).await.text().await.unwrap();
            assert!(html.contains("EUDI"), "the wallet is offered: {html}");
            let csrf = hidden(&html, "csrf").expect("csrf");
            res = post(
                client,
                jar,
                &broker.url(&format!("{path}/start")),
                &[("csrf", &csrf), ("method", METHOD)],
            )
            .await;
        } else {
            res = get(client, jar, next.as_str()).await;
        }
    }
    panic!("no wallet page");
}

/// An attribute's value after `marker` (HTML entities of URLs decoded).
fn attr_after(html: &str, marker: &str) -> String {
    let start = html.find(marker).unwrap_or_else(|| panic!("{marker} in {html}")) + marker.len();
    let end = html[start..].find('"').unwrap() + start;
    html[start..end].replace("&#x2f;", "/").replace("&#x3d;", "=").replace("&amp;", "&")
}

/// The test wallet: show the request, then share as `person` (or decline).
async fn wallet_answers(client: &reqwest::Client, broker: &TestBroker, link: &str, action: &str) -> reqwest::Response {
    let url = url::Url::parse(&broker.base).unwrap().join(link).unwrap();
    // The wallet is another app: it has none of the browser's cookies.
    let mut wallet_jar = Jar::default();
    let page = get(client, &mut wallet_jar, url.as_str()).await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("x509_hash"), "the wallet checked our client_id: {html}");
    assert!(html.contains("family_name"), "the profile scope asks for the name: {html}");
    let person = hidden(&html, "person").or_else(|| {
        let m = "name=\"person\" value=\"";
        html.find(m)
            .map(|i| html[i + m.len()..].split('"').next().unwrap_or_default().to_owned())
    });
    post(
        client,
        &mut wallet_jar,
        &broker.url("/dev/wallet"),
        &[
            ("client_id", &param(&url, "client_id").unwrap()),
            ("request_uri", &param(&url, "request_uri").unwrap()),
            ("person", &person.unwrap()),
            ("action", action),
            ("lang", "en"),
        ],
    )
    .await
}

/// Approve consent until the demo callback; returns the demo's page.
async fn through_consent(client: &reqwest::Client, broker: &TestBroker, jar: &mut Jar, mut res: reqwest::Response) -> String {
    for _ in 0..6 {
        assert_eq!(res.status(), 303, "{}", res.text().await.unwrap());
        let next = location(broker, &res);
        let path = next.path().to_owned();
        if path.starts_with("/demo/callback") {
            assert!(param(&next, "code").is_some(), "{next}");
            return get(client, jar, next.as_str()).await.text().await.unwrap();
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

#[tokio::test]
async fn same_device_the_demo_logs_in_with_the_test_wallet() {
    let broker = TestBroker::start().await;
    let client = http_client();
    let mut jar = Jar::default();
    let (_, html) = to_wallet_page(&client, &broker, &mut jar).await;
    // The page: same-device button, server-drawn QR code, the warning, "Continue"; no script.
    assert!(html.contains("This code belongs to this screen only."), "{html}");
    assert!(html.contains("<svg role=\"img\"") && !html.contains("<script"), "{html}");
    assert!(html.contains("action=\"&#x2f;wallet&#x2f;poll&#x2f;"), "{html}");
    let link = attr_after(&html, "id=\"open-wallet\" href=\"");
    assert!(
        link.contains("/dev/wallet?client_id=x509_hash"),
        "development: the test wallet: {link}"
    );
    let answer = wallet_answers(&client, &broker, &link, "share").await;
    assert_eq!(answer.status(), 303, "{}", answer.text().await.unwrap());
    let back = location(&broker, &answer);
    assert_eq!(back.path(), "/wallet/return");
    let code = param(&back, "response_code").expect("response_code");
    // Only the browser that started the login may present it: here it does.
    let res = get(&client, &mut jar, back.as_str()).await;
    let demo = through_consent(&client, &broker, &mut jar, res).await;
    assert!(demo.contains("http://eidas.europa.eu/LoA/high"), "{demo}");
    assert!(demo.contains("eudi-pid"), "amr: {demo}");
    assert!(
        demo.contains("MUSTERMANN") && demo.contains("ERIKA"),
        "the PID's claims, as written: {demo}"
    );
    // The response_code is single use.
    let again = get(&client, &mut jar, &broker.url(&format!("/wallet/return?response_code={code}"))).await;
    assert_eq!(again.status(), 400);
}

#[tokio::test]
async fn cross_device_finishes_with_continue_after_the_wallet_answered() {
    let broker = TestBroker::start().await;
    let client = http_client();
    let mut jar = Jar::default();
    let (start, html) = to_wallet_page(&client, &broker, &mut jar).await;
    let poll = broker.url(&start.path().replace("/wallet/start/", "/wallet/poll/"));
    // Before the wallet answered: the page again, with a note.
    let early = get(&client, &mut jar, &poll).await;
    assert_eq!(early.status(), 200);
    assert!(early.text().await.unwrap().contains("has not answered yet"));
    let link = attr_after(&html, "id=\"dev-cross\" href=\"");
    assert!(link.contains("flow%3Dcross"), "{link}");
    let answer = wallet_answers(&client, &broker, &link, "share").await;
    assert_eq!(answer.status(), 200, "no redirect_uri for the phone");
    assert!(answer.text().await.unwrap().contains("Go back to the other screen"));
    let res = get(&client, &mut jar, &poll).await;
    let demo = through_consent(&client, &broker, &mut jar, res).await;
    assert!(demo.contains("eudi-pid"), "{demo}");
}

#[tokio::test]
async fn a_response_code_in_another_browser_ends_the_login_without_a_code() {
    let broker = TestBroker::start().await;
    let client = http_client();
    let mut jar = Jar::default();
    let (_, html) = to_wallet_page(&client, &broker, &mut jar).await;
    let link = attr_after(&html, "id=\"open-wallet\" href=\"");
    let answer = wallet_answers(&client, &broker, &link, "share").await;
    let back = location(&broker, &answer);
    let mut other = Jar::default();
    let res = get(&client, &mut other, back.as_str()).await;
    assert_eq!(res.status(), 400, "the restart page");
    let page = res.text().await.unwrap();
    assert!(!page.contains("code="), "{page}");
    // The login is gone for the right browser too: nothing was created.
    let res = get(&client, &mut jar, back.as_str()).await;
    assert_eq!(res.status(), 400);
}

#[tokio::test]
async fn the_endpoints_refuse_plaintext_unknown_transactions_and_the_other_flow() {
    let broker = TestBroker::start().await;
    let client = http_client();
    let mut jar = Jar::default();
    let (start, _) = to_wallet_page(&client, &broker, &mut jar).await;
    let handle = start.path().trim_start_matches("/wallet/start/").to_owned();
    let response_uri = broker.url(&format!("/wallet/response/{handle}"));
    let plain = post(&client, &mut Jar::default(), &response_uri, &[("vp_token", "{}"), ("state", "x")]).await;
    assert_eq!(plain.status(), 400);
    let body: serde_json::Value = serde_json::from_str(&plain.text().await.unwrap()).unwrap();
    assert_eq!(body["error"], "invalid_request");
    assert!(body["error_description"].as_str().unwrap().contains("direct_post.jwt"), "{body}");
    let unknown = post(
        &client,
        &mut Jar::default(),
        &broker.url("/wallet/response/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"),
        &[("response", "a.b.c.d.e")],
    )
    .await;
    assert_eq!(unknown.status(), 400);
    assert!(unknown.text().await.unwrap().contains("unknown or expired transaction"));
    // The request object: the JAR media type, GET and POST (wallet_nonce echoed).
    let jar_res = client.get(broker.url(&format!("/wallet/request/{handle}"))).send().await.unwrap();
    assert_eq!(jar_res.headers()["content-type"], "application/oauth-authz-req+jwt");
    let posted = client
        .post(broker.url(&format!("/wallet/request/{handle}")))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("wallet_nonce=wn-123&wallet_metadata=%7B%7D")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let claims = posted.split('.').nth(1).unwrap();
    let claims: serde_json::Value =
        serde_json::from_slice(&base64::Engine::decode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, claims).unwrap()).unwrap();
    assert_eq!(claims["wallet_nonce"], "wn-123");
    // The QR code's request is refused once the same-device one was fetched.
    let cross = client
        .get(broker.url(&format!("/wallet/request/{handle}?flow=cross")))
        .send()
        .await
        .unwrap();
    assert_eq!(cross.status(), 400);
    assert!(cross.text().await.unwrap().contains("another device flow"));
}

#[tokio::test]
async fn a_declining_wallet_ends_the_login_with_access_denied_at_continue() {
    let broker = TestBroker::start().await;
    let client = http_client();
    let mut jar = Jar::default();
    let (start, html) = to_wallet_page(&client, &broker, &mut jar).await;
    let link = attr_after(&html, "id=\"open-wallet\" href=\"");
    let answer = wallet_answers(&client, &broker, &link, "decline").await;
    assert_eq!(answer.status(), 400, "the test wallet shows the broker's refusal");
    assert!(answer.text().await.unwrap().contains("access_denied"));
    let poll = broker.url(&start.path().replace("/wallet/start/", "/wallet/poll/"));
    let res = get(&client, &mut jar, &poll).await;
    let html = res.text().await.unwrap();
    assert!(html.contains("error=access_denied"), "{html}");
    assert!(!html.contains("code="), "no code: {html}");
}
