//! The form a wallet POSTs to `response_uri` (OpenID4VP 1.0 §8.3, `direct_post.jwt`): form pairs,
//! then the JWE (header, `epk`, ECDH-ES, AES-GCM) opened with a fixed P-256 transaction key. Must
//! never panic, whatever the bytes.
#![no_main]

use buergerkonto::eudi::response::{self, ResponseForm};
use buergerkonto::keys::jwe::JweKey;
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

/// A P-256 key in PKCS#8, generated once per run (the fuzzer explores the parser, not the key).
fn key() -> Option<&'static JweKey> {
    static KEY: OnceLock<Option<JweKey>> = OnceLock::new();
    KEY.get_or_init(|| {
        use aws_lc_rs::signature::{EcdsaKeyPair, ECDSA_P256_SHA256_FIXED_SIGNING};
        let rng = aws_lc_rs::rand::SystemRandom::new();
        let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &rng).ok()?;
        JweKey::from_pkcs8(pkcs8.as_ref()).ok()
    })
    .as_ref()
}

fuzz_target!(|data: &[u8]| {
    let pairs: Vec<(String, String)> = url::form_urlencoded::parse(data).into_owned().collect();
    let Some(form) = ResponseForm::from_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str()))) else {
        return;
    };
    if let Some(key) = key() {
        let _ = response::open(&form, key, "kid", "state");
    }
});
