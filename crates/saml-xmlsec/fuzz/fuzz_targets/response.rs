//! Fuzz target: arbitrary bytes into `response::verify_response` with fixed expectations and the
//! test keys (tests/fixtures, test material). Must never panic, loop or exhaust memory.
//! Seed corpus: the two peer-produced Responses in tests/fixtures. The same bytes also go into
//! `logout::verify_logout_response` (the SLO answer shares the parser, signature and status checks).
#![no_main]

use std::sync::OnceLock;
use std::time::{Duration, UNIX_EPOCH};

use libfuzzer_sys::fuzz_target;
use saml_xmlsec::logout::{verify_logout_response, LogoutExpectations, LogoutSignature};
use saml_xmlsec::response::{verify_response, Expectations, DEFAULT_MAX_CLOCK_SKEW};
use saml_xmlsec::{Certificate, PrivateKey};

fn expectations() -> &'static Expectations {
    static EXP: OnceLock<Expectations> = OnceLock::new();
    EXP.get_or_init(|| {
        let cert = |pem: &[u8]| Certificate::from_pem(pem).expect("test cert");
        let key = |pem: &[u8]| PrivateKey::from_pem(pem).expect("test key");
        Expectations {
            acs_url: "https://broker.example/saml/acs".into(),
            audience: "https://broker.example/saml".into(),
            issuer: "https://eid.example/idp".into(),
            in_response_to: "_req1".into(),
            idp_signing_certs: vec![
                cert(include_bytes!("../../tests/fixtures/idp-rsa.crt")),
                cert(include_bytes!("../../tests/fixtures/idp-ec.crt")),
            ],
            decryption_keys: vec![
                key(include_bytes!("../../tests/fixtures/sp-enc-rsa.key")),
                key(include_bytes!("../../tests/fixtures/sp-enc-ec.key")),
            ],
            max_skew: DEFAULT_MAX_CLOCK_SKEW,
            allow_rsa_pkcs1: false,
        }
    })
}

fn logout_expectations() -> &'static LogoutExpectations {
    static EXP: OnceLock<LogoutExpectations> = OnceLock::new();
    EXP.get_or_init(|| LogoutExpectations {
        issuer: "https://eid.example/idp".into(),
        in_response_to: "_req1".into(),
        destination: "https://broker.example/logout/return".into(),
        idp_signing_certs: expectations().idp_signing_certs.clone(),
        max_skew: DEFAULT_MAX_CLOCK_SKEW,
        allow_rsa_pkcs1: false,
    })
}

fuzz_target!(|data: &[u8]| {
    let now = UNIX_EPOCH + Duration::from_secs(1_796_119_230);
    let _ = verify_response(data, expectations(), now);
    let _ = verify_logout_response(data, logout_expectations(), LogoutSignature::Enveloped, now);
    let _ = verify_logout_response(data, logout_expectations(), LogoutSignature::RedirectVerified, now);
});
