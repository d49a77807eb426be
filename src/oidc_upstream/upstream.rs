//! [`OidcUpstream`]: one OP with its settings, HTTP client and the provider cache; `start` builds
//! the authorization request, `finish` turns a callback into a [`LoginOutcome`].
//!
//! The provider (metadata + JWKS) is fetched at start-up and refreshed in the background every
//! `discovery_refresh_secs`; a failed refresh keeps the last good copy (the OP's outage must not
//! become ours, and a document that fails our checks must not replace a good one). Without any
//! good copy (the OP was down at start-up, or it is the broker's own development simulator, not
//! listening yet) the first login fetches it.

use super::backchannel::{self, post_form};
use super::claims;
use super::client_auth;
use super::discovery::{self, Provider};
use super::error::{OidcUpstreamError, UpstreamErrorCode};
use super::id_token::{self, Expected, IdTokenError, VerifiedIdToken};
use super::jwe;
use super::request::{self, LoginSecrets, ParResponse, RequestShape};
use super::settings::{ClientAuth, MetadataSource, UpstreamSettings};
use super::token;
use super::userinfo;
use crate::trust::TrustLevel;
use serde_json::{Map, Value};
use std::sync::{Arc, RwLock, Weak};
use std::time::Duration;
use url::Url;

/// How old an ID token's `iat` may be (seconds): it comes straight from the token endpoint.
const MAX_TOKEN_AGE: i64 = 600;
/// At most one JWKS refetch per this many seconds (an unknown `kid` must not become a way to make
/// the broker hammer the OP).
const JWKS_REFETCH_GAP: i64 = 10;

/// One upstream OP.
pub struct OidcUpstream {
    settings: UpstreamSettings,
    http: reqwest::Client,
    provider: RwLock<Option<Arc<Provider>>>,
    last_jwks_fetch: std::sync::atomic::AtomicI64,
}

impl std::fmt::Debug for OidcUpstream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OidcUpstream")
            .field("name", &self.settings.name)
            .field("issuer", &self.settings.issuer)
            .finish()
    }
}

/// What `start` needs to know of the login.
#[derive(Debug, Clone)]
pub struct StartRequest<'a> {
    /// The method's callback.
    pub redirect_uri: &'a Url,
    /// The level the relying party needs.
    pub required: TrustLevel,
    /// `de` / `en`.
    pub locale: &'a str,
    /// The relying party's `login_hint`, passed on only if plausible.
    pub login_hint: Option<&'a str>,
    /// Now (seconds since the epoch).
    pub now: i64,
}

/// A started login: where the browser goes and what must be kept for the callback.
#[derive(Debug, Clone)]
pub struct Started {
    /// The browser's next URL.
    pub url: Url,
    /// The secrets to park.
    pub secrets: LoginSecrets,
    /// `max_age` sent.
    pub max_age: Option<u64>,
}

/// The authorization response at the callback.
#[derive(Debug, Clone, Default)]
pub struct Callback {
    /// `code`.
    pub code: Option<String>,
    /// `error`.
    pub error: Option<String>,
    /// `iss` (RFC 9207).
    pub iss: Option<String>,
}

/// What was kept for this login (from the transaction record).
#[derive(Debug, Clone)]
pub struct Kept<'a> {
    /// `nonce` sent.
    pub nonce: &'a str,
    /// PKCE verifier.
    pub verifier: &'a str,
    /// `redirect_uri` sent.
    pub redirect_uri: &'a str,
    /// Level required.
    pub required: TrustLevel,
    /// `max_age` sent.
    pub max_age: Option<u64>,
}

/// A verified upstream login.
#[derive(Debug, Clone)]
pub struct LoginOutcome {
    /// The OP's `sub` (the caller namespaces it by method).
    pub sub: String,
    /// `acr` as asserted.
    pub acr: Option<String>,
    /// The level of that `acr` by the table (not yet capped by the method's ceiling).
    pub level: TrustLevel,
    /// Mapped claims (our names).
    pub attributes: Map<String, Value>,
    /// `auth_time`, or the time of the callback when the OP sent none.
    pub auth_time: i64,
    /// The ID token as received (the `id_token_hint` of a later logout at the OP).
    pub id_token: String,
}

