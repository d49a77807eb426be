//! Round-trip tests of the XML-DSig and XML-Enc layers (independent-producer tests are in
//! `tests/it/saml_interop.rs`).

use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{EcdsaKeyPair, ECDSA_P256_SHA256_FIXED_SIGNING};

use super::algorithms::{SignatureAlgorithm, DEFAULT_SIGNATURE_ALGORITHMS};
use super::dsig::{sign_enveloped, verify_enveloped};
use super::errors::{DsigError, XmlEncError};
use super::redirect::{sign_redirect_query, verify_redirect_query, RedirectMessage};
use super::xml::parse;
use super::xmlenc::{decrypt_encrypted_assertion, encrypt_assertion};
use super::{PrivateKey, PublicKey};

pub(crate) fn ec() -> PrivateKey {
    let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &SystemRandom::new()).unwrap();
    PrivateKey::from_pkcs8_der(pkcs8.as_ref()).unwrap()
}
pub(crate) fn rsa() -> PrivateKey {
    let kp = aws_lc_rs::rsa::KeyPair::generate(aws_lc_rs::rsa::KeySize::Rsa2048).unwrap();
    let pkcs8: aws_lc_rs::encoding::Pkcs8V1Der<'_> = kp.as_der().unwrap();
    PrivateKey::from_pkcs8_der(pkcs8.as_ref()).unwrap()
}
fn public(k: &PrivateKey) -> PublicKey {
    k.public_key().clone()
}

const REQ: &str = r#"<samlp:AuthnRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_abc" Version="2.0"><saml:Issuer>https://sp.example</saml:Issuer><samlp:NameIDPolicy AllowCreate="true"/></samlp:AuthnRequest>"#;

#[test]
fn sign_then_verify_ecdsa_and_pss() {
    for (key, alg) in [(ec(), SignatureAlgorithm::EcdsaSha256), (rsa(), SignatureAlgorithm::RsaPssSha256)] {
        let signed = sign_enveloped(REQ, "_abc", &key, alg, None).unwrap();
        let issuer_end = signed.find("</saml:Issuer>").unwrap();
        assert_eq!(signed.find("<ds:Signature").unwrap(), issuer_end + "</saml:Issuer>".len());
        let doc = parse(&signed).unwrap();
        verify_enveloped(&doc, doc.root_element(), DEFAULT_SIGNATURE_ALGORITHMS, &[public(&key)]).unwrap();
        // Wrong key, tampering, algorithm not allowed.
        assert_eq!(
            verify_enveloped(&doc, doc.root_element(), DEFAULT_SIGNATURE_ALGORITHMS, &[public(&ec())]),
            Err(DsigError::BadSignature)
        );
        let tampered = signed.replace("https://sp.example", "https://evil.example");
        let doc2 = parse(&tampered).unwrap();
        assert_eq!(
            verify_enveloped(&doc2, doc2.root_element(), DEFAULT_SIGNATURE_ALGORITHMS, &[public(&key)]),
            Err(DsigError::DigestMismatch)
        );
        let only_other: Vec<_> = DEFAULT_SIGNATURE_ALGORITHMS.iter().copied().filter(|a| *a != alg).collect();
        assert!(matches!(
            verify_enveloped(&doc, doc.root_element(), &only_other, &[public(&key)]),
            Err(DsigError::SignatureAlgorithm(_))
        ));
    }
}

#[test]
fn pkcs1_only_when_allowed() {
    let key = rsa();
    let signed = sign_enveloped(REQ, "_abc", &key, SignatureAlgorithm::RsaPkcs1Sha256, None).unwrap();
    let doc = parse(&signed).unwrap();
    assert!(matches!(
        verify_enveloped(&doc, doc.root_element(), DEFAULT_SIGNATURE_ALGORITHMS, &[public(&key)]),
        Err(DsigError::SignatureAlgorithm(_))
    ));
    verify_enveloped(&doc, doc.root_element(), &[SignatureAlgorithm::RsaPkcs1Sha256], &[public(&key)]).unwrap();
}

#[test]
fn sign_rejects_wrong_key_type_and_unknown_id() {
    assert_eq!(
        sign_enveloped(REQ, "_abc", &ec(), SignatureAlgorithm::RsaPssSha256, None),
        Err(DsigError::KeyMismatch)
    );
    assert!(matches!(
        sign_enveloped(REQ, "_nope", &ec(), SignatureAlgorithm::EcdsaSha256, None),
        Err(DsigError::Input(_))
    ));
}

