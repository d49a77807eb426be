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
use crate::ids::PendingId;
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
    pending_id: PendingId,
    outcome: Result<VerifiedIdentity, AuthnError>,
}

/// The store key of a handle (a dump of the store does not reveal handles).
fn store_id(handle: &str) -> String {
    crate::ids::store_id(handle)
}

/// Park `outcome` for the parked authorization `pending_id`; returns the path to send the browser
/// to (`/login/continue/{handle}`). The handle is `{pending_id}.{random}`: it names the request it
/// continues, so the continue leg reads both in one round trip (issue 13). The request id is no
/// secret (it is the upstream's RelayState); the random part is what makes the handle
/// unguessable, and the parked record is stored under the digest of the whole handle.
pub async fn park(ctx: &Broker, pending_id: &PendingId, outcome: Result<VerifiedIdentity, AuthnError>) -> Result<String, StoreError> {
    let handle = format!("{}.{}", pending_id.as_str(), crate::ids::random_id());
    let parked = Parked {
        pending_id: pending_id.clone(),
        outcome,
    };
    ctx.records().put(KIND, &store_id(&handle), &parked, TTL).await?;
    Ok(format!("/login/continue/{handle}"))
}

/// The request id a handle names, when the handle has the form [`park`] gives it.
fn named_request(handle: &str) -> Option<PendingId> {
    let (pending, secret) = handle.split_once('.')?;
    (super::pending::plausible_id(pending) && super::pending::plausible_id(secret)).then(|| PendingId::new(pending))
}

/// `GET /login/continue/{handle}`: take the parked outcome (single use) and, in the same round
/// trip, read the request the handle names; then continue the login with the binding value the
/// browser `presented`.
pub async fn continue_parked(ctx: &Broker, handle: &str, presented: Option<&Presented>) -> Outcome {
    let Some(pending_id) = named_request(handle) else {
        return Next::Restart(super::restart::unknown()).into();
    };
    let mut batch = ctx.records().batch();
    let parked_slot = batch.take(KIND, &store_id(handle));
    let request_slot = batch.get(RecordKind::PendingAuthorization, pending_id.as_str());
    let mut found = match batch.run().await {
        Ok(found) => found,
        Err(e) => return Next::page(e, "de").into(),
    };
    let parked = match found.decode::<Parked>(parked_slot) {
        // The record names the request it was parked for; the handle must name the same.
        Ok(Some(p)) if p.pending_id == pending_id => p,
        Ok(_) => {
            tracing::info!("continue link unknown, expired or already used");
            return Next::Restart(super::restart::unknown()).into();
        }
        Err(e) => return Next::page(e, "de").into(),
    };
    let request = match found.decode(request_slot) {
        Ok(r) => r,
        Err(e) => return Next::page(e, "de").into(),
    };
    super::finish::continue_with_request(ctx, &pending_id, request, presented, parked.outcome).await
}
