//! XML Encryption 1.1 (W3C xmlenc-core1) for SAML `EncryptedAssertion`, restricted to the suites of
//! the German eIDAS middleware (eid-saml.md §2):
//!
//! * data: `xmlenc11#aes256-gcm` — CipherValue is 12-byte IV ‖ ciphertext ‖ 16-byte tag (§5.2.4);
//! * key transport: `xmlenc11#rsa-oaep` with DigestMethod SHA-256 and MGF `mgf1sha256` (§5.5.2), or
//! * key agreement: `xmlenc11#ECDH-ES` (§5.6.1) with ConcatKDF/SHA-256 (§5.4.1) and the derived key
//!   unwrapping the content key with `kw-aes256` (RFC 3394).
//!
//! Everything else (rsa-1_5, rsa-oaep-mgf1p/SHA-1, CBC, 3DES, GCM-128, CipherReference) is refused.
//! All decryption failures are the same [`XmlEncError::Decryption`] (no padding/format oracle).
//! Primitives come from aws-lc-rs: RSA-OAEP (`rsa`), ECDH (`agreement`), ConcatKDF as the NIST
//! SP 800-56C one-step KDF with SHA-256 (`kdf::sskdf_digest`), RFC 3394 (`key_wrap`), AES-GCM (`aead`).

use aws_lc_rs::aead::{Aad, LessSafeKey, Nonce, UnboundKey, AES_256_GCM};
use aws_lc_rs::agreement::{self, UnparsedPublicKey};
use aws_lc_rs::kdf::{get_sskdf_digest_algorithm, sskdf_digest, SskdfDigestAlgorithmId};
use aws_lc_rs::key_wrap::{KeyEncryptionKey, KeyWrap, AES_256};
use aws_lc_rs::rand::{self, SystemRandom};
use aws_lc_rs::rsa::{OaepPublicEncryptingKey, PublicEncryptingKey, OAEP_SHA256_MGF1SHA256};
use base64::{engine::general_purpose::STANDARD as B64, Engine as _};
use roxmltree::Node;
use zeroize::Zeroizing;

use super::algorithms::{DigestAlgorithm, AES256_GCM, CONCAT_KDF, ECDH_ES, KW_AES256, MGF1_SHA256, RSA_OAEP, TYPE_ELEMENT};
use super::errors::XmlEncError;
use super::keys::{Curve, KeyKind, PrivateKey, PublicKey};
use super::xml::{children_named, decode_b64_lenient, elements, is, ns, only_child, text_content};

const GCM_IV: usize = 12;
const GCM_TAG: usize = 16;
const CEK_LEN: usize = 32;
/// Most EncryptedKeys we try (one per recipient; a GK response has one).
const MAX_ENCRYPTED_KEYS: usize = 4;

/// Decrypts the content of a `saml:EncryptedAssertion` element with our private keys (RSA and/or EC).
///
/// The EncryptedKey may sit inside `EncryptedData/ds:KeyInfo` or beside `EncryptedData` (OpenSAML's
/// "peer" placement). Returns the plaintext octets (the serialized Assertion element) for the caller
/// to parse with the same safe parser.
pub fn decrypt_encrypted_assertion(encrypted_assertion: Node<'_, '_>, keys: &[PrivateKey]) -> Result<Vec<u8>, XmlEncError> {
    const E: XmlEncError = XmlEncError::Decryption;
    let data = only_child(encrypted_assertion, ns::XENC, "EncryptedData").ok_or(E)?;
    if elements(encrypted_assertion).any(|c| !is(c, ns::XENC, "EncryptedData") && !is(c, ns::XENC, "EncryptedKey")) {
        return Err(E);
    }
    if data.attribute("Type").is_some_and(|t| t != TYPE_ELEMENT) {
        return Err(E);
    }
    let method = only_child(data, ns::XENC, "EncryptionMethod").ok_or(E)?;
    if method.attribute("Algorithm") != Some(AES256_GCM) || elements(method).next().is_some() {
        return Err(E);
    }
    let cipher = cipher_value(data)?;

    let mut enc_keys: Vec<Node<'_, '_>> = children_named(encrypted_assertion, ns::XENC, "EncryptedKey").collect();
    if let Some(ki) = only_child(data, ns::DS, "KeyInfo") {
        enc_keys.extend(children_named(ki, ns::XENC, "EncryptedKey"));
    }
    if enc_keys.is_empty() || enc_keys.len() > MAX_ENCRYPTED_KEYS {
        return Err(E);
    }
    for ek in enc_keys {
        if let Some(cek) = unwrap_content_key(ek, keys) {
            if let Some(plain) = aes_gcm_open(&cek, &cipher) {
                return Ok(plain);
            }
        }
    }
    Err(E)
}

