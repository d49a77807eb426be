//! Raw signature creation and verification for XML-DSig and the Redirect binding, on
//! `aws_lc_rs::signature`.
//!
//! * RSASSA-PSS with MGF1 of the same hash and salt length = digest length (RFC 6931 §2.3.10, the
//!   aws-lc-rs default); RSA keys of 2048–8192 bits.
//! * RSA PKCS#1 v1.5 (legacy upstreams only; the allow-list decides).
//! * ECDSA (RFC 4051 §2.3.6): XML-DSig values are the fixed-size `r‖s`, the Redirect binding's are
//!   ASN.1 DER (JCA convention). aws-lc-rs pairs curve and hash per algorithm; the pairs it offers
//!   are listed in [`ecdsa_verification`] — other pairings (e.g. P-384 with SHA-256 in `r‖s` form)
//!   do not verify.

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{self, UnparsedPublicKey, VerificationAlgorithm};

use crate::algorithms::{DigestAlgorithm, SignatureAlgorithm};
use crate::errors::DsigError;
use crate::keys::{Curve, EcdsaSlot, KeyKind, PrivateKey, PublicKey};

/// How an ECDSA signature value is encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum EcdsaFormat {
    /// `r‖s`, each left-padded to the field size (XML-DSig, RFC 4051 §2.3.6).
    Raw,
    /// ASN.1 DER `Ecdsa-Sig-Value` (JCA, used by OpenSAML for the Redirect binding).
    Der,
}

fn rsa_verification(alg: SignatureAlgorithm) -> Option<&'static signature::RsaParameters> {
    Some(match alg {
        SignatureAlgorithm::RsaPssSha256 => &signature::RSA_PSS_2048_8192_SHA256,
        SignatureAlgorithm::RsaPssSha384 => &signature::RSA_PSS_2048_8192_SHA384,
        SignatureAlgorithm::RsaPssSha512 => &signature::RSA_PSS_2048_8192_SHA512,
        SignatureAlgorithm::RsaPkcs1Sha256 => &signature::RSA_PKCS1_2048_8192_SHA256,
        _ => return None,
    })
}

fn rsa_signing(alg: SignatureAlgorithm) -> Option<&'static dyn signature::RsaEncoding> {
    Some(match alg {
        SignatureAlgorithm::RsaPssSha256 => &signature::RSA_PSS_SHA256,
        SignatureAlgorithm::RsaPssSha384 => &signature::RSA_PSS_SHA384,
        SignatureAlgorithm::RsaPssSha512 => &signature::RSA_PSS_SHA512,
        SignatureAlgorithm::RsaPkcs1Sha256 => &signature::RSA_PKCS1_SHA256,
        _ => return None,
    })
}

/// The aws-lc-rs verification algorithm for a curve, hash and value format.
fn ecdsa_verification(
    curve: Curve,
    digest: DigestAlgorithm,
    format: EcdsaFormat,
) -> Option<&'static signature::EcdsaVerificationAlgorithm> {
    use signature as s;
    use DigestAlgorithm::{Sha256, Sha384, Sha512};
    use EcdsaFormat::{Der, Raw};
    Some(match (curve, digest, format) {
        (Curve::P256, Sha256, Raw) => &s::ECDSA_P256_SHA256_FIXED,
        (Curve::P384, Sha384, Raw) => &s::ECDSA_P384_SHA384_FIXED,
        (Curve::P521, Sha256, Raw) => &s::ECDSA_P521_SHA256_FIXED,
        (Curve::P521, Sha384, Raw) => &s::ECDSA_P521_SHA384_FIXED,
        (Curve::P521, Sha512, Raw) => &s::ECDSA_P521_SHA512_FIXED,
        (Curve::P256, Sha256, Der) => &s::ECDSA_P256_SHA256_ASN1,
        (Curve::P256, Sha384, Der) => &s::ECDSA_P256_SHA384_ASN1,
        (Curve::P256, Sha512, Der) => &s::ECDSA_P256_SHA512_ASN1,
        (Curve::P384, Sha256, Der) => &s::ECDSA_P384_SHA256_ASN1,
        (Curve::P384, Sha384, Der) => &s::ECDSA_P384_SHA384_ASN1,
        (Curve::P384, Sha512, Der) => &s::ECDSA_P384_SHA512_ASN1,
        (Curve::P521, Sha256, Der) => &s::ECDSA_P521_SHA256_ASN1,
        (Curve::P521, Sha384, Der) => &s::ECDSA_P521_SHA384_ASN1,
        (Curve::P521, Sha512, Der) => &s::ECDSA_P521_SHA512_ASN1,
        _ => return None,
    })
}

