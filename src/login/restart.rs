//! An upstream return that cannot continue here (issue 9 "Bad input"): the browser does not hold
//! the binding cookie of the login, holds another one, the login expired, or the return was
//! already used. The edge shows a page in German and English (the request's language is not to be
//! trusted: the request may be someone else's), "Bitte starten Sie die Anmeldung bei dem
//! Online-Dienst neu", and — where the request is known — a link to the service's site.
//!
//! The link goes to the origin of the registered redirect URI, never to the redirect URI with
//! OAuth parameters: in the attack this page exists for, the request is the attacker's, and its
//! `state` must not travel anywhere from the victim's browser.

use super::next::Restart;
use crate::oidc_provider::broker::Broker;
use crate::oidc_provider::records::PendingAuthorization;

/// The return is unknown, expired or used: nothing to name.
pub fn unknown() -> Restart {
    Restart::default()
}

/// The return belongs to `request`, which this browser may not continue: its service is named and
/// linked by its origin only.
pub fn for_request(ctx: &Broker, request: &PendingAuthorization) -> Restart {
    Restart {
        service_name: ctx.client(&request.client_id).map(|c| c.name.clone()),
        service_href: url::Url::parse(&request.redirect_uri)
            .ok()
            .map(|u| u.origin())
            .filter(|o| o.is_tuple())
            .map(|o| format!("{}/", o.ascii_serialization())),
    }
}
