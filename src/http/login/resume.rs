//! (HTTP edge) `GET /login/continue/{handle}`: the same-site continue leg after a cross-site
//! return (the SAML ACS), where the browser's binding cookie arrives (`login/resume.rs`).

use super::{browser, respond_to};
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::response::Response;
use http::HeaderMap;

/// `GET /login/continue/{handle}`.
pub async fn continue_get(State(state): State<AppState>, Path(handle): Path<String>, headers: HeaderMap) -> Response {
    let presented = browser::binding(&state, &headers);
    respond_to(
        &state,
        &headers,
        crate::login::resume::continue_parked(state.broker(), &handle, presented.as_ref()).await,
    )
}
