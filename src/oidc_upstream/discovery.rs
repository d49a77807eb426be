//! Provider metadata (OpenID Connect Discovery 1.0) and the OP's JWKS.
//!
//! The metadata document is parsed with the openidconnect crate's `ProviderMetadata` (values it
//! does not know, e.g. a new `alg`, are skipped, not fatal), plus the members it lacks: PAR
//! (RFC 9126 §5), RFC 9207 `authorization_response_iss_parameter_supported`, RFC 8705 §5
//! `mtls_endpoint_aliases`. What the rest of the module needs is copied into [`Provider`], plain
//! types only. The `issuer` in the document must equal the configured issuer exactly
//! (Discovery §4.3: otherwise a document from one OP could name another's endpoints).
//!
//! The JWKS is kept as `jsonwebtoken` JWKs: signatures are verified on aws-lc-rs, the one crypto
//! library of the broker (issue 14 item 3); a key the library cannot read is skipped, like a
//! value the metadata parser does not know. Keys marked `use: enc` never verify a signature.

use jsonwebtoken::jwk::{AlgorithmParameters, Jwk, PublicKeyUse};
use jsonwebtoken::Algorithm;
use openidconnect::core::{
    CoreAuthDisplay, CoreClaimName, CoreClaimType, CoreClientAuthMethod, CoreGrantType, CoreJsonWebKey, CoreJweContentEncryptionAlgorithm,
    CoreJweKeyManagementAlgorithm, CoreJwsSigningAlgorithm, CoreResponseMode, CoreResponseType, CoreSubjectIdentifierType,
};
use openidconnect::{AdditionalProviderMetadata, ProviderMetadata};
use serde::{Deserialize, Serialize};
use std::str::FromStr;
use url::Url;

/// Largest metadata or JWKS document accepted.
pub const MAX_DOCUMENT: usize = 256 * 1024;

/// Members the openidconnect crate does not model.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
pub struct ExtraMetadata {
    /// RFC 9126 §5.
    #[serde(default)]
    pub pushed_authorization_request_endpoint: Option<String>,
    /// RFC 9126 §5.
    #[serde(default)]
    pub require_pushed_authorization_requests: bool,
    /// RFC 9207 §3.
    #[serde(default)]
    pub authorization_response_iss_parameter_supported: bool,
    /// RFC 8705 §5.
    #[serde(default)]
    pub mtls_endpoint_aliases: Option<MtlsAliases>,
    /// RP-Initiated Logout 1.0 §2.1.
    #[serde(default)]
    pub end_session_endpoint: Option<String>,
}

impl AdditionalProviderMetadata for ExtraMetadata {}

/// RFC 8705 §5: endpoints to use with mutual TLS.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
pub struct MtlsAliases {
    /// Token endpoint alias.
    #[serde(default)]
    pub token_endpoint: Option<String>,
    /// PAR endpoint alias.
    #[serde(default)]
    pub pushed_authorization_request_endpoint: Option<String>,
    /// Userinfo endpoint alias.
    #[serde(default)]
    pub userinfo_endpoint: Option<String>,
}

/// The crate's metadata type with our extra members.
pub type Metadata = ProviderMetadata<
    ExtraMetadata,
    CoreAuthDisplay,
    CoreClientAuthMethod,
    CoreClaimName,
    CoreClaimType,
    CoreGrantType,
    CoreJweContentEncryptionAlgorithm,
    CoreJweKeyManagementAlgorithm,
    CoreJsonWebKey,
    CoreResponseMode,
    CoreResponseType,
    CoreSubjectIdentifierType,
>;

/// What the broker uses of an OP's metadata and keys.
#[derive(Debug, Clone)]
pub struct Provider {
    /// `issuer`, as configured and as the document says.
    pub issuer: String,
    /// Authorization endpoint.
    pub authorization_endpoint: Url,
    /// Token endpoint (the mTLS alias for `tls_client_auth` is chosen by the caller).
    pub token_endpoint: Url,
    /// Userinfo endpoint.
    pub userinfo_endpoint: Option<Url>,
    /// JWKS location.
    pub jwks_uri: Url,
    /// PAR endpoint, when the OP offers PAR.
    pub par_endpoint: Option<Url>,
    /// RP-Initiated Logout 1.0 §2.1, when the OP offers it.
    pub end_session_endpoint: Option<Url>,
    /// RFC 8705 §5 aliases.
    pub mtls: MtlsEndpoints,
    /// The OP sends `iss` in authorization responses (then it is required, RFC 9207 §2.4).
    pub iss_parameter_supported: bool,
    /// The OP accepts the `claims` request parameter (OIDC Core §5.5).
    pub claims_parameter_supported: bool,
    /// Asymmetric ID token algorithms the OP advertises (never `none`, never HS*).
    pub id_token_algs: Vec<Algorithm>,
    /// Asymmetric userinfo algorithms (advertised, or the ID token's when not advertised).
    pub userinfo_algs: Vec<Algorithm>,
    /// The OP's signature keys.
    pub keys: Vec<Jwk>,
}