#[test]
fn redirect_query_round_trip() {
    let key = ec();
    let q = sign_redirect_query(
        RedirectMessage::Request,
        "fZBBa+MwEIX/ir/U=",
        Some("rs 1&2"),
        &key,
        SignatureAlgorithm::EcdsaSha256,
    )
    .unwrap();
    assert!(q.starts_with("SAMLRequest=fZBBa%2BMwEIX%2Fir%2FU%3D&RelayState=rs+1%262&SigAlg=http%3A%2F%2F"));
    assert_eq!(
        verify_redirect_query(&q, RedirectMessage::Request, DEFAULT_SIGNATURE_ALGORITHMS, &[public(&key)]),
        Ok("fZBBa%2BMwEIX%2Fir%2FU%3D")
    );
    let tampered = q.replace("rs+1", "rs+2");
    assert_eq!(
        verify_redirect_query(&tampered, RedirectMessage::Request, DEFAULT_SIGNATURE_ALGORITHMS, &[public(&key)]),
        Err(DsigError::BadSignature)
    );
}

const ASSERTION: &str = r#"<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_a1" Version="2.0"><saml:Issuer>idp</saml:Issuer></saml:Assertion>"#;

#[test]
fn encrypt_then_decrypt_rsa_oaep_and_ecdh_es() {
    for key in [rsa(), ec()] {
        let enc = encrypt_assertion(ASSERTION, &public(&key)).unwrap();
        let doc = parse(&enc).unwrap();
        let plain = decrypt_encrypted_assertion(doc.root_element(), &[ec(), key.clone()]).unwrap();
        assert_eq!(plain, ASSERTION.as_bytes());
        assert_eq!(
            decrypt_encrypted_assertion(doc.root_element(), &[rsa(), ec()]),
            Err(XmlEncError::Decryption)
        );
    }
}

#[test]
fn weak_or_tampered_encryption_is_refused_uniformly() {
    let key = rsa();
    let enc = encrypt_assertion(ASSERTION, &public(&key)).unwrap();
    for (from, to) in [
        ("xmlenc11#aes256-gcm", "xmlenc#aes256-cbc"),
        ("xmlenc11#rsa-oaep", "xmlenc#rsa-1_5"),
        ("xmlenc11#rsa-oaep", "xmlenc#rsa-oaep-mgf1p"),
        ("xmlenc11#mgf1sha256", "xmlenc11#mgf1sha1"),
        ("xmlenc#sha256", "xmldsig#sha1"),
    ] {
        let bad = enc.replacen(from, to, 1);
        let doc = parse(&bad).unwrap();
        assert_eq!(
            decrypt_encrypted_assertion(doc.root_element(), std::slice::from_ref(&key)),
            Err(XmlEncError::Decryption),
            "{to}"
        );
    }
}

/// Issue 9: attacker-chosen algorithm URIs and Transform lists reach errors (and so logs) only
/// escaped and truncated, never with a raw newline that could forge a log line.
#[test]
fn attacker_strings_in_errors_are_escaped_and_truncated() {
    let key = ec();
    let signed = sign_enveloped(REQ, "_abc", &key, SignatureAlgorithm::EcdsaSha256, None).unwrap();
    let forged = format!("http://evil/&#10;2026-12-01T10:00:00Z  INFO login ok&#13;{}", "y".repeat(500));
    for (from, expect_variant) in [
        ("http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256", "signature algorithm"),
        ("http://www.w3.org/2000/09/xmldsig#enveloped-signature", "transform"),
        ("http://www.w3.org/2001/04/xmlenc#sha256", "digest algorithm"),
    ] {
        let bad = signed.replacen(from, &forged, 1);
        let doc = parse(&bad).unwrap();
        let err = verify_enveloped(&doc, doc.root_element(), DEFAULT_SIGNATURE_ALGORITHMS, &[public(&key)]).unwrap_err();
        let (shown, debug) = (err.to_string(), format!("{err:?}"));
        assert!(shown.starts_with(expect_variant), "{shown}");
        for s in [&shown, &debug] {
            assert!(!s.contains('\n') && !s.contains('\r'), "raw control character in {s:?}");
            assert!(s.contains(r"http://evil/\n2026"), "{s}");
            assert!(s.len() < 250, "not truncated: {}", s.len());
        }
    }
    let status = crate::ResponseError::Status {
        code: "urn:x\nforged".into(),
        second_level: None,
        message: Some("line1\r\nline2".into()),
    };
    let shown = status.to_string();
    assert!(!shown.contains('\n') && !shown.contains('\r'), "{shown}");
}
