//! Listeners: the main listener (TLS through rustls, or plain HTTP on loopback for development),
//! with graceful shutdown on SIGTERM / Ctrl-C.
//!
//! Connection reuse (issue 13): HTTP/1.1 keep-alive (hyper's default), HTTP/2 when the client
//! offers `h2` in ALPN (RFC 7301), and TLS session resumption on both TLS listeners — a
//! server-side session cache for TLS 1.2 session ids and stateless tickets (RFC 8446 §4.6.1,
//! RFC 5077) sealed by rustls' aws-lc-rs ticketer, whose keys rotate every six hours and live
//! only in memory. A returning client skips the certificate signature and the key exchange's
//! second half.

/// Re-exported for callers that still name it here; the provider lives in `crate::tls`.
use crate::tls::crypto_provider;
use crate::tls::TlsFiles;
use axum::Router;
use axum_server::accept::NoDelayAcceptor;
use axum_server::tls_rustls::RustlsConfig;
use axum_server::Handle;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

/// Errors while starting a listener.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// Certificate or key file unreadable or malformed.
    #[error("TLS: {0}")]
    Tls(String),
    /// Bind or accept failure.
    #[error("listener: {0}")]
    Io(#[from] std::io::Error),
}

/// Load a PEM certificate chain and private key.
pub fn load_cert_and_key(files: &TlsFiles) -> Result<(Vec<CertificateDer<'static>>, PrivateKeyDer<'static>), ServeError> {
    let certs = CertificateDer::pem_file_iter(&files.cert)
        .map_err(|e| ServeError::Tls(format!("{}: {e}", files.cert.display())))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| ServeError::Tls(format!("{}: {e}", files.cert.display())))?;
    if certs.is_empty() {
        return Err(ServeError::Tls(format!("{}: no certificate found", files.cert.display())));
    }
    let key = PrivateKeyDer::from_pem_file(&files.key).map_err(|e| ServeError::Tls(format!("{}: {e}", files.key.display())))?;
    Ok((certs, key))
}

/// rustls server config for the main listener: no client certificates are ever requested here.
pub fn main_tls_config(files: &TlsFiles) -> Result<rustls::ServerConfig, ServeError> {
    let (certs, key) = load_cert_and_key(files)?;
    let mut cfg = rustls::ServerConfig::builder_with_provider(crypto_provider())
        .with_safe_default_protocol_versions()
        .map_err(|e| ServeError::Tls(e.to_string()))?
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .map_err(|e| ServeError::Tls(e.to_string()))?;
    cfg.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    enable_resumption(&mut cfg)?;
    Ok(cfg)
}

/// Sessions a listener remembers for TLS 1.2 resumption by id (tickets need no server state).
const SESSION_CACHE_ENTRIES: usize = 4096;

/// Turn on TLS session resumption: a bounded session cache and tickets from the aws-lc-rs
/// ticketer (used by the main and the certificate listener).
pub fn enable_resumption(cfg: &mut rustls::ServerConfig) -> Result<(), ServeError> {
    cfg.session_storage = rustls::server::ServerSessionMemoryCache::new(SESSION_CACHE_ENTRIES);
    cfg.ticketer = rustls::crypto::aws_lc_rs::Ticketer::new().map_err(|e| ServeError::Tls(e.to_string()))?;
    Ok(())
}

/// Serve `app` on an already bound listener until `handle` is told to shut down.
pub async fn serve_on(
    listener: std::net::TcpListener,
    app: Router,
    tls: Option<&TlsFiles>,
    handle: Handle<SocketAddr>,
) -> Result<(), ServeError> {
    listener.set_nonblocking(true)?;
    let svc = app.into_make_service_with_connect_info::<SocketAddr>();
    match tls {
        // TCP_NODELAY on every accepted connection: a response is written as soon as it is
        // ready, never held back by Nagle's algorithm waiting for the client's delayed ACK
        // (axum-server's default acceptor leaves the socket as accepted).
        Some(files) => {
            let cfg = RustlsConfig::from_config(Arc::new(main_tls_config(files)?));
            axum_server::from_tcp_rustls(listener, cfg)?
                .map(|tls| tls.acceptor(NoDelayAcceptor))
                .handle(handle)
                .serve(svc)
                .await?;
        }
        None => {
            axum_server::from_tcp(listener)?
                .acceptor(NoDelayAcceptor)
                .handle(handle)
                .serve(svc)
                .await?;
        }
    }
    Ok(())
}

/// Resolve when SIGTERM or Ctrl-C arrives, then start a graceful shutdown of `handle`.
pub async fn shutdown_on_signal(handle: Handle<SocketAddr>, grace: Duration) {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
    tracing::info!("shutdown requested; finishing in-flight requests");
    handle.graceful_shutdown(Some(grace));
}
