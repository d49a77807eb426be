//! Getting an IdP's metadata from its configured source (issue 12 item 5): a file, or an HTTPS
//! URL fetched with a timeout and a size cap. Either way the document is then signature-checked
//! against the pinned signers, its `validUntil` enforced and parsed (`metadata::load_idp_metadata`);
//! nothing in it is trusted before that.

use super::metadata::{load_idp_metadata, IdpMetadata};
use super::settings::{MetadataOrigin, MetadataSource};
use std::path::Path;
use std::time::{Duration, SystemTime};
use url::Url;

/// A metadata document larger than this is refused (federation aggregates are larger, but a
/// single IdP's EntityDescriptor is a few kilobytes).
pub const MAX_METADATA_BYTES: usize = 1024 * 1024;
/// Whole-request timeout of a metadata fetch.
pub const FETCH_TIMEOUT: Duration = Duration::from_secs(10);

/// Why no metadata could be had.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SourceError {
    /// The file could not be read.
    #[error("cannot read {path}: {reason}")]
    Read { path: String, reason: String },
    /// The URL could not be fetched (network, timeout, HTTP status, size).
    #[error("cannot fetch {url}: {reason}")]
    Fetch { url: String, reason: String },
    /// The document was refused (signature, expiry, content).
    #[error("{0}")]
    Refused(#[from] super::metadata::MetadataError),
    /// The metadata lacks an endpoint the configuration needs.
    #[error("{0}")]
    Endpoints(String),
}

/// The HTTP client for metadata fetches (rustls on aws-lc-rs, web PKI roots, no redirects to
/// other schemes, timeout).
pub fn http_client() -> Result<reqwest::Client, String> {
    crate::tls::http_client_builder()
        .map_err(|e| e.to_string())?
        .timeout(FETCH_TIMEOUT)
        .redirect(reqwest::redirect::Policy::limited(3))
        .build()
        .map_err(|e| e.to_string())
}

/// `GET url`, at most [`MAX_METADATA_BYTES`], a 2xx status and UTF-8 required.
pub async fn fetch(http: &reqwest::Client, url: &Url) -> Result<String, SourceError> {
    let fail = |reason: String| SourceError::Fetch {
        url: url.to_string(),
        reason,
    };
    let network = |e: reqwest::Error| fail(if e.is_timeout() { "timeout".into() } else { "network error".into() });
    let mut res = http
        .get(url.clone())
        .header(http::header::ACCEPT, "application/samlmetadata+xml, application/xml, text/xml")
        .send()
        .await
        .map_err(network)?;
    if !res.status().is_success() {
        return Err(fail(format!("HTTP {}", res.status().as_u16())));
    }
    let mut body = Vec::new();
    while let Some(chunk) = res.chunk().await.map_err(network)? {
        if body.len() + chunk.len() > MAX_METADATA_BYTES {
            return Err(fail(format!("larger than {MAX_METADATA_BYTES} bytes")));
        }
        body.extend_from_slice(&chunk);
    }
    String::from_utf8(body).map_err(|_| fail("not UTF-8".into()))
}

/// Read or fetch, then verify and parse.
pub async fn load(origin: &MetadataOrigin, http: &reqwest::Client, now: SystemTime) -> Result<IdpMetadata, SourceError> {
    match &origin.source {
        MetadataSource::File(path) => load_file(origin, path, now),
        MetadataSource::Url(url) => {
            let xml = fetch(http, url).await?;
            Ok(load_idp_metadata(&xml, origin.signers.as_deref(), now)?)
        }
    }
}

fn load_file(origin: &MetadataOrigin, path: &Path, now: SystemTime) -> Result<IdpMetadata, SourceError> {
    let xml = std::fs::read_to_string(path).map_err(|e| SourceError::Read {
        path: path.display().to_string(),
        reason: e.to_string(),
    })?;
    Ok(load_idp_metadata(&xml, origin.signers.as_deref(), now)?)
}

/// [`load`] outside async code (configuration validation, before or beside any runtime): a file
/// is read directly, a URL fetched on a thread of its own with a one-off runtime, so this also
/// works when called from within a runtime.
pub fn load_blocking(origin: &MetadataOrigin, now: SystemTime) -> Result<IdpMetadata, SourceError> {
    let url = match &origin.source {
        MetadataSource::File(path) => return load_file(origin, path, now),
        MetadataSource::Url(url) => url,
    };
    let fail = |reason: String| SourceError::Fetch {
        url: url.to_string(),
        reason,
    };
    std::thread::scope(|s| {
        s.spawn(|| {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| fail(format!("cannot start a runtime: {e}")))?;
            let http = http_client().map_err(fail)?;
            rt.block_on(load(origin, &http, now))
        })
        .join()
        .unwrap_or_else(|_| Err(fail("the fetch failed".into())))
    })
}
