//! [`KeyRing`]: load, generate, sign, verify, publish.
//!
//! Everything a token needs that does not change per token is computed when the ring is built:
//! the parsed aws-lc-rs keys (`jws.rs`) and the serialised JWK set served at `/jwks`.

use super::jws::Prepared;
use super::{KeyError, SigningAlg};
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{EcdsaKeyPair, Ed25519KeyPair, ECDSA_P256_SHA256_FIXED_SIGNING};
use jsonwebtoken::jwk::{Jwk, JwkSet, ThumbprintHash};
use jsonwebtoken::{EncodingKey, Header};
use serde::de::DeserializeOwned;
use serde::Serialize;

/// One key of the ring.
pub struct RingKey {
    alg: SigningAlg,
    kid: String,
    active: bool,
    /// Parsed once (signing and verification without re-parsing the key per token).
    prepared: Prepared,
    public_jwk: Jwk,
}

impl std::fmt::Debug for RingKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RingKey")
            .field("alg", &self.alg)
            .field("kid", &self.kid)
            .field("active", &self.active)
            .finish()
    }
}

impl RingKey {
    /// Build from the contents of a key file: PEM (PKCS#8 for EC and Ed25519, PKCS#1 or PKCS#8 for
    /// RSA, SEC1 for EC) or, when `path` ends in `.jwk` / `.json`, a private JWK (RFC 7517).
    /// `active = false` publishes the key without signing with it (rotation step one).
    pub fn from_pem(alg: SigningAlg, contents: &[u8], active: bool, path: &str) -> Result<Self, KeyError> {
        let perr = |reason: String| KeyError::Parse {
            path: path.to_owned(),
            alg,
            reason,
        };
        let encoding = super::import::encoding_key(alg, contents, super::import::is_jwk_file(path)).map_err(perr)?;
        Self::from_encoding_key(alg, encoding, active).map_err(|e| match e {
            KeyError::Generate(reason) => perr(reason),
            other => other,
        })
    }

    /// Read and parse a key file (see [`RingKey::from_pem`]); errors name the file.
    pub fn from_file(alg: SigningAlg, path: &std::path::Path, active: bool) -> Result<Self, KeyError> {
        let name = path.display().to_string();
        let contents = std::fs::read(path).map_err(|e| KeyError::Read {
            path: name.clone(),
            reason: e.to_string(),
        })?;
        Self::from_pem(alg, &contents, active, &name)
    }

    /// Generate a fresh key (development only: it lives in memory and dies with the process).
    pub fn generate(alg: SigningAlg) -> Result<Self, KeyError> {
        // RSA-2048 here: development keys are regenerated at every start, and 3072-bit generation
        // would add seconds to each test broker.
        let der = generate_pkcs8_der(alg, aws_lc_rs::rsa::KeySize::Rsa2048)?;
        let encoding = super::import::encoding_key_from_pkcs8(alg, &der).map_err(KeyError::Generate)?;
        Self::from_encoding_key(alg, encoding, true)
    }

    fn from_encoding_key(alg: SigningAlg, encoding: EncodingKey, active: bool) -> Result<Self, KeyError> {
        let mut public_jwk = Jwk::from_encoding_key(&encoding, alg.jwt()).map_err(|e| KeyError::Generate(e.to_string()))?;
        // RFC 7638 thumbprint over the required public members only.
        let kid = public_jwk
            .thumbprint(ThumbprintHash::SHA256)
            .map_err(|e| KeyError::Generate(e.to_string()))?;
        public_jwk.common.key_id = Some(kid.clone());
        public_jwk.common.public_key_use = Some(jsonwebtoken::jwk::PublicKeyUse::Signature);
        let prepared = Prepared::new(alg, encoding.as_bytes()).map_err(KeyError::Generate)?;
        Ok(Self {
            alg,
            kid,
            active,
            prepared,
            public_jwk,
        })
    }

    /// The key id (RFC 7638 thumbprint).
    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// The algorithm.
    pub fn alg(&self) -> SigningAlg {
        self.alg
    }

    /// Whether the key signs (or is only published).
    pub fn is_active(&self) -> bool {
        self.active
    }
}

/// The set of signing keys.
#[derive(Debug)]
pub struct KeyRing {
    keys: Vec<RingKey>,
    /// `/jwks` as served, serialised once per ring (the ring is immutable; a key change builds a
    /// new ring).
    jwks_json: String,
    /// Tokens this ring signed or verified, by digest (`verified.rs`).
    verified: super::verified::VerifiedTokens,
}

impl KeyRing {
    /// A ring of the given keys, in priority order.
    pub fn new(keys: Vec<RingKey>) -> Self {
        let set = JwkSet {
            keys: keys.iter().map(|k| k.public_jwk.clone()).collect(),
        };
        // Serialising plain JWKs cannot fail; an empty string would only show an empty page.
        let jwks_json = serde_json::to_string(&set).unwrap_or_default();
        Self {
            keys,
            jwks_json,
            verified: super::verified::VerifiedTokens::default(),
        }
    }

