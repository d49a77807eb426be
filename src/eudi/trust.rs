//! PID-provider trust anchors: the `x5c` chain of an SD-JWT VC (and of a status list token) must
//! lead to one of them (HAIP 1.0 §6.1.1; SD-JWT VC draft-13 §3.5 "x5c"). In production they come
//! from the national list of trusted entities for PID providers (ETSI TS 119 602, "LoTE"); tests
//! and development configure a CA.
//!
//! Chains are built by rustls-webpki (signature, validity at `now`, basic constraints, path
//! length); x509-parser reads the subject key identifiers (DCQL `aki`) and the leaf's public key.
//! HAIP: "the X.509 certificate of the trust anchor MUST NOT be included in the x5c" — a chain
//! carrying an anchor is refused, so a wallet cannot make us accept a certificate it brought.
//! A trusted list may also name the issuer's own (leaf) certificate: an `x5c` leaf that is exactly
//! such an entry is trusted directly, its validity still checked.

use crate::eudi::error::WalletError;
use base64::Engine;
use jsonwebtoken::{Algorithm, DecodingKey};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, TrustAnchor, UnixTime};
use std::path::Path;
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use webpki::{EndEntityCert, KeyPurposeIdIter};
use x509_parser::extensions::ParsedExtension;
use x509_parser::oid_registry::{OID_EC_P256, OID_KEY_TYPE_EC_PUBLIC_KEY, OID_NIST_EC_P384, OID_PKCS1_RSAENCRYPTION};

/// Service types of a PID provider in a LoTE (ETSI TS 119 602 Annex for PID providers): the
/// issuance service signs PIDs, the revocation service signs status lists.
const PID_SERVICE_PREFIX: &str = "http://uri.etsi.org/19602/SvcType/PID/";

/// The configured PID-provider anchors (DER).
#[derive(Clone)]
pub struct PidTrust {
    anchors: Vec<Vec<u8>>,
}

impl std::fmt::Debug for PidTrust {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PidTrust").field("anchors", &self.anchors.len()).finish()
    }
}

/// The issuer certificate of a chain that verified: its key checks the JWS.
#[derive(Debug, Clone)]
pub struct TrustedLeaf {
    key: DecodingKey,
    alg: Algorithm,
}

impl TrustedLeaf {
    /// The key of the leaf.
    pub fn key(&self) -> &DecodingKey {
        &self.key
    }

    /// The one JWS algorithm this key may sign with (ES256 for P-256, ES384 for P-384, PS256 for
    /// RSA): the `alg` header must name it, so no algorithm confusion is possible.
    pub fn alg(&self) -> Algorithm {
        self.alg
    }
}

