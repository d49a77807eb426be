//! `/authorize` rules (OIDC Core §3.1.2.1/§3.1.2.6, RFC 6749 §4.1.2.1, RFC 7636, RFC 9207): a
//! negative test for each.

use crate::support::{http_client, TestBroker};
use crate::support_login::*;
use buergerkonto::clock::SystemClock;
use std::sync::Arc;

async fn broker() -> TestBroker {
    broker_with_extra(Arc::new(SystemClock)).await
}

/// The request is answered with a page: 400, no Location, a readable text.
async fn assert_page(url: &str, text: &str) {
    let res = http_client().get(url).send().await.unwrap();
    assert_eq!(res.status(), 400, "{url}");
    assert!(res.headers().get("location").is_none(), "must not redirect: {url}");
    let html = res.text().await.unwrap();
    assert!(html.contains(text), "{html}");
    assert!(html.contains("<html lang=\"de\">"));
}

/// The request is answered with an error redirect to the registered URI.
async fn assert_error(broker: &TestBroker, url: &str, error: &str) -> url::Url {
    let res = http_client().get(url).send().await.unwrap();
    assert_eq!(res.status(), 303, "{url}");
    let loc = location(broker, &res);
    assert!(loc.as_str().starts_with(&demo_redirect(broker)), "{loc}");
    assert_eq!(param(&loc, "error").as_deref(), Some(error), "{loc}");
    assert!(param(&loc, "error_description").is_some());
    assert_eq!(param(&loc, "iss").as_deref(), Some(broker.base.as_str()), "RFC 9207 iss");
    assert!(param(&loc, "code").is_none());
    loc
}

#[tokio::test]
async fn unknown_or_missing_client_is_a_page() {
    let b = broker().await;
    assert_page(&authorize_url_for(&b, "nope", &demo_redirect(&b), &[]), "Dienst nicht bekannt").await;
    assert_page(&authorize_url(&b, &[("client_id", "")]), "Dienst nicht bekannt").await;
}

#[tokio::test]
async fn unregistered_redirect_uri_is_a_page_not_a_redirect() {
    let b = broker().await;
    let reg = demo_redirect(&b);
    for bad in [
        "https://evil.example/cb".to_owned(),
        format!("{reg}/"),
        format!("{reg}?x=1"),
        format!("{reg}x"),
        reg.to_uppercase(),
        reg.replace("127.0.0.1", "localhost"),
    ] {
        assert_page(&authorize_url(&b, &[("redirect_uri", &bad)]), "Rücksprungadresse nicht zulässig").await;
    }
    assert_page(&authorize_url(&b, &[("redirect_uri", "")]), "Rücksprungadresse").await;
    // a redirect URI registered for another client
    assert_page(
        &authorize_url(&b, &[("redirect_uri", "http://127.0.0.1:9/skip/cb")]),
        "Rücksprungadresse",
    )
    .await;
}

#[tokio::test]
async fn duplicated_client_or_redirect_is_a_page() {
    let b = broker().await;
    let url = format!("{}&client_id=demo", authorize_url(&b, &[]));
    assert_page(&url, "Ungültige Anfrage").await;
    let url = format!("{}&redirect_uri=https%3A%2F%2Fevil.example%2F", authorize_url(&b, &[]));
    assert_page(&url, "Ungültige Anfrage").await;
}

#[tokio::test]
async fn error_page_in_english_on_request() {
    let b = broker().await;
    let res = http_client()
        .get(authorize_url_for(&b, "nope", "x", &[]))
        .header("accept-language", "en-GB,en;q=0.9")
        .send()
        .await
        .unwrap();
    let html = res.text().await.unwrap();
    assert!(html.contains("<html lang=\"en\">") && html.contains("Service not known"), "{html}");
}

#[tokio::test]
async fn pkce_missing_or_plain_is_refused() {
    let b = broker().await;
    assert_error(
        &b,
        &authorize_url(&b, &[("code_challenge", ""), ("code_challenge_method", "")]),
        "invalid_request",
    )
    .await;
    assert_error(&b, &authorize_url(&b, &[("code_challenge_method", "")]), "invalid_request").await;
    assert_error(&b, &authorize_url(&b, &[("code_challenge_method", "plain")]), "invalid_request").await;
    assert_error(&b, &authorize_url(&b, &[("code_challenge", "abc")]), "invalid_request").await;
}

#[tokio::test]
async fn bad_scopes_are_refused() {
    let b = broker().await;
    assert_error(&b, &authorize_url(&b, &[("scope", "profile")]), "invalid_scope").await;
    assert_error(&b, &authorize_url(&b, &[("scope", "")]), "invalid_scope").await;
    // `org` and unknown scopes are not registered for the demo client
    assert_error(&b, &authorize_url(&b, &[("scope", "openid org")]), "invalid_scope").await;
    assert_error(&b, &authorize_url(&b, &[("scope", "openid email")]), "invalid_scope").await;
}

#[tokio::test]
async fn response_type_and_request_objects() {
    let b = broker().await;
    assert_error(&b, &authorize_url(&b, &[("response_type", "token")]), "unsupported_response_type").await;
    assert_error(
        &b,
        &authorize_url(&b, &[("response_type", "code id_token")]),
        "unsupported_response_type",
    )
    .await;
    assert_error(&b, &authorize_url(&b, &[("response_type", "")]), "invalid_request").await;
    assert_error(
        &b,
        &authorize_url(&b, &[("request", "eyJhbGciOiJub25lIn0.e30.")]),
        "request_not_supported",
    )
    .await;
    assert_error(&b, &authorize_url(&b, &[("request_uri", "urn:x")]), "request_uri_not_supported").await;
    assert_error(&b, &authorize_url(&b, &[("response_mode", "fragment")]), "invalid_request").await;
}

