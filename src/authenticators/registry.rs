//! The configured methods, by id.

use super::Authenticator;
use crate::identity::MethodId;
use crate::trust::TrustLevel;
use std::sync::Arc;

/// All enabled upstream methods, in configured display order.
#[derive(Clone, Default)]
pub struct AuthenticatorRegistry {
    methods: Vec<Arc<dyn Authenticator>>,
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
