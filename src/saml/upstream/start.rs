//! The start of a SAML login: the signed AuthnRequest (Redirect or POST binding) and the
//! [`UpstreamRecord`] that remembers it under the RelayState until the Response comes back —
//! written here ([`SamlUpstream::begin`]) or queued into the caller's batch
//! ([`SamlUpstream::begin_into`]), which stores it with the parked request in one round trip
//! (issue 13).

use super::{SamlRequest, SamlUpstream, UpstreamRecord, MAX_RELAY_STATE, RECORD_TAG};
use crate::clock::unix_seconds;
use crate::identity::AuthnError;
use crate::ids::PendingId;
use crate::saml::authn_request::{self, Binding, RequestId, RequestParams};
use crate::session::{RecordBatch, RecordKind};
use crate::trust::TrustLevel;
use std::time::SystemTime;

impl SamlUpstream {
    /// Build the browser action for a request (separate from `start` so tests can inspect it).
    pub fn request_action(
        &self,
        id: &RequestId,
        relay_state: &str,
        required: TrustLevel,
        now: SystemTime,
    ) -> Result<SamlRequest, AuthnError> {
        let up = self.live(now)?;
        let profile = up.profile.profile();
        let loa = profile
            .loa_for(required)
            .ok_or_else(|| AuthnError::Unavailable(format!("profile {} cannot request level {required}", profile.name)))?;
        let params = RequestParams {
            sp: &self.sp,
            profile,
            destination: &up.sso_url,
            loa_uri: loa,
            sp_type: up.sp_type,
            requester_id: up.requester_id.as_deref(),
            optional: &up.optional_attributes,
            overrides: up.attribute_names.overrides(),
            id,
            now,
        };
        let unavailable = |e: authn_request::RequestError| {
            tracing::error!(upstream = %up.name, error = %e, "cannot sign AuthnRequest");
            AuthnError::Unavailable("cannot sign the request".into())
        };
        Ok(match up.binding {
            Binding::Redirect => SamlRequest::Redirect(authn_request::redirect_url(&params, relay_state).map_err(unavailable)?),
            Binding::Post => SamlRequest::Post {
                action: up.sso_url.clone(),
                fields: authn_request::post_fields(&params, relay_state).map_err(unavailable)?,
            },
        })
    }

    /// Start a login for the parked authorization `transaction_id` (also the RelayState): sign an
    /// AuthnRequest asking for `required_level` and remember it until the Response comes back.
    pub async fn begin(&self, transaction_id: &str, required_level: TrustLevel, now: SystemTime) -> Result<SamlRequest, AuthnError> {
        let mut batch = self.records.batch();
        let action = self.begin_into(transaction_id, required_level, now, &mut batch)?;
        batch.run().await.map_err(|e| AuthnError::Unavailable(e.to_string()))?;
        Ok(action)
    }

    /// [`Self::begin`] with the transaction record queued into the caller's `batch` (which runs
    /// it with the parked request, issue 13) instead of written here; nothing is queued on an
    /// error. `batch` must belong to the store these records live in.
    pub fn begin_into(
        &self,
        transaction_id: &str,
        required_level: TrustLevel,
        now: SystemTime,
        batch: &mut RecordBatch<'_>,
    ) -> Result<SamlRequest, AuthnError> {
        if required_level > self.ceiling {
            return Err(AuthnError::LevelTooLow);
        }
        if transaction_id.is_empty() || transaction_id.len() > MAX_RELAY_STATE {
            return Err(AuthnError::Unavailable("transaction id unusable as RelayState".into()));
        }
        let id = RequestId::generate();
        // Signed first, the record second: a signing failure leaves nothing to store.
        let action = self.request_action(&id, transaction_id, required_level, now)?;
        let record = UpstreamRecord {
            tag: RECORD_TAG.into(),
            request_id: id.as_str().to_owned(),
            upstream: self.upstream().name.clone(),
            method: self.id.0.clone(),
            pending_id: PendingId::new(transaction_id),
            issued_at: unix_seconds(now),
            required_level,
        };
        batch
            .put(
                RecordKind::UpstreamTransaction,
                transaction_id,
                &record,
                self.upstream().request_ttl,
            )
            .map_err(|e| AuthnError::Unavailable(e.to_string()))?;
        Ok(action)
    }
}
