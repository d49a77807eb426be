//! SAML Single Logout towards the ELSTER-style IdP (issue 11 item 5): after an ELSTER login, a
//! logout at the broker ends our session first and then sends the browser with our signed
//! `<LogoutRequest>` to the IdP's SingleLogoutService; its `<LogoutResponse>` at `/logout/return`
//! leads on to the relying party's registered return URI with its `state`.
//!
//! - Through the development ELSTER simulator (which verifies our request's signature): the whole
//!   login-then-logout ends at the relying party.
//! - With the independent peer `tests/peers/saml_logout.py` (python-cryptography, zlib, lxml,
//!   signxml): it verifies our LogoutRequest's Redirect signature and checks its fields, and
//!   produces LogoutResponses — accepted when right (Redirect and POST binding), and for each
//!   attack (bad signature, another key, no signature, another request's InResponseTo, another
//!   IdP's Issuer, Requester, PartialLogout) the page says the IdP did not confirm and nothing
//!   redirects to the relying party; a replayed answer finds nothing.
//! - The eID keeps no upstream session: its logout goes straight to the relying party.

use crate::support::{http_client, TestBroker};
use crate::support_login::*;
use crate::support_logout::{demo_bye, redeem, session_alive, with_logout_clients};
use crate::token::bed::{DEMO, DEMO_SECRET};
use buergerkonto::authenticators::{StartAction, UpstreamLogout, UpstreamLogoutReturn};
use buergerkonto::identity::UpstreamSession;
use openidconnect::reqwest;
use serde_json::{json, Value};
use std::io::Write;
use std::process::{Command, Stdio};

const ELSTER_ENTITY: &str = "urn:buergerkonto:dev:elster-simulator";
/// The German "did not confirm" text of the logged-out page.
const UNCONFIRMED: &str = "konnten wir nicht feststellen";

fn dev(path: &str) -> String {
    format!("{}/{path}", env!("CARGO_MANIFEST_DIR"))
}

