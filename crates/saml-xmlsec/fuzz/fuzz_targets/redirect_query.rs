//! Fuzz target: arbitrary text as an HTTP-Redirect binding query (`redirect::verify_redirect_query`:
//! parameter splitting, URL decoding, base64, the signature check). Must never panic.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use saml_xmlsec::algorithms::{SignatureAlgorithm, DEFAULT_SIGNATURE_ALGORITHMS};
use saml_xmlsec::redirect::{verify_redirect_query, RedirectMessage};
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
    let Ok(query) = std::str::from_utf8(data) else { return };
    let mut algs = DEFAULT_SIGNATURE_ALGORITHMS.to_vec();
    algs.push(SignatureAlgorithm::RsaPkcs1Sha256);
    for message in [RedirectMessage::Request, RedirectMessage::Response] {
        let _ = verify_redirect_query(query, message, &algs, pinned());
    }
});
