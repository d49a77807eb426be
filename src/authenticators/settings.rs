//! The settings of one upstream method (`[[methods]]`): its id, protocol family, level ceiling and
//! labels. Built by `config` (config → domain only); the method implementations read them.

use crate::identity::MethodId;
use crate::trust::TrustLevel;

/// The protocol family of a method.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MethodKind {
    /// A SAML upstream from `[saml]` (eID, ELSTER) by name.
    Saml { upstream: String },
    /// Client certificates on the mTLS listener (`[certificate]`).
    Certificate,
    /// Development login with test persons (development configuration only).
    Dev,
    /// An upstream OpenID Connect provider from `[[oidc_upstreams]]` by name (bank-ID).
    Oidc { upstream: String },
    /// The EU Digital Identity Wallet (OpenID4VP + HAIP, the PID as SD-JWT VC), set up in `[wallet]`.
    EudiWallet,
}

/// A method, validated.
#[derive(Debug, Clone)]
pub struct MethodConfig {
    /// `idp_hint` value.
    pub id: MethodId,
    /// Protocol.
    pub kind: MethodKind,
    /// Highest level the method may give.
    pub level: TrustLevel,
    /// Label on the choice page (German).
    pub label_de: String,
    /// Label on the choice page (English).
    pub label_en: String,
}
