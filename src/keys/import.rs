//! Reading private signing keys from files: PEM (PKCS#8 for every type, PKCS#1 for RSA, SEC1 for EC)
//! or a private JWK (RFC 7517 §6, RFC 8037 for Ed25519) in a `.jwk` / `.json` file.
//!
//! PEM is unwrapped by rustls-pki-types, the DER parsed and checked by aws-lc-rs into one
//! [`ParsedKey`], which is checked against the configured algorithm (an RSA key configured as
//! ES256 is an error, not a surprise at signing time) and then exported in the DER form
//! jsonwebtoken's aws-lc backend expects: PKCS#8 for EC, PKCS#1 for RSA, PKCS#8 v1 (RFC 8410 §7)
//! for Ed25519. No ASN.1 is written by hand here.

use super::SigningAlg;
use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::rsa::{KeyPair as RsaKeyPair, KeyPairComponents, PublicKeyComponents};
use aws_lc_rs::signature::{
    EcdsaKeyPair, EcdsaSigningAlgorithm, Ed25519KeyPair, ECDSA_P256_SHA256_FIXED_SIGNING, ECDSA_P384_SHA384_FIXED_SIGNING,
    ECDSA_P521_SHA512_FIXED_SIGNING,
};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use jsonwebtoken::EncodingKey;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::PrivateKeyDer;
use serde::Deserialize;

/// Smallest RSA modulus we sign with (BSI TR-02102-1 asks for 3000 bits from 2023; 2048 is still
/// accepted so existing relying-party setups keep working during migration). aws-lc-rs refuses
/// smaller keys at parse time too.
const MIN_RSA_BITS: usize = 2048;

/// Whether a key file is a JWK (by its name, as documented in config/example.toml).
pub fn is_jwk_file(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    lower.ends_with(".jwk") || lower.ends_with(".json")
}

/// A private key after parsing (and aws-lc's consistency checks), before it is matched to an
/// algorithm.
enum ParsedKey {
    /// RSA with its PKCS#1 `RSAPrivateKey` DER (RFC 8017 A.1.2), the form jsonwebtoken signs with.
    Rsa { bits: usize, pkcs1: Vec<u8> },
    /// EC P-256 as PKCS#8 v1.
    P256(Vec<u8>),
    /// EC on P-384 or P-521: parsed, but not a curve we sign with.
    OtherCurve,
    /// Ed25519 as PKCS#8 v1 (RFC 8410 §7): jsonwebtoken derives the public JWK only from this form.
    Ed25519(Vec<u8>),
}

impl ParsedKey {
    fn type_name(&self) -> &'static str {
        match self {
            Self::Rsa { .. } => "an RSA key",
            Self::P256(_) | Self::OtherCurve => "an EC key",
            Self::Ed25519(_) => "an Ed25519 key",
        }
    }
}

/// Parse a key file's contents into an encoding key for `alg`. Errors are short reasons; the
/// caller adds the file name.
pub fn encoding_key(alg: SigningAlg, contents: &[u8], jwk: bool) -> Result<EncodingKey, String> {
    let key = if jwk { from_jwk(alg, contents)? } else { from_pem(contents)? };
    encoding_key_for(alg, key)
}

/// The encoding key of a freshly generated PKCS#8 key (see `ring::generate_pkcs8_der`).
pub fn encoding_key_from_pkcs8(alg: SigningAlg, pkcs8: &[u8]) -> Result<EncodingKey, String> {
    encoding_key_for(alg, from_pkcs8(pkcs8)?)
}

fn encoding_key_for(alg: SigningAlg, key: ParsedKey) -> Result<EncodingKey, String> {
    match (alg, key) {
        (SigningAlg::ES256, ParsedKey::P256(pkcs8)) => Ok(EncodingKey::from_ec_der(&pkcs8)),
        (SigningAlg::ES256, ParsedKey::OtherCurve) => Err(format!("{alg} needs the P-256 curve")),
        (SigningAlg::ES256, other) => Err(format!("{alg} needs an EC P-256 key, found {}", other.type_name())),
        (SigningAlg::RS256 | SigningAlg::PS256, ParsedKey::Rsa { bits, pkcs1 }) => {
            if bits < MIN_RSA_BITS {
                return Err(too_small(Some(bits)));
            }
            Ok(EncodingKey::from_rsa_der(&pkcs1))
        }
        (SigningAlg::RS256 | SigningAlg::PS256, other) => Err(format!("{alg} needs an RSA key, found {}", other.type_name())),
        (SigningAlg::EdDSA, ParsedKey::Ed25519(pkcs8)) => Ok(EncodingKey::from_ed_der(&pkcs8)),
        (SigningAlg::EdDSA, other) => Err(format!("{alg} needs an Ed25519 key, found {}", other.type_name())),
    }
}

