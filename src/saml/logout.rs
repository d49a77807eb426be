//! SP-initiated Single Logout towards a SAML IdP that offers it (SAML Profiles §4.4, issue 11
//! item 5): ELSTER-style IdPs keep a session of their own, so after the broker's session has ended
//! the browser carries our signed `<samlp:LogoutRequest>` (Core §3.7.1) to the IdP's
//! `SingleLogoutService` and comes back to `/logout/return` with its `<samlp:LogoutResponse>`.
//!
//! - Which logins keep an [`UpstreamSession::Saml`]: those of an upstream with an SLO endpoint
//!   (`settings.slo`). The eID (profile `eidas`) never does: it has no session to end — each eID
//!   login is a fresh card read — and its middleware offers no SLO.
//! - The request names the subject exactly as the assertion did (NameID value, Format,
//!   NameQualifier, SPNameQualifier; Core §3.7.3.1 has the IdP match on it) and the SessionIndex.
//!   It is sent by HTTP-Redirect (DEFLATE, `SigAlg` + `Signature` over the query, Bindings
//!   §3.4.4.1) or, when the IdP offers only that, by HTTP-POST with an enveloped signature;
//!   `RelayState` is the broker's way-back key.
//! - Its ID is kept under that key ([`LOGOUT_KIND`], 10 minutes, single use: `take`). The answer is
//!   checked by `saml_xmlsec::logout::verify_logout_response` after the Redirect signature (over
//!   the raw query) or inside it (POST). Anything but a verified Success for our request is an
//!   error: the person is told the IdP did not confirm; our session is over either way.
//!
//! Not built: IdP-initiated logout (an IdP's `<LogoutRequest>` to us); no upstream sends one.

use super::authn_request::{deflate_b64, Binding, RequestError, RequestId, SAMLP_NS, SAML_NS};
use super::metadata::xs_datetime;
use super::upstream::SamlUpstream;
use crate::escape::escape;
use crate::identity::{AuthnError, UpstreamSession};
use crate::saml::profile::ProfileKind;
use crate::session::RecordKind;
use saml_xmlsec::dsig::sign_enveloped;
use saml_xmlsec::logout::{verify_logout_response, LogoutExpectations, LogoutSignature, MAX_AGE};
use saml_xmlsec::redirect::{sign_redirect_query, verify_redirect_query, RedirectMessage};
use saml_xmlsec::response::VerifiedAssertion;
use serde::{Deserialize, Serialize};
use std::time::{Duration, SystemTime};
use url::Url;

/// Store kind of the pending LogoutRequests (keyed by the way-back key, i.e. the RelayState).
pub const LOGOUT_KIND: RecordKind = RecordKind::Other("saml-logout");

/// How long a LogoutRequest may be answered (as long as the way-back record lives).
const LOGOUT_TTL: Duration = MAX_AGE;

/// `NotOnOrAfter` of our LogoutRequest (Core §3.7.1): short, the browser carries it right away.
const REQUEST_VALIDITY: Duration = Duration::from_secs(120);

/// Largest inflated Redirect message we read (a deflate bomb stops here; the parser's own limit).
const MAX_INFLATED: u64 = saml_xmlsec::xml::MAX_DOCUMENT_BYTES as u64;

/// `Reason` of a logout the person asked for (Core §3.7.3.3).
const REASON_USER: &str = "urn:oasis:names:tc:SAML:2.0:logout:user";

/// What we remember between LogoutRequest and LogoutResponse.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LogoutRecord {
    /// The LogoutRequest ID (`InResponseTo` of the answer).
    pub request_id: String,
    /// `[[saml.upstreams]]` name.
    pub upstream: String,
    /// Method id.
    pub method: String,
    /// Our return endpoint (`Destination` of the answer).
    pub return_uri: String,
}

/// Everything a LogoutRequest says.
#[derive(Debug, Clone)]
pub struct LogoutParams<'a> {
    /// Request ID.
    pub id: &'a RequestId,
    /// Our SP entity ID (`Issuer`).
    pub issuer: &'a str,
    /// The IdP's SingleLogoutService (`Destination`).
    pub destination: &'a Url,
    /// The subject and session, as the assertion named them.
    pub session: &'a SamlSession<'a>,
    /// IssueInstant.
    pub now: SystemTime,
}

/// The fields of an [`UpstreamSession::Saml`], borrowed.
#[derive(Debug, Clone)]
pub struct SamlSession<'a> {
    /// NameID value.
    pub name_id: &'a str,
    /// NameID Format.
    pub format: Option<&'a str>,
    /// NameQualifier.
    pub name_qualifier: Option<&'a str>,
    /// SPNameQualifier.
    pub sp_name_qualifier: Option<&'a str>,
    /// SessionIndex.
    pub session_index: Option<&'a str>,
}

