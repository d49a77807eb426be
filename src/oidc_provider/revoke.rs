//! Token revocation (RFC 7009), client-authenticated (§2.1).
//!
//! - A refresh token revokes its whole grant (§2.1: the server SHOULD also invalidate the access
//!   tokens of the same authorization), so every token of that login for this client dies.
//! - An access token has its `jti` put on the revocation list ([`RecordKind::RevokedAccessToken`])
//!   until it expires.
//! - 200 with an empty body also for unknown, invalid or foreign tokens (§2.2); another client's
//!   token is left untouched.

use crate::oidc_provider::errors::{no_store, OAuthError};
use crate::oidc_provider::token::form::FormParams;
use crate::oidc_provider::token::{authenticate_client, content_type, refresh_token};
use crate::oidc_provider::tokens::{live_access_token, TokenInvalid};
use crate::session::RecordKind;
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use http::{HeaderMap, StatusCode};
use std::time::Duration;

/// `POST /revoke`.
pub async fn revoke_create(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    match inner(&state, &headers, &body).await {
        Ok(()) => {
            let mut res = StatusCode::OK.into_response();
            no_store(&mut res);
            res
        }
        Err(e) => e.into_response(),
    }
}

async fn inner(state: &AppState, headers: &HeaderMap, body: &[u8]) -> Result<(), OAuthError> {
    let form = FormParams::parse(content_type(headers), body)?;
    let client = authenticate_client(state, headers, &form).await?;
    let token = form.require("token", "token missing")?;
    let now = state.clock().unix();
    if !token.contains('.') {
        if refresh_token::revoke(state.records(), &client.id, token).await? == Some(true) {
            tracing::info!(client = %client.id, "refresh token revoked with its grant");
        }
        return Ok(());
    }
    let issuer = &crate::oidc_provider::tokens::issuer(&state.config().server);
    match live_access_token(state.keys(), state.records(), issuer, token, now).await {
        Ok((c, _)) if c.client_id == client.id => {
            let ttl = Duration::from_secs(u64::try_from(c.exp - now).unwrap_or(1).max(1));
            state.records().put(RecordKind::RevokedAccessToken, &c.jti, &1u8, ttl).await?;
            Ok(())
        }
        Err(TokenInvalid::Store(e)) => Err(e.into()),
        _ => Ok(()),
    }
}
