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
//! Primitives come from OpenSSL; ConcatKDF from the RustCrypto `concat-kdf` crate.

use base64::{engine::general_purpose::STANDARD as B64, Engine as _};
use openssl::aes::{unwrap_key, wrap_key, AesKey};
use openssl::bn::BigNumContext;
use openssl::derive::Deriver;
use openssl::ec::{EcGroup, EcKey, EcPoint, PointConversionForm};
use openssl::md::Md;
use openssl::nid::Nid;
use openssl::pkey::{Id, PKey, PKeyRef, Private, Public};
use openssl::pkey_ctx::PkeyCtx;
use openssl::rsa::Padding;
use openssl::symm::{decrypt_aead, encrypt_aead, Cipher};
use roxmltree::Node;

use super::algorithms::{
    DigestAlgorithm, AES256_GCM, CONCAT_KDF, CURVE_P256, CURVE_P384, CURVE_P521, ECDH_ES, KW_AES256, MGF1_SHA256, RSA_OAEP, TYPE_ELEMENT,
};
use super::errors::XmlEncError;
use super::xml::{children_named, elements, is, ns, only_child, text_content};

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
pub fn decrypt_encrypted_assertion(encrypted_assertion: Node<'_, '_>, keys: &[PKey<Private>]) -> Result<Vec<u8>, XmlEncError> {
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
    let compact: String = text_content(cv).chars().filter(|c| !c.is_ascii_whitespace()).collect();
    B64.decode(compact).map_err(|_| XmlEncError::Decryption)
}

/// AES-256-GCM open of IV ‖ ciphertext ‖ tag, no AAD (XML-Enc 1.1 §5.2.4).
pub(crate) fn aes_gcm_open(cek: &[u8], data: &[u8]) -> Option<Vec<u8>> {
    if cek.len() != CEK_LEN || data.len() < GCM_IV + GCM_TAG {
        return None;
    }
    let (iv, rest) = data.split_at(GCM_IV);
    let (ct, tag) = rest.split_at(rest.len() - GCM_TAG);
    decrypt_aead(Cipher::aes_256_gcm(), cek, Some(iv), &[], ct, tag).ok()
}