impl PidTrust {
    /// Anchors from PEM (one or more `CERTIFICATE` blocks).
    pub fn from_pem_anchors(pem: &[u8]) -> Result<Self, WalletError> {
        let certs = CertificateDer::pem_slice_iter(pem)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| WalletError::Config(format!("not a PEM certificate: {e}")))?;
        Self::from_ders(certs.into_iter().map(|c| c.as_ref().to_vec()).collect())
    }

    /// Anchors from an ETSI TS 119 602 list of trusted entities: every certificate of a PID
    /// provider service (`…/SvcType/PID/…`). JSON (bare, under `LoTE`, or as the payload of a
    /// compact JWS) or XML. The list's own JAdES/XAdES signature is not checked here: the file
    /// is provisioned by the operator (docs/eudi-wallet.md says how to fetch and check it).
    pub fn from_trusted_list_file(path: &Path) -> Result<Self, WalletError> {
        let text = std::fs::read_to_string(path).map_err(|e| WalletError::Config(format!("trusted list {}: {e}", path.display())))?;
        Self::from_trusted_list(&text)
    }

    /// [`Self::from_trusted_list_file`] on the file's text.
    pub fn from_trusted_list(text: &str) -> Result<Self, WalletError> {
        let t = text.trim_start();
        let b64s = if t.starts_with('<') {
            lote_xml_certificates(t)?
        } else if t.starts_with('{') {
            let v: serde_json::Value = serde_json::from_str(t).map_err(|e| WalletError::Config(format!("trusted list: not JSON: {e}")))?;
            lote_json_certificates(&v)
        } else {
            let payload = t.trim().split('.').nth(1).unwrap_or_default();
            let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(payload)
                .map_err(|_| WalletError::Config("trusted list: neither XML, JSON nor a JWS".into()))?;
            let v: serde_json::Value =
                serde_json::from_slice(&bytes).map_err(|e| WalletError::Config(format!("trusted list: JWS payload not JSON: {e}")))?;
            lote_json_certificates(&v)
        };
        let ders = b64s
            .iter()
            .map(|b| {
                let compact: String = b.chars().filter(|c| !c.is_whitespace()).collect();
                base64::engine::general_purpose::STANDARD
                    .decode(compact)
                    .map_err(|_| WalletError::Config("trusted list: a certificate is not base64".into()))
            })
            .collect::<Result<Vec<_>, _>>()?;
        Self::from_ders(ders)
    }

    fn from_ders(anchors: Vec<Vec<u8>>) -> Result<Self, WalletError> {
        if anchors.is_empty() {
            return Err(WalletError::Config("no PID-provider certificate found".into()));
        }
        for a in &anchors {
            x509_parser::parse_x509_certificate(a).map_err(|_| WalletError::Config("a PID-provider certificate does not parse".into()))?;
            webpki::anchor_from_trusted_cert(&CertificateDer::from(a.as_slice()))
                .map_err(|e| WalletError::Config(format!("a PID-provider certificate is no usable anchor: {e:?}")))?;
        }
        Ok(Self { anchors })
    }

    /// base64url of each anchor's subject key identifier (DCQL `trusted_authorities` type `aki`,
    /// OpenID4VP §6.1.1.1: it matches the authority key identifier of the certificates it
    /// issued). Anchors without one are left out.
    pub fn akis(&self) -> Vec<String> {
        self.anchors
            .iter()
            .filter_map(|der| {
                let (_, cert) = x509_parser::parse_x509_certificate(der).ok()?;
                cert.extensions().iter().find_map(|e| match e.parsed_extension() {
                    ParsedExtension::SubjectKeyIdentifier(k) => Some(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(k.0)),
                    _ => None,
                })
            })
            .collect()
    }

    /// Verify an `x5c` chain (DER, leaf first) to an anchor at `now`; returns the leaf's key.
    pub fn verify_chain(&self, chain: &[Vec<u8>], now: SystemTime) -> Result<TrustedLeaf, WalletError> {
        let leaf_der = chain.first().ok_or_else(|| WalletError::UntrustedIssuer("x5c is empty".into()))?;
        if chain.iter().skip(1).any(|c| self.anchors.contains(c)) {
            return Err(WalletError::UntrustedIssuer("x5c carries a trust anchor (HAIP §6.1.1)".into()));
        }
        if self.anchors.contains(leaf_der) {
            check_validity(leaf_der, now)?;
            return leaf_key(leaf_der);
        }
        let leaf_cert = CertificateDer::from(leaf_der.as_slice());
        let leaf = EndEntityCert::try_from(&leaf_cert).map_err(|e| WalletError::UntrustedIssuer(format!("x5c leaf: {e:?}")))?;
        let intermediates: Vec<CertificateDer<'_>> = chain.iter().skip(1).map(|c| CertificateDer::from(c.as_slice())).collect();
        let anchor_certs: Vec<CertificateDer<'_>> = self.anchors.iter().map(|a| CertificateDer::from(a.as_slice())).collect();
        let anchors: Vec<TrustAnchor<'_>> = anchor_certs
            .iter()
            .filter_map(|a| webpki::anchor_from_trusted_cert(a).ok())
            .collect();
        let time = UnixTime::since_unix_epoch(now.duration_since(UNIX_EPOCH).unwrap_or(Duration::ZERO));
        leaf.verify_for_usage(
            crate::tls::crypto_provider().signature_verification_algorithms.all,
            &anchors,
            &intermediates,
            time,
            AnyEku,
            None,
            None,
        )
        .map_err(|e| match e {
            webpki::Error::UnknownIssuer => WalletError::UntrustedIssuer("no configured PID provider issued it".into()),
            webpki::Error::CertExpired { .. } => WalletError::UntrustedIssuer("certificate expired".into()),
            webpki::Error::CertNotValidYet { .. } => WalletError::UntrustedIssuer("certificate not yet valid".into()),
            other => WalletError::UntrustedIssuer(format!("{other:?}")),
        })?;
        leaf_key(leaf_der)
    }
}

/// No extended key usage is defined for PID issuer certificates (ETSI TS 119 412-6 profiles them
/// by policy, not EKU): the anchor decides, any EKU or none is accepted.
struct AnyEku;

impl webpki::ExtendedKeyUsageValidator for AnyEku {
    fn validate(&self, _iter: KeyPurposeIdIter<'_, '_>) -> Result<(), webpki::Error> {
        Ok(())
    }
}

