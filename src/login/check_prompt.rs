//! `prompt` (OIDC Core §3.1.2.1).

use super::errors::{ErrorCode, OAuthError};
use super::params::RawParams;

/// Parsed `prompt`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Prompt {
    /// `none`: no page may be shown.
    pub none: bool,
    /// `login`: re-authenticate even with a valid session.
    pub login: bool,
    /// `consent`: ask for consent even if remembered.
    pub consent: bool,
}

impl Prompt {
    /// From stored values.
    pub fn from_values(values: &[String]) -> Self {
        Self {
            none: values.iter().any(|v| v == "none"),
            login: values.iter().any(|v| v == "login"),
            consent: values.iter().any(|v| v == "consent"),
        }
    }
}

/// Check `prompt`: known values only; `none` with any other value is an error (§3.1.2.1).
/// `select_account` is accepted and has no effect (one account per person and session).
pub fn check_prompt(p: &RawParams) -> Result<Vec<String>, OAuthError> {
    let values = p.list("prompt");
    for v in &values {
        if !matches!(v.as_str(), "none" | "login" | "consent" | "select_account") {
            return Err(OAuthError::new(ErrorCode::InvalidRequest, "unsupported prompt value"));
        }
    }
    if values.iter().any(|v| v == "none") && values.len() > 1 {
        return Err(OAuthError::new(
            ErrorCode::InvalidRequest,
            "prompt=none cannot be combined with other values",
        ));
    }
    Ok(values)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prompt_rules() {
        assert_eq!(check_prompt(&RawParams::parse("prompt=login%20consent")).unwrap().len(), 2);
        assert!(check_prompt(&RawParams::parse("prompt=none%20login")).is_err());
        assert!(check_prompt(&RawParams::parse("prompt=bogus")).is_err());
        assert!(check_prompt(&RawParams::parse("prompt=none")).is_ok());
    }
}
