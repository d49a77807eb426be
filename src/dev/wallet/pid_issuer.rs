//! A development PID provider (DEVELOPMENT ONLY): mints German PIDs as SD-JWT VC with the
//! committed development CA (certs/dev/eudi/, see its generate.sh), key binding JWTs for a
//! holder key, and status list tokens. Used by the Rust tests and the development test wallet
//! page; never by a production configuration (the broker refuses certs/dev/ outside development).
//!
//! The PID follows the German PID reference (PID-DE, SD-JWT VC `urn:eudi:pid:de:1`): upper-case
//! strings, every personal claim selectively disclosable, `address` with its own disclosable
//! parts, `nationalities` with disclosable elements, and one decoy digest.

use crate::eudi::error::WalletError;
use crate::eudi::status_list::StatusSource;
use crate::eudi::trust::PidTrust;
use aws_lc_rs::rand::SecureRandom;
use aws_lc_rs::signature::{EcdsaKeyPair, KeyPair, ECDSA_P256_SHA256_FIXED_SIGNING};
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::CertificateDer;
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};
use std::io::Write;
use std::path::Path;

/// A failure of the development issuer (bad key files, signing).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PidIssuerError {
    /// A key or certificate file is missing or unusable.
    #[error("development PID issuer key material: {0}")]
    Material(String),
    /// Signing or encoding failed.
    #[error("development PID issuer: {0}")]
    Sign(String),
}

/// How to mint: the knobs the attack tests turn.
#[derive(Debug, Clone)]
pub struct MintOptions {
    /// `vct`.
    pub vct: String,
    /// `iat` (seconds since the epoch).
    pub iat: i64,
    /// `exp` (seconds since the epoch).
    pub exp: i64,
    /// `status.status_list` {`uri`, `idx`}.
    pub status: Option<(String, u64)>,
    /// The JOSE `typ`.
    pub typ: String,
}

impl MintOptions {
    /// A German PID valid for 14 days from `now` (seconds), without status.
    pub fn valid_from(now: i64) -> Self {
        Self {
            vct: "urn:eudi:pid:de:1".into(),
            iat: now,
            exp: now + 14 * 86_400,
            status: None,
            typ: crate::eudi::sd_jwt::TYP.into(),
        }
    }
}

/// An issued SD-JWT VC: the issuer JWT and its disclosures, each with the top-level claim it
/// belongs to (so a presentation can keep a claim with all its parts).
#[derive(Debug, Clone)]
pub struct Issued {
    /// The issuer-signed JWT.
    pub jwt: String,
    /// (top-level claim, disclosure).
    pub disclosures: Vec<(String, String)>,
}

impl Issued {
    /// `jwt~d1~…~dn~` with the disclosures of the claims in `keep` (RFC 9901 §4, no KB-JWT).
    pub fn present(&self, keep: &[&str]) -> String {
        let mut out = format!("{}~", self.jwt);
        for (owner, d) in &self.disclosures {
            if keep.contains(&owner.as_str()) {
                out.push_str(d);
                out.push('~');
            }
        }
        out
    }

    /// Every disclosure.
    pub fn present_all(&self) -> String {
        let mut out = format!("{}~", self.jwt);
        for (_, d) in &self.disclosures {
            out.push_str(d);
            out.push('~');
        }
        out
    }
}

/// The development PID provider.
pub struct DevPidIssuer {
    key: EncodingKey,
    x5c: Vec<String>,
    anchor_pem: Vec<u8>,
}

impl std::fmt::Debug for DevPidIssuer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DevPidIssuer([development])")
    }
}

impl DevPidIssuer {
    /// From the files of certs/dev/eudi/ (`pid-ca.crt`, `pid-issuer.crt`, `pid-issuer.key`).
    pub fn from_dir(dir: &Path) -> Result<Self, PidIssuerError> {
        let read = |n: &str| std::fs::read(dir.join(n)).map_err(|e| PidIssuerError::Material(format!("{n}: {e}")));
        Self::from_pem(&read("pid-ca.crt")?, &read("pid-issuer.crt")?, &read("pid-issuer.key")?)
    }

