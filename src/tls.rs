//! The one rustls crypto provider (aws-lc-rs) and the outbound HTTPS client built on it.
//!
//! Also the certificate and key files of a TLS listener ([`TlsFiles`]), named by the main
//! listener's and the certificate listener's settings.
//!
//! A leaf module: listeners (`http::server`, `http::mtls`), the certificate authenticator and
//! every outbound HTTP client take their provider from here, so exactly one crypto library does
//! TLS. The provider is passed explicitly (`builder_with_provider`) wherever our code builds a
//! rustls config. The one exception is the redis crate's TLS (`rediss://`), which builds its own
//! config on rustls' process-wide default: [`install_process_default`] installs the same provider
//! there, once, before the store connects (issue 12 item 2).
//!
//! Outbound clients are reqwest without a built-in provider (feature `rustls-tls-no-provider`),
//! handed a finished rustls `ClientConfig` through `use_preconfigured_tls`; openidconnect's
//! `AsyncHttpClient` is implemented for that `reqwest::Client`.

use rustls::crypto::CryptoProvider;
use rustls::{ClientConfig, RootCertStore};
use std::path::PathBuf;
use std::sync::Arc;

/// Certificate chain and key (PEM) of a TLS listener.
#[derive(Debug, Clone)]
pub struct TlsFiles {
    /// Certificate chain, leaf first.
    pub cert: PathBuf,
    /// Private key.
    pub key: PathBuf,
}

/// Errors while building a TLS client configuration.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TlsError {
    /// The provider does not support the requested protocol versions (a build mistake).
    #[error("TLS client configuration: {0}")]
    Config(#[from] rustls::Error),
}

/// The rustls crypto provider: aws-lc-rs. Built once: certificate logins ask for its signature
/// verification algorithms on every request.
pub fn crypto_provider() -> Arc<CryptoProvider> {
    static PROVIDER: std::sync::OnceLock<Arc<CryptoProvider>> = std::sync::OnceLock::new();
    PROVIDER
        .get_or_init(|| Arc::new(rustls::crypto::aws_lc_rs::default_provider()))
        .clone()
}

/// Install [`crypto_provider`] as rustls' process-wide default, for libraries that build their own
/// rustls config (the redis crate's `rediss://`). Idempotent; a default someone else installed
/// first is kept if it is ours (aws-lc-rs), and reported otherwise.
pub fn install_process_default() -> Result<(), &'static str> {
    if CryptoProvider::install_default((*crypto_provider()).clone()).is_ok() {
        return Ok(());
    }
    match CryptoProvider::get_default() {
        Some(p) if p.cipher_suites.len() == crypto_provider().cipher_suites.len() => Ok(()),
        _ => Err("another rustls crypto provider is installed process-wide"),
    }
}

/// The public web PKI roots (Mozilla's list, compiled in) for outbound HTTPS.
pub fn web_pki_roots() -> RootCertStore {
    RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    }
}

/// A rustls client config on the aws-lc-rs provider that trusts `roots` and presents no client
/// certificate.
pub fn client_config(roots: RootCertStore) -> Result<ClientConfig, TlsError> {
    Ok(ClientConfig::builder_with_provider(crypto_provider())
        .with_safe_default_protocol_versions()?
        .with_root_certificates(roots)
        .with_no_client_auth())
}

/// A reqwest client builder whose TLS is `config` (built on [`crypto_provider`]). Callers add
/// their own redirect policy and timeouts.
pub fn http_client_builder_with(config: ClientConfig) -> reqwest::ClientBuilder {
    reqwest::Client::builder().use_preconfigured_tls(config)
}

/// A reqwest client builder for the public web PKI ([`web_pki_roots`]).
pub fn http_client_builder() -> Result<reqwest::ClientBuilder, TlsError> {
    Ok(http_client_builder_with(client_config(web_pki_roots())?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_provider_is_aws_lc_rs_and_built_once() {
        let a = crypto_provider();
        assert!(Arc::ptr_eq(&a, &crypto_provider()));
        let lc = rustls::crypto::aws_lc_rs::default_provider();
        assert_eq!(a.cipher_suites.len(), lc.cipher_suites.len());
        assert!(a.cipher_suites.iter().zip(&lc.cipher_suites).all(|(x, y)| x.suite() == y.suite()));
    }

    #[test]
    fn an_http_client_builds_with_the_config_handed_in() {
        // reqwest without a built-in provider panics on `build()` unless a config is handed in;
        // it never needs the process-wide default.
        let built = http_client_builder().map(reqwest::ClientBuilder::build);
        assert!(matches!(built, Ok(Ok(_))));
        assert!(!web_pki_roots().is_empty());
    }

    #[test]
    fn the_process_default_is_ours_and_installing_twice_is_fine() {
        assert!(install_process_default().is_ok());
        assert!(install_process_default().is_ok());
        assert!(rustls::crypto::CryptoProvider::get_default().is_some());
    }
}
