//! The return leg of `kind = "oidc"` methods (OIDC Core §3.1.2.5): the decisions the callback
//! `GET /oidc/callback/{method}` makes before the method redeems the code. The edge
//! (`http::oidc_callback`) reads the query and the binding cookie and sends the outcome.
//!
//! Order (docs/bank-id.md, the contract of issue 10):
//! 1. `state`: unusable, unknown, expired or already used → the restart page; no redirect to a
//!    relying party (we cannot know whose request it would be);
//! 2. the method: a callback on another method's path than the one the login started (a code from
//!    another upstream, mix-up, RFC 9700 §4.4) ends the login with `access_denied`;
//! 3. the browser binding (issue 9 item 1), before the code is redeemed: another browser ends the
//!    login on the restart page and the code is never used;
//! 4. `Authenticator::finish`: `iss` (RFC 9207), code redemption, ID token, level, claims;
//! 5. [`continue_after_upstream`](super::continue_after_upstream): session, consent, code.
//!
//! Whatever fails, the transaction record is gone (taken) and the pending login is ended by
//! `continue_after_upstream`: nothing of a failed login stays in the store.

use super::binding::{self, Presented};
use super::next::{Next, Outcome};
use super::{pending, restart};
use crate::authenticators::{AuthnError, UpstreamReturn};
use crate::oidc_provider::broker::Broker;
use crate::oidc_upstream::transaction;

/// The authorization response's parameters as received (each at most once, RFC 6749 §3.1).
#[derive(Debug, Default, Clone)]
pub struct CallbackParams {
    /// `code`.
    pub code: Option<String>,
    /// `state`.
    pub state: Option<String>,
    /// `iss` (RFC 9207).
    pub iss: Option<String>,
    /// `error`.
    pub error: Option<String>,
}

/// Continue the login a callback on `method`'s path belongs to.
pub async fn callback(ctx: &Broker, method: &str, params: CallbackParams, presented: Option<&Presented>) -> Outcome {
    let Some(st) = params.state.clone().filter(|s| transaction::plausible_state(s)) else {
        tracing::info!(method, "OIDC callback without a usable state (unsolicited)");
        return Next::Restart(restart::unknown()).into();
    };
    let t = match transaction::peek(ctx.records(), &st).await {
        Ok(Some(t)) => t,
        Ok(None) => {
            tracing::info!(method, "OIDC callback for an unknown, expired or used state");
            return Next::Restart(restart::unknown()).into();
        }
        Err(e) => return Next::page(e, "de").into(),
    };
    let end = |reason: &str| AuthnError::Rejected(reason.to_owned());
    // A callback on another method's path: the code may come from another upstream (mix-up).
    // The login ends; the binding is still checked first inside continue_after_upstream.
    let registered = ctx.methods().get(method).cloned();
    let Some(authenticator) = registered.filter(|_| t.method == method) else {
        tracing::warn!(path_method = method, started = %t.method, "OIDC callback on another method's path: refused");
        if let Err(e) = transaction::take(ctx.records(), &st).await {
            return Next::page(e, "de").into();
        }
        return super::continue_after_upstream(ctx, &t.pending_id, presented, Err(end("callback on the wrong path"))).await;
    };
    // The binding, before the code is redeemed (issue 9 item 1): a callback replayed into another
    // browser must not make the broker use the code at all.
    let now = ctx.clock().unix();
    let bound = match pending::load(ctx, &t.pending_id, now).await {
        Ok(Some(p)) => binding::matches(&p.binding, presented),
        Ok(None) => false,
        Err(e) => return Next::page(e, "de").into(),
    };
    if !bound {
        if let Err(e) = transaction::take(ctx.records(), &st).await {
            return Next::page(e, "de").into();
        }
        return super::continue_after_upstream(ctx, &t.pending_id, presented, Err(end("browser binding"))).await;
    }
    let input = UpstreamReturn::OidcCallback {
        code: params.code,
        state: Some(st),
        error: params.error,
        iss: params.iss,
    };
    let outcome = authenticator.finish(&t.pending_id, input, ctx.clock().now()).await;
    super::continue_after_upstream(ctx, &t.pending_id, presented, outcome).await
}