/// base64 CipherData/CipherValue (CipherReference refused: no fetching of attacker URLs).
fn cipher_value(parent: Node<'_, '_>) -> Result<Vec<u8>, XmlEncError> {
    let cd = only_child(parent, ns::XENC, "CipherData").ok_or(XmlEncError::Decryption)?;
    let cv = only_child(cd, ns::XENC, "CipherValue").ok_or(XmlEncError::Decryption)?;
    if elements(cd).count() != 1 {
        return Err(XmlEncError::Decryption);
    }
    decode_b64_lenient(&text_content(cv)).ok_or(XmlEncError::Decryption)
}

/// AES-256-GCM open of IV ‖ ciphertext ‖ tag, no AAD (XML-Enc 1.1 §5.2.4).
pub(crate) fn aes_gcm_open(cek: &[u8], data: &[u8]) -> Option<Vec<u8>> {
    if cek.len() != CEK_LEN || data.len() < GCM_IV + GCM_TAG {
        return None;
    }
    let (iv, rest) = data.split_at(GCM_IV);
    let key = LessSafeKey::new(UnboundKey::new(&AES_256_GCM, cek).ok()?);
    let nonce = Nonce::try_assume_unique_for_key(iv).ok()?;
    let mut buf = rest.to_vec();
    let plain_len = key.open_in_place(nonce, Aad::empty(), &mut buf).ok()?.len();
    buf.truncate(plain_len);
    Some(buf)
}

/// The content-encryption key from one EncryptedKey, trying each of our keys that fits.
fn unwrap_content_key(ek: Node<'_, '_>, keys: &[PrivateKey]) -> Option<Zeroizing<Vec<u8>>> {
    let method = only_child(ek, ns::XENC, "EncryptionMethod")?;
    let wrapped = cipher_value(ek).ok()?;
    match method.attribute("Algorithm")? {
        RSA_OAEP => {
            check_oaep_params(method)?;
            keys.iter()
                .find_map(|k| rsa_oaep_decrypt(k, &wrapped))
                .filter(|cek| cek.len() == CEK_LEN)
        }
        KW_AES256 => {
            if elements(method).next().is_some() {
                return None;
            }
            let agreement = only_child(only_child(ek, ns::DS, "KeyInfo")?, ns::XENC, "AgreementMethod")?;
            let (curve, originator, other_info) = parse_agreement(agreement)?;
            keys.iter().find_map(|k| {
                let kek = ecdh_concat_kdf(k, curve, &originator, &other_info)?;
                let mut cek = Zeroizing::new(vec![0u8; wrapped.len()]);
                let n = KeyEncryptionKey::new(&AES_256, kek.as_slice())
                    .ok()?
                    .unwrap(&wrapped, &mut cek)
                    .ok()?
                    .len();
                cek.truncate(n);
                (n == CEK_LEN).then_some(cek)
            })
        }
        _ => None,
    }
}

