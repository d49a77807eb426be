//! Upstream `acr` values → our [`TrustLevel`] (issue 10 item 2), one table per upstream: a
//! built-in profile, extended or overridden by configuration.
//!
//! "At least" semantics (oidc-landscape §2.1): the broker asks the OP for the values whose level
//! meets the requirement (never the relying party's own `acr_values`), and afterwards maps the
//! `acr` the OP asserted; a value the table does not know gives `basic`, so an unrecognised value
//! can never raise a level. The method's ceiling caps the result (in the authenticator).

use crate::trust::TrustLevel;

/// The built-in tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AcrProfile {
    /// Norway BankID (elster-bankid-loa.md §5): `bid`/`bim` at LOA 4 are high; `bis` (biometric,
    /// LOA 3) is substantial.
    NorwayBankId,
    /// ID-porten: `idporten-loa-substantial|high`.
    IdPorten,
    /// yes® (German banks).
    Yes,
    /// The eIDAS level URIs of notified schemes (CIR 2015/1502).
    Eidas,
    /// No built-in values: only the configured table.
    None,
}

impl AcrProfile {
    /// Parse the configuration name.
    pub fn parse(name: &str) -> Option<Self> {
        Some(match name {
            "norway-bankid" => Self::NorwayBankId,
            "idporten" => Self::IdPorten,
            "yes" => Self::Yes,
            "eidas" => Self::Eidas,
            "none" => Self::None,
            _ => return None,
        })
    }

    /// The table, in the order values are requested.
    pub fn table(self) -> &'static [(&'static str, TrustLevel)] {
        match self {
            Self::NorwayBankId => &[
                ("urn:bankid:bid;LOA=4", TrustLevel::High),
                ("urn:bankid:bim;LOA=4", TrustLevel::High),
                ("urn:bankid:bis;LOA=3", TrustLevel::Substantial),
            ],
            Self::IdPorten => &[
                ("idporten-loa-substantial", TrustLevel::Substantial),
                ("idporten-loa-high", TrustLevel::High),
            ],
            // yes®: `online_banking` says the person logged in to online banking, which PSD2 does
            // not oblige to be two-factor for every login (RTS 2018/389 Art. 10 exemption), so it
            // is `low`. `online_banking_sca` asserts PSD2 strong customer authentication (two
            // independent factors, RTS Art. 4) on an account whose holder the bank identified
            // under the AML rules (GwG §§ 11–13): that is what eIDAS `substantial` describes for
            // authentication, so the table says `substantial`. No conformity assessment (BSI TR-03107-1)
            // stands behind it (elster-bankid-loa.md §5): the method's ceiling, `low` by default,
            // caps it until an operator decides otherwise (docs/bank-id.md).
            Self::Yes => &[
                ("https://www.yes.com/acrs/online_banking_sca", TrustLevel::Substantial),
                ("https://www.yes.com/acrs/online_banking", TrustLevel::Low),
            ],
            Self::Eidas => &[
                ("http://eidas.europa.eu/LoA/high", TrustLevel::High),
                ("http://eidas.europa.eu/LoA/substantial", TrustLevel::Substantial),
                ("http://eidas.europa.eu/LoA/low", TrustLevel::Low),
            ],
            Self::None => &[],
        }
    }
}

/// One upstream's table: `(upstream acr, level)` in request order. Comparison is exact.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AcrTable {
    entries: Vec<(String, TrustLevel)>,
}

impl AcrTable {
    /// The profile's table with `overrides` applied: a known value takes the configured level,
    /// a new value is appended.
    pub fn new(profile: AcrProfile, overrides: &[(String, TrustLevel)]) -> Self {
        let mut entries: Vec<(String, TrustLevel)> = profile.table().iter().map(|(v, l)| ((*v).to_owned(), *l)).collect();
        for (value, level) in overrides {
            match entries.iter_mut().find(|(v, _)| v == value) {
                Some(e) => e.1 = *level,
                None => entries.push((value.clone(), *level)),
            }
        }
        Self { entries }
    }

