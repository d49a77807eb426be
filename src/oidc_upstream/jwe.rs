//! Encrypted ID tokens: JWE compact serialization (RFC 7516 §7.1), for upstreams that require
//! them. Two key management algorithms, one content encryption:
//!
//! - `RSA-OAEP-256` (RFC 7518 §4.3): the CEK is RSA-OAEP (SHA-256, MGF1-SHA-256) encrypted to our key;
//! - `ECDH-ES` (RFC 7518 §4.6, direct key agreement): ECDH between the sender's ephemeral key
//!   `epk` and ours, then the Concat KDF of §4.6.2 (NIST SP 800-56A §5.8.1 with SHA-256; aws-lc's
//!   one-step SSKDF) gives the 256-bit CEK;
//! - `A256GCM` (RFC 7518 §5.3) with the protected header (as sent, base64url) as AAD.
//!
//! Every primitive is aws-lc-rs (`rsa::OaepPrivateDecryptingKey`, `agreement`, `kdf`, `aead`);
//! this file only composes them. `zip` and `crit` are refused (RFC 7516 §4.1.3, §4.1.11: we
//! understand no extension), and so is anything but a nested signed JWT inside (OIDC Core §10.2:
//! ID tokens are signed, then encrypted). Every failure is the same opaque error: no oracle.

use super::id_token::IdTokenError;
use aws_lc_rs::aead::{Aad, LessSafeKey, Nonce, UnboundKey, AES_256_GCM, NONCE_LEN};
use aws_lc_rs::agreement::{self, UnparsedPublicKey};
use aws_lc_rs::kdf::{get_sskdf_digest_algorithm, sskdf_digest, SskdfDigestAlgorithmId};
use aws_lc_rs::rsa::{OaepPrivateDecryptingKey, PrivateDecryptingKey, OAEP_SHA256_MGF1SHA256};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::PrivateKeyDer;
use serde::Deserialize;
use zeroize::Zeroizing;

/// The one content encryption algorithm accepted.
const ENC: &str = "A256GCM";
/// Its key length in bytes.
const CEK_LEN: usize = 32;

/// A decryption key.
pub enum JweKey {
    /// RSA, for RSA-OAEP-256.
    Rsa(OaepPrivateDecryptingKey),
    /// EC, for ECDH-ES: the curve's JOSE name, its agreement algorithm and coordinate size.
    Ec {
        crv: &'static str,
        alg: &'static agreement::Algorithm,
        coord: usize,
        key: agreement::PrivateKey,
    },
}

impl JweKey {
    /// Parse a PKCS#8 PEM private key.
    pub fn from_pem(pem: &[u8]) -> Result<Self, String> {
        let der = match PrivateKeyDer::from_pem_slice(pem) {
            Ok(PrivateKeyDer::Pkcs8(d)) => d,
            Ok(_) => return Err("id_token_decryption_key: expected a PKCS#8 \"PRIVATE KEY\" PEM".into()),
            Err(e) => return Err(format!("id_token_decryption_key: not a PEM private key: {e}")),
        };
        Self::from_pkcs8(der.secret_pkcs8_der())
    }

    /// Parse PKCS#8 DER.
    pub fn from_pkcs8(der: &[u8]) -> Result<Self, String> {
        if let Ok(k) = PrivateDecryptingKey::from_pkcs8(der) {
            if k.key_size_bits() < 2048 {
                return Err("id_token_decryption_key: RSA keys need at least 2048 bits".into());
            }
            return OaepPrivateDecryptingKey::new(k)
                .map(Self::Rsa)
                .map_err(|_| "id_token_decryption_key: RSA key rejected".into());
        }
        for (crv, alg, coord) in [
            ("P-256", &agreement::ECDH_P256, 32),
            ("P-384", &agreement::ECDH_P384, 48),
            ("P-521", &agreement::ECDH_P521, 66),
        ] {
            if let Ok(key) = agreement::PrivateKey::from_private_key_der(alg, der) {
                return Ok(Self::Ec { crv, alg, coord, key });
            }
        }
        Err("id_token_decryption_key: not an RSA or EC (P-256/P-384/P-521) key".into())
    }

    /// `RSA` or the curve, for `Debug`.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Rsa(_) => "RSA",
            Self::Ec { crv, .. } => crv,
        }
    }
}

/// Whether a token is a JWE (five parts) rather than a JWS (three).
pub fn is_jwe(token: &str) -> bool {
    token.split('.').count() == 5
}

#[derive(Deserialize)]
struct Header {
    alg: String,
    enc: String,
    #[serde(default)]
    epk: Option<Epk>,
    #[serde(default)]
    apu: Option<String>,
    #[serde(default)]
    apv: Option<String>,
    #[serde(default)]
    zip: Option<serde_json::Value>,
    #[serde(default)]
    crit: Option<serde_json::Value>,
}

#[derive(Deserialize)]
struct Epk {
    kty: String,
    crv: String,
    x: String,
    y: String,
}

fn refuse() -> IdTokenError {
    IdTokenError::Encryption("not decryptable with our key".into())
}

fn b64(s: &str) -> Result<Vec<u8>, IdTokenError> {
    URL_SAFE_NO_PAD.decode(s).map_err(|_| refuse())
}

