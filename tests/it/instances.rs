//! Several instances (issue 12 item 1): two real broker processes (`buergerkonto serve`) on one
//! Redis namespace, sharing signing key files, sealing keys and the pairwise secret through their
//! configuration — and nothing else. The test plays the load balancer: each hop of one login goes
//! to the instance the test picks (authorize on A, upstream return on B, consent on A, token on B),
//! a code issued by A is redeemed on B, and refresh rotation, reuse detection and revocation hold
//! across them.

use crate::support::{dev_raw, http_client, unique_namespace};
use crate::support_login::{hidden, pkce, Jar};
use crate::support_process::Process;
use buergerkonto::config::raw::{RawConfig, RawSigningKey};
use openidconnect::reqwest;
use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_buergerkonto");
const SECRET: &str = "demo-relying-party-secret-for-development-only";
/// The issuer both instances share (the load balancer's address; nothing listens there).
const ISSUER: &str = "http://127.0.0.1:8080";

/// One instance's base URL.
struct Node(String);

impl Node {
    /// `url` (absolute under the shared issuer, or a path) sent to this instance.
    fn at(&self, url: &str) -> String {
        let path = url.strip_prefix(ISSUER).unwrap_or(url);
        format!("{}{path}", self.0)
    }
}

async fn send(c: &reqwest::Client, jar: &mut Jar, req: reqwest::RequestBuilder) -> reqwest::Response {
    let _ = c;
    let res = req.header("cookie", jar.header()).send().await.unwrap();
    jar.absorb(&res);
    res
}

fn location(res: &reqwest::Response) -> String {
    let l = res.headers()["location"].to_str().unwrap();
    if l.starts_with('/') {
        format!("{ISSUER}{l}")
    } else {
        l.to_owned()
    }
}

fn config(dir: &std::path::Path, namespace: &str) -> RawConfig {
    let key = dir.join("signing-es256.pem");
    if !key.exists() {
        let o = std::process::Command::new(BIN)
            .args(["keys", "generate", "--alg", "ES256", "--out", key.to_str().unwrap()])
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }
    let mut c = dev_raw();
    c.server.listen = "127.0.0.1:0".into();
    c.server.log_format = Some("json".into());
    c.store.backend = Some("redis".into());
    c.store.namespace = Some(namespace.into());
    // Shared signing key files instead of keys generated per process.
    c.keys.generate_dev_keys = false;
    // No grace for a rotated refresh token: a second presentation is reuse at once.
    c.oidc.refresh_grace_secs = Some(0);
    c.keys.signing = vec![RawSigningKey {
        alg: "ES256".into(),
        file: key,
        publish_only: false,
    }];
    c
}

async fn tokens(c: &reqwest::Client, node: &Node, form: &[(&str, &str)]) -> Value {
    let res = c
        .post(node.at("/token"))
        .basic_auth("demo", Some(SECRET))
        .form(form)
        .send()
        .await
        .unwrap();
    json(res).await
}

async fn json(res: reqwest::Response) -> Value {
    let text = res.text().await.unwrap();
    serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON: {text}"))
}

/// A login of the demo client whose hops alternate as the issue describes; returns the tokens
/// (redeemed on B) and the pairwise `sub`.
async fn login(c: &reqwest::Client, a: &Node, b: &Node) -> Value {
    let mut jar = Jar::default();
    let (verifier, challenge) = pkce();
    let redirect = format!("{ISSUER}/demo/callback");
    let authorize = url::Url::parse_with_params(
        &a.at("/authorize"),
        &[
            ("response_type", "code"),
            ("client_id", "demo"),
            ("redirect_uri", redirect.as_str()),
            ("scope", "openid profile offline_access"),
            ("prompt", "consent"),
            ("state", "s"),
            ("nonce", "n"),
            ("code_challenge", challenge.as_str()),
            ("code_challenge_method", "S256"),
        ],
    )
    .unwrap();
    // Authorize and choice on A.
    let res = send(c, &mut jar, c.get(authorize.as_str())).await;
    assert_eq!(res.status(), 303);
    let choice = location(&res);
    let html = send(c, &mut jar, c.get(a.at(&choice))).await.text().await.unwrap();
    let csrf = hidden(&html, "csrf").expect("csrf on the choice page");
    let res = send(
        c,
        &mut jar,
        c.post(a.at(&format!("{choice}/start")))
            .form(&[("csrf", csrf.as_str()), ("method", "dev")]),
    )
    .await;
    assert_eq!(res.status(), 303);
    let dev_login = location(&res);
    assert!(dev_login.contains("/dev/login/"), "{dev_login}");
    // The upstream's page on A, its return on B.
    assert_eq!(send(c, &mut jar, c.get(a.at(&dev_login))).await.status(), 200);
    let mut res = send(
        c,
        &mut jar,
        c.post(b.at(&dev_login))
            .form(&[("person", "erika"), ("level", "high"), ("outcome", "success")]),
    )
    .await;
    // Whatever follows on B until the consent page, which is shown and decided on A.
    let code = loop {
        assert_eq!(res.status(), 303, "{}", res.text().await.unwrap_or_default());
        let next = location(&res);
        if next.starts_with(&redirect) {
            let url = url::Url::parse(&next).unwrap();
            break url.query_pairs().find(|(k, _)| k == "code").expect("code").1.into_owned();
        }
        res = if next.contains("/consent/") {
            let html = send(c, &mut jar, c.get(a.at(&next))).await.text().await.unwrap();
            let csrf = hidden(&html, "csrf").expect("csrf on the consent page");
            send(
                c,
                &mut jar,
                c.post(a.at(&next)).form(&[("csrf", csrf.as_str()), ("decision", "approve")]),
            )
            .await
        } else {
            send(c, &mut jar, c.get(b.at(&next))).await
        };
    };
    // The code A issued, redeemed on B.
    let t = tokens(
        c,
        b,
        &[
            ("grant_type", "authorization_code"),
            ("code", code.as_str()),
            ("redirect_uri", redirect.as_str()),
            ("code_verifier", verifier.as_str()),
        ],
    )
    .await;
    assert!(t["id_token"].is_string() && t["refresh_token"].is_string(), "{t}");
    t
}

