//! Bank-ID interop (issue 10 item 6): the broker logs a person in through an independent,
//! OpenID-certified OP — panva's `oidc-provider`, configured like a bank (PAR required,
//! private_key_jwt only, PKCE required, ES256 or PS256 ID tokens, Norway BankID `acr`, OIDC4IDA
//! `verified_claims` under `de_aml`, RFC 9207 `iss`) — and the relying party ends with an ID token
//! that a stock relying party, the `openidconnect` crate, accepts: `acr` translated by the table,
//! the identity taken from `verified_claims`, the upstream subject namespaced by the method.
//!
//! Since the OP accepts nothing but PAR, private_key_jwt and S256, a login that gets through at all
//! proves the broker used them.

use crate::support::http_client;
use crate::support_binding::End;
use crate::support_login::*;
use crate::support_op::bed::{assert_rp_error, BankBed, PanvaSetup, METHOD, RP_STATE};
use openidconnect::core::{CoreClient, CoreJwsSigningAlgorithm, CoreProviderMetadata, CoreUserInfoClaims};
use openidconnect::{
    AuthorizationCode, ClientId, ClientSecret, IssuerUrl, Nonce, OAuth2TokenResponse, PkceCodeVerifier, RedirectUrl, TokenResponse,
};

const HIGH: &str = "http://eidas.europa.eu/LoA/high";
const SUBSTANTIAL: &str = "http://eidas.europa.eu/LoA/substantial";
const SECRET: &str = "demo-relying-party-secret-for-development-only";

/// What the relying party holds after redeeming the code with the `openidconnect` crate.
struct AtRp {
    acr: String,
    sub: String,
    amr: Vec<String>,
    info: CoreUserInfoClaims,
}

/// Redeem `code` as the demo client and verify the ID token as a stock relying party.
async fn redeem(bed: &BankBed, code: &str, verifier: String) -> AtRp {
    let http = http_client();
    let b = &bed.broker;
    let meta = CoreProviderMetadata::discover_async(IssuerUrl::new(b.base.clone()).unwrap(), &http)
        .await
        .unwrap();
    let client = CoreClient::from_provider_metadata(meta, ClientId::new("demo".into()), Some(ClientSecret::new(SECRET.into())))
        .set_redirect_uri(RedirectUrl::new(demo_redirect(b)).unwrap());
    let tokens = client
        .exchange_code(AuthorizationCode::new(code.to_owned()))
        .unwrap()
        .set_pkce_verifier(PkceCodeVerifier::new(verifier))
        .request_async(&http)
        .await
        .unwrap();
    let id_token = tokens.id_token().expect("an ID token");
    let v = client
        .id_token_verifier()
        .set_allowed_algs(vec![CoreJwsSigningAlgorithm::EcdsaP256Sha256]);
    let claims = id_token
        .claims(&v, &Nonce::new("n-456".into()))
        .expect("the RP accepts the ID token");
    let info: CoreUserInfoClaims = client
        .user_info(tokens.access_token().clone(), None)
        .unwrap()
        .request_async(&http)
        .await
        .unwrap();
    AtRp {
        acr: claims.auth_context_ref().expect("acr").to_string(),
        sub: claims.subject().to_string(),
        amr: claims
            .auth_method_refs()
            .map(|a| a.iter().map(|m| m.to_string()).collect())
            .unwrap_or_default(),
        info,
    }
}

/// A login at the demo client (scopes openid profile birth, `extra` added) through panva's OP as
/// `account`: the relying party's callback and the browser.
async fn bank_login(bed: &BankBed, account: &str, extra: &[(&str, &str)]) -> (End, Jar, String) {
    let c = http_client();
    let mut all = vec![("idp_hint", METHOD), ("scope", "openid profile birth")];
    all.extend_from_slice(extra);
    let (url, verifier) = authorize_url_with_verifier(&bed.broker, "demo", &demo_redirect(&bed.broker), &all);
    let mut jar = Jar::default();
    let cb = bed.callback(&c, &mut jar, &url, &[("account", account)]).await;
    assert_eq!(
        param(&cb, "iss").as_deref(),
        bed.panva.as_ref().map(|p| p.issuer.as_str()),
        "RFC 9207 iss from the OP"
    );
    let (end, _) = bed.finish(&c, &mut jar, &cb).await;
    (end, jar, verifier)
}

fn code_of(bed: &BankBed, end: &End) -> String {
    let End::Left(cb) = end else {
        panic!("expected the relying party's callback, got {end:?}\nOP log:\n{}", bed.op_log())
    };
    assert!(cb.as_str().starts_with(&demo_redirect(&bed.broker)), "{cb}");
    assert_eq!(param(cb, "state").as_deref(), Some(RP_STATE));
    assert_eq!(param(cb, "iss").as_deref(), Some(bed.broker.base.as_str()));
    param(cb, "code").unwrap_or_else(|| panic!("a code: {cb}"))
}

