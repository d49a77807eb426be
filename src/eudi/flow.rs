//! The verifier side of one wallet login, from start to the verified identity: the service the
//! `eudi_wallet` authenticator and the `/wallet/*` endpoints share (docs/eudi-wallet.md).
//!
//! 1. [`WalletFlow::begin`]: a transaction (nonce, state, ephemeral key, DCQL) under a fresh handle.
//! 2. [`WalletFlow::request_object`]: the signed request at `request_uri`; the first fetch fixes
//!    whether the wallet came by the same-device link or by the QR code.
//! 3. [`WalletFlow::receive`]: the encrypted response: decrypted, `state` checked, claimed once,
//!    verified ([`PidVerifier`]); the outcome (an identity, or the refusal) is parked in the
//!    transaction; same-device answers get a `redirect_uri` with a fresh `response_code`.
//! 4. The browser comes back (`/wallet/return` or "Weiter"); the login layer checks the binding,
//!    then the authenticator takes the transaction ([`WalletFlow::take`]).

use super::client_id::ClientId;
use super::request::{self, EncryptionKey, RequestParams};
use super::response::{self, ResponseError, ResponseForm, WalletAnswer};
use super::settings::WalletSettings;
use super::status_list::StatusSource;
use super::transaction::{self, Arrived, Flow, Handle, WalletTransaction};
use super::verify::{Expected, PidVerifier};
use crate::identity::{MethodId, VerifiedIdentity};
use crate::ids::PendingId;
use crate::keys::jwe::JweKey;
use crate::session::{Records, StoreError};
use crate::trust::TrustLevel;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// `amr` of a wallet login (RFC 8176 has none for it; ours, docs/relying-parties.md).
pub const AMR: &str = "eudi-pid";

/// Why a step of the flow failed. [`FlowError::wire_code`] is what a wallet reads.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FlowError {
    /// No such transaction (unknown, expired, finished).
    #[error("unknown or expired transaction")]
    Unknown,
    /// The transaction already had its response.
    #[error("this transaction already received its response")]
    Answered,
    /// The request was fetched by the other flow (same-device link vs. QR code).
    #[error("this request was already fetched by another device flow")]
    OtherFlow,
    /// The response was not acceptable (plaintext, JWE, kid, state).
    #[error(transparent)]
    Response(#[from] ResponseError),
    /// The presentation was refused by the verifier (`reason`: `WalletError::reason`).
    #[error("presentation refused: {reason}")]
    Refused {
        /// The short reason class.
        reason: String,
    },
    /// The wallet answered with an error (the person declined, §8.5).
    #[error("the wallet answered with error {0}")]
    Declined(String),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Key or signing failure.
    #[error("internal: {0}")]
    Internal(String),
}

impl FlowError {
    /// OAuth error code for the JSON answer (OpenID4VP 1.0 §8.2; RFC 6749 §5.2 codes).
    pub fn wire_code(&self) -> &'static str {
        match self {
            Self::Store(_) | Self::Internal(_) => "server_error",
            Self::Refused { .. } | Self::Declined(_) => "access_denied",
            _ => "invalid_request",
        }
    }

    /// Whether the fault is ours (5xx).
    pub fn is_server_error(&self) -> bool {
        matches!(self, Self::Store(_) | Self::Internal(_))
    }
}

/// What a new login needs.
#[derive(Debug, Clone)]
pub struct Begin<'a> {
    /// The method.
    pub method: &'a MethodId,
    /// The parked request.
    pub pending_id: &'a PendingId,
    /// The level it needs.
    pub required_level: TrustLevel,
    /// The request's language.
    pub locale: &'a str,
    /// The relying party's scopes (they choose the PID claims asked for).
    pub scopes: &'a [String],
    /// Now.
    pub now: SystemTime,
}

/// What the wallet's response endpoint answers (200).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Accepted {
    /// `{issuer}/wallet/return?response_code=…` for same-device, none for cross-device.
    pub redirect_uri: Option<String>,
}

/// The shared verifier service.
pub struct WalletFlow {
    settings: WalletSettings,
    records: Records,
    verifier: PidVerifier,
    /// The broker's issuer URL without a trailing slash (our endpoints hang below it).
    base: String,
}

fn unix(t: SystemTime) -> i64 {
    t.duration_since(UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0)
}

