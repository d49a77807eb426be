//! Ending the upstream's session with ours (issue 11 item 5): after a bank-ID login, a logout at
//! the broker sends the browser on to the OP's `end_session_endpoint` (RP-Initiated Logout 1.0)
//! with the OP's ID token as `id_token_hint`, and the OP sends it back to `/logout/return`, from
//! where it reaches the relying party's registered return URI with the relying party's `state`.
//!
//! - Against panva's OpenID-certified `oidc-provider` (its own end-session confirmation, submitted
//!   like a person would): before the logout the OP lets the browser through without asking (its
//!   session lives); after it, the OP asks for a login again — the bank session has really ended.
//! - Against the built-in simulator (which checks the hint's signature, audience and the
//!   registered return URI), through RP-Initiated Logout with the broker's own ID token as hint.
//! - Bad input on the way back: an unknown, forged or replayed `state` ends nothing, redirects
//!   nowhere and shows the page; the broker session ended before the browser left for the OP.

use crate::bankid_sim::{drive, METHOD as SIM_METHOD};
use crate::support::{http_client, TestBroker};
use crate::support_binding::End;
use crate::support_login::*;
use crate::support_logout::{demo_bye, redeem, session_alive, with_logout_clients};
use crate::support_op::bed::{BankBed, PanvaSetup};
use crate::token::bed::{DEMO, DEMO_SECRET};
use openidconnect::reqwest;

/// The URL a response redirects to (absolute as sent, or resolved against `base`).
fn redirect_of(base: &str, res: &reqwest::Response) -> url::Url {
    assert_eq!(res.status(), 303, "expected a redirect");
    let loc = res.headers()[reqwest::header::LOCATION].to_str().unwrap();
    url::Url::parse(base).unwrap().join(loc).unwrap()
}

/// Whether the OP asks the browser `jar` to log in for a new broker login (a fresh broker session:
/// the broker's cookies are not sent), or lets it through on its own session.
async fn op_asks_for_login(bed: &BankBed, c: &reqwest::Client, jar: &Jar) -> bool {
    let mut probe = jar.clone();
    probe.remove("bk_session");
    probe.remove("__Host-bk_session");
    let mut next = bed.to_op(c, &mut probe, &bed.authorize(&[])).await;
    for _ in 0..8 {
        if next.path().starts_with("/interaction/") {
            return true;
        }
        if next.as_str().starts_with(&bed.broker.base) {
            return false;
        }
        let res = get(c, &mut probe, next.as_str()).await;
        assert_eq!(res.status(), 303, "OP hop {next}\n{}", bed.op_log());
        next = redirect_of(next.as_str(), &res);
    }
    panic!("the OP neither asked nor answered");
}

#[tokio::test]
async fn logging_out_ends_the_bank_session_at_panva() {
    if !crate::peers::require_oidc_provider() || !crate::peers::require_redis() {
        return;
    }
    let setup = PanvaSetup {
        id_token_alg: "ES256",
        client_alg: "ES256",
        inline_jwks: true,
        upstream_logout: true,
    };
    let bed = BankBed::panva("bank-logout", setup).await;
    let b = &bed.broker;
    let c = http_client();
    let mut jar = Jar::default();
    let cb = bed.callback(&c, &mut jar, &bed.authorize(&[]), &[("account", "kari")]).await;
    let (end, _) = bed.finish(&c, &mut jar, &cb).await;
    assert!(
        matches!(end, End::Left(ref u) if param(u, "code").is_some()),
        "login: {end:?}\n{}",
        bed.op_log()
    );
    assert!(!op_asks_for_login(&bed, &c, &jar).await, "the OP keeps a session after the login");

    // "Überall abmelden" on /session.
    let html = get(&c, &mut jar, &b.url("/session")).await.text().await.unwrap();
    let csrf = hidden(&html, "csrf").expect("csrf");
    let res = post(&c, &mut jar, &b.url("/session/logout"), &[("csrf", &csrf)]).await;
    let at_op = redirect_of(&b.base, &res);
    assert!(
        at_op.as_str().starts_with(&bed.panva.as_ref().unwrap().issuer),
        "to the OP: {at_op}"
    );
    assert!(param(&at_op, "id_token_hint").is_some_and(|h| h.split('.').count() == 3), "{at_op}");
    assert_eq!(param(&at_op, "client_id").as_deref(), Some("buergerkonto"));
    assert_eq!(param(&at_op, "post_logout_redirect_uri"), Some(b.url("/logout/return")));
    // Ours ended before the browser left.
    assert!(!session_alive(b, &mut jar).await, "the broker session ends first");

    // panva's confirmation page, confirmed.
    let page = get(&c, &mut jar, at_op.as_str()).await;
    assert_eq!(page.status(), 200, "{}", bed.op_log());
    let html = page.text().await.unwrap();
    let xsrf = hidden(&html, "xsrf").unwrap_or_else(|| panic!("panva's logout form: {html}"));
    let action = at_op.join("/session/end/confirm").unwrap();
    let res = post(&c, &mut jar, action.as_str(), &[("xsrf", &xsrf), ("logout", "yes")]).await;
    let back = redirect_of(action.as_str(), &res);
    assert_eq!(back.path(), "/logout/return", "{back}\n{}", bed.op_log());
    let res = get(&c, &mut jar, back.as_str()).await;
    assert_eq!(res.status(), 200, "no relying party to return to: the logged-out page");
    let html = res.text().await.unwrap();
    assert!(html.contains("Sie sind abgemeldet"), "{html}");
    assert!(op_asks_for_login(&bed, &c, &jar).await, "the OP's session has ended");

    // The way back is single use: replayed, it shows the page and redirects nowhere.
    let again = get(&c, &mut jar, back.as_str()).await;
    assert_eq!(again.status(), 200);
    assert!(again.headers().get("location").is_none());
    assert!(again.text().await.unwrap().contains("abgelaufen oder wurde schon benutzt"));
}

