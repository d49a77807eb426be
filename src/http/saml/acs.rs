//! `POST /saml/acs`: the HTTP-POST Assertion Consumer Service (SAML Bindings §3.5).
//!
//! The browser arrives by a cross-site POST from the IdP, which under SameSite rules carries no
//! session or binding cookie. So the only correlation is the RelayState plus the server-side
//! [`UpstreamRecord`](crate::saml::upstream::UpstreamRecord) that `start` stored; the method verifies the
//! Response and only then consumes the record (single-use `take`). The verified outcome is parked
//! (`login::resume`) and the browser sent on with `303 /login/continue/{handle}`, a same-site GET
//! that carries the binding cookie and is checked before anything is created (issue 9 item 1).
//! Without a known RelayState, or with a Response that does not verify, nothing is continued: the
//! person gets a bilingual page (400), never a stack trace, and the login stays open.

use crate::authenticators::UpstreamReturn;
use crate::http::error::AppError;
use crate::saml::post_binding::SamlResponseXml;
use crate::saml::upstream::UpstreamRecord;
use crate::session::{RecordKind, StoreError};
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::State;
use axum::response::{Html, IntoResponse, Redirect, Response};
use http::StatusCode;

/// Why the ACS could not even hand the response to a method.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AcsProblem {
    /// No RelayState, or none we know (expired, already used, never issued).
    UnknownTransaction,
    /// `SAMLResponse` missing or not base64.
    Unreadable,
    /// The Response did not verify; nothing was consumed.
    NotVerified,
}

impl AcsProblem {
    fn page(self) -> Response {
        let (de, en) = match self {
            Self::UnknownTransaction => (
                "Dieser Anmeldevorgang ist unbekannt oder abgelaufen. Bitte kehren Sie zum Online-Dienst zurück und starten Sie die Anmeldung erneut.",
                "This login is unknown or has expired. Please return to the online service and start the login again.",
            ),
            Self::Unreadable => (
                "Die Antwort des Ausweis-Dienstes war nicht lesbar. Bitte kehren Sie zum Online-Dienst zurück und starten Sie die Anmeldung erneut.",
                "The response of the ID service could not be read. Please return to the online service and start the login again.",
            ),
            Self::NotVerified => (
                "Die Antwort des Anmeldeverfahrens hat unsere Sicherheitsprüfung nicht bestanden; es wurden keine Daten weitergegeben. Bitte starten Sie die Anmeldung bei dem Online-Dienst neu.",
                "The answer of the login method did not pass our security checks; no data was passed on. Please start the login at the online service again.",
            ),
        };
        (StatusCode::BAD_REQUEST, Html(crate::web::simple_page(400, de, en))).into_response()
    }
}

/// The ACS handler: parse the form, find the transaction, let the method finish, continue the login.
pub async fn acs_post(State(state): State<AppState>, body: Bytes) -> Response {
    let mut relay_state = None;
    let mut saml_response = None;
    for (k, v) in url::form_urlencoded::parse(&body) {
        match k.as_ref() {
            "RelayState" if relay_state.is_none() => relay_state = Some(v.into_owned()),
            "SAMLResponse" if saml_response.is_none() => saml_response = Some(v.into_owned()),
            _ => {}
        }
    }
    match receive(&state, relay_state, saml_response).await {
        Ok(resp) => resp,
        Err(Ok(problem)) => {
            tracing::info!(?problem, "SAML ACS request refused");
            problem.page()
        }
        Err(Err(app)) => app.into_response(),
    }
}

async fn receive(
    state: &AppState,
    relay_state: Option<String>,
    saml_response: Option<String>,
) -> Result<Response, Result<AcsProblem, AppError>> {
    let relay = relay_state
        .filter(|r| !r.is_empty() && r.len() <= 80)
        .ok_or(Ok(AcsProblem::UnknownTransaction))?;
    let record = match state.records().get::<UpstreamRecord>(RecordKind::UpstreamTransaction, &relay).await {
        Ok(Some(r)) if r.is_saml() => r,
        // Another method's record under this id cannot be decoded as ours: unknown here.
        Ok(_) | Err(StoreError::Corrupt(_)) => return Err(Ok(AcsProblem::UnknownTransaction)),
        Err(e) => return Err(Err(e.into())),
    };
    let saml_response = saml_response
        .as_deref()
        .and_then(SamlResponseXml::from_form_value)
        .ok_or(Ok(AcsProblem::Unreadable))?;
    let Some(method) = state.methods().get(&record.method).cloned() else {
        return Err(Ok(AcsProblem::UnknownTransaction));
    };
    let now = state.clock().now();
    let input = UpstreamReturn::SamlPost {
        saml_response,
        relay_state: Some(relay.clone()),
        transaction: Some(Box::new(record.clone())),
    };
    let outcome = method.finish(&crate::ids::PendingId::new(relay.as_str()), input, now).await;
    match &outcome {
        Err(crate::authenticators::AuthnError::Unverified(reason)) => {
            // Debug formatting: the reason may quote attacker-controlled text (escaped, one line).
            tracing::info!(method = %record.method, reason = ?truncate(reason), "SAML response not verified; login left open");
            return Err(Ok(AcsProblem::NotVerified));
        }
        Err(e) => tracing::info!(method = %record.method, error = ?truncate(&e.to_string()), "SAML login did not succeed"),
        Ok(_) => {}
    }
    // Park the verified outcome; the browser binding is checked on the same-site GET.
    let next = crate::login::resume::park(state.broker(), &record.pending_id, outcome)
        .await
        .map_err(|e| Err(AppError::from(e)))?;
    Ok(Redirect::to(&next).into_response())
}

/// At most 200 characters of a message for the log.
fn truncate(s: &str) -> &str {
    match s.char_indices().nth(200) {
        Some((i, _)) => &s[..i],
        None => s,
    }
}
