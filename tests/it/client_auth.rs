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
    let (status, _, body) = bed
        .post(
            "/token",
            Some(("nobody", "x")),
            &[("grant_type", "refresh_token"), ("refresh_token", "x")],
        )
        .await;
    assert_eq!((status, body["error"].as_str()), (401, Some("invalid_client")), "unknown client");
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
    let (status, _, body) = redeem_with(&bed, POST_CLIENT, &[], Some((POST_CLIENT, POST_SECRET))).await;
    assert_eq!((status, body["error"].as_str()), (401, Some("invalid_client")), "{body}");
    let (status, _, body) = redeem_with(&bed, DEMO, &[("client_id", DEMO), ("client_secret", DEMO_SECRET)], None).await;
    assert_eq!((status, body["error"].as_str()), (401, Some("invalid_client")), "{body}");
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
    let body: Value = serde_json::from_slice(&res.bytes().await.unwrap()).unwrap();
    assert_eq!(body["error"], "invalid_client", "{body}");
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
    // The issuer is an accepted audience too (RFC 7523 §3, rfc7523bis).
    let a = bed.assertion(json!({ "aud": bed.broker.base }));
    assert_eq!(with_assertion(&bed, &a).await.0, 200);
}

/// rfc7523bis audience injection: an assertion whose `aud` is not exactly our issuer or token
/// endpoint — an array (even one holding only the issuer), another of our endpoints, another
/// server — does not authenticate the client, here or at introspection/revocation.
#[tokio::test]
async fn private_key_jwt_audience_must_be_one_string_issuer_or_token_endpoint() {
    let bed = TestBed::start().await;
    let token = bed.broker.url("/token");
    let issuer = bed.broker.base.clone();
    let cases = [
        ("array with the token endpoint", json!([token])),
        ("array with the issuer only", json!([issuer])),
        ("array naming us among others", json!(["https://other.example", token])),
        ("introspection endpoint", json!(bed.broker.url("/introspect"))),
        ("revocation endpoint", json!(bed.broker.url("/revoke"))),
        ("userinfo endpoint", json!(bed.broker.url("/userinfo"))),
        ("authorization endpoint", json!(bed.broker.url("/authorize"))),
        ("issuer with a trailing slash", json!(format!("{issuer}/"))),
        ("another server's token endpoint", json!("https://other.example/token")),
    ];
    for (name, aud) in cases {
        let a = bed.assertion(json!({ "aud": aud }));
        let (status, body) = with_assertion(&bed, &a).await;
        assert_eq!((status, body["error"].as_str()), (401, Some("invalid_client")), "{name}: {body}");
        assert!(body.get("access_token").is_none(), "{name}");
    }
    // At introspection the endpoint's own URL is no audience either; the token endpoint is.
    let assertion_form = |a: String| {
        vec![
            ("token".to_owned(), "x".to_owned()),
            (
                "client_assertion_type".to_owned(),
                "urn:ietf:params:oauth:client-assertion-type:jwt-bearer".to_owned(),
            ),
            ("client_assertion".to_owned(), a),
        ]
    };
    for (path, aud, want) in [
        ("/introspect", bed.broker.url("/introspect"), 401),
        ("/revoke", bed.broker.url("/revoke"), 401),
        ("/introspect", token.clone(), 200),
        ("/revoke", issuer.clone(), 200),
    ] {
        let form = assertion_form(bed.assertion(json!({ "aud": aud })));
        let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let (status, _, body) = bed.post(path, None, &form).await;
        assert_eq!(status, want, "{path} with aud {aud}: {body}");
        if want == 401 {
            assert_eq!(body["error"], "invalid_client", "{path} with aud {aud}: {body}");
        }
    }
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
        assert_eq!((status, body["error"].as_str()), (401, Some("invalid_client")), "{name}: {body}");
    }
}

#[tokio::test]
async fn private_key_jwt_refuses_expired_assertion() {
    let bed = TestBed::start().await;
    let a = bed.assertion(json!({}));
    bed.clock.advance(Duration::from_secs(61));
    let (status, body) = with_assertion(&bed, &a).await;
    assert_eq!((status, body["error"].as_str()), (401, Some("invalid_client")), "{body}");
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
    assert_invalid_client(with_assertion(&bed, &foreign).await, "foreign key");
    // HS256 keyed with the client's public JWK.
    let jwks = std::fs::read(bed._dir_path().join("jwt-client.jwks.json")).unwrap();
    let mut h = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256);
    h.kid = Some(bed.jwt_kid.clone());
    let hs = jsonwebtoken::encode(&h, &claims, &jsonwebtoken::EncodingKey::from_secret(&jwks)).unwrap();
    assert_invalid_client(with_assertion(&bed, &hs).await, "HS256 with the public JWK");
    // alg: none.
    use base64::Engine;
    let b64 = |v: &Value| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(serde_json::to_vec(v).unwrap());
    let none = format!("{}.{}.", b64(&json!({"alg": "none", "typ": "JWT"})), b64(&claims));
    assert_invalid_client(with_assertion(&bed, &none).await, "alg none");
    // Wrong client_assertion_type.
    let good = bed.assertion(json!({}));
    let s = bed.seed(JWT_CLIENT, REDIRECT, &["openid"]).await;
    let (status, _, body) = bed
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
    assert_invalid_client((status, body), "wrong client_assertion_type");
}

fn assert_invalid_client((status, body): (u16, Value), what: &str) {
    assert_eq!((status, body["error"].as_str()), (401, Some("invalid_client")), "{what}: {body}");
}
