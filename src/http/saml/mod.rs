//! The SAML service provider's HTTP edge: `GET /saml/metadata` and the ACS (`POST /saml/acs`).
//! The SAML domain code (`crate::saml`) takes no axum types; these handlers parse, call and map.

pub mod acs;

use crate::saml::{authn_request, metadata};
use crate::state::AppState;
use axum::extract::State;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use http::StatusCode;

/// SAML routes (`/saml/metadata`, `/saml/acs`).
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/saml/metadata", get(metadata_get))
        .route("/saml/acs", post(acs::acs_post))
}

/// `GET /saml/metadata`: our signed SP metadata (fresh ID and validUntil on every request).
async fn metadata_get(State(state): State<AppState>) -> Response {
    let Some(saml) = &state.config().saml else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let id = authn_request::RequestId::generate();
    // Where IdPs answer our LogoutRequests (SP-initiated SLO, issue 11 item 5).
    let logout_return = state.broker().issuer().url(crate::logout::upstream::RETURN_PATH);
    match metadata::signed_sp_metadata(&saml.sp, id.as_str(), Some(&logout_return), state.clock().now()) {
        Ok(xml) => (
            [
                (http::header::CONTENT_TYPE, "application/samlmetadata+xml"),
                (http::header::CACHE_CONTROL, "public, max-age=3600"),
            ],
            xml,
        )
            .into_response(),
        Err(e) => {
            tracing::error!(error = %e, "cannot sign SP metadata");
            let page = crate::web::simple_page(
                503,
                "Die SAML-Metadaten sind vorübergehend nicht verfügbar.",
                "The SAML metadata is temporarily unavailable.",
            );
            (StatusCode::SERVICE_UNAVAILABLE, Html(page)).into_response()
        }
    }
}