impl OidcUpstream {
    /// Build the client (no network yet).
    pub fn new(settings: UpstreamSettings) -> Result<Arc<Self>, String> {
        let http = backchannel::client(&settings)?;
        Ok(Arc::new(Self {
            settings,
            http,
            provider: RwLock::new(None),
            last_jwks_fetch: std::sync::atomic::AtomicI64::new(i64::MIN),
        }))
    }

    /// The settings.
    pub fn settings(&self) -> &UpstreamSettings {
        &self.settings
    }

    /// The cached provider, if any.
    pub fn cached(&self) -> Option<Arc<Provider>> {
        self.provider.read().ok().and_then(|g| g.clone())
    }

    fn store(&self, p: Provider) -> Arc<Provider> {
        let p = Arc::new(p);
        if let Ok(mut g) = self.provider.write() {
            *g = Some(p.clone());
        }
        p
    }

    /// Fetch metadata and JWKS now; on success the cache is replaced, on failure it is kept.
    pub async fn refresh(&self) -> Result<Arc<Provider>, OidcUpstreamError> {
        let fetched = self.fetch().await;
        match fetched {
            Ok(p) => Ok(self.store(p)),
            Err(e) => {
                tracing::warn!(upstream = %self.settings.name, error = %e, kept = self.cached().is_some(), "provider metadata refresh failed");
                Err(e)
            }
        }
    }

    async fn fetch(&self) -> Result<Provider, OidcUpstreamError> {
        let disc = |e: String| OidcUpstreamError::Discovery(e);
        let doc = match &self.settings.metadata {
            MetadataSource::File { json } => json.as_bytes().to_vec(),
            MetadataSource::Discover { .. } => {
                let url = discovery::well_known(&self.settings.issuer).map_err(disc)?;
                let a = backchannel::get(&self.http, "discovery", &url, None).await?;
                if !a.status.is_success() {
                    return Err(disc(format!("discovery answered HTTP {}", a.status.as_u16())));
                }
                a.body
            }
        };
        let (mut provider, jwks_uri) = discovery::parse_metadata(&doc, &self.settings.issuer).map_err(disc)?;
        provider.keys = self.fetch_jwks(&jwks_uri).await?;
        Ok(provider)
    }

    async fn fetch_jwks(&self, uri: &Url) -> Result<Vec<jsonwebtoken::jwk::Jwk>, OidcUpstreamError> {
        let a = backchannel::get(&self.http, "jwks", uri, None).await?;
        if !a.status.is_success() {
            return Err(OidcUpstreamError::Discovery(format!("JWKS answered HTTP {}", a.status.as_u16())));
        }
        discovery::parse_jwks(&a.body).map_err(OidcUpstreamError::Discovery)
    }

    /// The provider: cached, or fetched now.
    pub async fn provider(&self) -> Result<Arc<Provider>, OidcUpstreamError> {
        match self.cached() {
            Some(p) => Ok(p),
            None => self.refresh().await,
        }
    }

    /// Refresh in the background (discovery only): at once, then every `refresh`. The task ends
    /// when the upstream is dropped. Needs a Tokio runtime; without one it does nothing.
    pub fn spawn_refresh(self: &Arc<Self>) {
        let MetadataSource::Discover { refresh } = self.settings.metadata else {
            return;
        };
        let Ok(rt) = tokio::runtime::Handle::try_current() else {
            return;
        };
        let weak: Weak<Self> = Arc::downgrade(self);
        let every = refresh.max(Duration::from_secs(60));
        rt.spawn(async move {
            loop {
                match weak.upgrade() {
                    Some(up) => {
                        let _ = up.refresh().await;
                    }
                    None => return,
                }
                tokio::time::sleep(every).await;
            }
        });
    }

