//! Shared by the logout tests: a broker whose clients have registered return URIs (and, where a
//! test asks, back-channel endpoints), logins that end in tokens, and probes of a session.

#![allow(dead_code)]

use crate::support::{http_client, RawConfigExt, TestBroker};
use crate::support_login::*;
use crate::token::bed::{basic_header, DEMO, DEMO_SECRET};
use serde_json::Value;

/// Where the demo client returns after logout (registered).
pub fn demo_bye(b: &TestBroker) -> String {
    b.url("/demo/logged-out")
}
/// The `skip` client's registered return URI.
pub const SKIP_BYE: &str = "http://127.0.0.1:9/skip/bye";
/// The secret of the EXTRA clients.
pub const EXTRA_SECRET: &str = "demo-relying-party-secret-for-development-only";

/// Registered return URIs for `demo` and `skip`, plus the [`EXTRA`] clients.
pub fn with_logout_clients(c: &mut buergerkonto::config::raw::RawConfig) {
    crate::support::append_toml(c, EXTRA);
    let base = c.server.issuer.clone();
    c.client_mut("demo").post_logout_redirect_uris = vec![format!("{base}/demo/logged-out")];
    c.client_mut("skip").post_logout_redirect_uris = vec![SKIP_BYE.into()];
}

/// A broker for the logout tests.
pub async fn logout_broker() -> TestBroker {
    TestBroker::new().with_config(with_logout_clients).start().await
}

/// Tokens of one login of the demo client in `jar` (consent approved).
pub async fn demo_login(b: &TestBroker, jar: &mut Jar, scope: &str) -> Value {
    let (url, verifier) = authorize_url_with_verifier(b, DEMO, &demo_redirect(b), &[("scope", scope)]);
    let cb = login_in(&http_client(), b, jar, &url, "dev", Outcome::Success("erika", "high")).await;
    let code = param(&cb, "code").unwrap_or_else(|| panic!("no code: {cb}"));
    let (status, body) = redeem(b, DEMO, DEMO_SECRET, &code, &demo_redirect(b), &verifier).await;
    assert_eq!(status, 200, "{body}");
    body
}

/// Redeem a code.
pub async fn redeem(b: &TestBroker, client: &str, secret: &str, code: &str, redirect: &str, verifier: &str) -> (u16, Value) {
    token_post(
        b,
        client,
        secret,
        &[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", redirect),
            ("code_verifier", verifier),
        ],
    )
    .await
}

/// POST to a token-side endpoint with Basic credentials.
pub async fn token_side(b: &TestBroker, path: &str, client: &str, secret: &str, form: &[(&str, &str)]) -> (u16, Value) {
    let res = http_client()
        .post(b.url(path))
        .header("authorization", basic_header(client, secret))
        .form(form)
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    (status, serde_json::from_str(&res.text().await.unwrap()).unwrap_or(Value::Null))
}

/// POST /token.
pub async fn token_post(b: &TestBroker, client: &str, secret: &str, form: &[(&str, &str)]) -> (u16, Value) {
    token_side(b, "/token", client, secret, form).await
}

/// Whether introspection says the token is active (as the demo client).
pub async fn active(b: &TestBroker, token: &str) -> bool {
    let (s, v) = token_side(b, "/introspect", DEMO, DEMO_SECRET, &[("token", token)]).await;
    assert_eq!(s, 200, "{v}");
    v["active"] == true
}

/// Whether the browser `jar` still has a live session (its `/session` page offers to log out).
pub async fn session_alive(b: &TestBroker, jar: &mut Jar) -> bool {
    let res = get(&http_client(), jar, &b.url("/session")).await;
    assert_eq!(res.status(), 200);
    res.text().await.unwrap().contains("action=\"/session/logout\"")
}

/// A logout URL with `params`.
pub fn logout_url(b: &TestBroker, params: &[(&str, &str)]) -> String {
    let mut u = url::Url::parse(&b.url("/logout")).unwrap();
    u.query_pairs_mut().extend_pairs(params);
    u.to_string()
}

/// Whether a response clears the session cookie.
pub fn clears_session_cookie(res: &openidconnect::reqwest::Response) -> bool {
    res.headers().get_all("set-cookie").iter().any(|v| {
        let s = v.to_str().unwrap_or_default();
        s.contains("bk_session=;") && s.contains("Max-Age=0")
    })
}
