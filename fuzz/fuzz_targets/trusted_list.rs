//! An ETSI TS 119 602 list of trusted entities (JSON, a JWS around it, or XML) as an operator
//! installs it: parsed into PID-provider anchors. Must never panic.
#![no_main]

use buergerkonto::eudi::trust::PidTrust;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = PidTrust::from_trusted_list(text);
    }
    let _ = PidTrust::from_pem_anchors(data);
});
