//! Introspection (RFC 7662) and revocation (RFC 7009).

use crate::token::bed::{TestBed, DEMO, DEMO_SECRET, OTHER, OTHER_SECRET};

#[tokio::test]
async fn introspection_describes_own_tokens_only() {
    let bed = TestBed::start().await;
    let t = bed.demo_tokens(&["openid", "profile", "offline_access"]).await;
    let at = t["access_token"].as_str().unwrap();
    let i = bed.introspect((DEMO, DEMO_SECRET), at).await;
    assert_eq!(i["active"], true);
    assert_eq!(i["client_id"], DEMO);
    assert_eq!(i["scope"], "openid profile offline_access");
    assert_eq!(i["token_type"], "Bearer");
    assert_eq!(i["iss"], bed.broker.base);
    assert_eq!(i["acr"], "http://eidas.europa.eu/LoA/high");
    for k in ["sub", "exp", "iat", "amr", "auth_time"] {
        assert!(i.get(k).is_some(), "introspection lacks {k}");
    }
    let rt = t["refresh_token"].as_str().unwrap();
    let r = bed.introspect((DEMO, DEMO_SECRET), rt).await;
    assert_eq!(r["active"], true);
    assert_eq!(r["token_type"], "refresh_token");
    // Another client learns nothing: not even that the token exists.
    assert_eq!(
        bed.introspect((OTHER, OTHER_SECRET), at).await,
        serde_json::json!({"active": false})
    );
    assert_eq!(
        bed.introspect((OTHER, OTHER_SECRET), rt).await,
        serde_json::json!({"active": false})
    );
    assert_eq!(
        bed.introspect((DEMO, DEMO_SECRET), "garbage").await,
        serde_json::json!({"active": false})
    );
    assert_eq!(
        bed.introspect((DEMO, DEMO_SECRET), "a.b.c").await,
        serde_json::json!({"active": false})
    );
}

#[tokio::test]
async fn introspection_and_revocation_need_client_authentication() {
    let bed = TestBed::start().await;
    let t = bed.demo_tokens(&["openid"]).await;
    let at = t["access_token"].as_str().unwrap();
    for path in ["/introspect", "/revoke"] {
        let (s, _, b) = bed.post(path, None, &[("token", at)]).await;
        assert_eq!((s, b["error"].as_str()), (401, Some("invalid_client")), "{path}");
        let (s, _, _) = bed.post(path, Some((DEMO, "wrong")), &[("token", at)]).await;
        assert_eq!(s, 401, "{path}");
    }
}

#[tokio::test]
async fn revoking_an_access_token_marks_it_inactive() {
    let bed = TestBed::start().await;
    let t = bed.demo_tokens(&["openid", "offline_access"]).await;
    let at = t["access_token"].as_str().unwrap();
    // Another client's revocation request changes nothing.
    let (s, _, _) = bed.post("/revoke", Some((OTHER, OTHER_SECRET)), &[("token", at)]).await;
    assert_eq!(s, 200);
    assert_eq!(bed.introspect((DEMO, DEMO_SECRET), at).await["active"], true);
    let (s, h, _) = bed
        .post(
            "/revoke",
            Some((DEMO, DEMO_SECRET)),
            &[("token", at), ("token_type_hint", "access_token")],
        )
        .await;
    assert_eq!(s, 200);
    assert_eq!(h["cache-control"], "no-store");
    assert_eq!(bed.introspect((DEMO, DEMO_SECRET), at).await["active"], false);
    // The refresh token of the grant still works: only that access token was revoked.
    let rt = t["refresh_token"].as_str().unwrap();
    assert_eq!(bed.introspect((DEMO, DEMO_SECRET), rt).await["active"], true);
}

#[tokio::test]
async fn revoking_a_refresh_token_revokes_the_grant() {
    let bed = TestBed::start().await;
    let t = bed.demo_tokens(&["openid", "offline_access"]).await;
    let at = t["access_token"].as_str().unwrap();
    let rt = t["refresh_token"].as_str().unwrap();
    let (s, _, _) = bed.post("/revoke", Some((OTHER, OTHER_SECRET)), &[("token", rt)]).await;
    assert_eq!(s, 200);
    assert_eq!(
        bed.introspect((DEMO, DEMO_SECRET), rt).await["active"],
        true,
        "foreign revocation ignored"
    );
    let (s, _, _) = bed.post("/revoke", Some((DEMO, DEMO_SECRET)), &[("token", rt)]).await;
    assert_eq!(s, 200);
    assert_eq!(bed.introspect((DEMO, DEMO_SECRET), rt).await["active"], false);
    assert_eq!(
        bed.introspect((DEMO, DEMO_SECRET), at).await["active"],
        false,
        "access tokens die with the grant"
    );
    let (s, _, b) = bed
        .post(
            "/token",
            Some((DEMO, DEMO_SECRET)),
            &[("grant_type", "refresh_token"), ("refresh_token", rt)],
        )
        .await;
    assert_eq!((s, b["error"].as_str()), (400, Some("invalid_grant")));
}

#[tokio::test]
async fn revoking_unknown_tokens_is_200() {
    let bed = TestBed::start().await;
    for token in ["unknown", "x.y.z"] {
        let (s, _, _) = bed.post("/revoke", Some((DEMO, DEMO_SECRET)), &[("token", token)]).await;
        assert_eq!(s, 200);
    }
    let (s, _, b) = bed.post("/revoke", Some((DEMO, DEMO_SECRET)), &[]).await;
    assert_eq!((s, b["error"].as_str()), (400, Some("invalid_request")), "token is required");
}
