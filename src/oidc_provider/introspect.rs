//! Token introspection (RFC 7662), client-authenticated (§2.1).
//!
//! `{"active": false}` for anything unknown, expired, revoked, or issued to *another* client: a
//! client learns nothing about tokens that are not its own (§4: the server may limit what each
//! protected resource sees). Active access tokens and refresh tokens are described with `scope`,
//! `client_id`, `sub`, `exp`, `iat`, `iss`, `token_type`, `acr`, `amr`, `auth_time` (§2.2).

use crate::oidc_provider::broker::Broker;
use crate::oidc_provider::errors::OAuthError;
use crate::oidc_provider::token::form::FormParams;
use crate::oidc_provider::token::{authenticate_client, refresh_token, TokenSideRequest};
use crate::oidc_provider::tokens::{live_access_token, TokenInvalid};
use serde_json::{json, Value};

/// Token introspection (`POST /introspect`): the description of a token, or `{"active": false}`.
pub async fn introspect(broker: &Broker, req: TokenSideRequest<'_>) -> Result<Value, OAuthError> {
    let form = FormParams::parse(req.content_type, req.body)?;
    let client = authenticate_client(broker, req.authorization, &form).await?;
    let token = form.require("token", "token missing")?;
    let now = broker.clock().unix();
    let issuer = broker.issuer().as_str();
    // The hint is only an optimisation (RFC 7662 §2.1); both kinds are tried. JWT-shaped values are
    // access tokens, opaque values refresh tokens.
    if token.contains('.') {
        return match live_access_token(broker.keys(), broker.records(), issuer, token, now).await {
            Ok((c, _)) if c.client_id == client.id => Ok(json!({
                "active": true,
                "scope": c.scope,
                "client_id": c.client_id,
                "sub": c.sub,
                "aud": c.aud,
                "exp": c.exp,
                "iat": c.iat,
                "iss": c.iss,
                "jti": c.jti,
                "token_type": "Bearer",
                "acr": c.acr,
                "amr": c.amr,
                "auth_time": c.auth_time,
            })),
            Ok(_) => Ok(inactive()),
            Err(TokenInvalid::Store(e)) => Err(e.into()),
            Err(_) => Ok(inactive()),
        };
    }
    match refresh_token::active(broker.records(), token, now).await? {
        Some((r, g)) if r.client_id == client.id => Ok(json!({
            "active": true,
            "scope": r.scopes.join(" "),
            "client_id": r.client_id,
            "sub": g.sub,
            "exp": r.expires_at,
            "iat": r.issued_at,
            "iss": issuer,
            "token_type": "refresh_token",
            "acr": g.level.acr(),
            "amr": g.amr,
            "auth_time": g.auth_time,
        })),
        _ => Ok(inactive()),
    }
}

fn inactive() -> Value {
    json!({ "active": false })
}
