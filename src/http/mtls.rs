//! The separate mutual-TLS listener for certificate login (the main listener never asks for a
//! client certificate).
//!
//! TLS: the listener *requests* a client certificate but does not make it mandatory, and the
//! handshake verifier only checks the certificate parses; the chain is verified after the handshake
//! (`authenticators::certificate::verify`) so every refusal can be explained on a page instead of a
//! TLS alert. Possession of the private key is still proven in the handshake: rustls checks the
//! client's CertificateVerify signature through [`DeferredChainVerifier`] (RFC 8446 §4.4.3).
//!
//! Both outcomes go back to the main listener under a one-time token (http/cert_return.rs): a
//! verified identity continues the login, a refusal ends it with the site's failure page (the
//! specific text, the language switch) and its stable reason for the relying party ([`failure`]).
//!
//! Behind a reverse proxy a forwarded certificate header is believed only from configured proxy
//! addresses (oidc-landscape §2.8: Keycloak #35861); from anyone else it is ignored and logged.

use super::cert_return as return_leg;
use crate::authenticators::certificate::settings::CertificateConfig;
use crate::authenticators::certificate::verify::CertError;
use crate::authenticators::certificate::{self, CertificateAuthenticator};
use crate::authenticators::{Authenticator, AuthnError, UpstreamReturn};
use crate::http::server::{load_cert_and_key, ServeError};
use crate::login::reason::Reason;
use crate::state::AppState;
use crate::tls::crypto_provider;
use crate::web::PageError;
use axum::extract::rejection::QueryRejection;
use axum::extract::{ConnectInfo, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Extension, Router};
use axum_server::accept::Accept;
use axum_server::accept::NoDelayAcceptor;
use axum_server::tls_rustls::{RustlsAcceptor, RustlsConfig};
use axum_server::Handle;
use futures::future::BoxFuture;
use rustls::client::danger::HandshakeSignatureValid;
use rustls::server::danger::{ClientCertVerified, ClientCertVerifier};
use rustls::{DigitallySignedStruct, DistinguishedName, SignatureScheme};
use rustls_pki_types::{CertificateDer, UnixTime};
use serde::Deserialize;
use std::net::SocketAddr;
use std::sync::Arc;
use tower::Layer;

/// Requests a client certificate, checks only that it parses; see the module docs.
#[derive(Debug)]
pub struct DeferredChainVerifier {
    hints: Vec<DistinguishedName>,
    provider: Arc<rustls::crypto::CryptoProvider>,
}

impl ClientCertVerifier for DeferredChainVerifier {
    fn offer_client_auth(&self) -> bool {
        true
    }
    fn client_auth_mandatory(&self) -> bool {
        false
    }
    fn root_hint_subjects(&self) -> &[DistinguishedName] {
        &self.hints
    }
    fn verify_client_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _i: &[CertificateDer<'_>],
        _now: UnixTime,
    ) -> Result<ClientCertVerified, rustls::Error> {
        webpki::EndEntityCert::try_from(end_entity)
            .map(|_| ClientCertVerified::assertion())
            .map_err(|_| rustls::Error::InvalidCertificate(rustls::CertificateError::BadEncoding))
    }
    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.provider.signature_verification_algorithms)
    }
    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.provider.signature_verification_algorithms)
    }
    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider.signature_verification_algorithms.supported_schemes()
    }
}

/// The chain the client sent in the handshake (DER, leaf first), if any.
#[derive(Debug, Clone, Default)]
pub struct PeerChain(pub Vec<Vec<u8>>);

/// Acceptor that attaches [`PeerChain`] to every request of a connection (TCP_NODELAY set, as on
/// the main listener: `server.rs`).
#[derive(Clone)]
struct PeerChainAcceptor {
    inner: RustlsAcceptor<NoDelayAcceptor>,
}

