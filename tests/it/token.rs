//! Token endpoint: authorization_code and refresh_token grants, and their negative cases.
//!
//! The login pages are built elsewhere, so codes come from a test seam ([`bed::TestBed::seed`]):
//! a Grant and an AuthorizationCode inserted directly through the public records API, exactly as
//! the authorization side stores them.

use crate::token::bed::{TestBed, OTHER, POST_CLIENT};
use serde_json::Value;
use std::time::Duration;

pub mod bed;

use bed::{peek, peek_header, DEMO, DEMO_SECRET, OTHER_SECRET, REDIRECT, VERIFIER};

#[tokio::test]
async fn code_redemption_issues_id_and_access_token() {
    let bed = TestBed::start().await;
    let s = bed.seed(DEMO, &bed.demo_redirect(), &["openid", "profile"]).await;
    let redirect = bed.demo_redirect();
    let (status, headers, body) = bed
        .post(
            "/token",
            Some((DEMO, DEMO_SECRET)),
            &[
                ("grant_type", "authorization_code"),
                ("code", &s.code),
                ("redirect_uri", &redirect),
                ("code_verifier", VERIFIER),
            ],
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(headers["cache-control"], "no-store");
    assert_eq!(headers["pragma"], "no-cache");
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 300);
    assert_eq!(body["scope"], "openid profile");
    assert!(body.get("refresh_token").is_none(), "no offline_access, no refresh token");
    let at = body["access_token"].as_str().unwrap();
    let h = peek_header(at);
    assert_eq!(h.typ.as_deref(), Some("at+jwt"));
    assert_eq!(h.alg, jsonwebtoken::Algorithm::ES256);
    let c = peek(at);
    assert_eq!(c["iss"], bed.broker.base);
    assert_eq!(c["aud"], DEMO);
    assert_eq!(c["client_id"], DEMO);
    assert_eq!(c["scope"], "openid profile");
    assert_eq!(c["acr"], "http://eidas.europa.eu/LoA/high");
    assert_eq!(c["amr"], serde_json::json!(["eid"]));
    for k in ["sub", "exp", "iat", "jti", "auth_time", "sid"] {
        assert!(c.get(k).is_some(), "access token lacks {k}");
    }
    let id = peek(body["id_token"].as_str().unwrap());
    assert_eq!(peek_header(body["id_token"].as_str().unwrap()).typ.as_deref(), Some("JWT"));
    assert_eq!(id["nonce"], s.nonce.as_str());
    assert_eq!(id["azp"], DEMO);
    assert_eq!(id["given_name"], "Erika", "claims requested for the ID token are in it");
    assert!(id.get("family_name").is_none(), "scope claims go to userinfo only (OIDC Core §5.4)");
    assert_eq!(
        id["at_hash"],
        buergerkonto::oidc_provider::tokens::half_hash(buergerkonto::keys::SigningAlg::ES256, at)
    );
}

#[tokio::test]
async fn missing_pkce_verifier_is_refused_without_burning_the_code() {
    let bed = TestBed::start().await;
    let s = bed.seed(DEMO, &bed.demo_redirect(), &["openid"]).await;
    let redirect = bed.demo_redirect();
    let (status, _, body) = bed
        .post(
            "/token",
            Some((DEMO, DEMO_SECRET)),
            &[("grant_type", "authorization_code"), ("code", &s.code), ("redirect_uri", &redirect)],
        )
        .await;
    assert_eq!(status, 400);
    assert_eq!(body["error"], "invalid_request");
    let (status, _) = bed.redeem_demo(&s.code).await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn wrong_pkce_verifier_is_invalid_grant_and_kills_the_code() {
    let bed = TestBed::start().await;
    let s = bed.seed(DEMO, &bed.demo_redirect(), &["openid"]).await;
    let redirect = bed.demo_redirect();
    let wrong = "x".repeat(43);
    let (status, _, body) = bed
        .post(
            "/token",
            Some((DEMO, DEMO_SECRET)),
            &[
                ("grant_type", "authorization_code"),
                ("code", &s.code),
                ("redirect_uri", &redirect),
                ("code_verifier", &wrong),
            ],
        )
        .await;
    assert_eq!((status, body["error"].as_str()), (400, Some("invalid_grant")));
    let (status, body) = bed.redeem_demo(&s.code).await;
    assert_eq!((status, body["error"].as_str()), (400, Some("invalid_grant")));
}

#[tokio::test]
async fn code_replay_fails_and_revokes_the_first_tokens() {
    let bed = TestBed::start().await;
    let s = bed.seed(DEMO, &bed.demo_redirect(), &["openid", "profile", "offline_access"]).await;
    let (status, first) = bed.redeem_demo(&s.code).await;
    assert_eq!(status, 200);
    let at = first["access_token"].as_str().unwrap();
    assert_eq!(bed.introspect((DEMO, DEMO_SECRET), at).await["active"], true);
    let (status, body) = bed.redeem_demo(&s.code).await;
    assert_eq!((status, body["error"].as_str()), (400, Some("invalid_grant")));
    assert_eq!(bed.introspect((DEMO, DEMO_SECRET), at).await["active"], false);
    let (status, challenge, _) = bed.userinfo(at).await;
    assert_eq!(status, 401);
    assert!(
        challenge.is_some_and(|c| c.contains("invalid_token")),
        "userinfo names invalid_token"
    );
    let rt = first["refresh_token"].as_str().unwrap();
    let (status, _, body) = bed
        .post(
            "/token",
            Some((DEMO, DEMO_SECRET)),
            &[("grant_type", "refresh_token"), ("refresh_token", rt)],
        )
        .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_grant")),
        "refresh token died with the grant"
    );
}

