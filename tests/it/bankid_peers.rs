//! The test OPs of the bank-ID tests, checked without the broker (issue 10 item 6): panva's OP
//! really is configured like a bank and completes a PAR + private_key_jwt + PKCE login for a
//! plain client whose ID token the `openidconnect` crate accepts; the fake OP's honest ID token
//! passes the same crate's checks and each forgery differs from it in exactly the way its name
//! says. So when a bank-ID test fails, the broker failed, not the peer.

use crate::support::http_client;
use crate::support_login::{get, param, pkce, Jar};
use crate::support_op::fake_op::{FakeOp, Forge};
use crate::support_op::{ClientJwks, ClientKey, PanvaOp, ACR_BID, ACR_BIS, CLIENT_ID};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use openidconnect::core::{CoreClient, CoreIdToken, CoreJwsSigningAlgorithm, CoreProviderMetadata};
use openidconnect::{ClientId, IssuerUrl, Nonce};
use serde_json::{json, Value};

const CB: &str = "http://127.0.0.1:9/cb";

/// The parts of a JWT (header, payload), unverified.
fn peek(jwt: &str) -> (Value, Value) {
    let mut parts = jwt.split('.');
    let mut next = || {
        let part = parts.next().expect("JWT part");
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).expect("base64url")).expect("JSON")
    };
    (next(), next())
}

fn json_of(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

/// The fake OP's authorization endpoint with a nonce: the code it answers with.
async fn fake_code(c: &openidconnect::reqwest::Client, op: &FakeOp, nonce: &str) -> String {
    let mut url = url::Url::parse(&format!("{}/authorize", op.issuer)).unwrap();
    url.query_pairs_mut()
        .extend_pairs([("redirect_uri", CB), ("state", "s"), ("nonce", nonce), ("client_id", CLIENT_ID)]);
    let res = c.get(url).send().await.unwrap();
    let back = url::Url::parse(res.headers()["location"].to_str().unwrap()).unwrap();
    assert_eq!(param(&back, "iss").as_deref(), Some(op.issuer.as_str()));
    param(&back, "code").unwrap()
}

fn assertion(key: &ClientKey, aud: &str) -> String {
    let pem = std::fs::read(&key.path).expect("key");
    let (alg, encoding) = match key.alg {
        "ES256" => (Algorithm::ES256, EncodingKey::from_ec_pem(&pem).expect("EC")),
        _ => (Algorithm::PS256, EncodingKey::from_rsa_pem(&pem).expect("RSA")),
    };
    let mut h = Header::new(alg);
    h.kid = key.jwk["kid"].as_str().map(str::to_owned);
    let now = chrono::Utc::now().timestamp();
    let claims = json!({
        "iss": CLIENT_ID, "sub": CLIENT_ID, "aud": aud, "iat": now, "exp": now + 60,
        "jti": format!("{:016x}", rand::random::<u64>()),
    });
    jsonwebtoken::encode(&h, &claims, &encoding).expect("assertion")
}

/// PAR → authorization (the interaction finished with `query`) → token, as a bare client.
async fn login(op: &PanvaOp, key: &ClientKey, query: &[(&str, &str)]) -> (url::Url, Option<Value>) {
    let c = http_client();
    let meta: Value = c
        .get(format!("{}/.well-known/openid-configuration", op.issuer))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .map(|t| json_of(&t))
        .unwrap();
    let (verifier, challenge) = pkce();
    let bearer = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
    let par: Value = c
        .post(meta["pushed_authorization_request_endpoint"].as_str().unwrap())
        .form(&[
            ("client_id", CLIENT_ID),
            ("response_type", "code"),
            ("scope", "openid profile"),
            ("redirect_uri", CB),
            ("state", "s-1"),
            ("nonce", "n-1"),
            ("code_challenge", challenge.as_str()),
            ("code_challenge_method", "S256"),
            ("acr_values", ACR_BID),
            ("client_assertion_type", bearer),
            ("client_assertion", assertion(key, &op.issuer).as_str()),
        ])
        .send()
        .await
        .unwrap()
        .text()
        .await
        .map(|t| json_of(&t))
        .unwrap();
    let request_uri = par["request_uri"].as_str().unwrap_or_else(|| panic!("PAR: {par}\n{}", op.log()));
    let mut next = url::Url::parse(meta["authorization_endpoint"].as_str().unwrap()).unwrap();
    next.query_pairs_mut()
        .append_pair("client_id", CLIENT_ID)
        .append_pair("request_uri", request_uri);
    let mut jar = Jar::default();
    while !next.as_str().starts_with(CB) {
        if next.path().starts_with("/interaction/") {
            next.query_pairs_mut().extend_pairs(query);
        }
        let res = get(&c, &mut jar, next.as_str()).await;
        assert_eq!(res.status(), 303, "{next}\n{}", op.log());
        next = next.join(res.headers()["location"].to_str().unwrap()).unwrap();
    }
    let Some(code) = param(&next, "code") else {
        return (next, None);
    };
    let tokens: Value = c
        .post(meta["token_endpoint"].as_str().unwrap())
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", code.as_str()),
            ("redirect_uri", CB),
            ("code_verifier", verifier.as_str()),
            ("client_assertion_type", bearer),
            ("client_assertion", assertion(key, &op.issuer).as_str()),
        ])
        .send()
        .await
        .unwrap()
        .text()
        .await
        .map(|t| json_of(&t))
        .unwrap();
    (next, Some(tokens))
}

