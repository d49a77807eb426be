//! Consent, `GET`/`POST /consent/{id}`: the page names the service and lists exactly the data it
//! will receive (issue 5 item 4; the edge renders it). Approve → the consent is remembered for
//! this session, client and claim set, and the code is issued; deny → `access_denied`
//! (RFC 6749 §4.1.2.1).
//!
//! Besides the CSRF token, the consent is bound to the browser that logged in: the session cookie
//! must be the session the request was authenticated in.

use super::browser::Browser;
use super::errors::ErrorCode;
use super::flow::{self, consent_set, return_to};
use super::next::{ConsentView, Next, Problem};
use super::params::RawParams;
use super::session::{self, BrokerSession};
use super::{pending, start};
use crate::audit::{AuditEvent, EventKind};
use crate::ids::PendingId;
use crate::oidc_provider::broker::Broker;
use crate::oidc_provider::claims;
use crate::oidc_provider::records::PendingAuthorization;

/// The authenticated request and its session, bound to this browser.
async fn bound(ctx: &Broker, p: &PendingAuthorization, browser: &Browser) -> Result<BrokerSession, Problem> {
    let (Some(sid), true) = (&p.session_id, p.authenticated) else {
        return Err(Problem::Expired);
    };
    if browser.session.as_ref() != Some(sid) {
        return Err(Problem::Forbidden);
    }
    session::load(ctx.records(), sid).await?.ok_or(Problem::Expired)
}

/// `GET /consent/{id}`: what the consent page shows. `lang` as for the choice page (not stored).
pub async fn show(ctx: &Broker, id: &PendingId, lang: Option<&str>, browser: &Browser) -> Next {
    let now = ctx.clock().unix();
    let p = match pending::load(ctx, id, now).await {
        Ok(Some(p)) => p,
        Ok(None) => return Next::page(Problem::Expired, lang.unwrap_or("de")),
        Err(e) => return Next::page(e, lang.unwrap_or("de")),
    };
    let locale = lang.map(str::to_owned).unwrap_or_else(|| p.locale.clone());
    let s = match bound(ctx, &p, browser).await {
        Ok(s) => s,
        Err(e) => return Next::page(e, &locale),
    };
    let Some(client) = ctx.client(p.client_id.as_str()) else {
        return Next::page(Problem::Expired, &locale);
    };
    let released = claims::release(&p.scopes, client.claims.as_deref(), &s.attributes, s.organisation.as_ref());
    // In the order of the scope table (name, birth, address …), not alphabetically.
    let order = claims::permitted_claims(&p.scopes, client.claims.as_deref());
    let claims = order
        .into_iter()
        .filter_map(|name| Some((name, released.get(name)?.clone())))
        .collect();
    Next::Consent(ConsentView {
        pending_id: p.id,
        locale,
        client_name: client.name.clone(),
        claims,
        offline_access: p.scopes.iter().any(|s| s == "offline_access"),
        level: s.effective_level(now, |l| ctx.sessions().limits_for(l)).unwrap_or(s.level),
        csrf: p.csrf,
    })
}

/// `POST /consent/{id}`: approve or deny.
pub async fn decide(ctx: &Broker, id: &PendingId, browser: &Browser, form: &RawParams) -> Next {
    let now = ctx.clock().unix();
    let p = match start::verified_form(ctx, id, browser, form, now).await {
        Ok(p) => p,
        Err(next) => return next,
    };
    let mut s = match bound(ctx, &p, browser).await {
        Ok(s) => s,
        Err(e) => return Next::page(e, &p.locale),
    };
    let event = |kind| {
        let e = AuditEvent::new(kind)
            .client(p.client_id.as_str())
            .method(s.method.as_str())
            .level(s.level);
        match ctx
            .client(p.client_id.as_str())
            .map(|c| crate::oidc_provider::subject::subject_for(ctx.oidc(), c, &s.subject))
        {
            Some(Ok(sub)) => e.subject(&sub),
            _ => e,
        }
    };
    match form.get("decision") {
        Some("approve") => {
            let Some(client) = ctx.client(p.client_id.as_str()) else {
                return Next::page(Problem::Expired, &p.locale);
            };
            ctx.audit(event(EventKind::ConsentGiven));
            let released = claims::release(&p.scopes, client.claims.as_deref(), &s.attributes, s.organisation.as_ref());
            s.remember_consent(&client.id, consent_set(&p.scopes, &released));
            s.touch(now, |l| ctx.sessions().limits_for(l));
            if let Err(e) = session::save(ctx.records(), |l| ctx.sessions().limits_for(l), &s, now).await {
                return Next::page(e, &p.locale);
            }
            flow::issue(ctx, &p, &s, now, true).await
        }
        Some("deny") => {
            ctx.audit(event(EventKind::ConsentDenied));
            let _ = pending::take(ctx, &p.id, now).await;
            Next::RpError {
                to: return_to(&p),
                error: super::reason::Reason::ConsentDenied.error(ErrorCode::AccessDenied, &p.locale),
            }
        }
        _ => Next::page(Problem::BadRequest, &p.locale),
    }
}