impl WalletFlow {
    /// The service over `records` for the broker at `issuer`.
    pub fn new(settings: WalletSettings, records: Records, issuer: &str, status: Arc<dyn StatusSource>) -> Self {
        let verifier =
            PidVerifier::new((*settings.trust).clone(), status).with_windows(PidVerifier::DEFAULT_SKEW, settings.kb_jwt_max_age.as_secs());
        Self {
            settings,
            records,
            verifier,
            base: issuer.trim_end_matches('/').to_owned(),
        }
    }

    /// The settings.
    pub fn settings(&self) -> &WalletSettings {
        &self.settings
    }

    /// Our `client_id`.
    pub fn client_id(&self) -> ClientId {
        self.settings.access.client_id()
    }

    /// `{issuer}{path}`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// `request_uri` for a flow (the QR code's carries `flow=cross`).
    pub fn request_uri(&self, handle: &Handle, flow: Flow) -> String {
        let uri = self.url(&format!("/wallet/request/{}", handle.as_str()));
        match flow {
            Flow::SameDevice => uri,
            Flow::CrossDevice => format!("{uri}?flow=cross"),
        }
    }

    /// The wallet URL for a flow.
    pub fn wallet_url(&self, handle: &Handle, flow: Flow) -> String {
        request::wallet_url(
            &self.settings.scheme,
            &self.client_id(),
            &self.request_uri(handle, flow),
            self.settings.request_uri_method_post,
        )
    }

    /// Start: park a transaction, return its handle.
    pub async fn begin(&self, b: &Begin<'_>) -> Result<Handle, FlowError> {
        let key = EncryptionKey::generate().map_err(|e| FlowError::Internal(e.to_string()))?;
        let claims = super::pid::PidClaim::for_scopes(b.scopes.iter().map(String::as_str));
        let dcql = super::dcql::pid_query(&claims, &self.settings.trust.akis());
        let t = WalletTransaction {
            method: b.method.0.clone(),
            pending_id: b.pending_id.clone(),
            required_level: b.required_level,
            locale: b.locale.to_owned(),
            nonce: crate::ids::random_id(),
            state: crate::ids::random_id(),
            key_pkcs8: URL_SAFE_NO_PAD.encode(key.pkcs8.as_slice()),
            kid: key.kid,
            dcql,
            issued_at: unix(b.now),
            flow: None,
            arrived: None,
            response_code_hash: None,
        };
        let handle = Handle::generate();
        transaction::put(&self.records, &handle, &t, self.settings.transaction_ttl).await?;
        Ok(handle)
    }

    /// The transaction, if it lives and has not expired at `now`.
    pub async fn get(&self, handle: &Handle, now: SystemTime) -> Result<Option<WalletTransaction>, FlowError> {
        Ok(transaction::get(&self.records, handle).await?.filter(|t| !self.expired(t, now)))
    }

    fn expired(&self, t: &WalletTransaction, now: SystemTime) -> bool {
        let ttl = i64::try_from(self.settings.transaction_ttl.as_secs()).unwrap_or(i64::MAX);
        unix(now) > t.issued_at.saturating_add(ttl)
    }

    fn remaining(&self, t: &WalletTransaction, now: SystemTime) -> Duration {
        let end = t
            .issued_at
            .saturating_add(i64::try_from(self.settings.transaction_ttl.as_secs()).unwrap_or(i64::MAX));
        Duration::from_secs(end.saturating_sub(unix(now)).max(1) as u64)
    }

    fn key_of(t: &WalletTransaction) -> Result<(EncryptionKey, JweKey), FlowError> {
        let der = zeroize::Zeroizing::new(
            URL_SAFE_NO_PAD
                .decode(&t.key_pkcs8)
                .map_err(|_| FlowError::Internal("transaction key unreadable".into()))?,
        );
        let enc = EncryptionKey::from_pkcs8(&der).map_err(|e| FlowError::Internal(e.to_string()))?;
        let jwe = JweKey::from_pkcs8(&der).map_err(FlowError::Internal)?;
        Ok((enc, jwe))
    }

