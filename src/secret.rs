//! A secret value from the configuration (pairwise-subject secrets, sealing keys, passwords):
//! zeroized on drop and never printed. A leaf so every domain module can hold one; `config`
//! resolves them (inline or `env:NAME`).

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
}
