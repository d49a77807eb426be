//! The one integration-test binary (style guide: one binary keeps builds fast).
//! Each module covers one feature; `support` starts brokers on port 0.

mod support;

mod smoke;

mod client_auth;
mod discovery;
mod introspect_revoke;
mod jwt_attacks;
mod token;
mod userinfo;
