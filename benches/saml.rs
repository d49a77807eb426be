//! Cost of processing one eID Response (verify + decrypt + map), split per step, for
//! RSA-PSS-3072 signature + RSA-OAEP-3072 key transport and for ECDSA P-256 + ECDH-ES P-256.
//! Inputs are the peer-produced fixtures in tests/fixtures/saml (test material).
//!
//! Run: `cargo bench --bench saml` (release profile). Plain `Instant` timing, no harness: the steps
//! are re-run with the same OpenSSL calls the pipeline makes so their share of the total is visible.

use std::hint::black_box;
use std::time::{Duration, Instant, UNIX_EPOCH};

use base64::{engine::general_purpose::STANDARD as B64, Engine as _};
use buergerkonto::saml::algorithms::DEFAULT_SIGNATURE_ALGORITHMS;
use buergerkonto::saml::c14n::canonicalize;
use buergerkonto::saml::response::{verify_response, Expectations, DEFAULT_MAX_CLOCK_SKEW};
use buergerkonto::saml::xml::{ns, parse_bytes};
use openssl::bn::{BigNum, BigNumContext};
use openssl::derive::Deriver;
use openssl::ec::{EcKey, EcPoint};
use openssl::ecdsa::EcdsaSig;
use openssl::hash::MessageDigest;
use openssl::md::Md;
use openssl::pkey::{PKey, Private, Public};
use openssl::pkey_ctx::PkeyCtx;
use openssl::rsa::Padding;
use openssl::sign::{RsaPssSaltlen, Verifier};
use openssl::symm::{decrypt_aead, Cipher};
use openssl::x509::X509;

const ITER: u32 = 300;

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!("{}/tests/fixtures/saml/{name}", env!("CARGO_MANIFEST_DIR"))).expect("fixture")
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

fn bench(label: &str, file: &str, pinned: PKey<Public>, ours: PKey<Private>, ecdh: bool) {
    let xml = fixture(file);
    let pinned_v = [pinned.clone()];
    let ours_v = [ours.clone()];
    let exp = Expectations {
        idp_entity_id: "https://eid.example/idp",
        idp_signing_keys: &pinned_v,
        acs_url: "https://broker.example/saml/acs",
        sp_entity_id: "https://broker.example/saml",
        in_response_to: "_req1",
        allowed_signature_algorithms: DEFAULT_SIGNATURE_ALGORITHMS,
        decryption_keys: &ours_v,
        max_clock_skew: DEFAULT_MAX_CLOCK_SKEW,
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
        let a = openssl::hash::hash(MessageDigest::sha256(), canonicalize(root, &[], Some(sig.id())).as_bytes());
        (a.is_ok(), canonicalize(si, &[], None).len())
    });
    let si_c14n = canonicalize(si, &[], None);
    let sig_value = B64.decode(text(&doc, ns::DS, "SignatureValue")).expect("b64");
    let sig_verify = if ecdh {
        let der = EcdsaSig::from_private_components(
            BigNum::from_slice(&sig_value[..32]).unwrap(),
            BigNum::from_slice(&sig_value[32..]).unwrap(),
        )
        .unwrap()
        .to_der()
        .unwrap();
        time(|| {
            Verifier::new(MessageDigest::sha256(), &pinned)
                .unwrap()
                .verify_oneshot(&der, si_c14n.as_bytes())
                .unwrap()
        })
    } else {
        time(|| {
            let mut v = Verifier::new(MessageDigest::sha256(), &pinned).unwrap();
            v.set_rsa_padding(Padding::PKCS1_PSS).unwrap();
            v.set_rsa_mgf1_md(MessageDigest::sha256()).unwrap();
            v.set_rsa_pss_saltlen(RsaPssSaltlen::DIGEST_LENGTH).unwrap();
            v.verify_oneshot(&sig_value, si_c14n.as_bytes()).unwrap()
        })
    };

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
        let run = || {
            let ec = ours.ec_key().unwrap();
            let mut ctx = BigNumContext::new().unwrap();
            let p = EcPoint::from_bytes(ec.group(), &point, &mut ctx).unwrap();
            let peer_ec = EcKey::from_public_key(ec.group(), &p).unwrap();
            peer_ec.check_key().unwrap();
            let peer = PKey::from_ec_key(peer_ec).unwrap();
            let mut d = Deriver::new(&ours).unwrap();
            d.set_peer(&peer).unwrap();
            let z = d.derive_to_vec().unwrap();
            let mut kek = [0u8; 32];
            concat_kdf::derive_key_into::<sha2::Sha256>(&z, &other, &mut kek).unwrap();
            let mut cek = [0u8; 32];
            openssl::aes::unwrap_key(&openssl::aes::AesKey::new_decrypt(&kek).unwrap(), None, &mut cek, wrapped).unwrap();
            cek.to_vec()
        };
        (time(run), run())
    } else {
        let run = || {
            let mut ctx = PkeyCtx::new(&ours).unwrap();
            ctx.decrypt_init().unwrap();
            ctx.set_rsa_padding(Padding::PKCS1_OAEP).unwrap();
            ctx.set_rsa_oaep_md(Md::sha256()).unwrap();
            ctx.set_rsa_mgf1_md(Md::sha256()).unwrap();
            let mut out = Vec::new();
            ctx.decrypt_to_vec(wrapped, &mut out).unwrap();
            out
        };
        (time(run), run())
    };
    let (iv, rest) = data.split_at(12);
    let (ct, tag) = rest.split_at(rest.len() - 16);
    let gcm = time(|| decrypt_aead(Cipher::aes_256_gcm(), &cek, Some(iv), &[], ct, tag).unwrap());
    let plain = decrypt_aead(Cipher::aes_256_gcm(), &cek, Some(iv), &[], ct, tag).unwrap();
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
    let cert = |f: &str| X509::from_pem(&fixture(f)).unwrap().public_key().unwrap();
    let key = |f: &str| PKey::private_key_from_pem(&fixture(f)).unwrap();
    bench(
        "RSA-PSS-3072 + RSA-OAEP-3072",
        "response-rsa-pss-rsa-oaep.xml",
        cert("idp-rsa.crt"),
        key("sp-enc-rsa.key"),
        false,
    );
    bench(
        "ECDSA P-256 + ECDH-ES P-256",
        "response-ecdsa-ecdh-es.xml",
        cert("idp-ec.crt"),
        key("sp-enc-ec.key"),
        true,
    );
}
