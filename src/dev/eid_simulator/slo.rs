//! The ELSTER simulator's Single Logout endpoint (`GET /dev/elster-simulator/slo`, development
//! only; issue 11 item 5): it receives our `<LogoutRequest>` by HTTP-Redirect, verifies the
//! signature over the query with our SP signing certificate (as a real IdP pins it from our
//! metadata), checks Issuer, Destination, freshness and that a NameID is named, and answers with a
//! `<LogoutResponse>` Success signed by Redirect binding to our `SingleLogoutService`
//! (`{issuer}/logout/return`), echoing RelayState. The simulator keeps no session of its own, so
//! "ending" it is the answer. The eID simulator has no such endpoint: the eID keeps no session.

use super::messages::inflate_redirect;
use super::{decode, generate_id, problem, raw_params, signing_failed, simulator, SimKind};
use crate::logout::upstream::RETURN_PATH;
use crate::saml::authn_request::{deflate_b64, SAMLP_NS, SAML_NS};
use crate::saml::metadata::{parse_xs_datetime, xs_datetime};
use crate::state::AppState;
use crate::web::escape;
use axum::extract::{RawQuery, State};
use axum::response::{IntoResponse, Redirect, Response};
use http::StatusCode;
use saml_xmlsec::algorithms::DEFAULT_SIGNATURE_ALGORITHMS;
use saml_xmlsec::redirect::{sign_redirect_query, verify_redirect_query, RedirectMessage};
use std::time::{Duration, SystemTime};

/// A LogoutRequest older than this is refused (its NotOnOrAfter is shorter anyway).
const MAX_AGE: Duration = Duration::from_secs(120);

/// What the simulator reads from a LogoutRequest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedLogoutRequest {
    /// `ID`.
    pub id: String,
    /// `Issuer`.
    pub issuer: String,
    /// `Destination`.
    pub destination: Option<String>,
    /// `IssueInstant`.
    pub issue_instant: Option<SystemTime>,
    /// `NameID` text.
    pub name_id: String,
    /// `SessionIndex`, if any.
    pub session_index: Option<String>,
}

/// Parse a LogoutRequest (DOCTYPE refused by roxmltree's defaults).
pub fn parse_logout_request(xml: &str) -> Result<ParsedLogoutRequest, String> {
    let doc = roxmltree::Document::parse(xml).map_err(|_| "LogoutRequest is not well-formed XML")?;
    let r = doc.root_element();
    if r.tag_name().namespace() != Some(SAMLP_NS) || r.tag_name().name() != "LogoutRequest" {
        return Err("not a saml2p:LogoutRequest".into());
    }
    let child = |ns: &str, local: &str| {
        r.children()
            .find(|n| n.is_element() && n.tag_name().namespace() == Some(ns) && n.tag_name().name() == local)
            .map(|n| n.text().unwrap_or_default().trim().to_owned())
    };
    Ok(ParsedLogoutRequest {
        id: r
            .attribute("ID")
            .filter(|s| !s.is_empty())
            .ok_or("LogoutRequest has no ID")?
            .to_owned(),
        issuer: child(SAML_NS, "Issuer").unwrap_or_default(),
        destination: r.attribute("Destination").map(str::to_owned),
        issue_instant: r.attribute("IssueInstant").and_then(parse_xs_datetime),
        name_id: child(SAML_NS, "NameID")
            .filter(|n| !n.is_empty())
            .ok_or("LogoutRequest names no NameID")?,
        session_index: child(SAMLP_NS, "SessionIndex"),
    })
}

/// `GET /dev/elster-simulator/slo`.
pub async fn slo_get(State(state): State<AppState>, headers: http::HeaderMap, RawQuery(query): RawQuery) -> Response {
    let loc = crate::web::locale::negotiate(None, None, &headers);
    let Some((saml, sim, upstream)) = simulator(&state, SimKind::Elster) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let refused = |why: &str| {
        problem(
            SimKind::Elster,
            loc,
            StatusCode::BAD_REQUEST,
            &format!("Abmeldung abgelehnt: {why}"),
            &format!("Logout refused: {why}"),
        )
    };
    let query = query.unwrap_or_default();
    let pinned = std::slice::from_ref(saml.sp.signing.cert.public_key());
    let Ok(message) = verify_redirect_query(&query, RedirectMessage::Request, DEFAULT_SIGNATURE_ALGORITHMS, pinned) else {
        return refused("signature missing or invalid");
    };
    let Ok(xml) = inflate_redirect(&decode(message)) else {
        return refused("SAMLRequest cannot be read");
    };
    let req = match parse_logout_request(&xml) {
        Ok(r) => r,
        Err(e) => return refused(&e),
    };
    let now = state.clock().now();
    let fresh = req
        .issue_instant
        .is_some_and(|t| now.duration_since(t).map(|a| a <= MAX_AGE).unwrap_or(true));
    let own_slo = upstream.slo.as_ref().map(|s| s.url.as_str());
    if req.issuer != saml.sp.entity_id {
        return refused("unknown Issuer");
    }
    if req.destination.as_deref() != own_slo {
        return refused("Destination is not this endpoint");
    }
    if !fresh {
        return refused("IssueInstant too old");
    }
    let relay = raw_params(&query)
        .into_iter()
        .find(|(k, _)| *k == "RelayState")
        .map(|(_, v)| decode(v));
    let return_uri = state.broker().issuer().url(RETURN_PATH);
    let response = logout_response_xml(&generate_id(), &upstream.idp.entity_id, &return_uri, &req.id, now);
    let signed = deflate_b64(&response).map_err(|e| e.to_string()).and_then(|m| {
        sign_redirect_query(
            RedirectMessage::Response,
            &m,
            relay.as_deref(),
            &sim.signing.key.0,
            sim.signing_alg.algorithm(),
        )
        .map_err(|e| e.to_string())
    });
    match signed {
        Ok(q) => Redirect::to(&format!("{return_uri}?{q}")).into_response(),
        Err(e) => signing_failed(SimKind::Elster, loc, &e),
    }
}

/// A LogoutResponse with status Success (Core §3.7.2), unsigned (the Redirect binding signs the query).
pub fn logout_response_xml(id: &str, issuer: &str, destination: &str, in_response_to: &str, now: SystemTime) -> String {
    format!(
        r#"<saml2p:LogoutResponse xmlns:saml2p="{SAMLP_NS}" xmlns:saml2="{SAML_NS}" ID="{id}" Version="2.0" IssueInstant="{}" Destination="{}" InResponseTo="{}"><saml2:Issuer Format="urn:oasis:names:tc:SAML:2.0:nameid-format:entity">{}</saml2:Issuer><saml2p:Status><saml2p:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></saml2p:Status></saml2p:LogoutResponse>"#,
        xs_datetime(now),
        escape(destination),
        escape(in_response_to),
        escape(issuer)
    )
}
