//! Certificate login over mutual TLS: company certificates and any CA the deployment trusts
//! directly (elster-bankid-loa.md §4, §7 item 11).
//!
//! Flow: the choice page starts the method → 303 to the separate mTLS listener
//! (`/cert/login?txn=…`), which requests a client certificate → the chain is verified here against
//! the configured anchors → the identity is parked under a one-time token → 303 back to the main
//! listener (`/cert/return?token=…`), which continues the parked authorization. The main listener
//! never requests client certificates.

pub mod crl;
pub mod mapping;
pub mod settings;
pub mod verify;

use crate::authenticators::{Authenticator, AuthnError, LoginContext, MethodConfig, StartAction, UpstreamReturn};
use crate::clock::unix_seconds;
use crate::identity::{MethodId, VerifiedIdentity};
use crate::ids::PendingId;
use crate::trust::TrustLevel;
use async_trait::async_trait;
use settings::CertificateConfig;
use std::time::SystemTime;
use verify::{CertError, LoadedAnchor};

/// The certificate method.
pub struct CertificateAuthenticator {
    method: MethodConfig,
    public_url: url::Url,
    anchors: Vec<LoadedAnchor>,
}

impl CertificateAuthenticator {
    /// Load the anchors (CA, intermediates, CRLs); fails naming the file at fault.
    pub fn new(method: &MethodConfig, config: &CertificateConfig) -> Result<Self, String> {
        let anchors = config.anchors.iter().map(verify::load_anchor).collect::<Result<Vec<_>, _>>()?;
        Ok(Self {
            method: method.clone(),
            public_url: config.public_url.clone(),
            anchors,
        })
    }

    /// Subjects of the anchors, for the TLS CertificateRequest.
    pub fn anchor_subjects(&self) -> Vec<Vec<u8>> {
        self.anchors.iter().map(|a| a.subject_der.clone()).collect()
    }

    /// Verify a chain and map it to an identity, keeping the precise reason on failure.
    fn verify(&self, chain: &[Vec<u8>], now: SystemTime) -> Result<VerifiedIdentity, CertError> {
        let idx = verify::verify_chain(chain, &self.anchors, now)?;
        let anchor = &self.anchors[idx].config;
        let leaf = chain.first().ok_or(CertError::NoCertificate)?;
        let facts = mapping::facts(leaf).ok_or(CertError::Malformed)?;
        let organisation = if anchor.organisation {
            mapping::organisation(&anchor.name, &facts)
        } else {
            None
        };
        if anchor.organisation && organisation.is_none() {
            // A company anchor whose certificate names no organisation yields no business identity.
            return Err(CertError::PolicyMismatch);
        }
        Ok(VerifiedIdentity {
            method: self.method.id.clone(),
            level: TrustLevel::reached(self.method.level, anchor.level),
            subject: mapping::subject(&anchor.name, &facts),
            attributes: mapping::person_attributes(&facts),
            organisation,
            // RFC 8176: proof of possession of a key.
            amr: vec!["pop".into()],
            auth_time: unix_seconds(now),
            upstream_session: None,
        })
    }
}

#[async_trait]
impl Authenticator for CertificateAuthenticator {
    fn id(&self) -> &MethodId {
        &self.method.id
    }

    fn max_level(&self) -> TrustLevel {
        let best_anchor = self.anchors.iter().map(|a| a.config.level).max().unwrap_or(TrustLevel::Basic);
        self.method.level.min(best_anchor)
    }

    fn yields_organisation(&self) -> bool {
        self.anchors.iter().any(|a| a.config.organisation)
    }

    fn label(&self, locale: &str) -> String {
        crate::authenticators::localized_label(locale, &self.method.label_de, &self.method.label_en)
    }

    async fn start(&self, ctx: &LoginContext) -> Result<StartAction, AuthnError> {
        let mut url = self
            .public_url
            .join("/cert/login")
            .map_err(|e| AuthnError::Unavailable(e.to_string()))?;
        url.query_pairs_mut().append_pair("txn", ctx.transaction_id.as_str());
        Ok(StartAction::Redirect(url))
    }

    async fn finish(&self, _transaction_id: &PendingId, input: UpstreamReturn, now: SystemTime) -> Result<VerifiedIdentity, AuthnError> {
        match input {
            UpstreamReturn::ClientCertificate { chain } => self.verify(&chain, now).map_err(|e| AuthnError::Rejected(e.to_string())),
            _ => Err(AuthnError::Rejected("not a certificate login".into())),
        }
    }
}

/// Why [`CertificateAuthenticator::finish`] refused a chain, for the listener's refusal page (each
/// refusal has its own text): `finish` returns the [`CertError`] as the text of
/// [`AuthnError::Rejected`]; any other error is [`CertError::Invalid`].
pub fn refusal(e: &AuthnError) -> CertError {
    match e {
        AuthnError::Rejected(reason) => CertError::from_reason(reason),
        other => CertError::Invalid(other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_refusal_survives_the_trip_through_authn_error() {
        let all = [
            CertError::NoCertificate,
            CertError::Malformed,
            CertError::UnknownCa,
            CertError::Expired,
            CertError::NotYetValid,
            CertError::Revoked,
            CertError::RevocationUnavailable,
            CertError::EkuMismatch,
            CertError::PolicyMismatch,
            CertError::Invalid("BadSignature".into()),
        ];
        for e in all {
            assert_eq!(refusal(&AuthnError::Rejected(e.to_string())), e);
        }
        assert_eq!(
            refusal(&AuthnError::Rejected("not a certificate login".into())),
            CertError::Invalid("not a certificate login".into())
        );
        assert!(matches!(refusal(&AuthnError::Cancelled), CertError::Invalid(_)));
    }
}
