//! The return legs of the EUDI wallet method (issue 16; docs/eudi-wallet.md): the decisions of
//! `GET /wallet/return?response_code=…` (same-device: the wallet sent the browser back) and of
//! `GET /wallet/poll/{handle}` ("Weiter" on the page with the QR code, cross-device). The edge
//! (`http::wallet`) reads the query and the binding cookie and renders the outcome.
//!
//! Order, as for every method:
//! 1. the response_code (single use) or the handle must name a live wallet transaction, else the
//!    restart page;
//! 2. the browser binding (issue 9 item 1), before the identity is used: another browser ends the
//!    login on the restart page with nothing created (a response_code passed on to a victim's
//!    browser is the session-fixation attack of OpenID4VP 1.0 §13.3);
//! 3. `Authenticator::finish` takes the transaction: its verified identity or its refusal;
//! 4. [`continue_after_upstream`](super::continue_after_upstream): session, consent, code.
//!
//! Polling finishes a cross-device transaction (the phone got no `redirect_uri`), and a refused
//! one of either kind. A same-device transaction whose response arrived finishes only with its
//! response_code: otherwise a response that the attacker's link led a victim's wallet to give could
//! be collected by the attacker's browser without it.

use super::binding::{self, Presented};
use super::next::{Next, Outcome};
use super::{pending, restart};
use crate::authenticators::{AuthnError, UpstreamReturn};
use crate::eudi::flow::WalletFlow;
use crate::eudi::transaction::{Arrived, Flow, Handle, WalletTransaction};
use crate::oidc_provider::broker::Broker;
use std::sync::Arc;

/// What the polling browser sees while the login is open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Waiting {
    /// No response yet.
    Open,
    /// A same-device response arrived: the login continues in the browser the wallet opened.
    ContinueWhereTheWalletReturned,
}

/// The outcome of a poll.
#[derive(Debug)]
pub enum Poll {
    /// The login went on (or ended): send this.
    Done(Outcome),
    /// Still waiting: show the page again (`locale` of the request).
    Waiting {
        /// Why.
        state: Waiting,
        /// The request's language.
        locale: String,
    },
}

fn unknown() -> Outcome {
    Next::Restart(restart::unknown()).into()
}

fn failed(e: crate::eudi::flow::FlowError) -> Outcome {
    tracing::warn!(error = %e, "wallet return failed");
    match e {
        crate::eudi::flow::FlowError::Store(s) => Next::page(s, "de").into(),
        _ => Next::page(super::next::Problem::Internal, "de").into(),
    }
}

fn flow(ctx: &Broker) -> Option<Arc<WalletFlow>> {
    ctx.methods().wallet().cloned()
}

/// `GET /wallet/return?response_code=…`.
pub async fn wallet_return(ctx: &Broker, response_code: Option<&str>, presented: Option<&Presented>) -> Outcome {
    let (Some(flow), Some(code)) = (flow(ctx), response_code) else {
        return unknown();
    };
    let handle = match flow.redeem_code(code).await {
        Ok(Some(h)) => h,
        Ok(None) => {
            tracing::info!("wallet return with an unknown or used response_code");
            return unknown();
        }
        Err(e) => return failed(e),
    };
    let t = match flow.get(&handle, ctx.clock().now()).await {
        Ok(Some(t)) => t,
        Ok(None) => return unknown(),
        Err(e) => return failed(e),
    };
    finish(ctx, &flow, handle, t, presented).await
}

/// `GET /wallet/poll/{handle}`.
pub async fn poll(ctx: &Broker, handle: &str, presented: Option<&Presented>) -> Poll {
    let (Some(flow), Some(handle)) = (flow(ctx), Handle::parse(handle)) else {
        return Poll::Done(unknown());
    };
    let t = match flow.get(&handle, ctx.clock().now()).await {
        Ok(Some(t)) => t,
        Ok(None) => return Poll::Done(unknown()),
        Err(e) => return Poll::Done(failed(e)),
    };
    let state = match (&t.arrived, t.flow) {
        (None, _) => Some(Waiting::Open),
        (Some(Arrived::Verified { .. }), Some(Flow::SameDevice) | None) => Some(Waiting::ContinueWhereTheWalletReturned),
        (Some(Arrived::Verified { .. }), Some(Flow::CrossDevice)) | (Some(Arrived::Refused { .. }), _) => None,
    };
    match state {
        // Waiting shows nothing of the login, but only to the browser that started it.
        Some(state) if bound(ctx, &t, presented).await => Poll::Waiting { state, locale: t.locale },
        _ => Poll::Done(finish(ctx, &flow, handle, t, presented).await),
    }
}

async fn bound(ctx: &Broker, t: &WalletTransaction, presented: Option<&Presented>) -> bool {
    match pending::load(ctx, &t.pending_id, ctx.clock().unix()).await {
        Ok(Some(p)) => binding::matches(&p.binding, presented),
        _ => false,
    }
}

/// The binding, then the method, then the common continuation.
async fn finish(ctx: &Broker, flow: &WalletFlow, handle: Handle, t: WalletTransaction, presented: Option<&Presented>) -> Outcome {
    let end = |reason: &str| AuthnError::Rejected(reason.to_owned());
    if !bound(ctx, &t, presented).await {
        // Nothing of the identity is used; the transaction goes with the login.
        if let Err(e) = flow.take(&handle).await {
            tracing::warn!(error = %e, "wallet transaction not removed");
        }
        return super::continue_after_upstream(ctx, &t.pending_id, presented, Err(end("browser binding"))).await;
    }
    let Some(method) = ctx.methods().get(&t.method).cloned() else {
        let _ = flow.take(&handle).await;
        return super::continue_after_upstream(ctx, &t.pending_id, presented, Err(end("method gone"))).await;
    };
    let input = UpstreamReturn::Wallet {
        handle: handle.as_str().to_owned(),
    };
    let outcome = method.finish(&t.pending_id, input, ctx.clock().now()).await;
    super::continue_after_upstream(ctx, &t.pending_id, presented, outcome).await
}
