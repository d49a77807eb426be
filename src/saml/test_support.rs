//! Test helpers: our SP built from the committed development keys (certs/dev/).

use super::sp::{self, KeyPair, PrivateKey, ServiceProvider, SignatureAlg};
use std::path::Path;
use std::time::Duration;

fn pair(key: &str, cert: &str) -> KeyPair {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("certs/dev");
    KeyPair {
        key: PrivateKey(sp::load_private_key(&dir.join(key)).unwrap()),
        cert: sp::load_cert(&dir.join(cert)).unwrap(),
    }
}

/// The development SP.
pub fn dev_sp() -> ServiceProvider {
    ServiceProvider {
        entity_id: "http://127.0.0.1:8080/saml/metadata".into(),
        acs_url: "http://127.0.0.1:8080/saml/acs".parse().unwrap(),
        signing: pair("sp-signing.key", "sp-signing.crt"),
        signing_alg: SignatureAlg::EcdsaSha256,
        encryption: pair("sp-encryption.key", "sp-encryption.crt"),
        previous_encryption_keys: vec![],
        metadata_validity: Duration::from_secs(7 * 86_400),
    }
}

/// The committed simulator metadata.
pub fn simulator_metadata() -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("certs/dev/eid-simulator-metadata.xml")).unwrap()
}
