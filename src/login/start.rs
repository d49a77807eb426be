//! Starting the upstream method: `POST /login/{id}/start` from the choice page (or directly for
//! an `idp_hint`), and `POST /login/{id}/cancel`.
//!
//! CSRF: the pending id in the URL is unguessable, the form carries the request's anti-CSRF token
//! (compared in constant time), and a cross-origin `Origin` header is refused.

use super::browser::Browser;
use super::errors::{ErrorCode, OAuthError};
use super::flow::return_to;
use super::next::{Next, Problem};
use super::params::RawParams;
use super::{methods, pending};
use crate::audit::{AuditEvent, EventKind};
use crate::authenticators::LoginContext;
use crate::ids::PendingId;
use crate::oidc_provider::broker::Broker;
use crate::oidc_provider::records::PendingAuthorization;
use std::time::{Duration, UNIX_EPOCH};

/// Load the request for a form post and check the CSRF token and origin.
pub async fn verified_form(
    ctx: &Broker,
    id: &PendingId,
    browser: &Browser,
    form: &RawParams,
    now: i64,
) -> Result<PendingAuthorization, Next> {
    let p = match pending::load(ctx, id, now).await {
        Ok(Some(p)) => p,
        Ok(None) => return Err(Next::page(Problem::Expired, "de")),
        Err(e) => return Err(Next::page(e, "de")),
    };
    match form_refused(ctx, &p, browser, form) {
        Some(refused) => Err(refused),
        None => Ok(p),
    }
}

/// The CSRF token and origin check of [`verified_form`] for a request already loaded: the page
/// to show when the form is refused.
pub fn form_refused(ctx: &Broker, p: &PendingAuthorization, browser: &Browser, form: &RawParams) -> Option<Next> {
    (!pending::same_origin(ctx, browser.origin.as_deref()) || !pending::csrf_ok(&p.csrf, form.get("csrf")))
        .then(|| Next::page(Problem::Forbidden, &p.locale))
}

/// `POST /login/{id}/start`: the method chosen on the choice page.
pub async fn start(ctx: &Broker, id: &PendingId, browser: &Browser, form: &RawParams) -> Next {
    let now = ctx.clock().unix();
    let p = match verified_form(ctx, id, browser, form, now).await {
        Ok(p) => p,
        Err(next) => return next,
    };
    let Some(method) = form.get("method").map(str::to_owned) else {
        return Next::page(Problem::BadRequest, &p.locale);
    };
    start_method(ctx, p, &method, now).await
}

/// `POST /login/{id}/cancel`: the person goes back without logging in (`access_denied`).
pub async fn cancel(ctx: &Broker, id: &PendingId, browser: &Browser, form: &RawParams) -> Next {
    let now = ctx.clock().unix();
    let p = match verified_form(ctx, id, browser, form, now).await {
        Ok(p) => p,
        Err(next) => return next,
    };
    let _ = pending::take(ctx, &p.id, now).await;
    Next::RpError {
        to: return_to(&p),
        error: super::reason::Reason::Cancelled.error(ErrorCode::AccessDenied, &p.locale),
    }
}

/// Start `method_id` for the request: only a method that the client allows and that reaches the
/// required level (never a silent downgrade). The method gets the level, never the relying
/// party's raw `acr_values` (design brief §4).
pub async fn start_method(ctx: &Broker, mut p: PendingAuthorization, method_id: &str, now: i64) -> Next {
    let to = return_to(&p);
    let Some(client) = ctx.client(p.client_id.as_str()) else {
        return Next::page(Problem::Expired, &p.locale);
    };
    let eligible = methods::eligible(ctx.methods(), client, p.required_level);
    let Some(method) = eligible.into_iter().find(|m| m.id().as_str() == method_id).cloned() else {
        return Next::page(Problem::BadRequest, &p.locale);
    };
    p.method = Some(method_id.to_owned());
    // The request and the method's transaction record are stored in one round trip (issue 13),
    // before the browser is sent to the upstream.
    let mut batch = ctx.records().batch();
    match pending::queue_save(ctx, &mut batch, &p, now) {
        Ok(true) => {}
        Ok(false) => return Next::page(Problem::Expired, &p.locale),
        Err(e) => return Next::page(e, &p.locale),
    }
    let login = LoginContext {
        transaction_id: p.id.clone(),
        required_level: p.required_level,
        locale: p.locale.clone(),
        login_hint: p.login_hint.clone(),
        scopes: p.scopes.clone(),
        now: UNIX_EPOCH + Duration::from_secs(now.max(0) as u64),
    };
    let event = |kind| {
        AuditEvent::new(kind)
            .client(p.client_id.as_str())
            .method(method_id)
            .level(p.required_level)
    };
    match method.start_into(&login, &mut batch).await {
        Ok(action) => {
            if let Err(e) = batch.run().await {
                return Next::page(e, &p.locale);
            }
            ctx.audit(event(EventKind::LoginStarted));
            Next::Upstream { action, locale: p.locale }
        }
        Err(e) => {
            tracing::warn!(method = method_id, error = %e, "upstream start failed");
            ctx.audit(event(EventKind::UpstreamFailed).reason("start_failed"));
            let _ = pending::take(ctx, &p.id, now).await;
            Next::RpError {
                to,
                error: OAuthError::new(ErrorCode::from(&e), "the login method could not be started"),
            }
        }
    }
}
