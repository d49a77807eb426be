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

/// The PID query: `claims` plus the subject's basis, `trusted_authorities` of type `aki`.
pub fn pid_query(claims: &[PidClaim], akis: &[String]) -> DcqlQuery {
    let _ = (claims, akis);
    DcqlQuery {
        credentials: Vec::new(),
        credential_sets: None,
    }
}

/// The presentations of a `vp_token` (§8.1), each with its credential query; refuses a credential
/// id we did not ask for and a missing required one.
pub fn presentations<'q, 'v>(query: &'q DcqlQuery, vp_token: &'v Value) -> Result<Vec<(&'q CredentialQuery, &'v str)>, WalletError> {
    let _ = (query, vp_token);
    Err(WalletError::Dcql("not built yet".into()))
}

/// Check one verified SD-JWT VC (its `vct` and disclosed claims) against its credential query.
pub fn check_credential(query: &CredentialQuery, vct: &str, claims: &Value) -> Result<(), WalletError> {
    let _ = (query, vct, claims);
    Err(WalletError::Dcql("not built yet".into()))
}
