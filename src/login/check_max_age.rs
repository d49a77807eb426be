//! `max_age` (OIDC Core §3.1.2.1): the allowable elapsed time in seconds since the person last
//! authenticated. Only parsed here; the session check is in `session.rs` / `sso.rs`.

use super::errors::{ErrorCode, OAuthError};
use super::params::RawParams;

/// Check `max_age`: a non-negative integer of seconds.
pub fn check_max_age(p: &RawParams) -> Result<Option<u64>, OAuthError> {
    match p.get("max_age") {
        None => Ok(None),
        Some(s) if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) => s
            .parse::<u64>()
            .map(Some)
            .map_err(|_| OAuthError::new(ErrorCode::InvalidRequest, "max_age is out of range")),
        Some(_) => Err(OAuthError::new(ErrorCode::InvalidRequest, "max_age must be a non-negative integer")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn max_age_rules() {
        assert_eq!(check_max_age(&RawParams::parse("max_age=0")).unwrap(), Some(0));
        assert!(check_max_age(&RawParams::parse("max_age=-1")).is_err());
        assert!(check_max_age(&RawParams::parse("max_age=1.5")).is_err());
        assert!(check_max_age(&RawParams::parse("max_age=99999999999999999999999")).is_err());
    }
}
