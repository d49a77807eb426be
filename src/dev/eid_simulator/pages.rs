//! The simulators' pages: the frame with its development note, the refusals, the choice of test
//! person and outcome, and the HTTP-POST binding form that carries the signed Response to the ACS.

use super::{sim_page, SimKind, SimRequest};
use crate::web::{escape, Locale};
use axum::response::{IntoResponse, Response};
use http::StatusCode;

fn page(status: StatusCode, loc: Locale, kind: SimKind, title: &str, body: &str, switch: Option<&str>) -> Response {
    let note = sim_page::note(loc, kind.name());
    (status, sim_page::page(loc, &note, title, body, switch)).into_response()
}

pub(super) fn problem(kind: SimKind, loc: Locale, status: StatusCode, de: &str, en: &str) -> Response {
    page(
        status,
        loc,
        kind,
        sim_page::pick(loc, "Anfrage abgelehnt", "Request refused"),
        &format!("<p>{}</p>", escape(sim_page::pick(loc, de, en))),
        None,
    )
}

pub(super) fn signing_failed(kind: SimKind, loc: Locale, e: &dyn std::fmt::Display) -> Response {
    tracing::error!(error = %e, "eID simulator: signing or encryption failed");
    problem(
        kind,
        loc,
        StatusCode::INTERNAL_SERVER_ERROR,
        "Der Simulator konnte die Antwort nicht signieren oder verschlüsseln.",
        "The simulator could not sign or encrypt its answer.",
    )
}

pub(super) fn choice_page(kind: SimKind, loc: Locale, sim_id: &str, record: &SimRequest) -> Response {
    let mut persons = String::new();
    for (i, (key, label)) in kind.persons().into_iter().enumerate() {
        persons.push_str(&format!(
            "<p><label><input type=\"radio\" name=\"person\" value=\"{}\"{}> {}</label></p>",
            escape(key),
            if i == 0 { " checked" } else { "" },
            escape(label)
        ));
    }
    let mut outcomes = String::new();
    for (i, (key, de, en, _)) in kind.outcomes().iter().enumerate() {
        outcomes.push_str(&format!(
            "<p><label><input type=\"radio\" name=\"outcome\" value=\"{key}\"{}> {}</label></p>",
            if i == 0 { " checked" } else { "" },
            escape(sim_page::pick(loc, de, en))
        ));
    }
    let body = format!(
        "<p>{}: {}</p><form method=\"post\" action=\"{}/answer\">\
<input type=\"hidden\" name=\"sim\" value=\"{}\"><fieldset><legend>{}</legend>{persons}</fieldset>\
<fieldset><legend>{}</legend>{outcomes}</fieldset><button type=\"submit\">{}</button></form>",
        sim_page::pick(loc, "Angefragtes Niveau", "Requested level"),
        escape(record.loa.as_deref().unwrap_or("-")),
        kind.base(),
        escape(sim_id),
        sim_page::pick(loc, "Testperson", "Test person"),
        sim_page::pick(loc, "Ergebnis", "Outcome"),
        sim_page::pick(loc, "Antworten", "Answer"),
    );
    let other = match loc {
        Locale::De => "en",
        Locale::En => "de",
    };
    let switch = format!("{}/choose?sim={}&lang={other}", kind.base(), sim_id);
    page(StatusCode::OK, loc, kind, kind.title(loc), &body, Some(&switch))
}

/// The HTTP-POST binding form (Bindings §3.5.4) with a visible button instead of an inline script.
pub(super) fn post_page(kind: SimKind, loc: Locale, acs: &str, response_xml: &str, relay_state: Option<&str>) -> Response {
    let b64 = base64::Engine::encode(&base64::engine::general_purpose::STANDARD, response_xml.as_bytes());
    let relay = relay_state
        .map(|r| format!("<input type=\"hidden\" name=\"RelayState\" value=\"{}\">", escape(r)))
        .unwrap_or_default();
    let body = format!(
        "<form method=\"post\" action=\"{}\"><input type=\"hidden\" name=\"SAMLResponse\" value=\"{b64}\">{relay}\
<button type=\"submit\">{}</button></form>",
        escape(acs),
        sim_page::pick(loc, "Weiter zum Dienst", "Continue to the service"),
    );
    page(
        StatusCode::OK,
        loc,
        kind,
        sim_page::pick(loc, "Zurück zum Dienst", "Back to the service"),
        &body,
        None,
    )
}
