//! The configured methods, by id.

use super::Authenticator;
use crate::identity::MethodId;
use crate::trust::TrustLevel;
use std::sync::Arc;

/// All enabled upstream methods, in configured display order.
#[derive(Clone, Default)]
pub struct AuthenticatorRegistry {
    methods: Vec<Arc<dyn Authenticator>>,
    /// The EUDI wallet service, when a `kind = "eudi_wallet"` method is configured: its
    /// `/wallet/*` endpoints serve the wallet directly, not through the [`Authenticator`] trait.
    wallet: Option<Arc<crate::eudi::flow::WalletFlow>>,
}

impl AuthenticatorRegistry {
    /// An empty registry.
    pub fn new() -> Self {
        Self::default()
    }

    /// Add a method (display order = insertion order).
    pub fn register(&mut self, method: Arc<dyn Authenticator>) {
        self.methods.push(method);
    }

    /// Set the EUDI wallet service (the one its method uses).
    pub fn set_wallet(&mut self, flow: Arc<crate::eudi::flow::WalletFlow>) {
        self.wallet = Some(flow);
    }

    /// The EUDI wallet service, if configured.
    pub fn wallet(&self) -> Option<&Arc<crate::eudi::flow::WalletFlow>> {
        self.wallet.as_ref()
    }

    /// Look up by id.
    pub fn get(&self, id: &str) -> Option<&Arc<dyn Authenticator>> {
        self.methods.iter().find(|m| m.id().as_str() == id)
    }

    /// Methods that can reach `level` (and, if `organisation_only`, yield an organisation).
    pub fn sufficient_for(&self, level: TrustLevel, organisation_only: bool) -> Vec<&Arc<dyn Authenticator>> {
        self.methods
            .iter()
            .filter(|m| m.max_level() >= level && (!organisation_only || m.yields_organisation()))
            .collect()
    }

    /// All ids.
    pub fn ids(&self) -> Vec<MethodId> {
        self.methods.iter().map(|m| m.id().clone()).collect()
    }
}
