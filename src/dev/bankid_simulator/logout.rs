//! The simulator's `end_session_endpoint` (OpenID Connect RP-Initiated Logout 1.0 §2), as a bank's
//! OP answers the broker ending its session: the `id_token_hint` must be one of our ID tokens (our
//! signature and issuer, the broker as audience; expired ones accepted, §2), `client_id` must match
//! it, and the `post_logout_redirect_uri` must be the one the broker registers
//! (`{broker}/logout/return`, §3: exact match). Then "the bank session ends" (the simulator keeps
//! none) and the browser goes back with `state`; anything else is a page, never a redirect.

use super::{issuer, not_found, page, upstream};
use crate::state::AppState;
use axum::extract::{RawQuery, State};
use axum::response::{IntoResponse, Redirect, Response};
use http::StatusCode;
use jsonwebtoken::Algorithm;
use serde_json::Value;

/// `GET /dev/bankid/logout`.
pub(super) async fn logout_get(State(state): State<AppState>, headers: http::HeaderMap, RawQuery(q): RawQuery) -> Response {
    let Some(u) = upstream(&state) else { return not_found() };
    let Some(key) = u.dev_simulator.as_ref() else { return not_found() };
    let q: Vec<(String, String)> = url::form_urlencoded::parse(q.unwrap_or_default().as_bytes()).into_owned().collect();
    let get = |k: &str| q.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
    let loc = crate::web::locale::negotiate(None, get("ui_locales"), &headers);
    let refuse = |why: &str| {
        (
            StatusCode::BAD_REQUEST,
            page(
                loc,
                crate::dev::sim_page::pick(loc, "Abmeldung abgelehnt", "Logout refused"),
                &format!("<p>{}</p>", crate::web::escape(why)),
                None,
            ),
        )
            .into_response()
    };
    let Some(hint) = get("id_token_hint") else {
        return refuse("id_token_hint missing");
    };
    let Ok(claims) = crate::oidc_upstream::id_token::verify_signature(hint, &[Algorithm::ES256], &key.jwks().keys) else {
        return refuse("id_token_hint is not one of our ID tokens");
    };
    let s = |k: &str| claims.get(k).and_then(Value::as_str);
    let client_id = u.settings.client_id.as_str();
    if s("iss") != Some(issuer(u)) || s("aud") != Some(client_id) || get("client_id").is_some_and(|c| c != client_id) {
        return refuse("id_token_hint was not issued to this client");
    }
    let registered = state.broker().issuer().url(crate::logout::upstream::RETURN_PATH);
    match get("post_logout_redirect_uri") {
        Some(r) if r == registered => {}
        _ => return refuse("post_logout_redirect_uri is not registered"),
    }
    let Ok(mut back) = url::Url::parse(&registered) else {
        return refuse("return URI");
    };
    if let Some(st) = get("state") {
        back.query_pairs_mut().append_pair("state", st);
    }
    Redirect::to(back.as_str()).into_response()
}
