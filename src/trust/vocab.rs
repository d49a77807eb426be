//! The one table mapping upstream level vocabularies onto [`TrustLevel`].
//!
//! Sources: eIDAS CIR 2015/1502; BSI TR-03107-1 (`http://bsi.bund.de/eID/LoA/...`, used by the
//! TR-03130 national eID profile); STORK QAA levels (used by BundID `AuthnContextClassRef`);
//! BankID OIDC `acr` values. See docs/security-model.md.

use super::TrustLevel;

/// `(upstream value, level)`. Comparison is exact: a near-miss spelling is unknown, not close.
pub const VOCABULARY: &[(&str, TrustLevel)] = &[
    // eIDAS (and the "NotNotified" variants the German middleware also accepts)
    ("http://eidas.europa.eu/LoA/low", TrustLevel::Low),
    ("http://eidas.europa.eu/LoA/substantial", TrustLevel::Substantial),
    ("http://eidas.europa.eu/LoA/high", TrustLevel::High),
    ("http://eidas.europa.eu/NotNotified/LoA/low", TrustLevel::Low),
    ("http://eidas.europa.eu/NotNotified/LoA/substantial", TrustLevel::Substantial),
    ("http://eidas.europa.eu/NotNotified/LoA/high", TrustLevel::High),
    // BSI TR-03107-1
    ("http://bsi.bund.de/eID/LoA/normal", TrustLevel::Low),
    ("http://bsi.bund.de/eID/LoA/substantiell", TrustLevel::Substantial),
    ("http://bsi.bund.de/eID/LoA/hoch", TrustLevel::High),
    // STORK QAA (BundID)
    ("STORK-QAA-Level-1", TrustLevel::Basic),
    ("STORK-QAA-Level-2", TrustLevel::Low),
    ("STORK-QAA-Level-3", TrustLevel::Substantial),
    ("STORK-QAA-Level-4", TrustLevel::High),
    // BankID (Norway) OIDC acr values
    ("urn:bankid:bid;LOA=3", TrustLevel::Substantial),
    ("urn:bankid:bid;LOA=4", TrustLevel::High),
    ("urn:bankid:bis;LOA=3", TrustLevel::Substantial),
    ("urn:bankid:bis;LOA=4", TrustLevel::High),
    // Our own issued values (an upstream that is another buergerkonto instance)
    (super::ACR_BASIC, TrustLevel::Basic),
];

/// Map an upstream level value onto the scale. Unknown values give the lowest level.
pub fn level_from_upstream(value: &str) -> TrustLevel {
    VOCABULARY
        .iter()
        .find(|(v, _)| *v == value.trim())
        .map(|(_, l)| *l)
        .unwrap_or(TrustLevel::Basic)
}
