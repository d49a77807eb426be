use super::*;
use crate::keys::jwe::{concat_kdf, concat_kdf_info};
use aws_lc_rs::aead::{Aad, LessSafeKey, Nonce, UnboundKey, AES_256_GCM};
use aws_lc_rs::agreement::{self, EphemeralPrivateKey, UnparsedPublicKey};
use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::kdf::{get_sskdf_digest_algorithm, sskdf_digest, SskdfDigestAlgorithmId};
use aws_lc_rs::rand::{SecureRandom, SystemRandom};
use aws_lc_rs::rsa::{KeySize, OaepPublicEncryptingKey, PrivateDecryptingKey, OAEP_SHA256_MGF1SHA256};
use aws_lc_rs::signature::{EcdsaKeyPair, ECDSA_P256_SHA256_FIXED_SIGNING};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;

fn b64e(v: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(v)
}

/// A recipient key pair for tests: PKCS#8 DER and its public part.
pub(crate) enum Recipient {
    Rsa(Vec<u8>),
    Ec(Vec<u8>),
}

impl Recipient {
    pub(crate) fn rsa() -> Self {
        let kp = aws_lc_rs::rsa::KeyPair::generate(KeySize::Rsa2048).unwrap();
        Self::Rsa(kp.as_der().unwrap().as_ref().to_vec())
    }

    pub(crate) fn ec() -> Self {
        let doc = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &SystemRandom::new()).unwrap();
        Self::Ec(doc.as_ref().to_vec())
    }

    pub(crate) fn key(&self) -> JweKey {
        match self {
            Self::Rsa(d) | Self::Ec(d) => JweKey::from_pkcs8(d).unwrap(),
        }
    }

    /// Encrypt `plaintext` to this recipient (test side of the sender).
    pub(crate) fn encrypt(&self, plaintext: &str) -> String {
        let rng = SystemRandom::new();
        let mut iv = [0u8; 12];
        rng.fill(&mut iv).unwrap();
        let (header, ek, cek) = match self {
            Self::Rsa(der) => {
                let mut cek = [0u8; 32];
                rng.fill(&mut cek).unwrap();
                let public = PrivateDecryptingKey::from_pkcs8(der).unwrap().public_key();
                let enc = OaepPublicEncryptingKey::new(public).unwrap();
                let mut out = vec![0u8; enc.ciphertext_size()];
                let ek = enc.encrypt(&OAEP_SHA256_MGF1SHA256, &cek, &mut out, None).unwrap().to_vec();
                (
                    serde_json::json!({"alg": "RSA-OAEP-256", "enc": "A256GCM", "cty": "JWT"}),
                    ek,
                    cek.to_vec(),
                )
            }
            Self::Ec(der) => {
                let ours = agreement::PrivateKey::from_private_key_der(&agreement::ECDH_P256, der).unwrap();
                let recipient_pub = ours.compute_public_key().unwrap();
                let eph = EphemeralPrivateKey::generate(&agreement::ECDH_P256, &rng).unwrap();
                let eph_pub = eph.compute_public_key().unwrap();
                let p = eph_pub.as_ref();
                let info = concat_kdf_info("A256GCM", b"Broker", b"OP", 256);
                let cek = agreement::agree_ephemeral(
                    eph,
                    UnparsedPublicKey::new(&agreement::ECDH_P256, recipient_pub.as_ref()),
                    (),
                    |z| concat_kdf(z, &info, 32).map(|k| k.to_vec()).map_err(|_| ()),
                )
                .unwrap();
                let header = serde_json::json!({
                    "alg": "ECDH-ES", "enc": "A256GCM", "apu": b64e(b"Broker"), "apv": b64e(b"OP"),
                    "epk": {"kty": "EC", "crv": "P-256", "x": b64e(&p[1..33]), "y": b64e(&p[33..65])}
                });
                (header, Vec::new(), cek)
            }
        };
        let protected = b64e(header.to_string().as_bytes());
        let key = LessSafeKey::new(UnboundKey::new(&AES_256_GCM, &cek).unwrap());
        let mut data = plaintext.as_bytes().to_vec();
        let tag = key
            .seal_in_place_separate_tag(Nonce::assume_unique_for_key(iv), Aad::from(protected.as_bytes()), &mut data)
            .unwrap();
        format!("{protected}.{}.{}.{}.{}", b64e(&ek), b64e(&iv), b64e(&data), b64e(tag.as_ref()))
    }
}

