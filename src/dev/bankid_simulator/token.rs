//! The simulator's token endpoint and its client authentication: `private_key_jwt` only
//! (RFC 7523 §3): signature by the broker's client key, `iss` = `sub` = client id, `aud` naming
//! this OP (issuer, token or PAR endpoint), a lifetime of at most 60 s (plus skew), a `jti` used
//! once. The code is single use, bound to the redirect URI, the client and the PKCE challenge.

use super::{field, issuer, oauth_error, persons, upstream, Issued, CODE_KIND};
use crate::config::oidc_upstream::OidcUpstreamConfig;
use crate::oidc_upstream::client_auth::ASSERTION_TYPE;
use crate::oidc_upstream::ClientAuth;
use crate::session::RecordKind;
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::Json;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use http::StatusCode;
use jsonwebtoken::Algorithm;
use serde_json::{json, Value};
use sha2::Digest;
use std::time::Duration;

const JTI_KIND: RecordKind = RecordKind::Other("dev-bankid-jti");

/// Check the client assertion of a PAR or token request; the error is the response to send.
pub(super) async fn authenticate_client(state: &AppState, u: &OidcUpstreamConfig, form: &[(String, String)]) -> Result<(), Response> {
    let invalid = || oauth_error(StatusCode::UNAUTHORIZED, "invalid_client");
    let ClientAuth::PrivateKeyJwt(key) = &u.settings.client_auth else {
        return Err(invalid());
    };
    if field(form, "client_assertion_type") != Some(ASSERTION_TYPE) {
        return Err(invalid());
    }
    let client_id = &u.settings.client_id;
    if field(form, "client_id").is_some_and(|c| c != client_id) {
        return Err(invalid());
    }
    let assertion = field(form, "client_assertion").ok_or_else(invalid)?;
    let claims = crate::oidc_upstream::id_token::verify_signature(assertion, &[Algorithm::ES256, Algorithm::PS256], &key.jwks().keys)
        .map_err(|_| invalid())?;
    let s = |k: &str| claims.get(k).and_then(Value::as_str);
    let iss = issuer(u);
    let audiences = [iss.to_owned(), format!("{iss}/token"), format!("{iss}/par")];
    let aud_ok = match claims.get("aud") {
        Some(Value::String(a)) => audiences.contains(a),
        Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).any(|x| audiences.iter().any(|y| y == x)),
        _ => false,
    };
    let now = state.clock().unix();
    let exp = claims.get("exp").and_then(Value::as_i64).unwrap_or(0);
    if s("iss") != Some(client_id) || s("sub") != Some(client_id) || !aud_ok || exp <= now || exp > now + 65 {
        return Err(invalid());
    }
    let jti = s("jti").filter(|j| !j.is_empty()).ok_or_else(invalid)?;
    match state.records().first_sighting(JTI_KIND, jti, Duration::from_secs(120)).await {
        Ok(true) => Ok(()),
        _ => Err(invalid()),
    }
}

/// `POST /token`.
pub(super) async fn token_post(State(state): State<AppState>, body: Bytes) -> Response {
    let Some(u) = upstream(&state) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let form: Vec<(String, String)> = url::form_urlencoded::parse(&body).into_owned().collect();
    if let Err(e) = authenticate_client(&state, u, &form).await {
        return e;
    }
    if field(&form, "grant_type") != Some("authorization_code") {
        return oauth_error(StatusCode::BAD_REQUEST, "unsupported_grant_type");
    }
    let code = field(&form, "code").unwrap_or_default();
    let issued: Option<Issued> = state.records().take(CODE_KIND, &crate::ids::store_id(code)).await.ok().flatten();
    let verifier = field(&form, "code_verifier").unwrap_or_default();
    let challenge = URL_SAFE_NO_PAD.encode(sha2::Sha256::digest(verifier.as_bytes()));
    let Some(issued) = issued.filter(|i| {
        i.client_id == u.settings.client_id
            && Some(i.redirect_uri.as_str()) == field(&form, "redirect_uri")
            && i.code_challenge == challenge
    }) else {
        return oauth_error(StatusCode::BAD_REQUEST, "invalid_grant");
    };
    let (Some(person), Some(key)) = (persons::find(&issued.person), u.dev_simulator.as_ref()) else {
        return oauth_error(StatusCode::INTERNAL_SERVER_ERROR, "server_error");
    };
    let now = state.clock().unix();
    let mut claims = json!({
        "iss": issuer(u), "sub": person.sub, "aud": u.settings.client_id, "exp": now + 300, "iat": now,
        "auth_time": issued.auth_time, "nonce": issued.nonce, "acr": person.acr, "amr": [person.amr],
    });
    if let (Some(c), Value::Object(extra)) = (claims.as_object_mut(), (person.claims)()) {
        c.extend(extra);
    }
    let Ok(id_token) = key.sign("JWT", &claims) else {
        return oauth_error(StatusCode::INTERNAL_SERVER_ERROR, "server_error");
    };
    (
        [(http::header::CACHE_CONTROL, "no-store")],
        Json(json!({"access_token": crate::ids::random_id(), "token_type": "Bearer", "expires_in": 300, "id_token": id_token})),
    )
        .into_response()
}
