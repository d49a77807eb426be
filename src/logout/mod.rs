//! Ending a broker session (issue 11): RP-Initiated Logout 1.0, the citizen's "log out
//! everywhere", and OIDC Back-Channel Logout 1.0 to every relying party that got tokens in it.
//!
//! Domain code over the core's context ([`Broker`](crate::oidc_provider::broker::Broker)); the
//! handlers and pages are in `http/logout.rs`. One file per step:
//!
//! | file | what |
//! |---|---|
//! | `request.rs` | the end-session parameters, checked: client, exact `post_logout_redirect_uri`, `state` |
//! | `hint.rs` | `id_token_hint`: our signature, our issuer, a registered audience (expired accepted) |
//! | `decide.rs` | this browser's session; end now (the hint names it), confirm first, or nothing to end |
//! | `csrf.rs` | the confirmation and "log out everywhere" forms' token, bound to the browser's session |
//! | `end.rs` | what ends with a session: record, tokens (end markers), back-channel deliveries queued |
//! | `expiry.rs` | sessions that ran out of their limits: their relying parties are notified too |
//! | `overview.rs` | the citizen's view of a session: services, since when, at which level |
//! | `logout_token.rs` | the logout token (§2.4), signed with the broker keys |
//! | `queue.rs` | the durable delivery queue in the record store (lease per delivery) |
//! | `worker.rs` | the background delivery loop with backoff, jitter, bounded retries and metrics |
//! | `settings.rs` | `[logout]` |
//! | `upstream.rs` | the upstream's session (OP `end_session_endpoint`, SAML SLO) ended after ours; the way back |

pub mod csrf;
pub mod decide;
pub mod end;
pub mod expiry;
pub mod hint;
pub mod logout_token;
pub mod overview;
pub mod queue;
pub mod request;
pub mod settings;
pub mod upstream;
pub mod worker;

pub use settings::LogoutSettings;