impl<S> Accept<tokio::net::TcpStream, S> for PeerChainAcceptor
where
    S: Send + 'static,
{
    type Stream = tokio_rustls::server::TlsStream<tokio::net::TcpStream>;
    type Service = axum::middleware::AddExtension<S, PeerChain>;
    type Future = BoxFuture<'static, std::io::Result<(Self::Stream, Self::Service)>>;

    fn accept(&self, stream: tokio::net::TcpStream, service: S) -> Self::Future {
        let acceptor = self.inner.clone();
        Box::pin(async move {
            let (stream, service) = acceptor.accept(stream, service).await.inspect_err(|e| {
                // axum-server drops handshake errors silently (crates.md mTLS pitfall 4).
                tracing::info!(error = %e, "mTLS handshake failed");
            })?;
            let chain = stream
                .get_ref()
                .1
                .peer_certificates()
                .map(|c| c.iter().map(|d| d.to_vec()).collect())
                .unwrap_or_default();
            Ok((stream, Extension(PeerChain(chain)).layer(service)))
        })
    }
}

#[derive(Clone)]
struct MtlsState {
    app: AppState,
    auth: Arc<CertificateAuthenticator>,
    config: Arc<CertificateConfig>,
}

/// Build the rustls config of the listener.
pub fn tls_config(config: &CertificateConfig, auth: &CertificateAuthenticator) -> Result<rustls::ServerConfig, ServeError> {
    let provider = crypto_provider();
    let (certs, key) = load_cert_and_key(&config.tls)?;
    // Hints as a DER SEQUENCE-wrapped subject (crates.md mTLS pitfall 1: plain `from()` broke clients).
    let hints = auth
        .anchor_subjects()
        .into_iter()
        .map(|s| DistinguishedName::in_sequence(&s))
        .collect();
    let verifier = Arc::new(DeferredChainVerifier {
        hints,
        provider: provider.clone(),
    });
    let mut cfg = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| ServeError::Tls(e.to_string()))?
        .with_client_cert_verifier(verifier)
        .with_single_cert(certs, key)
        .map_err(|e| ServeError::Tls(e.to_string()))?;
    cfg.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    // A resumed session carries the chain of its full handshake (rustls keeps it in the session
    // value), and `cert_login` checks that chain on every request as before.
    crate::http::server::enable_resumption(&mut cfg)?;
    Ok(cfg)
}

/// Serve the certificate listener on a bound socket until `handle` shuts down.
pub async fn serve_mtls(listener: std::net::TcpListener, app: AppState, handle: Handle<SocketAddr>) -> Result<(), ServeError> {
    let Some(config) = app.config().certificate.clone() else {
        return Ok(());
    };
    let method = app
        .config()
        .methods
        .iter()
        .find(|m| m.kind == crate::authenticators::MethodKind::Certificate)
        .cloned()
        .ok_or_else(|| ServeError::Tls("certificate listener configured without a certificate method".into()))?;
    let auth = Arc::new(CertificateAuthenticator::new(&method, &config).map_err(ServeError::Tls)?);
    let tls = RustlsConfig::from_config(Arc::new(tls_config(&config, &auth)?));
    let state = MtlsState {
        app,
        auth,
        config: Arc::new(config),
    };
    let router = Router::new()
        .route("/cert/login", get(cert_login))
        .layer(axum::middleware::from_fn(|req, next| {
            crate::http::security::headers(true, req, next)
        }))
        .with_state(state);
    listener.set_nonblocking(true)?;
    axum_server::from_tcp(listener)?
        .acceptor(PeerChainAcceptor {
            inner: RustlsAcceptor::new(tls).acceptor(NoDelayAcceptor),
        })
        .handle(handle)
        .serve(router.into_make_service_with_connect_info::<SocketAddr>())
        .await?;
    Ok(())
}

#[derive(Deserialize)]
struct LoginQuery {
    txn: crate::ids::PendingId,
}

