//! Ending the upstream's session after ours (issue 11 item 5).
//!
//! When a broker session ends in the browser (RP-Initiated Logout, "Überall abmelden") and the
//! login came from an upstream that keeps a session of its own (a bank-ID OP with an
//! `end_session_endpoint`, a SAML IdP with a `SingleLogoutService`), the browser is sent there
//! before it returns to the relying party: otherwise the next login at the broker would pass
//! through the upstream without the person being asked again (OIDC RP-Initiated Logout 1.0 §2,
//! SAML Profiles §4.4).
//!
//! Order matters: our session, its tokens and the back-channel deliveries are already over when
//! this runs (`end.rs`). The upstream leg only adds; a failure there (upstream down, no answer,
//! a forged answer) never keeps anyone logged in at the broker, it is logged and the person is
//! told. The way back carries `state` (OIDC) or `RelayState` (SAML): a random key of a record
//! that says where the browser goes next, single use. It holds only what is already fixed (the
//! checked `post_logout_redirect_uri` with the relying party's `state`), so replaying someone
//! else's return leg ends nothing and leads nowhere new.
//!
//! Not done here: an upstream-initiated logout (an IdP's `<LogoutRequest>` to us, an OP's
//! back-channel logout token) — no upstream of the broker sends one today.

use crate::authenticators::{StartAction, UpstreamLogout, UpstreamLogoutReturn};
use crate::login::session::BrokerSession;
use crate::oidc_provider::broker::Broker;
use crate::session::{RecordKind, StoreError};
use serde::{Deserialize, Serialize};
use std::time::Duration;
use url::Url;

/// Store kind of the way-back records.
const RETURN: RecordKind = RecordKind::Other("upstream-logout");

/// How long the upstream may take to send the browser back.
const RETURN_TTL: Duration = Duration::from_secs(10 * 60);

/// Longest `state`/`RelayState` we look up (ours are 43 characters; SAML Bindings §3.4.3 caps
/// RelayState at 80 bytes).
const MAX_STATE: usize = 80;

/// The path of the way back.
pub const RETURN_PATH: &str = "/logout/return";

/// Where the browser goes once the upstream is done, kept under the `state` we gave it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LogoutReturn {
    /// The method whose upstream was asked.
    pub method: String,
    /// The relying party's checked `post_logout_redirect_uri` with its `state`, if any.
    pub back: Option<String>,
    /// Names of the services the session was used for (for the logged-out page).
    pub services: Vec<String>,
    /// Page language.
    pub locale: String,
}

/// The way back, checked.
#[derive(Debug, Clone)]
pub struct Returned {
    /// Where to go next.
    pub next: LogoutReturn,
    /// Whether the upstream confirmed the logout (a SAML `<LogoutResponse>` with Success); an
    /// OIDC OP sends no confirmation, only the browser back, which counts as done.
    pub confirmed: bool,
}

/// Send the browser to the upstream, if the session's upstream keeps a session and offers logout.
/// `None`: nothing to do upstream (or it failed: logged), continue as before.
pub async fn begin(broker: &Broker, session: &BrokerSession, back: Option<&Url>, services: &[String], locale: &str) -> Option<StartAction> {
    let upstream_session = session.upstream_session.as_ref()?;
    let method = broker.methods().get(session.method.as_str())?;
    let state = crate::ids::random_id();
    let return_uri = Url::parse(&broker.issuer().url(RETURN_PATH)).ok()?;
    let req = UpstreamLogout {
        state: state.clone(),
        return_uri,
        locale: locale.to_owned(),
        now: broker.clock().now(),
    };
    let action = match method.end_upstream_session(upstream_session, &req).await {
        Ok(Some(a)) => a,
        Ok(None) => return None,
        Err(e) => {
            tracing::warn!(method = %session.method, error = %e, "upstream logout could not be started; the broker session has ended");
            return None;
        }
    };
    let record = LogoutReturn {
        method: session.method.0.clone(),
        back: back.map(Url::to_string),
        services: services.to_vec(),
        locale: locale.to_owned(),
    };
    if let Err(e) = broker.records().put(RETURN, &state, &record, RETURN_TTL).await {
        tracing::warn!(error = %e, "upstream logout not started: the way back cannot be kept");
        return None;
    }
    tracing::info!(method = %session.method, "ending the upstream session");
    Some(action)
}

/// The `state` (OIDC) or `RelayState` (SAML) of a return leg.
fn state_of(input: &UpstreamLogoutReturn) -> Option<&str> {
    input
        .params
        .iter()
        .find(|(k, _)| k == "state" || k == "RelayState")
        .map(|(_, v)| v.as_str())
        .filter(|s| !s.is_empty() && s.len() <= MAX_STATE)
}

/// The upstream sent the browser back: take the record (single use) and let the method check
/// what came with it. `None`: no such logout in flight (expired, replayed, forged).
pub async fn finish(broker: &Broker, input: &UpstreamLogoutReturn) -> Result<Option<Returned>, StoreError> {
    let Some(state) = state_of(input) else {
        return Ok(None);
    };
    let Some(next) = broker.records().take::<LogoutReturn>(RETURN, state).await? else {
        return Ok(None);
    };
    let confirmed = match broker.methods().get(&next.method) {
        Some(m) => match m.finish_upstream_logout(state, input, broker.clock().now()).await {
            Ok(()) => true,
            Err(e) => {
                tracing::warn!(method = %next.method, error = %e, "upstream logout not confirmed");
                false
            }
        },
        None => false,
    };
    Ok(Some(Returned { next, confirmed }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(params: &[(&str, &str)]) -> UpstreamLogoutReturn {
        UpstreamLogoutReturn {
            raw_query: None,
            params: params.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect(),
        }
    }

    #[test]
    fn state_from_oidc_or_saml_and_bounded() {
        assert_eq!(state_of(&input(&[("state", "abc")])), Some("abc"));
        assert_eq!(state_of(&input(&[("SAMLResponse", "x"), ("RelayState", "r")])), Some("r"));
        assert_eq!(state_of(&input(&[("state", "")])), None);
        assert_eq!(state_of(&input(&[("state", &"a".repeat(81))])), None);
        assert_eq!(state_of(&input(&[])), None);
    }
}