const INNER: &str = "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln";

#[test]
fn rsa_oaep_256_and_ecdh_es_round_trip() {
    for r in [Recipient::rsa(), Recipient::ec()] {
        let jwe = r.encrypt(INNER);
        assert!(is_jwe(&jwe));
        assert_eq!(decrypt(&jwe, &r.key()).unwrap(), INNER);
    }
}

#[test]
fn wrong_key_tampering_and_unsupported_headers_are_refused() {
    let r = Recipient::ec();
    let jwe = r.encrypt(INNER);
    assert!(decrypt(&jwe, &Recipient::ec().key()).is_err(), "another EC key");
    assert!(decrypt(&jwe, &Recipient::rsa().key()).is_err(), "an RSA key for ECDH-ES");
    let mut parts: Vec<String> = jwe.split('.').map(str::to_owned).collect();
    let mut ct = URL_SAFE_NO_PAD.decode(&parts[3]).unwrap();
    ct[0] ^= 1;
    parts[3] = b64e(&ct);
    assert!(decrypt(&parts.join("."), &r.key()).is_err(), "ciphertext changed");
    // A changed header (AAD) fails the tag even when it parses.
    let rsa = Recipient::rsa();
    let jwe = rsa.encrypt(INNER);
    let mut parts: Vec<String> = jwe.split('.').map(str::to_owned).collect();
    parts[0] = b64e(br#"{"alg":"RSA-OAEP-256","enc":"A256GCM"}"#);
    assert!(decrypt(&parts.join("."), &rsa.key()).is_err());
    parts[0] = b64e(br#"{"alg":"RSA-OAEP-256","enc":"A128CBC-HS256"}"#);
    assert!(decrypt(&parts.join("."), &rsa.key()).is_err());
    parts[0] = b64e(br#"{"alg":"RSA-OAEP-256","enc":"A256GCM","zip":"DEF"}"#);
    assert!(decrypt(&parts.join("."), &rsa.key()).is_err());
    parts[0] = b64e(br#"{"alg":"dir","enc":"A256GCM"}"#);
    assert!(decrypt(&parts.join("."), &rsa.key()).is_err());
    // Only a nested JWS is accepted inside.
    assert!(decrypt(&rsa.encrypt("{\"sub\":\"x\"}"), &rsa.key()).is_err());
}

/// RFC 7518 Appendix C: the Concat KDF of the ECDH-ES example (A128GCM, "Alice", "Bob").
#[test]
fn concat_kdf_matches_rfc_7518_appendix_c() {
    let z: [u8; 32] = [
        158, 86, 217, 29, 129, 113, 53, 211, 114, 131, 66, 131, 191, 132, 38, 156, 251, 49, 110, 163, 218, 128, 106, 72, 246, 218, 167,
        121, 140, 254, 144, 196,
    ];
    let info = concat_kdf_info("A128GCM", b"Alice", b"Bob", 128);
    assert_eq!(
        info,
        [0, 0, 0, 7, 65, 49, 50, 56, 71, 67, 77, 0, 0, 0, 5, 65, 108, 105, 99, 101, 0, 0, 0, 3, 66, 111, 98, 0, 0, 0, 128]
    );
    let alg = get_sskdf_digest_algorithm(SskdfDigestAlgorithmId::Sha256).unwrap();
    let mut out = [0u8; 16];
    sskdf_digest(alg, &z, &info, &mut out).unwrap();
    assert_eq!(b64e(&out), "VqqN6vgjbSBcIijNcacQGg");
}