/// rsa-oaep parameters: DigestMethod SHA-256 and MGF mgf1sha256 are both required (the defaults are
/// SHA-1); OAEPparams (a label) is not used by the middleware and refused.
fn check_oaep_params(method: Node<'_, '_>) -> Option<()> {
    let mut digest_ok = false;
    let mut mgf_ok = false;
    for c in elements(method) {
        if is(c, ns::DS, "DigestMethod") && !digest_ok {
            digest_ok = c.attribute("Algorithm") == Some(DigestAlgorithm::Sha256.uri());
            if !digest_ok {
                return None;
            }
        } else if is(c, ns::XENC11, "MGF") && !mgf_ok {
            mgf_ok = c.attribute("Algorithm") == Some(MGF1_SHA256);
            if !mgf_ok {
                return None;
            }
        } else {
            return None;
        }
    }
    (digest_ok && mgf_ok).then_some(())
}

/// RSA-OAEP with SHA-256 and MGF1-SHA256 (the only OAEP suite accepted, see [`check_oaep_params`]).
fn rsa_oaep_decrypt(key: &PrivateKey, wrapped: &[u8]) -> Option<Zeroizing<Vec<u8>>> {
    let oaep = key.rsa_oaep()?;
    let mut out = Zeroizing::new(vec![0u8; oaep.min_output_size()]);
    let n = oaep.decrypt(&OAEP_SHA256_MGF1SHA256, wrapped, &mut out, None).ok()?.len();
    out.truncate(n);
    Some(out)
}

/// Parses AgreementMethod: ECDH-ES, ConcatKDF with SHA-256, the originator's ephemeral EC point.
/// Returns (curve, uncompressed point, ConcatKDF OtherInfo).
fn parse_agreement(agreement: Node<'_, '_>) -> Option<(Curve, Vec<u8>, Vec<u8>)> {
    if agreement.attribute("Algorithm") != Some(ECDH_ES) {
        return None;
    }
    let kdm = only_child(agreement, ns::XENC11, "KeyDerivationMethod")?;
    if kdm.attribute("Algorithm") != Some(CONCAT_KDF) {
        return None;
    }
    let params = only_child(kdm, ns::XENC11, "ConcatKDFParams")?;
    let digest = only_child(params, ns::DS, "DigestMethod")?;
    if digest.attribute("Algorithm") != Some(DigestAlgorithm::Sha256.uri()) {
        return None;
    }
    // §5.4.1: OtherInfo = AlgorithmID ‖ PartyUInfo ‖ PartyVInfo [‖ SuppPubInfo ‖ SuppPrivInfo]; each
    // attribute is hexBinary whose first octet counts padding bits — only whole octets (00) occur.
    let mut other_info = Vec::new();
    for name in ["AlgorithmID", "PartyUInfo", "PartyVInfo", "SuppPubInfo", "SuppPrivInfo"] {
        if let Some(v) = params.attribute(name) {
            let bytes = hex_decode(v)?;
            match bytes.split_first() {
                Some((0, rest)) => other_info.extend_from_slice(rest),
                None => {}
                Some(_) => return None,
            }
        }
    }
    let originator = only_child(agreement, ns::XENC, "OriginatorKeyInfo")?;
    let ec_value = only_child(only_child(originator, ns::DS, "KeyValue")?, ns::DSIG11, "ECKeyValue")?;
    let curve = Curve::from_uri(only_child(ec_value, ns::DSIG11, "NamedCurve")?.attribute("URI")?)?;
    let point = decode_b64_lenient(&text_content(only_child(ec_value, ns::DSIG11, "PublicKey")?))?;
    Some((curve, point, other_info))
}

/// ECDH with the originator's point (validated on our curve by aws-lc), then ConcatKDF-SHA256 to a
/// 256-bit KEK.
fn ecdh_concat_kdf(ours: &PrivateKey, curve: Curve, point: &[u8], other_info: &[u8]) -> Option<Zeroizing<Vec<u8>>> {
    let (our_curve, ecdh) = ours.ecdh()?;
    if our_curve != curve {
        return None;
    }
    agreement::agree(ecdh, UnparsedPublicKey::new(curve.agreement(), point), (), |z| {
        concat_kdf(z, other_info)
    })
    .ok()
}