/// The peer, with `input` on stdin: (success, stdout, stderr).
fn peer(input: &Value) -> (bool, String, String) {
    let mut child = Command::new("python3")
        .arg(dev("tests/peers/saml_logout.py"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn python3");
    child.stdin.take().unwrap().write_all(input.to_string().as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).trim().to_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn redirect_of(base: &str, res: &reqwest::Response) -> url::Url {
    assert_eq!(res.status(), 303, "expected a redirect");
    let loc = res.headers()[reqwest::header::LOCATION].to_str().unwrap();
    url::Url::parse(base).unwrap().join(loc).unwrap()
}

fn first_radio(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let rest = &html[html.find(&marker).unwrap_or_else(|| panic!("no {name} in {html}")) + marker.len()..];
    rest[..rest.find('"').unwrap()].to_owned()
}

/// A demo-client login in `jar` through `method`'s simulator (`elster` or `eid`), first person,
/// success; returns the tokens.
async fn sim_login(b: &TestBroker, c: &reqwest::Client, jar: &mut Jar, method: &str) -> Value {
    let (url, verifier) = authorize_url_with_verifier(b, DEMO, &demo_redirect(b), &[]);
    let mut res = get(c, jar, &url).await;
    let callback = loop {
        let next = location(b, &res);
        let path = next.path().to_owned();
        if path.starts_with("/demo/callback") {
            break next;
        } else if path.starts_with("/login/") {
            res = get(c, jar, next.as_str()).await;
            if res.status() == 200 {
                // The choice page.
                let html = res.text().await.unwrap();
                let csrf = hidden(&html, "csrf").unwrap_or_else(|| panic!("csrf on {path}: {html}"));
                res = post(c, jar, &b.url(&format!("{path}/start")), &[("csrf", &csrf), ("method", method)]).await;
            }
        } else if path.ends_with("-simulator/sso") {
            let page = get(c, jar, next.as_str()).await;
            assert_eq!(page.status(), 200, "the simulator accepted our signed request");
            let html = page.text().await.unwrap();
            let sim = hidden(&html, "sim").unwrap();
            let answer_path = path.replace("/sso", "/answer");
            let person = first_radio(&html, "person");
            let answer = post(
                c,
                jar,
                &b.url(&answer_path),
                &[("sim", &sim), ("person", &person), ("outcome", "success")],
            )
            .await
            .text()
            .await
            .unwrap();
            let field = |n: &str| hidden(&answer, n).unwrap().replace("&amp;", "&");
            res = post(
                c,
                jar,
                &b.url("/saml/acs"),
                &[("SAMLResponse", &field("SAMLResponse")), ("RelayState", &field("RelayState"))],
            )
            .await;
        } else if path.starts_with("/consent/") {
            let html = get(c, jar, next.as_str()).await.text().await.unwrap();
            let csrf = hidden(&html, "csrf").expect("csrf on consent page");
            res = post(c, jar, &b.url(&path), &[("csrf", &csrf), ("decision", "approve")]).await;
        } else {
            res = get(c, jar, next.as_str()).await;
        }
        assert_eq!(res.status(), 303, "login hop after {path}");
    };
    let code = param(&callback, "code").expect("code");
    let (status, tokens) = redeem(b, DEMO, DEMO_SECRET, &code, &demo_redirect(b), &verifier).await;
    assert_eq!(status, 200, "{tokens}");
    tokens
}

/// RP-Initiated Logout with the login's ID token: the broker's answer.
async fn rp_logout(b: &TestBroker, c: &reqwest::Client, jar: &mut Jar, tokens: &Value, rp_state: &str) -> reqwest::Response {
    let mut logout = url::Url::parse(&b.url("/logout")).unwrap();
    logout
        .query_pairs_mut()
        .append_pair("id_token_hint", tokens["id_token"].as_str().unwrap())
        .append_pair("post_logout_redirect_uri", &demo_bye(b))
        .append_pair("state", rp_state);
    get(c, jar, logout.as_str()).await
}

/// An ELSTER login then logout in a fresh browser: the URL at the IdP's SLO endpoint.
async fn logout_to_idp(b: &TestBroker, c: &reqwest::Client, jar: &mut Jar, rp_state: &str) -> url::Url {
    let tokens = sim_login(b, c, jar, "elster").await;
    let res = rp_logout(b, c, jar, &tokens, rp_state).await;
    let at_idp = redirect_of(&b.base, &res);
    assert_eq!(at_idp.path(), "/dev/elster-simulator/slo", "{at_idp}");
    assert!(!session_alive(b, jar).await, "the broker session ends before the browser leaves");
    at_idp
}

fn now_xs() -> String {
    chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

async fn broker() -> TestBroker {
    TestBroker::new().with_config(with_logout_clients).start().await
}

#[tokio::test]
async fn elster_login_then_logout_through_the_simulator_ends_at_the_relying_party() {
    let b = broker().await;
    let c = http_client();
    let mut jar = Jar::default();
    let at_idp = logout_to_idp(&b, &c, &mut jar, "rp-state-7").await;
    assert!(param(&at_idp, "SAMLRequest").is_some() && param(&at_idp, "Signature").is_some());
    let relay = param(&at_idp, "RelayState").expect("RelayState");
    assert_eq!(relay.len(), 43, "our way-back key, nothing else");
    let res = get(&c, &mut jar, at_idp.as_str()).await;
    let back = redirect_of(&b.base, &res);
    assert_eq!(back.path(), "/logout/return", "the simulator verified and answered: {back}");
    assert!(param(&back, "SAMLResponse").is_some() && param(&back, "Signature").is_some());
    assert_eq!(param(&back, "RelayState"), Some(relay));
    let res = get(&c, &mut jar, back.as_str()).await;
    let to_rp = redirect_of(&b.base, &res);
    assert_eq!(to_rp.as_str().split('?').next(), Some(demo_bye(&b).as_str()));
    assert_eq!(param(&to_rp, "state").as_deref(), Some("rp-state-7"));
    // The way back is single use.
    let again = get(&c, &mut jar, back.as_str()).await;
    assert_eq!(again.status(), 200);
    assert!(again.headers().get("location").is_none());
    assert!(again.text().await.unwrap().contains("abgelaufen oder wurde schon benutzt"));
}

/// The peer checks our LogoutRequest and returns its fields.
fn peer_check(b: &TestBroker, at_idp: &url::Url) -> Value {
    let (ok, out, err) = peer(&json!({
        "mode": "check",
        "url": at_idp.as_str(),
        "sp_cert": dev("certs/dev/sp-signing.crt"),
        "expect": {
            "issuer": b.url("/saml/metadata"),
            "destination": b.url("/dev/elster-simulator/slo"),
            "format": "urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified",
            "children": ["Issuer", "NameID", "SessionIndex"],
        },
    }));
    assert!(ok, "the peer refused our LogoutRequest: {err}");
    serde_json::from_str(&out).unwrap()
}

/// The peer's LogoutResponse to `request` with `over` applied, sent back like a browser would.
async fn answer(b: &TestBroker, c: &reqwest::Client, jar: &mut Jar, request: &Value, over: Value) -> reqwest::Response {
    let mut input = json!({
        "mode": "respond",
        "binding": "redirect",
        "key": dev("certs/dev/elster-simulator-signing.key"),
        "issuer": ELSTER_ENTITY,
        "destination": b.url("/logout/return"),
        "in_response_to": request["id"],
        "relay_state": request["relay_state"],
        "issue_instant": now_xs(),
    });
    for (k, v) in over.as_object().unwrap() {
        input[k] = v.clone();
    }
    let (ok, out, err) = peer(&input);
    assert!(ok, "peer: {err}");
    if input["binding"] == "post" {
        let relay = request["relay_state"].as_str().unwrap();
        post(c, jar, &b.url("/logout/return"), &[("SAMLResponse", &out), ("RelayState", relay)]).await
    } else {
        get(c, jar, &format!("{}?{out}", b.url("/logout/return"))).await
    }
}

#[tokio::test]
async fn the_peer_verifies_our_logout_request_and_its_answers_are_accepted() {
    if !crate::peers::require_python() {
        return;
    }
    let b = broker().await;
    let c = http_client();
    for binding in ["redirect", "post"] {
        let mut jar = Jar::default();
        let at_idp = logout_to_idp(&b, &c, &mut jar, "st").await;
        let request = peer_check(&b, &at_idp);
        assert!(
            request["name_id"].as_str().is_some_and(|n| n.starts_with("elster-acc-")),
            "{request}"
        );
        assert!(
            request["session_index"].as_str().is_some_and(|s| s.starts_with("_session")),
            "{request}"
        );
        let res = answer(&b, &c, &mut jar, &request, json!({ "binding": binding })).await;
        let to_rp = redirect_of(&b.base, &res);
        assert_eq!(to_rp.as_str().split('?').next(), Some(demo_bye(&b).as_str()), "{binding}");
        assert_eq!(param(&to_rp, "state").as_deref(), Some("st"));
        // Replayed: the way back and the pending request are gone; nothing redirects.
        let again = answer(&b, &c, &mut jar, &request, json!({ "binding": binding })).await;
        assert_eq!(again.status(), 200, "{binding} replay");
        assert!(again.headers().get("location").is_none());
        assert!(again.text().await.unwrap().contains("abgelaufen oder wurde schon benutzt"));
    }
}

#[tokio::test]
async fn forged_or_negative_logout_responses_are_not_confirmed() {
    if !crate::peers::require_python() {
        return;
    }
    let b = broker().await;
    let c = http_client();
    let attacker = format!("{}/crates/saml-xmlsec/tests/fixtures/attacker-ec.key", env!("CARGO_MANIFEST_DIR"));
    let partial = "urn:oasis:names:tc:SAML:2.0:status:PartialLogout";
    let cases = [
        ("another key", json!({ "key": attacker })),
        ("no signature (Redirect)", json!({ "sign": false })),
        ("no signature (POST)", json!({ "binding": "post", "sign": false })),
        ("POST signed by another key", json!({ "binding": "post", "key": attacker })),
        (
            "InResponseTo of another request",
            json!({ "in_response_to": "_0123456789abcdef0123456789abcdef01234567" }),
        ),
        ("Issuer of another IdP", json!({ "issuer": "urn:buergerkonto:dev:eid-simulator" })),
        (
            "another Destination",
            json!({ "destination": "https://attacker.example/logout/return" }),
        ),
        ("Requester", json!({ "status": "urn:oasis:names:tc:SAML:2.0:status:Requester" })),
        ("PartialLogout", json!({ "second_status": partial })),
        ("wrong signature", json!({ "tamper": true })),
    ];
    for (why, over) in cases {
        let mut jar = Jar::default();
        let at_idp = logout_to_idp(&b, &c, &mut jar, "st").await;
        let request = peer_check(&b, &at_idp);
        let res = if over.get("tamper").is_some() {
            // A real signature of another message spliced onto ours.
            let (_, other, _) = peer(&json!({
                "mode": "respond", "binding": "redirect", "key": dev("certs/dev/elster-simulator-signing.key"),
                "issuer": ELSTER_ENTITY, "in_response_to": "_x", "relay_state": request["relay_state"],
                "issue_instant": now_xs(),
            }));
            let (_, good, _) = peer(&json!({
                "mode": "respond", "binding": "redirect", "key": dev("certs/dev/elster-simulator-signing.key"),
                "issuer": ELSTER_ENTITY, "destination": b.url("/logout/return"), "in_response_to": request["id"],
                "relay_state": request["relay_state"], "issue_instant": now_xs(),
            }));
            let sig = |q: &str| q.split("&Signature=").nth(1).unwrap().to_owned();
            let forged = good.replace(&sig(&good), &sig(&other));
            get(&c, &mut jar, &format!("{}?{forged}", b.url("/logout/return"))).await
        } else {
            answer(&b, &c, &mut jar, &request, over).await
        };
        assert_eq!(res.status(), 200, "{why}: a page, never a redirect");
        assert!(res.headers().get("location").is_none(), "{why}");
        let html = res.text().await.unwrap();
        assert!(html.contains(UNCONFIRMED), "{why}: {html}");
        // minijinja escapes `/` in attributes.
        let link = demo_bye(&b).replace('/', "&#x2f;");
        assert!(html.contains(&link), "{why}: the way on is a link the person chooses: {html}");
    }
}

#[tokio::test]
async fn the_eid_keeps_no_upstream_session_so_logout_goes_straight_to_the_rp() {
    let b = broker().await;
    let c = http_client();
    let mut jar = Jar::default();
    let tokens = sim_login(&b, &c, &mut jar, "eid").await;
    let res = rp_logout(&b, &c, &mut jar, &tokens, "eid-st").await;
    let to_rp = redirect_of(&b.base, &res);
    assert_eq!(to_rp.as_str().split('?').next(), Some(demo_bye(&b).as_str()));
    assert_eq!(param(&to_rp, "state").as_deref(), Some("eid-st"));
}

#[tokio::test]
async fn the_simulator_refuses_an_unsigned_or_foreign_logout_request() {
    let b = broker().await;
    let c = http_client();
    let mut jar = Jar::default();
    let at_idp = logout_to_idp(&b, &c, &mut jar, "st").await;
    let unsigned: String = at_idp.as_str().split("&SigAlg=").next().unwrap().to_owned();
    let res = get(&c, &mut jar, &unsigned).await;
    assert_eq!(res.status(), 400);
    assert!(res.text().await.unwrap().contains("signature missing or invalid"));
}

/// The same attacks at the method itself, so each refusal names its reason (the page cannot).
#[tokio::test]
async fn each_refusal_names_its_reason() {
    if !crate::peers::require_python() {
        return;
    }
    let b = broker().await;
    let elster = b.state.methods().get("elster").unwrap().clone();
    let attacker = format!("{}/crates/saml-xmlsec/tests/fixtures/attacker-ec.key", env!("CARGO_MANIFEST_DIR"));
    let cases = [
        (json!({}), None),
        (json!({ "key": attacker }), Some("does not verify with any pinned key")),
        (json!({ "sign": false }), Some("not signed")),
        (json!({ "binding": "post", "sign": false }), Some("not signed")),
        (
            json!({ "binding": "post", "key": attacker }),
            Some("does not verify with any pinned key"),
        ),
        (json!({ "binding": "post" }), None),
        (json!({ "in_response_to": "_other" }), Some("InResponseTo")),
        (json!({ "issuer": "urn:buergerkonto:dev:eid-simulator" }), Some("Issuer")),
        (json!({ "destination": "https://attacker.example/" }), Some("Destination")),
        (json!({ "issue_instant": "2020-01-01T00:00:00Z" }), Some("too old")),
        (
            json!({ "status": "urn:oasis:names:tc:SAML:2.0:status:Requester" }),
            Some(":Requester"),
        ),
        (
            json!({ "second_status": "urn:oasis:names:tc:SAML:2.0:status:PartialLogout" }),
            Some("PartialLogout"),
        ),
    ];
    for (i, (over, expected)) in cases.into_iter().enumerate() {
        let state = format!("state-{i}-{}", "x".repeat(30));
        let session = UpstreamSession::Saml {
            name_id: "elster-acc-1".into(),
            format: Some("urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified".into()),
            name_qualifier: None,
            sp_name_qualifier: None,
            session_index: Some("_s1".into()),
        };
        let req = UpstreamLogout {
            state: state.clone(),
            return_uri: url::Url::parse(&b.url("/logout/return")).unwrap(),
            locale: "de".into(),
            now: std::time::SystemTime::now(),
        };
        let Some(StartAction::Redirect(at_idp)) = elster.end_upstream_session(&session, &req).await.unwrap() else {
            panic!("a Redirect to the SLO endpoint")
        };
        let request = peer_check(&b, &at_idp);
        assert_eq!(request["name_id"], "elster-acc-1");
        assert_eq!(request["session_index"], "_s1");
        let mut input = json!({
            "mode": "respond", "binding": "redirect", "key": dev("certs/dev/elster-simulator-signing.key"),
            "issuer": ELSTER_ENTITY, "destination": b.url("/logout/return"), "in_response_to": request["id"],
            "relay_state": state, "issue_instant": now_xs(),
        });
        for (k, v) in over.as_object().unwrap() {
            input[k] = v.clone();
        }
        let (ok, out, err) = peer(&input);
        assert!(ok, "{err}");
        let ret = if input["binding"] == "post" {
            UpstreamLogoutReturn {
                raw_query: None,
                params: vec![("SAMLResponse".into(), out), ("RelayState".into(), state.clone())],
            }
        } else {
            UpstreamLogoutReturn {
                params: url::form_urlencoded::parse(out.as_bytes()).into_owned().collect(),
                raw_query: Some(out),
            }
        };
        let result = elster.finish_upstream_logout(&state, &ret, std::time::SystemTime::now()).await;
        match expected {
            None => {
                result.unwrap_or_else(|e| panic!("{over}: {e}"));
                // Single use: the pending request is gone.
                let again = elster.finish_upstream_logout(&state, &ret, std::time::SystemTime::now()).await;
                assert!(again.unwrap_err().to_string().contains("no pending logout request"), "{over}");
            }
            Some(why) => {
                let e = result.expect_err(&over.to_string()).to_string();
                assert!(e.contains(why), "{over}: {e}");
            }
        }
    }
}

#[tokio::test]
async fn with_logout_switched_off_an_elster_logout_goes_straight_to_the_rp() {
    use crate::support::RawConfigExt;
    let b = TestBroker::new()
        .with_config(with_logout_clients)
        .with_config(|c| c.upstream_mut("elster").logout = false)
        .start()
        .await;
    let c = http_client();
    let mut jar = Jar::default();
    let tokens = sim_login(&b, &c, &mut jar, "elster").await;
    let res = rp_logout(&b, &c, &mut jar, &tokens, "off").await;
    let to_rp = redirect_of(&b.base, &res);
    assert_eq!(to_rp.as_str().split('?').next(), Some(demo_bye(&b).as_str()));
    assert_eq!(param(&to_rp, "state").as_deref(), Some("off"));
}
