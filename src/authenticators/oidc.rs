//! The [`Authenticator`] for an upstream OpenID Connect provider (`kind = "oidc"`, issue 10):
//! bank-ID and its relatives. The protocol lives in [`crate::oidc_upstream`]; this file keeps the
//! per-login secrets in the store and turns the outcome into a [`VerifiedIdentity`].
//!
//! `start` builds the request, parks `state` → (pending id, nonce, PKCE verifier, level) sealed
//! with the pending login's TTL, and redirects. `finish` takes that record (single use: a replayed
//! callback finds nothing), checks that it belongs to this method and this pending login, lets the
//! upstream redeem and verify, caps the level by the method's ceiling and refuses a level below the
//! requirement. The upstream subject is namespaced by the method (`bankid:<sub>`): subjects are
//! unique only within the OP that issued them. The ID token is kept in the broker session as the
//! `id_token_hint` with which `end_upstream_session` ends the OP's session at logout.

use super::{Authenticator, AuthnError, LoginContext, StartAction, UpstreamLogout, UpstreamReturn};
use crate::clock::unix_seconds;
use crate::identity::{MethodId, UpstreamSession, UpstreamSubject, VerifiedIdentity, LOGIN_REQUIRED};
use crate::ids::PendingId;
use crate::oidc_upstream::logout::EndSession;
use crate::oidc_upstream::transaction::{self, Transaction};
use crate::oidc_upstream::{Callback, OidcUpstream, OidcUpstreamError, StartRequest, UpstreamErrorCode};
use crate::session::Records;
use crate::trust::TrustLevel;
use async_trait::async_trait;
use std::sync::Arc;
use std::time::SystemTime;
use url::Url;

/// One `kind = "oidc"` method.
pub struct OidcAuthenticator {
    id: MethodId,
    ceiling: TrustLevel,
    label_de: String,
    label_en: String,
    redirect_uri: Url,
    upstream: Arc<OidcUpstream>,
    records: Records,
}

/// The method's labels and ceiling, as configured.
#[derive(Debug, Clone)]
pub struct OidcMethod {
    /// Method id (also the callback path segment).
    pub id: MethodId,
    /// Ceiling.
    pub ceiling: TrustLevel,
    /// Label (German).
    pub label_de: String,
    /// Label (English).
    pub label_en: String,
    /// `{issuer}/oidc/callback/{id}`.
    pub redirect_uri: Url,
}

impl OidcAuthenticator {
    /// Build from the method and its upstream.
    pub fn new(method: OidcMethod, upstream: Arc<OidcUpstream>, records: Records) -> Self {
        Self {
            id: method.id,
            ceiling: method.ceiling,
            label_de: method.label_de,
            label_en: method.label_en,
            redirect_uri: method.redirect_uri,
            upstream,
            records,
        }
    }

    /// The upstream (for the bench and tests).
    pub fn upstream(&self) -> &Arc<OidcUpstream> {
        &self.upstream
    }
}

/// Our error for the relying party and the page; the detail goes to the log here.
fn authn_error(method: &MethodId, e: OidcUpstreamError) -> AuthnError {
    match e {
        OidcUpstreamError::Upstream(code) => {
            tracing::info!(%method, ?code, "upstream returned an error");
            match code {
                UpstreamErrorCode::AccessDenied => AuthnError::Cancelled,
                UpstreamErrorCode::LoginRequired => AuthnError::UpstreamFailure {
                    code: LOGIN_REQUIRED.into(),
                },
                UpstreamErrorCode::TemporarilyUnavailable => AuthnError::Unavailable("the provider is temporarily unavailable".into()),
                UpstreamErrorCode::Other => AuthnError::UpstreamFailure {
                    code: "upstream_error".into(),
                },
            }
        }
        OidcUpstreamError::LevelTooLow => AuthnError::LevelTooLow,
        e @ (OidcUpstreamError::Discovery(_)
        | OidcUpstreamError::Unavailable(_)
        | OidcUpstreamError::ParUnavailable
        | OidcUpstreamError::Internal(_)) => {
            tracing::warn!(%method, error = %e, "upstream unavailable");
            AuthnError::Unavailable("the provider cannot be reached".into())
        }
        e => {
            tracing::warn!(%method, error = %e, "upstream answer rejected");
            AuthnError::Rejected("the provider's answer failed verification".into())
        }
    }
}

#[async_trait]
impl Authenticator for OidcAuthenticator {
    fn id(&self) -> &MethodId {
        &self.id
    }

