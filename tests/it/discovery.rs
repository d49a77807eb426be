//! Discovery and JWKS, and the whole token side driven by a stock relying party: the
//! `openidconnect` crate (discovery, PKCE, nonce, ID token verification, userinfo, refresh,
//! revocation, introspection), with a code seeded through the test seam.

use crate::token::bed::{TestBed, DEMO, DEMO_SECRET};
use openidconnect::core::{
    CoreClient, CoreIdTokenVerifier, CoreJwsSigningAlgorithm, CoreProviderMetadata, CoreRevocableToken as StandardRevocableToken,
    CoreUserInfoClaims,
};
use openidconnect::{
    AccessTokenHash, AuthorizationCode, ClientId, ClientSecret, IntrospectionUrl, IssuerUrl, Nonce, OAuth2TokenResponse, PkceCodeChallenge,
    RedirectUrl, RevocationUrl, TokenIntrospectionResponse, TokenResponse,
};
use serde_json::Value;

#[tokio::test]
async fn metadata_is_complete_and_truthful() {
    // In process (no socket): the documents are a rule of the router, not of the listener.
    let app = crate::support::TestBroker::new().app().await;
    let res = app.get("/.well-known/openid-configuration").await;
    assert_eq!(res.status, 200);
    let m: Value = serde_json::from_str(&res.body).unwrap();
    assert_eq!(m["issuer"], app.base);
    assert_eq!(m["token_endpoint"], app.url("/token"));
    assert_eq!(m["jwks_uri"], app.url("/jwks"));
    assert_eq!(m["introspection_endpoint"], app.url("/introspect"));
    assert_eq!(m["revocation_endpoint"], app.url("/revoke"));
    // Logout (issue 11): exactly what exists — RP-initiated and back-channel, no front-channel
    // and no session-management iframe.
    assert_eq!(m["end_session_endpoint"], app.url("/logout"));
    assert_eq!(m["backchannel_logout_supported"], true);
    assert_eq!(m["backchannel_logout_session_supported"], true);
    for absent in [
        "frontchannel_logout_supported",
        "frontchannel_logout_session_supported",
        "check_session_iframe",
    ] {
        assert!(m.get(absent).is_none(), "{absent} advertised");
    }
    assert_eq!(m["response_types_supported"], serde_json::json!(["code"]));
    assert_eq!(m["code_challenge_methods_supported"], serde_json::json!(["S256"]));
    assert_eq!(
        m["grant_types_supported"],
        serde_json::json!(["authorization_code", "refresh_token"])
    );
    assert_eq!(m["authorization_response_iss_parameter_supported"], true);
    assert_eq!(m["request_uri_parameter_supported"], false);
    assert_eq!(
        m["token_endpoint_auth_methods_supported"],
        serde_json::json!(["client_secret_basic", "client_secret_post", "private_key_jwt"])
    );
    let algs = m["token_endpoint_auth_signing_alg_values_supported"].as_array().unwrap();
    assert!(!algs.iter().any(|a| a == "none" || a.as_str().unwrap().starts_with("HS")));
    assert_eq!(m["acr_values_supported"].as_array().unwrap().len(), 4);
    assert_eq!(m["id_token_signing_alg_values_supported"][0], "ES256");
    for s in buergerkonto::config::KNOWN_SCOPES {
        assert!(m["scopes_supported"].as_array().unwrap().iter().any(|v| v == s));
    }
    let res = app.get("/jwks").await;
    assert_eq!(res.header("content-type"), Some("application/jwk-set+json"));
    let jwks: Value = serde_json::from_str(&res.body).unwrap();
    let keys = jwks["keys"].as_array().unwrap();
    assert_eq!(keys.len(), 4, "dev ring: ES256, RS256, PS256, EdDSA");
    assert!(
        keys.iter().all(|k| k["kid"].is_string() && k.get("d").is_none()),
        "public keys only"
    );
}

