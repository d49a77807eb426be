//! The broker's HTTP requests to the OP (discovery, JWKS, PAR, token, userinfo): one reqwest client
//! per upstream on the aws-lc-rs rustls provider (`crate::tls`), no redirects followed (RFC 9700
//! §4.11: a back-channel answer is the endpoint's own), a timeout on every request, bodies read
//! up to a limit. For `tls_client_auth` the client presents the broker's certificate.

use super::error::OidcUpstreamError;
use super::settings::{ClientAuth, TlsIdentity, UpstreamSettings};
use http::StatusCode;
use std::time::Duration;
use url::Url;

/// Largest back-channel response read.
const MAX_BODY: usize = 512 * 1024;

/// A rustls client config that presents `id` (RFC 8705 §2) and trusts the web PKI.
pub fn mtls_client_config(id: &TlsIdentity) -> Result<rustls::ClientConfig, String> {
    rustls::ClientConfig::builder_with_provider(crate::tls::crypto_provider())
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .with_root_certificates(crate::tls::web_pki_roots())
        .with_client_auth_cert(id.chain.clone(), id.key.clone_key())
        .map_err(|e| e.to_string())
}

/// The upstream's HTTP client.
pub fn client(settings: &UpstreamSettings) -> Result<reqwest::Client, String> {
    let builder = match &settings.client_auth {
        ClientAuth::TlsClientAuth(id) => crate::tls::http_client_builder_with(mtls_client_config(id)?),
        _ => crate::tls::http_client_builder().map_err(|e| e.to_string())?,
    };
    builder
        .redirect(reqwest::redirect::Policy::none())
        .timeout(settings.timeout)
        .connect_timeout(settings.timeout.min(Duration::from_secs(10)))
        .build()
        .map_err(|e| e.to_string())
}

/// A response: status, `Content-Type` (lowercase, without parameters) and body.
pub struct Answer {
    /// Status.
    pub status: StatusCode,
    /// Media type.
    pub content_type: String,
    /// Body.
    pub body: Vec<u8>,
}

fn unreachable(what: &'static str, e: &reqwest::Error) -> OidcUpstreamError {
    let kind = if e.is_timeout() { "timeout" } else { "network error" };
    OidcUpstreamError::Unavailable(format!("{what}: {kind}"))
}

async fn read(what: &'static str, mut res: reqwest::Response) -> Result<Answer, OidcUpstreamError> {
    let status = res.status();
    let content_type = res
        .headers()
        .get(http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.split(';').next().unwrap_or_default().trim().to_ascii_lowercase())
        .unwrap_or_default();
    let mut body = Vec::new();
    while let Some(chunk) = res.chunk().await.map_err(|e| unreachable(what, &e))? {
        if body.len() + chunk.len() > MAX_BODY {
            return Err(OidcUpstreamError::Malformed(what));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(Answer {
        status,
        content_type,
        body,
    })
}

/// `GET url` (optionally with a bearer token).
pub async fn get(http: &reqwest::Client, what: &'static str, url: &Url, bearer: Option<&str>) -> Result<Answer, OidcUpstreamError> {
    let mut req = http
        .get(url.clone())
        .header(http::header::ACCEPT, "application/json, application/jwt");
    if let Some(t) = bearer {
        req = req.bearer_auth(t);
    }
    let res = req.send().await.map_err(|e| unreachable(what, &e))?;
    read(what, res).await
}

/// `POST url` with a form body and, for `client_secret_basic`, an `Authorization` header.
pub async fn post_form(
    http: &reqwest::Client,
    what: &'static str,
    url: &Url,
    fields: &[(String, String)],
    authorization: Option<&str>,
) -> Result<Answer, OidcUpstreamError> {
    let body = url::form_urlencoded::Serializer::new(String::new()).extend_pairs(fields).finish();
    let mut req = http
        .post(url.clone())
        .header(http::header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(http::header::ACCEPT, "application/json")
        .body(body);
    if let Some(a) = authorization {
        req = req.header(http::header::AUTHORIZATION, a);
    }
    let res = req.send().await.map_err(|e| unreachable(what, &e))?;
    read(what, res).await
}

/// An error answer as our error: 5xx (and 429) is the OP's trouble (`temporarily_unavailable` for
/// the relying party), 4xx a refusal with the RFC 6749 §5.2 `error` code (logged, never shown).
pub fn refused(what: &'static str, a: &Answer) -> OidcUpstreamError {
    if a.status.is_server_error() || a.status == StatusCode::TOO_MANY_REQUESTS {
        return OidcUpstreamError::Unavailable(format!("{what}: HTTP {}", a.status.as_u16()));
    }
    let code = serde_json::from_slice::<serde_json::Value>(&a.body)
        .ok()
        .and_then(|v| v.get("error").and_then(|e| e.as_str()).map(str::to_owned))
        .filter(|c| c.len() <= 64 && c.bytes().all(|b| b.is_ascii_graphic()))
        .unwrap_or_else(|| format!("HTTP {}", a.status.as_u16()));
    OidcUpstreamError::Refused {
        endpoint: what,
        error: code,
    }
}
