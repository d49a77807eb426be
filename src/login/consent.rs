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
use super::session::BrokerSession;
use super::{pending, start};
use crate::audit::{AuditEvent, EventKind};
use crate::ids::PendingId;
use crate::oidc_provider::broker::Broker;
use crate::oidc_provider::claims;
use crate::oidc_provider::records::PendingAuthorization;
use crate::session::{RecordKind, StoreError};

/// The request and the session the browser presents, read in one store round trip (issue 13):
/// the page and the decision need both, and the cookie names the session before the request does.
async fn load(
    ctx: &Broker,
    id: &PendingId,
    browser: &Browser,
    now: i64,
) -> Result<(Option<PendingAuthorization>, Option<BrokerSession>), StoreError> {
    if !pending::plausible_id(id.as_str()) {
        return Ok((None, None));
    }
    let mut batch = ctx.records().batch();
    let request = batch.get(RecordKind::PendingAuthorization, id.as_str());
    let session = browser
        .session
        .as_ref()
        .map(|sid| batch.get(RecordKind::BrokerSession, &sid.store_key()));
    let mut read = batch.run().await?;
    let p = pending::unexpired(ctx, read.decode(request)?, now);
    let s = match session {
        Some(slot) => read.decode::<BrokerSession>(slot)?,
        None => None,
    };
    // The id inside the sealed record must match the cookie (as `session::load` checks).
    Ok((p, s.filter(|s| browser.session.as_ref() == Some(&s.id))))
}

/// The authenticated request's session, bound to this browser: the cookie must name the session
/// the request was authenticated in.
fn bound(p: &PendingAuthorization, browser: &Browser, session: Option<BrokerSession>) -> Result<BrokerSession, Problem> {
    let (Some(sid), true) = (&p.session_id, p.authenticated) else {
        return Err(Problem::Expired);
    };
    if browser.session.as_ref() != Some(sid) {
        return Err(Problem::Forbidden);
    }
    session.ok_or(Problem::Expired)
}

/// `GET /consent/{id}`: what the consent page shows. `lang` as for the choice page (not stored).
pub async fn show(ctx: &Broker, id: &PendingId, lang: Option<&str>, browser: &Browser) -> Next {
    let now = ctx.clock().unix();
    let (p, s) = match load(ctx, id, browser, now).await {
        Ok((Some(p), s)) => (p, s),
        Ok((None, _)) => return Next::page(Problem::Expired, lang.unwrap_or("de")),
        Err(e) => return Next::page(e, lang.unwrap_or("de")),
    };
    let locale = lang.map(str::to_owned).unwrap_or_else(|| p.locale.clone());
    let s = match bound(&p, browser, s) {
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
    let (p, s) = match load(ctx, id, browser, now).await {
        Ok((Some(p), s)) => (p, s),
        Ok((None, _)) => return Next::page(Problem::Expired, "de"),
        Err(e) => return Next::page(e, "de"),
    };
    if let Some(refused) = start::form_refused(ctx, &p, browser, form) {
        return refused;
    }
    let mut s = match bound(&p, browser, s) {
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
            // The session with its new consent is saved in the round trip that stores the code.
            flow::issue(ctx, &p, &s, now, true, true).await
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
