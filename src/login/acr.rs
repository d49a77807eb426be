//! Trust policy: which level a request requires, and whether a reached level satisfies it
//! (design brief §4, issue 5 item 2). Pure functions; every rule has a unit test.
//!
//! - The client's configured minimum always applies.
//! - `acr_values` (OIDC Core §3.1.2.1) is *voluntary*: the best listed level that some available
//!   method can meet is required; unknown values are ignored; if none can be met, the request
//!   falls back to the client minimum. (Keycloak #31534: several values must not resolve to the
//!   lowest.)
//! - An essential `acr` claim (OIDC Core §5.5.1.1) is *hard*: the lowest listed value is the
//!   requirement ("at least" semantics); if no available method can meet it the answer is
//!   `unmet_authentication_requirements` (OpenID Connect Core Errata / OIDC §3.1.2.6 extension).
//! - Whatever is required, a lower level is never issued: after the upstream, a reached level below
//!   the requirement is an error, essential or not.
//! - The relying party's values are never forwarded upstream; methods get the level only.

use crate::trust::TrustLevel;

/// What an authorization request asks for, parsed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AcrRequest {
    /// `acr_values`, space separated, in order.
    pub acr_values: Vec<String>,
    /// Values of an essential `acr` claim (`value` or `values`), if one was requested.
    pub essential: Option<Vec<String>>,
}

/// The outcome of the policy for one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Requirement {
    /// Lowest acceptable level.
    pub level: TrustLevel,
    /// The level was demanded as an essential claim.
    pub essential: bool,
}

/// Why a request cannot be served.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PolicyError {
    /// No available method reaches the level that must be met.
    #[error("no available method reaches {0}")]
    Unmet(TrustLevel),
}

/// Levels named by acr URIs we issue; unknown values are dropped (never guessed).
fn known_levels(values: &[String]) -> Vec<TrustLevel> {
    values.iter().filter_map(|v| TrustLevel::from_acr(v)).collect()
}

/// Required level for a request. `best_available` is the highest level any method this client may
/// use can reach (`None`: no method at all).
pub fn required_level(client_min: TrustLevel, req: &AcrRequest, best_available: Option<TrustLevel>) -> Result<Requirement, PolicyError> {
    let Some(best) = best_available else {
        return Err(PolicyError::Unmet(client_min));
    };
    // Voluntary: the best listed level that can be met.
    let voluntary = known_levels(&req.acr_values).into_iter().filter(|l| *l <= best).max();
    // Essential: the lowest listed value is the hard floor. An essential request that names no
    // value we know cannot be satisfied by any level we issue.
    let essential = match &req.essential {
        None => None,
        Some(values) => match known_levels(values).into_iter().min() {
            Some(l) => Some(l),
            None => return Err(PolicyError::Unmet(TrustLevel::High)),
        },
    };
    let level = [Some(client_min), voluntary, essential]
        .into_iter()
        .flatten()
        .max()
        .unwrap_or(client_min);
    if level > best {
        return Err(PolicyError::Unmet(level));
    }
    Ok(Requirement {
        level,
        essential: essential.is_some(),
    })
}

/// After the upstream: is the reached level enough? Never a token below the requirement.
pub fn satisfied(required: TrustLevel, reached: TrustLevel) -> bool {
    reached >= required
}

#[cfg(test)]
mod tests {
    use super::*;
    use TrustLevel::*;

    fn acr(levels: &[TrustLevel]) -> Vec<String> {
        levels.iter().map(|l| l.acr().to_owned()).collect()
    }

    fn voluntary(levels: &[TrustLevel]) -> AcrRequest {
        AcrRequest {
            acr_values: acr(levels),
            essential: None,
        }
    }

    #[test]
    fn client_minimum_applies_without_request() {
        let r = required_level(Substantial, &AcrRequest::default(), Some(High)).unwrap();
        assert_eq!(
            r,
            Requirement {
                level: Substantial,
                essential: false
            }
        );
    }

    #[test]
    fn client_minimum_beats_lower_request() {
        let r = required_level(Substantial, &voluntary(&[Low]), Some(High)).unwrap();
        assert_eq!(r.level, Substantial);
    }

    #[test]
    fn voluntary_takes_best_meetable() {
        assert_eq!(
            required_level(Low, &voluntary(&[Substantial, High]), Some(High)).unwrap().level,
            High
        );
        // several values never resolve to the lowest (Keycloak #31534)
        assert_eq!(required_level(Low, &voluntary(&[High, Low]), Some(High)).unwrap().level, High);
        // high cannot be met: the best meetable listed value
        assert_eq!(
            required_level(Low, &voluntary(&[Substantial, High]), Some(Substantial))
                .unwrap()
                .level,
            Substantial
        );
    }

    #[test]
    fn voluntary_unmeetable_falls_back_to_minimum() {
        let r = required_level(Low, &voluntary(&[High]), Some(Substantial)).unwrap();
        assert_eq!(
            r,
            Requirement {
                level: Low,
                essential: false
            }
        );
    }

    #[test]
    fn unknown_acr_values_ignored() {
        let req = AcrRequest {
            acr_values: vec!["urn:bankid:bid;LOA=4".into(), "STORK-QAA-Level-4".into()],
            essential: None,
        };
        assert_eq!(required_level(Low, &req, Some(High)).unwrap().level, Low);
    }

    #[test]
    fn essential_lowest_listed_is_floor() {
        let req = AcrRequest {
            acr_values: vec![],
            essential: Some(acr(&[High, Substantial])),
        };
        assert_eq!(
            required_level(Low, &req, Some(High)).unwrap(),
            Requirement {
                level: Substantial,
                essential: true
            }
        );
    }

    #[test]
    fn essential_unmet_is_error() {
        let req = AcrRequest {
            acr_values: vec![],
            essential: Some(acr(&[High])),
        };
        assert_eq!(required_level(Low, &req, Some(Substantial)), Err(PolicyError::Unmet(High)));
    }

    #[test]
    fn essential_with_only_unknown_values_is_unmet() {
        let req = AcrRequest {
            acr_values: vec![],
            essential: Some(vec!["urn:unknown".into()]),
        };
        assert!(required_level(Low, &req, Some(High)).is_err());
    }

    #[test]
    fn minimum_unreachable_is_error() {
        assert_eq!(
            required_level(High, &AcrRequest::default(), Some(Substantial)),
            Err(PolicyError::Unmet(High))
        );
        assert!(required_level(Low, &AcrRequest::default(), None).is_err());
    }

    #[test]
    fn downgrade_never_satisfies() {
        assert!(!satisfied(High, Substantial));
        assert!(satisfied(Substantial, High));
        assert!(satisfied(High, High));
    }
}
