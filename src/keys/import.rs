//! Reading private signing keys from files: PEM (PKCS#8 for every type, PKCS#1 for RSA, SEC1 for EC)
//! or a private JWK (RFC 7517 §6, RFC 8037 for Ed25519) in a `.jwk` / `.json` file.
//!
//! Everything goes through openssl into one `PKey`, which is checked against the configured
//! algorithm (an RSA key configured as ES256 is an error, not a surprise at signing time) and then
//! exported in the DER form jsonwebtoken's aws-lc backend expects: PKCS#8 for EC, PKCS#1 for RSA,
//! PKCS#8 v1 (RFC 8410 §7) for Ed25519.

use super::SigningAlg;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use jsonwebtoken::EncodingKey;
use openssl::bn::BigNum;
use openssl::ec::{EcGroup, EcKey};
use openssl::nid::Nid;
use openssl::pkey::{Id, PKey, Private};
use openssl::rsa::RsaPrivateKeyBuilder;
use serde::Deserialize;

/// Smallest RSA modulus we sign with (BSI TR-02102-1 asks for 3000 bits from 2023; 2048 is still
/// accepted so existing relying-party setups keep working during migration).
const MIN_RSA_BITS: u32 = 2048;

/// Whether a key file is a JWK (by its name, as documented in config/example.toml).
pub fn is_jwk_file(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    lower.ends_with(".jwk") || lower.ends_with(".json")
}

/// Parse a key file's contents into an encoding key for `alg`. Errors are short reasons; the
/// caller adds the file name.
pub fn encoding_key(alg: SigningAlg, contents: &[u8], jwk: bool) -> Result<EncodingKey, String> {
    let pkey = if jwk {
        pkey_from_jwk(alg, contents)?
    } else {
        PKey::private_key_from_pem(contents).map_err(|e| format!("not a PEM private key: {e}"))?
    };
    encoding_key_from_pkey(alg, &pkey)
}

/// Export an openssl key in the form jsonwebtoken takes, after checking it fits `alg`.
pub fn encoding_key_from_pkey(alg: SigningAlg, pkey: &PKey<Private>) -> Result<EncodingKey, String> {
    let ssl = |e: openssl::error::ErrorStack| e.to_string();
    match alg {
        SigningAlg::ES256 => {
            let ec = pkey
                .ec_key()
                .map_err(|_| format!("{alg} needs an EC P-256 key, found {}", type_name(pkey)))?;
            if ec.group().curve_name() != Some(Nid::X9_62_PRIME256V1) {
                return Err(format!("{alg} needs the P-256 curve"));
            }
            ec.check_key().map_err(ssl)?;
            Ok(EncodingKey::from_ec_der(&pkey.private_key_to_pkcs8().map_err(ssl)?))
        }
        SigningAlg::RS256 | SigningAlg::PS256 => {
            let rsa = pkey
                .rsa()
                .map_err(|_| format!("{alg} needs an RSA key, found {}", type_name(pkey)))?;
            if rsa.size() * 8 < MIN_RSA_BITS {
                return Err(format!("RSA key has {} bits; at least {MIN_RSA_BITS} required", rsa.size() * 8));
            }
            if !rsa.check_key().map_err(ssl)? {
                return Err("RSA key is inconsistent".into());
            }
            Ok(EncodingKey::from_rsa_der(&rsa.private_key_to_der().map_err(ssl)?))
        }
        SigningAlg::EdDSA => {
            if pkey.id() != Id::ED25519 {
                return Err(format!("{alg} needs an Ed25519 key, found {}", type_name(pkey)));
            }
            let seed = pkey.raw_private_key().map_err(ssl)?;
            Ok(EncodingKey::from_ed_der(&ed25519_pkcs8_v1(&seed)?))
        }
    }
}

fn type_name(pkey: &PKey<Private>) -> &'static str {
    match pkey.id() {
        Id::RSA => "an RSA key",
        Id::EC => "an EC key",
        Id::ED25519 => "an Ed25519 key",
        Id::ED448 => "an Ed448 key",
        _ => "another key type",
    }
}

/// RFC 8410 §7 OneAsymmetricKey v1 for Ed25519: a fixed 16-byte header and the 32-byte seed.
/// jsonwebtoken derives the public JWK only from this 48-byte form (crates.md).
fn ed25519_pkcs8_v1(seed: &[u8]) -> Result<Vec<u8>, String> {
    const HEADER: [u8; 16] = [
        0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20,
    ];
    if seed.len() != 32 {
        return Err("Ed25519 private key must be 32 bytes".into());
    }
    let mut der = HEADER.to_vec();
    der.extend_from_slice(seed);
    Ok(der)
}