#[tokio::test]
async fn a_bank_login_through_panva_reaches_the_relying_party() {
    if !crate::peers::require_oidc_provider() || !crate::peers::require_redis() {
        return;
    }
    let setups = [
        // ES256 everywhere; the OP fetches the broker's key from its client JWKS URL.
        PanvaSetup {
            id_token_alg: "ES256",
            client_alg: "ES256",
            inline_jwks: false,
            upstream_logout: false,
        },
        // PS256 everywhere; the broker's key registered at the OP as a JWKS.
        PanvaSetup {
            id_token_alg: "PS256",
            client_alg: "PS256",
            inline_jwks: true,
            upstream_logout: false,
        },
    ];
    for setup in setups {
        let bed = BankBed::panva("bank-interop", setup).await;
        let (end, jar, verifier) = bank_login(&bed, "kari", &[("acr_values", HIGH)]).await;
        let code = code_of(&bed, &end);
        let rp = redeem(&bed, &code, verifier).await;
        // bid;LOA=4 → high by the table, within the method's ceiling.
        assert_eq!(rp.acr, HIGH, "{setup:?}");
        assert!(!rp.amr.is_empty(), "{setup:?}: amr");
        assert_ne!(rp.sub, "kari", "{setup:?}: the RP gets our pairwise sub, never the bank's");
        // The identity comes from verified_claims (the account has no other name claims).
        assert_eq!(rp.info.given_name().and_then(|n| n.get(None)).map(|n| n.as_str()), Some("Kari"));
        assert_eq!(
            rp.info.family_name().and_then(|n| n.get(None)).map(|n| n.as_str()),
            Some("Nordmann")
        );
        assert_eq!(rp.info.birthdate().map(|d| d.as_str()), Some("1964-08-12"), "{setup:?}");
        // The upstream subject is namespaced by the method.
        let session_id = jar.session().expect("a session cookie");
        let session =
            buergerkonto::login::session::load(bed.broker.state.records(), &buergerkonto::ids::SessionId::new(session_id.as_str()))
                .await
                .unwrap()
                .expect("the session");
        assert_eq!(session.subject.0, format!("{METHOD}:kari"), "{setup:?}");
        assert_eq!(session.method.as_str(), METHOD);
        // A second login of the same customer: the same pairwise sub (it is an account, not a visit).
        let (end, _, verifier) = bank_login(&bed, "kari", &[("acr_values", HIGH)]).await;
        let again = redeem(&bed, &code_of(&bed, &end), verifier).await;
        assert_eq!(again.sub, rp.sub, "{setup:?}");
    }
}

#[tokio::test]
async fn the_level_follows_the_acr_table_and_is_never_silently_lowered() {
    if !crate::peers::require_oidc_provider() || !crate::peers::require_redis() {
        return;
    }
    let setup = PanvaSetup {
        id_token_alg: "ES256",
        client_alg: "ES256",
        inline_jwks: false,
        upstream_logout: false,
    };
    let bed = BankBed::panva("bank-levels", setup).await;
    // bis;LOA=3 → substantial: enough for the demo client's minimum …
    let (end, _, verifier) = bank_login(&bed, "ola", &[]).await;
    let rp = redeem(&bed, &code_of(&bed, &end), verifier).await;
    assert_eq!(rp.acr, SUBSTANTIAL);
    // … but not when the relying party asks for high: the bank answered with less.
    let (end, _, _) = bank_login(&bed, "ola", &[("acr_values", HIGH)]).await;
    assert_rp_error(&bed, &end, &[], "unmet_authentication_requirements", "bis;LOA=3 for high");
    // An acr the table does not know counts as basic: below the demo client's minimum.
    let (end, _, _) = bank_login(&bed, "odd", &[]).await;
    assert_rp_error(&bed, &end, &[], "unmet_authentication_requirements", "unknown acr");
}

#[tokio::test]
async fn verified_claims_count_only_under_an_accepted_trust_framework() {
    if !crate::peers::require_oidc_provider() || !crate::peers::require_redis() {
        return;
    }
    let setup = PanvaSetup {
        id_token_alg: "ES256",
        client_alg: "ES256",
        inline_jwks: true,
        upstream_logout: false,
    };
    let bed = BankBed::panva("bank-tf", setup).await;
    // "foreign": verified_claims under `eidas`, which this upstream does not accept.
    let (end, _, verifier) = bank_login(&bed, "foreign", &[]).await;
    let rp = redeem(&bed, &code_of(&bed, &end), verifier).await;
    // Only verified values are mapped: neither the ones under `eidas` nor the unverified
    // top-level given_name reach the relying party.
    assert!(rp.info.given_name().is_none(), "{:?}", rp.info.given_name());
    assert!(rp.info.family_name().is_none(), "{:?}", rp.info.family_name());
    assert!(rp.info.birthdate().is_none(), "{:?}", rp.info.birthdate());
}
