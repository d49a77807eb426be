//! Why a login ended without a code, for the relying party (issue 15 item 6): a documented set of
//! stable reasons (docs/relying-parties.md, "Why a login failed"), sent in `error_description` as
//! `<reason>: <sentence>`, the sentence in the request's language. The `error` code stays the
//! OIDC one (`access_denied`, `login_required`, …, OIDC Core §3.1.2.6); a relying party that only
//! reads `error` loses nothing, one that reads the token before the colon can tell "PIN falsch"
//! from "abgelehnt".
//!
//! RFC 6749 §4.1.2.1 allows only %x20-21 / %x23-5B / %x5D-7E in `error_description`: no quote, no
//! backslash, no umlaut. The German sentences are therefore transliterated (`ä` → `ae`), and a
//! unit test checks every sentence against that character set.

use super::errors::{ErrorCode, OAuthError};
use crate::identity::AuthnError;

/// A stable reason token. New reasons may be added; a token's meaning never changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Reason {
    /// The person cancelled (at the upstream, or on the choice page).
    Cancelled,
    /// The person declined to release the data on the consent page.
    ConsentDenied,
    /// eID: the PIN was wrong.
    WrongPin,
    /// eID: the card has expired.
    CardExpired,
    /// eID: the card or its online function is blocked (revoked, or the PIN is blocked).
    CardBlocked,
    /// Certificate: revoked by its issuer.
    CertificateRevoked,
    /// Certificate: expired.
    CertificateExpired,
    /// Certificate: not yet valid.
    CertificateNotYetValid,
    /// Certificate: not a certificate for login (key usage or policy).
    CertificateWrongKind,
    /// Certificate: issued by an authority this service does not trust.
    CertificateUnknownCa,
    /// Certificate: none presented, or unreadable.
    CertificateMissing,
    /// The service is for organisations; the person logged in personally.
    OrganisationRequired,
    /// The required trust level was not reached.
    LevelNotReached,
    /// The upstream wants an interactive login.
    LoginRequired,
    /// The upstream refused for a reason it did not explain to us.
    UpstreamFailed,
    /// The upstream's answer failed our security checks.
    ResponseRejected,
    /// The login method cannot be reached, or cannot check revocation right now.
    MethodUnavailable,
}

/// `(reason, token, de, en)`: the full `error_description` values. Each starts with its token.
const TABLE: &[(Reason, &str, &str, &str)] = &[
    (
        Reason::Cancelled,
        "cancelled",
        "cancelled: Die Anmeldung wurde abgebrochen.",
        "cancelled: The login was cancelled.",
    ),
    (
        Reason::ConsentDenied,
        "consent_denied",
        "consent_denied: Die Person hat der Uebermittlung der Daten nicht zugestimmt.",
        "consent_denied: The person declined to share the data.",
    ),
    (
        Reason::WrongPin,
        "wrong_pin",
        "wrong_pin: Die PIN des Ausweises war falsch.",
        "wrong_pin: The PIN of the ID card was wrong.",
    ),
    (
        Reason::CardExpired,
        "card_expired",
        "card_expired: Der Ausweis ist abgelaufen.",
        "card_expired: The ID card has expired.",
    ),
    (
        Reason::CardBlocked,
        "card_blocked",
        "card_blocked: Der Ausweis oder seine Online-Ausweisfunktion ist gesperrt.",
        "card_blocked: The ID card or its online function is blocked.",
    ),
    (
        Reason::CertificateRevoked,
        "certificate_revoked",
        "certificate_revoked: Das Zertifikat ist gesperrt.",
        "certificate_revoked: The certificate has been revoked.",
    ),
    (
        Reason::CertificateExpired,
        "certificate_expired",
        "certificate_expired: Das Zertifikat ist abgelaufen.",
        "certificate_expired: The certificate has expired.",
    ),
    (
        Reason::CertificateNotYetValid,
        "certificate_not_yet_valid",
        "certificate_not_yet_valid: Das Zertifikat ist noch nicht gueltig.",
        "certificate_not_yet_valid: The certificate is not yet valid.",
    ),
    (
        Reason::CertificateWrongKind,
        "certificate_wrong_kind",
        "certificate_wrong_kind: Das Zertifikat ist fuer die Anmeldung nicht zugelassen.",
        "certificate_wrong_kind: The certificate is not permitted for login.",
    ),
    (
        Reason::CertificateUnknownCa,
        "certificate_unknown_ca",
        "certificate_unknown_ca: Das Zertifikat stammt von einer nicht vertrauenswuerdigen Stelle.",
        "certificate_unknown_ca: The certificate was issued by an untrusted authority.",
    ),
    (
        Reason::CertificateMissing,
        "certificate_missing",
        "certificate_missing: Es wurde kein lesbares Zertifikat vorgelegt.",
        "certificate_missing: No readable certificate was presented.",
    ),
    (
        Reason::OrganisationRequired,
        "organisation_required",
        "organisation_required: Der Dienst verlangt eine Anmeldung fuer eine Organisation.",
        "organisation_required: The service requires a login for an organisation.",
    ),
    (
        Reason::LevelNotReached,
        "level_not_reached",
        "level_not_reached: Das verlangte Vertrauensniveau wurde nicht erreicht.",
        "level_not_reached: The required trust level was not reached.",
    ),
    (
        Reason::LoginRequired,
        "login_required",
        "login_required: Eine Anmeldung ist erforderlich.",
        "login_required: The person must log in.",
    ),
    (
        Reason::UpstreamFailed,
        "upstream_failed",
        "upstream_failed: Das Anmeldeverfahren hat die Anmeldung nicht bestaetigt.",
        "upstream_failed: The login method did not confirm the login.",
    ),
    (
        Reason::ResponseRejected,
        "response_rejected",
        "response_rejected: Die Antwort des Anmeldeverfahrens hat die Sicherheitspruefung nicht bestanden.",
        "response_rejected: The answer of the login method failed the security checks.",
    ),
    (
        Reason::MethodUnavailable,
        "method_unavailable",
        "method_unavailable: Das Anmeldeverfahren ist im Moment nicht erreichbar.",
        "method_unavailable: The login method cannot be reached at the moment.",
    ),
];

