use super::*;
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{EcdsaKeyPair, ECDSA_P256_SHA256_FIXED_SIGNING};

fn p256() -> (JweKey, Vec<u8>) {
    let doc = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &SystemRandom::new()).unwrap();
    let key = JweKey::from_pkcs8(doc.as_ref()).unwrap();
    let JweKey::Ec { key: k, .. } = &key else { panic!("EC") };
    let public = k.compute_public_key().unwrap().as_ref().to_vec();
    (key, public)
}

const BOTH: &[ContentEncryption] = &[ContentEncryption::A128Gcm, ContentEncryption::A256Gcm];

#[test]
fn ecdh_es_round_trip_with_both_content_encryptions_and_the_kid() {
    let (key, public) = p256();
    for enc in [ContentEncryption::A128Gcm, ContentEncryption::A256Gcm] {
        let jwe = encrypt_ecdh_es_p256(b"{\"a\":1}", &public, enc, Some("k1")).unwrap();
        assert!(is_jwe(&jwe));
        let d = decrypt(&jwe, &key, BOTH).unwrap();
        assert_eq!(d.plaintext.as_slice(), b"{\"a\":1}");
        assert_eq!((d.kid.as_deref(), d.enc), (Some("k1"), enc));
    }
}

#[test]
fn an_enc_not_accepted_another_key_and_tampering_are_refused() {
    let (key, public) = p256();
    let jwe = encrypt_ecdh_es_p256(b"x", &public, ContentEncryption::A128Gcm, None).unwrap();
    assert_eq!(
        decrypt(&jwe, &key, &[ContentEncryption::A256Gcm]).err(),
        Some(JweError::Unsupported {
            alg: "ECDH-ES".into(),
            enc: "A128GCM".into()
        })
    );
    let (other, _) = p256();
    assert_eq!(decrypt(&jwe, &other, BOTH).err(), Some(JweError::Undecryptable));
    let mut parts: Vec<String> = jwe.split('.').map(str::to_owned).collect();
    let mut ct = URL_SAFE_NO_PAD.decode(&parts[3]).unwrap();
    ct[0] ^= 1;
    parts[3] = URL_SAFE_NO_PAD.encode(&ct);
    assert_eq!(decrypt(&parts.join("."), &key, BOTH).err(), Some(JweError::Undecryptable));
    assert_eq!(decrypt("a.b.c", &key, BOTH).err(), Some(JweError::Malformed));
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
        URL_SAFE_NO_PAD.encode(concat_kdf(&z, &info, 16).unwrap().as_slice()),
        "VqqN6vgjbSBcIijNcacQGg"
    );
}
