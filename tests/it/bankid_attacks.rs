//! Attacks on the bank-ID method (issue 10 items 4 and 6). Each ends in a refusal — the person
//! reads a page, the relying party gets the OIDC error with its `state` and our `iss`, or (when
//! the callback cannot be tied to a request) only a page — and in no code, no session cookie and
//! no login record left in the store (Redis under a unique namespace, read with `SCAN`).
//!
//! ID-token forgeries come from the in-test fake OP (support_op/fake_op.rs); the upstream's own
//! errors from panva's OP; mix-up from two fake OPs behind two methods.

use crate::support::http_client;
use crate::support_binding::{assert_refused, End};
use crate::support_login::*;
use crate::support_op::bed::{assert_page_only, assert_rp_error, BankBed, PanvaSetup, METHOD, OTHER};
use crate::support_op::fake_op::{Forge, TokenFault};
use crate::support_op::{ACR_BID, ACR_BIS};
use std::time::Duration;

const HIGH: &str = "http://eidas.europa.eu/LoA/high";

fn on_redis() -> bool {
    crate::peers::require_redis()
}

/// Every forged ID token: refused with `access_denied`, nothing left. The code was redeemed (the
/// token endpoint was asked once), but nothing came of it.
#[tokio::test]
async fn forged_id_tokens_are_refused_and_leave_nothing() {
    if !on_redis() {
        return;
    }
    let bed = BankBed::fakes("bank-forge", false).await;
    let c = http_client();
    // One honest login first: the baseline works, and there is an earlier nonce and ID token to
    // replay.
    let (end, _) = bed.login(&c, &bed.authorize(&[]), &[]).await;
    let End::Left(cb) = &end else { panic!("honest login: {end:?}") };
    assert!(param(cb, "code").is_some(), "{cb}");

    let mut cases: Vec<(String, Forge)> = [
        // First: it replays the honest login's ID token (valid but for another login).
        Forge::ReplayedIdToken,
        Forge::WrongIss,
        Forge::WrongAud,
        Forge::ExtraAudWithoutAzp,
        Forge::Expired,
        Forge::FutureIat,
        Forge::MissingNonce,
        Forge::ReplayedNonce,
        Forge::AlgNone,
        Forge::UnknownKid,
        Forge::OtherClient,
    ]
    .into_iter()
    .map(|f| (format!("{f:?}"), f))
    .collect();
    for (encoding, secret) in bed.op().public_key_secrets() {
        cases.push((format!("HS256 keyed with the OP's public key ({encoding})"), Forge::Hs256(secret)));
    }
    for (what, forge) in cases {
        let before = bed.records().await;
        let (tokens, jwks) = (bed.op().token_requests(), bed.op().jwks_fetches());
        bed.op().forge(forge.clone());
        let (end, set) = bed.login(&c, &bed.authorize(&[]), &[]).await;
        assert_rp_error(&bed, &end, &set, "access_denied", &what);
        bed.assert_no_new_records(&before, &what).await;
        assert_eq!(bed.op().token_requests(), tokens + 1, "{what}: the code was redeemed once");
        if matches!(forge, Forge::UnknownKid) {
            // An unknown kid: the JWKS is fetched again (key rotation), but once, not in a loop.
            let refetched = bed.op().jwks_fetches() - jwks;
            assert!((1..=2).contains(&refetched), "{what}: JWKS fetched {refetched} times");
        }
    }
}

/// The bank answers with a lower `acr` than the broker asked for: no silent downgrade.
#[tokio::test]
async fn a_lower_acr_than_requested_is_refused() {
    if !on_redis() {
        return;
    }
    let bed = BankBed::fakes("bank-acr", false).await;
    let c = http_client();
    let before = bed.records().await;
    bed.op().forge(Forge::Acr(ACR_BIS.into()));
    let (end, set) = bed.login(&c, &bed.authorize(&[("acr_values", HIGH)]), &[]).await;
    assert_rp_error(&bed, &end, &set, "unmet_authentication_requirements", "bis for high");
    bed.assert_no_new_records(&before, "lower acr").await;
    // The broker asked for what meets high, in the bank's vocabulary (acr_values; the fake OP does
    // not offer the claims parameter).
    let asked = bed.op().authorizations().last().cloned().expect("an authorization request");
    let acr_values = asked.get("acr_values").cloned().unwrap_or_default();
    assert!(acr_values.split(' ').any(|a| a == ACR_BID), "asked for {acr_values:?}");
    assert!(
        !acr_values.split(' ').any(|a| a == ACR_BIS),
        "bis does not meet high: {acr_values:?}"
    );
}

