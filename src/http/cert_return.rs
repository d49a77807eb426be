//! (HTTP edge) The way back from the mTLS listener to the main listener: a one-time token (60 s, single use)
//! that stands for the outcome — the verified identity, or the refusal — and the parked authorization.
//!
//! A refusal travels the same way (issue 15 item 5): the login ends on the main listener like any
//! upstream failure, so the person reads the specific text on the site's failure page (in the
//! request's language, with the switch) and the relying party gets the stable reason
//! (`certificate_revoked`, …) in `error_description`.
//!
//! The token is stored under its SHA-256, like codes and refresh tokens (issue 9 item 6): a dump
//! of the store does not reveal a live return link. The return is a top-level GET navigation, so
//! the browser sends its `SameSite=Lax` binding cookie, and
//! [`continue_after_upstream`](crate::login::continue_after_upstream) refuses a browser that did
//! not start the login (issue 9 item 1): a captured return link is useless in another browser.

use crate::authenticators::AuthnError;
use crate::http::error::AppError;
use crate::identity::VerifiedIdentity;
use crate::ids::PendingId;
use crate::session::{RecordKind, StoreError};
use crate::state::AppState;
use axum::extract::{Query, State};
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// Store kind of parked certificate returns.
pub const KIND: RecordKind = RecordKind::Other("cert-return");
const TTL: Duration = Duration::from_secs(60);

/// What the token stands for.
#[derive(Serialize, Deserialize)]
pub struct CertReturn {
    /// The parked authorization.
    pub pending_id: PendingId,
    /// The verified identity, or why the certificate was refused.
    pub outcome: Result<VerifiedIdentity, AuthnError>,
}

/// The store id of a return token.
pub fn store_id(token: &str) -> String {
    crate::ids::store_id(token)
}

/// Park a verified identity; returns the token.
pub async fn park(state: &AppState, pending_id: &PendingId, identity: VerifiedIdentity) -> Result<String, StoreError> {
    park_outcome(state, pending_id, Ok(identity)).await
}

/// Park a refusal; returns the token.
pub async fn park_refusal(state: &AppState, pending_id: &PendingId, failure: AuthnError) -> Result<String, StoreError> {
    park_outcome(state, pending_id, Err(failure)).await
}

async fn park_outcome(
    state: &AppState,
    pending_id: &PendingId,
    outcome: Result<VerifiedIdentity, AuthnError>,
) -> Result<String, StoreError> {
    let token = crate::ids::random_id();
    state
        .records()
        .put(
            KIND,
            &store_id(&token),
            &CertReturn {
                pending_id: pending_id.clone(),
                outcome,
            },
            TTL,
        )
        .await?;
    Ok(token)
}

/// Main-listener route.
pub fn routes() -> Router<AppState> {
    Router::new().route("/cert/return", get(cert_return))
}

#[derive(Deserialize)]
struct ReturnQuery {
    token: String,
}

async fn cert_return(State(state): State<AppState>, headers: http::HeaderMap, Query(q): Query<ReturnQuery>) -> Result<Response, AppError> {
    if !crate::login::pending::plausible_id(&q.token) {
        return Ok(super::login::restart::page(
            state.site(),
            crate::login::restart::unknown(),
            crate::web::locale::negotiate(None, None, &headers),
        ));
    }
    // Taken (single use) before the binding check, so a link tried in the wrong browser is spent.
    match state.records().take::<CertReturn>(KIND, &store_id(&q.token)).await? {
        Some(r) => {
            let presented = super::login::browser::binding(&state, &headers);
            Ok(super::login::continue_for(&state, &headers, &r.pending_id, presented.as_ref(), r.outcome).await)
        }
        None => {
            tracing::info!("certificate return link unknown, expired or already used");
            Ok(super::login::restart::page(
                state.site(),
                crate::login::restart::unknown(),
                crate::web::locale::negotiate(None, None, &headers),
            ))
        }
    }
}
