//! Cost of processing one eID Response (verify + decrypt + map), split per step, for
//! RSA-PSS-3072 signature + RSA-OAEP-3072 key transport and for ECDSA P-256 + ECDH-ES P-256.
//! Inputs are the peer-produced fixtures in crates/saml-xmlsec/tests/fixtures (test material).
//!
//! Run: `cargo bench --bench saml` (release profile). Plain `Instant` timing, no harness: the steps
//! are re-run with the same aws-lc-rs calls the pipeline makes so their share of the total is visible.

use std::hint::black_box;
use std::time::{Duration, Instant, UNIX_EPOCH};

use aws_lc_rs::aead::{Aad, LessSafeKey, Nonce, UnboundKey, AES_256_GCM};
use aws_lc_rs::agreement::{self, UnparsedPublicKey};
use aws_lc_rs::kdf::{get_sskdf_digest_algorithm, sskdf_digest, SskdfDigestAlgorithmId};
use aws_lc_rs::key_wrap::{KeyEncryptionKey, KeyWrap, AES_256};
use aws_lc_rs::rsa::{OaepPrivateDecryptingKey, PrivateDecryptingKey, OAEP_SHA256_MGF1SHA256};
use aws_lc_rs::signature;
use base64::{engine::general_purpose::STANDARD as B64, Engine as _};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::PrivatePkcs8KeyDer;
use saml_xmlsec::c14n::canonicalize;
use saml_xmlsec::response::{verify_response, Expectations, DEFAULT_MAX_CLOCK_SKEW};
use saml_xmlsec::xml::{ns, parse_bytes};
use saml_xmlsec::{Certificate, PrivateKey};

const ITER: u32 = 300;

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!("{}/crates/saml-xmlsec/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"))).expect("fixture")
}

fn time<T>(f: impl Fn() -> T) -> Duration {
    for _ in 0..10 {
        black_box(f());
    }
    let start = Instant::now();
    for _ in 0..ITER {
        black_box(f());
    }
    start.elapsed() / ITER
}

fn text(doc: &roxmltree::Document<'_>, ns_uri: &str, local: &str) -> String {
    let n = doc
        .descendants()
        .find(|n| n.tag_name().name() == local && n.tag_name().namespace() == Some(ns_uri))
        .expect(local);
    n.text().unwrap_or("").split_whitespace().collect()
}