/// mTLS endpoint aliases, parsed.
#[derive(Debug, Clone, Default)]
pub struct MtlsEndpoints {
    /// Token endpoint.
    pub token: Option<Url>,
    /// PAR endpoint.
    pub par: Option<Url>,
    /// Userinfo endpoint.
    pub userinfo: Option<Url>,
}

/// The only algorithms an upstream may sign with: asymmetric ones that aws-lc-rs verifies.
/// `none` and the HMAC family are not on it: an HS256 token "signed" with the OP's public key
/// (RFC 8725 §2.1) is refused before any key is looked at.
pub fn asymmetric(alg: &CoreJwsSigningAlgorithm) -> Option<Algorithm> {
    let name = serde_json::to_value(alg).ok()?;
    let a = Algorithm::from_str(name.as_str()?).ok()?;
    matches!(
        a,
        Algorithm::RS256
            | Algorithm::RS384
            | Algorithm::RS512
            | Algorithm::PS256
            | Algorithm::PS384
            | Algorithm::PS512
            | Algorithm::ES256
            | Algorithm::ES384
            | Algorithm::EdDSA
    )
    .then_some(a)
}

/// The well-known location (Discovery §4.1: the issuer with any trailing `/` removed).
pub fn well_known(issuer: &str) -> Result<Url, String> {
    Url::parse(&format!("{}/.well-known/openid-configuration", issuer.trim_end_matches('/'))).map_err(|e| format!("issuer: {e}"))
}

/// Check and extract a metadata document for `issuer`. Endpoints must be `https` unless the issuer
/// itself is `http` (development on loopback only, enforced by configuration).
pub fn parse_metadata(json: &[u8], issuer: &str) -> Result<(Provider, Url), String> {
    let meta: Metadata = serde_json::from_slice(json).map_err(|e| format!("metadata does not parse: {e}"))?;
    if meta.issuer().as_str() != issuer {
        return Err(format!(
            "metadata names issuer {:?}, configured is {issuer:?}",
            meta.issuer().as_str()
        ));
    }
    let https = issuer.starts_with("https://");
    let url = |what: &str, s: &str| -> Result<Url, String> {
        let u = Url::parse(s).map_err(|e| format!("{what}: {e}"))?;
        if https && u.scheme() != "https" {
            return Err(format!("{what} {u} is not https"));
        }
        if !matches!(u.scheme(), "https" | "http") {
            return Err(format!("{what} {u}: unsupported scheme"));
        }
        Ok(u)
    };
    let token = meta.token_endpoint().ok_or_else(|| "metadata has no token_endpoint".to_owned())?;
    let extra = meta.additional_metadata();
    let opt = |what: &str, s: Option<&String>| s.map(|s| url(what, s)).transpose();
    let id_token_algs: Vec<Algorithm> = meta.id_token_signing_alg_values_supported().iter().filter_map(asymmetric).collect();
    if id_token_algs.is_empty() {
        return Err("the provider advertises no asymmetric ID token signing algorithm".into());
    }
    let userinfo_algs = meta
        .userinfo_signing_alg_values_supported()
        .map(|v| v.iter().filter_map(asymmetric).collect::<Vec<_>>())
        .unwrap_or_else(|| id_token_algs.clone());
    let aliases = extra.mtls_endpoint_aliases.clone().unwrap_or_default();
    let provider = Provider {
        issuer: issuer.to_owned(),
        authorization_endpoint: url("authorization_endpoint", meta.authorization_endpoint().as_str())?,
        token_endpoint: url("token_endpoint", token.as_str())?,
        userinfo_endpoint: meta.userinfo_endpoint().map(|u| url("userinfo_endpoint", u.as_str())).transpose()?,
        jwks_uri: url("jwks_uri", meta.jwks_uri().as_str())?,
        par_endpoint: opt(
            "pushed_authorization_request_endpoint",
            extra.pushed_authorization_request_endpoint.as_ref(),
        )?,
        end_session_endpoint: opt("end_session_endpoint", extra.end_session_endpoint.as_ref())?,
        mtls: MtlsEndpoints {
            token: opt("mtls_endpoint_aliases.token_endpoint", aliases.token_endpoint.as_ref())?,
            par: opt(
                "mtls_endpoint_aliases.pushed_authorization_request_endpoint",
                aliases.pushed_authorization_request_endpoint.as_ref(),
            )?,
            userinfo: opt("mtls_endpoint_aliases.userinfo_endpoint", aliases.userinfo_endpoint.as_ref())?,
        },
        iss_parameter_supported: extra.authorization_response_iss_parameter_supported,
        claims_parameter_supported: meta.claims_parameter_supported().unwrap_or(false),
        id_token_algs,
        userinfo_algs,
        keys: Vec::new(),
    };
    let jwks = provider.jwks_uri.clone();
    Ok((provider, jwks))
}

