//! Certificate-chain verification at the application layer, per trust anchor: PKIX path
//! (rustls-webpki), EKU (any of the anchor's allowed OIDs; none present is accepted, RFC 5280
//! §4.2.1.12), certificate policies (RFC 5280 §4.2.1.4), CRL revocation of the end entity **and
//! every intermediate** (RFC 5280 §6.3; an unknown status is a refusal) with a stale-CRL policy.
//!
//! Why not in the handshake: a TLS alert gives the person a browser error page; verifying after the
//! handshake lets us explain (expired, revoked, wrong CA …) in German and English. The handshake
//! still proves possession of the private key (rustls checks CertificateVerify).

use super::crl::{pem_or_der, CrlSet};
use super::settings::{AnchorConfig, RevocationMode, StaleCrlPolicy};
use rustls_pki_types::{CertificateDer, TrustAnchor, UnixTime};
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use webpki::{EndEntityCert, ExpirationPolicy, KeyPurposeIdIter, RevocationCheckDepth, RevocationOptionsBuilder, UnknownStatusPolicy};

/// Why a certificate login is refused. Each maps to a stable reason with its own page text
/// (`http::mtls::failure`, `http::login::upstream_error`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CertError {
    /// The browser sent no certificate.
    #[error("no client certificate")]
    NoCertificate,
    /// The certificate is not parseable.
    #[error("malformed certificate")]
    Malformed,
    /// No configured anchor issued it (directly or via known intermediates).
    #[error("issuer not trusted")]
    UnknownCa,
    /// Past its notAfter.
    #[error("certificate expired")]
    Expired,
    /// Before its notBefore: a different remedy (the device clock, or waiting), so a different text.
    #[error("certificate not yet valid")]
    NotYetValid,
    /// Listed on a CRL.
    #[error("certificate revoked")]
    Revoked,
    /// The CRL is past nextUpdate (hard fail) or unusable.
    #[error("revocation information is stale or unavailable")]
    RevocationUnavailable,
    /// EKU does not allow this use.
    #[error("extended key usage not accepted")]
    EkuMismatch,
    /// No required certificate policy asserted.
    #[error("certificate policy not accepted")]
    PolicyMismatch,
    /// Any other path error.
    #[error("certificate path invalid: {0}")]
    Invalid(String),
}

impl CertError {
    /// The refusal whose text ([`Display`](std::fmt::Display)) is `reason`, the inverse of
    /// `to_string`: [`CertificateAuthenticator::finish`](super::CertificateAuthenticator) carries
    /// a refusal as the text of `AuthnError::Rejected`, and the listener's page needs the refusal
    /// back. A text that names no refusal is [`CertError::Invalid`].
    pub fn from_reason(reason: &str) -> CertError {
        use CertError::*;
        [
            NoCertificate,
            Malformed,
            UnknownCa,
            Expired,
            NotYetValid,
            Revoked,
            RevocationUnavailable,
            EkuMismatch,
            PolicyMismatch,
        ]
        .into_iter()
        .find(|e| e.to_string() == reason)
        .unwrap_or_else(|| Invalid(reason.strip_prefix("certificate path invalid: ").unwrap_or(reason).to_owned()))
    }
}

/// One anchor, loaded.
pub struct LoadedAnchor {
    /// Its configuration.
    pub config: AnchorConfig,
    ca_der: CertificateDer<'static>,
    intermediates: Vec<CertificateDer<'static>>,
    crls: CrlSet,
    /// Content of the CA subject Name, without the outer SEQUENCE (for the TLS CertificateRequest
    /// hints, which `DistinguishedName::in_sequence` wraps).
    pub subject_der: Vec<u8>,
}

