//! The token endpoint (RFC 6749 §3.2, §4.1.3, §5, §6; OIDC Core §3.1.3). One file per grant.
//!
//! Refresh tokens (OIDC Core §11): issued only when the client is configured with
//! `refresh_token_ttl_secs` **and** the grant includes the `offline_access` scope, which the
//! authorization side grants only with consent. A refresh token's family lives at most
//! `refresh_token_ttl` from the code redemption (absolute, not sliding).

pub mod authorization_code;
pub mod form;
pub mod grant;
pub mod refresh_token;

use crate::audit::{AuditEvent, EventKind};
use crate::ids::{Nonce, RefreshToken};
use crate::oidc_provider::broker::Broker;
use crate::oidc_provider::client_auth::{authenticate, ClientAuthError, PresentedCredentials};
use crate::oidc_provider::errors::{ErrorCode, OAuthError};
use crate::oidc_provider::records::Grant;
use crate::oidc_provider::settings::ClientConfig;
use crate::oidc_provider::tokens;
use authorization_code::{CodeRequest, RedeemError};
use form::FormParams;
use refresh_token::RefreshError;
use serde::Serialize;

/// RFC 6749 §5.1 successful token response (+ OIDC Core §3.1.3.3 `id_token`).
#[derive(Debug, Serialize)]
pub struct TokenResponse {
    /// The access token (RFC 9068 JWT).
    pub access_token: String,
    /// Always `Bearer`.
    pub token_type: &'static str,
    /// Seconds until the access token expires.
    pub expires_in: u64,
    /// ID token.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id_token: Option<String>,
    /// Refresh token.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<RefreshToken>,
    /// Granted scope.
    pub scope: String,
}

/// What the token-side endpoints (token, introspection, revocation) read of a request: the
/// `Authorization` header (client authentication, RFC 6749 §2.3.1), the `Content-Type` and the
/// form body (§3.2).
#[derive(Debug, Clone, Copy)]
pub struct TokenSideRequest<'a> {
    /// `Authorization`, when present and text.
    pub authorization: Option<&'a str>,
    /// `Content-Type`, when present and text.
    pub content_type: Option<&'a str>,
    /// The body.
    pub body: &'a [u8],
}

/// Authenticate the client of a token-side request (token, introspection, revocation).
pub async fn authenticate_client<'b>(
    broker: &'b Broker,
    authorization: Option<&str>,
    form: &FormParams,
) -> Result<&'b ClientConfig, OAuthError> {
    let creds = PresentedCredentials::from_parts(
        authorization,
        form.get("client_id"),
        form.get("client_secret"),
        form.get("client_assertion_type"),
        form.get("client_assertion"),
    );
    let basic_attempted = authorization.is_some_and(|a| a.trim_start().get(..6).is_some_and(|s| s.eq_ignore_ascii_case("basic ")));
    let result = match creds {
        Ok(creds) => authenticate(broker, &creds, broker.clock().unix()).await,
        Err(e) => Err(e),
    };
    result.map_err(|e| {
        let mut err = match e {
            ClientAuthError::Store(s) => return OAuthError::from(s),
            ClientAuthError::Assertion(crate::oidc_provider::client_auth::AssertionError::Store(s)) => return OAuthError::from(s),
            ClientAuthError::Multiple => OAuthError::new(ErrorCode::InvalidRequest, "use exactly one client authentication method"),
            other => {
                tracing::info!(reason = %other, "client authentication failed");
                OAuthError::new(ErrorCode::InvalidClient, "client authentication failed")
            }
        };
        err.basic_challenge = basic_attempted;
        err
    })
}

