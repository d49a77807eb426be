//! Browser binding of a login (issue 9 item 1, design brief §6).
//!
//! `/authorize` makes sure the browser holds a binding cookie (`__Host-bk_bind`, 256 random bits,
//! `HttpOnly`, `SameSite=Lax`, `Path=/`, lifetime about the pending TTL; the edge reads and sets
//! it, `http::login::browser`). A browser that already has
//! one keeps it, so parallel logins in several tabs of one browser all match. The parked
//! [`PendingAuthorization`](crate::oidc_provider::records::PendingAuthorization) stores only the
//! SHA-256 of the value: a store dump does not reveal it.
//!
//! Every upstream return leg hands the value its browser presented to
//! [`continue_after_upstream`](super::continue_after_upstream), which refuses a mismatch before a
//! session, consent or code exists. Without this, a `SAMLResponse` + `RelayState` (or a certificate
//! return link) that an attacker obtained for his own login could be submitted from a victim's
//! browser, planting the attacker's session there (login CSRF, RFC 9700 §4.7 / §2.1).

/// The binding value a browser presented, checked for our shape (43 base64url characters).
#[derive(Clone, PartialEq, Eq)]
pub struct Presented(String);

impl std::fmt::Debug for Presented {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Presented([redacted])")
    }
}

impl Presented {
    /// A value as read from a `Cookie` header, if it has our shape.
    pub fn parse(value: &str) -> Option<Self> {
        super::pending::plausible_id(value).then(|| Self(value.to_owned()))
    }

    /// The value as sent (secret: never logged).
    pub fn expose(&self) -> &str {
        &self.0
    }
}

/// A fresh binding value (256 bits).
pub fn fresh() -> Presented {
    Presented(crate::ids::random_id())
}

/// What the pending record stores: SHA-256 of the value, base64url.
pub fn digest(value: &Presented) -> String {
    crate::ids::store_id(&value.0)
}

/// Whether `presented` is the value whose digest is `stored`. Constant time in the digest; an
/// empty stored digest (a record from before binding existed) never matches: fail closed.
pub fn matches(stored: &str, presented: Option<&Presented>) -> bool {
    use subtle::ConstantTimeEq;
    match presented {
        Some(p) if !stored.is_empty() => bool::from(stored.as_bytes().ct_eq(digest(p).as_bytes())),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_right_value_matches() {
        let v = fresh();
        let d = digest(&v);
        assert_ne!(d, v.0, "the record holds a hash, not the value");
        assert!(matches(&d, Some(&v)));
        assert!(!matches(&d, Some(&fresh())));
        assert!(!matches(&d, None));
        assert!(!matches("", Some(&v)), "a record without binding never matches");
        assert_eq!(format!("{v:?}"), "Presented([redacted])");
    }
}
