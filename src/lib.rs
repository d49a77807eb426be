//! buergerkonto: the login broker between people and the online services of German public
//! administration. Upstream it authenticates (eID via SAML, ELSTER, company certificates); downstream
//! it is an OpenID Connect Provider. See docs/architecture.md.

#![deny(unsafe_code)]

pub mod app;
pub mod audit;
pub mod authenticators;
pub mod clock;
pub mod config;
pub mod deflate;
pub mod dev;
pub mod escape;
pub mod eudi;
pub mod http;
pub mod identity;
pub mod ids;
pub mod keys;
pub mod login;
pub mod logout;
pub mod oidc_provider;
pub mod oidc_upstream;
pub mod saml;
pub mod secret;
pub mod session;
pub mod state;
pub mod stdout_lines;
pub mod tls;
pub mod trust;
pub mod web;

pub use app::{build_state, StartupError};
pub use state::AppState;

/// The application router for a state (tests drive it without a socket).
pub fn build_app(state: AppState) -> axum::Router {
    app::router(state)
}
