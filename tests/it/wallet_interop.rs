//! EUDI wallet interop (issue 16 item 6): a full login through the broker with the independent
//! Node test wallet (tests/peers/wallet). The wallet checks our request object on its own (JAR
//! signature by the x5c leaf, `x509_hash` client_id, `aud`, `response_mode` direct_post.jwt, the
//! DCQL query with our trust anchor's `aki`, the ephemeral P-256 key and both `enc` values) and
//! refuses with exit code 2 when one fails; so a login that gets through at all proves the request
//! is what OpenID4VP 1.0 and HAIP ask for. The relying party then holds an ID token at `high` with
//! `amr` `eudi-pid` and exactly the claims its scopes stand for.

use crate::support::http_client;
use crate::support_login::*;
use crate::support_wallet::bed::{code_of, cross_wallet_url_of, poll_url_of, redeem, WalletBed, HIGH};
use crate::support_wallet::Present;
use std::collections::BTreeSet;

fn set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
}

/// Claims released to a relying party that only PID logins could fill (none may appear unasked).
const PID_CLAIMS: [&str; 7] = [
    "given_name",
    "family_name",
    "birthdate",
    "address",
    "place_of_birth",
    "birth_family_name",
    "nationalities",
];

fn released(v: &serde_json::Value) -> BTreeSet<String> {
    PID_CLAIMS.iter().filter(|c| !v[**c].is_null()).map(|c| (*c).to_owned()).collect()
}

#[tokio::test]
async fn a_wallet_login_reaches_the_relying_party_at_high_with_the_asked_claims_only() {
    if !crate::peers::require_wallet() || !crate::peers::require_redis() {
        return;
    }
    let bed = WalletBed::start("wallet-interop").await;
    let c = http_client();
    let mut subs = Vec::new();
    // GET request_uri with A128GCM, POST request_uri (wallet_nonce echoed) with A256GCM.
    for (method, enc) in [("get", "A128GCM"), ("post", "A256GCM"), ("post", "A128GCM")] {
        let what = format!("{method} {enc}");
        let mut jar = Jar::default();
        let (url, verifier) = bed.authorize("openid profile");
        let wallet_url = bed.wallet_url(&c, &mut jar, &url).await;
        assert!(wallet_url.contains("client_id=x509_hash%3A"), "{what}: {wallet_url}");
        let run = bed
            .present(
                &wallet_url,
                &Present {
                    request_method: method,
                    enc,
                    ..Present::default()
                },
            )
            .await;
        run.ok();
        assert_eq!(run.status(), 200, "{what}: {}", run.out);
        assert_eq!(run.out["request_method"], method, "{what}");
        // The DCQL query asks for what `profile` stands for plus the subject's basis (place of
        // birth: docs/eudi-wallet.md, the keyed subject), and the wallet shows nothing else.
        let asked: BTreeSet<String> = run.asked().into_iter().collect();
        let profile = set(&["family_name", "given_name", "birthdate"]);
        assert_eq!(asked, set(&["family_name", "given_name", "birthdate", "place_of_birth"]), "{what}");
        // (Sub-claims of an object, e.g. `locality` of `place_of_birth`, are disclosures of their own.)
        let disclosed: BTreeSet<String> = run.disclosed().into_iter().filter(|n| PID_CLAIMS.contains(&n.as_str())).collect();
        assert_eq!(disclosed, asked, "{what}: the wallet discloses exactly what was asked");
        for never in ["address", "nationalities", "birth_family_name"] {
            assert!(!asked.contains(never), "{what}: {never} asked without its scope: {asked:?}");
        }
        let redirect = run.redirect_uri().unwrap_or_else(|| panic!("{what}: redirect_uri: {}", run.out));
        assert!(param(&redirect, "response_code").is_some(), "{what}: {redirect}");
        let (end, _) = bed.back_in_browser(&c, &mut jar, &redirect).await;
        let rp = redeem(&bed, &code_of(&bed, &end), verifier).await;
        assert_eq!(rp.id_token["acr"], HIGH, "{what}: {}", rp.id_token);
        assert_eq!(rp.id_token["amr"], serde_json::json!(["eudi-pid"]), "{what}: {}", rp.id_token);
        assert_eq!(released(&rp.userinfo), profile, "{what}: {}", rp.userinfo);
        let s = |k: &str| rp.userinfo[k].as_str().unwrap_or_default().to_uppercase();
        assert_eq!(s("family_name"), "MUSTERMANN", "{what}: {}", rp.userinfo);
        assert_eq!(s("given_name"), "ERIKA", "{what}: {}", rp.userinfo);
        assert_eq!(s("birthdate"), "1964-08-12", "{what}: {}", rp.userinfo);
        // Nothing of the raw presentation travels on.
        let all = format!("{}{}", rp.id_token, rp.userinfo);
        for raw in ["vp_token", "cnf", "_sd", "status_list", "x5c", "vct"] {
            assert!(!all.contains(raw), "{what}: {raw} passed downstream: {all}");
        }
        subs.push(rp.id_token["sub"].as_str().expect("sub").to_owned());
    }
    // The PID has no person identifier: the keyed subject is the same for the same person.
    assert!(subs.windows(2).all(|w| w[0] == w[1]), "one person, one sub: {subs:?}");
    assert!(bed.status.hits() > 0, "the broker fetched the PID's status list");

    // The subject does not depend on the scopes: `birth` releases the place of birth, the account
    // stays the same.
    let mut jar = Jar::default();
    let (url, verifier) = bed.authorize("openid profile birth");
    let wallet_url = bed.wallet_url(&c, &mut jar, &url).await;
    let run = bed.present(&wallet_url, &Present::default()).await;
    let redirect = run.ok().redirect_uri().unwrap_or_else(|| panic!("redirect_uri: {}", run.out));
    let (end, _) = bed.back_in_browser(&c, &mut jar, &redirect).await;
    let rp = redeem(&bed, &code_of(&bed, &end), verifier).await;
    assert_eq!(rp.id_token["sub"].as_str(), Some(subs[0].as_str()), "same person, other scopes");
    assert_eq!(rp.userinfo["place_of_birth"]["locality"], "BERLIN", "{}", rp.userinfo);

    // Another person (Max) is another subject.
    let mut jar = Jar::default();
    let (url, verifier) = bed.authorize("openid profile");
    let wallet_url = bed.wallet_url(&c, &mut jar, &url).await;
    let run = bed
        .present(
            &wallet_url,
            &Present {
                person: "max",
                ..Present::default()
            },
        )
        .await;
    let redirect = run.ok().redirect_uri().unwrap_or_else(|| panic!("redirect_uri: {}", run.out));
    let (end, _) = bed.back_in_browser(&c, &mut jar, &redirect).await;
    let rp = redeem(&bed, &code_of(&bed, &end), verifier).await;
    assert_ne!(rp.id_token["sub"].as_str(), Some(subs[0].as_str()), "Max is not Erika");
}

