//! Userinfo (OIDC Core §5.3, RFC 6750 §2-3).

use crate::token::bed::{TestBed, DEMO, DEMO_SECRET};
use serde_json::Value;
use std::time::Duration;

#[tokio::test]
async fn get_and_post_return_released_claims() {
    let bed = TestBed::start().await;
    let t = bed.demo_tokens(&["openid", "profile", "address"]).await;
    let at = t["access_token"].as_str().unwrap();
    let (status, _, body) = bed.userinfo(at).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["sub"], "pairwise-sub-of-demo");
    assert_eq!(body["given_name"], "Erika");
    assert_eq!(body["address"]["locality"], "Köln");
    assert_eq!(body["acr"], "http://eidas.europa.eu/LoA/high");
    assert!(body["auth_time"].is_i64() && body["amr"].is_array());
    // POST with the token in the form body (RFC 6750 §2.2).
    let res = bed
        .http
        .post(bed.broker.url("/userinfo"))
        .form(&[("access_token", at)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["cache-control"], "no-store");
    assert_eq!(serde_json::from_str::<Value>(&res.text().await.unwrap()).unwrap(), body);
    // POST with the header.
    let res = bed.http.post(bed.broker.url("/userinfo")).bearer_auth(at).send().await.unwrap();
    assert_eq!(res.status(), 200);
}

#[tokio::test]
async fn missing_bad_and_double_tokens() {
    let bed = TestBed::start().await;
    let t = bed.demo_tokens(&["openid"]).await;
    let at = t["access_token"].as_str().unwrap();
    let res = bed.http.get(bed.broker.url("/userinfo")).send().await.unwrap();
    assert_eq!(res.status(), 401);
    let www = res.headers()["www-authenticate"].to_str().unwrap();
    assert!(www.starts_with("Bearer") && !www.contains("error="), "{www}");
    let (status, www, _) = bed.userinfo("not-a-token").await;
    assert_eq!(status, 401);
    assert!(www.unwrap().contains("error=\"invalid_token\""));
    let res = bed
        .http
        .post(bed.broker.url("/userinfo"))
        .bearer_auth(at)
        .form(&[("access_token", at)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400, "two methods (RFC 6750 §2)");
    assert!(res.headers()["www-authenticate"].to_str().unwrap().contains("invalid_request"));
}

#[tokio::test]
async fn expired_and_revoked_tokens_are_refused() {
    let bed = TestBed::start().await;
    let t = bed.demo_tokens(&["openid"]).await;
    let at = t["access_token"].as_str().unwrap().to_owned();
    bed.clock.advance(Duration::from_secs(301));
    let (status, www, _) = bed.userinfo(&at).await;
    assert_eq!(status, 401);
    assert!(www.unwrap().contains("invalid_token"));
    let t = bed.demo_tokens(&["openid"]).await;
    let at = t["access_token"].as_str().unwrap();
    let (s, _, _) = bed.post("/revoke", Some((DEMO, DEMO_SECRET)), &[("token", at)]).await;
    assert_eq!(s, 200);
    let (status, www, _) = bed.userinfo(at).await;
    assert_eq!(status, 401);
    assert!(www.unwrap_or_default().contains("invalid_token"), "revoked token: invalid_token");
}
