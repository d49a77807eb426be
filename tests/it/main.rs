//! The one integration-test binary (style guide: one binary keeps builds fast).
//! Each module covers one feature; `support` starts brokers on port 0.

mod peers;
mod support;
mod support_binding;
mod support_login;
mod support_logout;
mod support_op;
mod support_receiver;
mod testbed;

mod authorize;
mod bankid_attacks;
mod bankid_interop;
mod bankid_peers;
mod bankid_sim;
mod binding;
mod browser;
mod cli;
mod client_auth;
mod config_validation;
mod discovery;
mod docs_claims;
mod eid_login;
mod elster_interop;
mod elster_login;
mod http_basics;
mod introspect_revoke;
mod jwt_attacks;
mod keys;
mod layers;
mod login_flow;
mod logout;
mod logout_backchannel;
mod mtls;
mod pages;
mod redis_faults;
mod refusals;
mod saml_attacks;
mod saml_interop;
mod saml_sp;
mod sessions;
mod smoke;
mod store_contract;
mod tls;
mod token;
mod userinfo;
