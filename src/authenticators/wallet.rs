//! The [`Authenticator`] for the EU Digital Identity Wallet (`kind = "eudi_wallet"`, issue 16):
//! OpenID4VP 1.0 with the HAIP 1.0 profile, the German PID as SD-JWT VC. The protocol lives in
//! [`crate::eudi`]; this file turns a verified wallet transaction into a [`VerifiedIdentity`].
//!
//! `start` parks a wallet transaction and sends the browser to our own page
//! `/wallet/start/{handle}` (same-device button, QR code, "Weiter"). The wallet fetches the request
//! and posts its encrypted response to the `/wallet/*` endpoints, which verify it at once and park
//! the outcome in the transaction. `finish` runs when the browser is back (the binding already
//! checked by the login layer): it takes the transaction (single use), checks it belongs to this
//! method and this pending login, caps the level by the method's ceiling and refuses a level below
//! the requirement.

use super::{Authenticator, AuthnError, LoginContext, StartAction, UpstreamReturn};
use crate::eudi::flow::{Begin, WalletFlow};
use crate::eudi::transaction::{Arrived, Handle};
use crate::identity::{MethodId, VerifiedIdentity};
use crate::ids::PendingId;
use crate::trust::TrustLevel;
use async_trait::async_trait;
use std::sync::Arc;
use std::time::SystemTime;

/// One `kind = "eudi_wallet"` method.
pub struct WalletAuthenticator {
    id: MethodId,
    ceiling: TrustLevel,
    label_de: String,
    label_en: String,
    flow: Arc<WalletFlow>,
}

impl WalletAuthenticator {
    /// Build from the method's settings and the shared wallet service.
    pub fn new(m: &super::MethodConfig, flow: Arc<WalletFlow>) -> Self {
        Self {
            id: m.id.clone(),
            ceiling: m.level,
            label_de: m.label_de.clone(),
            label_en: m.label_en.clone(),
            flow,
        }
    }
}

#[async_trait]
impl Authenticator for WalletAuthenticator {
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
        let handle = self
            .flow
            .begin(&Begin {
                method: &self.id,
                pending_id: &ctx.transaction_id,
                required_level: ctx.required_level,
                locale: &ctx.locale,
                scopes: &ctx.scopes,
                now: ctx.now,
            })
            .await
            .map_err(|e| AuthnError::Unavailable(e.to_string()))?;
        let url = self.flow.url(&format!("/wallet/start/{}", handle.as_str()));
        url::Url::parse(&url)
            .map(StartAction::Redirect)
            .map_err(|e| AuthnError::Unavailable(e.to_string()))
    }

    async fn finish(&self, transaction_id: &PendingId, input: UpstreamReturn, _now: SystemTime) -> Result<VerifiedIdentity, AuthnError> {
        let UpstreamReturn::Wallet { handle } = input else {
            return Err(AuthnError::Rejected("not a wallet return".into()));
        };
        let handle = Handle::parse(&handle).ok_or_else(|| AuthnError::Rejected("no usable handle".into()))?;
        // Single use before anything else: a return replayed (or raced) finds nothing.
        let t = self
            .flow
            .take(&handle)
            .await
            .map_err(|e| AuthnError::Unavailable(e.to_string()))?
            .ok_or_else(|| AuthnError::Rejected("unknown or used wallet transaction".into()))?;
        if t.method != self.id.0 || t.pending_id != *transaction_id {
            tracing::warn!(method = %self.id, "wallet transaction of another method or login: refused");
            return Err(AuthnError::Rejected("wallet transaction of another login".into()));
        }
        match t.arrived {
            None => Err(AuthnError::Rejected("the wallet has not answered".into())),
            Some(Arrived::Refused { declined: true, .. }) => Err(AuthnError::Cancelled),
            Some(Arrived::Refused { declined: false, reason }) => {
                Err(AuthnError::Rejected(format!("wallet presentation refused ({reason})")))
            }
            Some(Arrived::Verified { identity }) => {
                let mut identity = *identity;
                // Ceiling (design brief §4), then the requirement: never a silent downgrade.
                identity.level = TrustLevel::reached(self.ceiling, identity.level);
                if identity.level < t.required_level {
                    return Err(AuthnError::LevelTooLow);
                }
                identity.method = self.id.clone();
                Ok(identity)
            }
        }
    }
}
