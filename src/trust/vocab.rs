//! The one table mapping upstream level vocabularies onto [`TrustLevel`].
//!
//! Sources: eIDAS CIR 2015/1502; BSI TR-03107-1 (`http://bsi.bund.de/eID/LoA/...`, used by the
//! TR-03130 national eID profile); STORK QAA levels (used by BundID `AuthnContextClassRef`);
//! BankID OIDC `acr` values. See docs/security-model.md.

use super::TrustLevel;

/// `(upstream value, level)`. Comparison is exact: a near-miss spelling is unknown, not close.
pub const VOCABULARY: &[(&str, TrustLevel)] = &[
    // eIDAS (notified schemes; the NotNotified variants are in their own table below)
    ("http://eidas.europa.eu/LoA/low", TrustLevel::Low),
    ("http://eidas.europa.eu/LoA/substantial", TrustLevel::Substantial),
    ("http://eidas.europa.eu/LoA/high", TrustLevel::High),
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

/// eIDAS levels of electronic identification schemes that were **not notified** under eIDAS
/// Art. 9 (the eIDAS SAML attribute profile's `NotNotified/LoA/*` URIs), with the level they
/// *claim*. No peer review (CIR 2015/1501) stands behind that claim, so they are not the same as
/// the notified levels: by default they map to `basic`; an upstream's configuration may raise
/// them explicitly up to a ceiling (`not_notified_max_level`), and never above the claim.
pub const NOT_NOTIFIED: &[(&str, TrustLevel)] = &[
    ("http://eidas.europa.eu/NotNotified/LoA/low", TrustLevel::Low),
    ("http://eidas.europa.eu/NotNotified/LoA/substantial", TrustLevel::Substantial),
    ("http://eidas.europa.eu/NotNotified/LoA/high", TrustLevel::High),
];

/// Map an upstream level value onto the scale. Unknown values give the lowest level; the
/// NotNotified eIDAS values give `basic` (see [`level_from_upstream_with`] to raise them).
pub fn level_from_upstream(value: &str) -> TrustLevel {
    level_from_upstream_with(value, TrustLevel::Basic)
}

/// [`level_from_upstream`], with NotNotified eIDAS values mapped to the lower of their claimed
/// level and `not_notified_max` (the upstream's explicit configuration; `basic` by default).
pub fn level_from_upstream_with(value: &str, not_notified_max: TrustLevel) -> TrustLevel {
    let value = value.trim();
    if let Some((_, l)) = VOCABULARY.iter().find(|(v, _)| *v == value) {
        return *l;
    }
    NOT_NOTIFIED
        .iter()
        .find(|(v, _)| *v == value)
        .map(|(_, claimed)| (*claimed).min(not_notified_max))
        .unwrap_or(TrustLevel::Basic)
}
