//! What differs between the two development simulators: paths, store record, page texts, test
//! persons and the outcomes with the status tokens each upstream sends.

use super::{elster_persons, persons};
use crate::session::RecordKind;
use crate::web::Locale;

/// `(form key, German label, English label, the upstream's status message token)`.
pub(super) type Outcome = (&'static str, &'static str, &'static str, Option<&'static str>);

/// Which upstream a simulator plays.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SimKind {
    /// The eIDAS middleware (eID card), `[saml.dev_simulator]`.
    Eid,
    /// ELSTER login (NEZO), `[saml.dev_elster_simulator]`.
    Elster,
}

impl SimKind {
    pub(super) fn base(self) -> &'static str {
        match self {
            Self::Eid => "/dev/eid-simulator",
            Self::Elster => "/dev/elster-simulator",
        }
    }

    pub(super) fn record(self) -> RecordKind {
        match self {
            Self::Eid => RecordKind::Other("eid-sim"),
            Self::Elster => RecordKind::Other("elster-sim"),
        }
    }

    pub(super) fn name(self) -> &'static str {
        match self {
            Self::Eid => "eID-Simulator",
            Self::Elster => "ELSTER-Simulator",
        }
    }

    pub(super) fn title(self, locale: Locale) -> &'static str {
        match (self, locale) {
            (Self::Eid, Locale::De) => "Online-Ausweis (Simulator)",
            (Self::Eid, Locale::En) => "Online ID card (simulator)",
            (Self::Elster, Locale::De) => "ELSTER-Anmeldung (Simulator)",
            (Self::Elster, Locale::En) => "ELSTER login (simulator)",
        }
    }

    /// Outcomes `(form key, German label, English label, status message token)`.
    pub(super) fn outcomes(self) -> &'static [Outcome] {
        match self {
            Self::Eid => OUTCOMES,
            Self::Elster => ELSTER_OUTCOMES,
        }
    }

    /// `(form key, label)` of the test persons.
    pub(super) fn persons(self) -> Vec<(&'static str, &'static str)> {
        match self {
            Self::Eid => persons::PERSONS.iter().map(|p| (p.key, p.label)).collect(),
            Self::Elster => elster_persons::ACCOUNTS.iter().map(|a| (a.key, a.label)).collect(),
        }
    }
}

/// Outcomes the person can choose, with the middleware's status message tokens.
pub(super) const OUTCOMES: &[Outcome] = &[
    ("success", "Erfolgreiche Anmeldung", "Success", None),
    (
        "cancel",
        "Abbruch durch die Person",
        "Cancelled by the user",
        Some("CANCELLATIONBYUSER"),
    ),
    ("wrong_pin", "Falsche PIN", "Wrong PIN", Some("WRONGPIN")),
    ("card_expired", "Ausweis abgelaufen", "Card expired", Some("CARDEXPIRED")),
    ("card_blocked", "Ausweis gesperrt", "Card blocked", Some("CARDBLOCKED")),
];

/// ELSTER outcomes (its real status texts are not public; these match the profile's tokens).
pub(super) const ELSTER_OUTCOMES: &[Outcome] = &[
    ("success", "Erfolgreiche Anmeldung", "Success", None),
    (
        "cancel",
        "Abbruch durch die Person",
        "Cancelled by the user",
        Some("Abbruch durch den Nutzer"),
    ),
    (
        "certificate_revoked",
        "Zertifikat gesperrt",
        "Certificate revoked",
        Some("CERTIFICATE_REVOKED"),
    ),
];
