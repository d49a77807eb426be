//! After the upstream: [`continue_after_upstream`](super::continue_after_upstream).
//!
//! First the browser binding (binding.rs): a return in a browser that did not start the login ends
//! it with the restart page, before anything exists.
//! Failure → a page tells the person what happened (de/en) and links back to the relying party
//! with the method's OIDC error and its `state` (if the request is gone: only a page,
//! oidc-landscape §2.2). Success → the identity must come from the method started
//! for this request, its level is capped by the method ceiling and checked against the requirement
//! (never a token below it), then the SSO session is created or — for the same person — extended
//! in place (step-up keeps the session id), then consent and code.

use super::binding::{self, Presented};
use super::client_policy::{self, Login, Refusal};
use super::errors::{codes, ErrorCode, OAuthError};
use super::flow::{self, return_to};
use super::next::{Next, Outcome, Problem, SessionCookie};
use super::reason::Reason;
use super::session::{self, BrokerSession};
use super::{failure, pending, restart};
use crate::audit::{AuditEvent, EventKind};
use crate::authenticators::AuthnError;
use crate::identity::VerifiedIdentity;
use crate::ids::{PendingId, SessionId};
use crate::oidc_provider::broker::Broker;
use crate::oidc_provider::records::PendingAuthorization;
use crate::trust::TrustLevel;

/// See [`super::continue_after_upstream`].
pub async fn continue_after_upstream(
    ctx: &Broker,
    pending_id: &PendingId,
    presented: Option<&Presented>,
    outcome: Result<VerifiedIdentity, AuthnError>,
) -> Outcome {
    let now = ctx.clock().unix();
    match pending::load(ctx, pending_id, now).await {
        Ok(request) => continue_checked(ctx, request, presented, outcome, now).await,
        Err(e) => Next::page(e, "de").into(),
    }
}

/// [`continue_after_upstream`] with the request `pending_id` names already read (the continue
/// leg reads it with the parked outcome: `resume.rs`); `None` when it was not there.
pub async fn continue_with_request(
    ctx: &Broker,
    pending_id: &PendingId,
    request: Option<PendingAuthorization>,
    presented: Option<&Presented>,
    outcome: Result<VerifiedIdentity, AuthnError>,
) -> Outcome {
    let now = ctx.clock().unix();
    let request = pending::unexpired(ctx, request, now).filter(|p| p.id == *pending_id);
    continue_checked(ctx, request, presented, outcome, now).await
}