/// ConcatKDF (XML-Enc 1.1 §5.4.1) with SHA-256 to a 32-byte key: the one-step KDF of NIST SP
/// 800-56C rev. 2 §4.1 with a hash as H, which aws-lc implements as SSKDF.
fn concat_kdf(z: &[u8], other_info: &[u8]) -> Result<Zeroizing<Vec<u8>>, ()> {
    let alg = get_sskdf_digest_algorithm(SskdfDigestAlgorithmId::Sha256).ok_or(())?;
    let mut kek = Zeroizing::new(vec![0u8; CEK_LEN]);
    sskdf_digest(alg, z, other_info, &mut kek).map_err(|_| ())?;
    Ok(kek)
}

fn hex_decode(s: &str) -> Option<Vec<u8>> {
    let s = s.trim();
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| s.get(i..i + 2).and_then(|h| u8::from_str_radix(h, 16).ok()))
        .collect()
}

fn hex_encode(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02X}")).collect()
}

/// Encrypts a serialized `saml:Assertion` into a `saml:EncryptedAssertion` element for `recipient`.
///
/// * `assertion_xml`: one self-contained Assertion element (it must declare every namespace prefix it
///   uses, because it is decrypted and parsed on its own).
/// * `recipient`: an RSA public key (→ AES-256-GCM + `xmlenc11#rsa-oaep` SHA-256/MGF1-SHA256; use
///   RSA ≥ 3072 towards the middleware) or an EC P-256/P-384/P-521 public key (→ AES-256-GCM +
///   `xmlenc11#ECDH-ES` with ConcatKDF-SHA256 and `kw-aes256`), the formats the eIDAS middleware emits.
///   Take it from the SP's encryption certificate: `cert.public_key()`.
///
/// Returns the `<saml2:EncryptedAssertion>` element (namespaces declared on it) to place inside a
/// Response in the Assertion's position. The EncryptedKey sits in `EncryptedData/ds:KeyInfo`.
pub fn encrypt_assertion(assertion_xml: &str, recipient: &PublicKey) -> Result<String, XmlEncError> {
    super::xml::parse(assertion_xml).map_err(|_| XmlEncError::Input("assertion is not well-formed XML"))?;
    let mut cek = Zeroizing::new([0u8; CEK_LEN]);
    let mut iv = [0u8; GCM_IV];
    rand::fill(cek.as_mut_slice()).map_err(|_| XmlEncError::Crypto)?;
    rand::fill(&mut iv).map_err(|_| XmlEncError::Crypto)?;
    let key = LessSafeKey::new(UnboundKey::new(&AES_256_GCM, cek.as_slice()).map_err(|_| XmlEncError::Crypto)?);
    let mut sealed = assertion_xml.as_bytes().to_vec();
    key.seal_in_place_append_tag(Nonce::assume_unique_for_key(iv), Aad::empty(), &mut sealed)
        .map_err(|_| XmlEncError::Crypto)?;
    let mut data = iv.to_vec();
    data.extend(sealed);

    let encrypted_key = match recipient.kind() {
        KeyKind::Rsa { .. } => rsa_encrypted_key(recipient, cek.as_slice())?,
        KeyKind::Ec(curve) => ecdh_encrypted_key(recipient, curve, cek.as_slice())?,
    };
    Ok(format!(
        "<saml2:EncryptedAssertion xmlns:saml2=\"{saml}\"><xenc:EncryptedData xmlns:xenc=\"{xenc}\" Type=\"{ty}\">\
         <xenc:EncryptionMethod Algorithm=\"{gcm}\"/><ds:KeyInfo xmlns:ds=\"{ds}\">{encrypted_key}</ds:KeyInfo>\
         <xenc:CipherData><xenc:CipherValue>{cv}</xenc:CipherValue></xenc:CipherData></xenc:EncryptedData></saml2:EncryptedAssertion>",
        saml = ns::SAML,
        xenc = ns::XENC,
        ty = TYPE_ELEMENT,
        gcm = AES256_GCM,
        ds = ns::DS,
        cv = B64.encode(data),
    ))
}

