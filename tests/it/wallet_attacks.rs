//! EUDI wallet attacks (issue 16 item 6): the independent Node wallet answers a real login of the
//! broker with one thing wrong. Each ends in a refusal — at `response_uri` (an OAuth error, no
//! `redirect_uri`) or, when the broker answers there and tells the browser later, on the browser's
//! way back — with the reason named, no code at the relying party, and no session, code or grant
//! in the store.
//!
//! The presentation attacks (KB-JWT, disclosures, issuer, validity, status, vct, plaintext) are
//! the wallet's `--attack`; the transaction attacks (another transaction, another browser, replay)
//! are driven here.

use crate::support::http_client;
use crate::support_binding::{assert_refused as assert_restart, End};
use crate::support_login::*;
use crate::support_wallet::bed::{assert_refused, code_of, Refusal, WalletBed};
use crate::support_wallet::Present;

/// A login in a fresh browser answered with `attack`: refused with the OAuth `error` and an
/// `error_description` naming the reason.
async fn refused(attack: &str, error: &str, reason: &str) {
    let bed = WalletBed::start(&format!("wallet-{attack}")).await;
    let c = http_client();
    let mut jar = Jar::default();
    let (url, _) = bed.authorize("openid profile");
    let wallet_url = bed.wallet_url(&c, &mut jar, &url).await;
    let run = bed.present(&wallet_url, &Present::attack(attack)).await;
    assert_eq!(run.out["attack"], attack, "{}", run.out);
    let refusal = assert_refused(&bed, &c, &mut jar, &run, attack).await;
    assert_reason(&refusal, error, reason, attack);
}

/// The refusal came at `response_uri` as `{error, error_description}` with these values.
fn assert_reason(refusal: &Refusal, error: &str, reason: &str, what: &str) {
    let Refusal::AtResponseUri(status, body) = refusal else {
        panic!("{what}: refused at response_uri, not later in the browser: {refusal:?}")
    };
    assert_eq!(*status, 400, "{what}: {body}");
    assert_eq!(body["error"], error, "{what}: {body}");
    let description = body["error_description"].as_str().unwrap_or_default();
    assert!(description.contains(reason), "{what}: the reason {reason:?} in {body}");
}

macro_rules! attack {
    ($name:ident, $attack:literal, $error:expr, $reason:literal) => {
        #[tokio::test]
        async fn $name() {
            if !crate::peers::require_wallet() || !crate::peers::require_redis() {
                return;
            }
            refused($attack, $error, $reason).await;
        }
    };
}

/// `FlowError::Refused`: the verifier's reason class (`WalletError::reason`).
const REFUSED: &str = "access_denied";

attack!(
    a_key_binding_jwt_with_another_nonce_is_refused,
    "wrong-nonce",
    REFUSED,
    "presentation refused: kb_nonce"
);
attack!(
    a_key_binding_jwt_for_another_verifier_is_refused,
    "wrong-aud",
    REFUSED,
    "presentation refused: kb_audience"
);
attack!(
    a_presentation_without_key_binding_is_refused,
    "no-kb",
    REFUSED,
    "presentation refused: kb_missing"
);
attack!(
    a_key_binding_jwt_not_signed_by_the_cnf_key_is_refused,
    "kb-other-key",
    REFUSED,
    "presentation refused: kb_signature"
);
attack!(
    an_altered_disclosure_is_refused,
    "disclosure-altered",
    REFUSED,
    "presentation refused: unreferenced_disclosure"
);
attack!(
    an_added_unreferenced_disclosure_is_refused,
    "disclosure-added",
    REFUSED,
    "presentation refused: unreferenced_disclosure"
);
attack!(
    a_duplicated_disclosure_is_refused,
    "disclosure-duplicated",
    REFUSED,
    "presentation refused: duplicate_digest"
);
attack!(
    a_dropped_disclosure_of_an_asked_claim_is_refused,
    "disclosure-dropped",
    REFUSED,
    "presentation refused: dcql"
);
attack!(
    a_pid_from_an_issuer_outside_the_trust_list_is_refused,
    "foreign-issuer",
    REFUSED,
    "presentation refused: untrusted_issuer"
);
attack!(an_expired_pid_is_refused, "expired", REFUSED, "presentation refused: expired");
attack!(a_revoked_pid_is_refused, "revoked", REFUSED, "presentation refused: revoked");
attack!(
    a_plaintext_response_is_refused,
    "plaintext",
    "invalid_request",
    "plaintext responses are refused"
);
attack!(
    a_credential_of_a_type_we_did_not_ask_for_is_refused,
    "wrong-vct",
    REFUSED,
    "presentation refused: wrong_vct"
);
attack!(
    a_stale_key_binding_jwt_is_refused,
    "kb-stale",
    REFUSED,
    "presentation refused: kb_stale"
);
attack!(
    a_key_binding_jwt_over_other_disclosures_is_refused,
    "kb-sd-hash",
    REFUSED,
    "presentation refused: kb_sd_hash"
);
attack!(
    a_response_with_another_state_is_refused,
    "wrong-state",
    "invalid_request",
    "state does not match this transaction"
);
attack!(
    two_pids_where_the_query_asks_for_one_are_refused,
    "two-pids",
    REFUSED,
    "presentation refused: dcql"
);
attack!(
    a_response_naming_another_key_id_is_refused,
    "wrong-kid",
    "invalid_request",
    "kid does not name this transaction's key"
);

