//! The [`Authenticator`] for a SAML upstream (eID, ELSTER): the method's labels around the
//! protocol of `saml::upstream`. The
//! correlation, verification and single use of a Response are described there; Single Logout
//! (ending an ELSTER-style IdP's session after ours) in `saml::logout`.

use super::{Authenticator, AuthnError, LoginContext, MethodConfig, StartAction, UpstreamLogout, UpstreamLogoutReturn, UpstreamReturn};
use crate::identity::{MethodId, UpstreamSession, VerifiedIdentity};
use crate::ids::PendingId;
use crate::saml::logout::LogoutAction;
use crate::saml::refresh::IdpHolder;
use crate::saml::sp::ServiceProvider;
use crate::saml::upstream::SamlRequest;
use crate::saml::SamlUpstream;
use crate::session::{RecordBatch, Records};
use crate::trust::TrustLevel;
use async_trait::async_trait;
use std::sync::Arc;
use std::time::SystemTime;

/// One SAML upstream as a login method.
pub struct SamlAuthenticator {
    upstream: SamlUpstream,
    label_de: String,
    label_en: String,
}

impl SamlAuthenticator {
    /// Build from validated configuration: the method and the holder of the upstream it names
    /// (its settings and current metadata, `saml::refresh`).
    pub fn new(method: &MethodConfig, sp: Arc<ServiceProvider>, upstream: Arc<IdpHolder>, records: Records) -> Self {
        Self {
            upstream: SamlUpstream::new(method.id.clone(), method.level, sp, upstream, records),
            label_de: method.label_de.clone(),
            label_en: method.label_en.clone(),
        }
    }
}

impl From<SamlRequest> for StartAction {
    fn from(r: SamlRequest) -> Self {
        match r {
            SamlRequest::Redirect(url) => StartAction::Redirect(url),
            SamlRequest::Post { action, fields } => StartAction::PostForm { action, fields },
        }
    }
}

impl From<LogoutAction> for StartAction {
    fn from(a: LogoutAction) -> Self {
        match a {
            LogoutAction::Redirect(url) => StartAction::Redirect(url),
            LogoutAction::Post { action, fields } => StartAction::PostForm { action, fields },
        }
    }
}

#[async_trait]
impl Authenticator for SamlAuthenticator {
    fn id(&self) -> &MethodId {
        self.upstream.id()
    }

    fn max_level(&self) -> TrustLevel {
        self.upstream.ceiling()
    }

    fn yields_organisation(&self) -> bool {
        self.upstream.yields_organisation()
    }

    fn label(&self, locale: &str) -> String {
        super::localized_label(locale, &self.label_de, &self.label_en)
    }

    async fn start(&self, ctx: &LoginContext) -> Result<StartAction, AuthnError> {
        Ok(self
            .upstream
            .begin(ctx.transaction_id.as_str(), ctx.required_level, ctx.now)
            .await?
            .into())
    }

    async fn start_into(&self, ctx: &LoginContext, batch: &mut RecordBatch<'_>) -> Result<StartAction, AuthnError> {
        Ok(self
            .upstream
            .begin_into(ctx.transaction_id.as_str(), ctx.required_level, ctx.now, batch)?
            .into())
    }

    async fn finish(&self, transaction_id: &PendingId, input: UpstreamReturn, now: SystemTime) -> Result<VerifiedIdentity, AuthnError> {
        let UpstreamReturn::SamlPost {
            saml_response,
            relay_state,
            transaction,
        } = input
        else {
            return Err(AuthnError::Rejected("not a SAML response".into()));
        };
        Ok(self
            .upstream
            .complete(
                transaction_id.as_str(),
                &saml_response,
                relay_state.as_deref(),
                transaction.map(|t| *t),
                now,
            )
            .await?)
    }

    async fn end_upstream_session(&self, session: &UpstreamSession, req: &UpstreamLogout) -> Result<Option<StartAction>, AuthnError> {
        Ok(self
            .upstream
            .end_session(session, &req.state, &req.return_uri, req.now)
            .await?
            .map(Into::into))
    }

    async fn finish_upstream_logout(&self, state: &str, input: &UpstreamLogoutReturn, now: SystemTime) -> Result<(), AuthnError> {
        self.upstream
            .finish_logout(state, input.raw_query.as_deref(), &input.params, now)
            .await
    }
}
