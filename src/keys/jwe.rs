//! JWE compact serialization (RFC 7516 §7.1): the one decryption path of the broker, shared by
//! encrypted upstream ID tokens (`oidc_upstream::jwe`) and encrypted wallet responses
//! (`eudi::response`, OpenID4VP 1.0 §8.3), plus ECDH-ES encryption for the development test wallet
//! and tests.
//!
//! - Key management: `RSA-OAEP-256` (RFC 7518 §4.3) and `ECDH-ES` direct key agreement (RFC 7518
//!   §4.6): ECDH between the sender's ephemeral `epk` and our key, then the Concat KDF of §4.6.2
//!   (NIST SP 800-56A §5.8.1 with SHA-256; aws-lc's one-step SSKDF).
//! - Content encryption: `A128GCM` and `A256GCM` (RFC 7518 §5.3) with the protected header as sent
//!   (base64url) as AAD. Each caller names the ones it accepts.
//!
//! Every primitive is aws-lc-rs; this file only composes them. `zip` and `crit` are refused (RFC
//! 7516 §4.1.3, §4.1.11: we understand no extension). Decryption failures are one opaque error: no
//! oracle.

use aws_lc_rs::aead::{Aad, LessSafeKey, Nonce, UnboundKey, AES_128_GCM, AES_256_GCM, NONCE_LEN};
use aws_lc_rs::agreement::{self, EphemeralPrivateKey, UnparsedPublicKey};
use aws_lc_rs::kdf::{get_sskdf_digest_algorithm, sskdf_digest, SskdfDigestAlgorithmId};
use aws_lc_rs::rand::{SecureRandom, SystemRandom};
use aws_lc_rs::rsa::{OaepPrivateDecryptingKey, PrivateDecryptingKey, OAEP_SHA256_MGF1SHA256};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::Deserialize;
use zeroize::Zeroizing;

/// Content encryption algorithms (RFC 7518 §5.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContentEncryption {
    /// AES-128-GCM: OpenID4VP's default `enc` (§8.3) and one of the two HAIP lists.
    A128Gcm,
    /// AES-256-GCM.
    A256Gcm,
}

impl ContentEncryption {
    /// The JOSE name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::A128Gcm => "A128GCM",
            Self::A256Gcm => "A256GCM",
        }
    }

    /// Parse a JOSE `enc` value.
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "A128GCM" => Some(Self::A128Gcm),
            "A256GCM" => Some(Self::A256Gcm),
            _ => None,
        }
    }

    fn key_len(self) -> usize {
        match self {
            Self::A128Gcm => 16,
            Self::A256Gcm => 32,
        }
    }

    fn aead(self) -> &'static aws_lc_rs::aead::Algorithm {
        match self {
            Self::A128Gcm => &AES_128_GCM,
            Self::A256Gcm => &AES_256_GCM,
        }
    }
}

/// Why a JWE was not decrypted (or not made).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum JweError {
    /// Not five base64url parts.
    #[error("not a compact JWE")]
    Malformed,
    /// An `enc`, `zip` or `crit` we do not accept.
    #[error("unsupported JWE header (alg {alg}, enc {enc})")]
    Unsupported {
        /// `alg` as sent.
        alg: String,
        /// `enc` as sent.
        enc: String,
    },
    /// The key management algorithm does not fit our key.
    #[error("key management {0} does not fit our key")]
    KeyMismatch(String),
    /// Anything cryptographic: one error for all (no oracle).
    #[error("not decryptable with our key")]
    Undecryptable,
    /// A key could not be parsed or made.
    #[error("{0}")]
    Key(String),
}

/// A decryption key.
pub enum JweKey {
    /// RSA, for RSA-OAEP-256.
    Rsa(OaepPrivateDecryptingKey),
    /// EC, for ECDH-ES: the curve's JOSE name, its agreement algorithm and coordinate size.
    Ec {
        /// `P-256`, `P-384` or `P-521`.
        crv: &'static str,
        /// The agreement algorithm of the curve.
        alg: &'static agreement::Algorithm,
        /// Coordinate length in bytes.
        coord: usize,
        /// The private key.
        key: agreement::PrivateKey,
    },
}