fn too_small(bits: Option<usize>) -> String {
    match bits {
        Some(b) => format!("RSA key has {b} bits; at least {MIN_RSA_BITS} required"),
        None => format!("RSA key has fewer than {MIN_RSA_BITS} bits; at least {MIN_RSA_BITS} required"),
    }
}

/// Why aws-lc-rs refused an RSA key, in words.
fn rsa_rejected(e: aws_lc_rs::error::KeyRejected) -> String {
    match e.description_() {
        "TooSmall" => too_small(None),
        other => format!("RSA key rejected ({other})"),
    }
}

fn lc(e: impl std::fmt::Display) -> String {
    e.to_string()
}

/// One PEM private key block: `PRIVATE KEY` (PKCS#8), `RSA PRIVATE KEY` (PKCS#1) or
/// `EC PRIVATE KEY` (SEC1, RFC 5915).
fn from_pem(contents: &[u8]) -> Result<ParsedKey, String> {
    let der = PrivateKeyDer::from_pem_slice(contents).map_err(|e| format!("not a PEM private key: {e}"))?;
    match der {
        PrivateKeyDer::Pkcs8(d) => from_pkcs8(d.secret_pkcs8_der()),
        PrivateKeyDer::Pkcs1(d) => rsa(RsaKeyPair::from_der(d.secret_pkcs1_der()).map_err(rsa_rejected)?),
        PrivateKeyDer::Sec1(d) => ec(d.secret_sec1_der(), EcdsaKeyPair::from_private_key_der),
        _ => Err("not a PEM private key: unknown key format".into()),
    }
}

/// PKCS#8 (RFC 5208 / RFC 5958) of any supported type: each parser checks the algorithm OID.
fn from_pkcs8(der: &[u8]) -> Result<ParsedKey, String> {
    match RsaKeyPair::from_pkcs8(der) {
        Ok(kp) => return rsa(kp),
        Err(e) if e.description_() == "TooSmall" => return Err(too_small(None)),
        Err(_) => {}
    }
    if let Ok(kp) = Ed25519KeyPair::from_pkcs8(der) {
        return Ok(ParsedKey::Ed25519(kp.to_pkcs8v1().map_err(lc)?.as_ref().to_vec()));
    }
    ec(der, EcdsaKeyPair::from_pkcs8).map_err(|_| "not a supported private key (RSA, EC P-256 or Ed25519)".into())
}

fn rsa(kp: RsaKeyPair) -> Result<ParsedKey, String> {
    // jsonwebtoken signs with PKCS#1 DER; aws-lc-rs exports PKCS#8 only. jsonwebtoken's own PEM
    // reader unwraps PKCS#8 to PKCS#1 (`from_rsa_pem`: "PKCS1 or PKCS8").
    let pkcs8 = kp.as_der().map_err(lc)?;
    let pem = super::pem_encode("PRIVATE KEY", pkcs8.as_ref());
    let key = EncodingKey::from_rsa_pem(pem.as_bytes()).map_err(lc)?;
    Ok(ParsedKey::Rsa {
        bits: kp.public_modulus_len() * 8,
        pkcs1: key.as_bytes().to_vec(),
    })
}