async fn continue_checked(
    ctx: &Broker,
    request: Option<PendingAuthorization>,
    presented: Option<&Presented>,
    outcome: Result<VerifiedIdentity, AuthnError>,
    now: i64,
) -> Outcome {
    let mut p = match request {
        Some(p) => p,
        None => {
            tracing::info!("upstream return for an unknown or expired login");
            return Next::Restart(restart::unknown()).into();
        }
    };
    // The browser binding, before anything else (issue 9 item 1): only the browser that called
    // /authorize for this request may continue it. Otherwise the request ends here, with nothing
    // created: no session, no consent, no code. The log names the client, no person.
    if !binding::matches(&p.binding, presented) {
        tracing::warn!(
            client = %p.client_id,
            cookie_present = presented.is_some(),
            "upstream return in a browser that did not start this login: refused"
        );
        let _ = pending::take(ctx, &p.id, now).await;
        return Next::Restart(restart::for_request(ctx, &p)).into();
    }
    let locale = p.locale.clone();
    let to = return_to(&p);
    let fail = |error: OAuthError| Outcome::from(Next::RpError { to: to.clone(), error });
    let identity = match outcome {
        Ok(i) => i,
        Err(e) => {
            tracing::info!(error = %e, "upstream login did not succeed");
            let mut event = AuditEvent::new(EventKind::UpstreamFailed)
                .client(p.client_id.as_str())
                .reason(Reason::of(&e).token());
            if let Some(m) = &p.method {
                event = event.method(m);
            }
            ctx.audit(event);
            let _ = pending::take(ctx, &p.id, now).await;
            // The person reads what happened; the link back carries the OIDC error and state.
            // The relying party gets the OIDC code and a stable reason (reason.rs), in the
            // request's language.
            let error = Reason::of(&e).error(ErrorCode::from(&e), &locale);
            let view = failure::park(ctx, &e, &to, &error).await;
            return Next::UpstreamFailed {
                failure: e,
                to,
                error,
                locale,
                view,
            }
            .into();
        }
    };
    // The identity must come from the method this request started.
    if p.method.as_deref() != Some(identity.method.as_str()) {
        tracing::warn!(method = %identity.method, "identity from a method not started for this request");
        ctx.audit(
            AuditEvent::new(EventKind::LoginRefused)
                .client(p.client_id.as_str())
                .method(identity.method.as_str())
                .reason("method_not_started"),
        );
        let _ = pending::take(ctx, &p.id, now).await;
        return fail(codes::ACCESS_DENIED);
    }
    let Some(method) = ctx.methods().get(identity.method.as_str()) else {
        let _ = pending::take(ctx, &p.id, now).await;
        return fail(codes::ACCESS_DENIED);
    };
    // Ceiling rule (design brief §4), again here in case a method forgot it.
    let mut identity = identity;
    identity.level = TrustLevel::reached(method.max_level(), identity.level);
    // The per-client rules, through the same check SSO reuse passes (client_policy.rs).
    let Some(client) = ctx.client(p.client_id.as_str()) else {
        let _ = pending::take(ctx, &p.id, now).await;
        return Next::page(Problem::Expired, &locale).into();
    };
    // The audit trail names the person only by the `sub` this client will see.
    let event = |kind| {
        let e = AuditEvent::new(kind)
            .client(client.id.as_str())
            .method(identity.method.as_str())
            .level(identity.level);
        match crate::oidc_provider::subject::subject_for(ctx.oidc(), client, &identity.subject) {
            Ok(sub) => e.subject(&sub),
            Err(_) => e,
        }
    };
    ctx.audit(event(EventKind::UpstreamSucceeded));
    let login = Login {
        method: Some(method.as_ref()),
        level: identity.level,
        has_organisation: identity.organisation.is_some(),
    };
    if let Err(refusal) = client_policy::check(client, login, p.required_level) {
        tracing::info!(method = %identity.method, %refusal, required = %p.required_level, reached = %identity.level, "login does not satisfy the client: no code");
        ctx.audit(event(EventKind::LoginRefused).reason(refusal.token()));
        let _ = pending::take(ctx, &p.id, now).await;
        return match refusal {
            // A business-only service gets business logins only: a method that *can* yield an
            // organisation (ELSTER) may still log a person in with a personal certificate.
            Refusal::OrganisationRequired => {
                let failure = AuthnError::UpstreamFailure {
                    code: "organisation_required".into(),
                };
                let error = Reason::OrganisationRequired.error(ErrorCode::AccessDenied, &locale);
                let view = failure::park(ctx, &failure, &to, &error).await;
                Next::UpstreamFailed {
                    failure,
                    to,
                    error,
                    locale,
                    view,
                }
                .into()
            }
            Refusal::LevelTooLow => fail(Reason::LevelNotReached.error(ErrorCode::UnmetAuthenticationRequirements, &locale)),
            _ => fail(codes::ACCESS_DENIED),
        };
    }
    ctx.audit(event(EventKind::LevelReached));
    // SSO session: the same person keeps the same session (step-up); anyone else gets a new one.
    // "The same person" means the same method *and* the same upstream subject (issue 9 item 5):
    // subjects are only unique within the upstream that issued them.
    let existing = match &p.session_id {
        Some(id) => match session::load(ctx.records(), id).await {
            Ok(s) => s,
            Err(e) => return Next::page(e, &locale).into(),
        },
        None => None,
    };
    let s = match existing {
        Some(mut s) if s.method == identity.method && s.subject == identity.subject => {
            s.reauthenticated(identity, now);
            s
        }
        _ => BrokerSession::new(SessionId::generate(), identity, now),
    };
    if s.ttl(now, |l| ctx.sessions().limits_for(l)).is_none() {
        // The upstream's auth_time is already outside every session limit.
        let _ = pending::take(ctx, &p.id, now).await;
        return fail(codes::UNMET);
    }
    p.session_id = Some(s.id.clone());
    p.authenticated = true;
    let cookie = SessionCookie(s.id.clone());
    Outcome {
        // The session is stored with the parked request or the code: one round trip (issue 13).
        next: flow::proceed(ctx, p, s, now, true, true).await,
        session: Some(cookie),
        binding: None,
    }
}