/// The aws-lc-rs signing algorithm for a curve, hash and value format.
fn ecdsa_signing(curve: Curve, digest: DigestAlgorithm, format: EcdsaFormat) -> Option<&'static signature::EcdsaSigningAlgorithm> {
    use signature as s;
    use DigestAlgorithm::{Sha256, Sha384, Sha512};
    use EcdsaFormat::{Der, Raw};
    Some(match (curve, digest, format) {
        (Curve::P256, Sha256, Raw) => &s::ECDSA_P256_SHA256_FIXED_SIGNING,
        (Curve::P384, Sha384, Raw) => &s::ECDSA_P384_SHA384_FIXED_SIGNING,
        (Curve::P521, Sha256, Raw) => &s::ECDSA_P521_SHA256_FIXED_SIGNING,
        (Curve::P521, Sha384, Raw) => &s::ECDSA_P521_SHA384_FIXED_SIGNING,
        (Curve::P521, Sha512, Raw) => &s::ECDSA_P521_SHA512_FIXED_SIGNING,
        (Curve::P256, Sha256, Der) => &s::ECDSA_P256_SHA256_ASN1_SIGNING,
        (Curve::P384, Sha384, Der) => &s::ECDSA_P384_SHA384_ASN1_SIGNING,
        (Curve::P521, Sha256, Der) => &s::ECDSA_P521_SHA256_ASN1_SIGNING,
        (Curve::P521, Sha384, Der) => &s::ECDSA_P521_SHA384_ASN1_SIGNING,
        (Curve::P521, Sha512, Der) => &s::ECDSA_P521_SHA512_ASN1_SIGNING,
        _ => return None,
    })
}

/// The parsed-key-pair slot of a hash and value format (`keys.rs`): one per signing algorithm a
/// key's curve allows.
fn ecdsa_slot(digest: DigestAlgorithm, format: EcdsaFormat) -> EcdsaSlot {
    let d = match digest {
        DigestAlgorithm::Sha256 => 0,
        DigestAlgorithm::Sha384 => 1,
        DigestAlgorithm::Sha512 => 2,
    };
    EcdsaSlot(d * 2 + usize::from(format == EcdsaFormat::Der))
}

/// Whether `key` can sign with `alg` (type, and for EC a curve/hash pair aws-lc-rs offers).
pub fn can_sign(key: &PrivateKey, alg: SignatureAlgorithm) -> bool {
    match key.kind() {
        KeyKind::Rsa { .. } => rsa_signing(alg).is_some(),
        KeyKind::Ec(curve) => alg.is_ecdsa() && ecdsa_signing(curve, alg.digest(), EcdsaFormat::Raw).is_some(),
    }
}

/// Verifies `sig` over `data` with one key; `false` on any mismatch (wrong type, size, value).
pub(crate) fn verify(alg: SignatureAlgorithm, key: &PublicKey, data: &[u8], sig: &[u8], format: EcdsaFormat) -> bool {
    let params: &'static dyn VerificationAlgorithm = match key.kind() {
        KeyKind::Rsa { .. } => match rsa_verification(alg) {
            Some(p) => p,
            None => return false,
        },
        KeyKind::Ec(curve) if alg.is_ecdsa() => match ecdsa_verification(curve, alg.digest(), format) {
            Some(p) => p,
            None => return false,
        },
        KeyKind::Ec(_) => return false,
    };
    UnparsedPublicKey::new(params, key.key_bytes()).verify(data, sig).is_ok()
}

/// Signs `data` with `key` per `alg`, returning the signature value in the requested ECDSA format.
pub(crate) fn sign(alg: SignatureAlgorithm, key: &PrivateKey, data: &[u8], format: EcdsaFormat) -> Result<Vec<u8>, DsigError> {
    let rng = SystemRandom::new();
    if let Some(kp) = key.rsa_sign() {
        let encoding = rsa_signing(alg).ok_or(DsigError::KeyMismatch)?;
        let mut out = vec![0u8; kp.public_modulus_len()];
        kp.sign(encoding, &rng, data, &mut out).map_err(|_| DsigError::Crypto)?;
        return Ok(out);
    }
    let KeyKind::Ec(curve) = key.kind() else {
        return Err(DsigError::KeyMismatch);
    };
    if !alg.is_ecdsa() {
        return Err(DsigError::KeyMismatch);
    }
    let signing = ecdsa_signing(curve, alg.digest(), format).ok_or(DsigError::KeyMismatch)?;
    let kp = key
        .ecdsa_key_pair(ecdsa_slot(alg.digest(), format), signing)
        .ok_or(DsigError::Crypto)?;
    let sig = kp.sign(&rng, data).map_err(|_| DsigError::Crypto)?;
    Ok(sig.as_ref().to_vec())
}