/// An EC key through `parse` (PKCS#8 or SEC1): P-256 is kept, P-384/P-521 named as another curve.
fn ec(
    der: &[u8],
    parse: fn(&'static EcdsaSigningAlgorithm, &[u8]) -> Result<EcdsaKeyPair, aws_lc_rs::error::KeyRejected>,
) -> Result<ParsedKey, String> {
    if let Ok(kp) = parse(&ECDSA_P256_SHA256_FIXED_SIGNING, der) {
        return Ok(ParsedKey::P256(kp.to_pkcs8v1().map_err(lc)?.as_ref().to_vec()));
    }
    if [&ECDSA_P384_SHA384_FIXED_SIGNING, &ECDSA_P521_SHA512_FIXED_SIGNING]
        .into_iter()
        .any(|alg| parse(alg, der).is_ok())
    {
        return Ok(ParsedKey::OtherCurve);
    }
    Err("not a valid EC private key".into())
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

/// Build a key from a private JWK; aws-lc-rs checks that the private part matches the public part.
fn from_jwk(alg: SigningAlg, contents: &[u8]) -> Result<ParsedKey, String> {
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
    match jwk.kty.as_str() {
        "EC" => {
            if jwk.crv.as_deref() != Some("P-256") {
                return Err(format!("EC JWK curve {:?} is not P-256", jwk.crv));
            }
            // SEC1 §2.3.3 uncompressed point: 0x04 || x || y.
            let mut point = vec![0x04];
            point.extend(member(&jwk.x, "x")?);
            point.extend(member(&jwk.y, "y")?);
            let kp = EcdsaKeyPair::from_private_key_and_public_key(&ECDSA_P256_SHA256_FIXED_SIGNING, &member(&jwk.d, "d")?, &point)
                .map_err(|_| "EC JWK private key does not match x/y (or is not a P-256 key)".to_owned())?;
            Ok(ParsedKey::P256(kp.to_pkcs8v1().map_err(lc)?.as_ref().to_vec()))
        }
        "RSA" => {
            let components = KeyPairComponents {
                public_key: PublicKeyComponents {
                    n: strip_leading_zeros(member(&jwk.n, "n")?),
                    e: strip_leading_zeros(member(&jwk.e, "e")?),
                },
                d: member(&jwk.d, "d")?,
                p: member(&jwk.p, "p")?,
                q: member(&jwk.q, "q")?,
                dP: member(&jwk.dp, "dp")?,
                dQ: member(&jwk.dq, "dq")?,
                qInv: member(&jwk.qi, "qi")?,
            };
            let kp = RsaKeyPair::from_components(&components).map_err(|e| match e.description_() {
                "TooSmall" => too_small(None),
                _ => "RSA JWK is inconsistent (n, e, d, p, q, dp, dq, qi do not belong together)".to_owned(),
            })?;
            rsa(kp)
        }
        "OKP" => {
            if jwk.crv.as_deref() != Some("Ed25519") {
                return Err(format!("OKP JWK curve {:?} is not Ed25519", jwk.crv));
            }
            let kp = Ed25519KeyPair::from_seed_and_public_key(&member(&jwk.d, "d")?, &member(&jwk.x, "x")?)
                .map_err(|_| "Ed25519 JWK private key does not match x".to_owned())?;
            Ok(ParsedKey::Ed25519(kp.to_pkcs8v1().map_err(lc)?.as_ref().to_vec()))
        }
        other => Err(format!("JWK kty {other:?} cannot sign here (expected EC, RSA or OKP)")),
    }
}

/// RFC 7518 §6.3.1 says `n` and `e` carry no leading zeros, but some producers add one; aws-lc-rs
/// wants the minimal big-endian form of the public components.
fn strip_leading_zeros(mut v: Vec<u8>) -> Vec<u8> {
    let zeros = v.iter().take_while(|b| **b == 0).count().min(v.len().saturating_sub(1));
    v.drain(..zeros);
    v
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
    fn ed25519_export_is_the_rfc8410_v1_form() {
        let rng = aws_lc_rs::rand::SystemRandom::new();
        let v2 = Ed25519KeyPair::generate_pkcs8(&rng).unwrap();
        let ParsedKey::Ed25519(v1) = from_pkcs8(v2.as_ref()).unwrap() else {
            panic!("not Ed25519")
        };
        assert_eq!(v1.len(), 48, "PKCS#8 v1: 16-byte header and the 32-byte seed");
        assert!(Ed25519KeyPair::from_pkcs8(&v1).is_ok());
    }

    #[test]
    fn leading_zeros_are_stripped_but_zero_stays() {
        assert_eq!(strip_leading_zeros(vec![0, 0, 1, 0]), vec![1, 0]);
        assert_eq!(strip_leading_zeros(vec![0]), vec![0]);
        assert!(strip_leading_zeros(vec![]).is_empty());
    }

    #[test]
    fn p384_is_named_as_the_wrong_curve() {
        let rng = aws_lc_rs::rand::SystemRandom::new();
        let der = EcdsaKeyPair::generate_pkcs8(&ECDSA_P384_SHA384_FIXED_SIGNING, &rng).unwrap();
        let e = encoding_key_from_pkcs8(SigningAlg::ES256, der.as_ref()).err().unwrap();
        assert_eq!(e, "ES256 needs the P-256 curve");
    }
}
