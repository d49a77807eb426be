//! The signing key ring: key files (PEM and JWK), RFC 7638 `kid`s, JWKS publication and rotation,
//! and `buergerkonto keys generate` through the real binary.

use buergerkonto::keys::{KeyError, KeyRing, RingKey, SigningAlg};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::process::Command;

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/keys");
const BIN: &str = env!("CARGO_BIN_EXE_buergerkonto");

#[derive(Debug, PartialEq, Serialize, Deserialize)]
struct Claims {
    sub: String,
}

fn claims() -> Claims {
    Claims { sub: "abc".into() }
}

fn fixture(name: &str) -> PathBuf {
    Path::new(FIXTURES).join(name)
}

fn write(dir: &Path, name: &str, data: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, data).unwrap();
    p
}

fn round_trip(key: RingKey) -> String {
    let alg = key.alg();
    let kid = key.kid().to_owned();
    let ring = KeyRing::new(vec![key]);
    let token = ring.sign(alg, "JWT", &claims()).unwrap();
    assert_eq!(ring.verify::<Claims>(&token, "JWT").unwrap(), claims());
    kid
}

#[test]
fn kid_is_rfc7638_thumbprint_of_the_rfc_example_key() {
    // RFC 7517 A.2 private key; its public part is the RFC 7638 §3.1 example.
    let rsa = RingKey::from_file(SigningAlg::RS256, &fixture("rfc7517-a2-rsa.jwk"), true).unwrap();
    assert_eq!(
        rsa.kid(),
        "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs",
        "the file's own kid is ignored"
    );
    round_trip(rsa);
    // RFC 8037 A.3: thumbprint of the A.1 Ed25519 key.
    let ed = RingKey::from_file(SigningAlg::EdDSA, &fixture("rfc8037-a1-ed25519.jwk"), true).unwrap();
    assert_eq!(ed.kid(), "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k");
    round_trip(ed);
    let ec = RingKey::from_file(SigningAlg::ES256, &fixture("rfc7517-a2-ec.jwk"), true).unwrap();
    round_trip(ec);
}

#[test]
fn pem_formats_of_every_algorithm_load_and_sign() {
    // Made by the openssl command-line tool (tests/fixtures/keys/README.md): an independent producer.
    let cases = [
        (SigningAlg::RS256, "rsa2048-pkcs1.pem"),
        (SigningAlg::RS256, "rsa2048-pkcs8.pem"),
        (SigningAlg::PS256, "rsa2048-pkcs1.pem"),
        (SigningAlg::PS256, "rsa2048-pkcs8.pem"),
        (SigningAlg::ES256, "ec-p256-pkcs8.pem"),
        (SigningAlg::ES256, "ec-p256-sec1.pem"),
        (SigningAlg::EdDSA, "ed25519-pkcs8.pem"),
    ];
    assert!(std::fs::read_to_string(fixture("rsa2048-pkcs1.pem"))
        .unwrap()
        .contains("BEGIN RSA PRIVATE KEY"));
    assert!(std::fs::read_to_string(fixture("ec-p256-sec1.pem"))
        .unwrap()
        .contains("BEGIN EC PRIVATE KEY"));
    let mut kids = std::collections::HashMap::new();
    for (alg, name) in cases {
        let key = RingKey::from_file(alg, &fixture(name), true).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(key.alg(), alg);
        kids.entry(name.split('-').next().unwrap().to_owned())
            .or_insert_with(Vec::new)
            .push(round_trip(key));
    }
    // The kid depends on the key, not on the file format or the algorithm.
    for (family, ks) in kids {
        assert!(ks.windows(2).all(|w| w[0] == w[1]), "{family}: {ks:?}");
    }
}

/// PEM text of one DER block (RFC 7468), for keys made in the test.
fn pem(label: &str, der: &[u8]) -> Vec<u8> {
    let b64 = base64::Engine::encode(&base64::engine::general_purpose::STANDARD, der);
    let lines: Vec<&str> = b64.as_bytes().chunks(64).map(|c| std::str::from_utf8(c).unwrap()).collect();
    format!("-----BEGIN {label}-----\n{}\n-----END {label}-----\n", lines.join("\n")).into_bytes()
}

