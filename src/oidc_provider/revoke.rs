//! Token revocation (RFC 7009), client-authenticated (§2.1).
//!
//! - A refresh token revokes its whole grant (§2.1: the server SHOULD also invalidate the access
//!   tokens of the same authorization), so every token of that login for this client dies.
//! - An access token has its `jti` put on the revocation list ([`RecordKind::RevokedAccessToken`])
//!   until it expires.
//! - 200 with an empty body also for unknown, invalid or foreign tokens (§2.2); another client's
//!   token is left untouched.

use crate::oidc_provider::broker::Broker;
use crate::oidc_provider::errors::OAuthError;
use crate::oidc_provider::token::form::FormParams;
use crate::oidc_provider::token::{authenticate_client, refresh_token, TokenSideRequest};
use crate::oidc_provider::tokens::{live_access_token, TokenInvalid};
use crate::session::RecordKind;
use std::time::Duration;

/// Token revocation (`POST /revoke`).
pub async fn revoke(broker: &Broker, req: TokenSideRequest<'_>) -> Result<(), OAuthError> {
    let form = FormParams::parse(req.content_type, req.body)?;
    let client = authenticate_client(broker, req.authorization, &form).await?;
    let token = form.require("token", "token missing")?;
    let now = broker.clock().unix();
    if !token.contains('.') {
        if refresh_token::revoke(broker.records(), &client.id, token).await? == Some(true) {
            tracing::info!(client = %client.id, "refresh token revoked with its grant");
        }
        return Ok(());
    }
    let issuer = broker.issuer().as_str();
    match live_access_token(broker.keys(), broker.records(), issuer, token, now).await {
        Ok((c, _)) if c.client_id == client.id => {
            let ttl = Duration::from_secs(u64::try_from(c.exp - now).unwrap_or(1).max(1));
            broker.records().put(RecordKind::RevokedAccessToken, &c.jti, &1u8, ttl).await?;
            Ok(())
        }
        Err(TokenInvalid::Store(e)) => Err(e.into()),
        _ => Ok(()),
    }
}