fn rsa_encrypted_key(recipient: &PublicKey, cek: &[u8]) -> Result<String, XmlEncError> {
    let public = PublicEncryptingKey::from_der(recipient.spki_der()).map_err(|_| XmlEncError::Input("unusable RSA key"))?;
    let oaep = OaepPublicEncryptingKey::new(public).map_err(|_| XmlEncError::Crypto)?;
    let mut wrapped = vec![0u8; oaep.ciphertext_size()];
    let n = oaep
        .encrypt(&OAEP_SHA256_MGF1SHA256, cek, &mut wrapped, None)
        .map_err(|_| XmlEncError::Crypto)?
        .len();
    wrapped.truncate(n);
    Ok(format!(
        "<xenc:EncryptedKey><xenc:EncryptionMethod Algorithm=\"{RSA_OAEP}\"><ds:DigestMethod Algorithm=\"{}\"/>\
         <xenc11:MGF xmlns:xenc11=\"{}\" Algorithm=\"{MGF1_SHA256}\"/></xenc:EncryptionMethod>\
         <xenc:CipherData><xenc:CipherValue>{}</xenc:CipherValue></xenc:CipherData></xenc:EncryptedKey>",
        DigestAlgorithm::Sha256.uri(),
        ns::XENC11,
        B64.encode(wrapped)
    ))
}

fn ecdh_encrypted_key(recipient: &PublicKey, curve: Curve, cek: &[u8]) -> Result<String, XmlEncError> {
    let eph = agreement::EphemeralPrivateKey::generate(curve.agreement(), &SystemRandom::new()).map_err(|_| XmlEncError::Crypto)?;
    let point = eph.compute_public_key().map_err(|_| XmlEncError::Crypto)?.as_ref().to_vec();
    // AlgorithmID names the key-wrap algorithm the KEK is for; no party info (00 = empty bit string).
    let algorithm_id = format!("00{}", hex_encode(KW_AES256.as_bytes()));
    let other_info = KW_AES256.as_bytes();
    let peer = UnparsedPublicKey::new(curve.agreement(), recipient.key_bytes());
    let kek = agreement::agree_ephemeral(eph, peer, XmlEncError::Crypto, |z| {
        concat_kdf(z, other_info).map_err(|()| XmlEncError::Crypto)
    })?;
    let mut wrapped = vec![0u8; cek.len() + 8];
    let n = KeyEncryptionKey::new(&AES_256, kek.as_slice())
        .and_then(|k| k.wrap(cek, &mut wrapped).map(|w| w.len()))
        .map_err(|_| XmlEncError::Crypto)?;
    wrapped.truncate(n);
    Ok(format!(
        "<xenc:EncryptedKey><xenc:EncryptionMethod Algorithm=\"{KW_AES256}\"/><ds:KeyInfo>\
         <xenc:AgreementMethod Algorithm=\"{ECDH_ES}\"><xenc11:KeyDerivationMethod xmlns:xenc11=\"{x11}\" Algorithm=\"{CONCAT_KDF}\">\
         <xenc11:ConcatKDFParams AlgorithmID=\"{algorithm_id}\" PartyUInfo=\"00\" PartyVInfo=\"00\"><ds:DigestMethod Algorithm=\"{dig}\"/>\
         </xenc11:ConcatKDFParams></xenc11:KeyDerivationMethod><xenc:OriginatorKeyInfo><ds:KeyValue>\
         <dsig11:ECKeyValue xmlns:dsig11=\"{d11}\"><dsig11:NamedCurve URI=\"{uri}\"/><dsig11:PublicKey>{pk}</dsig11:PublicKey>\
         </dsig11:ECKeyValue></ds:KeyValue></xenc:OriginatorKeyInfo></xenc:AgreementMethod></ds:KeyInfo>\
         <xenc:CipherData><xenc:CipherValue>{cv}</xenc:CipherValue></xenc:CipherData></xenc:EncryptedKey>",
        x11 = ns::XENC11,
        dig = DigestAlgorithm::Sha256.uri(),
        d11 = ns::DSIG11,
        uri = curve.uri(),
        pk = B64.encode(point),
        cv = B64.encode(wrapped),
    ))
}
