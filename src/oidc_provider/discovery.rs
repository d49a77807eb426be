//! Provider metadata (OpenID Connect Discovery 1.0 §3, RFC 8414 §2) at
//! `/.well-known/openid-configuration` (§4).
//!
//! It advertises exactly what is implemented: every value here has code and a test behind it.
//! Absent on purpose: `request_object_*` (JAR), PAR, DPoP, front-channel logout (browsers block
//! the third-party cookies it needs; docs/relying-parties.md) and session management.
//!
//! Logout (issue 11): `end_session_endpoint` (RP-Initiated Logout 1.0 §2.1, `http/logout.rs`),
//! `backchannel_logout_supported` and `backchannel_logout_session_supported` (Back-Channel Logout
//! 1.0 §2.1: every logout token carries `sid`, and every ID token has one).

use crate::oidc_provider::broker::Broker;
use crate::oidc_provider::claims::SCOPE_CLAIMS;
use crate::oidc_provider::settings::KNOWN_SCOPES;
use crate::trust::TrustLevel;
use serde_json::{json, Value};

/// Client authentication methods of the token, introspection and revocation endpoints.
pub const AUTH_METHODS: [&str; 3] = ["client_secret_basic", "client_secret_post", "private_key_jwt"];

/// Claims that may appear in ID tokens or userinfo responses.
pub fn claims_supported() -> Vec<&'static str> {
    let mut out = vec![
        "sub",
        "iss",
        "aud",
        "exp",
        "iat",
        "auth_time",
        "nonce",
        "acr",
        "amr",
        "sid",
        "azp",
        "at_hash",
    ];
    for (_, claims) in SCOPE_CLAIMS {
        out.extend(claims.iter().filter(|c| !out.contains(c)).collect::<Vec<_>>());
    }
    out
}

/// The metadata document.
pub fn metadata(broker: &Broker) -> Value {
    let server = broker.issuer();
    let assertion_algs: Vec<&str> = crate::oidc_provider::client_auth::ASSERTION_ALGS
        .iter()
        .map(|a| match a {
            jsonwebtoken::Algorithm::RS256 => "RS256",
            jsonwebtoken::Algorithm::PS256 => "PS256",
            jsonwebtoken::Algorithm::ES256 => "ES256",
            _ => "EdDSA",
        })
        .collect();
    let id_token_algs: Vec<&str> = broker.keys().signing_algs().iter().map(|a| a.as_str()).collect();
    let acr: Vec<&str> = TrustLevel::ALL.iter().map(|l| l.acr()).collect();
    json!({
        // §3: the issuer exactly as it appears in `iss`.
        "issuer": server.as_str(),
        "authorization_endpoint": server.url("/authorize"),
        "token_endpoint": server.url("/token"),
        "userinfo_endpoint": server.url("/userinfo"),
        "jwks_uri": server.url("/jwks"),
        "introspection_endpoint": server.url("/introspect"),
        "revocation_endpoint": server.url("/revoke"),
        "scopes_supported": KNOWN_SCOPES,
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "grant_types_supported": ["authorization_code", "refresh_token"],
        "subject_types_supported": ["pairwise", "public"],
        "id_token_signing_alg_values_supported": id_token_algs,
        "token_endpoint_auth_methods_supported": AUTH_METHODS,
        "token_endpoint_auth_signing_alg_values_supported": assertion_algs,
        "introspection_endpoint_auth_methods_supported": AUTH_METHODS,
        "introspection_endpoint_auth_signing_alg_values_supported": assertion_algs,
        "revocation_endpoint_auth_methods_supported": AUTH_METHODS,
        "revocation_endpoint_auth_signing_alg_values_supported": assertion_algs,
        // RFC 7636: plain is refused.
        "code_challenge_methods_supported": ["S256"],
        "claims_parameter_supported": true,
        "claim_types_supported": ["normal"],
        "claims_supported": claims_supported(),
        "acr_values_supported": acr,
        // RFC 9207 §3.
        "authorization_response_iss_parameter_supported": true,
        // Defaults would be false/true; stated explicitly (request_uri defaults to *true*).
        "request_parameter_supported": false,
        "request_uri_parameter_supported": false,
        "ui_locales_supported": ["de", "en"],
        "prompt_values_supported": ["none", "login", "consent"],
        "end_session_endpoint": server.url("/logout"),
        "backchannel_logout_supported": true,
        "backchannel_logout_session_supported": true,
    })
}
