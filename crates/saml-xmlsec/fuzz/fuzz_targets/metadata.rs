//! Fuzz target: arbitrary bytes as signed IdP metadata — the safe parser, then the enveloped
//! signature check of the root (`dsig::verify_document`) with a pinned key, as the broker does when
//! it loads an IdP's metadata. Must never panic.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use saml_xmlsec::algorithms::DEFAULT_SIGNATURE_ALGORITHMS;
use saml_xmlsec::dsig::verify_document;
use saml_xmlsec::{Certificate, PublicKey};

fn pinned() -> &'static [PublicKey] {
    static KEYS: OnceLock<Vec<PublicKey>> = OnceLock::new();
    KEYS.get_or_init(|| {
        [
            include_bytes!("../../tests/fixtures/idp-rsa.crt").as_slice(),
            include_bytes!("../../tests/fixtures/idp-ec.crt").as_slice(),
        ]
        .iter()
        .map(|pem| Certificate::from_pem(pem).expect("test cert").public_key().clone())
        .collect()
    })
}

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = verify_document(text, DEFAULT_SIGNATURE_ALGORITHMS, pinned());
    }
});