fn refresh(token: &Value) -> [(&'static str, &str); 2] {
    [("grant_type", "refresh_token"), ("refresh_token", token.as_str().unwrap_or("-"))]
}

#[tokio::test]
async fn a_login_crosses_two_broker_processes_on_one_redis() {
    let dir = tempfile::tempdir().unwrap();
    let namespace = unique_namespace("instances");
    let path = dir.path().join("broker.toml");
    std::fs::write(&path, toml::to_string(&config(dir.path(), &namespace)).unwrap()).unwrap();
    let mut pa = Process::serve(&path, &[]);
    let mut pb = Process::serve(&path, &[]);
    let a = Node(format!("http://{}", pa.field_of("buergerkonto listening", "listen")));
    let b = Node(format!("http://{}", pb.field_of("buergerkonto listening", "listen")));
    let c = http_client();

    let t = login(&c, &a, &b).await;
    // Both publish the same keys: a token from B verifies with A's JWKS (same kid).
    let jwks_a = json(c.get(a.at("/jwks")).send().await.unwrap()).await;
    let jwks_b = json(c.get(b.at("/jwks")).send().await.unwrap()).await;
    assert_eq!(jwks_a, jwks_b);
    // Userinfo on A for an access token issued by B: the same pairwise sub as in the ID token.
    let info = json(
        c.get(a.at("/userinfo"))
            .bearer_auth(t["access_token"].as_str().unwrap())
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(info["sub"].is_string(), "{info}");

    // Rotation across the instances: R1 on A gives R2, R2 on B gives R3.
    let r1 = t["refresh_token"].clone();
    let t2 = tokens(&c, &a, &refresh(&r1)).await;
    let r2 = t2["refresh_token"].clone();
    assert!(r2.is_string() && r2 != r1, "{t2}");
    let t3 = tokens(&c, &b, &refresh(&r2)).await;
    let r3 = t3["refresh_token"].clone();
    assert!(r3.is_string() && r3 != r2, "{t3}");
    // R1 again, on B (grace 0 in this configuration): reuse, the family dies — R3 too, on A.
    let reused = tokens(&c, &b, &refresh(&r1)).await;
    assert_eq!(reused["error"], "invalid_grant", "{reused}");
    let dead = tokens(&c, &a, &refresh(&r3)).await;
    assert_eq!(dead["error"], "invalid_grant", "{dead}");

    // Revocation on A ends the family on B.
    let t = login(&c, &a, &b).await;
    let res = c
        .post(a.at("/revoke"))
        .basic_auth("demo", Some(SECRET))
        .form(&[
            ("token", t["refresh_token"].as_str().unwrap()),
            ("token_type_hint", "refresh_token"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let after = tokens(&c, &b, &refresh(&t["refresh_token"])).await;
    assert_eq!(after["error"], "invalid_grant", "{after}");

    // Each instance wrote its own audit lines: the code issued on A, the tokens on B. The lines
    // leave through the broker's writer thread and may trail the responses: wait for the last one.
    let event = |name: &'static str| move |l: &str| serde_json::from_str::<Value>(l).is_ok_and(|v| v["audit"] == 1 && v["event"] == name);
    pa.wait_for("code_issued on A", event("code_issued"));
    pb.wait_for("refresh_reuse_detected on B", event("refresh_reuse_detected"));
    let lines = |p: &mut Process| -> Vec<Value> {
        p.drain()
            .iter()
            .filter_map(|l| serde_json::from_str::<Value>(l).ok())
            .filter(|v| v["audit"] == 1)
            .collect()
    };
    let (la, lb) = (lines(&mut pa), lines(&mut pb));
    assert!(la.iter().any(|e| e["event"] == "code_issued"), "{la:?}");
    assert!(
        lb.iter()
            .any(|e| e["event"] == "tokens_issued" && e["reason"] == "authorization_code"),
        "{lb:?}"
    );
    assert!(lb.iter().any(|e| e["event"] == "upstream_succeeded"), "{lb:?}");
    assert!(lb.iter().any(|e| e["event"] == "refresh_reuse_detected"), "{lb:?}");
}