impl JweKey {
    /// Parse PKCS#8 DER (RSA of at least 2048 bits, or EC on P-256/P-384/P-521).
    pub fn from_pkcs8(der: &[u8]) -> Result<Self, String> {
        if let Ok(k) = PrivateDecryptingKey::from_pkcs8(der) {
            if k.key_size_bits() < 2048 {
                return Err("RSA keys need at least 2048 bits".into());
            }
            return OaepPrivateDecryptingKey::new(k)
                .map(Self::Rsa)
                .map_err(|_| "RSA key rejected".into());
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
        Err("not an RSA or EC (P-256/P-384/P-521) key".into())
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
    kid: Option<String>,
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

/// A decrypted JWE.
pub struct Decrypted {
    /// The `kid` of the protected header, as sent (the caller matches it to its key).
    pub kid: Option<String>,
    /// The content encryption used.
    pub enc: ContentEncryption,
    /// The plaintext.
    pub plaintext: Zeroizing<Vec<u8>>,
}

fn b64(s: &str) -> Result<Vec<u8>, JweError> {
    URL_SAFE_NO_PAD.decode(s).map_err(|_| JweError::Undecryptable)
}

/// Decrypt a compact JWE with `key`, accepting only the content encryptions in `accepted`.
pub fn decrypt(token: &str, key: &JweKey, accepted: &[ContentEncryption]) -> Result<Decrypted, JweError> {
    let parts: Vec<&str> = token.split('.').collect();
    let [protected, encrypted_key, iv, ciphertext, tag] = parts.as_slice() else {
        return Err(JweError::Malformed);
    };
    let header: Header = serde_json::from_slice(&b64(protected)?).map_err(|_| JweError::Undecryptable)?;
    let enc = ContentEncryption::from_name(&header.enc).filter(|e| accepted.contains(e));
    let (Some(enc), None, None) = (enc, &header.zip, &header.crit) else {
        return Err(JweError::Unsupported {
            alg: header.alg,
            enc: header.enc,
        });
    };
    let cek = match (header.alg.as_str(), key) {
        ("RSA-OAEP-256", JweKey::Rsa(k)) => rsa_oaep_cek(k, &b64(encrypted_key)?, enc)?,
        ("ECDH-ES", JweKey::Ec { crv, alg, coord, key }) => {
            // Direct key agreement: the encrypted key is empty (RFC 7518 §4.6).
            if !encrypted_key.is_empty() {
                return Err(JweError::Undecryptable);
            }
            let epk = header.epk.as_ref().ok_or(JweError::Undecryptable)?;
            if epk.kty != "EC" || epk.crv != *crv {
                return Err(JweError::Undecryptable);
            }
            let (x, y) = (b64(&epk.x)?, b64(&epk.y)?);
            if x.len() != *coord || y.len() != *coord {
                return Err(JweError::Undecryptable);
            }
            // Uncompressed point (SEC 1 §2.3.3); aws-lc checks that it lies on our curve.
            let mut point = Vec::with_capacity(1 + 2 * coord);
            point.push(0x04);
            point.extend_from_slice(&x);
            point.extend_from_slice(&y);
            let apu = header.apu.as_deref().map(b64).transpose()?.unwrap_or_default();
            let apv = header.apv.as_deref().map(b64).transpose()?.unwrap_or_default();
            let info = concat_kdf_info(enc.as_str(), &apu, &apv, enc.key_len() * 8);
            agreement::agree(key, UnparsedPublicKey::new(alg, &point), JweError::Undecryptable, |z| {
                concat_kdf(z, &info, enc.key_len())
            })?
        }
        _ => return Err(JweError::KeyMismatch(header.alg)),
    };
    let iv = b64(iv)?;
    let mut in_out = Zeroizing::new(b64(ciphertext)?);
    in_out.extend_from_slice(&b64(tag)?);
    let nonce_bytes: [u8; NONCE_LEN] = iv.as_slice().try_into().map_err(|_| JweError::Undecryptable)?;
    let aead = LessSafeKey::new(UnboundKey::new(enc.aead(), &cek).map_err(|_| JweError::Undecryptable)?);
    // RFC 7516 §5.1 step 14: the AAD is the protected header exactly as transmitted.
    let plain = aead
        .open_in_place(
            Nonce::assume_unique_for_key(nonce_bytes),
            Aad::from(protected.as_bytes()),
            &mut in_out,
        )
        .map_err(|_| JweError::Undecryptable)?;
    Ok(Decrypted {
        kid: header.kid,
        enc,
        plaintext: Zeroizing::new(plain.to_vec()),
    })
}

/// Encrypt `plaintext` with ECDH-ES (direct) to the P-256 public key `recipient` (uncompressed
/// point, 65 bytes): the sender side, for the development test wallet and tests. `kid` names the
/// recipient's key in the header (OpenID4VP §8.3 asks the wallet to echo it).
pub fn encrypt_ecdh_es_p256(plaintext: &[u8], recipient: &[u8], enc: ContentEncryption, kid: Option<&str>) -> Result<String, JweError> {
    let rng = SystemRandom::new();
    let eph = EphemeralPrivateKey::generate(&agreement::ECDH_P256, &rng).map_err(|_| JweError::Key("no ephemeral key".into()))?;
    let eph_pub = eph.compute_public_key().map_err(|_| JweError::Key("no ephemeral key".into()))?;
    let p = eph_pub.as_ref();
    if p.len() != 65 {
        return Err(JweError::Key("unexpected point size".into()));
    }
    let info = concat_kdf_info(enc.as_str(), b"", b"", enc.key_len() * 8);
    let cek = agreement::agree_ephemeral(
        eph,
        UnparsedPublicKey::new(&agreement::ECDH_P256, recipient),
        JweError::Key("the recipient key is not a P-256 point".into()),
        |z| concat_kdf(z, &info, enc.key_len()),
    )?;
    let mut header = serde_json::json!({
        "alg": "ECDH-ES",
        "enc": enc.as_str(),
        "epk": {"kty": "EC", "crv": "P-256", "x": URL_SAFE_NO_PAD.encode(&p[1..33]), "y": URL_SAFE_NO_PAD.encode(&p[33..65])},
    });
    if let (Some(kid), Some(map)) = (kid, header.as_object_mut()) {
        map.insert("kid".into(), kid.into());
    }
    let protected = URL_SAFE_NO_PAD.encode(header.to_string());
    let mut iv = [0u8; NONCE_LEN];
    rng.fill(&mut iv).map_err(|_| JweError::Key("no randomness".into()))?;
    let aead = LessSafeKey::new(UnboundKey::new(enc.aead(), &cek).map_err(|_| JweError::Undecryptable)?);
    let mut data = plaintext.to_vec();
    let tag = aead
        .seal_in_place_separate_tag(Nonce::assume_unique_for_key(iv), Aad::from(protected.as_bytes()), &mut data)
        .map_err(|_| JweError::Undecryptable)?;
    Ok(format!(
        "{protected}..{}.{}.{}",
        URL_SAFE_NO_PAD.encode(iv),
        URL_SAFE_NO_PAD.encode(&data),
        URL_SAFE_NO_PAD.encode(tag.as_ref())
    ))
}

fn rsa_oaep_cek(key: &OaepPrivateDecryptingKey, encrypted: &[u8], enc: ContentEncryption) -> Result<Zeroizing<Vec<u8>>, JweError> {
    let mut out = Zeroizing::new(vec![0u8; key.min_output_size()]);
    let cek = key
        .decrypt(&OAEP_SHA256_MGF1SHA256, encrypted, &mut out, None)
        .map_err(|_| JweError::Undecryptable)?;
    if cek.len() != enc.key_len() {
        return Err(JweError::Undecryptable);
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

/// The Concat KDF with SHA-256 to a key of `len` bytes (at most one hash block: reps = 1).
pub fn concat_kdf(z: &[u8], info: &[u8], len: usize) -> Result<Zeroizing<Vec<u8>>, JweError> {
    let alg = get_sskdf_digest_algorithm(SskdfDigestAlgorithmId::Sha256).ok_or(JweError::Undecryptable)?;
    let mut cek = Zeroizing::new(vec![0u8; len]);
    sskdf_digest(alg, z, info, &mut cek).map_err(|_| JweError::Undecryptable)?;
    Ok(cek)
}

#[cfg(test)]
mod tests;
