//! Page texts, German and English. One table so a translation gap is visible in review.
//!
//! A text names the service as `{name}`: [`texts`] fills in the operator's display name
//! (`[branding] name`, default "Bürgerkonto"), so every page says the name the operator chose
//! (issue 15 item 1).

use super::Locale;
use crate::trust::TrustLevel;
use std::collections::BTreeMap;

/// `(key, de, en)`.
const TEXTS: &[(&str, &str, &str)] = &[
    ("skip", "Zum Inhalt springen", "Skip to content"),
    ("language", "Sprache", "Language"),
    ("other_language", "English", "Deutsch"),
    ("choice_title", "Wie möchten Sie sich anmelden?", "How would you like to log in?"),
    ("choice_intro", "Sie melden sich an bei", "You are logging in to"),
    (
        "choice_required",
        "Dieser Dienst verlangt mindestens das Vertrauensniveau",
        "This service requires at least the trust level",
    ),
    ("reaches", "Vertrauensniveau bis", "Trust level up to"),
    (
        "no_methods",
        "Für diesen Dienst steht derzeit kein Anmeldeverfahren mit dem nötigen Vertrauensniveau zur Verfügung. Bitte wenden Sie sich an den Betreiber des Dienstes.",
        "No login method with the required trust level is available for this service at the moment. Please contact the operator of the service.",
    ),
    ("levels_title", "Was bedeuten die Vertrauensniveaus?", "What do the trust levels mean?"),
    ("cancel", "Anmeldung abbrechen und zurück zum Dienst", "Cancel and return to the service"),
    ("consent_title", "Daten an den Dienst übermitteln?", "Share your data with the service?"),
    ("consent_intro", "Diese Angaben werden übermittelt an", "The following data will be sent to"),
    ("consent_level", "Ihre Anmeldung hat das Vertrauensniveau", "Your login has the trust level"),
    (
        "consent_note",
        "{name} speichert Ihre Daten nicht dauerhaft. Wenn Sie ablehnen, wird nichts übermittelt.",
        "{name} does not store your data permanently. If you decline, nothing is sent.",
    ),
    ("approve", "Zustimmen und weiter", "Agree and continue"),
    ("deny", "Ablehnen", "Decline"),
    ("continue_title", "Weiter zur Anmeldung", "Continue to log in"),
    (
        "continue_text",
        "Sie werden jetzt zum gewählten Anmeldeverfahren weitergeleitet. Bitte klicken Sie auf „Weiter“.",
        "You will now be taken to the chosen login method. Please select “Continue”.",
    ),
    ("continue", "Weiter", "Continue"),
    ("dev_title", "Testanmeldung", "Test login"),
    (
        "dev_warning",
        "Nur für die Entwicklung: Hier werden keine echten Personen angemeldet.",
        "Development only: no real person is authenticated here.",
    ),
    ("dev_person", "Testperson", "Test person"),
    ("dev_level", "Erreichtes Vertrauensniveau", "Trust level reached"),
    ("dev_outcome", "Ergebnis", "Outcome"),
    ("dev_success", "Erfolgreich angemeldet", "Login succeeds"),
    ("dev_cancelled", "Abgebrochen", "Cancelled by the person"),
    ("dev_failure", "Fehlgeschlagen", "Login fails"),
    ("dev_submit", "Anmeldung abschließen", "Finish login"),
    ("logout_confirm_title", "Abmelden?", "Log out?"),
    ("logout_requested_by", "Die Abmeldung wurde angefordert von", "The logout was requested by"),
    (
        "logout_confirm_text",
        "Möchten Sie sich bei {name} abmelden? Alle Online-Dienste, bei denen Sie sich in dieser Sitzung angemeldet haben, werden benachrichtigt.",
        "Do you want to log out of {name}? Every online service you logged in to in this session will be notified.",
    ),
    ("logout_yes", "Ja, abmelden", "Yes, log out"),
    ("logout_no", "Nein, angemeldet bleiben", "No, stay logged in"),
    ("logged_out_title", "Sie sind abgemeldet", "You are logged out"),
    (
        "logged_out_text",
        "Ihre Anmeldung bei {name} ist beendet. Wenn Sie einen fremden oder öffentlichen Computer benutzen, schließen Sie bitte auch den Browser.",
        "Your {name} login has ended. If you are using a shared or public computer, please also close the browser.",
    ),
    ("logged_out_notified", "Diese Dienste werden benachrichtigt:", "These services are being notified:"),
    ("not_logged_in_title", "Sie sind nicht angemeldet", "You are not logged in"),
    (
        "not_logged_in_text",
        "In diesem Browser besteht keine Anmeldung bei {name} (mehr). Es wurde nichts beendet.",
        "There is no (longer a) {name} login in this browser. Nothing was ended.",
    ),
    ("stayed_title", "Sie sind weiterhin angemeldet", "You are still logged in"),
    ("stayed_text", "Ihre Anmeldung bei {name} bleibt bestehen.", "Your {name} login continues."),
    ("back_to", "Zurück zu", "Back to"),
    ("session_title", "Ihre Anmeldung bei {name}", "Your {name} login"),
    ("session_since", "Angemeldet seit", "Logged in since"),
    ("session_level", "Vertrauensniveau", "Trust level"),
    ("session_services", "Dienste, die diese Anmeldung genutzt haben", "Services that used this login"),
    ("session_used_since", "genutzt seit", "used since"),
    ("session_no_services", "Noch kein Dienst hat diese Anmeldung genutzt.", "No service has used this login yet."),
    (
        "session_logout_note",
        "„Überall abmelden“ beendet Ihre Anmeldung bei {name} und benachrichtigt jeden oben genannten Dienst.",
        "“Log out everywhere” ends your {name} login and notifies every service listed above.",
    ),
    ("session_logout_all", "Überall abmelden", "Log out everywhere"),
    ("logout_error_title", "Abmeldung nicht möglich", "Logout not possible"),
    (
        "logout_error_todo",
        "Sie sind weiterhin angemeldet. Bitte wenden Sie sich an den Betreiber des Online-Dienstes, oder melden Sie sich über die Seite /session ab.",
        "You are still logged in. Please contact the operator of the online service, or log out on the page /session.",
    ),
    (
        "logout_error_hint",
        "Die Abmeldeanfrage enthält einen Nachweis (ID-Token), der nicht von {name} für diesen Dienst ausgestellt wurde.",
        "The logout request carries a proof (ID token) that {name} did not issue for this service.",
    ),
    (
        "logout_error_redirect",
        "Die Rücksprungadresse der Abmeldeanfrage ist für diesen Dienst nicht registriert.",
        "The return address of the logout request is not registered for this service.",
    ),
    (
        "logout_error_client",
        "Der Dienst der Abmeldeanfrage ist nicht bekannt oder passt nicht zum mitgesendeten Nachweis.",
        "The service of the logout request is unknown or does not match the proof sent with it.",
    ),
    ("logout_error_request", "Die Abmeldeanfrage ist fehlerhaft.", "The logout request is malformed."),
    (
        "upstream_logout_unconfirmed",
        "Ihre Anmeldung bei {name} ist beendet. Ob Sie auch beim Anbieter Ihrer Anmeldung (z. B. Ihrer Bank oder ELSTER) abgemeldet sind, konnten wir nicht feststellen; schließen Sie auf einem fremden Computer bitte den Browser.",
        "Your {name} login has ended. We could not confirm that you are also logged out at the provider you logged in with (e.g. your bank or ELSTER); on a shared computer, please close the browser.",
    ),
    ("logout_return_unknown_title", "Abmeldung", "Logout"),
    (
        "logout_return_unknown_text",
        "Dieser Abmelde-Link ist abgelaufen oder wurde schon benutzt. Ob Sie bei {name} angemeldet sind, sehen Sie auf der Seite „Ihre Anmeldung“.",
        "This logout link has expired or was already used. Whether you are logged in to {name} is shown on the page “Your login”.",
    ),
];