#[tokio::test]
async fn openidconnect_crate_as_relying_party() {
    let bed = TestBed::start().await;
    let http = crate::support::http_client();
    let issuer = IssuerUrl::new(bed.broker.base.clone()).unwrap();
    let meta = CoreProviderMetadata::discover_async(issuer, &http).await.unwrap();
    let client = CoreClient::from_provider_metadata(meta, ClientId::new(DEMO.into()), Some(ClientSecret::new(DEMO_SECRET.into())))
        .set_redirect_uri(RedirectUrl::new(bed.demo_redirect()).unwrap())
        .set_revocation_url(RevocationUrl::new(bed.broker.url("/revoke")).unwrap())
        .set_introspection_url(IntrospectionUrl::new(bed.broker.url("/introspect")).unwrap());
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let seeded = bed
        .seed_with(
            DEMO,
            &bed.demo_redirect(),
            &["openid", "profile", "offline_access"],
            challenge.as_str(),
        )
        .await;
    let nonce = Nonce::new(seeded.nonce.clone());
    let tokens = client
        .exchange_code(AuthorizationCode::new(seeded.code.clone()))
        .unwrap()
        .set_pkce_verifier(verifier)
        .request_async(&http)
        .await
        .unwrap();
    // The ID token verifies with the RP's own checks: signature (ES256 from JWKS), iss, aud, exp,
    // nonce, and at_hash.
    let id_token = tokens.id_token().unwrap();
    let verifier = client
        .id_token_verifier()
        .set_allowed_algs(vec![CoreJwsSigningAlgorithm::EcdsaP256Sha256]);
    let claims = id_token.claims(&verifier, &nonce).unwrap();
    let at_hash = AccessTokenHash::from_token(
        tokens.access_token(),
        id_token.signing_alg().unwrap(),
        id_token.signing_key(&verifier).unwrap(),
    )
    .unwrap();
    assert_eq!(claims.access_token_hash(), Some(&at_hash));
    assert_eq!(claims.subject().as_str(), "pairwise-sub-of-demo");
    assert!(claims.auth_time().is_some());
    assert_eq!(claims.auth_context_ref().unwrap().as_str(), "http://eidas.europa.eu/LoA/high");
    // A wrong nonce is caught by the RP.
    assert!(id_token.claims(&verifier, &Nonce::new("other".into())).is_err());
    // An RP that allows only RS256 refuses our ES256 token (the RP's allow-list is in force).
    let rs_only: CoreIdTokenVerifier = client
        .id_token_verifier()
        .set_allowed_algs(vec![CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256]);
    assert!(id_token.claims(&rs_only, &nonce).is_err());

    let info: CoreUserInfoClaims = client
        .user_info(tokens.access_token().clone(), None)
        .unwrap()
        .request_async(&http)
        .await
        .unwrap();
    assert_eq!(info.subject().as_str(), "pairwise-sub-of-demo");
    assert_eq!(info.given_name().unwrap().get(None).unwrap().as_str(), "Erika");

    let intro = client.introspect(tokens.access_token()).request_async(&http).await.unwrap();
    assert!(intro.active());

    let refreshed = client
        .exchange_refresh_token(tokens.refresh_token().unwrap())
        .unwrap()
        .request_async(&http)
        .await
        .unwrap();
    assert_ne!(
        refreshed.refresh_token().unwrap().secret(),
        tokens.refresh_token().unwrap().secret()
    );
    // After refresh the ID token has no nonce; the RP checks everything else.
    let refreshed_id = refreshed.id_token().unwrap();
    refreshed_id
        .claims(
            &verifier,
            |n: Option<&Nonce>| if n.is_none() { Ok(()) } else { Err("nonce".to_owned()) },
        )
        .unwrap();

    // oauth2 5 refuses a non-https revocation URL (`InsecureUrl`, RFC 7009 §2 demands TLS), and
    // the test broker is plain-HTTP loopback; the request is built as the crate would build it
    // (so the endpoint's RFC 7009 behaviour is still exercised), sent with the same client.
    assert!(client
        .revoke_token(StandardRevocableToken::RefreshToken(refreshed.refresh_token().unwrap().clone()))
        .is_err());
    let res = http
        .post(bed.broker.url("/revoke"))
        .header("authorization", crate::token::bed::basic_header(DEMO, DEMO_SECRET))
        .form(&[
            ("token", refreshed.refresh_token().unwrap().secret().as_str()),
            ("token_type_hint", "refresh_token"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let intro = client.introspect(refreshed.access_token()).request_async(&http).await.unwrap();
    assert!(!intro.active(), "revoking the refresh token revoked the grant");
    let err: Result<CoreUserInfoClaims, _> = client
        .user_info(refreshed.access_token().clone(), None)
        .unwrap()
        .request_async(&http)
        .await;
    assert!(err.is_err());
}

/// The demo relying party (`/demo`, src/dev/demo.rs) end to end, with the authorization side
/// played by the test seam: its authorization request is inspected, a code is seeded for its PKCE
/// challenge and nonce, and the callback redeems it over HTTP and shows the verified claims.
#[tokio::test]
async fn demo_relying_party_round_trip() {
    let bed = TestBed::start().await;
    let text = bed.http.get(bed.broker.url("/demo")).send().await.unwrap().text().await.unwrap();
    assert!(text.contains("Anmelden mit Vertrauensniveau substanziell") && text.contains("Anmelden mit Vertrauensniveau hoch"));
    assert!(!text.contains("<script"), "no script");
    let text = bed
        .http
        .get(bed.broker.url("/demo?lang=en"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(text.contains("Log in with trust level high") && text.contains("lang=\"en\""));

    let res = bed
        .http
        .post(bed.broker.url("/demo/login"))
        .form(&[("level", "high"), ("lang", "de")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    let location = url::Url::parse(res.headers()["location"].to_str().unwrap()).unwrap();
    assert_eq!(location.path(), "/authorize");
    let q: std::collections::HashMap<String, String> = location.query_pairs().into_owned().collect();
    assert_eq!(q["client_id"], "demo");
    assert_eq!(q["response_type"], "code");
    assert_eq!(q["code_challenge_method"], "S256");
    assert_eq!(q["acr_values"], "http://eidas.europa.eu/LoA/high");
    assert_eq!(q["redirect_uri"], bed.demo_redirect());
    assert!(q["scope"].split(' ').any(|s| s == "openid"));

    // Errors sent back to the callback are shown readably (and the attempt is consumed).
    let cb = |query: String| bed.http.get(format!("{}?{query}", bed.demo_redirect())).send();
    let res = cb(format!(
        "error=access_denied&error_description=%3Cb%3Edenied%3C%2Fb%3E&state={}",
        q["state"]
    ))
    .await
    .unwrap();
    assert_eq!(res.status(), 400);
    let text = res.text().await.unwrap();
    assert!(text.contains("abgelehnt") && text.contains("&lt;b&gt;denied"), "escaped: {text}");

    // A fresh attempt, answered by the seam.
    let res = bed
        .http
        .post(bed.broker.url("/demo/login"))
        .form(&[("level", "high")])
        .send()
        .await
        .unwrap();
    let location = url::Url::parse(res.headers()["location"].to_str().unwrap()).unwrap();
    let q: std::collections::HashMap<String, String> = location.query_pairs().into_owned().collect();
    let seeded = bed
        .seed_full(
            "demo",
            &bed.demo_redirect(),
            &["openid", "profile"],
            &q["code_challenge"],
            &q["nonce"],
        )
        .await;
    let iss = url::form_urlencoded::byte_serialize(bed.broker.base.as_bytes()).collect::<String>();
    // Without iss (RFC 9207) the demo refuses; the attempt is then gone.
    let res = cb(format!("code={}&state={}", seeded.code, q["state"])).await.unwrap();
    assert_eq!(res.status(), 502);
    let res = bed
        .http
        .post(bed.broker.url("/demo/login"))
        .form(&[("level", "high")])
        .send()
        .await
        .unwrap();
    let location = url::Url::parse(res.headers()["location"].to_str().unwrap()).unwrap();
    let q: std::collections::HashMap<String, String> = location.query_pairs().into_owned().collect();
    let seeded = bed
        .seed_full(
            "demo",
            &bed.demo_redirect(),
            &["openid", "profile"],
            &q["code_challenge"],
            &q["nonce"],
        )
        .await;
    let res = cb(format!("code={}&state={}&iss={iss}", seeded.code, q["state"])).await.unwrap();
    let status = res.status();
    let text = res.text().await.unwrap();
    assert_eq!(status, 200, "{text}");
    assert!(text.contains("pairwise-sub-of-demo") && text.contains("Erika") && text.contains("eidas.europa.eu/LoA/high"));
    assert!(!text.contains("<script"));
    // The same state cannot be used twice.
    let res = cb(format!("code={}&state={}&iss={iss}", seeded.code, q["state"])).await.unwrap();
    assert_eq!(res.status(), 502);
}

/// The demo checks `acr` itself (as docs/relying-parties.md tells every RP): asked for high, a
/// token saying substantial is refused on the RP side too.
#[tokio::test]
async fn demo_relying_party_checks_acr_itself() {
    use buergerkonto::oidc_provider::records::Grant;
    use buergerkonto::session::RecordKind;
    let bed = TestBed::start().await;
    let res = bed
        .http
        .post(bed.broker.url("/demo/login"))
        .form(&[("level", "high"), ("lang", "en")])
        .send()
        .await
        .unwrap();
    let location = url::Url::parse(res.headers()["location"].to_str().unwrap()).unwrap();
    let q: std::collections::HashMap<String, String> = location.query_pairs().into_owned().collect();
    assert_eq!(q["ui_locales"], "en");
    let seeded = bed
        .seed_full("demo", &bed.demo_redirect(), &["openid"], &q["code_challenge"], &q["nonce"])
        .await;
    let records = bed.broker.state.records();
    let mut g: Grant = records.get(RecordKind::Grant, &seeded.grant_id).await.unwrap().unwrap();
    g.level = buergerkonto::trust::TrustLevel::Substantial;
    records
        .put(RecordKind::Grant, g.id.clone().as_str(), &g, std::time::Duration::from_secs(600))
        .await
        .unwrap();
    let iss = url::form_urlencoded::byte_serialize(bed.broker.base.as_bytes()).collect::<String>();
    let res = bed
        .http
        .get(format!(
            "{}?code={}&state={}&iss={iss}",
            bed.demo_redirect(),
            seeded.code,
            q["state"]
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 502);
    let text = res.text().await.unwrap();
    assert!(text.contains("trust level too low") && text.contains("lang=\"en\""), "{text}");
}
