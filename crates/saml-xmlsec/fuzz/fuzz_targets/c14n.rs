//! Fuzz target: exc-c14n of every element of any document the safe parser accepts, with and
//! without an InclusiveNamespaces PrefixList. Must never panic; the output must itself parse and
//! canonicalize to the same bytes (c14n is idempotent on its own output, C14N 1.0 §1.1).
//!
//! Differential use: with `SAML_XMLSEC_C14N_DUMP=<dir>` set, every input that parses is written to
//! `<dir>` so the differential test can compare them with lxml afterwards (see the
//! crate README, "Differential c14n").
#![no_main]

use libfuzzer_sys::fuzz_target;
use saml_xmlsec::c14n::canonicalize;
use saml_xmlsec::xml::parse_bytes;

fuzz_target!(|data: &[u8]| {
    let Ok(doc) = parse_bytes(data) else { return };
    if let Ok(dir) = std::env::var("SAML_XMLSEC_C14N_DUMP") {
        let digest = file_name(data);
        let _ = std::fs::write(std::path::Path::new(&dir).join(format!("{digest:016x}.xml")), data);
    }
    for node in doc.descendants().filter(|n| n.is_element()).take(64) {
        for prefixes in [&[][..], &["#default", "ds", "saml"][..]] {
            let out = canonicalize(node, prefixes, None);
            let again = parse_bytes(out.as_bytes()).expect("c14n output must be well-formed");
            if prefixes.is_empty() {
                assert_eq!(canonicalize(again.root_element(), prefixes, None), out, "c14n not idempotent");
            }
        }
    }
});

/// A stable file name for a dump (FNV-1a; not security relevant).
fn file_name(data: &[u8]) -> u64 {
    data.iter().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3))
}