impl<'a> SamlSession<'a> {
    /// Borrow from the broker session's record; `None` for another kind of upstream.
    pub fn of(s: &'a UpstreamSession) -> Option<Self> {
        match s {
            UpstreamSession::Saml {
                name_id,
                format,
                name_qualifier,
                sp_name_qualifier,
                session_index,
            } => Some(Self {
                name_id,
                format: format.as_deref(),
                name_qualifier: name_qualifier.as_deref(),
                sp_name_qualifier: sp_name_qualifier.as_deref(),
                session_index: session_index.as_deref(),
            }),
            UpstreamSession::Oidc { .. } => None,
        }
    }
}

/// The unsigned `<samlp:LogoutRequest>` (Core §3.7.1; element order Issuer, NameID, SessionIndex).
pub fn logout_request_xml(p: &LogoutParams<'_>) -> String {
    let s = p.session;
    let attr = |name: &str, v: Option<&str>| v.map(|v| format!(r#" {name}="{}""#, escape(v))).unwrap_or_default();
    let session_index = s
        .session_index
        .map(|i| format!("<saml2p:SessionIndex>{}</saml2p:SessionIndex>", escape(i)))
        .unwrap_or_default();
    format!(
        r#"<saml2p:LogoutRequest xmlns:saml2p="{SAMLP_NS}" xmlns:saml2="{SAML_NS}" ID="{id}" Version="2.0" IssueInstant="{now}" Destination="{dest}" NotOnOrAfter="{until}" Reason="{REASON_USER}"><saml2:Issuer>{issuer}</saml2:Issuer><saml2:NameID{nq}{spnq}{fmt}>{name_id}</saml2:NameID>{session_index}</saml2p:LogoutRequest>"#,
        id = p.id.as_str(),
        now = xs_datetime(p.now),
        dest = escape(p.destination.as_str()),
        until = xs_datetime(p.now + REQUEST_VALIDITY),
        issuer = escape(p.issuer),
        nq = attr("NameQualifier", s.name_qualifier),
        spnq = attr("SPNameQualifier", s.sp_name_qualifier),
        fmt = attr("Format", s.format),
        name_id = escape(s.name_id),
    )
}

/// How the browser carries the LogoutRequest.
#[derive(Debug, Clone)]
pub enum LogoutAction {
    /// 303 to this URL.
    Redirect(Url),
    /// A form POSTed to `action`.
    Post { action: Url, fields: Vec<(String, String)> },
}

impl SamlUpstream {
    /// What a login's broker session keeps to end the IdP's session later: only for an upstream
    /// with SLO (never the eID), and only with a NameID to name.
    pub fn upstream_session(&self, a: &VerifiedAssertion) -> Option<UpstreamSession> {
        if self.upstream().slo.is_none() || self.upstream().profile == ProfileKind::Eidas {
            return None;
        }
        Some(UpstreamSession::Saml {
            name_id: a.name_id.clone().filter(|n| !n.is_empty())?,
            format: a.name_id_format.clone(),
            name_qualifier: a.name_qualifier.clone(),
            sp_name_qualifier: a.sp_name_qualifier.clone(),
            session_index: a.session_index.clone(),
        })
    }

    /// Start ending the IdP's session: sign a LogoutRequest for `session`, keep its ID under
    /// `state` (also the RelayState). `None`: this upstream has no SLO (or it is switched off).
    pub async fn end_session(
        &self,
        session: &UpstreamSession,
        state: &str,
        return_uri: &Url,
        now: SystemTime,
    ) -> Result<Option<LogoutAction>, AuthnError> {
        let up = self.upstream();
        let (Some(slo), Some(s)) = (&up.slo, SamlSession::of(session)) else {
            return Ok(None);
        };
        let id = RequestId::generate();
        let params = LogoutParams {
            id: &id,
            issuer: &self.sp.entity_id,
            destination: &slo.url,
            session: &s,
            now,
        };
        let action = self.logout_action(&params, slo.binding, state).map_err(|e| {
            tracing::error!(upstream = %self.upstream().name, error = %e, "cannot sign LogoutRequest");
            AuthnError::Unavailable("cannot sign the logout request".into())
        })?;
        let record = LogoutRecord {
            request_id: id.as_str().to_owned(),
            upstream: self.upstream().name.clone(),
            method: self.id().0.clone(),
            return_uri: return_uri.to_string(),
        };
        self.records
            .put(LOGOUT_KIND, state, &record, LOGOUT_TTL)
            .await
            .map_err(|e| AuthnError::Unavailable(e.to_string()))?;
        Ok(Some(action))
    }

    fn logout_action(&self, p: &LogoutParams<'_>, binding: Binding, state: &str) -> Result<LogoutAction, RequestError> {
        let xml = logout_request_xml(p);
        let (key, alg) = (&self.sp.signing.key.0, self.sp.signing_alg.algorithm());
        Ok(match binding {
            Binding::Redirect => {
                let query = sign_redirect_query(RedirectMessage::Request, &deflate_b64(&xml)?, Some(state), key, alg)?;
                let mut url = p.destination.clone();
                let query = match url.query() {
                    Some(existing) if !existing.is_empty() => format!("{existing}&{query}"),
                    _ => query,
                };
                url.set_query(Some(&query));
                LogoutAction::Redirect(url)
            }
            Binding::Post => {
                let signed = sign_enveloped(&xml, p.id.as_str(), key, alg, None)?;
                let b64 = base64::Engine::encode(&base64::engine::general_purpose::STANDARD, signed.as_bytes());
                LogoutAction::Post {
                    action: p.destination.clone(),
                    fields: vec![("SAMLRequest".into(), b64), ("RelayState".into(), state.into())],
                }
            }
        })
    }

    /// Check the IdP's answer on the way back under `state`: `raw_query` for the Redirect binding
    /// (the signature covers it byte for byte), else the POSTed `params`. Takes the pending request
    /// first (single use), so a replayed answer finds nothing.
    pub async fn finish_logout(
        &self,
        state: &str,
        raw_query: Option<&str>,
        params: &[(String, String)],
        now: SystemTime,
    ) -> Result<(), AuthnError> {
        let rejected = |why: &str| AuthnError::Rejected(format!("logout response: {why}"));
        let up = self.live(now)?;
        let record: LogoutRecord = self
            .records
            .take(LOGOUT_KIND, state)
            .await
            .map_err(|e| AuthnError::Unavailable(e.to_string()))?
            .filter(|r: &LogoutRecord| r.upstream == self.upstream().name && r.method == self.id().0)
            .ok_or_else(|| rejected("no pending logout request"))?;
        let exp = LogoutExpectations {
            issuer: up.idp.entity_id.clone(),
            in_response_to: record.request_id,
            destination: record.return_uri,
            idp_signing_certs: up.idp.signing_certs.clone(),
            max_skew: up.max_skew,
            allow_rsa_pkcs1: up.allow_rsa_pkcs1,
        };
        let (xml, signature) = match raw_query.filter(|q| !q.is_empty()) {
            Some(q) => {
                let msg = verify_redirect_query(q, RedirectMessage::Response, &exp.signature_algorithms(), &exp.keys())
                    .map_err(|e| self.refused(&e.to_string()))?;
                let xml = inflate(&url_decode(msg)).ok_or_else(|| rejected("SAMLResponse is not DEFLATE + base64"))?;
                (xml, LogoutSignature::RedirectVerified)
            }
            None => {
                let b64 = params
                    .iter()
                    .find(|(k, _)| k == "SAMLResponse")
                    .map(|(_, v)| v.as_str())
                    .ok_or_else(|| rejected("no SAMLResponse"))?;
                let xml = super::post_binding::decode_saml_response(b64).ok_or_else(|| rejected("SAMLResponse is not base64"))?;
                (xml.into_bytes(), LogoutSignature::Enveloped)
            }
        };
        verify_logout_response(&xml, &exp, signature, now).map_err(|e| self.refused(&e.to_string()))?;
        tracing::info!(upstream = %self.upstream().name, "IdP confirmed the logout");
        Ok(())
    }

    /// The reason goes into the error (logged by `logout::upstream`, never shown: the page only
    /// says the IdP did not confirm). Message-supplied parts print escaped (`Untrusted`).
    fn refused(&self, why: &str) -> AuthnError {
        tracing::debug!(upstream = %self.upstream().name, error = %why, "SAML logout response refused");
        AuthnError::Rejected(format!("the logout response failed verification: {why}"))
    }
}

/// One URL-encoded query value, decoded (`+` is a space, Bindings §3.4.4.1 uses form encoding).
fn url_decode(v: &str) -> String {
    url::form_urlencoded::parse(format!("v={v}").as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

/// Base64 then raw DEFLATE (Bindings §3.4.4.1), bounded.
pub fn inflate(b64: &str) -> Option<Vec<u8>> {
    let compact: String = b64.split_whitespace().collect();
    let raw = base64::Engine::decode(&base64::engine::general_purpose::STANDARD, compact).ok()?;
    crate::deflate::decompress(&raw, MAX_INFLATED)
}

#[cfg(test)]
mod tests;
