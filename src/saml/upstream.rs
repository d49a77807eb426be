//! One SAML upstream's login protocol: eID via the eIDAS middleware (profile `eidas`) and ELSTER
//! via NEZO (profile `elster`, personal and organisation certificates); the TR-03130 profile
//! later, by configuration and profile tables. The `Authenticator` over it is
//! `authenticators::saml` (this module knows nothing of the trait; errors are [`AuthnError`]).
//!
//! Correlation across the IdP round trip is server-side only (issue 4 item 5): [`SamlUpstream::begin`]
//! stores an [`UpstreamRecord`] under the RelayState (= the pending authorization id); the ACS finds it from
//! the RelayState of the cross-site POST, which carries no SameSite cookie. [`SamlUpstream::complete`] reads it,
//! verifies the Response and only then consumes it with an atomic `take`, so a Response is
//! accepted at most once per request and an unverifiable one does not end the login (issue 9
//! item 4; at most [`MAX_ATTEMPTS`] verifications per transaction). The browser binding is checked
//! after the ACS, on the same-site GET that continues the login (`login::resume`).

use super::mapping;
use super::mapping::elster::{map_elster, ElsterIdentity};
use super::post_binding::SamlResponseXml;
use super::profile::{ProfileKind, StatusReport};
use super::refresh::IdpHolder;
use super::settings::SamlUpstreamConfig;
use super::sp::ServiceProvider;
use crate::clock::unix_seconds;
use crate::identity::AuthnError;
use crate::identity::{MethodId, VerifiedIdentity};
use crate::ids::PendingId;
use crate::session::{RecordKind, Records};
use crate::trust::{level_from_upstream_with, TrustLevel};
use saml_xmlsec::response::{verify_response, Expectations, VerifiedAssertion};
use saml_xmlsec::ResponseError;
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use std::time::{Duration, SystemTime};
use url::Url;

mod start;

/// Tag stored in the record so other methods' records under the same kind are never misread.
const RECORD_TAG: &str = "saml";

/// SAML Bindings §3.4.3 / §3.5.3: RelayState must not exceed 80 bytes.
const MAX_RELAY_STATE: usize = 80;

/// Responses verified per transaction at most (issue 9 item 4): an unverifiable one does not end
/// the login, but a flood of them gets no unbounded tries; the last failed one closes it.
pub const MAX_ATTEMPTS: u32 = 3;

/// Store kind of the per-transaction attempt slots.
const ATTEMPT_KIND: RecordKind = RecordKind::Other("saml-attempt");

/// What we remember between AuthnRequest and Response (keyed by RelayState = pending id).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct UpstreamRecord {
    /// Always `"saml"`.
    pub tag: String,
    /// The AuthnRequest ID the Response must answer (`InResponseTo`).
    pub request_id: String,
    /// `[[saml.upstreams]]` name.
    pub upstream: String,
    /// Method id (the ACS dispatches on it).
    pub method: String,
    /// The parked authorization (also the RelayState).
    pub pending_id: PendingId,
    /// When the request was issued (seconds since epoch).
    pub issued_at: i64,
    /// The level the relying party needs.
    pub required_level: TrustLevel,
}

impl UpstreamRecord {
    /// Whether this is a SAML record.
    pub fn is_saml(&self) -> bool {
        self.tag == RECORD_TAG
    }
}

/// How the browser carries an AuthnRequest to the IdP.
#[derive(Debug, Clone)]
pub enum SamlRequest {
    /// HTTP-Redirect binding: 303 to this URL (Bindings §3.4).
    Redirect(Url),
    /// HTTP-POST binding: a form with these fields POSTed to `action` (Bindings §3.5).
    Post { action: Url, fields: Vec<(String, String)> },
}

/// One SAML upstream, for one configured method.
pub struct SamlUpstream {
    id: MethodId,
    ceiling: TrustLevel,
    pub(super) sp: Arc<ServiceProvider>,
    holder: Arc<IdpHolder>,
    pub(super) records: Records,
}

impl SamlUpstream {
    /// The upstream for method `id` with level ceiling `ceiling` (both from `[[methods]]`); its
    /// settings and current metadata in `holder` (shared by the methods of one upstream and
    /// swapped by a metadata refresh, `saml::refresh`).
    pub fn new(id: MethodId, ceiling: TrustLevel, sp: Arc<ServiceProvider>, holder: Arc<IdpHolder>, records: Records) -> Self {
        Self {
            id,
            ceiling,
            sp,
            holder,
            records,
        }
    }

    /// The settings with the metadata in use (expired or not: for names and static settings).
    pub(super) fn upstream(&self) -> Arc<SamlUpstreamConfig> {
        self.holder.snapshot()
    }

