//! The step after authentication (fresh or SSO): consent, or straight to the code.

use super::errors::{codes, ReturnTo};
use super::next::{Next, Problem};
use super::session::{sid_for, BrokerSession};
use super::{check_prompt::Prompt, code, pending};
use crate::oidc_provider::broker::Broker;
use crate::oidc_provider::records::PendingAuthorization;
use crate::oidc_provider::{claims, participants};

/// Where responses for a pending request go.
pub fn return_to(p: &PendingAuthorization) -> ReturnTo {
    ReturnTo {
        redirect_uri: p.redirect_uri.clone(),
        state: p.state.clone(),
    }
}

/// What a consent covers: `sub`, every released claim and every granted scope (so a later request
/// for `offline_access` or a wider scope asks again), sorted.
pub fn consent_set(scopes: &[String], released: &crate::identity::Attributes) -> Vec<String> {
    let mut names: Vec<String> = std::iter::once("sub".to_owned())
        .chain(released.keys().cloned())
        .chain(scopes.iter().map(|s| format!("scope:{s}")))
        .collect();
    names.sort();
    names.dedup();
    names
}

/// Continue an authenticated request: ask for consent where needed, else issue the code. With
/// `save_session` the session (new or changed by the caller) is stored in the same round trip as
/// the parked request or the code.
pub async fn proceed(
    ctx: &Broker,
    mut pending: PendingAuthorization,
    session: BrokerSession,
    now: i64,
    parked: bool,
    save_session: bool,
) -> Next {
    let to = return_to(&pending);
    let Some(client) = ctx.client(pending.client_id.as_str()) else {
        return Next::page(Problem::Expired, &pending.locale);
    };
    let released = claims::release(
        &pending.scopes,
        client.claims.as_deref(),
        &session.attributes,
        session.organisation.as_ref(),
    );
    let prompt = Prompt::from_values(&pending.prompt);
    let needs_consent =
        !client.skip_consent && (prompt.consent || !session.has_consent(&client.id, &consent_set(&pending.scopes, &released)));
    if needs_consent {
        if prompt.none {
            let _ = pending::take(ctx, &pending.id, now).await;
            return Next::RpError {
                to,
                error: codes::CONSENT_REQUIRED,
            };
        }
        pending.session_id = Some(session.id.clone());
        pending.authenticated = true;
        return match park_with_session(ctx, &pending, save_session.then_some(&session), now).await {
            Ok(true) => Next::ToConsent { pending_id: pending.id },
            Ok(false) => Next::page(Problem::Expired, &pending.locale),
            Err(e) => Next::page(e, &pending.locale),
        };
    }
    issue(ctx, &pending, &session, now, parked, save_session).await
}

/// Store the request for the consent step, and the session with it when given; `false` when the
/// request has expired (nothing stored then).
async fn park_with_session(
    ctx: &Broker,
    pending: &PendingAuthorization,
    session: Option<&BrokerSession>,
    now: i64,
) -> Result<bool, crate::session::StoreError> {
    let mut batch = ctx.records().batch();
    if !pending::queue_save(ctx, &mut batch, pending, now)? {
        return Ok(false);
    }
    if let Some(s) = session {
        super::session::queue_save(&mut batch, |l| ctx.sessions().limits_for(l), s, now)?;
    }
    batch.run().await.map(|_| true)
}

/// Redirect with a fresh code. A `parked` request is taken from the store first: exactly one
/// caller gets it, so a double-submitted form cannot mint two codes. (An SSO request that goes from
/// `/authorize` straight to the code was never parked.) With `save_session` the session (changed
/// by the caller, e.g. a new consent) is stored in the same round trip as the code.
pub async fn issue(
    ctx: &Broker,
    pending: &PendingAuthorization,
    session: &BrokerSession,
    now: i64,
    parked: bool,
    save_session: bool,
) -> Next {
    let to = return_to(pending);
    // Logout needs the time of this client's first code in the session (the participation's,
    // participants.rs); a parked request is taken in the same round trip as that read (issue 13).
    let sid = sid_for(&session.id, &pending.client_id);
    let since = if parked {
        match take_with_since(ctx, pending, &sid, now).await {
            Ok(Some(since)) => Ok(since),
            Ok(None) => return Next::page(Problem::Expired, &pending.locale),
            Err(e) => return Next::page(e, &pending.locale),
        }
    } else {
        participants::since(ctx.records(), &sid).await
    };
    let issued = match since {
        Ok(since) => code::issue_code(ctx, pending, session, now, save_session, since).await,
        Err(e) => Err(e.into()),
    };
    match issued {
        Ok(code) => Next::Code { to, code },
        // The session's level lapsed between login and this step (e.g. a long pause on the
        // consent page): the person has to authenticate again (OIDC Core §3.1.2.6).
        Err(code::IssueError::SessionExpired) => Next::RpError {
            to,
            error: codes::LOGIN_REQUIRED,
        },
        Err(e) => {
            tracing::error!(error = %e, "code issuance failed");
            Next::RpError {
                to,
                error: codes::SERVER_ERROR,
            }
        }
    }
}

/// Take the parked request (single use) and read the participation's first-code time in one
/// batch: `None` when the request is gone or expired, else the time (if the client had a code in
/// this session before).
async fn take_with_since(
    ctx: &Broker,
    pending: &PendingAuthorization,
    sid: &str,
    now: i64,
) -> Result<Option<Option<i64>>, crate::session::StoreError> {
    let mut batch = ctx.records().batch();
    let take = pending::queue_take(&mut batch, &pending.id);
    let since = participants::queue_since(&mut batch, sid);
    let mut result = batch.run().await?;
    if pending::taken(ctx, &mut result, take, now)?.is_none() {
        return Ok(None);
    }
    participants::since_of(&mut result, since).map(Some)
}
