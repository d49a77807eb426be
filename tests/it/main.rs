//! The one integration-test binary (style guide: one binary keeps builds fast).
//! Each module covers one feature; `support` starts brokers on port 0.

mod support;

mod cli;
mod http_basics;
mod keys;
mod redis_faults;
mod smoke;
mod store_contract;
mod tls;
