//! The upstream-failure page, addressable (issue 15 item 5): the login request is used up when the
//! upstream failed, so the page cannot be rendered again from it. What the page shows — the
//! failure and the link back to the relying party with `error`, `error_description`, `state` and
//! `iss` — is kept under a random id (stored hashed, like codes) for as long as a login may take,
//! so the language switch can show the same page in the other language.
//!
//! The record holds nothing the link on the page does not already show to the same browser.

use super::errors::{error_url, OAuthError, ReturnTo};
use crate::identity::AuthnError;
use crate::oidc_provider::broker::Broker;
use crate::session::RecordKind;
use serde::{Deserialize, Serialize};

/// Store kind of failure pages.
pub const KIND: RecordKind = RecordKind::Other("login-failed");

/// What the failure page shows.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FailureView {
    /// What happened.
    pub failure: AuthnError,
    /// The relying party's redirect URI carrying the error.
    pub back: String,
}

/// Keep the page; returns its id, or `None` when the redirect URI does not parse or the store
/// fails (the page is then shown once, without a language switch).
pub async fn park(ctx: &Broker, failure: &AuthnError, to: &ReturnTo, error: &OAuthError) -> Option<String> {
    let back = error_url(to, error.clone(), ctx.issuer().as_str()).ok()?;
    let id = crate::ids::random_id();
    let view = FailureView {
        failure: failure.clone(),
        back: back.to_string(),
    };
    match ctx
        .records()
        .put(KIND, &crate::ids::store_id(&id), &view, ctx.oidc().pending_ttl)
        .await
    {
        Ok(()) => Some(id),
        Err(e) => {
            tracing::warn!(error = %e, "failure page not kept: no language switch");
            None
        }
    }
}

/// The page kept under `id`, if any.
pub async fn load(ctx: &Broker, id: &str) -> Option<FailureView> {
    if !super::pending::plausible_id(id) {
        return None;
    }
    ctx.records().get(KIND, &crate::ids::store_id(id)).await.ok().flatten()
}
