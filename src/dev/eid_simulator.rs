//! The development SAML IdP simulators (development configuration only; routed only when
//! `server.development = true`): the eID simulator answering like the German eIDAS middleware
//! (`[saml.dev_simulator]`, `/dev/eid-simulator/*`) and the ELSTER simulator answering like ELSTER
//! login via NEZO (`[saml.dev_elster_simulator]`, `/dev/elster-simulator/*`). One machinery,
//! parametrised by [`SimKind`] (paths, test persons, outcomes, assertion contents).
//!
//! `…/sso` receives our AuthnRequest (HTTP-Redirect or HTTP-POST binding) and verifies its
//! signature with our SP signing certificate — as the real IdPs refuse an unsigned one. The person
//! then picks a test person and an outcome; `…/answer` POSTs a signed Response with an encrypted,
//! unsigned assertion (or a signed error Response) to our ACS through a form with a visible button
//! (CSP forbids inline script), echoing RelayState. The ELSTER simulator also answers our signed
//! `<LogoutRequest>` at `…/slo` (`slo.rs`).

pub mod elster_persons;
mod kind;
pub mod messages;
mod pages;
pub mod persons;
pub mod slo;

use super::sim_page;
use crate::config::saml::{SamlConfig, SimulatorConfig};
use crate::saml::SamlUpstreamConfig;
use crate::state::AppState;
use crate::web::{locale, Locale};
use axum::body::Bytes;
use axum::extract::{Query, RawQuery, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use http::{HeaderMap, StatusCode};
pub use kind::SimKind;
use messages::{AnswerFrame, ParsedRequest};
use pages::{choice_page, post_page, problem, signing_failed};
use saml_xmlsec::algorithms::DEFAULT_SIGNATURE_ALGORITHMS;
use saml_xmlsec::dsig::{sign_enveloped, verify_document};
use saml_xmlsec::redirect::{verify_redirect_query, RedirectMessage};
use saml_xmlsec::xmlenc::encrypt_assertion;
use serde::{Deserialize, Serialize};
use std::time::Duration;

const SIM_TTL: Duration = Duration::from_secs(600);
/// The middleware refuses requests older than 60 s (reference/eid-saml.md §2).
const MAX_REQUEST_AGE: Duration = Duration::from_secs(60);

/// Routes of both simulators.
pub fn routes() -> Router<AppState> {
    let mut r = Router::new();
    for kind in [SimKind::Eid, SimKind::Elster] {
        r = r
            .route(
                &format!("{}/sso", kind.base()),
                get(move |s, h, q| sso_get(s, h, q, kind)).post(move |s, h, b| sso_post(s, h, b, kind)),
            )
            .route(&format!("{}/choose", kind.base()), get(move |s, h, q| choose_get(s, h, q, kind)))
            .route(&format!("{}/answer", kind.base()), post(move |s, h, b| answer_post(s, h, b, kind)));
    }
    // Single Logout: ELSTER keeps a session; the eID has none to end.
    r.route(&format!("{}/slo", SimKind::Elster.base()), get(slo::slo_get))
}

/// A request waiting for the person's choice.
#[derive(Debug, Serialize, Deserialize)]
struct SimRequest {
    request_id: String,
    relay_state: Option<String>,
    requested: Vec<String>,
    /// The requested level, shown on the choice page.
    #[serde(default)]
    loa: Option<String>,
}

/// A fresh random `xs:ID` (160 bits).
fn generate_id() -> String {
    crate::saml::authn_request::RequestId::generate().as_str().to_owned()
}

fn simulator(state: &AppState, kind: SimKind) -> Option<(&SamlConfig, &SimulatorConfig, &SamlUpstreamConfig)> {
    let saml = state.config().saml.as_ref()?;
    let sim = match kind {
        SimKind::Eid => saml.dev_simulator.as_ref()?,
        SimKind::Elster => saml.dev_elster_simulator.as_ref()?,
    };
    let up = saml.upstream(&sim.upstream)?;
    Some((saml, sim, up))
}

/// Raw (still percent-encoded) query parameters, in order.
fn raw_params(q: &str) -> Vec<(&str, &str)> {
    q.split('&').filter_map(|p| p.split_once('=')).collect()
}

fn decode(v: &str) -> String {
    url::form_urlencoded::parse(format!("v={v}").as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

async fn sso_get(State(state): State<AppState>, headers: HeaderMap, RawQuery(query): RawQuery, kind: SimKind) -> Response {
    // SAML carries no language: the cookie, then Accept-Language.
    let loc = locale::negotiate(None, None, &headers);
    let Some((saml, _, _)) = simulator(&state, kind) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let query = query.unwrap_or_default();
    let params = raw_params(&query);
    let raw = |k: &str| params.iter().find(|(n, _)| *n == k).map(|(_, v)| *v);
    if raw("SigAlg").is_none() || raw("Signature").is_none() {
        return problem(
            kind,
            loc,
            StatusCode::BAD_REQUEST,
            "Die Anfrage ist nicht signiert.",
            "The request is not signed.",
        );
    }
    // Bindings §3.4.4.1: the signature covers the parameters exactly as received.
    let pinned = std::slice::from_ref(saml.sp.signing.cert.public_key());
    let request = match verify_redirect_query(&query, RedirectMessage::Request, DEFAULT_SIGNATURE_ALGORITHMS, pinned) {
        Ok(r) => r.to_owned(),
        Err(_) => {
            return problem(
                kind,
                loc,
                StatusCode::BAD_REQUEST,
                "Die Signatur der Anfrage ist ungültig.",
                "The request signature is invalid.",
            )
        }
    };
    let xml = match messages::inflate_redirect(&decode(&request)) {
        Ok(x) => x,
        Err(_) => {
            return problem(
                kind,
                loc,
                StatusCode::BAD_REQUEST,
                "Die Anfrage ist nicht lesbar.",
                "The request cannot be read.",
            )
        }
    };
    accept(&state, loc, kind, &xml, raw("RelayState").map(decode), None).await
}

async fn sso_post(State(state): State<AppState>, headers: HeaderMap, body: Bytes, kind: SimKind) -> Response {
    let loc = locale::negotiate(None, None, &headers);
    let Some((saml, _, _)) = simulator(&state, kind) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let fields: Vec<(String, String)> = url::form_urlencoded::parse(&body).into_owned().collect();
    let get = |k: &str| fields.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    let xml = get("SAMLRequest")
        .and_then(|b| base64::Engine::decode(&base64::engine::general_purpose::STANDARD, b.trim()).ok())
        .and_then(|b| String::from_utf8(b).ok());
    let Some(xml) = xml else {
        return problem(
            kind,
            loc,
            StatusCode::BAD_REQUEST,
            "Die Anfrage ist nicht lesbar.",
            "The request cannot be read.",
        );
    };
    let pinned = std::slice::from_ref(saml.sp.signing.cert.public_key());
    let covered = match verify_document(&xml, DEFAULT_SIGNATURE_ALGORITHMS, pinned) {
        Ok(id) => id,
        Err(_) => {
            return problem(
                kind,
                loc,
                StatusCode::BAD_REQUEST,
                "Die Signatur der Anfrage ist ungültig.",
                "The request signature is invalid.",
            )
        }
    };
    accept(&state, loc, kind, &xml, get("RelayState"), Some(covered)).await
}

/// Check a request whose signature verified, park it, and show the choice page.
async fn accept(
    state: &AppState,
    loc: Locale,
    kind: SimKind,
    xml: &str,
    relay_state: Option<String>,
    signed_id: Option<String>,
) -> Response {
    let Some((saml, _, _)) = simulator(state, kind) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let req: ParsedRequest = match messages::parse_authn_request(xml) {
        Ok(r) => r,
        Err(e) => {
            return problem(
                kind,
                loc,
                StatusCode::BAD_REQUEST,
                &format!("Ungültige Anfrage: {e}"),
                &format!("Invalid request: {e}"),
            )
        }
    };
    let now = state.clock().now();
    let fresh = req.issue_instant.is_some_and(|t| {
        now.duration_since(t)
            .map(|age| age <= MAX_REQUEST_AGE)
            .unwrap_or_else(|e| e.duration() <= MAX_REQUEST_AGE)
    });
    let refusal = if signed_id.is_some_and(|id| id != req.id) {
        Some("signature does not cover the request")
    } else if req.issuer != saml.sp.entity_id {
        Some("unknown Issuer")
    } else if req.acs_url.as_deref() != Some(saml.sp.acs_url.as_str()) {
        Some("AssertionConsumerServiceURL differs from the SP metadata")
    } else if !fresh {
        Some("IssueInstant older than 60 s")
    } else if !req.force_authn {
        Some("ForceAuthn must be true")
    } else {
        None
    };
    if let Some(why) = refusal {
        return problem(
            kind,
            loc,
            StatusCode::BAD_REQUEST,
            &format!("Anfrage abgelehnt: {why}"),
            &format!("Request refused: {why}"),
        );
    }
    let sim_id = generate_id();
    let record = SimRequest {
        request_id: req.id.clone(),
        relay_state,
        requested: req.requested.clone(),
        loa: req.loa.clone(),
    };
    if let Err(e) = state.records().put(kind.record(), &sim_id, &record, SIM_TTL).await {
        return crate::http::error::AppError::from(e).into_response();
    }
    choice_page(kind, loc, &sim_id, &record)
}

#[derive(Deserialize)]
struct ChooseQuery {
    sim: String,
    lang: Option<String>,
}

/// `GET …/choose?sim=…&lang=…`: the choice page again, in the language of the switch.
async fn choose_get(State(state): State<AppState>, headers: HeaderMap, Query(q): Query<ChooseQuery>, kind: SimKind) -> Response {
    if simulator(&state, kind).is_none() {
        return StatusCode::NOT_FOUND.into_response();
    }
    let loc = locale::negotiate(q.lang.as_deref(), None, &headers);
    match state.records().get::<SimRequest>(kind.record(), &q.sim).await {
        Ok(Some(record)) => choice_page(kind, loc, &q.sim, &record),
        _ => problem(
            kind,
            loc,
            StatusCode::BAD_REQUEST,
            "Diese Anfrage ist unbekannt oder abgelaufen.",
            "This request is unknown or expired.",
        ),
    }
}

async fn answer_post(State(state): State<AppState>, headers: HeaderMap, body: Bytes, kind: SimKind) -> Response {
    let loc = locale::negotiate(None, None, &headers);
    let Some((saml, sim, upstream)) = simulator(&state, kind) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let fields: Vec<(String, String)> = url::form_urlencoded::parse(&body).into_owned().collect();
    let get = |k: &str| fields.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str()).unwrap_or("");
    let record: SimRequest = match state.records().take(kind.record(), get("sim")).await {
        Ok(Some(r)) => r,
        Ok(None) | Err(crate::session::StoreError::Corrupt(_)) => {
            return problem(
                kind,
                loc,
                StatusCode::BAD_REQUEST,
                "Diese Anfrage ist unbekannt oder abgelaufen.",
                "This request is unknown or expired.",
            )
        }
        Err(e) => return crate::http::error::AppError::from(e).into_response(),
    };
    let outcome = kind.outcomes().iter().find(|(k, _, _, _)| *k == get("outcome"));
    let (response_id, assertion_id) = (generate_id(), generate_id());
    let frame = AnswerFrame {
        issuer: upstream.idp.entity_id.as_str(),
        acs_url: saml.sp.acs_url.as_str(),
        audience: &saml.sp.entity_id,
        in_response_to: &record.request_id,
        response_id: &response_id,
        assertion_id: &assertion_id,
        now: state.clock().now(),
    };
    let assertion = match kind {
        SimKind::Eid => persons::person(get("person")).map(|p| messages::assertion_xml(&frame, p, &record.requested)),
        SimKind::Elster => elster_persons::account(get("person")).map(|a| elster_assertion(&frame, upstream, a, &record.requested)),
    };
    let (Some(assertion), Some((_, _, _, token))) = (assertion, outcome) else {
        return problem(kind, loc, StatusCode::BAD_REQUEST, "Unbekannte Auswahl.", "Unknown choice.");
    };
    let unsigned = match token {
        Some(message) => messages::error_response_xml(&frame, message),
        None => match encrypt_assertion(&assertion, saml.sp.encryption.cert.public_key()) {
            Ok(enc) => messages::success_response_xml(&frame, &enc),
            Err(e) => return signing_failed(kind, loc, &e),
        },
    };
    let signed = match sign_enveloped(&unsigned, &response_id, &sim.signing.key.0, sim.signing_alg.algorithm(), None) {
        Ok(s) => s,
        Err(e) => return signing_failed(kind, loc, &e),
    };
    post_page(kind, loc, saml.sp.acs_url.as_str(), &signed, record.relay_state.as_deref())
}

/// ELSTER releases the attributes agreed at onboarding; the simulator sends those of the account
/// that the request names (under the upstream's configured Names), level substantial.
fn elster_assertion(
    frame: &AnswerFrame<'_>,
    upstream: &SamlUpstreamConfig,
    account: &elster_persons::ElsterAccount,
    requested: &[String],
) -> String {
    let names = &upstream.attribute_names;
    let attrs: String = account
        .attributes
        .iter()
        .filter_map(|(key, value)| {
            let name = names.name(*key)?;
            requested.iter().any(|r| r == name).then(|| messages::string_attribute(name, value))
        })
        .collect();
    messages::assertion_envelope(frame, account.pseudonym(), "http://eidas.europa.eu/LoA/substantial", &attrs)
}
