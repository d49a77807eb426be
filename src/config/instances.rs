//! What every broker instance behind one load balancer must share (issue 12 item 1;
//! docs/operations.md, "Several instances"): a login may start on one instance and finish on
//! another, so each must read the other's records (store, namespace, sealing keys), sign and
//! publish the same keys, derive the same pairwise `sub` and know the same clients and methods.
//! `check-config` prints this list with fingerprints, so two instances' outputs can be compared
//! without showing a secret.

use super::{Config, StoreBackend};
use sha2::{Digest, Sha256};

/// A truncated SHA-256 over `parts` (64 bits: enough to tell two values apart, useless to guess a
/// random secret from).
fn fingerprint<'a>(parts: impl IntoIterator<Item = &'a [u8]>) -> String {
    let mut h = Sha256::new();
    for p in parts {
        h.update((p.len() as u64).to_be_bytes());
        h.update(p);
    }
    let d = h.finalize();
    let hex: String = d.iter().take(8).map(|b| format!("{b:02x}")).collect();
    format!("sha256:{hex}")
}

/// `(setting, value or fingerprint)` for every setting that must be equal on every instance.
pub fn must_match(config: &Config) -> Vec<(&'static str, String)> {
    let store = match &config.store.backend {
        StoreBackend::Memory => "memory (one instance only: nothing is shared)".to_owned(),
        StoreBackend::Redis { describe, .. } => describe.clone(),
    };
    let sealing = &config.store.sealing_keys;
    let pairwise = &config.oidc.pairwise_secrets;
    let signing: Vec<String> = config
        .keys
        .signing
        .iter()
        .map(|k| match std::fs::read(&k.file) {
            Ok(bytes) => format!("{} {} {}", k.alg, k.file.display(), fingerprint([bytes.as_slice()])),
            Err(_) => format!("{} {} (unreadable)", k.alg, k.file.display()),
        })
        .collect();
    let signing = if config.keys.generate_dev_keys {
        "generated in memory (development: one instance only)".to_owned()
    } else {
        signing.join(", ")
    };
    vec![
        ("server.issuer", config.server.issuer.as_str().trim_end_matches('/').to_owned()),
        ("store.backend", store),
        ("store.namespace", config.store.namespace.clone()),
        (
            "store.sealing_keys",
            format!(
                "{} {}",
                sealing.iter().map(|(id, _)| id.as_str()).collect::<Vec<_>>().join(","),
                fingerprint(sealing.iter().flat_map(|(id, k)| [id.as_bytes(), k.expose().as_bytes()]))
            ),
        ),
        (
            "oidc.pairwise_secrets",
            format!(
                "versions {} {}",
                pairwise.iter().map(|(v, _)| v.to_string()).collect::<Vec<_>>().join(","),
                fingerprint(pairwise.iter().map(|(_, s)| s.expose().as_bytes()))
            ),
        ),
        ("keys.signing", signing),
        (
            "clients",
            config.clients.iter().map(|c| c.id.as_str()).collect::<Vec<_>>().join(","),
        ),
        (
            "methods",
            config.methods.iter().map(|m| m.id.as_str()).collect::<Vec<_>>().join(","),
        ),
    ]
}
