//! (HTTP edge) The return leg of `kind = "oidc"` methods, `GET /oidc/callback/{method}` (OIDC Core
//! §3.1.2.5), and the client JWKS the upstream OP reads for `private_key_jwt`.
//!
//! The callback is a top-level GET after the OP's redirect, so the `SameSite=Lax` binding cookie
//! arrives. The decisions (state, method path, the binding before the code is redeemed, then the
//! method and `continue_after_upstream`) are the login's: [`crate::login::oidc_return`].

use crate::login::oidc_return::{self, CallbackParams};
use crate::state::AppState;
use axum::extract::{Path, RawQuery, State};
use axum::response::Response;
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

/// `GET /oidc/callback/{method}`: a parameter sent twice makes the response unusable (RFC 6749
/// §3.1).
async fn callback_get(
    State(state): State<AppState>,
    Path(method): Path<String>,
    headers: http::HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    let presented = crate::http::login::browser::binding(&state, &headers);
    let outcome = match parse(query.as_deref()) {
        Some(params) => oidc_return::callback(state.broker(), &method, params, presented.as_ref()).await,
        None => {
            tracing::info!(method, "OIDC callback with a repeated parameter");
            crate::login::Next::Restart(crate::login::restart::unknown()).into()
        }
    };
    crate::http::login::respond_to(&state, &headers, outcome)
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
