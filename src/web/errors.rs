//! Error pages for people: what happened and what they can do, without internal detail
//! (issue 5 item 4). German by default, English on request.

use super::{render_page, Locale};
use crate::config::Site;
use axum::response::{IntoResponse, Response};
use http::StatusCode;

/// An error shown to the person as a page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PageError {
    /// `client_id` missing or not registered.
    #[error("unknown client")]
    UnknownClient,
    /// `redirect_uri` missing or not registered for the client.
    #[error("redirect_uri not registered")]
    InvalidRedirectUri,
    /// The request is malformed in a way that cannot be sent back.
    #[error("bad request")]
    BadRequest,
    /// The login request is unknown, expired or already finished.
    #[error("login request expired")]
    Expired,
    /// A form did not come from our page (CSRF token, origin or session mismatch).
    #[error("request not confirmed")]
    Forbidden,
    /// The store or an upstream is unavailable.
    #[error("temporarily unavailable")]
    Unavailable,
    /// Anything unexpected.
    #[error("internal error")]
    Internal,
}

impl PageError {
    fn status(self) -> StatusCode {
        match self {
            Self::UnknownClient | Self::InvalidRedirectUri | Self::BadRequest | Self::Expired => StatusCode::BAD_REQUEST,
            Self::Forbidden => StatusCode::FORBIDDEN,
            Self::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// `(heading, what happened, what to do)`.
    fn texts(self, locale: Locale) -> (&'static str, &'static str, &'static str) {
        let de = locale == Locale::De;
        let back_de = "Bitte kehren Sie zum Online-Dienst zurück und starten Sie die Anmeldung dort erneut.";
        let back_en = "Please return to the online service and start the login there again.";
        match self {
            Self::UnknownClient if de => (
                "Dienst nicht bekannt",
                "Der Online-Dienst, der Sie hierher geschickt hat, ist bei {name} nicht registriert.",
                "Bitte wenden Sie sich an den Betreiber des Online-Dienstes. Sie können diese Seite schließen.",
            ),
            Self::UnknownClient => (
                "Service not known",
                "The online service that sent you here is not registered with {name}.",
                "Please contact the operator of the online service. You can close this page.",
            ),
            Self::InvalidRedirectUri if de => (
                "Rücksprungadresse nicht zulässig",
                "Der Online-Dienst hat eine Rücksprungadresse angegeben, die nicht für ihn registriert ist. Zu Ihrem Schutz leiten wir Sie nicht dorthin weiter.",
                "Bitte wenden Sie sich an den Betreiber des Online-Dienstes.",
            ),
            Self::InvalidRedirectUri => (
                "Return address not allowed",
                "The online service gave a return address that is not registered for it. For your protection we do not send you there.",
                "Please contact the operator of the online service.",
            ),
            Self::BadRequest if de => ("Ungültige Anfrage", "Die Anfrage des Online-Dienstes ist fehlerhaft.", back_de),
            Self::BadRequest => ("Invalid request", "The request from the online service is malformed.", back_en),
            Self::Expired if de => (
                "Anmeldung abgelaufen",
                "Diese Anmeldung ist abgelaufen oder wurde bereits abgeschlossen.",
                back_de,
            ),
            Self::Expired => ("Login expired", "This login has expired or has already been completed.", back_en),
            Self::Forbidden if de => (
                "Anfrage nicht bestätigt",
                "Wir konnten nicht bestätigen, dass diese Anfrage von Ihnen kommt.",
                "Bitte starten Sie die Anmeldung beim Online-Dienst neu und bleiben Sie dabei im selben Browserfenster.",
            ),
            Self::Forbidden => (
                "Request not confirmed",
                "We could not confirm that this request came from you.",
                "Please start the login at the online service again and stay in the same browser window.",
            ),
            Self::Unavailable if de => (
                "Vorübergehend nicht verfügbar",
                "Die Anmeldung ist im Moment nicht möglich.",
                "Bitte versuchen Sie es in einigen Minuten erneut.",
            ),
            Self::Unavailable => (
                "Temporarily unavailable",
                "Logging in is not possible at the moment.",
                "Please try again in a few minutes.",
            ),
            Self::Internal if de => ("Fehler", "Es ist ein unerwarteter Fehler aufgetreten.", back_de),
            Self::Internal => ("Error", "An unexpected error occurred.", back_en),
        }
    }

    /// Render in a language, in the site's design.
    pub fn render(self, site: &Site, locale: Locale) -> Response {
        let (heading, what, todo) = self.texts(locale);
        let what = super::i18n::fill(what, &site.name);
        let body = render_page(
            site,
            "error.html",
            locale,
            heading,
            None,
            minijinja::context! { heading, what, todo },
        );
        let mut res = body.into_response();
        *res.status_mut() = self.status();
        res
    }
}

/// Without a site at hand: German, in the neutral design (handlers use [`PageError::render`] with
/// their site, so the page carries the operator's branding and legal links).
impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        self.render(&Site::default(), Locale::De)
    }
}