fn check_validity(der: &[u8], now: SystemTime) -> Result<(), WalletError> {
    let (_, cert) = x509_parser::parse_x509_certificate(der).map_err(|_| WalletError::UntrustedIssuer("x5c leaf does not parse".into()))?;
    let t = crate::clock::unix_seconds(now);
    let v = cert.validity();
    if t < v.not_before.timestamp() || t > v.not_after.timestamp() {
        return Err(WalletError::UntrustedIssuer("certificate outside its validity".into()));
    }
    Ok(())
}

/// The leaf's public key and the one algorithm it may be used with.
fn leaf_key(der: &[u8]) -> Result<TrustedLeaf, WalletError> {
    let (_, cert) = x509_parser::parse_x509_certificate(der).map_err(|_| WalletError::UntrustedIssuer("x5c leaf does not parse".into()))?;
    let spki = cert.public_key();
    let raw = spki.subject_public_key.data.as_ref();
    let oid = &spki.algorithm.algorithm;
    if *oid == OID_KEY_TYPE_EC_PUBLIC_KEY {
        let curve = spki.algorithm.parameters.as_ref().and_then(|p| p.as_oid().ok());
        let alg = match curve {
            Some(c) if c == OID_EC_P256 => Algorithm::ES256,
            Some(c) if c == OID_NIST_EC_P384 => Algorithm::ES384,
            _ => return Err(WalletError::Algorithm("issuer key on an unsupported curve".into())),
        };
        Ok(TrustedLeaf {
            key: DecodingKey::from_ec_der(raw),
            alg,
        })
    } else if *oid == OID_PKCS1_RSAENCRYPTION {
        Ok(TrustedLeaf {
            key: DecodingKey::from_rsa_der(raw),
            alg: Algorithm::PS256,
        })
    } else {
        Err(WalletError::Algorithm("issuer key type not supported".into()))
    }
}

/// Certificates of PID services in a JSON LoTE (TS 119 602: `TrustedEntitiesList[]
/// .TrustedEntityServices[].ServiceInformation{ServiceTypeIdentifier, ServiceDigitalIdentity
/// .X509Certificates[].val}`), bare or under `LoTE`.
fn lote_json_certificates(v: &serde_json::Value) -> Vec<String> {
    let list = v.get("LoTE").unwrap_or(v);
    let mut out = Vec::new();
    for entity in list.get("TrustedEntitiesList").and_then(|l| l.as_array()).into_iter().flatten() {
        for service in entity.get("TrustedEntityServices").and_then(|s| s.as_array()).into_iter().flatten() {
            let info = service.get("ServiceInformation");
            let kind = info.and_then(|i| i.get("ServiceTypeIdentifier")).and_then(|t| t.as_str());
            if !kind.is_some_and(|k| k.starts_with(PID_SERVICE_PREFIX)) {
                continue;
            }
            let certs = info
                .and_then(|i| i.get("ServiceDigitalIdentity"))
                .and_then(|d| d.get("X509Certificates"))
                .and_then(|c| c.as_array());
            for c in certs.into_iter().flatten() {
                if let Some(val) = c.get("val").and_then(|v| v.as_str()).or_else(|| c.as_str()) {
                    out.push(val.to_owned());
                }
            }
        }
    }
    out
}

/// Certificates of PID services in an XML LoTE: each `ServiceInformation` whose
/// `ServiceTypeIdentifier` is a PID service, its `X509Certificate` descendants.
fn lote_xml_certificates(xml: &str) -> Result<Vec<String>, WalletError> {
    let doc = roxmltree::Document::parse(xml).map_err(|e| WalletError::Config(format!("trusted list: not XML: {e}")))?;
    let mut out = Vec::new();
    for info in doc.descendants().filter(|n| n.has_tag_name_local("ServiceInformation")) {
        let kind = info
            .descendants()
            .find(|n| n.has_tag_name_local("ServiceTypeIdentifier"))
            .and_then(|n| n.text())
            .unwrap_or_default();
        if !kind.trim().starts_with(PID_SERVICE_PREFIX) {
            continue;
        }
        out.extend(
            info.descendants()
                .filter(|n| n.has_tag_name_local("X509Certificate"))
                .filter_map(|n| n.text().map(str::to_owned)),
        );
    }
    Ok(out)
}

trait LocalName {
    fn has_tag_name_local(&self, name: &str) -> bool;
}

impl LocalName for roxmltree::Node<'_, '_> {
    fn has_tag_name_local(&self, name: &str) -> bool {
        self.is_element() && self.tag_name().name() == name
    }
}

#[cfg(test)]
mod tests;