#[tokio::test]
async fn duplicate_parameters_are_refused() {
    let b = broker().await;
    assert_error(&b, &format!("{}&scope=openid", authorize_url(&b, &[])), "invalid_request").await;
    assert_error(&b, &format!("{}&nonce=x", authorize_url(&b, &[])), "invalid_request").await;
}

#[tokio::test]
async fn prompt_and_max_age_are_validated() {
    let b = broker().await;
    assert_error(&b, &authorize_url(&b, &[("prompt", "none login")]), "invalid_request").await;
    assert_error(&b, &authorize_url(&b, &[("prompt", "none consent")]), "invalid_request").await;
    assert_error(&b, &authorize_url(&b, &[("prompt", "bogus")]), "invalid_request").await;
    assert_error(&b, &authorize_url(&b, &[("max_age", "-1")]), "invalid_request").await;
    assert_error(&b, &authorize_url(&b, &[("max_age", "soon")]), "invalid_request").await;
    assert_error(&b, &authorize_url(&b, &[("claims", "{not json")]), "invalid_request").await;
}

#[tokio::test]
async fn essential_acr_that_cannot_be_met_is_unmet() {
    // Only a substantial method configured: an essential `high` cannot be met.
    let b = TestBroker::new()
        .with_config(|c| {
            c.methods
                .iter_mut()
                .filter(|m| m.level == "high")
                .for_each(|m| m.level = "substantial".into())
        })
        .start()
        .await;
    let claims = r#"{"id_token":{"acr":{"essential":true,"value":"http://eidas.europa.eu/LoA/high"}}}"#;
    assert_error(&b, &authorize_url(&b, &[("claims", claims)]), "unmet_authentication_requirements").await;
    // an essential value we do not issue at all
    let claims = r#"{"id_token":{"acr":{"essential":true,"values":["urn:bankid:bid;LOA=4"]}}}"#;
    assert_error(&b, &authorize_url(&b, &[("claims", claims)]), "unmet_authentication_requirements").await;
    // voluntary acr_values=high is not an error: the best that can be met is required
    let res = http_client()
        .get(authorize_url(&b, &[("acr_values", "http://eidas.europa.eu/LoA/high")]))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    assert!(location(&b, &res).path().starts_with("/login/"));
}

#[tokio::test]
async fn idp_hint_unknown_or_insufficient_is_an_error() {
    let b = broker().await;
    assert_error(&b, &authorize_url(&b, &[("idp_hint", "no-such-method")]), "invalid_request").await;
    // dev-sub reaches substantial only; the request asks high: never a silent downgrade
    assert_error(
        &b,
        &authorize_url(&b, &[("idp_hint", "dev-sub"), ("acr_values", "http://eidas.europa.eu/LoA/high")]),
        "unmet_authentication_requirements",
    )
    .await;
    // a sufficient hint skips the choice page
    let res = http_client()
        .get(authorize_url(&b, &[("idp_hint", "dev-sub")]))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    assert!(location(&b, &res).path().starts_with("/dev/login/"), "{:?}", res.headers());
}

#[tokio::test]
async fn idp_hint_not_allowed_for_client() {
    let b = broker().await;
    let url = authorize_url_for(&b, "subonly", "http://127.0.0.1:9/subonly/cb", &[("idp_hint", "dev")]);
    let res = http_client().get(url).send().await.unwrap();
    assert_eq!(res.status(), 303);
    let loc = location(&b, &res);
    assert_eq!(param(&loc, "error").as_deref(), Some("invalid_request"));
}

const ODD_STATE: &str = "a b+c&d=e?f#g%h/ä€\"'<>\\~;,";

#[tokio::test]
async fn state_echoed_byte_for_byte_on_errors() {
    let b = broker().await;
    let loc = assert_error(
        &b,
        &authorize_url(&b, &[("state", ODD_STATE), ("scope", "profile")]),
        "invalid_scope",
    )
    .await;
    assert_eq!(param(&loc, "state").as_deref(), Some(ODD_STATE));
    // no state sent: none returned
    let loc = assert_error(&b, &authorize_url(&b, &[("state", ""), ("scope", "profile")]), "invalid_scope").await;
    assert_eq!(param(&loc, "state"), None);
}

#[tokio::test]
async fn state_and_iss_on_success() {
    let b = broker().await;
    let cb = dev_login(&http_client(), &b, &authorize_url(&b, &[("state", ODD_STATE)]), "erika", "high").await;
    assert_eq!(param(&cb, "state").as_deref(), Some(ODD_STATE));
    assert_eq!(param(&cb, "iss").as_deref(), Some(b.base.as_str()));
    assert!(param(&cb, "code").map(|c| c.len() >= 22).unwrap_or(false));
}

#[tokio::test]
async fn post_authorize_parks_the_request() {
    let b = broker().await;
    let url = url::Url::parse(&authorize_url(&b, &[])).unwrap();
    let res = http_client()
        .post(b.url("/authorize"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(url.query().unwrap().to_owned())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    let loc = location(&b, &res);
    let id = loc.path().strip_prefix("/login/").unwrap();
    assert_eq!(id.len(), 43, "256-bit pending id");
}