async fn cert_login(
    State(s): State<MtlsState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Extension(chain): Extension<PeerChain>,
    headers: http::HeaderMap,
    query: Result<Query<LoginQuery>, QueryRejection>,
) -> Response {
    // This listener's own pages (no login to continue, store down) in the browser's language: it
    // is the same host as the main listener, so the language cookie comes along.
    let locale = crate::web::locale::negotiate(None, None, &headers);
    let Ok(Query(q)) = query else {
        return PageError::Expired.render(s.app.site(), locale);
    };
    let chain = choose_chain(&s.config, peer, chain, &headers);
    let now = s.app.clock().now();
    // Like every method, through `finish`; the transaction travels in `txn` and is checked when
    // the return leg continues it.
    let parked = match s.auth.finish(&q.txn, UpstreamReturn::ClientCertificate { chain }, now).await {
        Ok(identity) => {
            tracing::info!(method = %s.auth.id(), level = %identity.level, "certificate login verified");
            return_leg::park(&s.app, &q.txn, identity).await
        }
        Err(e) => {
            let refusal = certificate::refusal(&e);
            tracing::info!(reason = %refusal, "certificate login refused");
            // The refusal ends the login on the main listener like any upstream failure: the
            // site's failure page with the specific text, the reason to the relying party.
            return_leg::park_refusal(&s.app, &q.txn, failure(&refusal)).await
        }
    };
    match parked {
        Ok(token) => Redirect::to(&s.app.config().server.url(&format!("/cert/return?token={token}"))).into_response(),
        Err(e) => {
            tracing::warn!(error = %e, "certificate outcome not parked");
            PageError::Unavailable.render(s.app.site(), locale)
        }
    }
}

/// The client's chain: from the TLS handshake, or from the forwarded header of a trusted proxy.
fn choose_chain(config: &CertificateConfig, peer: SocketAddr, chain: PeerChain, headers: &http::HeaderMap) -> Vec<Vec<u8>> {
    let Some(name) = &config.forwarded_cert_header else {
        return chain.0;
    };
    let Some(value) = headers.get(name.as_str()) else { return chain.0 };
    if !config.trusted_proxies.contains(&peer.ip()) {
        tracing::warn!(%peer, "forwarded client certificate from an untrusted address ignored");
        return chain.0;
    }
    // URL-encoded PEM (nginx `$ssl_client_escaped_cert`); '+' is literal base64 here, not a space.
    let pem = percent_encoding::percent_decode_str(value.to_str().unwrap_or_default())
        .decode_utf8_lossy()
        .into_owned();
    if !pem.contains("-----BEGIN CERTIFICATE-----") {
        return Vec::new();
    }
    crate::authenticators::certificate::crl::pem_or_der(pem.as_bytes(), "CERTIFICATE")
        .map(|d| vec![d])
        .unwrap_or_default()
}

/// The failure a refusal ends the login with: its stable reason (login/reason.rs) as the upstream
/// failure code, which picks the page text (http/login/upstream_error.rs) and the
/// `error_description` for the relying party. What the person cannot act on keeps its kind: an
/// unverifiable revocation status is the method being unavailable, any other path error a
/// rejected answer.
pub fn failure(e: &CertError) -> AuthnError {
    let reason = match e {
        CertError::NoCertificate | CertError::Malformed => Reason::CertificateMissing,
        CertError::UnknownCa => Reason::CertificateUnknownCa,
        CertError::Expired => Reason::CertificateExpired,
        CertError::NotYetValid => Reason::CertificateNotYetValid,
        CertError::Revoked => Reason::CertificateRevoked,
        CertError::EkuMismatch | CertError::PolicyMismatch => Reason::CertificateWrongKind,
        CertError::RevocationUnavailable => return AuthnError::Unavailable(e.to_string()),
        CertError::Invalid(_) => return AuthnError::Rejected(e.to_string()),
    };
    AuthnError::UpstreamFailure {
        code: reason.token().to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_refusal_a_person_can_act_on_has_its_reason() {
        let reason = |e: CertError| Reason::of(&failure(&e));
        assert_eq!(reason(CertError::Revoked), Reason::CertificateRevoked);
        assert_eq!(reason(CertError::Expired), Reason::CertificateExpired);
        assert_eq!(reason(CertError::NotYetValid), Reason::CertificateNotYetValid);
        assert_eq!(reason(CertError::EkuMismatch), Reason::CertificateWrongKind);
        assert_eq!(reason(CertError::PolicyMismatch), Reason::CertificateWrongKind);
        assert_eq!(reason(CertError::UnknownCa), Reason::CertificateUnknownCa);
        assert_eq!(reason(CertError::NoCertificate), Reason::CertificateMissing);
        assert_eq!(reason(CertError::RevocationUnavailable), Reason::MethodUnavailable);
        assert_eq!(reason(CertError::Invalid("BadSignature".into())), Reason::ResponseRejected);
    }
}