#[test]
fn jwk_and_pem_of_one_key_have_the_same_kid() {
    use aws_lc_rs::encoding::AsBigEndian;
    use aws_lc_rs::signature::{Ed25519KeyPair, KeyPair};
    let dir = tempfile::tempdir().unwrap();
    let ed = Ed25519KeyPair::generate().unwrap();
    let seed = AsBigEndian::<aws_lc_rs::encoding::Curve25519SeedBin>::as_be_bytes(&ed.seed().unwrap()).unwrap();
    let b64 = |b: &[u8]| base64::Engine::encode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, b);
    let jwk = serde_json::json!({
        "kty": "OKP", "crv": "Ed25519",
        "d": b64(seed.as_ref()), "x": b64(ed.public_key().as_ref()),
    });
    let from_jwk = RingKey::from_file(SigningAlg::EdDSA, &write(dir.path(), "k.json", jwk.to_string().as_bytes()), true).unwrap();
    let pkcs8 = ed.to_pkcs8().unwrap();
    let from_pem = RingKey::from_file(
        SigningAlg::EdDSA,
        &write(dir.path(), "k.pem", &pem("PRIVATE KEY", pkcs8.as_ref())),
        true,
    )
    .unwrap();
    assert_eq!(from_jwk.kid(), from_pem.kid());
}