/// All texts for a locale, `{name}` filled with the service's display name (handed to templates
/// as `t`).
pub fn texts(locale: Locale, name: &str) -> BTreeMap<&'static str, String> {
    table(locale).into_iter().map(|(k, v)| (k, fill(v, name))).collect()
}

/// A text with `{name}` filled with the service's display name.
pub fn fill(text: &str, name: &str) -> String {
    text.replace("{name}", name)
}

/// All texts for a locale as written, `{name}` unfilled (for texts that never name the service).
pub fn table(locale: Locale) -> BTreeMap<&'static str, &'static str> {
    TEXTS
        .iter()
        .map(|(k, de, en)| (*k, if locale == Locale::En { *en } else { *de }))
        .collect()
}

/// Name of a level.
pub fn level_name(locale: Locale, level: TrustLevel) -> &'static str {
    match locale {
        Locale::De => level.name_de(),
        Locale::En => level.name_en(),
    }
}

/// A plain-words explanation of a level (issue 5 item 4).
pub fn level_explain(locale: Locale, level: TrustLevel) -> &'static str {
    match (locale, level) {
        (Locale::De, TrustLevel::Basic) => "Anmeldung mit Benutzername und Passwort. Ihre Identität wurde dabei nicht geprüft.",
        (Locale::En, TrustLevel::Basic) => "Login with user name and password. Your identity has not been checked.",
        (Locale::De, TrustLevel::Low) => "Ihre Identität wurde mit einfachen Mitteln geprüft.",
        (Locale::En, TrustLevel::Low) => "Your identity has been checked with simple means.",
        (Locale::De, TrustLevel::Substantial) => {
            "Ihre Identität wurde zuverlässig geprüft, zum Beispiel mit einem ELSTER-Zertifikat oder einem Firmenzertifikat."
        }
        (Locale::En, TrustLevel::Substantial) => {
            "Your identity has been checked reliably, for example with an ELSTER certificate or a company certificate."
        }
        (Locale::De, TrustLevel::High) => {
            "Höchste Sicherheit: die Online-Ausweisfunktion Ihres Personalausweises, Ihres elektronischen Aufenthaltstitels oder Ihrer Unionsbürgerkarte mit PIN."
        }
        (Locale::En, TrustLevel::High) => {
            "Highest assurance: the online function of your ID card, electronic residence permit or EU citizen card, with your PIN."
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_text_translated() {
        for (k, de, en) in TEXTS {
            assert!(!de.is_empty() && !en.is_empty(), "{k}");
        }
        assert_eq!(table(Locale::En)["approve"], "Agree and continue");
    }

    #[test]
    fn the_service_is_named_as_configured() {
        for (k, de, en) in TEXTS {
            assert!(!de.contains("buergerkonto") && !en.contains("buergerkonto"), "{k}: use {{name}}");
        }
        let t = texts(Locale::De, "Servicekonto Hessen");
        assert_eq!(t["session_title"], "Ihre Anmeldung bei Servicekonto Hessen");
        assert_eq!(
            texts(Locale::En, "Servicekonto Hessen")["session_title"],
            "Your Servicekonto Hessen login"
        );
        assert!(t.values().all(|v| !v.contains("{name}")));
    }
}
