//! (HTTP edge) The page a person sees when the upstream login did not succeed (cancelled, wrong PIN, card
//! expired, rejected response …): what happened and what to do, in German or English, with a link
//! that returns to the service. The link carries the OIDC error (`access_denied`, …) with the
//! relying party's `state` and `iss` (OIDC Core §3.1.2.6, RFC 9207), so the relying party learns the
//! outcome too — but only the class of failure, never the detail the person reads here.

use crate::authenticators::AuthnError;
use crate::config::Site;
use crate::web::{render_page, Locale};
use axum::response::{IntoResponse, Response};

/// `(heading, what happened, what to do)` for a failure, in the person's language.
pub fn texts(e: &AuthnError, locale: Locale) -> (&'static str, &'static str, &'static str) {
    let de = locale == Locale::De;
    let (heading, what) = match e {
        AuthnError::Cancelled if de => ("Anmeldung abgebrochen", "Sie haben die Anmeldung abgebrochen."),
        AuthnError::Cancelled => ("Login cancelled", "You cancelled the login."),
        AuthnError::UpstreamFailure { code } => match (code.as_str(), de) {
            ("wrong_pin", true) => (
                "PIN nicht richtig",
                "Die eingegebene PIN war nicht richtig. Nach mehreren Fehlversuchen wird die Online-Ausweisfunktion gesperrt; mit der PUK aus Ihrem PIN-Brief können Sie sie wieder freischalten.",
            ),
            ("wrong_pin", false) => (
                "Wrong PIN",
                "The PIN you entered was not correct. After several wrong attempts the online ID function is blocked; the PUK from your PIN letter unblocks it.",
            ),
            ("card_expired", true) => (
                "Ausweis abgelaufen",
                "Ihr Ausweis ist abgelaufen und kann für die Anmeldung nicht mehr verwendet werden.",
            ),
            ("card_expired", false) => ("ID card expired", "Your ID card has expired and can no longer be used to log in."),
            ("organisation_required", true) => (
                "Anmeldung für ein Unternehmen nötig",
                "Dieser Dienst ist für Unternehmen und Organisationen. Sie haben sich mit einem persönlichen Zugang angemeldet; bitte verwenden Sie ein Organisationszertifikat.",
            ),
            ("organisation_required", false) => (
                "Login for an organisation required",
                "This service is for businesses and organisations. You logged in with a personal account; please use an organisation certificate.",
            ),
            (_, true) => ("Anmeldung fehlgeschlagen", "Das gewählte Anmeldeverfahren hat die Anmeldung nicht bestätigt."),
            (_, false) => ("Login failed", "The login method you chose did not confirm the login."),
        },
        AuthnError::Rejected(_) | AuthnError::Unverified(_) if de => (
            "Anmeldung nicht bestätigt",
            "Die Antwort des Anmeldeverfahrens hat unsere Sicherheitsprüfung nicht bestanden. Es wurden keine Daten weitergegeben.",
        ),
        AuthnError::Rejected(_) | AuthnError::Unverified(_) => (
            "Login not confirmed",
            "The answer of the login method did not pass our security checks. No data was passed on.",
        ),
        AuthnError::LevelTooLow if de => (
            "Vertrauensniveau nicht ausreichend",
            "Mit diesem Anmeldeverfahren wurde das Vertrauensniveau nicht erreicht, das der Dienst verlangt.",
        ),
        AuthnError::LevelTooLow => ("Trust level not sufficient", "This login method did not reach the trust level the service requires."),
        AuthnError::Unavailable(_) if de => ("Verfahren nicht erreichbar", "Das Anmeldeverfahren ist im Moment nicht erreichbar."),
        AuthnError::Unavailable(_) => ("Method unavailable", "The login method cannot be reached at the moment."),
    };
    let todo = if de {
        "Kehren Sie zum Dienst zurück; dort können Sie die Anmeldung neu starten und dabei auch ein anderes Verfahren wählen."
    } else {
        "Return to the service; there you can start the login again, also with another method."
    };
    (heading, what, todo)
}

/// The page, with `continue_href` = the relying party's redirect URI carrying the error.
pub fn page(site: &Site, e: &AuthnError, locale: Locale, continue_href: &str) -> Response {
    let (heading, what, todo) = texts(e, locale);
    let continue_label = if locale == Locale::De {
        "Zurück zum Dienst"
    } else {
        "Back to the service"
    };
    render_page(
        site,
        "upstream_error.html",
        locale,
        heading,
        None,
        minijinja::context! { heading, what, todo, continue_href, continue_label },
    )
    .into_response()
}
