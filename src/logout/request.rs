//! The end-session request (RP-Initiated Logout 1.0 §2, §3), parsed and checked.
//!
//! - Parameters arrive as query (GET) or form (POST, §2: both must be supported); one sent twice is
//!   refused (RFC 6749 §3.1 applies to the OP's endpoints alike).
//! - The client is the hint's audience or `client_id`; both given, they must agree (§2).
//! - `post_logout_redirect_uri` must be one of *that* client's registered URIs, compared as exact
//!   strings (§3; RFC 9700 §4.1.3); without an identified client it is refused. A refused URI is
//!   never redirected to — the edge shows a page.
//! - `state` is returned only with a redirect (§2). `ui_locales` picks the page language.

use super::hint::{self, HintError};
use crate::oidc_provider::broker::Broker;
use crate::oidc_provider::settings::ClientConfig;

/// The raw parameters.
#[derive(Debug, Clone, Default)]
pub struct LogoutParams {
    /// `id_token_hint`.
    pub id_token_hint: Option<String>,
    /// `client_id`.
    pub client_id: Option<String>,
    /// `post_logout_redirect_uri`.
    pub post_logout_redirect_uri: Option<String>,
    /// `state`.
    pub state: Option<String>,
    /// `ui_locales`.
    pub ui_locales: Option<String>,
    /// A parameter above was sent more than once.
    pub duplicate: bool,
}

impl LogoutParams {
    /// From query or form pairs (unknown names ignored, §2 `logout_hint` included: the session
    /// is always the browser's own).
    pub fn from_pairs<I, K, V>(pairs: I) -> Self
    where
        I: IntoIterator<Item = (K, V)>,
        K: AsRef<str>,
        V: Into<String>,
    {
        let mut p = Self::default();
        for (k, v) in pairs {
            let slot = match k.as_ref() {
                "id_token_hint" => &mut p.id_token_hint,
                "client_id" => &mut p.client_id,
                "post_logout_redirect_uri" => &mut p.post_logout_redirect_uri,
                "state" => &mut p.state,
                "ui_locales" => &mut p.ui_locales,
                _ => continue,
            };
            if slot.is_some() {
                p.duplicate = true;
            }
            *slot = Some(v.into());
        }
        p
    }
}

/// Why a request is refused (each a page at the edge, never a redirect).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LogoutProblem {
    /// A parameter was sent twice.
    #[error("a parameter was sent more than once")]
    Duplicate,
    /// The hint is not a valid ID token of ours.
    #[error(transparent)]
    Hint(#[from] HintError),
    /// `client_id` names another client than the hint's audience.
    #[error("client_id does not match the id_token_hint")]
    ClientMismatch,
    /// `client_id` is not registered.
    #[error("unknown client_id")]
    UnknownClient,
    /// `post_logout_redirect_uri` without `client_id` or hint.
    #[error("post_logout_redirect_uri without client_id or id_token_hint")]
    RedirectWithoutClient,
    /// `post_logout_redirect_uri` not registered for the client.
    #[error("post_logout_redirect_uri not registered for this client")]
    RedirectNotRegistered,
}

/// A checked request: every value in it may be acted on.
#[derive(Debug, Clone)]
pub struct LogoutRequest<'b> {
    /// The client, when identified.
    pub client: Option<&'b ClientConfig>,
    /// Where to return: a registered URI of `client`, exactly as registered.
    pub redirect: Option<String>,
    /// `state`, echoed with the redirect.
    pub state: Option<String>,
    /// The session the hint names (`sid` as `client` sees it).
    pub hint_sid: Option<String>,
    /// `ui_locales` as sent.
    pub ui_locales: Option<String>,
}

/// Check the parameters.
pub fn check<'b>(broker: &'b Broker, p: &LogoutParams) -> Result<LogoutRequest<'b>, LogoutProblem> {
    if p.duplicate {
        return Err(LogoutProblem::Duplicate);
    }
    let hint = match p.id_token_hint.as_deref().filter(|h| !h.is_empty()) {
        Some(h) => Some(hint::verify(broker, h)?),
        None => None,
    };
    let named = match p.client_id.as_deref().filter(|c| !c.is_empty()) {
        Some(id) => Some(broker.client(id).ok_or(LogoutProblem::UnknownClient)?),
        None => None,
    };
    let client = match (&hint, named) {
        (Some(h), Some(c)) if h.client.id != c.id => return Err(LogoutProblem::ClientMismatch),
        (Some(h), _) => Some(h.client),
        (None, c) => c,
    };
    let redirect = match p.post_logout_redirect_uri.as_deref().filter(|u| !u.is_empty()) {
        None => None,
        Some(uri) => {
            let c = client.ok_or(LogoutProblem::RedirectWithoutClient)?;
            if !c.post_logout_redirect_uris.iter().any(|r| r == uri) {
                return Err(LogoutProblem::RedirectNotRegistered);
            }
            Some(uri.to_owned())
        }
    };
    Ok(LogoutRequest {
        client,
        redirect,
        state: p.state.clone().filter(|s| !s.is_empty()),
        hint_sid: hint.map(|h| h.sid),
        ui_locales: p.ui_locales.clone(),
    })
}

/// The URL to return to: the registered URI with `state` added to its query (§3).
pub fn return_url(redirect: &str, state: Option<&str>) -> Option<url::Url> {
    let mut url = url::Url::parse(redirect).ok()?;
    if let Some(s) = state {
        url.query_pairs_mut().append_pair("state", s);
    }
    Some(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duplicates_are_noticed_and_unknown_names_ignored() {
        let p = LogoutParams::from_pairs([("state", "a"), ("logout_hint", "x"), ("state", "b")]);
        assert!(p.duplicate);
        let p = LogoutParams::from_pairs([("state", "a"), ("client_id", "c")]);
        assert!(!p.duplicate);
        assert_eq!(p.client_id.as_deref(), Some("c"));
    }

    #[test]
    fn state_is_appended_to_the_registered_query() {
        let u = return_url("https://rp.example/bye?x=1", Some("s t&")).unwrap();
        assert_eq!(u.as_str(), "https://rp.example/bye?x=1&state=s+t%26");
        assert_eq!(
            return_url("https://rp.example/bye", None).unwrap().as_str(),
            "https://rp.example/bye"
        );
    }
}
