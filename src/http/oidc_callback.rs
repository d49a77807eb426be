//! (HTTP edge) The return leg of `kind = "oidc"` methods, `GET /oidc/callback/{method}` (OIDC Core
//! §3.1.2.5), and the client JWKS the upstream OP reads for `private_key_jwt`.
//!
//! The callback is a top-level GET after the OP's redirect, so the `SameSite=Lax` binding cookie
//! arrives. Order (docs/bank-id.md, the contract of issue 10):
//! 1. `state`: unknown, expired or already used → the restart page; no redirect to a relying
//!    party (we cannot know whose request it would be).
//! 2. the method: a callback on another method's path than the one the login started (a code
//!    from another upstream, mix-up, RFC 9700 §4.4) ends the login with `access_denied`;
//! 3. the browser binding (issue 9 item 1), before the code is redeemed: another browser ends the
//!    login on the restart page and the code is never used;
//! 4. `Authenticator::finish`: `iss` (RFC 9207), code redemption, ID token, level, claims;
//! 5. [`continue_after_upstream`](crate::login::continue_after_upstream): session, consent, code.
//!
//! Whatever fails, the transaction record is gone (taken) and the pending login is ended by
//! `continue_after_upstream`: nothing of a failed login stays in the store.

use crate::authenticators::{AuthnError, UpstreamReturn};
use crate::http::error::AppError;
use crate::oidc_upstream::transaction;
use crate::state::AppState;
use axum::extract::{Path, RawQuery, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;

/// The callback route and one JWKS route per `private_key_jwt` upstream.
pub fn routes(state: &AppState) -> Router<AppState> {
    let mut router = Router::new().route("/oidc/callback/{method}", get(callback_get));
    for u in &state.config().oidc_upstreams {
        let (Some(path), Some(jwks)) = (&u.client_jwks_path, u.client_jwks()) else {
            continue;
        };
        let body = serde_json::to_string(&jwks).unwrap_or_else(|_| "{\"keys\":[]}".into());
        router = router.route(
            path,
            get(move || async move {
                (
                    [
                        (http::header::CONTENT_TYPE, "application/json"),
                        (http::header::CACHE_CONTROL, "public, max-age=300"),
                    ],
                    body,
                )
            }),
        );
    }
    router
}

/// The authorization response's parameters; a parameter sent twice makes it unusable
/// (RFC 6749 §3.1).
#[derive(Default)]
struct CallbackParams {
    code: Option<String>,
    state: Option<String>,
    iss: Option<String>,
    error: Option<String>,
}

fn parse(query: Option<&str>) -> Option<CallbackParams> {
    let mut p = CallbackParams::default();
    for (k, v) in url::form_urlencoded::parse(query.unwrap_or_default().as_bytes()) {
        let slot = match k.as_ref() {
            "code" => &mut p.code,
            "state" => &mut p.state,
            "iss" => &mut p.iss,
            "error" => &mut p.error,
            _ => continue,
        };
        if slot.replace(v.into_owned()).is_some() {
            return None;
        }
    }
    Some(p)
}

async fn callback_get(
    State(state): State<AppState>,
    Path(method): Path<String>,
    headers: http::HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    match callback(&state, &method, &headers, query.as_deref()).await {
        Ok(r) => r,
        Err(e) => e.into_response(),
    }
}

async fn callback(state: &AppState, method: &str, headers: &http::HeaderMap, query: Option<&str>) -> Result<Response, AppError> {
    let Some(params) = parse(query) else {
        tracing::info!(method, "OIDC callback with a repeated parameter");
        return Ok(crate::login::restart::page(state, None));
    };
    let Some(st) = params.state.clone().filter(|s| transaction::plausible_state(s)) else {
        tracing::info!(method, "OIDC callback without a usable state (unsolicited)");
        return Ok(crate::login::restart::page(state, None));
    };
    let Some(t) = transaction::peek(state.records(), &st).await? else {
        tracing::info!(method, "OIDC callback for an unknown, expired or used state");
        return Ok(crate::login::restart::page(state, None));
    };
    let presented = crate::login::binding::presented(state, headers);
    let end = |reason: &str| AuthnError::Rejected(reason.to_owned());
    // A callback on another method's path: the code may come from another upstream (mix-up).
    // The login ends; the binding is still checked first inside continue_after_upstream.
    let registered = state.methods().get(method).cloned();
    let Some(authenticator) = registered.filter(|_| t.method == method) else {
        tracing::warn!(path_method = method, started = %t.method, "OIDC callback on another method's path: refused");
        transaction::take(state.records(), &st).await?;
        return Ok(
            crate::login::continue_after_upstream(state, &t.pending_id, presented.as_ref(), Err(end("callback on the wrong path"))).await,
        );
    };
    // The binding, before the code is redeemed (issue 9 item 1): a callback replayed into another
    // browser must not make the broker use the code at all.
    let now = state.clock().unix();
    let bound = match crate::login::pending::load(state, &t.pending_id, now).await? {
        Some(p) => crate::login::binding::matches(&p.binding, presented.as_ref()),
        None => false,
    };
    if !bound {
        transaction::take(state.records(), &st).await?;
        return Ok(crate::login::continue_after_upstream(state, &t.pending_id, presented.as_ref(), Err(end("browser binding"))).await);
    }
    let input = UpstreamReturn::OidcCallback {
        code: params.code,
        state: Some(st),
        error: params.error,
        iss: params.iss,
    };
    let outcome = authenticator.finish(&t.pending_id, input, state.clock().now()).await;
    Ok(crate::login::continue_after_upstream(state, &t.pending_id, presented.as_ref(), outcome).await)
}

#[cfg(test)]
mod tests {
    use super::parse;

    #[test]
    fn repeated_parameters_make_the_response_unusable() {
        assert!(parse(Some("code=a&state=b&iss=c")).is_some());
        assert!(parse(Some("code=a&code=b&state=s")).is_none());
        assert!(parse(Some("state=a&state=a")).is_none());
        let p = parse(Some("error=access_denied&state=s&other=1")).unwrap();
        assert_eq!(p.error.as_deref(), Some("access_denied"));
        assert!(parse(None).is_some_and(|p| p.state.is_none()));
    }
}