#[tokio::test]
async fn panva_op_is_configured_like_a_bank_and_logs_a_plain_client_in() {
    if !crate::peers::require_oidc_provider() {
        return;
    }
    for (id_alg, client_alg, core_alg) in [
        ("ES256", "ES256", CoreJwsSigningAlgorithm::EcdsaP256Sha256),
        ("PS256", "PS256", CoreJwsSigningAlgorithm::RsaSsaPssSha256),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let key = ClientKey::generate(dir.path(), client_alg);
        let op = PanvaOp::start(&PanvaOp::bank_config(CB, &ClientJwks::Inline(json!({ "keys": [key.jwk] })), id_alg));
        let c = http_client();
        let meta: Value = c
            .get(format!("{}/.well-known/openid-configuration", op.issuer))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .map(|t| json_of(&t))
            .unwrap();
        assert_eq!(meta["require_pushed_authorization_requests"], true);
        assert_eq!(meta["authorization_response_iss_parameter_supported"], true);
        assert_eq!(meta["code_challenge_methods_supported"], json!(["S256"]));
        assert_eq!(meta["verified_claims_supported"], true);
        assert_eq!(meta["trust_frameworks_supported"], json!(["de_aml"]));
        assert!(meta["acr_values_supported"].as_array().unwrap().contains(&json!(ACR_BIS)));
        assert!(meta["token_endpoint_auth_methods_supported"]
            .as_array()
            .unwrap()
            .contains(&json!("private_key_jwt")));

        // Without PAR: refused, back to the client with RFC 9207 iss.
        let mut plain = url::Url::parse(meta["authorization_endpoint"].as_str().unwrap()).unwrap();
        plain.query_pairs_mut().extend_pairs([
            ("client_id", CLIENT_ID),
            ("response_type", "code"),
            ("scope", "openid"),
            ("redirect_uri", CB),
            ("code_challenge", "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"),
            ("code_challenge_method", "S256"),
        ]);
        let res = get(&c, &mut Jar::default(), plain.as_str()).await;
        let back = url::Url::parse(res.headers()["location"].to_str().unwrap()).unwrap();
        assert_eq!(param(&back, "error").as_deref(), Some("invalid_request"), "{back}");
        assert_eq!(param(&back, "iss").as_deref(), Some(op.issuer.as_str()));

        // The whole login; the ID token passes a stock relying party's checks.
        let (cb, tokens) = login(&op, &key, &[]).await;
        assert_eq!(param(&cb, "iss").as_deref(), Some(op.issuer.as_str()), "RFC 9207");
        let tokens = tokens.expect("a code");
        let id_token = tokens["id_token"].as_str().unwrap_or_else(|| panic!("{tokens}\n{}", op.log()));
        let meta = CoreProviderMetadata::discover_async(IssuerUrl::new(op.issuer.clone()).unwrap(), &c)
            .await
            .unwrap();
        let client = CoreClient::from_provider_metadata(meta, ClientId::new(CLIENT_ID.into()), None);
        let verifier = client.id_token_verifier().set_allowed_algs(vec![core_alg]);
        let parsed: CoreIdToken = id_token.parse().unwrap();
        let claims = parsed.claims(&verifier, &Nonce::new("n-1".into())).unwrap();
        assert_eq!(claims.auth_context_ref().unwrap().as_str(), ACR_BID);
        let (header, payload) = peek(id_token);
        assert_eq!(header["alg"], id_alg);
        assert_eq!(payload["sub"], "kari");
        assert_eq!(payload["verified_claims"]["verification"]["trust_framework"], "de_aml");
        assert_eq!(payload["verified_claims"]["claims"]["given_name"], "Kari");

        // Another account, another acr; and the upstream errors, with state and iss.
        let (_, tokens) = login(&op, &key, &[("account", "ola")]).await;
        let (_, payload) = peek(tokens.unwrap()["id_token"].as_str().unwrap());
        assert_eq!(payload["acr"], ACR_BIS);
        for error in ["access_denied", "login_required", "temporarily_unavailable"] {
            let (cb, tokens) = login(&op, &key, &[("outcome", error)]).await;
            assert!(tokens.is_none());
            assert_eq!(param(&cb, "error").as_deref(), Some(error), "{cb}");
            assert_eq!(param(&cb, "state").as_deref(), Some("s-1"));
            assert_eq!(param(&cb, "iss").as_deref(), Some(op.issuer.as_str()));
        }
    }
}

