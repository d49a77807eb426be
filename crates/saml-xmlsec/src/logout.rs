//! The check of a `<samlp:LogoutResponse>` (SAML Core §3.7.2) answering a `<LogoutRequest>` we
//! sent (SP-initiated Single Logout, SAML Profiles §4.4.3.4).
//!
//! The message came either by HTTP-Redirect — then the caller has verified the signature over the
//! raw query ([`crate::redirect::verify_redirect_query`], Bindings §3.4.4.1) and inflated the XML —
//! or by HTTP-POST, whose enveloped XML-DSig is verified here with the same pinned-key pipeline as
//! a login Response ([`crate::dsig::verify_enveloped`]). Either way the XML goes through the same
//! safe parser, and then: root `samlp:LogoutResponse` version 2.0 with an `ID`; Issuer = the IdP;
//! `InResponseTo` = the request we sent; `Destination` = our return endpoint when present (§3.2.2:
//! optional, but when present it must name the recipient); `IssueInstant` within the skew; and the
//! status Success. `PartialLogout` (a second-level code under Success) or any other status comes
//! back as [`ResponseError::Status`]: the IdP did not confirm that everything ended.

use std::time::SystemTime;

use super::algorithms::{SignatureAlgorithm, DEFAULT_SIGNATURE_ALGORITHMS};
use super::dsig::verify_enveloped;
use super::errors::ResponseError;
use super::keys::{Certificate, PublicKey};
use super::response::{check_issuer, check_status, parse_time, STATUS_SUCCESS};
use super::xml::{is, ns, only_child, parse_bytes};
use std::time::Duration;

/// Second-level status: the IdP could not end every session it knows (SAML Core §3.2.2.2).
pub const STATUS_PARTIAL_LOGOUT: &str = "urn:oasis:names:tc:SAML:2.0:status:PartialLogout";

/// How the LogoutResponse's integrity was (or is to be) established.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogoutSignature {
    /// HTTP-Redirect: the caller verified the query signature with the pinned keys already.
    RedirectVerified,
    /// HTTP-POST: the XML carries an enveloped signature, verified here.
    Enveloped,
}

/// What a LogoutResponse must match.
#[derive(Debug, Clone)]
pub struct LogoutExpectations {
    /// `Issuer`: the IdP's entity ID.
    pub issuer: String,
    /// `InResponseTo`: the ID of our `<LogoutRequest>` (empty never matches).
    pub in_response_to: String,
    /// `Destination`, when the message carries one: our return endpoint.
    pub destination: String,
    /// Pinned IdP signing certificates from verified metadata.
    pub idp_signing_certs: Vec<Certificate>,
    /// Allowed clock skew for `IssueInstant`.
    pub max_skew: Duration,
    /// Also accept PKCS#1 v1.5 `rsa-sha256` (legacy upstreams only).
    pub allow_rsa_pkcs1: bool,
}

impl LogoutExpectations {
    /// The SignatureMethod / SigAlg allow-list.
    pub fn signature_algorithms(&self) -> Vec<SignatureAlgorithm> {
        let mut algs = DEFAULT_SIGNATURE_ALGORITHMS.to_vec();
        if self.allow_rsa_pkcs1 {
            algs.push(SignatureAlgorithm::RsaPkcs1Sha256);
        }
        algs
    }

    /// The pinned public keys.
    pub fn keys(&self) -> Vec<PublicKey> {
        self.idp_signing_certs.iter().map(|c| c.public_key().clone()).collect()
    }
}

/// Checks a LogoutResponse (XML bytes). `Ok` only for a signed, addressed, timely Success.
pub fn verify_logout_response(
    xml: impl AsRef<[u8]>,
    exp: &LogoutExpectations,
    signature: LogoutSignature,
    now: SystemTime,
) -> Result<(), ResponseError> {
    let doc = parse_bytes(xml.as_ref())?;
    let root = doc.root_element();
    if !is(root, ns::SAMLP, "LogoutResponse") || root.attribute("Version") != Some("2.0") {
        return Err(ResponseError::NotALogoutResponse);
    }
    if root.attribute("ID").is_none_or(str::is_empty) {
        return Err(ResponseError::Malformed("LogoutResponse ID"));
    }
    if signature == LogoutSignature::Enveloped {
        verify_enveloped(&doc, root, &exp.signature_algorithms(), &exp.keys())?;
    }
    check_issuer(root, &exp.issuer)?;
    if exp.in_response_to.is_empty() || root.attribute("InResponseTo") != Some(exp.in_response_to.as_str()) {
        return Err(ResponseError::InResponseTo);
    }
    if root.attribute("Destination").is_some_and(|d| d != exp.destination) {
        return Err(ResponseError::Destination);
    }
    let instant = parse_time(root.attribute("IssueInstant").ok_or(ResponseError::Malformed("IssueInstant"))?)?;
    if instant > now + exp.max_skew {
        return Err(ResponseError::Time("IssueInstant in the future"));
    }
    // Answered within the request's lifetime: older than our record's TTL plus skew is stale.
    if now.duration_since(instant).is_ok_and(|age| age > MAX_AGE + exp.max_skew) {
        return Err(ResponseError::Time("IssueInstant too old"));
    }
    check_status(root)?;
    // Success with a nested PartialLogout is not a confirmation (Core §3.7.3.2).
    let status = only_child(root, ns::SAMLP, "Status").and_then(|s| only_child(s, ns::SAMLP, "StatusCode"));
    if let Some(second) = status
        .and_then(|c| only_child(c, ns::SAMLP, "StatusCode"))
        .and_then(|c| c.attribute("Value"))
    {
        return Err(ResponseError::Status {
            code: STATUS_SUCCESS.into(),
            second_level: Some(second.into()),
            message: None,
        });
    }
    Ok(())
}

/// Longest a LogoutResponse may take to come back (the request is kept as long).
pub const MAX_AGE: Duration = Duration::from_secs(10 * 60);

#[cfg(test)]
mod tests;