#[test]
fn bad_key_files_are_refused_with_the_file_name() {
    let dir = tempfile::tempdir().unwrap();
    let rsa_pem = std::fs::read(fixture("rsa2048-pkcs8.pem")).unwrap();
    let small_rsa = std::fs::read(fixture("rsa1024-pkcs1.pem")).unwrap();
    let ec_p384 = std::fs::read(fixture("ec-p384-sec1.pem")).unwrap();
    let ed_pem = std::fs::read(fixture("ed25519-pkcs8.pem")).unwrap();
    let ec_jwk = std::fs::read_to_string(fixture("rfc7517-a2-ec.jwk")).unwrap();
    let cases: Vec<(SigningAlg, &str, Vec<u8>, &str)> = vec![
        (
            SigningAlg::ES256,
            "rsa-as-ec.pem",
            rsa_pem.clone(),
            "needs an EC P-256 key, found an RSA key",
        ),
        (SigningAlg::EdDSA, "rsa-as-ed.pem", rsa_pem, "needs an Ed25519 key"),
        (SigningAlg::RS256, "small.pem", small_rsa, "at least 2048"),
        (
            SigningAlg::RS256,
            "small-pkcs8.pem",
            std::fs::read(fixture("rsa1024-pkcs8.pem")).unwrap(),
            "at least 2048",
        ),
        (SigningAlg::ES256, "p384.pem", ec_p384, "needs the P-256 curve"),
        (SigningAlg::RS256, "ed-as-rsa.pem", ed_pem, "needs an RSA key, found an Ed25519 key"),
        (SigningAlg::ES256, "garbage.pem", b"hello".to_vec(), "not a PEM private key"),
        (SigningAlg::ES256, "garbage.jwk", b"{not json".to_vec(), "not a JWK"),
        (
            SigningAlg::ES256,
            "public.jwk",
            ec_jwk
                .replace(r#""d":"870MB6gfuTJ4HtUnUvYMyJpr5eUZNP4Bk43bVdj3eAE","#, "")
                .into_bytes(),
            "no private part",
        ),
        (
            SigningAlg::ES256,
            "mismatch.jwk",
            ec_jwk
                .replace(
                    "870MB6gfuTJ4HtUnUvYMyJpr5eUZNP4Bk43bVdj3eAE",
                    "AAAAB6gfuTJ4HtUnUvYMyJpr5eUZNP4Bk43bVdj3eAE",
                )
                .into_bytes(),
            "does not match",
        ),
        (
            SigningAlg::ES256,
            "alg.jwk",
            ec_jwk.replace(r#""kid":"1""#, r#""alg":"ES384""#).into_bytes(),
            "configuration says ES256",
        ),
        (
            SigningAlg::ES256,
            "enc.jwk",
            ec_jwk.replace(r#""kid":"1""#, r#""use":"enc""#).into_bytes(),
            "not \"sig\"",
        ),
        (
            SigningAlg::RS256,
            "rsa-crt.jwk",
            std::fs::read_to_string(fixture("rfc7517-a2-rsa.jwk"))
                .unwrap()
                .replace("GyM_p6JrXySiz1toFgKb", "GyM_p6JrXySiz1toFgKc")
                .into_bytes(),
            "inconsistent",
        ),
        (
            SigningAlg::EdDSA,
            "ed-mismatch.jwk",
            std::fs::read_to_string(fixture("rfc8037-a1-ed25519.jwk"))
                .unwrap()
                .replace(
                    "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo",
                    "21qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo",
                )
                .into_bytes(),
            "does not match x",
        ),
        (
            SigningAlg::RS256,
            "hmac.jwk",
            br#"{"kty":"oct","k":"c2VjcmV0","d":"x"}"#.to_vec(),
            "cannot sign here",
        ),
    ];
    for (alg, name, data, needle) in cases {
        let path = write(dir.path(), name, &data);
        let e = RingKey::from_file(alg, &path, true).unwrap_err();
        assert!(matches!(e, KeyError::Parse { .. }), "{name}: {e}");
        let msg = e.to_string();
        assert!(msg.contains(name) && msg.contains(needle), "{name}: {msg}");
    }
    let missing = dir.path().join("missing.pem");
    let e = RingKey::from_file(SigningAlg::ES256, &missing, true).unwrap_err();
    assert!(matches!(e, KeyError::Read { .. }) && e.to_string().contains("missing.pem"), "{e}");
}

#[test]
fn jwks_publishes_every_key_without_private_parts() {
    let a = RingKey::generate(SigningAlg::ES256).unwrap();
    let b = RingKey::from_file(SigningAlg::RS256, &fixture("rfc7517-a2-rsa.jwk"), false).unwrap();
    let (ka, kb) = (a.kid().to_owned(), b.kid().to_owned());
    let ring = KeyRing::new(vec![a, b]);
    let jwks = serde_json::to_value(ring.jwks()).unwrap();
    let keys = jwks["keys"].as_array().unwrap();
    let kids: Vec<&str> = keys.iter().map(|k| k["kid"].as_str().unwrap()).collect();
    assert_eq!(kids, vec![ka.as_str(), kb.as_str()], "publish_only keys are published too");
    for k in keys {
        assert_eq!(k["use"], "sig");
        for private in ["d", "p", "q", "dp", "dq", "qi", "k"] {
            assert!(k.get(private).is_none(), "private member {private} published: {k}");
        }
    }
    assert_eq!(keys[1]["n"].as_str().unwrap().len(), 342);
    assert_eq!(
        ring.signing_algs(),
        vec![SigningAlg::ES256],
        "a publish_only key adds no signing alg"
    );
}

#[test]
fn rotation_keeps_old_tokens_valid_and_publish_only_never_signs() {
    let a = || RingKey::from_file(SigningAlg::ES256, &fixture("rfc7517-a2-ec.jwk"), true).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let b_pem = buergerkonto::keys::generate_pem(SigningAlg::ES256).unwrap();
    let b_path = write(dir.path(), "b.pem", b_pem.as_bytes());
    let b = |active| RingKey::from_file(SigningAlg::ES256, &b_path, active).unwrap();
    let kid_of = |t: &str| jsonwebtoken::decode_header(t).unwrap().kid.unwrap();

    // Before: only A.
    let ring0 = KeyRing::new(vec![a()]);
    let old_token = ring0.sign(SigningAlg::ES256, "JWT", &claims()).unwrap();
    let kid_a = kid_of(&old_token);

    // Step 1: B published, not signing (even when listed first).
    let ring1 = KeyRing::new(vec![b(false), a()]);
    let t1 = ring1.sign(SigningAlg::ES256, "JWT", &claims()).unwrap();
    assert_eq!(kid_of(&t1), kid_a, "publish_only key never signs");
    assert_eq!(ring1.jwks().keys.len(), 2);
    let only_b = KeyRing::new(vec![b(false)]);
    assert!(matches!(
        only_b.sign(SigningAlg::ES256, "JWT", &claims()),
        Err(KeyError::NoSigningKey(SigningAlg::ES256))
    ));

    // Step 2: B active and first: new tokens carry B, A's tokens still verify.
    let ring2 = KeyRing::new(vec![b(true), a()]);
    let t2 = ring2.sign(SigningAlg::ES256, "JWT", &claims()).unwrap();
    assert_ne!(kid_of(&t2), kid_a);
    assert_eq!(ring2.verify::<Claims>(&old_token, "JWT").unwrap(), claims());
    assert_eq!(ring2.verify::<Claims>(&t1, "JWT").unwrap(), claims());

    // Step 3: A retired: its tokens no longer verify.
    let ring3 = KeyRing::new(vec![b(true)]);
    assert!(ring3.verify::<Claims>(&old_token, "JWT").is_err());
    assert!(ring3.verify::<Claims>(&t2, "JWT").is_ok());
}

#[test]
fn verify_rejects_alg_none_and_wrong_typ() {
    let ring = KeyRing::new(vec![RingKey::generate(SigningAlg::ES256).unwrap()]);
    let token = ring.sign(SigningAlg::ES256, "JWT", &claims()).unwrap();
    assert!(ring.verify::<Claims>(&token, "at+jwt").is_err(), "typ is checked");
    let kid = ring.keys()[0].kid().to_owned();
    let b64 = |s: &str| base64::Engine::encode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, s);
    let none = format!(
        "{}.{}.",
        b64(&format!(r#"{{"alg":"none","typ":"JWT","kid":"{kid}"}}"#)),
        b64(r#"{"sub":"abc"}"#)
    );
    assert!(ring.verify::<Claims>(&none, "JWT").is_err());
}

// ---- `buergerkonto keys generate` through the binary ----------------------------------------------

fn generate(args: &[&str]) -> std::process::Output {
    Command::new(BIN).args(["keys", "generate"]).args(args).output().unwrap()
}

#[test]
fn keys_generate_every_algorithm_es256_by_default() {
    let dir = tempfile::tempdir().unwrap();
    for (alg, args) in [
        (SigningAlg::ES256, vec![]),
        (SigningAlg::RS256, vec!["--alg", "RS256"]),
        (SigningAlg::PS256, vec!["--alg", "PS256"]),
        (SigningAlg::EdDSA, vec!["--alg", "EdDSA"]),
    ] {
        let out = dir.path().join(format!("{alg}.pem"));
        let mut a: Vec<&str> = args.clone();
        a.extend(["--out", out.to_str().unwrap()]);
        let o = generate(&a);
        assert!(o.status.success(), "{alg}: {}", String::from_utf8_lossy(&o.stderr));
        let stdout = String::from_utf8_lossy(&o.stdout);
        let key = RingKey::from_file(alg, &out, true).unwrap();
        assert!(stdout.contains(alg.as_str()) && stdout.contains(key.kid()), "{stdout}");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&out).unwrap().permissions().mode() & 0o777, 0o600);
        }
        round_trip(key);
    }
}

#[test]
fn keys_generate_refuses_overwrite_and_unknown_alg() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("k.pem");
    std::fs::write(&out, b"keep me").unwrap();
    let o = generate(&["--out", out.to_str().unwrap()]);
    assert!(!o.status.success());
    assert_eq!(std::fs::read(&out).unwrap(), b"keep me");
    assert!(String::from_utf8_lossy(&o.stderr).contains("k.pem"));
    for alg in ["HS256", "none"] {
        let o = generate(&["--alg", alg, "--out", dir.path().join("x.pem").to_str().unwrap()]);
        assert!(!o.status.success());
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains("unsupported signing algorithm") && !err.contains("panicked"), "{err}");
    }
}