impl Reason {
    /// Every reason (docs and tests).
    pub const ALL: [Reason; 17] = [
        Self::Cancelled,
        Self::ConsentDenied,
        Self::WrongPin,
        Self::CardExpired,
        Self::CardBlocked,
        Self::CertificateRevoked,
        Self::CertificateExpired,
        Self::CertificateNotYetValid,
        Self::CertificateWrongKind,
        Self::CertificateUnknownCa,
        Self::CertificateMissing,
        Self::OrganisationRequired,
        Self::LevelNotReached,
        Self::LoginRequired,
        Self::UpstreamFailed,
        Self::ResponseRejected,
        Self::MethodUnavailable,
    ];

    fn row(self) -> (&'static str, &'static str, &'static str) {
        TABLE
            .iter()
            .find(|r| r.0 == self)
            .map(|r| (r.1, r.2, r.3))
            .unwrap_or(("upstream_failed", "upstream_failed", "upstream_failed"))
    }

    /// The stable token (`wrong_pin`).
    pub fn token(self) -> &'static str {
        self.row().0
    }

    /// The `error_description` in a language tag (`de` unless it is English).
    pub fn description(self, locale: &str) -> &'static str {
        let (_, de, en) = self.row();
        if locale.eq_ignore_ascii_case("en") || locale.to_ascii_lowercase().starts_with("en-") {
            en
        } else {
            de
        }
    }

    /// The reason of an [`AuthnError::UpstreamFailure`] code or a failure kind.
    pub fn of(e: &AuthnError) -> Self {
        match e {
            AuthnError::Cancelled => Self::Cancelled,
            AuthnError::UpstreamFailure { code } => Self::from_code(code),
            AuthnError::Rejected(_) | AuthnError::Unverified(_) => Self::ResponseRejected,
            AuthnError::LevelTooLow => Self::LevelNotReached,
            AuthnError::Unavailable(_) => Self::MethodUnavailable,
        }
    }

    /// An upstream failure code (the tokens the SAML profiles and the certificate method write).
    pub fn from_code(code: &str) -> Self {
        match code {
            crate::identity::LOGIN_REQUIRED => Self::LoginRequired,
            "cancelled" => Self::Cancelled,
            other => TABLE.iter().find(|r| r.1 == other).map(|r| r.0).unwrap_or(Self::UpstreamFailed),
        }
    }

    /// The error for the relying party: `code` as before, the description of this reason.
    pub fn error(self, code: ErrorCode, locale: &str) -> OAuthError {
        OAuthError::new(code, self.description(locale))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_reason_has_a_row_starting_with_its_token() {
        assert_eq!(TABLE.len(), Reason::ALL.len());
        for r in Reason::ALL {
            let (token, de, en) = r.row();
            assert!(TABLE.iter().any(|row| row.0 == r), "{r:?}");
            for d in [de, en] {
                assert!(d.starts_with(&format!("{token}: ")), "{d}");
            }
            assert_eq!(Reason::from_code(token), r, "token round trip");
        }
    }

    #[test]
    fn descriptions_keep_the_rfc_6749_character_set() {
        // RFC 6749 §4.1.2.1: %x20-21 / %x23-5B / %x5D-7E.
        for r in Reason::ALL {
            for d in [r.description("de"), r.description("en")] {
                assert!(d.bytes().all(|b| (0x20..=0x7e).contains(&b) && b != b'"' && b != b'\\'), "{d}");
            }
        }
    }

    #[test]
    fn language_and_mapping() {
        assert!(Reason::WrongPin.description("de").contains("PIN des Ausweises war falsch"));
        assert!(Reason::WrongPin.description("en-GB").contains("was wrong"));
        let pin = AuthnError::UpstreamFailure { code: "wrong_pin".into() };
        assert_eq!(Reason::of(&pin), Reason::WrongPin);
        let odd = AuthnError::UpstreamFailure { code: "other".into() };
        assert_eq!(Reason::of(&odd), Reason::UpstreamFailed);
        assert_eq!(Reason::of(&AuthnError::Unavailable("x".into())), Reason::MethodUnavailable);
    }
}