/// Load an anchor's files.
pub fn load_anchor(config: &AnchorConfig) -> Result<LoadedAnchor, String> {
    let read = |p: &std::path::Path| -> Result<CertificateDer<'static>, String> {
        let bytes = std::fs::read(p).map_err(|e| format!("{}: {e}", p.display()))?;
        pem_or_der(&bytes, "CERTIFICATE")
            .map(CertificateDer::from)
            .ok_or_else(|| format!("{}: not a certificate", p.display()))
    };
    let ca_der = read(&config.ca_file)?;
    let ta = webpki::anchor_from_trusted_cert(&ca_der)
        .map_err(|e| format!("{}: not a usable CA certificate: {e:?}", config.ca_file.display()))?;
    let intermediates = config.intermediates.iter().map(|p| read(p)).collect::<Result<Vec<_>, _>>()?;
    // The anchor subject is the Name's content without its SEQUENCE header.
    let subject_der = ta.subject.as_ref().to_vec();
    let crls = CrlSet::new(config.crl_files.clone());
    if crls.is_empty() {
        match config.revocation {
            RevocationMode::None => {
                tracing::warn!(anchor = %config.name, "revocation = \"none\": certificates under this anchor are never checked for revocation")
            }
            RevocationMode::Crl => {
                tracing::warn!(anchor = %config.name, "no CRL configured (development): revocation is not checked for this anchor")
            }
        }
    } else {
        let current = crls.current().map_err(|e| e.to_string())?;
        // Intermediates are checked too, and an unknown status is refused: without a CRL issued
        // by the anchor CA no intermediate could ever pass. Say so at start-up, not at each login.
        if !intermediates.is_empty() && !current.iter().any(|c| c.issuer() == ta.subject.as_ref()) {
            return Err(format!(
                "anchor {}: crl_files has no CRL issued by the CA of {} itself, so the intermediates' revocation cannot be checked (add that CA's CRL/ARL)",
                config.name,
                config.ca_file.display()
            ));
        }
    }
    Ok(LoadedAnchor {
        config: config.clone(),
        ca_der,
        intermediates,
        crls,
        subject_der,
    })
}

/// EKU rule: any allowed OID, or no EKU extension at all.
struct AnyOf<'a>(&'a [Vec<u64>]);

impl webpki::ExtendedKeyUsageValidator for AnyOf<'_> {
    fn validate(&self, iter: KeyPurposeIdIter<'_, '_>) -> Result<(), webpki::Error> {
        let mut present = Vec::new();
        for id in iter {
            let id = id?;
            let oid: Vec<u64> = id.to_decoded_oid().into_iter().map(|c| c as u64).collect();
            if self.0.contains(&oid) {
                return Ok(());
            }
            present.push(oid);
        }
        if present.is_empty() {
            Ok(())
        } else {
            // The context variant cannot be built outside webpki; the plain one carries the meaning.
            #[allow(deprecated)]
            Err(webpki::Error::RequiredEkuNotFound)
        }
    }
}

fn parse_oid(s: &str) -> Vec<u64> {
    s.split('.').filter_map(|p| p.parse().ok()).collect()
}

fn unix_time(now: SystemTime) -> UnixTime {
    UnixTime::since_unix_epoch(now.duration_since(UNIX_EPOCH).unwrap_or(Duration::ZERO))
}

/// Verify `chain` (DER, leaf first, as the client sent it) against the anchors in order; the first
/// anchor that issued it decides. Returns the index of that anchor.
pub fn verify_chain(chain: &[Vec<u8>], anchors: &[LoadedAnchor], now: SystemTime) -> Result<usize, CertError> {
    let leaf_der = chain.first().ok_or(CertError::NoCertificate)?;
    let leaf_der = CertificateDer::from(leaf_der.as_slice());
    let leaf = EndEntityCert::try_from(&leaf_der).map_err(|_| CertError::Malformed)?;
    for (i, anchor) in anchors.iter().enumerate() {
        match verify_one(&leaf, &leaf_der, chain, anchor, now) {
            Ok(()) => return Ok(i),
            Err(CertError::UnknownCa) => continue,
            Err(e) => return Err(e),
        }
    }
    Err(CertError::UnknownCa)
}

