//! What the browser presented with a request, as the edge read it from the headers: the `Origin`
//! of a form post, the broker session cookie and the binding cookie. The login steps decide with
//! these values; reading cookies and headers is the edge's job (`http::login::browser`).

use super::binding::Presented;
use crate::ids::SessionId;

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
