//! (HTTP edge) The page a person sees when the upstream login did not succeed (cancelled, wrong
//! PIN, card expired or blocked, certificate refused, rejected response …): what happened and what
//! to do, in German or English, with the language switch and a link that returns to the service.
//! The link carries the OIDC error (`access_denied`, …) with the stable reason in
//! `error_description` (login/reason.rs) and the relying party's `state` and `iss` (OIDC Core
//! §3.1.2.6, RFC 9207) — never the detail behind a rejected response.
//!
//! `GET /login/failed/{id}` shows a kept page again (login/failure.rs), in the language asked for.

use crate::authenticators::AuthnError;
use crate::config::Site;
use crate::login::reason::Reason;
use crate::state::AppState;
use crate::web::{locale, render_page, switch_link, Locale, PageError};
use axum::extract::{Path, RawQuery, State};
use axum::response::{IntoResponse, Response};
use http::HeaderMap;

/// `(heading, what happened)` for a reason, in the person's language.
fn what(reason: Reason, de: bool) -> (&'static str, &'static str) {
    match (reason, de) {
        (Reason::Cancelled, true) => ("Anmeldung abgebrochen", "Sie haben die Anmeldung abgebrochen."),
        (Reason::Cancelled, false) => ("Login cancelled", "You cancelled the login."),
        (Reason::WrongPin, true) => (
            "PIN nicht richtig",
            "Die eingegebene PIN war nicht richtig. Nach mehreren Fehlversuchen wird die Online-Ausweisfunktion gesperrt; mit der PUK aus Ihrem PIN-Brief können Sie sie wieder freischalten.",
        ),
        (Reason::WrongPin, false) => (
            "Wrong PIN",
            "The PIN you entered was not correct. After several wrong attempts the online ID function is blocked; the PUK from your PIN letter unblocks it.",
        ),
        (Reason::CardExpired, true) => (
            "Ausweis abgelaufen",
            "Ihr Ausweis ist abgelaufen und kann für die Anmeldung nicht mehr verwendet werden. Einen neuen Ausweis beantragen Sie bei Ihrer Bürgerbehörde.",
        ),
        (Reason::CardExpired, false) => (
            "ID card expired",
            "Your ID card has expired and can no longer be used to log in. You can apply for a new one at your local citizens' office.",
        ),
        (Reason::CardBlocked, true) => (
            "Ausweis gesperrt",
            "Die Online-Ausweisfunktion Ihres Ausweises ist gesperrt: nach zu vielen falschen PINs, oder weil der Ausweis als verloren gemeldet wurde. Eine gesperrte PIN entsperren Sie mit der PUK aus Ihrem PIN-Brief; sonst hilft Ihre Bürgerbehörde.",
        ),
        (Reason::CardBlocked, false) => (
            "ID card blocked",
            "The online function of your ID card is blocked: after too many wrong PINs, or because the card was reported lost. A blocked PIN is unblocked with the PUK from your PIN letter; otherwise your local citizens' office can help.",
        ),
        (Reason::CertificateRevoked, true) => (
            "Zertifikat gesperrt",
            "Ihr Zertifikat wurde von der ausstellenden Stelle gesperrt und kann nicht mehr verwendet werden. Bitte wenden Sie sich an die ausstellende Stelle.",
        ),
        (Reason::CertificateRevoked, false) => (
            "Certificate revoked",
            "Your certificate has been revoked by its issuer and can no longer be used. Please contact the issuing authority.",
        ),
        (Reason::CertificateExpired, true) => (
            "Zertifikat abgelaufen",
            "Ihr Zertifikat ist abgelaufen. Bitte verwenden Sie ein gültiges Zertifikat oder beantragen Sie ein neues.",
        ),
        (Reason::CertificateExpired, false) => (
            "Certificate expired",
            "Your certificate has expired. Please use a valid certificate or apply for a new one.",
        ),
        (Reason::CertificateNotYetValid, true) => (
            "Zertifikat noch nicht gültig",
            "Ihr Zertifikat ist noch nicht gültig. Bitte prüfen Sie Datum und Uhrzeit Ihres Geräts oder versuchen Sie es ab dem Gültigkeitsbeginn erneut.",
        ),
        (Reason::CertificateNotYetValid, false) => (
            "Certificate not yet valid",
            "Your certificate is not valid yet. Please check the date and time of your device, or try again once it becomes valid.",
        ),
        (Reason::CertificateWrongKind, true) => (
            "Zertifikat nicht für die Anmeldung",
            "Dieses Zertifikat ist nicht für diese Anmeldung bestimmt: zum Beispiel ein reines Signatur- oder Verschlüsselungszertifikat, oder ein persönliches Zertifikat, wo ein Firmenzertifikat nötig ist. Bitte wählen Sie Ihr Anmeldezertifikat.",
        ),
        (Reason::CertificateWrongKind, false) => (
            "Certificate not for login",
            "This certificate is not meant for this login: for example a signature or encryption certificate, or a personal certificate where a company certificate is needed. Please choose your login certificate.",
        ),
        (Reason::CertificateUnknownCa, true) => (
            "Aussteller nicht anerkannt",
            "Ihr Zertifikat stammt von einer Stelle, die dieser Dienst nicht anerkennt. Bitte verwenden Sie ein Zertifikat einer anerkannten Stelle.",
        ),
        (Reason::CertificateUnknownCa, false) => (
            "Issuer not recognised",
            "Your certificate was issued by an authority this service does not recognise. Please use a certificate from a recognised authority.",
        ),
        (Reason::CertificateMissing, true) => (
            "Kein Zertifikat",
            "Ihr Browser hat kein lesbares Zertifikat vorgelegt. Bitte wählen Sie Ihr Zertifikat aus, wenn der Browser danach fragt.",
        ),
        (Reason::CertificateMissing, false) => (
            "No certificate",
            "Your browser presented no readable certificate. Please select your certificate when the browser asks.",
        ),
        (Reason::OrganisationRequired, true) => (
            "Anmeldung für ein Unternehmen nötig",
            "Dieser Dienst ist für Unternehmen und Organisationen. Sie haben sich mit einem persönlichen Zugang angemeldet; bitte verwenden Sie ein Organisationszertifikat.",
        ),
        (Reason::OrganisationRequired, false) => (
            "Login for an organisation required",
            "This service is for businesses and organisations. You logged in with a personal account; please use an organisation certificate.",
        ),
        (Reason::ResponseRejected, true) => (
            "Anmeldung nicht bestätigt",
            "Die Antwort des Anmeldeverfahrens hat unsere Sicherheitsprüfung nicht bestanden. Es wurden keine Daten weitergegeben.",
        ),
        (Reason::ResponseRejected, false) => (
            "Login not confirmed",
            "The answer of the login method did not pass our security checks. No data was passed on.",
        ),
        (Reason::LevelNotReached, true) => (
            "Vertrauensniveau nicht ausreichend",
            "Mit diesem Anmeldeverfahren wurde das Vertrauensniveau nicht erreicht, das der Dienst verlangt.",
        ),
        (Reason::LevelNotReached, false) => (
            "Trust level not sufficient",
            "This login method did not reach the trust level the service requires.",
        ),
        (Reason::MethodUnavailable, true) => ("Verfahren nicht erreichbar", "Das Anmeldeverfahren ist im Moment nicht erreichbar."),
        (Reason::MethodUnavailable, false) => ("Method unavailable", "The login method cannot be reached at the moment."),
        (_, true) => ("Anmeldung fehlgeschlagen", "Das gewählte Anmeldeverfahren hat die Anmeldung nicht bestätigt."),
        (_, false) => ("Login failed", "The login method you chose did not confirm the login."),
    }
}

