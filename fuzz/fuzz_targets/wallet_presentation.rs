//! An SD-JWT VC presentation as a wallet sends it (RFC 9901 §4): split at `~`, the issuer JWT's
//! header and `x5c` chain parsed and checked against the development PID-provider anchor, and —
//! for a `vp_token` object — the DCQL selection of presentations. Must never panic.
#![no_main]

use buergerkonto::eudi::{dcql, pid::PidClaim, sd_jwt, trust::PidTrust};
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;
use std::time::{Duration, UNIX_EPOCH};

const ANCHOR: &[u8] = include_bytes!("../../certs/dev/eudi/pid-ca.crt");

fn trust() -> Option<&'static PidTrust> {
    static TRUST: OnceLock<Option<PidTrust>> = OnceLock::new();
    TRUST.get_or_init(|| PidTrust::from_pem_anchors(ANCHOR).ok()).as_ref()
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let now = UNIX_EPOCH + Duration::from_secs(1_800_000_000);
    if let (Ok(p), Some(trust)) = (sd_jwt::Presentation::parse(text), trust()) {
        let _ = sd_jwt::verify_issuer(&p, trust, now, 60);
    }
    if let Ok(vp_token) = serde_json::from_str::<serde_json::Value>(text) {
        let query = dcql::pid_query(&[PidClaim::FamilyName, PidClaim::Address], &[]);
        let _ = dcql::presentations(&query, &vp_token);
    }
});
