//! What the browser presented with a request, as the edge read it from the headers: the `Origin`
//! of a form post, the broker session cookie and the binding cookie. The login steps decide with
//! these values; reading cookies and headers is the edge's job (`http::login::browser`).

use super::binding::Presented;

/// The browser's side of a request.
#[derive(Debug, Clone, Default)]
pub struct Browser {
    /// The `Origin` header, if sent and readable as text.
    pub origin: Option<String>,
    /// The broker session cookie (secret).
    pub session: Option<SessionId>,
    /// The binding cookie of the login, if it has our shape.
    pub binding: Option<Presented>,
}

/// A broker session cookie value as presented (secret: redacted in `Debug`).
#[derive(Clone, PartialEq, Eq)]
pub struct SessionId(pub String);

impl std::fmt::Debug for SessionId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SessionId([redacted])")
    }
}