    /// From PEM: the anchor certificate, the issuer certificate (chain without the anchor, leaf
    /// first) and the issuer's PKCS#8 EC P-256 key.
    pub fn from_pem(anchor_pem: &[u8], issuer_chain_pem: &[u8], issuer_key_pem: &[u8]) -> Result<Self, PidIssuerError> {
        let chain = CertificateDer::pem_slice_iter(issuer_chain_pem)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| PidIssuerError::Material(format!("issuer certificate: {e}")))?;
        if chain.is_empty() {
            return Err(PidIssuerError::Material("no issuer certificate".into()));
        }
        let key = EncodingKey::from_ec_pem(issuer_key_pem).map_err(|e| PidIssuerError::Material(format!("issuer key: {e}")))?;
        Ok(Self {
            key,
            x5c: chain.iter().map(|c| STANDARD.encode(c.as_ref())).collect(),
            anchor_pem: anchor_pem.to_vec(),
        })
    }

    /// The trust configuration that accepts this issuer.
    pub fn trust(&self) -> Result<PidTrust, PidIssuerError> {
        PidTrust::from_pem_anchors(&self.anchor_pem).map_err(|e| PidIssuerError::Material(e.to_string()))
    }

    /// Mint a PID for `person` (claims as in [`sample_person`]) bound to `holder`.
    pub fn mint(&self, person: &Value, holder: &HolderKey, opts: &MintOptions) -> Result<Issued, PidIssuerError> {
        let person = person
            .as_object()
            .ok_or_else(|| PidIssuerError::Sign("person is not an object".into()))?;
        let mut disclosures = Vec::new();
        let mut sd = Vec::new();
        for (name, value) in person {
            let value = match (name.as_str(), value) {
                ("address", Value::Object(parts)) => {
                    // Each part of the address disclosable on its own (RFC 9901 §4.2.6, nested).
                    let mut inner = Vec::new();
                    for (k, v) in parts {
                        let d = disclosure(&json!([salt()?, k, v]))?;
                        inner.push(Value::String(crate::eudi::sd_jwt::digest(&d)));
                        disclosures.push((name.clone(), d));
                    }
                    json!({ "_sd": inner })
                }
                ("nationalities", Value::Array(items)) => {
                    // Array elements disclosable (RFC 9901 §4.2.2).
                    let mut out = Vec::new();
                    for v in items {
                        let d = disclosure(&json!([salt()?, v]))?;
                        out.push(json!({ "...": crate::eudi::sd_jwt::digest(&d) }));
                        disclosures.push((name.clone(), d));
                    }
                    Value::Array(out)
                }
                _ => value.clone(),
            };
            let d = disclosure(&json!([salt()?, name, value]))?;
            sd.push(Value::String(crate::eudi::sd_jwt::digest(&d)));
            disclosures.push((name.clone(), d));
        }
        // A decoy digest (RFC 9901 §4.2.5): matches no disclosure, must be ignored.
        sd.push(Value::String(URL_SAFE_NO_PAD.encode(Sha256::digest(salt()?.as_bytes()))));
        sd.sort_by(|a, b| a.as_str().cmp(&b.as_str()));
        let mut claims = Map::new();
        claims.insert("iss".into(), json!("https://pid-provider.development.invalid"));
        claims.insert("vct".into(), json!(opts.vct));
        claims.insert("iat".into(), json!(opts.iat));
        claims.insert("exp".into(), json!(opts.exp));
        claims.insert("issuing_country".into(), json!("DE"));
        claims.insert("issuing_authority".into(), json!("DE"));
        claims.insert("cnf".into(), json!({ "jwk": holder.jwk() }));
        claims.insert("_sd_alg".into(), json!("sha-256"));
        claims.insert("_sd".into(), Value::Array(sd));
        if let Some((uri, idx)) = &opts.status {
            claims.insert("status".into(), json!({ "status_list": { "idx": idx, "uri": uri } }));
        }
        let jwt = self.sign(&opts.typ, &Value::Object(claims))?;
        Ok(Issued { jwt, disclosures })
    }

    /// Sign `claims` as this issuer with `typ` and the `x5c` chain.
    pub fn sign(&self, typ: &str, claims: &Value) -> Result<String, PidIssuerError> {
        let mut header = Header::new(Algorithm::ES256);
        header.typ = Some(typ.into());
        header.x5c = Some(self.x5c.clone());
        jsonwebtoken::encode(&header, claims, &self.key).map_err(|e| PidIssuerError::Sign(e.to_string()))
    }

    /// A status list token for `uri` (draft-ietf-oauth-status-list §5.1): `statuses` packed
    /// `bits` per entry, least significant first, zlib-compressed.
    pub fn status_list_token(&self, uri: &str, statuses: &[u8], bits: u8, iat: i64, ttl: Option<u64>) -> Result<String, PidIssuerError> {
        let mut claims = json!({
            "sub": uri,
            "iat": iat,
            "exp": iat + 86_400,
            "status_list": { "bits": bits, "lst": pack_statuses(statuses, bits)? },
        });
        if let (Some(ttl), Value::Object(o)) = (ttl, &mut claims) {
            o.insert("ttl".into(), json!(ttl));
        }
        self.sign(crate::eudi::status_list::TYP, &claims)
    }
}

/// `lst` of a status list: `statuses` packed `bits` per entry (1, 2, 4 or 8), index 0 in the
/// least significant bits of the first byte, zlib, base64url (§4.1).
pub fn pack_statuses(statuses: &[u8], bits: u8) -> Result<String, PidIssuerError> {
    if ![1, 2, 4, 8].contains(&bits) {
        return Err(PidIssuerError::Sign(format!("bits = {bits}")));
    }
    let per_byte = 8 / usize::from(bits);
    let mut bytes = vec![0u8; statuses.len().div_ceil(per_byte)];
    for (i, s) in statuses.iter().enumerate() {
        let shift = (i % per_byte) * usize::from(bits);
        bytes[i / per_byte] |= (s & ((1u16 << bits) - 1) as u8) << shift;
    }
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    z.write_all(&bytes).map_err(|e| PidIssuerError::Sign(e.to_string()))?;
    let compressed = z.finish().map_err(|e| PidIssuerError::Sign(e.to_string()))?;
    Ok(URL_SAFE_NO_PAD.encode(compressed))
}

