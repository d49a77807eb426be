//! The broker core between the relying party's request and the upstream login: `/authorize`, the
//! login choice, starting and finishing upstream methods, SSO session, step-up, consent and the
//! code redirect. One file per check or step (node-oidc-provider style); docs/architecture.md
//! describes the flow.
//!
//! Domain code: no HTTP types. Each step takes the context ([`Broker`]) and what the browser
//! presented ([`Browser`]) and returns an [`Outcome`]; the handlers in `http::login` read the
//! request and map the outcome to a response.

pub mod acr;
pub mod authorize;
pub mod binding;
pub mod browser;
pub mod check_claims;
pub mod check_client;
pub mod check_max_age;
pub mod check_pkce;
pub mod check_prompt;
pub mod check_request;
pub mod check_scope;
pub mod choice;
pub mod client_policy;
pub mod code;
pub mod consent;
pub mod errors;
pub mod failure;
pub mod finish;
pub mod flow;
pub mod methods;
pub mod next;
pub mod oidc_return;
pub mod params;
pub mod pending;
pub mod reason;
pub mod restart;
pub mod resume;
pub mod session;
pub mod sso;
pub mod start;
pub mod wallet_return;

pub use crate::oidc_provider::broker::Broker;
pub use browser::Browser;
pub use next::{Next, Outcome, Problem};

use crate::authenticators::AuthnError;
use crate::identity::VerifiedIdentity;

/// Continue the parked authorization `pending_id` once an upstream method has finished —
/// successfully or not. Every upstream return leg (development login, certificate return,
/// [`resume`] after the SAML ACS, and every method added later) calls this with the binding cookie
/// its request presented, and sends the outcome to the browser. The binding is checked here,
/// first, in this one place: a browser that did not start the login gets the restart page and
/// nothing is created (issue 9 item 1).
pub async fn continue_after_upstream(
    ctx: &Broker,
    pending_id: &crate::ids::PendingId,
    presented: Option<&binding::Presented>,
    outcome: Result<VerifiedIdentity, AuthnError>,
) -> Outcome {
    finish::continue_after_upstream(ctx, pending_id, presented, outcome).await
}