#[tokio::test]
async fn code_redeemed_by_another_client_is_refused() {
    let bed = TestBed::start().await;
    let s = bed.seed(DEMO, &bed.demo_redirect(), &["openid"]).await;
    let redirect = bed.demo_redirect();
    let (status, _, body) = bed
        .post(
            "/token",
            Some((OTHER, OTHER_SECRET)),
            &[
                ("grant_type", "authorization_code"),
                ("code", &s.code),
                ("redirect_uri", &redirect),
                ("code_verifier", VERIFIER),
            ],
        )
        .await;
    assert_eq!((status, body["error"].as_str()), (400, Some("invalid_grant")));
    // The stolen code is burnt for its owner too (it was exposed).
    let (status, body) = bed.redeem_demo(&s.code).await;
    assert_eq!((status, body["error"].as_str()), (400, Some("invalid_grant")));
}

#[tokio::test]
async fn expired_code_is_refused() {
    let bed = TestBed::start().await;
    let s = bed.seed(DEMO, &bed.demo_redirect(), &["openid"]).await;
    bed.clock.advance(Duration::from_secs(61));
    let (status, body) = bed.redeem_demo(&s.code).await;
    assert_eq!((status, body["error"].as_str()), (400, Some("invalid_grant")));
}

#[tokio::test]
async fn redirect_uri_must_match_exactly() {
    let bed = TestBed::start().await;
    let s = bed.seed(DEMO, &bed.demo_redirect(), &["openid"]).await;
    let wrong = format!("{}/", bed.demo_redirect());
    let (status, _, body) = bed
        .post(
            "/token",
            Some((DEMO, DEMO_SECRET)),
            &[
                ("grant_type", "authorization_code"),
                ("code", &s.code),
                ("redirect_uri", &wrong),
                ("code_verifier", VERIFIER),
            ],
        )
        .await;
    assert_eq!((status, body["error"].as_str()), (400, Some("invalid_grant")));
}

#[tokio::test]
async fn only_form_bodies_and_known_grants() {
    let bed = TestBed::start().await;
    let res = bed
        .http
        .post(bed.broker.url("/token"))
        .header("authorization", bed::basic_header(DEMO, DEMO_SECRET))
        .header("content-type", "application/json")
        .body(r#"{"grant_type": "authorization_code"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    let body: Value = serde_json::from_str(&res.text().await.unwrap()).unwrap();
    assert_eq!(body["error"], "invalid_request");
    let (status, _, body) = bed.post("/token", Some((DEMO, DEMO_SECRET)), &[("grant_type", "password")]).await;
    assert_eq!((status, body["error"].as_str()), (400, Some("unsupported_grant_type")));
    let (status, _, body) = bed
        .post(
            "/token",
            Some((DEMO, DEMO_SECRET)),
            &[("grant_type", "authorization_code"), ("grant_type", "x")],
        )
        .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_request")),
        "repeated parameter"
    );
}

async fn refresh(bed: &TestBed, rt: &str, scope: Option<&str>) -> (u16, Value) {
    let mut form = vec![("grant_type", "refresh_token"), ("refresh_token", rt)];
    if let Some(s) = scope {
        form.push(("scope", s));
    }
    let (s, _, b) = bed.post("/token", Some((DEMO, DEMO_SECRET)), &form).await;
    (s, b)
}