/// The token endpoint (`POST /token`): authenticate the client, then the grant.
pub async fn token(broker: &Broker, req: TokenSideRequest<'_>) -> Result<TokenResponse, OAuthError> {
    let form = FormParams::parse(req.content_type, req.body)?;
    let client = authenticate_client(broker, req.authorization, &form).await?;
    let now = broker.clock().unix();
    match form.require("grant_type", "grant_type missing")? {
        "authorization_code" => {
            let req = CodeRequest {
                code: form.get("code"),
                redirect_uri: form.get("redirect_uri"),
                code_verifier: form.get("code_verifier"),
            };
            // Absolute family lifetime from this redemption.
            let family_end = client.refresh_token_ttl.map(|ttl| now + ttl.as_secs() as i64);
            let redeemed = authorization_code::redeem(broker.records(), &client.id, &req, family_end, now)
                .await
                .map_err(map_redeem)?;
            let (grant, nonce) = (redeemed.grant, redeemed.nonce);
            let refresh = match family_end {
                Some(family_end) if grant.scopes.iter().any(|s| s == "offline_access") => {
                    // The grant (issued with the code's lifetime on top, login/code.rs) already
                    // outlives the family, so this rarely writes.
                    let grant = extend_grant(broker, grant.clone(), family_end, now).await?;
                    match redeemed.refresh_token {
                        Some(token) => Some(token),
                        // A code written before its record named the scopes.
                        None => Some(refresh_token::start_family(broker.records(), &grant, &grant.scopes, family_end, now).await?),
                    }
                }
                _ => None,
            };
            let scopes = grant.scopes.clone();
            let res = issue(broker, client, &grant, &scopes, nonce.as_ref(), refresh, now).await;
            audit_issued(broker, &res, client, &grant, "authorization_code");
            res
        }
        "refresh_token" => {
            let token = form.require("refresh_token", "refresh_token missing")?;
            let rotation = refresh_token::rotate(
                broker.records(),
                &client.id,
                token,
                form.get("scope"),
                broker.oidc().refresh_grace,
                now,
            )
            .await
            .map_err(|e| {
                if let RefreshError::Reused { sub } = &e {
                    broker.audit(
                        AuditEvent::new(EventKind::RefreshReuseDetected)
                            .client(client.id.as_str())
                            .subject(sub),
                    );
                }
                map_refresh(e)
            })?;
            let res = issue(
                broker,
                client,
                &rotation.grant,
                &rotation.scopes,
                None,
                Some(rotation.refresh_token),
                now,
            )
            .await;
            audit_issued(broker, &res, client, &rotation.grant, "refresh_token");
            res
        }
        _ => Err(OAuthError::new(
            ErrorCode::UnsupportedGrantType,
            "supported: authorization_code, refresh_token",
        )),
    }
}

/// The audit line of a successful token response (`reason`: the grant type).
fn audit_issued(broker: &Broker, res: &Result<TokenResponse, OAuthError>, client: &ClientConfig, grant: &Grant, grant_type: &'static str) {
    if res.is_ok() {
        broker.audit(
            AuditEvent::new(EventKind::TokensIssued)
                .client(client.id.as_str())
                .level(grant.level)
                .subject(&grant.sub)
                .reason(grant_type),
        );
    }
}

/// [`grant::extend_grant`] mapped to the wire: a grant revoked meanwhile is `invalid_grant`.
async fn extend_grant(broker: &Broker, grant: Grant, until: i64, now: i64) -> Result<Grant, OAuthError> {
    grant::extend_grant(broker.records(), grant, until, now).await.map_err(|e| match e {
        grant::ExtendError::Store(s) => OAuthError::from(s),
        grant::ExtendError::Revoked => {
            tracing::info!("grant revoked while tokens were being issued");
            OAuthError::new(ErrorCode::InvalidGrant, "grant revoked")
        }
    })
}

async fn issue(
    broker: &Broker,
    client: &ClientConfig,
    grant: &Grant,
    scopes: &[String],
    nonce: Option<&Nonce>,
    refresh_token: Option<RefreshToken>,
    now: i64,
) -> Result<TokenResponse, OAuthError> {
    let issuer = broker.issuer().as_str();
    // The grant must outlive the access token, or the token would die early at introspection.
    let grant = &extend_grant(broker, grant.clone(), now + client.access_token_ttl.as_secs() as i64, now).await?;
    let (access_token, _) = tokens::build_access_token(broker.keys(), issuer, client, grant, scopes, now)?;
    let id_token = if scopes.iter().any(|s| s == "openid") {
        Some(tokens::build_id_token(
            broker.keys(),
            issuer,
            client,
            grant,
            nonce,
            &access_token,
            now,
        )?)
    } else {
        None
    };
    Ok(TokenResponse {
        access_token,
        token_type: "Bearer",
        expires_in: client.access_token_ttl.as_secs(),
        id_token,
        refresh_token,
        scope: scopes.join(" "),
    })
}

fn map_redeem(e: RedeemError) -> OAuthError {
    match e {
        RedeemError::Store(s) => OAuthError::from(s),
        RedeemError::Request(d) => OAuthError::new(ErrorCode::InvalidRequest, d),
        other => {
            tracing::info!(reason = %other, "authorization code refused");
            OAuthError::new(ErrorCode::InvalidGrant, "authorization code invalid, expired or already used")
        }
    }
}

fn map_refresh(e: RefreshError) -> OAuthError {
    match e {
        RefreshError::Store(s) => OAuthError::from(s),
        RefreshError::ScopeWidened => OAuthError::new(ErrorCode::InvalidScope, "scope exceeds the original grant"),
        other => {
            tracing::info!(reason = %other, "refresh token refused");
            OAuthError::new(ErrorCode::InvalidGrant, "refresh token invalid, expired or revoked")
        }
    }
}