fn verify_one(
    leaf: &EndEntityCert<'_>,
    leaf_der: &CertificateDer<'_>,
    chain: &[Vec<u8>],
    anchor: &LoadedAnchor,
    now: SystemTime,
) -> Result<(), CertError> {
    let ta: TrustAnchor<'_> = webpki::anchor_from_trusted_cert(&anchor.ca_der).map_err(|e| CertError::Invalid(format!("{e:?}")))?;
    let mut intermediates: Vec<CertificateDer<'_>> = chain.iter().skip(1).map(|c| CertificateDer::from(c.as_slice())).collect();
    intermediates.extend(anchor.intermediates.iter().cloned());
    let ekus: Vec<Vec<u64>> = anchor.config.allowed_ekus.iter().map(|s| parse_oid(s)).collect();
    let crls = if anchor.crls.is_empty() {
        None
    } else {
        Some(anchor.crls.current().map_err(|_| CertError::RevocationUnavailable)?)
    };
    let crl_refs: Vec<&webpki::CertRevocationList<'_>> = crls.iter().flat_map(|c| c.iter()).collect();
    let attempt = |expiration: ExpirationPolicy| {
        let revocation = if crl_refs.is_empty() {
            None
        } else {
            RevocationOptionsBuilder::new(&crl_refs).ok().map(|b| {
                // The whole chain (RFC 5280 §6.3): a revoked intermediate (a compromised issuing
                // CA) must take down every certificate it issued. An unknown status is denied, so
                // crl_files must hold the CRL of every CA in the path (the root's CRL/ARL for the
                // intermediates, docs/certificates.md).
                b.with_depth(RevocationCheckDepth::Chain)
                    .with_status_policy(UnknownStatusPolicy::Deny)
                    .with_expiration_policy(expiration)
                    .build()
            })
        };
        leaf.verify_for_usage(
            crate::tls::crypto_provider().signature_verification_algorithms.all,
            std::slice::from_ref(&ta),
            &intermediates,
            unix_time(now),
            AnyOf(&ekus),
            revocation,
            None,
        )
        .map(|_| ())
    };
    let result = match attempt(ExpirationPolicy::Enforce) {
        Err(webpki::Error::CrlExpired { .. }) if anchor.config.crl_stale == StaleCrlPolicy::SoftFail => {
            tracing::warn!(anchor = %anchor.config.name, "stale CRL accepted (crl_stale = soft_fail)");
            attempt(ExpirationPolicy::Ignore)
        }
        other => other,
    };
    result.map_err(classify)?;
    check_policies(leaf_der, &anchor.config.required_policies)
}

fn classify(e: webpki::Error) -> CertError {
    use webpki::Error as W;
    match e {
        W::UnknownIssuer => CertError::UnknownCa,
        W::CertExpired { .. } => CertError::Expired,
        W::CertNotValidYet { .. } => CertError::NotYetValid,
        W::CertRevoked => CertError::Revoked,
        W::CrlExpired { .. } | W::UnknownRevocationStatus => CertError::RevocationUnavailable,
        #[allow(deprecated)]
        W::RequiredEkuNotFound | W::RequiredEkuNotFoundContext(_) => CertError::EkuMismatch,
        other => CertError::Invalid(format!("{other:?}")),
    }
}

fn check_policies(leaf_der: &CertificateDer<'_>, required: &[String]) -> Result<(), CertError> {
    if required.is_empty() {
        return Ok(());
    }
    let (_, cert) = x509_parser::parse_x509_certificate(leaf_der).map_err(|_| CertError::Malformed)?;
    let asserted = super::mapping::policy_oids(&cert);
    if asserted.iter().any(|p| required.contains(p)) {
        Ok(())
    } else {
        Err(CertError::PolicyMismatch)
    }
}