    /// The settings for a login at `now`: refused once the metadata's `validUntil` has passed.
    pub(super) fn live(&self, now: SystemTime) -> Result<Arc<SamlUpstreamConfig>, AuthnError> {
        self.holder.current(now)
    }

    /// The method id.
    pub fn id(&self) -> &MethodId {
        &self.id
    }

    /// The highest level the method may give.
    pub fn ceiling(&self) -> TrustLevel {
        self.ceiling
    }

    /// ELSTER organisation certificates yield an organisation, so a business-only client offers
    /// ELSTER (a personal-certificate login then simply carries none).
    pub fn yields_organisation(&self) -> bool {
        self.upstream().profile == ProfileKind::Elster
    }

    fn expectations(&self, up: &SamlUpstreamConfig, request_id: &str) -> Expectations {
        let mut keys = vec![self.sp.encryption.key.0.clone()];
        keys.extend(self.sp.previous_encryption_keys.iter().map(|k| k.0.clone()));
        Expectations {
            acs_url: self.sp.acs_url.to_string(),
            audience: self.sp.entity_id.clone(),
            issuer: up.idp.entity_id.clone(),
            in_response_to: request_id.to_owned(),
            idp_signing_certs: up.idp.signing_certs.clone(),
            decryption_keys: keys,
            max_skew: up.max_skew,
            allow_rsa_pkcs1: up.allow_rsa_pkcs1,
        }
    }

    /// Claim one of the [`MAX_ATTEMPTS`] verification slots of a transaction (atomic
    /// insert-if-absent, so concurrent posts cannot share a slot). None left: the transaction is
    /// closed.
    async fn claim_attempt(&self, transaction_id: &str) -> Result<u32, AuthnError> {
        let txn = crate::ids::store_id(transaction_id);
        for n in 0..MAX_ATTEMPTS {
            let fresh = self
                .records
                .first_sighting(ATTEMPT_KIND, &format!("{txn}.{n}"), self.upstream().request_ttl)
                .await
                .map_err(|e| AuthnError::Unavailable(e.to_string()))?;
            if fresh {
                return Ok(n);
            }
        }
        let _ = self.records.delete(RecordKind::UpstreamTransaction, transaction_id).await;
        Err(AuthnError::Unverified("too many attempts for this transaction".into()))
    }

    /// Take the transaction record (single use). Gone meanwhile: another POST consumed it.
    async fn consume(&self, transaction_id: &str) -> Result<(), AuthnError> {
        self.records
            .take::<UpstreamRecord>(RecordKind::UpstreamTransaction, transaction_id)
            .await
            .map_err(|e| AuthnError::Unavailable(e.to_string()))?
            .map(|_| ())
            .ok_or_else(|| AuthnError::Unverified("the transaction was already used".into()))
    }

    fn outcome(
        &self,
        up: &SamlUpstreamConfig,
        record: &UpstreamRecord,
        xml: &str,
        now: SystemTime,
    ) -> Result<VerifiedAssertion, AuthnError> {
        let profile = up.profile.profile();
        verify_response(xml, &self.expectations(up, &record.request_id), now).map_err(|e| match e {
            ResponseError::Status {
                code,
                second_level,
                message,
            } => {
                let err = profile.status_error(&StatusReport {
                    code,
                    second_level,
                    message,
                });
                tracing::info!(upstream = %self.upstream().name, outcome = %err, "upstream reported failure");
                err
            }
            other => {
                tracing::warn!(upstream = %self.upstream().name, error = %other, "SAML response rejected");
                AuthnError::Rejected("the response failed verification".into())
            }
        })
    }

