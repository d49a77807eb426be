//! Test keys and tokens for the unit tests of this module: an OP key ring (ES256 + PS256) whose
//! JWKS the verifier is given, and helpers for hand-made (hostile) tokens.

use crate::keys::{KeyRing, RingKey, SigningAlg};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use jsonwebtoken::jwk::Jwk;
use serde_json::{json, Value};

pub const ISSUER: &str = "https://op.example/realm";
pub const CLIENT: &str = "buergerkonto";
pub const NONCE: &str = "n-0S6_WzA2Mj";
pub const NOW: i64 = 1_800_000_000;

/// The OP: one ES256 and one PS256 key.
pub struct TestOp {
    pub ring: KeyRing,
}

impl TestOp {
    pub fn new() -> Self {
        Self {
            ring: KeyRing::new(vec![
                RingKey::generate(SigningAlg::ES256).unwrap(),
                RingKey::generate(SigningAlg::PS256).unwrap(),
            ]),
        }
    }

    pub fn keys(&self) -> Vec<Jwk> {
        self.ring.jwks().keys
    }

    pub fn sign(&self, alg: SigningAlg, claims: &Value) -> String {
        self.ring.sign(alg, "JWT", claims).unwrap()
    }

    pub fn kid(&self, alg: SigningAlg) -> String {
        self.ring.keys().iter().find(|k| k.alg() == alg).unwrap().kid().to_owned()
    }
}

/// Claims that pass every check.
pub fn good_claims() -> Value {
    json!({
        "iss": ISSUER, "aud": CLIENT, "sub": "op-subject-1", "nonce": NONCE,
        "iat": NOW - 5, "exp": NOW + 300, "auth_time": NOW - 30,
        "acr": "urn:bankid:bid;LOA=4", "given_name": "Kari", "family_name": "Nordmann"
    })
}

pub fn b64(v: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(v)
}

/// `header.payload.signature` from raw parts (for `alg: none` and friends).
pub fn raw_jws(header: &Value, claims: &Value, sig: &[u8]) -> String {
    format!(
        "{}.{}.{}",
        b64(header.to_string().as_bytes()),
        b64(claims.to_string().as_bytes()),
        b64(sig)
    )
}
