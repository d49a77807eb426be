use super::*;
use crate::saml::metadata::parse_idp_metadata;
use crate::saml::settings::MetadataSource;
use crate::saml::test_support::simulator_metadata;

fn origin(min: u64, max: u64) -> MetadataOrigin {
    MetadataOrigin {
        source: MetadataSource::File("unused".into()),
        signers: None,
        refresh_min: Duration::from_secs(min),
        refresh_max: Duration::from_secs(max),
    }
}

fn idp(cache: Option<u64>, valid_for: Option<u64>, now: SystemTime) -> IdpMetadata {
    let mut md = parse_idp_metadata(&simulator_metadata(), now).unwrap();
    md.cache_duration = cache.map(Duration::from_secs);
    md.valid_until = valid_for.map(|s| now + Duration::from_secs(s));
    md
}

#[test]
fn refresh_follows_cache_duration_and_valid_until_within_bounds() {
    let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000);
    let o = origin(300, 86_400);
    let secs = |idp: &IdpMetadata, ok| schedule(idp, &o, now, ok).as_secs();
    // No hints: the maximum.
    assert_eq!(secs(&idp(None, None, now), true), 86_400);
    // cacheDuration (Metadata §2.3.2.1) within the bounds.
    assert_eq!(secs(&idp(Some(3_600), None, now), true), 3_600);
    // Too short a cacheDuration is raised to the minimum, too long lowered to the maximum.
    assert_eq!(secs(&idp(Some(10), None, now), true), 300);
    assert_eq!(secs(&idp(Some(10 * 86_400), None, now), true), 86_400);
    // Halfway to validUntil, before cacheDuration.
    assert_eq!(secs(&idp(Some(86_400), Some(7_200), now), true), 3_600);
    // A failure retries after the minimum.
    assert_eq!(secs(&idp(Some(3_600), None, now), false), 300);
}
