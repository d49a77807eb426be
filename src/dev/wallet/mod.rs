//! The development EUDI wallet pieces (development only).

pub mod pid_issuer;