    fn max_level(&self) -> TrustLevel {
        self.ceiling
    }

    fn label(&self, locale: &str) -> String {
        super::localized_label(locale, &self.label_de, &self.label_en)
    }

    async fn start(&self, ctx: &LoginContext) -> Result<StartAction, AuthnError> {
        if ctx.required_level > self.ceiling {
            return Err(AuthnError::LevelTooLow);
        }
        let now = unix_seconds(ctx.now);
        let started = self
            .upstream
            .start(&StartRequest {
                redirect_uri: &self.redirect_uri,
                required: ctx.required_level,
                locale: &ctx.locale,
                login_hint: ctx.login_hint.as_deref(),
                now,
            })
            .await
            .map_err(|e| authn_error(&self.id, e))?;
        let t = Transaction {
            method: self.id.0.clone(),
            upstream: self.upstream.settings().name.clone(),
            pending_id: ctx.transaction_id.clone(),
            nonce: started.secrets.nonce.clone(),
            verifier: started.secrets.verifier.clone(),
            redirect_uri: self.redirect_uri.to_string(),
            required_level: ctx.required_level,
            issued_at: now,
            max_age: started.max_age,
        };
        transaction::put(&self.records, &started.secrets.state, &t, self.upstream.settings().transaction_ttl)
            .await
            .map_err(|e| AuthnError::Unavailable(e.to_string()))?;
        Ok(StartAction::Redirect(started.url))
    }

    async fn finish(&self, transaction_id: &PendingId, input: UpstreamReturn, now: SystemTime) -> Result<VerifiedIdentity, AuthnError> {
        let UpstreamReturn::OidcCallback { code, state, error, iss } = input else {
            return Err(AuthnError::Rejected("not an OIDC callback".into()));
        };
        let state = state
            .filter(|s| transaction::plausible_state(s))
            .ok_or_else(|| AuthnError::Rejected("no usable state".into()))?;
        // Single use before anything else: a callback replayed (or raced) finds nothing.
        let t = transaction::take(&self.records, &state)
            .await
            .map_err(|e| AuthnError::Unavailable(e.to_string()))?
            .ok_or_else(|| AuthnError::Rejected("unknown or used state".into()))?;
        if t.method != self.id.0 || t.pending_id != *transaction_id || t.upstream != self.upstream.settings().name {
            tracing::warn!(method = %self.id, "callback for another method or login: refused");
            return Err(AuthnError::Rejected("state of another login".into()));
        }
        let now_s = unix_seconds(now);
        let ttl = i64::try_from(self.upstream.settings().transaction_ttl.as_secs()).unwrap_or(i64::MAX);
        if now_s < t.issued_at.saturating_sub(60) || now_s > t.issued_at.saturating_add(ttl) {
            return Err(AuthnError::Rejected("the login has expired".into()));
        }
        let kept = crate::oidc_upstream::upstream_kept(&t);
        let outcome = self
            .upstream
            .finish(&kept, &Callback { code, error, iss }, now_s)
            .await
            .map_err(|e| authn_error(&self.id, e))?;
        // Ceiling (design brief §4), then the requirement: never a silent downgrade.
        let level = TrustLevel::reached(self.ceiling, outcome.level);
        if level < t.required_level {
            tracing::info!(method = %self.id, asserted = %outcome.level, %level, required = %t.required_level, "level below the requirement");
            return Err(AuthnError::LevelTooLow);
        }
        Ok(VerifiedIdentity {
            method: self.id.clone(),
            level,
            subject: UpstreamSubject(format!("{}:{}", self.id, outcome.sub)),
            attributes: outcome.attributes.into_iter().collect(),
            organisation: None,
            amr: vec![self.id.0.clone()],
            auth_time: outcome.auth_time,
            upstream_session: Some(UpstreamSession::Oidc {
                id_token: outcome.id_token,
            }),
        })
    }

    async fn end_upstream_session(&self, session: &UpstreamSession, req: &UpstreamLogout) -> Result<Option<StartAction>, AuthnError> {
        let UpstreamSession::Oidc { id_token } = session else {
            return Ok(None);
        };
        let url = self
            .upstream
            .end_session_url(&EndSession {
                id_token,
                return_uri: &req.return_uri,
                state: &req.state,
                locale: &req.locale,
            })
            .await
            .map_err(|e| authn_error(&self.id, e))?;
        Ok(url.map(StartAction::Redirect))
    }
}
