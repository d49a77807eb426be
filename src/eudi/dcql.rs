//! DCQL (OpenID4VP 1.0 §6): the query the broker sends, and the check of a `vp_token` against it.

use crate::eudi::error::WalletError;
use crate::eudi::pid::PidClaim;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The credential query id of the PID (wallet-common: one query, id `pid`).
pub const PID_QUERY_ID: &str = "pid";
/// SD-JWT VC format identifier (OpenID4VP 1.0 Appendix B.3).
pub const FORMAT_SD_JWT_VC: &str = "dc+sd-jwt";
/// The German PID's `vct`, then the EU base type.
pub const PID_VCTS: [&str; 2] = ["urn:eudi:pid:de:1", "urn:eudi:pid:1"];

/// A DCQL query (§6.1).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DcqlQuery {
    /// `credentials`: what is asked.
    pub credentials: Vec<CredentialQuery>,
    /// `credential_sets`: which combinations satisfy the query.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credential_sets: Option<Vec<CredentialSetQuery>>,
}

/// One credential query (§6.1).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CredentialQuery {
    /// `id`, the key in the `vp_token`.
    pub id: String,
    /// `format` (`dc+sd-jwt`, `mso_mdoc`, …).
    pub format: String,
    /// `multiple`: more than one presentation allowed.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub multiple: bool,
    /// `meta`: format-specific constraints.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
    /// `trusted_authorities` (§6.1.1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trusted_authorities: Option<Vec<TrustedAuthority>>,
    /// `require_cryptographic_holder_binding` (default true).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub require_cryptographic_holder_binding: Option<bool>,
    /// `claims` (§6.3).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub claims: Option<Vec<ClaimsQuery>>,
    /// `claim_sets`: alternatives by claim id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub claim_sets: Option<Vec<Vec<String>>>,
}

/// `meta` (Appendix B: `vct_values` for SD-JWT VC, `doctype_value` for mdoc).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Meta {
    /// SD-JWT VC: accepted `vct` values.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vct_values: Option<Vec<String>>,
    /// mdoc: the doctype.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub doctype_value: Option<String>,
}

/// `trusted_authorities` entry (§6.1.1): `type` `aki`, `etsi_tl`, `openid_federation`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrustedAuthority {
    /// `type`.
    #[serde(rename = "type")]
    pub kind: String,
    /// `values`.
    pub values: Vec<String>,
}

/// `credential_sets` entry (§6.2).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CredentialSetQuery {
    /// `options`: each a list of credential query ids.
    pub options: Vec<Vec<String>>,
    /// `required` (default true).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub required: Option<bool>,
}

/// A claims query (§6.3).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClaimsQuery {
    /// `id`, needed when `claim_sets` is used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// `path` (§7): keys, array indices, `null` for all elements.
    pub path: Vec<PathElement>,
    /// `values`: accepted values.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub values: Option<Vec<Value>>,
}

/// One element of a claims path pointer (§7).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum PathElement {
    /// An object key.
    Key(String),
    /// An array index.
    Index(u64),
    /// `null`: every element of an array.
    All(()),
}

/// The claims every PID query asks for, whatever the scopes: the basis of the subject
/// ([`crate::eudi::pid::Pid::subject`]). Without them no stable account binding exists.
pub const SUBJECT_BASIS: [PidClaim; 4] = [
    PidClaim::FamilyName,
    PidClaim::GivenName,
    PidClaim::Birthdate,
    PidClaim::PlaceOfBirth,
];

/// The PID query (wallet-common "DCQL"): one credential query `pid` in format `dc+sd-jwt`, `vct`
/// `urn:eudi:pid:de:1` or `urn:eudi:pid:1`, the asked `claims` plus [`SUBJECT_BASIS`] (data
/// minimisation, GDPR Art. 5(1)(c): nothing else), and `trusted_authorities` of type `aki` (HAIP
/// 1.0 §6.2; left out when `akis` is empty, as an empty `values` is invalid).
pub fn pid_query(claims: &[PidClaim], akis: &[String]) -> DcqlQuery {
    let mut wanted: Vec<PidClaim> = SUBJECT_BASIS.iter().chain(claims).copied().collect();
    wanted.sort();
    wanted.dedup();
    DcqlQuery {
        credentials: vec![CredentialQuery {
            id: PID_QUERY_ID.into(),
            format: FORMAT_SD_JWT_VC.into(),
            multiple: false,
            meta: Some(Meta {
                vct_values: Some(PID_VCTS.iter().map(|v| (*v).to_owned()).collect()),
                doctype_value: None,
            }),
            trusted_authorities: (!akis.is_empty()).then(|| {
                vec![TrustedAuthority {
                    kind: "aki".into(),
                    values: akis.to_vec(),
                }]
            }),
            require_cryptographic_holder_binding: None,
            claims: Some(
                wanted
                    .into_iter()
                    .map(|c| ClaimsQuery {
                        id: None,
                        path: vec![PathElement::Key(c.name().into())],
                        values: None,
                    })
                    .collect(),
            ),
            claim_sets: None,
        }],
        credential_sets: None,
    }
}

