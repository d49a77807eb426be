//! Fuzz target: arbitrary bytes into `saml::response::verify_response` with fixed expectations and
//! the test keys (tests/fixtures/saml, test material). Must never panic, loop or exhaust memory.
//! Seed corpus: `fuzz/corpus/saml_response/` (the two peer-produced Responses).
#![no_main]

use std::sync::OnceLock;
use std::time::{Duration, UNIX_EPOCH};

use buergerkonto::saml::algorithms::DEFAULT_SIGNATURE_ALGORITHMS;
use buergerkonto::saml::response::{verify_response, Expectations, DEFAULT_MAX_CLOCK_SKEW};
use libfuzzer_sys::fuzz_target;
use openssl::pkey::{PKey, Private, Public};
use openssl::x509::X509;

struct Keys {
    pinned: Vec<PKey<Public>>,
    ours: Vec<PKey<Private>>,
}

fn keys() -> &'static Keys {
    static KEYS: OnceLock<Keys> = OnceLock::new();
    KEYS.get_or_init(|| {
        let cert = |pem: &[u8]| X509::from_pem(pem).and_then(|c| c.public_key()).expect("test cert");
        let key = |pem: &[u8]| PKey::private_key_from_pem(pem).expect("test key");
        Keys {
            pinned: vec![
                cert(include_bytes!("../../tests/fixtures/saml/idp-rsa.crt")),
                cert(include_bytes!("../../tests/fixtures/saml/idp-ec.crt")),
            ],
            ours: vec![
                key(include_bytes!("../../tests/fixtures/saml/sp-enc-rsa.key")),
                key(include_bytes!("../../tests/fixtures/saml/sp-enc-ec.key")),
            ],
        }
    })
}

fuzz_target!(|data: &[u8]| {
    let k = keys();
    let exp = Expectations {
        idp_entity_id: "https://eid.example/idp",
        idp_signing_keys: &k.pinned,
        acs_url: "https://broker.example/saml/acs",
        sp_entity_id: "https://broker.example/saml",
        in_response_to: "_req1",
        allowed_signature_algorithms: DEFAULT_SIGNATURE_ALGORITHMS,
        decryption_keys: &k.ours,
        max_clock_skew: DEFAULT_MAX_CLOCK_SKEW,
    };
    let _ = verify_response(data, &exp, UNIX_EPOCH + Duration::from_secs(1_796_119_230));
});
