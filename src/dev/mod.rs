//! Development-only components: simulators and the demo relying party. Routed only when
//! `server.development = true`, which config validation allows only on a loopback issuer.

pub mod bankid_simulator;
pub mod demo;
pub mod dev_login;
pub mod eid_simulator;
pub mod sim_page;
pub mod wallet;

use crate::state::AppState;
use axum::Router;

/// Development routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(demo::routes())
        .merge(dev_login::routes())
        .merge(eid_simulator::routes())
        .merge(bankid_simulator::routes())
        .merge(wallet::routes())
}
