//! Cross-site return legs (SAML ACS today, a wallet response later) arrive as a POST from another
//! site, which carries no `SameSite=Lax` cookie, so the browser binding cannot be checked there
//! (issue 9 item 1, design brief §6). Such a leg verifies what came back, parks the verified
//! outcome here under a fresh random handle (stored by its SHA-256, sealed, short TTL) and answers
//! `303 /login/continue/{handle}`: a same-site top-level GET, on which the browser does send the
//! binding cookie. That GET takes the parked outcome (single use) and hands it, with the cookie, to
//! [`super::continue_after_upstream`], which checks the binding before anything else.

use super::binding::Presented;
use super::next::{Next, Outcome};
use crate::authenticators::AuthnError;
use crate::identity::VerifiedIdentity;
use crate::oidc_provider::broker::Broker;
use crate::session::{RecordKind, StoreError};
use serde::{Deserialize, Serialize};
use std::time::Duration;

const KIND: RecordKind = RecordKind::Other("parked-outcome");

/// Long enough for the browser to follow one redirect, short enough to be useless when captured.
const TTL: Duration = Duration::from_secs(120);

/// A verified upstream outcome waiting for its browser.
#[derive(Serialize, Deserialize)]
struct Parked {
    pending_id: String,
    outcome: Result<VerifiedIdentity, AuthnError>,
}

/// The store key of a handle (a dump of the store does not reveal handles).
fn store_id(handle: &str) -> String {
    crate::ids::store_id(handle)
}

/// Park `outcome` for the parked authorization `pending_id`; returns the path to send the browser
/// to (`/login/continue/{handle}`).
pub async fn park(ctx: &Broker, pending_id: &str, outcome: Result<VerifiedIdentity, AuthnError>) -> Result<String, StoreError> {
    let handle = crate::ids::random_id();
    let parked = Parked {
        pending_id: pending_id.to_owned(),
        outcome,
    };
    ctx.records().put(KIND, &store_id(&handle), &parked, TTL).await?;
    Ok(format!("/login/continue/{handle}"))
}

/// `GET /login/continue/{handle}`: take the parked outcome (single use) and continue the login
/// with the binding value the browser `presented`.
pub async fn continue_parked(ctx: &Broker, handle: &str, presented: Option<&Presented>) -> Outcome {
    if !super::pending::plausible_id(handle) {
        return Next::Restart(super::restart::unknown()).into();
    }
    let parked = match ctx.records().take::<Parked>(KIND, &store_id(handle)).await {
        Ok(Some(p)) => p,
        Ok(None) => {
            tracing::info!("continue link unknown, expired or already used");
            return Next::Restart(super::restart::unknown()).into();
        }
        Err(e) => return Next::page(e, "de").into(),
    };
    super::continue_after_upstream(ctx, &parked.pending_id, presented, parked.outcome).await
}