#[tokio::test]
async fn refresh_rotates_and_reuse_revokes_the_family() {
    let bed = TestBed::start().await;
    let first = bed.demo_tokens(&["openid", "profile", "offline_access"]).await;
    let rt1 = first["refresh_token"].as_str().unwrap().to_owned();
    let (status, second) = refresh(&bed, &rt1, None).await;
    assert_eq!(status, 200, "{second}");
    let rt2 = second["refresh_token"].as_str().unwrap().to_owned();
    assert_ne!(rt1, rt2, "rotated");
    let id = peek(second["id_token"].as_str().unwrap());
    assert!(id.get("nonce").is_none(), "no nonce after refresh");
    assert_eq!(id["auth_time"], peek(first["id_token"].as_str().unwrap())["auth_time"]);
    // Past the grace window, the old token is a reuse: everything of the family dies.
    bed.clock.advance(Duration::from_secs(11));
    let (status, body) = refresh(&bed, &rt1, None).await;
    assert_eq!((status, body["error"].as_str()), (400, Some("invalid_grant")));
    let (status, body) = refresh(&bed, &rt2, None).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_grant")),
        "successor revoked with the family"
    );
    let at2 = second["access_token"].as_str().unwrap();
    assert_eq!(bed.introspect((DEMO, DEMO_SECRET), at2).await["active"], false);
}

#[tokio::test]
async fn refresh_grace_window_returns_the_same_successor() {
    let bed = TestBed::start().await;
    let first = bed.demo_tokens(&["openid", "offline_access"]).await;
    let rt1 = first["refresh_token"].as_str().unwrap().to_owned();
    let (_, a) = refresh(&bed, &rt1, None).await;
    bed.clock.advance(Duration::from_secs(5));
    let (status, b) = refresh(&bed, &rt1, None).await;
    assert_eq!(status, 200, "{b}");
    assert_eq!(a["refresh_token"], b["refresh_token"], "second tab gets the same successor");
    let (status, c) = refresh(&bed, a["refresh_token"].as_str().unwrap(), None).await;
    assert_eq!(status, 200, "the family is alive");
    // The first tab has rotated again; a late second tab (still in grace for rt1) gets the
    // *current* token, not the used one.
    let (status, d) = refresh(&bed, &rt1, None).await;
    assert_eq!(status, 200, "{d}");
    assert_eq!(d["refresh_token"], c["refresh_token"]);
    bed.clock.advance(Duration::from_secs(30));
    assert_eq!(refresh(&bed, c["refresh_token"].as_str().unwrap(), None).await.0, 200);
}

#[tokio::test]
async fn refresh_grace_zero_means_no_grace_even_in_the_same_second() {
    let bed = TestBed::start_with(|c| c.oidc.refresh_grace_secs = Some(0)).await;
    let first = bed.demo_tokens(&["openid", "offline_access"]).await;
    let rt1 = first["refresh_token"].as_str().unwrap().to_owned();
    let (status, second) = refresh(&bed, &rt1, None).await;
    assert_eq!(status, 200, "{second}");
    let rt2 = second["refresh_token"].as_str().unwrap().to_owned();
    // The manual clock has not moved: the replay is in the very same second as the rotation.
    let (status, body) = refresh(&bed, &rt1, None).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_grant")),
        "no grace: a replay is reuse: {body}"
    );
    assert!(body.get("refresh_token").is_none(), "no successor handed out: {body}");
    let (status, body) = refresh(&bed, &rt2, None).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_grant")),
        "the family is revoked: {body}"
    );
    let at2 = second["access_token"].as_str().unwrap();
    assert_eq!(bed.introspect((DEMO, DEMO_SECRET), at2).await["active"], false);
}

#[tokio::test]
async fn access_token_outlives_a_short_grant_record() {
    // The authorization side may store the grant with a short TTL; redemption extends it so the
    // access token stays introspectable for its whole lifetime.
    use buergerkonto::oidc_provider::records::Grant;
    use buergerkonto::session::RecordKind;
    let bed = TestBed::start().await;
    let s = bed.seed(DEMO, &bed.demo_redirect(), &["openid"]).await;
    let records = bed.broker.state.records();
    let mut g: Grant = records.get(RecordKind::Grant, &s.grant_id).await.unwrap().unwrap();
    g.expires_at = bed.now() + 30;
    records
        .put(RecordKind::Grant, &s.grant_id, &g, Duration::from_secs(30))
        .await
        .unwrap();
    let (status, t) = bed.redeem_demo(&s.code).await;
    assert_eq!(status, 200);
    let at = t["access_token"].as_str().unwrap();
    let g: Grant = records.get(RecordKind::Grant, &s.grant_id).await.unwrap().unwrap();
    assert!(g.expires_at >= peek(at)["exp"].as_i64().unwrap());
}