#[tokio::test]
async fn a_response_for_another_transaction_is_refused() {
    if !crate::peers::require_wallet() || !crate::peers::require_redis() {
        return;
    }
    let bed = WalletBed::start("wallet-other-tx").await;
    let c = http_client();
    let (mut jar_a, mut jar_b) = (Jar::default(), Jar::default());
    let (url_a, _) = bed.authorize("openid profile");
    let (url_b, _) = bed.authorize("openid profile");
    let wallet_a = bed.wallet_url(&c, &mut jar_a, &url_a).await;
    let wallet_b = bed.wallet_url(&c, &mut jar_b, &url_b).await;
    let response_uri_b = bed.response_uri_of(&wallet_b).await;
    // A's answer (A's nonce, encrypted to A's key) posted to B's response_uri.
    let run = bed
        .present(
            &wallet_a,
            &Present {
                post_to: Some(response_uri_b.clone()),
                ..Present::default()
            },
        )
        .await;
    assert_eq!(run.out["posted_to"], response_uri_b.as_str());
    assert_ne!(
        run.out["response_uri"],
        response_uri_b.as_str(),
        "two transactions, two response_uris"
    );
    let refusal = assert_refused(&bed, &c, &mut jar_b, &run, "A's response at B's response_uri").await;
    // Encrypted to A's key, it does not decrypt with B's.
    assert_reason(
        &refusal,
        "invalid_request",
        "the response is not a JWE for this transaction",
        "another transaction",
    );
    // A stranger's post does not use B's transaction up: B's own wallet still logs B in.
    let run = bed.present(&wallet_b, &Present::default()).await;
    let redirect = run.ok().redirect_uri().unwrap_or_else(|| panic!("B's own answer: {}", run.out));
    let (end, _) = bed.back_in_browser(&c, &mut jar_b, &redirect).await;
    code_of(&bed, &end);
}

#[tokio::test]
async fn a_response_code_presented_in_another_browser_is_refused() {
    if !crate::peers::require_wallet() || !crate::peers::require_redis() {
        return;
    }
    let bed = WalletBed::start("wallet-other-browser").await;
    let c = http_client();
    let mut jar = Jar::default();
    let (url, _) = bed.authorize("openid profile");
    let wallet_url = bed.wallet_url(&c, &mut jar, &url).await;
    let run = bed.present(&wallet_url, &Present::default()).await;
    let redirect = run.ok().redirect_uri().unwrap_or_else(|| panic!("redirect_uri: {}", run.out));
    // The attacker's browser has a binding cookie of its own (it started a login too) …
    let mut other = Jar::default();
    let (own, _) = bed.authorize("openid profile");
    let _ = get(&c, &mut other, &own).await;
    assert!(other.binding().is_some(), "the other browser has its own binding cookie");
    let (end, cookies) = bed.back_in_browser(&c, &mut other, &redirect).await;
    assert_restart(&end, &cookies);
    bed.assert_nothing_created("response_code in a browser with another binding").await;
    // … or none at all.
    let (end, cookies) = bed.back_in_browser(&c, &mut Jar::default(), &redirect).await;
    if let End::Left(url) = &end {
        panic!("a browser without cookies got to {url}");
    }
    assert!(cookies.iter().all(|c| !c.contains("bk_session")), "{cookies:?}");
    bed.assert_nothing_created("response_code in a browser without cookies").await;
}

#[tokio::test]
async fn a_replayed_response_is_refused_and_a_response_code_works_once() {
    if !crate::peers::require_wallet() || !crate::peers::require_redis() {
        return;
    }
    let bed = WalletBed::start("wallet-replay").await;
    let c = http_client();
    let mut jar = Jar::default();
    let (url, _) = bed.authorize("openid profile");
    let wallet_url = bed.wallet_url(&c, &mut jar, &url).await;
    let run = bed
        .present(
            &wallet_url,
            &Present {
                repeat: 2,
                ..Present::default()
            },
        )
        .await;
    let responses = run.ok().responses();
    assert_eq!(responses.len(), 2, "{}", run.out);
    assert_eq!(responses[0]["status"], 200, "the first answer is taken: {}", run.out);
    let replay = &responses[1];
    let status = replay["status"].as_u64().unwrap_or_default();
    assert!((400..500).contains(&status), "the replay is refused: {replay}");
    assert_eq!(replay["body"]["error"], "invalid_request", "{replay}");
    assert_eq!(
        replay["body"]["error_description"], "this transaction already received its response",
        "{replay}"
    );
    assert!(replay["body"]["redirect_uri"].is_null(), "no second redirect_uri: {replay}");
    bed.assert_nothing_created("replayed response").await;
    // The first answer still logs the person in, once.
    let redirect = run.redirect_uri().unwrap_or_else(|| panic!("redirect_uri: {}", run.out));
    let (end, _) = bed.back_in_browser(&c, &mut jar, &redirect).await;
    code_of(&bed, &end);
    let (again, _) = bed.back_in_browser(&c, &mut jar, &redirect).await;
    match &again {
        End::Left(url) => assert_eq!(param(url, "code"), None, "a response_code works once: {url}"),
        End::Page(status, _) => assert!((400..500).contains(status), "a response_code works once: {again:?}"),
    }
}
