//! Upstream authentication methods behind one trait (design brief §1, style guide).
//!
//! A method *starts* by telling the browser where to go (redirect, auto-submitted POST form, or a
//! page of our own) and *finishes* by turning what the upstream sent back into a
//! [`VerifiedIdentity`]. Protocol details (SAML, mTLS, OIDC) stay inside each implementation; the
//! broker core sees only levels, subjects and attributes.

pub mod certificate;
pub mod oidc;
pub mod registry;
pub mod saml;
pub mod settings;
pub mod wallet;

pub use crate::identity::AuthnError;
pub use registry::AuthenticatorRegistry;
pub use settings::{MethodConfig, MethodKind};

use crate::identity::{MethodId, UpstreamSession, VerifiedIdentity};
use crate::ids::PendingId;
use crate::session::RecordBatch;
use crate::trust::TrustLevel;
use async_trait::async_trait;
use std::time::SystemTime;
use url::Url;

/// What the broker knows of the login when a method starts.
#[derive(Debug, Clone)]
pub struct LoginContext {
    /// Id of the parked relying-party request; the method must give it back on `finish`
    /// (e.g. via SAML RelayState) — never rely on a cookie across the upstream round trip.
    pub transaction_id: PendingId,
    /// The lowest level that satisfies the relying party.
    pub required_level: TrustLevel,
    /// `de` or `en`, for upstream pages that take a language.
    pub locale: String,
    /// The relying party's `login_hint` (OIDC Core §3.1.2.1), for methods that can use one (e.g. a
    /// bank-ID upstream); methods without such a notion ignore it. Never forwarded unchecked.
    pub login_hint: Option<String>,
    /// The relying party's granted scopes, for methods that ask the upstream only for what they
    /// need (the EUDI wallet's DCQL query: data minimisation, GDPR Art. 5(1)(c)).
    pub scopes: Vec<String>,
    /// Time of the request.
    pub now: SystemTime,
}

/// How the browser proceeds to the upstream.
#[derive(Debug, Clone)]
pub enum StartAction {
    /// 303 to this URL (HTTP-Redirect binding, OIDC authorize).
    Redirect(Url),
    /// A form POSTed to `action` (HTTP-POST binding). Rendered as a page with a submit button
    /// (CSP forbids inline script, so the person clicks; works without JavaScript).
    PostForm { action: Url, fields: Vec<(String, String)> },
}

/// What the upstream sent back, as received by the broker's endpoints.
#[derive(Debug, Clone)]
pub enum UpstreamReturn {
    /// SAML HTTP-POST binding at the ACS.
    SamlPost {
        /// The `SAMLResponse`, decoded once by the ACS.
        saml_response: crate::saml::post_binding::SamlResponseXml,
        relay_state: Option<String>,
        /// The SAML transaction record the ACS already read to find the method, handed on so that
        /// verification does not read it again (issue 13); `None` makes the method read it. Either
        /// way the method checks that the record is its own before using it.
        transaction: Option<Box<crate::saml::upstream::UpstreamRecord>>,
    },
    /// A verified client-certificate chain from the mTLS listener (DER, leaf first).
    ClientCertificate { chain: Vec<Vec<u8>> },
    /// OIDC authorization response at our callback.
    OidcCallback {
        code: Option<String>,
        state: Option<String>,
        error: Option<String>,
        /// RFC 9207 `iss`.
        iss: Option<String>,
    },
    /// A development form (simulators only).
    DevForm { fields: Vec<(String, String)> },
    /// The browser is back from the EUDI wallet (`/wallet/return` or `/wallet/poll`), with the
    /// handle of the wallet transaction it belongs to.
    Wallet { handle: String },
}

/// Ending the person's session at the upstream (issue 11 item 5), after ours has ended.
#[derive(Debug, Clone)]
pub struct UpstreamLogout {
    /// Our correlation value for the way back (OIDC `state`, SAML `RelayState`): a random store key
    /// that says where the browser goes afterwards. Carries nothing the person could abuse.
    pub state: String,
    /// Where the upstream sends the browser back (`{issuer}/logout/return`).
    pub return_uri: Url,
    /// `de` or `en`.
    pub locale: String,
    /// Time of the request.
    pub now: SystemTime,
}

/// What the upstream sent back to `/logout/return`, as received.
#[derive(Debug, Clone, Default)]
pub struct UpstreamLogoutReturn {
    /// The raw query string (a Redirect-binding signature covers it byte for byte, SAML Bindings §3.4.4.1).
    pub raw_query: Option<String>,
    /// Query or form parameters, decoded.
    pub params: Vec<(String, String)>,
}

/// The label of a method in `locale` (`en`, otherwise German: the default language of the pages).
pub fn localized_label(locale: &str, de: &str, en: &str) -> String {
    if locale == "en" { en } else { de }.to_owned()
}

/// One upstream method.
#[async_trait]
pub trait Authenticator: Send + Sync + 'static {
    /// The configured id.
    fn id(&self) -> &MethodId;
    /// The highest level this method may give (the configured ceiling).
    fn max_level(&self) -> TrustLevel;
    /// Whether the method yields an organisation (business logins).
    fn yields_organisation(&self) -> bool {
        false
    }
    /// Human-readable name for the login choice, per locale (`de`/`en`).
    fn label(&self, locale: &str) -> String;
    /// Begin the upstream login.
    async fn start(&self, ctx: &LoginContext) -> Result<StartAction, AuthnError>;
    /// [`Self::start`] with the method's own store write (its transaction record) queued into
    /// `batch` instead of written: the caller runs it together with the parked request, one
    /// round trip (issue 13), before the browser is sent on. On an error nothing is queued. A
    /// method that does not override this writes its record itself, as [`Self::start`].
    async fn start_into(&self, ctx: &LoginContext, batch: &mut RecordBatch<'_>) -> Result<StartAction, AuthnError> {
        let _ = batch;
        self.start(ctx).await
    }
    /// Finish it. `transaction_id` was recovered by the caller from what the upstream returned
    /// and checked against the store.
    async fn finish(&self, transaction_id: &PendingId, input: UpstreamReturn, now: SystemTime) -> Result<VerifiedIdentity, AuthnError>;

    /// Where to send the browser to end `session` at the upstream, or `None` when the upstream offers
    /// no logout. Called after the broker session has ended: a failure here never keeps anyone
    /// logged in at the broker.
    async fn end_upstream_session(&self, _session: &UpstreamSession, _req: &UpstreamLogout) -> Result<Option<StartAction>, AuthnError> {
        Ok(None)
    }

    /// Check the upstream's answer at `/logout/return` (e.g. a SAML `<LogoutResponse>`); `state` is
    /// the value handed out in [`UpstreamLogout`]. Only says whether the upstream confirmed.
    async fn finish_upstream_logout(&self, _state: &str, _input: &UpstreamLogoutReturn, _now: SystemTime) -> Result<(), AuthnError> {
        Ok(())
    }
}
