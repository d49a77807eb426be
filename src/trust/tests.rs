use super::*;

#[test]
fn scale_is_ordered() {
    assert!(TrustLevel::Basic < TrustLevel::Low);
    assert!(TrustLevel::Low < TrustLevel::Substantial);
    assert!(TrustLevel::Substantial < TrustLevel::High);
}

#[test]
fn every_vocabulary_row_maps_as_listed() {
    for (value, level) in VOCABULARY {
        assert_eq!(level_from_upstream(value), *level, "{value}");
    }
    // one explicit check per vocabulary, so a wrong table row cannot test itself
    assert_eq!(level_from_upstream("http://eidas.europa.eu/LoA/high"), TrustLevel::High);
    assert_eq!(
        level_from_upstream("http://bsi.bund.de/eID/LoA/substantiell"),
        TrustLevel::Substantial
    );
    assert_eq!(level_from_upstream("http://bsi.bund.de/eID/LoA/normal"), TrustLevel::Low);
    assert_eq!(level_from_upstream("STORK-QAA-Level-1"), TrustLevel::Basic);
    assert_eq!(level_from_upstream("STORK-QAA-Level-4"), TrustLevel::High);
    assert_eq!(level_from_upstream("urn:bankid:bid;LOA=4"), TrustLevel::High);
    assert_eq!(level_from_upstream("urn:bankid:bid;LOA=3"), TrustLevel::Substantial);
}

#[test]
fn not_notified_eidas_levels_are_basic_by_default() {
    for (value, claimed) in NOT_NOTIFIED {
        assert_eq!(level_from_upstream(value), TrustLevel::Basic, "{value}");
        assert!(*claimed > TrustLevel::Basic, "{value}: the table keeps the claimed level");
    }
    assert_eq!(
        level_from_upstream("http://eidas.europa.eu/NotNotified/LoA/high"),
        TrustLevel::Basic,
        "not the same as notified high"
    );
    // Notified values are unaffected by the NotNotified ceiling.
    assert_eq!(
        level_from_upstream_with("http://eidas.europa.eu/LoA/high", TrustLevel::Basic),
        TrustLevel::High
    );
}

#[test]
fn not_notified_eidas_levels_rise_only_as_configured_and_never_above_the_claim() {
    let high = "http://eidas.europa.eu/NotNotified/LoA/high";
    let low = "http://eidas.europa.eu/NotNotified/LoA/low";
    assert_eq!(level_from_upstream_with(high, TrustLevel::Substantial), TrustLevel::Substantial);
    assert_eq!(level_from_upstream_with(high, TrustLevel::High), TrustLevel::High);
    assert_eq!(
        level_from_upstream_with(low, TrustLevel::High),
        TrustLevel::Low,
        "ceiling, not a level"
    );
    assert_eq!(
        level_from_upstream_with("http://eidas.europa.eu/NotNotified/LoA/HIGH", TrustLevel::High),
        TrustLevel::Basic,
        "a near-miss spelling is unknown"
    );
}

#[test]
fn unknown_values_map_to_lowest() {
    for v in [
        "",
        "high",
        "http://eidas.europa.eu/LoA/HIGH",
        "STORK-QAA-Level-5",
        "urn:bankid:bid;LOA=9",
    ] {
        assert_eq!(level_from_upstream(v), TrustLevel::Basic, "{v}");
    }
}

#[test]
fn configured_level_is_a_ceiling() {
    assert_eq!(
        TrustLevel::reached(TrustLevel::Substantial, TrustLevel::High),
        TrustLevel::Substantial
    );
    assert_eq!(
        TrustLevel::reached(TrustLevel::High, TrustLevel::Substantial),
        TrustLevel::Substantial
    );
    assert_eq!(TrustLevel::reached(TrustLevel::High, TrustLevel::High), TrustLevel::High);
}

#[test]
fn acr_round_trip() {
    for l in TrustLevel::ALL {
        assert_eq!(TrustLevel::from_acr(l.acr()), Some(l));
        assert_eq!(l.to_string().parse::<TrustLevel>().ok(), Some(l));
    }
    assert_eq!(TrustLevel::from_acr("STORK-QAA-Level-4"), None);
}
