//! Secrets in configuration: either written inline (development) or `env:NAME`, read from the
//! environment at start-up so production files hold no secrets.

use super::Problems;
use zeroize::Zeroizing;

/// A secret value; never printed.
#[derive(Clone)]
pub struct Secret(Zeroizing<String>);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret([redacted])")
    }
}

impl Secret {
    /// Wrap a value.
    pub fn new(value: String) -> Self {
        Self(Zeroizing::new(value))
    }

    /// The value.
    pub fn expose(&self) -> &str {
        &self.0
    }

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
