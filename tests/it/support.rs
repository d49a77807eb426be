//! Test harness: the test bed ([`crate::testbed`]: `TestBroker::new().with_config(|c| …)`) and
//! small helpers shared by the feature modules.

#![allow(dead_code)]

pub use crate::testbed::{append_toml, dev_config, dev_raw, rebase, RawConfigExt, TestBroker};

/// Unique store namespace for a test (tests share one Redis and never flush it).
pub fn unique_namespace(test: &str) -> String {
    use rand::RngCore;
    format!("bktest-{test}-{:08x}", rand::rngs::OsRng.next_u32())
}

/// An HTTP client that does not follow redirects (tests look at each hop).
pub fn http_client() -> openidconnect::reqwest::Client {
    buergerkonto::tls::http_client_builder()
        .expect("rustls client config")
        .redirect(openidconnect::reqwest::redirect::Policy::none())
        .build()
        .expect("reqwest client")
}
