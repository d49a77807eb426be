//! The authorization request (OIDC Core §3.1.2.1): code flow, PKCE S256 (RFC 7636 §4.2; RFC 9700
//! §2.1.1), a fresh `state` and `nonce` per login, and the upstream acr values that meet the
//! required level (never the relying party's raw `acr_values`, oidc-landscape §2.1) — as
//! `acr_values`, or as an essential `acr` in the `claims` parameter where the OP supports it
//! (OIDC Core §5.5.1.1). With PAR (RFC 9126) the parameters travel in the back channel and the
//! browser carries only `client_id` and `request_uri`, so they cannot be altered on the way.

use super::acr::AcrTable;
use super::discovery::Provider;
use super::error::OidcUpstreamError;
use crate::trust::TrustLevel;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use sha2::Digest;
use url::Url;

/// The per-login secrets (kept sealed in the store until the callback).
#[derive(Debug, Clone)]
pub struct LoginSecrets {
    /// `state`: finds the login again at the callback.
    pub state: String,
    /// `nonce`: binds the ID token to this request.
    pub nonce: String,
    /// PKCE `code_verifier` (43 characters of 256 random bits).
    pub verifier: String,
}

impl LoginSecrets {
    /// Fresh values (256 bits each).
    pub fn fresh() -> Self {
        Self {
            state: crate::ids::random_id(),
            nonce: crate::ids::random_id(),
            verifier: crate::ids::random_id(),
        }
    }

    /// The S256 `code_challenge`.
    pub fn challenge(&self) -> String {
        URL_SAFE_NO_PAD.encode(sha2::Sha256::digest(self.verifier.as_bytes()))
    }
}

/// What the request asks for besides the fixed parameters.
#[derive(Debug, Clone)]
pub struct RequestShape<'a> {
    /// Our client id.
    pub client_id: &'a str,
    /// The callback of the method.
    pub redirect_uri: &'a Url,
    /// Scopes (`openid` added when missing).
    pub scopes: &'a [String],
    /// The acr table.
    pub acr: &'a AcrTable,
    /// The level the relying party needs.
    pub required: TrustLevel,
    /// `max_age` to send.
    pub max_age: Option<u64>,
    /// `ui_locales`.
    pub locale: &'a str,
    /// A `login_hint` to pass on (already checked for shape).
    pub login_hint: Option<&'a str>,
}

/// The authorization request parameters.
pub fn parameters(
    shape: &RequestShape<'_>,
    provider: &Provider,
    secrets: &LoginSecrets,
) -> Result<Vec<(String, String)>, OidcUpstreamError> {
    let mut scopes: Vec<&str> = vec!["openid"];
    scopes.extend(shape.scopes.iter().map(String::as_str).filter(|s| *s != "openid"));
    let mut p: Vec<(String, String)> = vec![
        ("response_type".into(), "code".into()),
        ("client_id".into(), shape.client_id.into()),
        ("redirect_uri".into(), shape.redirect_uri.to_string()),
        ("scope".into(), scopes.join(" ")),
        ("state".into(), secrets.state.clone()),
        ("nonce".into(), secrets.nonce.clone()),
        ("code_challenge".into(), secrets.challenge()),
        ("code_challenge_method".into(), "S256".into()),
    ];
    if !shape.acr.is_empty() {
        let values = shape.acr.values_meeting(shape.required);
        if values.is_empty() {
            // No value of this OP reaches the level: asking would only end in a refusal.
            return Err(OidcUpstreamError::LevelTooLow);
        }
        if provider.claims_parameter_supported {
            let claims = serde_json::json!({"id_token": {"acr": {"essential": true, "values": values}}});
            p.push(("claims".into(), claims.to_string()));
        } else {
            p.push(("acr_values".into(), values.join(" ")));
        }
    }
    if let Some(m) = shape.max_age {
        p.push(("max_age".into(), m.to_string()));
    }
    if shape.locale == "de" || shape.locale == "en" {
        p.push(("ui_locales".into(), shape.locale.into()));
    }
    if let Some(h) = shape.login_hint {
        p.push(("login_hint".into(), h.into()));
    }
    Ok(p)
}

