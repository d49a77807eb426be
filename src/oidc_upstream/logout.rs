//! Ending the person's session at the OP (OpenID Connect RP-Initiated Logout 1.0 §2), after the
//! broker's own session has ended (issue 11 item 5).
//!
//! The broker is the relying party: it sends the browser to the OP's `end_session_endpoint` with
//! the ID token the OP issued as `id_token_hint` (§2: RECOMMENDED; with it the OP knows which
//! session and which RP, and need not ask), our `client_id`, the `post_logout_redirect_uri`
//! registered at the OP, `state` (our way-back key) and `ui_locales`. The OP answers with nothing
//! but the browser back (§3), so there is nothing to verify on the return leg.

use super::{OidcUpstream, OidcUpstreamError};
use url::Url;

/// Where to send the browser to end the OP's session.
#[derive(Debug, Clone)]
pub struct EndSession<'a> {
    /// The ID token as received at login.
    pub id_token: &'a str,
    /// Our `post_logout_redirect_uri` (registered at the OP).
    pub return_uri: &'a Url,
    /// Our way-back key.
    pub state: &'a str,
    /// `de` or `en`.
    pub locale: &'a str,
}

impl OidcUpstream {
    /// The logout URL at the OP, or `None` when logout is switched off for this upstream or the OP
    /// advertises no `end_session_endpoint`.
    pub async fn end_session_url(&self, req: &EndSession<'_>) -> Result<Option<Url>, OidcUpstreamError> {
        if !self.settings().logout {
            return Ok(None);
        }
        let provider = self.provider().await?;
        let Some(endpoint) = provider.end_session_endpoint.as_ref() else {
            return Ok(None);
        };
        Ok(Some(end_session_url(endpoint, &self.settings().client_id, req)))
    }
}

/// The request of §2 as query parameters, added to what the endpoint URL carries already (§2:
/// the endpoint "MAY contain a query component", which must be kept).
pub fn end_session_url(endpoint: &Url, client_id: &str, req: &EndSession<'_>) -> Url {
    let mut url = endpoint.clone();
    url.query_pairs_mut()
        .append_pair("id_token_hint", req.id_token)
        .append_pair("client_id", client_id)
        .append_pair("post_logout_redirect_uri", req.return_uri.as_str())
        .append_pair("state", req.state)
        .append_pair("ui_locales", req.locale);
    url
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_of_section_2_and_the_endpoints_own_query_kept() {
        let endpoint = Url::parse("https://op.example/logout?realm=bank").unwrap();
        let ret = Url::parse("https://broker.example/logout/return").unwrap();
        let url = end_session_url(
            &endpoint,
            "broker",
            &EndSession {
                id_token: "h.p.s",
                return_uri: &ret,
                state: "st",
                locale: "de",
            },
        );
        let q: Vec<(String, String)> = url.query_pairs().into_owned().collect();
        let get = |k: &str| q.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
        assert_eq!(get("realm"), Some("bank"));
        assert_eq!(get("id_token_hint"), Some("h.p.s"));
        assert_eq!(get("client_id"), Some("broker"));
        assert_eq!(get("post_logout_redirect_uri"), Some("https://broker.example/logout/return"));
        assert_eq!(get("state"), Some("st"));
        assert_eq!(get("ui_locales"), Some("de"));
        assert_eq!(url.path(), "/logout");
    }
}
