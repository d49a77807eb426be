//! Secrets in configuration: either written inline (development) or `env:NAME`, read from the
//! environment at start-up so production files hold no secrets.

use super::Problems;
pub use crate::secret::Secret;

impl Secret {
    /// Resolve `env:NAME` from the environment, or take the text as it is.
    pub fn resolve(field: &str, raw: &str, p: &mut Problems) -> Option<Secret> {
        match raw.strip_prefix("env:") {
            Some(name) => match std::env::var(name) {
                Ok(v) if !v.is_empty() => Some(Secret::new(v)),
                _ => {
                    p.push(format!("{field}: environment variable {name} is not set"));
                    None
                }
            },
            None => Some(Secret::new(raw.to_owned())),
        }
    }
}