#[tokio::test]
async fn refresh_scope_may_narrow_but_not_widen() {
    let bed = TestBed::start().await;
    let first = bed.demo_tokens(&["openid", "profile", "offline_access"]).await;
    let rt = first["refresh_token"].as_str().unwrap().to_owned();
    let (status, body) = refresh(&bed, &rt, Some("openid address")).await;
    assert_eq!((status, body["error"].as_str()), (400, Some("invalid_scope")));
    let (status, body) = refresh(&bed, &rt, Some("openid")).await;
    assert_eq!(status, 200, "a refused widening leaves the token usable: {body}");
    assert_eq!(body["scope"], "openid");
    assert_eq!(peek(body["access_token"].as_str().unwrap())["scope"], "openid");
    let (_, _, info) = bed.userinfo(body["access_token"].as_str().unwrap()).await;
    assert!(info.get("given_name").is_none(), "narrowed token sees no profile claims: {info}");
    // The new refresh token keeps the original scope (RFC 6749 §6).
    let (status, again) = refresh(&bed, body["refresh_token"].as_str().unwrap(), Some("openid profile")).await;
    assert_eq!(status, 200, "{again}");
}

#[tokio::test]
async fn refresh_token_of_another_client_is_refused() {
    let bed = TestBed::start().await;
    let first = bed.demo_tokens(&["openid", "offline_access"]).await;
    let rt = first["refresh_token"].as_str().unwrap();
    let (status, _, body) = bed
        .post(
            "/token",
            Some((OTHER, OTHER_SECRET)),
            &[("grant_type", "refresh_token"), ("refresh_token", rt)],
        )
        .await;
    assert_eq!((status, body["error"].as_str()), (400, Some("invalid_grant")));
    assert_eq!(refresh(&bed, rt, None).await.0, 200, "the owner's token is untouched");
}

#[tokio::test]
async fn refresh_tokens_need_offline_access_and_a_client_ttl() {
    let bed = TestBed::start().await;
    let s = bed.seed(POST_CLIENT, REDIRECT, &["openid", "profile"]).await;
    let (status, _, body) = bed
        .post(
            "/token",
            None,
            &[
                ("grant_type", "authorization_code"),
                ("code", &s.code),
                ("redirect_uri", REDIRECT),
                ("code_verifier", VERIFIER),
                ("client_id", POST_CLIENT),
                ("client_secret", bed::POST_SECRET),
            ],
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert!(body.get("refresh_token").is_none());
}

#[tokio::test]
async fn a_rotated_refresh_token_leaves_only_a_small_tombstone_and_reuse_still_revokes() {
    use buergerkonto::session::RecordKind;
    let bed = TestBed::start().await;
    let first = bed.demo_tokens(&["openid", "profile", "offline_access"]).await;
    let rt1 = first["refresh_token"].as_str().unwrap().to_owned();
    let records = bed.broker.state.records();
    let key = buergerkonto::oidc_provider::tokens::hash_key(&rt1);
    let raw = |kind| {
        let full = records.store_key(kind, &key);
        let store = records.backend().clone();
        async move { store.get(&full).await.unwrap() }
    };
    assert!(raw(RecordKind::RefreshToken).await.is_some(), "an active token has its full record");
    // Sizes of the records' content, not of the stored bytes: the memory store compresses the
    // full record (session/compact.rs), Redis does not; the tombstone must be small on both.
    let content = |v: Option<Value>| serde_json::to_vec(&v.expect("record")).unwrap().len();
    let full_record = content(records.get(RecordKind::RefreshToken, &key).await.unwrap());
    let (status, second) = refresh(&bed, &rt1, None).await;
    assert_eq!(status, 200, "{second}");
    // The full record is gone; what stays is the tombstone (and, for the grace window, the
    // successor).
    assert!(raw(RecordKind::RefreshToken).await.is_none(), "full record replaced");
    assert!(raw(RecordKind::RefreshTombstone).await.is_some(), "tombstone written");
    let tombstone = content(records.get(RecordKind::RefreshTombstone, &key).await.unwrap());
    assert!(
        tombstone * 2 < full_record,
        "tombstone {tombstone} bytes, full record {full_record} bytes"
    );
    let t: buergerkonto::oidc_provider::token::refresh_token::Tombstone =
        records.get(RecordKind::RefreshTombstone, &key).await.unwrap().unwrap();
    assert_eq!(t.client_id.as_str(), DEMO);
    assert!(raw(RecordKind::RefreshGrace).await.is_some(), "successor kept for the grace window");
    // Reuse after the grace window still revokes the whole family.
    bed.clock.advance(Duration::from_secs(11));
    let (status, body) = refresh(&bed, &rt1, None).await;
    assert_eq!((status, body["error"].as_str()), (400, Some("invalid_grant")), "{body}");
    let rt2 = second["refresh_token"].as_str().unwrap();
    let (status, body) = refresh(&bed, rt2, None).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_grant")),
        "successor revoked with the family: {body}"
    );
    let at2 = second["access_token"].as_str().unwrap();
    assert_eq!(bed.introspect((DEMO, DEMO_SECRET), at2).await["active"], false);
}
