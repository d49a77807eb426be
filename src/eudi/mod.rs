//! Login with the EU Digital Identity Wallet (issue 16): the German PID as SD-JWT VC over
//! OpenID4VP 1.0 with the HAIP 1.0 profile. docs/eudi-wallet.md describes the flow.
//!
//! The verification core is pure (no HTTP handlers): [`verify::PidVerifier`] takes a decrypted
//! `vp_token` and what the transaction expects, and returns a [`pid::Pid`] or a
//! [`error::WalletError`].

pub mod dcql;
pub mod error;
mod jws;
pub mod kb_jwt;
pub mod pid;
pub mod sd_jwt;
pub mod status_list;
pub mod trust;
pub mod verify;

// The flow (issue 16 items 1–4, the `wallet` branch): settings, transaction, request object,
// encrypted response and the service the authenticator and the `/wallet/*` endpoints share.
pub mod client_id;
pub mod flow;
pub mod request;
pub mod response;
pub mod settings;
pub mod transaction;
