//! The way back from the mTLS listener to the main listener: a one-time token (60 s, single use)
//! that stands for the verified identity and the parked authorization.

use crate::authenticators::VerifiedIdentity;
use crate::http::error::AppError;
use crate::session::{RecordKind, StoreError};
use crate::state::AppState;
use axum::extract::{Query, State};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde::{Deserialize, Serialize};
use std::time::Duration;

const KIND: RecordKind = RecordKind::Other("cert-return");
const TTL: Duration = Duration::from_secs(60);

/// What the token stands for.
#[derive(Serialize, Deserialize)]
pub struct CertReturn {
    /// The parked authorization.
    pub pending_id: String,
    /// The verified identity.
    pub identity: VerifiedIdentity,
}

/// Park a verified identity; returns the token.
pub async fn park(state: &AppState, pending_id: &str, identity: VerifiedIdentity) -> Result<String, StoreError> {
    let token = crate::ids::random_id();
    state
        .records()
        .put(
            KIND,
            &token,
            &CertReturn {
                pending_id: pending_id.to_owned(),
                identity,
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

async fn cert_return(State(state): State<AppState>, Query(q): Query<ReturnQuery>) -> Result<Response, AppError> {
    match state.records().take::<CertReturn>(KIND, &q.token).await? {
        Some(r) => Ok(crate::login::continue_after_upstream(&state, &r.pending_id, Ok(r.identity)).await),
        None => Ok((
            http::StatusCode::BAD_REQUEST,
            Html(crate::web::simple_page(
                400,
                "Dieser Anmeldelink ist abgelaufen oder wurde schon benutzt. Bitte starten Sie die Anmeldung beim Dienst erneut.",
                "This login link has expired or was already used. Please start the login at the service again.",
            )),
        )
            .into_response()),
    }
}
