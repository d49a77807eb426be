//! Token Status List (draft-ietf-oauth-status-list, HAIP 1.0 §6.1): is a PID revoked? The PID's
//! `status.status_list` names a URI and an index; the token at the URI (`statuslist+jwt`, signed
//! by a key chaining to a PID-provider anchor, `sub` = the URI) carries `status_list`
//! {`bits`, `lst`}: `lst` is base64url of a zlib-compressed byte array holding `bits` bits per
//! credential, index 0 in the least significant bits of the first byte (§4.1). Status 0 is VALID;
//! anything else (1 INVALID, 2 SUSPENDED, application-specific values) refuses the login.

use crate::clock::Clock;
use crate::eudi::error::WalletError;
use crate::eudi::jws;
use crate::eudi::trust::PidTrust;
use async_trait::async_trait;
use base64::Engine;
use serde_json::Value;
use std::collections::HashMap;
use std::io::Read;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

/// `typ` of a status list token (§5.1).
pub const TYP: &str = "statuslist+jwt";
/// Largest decompressed list accepted (a zlib bomb stops here): 16 MiB, 134 million 1-bit entries.
const MAX_LIST: u64 = 16 << 20;
/// Largest status list token fetched.
const MAX_TOKEN: usize = 4 << 20;
/// Longest time a token is cached, whatever its `ttl` says.
const MAX_CACHE: Duration = Duration::from_secs(3600);

/// Where status list tokens come from (HTTP in production, the dev issuer in tests).
#[async_trait]
pub trait StatusSource: Send + Sync {
    /// The status list token (compact JWS) published at `uri`.
    async fn status_list_token(&self, uri: &url::Url) -> Result<String, WalletError>;
}

/// A decoded, verified status list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusList {
    bits: u8,
    list: Vec<u8>,
}

impl StatusList {
    /// From `bits` and `lst` (§4.1, §4.2).
    pub fn decode(bits: u64, lst: &str) -> Result<Self, WalletError> {
        let bits = match bits {
            1 | 2 | 4 | 8 => bits as u8,
            other => return Err(WalletError::StatusList(format!("bits = {other}"))),
        };
        let compressed = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(lst)
            .map_err(|_| WalletError::StatusList("lst not base64url".into()))?;
        let mut list = Vec::new();
        flate2::read::ZlibDecoder::new(compressed.as_slice())
            .take(MAX_LIST + 1)
            .read_to_end(&mut list)
            .map_err(|_| WalletError::StatusList("lst not zlib".into()))?;
        if list.len() as u64 > MAX_LIST {
            return Err(WalletError::StatusList("lst too large".into()));
        }
        Ok(Self { bits, list })
    }

    /// The status at `idx`, or `None` past the end of the list.
    pub fn get(&self, idx: u64) -> Option<u8> {
        let bit = idx.checked_mul(u64::from(self.bits))?;
        let byte = *self.list.get(usize::try_from(bit / 8).ok()?)?;
        let mask = ((1u16 << self.bits) - 1) as u8;
        Some((byte >> (bit % 8)) & mask)
    }
}

/// Verify a status list token fetched from `uri` and decode its list (§5.1, §8.3).
pub fn verify_token(token: &str, uri: &url::Url, trust: &PidTrust, now: SystemTime, skew: u64) -> Result<StatusList, WalletError> {
    let (alg, header) = jws::header(token).map_err(|e| WalletError::StatusList(e.to_string()))?;
    jws::check_typ(&header, TYP, None).map_err(|e| WalletError::StatusList(e.to_string()))?;
    let chain: Vec<Vec<u8>> = header
        .get("x5c")
        .and_then(Value::as_array)
        .map(|l| {
            l.iter()
                .filter_map(|c| c.as_str().and_then(|s| base64::engine::general_purpose::STANDARD.decode(s).ok()))
                .collect()
        })
        .unwrap_or_default();
    let leaf = trust
        .verify_chain(&chain, now)
        .map_err(|e| WalletError::StatusList(format!("signer: {e}")))?;
    if alg != leaf.alg() {
        return Err(WalletError::StatusList("alg does not fit the x5c key".into()));
    }
    let claims = jws::verify(token, leaf.key(), alg).map_err(|_| WalletError::StatusList("signature invalid".into()))?;
    // §5.1: `sub` MUST equal the URI the Referenced Token pointed to, so one provider's list
    // cannot stand in for another.
    if claims.get("sub").and_then(Value::as_str) != Some(uri.as_str()) {
        return Err(WalletError::StatusList("sub is not the status list URI".into()));
    }
    let t = crate::clock::unix_seconds(now);
    let skew = i64::try_from(skew).unwrap_or(i64::MAX);
    if jws::numeric_date(&claims, "exp")?.is_some_and(|e| e.saturating_add(skew) <= t) {
        return Err(WalletError::StatusList("expired".into()));
    }
    if jws::numeric_date(&claims, "iat")?.is_some_and(|i| i > t.saturating_add(skew)) {
        return Err(WalletError::StatusList("issued in the future".into()));
    }
    let sl = claims
        .get("status_list")
        .ok_or_else(|| WalletError::StatusList("status_list missing".into()))?;
    let bits = sl.get("bits").and_then(Value::as_u64).unwrap_or(0);
    let lst = sl
        .get("lst")
        .and_then(Value::as_str)
        .ok_or_else(|| WalletError::StatusList("lst missing".into()))?;
    StatusList::decode(bits, lst)
}