/// A demo login through the bank-ID simulator in `jar`: the tokens.
async fn simulator_login(b: &TestBroker, c: &reqwest::Client, jar: &mut Jar) -> serde_json::Value {
    let (url, verifier) = authorize_url_with_verifier(b, DEMO, &demo_redirect(b), &[("idp_hint", SIM_METHOD)]);
    let start = get(c, jar, &url).await;
    let (res, callback) = drive(c, b, jar, start, "kari").await;
    assert!(callback.is_some(), "through the simulator");
    let code = param(&location(b, &res), "code").expect("code");
    let (status, tokens) = redeem(b, DEMO, DEMO_SECRET, &code, &demo_redirect(b), &verifier).await;
    assert_eq!(status, 200, "{tokens}");
    tokens
}

#[tokio::test]
async fn rp_initiated_logout_passes_through_the_simulated_bank_and_back_to_the_rp() {
    let b = TestBroker::new().with_config(with_logout_clients).start().await;
    let c = http_client();
    let mut jar = Jar::default();
    let tokens = simulator_login(&b, &c, &mut jar).await;
    let hint = tokens["id_token"].as_str().unwrap();
    let mut logout = url::Url::parse(&b.url("/logout")).unwrap();
    logout
        .query_pairs_mut()
        .append_pair("id_token_hint", hint)
        .append_pair("post_logout_redirect_uri", &demo_bye(&b))
        .append_pair("state", "rp-state-1")
        .append_pair("ui_locales", "en");
    let res = get(&c, &mut jar, logout.as_str()).await;
    let at_op = redirect_of(&b.base, &res);
    assert_eq!(at_op.path(), "/dev/bankid/logout", "{at_op}");
    assert_eq!(param(&at_op, "ui_locales").as_deref(), Some("en"));
    // The upstream's hint is the OP's ID token, not ours.
    assert_ne!(param(&at_op, "id_token_hint").as_deref(), Some(hint));
    assert!(!session_alive(&b, &mut jar).await);
    let res = get(&c, &mut jar, at_op.as_str()).await;
    let back = redirect_of(&b.base, &res);
    assert_eq!(back.path(), "/logout/return");
    let res = get(&c, &mut jar, back.as_str()).await;
    let to_rp = redirect_of(&b.base, &res);
    assert_eq!(to_rp.as_str().split('?').next(), Some(demo_bye(&b).as_str()));
    assert_eq!(param(&to_rp, "state").as_deref(), Some("rp-state-1"));
}

#[tokio::test]
async fn the_simulated_bank_refuses_a_forged_hint_and_an_unregistered_return() {
    let b = TestBroker::start().await;
    let c = http_client();
    let mut jar = Jar::default();
    let registered = b.url("/logout/return");
    for (hint, ret, why) in [
        ("e30.e30.c2ln", registered.as_str(), "not one of our ID tokens"),
        ("not-a-jwt", "https://attacker.example/", "not one of our ID tokens"),
    ] {
        let mut u = url::Url::parse(&b.url("/dev/bankid/logout")).unwrap();
        u.query_pairs_mut()
            .append_pair("id_token_hint", hint)
            .append_pair("post_logout_redirect_uri", ret)
            .append_pair("state", "s");
        let res = get(&c, &mut jar, u.as_str()).await;
        assert_eq!(res.status(), 400);
        assert!(res.text().await.unwrap().contains(why));
    }
}

#[tokio::test]
async fn an_unknown_or_forged_way_back_ends_nothing_and_redirects_nowhere() {
    let b = TestBroker::new().with_config(with_logout_clients).start().await;
    let c = http_client();
    let mut jar = Jar::default();
    let _tokens = simulator_login(&b, &c, &mut jar).await;
    assert!(session_alive(&b, &mut jar).await);
    for q in [
        "",
        "?state=",
        "?state=forged-state-value",
        "?RelayState=forged",
        &format!("?state={}", "a".repeat(200)),
    ] {
        let res = get(&c, &mut jar, &format!("{}{q}", b.url("/logout/return"))).await;
        assert_eq!(res.status(), 200, "{q}");
        assert!(res.headers().get("location").is_none(), "{q}: never a redirect");
        let html = res.text().await.unwrap();
        assert!(html.contains("abgelaufen oder wurde schon benutzt"), "{q}: {html}");
        assert!(!html.contains("Sie sind abgemeldet"), "{q}: it says nothing it does not know");
        assert!(
            session_alive(&b, &mut jar).await,
            "{q}: the way back never ends a session by itself"
        );
    }
    let res = post(
        &c,
        &mut jar,
        &b.url("/logout/return"),
        &[("RelayState", "forged"), ("SAMLResponse", "PHg+")],
    )
    .await;
    assert_eq!(res.status(), 200);
    assert!(session_alive(&b, &mut jar).await);
}