fn bench(label: &str, file: &str, cert: &str, key: &str, ecdh: bool) {
    let xml = fixture(file);
    let pinned = Certificate::from_pem(&fixture(cert)).expect("cert");
    let key_pem = fixture(key);
    let pkcs8 = PrivatePkcs8KeyDer::from_pem_slice(&key_pem).expect("PKCS#8");
    let exp = Expectations {
        acs_url: "https://broker.example/saml/acs".into(),
        audience: "https://broker.example/saml".into(),
        issuer: "https://eid.example/idp".into(),
        in_response_to: "_req1".into(),
        idp_signing_certs: vec![pinned.clone()],
        decryption_keys: vec![PrivateKey::from_pem(&key_pem).expect("key")],
        max_skew: DEFAULT_MAX_CLOCK_SKEW,
        allow_rsa_pkcs1: false,
    };
    let now = UNIX_EPOCH + Duration::from_secs(1_796_119_230);
    verify_response(&xml, &exp, now).expect("fixture verifies");
    let total = time(|| verify_response(&xml, &exp, now).is_ok());

    let parse = time(|| parse_bytes(&xml).is_ok());
    let doc = parse_bytes(&xml).expect("parse");
    let root = doc.root_element();
    let sig = root.children().find(|c| c.tag_name().name() == "Signature").expect("sig");
    let si = sig.children().find(|c| c.tag_name().name() == "SignedInfo").expect("si");
    let c14n_digest = time(|| {
        let a = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, canonicalize(root, &[], Some(sig.id())).as_bytes());
        (a.as_ref().len(), canonicalize(si, &[], None).len())
    });
    let si_c14n = canonicalize(si, &[], None);
    let sig_value = B64.decode(text(&doc, ns::DS, "SignatureValue")).expect("b64");
    let alg: &'static dyn signature::VerificationAlgorithm = if ecdh {
        &signature::ECDSA_P256_SHA256_FIXED
    } else {
        &signature::RSA_PSS_2048_8192_SHA256
    };
    let public = signature::UnparsedPublicKey::new(alg, pinned.public_key().key_bytes());
    let sig_verify = time(|| public.verify(si_c14n.as_bytes(), &sig_value).expect("verifies"));

    // Key transport: the EncryptedKey's CipherValue; the data CipherValue is the last one.
    let values: Vec<Vec<u8>> = doc
        .descendants()
        .filter(|n| n.tag_name().name() == "CipherValue")
        .map(|n| B64.decode(n.text().unwrap_or("").split_whitespace().collect::<String>()).unwrap())
        .collect();
    let (data, wrapped) = (&values[0], &values[1]);
    let (key_transport, cek) = if ecdh {
        let point = B64.decode(text(&doc, ns::DSIG11, "PublicKey")).unwrap();
        let params = doc.descendants().find(|n| n.tag_name().name() == "ConcatKDFParams").unwrap();
        let other: Vec<u8> = ["AlgorithmID", "PartyUInfo", "PartyVInfo"]
            .iter()
            .flat_map(|a| {
                let h = params.attribute(*a).unwrap_or("00");
                (2..h.len())
                    .step_by(2)
                    .map(|i| u8::from_str_radix(&h[i..i + 2], 16).unwrap())
                    .collect::<Vec<_>>()
            })
            .collect();
        let ours = agreement::PrivateKey::from_private_key_der(&agreement::ECDH_P256, pkcs8.secret_pkcs8_der()).unwrap();
        let run = || {
            let kek = agreement::agree(&ours, UnparsedPublicKey::new(&agreement::ECDH_P256, &point), (), |z| {
                let mut kek = [0u8; 32];
                let alg = get_sskdf_digest_algorithm(SskdfDigestAlgorithmId::Sha256).ok_or(())?;
                sskdf_digest(alg, z, &other, &mut kek).map_err(|_| ())?;
                Ok(kek)
            })
            .unwrap();
            let mut cek = [0u8; 40];
            let n = KeyEncryptionKey::new(&AES_256, &kek)
                .unwrap()
                .unwrap(wrapped, &mut cek)
                .unwrap()
                .len();
            cek[..n].to_vec()
        };
        (time(run), run())
    } else {
        let ours = OaepPrivateDecryptingKey::new(PrivateDecryptingKey::from_pkcs8(pkcs8.secret_pkcs8_der()).unwrap()).unwrap();
        let run = || {
            let mut out = vec![0u8; ours.min_output_size()];
            let n = ours.decrypt(&OAEP_SHA256_MGF1SHA256, wrapped, &mut out, None).unwrap().len();
            out.truncate(n);
            out
        };
        (time(run), run())
    };
    let (iv, rest) = data.split_at(12);
    let gcm_key = LessSafeKey::new(UnboundKey::new(&AES_256_GCM, &cek).unwrap());
    let open = || {
        let mut buf = rest.to_vec();
        let n = gcm_key
            .open_in_place(Nonce::try_assume_unique_for_key(iv).unwrap(), Aad::empty(), &mut buf)
            .unwrap()
            .len();
        buf.truncate(n);
        buf
    };
    let gcm = time(open);
    let plain = open();
    let assertion_parse = time(|| parse_bytes(&plain).is_ok());
    let measured = parse + c14n_digest + sig_verify + key_transport + gcm + assertion_parse;
    let rest = total.saturating_sub(measured);

    let us = |d: Duration| d.as_secs_f64() * 1e6;
    println!(
        "{label}: total {:.0} µs per Response ({:.0} Responses/s on one core)",
        us(total),
        1.0 / total.as_secs_f64()
    );
    for (step, d) in [
        ("parse (safe checks + roxmltree)", parse),
        ("exc-c14n + SHA-256 digest", c14n_digest),
        ("signature verify", sig_verify),
        ("key transport", key_transport),
        ("AES-256-GCM", gcm),
        ("assertion parse", assertion_parse),
        ("structure/assertion checks + mapping (rest)", rest),
    ] {
        println!(
            "  {step:<45} {:>8.1} µs  {:>5.1} %",
            us(d),
            100.0 * d.as_secs_f64() / total.as_secs_f64()
        );
    }
}

fn main() {
    bench(
        "RSA-PSS-3072 + RSA-OAEP-3072",
        "response-rsa-pss-rsa-oaep.xml",
        "idp-rsa.crt",
        "sp-enc-rsa.key",
        false,
    );
    bench(
        "ECDSA P-256 + ECDH-ES P-256",
        "response-ecdsa-ecdh-es.xml",
        "idp-ec.crt",
        "sp-enc-ec.key",
        true,
    );
}