/// Check the status of credential `idx` in the list at `uri`: only VALID (0) passes.
pub async fn check(
    source: &dyn StatusSource,
    trust: &PidTrust,
    uri: &url::Url,
    idx: u64,
    now: SystemTime,
    skew: u64,
) -> Result<(), WalletError> {
    let token = source.status_list_token(uri).await?;
    let list = verify_token(&token, uri, trust, now, skew)?;
    match list.get(idx) {
        Some(0) => Ok(()),
        Some(s) => Err(WalletError::Revoked(s)),
        None => Err(WalletError::StatusList("index outside the list".into())),
    }
}

/// Fetches status list tokens over HTTP(S), caching each per URI until its `ttl` (§13.7) or
/// `exp` runs out (at most an hour). Tokens are cached as fetched and verified at every use, so
/// the cache never holds a decision.
pub struct HttpStatusSource {
    client: reqwest::Client,
    clock: Arc<dyn Clock>,
    allow_http: bool,
    cache: Mutex<HashMap<url::Url, (String, SystemTime)>>,
}

impl HttpStatusSource {
    /// A source using `client`; `allow_http` only in development (https otherwise, §11.3).
    pub fn new(client: reqwest::Client, clock: Arc<dyn Clock>, allow_http: bool) -> Self {
        Self {
            client,
            clock,
            allow_http,
            cache: Mutex::new(HashMap::new()),
        }
    }

    fn cached(&self, uri: &url::Url, now: SystemTime) -> Option<String> {
        let cache = self.cache.lock().ok()?;
        cache.get(uri).filter(|(_, until)| *until > now).map(|(t, _)| t.clone())
    }

    fn keep(&self, uri: &url::Url, token: &str, now: SystemTime) {
        let Some(life) = cache_life(token, now) else { return };
        if let Ok(mut cache) = self.cache.lock() {
            cache.retain(|_, (_, until)| *until > now);
            cache.insert(uri.clone(), (token.to_owned(), now + life));
        }
    }
}

/// How long a token may be reused: `ttl`, bounded by `exp` and [`MAX_CACHE`]; none without either.
fn cache_life(token: &str, now: SystemTime) -> Option<Duration> {
    let payload = token.split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(payload).ok()?;
    let claims: Value = serde_json::from_slice(&bytes).ok()?;
    let t = crate::clock::unix_seconds(now);
    let by_exp = claims.get("exp").and_then(Value::as_i64).map(|e| e.saturating_sub(t));
    let by_ttl = claims.get("ttl").and_then(Value::as_i64);
    let secs = match (by_ttl, by_exp) {
        (Some(a), Some(b)) => a.min(b),
        (Some(a), None) | (None, Some(a)) => a,
        (None, None) => return None,
    };
    let secs = u64::try_from(secs).ok().filter(|s| *s > 0)?;
    Some(Duration::from_secs(secs).min(MAX_CACHE))
}

#[async_trait]
impl StatusSource for HttpStatusSource {
    async fn status_list_token(&self, uri: &url::Url) -> Result<String, WalletError> {
        let now = self.clock.now();
        if let Some(t) = self.cached(uri, now) {
            return Ok(t);
        }
        if uri.scheme() != "https" && !(self.allow_http && uri.scheme() == "http") {
            return Err(WalletError::StatusUnavailable(format!("{} is not https", uri.scheme())));
        }
        let resp = self
            .client
            .get(uri.clone())
            .header(reqwest::header::ACCEPT, "application/statuslist+jwt")
            .send()
            .await
            .map_err(|e| WalletError::StatusUnavailable(e.without_url().to_string()))?;
        // A redirect must not downgrade to plain HTTP either.
        if resp.url().scheme() != "https" && !self.allow_http {
            return Err(WalletError::StatusUnavailable("redirected away from https".into()));
        }
        if !resp.status().is_success() {
            return Err(WalletError::StatusUnavailable(format!("HTTP {}", resp.status())));
        }
        if resp.content_length().is_some_and(|l| l > MAX_TOKEN as u64) {
            return Err(WalletError::StatusUnavailable("token too large".into()));
        }
        let body = resp
            .bytes()
            .await
            .map_err(|e| WalletError::StatusUnavailable(e.without_url().to_string()))?;
        if body.len() > MAX_TOKEN {
            return Err(WalletError::StatusUnavailable("token too large".into()));
        }
        let token = String::from_utf8(body.to_vec())
            .map_err(|_| WalletError::StatusUnavailable("token not text".into()))?
            .trim()
            .to_owned();
        self.keep(uri, &token, now);
        Ok(token)
    }
}

#[cfg(test)]
mod tests;
