//! (HTTP edge) One function from a login step's [`Outcome`] to the response: 303 redirects to the
//! relying party (code or error, with `state` and `iss`), to the choice and consent pages and to
//! the upstream; pages (choice, consent, upstream failure, restart, errors); and the
//! `Set-Cookie` headers the step asked for.

use super::{browser, choice, consent, restart, start, upstream_error};
use crate::config::Site;
use crate::login::errors::{code_url, error_url};
use crate::login::{Next, Outcome, Problem};
use crate::session::StoreError;
use crate::state::AppState;
use crate::web::{Locale, PageError};
use axum::response::{IntoResponse, Redirect, Response};

/// The response for `outcome`.
pub fn respond(state: &AppState, outcome: Outcome) -> Response {
    respond_to(state, &http::HeaderMap::new(), outcome)
}

/// The response for `outcome` to a request with `headers`: pages that stand outside the login's
/// language (the restart page) use the browser's (language cookie, `Accept-Language`).
pub fn respond_to(state: &AppState, headers: &http::HeaderMap, outcome: Outcome) -> Response {
    let mut res = next(state, headers, outcome.next);
    if let Some(c) = outcome.session.and_then(|s| browser::session_cookie(state, s.0.expose())) {
        res.headers_mut().append(http::header::SET_COOKIE, c);
    }
    if let Some(c) = outcome.binding.and_then(|b| browser::binding_cookie(state, &b)) {
        res.headers_mut().append(http::header::SET_COOKIE, c);
    }
    res
}

fn next(state: &AppState, headers: &http::HeaderMap, next: Next) -> Response {
    match next {
        // A redirect URI that does not parse cannot be registered; should it happen, a page (in
        // German, as the response carries no language of its own).
        Next::Code { to, code } => match code_url(&to, code.expose(), state.broker().issuer().as_str()) {
            Ok(url) => Redirect::to(url.as_str()).into_response(),
            Err(p) => page(state.site(), p, Locale::De),
        },
        Next::RpError { to, error } => match error_url(&to, error, state.broker().issuer().as_str()) {
            Ok(url) => Redirect::to(url.as_str()).into_response(),
            Err(p) => page(state.site(), p, Locale::De),
        },
        Next::ToChoice { pending_id } => Redirect::to(&format!("/login/{pending_id}")).into_response(),
        Next::ToConsent { pending_id } => Redirect::to(&format!("/consent/{pending_id}")).into_response(),
        Next::Upstream { action, locale } => start::upstream(state.site(), action, Locale::parse_or_default(&locale)),
        Next::UpstreamFailed {
            failure,
            to,
            error,
            locale,
            view,
        } => {
            let locale = Locale::parse_or_default(&locale);
            match error_url(&to, error, state.broker().issuer().as_str()) {
                Ok(url) => upstream_error::page(state.site(), &failure, locale, url.as_str(), view.as_deref()),
                Err(p) => page(state.site(), p, locale),
            }
        }
        Next::Choice(view) => choice::page(state.site(), view),
        Next::Consent(view) => consent::page(state.site(), view),
        Next::Page { problem, locale } => page(state.site(), problem, Locale::parse_or_default(&locale)),
        Next::Restart(r) => restart::page(state.site(), r, crate::web::locale::negotiate(None, None, headers)),
    }
}

/// The error page for a problem. Store failures are logged here (the detail never reaches the
/// page): unavailable → 503, anything else → 500.
pub fn page(site: &Site, problem: Problem, locale: Locale) -> Response {
    let e = match problem {
        Problem::UnknownClient => PageError::UnknownClient,
        Problem::InvalidRedirectUri => PageError::InvalidRedirectUri,
        Problem::BadRequest => PageError::BadRequest,
        Problem::Expired => PageError::Expired,
        Problem::Forbidden => PageError::Forbidden,
        Problem::Internal => PageError::Internal,
        Problem::Store(e) => {
            tracing::error!(error = %e, "store failure during login");
            match e {
                StoreError::Unavailable(_) => PageError::Unavailable,
                _ => PageError::Internal,
            }
        }
    };
    e.render(site, locale)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn problems_keep_their_status() {
        for (problem, status) in [
            (Problem::UnknownClient, 400),
            (Problem::InvalidRedirectUri, 400),
            (Problem::BadRequest, 400),
            (Problem::Expired, 400),
            (Problem::Forbidden, 403),
            (Problem::Internal, 500),
            (Problem::Store(StoreError::Unavailable("10.1.2.3:6379 refused".into())), 503),
            (Problem::Store(StoreError::Corrupt("bad tag".into())), 500),
        ] {
            assert_eq!(page(&Site::default(), problem, Locale::En).status().as_u16(), status);
        }
    }
}
