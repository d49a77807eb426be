//! Client authentication at the token endpoint: each registered method, and each way it fails.

use crate::token::bed::{basic_header, TestBed, DEMO, DEMO_SECRET, JWT_CLIENT, OTHER, POST_CLIENT, POST_SECRET, REDIRECT, VERIFIER};
use serde_json::{json, Value};
use std::time::Duration;

async fn redeem_with(bed: &TestBed, client: &str, auth: &[(&str, &str)], basic: Option<(&str, &str)>) -> (u16, http::HeaderMap, Value) {
    let s = bed.seed(client, REDIRECT, &["openid"]).await;
    let mut form = vec![
        ("grant_type", "authorization_code"),
        ("code", s.code.as_str()),
        ("redirect_uri", REDIRECT),
        ("code_verifier", VERIFIER),
    ];
    form.extend_from_slice(auth);
    bed.post("/token", basic, &form).await
}

#[tokio::test]
async fn wrong_client_secret_is_401_with_basic_challenge() {
    let bed = TestBed::start().await;
    let (status, headers, body) = bed
        .post(
            "/token",
            Some((DEMO, "wrong")),
            &[("grant_type", "refresh_token"), ("refresh_token", "x")],
        )
        .await;
    assert_eq!(status, 401);
    assert_eq!(body["error"], "invalid_client");
    assert!(headers["www-authenticate"].to_str().unwrap().starts_with("Basic"));
    assert_eq!(headers["cache-control"], "no-store");
    let (status, _, _) = bed
        .post(
            "/token",
            Some(("nobody", "x")),
            &[("grant_type", "refresh_token"), ("refresh_token", "x")],
        )
        .await;
    assert_eq!(status, 401, "unknown client");
    let (status, headers, body) = bed
        .post("/token", None, &[("grant_type", "refresh_token"), ("refresh_token", "x")])
        .await;
    assert_eq!((status, body["error"].as_str()), (401, Some("invalid_client")), "no credentials");
    assert!(headers.get("www-authenticate").is_none(), "Basic was not attempted");
}