    /// Finish the login of `transaction_id` with the `SAMLResponse` and `RelayState` the ACS
    /// received: verify, consume the transaction once, map the assertion to an identity.
    /// `known` is the transaction record when the caller has just read it (the ACS, to dispatch);
    /// it is checked exactly as one read here, and the single-use take below still decides.
    pub async fn complete(
        &self,
        transaction_id: &str,
        saml_response: &SamlResponseXml,
        relay_state: Option<&str>,
        known: Option<UpstreamRecord>,
        now: SystemTime,
    ) -> Result<VerifiedIdentity, AuthnError> {
        // Nothing below consumes the transaction until the Response has verified (issue 9 item 4):
        // whoever knows a RelayState can post garbage under it, and that must not end the
        // person's login. Every failure before the `take` is `Unverified` (login still open).
        if relay_state != Some(transaction_id) {
            return Err(AuthnError::Unverified("RelayState does not match".into()));
        }
        // Fail closed on expired metadata; otherwise the keys current now verify this Response.
        let up = self.live(now)?;
        let record = match known {
            Some(r) => Some(r),
            None => self
                .records
                .get(RecordKind::UpstreamTransaction, transaction_id)
                .await
                .map_err(|e| AuthnError::Unavailable(e.to_string()))?,
        };
        let record: UpstreamRecord = record
            .filter(|r: &UpstreamRecord| r.is_saml() && r.method == self.id.0 && r.upstream == self.upstream().name)
            .ok_or_else(|| AuthnError::Unverified("no pending SAML request for this RelayState".into()))?;
        let xml = saml_response.as_str();
        let attempt = self.claim_attempt(transaction_id).await?;
        let age = unix_seconds(now) - record.issued_at;
        if age < 0 || age > i64::try_from(self.upstream().request_ttl.as_secs()).unwrap_or(i64::MAX) {
            // Too late for any Response: the transaction is over either way.
            self.consume(transaction_id).await?;
            return Err(AuthnError::Rejected("the SAML request has expired".into()));
        }
        let verified = match self.outcome(&up, &record, xml, now) {
            // A signed answer, success or an upstream error status: the transaction is decided.
            Ok(a) => Ok(a),
            Err(e @ (AuthnError::Cancelled | AuthnError::UpstreamFailure { .. })) => Err(e),
            Err(e) => {
                if attempt + 1 >= MAX_ATTEMPTS {
                    tracing::warn!(upstream = %self.upstream().name, "too many unverifiable responses: transaction closed");
                    let _ = self.records.delete(RecordKind::UpstreamTransaction, transaction_id).await;
                }
                return Err(AuthnError::Unverified(e.to_string()));
            }
        };
        let assertion = match verified {
            Ok(a) => a,
            Err(e) => {
                // The upstream decided (cancelled, failed): the transaction is over.
                self.consume(transaction_id).await?;
                return Err(e);
            }
        };
        // Single use and replay cache (eid-saml.md step 6) in one round trip (issue 13): of two
        // concurrent verified POSTs only one gets the record, and the assertion ID is kept until
        // it can no longer be valid. On one server the batch is one transaction, so the POST that
        // takes the record also sees the ID first; on a cluster (keys in different slots) two
        // racing POSTs of one Response can both fail, never both pass.
        let ttl = assertion
            .not_on_or_after
            .duration_since(now)
            .unwrap_or(Duration::ZERO)
            .saturating_add(self.upstream().max_skew)
            .max(Duration::from_secs(1));
        let replay_key = format!("{}\u{1f}{}", assertion.issuer, assertion.assertion_id);
        let unavailable = |e: crate::session::StoreError| AuthnError::Unavailable(e.to_string());
        let mut batch = self.records.batch();
        let taken = batch.take(RecordKind::UpstreamTransaction, transaction_id);
        let sighting = batch.first_sighting(RecordKind::SamlAssertionSeen, &replay_key, ttl);
        // Attempt slots end with the transaction (no later POST can claim one; issue 13 item 5).
        let txn = crate::ids::store_id(transaction_id);
        (0..=attempt).for_each(|n| batch.forget_sighting(ATTEMPT_KIND, &format!("{txn}.{n}")));
        let mut found = batch.run().await.map_err(unavailable)?;
        if found.decode::<UpstreamRecord>(taken).map_err(unavailable)?.is_none() {
            return Err(AuthnError::Unverified("the transaction was already used".into()));
        }
        if !found.stored(sighting) {
            tracing::warn!(upstream = %self.upstream().name, "SAML assertion replayed");
            return Err(AuthnError::Rejected("assertion already used".into()));
        }
        let asserted = level_from_upstream_with(
            assertion.authn_context_class_ref.as_deref().unwrap_or(""),
            self.upstream().not_notified_max_level,
        );
        let level = TrustLevel::reached(self.ceiling, asserted);
        if level < record.required_level {
            return Err(AuthnError::LevelTooLow);
        }
        let auth_time = unix_seconds(assertion.authn_instant.unwrap_or(now));
        let (mapped, organisation, amr) = match self.upstream().profile {
            ProfileKind::Eidas => (
                mapping::map_attributes(self.upstream().profile.profile(), &assertion.attributes),
                None,
                self.id.0.clone(),
            ),
            ProfileKind::Elster => {
                let ElsterIdentity { mapped, organisation, amr } =
                    map_elster(&self.upstream().attribute_names, &assertion.attributes, self.upstream().tax_release).map_err(|e| {
                        tracing::warn!(upstream = %self.upstream().name, error = %e, "ELSTER response unusable");
                        AuthnError::Rejected(e.to_string())
                    })?;
                (mapped, organisation, amr.to_owned())
            }
        };
        let subject = mapped
            .subject
            .ok_or_else(|| AuthnError::Rejected("the response carries no single PersonIdentifier".into()))?;
        Ok(VerifiedIdentity {
            method: self.id.clone(),
            level,
            subject,
            attributes: mapped.attributes,
            organisation,
            amr: vec![amr],
            auth_time,
            upstream_session: self.upstream_session(&assertion),
        })
    }
}
