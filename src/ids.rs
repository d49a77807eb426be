//! Random identifiers and secrets: one generator for every id the broker hands out (pending ids,
//! session ids, codes, refresh tokens, CSRF tokens, jti, return-leg tokens, client secrets).
//! 256 bits from the OS CSPRNG, base64url without padding (43 characters). And the typed protocol
//! values (client id, pending/session/grant ids, nonce, state, code challenge, codes, refresh
//! tokens), the secret ones with a redacted `Debug`.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rand::RngCore;

/// The store key for a secret value (code, refresh token, session id, binding value, return
/// token, continue handle): base64url(SHA-256(value)), so a dump of the store holds nothing a
/// browser or client could present (issue 9 item 6).
pub fn store_id(secret: &str) -> String {
    use sha2::Digest;
    URL_SAFE_NO_PAD.encode(sha2::Sha256::digest(secret.as_bytes()))
}

/// A new random identifier (256 bits, base64url).
pub fn random_id() -> String {
    let mut b = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut b);
    URL_SAFE_NO_PAD.encode(b)
}

/// A protocol value with its own type, so the compiler catches one id passed for another
/// (issue 14 item 4). Serialized as the bare string (records and tokens are unchanged on the wire
/// and in the store).
macro_rules! public_value {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// Wrap a value received or generated.
            pub fn new(value: impl Into<String>) -> Self {
                Self(value.into())
            }
            /// The value.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl PartialEq<str> for $name {
            fn eq(&self, other: &str) -> bool {
                self.0 == other
            }
        }

        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                self.0 == *other
            }
        }

        impl PartialEq<String> for $name {
            fn eq(&self, other: &String) -> bool {
                &self.0 == other
            }
        }

        impl From<&str> for $name {
            fn from(value: &str) -> Self {
                Self(value.to_owned())
            }
        }

        impl From<String> for $name {
            fn from(value: String) -> Self {
                Self(value)
            }
        }

        impl PartialEq<$name> for String {
            fn eq(&self, other: &$name) -> bool {
                self == &other.0
            }
        }
    };
}

/// A secret protocol value: like [`public_value`], but `Debug` prints no value and there is no
/// `Display`, so it cannot end up in a log line by accident.
macro_rules! secret_value {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// Wrap a value received or generated.
            pub fn new(value: impl Into<String>) -> Self {
                Self(value.into())
            }
            /// A fresh random value ([`random_id`]).
            pub fn generate() -> Self {
                Self(random_id())
            }
            /// The value, for the one place that sends or hashes it.
            pub fn expose(&self) -> &str {
                &self.0
            }
            /// The store key: [`store_id`] of the value.
            pub fn store_key(&self) -> String {
                store_id(&self.0)
            }
        }

        impl std::fmt::Debug for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(concat!(stringify!($name), "([redacted])"))
            }
        }
    };
}

public_value!(
    /// A relying party's `client_id` (RFC 6749 §2.2).
    ClientId
);
public_value!(
    /// The id of a parked authorization request; also the upstream transaction id (SAML
    /// RelayState, OIDC upstream `state` lookup).
    PendingId
);
public_value!(
    /// The id of a grant: what one login released to one client.
    GrantId
);
public_value!(
    /// `nonce` of an authentication request (OIDC Core §3.1.2.1), carried into the ID token.
    Nonce
);
public_value!(
    /// OAuth `state` (RFC 6749 §4.1.1), echoed byte for byte.
    OAuthState
);
public_value!(
    /// PKCE S256 `code_challenge` (RFC 7636 §4.2).
    CodeChallenge
);
secret_value!(
    /// The broker session id (the `bk_session` cookie value; stored only as its hash).
    SessionId
);
secret_value!(
    /// An authorization code (RFC 6749 §4.1.2; stored only as its hash).
    AuthCode
);
secret_value!(
    /// A refresh token (RFC 6749 §1.5; stored only as its hash).
    RefreshToken
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_never_print_and_ids_serialize_bare() {
        let code = AuthCode::new("c0de-value");
        assert_eq!(format!("{code:?}"), "AuthCode([redacted])");
        assert_eq!(serde_json::to_string(&code).unwrap(), "\"c0de-value\"");
        assert_eq!(code.store_key(), store_id("c0de-value"));
        let client = ClientId::new("rp");
        assert_eq!(serde_json::to_string(&client).unwrap(), "\"rp\"");
        assert!(client == "rp" && format!("{client}") == "rp");
        let back: ClientId = serde_json::from_str("\"rp\"").unwrap();
        assert_eq!(back, client);
    }
}