/// The presentations of a `vp_token` (§8.1: an object from credential query id to a non-empty
/// array of presentations), each with its credential query. Refused: a credential id we did not
/// ask for, more than one presentation without `multiple`, and a missing required credential
/// (every query without `credential_sets`, one option of each required set with them, §6.4.2).
pub fn presentations<'q, 'v>(query: &'q DcqlQuery, vp_token: &'v Value) -> Result<Vec<(&'q CredentialQuery, &'v str)>, WalletError> {
    let map = vp_token
        .as_object()
        .ok_or_else(|| WalletError::Malformed("vp_token is not an object".into()))?;
    let mut out = Vec::new();
    for (id, list) in map {
        let cq = query
            .credentials
            .iter()
            .find(|c| &c.id == id)
            .ok_or_else(|| WalletError::Dcql(format!("credential {id:?} was not asked for")))?;
        let list = list
            .as_array()
            .filter(|l| !l.is_empty())
            .ok_or_else(|| WalletError::Malformed(format!("vp_token.{id} is not a non-empty array")))?;
        if list.len() > 1 && !cq.multiple {
            return Err(WalletError::Dcql(format!("several presentations for {id:?}")));
        }
        for p in list {
            let p = p
                .as_str()
                .ok_or_else(|| WalletError::Malformed(format!("vp_token.{id} holds a non-string")))?;
            out.push((cq, p));
        }
    }
    let present = |id: &String| map.contains_key(id);
    match &query.credential_sets {
        None => {
            if let Some(missing) = query.credentials.iter().find(|c| !present(&c.id)) {
                return Err(WalletError::Dcql(format!("credential {:?} missing", missing.id)));
            }
        }
        Some(sets) => {
            for set in sets.iter().filter(|s| s.required.unwrap_or(true)) {
                if !set.options.iter().any(|o| o.iter().all(present)) {
                    return Err(WalletError::Dcql("a required credential set is not satisfied".into()));
                }
            }
        }
    }
    Ok(out)
}

/// Check one verified SD-JWT VC (its `vct` and disclosed claims) against its credential query:
/// `vct` among `meta.vct_values` ([`WalletError::WrongVct`]), and every asked claim present
/// (with one of its `values` where given), or one of the `claim_sets` complete (§6.4.1).
pub fn check_credential(query: &CredentialQuery, vct: &str, claims: &Value) -> Result<(), WalletError> {
    if let Some(vcts) = query.meta.as_ref().and_then(|m| m.vct_values.as_ref()) {
        if !vcts.iter().any(|v| v == vct) {
            return Err(WalletError::WrongVct(vct.into()));
        }
    }
    let Some(asked) = &query.claims else { return Ok(()) };
    let satisfied = |c: &ClaimsQuery| claim_present(c, claims);
    match &query.claim_sets {
        None => match asked.iter().find(|c| !satisfied(c)) {
            None => Ok(()),
            Some(c) => Err(WalletError::Dcql(format!("claim {} missing", path_text(&c.path)))),
        },
        Some(sets) => {
            let by_id = |id: &String| asked.iter().find(|c| c.id.as_ref() == Some(id));
            let complete = sets.iter().any(|set| set.iter().all(|id| by_id(id).is_some_and(satisfied)));
            if complete {
                Ok(())
            } else {
                Err(WalletError::Dcql("no claim set complete".into()))
            }
        }
    }
}

fn claim_present(c: &ClaimsQuery, claims: &Value) -> bool {
    let selected = select(&c.path, claims);
    match (&c.values, selected) {
        (_, None) => false,
        (None, Some(_)) => true,
        (Some(values), Some(found)) => found.iter().any(|f| values.contains(f)),
    }
}

/// Claims path pointer processing (§7.1): the selected values, `None` if nothing is selected or
/// the path does not fit the data.
pub fn select<'v>(path: &[PathElement], root: &'v Value) -> Option<Vec<&'v Value>> {
    if path.is_empty() {
        return None;
    }
    let mut current = vec![root];
    for el in path {
        let mut next = Vec::new();
        for v in current {
            match (el, v) {
                (PathElement::Key(k), Value::Object(o)) => next.extend(o.get(k)),
                (PathElement::Index(i), Value::Array(a)) => next.extend(usize::try_from(*i).ok().and_then(|i| a.get(i))),
                (PathElement::All(()), Value::Array(a)) => next.extend(a.iter()),
                _ => return None,
            }
        }
        if next.is_empty() {
            return None;
        }
        current = next;
    }
    Some(current.into_iter().filter(|v| !v.is_null()).collect()).filter(|v: &Vec<&Value>| !v.is_empty())
}

fn path_text(path: &[PathElement]) -> String {
    let parts: Vec<String> = path
        .iter()
        .map(|p| match p {
            PathElement::Key(k) => k.clone(),
            PathElement::Index(i) => i.to_string(),
            PathElement::All(()) => "*".into(),
        })
        .collect();
    parts.join(".")
}

#[cfg(test)]
mod tests;
