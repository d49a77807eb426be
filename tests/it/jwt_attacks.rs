//! Forged and confused tokens at userinfo and introspection: `alg: none`, HS256 keyed with our
//! public key, an ID token presented as an access token (RFC 8725 §3.11), a foreign signer using
//! our `kid`, and a tampered payload. Each must be refused.

use crate::token::bed::{peek, TestBed, DEMO, DEMO_SECRET};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde_json::{json, Value};

fn b64(v: &Value) -> String {
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(v).unwrap())
}

async fn assert_refused(bed: &TestBed, token: &str, what: &str) {
    let (status, www, _) = bed.userinfo(token).await;
    assert_eq!(status, 401, "{what} at userinfo");
    assert!(www.unwrap_or_default().contains("invalid_token"), "{what}: challenge");
    assert_eq!(
        bed.introspect((DEMO, DEMO_SECRET), token).await,
        json!({"active": false}),
        "{what} at introspection"
    );
}

/// A genuine access token's claims and our key ids by algorithm.
async fn genuine(bed: &TestBed) -> (String, Value, Vec<(String, buergerkonto::keys::SigningAlg)>) {
    let t = bed.demo_tokens(&["openid", "profile"]).await;
    let at = t["access_token"].as_str().unwrap().to_owned();
    let claims = peek(&at);
    let kids = bed
        .broker
        .state
        .keys()
        .keys()
        .iter()
        .map(|k| (k.kid().to_owned(), k.alg()))
        .collect();
    (at, claims, kids)
}

#[tokio::test]
async fn alg_none_is_refused() {
    let bed = TestBed::start().await;
    let (_, claims, kids) = genuine(&bed).await;
    for (kid, _) in &kids {
        let token = format!("{}.{}.", b64(&json!({"alg": "none", "typ": "at+jwt", "kid": kid})), b64(&claims));
        assert_refused(&bed, &token, "alg none").await;
    }
    let token = format!("{}.{}.", b64(&json!({"alg": "none", "typ": "at+jwt"})), b64(&claims));
    assert_refused(&bed, &token, "alg none without kid").await;
}

#[tokio::test]
async fn hs256_keyed_with_our_public_key_is_refused() {
    let bed = TestBed::start().await;
    let (_, claims, kids) = genuine(&bed).await;
    let jwks = serde_json::to_value(bed.broker.state.keys().jwks()).unwrap();
    for jwk in jwks["keys"].as_array().unwrap() {
        let kid = jwk["kid"].as_str().unwrap();
        let mut secrets = vec![serde_json::to_vec(jwk).unwrap()];
        if jwk["kty"] == "RSA" {
            // The classic confusion: the RSA public key PEM as HMAC secret.
            use aws_lc_rs::encoding::AsDer;
            let public = aws_lc_rs::rsa::PublicKeyComponents {
                n: URL_SAFE_NO_PAD.decode(jwk["n"].as_str().unwrap()).unwrap(),
                e: URL_SAFE_NO_PAD.decode(jwk["e"].as_str().unwrap()).unwrap(),
            };
            let spki = AsDer::<aws_lc_rs::encoding::PublicKeyX509Der>::as_der(&public).unwrap();
            let b64 = base64::engine::general_purpose::STANDARD.encode(spki.as_ref());
            let lines: Vec<&str> = b64.as_bytes().chunks(64).map(|c| std::str::from_utf8(c).unwrap()).collect();
            // The SubjectPublicKeyInfo PEM, as `openssl rsa -pubout` writes it.
            secrets.push(format!("-----BEGIN PUBLIC KEY-----\n{}\n-----END PUBLIC KEY-----\n", lines.join("\n")).into_bytes());
        }
        for secret in secrets {
            let mut h = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256);
            h.kid = Some(kid.to_owned());
            h.typ = Some("at+jwt".into());
            let token = jsonwebtoken::encode(&h, &claims, &jsonwebtoken::EncodingKey::from_secret(&secret)).unwrap();
            assert_refused(&bed, &token, "HS256 with public key").await;
        }
    }
    assert!(kids.len() >= 2);
}

#[tokio::test]
async fn id_token_is_not_an_access_token() {
    let bed = TestBed::start().await;
    let t = bed.demo_tokens(&["openid", "profile"]).await;
    assert_refused(&bed, t["id_token"].as_str().unwrap(), "ID token as access token").await;
}

#[tokio::test]
async fn foreign_signer_and_tampering_are_refused() {
    let bed = TestBed::start().await;
    let (at, claims, kids) = genuine(&bed).await;
    let es_kid = kids
        .iter()
        .find(|(_, a)| *a == buergerkonto::keys::SigningAlg::ES256)
        .unwrap()
        .0
        .clone();
    let pem = buergerkonto::keys::generate_pem(buergerkonto::keys::SigningAlg::ES256).unwrap();
    let mut h = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::ES256);
    h.kid = Some(es_kid);
    h.typ = Some("at+jwt".into());
    let forged = jsonwebtoken::encode(&h, &claims, &jsonwebtoken::EncodingKey::from_ec_pem(pem.as_bytes()).unwrap()).unwrap();
    assert_refused(&bed, &forged, "foreign ES256 key with our kid").await;
    // Widen the scope in the payload, keep the signature.
    let mut parts: Vec<&str> = at.split('.').collect();
    let mut widened = claims.clone();
    widened["scope"] = json!("openid profile address birth");
    let payload = b64(&widened);
    parts[1] = &payload;
    assert_refused(&bed, &parts.join("."), "tampered payload").await;
    // The genuine token still works.
    assert_eq!(bed.userinfo(&at).await.0, 200);
}

/// The ring remembers the access tokens it signed and verified (src/keys/verified.rs) and skips
/// their signature check the next time: only the exact bytes may profit. A token used (and so
/// remembered) at userinfo, then presented with a changed payload, a changed signature, an extra
/// part or a changed header, must be refused as before.
#[tokio::test]
async fn a_remembered_token_vouches_only_for_its_exact_bytes() {
    let bed = TestBed::start().await;
    let (at, claims, _) = genuine(&bed).await;
    assert_eq!(bed.userinfo(&at).await.0, 200, "genuine token, remembered from now on");
    let parts: Vec<&str> = at.split('.').collect();
    let mut widened = claims.clone();
    widened["scope"] = json!("openid profile address birth");
    let payload = b64(&widened);
    assert_refused(
        &bed,
        &[parts[0], &payload, parts[2]].join("."),
        "remembered signature, other payload",
    )
    .await;
    let mut sig = URL_SAFE_NO_PAD.decode(parts[2]).unwrap();
    sig[10] ^= 1;
    let flipped = URL_SAFE_NO_PAD.encode(&sig);
    assert_refused(&bed, &[parts[0], parts[1], &flipped].join("."), "one signature bit flipped").await;
    assert_refused(&bed, &format!("{at}.x"), "an extra part").await;
    let mut header: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[0]).unwrap()).unwrap();
    header["typ"] = json!("JWT");
    assert_refused(&bed, &[&b64(&header), parts[1], parts[2]].join("."), "other typ in the header").await;
    assert_eq!(bed.userinfo(&at).await.0, 200, "the genuine token still works");
}