#[tokio::test]
async fn broker_loads_configured_key_files_and_readyz_sees_them() {
    use crate::support::{http_client, TestBroker};
    let rsa = fixture("rfc7517-a2-rsa.jwk");
    let ec = fixture("rfc7517-a2-ec.jwk");
    let broker = TestBroker::new()
        .with_config(move |c| {
            use buergerkonto::config::raw::RawSigningKey;
            c.keys.generate_dev_keys = false;
            c.keys.signing = vec![
                RawSigningKey {
                    alg: "RS256".into(),
                    file: rsa,
                    publish_only: false,
                },
                RawSigningKey {
                    alg: "ES256".into(),
                    file: ec,
                    publish_only: true,
                },
            ];
        })
        .start()
        .await;
    let keys = broker.state.keys();
    assert_eq!(keys.signing_algs(), vec![SigningAlg::RS256]);
    let jwks = keys.jwks();
    assert_eq!(jwks.keys.len(), 2);
    assert_eq!(
        jwks.keys[0].common.key_id.as_deref(),
        Some("NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs")
    );
    let token = keys.sign(SigningAlg::RS256, "JWT", &claims()).unwrap();
    assert_eq!(keys.verify::<Claims>(&token, "JWT").unwrap(), claims());
    assert!(
        keys.sign(SigningAlg::ES256, "JWT", &claims()).is_err(),
        "publish_only ES256 key never signs"
    );
    let r = http_client().get(broker.url("/readyz")).send().await.unwrap();
    assert_eq!(r.status(), 200);
}

#[test]
fn a_remembered_token_still_passes_the_header_checks() {
    // src/keys/verified.rs: the ring skips the signature of a token it signed or verified before,
    // never the header checks, and only for the exact bytes.
    let key = RingKey::generate(SigningAlg::ES256).unwrap();
    let ring = KeyRing::new(vec![key]);
    let exp = |_: &Claims| 2_000;
    let token = ring.sign_remembered(SigningAlg::ES256, "at+jwt", &claims(), 2_000, 1_000).unwrap();
    assert_eq!(ring.verify_remembered::<Claims>(&token, "at+jwt", 1_500, exp).unwrap(), claims());
    assert!(
        ring.verify_remembered::<Claims>(&token, "JWT", 1_500, exp).is_err(),
        "typ checked on a hit"
    );
    // Past `exp` the entry is gone: the signature is checked again (and still good).
    assert_eq!(ring.verify_remembered::<Claims>(&token, "at+jwt", 2_500, exp).unwrap(), claims());
    // Another ring (another key, same claims) has remembered nothing: its own tokens only.
    let other = KeyRing::new(vec![RingKey::generate(SigningAlg::ES256).unwrap()]);
    assert!(other.verify_remembered::<Claims>(&token, "at+jwt", 1_500, exp).is_err());
    let mut parts: Vec<String> = token.split('.').map(str::to_owned).collect();
    parts[1] = base64::Engine::encode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, br#"{"sub":"mallory"}"#);
    assert!(ring.verify_remembered::<Claims>(&parts.join("."), "at+jwt", 1_500, exp).is_err());
}