/// Mix-up (RFC 9207, per-method callbacks): a code from one upstream never reaches another
/// upstream's token endpoint.
#[tokio::test]
async fn a_code_from_another_upstream_is_refused_before_any_token_request() {
    if !on_redis() {
        return;
    }
    let bed = BankBed::fakes("bank-mixup", true).await;
    let (a, b) = (&bed.fakes[0], &bed.fakes[1]);
    let c = http_client();
    /// (callback, the other method's callback path, the other upstream's issuer) → the attack.
    type Tamper = fn(&url::Url, &str, &str) -> url::Url;
    let cases: [(&str, Tamper); 4] = [
        // The OP's answer delivered on the other method's callback path.
        ("callback on the other method's path", |cb, other_path, _| {
            let mut u = cb.clone();
            u.set_path(other_path);
            u
        }),
        // The right path, but `iss` names the other upstream.
        ("iss of the other upstream", |cb, _, other_iss| {
            with_param(cb, "iss", Some(other_iss))
        }),
        // No `iss` although the upstream announces it (RFC 9207 §2.4: then it is required).
        ("iss missing", |cb, _, _| with_param(cb, "iss", None)),
        // The other upstream's path and iss, with this login's state.
        ("path and iss of the other upstream", |cb, other_path, other_iss| {
            let mut u = with_param(cb, "iss", Some(other_iss));
            u.set_path(other_path);
            u
        }),
    ];
    for (what, tamper) in cases {
        for (method, other_path, other_iss, here) in [
            (METHOD, format!("/oidc/callback/{OTHER}"), b.issuer.clone(), a),
            (OTHER, format!("/oidc/callback/{METHOD}"), a.issuer.clone(), b),
        ] {
            let what = format!("{what} (login at {method})");
            let before = bed.records().await;
            let tokens = (a.token_requests(), b.token_requests());
            let mut jar = Jar::default();
            let cb = bed.callback(&c, &mut jar, &bed.authorize_method(method, &[]), &[]).await;
            assert_eq!(param(&cb, "iss").as_deref(), Some(here.issuer.as_str()));
            let (end, set) = bed.finish(&c, &mut jar, &tamper(&cb, &other_path, &other_iss)).await;
            assert_eq!(
                (a.token_requests(), b.token_requests()),
                tokens,
                "{what}: no code redeemed anywhere"
            );
            match &end {
                // The login was identified and ended: the RP hears of it, nothing of it stays.
                End::Left(_) | End::Page(200, _) => {
                    assert_rp_error(&bed, &end, &set, "access_denied", &what);
                    bed.assert_no_new_records(&before, &what).await;
                }
                // Or the answer was not taken for this login at all (it may still complete).
                _ => {
                    assert_page_only(&end, &set, &what);
                    bed.assert_nothing_created(&what).await;
                }
            }
        }
    }
    // A code the other upstream issued, brought back with this login's state and the right iss
    // forged: redeemed only at this login's own upstream (which does not know it), never at the
    // one that issued it.
    let mut jar = Jar::default();
    let cb = bed.callback(&c, &mut jar, &bed.authorize_method(METHOD, &[]), &[]).await;
    let mut other_jar = Jar::default();
    let other_cb = bed.callback(&c, &mut other_jar, &bed.authorize_method(OTHER, &[]), &[]).await;
    let stolen = with_param(&cb, "code", param(&other_cb, "code").as_deref());
    let b_tokens = b.token_requests();
    let (end, set) = bed.finish(&c, &mut jar, &stolen).await;
    assert_rp_error(&bed, &end, &set, "access_denied", "another upstream's code");
    assert_eq!(
        b.token_requests(),
        b_tokens,
        "the code never went back to the upstream that issued it"
    );
    bed.assert_nothing_created("another upstream's code").await;
}

fn with_param(url: &url::Url, name: &str, value: Option<&str>) -> url::Url {
    let pairs: Vec<(String, String)> = url
        .query_pairs()
        .filter(|(k, _)| k != name)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let mut u = url.clone();
    u.set_query(None);
    {
        let mut q = u.query_pairs_mut();
        q.extend_pairs(pairs);
        if let Some(v) = value {
            q.append_pair(name, v);
        }
    }
    u
}