    /// Build the authorization request (with PAR when the OP offers it).
    pub async fn start(&self, req: &StartRequest<'_>) -> Result<Started, OidcUpstreamError> {
        let provider = self.provider().await?;
        let s = &self.settings;
        let secrets = LoginSecrets::fresh();
        let shape = RequestShape {
            client_id: &s.client_id,
            redirect_uri: req.redirect_uri,
            scopes: &s.scopes,
            acr: &s.acr,
            required: req.required,
            max_age: s.max_age,
            locale: req.locale,
            login_hint: req.login_hint.filter(|h| request::plausible_login_hint(h)),
        };
        let params = request::parameters(&shape, &provider, &secrets)?;
        let url = match self.par_endpoint(&provider) {
            Some(par) => {
                let request_uri = self.push(par, &provider, params, req.now).await?;
                request::front_channel_url(
                    &provider.authorization_endpoint,
                    &[("client_id".into(), s.client_id.clone()), ("request_uri".into(), request_uri)],
                )
            }
            None if s.require_par => return Err(OidcUpstreamError::ParUnavailable),
            None => request::front_channel_url(&provider.authorization_endpoint, &params),
        };
        Ok(Started {
            url,
            secrets,
            max_age: s.max_age,
        })
    }

    fn mtls(&self) -> bool {
        matches!(self.settings.client_auth, ClientAuth::TlsClientAuth(_))
    }