    /// The level of an asserted `acr`: unknown or absent → `basic`.
    pub fn level(&self, acr: Option<&str>) -> TrustLevel {
        acr.and_then(|a| self.entries.iter().find(|(v, _)| v == a))
            .map(|(_, l)| *l)
            .unwrap_or(TrustLevel::Basic)
    }

    /// The values that meet `required`, in table order (what the broker asks the OP for).
    pub fn values_meeting(&self, required: TrustLevel) -> Vec<&str> {
        self.entries
            .iter()
            .filter(|(_, l)| *l >= required)
            .map(|(v, _)| v.as_str())
            .collect()
    }

    /// Whether the table has any value.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The highest level any value maps to (`basic` for an empty table).
    pub fn best(&self) -> TrustLevel {
        self.entries.iter().map(|(_, l)| *l).max().unwrap_or(TrustLevel::Basic)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn norway_profile_maps_and_requests_by_level() {
        let t = AcrTable::new(AcrProfile::NorwayBankId, &[]);
        assert_eq!(t.level(Some("urn:bankid:bid;LOA=4")), TrustLevel::High);
        assert_eq!(t.level(Some("urn:bankid:bim;LOA=4")), TrustLevel::High);
        assert_eq!(t.level(Some("urn:bankid:bis;LOA=3")), TrustLevel::Substantial);
        assert_eq!(
            t.values_meeting(TrustLevel::High),
            vec!["urn:bankid:bid;LOA=4", "urn:bankid:bim;LOA=4"]
        );
        assert_eq!(t.values_meeting(TrustLevel::Substantial).len(), 3);
    }

    #[test]
    fn unknown_absent_or_near_miss_acr_is_basic() {
        let t = AcrTable::new(AcrProfile::NorwayBankId, &[]);
        assert_eq!(t.level(None), TrustLevel::Basic);
        assert_eq!(t.level(Some("urn:bankid:bid;LOA=5")), TrustLevel::Basic);
        assert_eq!(t.level(Some("URN:BANKID:BID;LOA=4")), TrustLevel::Basic);
        assert_eq!(
            t.level(Some("http://eidas.europa.eu/LoA/high")),
            TrustLevel::Basic,
            "not in this profile"
        );
    }

    #[test]
    fn other_profiles() {
        let id = AcrTable::new(AcrProfile::IdPorten, &[]);
        assert_eq!(id.level(Some("idporten-loa-high")), TrustLevel::High);
        assert_eq!(id.values_meeting(TrustLevel::High), vec!["idporten-loa-high"]);
        let yes = AcrTable::new(AcrProfile::Yes, &[]);
        assert_eq!(yes.level(Some("https://www.yes.com/acrs/online_banking")), TrustLevel::Low);
        assert_eq!(
            yes.level(Some("https://www.yes.com/acrs/online_banking_sca")),
            TrustLevel::Substantial
        );
        assert!(yes.values_meeting(TrustLevel::High).is_empty());
        let eidas = AcrTable::new(AcrProfile::Eidas, &[]);
        assert_eq!(eidas.level(Some("http://eidas.europa.eu/LoA/substantial")), TrustLevel::Substantial);
        assert_eq!(eidas.level(Some("http://eidas.europa.eu/NotNotified/LoA/high")), TrustLevel::Basic);
        assert!(AcrTable::new(AcrProfile::None, &[]).is_empty());
    }

    #[test]
    fn overrides_replace_and_extend() {
        let t = AcrTable::new(
            AcrProfile::NorwayBankId,
            &[
                ("urn:bankid:bid;LOA=4".into(), TrustLevel::Low),
                ("urn:example:extra".into(), TrustLevel::Substantial),
            ],
        );
        assert_eq!(t.level(Some("urn:bankid:bid;LOA=4")), TrustLevel::Low);
        assert_eq!(t.level(Some("urn:example:extra")), TrustLevel::Substantial);
        assert_eq!(t.values_meeting(TrustLevel::High), vec!["urn:bankid:bim;LOA=4"]);
        assert_eq!(t.best(), TrustLevel::High);
        assert_eq!(AcrProfile::parse("norway-bankid"), Some(AcrProfile::NorwayBankId));
        assert_eq!(AcrProfile::parse("bankid"), None);
    }
}