/// `(heading, what happened, what to do)` for a failure, in the person's language.
pub fn texts(e: &AuthnError, locale: Locale) -> (&'static str, &'static str, &'static str) {
    let de = locale == Locale::De;
    let (heading, what) = what(Reason::of(e), de);
    let todo = if de {
        "Kehren Sie zum Dienst zurück; dort können Sie die Anmeldung neu starten und dabei auch ein anderes Verfahren wählen."
    } else {
        "Return to the service; there you can start the login again, also with another method."
    };
    (heading, what, todo)
}

/// The page, with `continue_href` = the relying party's redirect URI carrying the error, and the
/// language switch when the page is kept under `view` (login/failure.rs).
pub fn page(site: &Site, e: &AuthnError, locale: Locale, continue_href: &str, view: Option<&str>) -> Response {
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
        view.map(|id| switch_link(&format!("/login/failed/{id}"), locale)),
        minijinja::context! { heading, what, todo, continue_href, continue_label },
    )
    .into_response()
}

/// `GET /login/failed/{id}`: a kept failure page, in the language of `?lang=`, the cookie or
/// `Accept-Language`.
pub async fn failed_get(State(state): State<AppState>, Path(id): Path<String>, headers: HeaderMap, RawQuery(q): RawQuery) -> Response {
    let chosen = locale::from_query(q.as_deref());
    let loc = chosen.unwrap_or_else(|| locale::negotiate(None, None, &headers));
    match crate::login::failure::load(state.broker(), &id).await {
        Some(v) => page(state.site(), &v.failure, loc, &v.back, Some(&id)),
        None => PageError::Expired.render(state.site(), loc),
    }
}
