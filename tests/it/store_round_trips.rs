//! Issue 13 item 2: Redis round trips per step of a whole eID login and per token request,
//! counted by the Redis store itself (`SessionStore::round_trips`), each step against a ceiling.
//! A count is deterministic, so this is a regression test, not a timed one: a change that adds a
//! round trip to a login step fails here and has to say why in docs/performance.md.

use crate::support::{http_client, unique_namespace, TestBroker};
use crate::support_binding::{acs, field};
use crate::support_login::*;
use std::sync::Arc;

const SECRET: &str = "demo-relying-party-secret-for-development-only";

/// Round trips per step of the eID login the login bench measures (`idp_hint=eid`,
/// `prompt=consent`, offline_access), with the ceiling each step must stay under.
const CEILINGS: &[(&str, u64)] = &[
    // The parked request and the SAML transaction (queued by the method) in one batch.
    ("authorize", 1),
    // `idp_hint` goes straight to the upstream: no broker request here.
    ("upstream start", 0),
    // Transaction read (once: dispatch hands it to verification), attempt counter, one batch
    // (take and replay cache), parked outcome.
    ("acs", 4),
    // Take the parked outcome and read the request it names in one batch, then request and
    // session in one batch.
    ("continue", 2),
    // Request and session in one batch.
    ("consent page", 1),
    // Request and session; one batch (take the request, the participation's first-code time);
    // one batch with session, participation, watch schedule, grant, redemption marker and code.
    ("consent approve", 3),
    // Take the code; one batch (marker, grant, session end, the refresh token's record).
    ("token", 2),
    // Grant, revocation entry and session end in one batch.
    ("userinfo", 1),
    // Take the token; one batch (grant, successor, tombstone, grace record).
    ("refresh", 2),
];

/// The store's round-trip counter, read between the steps.
struct Trips {
    store: Arc<dyn buergerkonto::session::SessionStore>,
    mark: u64,
    seen: Vec<(&'static str, u64)>,
}

impl Trips {
    fn now(&self) -> u64 {
        self.store.round_trips().expect("the Redis store counts its round trips")
    }
    fn reset(&mut self) {
        self.mark = self.now();
    }
    fn step(&mut self, name: &'static str) {
        let now = self.now();
        self.seen.push((name, now - self.mark));
        self.mark = now;
    }
}

#[tokio::test]
async fn each_login_step_and_token_request_stays_within_its_redis_round_trips() {
    let ns = unique_namespace("round-trips");
    let ns2 = ns.clone();
    let b = TestBroker::new()
        .with_config(move |c| {
            c.store.backend = Some("redis".into());
            c.store.redis_url = Some("redis://127.0.0.1:6379".into());
            c.store.namespace = Some(ns2);
            // The logout worker reads its schedules once at start, then not within the test.
            c.logout.backchannel_poll_ms = Some(60_000);
        })
        .start()
        .await;
    let mut t = Trips {
        store: Arc::clone(b.state.records().backend()),
        mark: 0,
        seen: Vec::new(),
    };
    // Wait for the connect PING and the worker's first round (two schedule reads), so that no
    // background command is counted as a login step's.
    for _ in 0..500 {
        if t.now() >= 3 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    t.reset();
    let c = http_client();
    let mut jar = Jar::default();

    let (url, verifier) = authorize_url_with_verifier(
        &b,
        "demo",
        &demo_redirect(&b),
        &[
            ("idp_hint", "eid"),
            ("prompt", "consent"),
            ("scope", "openid profile offline_access"),
        ],
    );
    let res = get(&c, &mut jar, &url).await;
    assert_eq!(res.status(), 303);
    t.step("authorize");
    // With `idp_hint` the broker goes straight to the method's start (no choice page).
    let mut next = location(&b, &res);
    if next.path().starts_with("/login/") && !next.path().contains("/start") {
        panic!("idp_hint=eid must skip the choice page, got {next}");
    }
    if next.as_str().starts_with(&b.base) && !next.path().starts_with("/dev/eid-simulator") {
        let res = get(&c, &mut jar, next.as_str()).await;
        assert_eq!(res.status(), 303);
        next = location(&b, &res);
    }
    t.step("upstream start");
    // The simulator (not the broker's store) signs the Response; its requests are not counted.
    let page = c.get(next.as_str()).send().await.unwrap().text().await.unwrap();
    let form = c
        .post(b.url("/dev/eid-simulator/answer"))
        .form(&[("sim", field(&page, "sim").as_str()), ("person", "erika"), ("outcome", "success")])
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    t.reset();
    let res = acs(&b, &c, &field(&form, "SAMLResponse"), &field(&form, "RelayState")).await;
    assert_eq!(res.status(), 303, "the ACS answers with the continue leg");
    t.step("acs");
    let res = get(&c, &mut jar, location(&b, &res).as_str()).await;
    assert_eq!(res.status(), 303, "the continue leg leads to consent");
    let consent = location(&b, &res);
    assert!(consent.path().starts_with("/consent/"), "{consent}");
    t.step("continue");
    let html = get(&c, &mut jar, consent.as_str()).await.text().await.unwrap();
    t.step("consent page");
    let res = post(
        &c,
        &mut jar,
        consent.as_str(),
        &[("csrf", &field(&html, "csrf")), ("decision", "approve")],
    )
    .await;
    assert_eq!(res.status(), 303);
    let callback = location(&b, &res);
    t.step("consent approve");
    let code = param(&callback, "code").expect("a code at the redirect URI");

    let tokens = c
        .post(b.url("/token"))
        .basic_auth("demo", Some(SECRET))
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", code.as_str()),
            ("redirect_uri", demo_redirect(&b).as_str()),
            ("code_verifier", verifier.as_str()),
        ])
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    t.step("token");
    let tokens: serde_json::Value = serde_json::from_str(&tokens).unwrap();
    let access = tokens["access_token"].as_str().expect("an access token");
    let info = c.get(b.url("/userinfo")).bearer_auth(access).send().await.unwrap();
    assert_eq!(info.status(), 200);
    t.step("userinfo");
    let refreshed = c
        .post(b.url("/token"))
        .basic_auth("demo", Some(SECRET))
        .form(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", tokens["refresh_token"].as_str().expect("a refresh token")),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(refreshed.status(), 200);
    t.step("refresh");

    let total: u64 = t.seen.iter().take(8).map(|(_, n)| n).sum();
    println!(
        "Redis round trips per step: {:?}; whole login (authorize to userinfo): {total}",
        t.seen
    );
    for ((name, n), (ceiling_name, ceiling)) in t.seen.iter().zip(CEILINGS) {
        assert_eq!(name, ceiling_name);
        assert!(
            n <= ceiling,
            "{name}: {n} Redis round trips, at most {ceiling} expected (all: {:?})",
            t.seen
        );
    }
    // What the login left expires with its TTLs; delete it now (never FLUSH*).
    let keys = crate::support_binding::keys(&ns).await;
    let mut con = redis::Client::open("redis://127.0.0.1:6379")
        .unwrap()
        .get_multiplexed_async_connection()
        .await
        .unwrap();
    let _: () = redis::cmd("DEL").arg(&keys).query_async(&mut con).await.unwrap();
}