#[tokio::test]
async fn every_scope_asks_for_its_pid_claims_and_releases_only_those() {
    if !crate::peers::require_wallet() || !crate::peers::require_redis() {
        return;
    }
    let bed = WalletBed::start("wallet-scopes").await;
    let c = http_client();
    let mut jar = Jar::default();
    let (url, verifier) = bed.authorize("openid profile address birth nationality");
    let wallet_url = bed.wallet_url(&c, &mut jar, &url).await;
    let run = bed.present(&wallet_url, &Present::default()).await;
    run.ok();
    let all = set(&PID_CLAIMS);
    let asked: BTreeSet<String> = run.asked().into_iter().collect();
    assert_eq!(asked, all, "{}", run.out);
    let redirect = run.redirect_uri().unwrap_or_else(|| panic!("redirect_uri: {}", run.out));
    let (end, _) = bed.back_in_browser(&c, &mut jar, &redirect).await;
    let rp = redeem(&bed, &code_of(&bed, &end), verifier).await;
    assert_eq!(released(&rp.userinfo), all, "{}", rp.userinfo);
    let address = &rp.userinfo["address"];
    assert_eq!(address["postal_code"], "51147", "{address}");
    assert_eq!(
        address["locality"].as_str().map(str::to_uppercase).as_deref(),
        Some("KÖLN"),
        "{address}"
    );
    assert_eq!(rp.userinfo["nationalities"], serde_json::json!(["DE"]), "{}", rp.userinfo);
    assert_eq!(
        rp.userinfo["birth_family_name"].as_str().map(str::to_uppercase).as_deref(),
        Some("GABLER"),
        "{}",
        rp.userinfo
    );
}

#[tokio::test]
async fn the_start_page_offers_the_same_device_link_a_qr_code_and_polling_without_script() {
    if !crate::peers::require_wallet() || !crate::peers::require_redis() {
        return;
    }
    let bed = WalletBed::start("wallet-page").await;
    let c = http_client();
    let mut jar = Jar::default();
    let (url, verifier) = bed.authorize("openid profile");
    let (page, html) = bed.start_page(&c, &mut jar, &url).await;
    assert!(html.contains("<svg"), "a QR code as inline SVG: {html}");
    assert!(html.contains("Dieser Code gilt nur für diesen Bildschirm"), "{html}");
    assert!(!html.contains("<script"), "no script: {html}");
    let poll = poll_url_of(&bed, &html).unwrap_or_else(|| panic!("a \"Weiter\" form to /wallet/poll/…: {html}"));
    // Before the wallet answered, "Weiter" shows the page again.
    let res = get(&c, &mut jar, poll.as_str()).await;
    assert_eq!(res.status(), 200, "{page}");
    assert!(res.text().await.expect("page").contains("<svg"), "the start page again");
    // Cross-device: the wallet scans the QR code (its URL carries `flow=cross`) and answers; the
    // broker gives the phone no redirect_uri, and the browser presses "Weiter".
    let wallet_url = cross_wallet_url_of(&html).unwrap_or_else(|| panic!("the cross-device wallet URL: {html}"));
    assert!(wallet_url.contains("flow%3Dcross"), "{wallet_url}");
    let run = bed.present(&wallet_url, &Present::default()).await;
    assert_eq!(run.ok().status(), 200, "{}", run.out);
    assert!(
        run.redirect_uri().is_none(),
        "cross-device: no redirect_uri for the phone: {}",
        run.out
    );
    let res = get(&c, &mut jar, poll.as_str()).await;
    let (end, _) = crate::support_binding::follow(&bed.broker, &c, &mut jar, res).await;
    let rp = redeem(&bed, &code_of(&bed, &end), verifier).await;
    assert_eq!(rp.id_token["acr"], HIGH);
}