/// A callback whose `state` belongs to no login (changed, missing, or no login started at all):
/// a page only, nothing redeemed, nothing created.
#[tokio::test]
async fn state_mismatch_and_unsolicited_callbacks_get_a_page_only() {
    if !on_redis() {
        return;
    }
    let bed = BankBed::fakes("bank-state", false).await;
    let c = http_client();
    let op = bed.op();
    let mut jar = Jar::default();
    let cb = bed.callback(&c, &mut jar, &bed.authorize(&[]), &[]).await;
    let tokens = op.token_requests();
    let cases = [
        ("state changed", with_param(&cb, "state", Some("not-the-state-we-sent"))),
        ("state missing", with_param(&cb, "state", None)),
        ("empty state", with_param(&cb, "state", Some(""))),
    ];
    for (what, url) in cases {
        let (end, set) = bed.finish(&c, &mut jar, &url).await;
        assert_page_only(&end, &set, what);
        assert_eq!(op.token_requests(), tokens, "{what}: no code redeemed");
        bed.assert_nothing_created(what).await;
    }
    // Unsolicited: a browser that started nothing, with an OP-shaped answer.
    let base = bed.broker.url(&format!("/oidc/callback/{METHOD}"));
    for (what, query) in [
        (
            "unsolicited code",
            vec![("code", "c-1"), ("state", "s-1"), ("iss", op.issuer.as_str())],
        ),
        ("unsolicited code without state", vec![("code", "c-1"), ("iss", op.issuer.as_str())]),
        (
            "unsolicited error",
            vec![("error", "access_denied"), ("state", "s-1"), ("iss", op.issuer.as_str())],
        ),
        ("nothing at all", vec![]),
    ] {
        let mut url = url::Url::parse(&base).unwrap();
        if !query.is_empty() {
            url.query_pairs_mut().extend_pairs(query);
        }
        let (end, set) = bed.finish(&c, &mut Jar::default(), &url).await;
        assert_page_only(&end, &set, what);
        assert_eq!(op.token_requests(), tokens, "{what}: no code redeemed");
        bed.assert_nothing_created(what).await;
    }
    // The genuine answer still completes the login it belongs to.
    let (end, _) = bed.finish(&c, &mut jar, &cb).await;
    let End::Left(rp) = end else { panic!("{end:?}") };
    assert!(param(&rp, "code").is_some(), "{rp}");
}

/// The browser binding (issue 9): the OP's answer for a login started in browser A, replayed in
/// browser B, plants nothing in B — and the code is not even redeemed (the binding is checked
/// first). The login is over for A too.
#[tokio::test]
async fn a_callback_replayed_in_another_browser_plants_nothing() {
    if !on_redis() {
        return;
    }
    let bed = BankBed::fakes("bank-bind", false).await;
    let c = http_client();
    let op = bed.op();
    let mut own = Jar::default();
    get(&c, &mut own, &bed.authorize(&[])).await;
    assert!(own.binding().is_some());
    for (victim, mut jar_b) in [("own login running", own), ("no cookies", Jar::default())] {
        let before = bed.records().await;
        let mut jar_a = Jar::default();
        let cb = bed.callback(&c, &mut jar_a, &bed.authorize(&[]), &[]).await;
        let tokens = op.token_requests();
        let (end, set) = bed.finish(&c, &mut jar_b, &cb).await;
        assert_refused(&end, &set);
        assert_eq!(op.token_requests(), tokens, "{victim}: the code was not redeemed");
        bed.assert_nothing_created(victim).await;
        // Afterwards the answer is spent in the browser that started it too.
        let (end, set) = bed.finish(&c, &mut jar_a, &cb).await;
        assert!(matches!(end, End::Page(400, _)), "{victim}: {end:?}");
        assert!(set.iter().all(|c| !c.contains("bk_session")));
        assert_eq!(op.token_requests(), tokens, "{victim}: still not redeemed");
        bed.assert_no_new_records(&before, victim).await;
    }
}

/// The upstream's own errors (panva's OP ends the interaction with them): mapped for the relying
/// party, explained to the person, nothing left.
#[tokio::test]
async fn upstream_errors_reach_the_relying_party_mapped() {
    if !crate::peers::require_oidc_provider() || !on_redis() {
        return;
    }
    let setup = PanvaSetup {
        id_token_alg: "ES256",
        client_alg: "ES256",
        inline_jwks: false,
        upstream_logout: false,
    };
    let bed = BankBed::panva("bank-errors", setup).await;
    let c = http_client();
    for (upstream, ours) in [
        ("access_denied", "access_denied"),
        ("login_required", "login_required"),
        ("temporarily_unavailable", "temporarily_unavailable"),
    ] {
        let (end, set) = bed.login(&c, &bed.authorize(&[]), &[("outcome", upstream)]).await;
        let what = format!("upstream {upstream}");
        if let End::Page(_, html) = &end {
            assert!(
                !html.contains("the test chose"),
                "{what}: the upstream's description is not shown raw"
            );
        }
        assert_rp_error(&bed, &end, &set, ours, &what);
        bed.assert_nothing_left(&what).await;
    }
}

/// The token endpoint fails: the connection breaks mid-answer, or no answer comes in time.
#[tokio::test]
async fn a_failing_token_endpoint_ends_in_temporarily_unavailable() {
    if !on_redis() {
        return;
    }
    let bed = BankBed::fakes("bank-net", false).await;
    let c = http_client();
    for (what, fault) in [
        ("connection cut", TokenFault::BrokenConnection),
        ("timeout", TokenFault::Hang(Duration::from_secs(300))),
    ] {
        bed.op().fault(fault);
        let (end, set) = tokio::time::timeout(Duration::from_secs(90), bed.login(&c, &bed.authorize(&[]), &[]))
            .await
            .unwrap_or_else(|_| panic!("{what}: the broker did not give up within 90 s"));
        assert_rp_error(&bed, &end, &set, "temporarily_unavailable", what);
        bed.assert_nothing_left(what).await;
    }
}