/// Decrypt a compact JWE to the nested JWS it carries.
pub fn decrypt(token: &str, key: &JweKey) -> Result<String, IdTokenError> {
    let parts: Vec<&str> = token.split('.').collect();
    let [protected, encrypted_key, iv, ciphertext, tag] = parts.as_slice() else {
        return Err(IdTokenError::Encryption("not a compact JWE".into()));
    };
    let header: Header = serde_json::from_slice(&b64(protected)?).map_err(|_| refuse())?;
    if header.enc != ENC || header.zip.is_some() || header.crit.is_some() {
        return Err(IdTokenError::Encryption(format!(
            "unsupported JWE header (alg {}, enc {})",
            header.alg, header.enc
        )));
    }
    let cek = match (header.alg.as_str(), key) {
        ("RSA-OAEP-256", JweKey::Rsa(k)) => rsa_oaep_cek(k, &b64(encrypted_key)?)?,
        ("ECDH-ES", JweKey::Ec { crv, alg, coord, key }) => {
            // Direct key agreement: the encrypted key is empty (RFC 7518 §4.6).
            if !encrypted_key.is_empty() {
                return Err(refuse());
            }
            let epk = header.epk.as_ref().ok_or_else(refuse)?;
            if epk.kty != "EC" || epk.crv != *crv {
                return Err(refuse());
            }
            let (x, y) = (b64(&epk.x)?, b64(&epk.y)?);
            if x.len() != *coord || y.len() != *coord {
                return Err(refuse());
            }
            // Uncompressed point (SEC 1 §2.3.3); aws-lc checks that it lies on our curve.
            let mut point = Vec::with_capacity(1 + 2 * coord);
            point.push(0x04);
            point.extend_from_slice(&x);
            point.extend_from_slice(&y);
            let apu = header.apu.as_deref().map(b64).transpose()?.unwrap_or_default();
            let apv = header.apv.as_deref().map(b64).transpose()?.unwrap_or_default();
            let info = concat_kdf_info(ENC, &apu, &apv, CEK_LEN * 8);
            agreement::agree(key, UnparsedPublicKey::new(alg, &point), refuse(), |z| concat_kdf(z, &info))?
        }
        _ => {
            return Err(IdTokenError::Encryption(format!(
                "key management {} does not fit our key",
                header.alg
            )))
        }
    };
    let iv = b64(iv)?;
    let mut in_out = b64(ciphertext)?;
    in_out.extend_from_slice(&b64(tag)?);
    let nonce_bytes: [u8; NONCE_LEN] = iv.as_slice().try_into().map_err(|_| refuse())?;
    let key = LessSafeKey::new(UnboundKey::new(&AES_256_GCM, &cek).map_err(|_| refuse())?);
    // RFC 7516 §5.1 step 14: the AAD is the protected header exactly as transmitted.
    let plain = key
        .open_in_place(
            Nonce::assume_unique_for_key(nonce_bytes),
            Aad::from(protected.as_bytes()),
            &mut in_out,
        )
        .map_err(|_| refuse())?;
    let inner = String::from_utf8(plain.to_vec()).map_err(|_| refuse())?;
    if inner.split('.').count() != 3 {
        return Err(IdTokenError::Encryption("the JWE does not carry a signed JWT".into()));
    }
    Ok(inner)
}

fn rsa_oaep_cek(key: &OaepPrivateDecryptingKey, encrypted: &[u8]) -> Result<Zeroizing<Vec<u8>>, IdTokenError> {
    let mut out = Zeroizing::new(vec![0u8; key.min_output_size()]);
    let cek = key
        .decrypt(&OAEP_SHA256_MGF1SHA256, encrypted, &mut out, None)
        .map_err(|_| refuse())?;
    if cek.len() != CEK_LEN {
        return Err(refuse());
    }
    Ok(Zeroizing::new(cek.to_vec()))
}

/// RFC 7518 §4.6.2 OtherInfo: AlgorithmID ‖ PartyUInfo ‖ PartyVInfo ‖ SuppPubInfo, each of the
/// first three as a 32-bit big-endian length and the octets; SuppPubInfo = keydatalen in bits.
/// For direct ECDH-ES the AlgorithmID is the `enc` value.
pub fn concat_kdf_info(alg_id: &str, apu: &[u8], apv: &[u8], key_bits: usize) -> Vec<u8> {
    let mut info = Vec::new();
    for part in [alg_id.as_bytes(), apu, apv] {
        info.extend_from_slice(&u32::try_from(part.len()).unwrap_or(u32::MAX).to_be_bytes());
        info.extend_from_slice(part);
    }
    info.extend_from_slice(&u32::try_from(key_bits).unwrap_or(u32::MAX).to_be_bytes());
    info
}

/// The Concat KDF with SHA-256 to a 256-bit key (one hash block: reps = 1).
fn concat_kdf(z: &[u8], info: &[u8]) -> Result<Zeroizing<Vec<u8>>, IdTokenError> {
    let alg = get_sskdf_digest_algorithm(SskdfDigestAlgorithmId::Sha256).ok_or_else(refuse)?;
    let mut cek = Zeroizing::new(vec![0u8; CEK_LEN]);
    sskdf_digest(alg, z, info, &mut cek).map_err(|_| refuse())?;
    Ok(cek)
}

#[cfg(test)]
pub(crate) mod tests;
