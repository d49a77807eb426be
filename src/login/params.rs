//! Raw authorization request parameters (OIDC Core §3.1.2.1), from the query (GET) or a form body
//! (POST). Duplicates are recorded, not resolved: RFC 6749 §3.1 says parameters "MUST NOT be
//! included more than once", and picking one of two values is how parameter-pollution attacks work.

use std::collections::BTreeMap;

/// Parameters as sent: name → every value, in order.
#[derive(Debug, Clone, Default)]
pub struct RawParams {
    values: BTreeMap<String, Vec<String>>,
}

impl RawParams {
    /// Parse `application/x-www-form-urlencoded` text (query string or body).
    pub fn parse(encoded: &str) -> Self {
        let mut values: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (k, v) in url::form_urlencoded::parse(encoded.as_bytes()) {
            values.entry(k.into_owned()).or_default().push(v.into_owned());
        }
        Self { values }
    }

    /// The single value of a parameter. RFC 6749 §3.1: a parameter sent without a value is
    /// treated as omitted.
    pub fn get(&self, name: &str) -> Option<&str> {
        match self.values.get(name).map(|v| v.as_slice()) {
            Some([one]) if !one.is_empty() => Some(one.as_str()),
            _ => None,
        }
    }

    /// Whether a parameter was sent more than once.
    pub fn is_duplicate(&self, name: &str) -> bool {
        self.values.get(name).map(|v| v.len() > 1).unwrap_or(false)
    }

    /// The first parameter sent more than once, if any.
    pub fn first_duplicate(&self) -> Option<&str> {
        self.values.iter().find(|(_, v)| v.len() > 1).map(|(k, _)| k.as_str())
    }

    /// Whether a parameter is present at all (even empty).
    pub fn has(&self, name: &str) -> bool {
        self.values.contains_key(name)
    }

    /// Space-delimited list (OIDC `scope`, `prompt`, `acr_values`, `ui_locales`).
    pub fn list(&self, name: &str) -> Vec<String> {
        self.get(name)
            .map(|s| s.split(' ').filter(|x| !x.is_empty()).map(str::to_owned).collect())
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duplicates_and_empty() {
        let p = RawParams::parse("a=1&a=2&b=&c=x%20y&scope=openid++profile");
        assert!(p.is_duplicate("a"));
        assert_eq!(p.get("a"), None);
        assert_eq!(p.get("b"), None);
        assert!(p.has("b"));
        assert_eq!(p.get("c"), Some("x y"));
        assert_eq!(p.first_duplicate(), Some("a"));
        assert_eq!(p.list("scope"), ["openid", "profile"]);
    }

    #[test]
    fn state_bytes_preserved() {
        let p = RawParams::parse("state=%C3%A4%20%2B%26%3D%3F%23%25%2F");
        assert_eq!(p.get("state"), Some("ä +&=?#%/"));
    }
}
