//! The `claims` request parameter (OIDC Core §5.5): which claims go into the ID token and userinfo,
//! and an essential `acr` (§5.5.1.1) with `value` or `values`.

use serde_json::Value;

/// What the `claims` parameter asked for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClaimsRequest {
    /// Claim names requested for the ID token (without `acr`, which is always present).
    pub id_token: Vec<String>,
    /// Claim names requested for userinfo.
    pub userinfo: Vec<String>,
    /// Values of an essential `acr`, from either member.
    pub essential_acr: Option<Vec<String>>,
}

/// The parameter is not a JSON object of the §5.5 shape.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("claims parameter is not valid: {0}")]
pub struct ClaimsError(pub &'static str);

/// Parse the parameter.
pub fn parse(text: &str) -> Result<ClaimsRequest, ClaimsError> {
    let v: Value = serde_json::from_str(text).map_err(|_| ClaimsError("not JSON"))?;
    let obj = v.as_object().ok_or(ClaimsError("not a JSON object"))?;
    let mut out = ClaimsRequest::default();
    for (member, target) in [("id_token", 0), ("userinfo", 1)] {
        let Some(m) = obj.get(member) else { continue };
        let m = m.as_object().ok_or(ClaimsError("id_token/userinfo must be objects"))?;
        for (name, spec) in m {
            if name == "acr" {
                if let Some(values) = essential_values(spec)? {
                    let list = out.essential_acr.get_or_insert_with(Vec::new);
                    list.extend(values);
                }
                continue;
            }
            // §5.5: each member is null or an object.
            if !(spec.is_null() || spec.is_object()) {
                return Err(ClaimsError("claim requests must be null or objects"));
            }
            let list = if target == 0 { &mut out.id_token } else { &mut out.userinfo };
            if !list.contains(name) {
                list.push(name.clone());
            }
        }
    }
    Ok(out)
}

/// `Some(values)` when the `acr` request is essential.
fn essential_values(spec: &Value) -> Result<Option<Vec<String>>, ClaimsError> {
    let Some(o) = spec.as_object() else {
        return if spec.is_null() {
            Ok(None)
        } else {
            Err(ClaimsError("acr request must be null or an object"))
        };
    };
    if o.get("essential").and_then(Value::as_bool) != Some(true) {
        return Ok(None);
    }
    let mut values = Vec::new();
    if let Some(v) = o.get("value") {
        values.push(v.as_str().ok_or(ClaimsError("acr value must be a string"))?.to_owned());
    }
    if let Some(vs) = o.get("values") {
        for v in vs.as_array().ok_or(ClaimsError("acr values must be an array"))? {
            values.push(v.as_str().ok_or(ClaimsError("acr values must be strings"))?.to_owned());
        }
    }
    // An essential acr without any value asks for "some acr": every token has one, so no floor.
    Ok((!values.is_empty()).then_some(values))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn essential_acr_value_and_values() {
        let r = parse(r#"{"id_token":{"acr":{"essential":true,"values":["a","b"]},"given_name":null},"userinfo":{"acr":{"essential":true,"value":"c"},"address":{"essential":true}}}"#).unwrap();
        assert_eq!(r.essential_acr, Some(vec!["a".into(), "b".into(), "c".into()]));
        assert_eq!(r.id_token, ["given_name"]);
        assert_eq!(r.userinfo, ["address"]);
    }

    #[test]
    fn voluntary_acr_is_not_essential() {
        let r = parse(r#"{"id_token":{"acr":{"values":["a"]}}}"#).unwrap();
        assert_eq!(r.essential_acr, None);
    }

    #[test]
    fn malformed() {
        assert!(parse("not json").is_err());
        assert!(parse("[]").is_err());
        assert!(parse(r#"{"id_token":[]}"#).is_err());
        assert!(parse(r#"{"id_token":{"acr":{"essential":true,"values":"x"}}}"#).is_err());
        assert!(parse(r#"{"id_token":{"x":5}}"#).is_err());
    }
}
