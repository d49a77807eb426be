//! Trust levels (Vertrauensniveau) on one ordered scale, and the table that maps every upstream
//! vocabulary onto it.
//!
//! The scale is `basic < low < substantial < high` (eIDAS CIR 2015/1502 Art. 8 plus the German
//! "Basisregistrierung" below eIDAS). Unknown upstream values map to the lowest level, so an
//! unrecognised assertion can never raise a session's level (design brief §4).

mod vocab;

pub use vocab::{level_from_upstream, level_from_upstream_with, NOT_NOTIFIED, VOCABULARY};

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A level of assurance. Ordered, so policy code compares with `>=`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TrustLevel {
    /// Username/password registration ("Basisregistrierung", STORK-QAA-Level-1); not an eIDAS level.
    Basic,
    /// eIDAS low / BSI "normal".
    Low,
    /// eIDAS substantial / BSI "substanziell" (ELSTER, company certificates).
    Substantial,
    /// eIDAS high / BSI "hoch" (online ID card, eAT, EU citizen card).
    High,
}

/// `acr` value we issue below eIDAS low (design brief §3).
pub const ACR_BASIC: &str = "urn:buergerkonto:loa:basic";

impl TrustLevel {
    /// All levels, lowest first.
    pub const ALL: [TrustLevel; 4] = [Self::Basic, Self::Low, Self::Substantial, Self::High];

    /// The `acr` value this broker puts into tokens for the level (eIDAS URI, or ours for basic).
    pub fn acr(self) -> &'static str {
        match self {
            Self::Basic => ACR_BASIC,
            Self::Low => "http://eidas.europa.eu/LoA/low",
            Self::Substantial => "http://eidas.europa.eu/LoA/substantial",
            Self::High => "http://eidas.europa.eu/LoA/high",
        }
    }

    /// Parse one of the `acr` values we issue (and therefore accept in `acr_values`/`claims`).
    /// Relying parties speak our vocabulary only; anything else is `None` (never a guess).
    pub fn from_acr(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|l| l.acr() == value)
    }

    /// The German name of the level, for pages.
    pub fn name_de(self) -> &'static str {
        match self {
            Self::Basic => "Basisregistrierung",
            Self::Low => "niedrig",
            Self::Substantial => "substanziell",
            Self::High => "hoch",
        }
    }

    /// The English name of the level, for pages.
    pub fn name_en(self) -> &'static str {
        match self {
            Self::Basic => "basic registration",
            Self::Low => "low",
            Self::Substantial => "substantial",
            Self::High => "high",
        }
    }

    /// The level actually reached: a method's configured level is a ceiling, the upstream's
    /// assertion can only lower it (design brief §4).
    pub fn reached(ceiling: TrustLevel, asserted: TrustLevel) -> TrustLevel {
        ceiling.min(asserted)
    }
}

impl fmt::Display for TrustLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Basic => "basic",
            Self::Low => "low",
            Self::Substantial => "substantial",
            Self::High => "high",
        })
    }
}

/// Error for a level name in configuration that is not on the scale.
#[derive(Debug, thiserror::Error)]
#[error("unknown trust level {0:?} (expected basic, low, substantial or high)")]
pub struct UnknownLevel(pub String);

impl FromStr for TrustLevel {
    type Err = UnknownLevel;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "basic" => Ok(Self::Basic),
            "low" => Ok(Self::Low),
            "substantial" => Ok(Self::Substantial),
            "high" => Ok(Self::High),
            other => Err(UnknownLevel(other.to_owned())),
        }
    }
}

#[cfg(test)]
mod tests;
