//! What a login step decided, for the HTTP edge to send (issue 14 item 1): the domain returns an
//! [`Outcome`], the edge (`http::login::respond`) maps it to a response — redirects, pages and
//! `Set-Cookie`. Nothing here knows HTTP; the locale is the tag stored in the pending request.

use super::binding::Presented;
use super::errors::{OAuthError, ReturnTo};
use crate::authenticators::{AuthnError, StartAction};
use crate::ids::{AuthCode, PendingId, SessionId};
use crate::session::StoreError;
use crate::trust::TrustLevel;

/// What went wrong, shown to the person as a page (never a redirect).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Problem {
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
    /// Anything unexpected.
    #[error("internal error")]
    Internal,
    /// The store failed (unavailable: 503; otherwise internal). The edge logs it.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The person's next step.
#[derive(Debug)]
#[non_exhaustive]
pub enum Next {
    /// 303 to the relying party with a fresh code (RFC 6749 §4.1.2).
    Code {
        /// Where it goes.
        to: ReturnTo,
        /// The code (secret, single use).
        code: AuthCode,
    },
    /// 303 to the relying party with an error (RFC 6749 §4.1.2.1).
    RpError {
        /// Where it goes.
        to: ReturnTo,
        /// The error.
        error: OAuthError,
    },
    /// 303 to the choice page of a parked request.
    ToChoice {
        /// The parked request.
        pending_id: PendingId,
    },
    /// 303 to the consent page of a parked request.
    ToConsent {
        /// The parked request.
        pending_id: PendingId,
    },
    /// Hand the person to the upstream method (redirect or POST form page).
    Upstream {
        /// What the method asked for.
        action: StartAction,
        /// Language of the page.
        locale: String,
    },
    /// The upstream login did not succeed: a page that explains it, with a link that carries
    /// `error` back to the relying party.
    UpstreamFailed {
        /// What happened (the page text; the relying party learns only `error`).
        failure: AuthnError,
        /// Where the link goes.
        to: ReturnTo,
        /// The error the link carries.
        error: OAuthError,
        /// Language of the page.
        locale: String,
        /// Where the same page can be shown again (`failure.rs`), for the language switch.
        view: Option<String>,
    },
    /// The choice page.
    Choice(ChoiceView),
    /// The consent page.
    Consent(ConsentView),
    /// An error page.
    Page {
        /// What went wrong.
        problem: Problem,
        /// Language of the page.
        locale: String,
    },
    /// The return leg cannot continue in this browser (restart.rs).
    Restart(Restart),
}

impl Next {
    /// An error page in the language `locale`.
    pub fn page(problem: impl Into<Problem>, locale: &str) -> Self {
        Self::Page {
            problem: problem.into(),
            locale: locale.to_owned(),
        }
    }
}

/// The broker session the browser must now hold (`Set-Cookie`); the value is secret (its
/// `Debug` is redacted).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionCookie(pub SessionId);

/// A step's result: the next step and the cookies to set with it.
#[derive(Debug)]
pub struct Outcome {
    /// What the person sees next.
    pub next: Next,
    /// A broker session to set (after a fresh login).
    pub session: Option<SessionCookie>,
    /// A browser binding to set or refresh (on `/authorize`).
    pub binding: Option<Presented>,
}

impl From<Next> for Outcome {
    fn from(next: Next) -> Self {
        Self {
            next,
            session: None,
            binding: None,
        }
    }
}

/// A method on the choice page.
#[derive(Debug, Clone)]
pub struct MethodChoice {
    /// Method id (the form value).
    pub id: String,
    /// Label in the page language.
    pub label: String,
    /// The highest level it reaches.
    pub max_level: TrustLevel,
}

/// What the choice page shows.
#[derive(Debug, Clone)]
pub struct ChoiceView {
    /// The parked request.
    pub pending_id: PendingId,
    /// Language (stored in the request).
    pub locale: String,
    /// The service's name.
    pub client_name: String,
    /// Required level.
    pub required: TrustLevel,
    /// Methods that reach it and that the client allows.
    pub methods: Vec<MethodChoice>,
    /// Anti-CSRF token for the forms.
    pub csrf: String,
}

/// What the consent page shows.
#[derive(Debug, Clone)]
pub struct ConsentView {
    /// The parked request.
    pub pending_id: PendingId,
    /// Language.
    pub locale: String,
    /// The service's name.
    pub client_name: String,
    /// The released claims in the order of the scope table, with their values.
    pub claims: Vec<(&'static str, serde_json::Value)>,
    /// `offline_access` is granted (OIDC Core §11: named on the page).
    pub offline_access: bool,
    /// The level the session counts for now.
    pub level: TrustLevel,
    /// Anti-CSRF token for the form.
    pub csrf: String,
}

/// The restart page (restart.rs): the service's name and site, where the request is known.
#[derive(Debug, Clone, Default)]
pub struct Restart {
    /// The service's name.
    pub service_name: Option<String>,
    /// The origin of its registered redirect URI.
    pub service_href: Option<String>,
}
