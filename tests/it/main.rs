//! The one integration-test binary (style guide: one binary keeps builds fast).
//! Each module covers one feature; `support` starts brokers on port 0.

mod support;
mod support_login;

mod authorize;
mod login_flow;
mod pages;
mod sessions;
mod smoke;
