//! What a client presented, and the decision whether it authenticated.
//!
//! RFC 6749 §2.3: a client uses exactly one method per request; §2.3.1: the Basic user name and
//! password are the form-urlencoded client id and secret. OIDC Core §9 names the methods.

use super::assertion::{verify_assertion, AssertionError};
use crate::oidc_provider::broker::Broker;
use crate::oidc_provider::settings::{ClientAuth, ClientConfig};
use crate::session::StoreError;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use zeroize::Zeroizing;

/// `client_assertion_type` of RFC 7523 §2.2.
pub const JWT_BEARER: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/// The credentials found in one request, before any check.
#[derive(Default)]
pub struct PresentedCredentials {
    /// From `Authorization: Basic` (decoded per RFC 6749 §2.3.1).
    pub basic: Option<(String, Zeroizing<String>)>,
    /// `client_id` form parameter.
    pub client_id: Option<String>,
    /// `client_secret` form parameter.
    pub client_secret: Option<Zeroizing<String>>,
    /// `client_assertion_type` form parameter.
    pub assertion_type: Option<String>,
    /// `client_assertion` form parameter.
    pub assertion: Option<String>,
}

impl std::fmt::Debug for PresentedCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PresentedCredentials")
            .field("basic_user", &self.basic.as_ref().map(|b| &b.0))
            .field("client_id", &self.client_id)
            .field("secret", &"[redacted]")
            .field("assertion_type", &self.assertion_type)
            .finish()
    }
}