/// The content-encryption key from one EncryptedKey, trying each of our keys that fits.
fn unwrap_content_key(ek: Node<'_, '_>, keys: &[PKey<Private>]) -> Option<Vec<u8>> {
    let method = only_child(ek, ns::XENC, "EncryptionMethod")?;
    let wrapped = cipher_value(ek).ok()?;
    match method.attribute("Algorithm")? {
        RSA_OAEP => {
            check_oaep_params(method)?;
            keys.iter()
                .filter(|k| k.id() == Id::RSA)
                .find_map(|k| rsa_oaep_decrypt(k, &wrapped))
                .filter(|cek| cek.len() == CEK_LEN)
        }
        KW_AES256 => {
            if elements(method).next().is_some() {
                return None;
            }
            let agreement = only_child(only_child(ek, ns::DS, "KeyInfo")?, ns::XENC, "AgreementMethod")?;
            let (curve, originator, other_info) = parse_agreement(agreement)?;
            keys.iter().filter(|k| k.id() == Id::EC).find_map(|k| {
                let kek = ecdh_concat_kdf(k, curve, &originator, &other_info)?;
                let mut cek = vec![0u8; CEK_LEN];
                let aes = AesKey::new_decrypt(&kek).ok()?;
                let n = unwrap_key(&aes, None, &mut cek, &wrapped).ok()?;
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

fn rsa_oaep_decrypt(key: &PKeyRef<Private>, wrapped: &[u8]) -> Option<Vec<u8>> {
    let mut ctx = PkeyCtx::new(key).ok()?;
    ctx.decrypt_init().ok()?;
    ctx.set_rsa_padding(Padding::PKCS1_OAEP).ok()?;
    ctx.set_rsa_oaep_md(Md::sha256()).ok()?;
    ctx.set_rsa_mgf1_md(Md::sha256()).ok()?;
    let mut out = Vec::new();
    ctx.decrypt_to_vec(wrapped, &mut out).ok()?;
    Some(out)
}

fn curve_nid(uri: &str) -> Option<Nid> {
    match uri {
        CURVE_P256 => Some(Nid::X9_62_PRIME256V1),
        CURVE_P384 => Some(Nid::SECP384R1),
        CURVE_P521 => Some(Nid::SECP521R1),
        _ => None,
    }
}

fn curve_uri(nid: Nid) -> Option<&'static str> {
    [
        (Nid::X9_62_PRIME256V1, CURVE_P256),
        (Nid::SECP384R1, CURVE_P384),
        (Nid::SECP521R1, CURVE_P521),
    ]
    .into_iter()
    .find_map(|(n, u)| (n == nid).then_some(u))
}

/// Parses AgreementMethod: ECDH-ES, ConcatKDF with SHA-256, the originator's ephemeral EC point.
/// Returns (curve, uncompressed point, ConcatKDF OtherInfo).
fn parse_agreement(agreement: Node<'_, '_>) -> Option<(Nid, Vec<u8>, Vec<u8>)> {
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
    let curve = curve_nid(only_child(ec_value, ns::DSIG11, "NamedCurve")?.attribute("URI")?)?;
    let point_b64: String = text_content(only_child(ec_value, ns::DSIG11, "PublicKey")?)
        .chars()
        .filter(|c| !c.is_ascii_whitespace())
        .collect();
    Some((curve, B64.decode(point_b64).ok()?, other_info))
}

/// ECDH with the originator's point (validated on our curve), then ConcatKDF-SHA256 to a 256-bit KEK.
fn ecdh_concat_kdf(ours: &PKeyRef<Private>, curve: Nid, point: &[u8], other_info: &[u8]) -> Option<Vec<u8>> {
    let ec = ours.ec_key().ok()?;
    if ec.group().curve_name() != Some(curve) {
        return None;
    }
    let group = EcGroup::from_curve_name(curve).ok()?;
    let mut ctx = BigNumContext::new().ok()?;
    let peer_point = EcPoint::from_bytes(&group, point, &mut ctx).ok()?;
    let peer_ec = EcKey::from_public_key(&group, &peer_point).ok()?;
    peer_ec.check_key().ok()?;
    let peer = PKey::from_ec_key(peer_ec).ok()?;
    let mut deriver = Deriver::new(ours).ok()?;
    deriver.set_peer(&peer).ok()?;
    let z = deriver.derive_to_vec().ok()?;
    let mut kek = vec![0u8; CEK_LEN];
    concat_kdf::derive_key_into::<sha2::Sha256>(&z, other_info, &mut kek).ok()?;
    Some(kek)
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
///   Take it from the SP's encryption certificate: `cert.public_key()?`.
///
/// Returns the `<saml2:EncryptedAssertion>` element (namespaces declared on it) to place inside a
/// Response in the Assertion's position. The EncryptedKey sits in `EncryptedData/ds:KeyInfo`.
pub fn encrypt_assertion(assertion_xml: &str, recipient: &PKeyRef<Public>) -> Result<String, XmlEncError> {
    super::xml::parse(assertion_xml).map_err(|_| XmlEncError::Input("assertion is not well-formed XML"))?;
    let mut cek = [0u8; CEK_LEN];
    let mut iv = [0u8; GCM_IV];
    openssl::rand::rand_bytes(&mut cek).map_err(|_| XmlEncError::Crypto)?;
    openssl::rand::rand_bytes(&mut iv).map_err(|_| XmlEncError::Crypto)?;
    let mut tag = [0u8; GCM_TAG];
    let ct =
        encrypt_aead(Cipher::aes_256_gcm(), &cek, Some(&iv), &[], assertion_xml.as_bytes(), &mut tag).map_err(|_| XmlEncError::Crypto)?;
    let mut data = iv.to_vec();
    data.extend(ct);
    data.extend(tag);

    let encrypted_key = match recipient.id() {
        Id::RSA => rsa_encrypted_key(recipient, &cek)?,
        Id::EC => ecdh_encrypted_key(recipient, &cek)?,
        _ => return Err(XmlEncError::Input("recipient key must be RSA or EC")),
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

fn rsa_encrypted_key(recipient: &PKeyRef<Public>, cek: &[u8]) -> Result<String, XmlEncError> {
    let mut ctx = PkeyCtx::new(recipient).map_err(|_| XmlEncError::Crypto)?;
    ctx.encrypt_init().map_err(|_| XmlEncError::Crypto)?;
    ctx.set_rsa_padding(Padding::PKCS1_OAEP).map_err(|_| XmlEncError::Crypto)?;
    ctx.set_rsa_oaep_md(Md::sha256()).map_err(|_| XmlEncError::Crypto)?;
    ctx.set_rsa_mgf1_md(Md::sha256()).map_err(|_| XmlEncError::Crypto)?;
    let mut wrapped = Vec::new();
    ctx.encrypt_to_vec(cek, &mut wrapped).map_err(|_| XmlEncError::Crypto)?;
    Ok(format!(
        "<xenc:EncryptedKey><xenc:EncryptionMethod Algorithm=\"{RSA_OAEP}\"><ds:DigestMethod Algorithm=\"{}\"/>\
         <xenc11:MGF xmlns:xenc11=\"{}\" Algorithm=\"{MGF1_SHA256}\"/></xenc:EncryptionMethod>\
         <xenc:CipherData><xenc:CipherValue>{}</xenc:CipherValue></xenc:CipherData></xenc:EncryptedKey>",
        DigestAlgorithm::Sha256.uri(),
        ns::XENC11,
        B64.encode(wrapped)
    ))
}

fn ecdh_encrypted_key(recipient: &PKeyRef<Public>, cek: &[u8]) -> Result<String, XmlEncError> {
    let rec_ec = recipient
        .ec_key()
        .map_err(|_| XmlEncError::Input("recipient key must be RSA or EC"))?;
    let curve = rec_ec.group().curve_name().ok_or(XmlEncError::Input("unnamed EC curve"))?;
    let uri = curve_uri(curve).ok_or(XmlEncError::Input("EC curve must be P-256, P-384 or P-521"))?;
    let group = EcGroup::from_curve_name(curve).map_err(|_| XmlEncError::Crypto)?;
    let eph = EcKey::generate(&group).map_err(|_| XmlEncError::Crypto)?;
    let mut ctx = BigNumContext::new().map_err(|_| XmlEncError::Crypto)?;
    let point = eph
        .public_key()
        .to_bytes(&group, PointConversionForm::UNCOMPRESSED, &mut ctx)
        .map_err(|_| XmlEncError::Crypto)?;
    let eph = PKey::from_ec_key(eph).map_err(|_| XmlEncError::Crypto)?;
    let mut deriver = Deriver::new(&eph).map_err(|_| XmlEncError::Crypto)?;
    deriver.set_peer(recipient).map_err(|_| XmlEncError::Crypto)?;
    let z = deriver.derive_to_vec().map_err(|_| XmlEncError::Crypto)?;
    // AlgorithmID names the key-wrap algorithm the KEK is for; no party info (00 = empty bit string).
    let algorithm_id = format!("00{}", hex_encode(KW_AES256.as_bytes()));
    let other_info = KW_AES256.as_bytes();
    let mut kek = [0u8; CEK_LEN];
    concat_kdf::derive_key_into::<sha2::Sha256>(&z, other_info, &mut kek).map_err(|_| XmlEncError::Crypto)?;
    let aes = AesKey::new_encrypt(&kek).map_err(|_| XmlEncError::Crypto)?;
    let mut wrapped = vec![0u8; cek.len() + 8];
    wrap_key(&aes, None, &mut wrapped, cek).map_err(|_| XmlEncError::Crypto)?;
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
        pk = B64.encode(point),
        cv = B64.encode(wrapped),
    ))
}
