//! Shared SAML 2.0 service-provider machinery (one SP entity, several upstream IdPs): AuthnRequest,
//! SP metadata, the ACS, profiles and attribute mapping. The XML security core (safe parsing,
//! exc-c14n, XML-DSig, XML-Enc 1.1, the Response check pipeline) is the workspace crate
//! `saml-xmlsec` (crates/saml-xmlsec), used here through its public API.

pub mod acs;
pub mod authn_request;
pub mod mapping;
pub mod metadata;
pub mod profile;
pub mod sp;
pub mod upstream;

#[cfg(test)]
pub(crate) mod test_support;

pub use upstream::SamlUpstream;

#[cfg(test)]
mod log_tests;

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
    match metadata::signed_sp_metadata(&saml.sp, id.as_str(), state.clock().now()) {
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
