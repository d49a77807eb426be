//! Token introspection (RFC 7662), client-authenticated (§2.1).
//!
//! `{"active": false}` for anything unknown, expired, revoked, or issued to *another* client: a
//! client learns nothing about tokens that are not its own (§4: the server may limit what each
//! protected resource sees). Active access tokens and refresh tokens are described with `scope`,
//! `client_id`, `sub`, `exp`, `iat`, `iss`, `token_type`, `acr`, `amr`, `auth_time` (§2.2).

use crate::oidc_provider::errors::{no_store, OAuthError};
use crate::oidc_provider::token::form::FormParams;
use crate::oidc_provider::token::{authenticate_client, content_type, refresh_token};
use crate::oidc_provider::tokens::{live_access_token, TokenInvalid};
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::Json;
use http::HeaderMap;
use serde_json::{json, Value};

/// `POST /introspect`.
pub async fn introspect_create(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    match inner(&state, &headers, &body).await {
        Ok(v) => {
            let mut res = Json(v).into_response();
            no_store(&mut res);
            res
        }
        Err(e) => e.into_response(),
    }
}

async fn inner(state: &AppState, headers: &HeaderMap, body: &[u8]) -> Result<Value, OAuthError> {
    let form = FormParams::parse(content_type(headers), body)?;
    let client = authenticate_client(state, headers, &form).await?;
    let token = form.require("token", "token missing")?;
    let now = state.clock().unix();
    let issuer = &crate::oidc_provider::tokens::issuer(&state.config().server);
    // The hint is only an optimisation (RFC 7662 §2.1); both kinds are tried. JWT-shaped values are
    // access tokens, opaque values refresh tokens.
    if token.contains('.') {
        return match live_access_token(state.keys(), state.records(), issuer, token, now).await {
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
    match refresh_token::active(state.records(), token, now).await? {
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
