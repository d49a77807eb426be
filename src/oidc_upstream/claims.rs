//! Claims mapping (issue 10 item 3): our claim name ← an upstream claim path, and OpenID Connect
//! for Identity Assurance 1.0 `verified_claims` (§5).
//!
//! A path is dotted for nested members (`address.street_address`). A path that starts with
//! `verified_claims.` addresses only verified values: the `claims` members of those
//! `verified_claims` elements whose `verification.trust_framework` is on the upstream's allow-list
//! (OIDC4IDA §5.1). The evidence itself is never released, and an element with a framework not
//! on the list contributes nothing. Only values the upstream actually sent appear; `null` counts
//! as not sent.

use serde_json::{Map, Value};

/// The prefix that selects verified values.
pub const VERIFIED_PREFIX: &str = "verified_claims.";

/// The verified values of `verified_claims` (object or array of objects) whose trust framework is
/// allowed; where two elements carry the same claim, the first wins.
pub fn verified_values(verified_claims: Option<&Value>, allowed: &[String]) -> Map<String, Value> {
    let mut out = Map::new();
    let elements: Vec<&Value> = match verified_claims {
        Some(Value::Array(a)) => a.iter().collect(),
        Some(v @ Value::Object(_)) => vec![v],
        _ => Vec::new(),
    };
    for el in elements {
        let framework = el.pointer("/verification/trust_framework").and_then(Value::as_str);
        if !framework.is_some_and(|f| allowed.iter().any(|a| a == f)) {
            continue;
        }
        if let Some(Value::Object(claims)) = el.get("claims") {
            for (k, v) in claims {
                if !v.is_null() && !out.contains_key(k) {
                    out.insert(k.clone(), v.clone());
                }
            }
        }
    }
    out
}

/// Look a dotted path up in an object.
fn lookup<'a>(root: &'a Map<String, Value>, path: &str) -> Option<&'a Value> {
    let mut parts = path.split('.');
    let mut cur = root.get(parts.next()?)?;
    for p in parts {
        cur = cur.as_object()?.get(p)?;
    }
    (!cur.is_null()).then_some(cur)
}

/// Apply `mapping` (our name, upstream path) to the upstream's claims (ID token merged with
/// userinfo). Verified values come from [`verified_values`] of the same claims.
pub fn map_claims(claims: &Map<String, Value>, mapping: &[(String, String)], trust_frameworks: &[String]) -> Map<String, Value> {
    // OIDC4IDA §5: verified_claims may be in the ID token or in userinfo; the merged set holds
    // whichever came (ID token first).
    let verified = verified_values(claims.get("verified_claims"), trust_frameworks);
    let mut out = Map::new();
    for (ours, path) in mapping {
        let value = match path.strip_prefix(VERIFIED_PREFIX) {
            Some(inner) => lookup(&verified, inner),
            None if path == "verified_claims" || path.starts_with("verified_claims") => None,
            None => lookup(claims, path),
        };
        if let Some(v) = value {
            out.insert(ours.clone(), v.clone());
        }
    }
    out
}

/// Merge userinfo into the ID token's claims: the ID token's values stay (they are the signed
/// statement of the login), userinfo only adds what is missing.
pub fn merge(id_token: &Map<String, Value>, userinfo: Option<&Map<String, Value>>) -> Map<String, Value> {
    let mut out = id_token.clone();
    if let Some(u) = userinfo {
        for (k, v) in u {
            out.entry(k.clone()).or_insert_with(|| v.clone());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn obj(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap_or_default()
    }

    fn m(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(a, b)| ((*a).to_owned(), (*b).to_owned())).collect()
    }

    #[test]
    fn plain_and_dotted_paths() {
        let c = obj(json!({"given_name": "Kari", "family_name": null, "address": {"locality": "Oslo"}}));
        let out = map_claims(
            &c,
            &m(&[
                ("given_name", "given_name"),
                ("family_name", "family_name"),
                ("city", "address.locality"),
                ("x", "nope.deep"),
            ]),
            &[],
        );
        assert_eq!(out, obj(json!({"given_name": "Kari", "city": "Oslo"})));
    }

    #[test]
    fn verified_claims_only_from_allowed_frameworks_and_only_the_claims() {
        let c = obj(json!({
            "given_name": "Unverified",
            "verified_claims": [
                {"verification": {"trust_framework": "other"}, "claims": {"given_name": "Wrong", "birthdate": "1900-01-01"}},
                {"verification": {"trust_framework": "de_aml", "evidence": [{"type": "document"}]},
                 "claims": {"given_name": "Erika", "address": {"country": "DE"}}}
            ]
        }));
        let tf = vec!["de_aml".to_owned()];
        let out = map_claims(
            &c,
            &m(&[
                ("given_name", "verified_claims.given_name"),
                ("birthdate", "verified_claims.birthdate"),
                ("country", "verified_claims.address.country"),
                ("evidence", "verified_claims.verification"),
                ("raw", "verified_claims"),
            ]),
            &tf,
        );
        assert_eq!(out, obj(json!({"given_name": "Erika", "country": "DE"})));
        // No allow-list: nothing verified at all.
        assert!(map_claims(&c, &m(&[("given_name", "verified_claims.given_name")]), &[]).is_empty());
        // A single object instead of an array.
        let single = obj(json!({"verified_claims": {"verification": {"trust_framework": "de_aml"}, "claims": {"family_name": "M"}}}));
        assert_eq!(
            verified_values(single.get("verified_claims"), &tf),
            obj(json!({"family_name": "M"}))
        );
    }

    #[test]
    fn id_token_wins_over_userinfo() {
        let id = obj(json!({"sub": "a", "given_name": "Id"}));
        let ui = obj(json!({"sub": "a", "given_name": "Ui", "email": "e@x"}));
        assert_eq!(merge(&id, Some(&ui)), obj(json!({"sub": "a", "given_name": "Id", "email": "e@x"})));
    }
}