/// The members of a private JWK we read (RFC 7518 §6.2.2, §6.3.2; RFC 8037 §2).
#[derive(Deserialize)]
struct PrivateJwk {
    kty: String,
    #[serde(default)]
    alg: Option<String>,
    #[serde(default, rename = "use")]
    use_: Option<String>,
    #[serde(default)]
    crv: Option<String>,
    #[serde(default)]
    x: Option<String>,
    #[serde(default)]
    y: Option<String>,
    #[serde(default)]
    d: Option<String>,
    #[serde(default)]
    n: Option<String>,
    #[serde(default)]
    e: Option<String>,
    #[serde(default)]
    p: Option<String>,
    #[serde(default)]
    q: Option<String>,
    #[serde(default)]
    dp: Option<String>,
    #[serde(default)]
    dq: Option<String>,
    #[serde(default)]
    qi: Option<String>,
}

fn member(v: &Option<String>, name: &str) -> Result<Vec<u8>, String> {
    let s = v.as_deref().ok_or_else(|| format!("JWK member {name:?} missing"))?;
    URL_SAFE_NO_PAD
        .decode(s.trim_end_matches('='))
        .map_err(|e| format!("JWK member {name:?} is not base64url: {e}"))
}

fn bn(v: &Option<String>, name: &str) -> Result<BigNum, String> {
    BigNum::from_slice(&member(v, name)?).map_err(|e| e.to_string())
}

/// Build an openssl key from a private JWK, checking the private part matches the public part.
fn pkey_from_jwk(alg: SigningAlg, contents: &[u8]) -> Result<PKey<Private>, String> {
    let jwk: PrivateJwk = serde_json::from_slice(contents).map_err(|e| format!("not a JWK (JSON object): {e}"))?;
    if jwk.d.is_none() {
        return Err("JWK has no private part (\"d\"): a public key cannot sign".into());
    }
    if let Some(a) = &jwk.alg {
        if a != alg.as_str() {
            return Err(format!("JWK says alg {a:?} but the configuration says {alg}"));
        }
    }
    if let Some(u) = &jwk.use_ {
        if u != "sig" {
            return Err(format!("JWK use is {u:?}, not \"sig\""));
        }
    }
    let ssl = |e: openssl::error::ErrorStack| e.to_string();
    match jwk.kty.as_str() {
        "EC" => {
            if jwk.crv.as_deref() != Some("P-256") {
                return Err(format!("EC JWK curve {:?} is not P-256", jwk.crv));
            }
            let group = EcGroup::from_curve_name(Nid::X9_62_PRIME256V1).map_err(ssl)?;
            let public = EcKey::from_public_key_affine_coordinates(&group, &*bn(&jwk.x, "x")?, &*bn(&jwk.y, "y")?).map_err(ssl)?;
            let ec = EcKey::from_private_components(&group, &*bn(&jwk.d, "d")?, public.public_key()).map_err(ssl)?;
            // Also proves d matches (x, y).
            ec.check_key().map_err(|_| "EC JWK private key does not match x/y".to_owned())?;
            PKey::from_ec_key(ec).map_err(ssl)
        }
        "RSA" => {
            let (n, e, d) = (bn(&jwk.n, "n")?, bn(&jwk.e, "e")?, bn(&jwk.d, "d")?);
            let (p, q) = (bn(&jwk.p, "p")?, bn(&jwk.q, "q")?);
            let (dp, dq, qi) = (bn(&jwk.dp, "dp")?, bn(&jwk.dq, "dq")?, bn(&jwk.qi, "qi")?);
            let rsa = RsaPrivateKeyBuilder::new(n, e, d)
                .and_then(|b| b.set_factors(p, q))
                .and_then(|b| b.set_crt_params(dp, dq, qi))
                .map_err(ssl)?
                .build();
            if !rsa.check_key().unwrap_or(false) {
                return Err("RSA JWK is inconsistent (n, e, d, p, q, dp, dq, qi do not belong together)".into());
            }
            PKey::from_rsa(rsa).map_err(ssl)
        }
        "OKP" => {
            if jwk.crv.as_deref() != Some("Ed25519") {
                return Err(format!("OKP JWK curve {:?} is not Ed25519", jwk.crv));
            }
            let pkey = PKey::private_key_from_raw_bytes(&member(&jwk.d, "d")?, Id::ED25519).map_err(ssl)?;
            if pkey.raw_public_key().map_err(ssl)? != member(&jwk.x, "x")? {
                return Err("Ed25519 JWK private key does not match x".into());
            }
            Ok(pkey)
        }
        other => Err(format!("JWK kty {other:?} cannot sign here (expected EC, RSA or OKP)")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jwk_files_are_recognised_by_name() {
        assert!(is_jwk_file("keys/a.jwk") && is_jwk_file("B.JSON"));
        assert!(!is_jwk_file("a.pem") && !is_jwk_file("jwk"));
    }

    #[test]
    fn ed25519_der_is_the_rfc8410_v1_form() {
        let der = ed25519_pkcs8_v1(&[7; 32]).unwrap();
        assert_eq!(der.len(), 48);
        let back = PKey::private_key_from_der(&der).unwrap();
        assert_eq!(back.raw_private_key().unwrap(), vec![7; 32]);
        assert!(ed25519_pkcs8_v1(&[0; 31]).is_err());
    }
}