/// Erika Mustermann of the German PID reference, upper case as the PID provider writes it.
pub fn sample_person() -> Value {
    json!({
        "family_name": "MUSTERMANN",
        "given_name": "ERIKA",
        "birthdate": "1964-08-12",
        "place_of_birth": { "locality": "BERLIN" },
        "birth_family_name": "GABLER",
        "nationalities": ["DE"],
        "address": {
            "street_address": "HEIDESTRASSE 17",
            "locality": "KÖLN",
            "postal_code": "51147",
            "country": "DE"
        }
    })
}

/// The wallet's device key: P-256, generated fresh; `cnf.jwk` of the PIDs minted for it.
pub struct HolderKey {
    pair: EcdsaKeyPair,
    key: EncodingKey,
}

impl std::fmt::Debug for HolderKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("HolderKey([redacted])")
    }
}

impl HolderKey {
    /// A new random key.
    pub fn generate() -> Result<Self, PidIssuerError> {
        let pair =
            EcdsaKeyPair::generate(&ECDSA_P256_SHA256_FIXED_SIGNING).map_err(|_| PidIssuerError::Sign("holder key generation".into()))?;
        let pkcs8 = pair.to_pkcs8v1().map_err(|_| PidIssuerError::Sign("holder key export".into()))?;
        let key = EncodingKey::from_ec_der(pkcs8.as_ref());
        Ok(Self { pair, key })
    }

    /// The public key as a JWK (RFC 7518 §6.2.1).
    pub fn jwk(&self) -> Value {
        // Uncompressed point: 0x04 ‖ x (32) ‖ y (32).
        let point = self.pair.public_key().as_ref();
        let (x, y) = point.get(1..).unwrap_or_default().split_at(point.len().saturating_sub(1) / 2);
        json!({ "kty": "EC", "crv": "P-256", "x": URL_SAFE_NO_PAD.encode(x), "y": URL_SAFE_NO_PAD.encode(y) })
    }

    /// A KB-JWT over `presented` (which ends in `~`) for `aud` and `nonce`, issued at `iat`.
    pub fn kb_jwt(&self, presented: &str, aud: &str, nonce: &str, iat: i64) -> Result<String, PidIssuerError> {
        let mut header = Header::new(Algorithm::ES256);
        header.typ = Some(crate::eudi::kb_jwt::TYP.into());
        let claims = json!({
            "iat": iat,
            "aud": aud,
            "nonce": nonce,
            "sd_hash": URL_SAFE_NO_PAD.encode(Sha256::digest(presented.as_bytes())),
        });
        jsonwebtoken::encode(&header, &claims, &self.key).map_err(|e| PidIssuerError::Sign(e.to_string()))
    }

    /// `presented` with its KB-JWT appended: the presentation a wallet sends.
    pub fn bind(&self, presented: &str, aud: &str, nonce: &str, iat: i64) -> Result<String, PidIssuerError> {
        Ok(format!("{presented}{}", self.kb_jwt(presented, aud, nonce, iat)?))
    }
}

/// A base64url salt of 128 bits (RFC 9901 §4.2.1).
fn salt() -> Result<String, PidIssuerError> {
    let mut b = [0u8; 16];
    aws_lc_rs::rand::SystemRandom::new()
        .fill(&mut b)
        .map_err(|_| PidIssuerError::Sign("random".into()))?;
    Ok(URL_SAFE_NO_PAD.encode(b))
}

fn disclosure(array: &Value) -> Result<String, PidIssuerError> {
    let json = serde_json::to_vec(array).map_err(|e| PidIssuerError::Sign(e.to_string()))?;
    Ok(URL_SAFE_NO_PAD.encode(json))
}

/// Status list tokens held in memory, by URI: the [`StatusSource`] of tests and of the
/// development wallet (no HTTP).
#[derive(Debug, Default)]
pub struct FixedStatusSource {
    tokens: std::sync::Mutex<std::collections::HashMap<String, String>>,
}

impl FixedStatusSource {
    /// Publish `token` at `uri` (replacing what was there).
    pub fn publish(&self, uri: &str, token: String) {
        if let Ok(mut t) = self.tokens.lock() {
            t.insert(uri.to_owned(), token);
        }
    }
}

#[async_trait::async_trait]
impl StatusSource for FixedStatusSource {
    async fn status_list_token(&self, uri: &url::Url) -> Result<String, WalletError> {
        self.tokens
            .lock()
            .ok()
            .and_then(|t| t.get(uri.as_str()).cloned())
            .ok_or_else(|| WalletError::StatusUnavailable(format!("nothing published at {uri}")))
    }
}
