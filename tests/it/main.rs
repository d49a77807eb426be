//! The one integration-test binary (style guide: one binary keeps builds fast).
//! Each module covers one feature; `support` starts brokers on port 0.

mod support;

mod saml_attacks;
mod saml_interop;
mod smoke;