#[tokio::test]
async fn fake_op_forges_exactly_what_it_is_told() {
    let op = FakeOp::start().await;
    let c = http_client();
    let first = fake_code(&c, &op, "n-first").await;
    let redeem = |code: String| {
        let c = c.clone();
        let url = format!("{}/token", op.issuer);
        async move {
            let v: Value = c
                .post(url)
                .form(&[("code", code.as_str())])
                .send()
                .await
                .unwrap()
                .text()
                .await
                .map(|t| json_of(&t))
                .unwrap();
            v["id_token"].as_str().unwrap().to_owned()
        }
    };
    // Honest passes a stock relying party's checks.
    let honest = redeem(first).await;
    let meta = CoreProviderMetadata::discover_async(IssuerUrl::new(op.issuer.clone()).unwrap(), &c)
        .await
        .unwrap();
    let client = CoreClient::from_provider_metadata(meta, ClientId::new(CLIENT_ID.into()), None);
    let verifier = client.id_token_verifier();
    let parsed: CoreIdToken = honest.parse().unwrap();
    parsed.claims(&verifier, &Nonce::new("n-first".into())).unwrap();
    let (h0, p0) = peek(&honest);

    // The relying party also bounds `iat` (the crate accepts any by default; the broker must not).
    let verifier = verifier.set_issue_time_verifier_fn(|iat| {
        if iat > chrono::Utc::now() + chrono::Duration::seconds(60) {
            Err("issued in the future".into())
        } else {
            Ok(())
        }
    });

    // Each forgery, on a fresh request with its own nonce (the one before it is "an earlier login").
    type Check<'a> = Box<dyn Fn(&Value, &Value, &str) + 'a>;
    let cases: Vec<(Forge, Check<'_>)> = vec![
        (
            Forge::Honest,
            Box::new(|h, p, _| assert_eq!((&h["kid"], &p["iss"]), (&h0["kid"], &p0["iss"]))),
        ),
        (Forge::WrongIss, Box::new(|_, p, _| assert_ne!(p["iss"], p0["iss"]))),
        (Forge::WrongAud, Box::new(|_, p, _| assert_eq!(p["aud"], "another-client"))),
        (
            Forge::ExtraAudWithoutAzp,
            Box::new(|_, p, _| {
                assert_eq!(p["aud"], json!([CLIENT_ID, "another-client"]));
                assert!(p.get("azp").is_none());
            }),
        ),
        (Forge::Expired, Box::new(|_, p, _| assert!(p["exp"].as_i64() < p0["iat"].as_i64()))),
        (
            Forge::FutureIat,
            Box::new(|_, p, _| assert!(p["iat"].as_i64().unwrap() > p0["iat"].as_i64().unwrap() + 3000)),
        ),
        (Forge::MissingNonce, Box::new(|_, p, _| assert!(p.get("nonce").is_none()))),
        (
            Forge::ReplayedNonce,
            Box::new(|_, p, own| {
                assert!(p["nonce"].is_string());
                assert_ne!(p["nonce"], own);
            }),
        ),
        (Forge::AlgNone, Box::new(|h, _, _| assert_eq!(h["alg"], "none"))),
        (
            Forge::Hs256(b"k".to_vec()),
            Box::new(|h, _, _| {
                assert_eq!(h["alg"], "HS256");
                assert_eq!(h["kid"], h0["kid"]);
            }),
        ),
        (Forge::UnknownKid, Box::new(|h, _, _| assert_ne!(h["kid"], h0["kid"]))),
        (
            Forge::OtherClient,
            Box::new(|_, p, _| {
                assert_eq!(p["aud"], "another-client");
                assert_eq!(p["azp"], "another-client");
            }),
        ),
        (Forge::Acr(ACR_BIS.into()), Box::new(|_, p, _| assert_eq!(p["acr"], ACR_BIS))),
    ];
    for (i, (forge, check)) in cases.into_iter().enumerate() {
        let own = format!("n-case-{i}");
        let code = fake_code(&c, &op, &own).await;
        op.forge(forge.clone());
        let token = redeem(code).await;
        let (h, p) = peek(&token);
        check(&h, &p, &own);
        if !matches!(forge, Forge::ReplayedNonce | Forge::MissingNonce) {
            assert_eq!(p["nonce"], own.as_str(), "{forge:?}: the rest stays honest");
        }
        // A stock relying party refuses every forgery; the low acr is the broker's to refuse.
        let parsed: Result<CoreIdToken, _> = token.parse();
        let accepted = parsed.is_ok_and(|t| t.claims(&verifier, &Nonce::new(own.clone())).is_ok());
        assert_eq!(accepted, matches!(forge, Forge::Honest | Forge::Acr(_)), "{forge:?}");
    }
    // Replaying the previous ID token verbatim.
    let code = fake_code(&c, &op, "n-last").await;
    op.forge(Forge::ReplayedIdToken);
    let before = op.authorizations().len();
    let replayed = redeem(code).await;
    assert_eq!(peek(&replayed).1["acr"], ACR_BIS, "the last token issued (the acr case)");
    assert_eq!(op.authorizations().len(), before);
    assert!(op.jwks_fetches() >= 1);
}