/// Parse a JWKS document: signature keys only; keys the library cannot read are skipped.
pub fn parse_jwks(json: &[u8]) -> Result<Vec<Jwk>, String> {
    #[derive(Deserialize)]
    struct Set {
        keys: Vec<serde_json::Value>,
    }
    let set: Set = serde_json::from_slice(json).map_err(|e| format!("JWKS does not parse: {e}"))?;
    Ok(set
        .keys
        .into_iter()
        .filter_map(|k| serde_json::from_value::<Jwk>(k).ok())
        .filter(|k| !matches!(k.common.public_key_use, Some(PublicKeyUse::Encryption)))
        // Public keys only: a symmetric (`oct`) or unknown key never verifies an upstream token.
        .filter(|k| {
            matches!(
                k.algorithm,
                AlgorithmParameters::RSA(_) | AlgorithmParameters::EllipticCurve(_) | AlgorithmParameters::OctetKeyPair(_)
            )
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn doc(issuer: &str) -> serde_json::Value {
        json!({
            "issuer": issuer,
            "authorization_endpoint": format!("{issuer}/auth"),
            "token_endpoint": format!("{issuer}/token"),
            "jwks_uri": format!("{issuer}/jwks"),
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["none", "HS256", "ES256", "PS256", "Ed448", "ES256K"],
            "pushed_authorization_request_endpoint": format!("{issuer}/par"),
            "authorization_response_iss_parameter_supported": true,
            "claims_parameter_supported": true,
            "mtls_endpoint_aliases": {"token_endpoint": "https://mtls.op.example/token"}
        })
    }

    #[test]
    fn metadata_is_parsed_and_only_asymmetric_algs_kept() {
        let iss = "https://op.example/realm";
        let (p, jwks) = parse_metadata(doc(iss).to_string().as_bytes(), iss).unwrap();
        assert_eq!(p.id_token_algs, vec![Algorithm::ES256, Algorithm::PS256]);
        assert_eq!(p.userinfo_algs, p.id_token_algs);
        assert!(p.iss_parameter_supported && p.claims_parameter_supported);
        assert_eq!(p.par_endpoint.unwrap().as_str(), "https://op.example/realm/par");
        assert_eq!(p.mtls.token.unwrap().as_str(), "https://mtls.op.example/token");
        assert_eq!(jwks.as_str(), "https://op.example/realm/jwks");
    }

    #[test]
    fn metadata_for_another_issuer_or_with_http_endpoints_is_refused() {
        let iss = "https://op.example/realm";
        assert!(parse_metadata(doc(iss).to_string().as_bytes(), "https://op.example/other").is_err());
        assert!(parse_metadata(doc(iss).to_string().as_bytes(), "https://op.example/realm/").is_err());
        let mut d = doc(iss);
        d["token_endpoint"] = json!("http://op.example/realm/token");
        assert!(parse_metadata(d.to_string().as_bytes(), iss).unwrap_err().contains("not https"));
        let mut d = doc(iss);
        d["id_token_signing_alg_values_supported"] = json!(["none", "HS256"]);
        assert!(parse_metadata(d.to_string().as_bytes(), iss).is_err());
        assert_eq!(
            well_known("https://op.example/realm/").unwrap().as_str(),
            "https://op.example/realm/.well-known/openid-configuration"
        );
    }

    #[test]
    fn jwks_skips_unreadable_and_encryption_keys() {
        let set = json!({"keys": [
            {"kty": "EC", "crv": "P-256", "kid": "a", "x": "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU", "y": "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"},
            {"kty": "EC", "crv": "P-256", "kid": "b", "use": "enc", "x": "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU", "y": "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"},
            {"kty": "weird"},
            {"kty": "oct", "k": "c2VjcmV0"}
        ]});
        let keys = parse_jwks(set.to_string().as_bytes()).unwrap();
        assert_eq!(keys.len(), 1);
        assert_eq!(keys[0].common.key_id.as_deref(), Some("a"));
    }
}