#[tokio::test]
async fn client_secret_post_and_form_urlencoded_basic() {
    let bed = TestBed::start().await;
    let (status, _, body) = redeem_with(
        &bed,
        POST_CLIENT,
        &[("client_id", POST_CLIENT), ("client_secret", POST_SECRET)],
        None,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    // A client registered for client_secret_post may not switch to Basic (RFC 6749 §2.3.1 encoding
    // is right here, so only the method is at fault), nor a Basic client to post.
    let (status, _, _) = redeem_with(&bed, POST_CLIENT, &[], Some((POST_CLIENT, POST_SECRET))).await;
    assert_eq!(status, 401);
    let (status, _, _) = redeem_with(&bed, DEMO, &[("client_id", DEMO), ("client_secret", DEMO_SECRET)], None).await;
    assert_eq!(status, 401);
}

#[tokio::test]
async fn basic_credentials_are_form_urlencoded() {
    // "svc:post" and a secret with %, + and : only work when both sides decode per §2.3.1.
    let bed =
        TestBed::start_with(|c| crate::support::RawConfigExt::client_mut(c, POST_CLIENT).auth_method = Some("client_secret_basic".into()))
            .await;
    let (status, _, body) = redeem_with(&bed, POST_CLIENT, &[], Some((POST_CLIENT, POST_SECRET))).await;
    assert_eq!(status, 200, "{body}");
    // The raw (unencoded) form is wrong for a secret with '+'.
    use base64::Engine;
    let raw = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{POST_CLIENT}:{POST_SECRET}"))
    );
    let res = bed
        .http
        .post(bed.broker.url("/token"))
        .header("authorization", raw)
        .form(&[("grant_type", "refresh_token"), ("refresh_token", "x")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    let _ = basic_header;
}

#[tokio::test]
async fn two_methods_at_once_are_invalid_request() {
    let bed = TestBed::start().await;
    let (status, _, body) = redeem_with(&bed, DEMO, &[("client_secret", DEMO_SECRET)], Some((DEMO, DEMO_SECRET))).await;
    assert_eq!((status, body["error"].as_str()), (400, Some("invalid_request")));
}

async fn with_assertion(bed: &TestBed, assertion: &str) -> (u16, Value) {
    let (s, _, b) = redeem_with(
        bed,
        JWT_CLIENT,
        &[
            ("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"),
            ("client_assertion", assertion),
        ],
        None,
    )
    .await;
    (s, b)
}

#[tokio::test]
async fn private_key_jwt_accepts_a_good_assertion_once() {
    let bed = TestBed::start().await;
    let a = bed.assertion(json!({}));
    let (status, body) = with_assertion(&bed, &a).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        crate::token::bed::peek_header(body["id_token"].as_str().unwrap()).alg,
        jsonwebtoken::Algorithm::EdDSA,
        "per-client id_token_alg"
    );
    let (status, body) = with_assertion(&bed, &a).await;
    assert_eq!((status, body["error"].as_str()), (401, Some("invalid_client")), "jti replay");
    // The issuer is an accepted audience too (RFC 7523 §3).
    let a = bed.assertion(json!({ "aud": bed.broker.base }));
    assert_eq!(with_assertion(&bed, &a).await.0, 200);
    // aud as an array (RFC 7519 §4.1.3) naming the token endpoint among others.
    let a = bed.assertion(json!({ "aud": ["https://other.example", bed.broker.url("/token")] }));
    assert_eq!(with_assertion(&bed, &a).await.0, 200);
}

#[tokio::test]
async fn private_key_jwt_refuses_bad_assertions() {
    let bed = TestBed::start().await;
    let cases = [
        ("wrong aud", json!({ "aud": "https://elsewhere.example/token" })),
        ("no exp", json!({ "exp": null })),
        ("exp too far ahead", json!({ "exp": bed.now() + 3600 })),
        ("no jti", json!({ "jti": null })),
        ("iss is another client", json!({ "iss": OTHER })),
        ("sub differs", json!({ "sub": "someone" })),
    ];
    for (name, overrides) in cases {
        let a = bed.assertion(overrides);
        let (status, body) = with_assertion(&bed, &a).await;
        assert_eq!(status, 401, "{name}: {body}");
    }
}

#[tokio::test]
async fn private_key_jwt_refuses_expired_assertion() {
    let bed = TestBed::start().await;
    let a = bed.assertion(json!({}));
    bed.clock.advance(Duration::from_secs(61));
    assert_eq!(with_assertion(&bed, &a).await.0, 401);
}

#[tokio::test]
async fn private_key_jwt_refuses_foreign_keys_hmac_and_none() {
    let bed = TestBed::start().await;
    let now = bed.now();
    let claims = json!({ "iss": JWT_CLIENT, "sub": JWT_CLIENT, "aud": bed.broker.url("/token"), "exp": now + 60, "jti": "j1" });
    // Signed by a key that is not in the client's JWKS, with the client's kid.
    let pem = buergerkonto::keys::generate_pem(buergerkonto::keys::SigningAlg::ES256).unwrap();
    let mut h = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::ES256);
    h.kid = Some(bed.jwt_kid.clone());
    let foreign = jsonwebtoken::encode(&h, &claims, &jsonwebtoken::EncodingKey::from_ec_pem(pem.as_bytes()).unwrap()).unwrap();
    assert_eq!(with_assertion(&bed, &foreign).await.0, 401);
    // HS256 keyed with the client's public JWK.
    let jwks = std::fs::read(bed._dir_path().join("jwt-client.jwks.json")).unwrap();
    let mut h = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256);
    h.kid = Some(bed.jwt_kid.clone());
    let hs = jsonwebtoken::encode(&h, &claims, &jsonwebtoken::EncodingKey::from_secret(&jwks)).unwrap();
    assert_eq!(with_assertion(&bed, &hs).await.0, 401);
    // alg: none.
    use base64::Engine;
    let b64 = |v: &Value| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(serde_json::to_vec(v).unwrap());
    let none = format!("{}.{}.", b64(&json!({"alg": "none", "typ": "JWT"})), b64(&claims));
    assert_eq!(with_assertion(&bed, &none).await.0, 401);
    // Wrong client_assertion_type.
    let good = bed.assertion(json!({}));
    let s = bed.seed(JWT_CLIENT, REDIRECT, &["openid"]).await;
    let (status, _, _) = bed
        .post(
            "/token",
            None,
            &[
                ("grant_type", "authorization_code"),
                ("code", &s.code),
                ("redirect_uri", REDIRECT),
                ("code_verifier", VERIFIER),
                ("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:saml2-bearer"),
                ("client_assertion", &good),
            ],
        )
        .await;
    assert_eq!(status, 401);
}
