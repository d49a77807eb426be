//! The userinfo endpoint (OIDC Core §5.3), GET and POST.
//!
//! - The access token comes as `Authorization: Bearer` (RFC 6750 §2.1) or, for POST, as the
//!   `access_token` form parameter (§2.2); using both is `invalid_request` (§2).
//! - It must be live ([`crate::oidc_provider::tokens::live_access_token`]): our signature and
//!   `typ: at+jwt` (an ID token is refused), issuer, `exp` (injected clock), grant present, `jti`
//!   not revoked. Otherwise 401 `WWW-Authenticate: Bearer error="invalid_token"` (§3.1); no token
//!   at all is a bare `WWW-Authenticate: Bearer` challenge.
//! - The answer: `sub`, `acr`, `amr`, `auth_time` and the grant's released claims, limited to the
//!   token's scope (a refresh may have narrowed it).

use crate::oidc_provider::broker::Broker;
use crate::oidc_provider::errors::BearerError;
use crate::oidc_provider::records::Grant;
use crate::oidc_provider::token::form::{is_form_content_type, FormParams};
use crate::oidc_provider::tokens::{live_access_token, TokenInvalid};

/// The scope → claims table lives in one place: `oidc_provider::claims`.
pub use crate::oidc_provider::claims::SCOPE_CLAIMS;

/// The scope that releases `claim`, if any.
pub fn scope_of_claim(claim: &str) -> Option<&'static str> {
    SCOPE_CLAIMS.iter().find(|(_, cs)| cs.contains(&claim)).map(|(s, _)| *s)
}

/// The userinfo body for a grant seen through a token with `scopes`.
pub fn userinfo_claims(grant: &Grant, scopes: &[String]) -> serde_json::Map<String, serde_json::Value> {
    let full = grant.scopes.iter().all(|g| scopes.contains(g));
    let mut out = serde_json::Map::new();
    for (name, value) in &grant.claims {
        let allowed = full || scope_of_claim(name).is_some_and(|s| scopes.iter().any(|t| t == s));
        if allowed {
            out.insert(name.clone(), value.clone());
        }
    }
    if let Some(org) = &grant.organisation {
        if scopes.iter().any(|s| s == "org") {
            if let Ok(v) = serde_json::to_value(org) {
                out.insert("org".into(), v);
            }
        }
    }
    // Protocol claims last so a released attribute can never shadow them.
    out.insert("sub".into(), grant.sub.clone().into());
    out.insert("acr".into(), grant.level.acr().into());
    out.insert("amr".into(), grant.amr.clone().into());
    out.insert("auth_time".into(), grant.auth_time.into());
    out
}

/// What userinfo reads of a request.
#[derive(Debug, Clone, Copy)]
pub struct BearerRequest<'a> {
    /// The raw `Authorization` header, when present.
    pub authorization: Option<&'a [u8]>,
    /// `Content-Type`, when present and text.
    pub content_type: Option<&'a str>,
    /// The body of a POST (RFC 6750 §2.2 allows the token there); `None` for GET.
    pub body: Option<&'a [u8]>,
}

/// The bearer token of a request (RFC 6750 §2.1/§2.2).
fn bearer_token(req: &BearerRequest<'_>) -> Result<String, BearerError> {
    let header = match req.authorization {
        Some(v) => {
            let v = std::str::from_utf8(v).map_err(|_| BearerError::InvalidRequest)?;
            match v.split_once(' ') {
                Some((scheme, token)) if scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty() => Some(token.trim().to_owned()),
                _ => return Err(BearerError::InvalidRequest),
            }
        }
        None => None,
    };
    let form = match req.body {
        Some(b) if is_form_content_type(req.content_type) => FormParams::parse_body(b)
            .map_err(|_| BearerError::InvalidRequest)?
            .get("access_token")
            .map(str::to_owned),
        _ => None,
    };
    match (header, form) {
        (Some(_), Some(_)) => Err(BearerError::InvalidRequest),
        (Some(t), None) | (None, Some(t)) => Ok(t),
        (None, None) => Err(BearerError::Missing),
    }
}

/// The userinfo answer (OIDC Core §5.3.2) for a live access token.
pub async fn userinfo(broker: &Broker, req: BearerRequest<'_>) -> Result<serde_json::Map<String, serde_json::Value>, BearerError> {
    let token = bearer_token(&req)?;
    let issuer = broker.issuer().as_str();
    match live_access_token(broker.keys(), broker.records(), issuer, &token, broker.clock().unix()).await {
        Ok((claims, grant)) => Ok(userinfo_claims(&grant, &claims.scopes())),
        Err(TokenInvalid::Store(e)) => {
            tracing::error!(error = %e, "userinfo: store unavailable");
            Err(BearerError::Unavailable)
        }
        Err(e) => {
            tracing::info!(reason = %e, "userinfo: token refused");
            Err(BearerError::InvalidToken)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::trust::TrustLevel;

    fn grant(scopes: &[&str]) -> Grant {
        let mut claims = crate::identity::Attributes::new();
        claims.insert("given_name".into(), "Erika".into());
        claims.insert("address".into(), serde_json::json!({"locality": "Köln"}));
        claims.insert("unlisted_claim".into(), "x".into());
        claims.insert("sub".into(), "spoofed".into());
        Grant {
            id: "g".into(),
            client_id: "c".into(),
            sub: "s".into(),
            scopes: scopes.iter().map(|s| s.to_string()).collect(),
            claims,
            id_token_claims: vec![],
            organisation: None,
            level: TrustLevel::Substantial,
            amr: vec!["eid".into()],
            auth_time: 1,
            sid: "sid".into(),
            created_at: 0,
            expires_at: 10,
        }
    }

    #[test]
    fn full_scope_releases_the_grant_and_narrow_scope_fails_closed() {
        let g = grant(&["openid", "profile", "address"]);
        let all: Vec<String> = g.scopes.clone();
        let full = userinfo_claims(&g, &all);
        assert_eq!(full["sub"], "s", "a released attribute never shadows sub");
        assert!(full.contains_key("unlisted_claim") && full.contains_key("address"));
        let narrow = userinfo_claims(&g, &["openid".to_owned(), "profile".to_owned()]);
        assert!(narrow.contains_key("given_name"));
        assert!(!narrow.contains_key("address"), "address scope dropped");
        assert!(!narrow.contains_key("unlisted_claim"), "unknown claims withheld when narrowed");
        assert_eq!(narrow["acr"], "http://eidas.europa.eu/LoA/substantial");
    }
}