    /// One generated key per algorithm, ES256 first (development).
    pub fn generate_dev() -> Result<Self, KeyError> {
        let keys = [SigningAlg::ES256, SigningAlg::RS256, SigningAlg::PS256, SigningAlg::EdDSA]
            .into_iter()
            .map(RingKey::generate)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self::new(keys))
    }

    /// Take the keys out (to merge rings).
    pub fn into_keys(self) -> Vec<RingKey> {
        self.keys
    }

    /// All keys.
    pub fn keys(&self) -> &[RingKey] {
        &self.keys
    }

    /// Algorithms that have an active key (what discovery may advertise).
    pub fn signing_algs(&self) -> Vec<SigningAlg> {
        let mut algs = Vec::new();
        for k in self.keys.iter().filter(|k| k.active) {
            if !algs.contains(&k.alg) {
                algs.push(k.alg);
            }
        }
        algs
    }

    /// The public JWK set: every key, active or publish-only.
    pub fn jwks(&self) -> JwkSet {
        JwkSet {
            keys: self.keys.iter().map(|k| k.public_jwk.clone()).collect(),
        }
    }

    /// The public JWK set as JSON, serialised when the ring was built.
    pub fn jwks_json(&self) -> &str {
        &self.jwks_json
    }

    /// Sign `claims` with the first active key of `alg`, setting `kid` and `typ` in the header.
    pub fn sign<T: Serialize>(&self, alg: SigningAlg, typ: &str, claims: &T) -> Result<String, KeyError> {
        let key = self
            .keys
            .iter()
            .find(|k| k.active && k.alg == alg)
            .ok_or(KeyError::NoSigningKey(alg))?;
        let mut header = Header::new(alg.jwt());
        header.kid = Some(key.kid.clone());
        header.typ = Some(typ.to_owned());
        key.prepared.sign(&header, claims).map_err(KeyError::Sign)
    }

    /// [`KeyRing::sign`], and remember the token as verified until `exp` (unix seconds), so that
    /// [`KeyRing::verify_remembered`] of these exact bytes skips the signature check.
    pub fn sign_remembered<T: Serialize>(&self, alg: SigningAlg, typ: &str, claims: &T, exp: i64, now: i64) -> Result<String, KeyError> {
        let token = self.sign(alg, typ, claims)?;
        self.verified.remember(&token, exp, now);
        Ok(token)
    }

    /// [`KeyRing::verify`] for tokens presented again and again (access tokens at introspection
    /// and userinfo): the header is checked as always; the signature only when these exact bytes
    /// were not signed or verified by this ring before (`verified.rs`). A token that verifies is
    /// remembered until its `exp` (read by `exp_of`). Time claims are still the caller's to check.
    pub fn verify_remembered<T: DeserializeOwned>(
        &self,
        token: &str,
        expected_typ: &str,
        now: i64,
        exp_of: fn(&T) -> i64,
    ) -> Result<T, KeyError> {
        let key = self.verifying_key(token, expected_typ)?;
        if self.verified.contains(token, now) {
            return super::jws::verified_payload(token).map_err(KeyError::Rejected);
        }
        let claims: T = key.prepared.verify(token).map_err(KeyError::Rejected)?;
        self.verified.remember(token, exp_of(&claims), now);
        Ok(claims)
    }

    /// Verify a token that this broker issued: the `kid` must name one of our keys, the header `alg`
    /// must be that key's algorithm (so `none`, HS256-with-our-public-key and alg swaps fail), and
    /// `typ` must match (RFC 8725 §3.11: an ID token is not an access token).
    ///
    /// Time claims are *not* checked here; callers check `exp` against their injected clock.
    pub fn verify<T: DeserializeOwned>(&self, token: &str, expected_typ: &str) -> Result<T, KeyError> {
        self.verifying_key(token, expected_typ)?
            .prepared
            .verify(token)
            .map_err(KeyError::Rejected)
    }

    /// The key the header of `token` names, after the header checks of [`KeyRing::verify`].
    fn verifying_key(&self, token: &str, expected_typ: &str) -> Result<&RingKey, KeyError> {
        let header = super::jws::header(token).map_err(KeyError::Rejected)?;
        let kid = header.kid.as_deref().ok_or_else(|| KeyError::Rejected("no kid".into()))?;
        let key = self
            .keys
            .iter()
            .find(|k| k.kid == kid)
            .ok_or_else(|| KeyError::Rejected("unknown kid".into()))?;
        if header.alg != key.alg.jwt() {
            return Err(KeyError::Rejected("alg does not match key".into()));
        }
        if !header.typ.as_deref().is_some_and(|t| t.eq_ignore_ascii_case(expected_typ)) {
            return Err(KeyError::Rejected("wrong typ".into()));
        }
        Ok(key)
    }
}

/// A fresh private key as PKCS#8 DER (aws-lc-rs). Ed25519 as PKCS#8 v1: jsonwebtoken derives the
/// public JWK only from the 48-byte v1 form.
pub(super) fn generate_pkcs8_der(alg: SigningAlg, rsa_size: aws_lc_rs::rsa::KeySize) -> Result<Vec<u8>, KeyError> {
    let rng = SystemRandom::new();
    let gen = |e: aws_lc_rs::error::Unspecified| KeyError::Generate(e.to_string());
    Ok(match alg {
        SigningAlg::ES256 => EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &rng)
            .map_err(gen)?
            .as_ref()
            .to_vec(),
        SigningAlg::EdDSA => Ed25519KeyPair::generate_pkcs8v1(&rng).map_err(gen)?.as_ref().to_vec(),
        SigningAlg::RS256 | SigningAlg::PS256 => {
            use aws_lc_rs::encoding::AsDer;
            let kp = aws_lc_rs::rsa::KeyPair::generate(rsa_size).map_err(gen)?;
            let der = kp.as_der().map_err(gen)?;
            der.as_ref().to_vec()
        }
    })
}