/// A `login_hint` fit to pass on: short, printable, no spaces (never forwarded unchecked).
pub fn plausible_login_hint(h: &str) -> bool {
    !h.is_empty() && h.len() <= 128 && h.bytes().all(|b| b.is_ascii_graphic())
}

/// The browser's URL: the authorization endpoint with `params` added to its own query.
pub fn front_channel_url(endpoint: &Url, params: &[(String, String)]) -> Url {
    let mut u = endpoint.clone();
    u.query_pairs_mut().extend_pairs(params);
    u
}

/// RFC 9126 §2.2: the PAR response.
#[derive(Debug, serde::Deserialize)]
pub struct ParResponse {
    /// The reference to pass in the front channel.
    pub request_uri: String,
    /// Its lifetime in seconds.
    #[serde(default)]
    pub expires_in: Option<u64>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::oidc_upstream::acr::AcrProfile;

    fn provider(claims: bool) -> Provider {
        let doc = serde_json::json!({
            "issuer": "https://op.example", "authorization_endpoint": "https://op.example/auth?x=1",
            "token_endpoint": "https://op.example/token", "jwks_uri": "https://op.example/jwks",
            "response_types_supported": ["code"], "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["ES256"], "claims_parameter_supported": claims
        });
        crate::oidc_upstream::discovery::parse_metadata(doc.to_string().as_bytes(), "https://op.example")
            .unwrap()
            .0
    }

    fn get<'a>(p: &'a [(String, String)], k: &str) -> Option<&'a str> {
        p.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str())
    }

    #[test]
    fn the_request_has_pkce_state_nonce_and_acr_values() {
        let acr = AcrTable::new(AcrProfile::NorwayBankId, &[]);
        let redirect = Url::parse("https://broker.example/oidc/callback/bankid").unwrap();
        let scopes = vec!["profile".to_owned(), "openid".to_owned()];
        let shape = RequestShape {
            client_id: "bk",
            redirect_uri: &redirect,
            scopes: &scopes,
            acr: &acr,
            required: TrustLevel::High,
            max_age: Some(300),
            locale: "en",
            login_hint: None,
        };
        let s = LoginSecrets::fresh();
        let p = parameters(&shape, &provider(false), &s).unwrap();
        assert_eq!(get(&p, "scope"), Some("openid profile"));
        assert_eq!(get(&p, "code_challenge_method"), Some("S256"));
        assert_eq!(get(&p, "code_challenge").unwrap().len(), 43);
        assert_ne!(get(&p, "code_challenge"), Some(s.verifier.as_str()));
        assert_eq!(get(&p, "acr_values"), Some("urn:bankid:bid;LOA=4 urn:bankid:bim;LOA=4"));
        assert_eq!(get(&p, "max_age"), Some("300"));
        assert_ne!(s.state, s.nonce);
        // With the claims parameter: essential acr instead.
        let p = parameters(&shape, &provider(true), &s).unwrap();
        assert!(get(&p, "acr_values").is_none());
        let claims: serde_json::Value = serde_json::from_str(get(&p, "claims").unwrap()).unwrap();
        assert_eq!(claims["id_token"]["acr"]["essential"], true);
        let url = front_channel_url(&provider(false).authorization_endpoint, &p);
        assert!(url.as_str().starts_with("https://op.example/auth?x=1&response_type=code"));
    }

    #[test]
    fn a_level_no_value_reaches_is_refused_before_the_redirect() {
        let acr = AcrTable::new(AcrProfile::Yes, &[]);
        let redirect = Url::parse("https://b.example/cb").unwrap();
        let shape = RequestShape {
            client_id: "bk",
            redirect_uri: &redirect,
            scopes: &[],
            acr: &acr,
            required: TrustLevel::High,
            max_age: None,
            locale: "de",
            login_hint: Some("x"),
        };
        assert!(matches!(
            parameters(&shape, &provider(false), &LoginSecrets::fresh()),
            Err(OidcUpstreamError::LevelTooLow)
        ));
        assert!(plausible_login_hint("BIS") && !plausible_login_hint("a b") && !plausible_login_hint(""));
    }
}