    fn par_endpoint<'p>(&self, p: &'p Provider) -> Option<&'p Url> {
        let alias = if self.mtls() { p.mtls.par.as_ref() } else { None };
        alias.or(p.par_endpoint.as_ref())
    }

    /// RFC 9126 §2: push the parameters, get a `request_uri`.
    async fn push(
        &self,
        endpoint: &Url,
        provider: &Provider,
        mut params: Vec<(String, String)>,
        now: i64,
    ) -> Result<String, OidcUpstreamError> {
        let creds = client_auth::credentials(&self.settings.client_auth, &self.settings.client_id, &provider.issuer, now)
            .map_err(OidcUpstreamError::Internal)?;
        // client_id is in both the parameters and (for JWT/mTLS) the credentials: once is enough.
        params.retain(|(k, _)| k != "client_id" || creds.fields.iter().all(|(n, _)| n != "client_id"));
        params.extend(creds.fields);
        let a = post_form(&self.http, "par", endpoint, &params, creds.authorization.as_deref()).await?;
        if !a.status.is_success() {
            return Err(backchannel::refused("par", &a));
        }
        let r: ParResponse = serde_json::from_slice(&a.body).map_err(|_| OidcUpstreamError::Malformed("par"))?;
        if r.request_uri.is_empty() || r.request_uri.len() > 512 {
            return Err(OidcUpstreamError::Malformed("par"));
        }
        Ok(r.request_uri)
    }

    /// Finish a login from its callback: upstream error, `iss`, code redemption, ID token,
    /// userinfo, level, claims.
    pub async fn finish(&self, kept: &Kept<'_>, cb: &Callback, now: i64) -> Result<LoginOutcome, OidcUpstreamError> {
        let provider = self.provider().await?;
        // RFC 9207 §2.4: error responses carry `iss` too; an error from another OP is not ours.
        token::check_iss(cb.iss.as_deref(), &provider)?;
        if let Some(e) = &cb.error {
            return Err(OidcUpstreamError::Upstream(UpstreamErrorCode::parse(e)));
        }
        let code = cb
            .code
            .as_deref()
            .filter(|c| !c.is_empty() && c.len() <= 2048)
            .ok_or(OidcUpstreamError::Callback("no code"))?;
        let (raw_id_token, access_token) = self.redeem(&provider, code, kept, now).await?;
        let (verified, provider) = self.verify_id_token(provider, &raw_id_token, kept, now).await?;
        let level = self.settings.acr.level(verified.acr.as_deref());
        if level < kept.required {
            return Err(OidcUpstreamError::LevelTooLow);
        }
        let userinfo = match (self.settings.userinfo, &access_token) {
            (true, Some(at)) => Some(self.userinfo(&provider, at, &verified.sub).await?),
            (true, None) => return Err(OidcUpstreamError::Userinfo("no bearer access token for userinfo".into())),
            (false, _) => None,
        };
        let merged = claims::merge(&verified.claims, userinfo.as_ref());
        let attributes = claims::map_claims(&merged, &self.settings.claims, &self.settings.trust_frameworks);
        Ok(LoginOutcome {
            sub: verified.sub,
            acr: verified.acr,
            level,
            attributes,
            auth_time: verified.auth_time.unwrap_or(now),
            id_token: raw_id_token,
        })
    }

    async fn redeem(
        &self,
        provider: &Provider,
        code: &str,
        kept: &Kept<'_>,
        now: i64,
    ) -> Result<(String, Option<String>), OidcUpstreamError> {
        let creds = client_auth::credentials(&self.settings.client_auth, &self.settings.client_id, &provider.issuer, now)
            .map_err(OidcUpstreamError::Internal)?;
        let mut fields: Vec<(String, String)> = vec![
            ("grant_type".into(), "authorization_code".into()),
            ("code".into(), code.into()),
            ("redirect_uri".into(), kept.redirect_uri.into()),
            ("code_verifier".into(), kept.verifier.into()),
        ];
        fields.extend(creds.fields);
        let endpoint = if self.mtls() { provider.mtls.token.as_ref() } else { None }.unwrap_or(&provider.token_endpoint);
        let a = post_form(&self.http, "token", endpoint, &fields, creds.authorization.as_deref()).await?;
        token::parse_token_response(&a)
    }

    /// Decrypt if needed, verify the signature (refetching the JWKS once for an unknown `kid`),
    /// then the claims.
    async fn verify_id_token(
        &self,
        provider: Arc<Provider>,
        raw: &str,
        kept: &Kept<'_>,
        now: i64,
    ) -> Result<(VerifiedIdToken, Arc<Provider>), OidcUpstreamError> {
        let jws = match (&self.settings.decryption_key, jwe::is_jwe(raw)) {
            (Some(k), true) => jwe::decrypt(raw, &k.0)?,
            (Some(_), false) => return Err(IdTokenError::Encryption("expected an encrypted ID token".into()).into()),
            (None, true) => return Err(IdTokenError::Encryption("encrypted, but no decryption key is configured".into()).into()),
            (None, false) => raw.to_owned(),
        };
        let (claims, provider) = match id_token::verify_signature(&jws, &provider.id_token_algs, &provider.keys) {
            Err(IdTokenError::UnknownKey) => {
                let fresh = self.refetch_keys(&provider, now).await?;
                (id_token::verify_signature(&jws, &fresh.id_token_algs, &fresh.keys)?, fresh)
            }
            other => (other?, provider),
        };
        let expected = Expected {
            issuer: &provider.issuer,
            client_id: &self.settings.client_id,
            nonce: kept.nonce,
            now,
            skew: i64::try_from(self.settings.max_skew.as_secs()).unwrap_or(60),
            max_token_age: MAX_TOKEN_AGE,
            max_age: kept.max_age,
        };
        Ok((id_token::check_claims(claims, &expected)?, provider))
    }

    /// The OP rotated its keys: fetch the JWKS again (at most once per [`JWKS_REFETCH_GAP`]).
    async fn refetch_keys(&self, provider: &Provider, now: i64) -> Result<Arc<Provider>, OidcUpstreamError> {
        use std::sync::atomic::Ordering;
        let last = self.last_jwks_fetch.load(Ordering::Relaxed);
        if now.saturating_sub(last) < JWKS_REFETCH_GAP {
            return Err(IdTokenError::UnknownKey.into());
        }
        self.last_jwks_fetch.store(now, Ordering::Relaxed);
        let keys = self.fetch_jwks(&provider.jwks_uri).await?;
        let mut fresh = provider.clone();
        fresh.keys = keys;
        Ok(self.store(fresh))
    }

    async fn userinfo(&self, provider: &Provider, access_token: &str, sub: &str) -> Result<Map<String, Value>, OidcUpstreamError> {
        let endpoint = if self.mtls() { provider.mtls.userinfo.as_ref() } else { None }
            .or(provider.userinfo_endpoint.as_ref())
            .ok_or_else(|| OidcUpstreamError::Userinfo("the provider has no userinfo endpoint".into()))?;
        let a = backchannel::get(&self.http, "userinfo", endpoint, Some(access_token)).await?;
        userinfo::parse_userinfo(&a, provider, &self.settings.client_id, sub)
    }
}

#[cfg(test)]
mod tests;