/// Why a client did not authenticate. Everything but `Store`/`Multiple` is `invalid_client`.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ClientAuthError {
    /// More than one method in one request (RFC 6749 §2.3: `invalid_request`).
    #[error("more than one client authentication method")]
    Multiple,
    /// The `Authorization: Basic` header is malformed.
    #[error("malformed Basic credentials")]
    MalformedBasic,
    /// No credentials at all (public clients are not supported).
    #[error("no client authentication")]
    Missing,
    /// No such client.
    #[error("unknown client")]
    UnknownClient,
    /// The client is registered for another method.
    #[error("client registered for {registered}, used {used}")]
    WrongMethod { registered: &'static str, used: &'static str },
    /// Secret does not match.
    #[error("wrong client secret")]
    WrongSecret,
    /// `client_assertion_type` missing or not the JWT bearer type.
    #[error("unsupported client_assertion_type")]
    AssertionType,
    /// The assertion failed a check.
    #[error("client assertion rejected: {0}")]
    Assertion(#[from] AssertionError),
    /// The store failed (fail closed).
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl PresentedCredentials {
    /// Collect credentials from the `Authorization` header value and form parameters.
    pub fn from_parts(
        authorization: Option<&str>,
        client_id: Option<&str>,
        client_secret: Option<&str>,
        assertion_type: Option<&str>,
        assertion: Option<&str>,
    ) -> Result<Self, ClientAuthError> {
        let basic = match authorization {
            Some(h) => parse_basic(h)?,
            None => None,
        };
        Ok(Self {
            basic,
            client_id: client_id.map(str::to_owned),
            client_secret: client_secret.map(|s| Zeroizing::new(s.to_owned())),
            assertion_type: assertion_type.map(str::to_owned),
            assertion: assertion.map(str::to_owned),
        })
    }

    /// Whether HTTP Basic was attempted (the 401 then carries `WWW-Authenticate: Basic`).
    pub fn used_basic(&self) -> bool {
        self.basic.is_some()
    }
}

/// Parse `Authorization: Basic …`. Another scheme (e.g. `Bearer`) is not client authentication
/// and is ignored here. RFC 6749 §2.3.1: id and secret are form-urlencoded before Base64.
fn parse_basic(header: &str) -> Result<Option<(String, Zeroizing<String>)>, ClientAuthError> {
    let mut parts = header.trim().splitn(2, ' ');
    let scheme = parts.next().unwrap_or_default();
    if !scheme.eq_ignore_ascii_case("basic") {
        return Ok(None);
    }
    let b64 = parts.next().unwrap_or_default().trim();
    let raw = Zeroizing::new(STANDARD.decode(b64).map_err(|_| ClientAuthError::MalformedBasic)?);
    let text = std::str::from_utf8(&raw).map_err(|_| ClientAuthError::MalformedBasic)?;
    let (id, secret) = text.split_once(':').ok_or(ClientAuthError::MalformedBasic)?;
    let id = form_decode(id)?;
    let secret = Zeroizing::new(form_decode(secret)?);
    if id.is_empty() {
        return Err(ClientAuthError::MalformedBasic);
    }
    Ok(Some((id, secret)))
}

/// `application/x-www-form-urlencoded` decoding of one value (`+` is a space, then `%XX`).
fn form_decode(s: &str) -> Result<String, ClientAuthError> {
    let plus = s.replace('+', " ");
    percent_encoding::percent_decode_str(&plus)
        .decode_utf8()
        .map(|c| c.into_owned())
        .map_err(|_| ClientAuthError::MalformedBasic)
}

/// Authenticate the client of a request at the token, introspection or revocation endpoint.
/// `now` in unix seconds.
pub async fn authenticate<'b>(broker: &'b Broker, creds: &PresentedCredentials, now: i64) -> Result<&'b ClientConfig, ClientAuthError> {
    let used = match (&creds.basic, &creds.client_secret, &creds.assertion) {
        (Some(_), None, None) => "client_secret_basic",
        (None, Some(_), None) => "client_secret_post",
        (None, None, Some(_)) => "private_key_jwt",
        (None, None, None) => return Err(ClientAuthError::Missing),
        _ => return Err(ClientAuthError::Multiple),
    };
    let claimed_id = match (&creds.basic, used) {
        (Some((id, _)), _) => {
            // A form client_id next to Basic must name the same client.
            if creds.client_id.as_deref().is_some_and(|f| f != id) {
                return Err(ClientAuthError::Multiple);
            }
            id.clone()
        }
        (None, "private_key_jwt") => {
            if creds.assertion_type.as_deref() != Some(JWT_BEARER) {
                return Err(ClientAuthError::AssertionType);
            }
            let assertion = creds.assertion.as_deref().unwrap_or_default();
            let iss = super::assertion::unverified_issuer(assertion)?;
            // RFC 7523 §3 / OIDC Core §9: client_id, when sent, must be the assertion's subject.
            if creds.client_id.as_deref().is_some_and(|f| f != iss) {
                return Err(ClientAuthError::Assertion(AssertionError::Claims("client_id differs from iss")));
            }
            iss
        }
        _ => creds.client_id.clone().ok_or(ClientAuthError::Missing)?,
    };
    let client = broker.client(&claimed_id).ok_or(ClientAuthError::UnknownClient)?;
    let registered = client.auth.name();
    if registered != used {
        return Err(ClientAuthError::WrongMethod { registered, used });
    }
    match &client.auth {
        ClientAuth::SecretBasic { hash } | ClientAuth::SecretPost { hash } => {
            let secret = match (&creds.basic, &creds.client_secret) {
                (Some((_, s)), _) => s,
                (None, Some(s)) => s,
                (None, None) => return Err(ClientAuthError::Missing),
            };
            if broker.secret_cache().verify(client.id.as_str(), hash, secret).await {
                Ok(client)
            } else {
                Err(ClientAuthError::WrongSecret)
            }
        }
        ClientAuth::PrivateKeyJwt { jwks_file } => {
            let assertion = creds.assertion.as_deref().unwrap_or_default();
            let jwks = load_jwks(jwks_file).await?;
            // Only the issuer as published in discovery and the token endpoint, at every endpoint
            // (rfc7523bis: never the URL of the endpoint the assertion is presented to, nor any
            // other of our endpoints).
            let audiences = [broker.issuer().url("/token"), broker.issuer().as_str().to_owned()];
            verify_assertion(broker.records(), client.id.as_str(), assertion, &jwks, &audiences, now).await?;
            Ok(client)
        }
    }
}

/// Read the client's JWKS (read per request: tiny file, and a key rotation by the client needs no
/// broker restart).
async fn load_jwks(path: &std::path::Path) -> Result<jsonwebtoken::jwk::JwkSet, ClientAuthError> {
    let text = tokio::fs::read(path).await.map_err(|e| {
        tracing::error!(path = %path.display(), error = %e, "client jwks_file unreadable");
        ClientAuthError::Assertion(AssertionError::NoKey)
    })?;
    serde_json::from_slice(&text).map_err(|e| {
        tracing::error!(path = %path.display(), error = %e, "client jwks_file is not a JWK set");
        ClientAuthError::Assertion(AssertionError::NoKey)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basic_is_form_decoded() {
        // RFC 6749 §2.3.1: "a b%3A" is the encoded form of the id "a b:".
        let h = format!("Basic {}", STANDARD.encode("a+b%3A:p%25ss+word"));
        let (id, secret) = parse_basic(&h).unwrap().unwrap();
        assert_eq!(id, "a b:");
        assert_eq!(secret.as_str(), "p%ss word");
        assert!(parse_basic("Bearer xyz").unwrap().is_none());
        assert!(parse_basic("Basic !!!").is_err());
        assert!(parse_basic(&format!("Basic {}", STANDARD.encode("nocolon"))).is_err());
    }
}