    /// The signed request object for `handle` (GET, or POST with `wallet_nonce`).
    pub async fn request_object(
        &self,
        handle: &Handle,
        flow: Flow,
        wallet_nonce: Option<&str>,
        now: SystemTime,
    ) -> Result<String, FlowError> {
        let mut t = self.get(handle, now).await?.ok_or(FlowError::Unknown)?;
        if t.arrived.is_some() {
            return Err(FlowError::Answered);
        }
        match t.flow {
            Some(f) if f != flow => return Err(FlowError::OtherFlow),
            Some(_) => {}
            None => {
                t.flow = Some(flow);
                if !transaction::update(&self.records, handle, &t, self.remaining(&t, now)).await? {
                    return Err(FlowError::Unknown);
                }
            }
        }
        let (key, _) = Self::key_of(&t)?;
        let response_uri = self.url(&format!("/wallet/response/{}", handle.as_str()));
        let client_id = self.client_id();
        let lifetime = i64::try_from(self.remaining(&t, now).as_secs()).unwrap_or(60);
        let params = RequestParams {
            client_id: &client_id,
            response_uri: &response_uri,
            nonce: &t.nonce,
            state: &t.state,
            dcql: &t.dcql,
            enc_jwk: &key.jwk,
            wallet_nonce,
            now: unix(now),
            lifetime,
        };
        request::sign(&params, &self.settings.access).map_err(|e| FlowError::Internal(e.to_string()))
    }

    /// The wallet's response at `response_uri`.
    pub async fn receive(&self, handle: &Handle, form: &ResponseForm, now: SystemTime) -> Result<Accepted, FlowError> {
        // A plaintext response is refused before anything is looked up (HAIP: encrypted only).
        if form.response.is_none() && form.plaintext {
            return Err(ResponseError::Plaintext.into());
        }
        let mut t = self.get(handle, now).await?.ok_or(FlowError::Unknown)?;
        if t.arrived.is_some() {
            return Err(FlowError::Answered);
        }
        let (_, key) = Self::key_of(&t)?;
        let answer = response::open(form, &key, &t.kid, &t.state)?;
        // Single use from here: of two responses with the right state, only the first counts.
        let ttl = self.remaining(&t, now);
        if !transaction::claim_response(&self.records, handle, ttl).await? {
            return Err(FlowError::Answered);
        }
        let outcome = match answer {
            WalletAnswer::Error(code) => Err((true, code)),
            WalletAnswer::VpToken(vp) => {
                let client_id = self.client_id();
                let expected = Expected {
                    nonce: &t.nonce,
                    client_id: client_id.as_str(),
                    query: &t.dcql,
                    now,
                };
                match self.verifier.verify(&vp, &expected).await {
                    Ok(pid) => Ok(VerifiedIdentity {
                        method: MethodId(t.method.clone()),
                        // High only because the chain led to a configured PID provider (the
                        // verifier refuses anything else); the method's ceiling caps it at finish.
                        level: TrustLevel::High,
                        subject: pid.subject(self.settings.subject_key.expose()),
                        attributes: pid.attributes(),
                        organisation: None,
                        amr: vec![AMR.to_owned()],
                        auth_time: unix(now),
                        upstream_session: None,
                    }),
                    Err(e) => Err((false, e.reason().to_owned())).inspect_err(|_| {
                        tracing::info!(reason = e.reason(), error = %e, "wallet presentation refused");
                    }),
                }
            }
        };
        let refused = outcome.as_ref().err().cloned();
        t.arrived = Some(match outcome {
            Ok(identity) => Arrived::Verified {
                identity: Box::new(identity),
            },
            Err((declined, reason)) => Arrived::Refused { declined, reason },
        });
        // Same-device: a fresh response_code the browser must present (§8.2, HAIP); only its
        // hash is kept (the index record's key).
        let code = (t.flow != Some(Flow::CrossDevice) && refused.is_none()).then(crate::ids::random_id);
        if let Some(c) = &code {
            t.response_code_hash = Some(crate::ids::store_id(c));
            transaction::put_code(&self.records, c, handle, ttl).await?;
        }
        if !transaction::update(&self.records, handle, &t, ttl).await? {
            return Err(FlowError::Unknown);
        }
        if let Some((declined, reason)) = refused {
            return Err(if declined {
                FlowError::Declined(reason)
            } else {
                FlowError::Refused { reason }
            });
        }
        Ok(Accepted {
            redirect_uri: code.map(|c| {
                let mut q = url::form_urlencoded::Serializer::new(String::new());
                q.append_pair("response_code", &c);
                self.url(&format!("/wallet/return?{}", q.finish()))
            }),
        })
    }

    /// The handle a `response_code` belongs to (consumed: single use).
    pub async fn redeem_code(&self, code: &str) -> Result<Option<Handle>, FlowError> {
        if !transaction::plausible(code) {
            return Ok(None);
        }
        Ok(transaction::take_code(&self.records, code).await?)
    }

    /// Take the transaction to finish the login (single use).
    pub async fn take(&self, handle: &Handle) -> Result<Option<WalletTransaction>, FlowError> {
        Ok(transaction::take(&self.records, handle).await?)
    }
}
