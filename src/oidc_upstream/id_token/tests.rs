use super::*;
use crate::keys::SigningAlg;
use crate::oidc_upstream::test_support::*;
use serde_json::json;

const ALGS: [Algorithm; 2] = [Algorithm::ES256, Algorithm::PS256];

fn expected() -> Expected<'static> {
    Expected {
        issuer: ISSUER,
        client_id: CLIENT,
        nonce: NONCE,
        now: NOW,
        skew: 60,
        max_token_age: 600,
        max_age: None,
    }
}

fn verify(op: &TestOp, token: &str, e: &Expected<'_>) -> Result<VerifiedIdToken, IdTokenError> {
    check_claims(verify_signature(token, &ALGS, &op.keys())?, e)
}

fn with(edit: impl FnOnce(&mut Value)) -> Value {
    let mut c = good_claims();
    edit(&mut c);
    c
}

#[test]
fn a_good_token_verifies_with_es256_and_ps256() {
    let op = TestOp::new();
    for alg in [SigningAlg::ES256, SigningAlg::PS256] {
        let v = verify(&op, &op.sign(alg, &good_claims()), &expected()).unwrap();
        assert_eq!(v.sub, "op-subject-1");
        assert_eq!(v.acr.as_deref(), Some("urn:bankid:bid;LOA=4"));
        assert_eq!(v.auth_time, Some(NOW - 30));
    }
}

#[test]
fn alg_none_and_hs256_with_the_public_key_are_refused() {
    let op = TestOp::new();
    let none = raw_jws(&json!({"alg": "none"}), &good_claims(), b"");
    assert!(matches!(verify(&op, &none, &expected()), Err(IdTokenError::Malformed(_))));
    // HS256 "signed" with the OP's public key as the secret (RFC 8725 §2.1).
    let public = serde_json::to_vec(&op.keys()[0]).unwrap();
    let hs = jsonwebtoken::encode(
        &jsonwebtoken::Header::new(Algorithm::HS256),
        &good_claims(),
        &jsonwebtoken::EncodingKey::from_secret(&public),
    )
    .unwrap();
    assert_eq!(verify(&op, &hs, &expected()).unwrap_err(), IdTokenError::Algorithm("HS256".into()));
}

#[test]
fn an_alg_the_op_does_not_advertise_is_refused() {
    let op = TestOp::new();
    let t = op.sign(SigningAlg::PS256, &good_claims());
    let only_es = [Algorithm::ES256];
    assert!(matches!(
        verify_signature(&t, &only_es, &op.keys()),
        Err(IdTokenError::Algorithm(_))
    ));
}

#[test]
fn unknown_kid_wrong_key_and_tampering_are_refused() {
    let op = TestOp::new();
    let other = TestOp::new();
    let t = other.sign(SigningAlg::ES256, &good_claims());
    assert_eq!(verify(&op, &t, &expected()).unwrap_err(), IdTokenError::UnknownKey);
    // Same kid as ours, but signed by another key: the signature fails.
    let mut h = jsonwebtoken::Header::new(Algorithm::ES256);
    h.kid = Some(op.kid(SigningAlg::ES256));
    let forged_key = other
        .ring
        .keys()
        .iter()
        .find(|k| k.alg() == SigningAlg::ES256)
        .unwrap()
        .kid()
        .to_owned();
    assert_ne!(forged_key, h.kid.clone().unwrap());
    let good = op.sign(SigningAlg::ES256, &good_claims());
    let bad = other.sign(SigningAlg::ES256, &good_claims());
    let parts: Vec<&str> = good.split('.').collect();
    let other_sig = bad.split('.').nth(2).unwrap();
    let spliced = format!("{}.{}.{}", parts[0], parts[1], other_sig);
    assert_eq!(verify(&op, &spliced, &expected()).unwrap_err(), IdTokenError::Signature);
    // Payload changed after signing.
    let tampered = format!(
        "{}.{}.{}",
        parts[0],
        b64(with(|c| c["sub"] = json!("evil")).to_string().as_bytes()),
        parts[2]
    );
    assert_eq!(verify(&op, &tampered, &expected()).unwrap_err(), IdTokenError::Signature);
    // kid of the PS256 key on an ES256 token: the key does not fit the alg.
    let mut c = jsonwebtoken::Header::new(Algorithm::ES256);
    c.kid = Some(op.kid(SigningAlg::PS256));
    let swapped = format!("{}.{}.{}", b64(serde_json::to_string(&c).unwrap().as_bytes()), parts[1], parts[2]);
    assert_eq!(verify(&op, &swapped, &expected()).unwrap_err(), IdTokenError::Signature);
    assert!(matches!(verify(&op, "a.b", &expected()), Err(IdTokenError::Malformed(_))));
}

#[test]
fn each_claim_check_refuses() {
    let op = TestOp::new();
    let cases: Vec<(Value, IdTokenError)> = vec![
        (with(|c| c["iss"] = json!("https://op.example/other")), IdTokenError::Issuer),
        (
            with(|c| c.as_object_mut().unwrap().remove("iss").map(|_| ()).unwrap_or(())),
            IdTokenError::Issuer,
        ),
        (with(|c| c["aud"] = json!("another-client")), IdTokenError::Audience),
        (
            with(|c| c["aud"] = json!([CLIENT, "another-client"])),
            IdTokenError::AuthorizedParty,
        ),
        (with(|c| c["azp"] = json!("another-client")), IdTokenError::AuthorizedParty),
        (with(|c| c["exp"] = json!(NOW - 61)), IdTokenError::Expired),
        (
            with(|c| c.as_object_mut().unwrap().remove("exp").map(|_| ()).unwrap_or(())),
            IdTokenError::Expired,
        ),
        (with(|c| c["iat"] = json!(NOW + 120)), IdTokenError::IssuedAt),
        (with(|c| c["iat"] = json!(NOW - 3600)), IdTokenError::IssuedAt),
        (
            with(|c| c.as_object_mut().unwrap().remove("iat").map(|_| ()).unwrap_or(())),
            IdTokenError::IssuedAt,
        ),
        (with(|c| c["nbf"] = json!(NOW + 600)), IdTokenError::NotYetValid),
        (with(|c| c["nonce"] = json!("replayed-from-another-login")), IdTokenError::Nonce),
        (
            with(|c| c.as_object_mut().unwrap().remove("nonce").map(|_| ()).unwrap_or(())),
            IdTokenError::Nonce,
        ),
        (with(|c| c["sub"] = json!("")), IdTokenError::Subject),
        (with(|c| c["auth_time"] = json!(NOW + 3600)), IdTokenError::AuthTime),
    ];
    for (claims, want) in cases {
        let t = op.sign(SigningAlg::ES256, &claims);
        assert_eq!(verify(&op, &t, &expected()).unwrap_err(), want, "{claims}");
    }
}

#[test]
fn several_audiences_need_azp_and_skew_is_tolerated() {
    let op = TestOp::new();
    let ok = with(|c| {
        c["aud"] = json!([CLIENT, "another"]);
        c["azp"] = json!(CLIENT);
        c["exp"] = json!(NOW - 30);
        c["iat"] = json!(NOW + 30);
    });
    assert!(verify(&op, &op.sign(SigningAlg::ES256, &ok), &expected()).is_ok());
    let single_array = with(|c| c["aud"] = json!([CLIENT]));
    assert!(verify(&op, &op.sign(SigningAlg::ES256, &single_array), &expected()).is_ok());
}

#[test]
fn auth_time_is_required_and_recent_when_max_age_was_sent() {
    let op = TestOp::new();
    let e = Expected {
        max_age: Some(60),
        ..expected()
    };
    assert!(verify(&op, &op.sign(SigningAlg::ES256, &good_claims()), &e).is_ok());
    let missing = with(|c| c.as_object_mut().unwrap().remove("auth_time").map(|_| ()).unwrap_or(()));
    assert_eq!(
        verify(&op, &op.sign(SigningAlg::ES256, &missing), &e).unwrap_err(),
        IdTokenError::AuthTime
    );
    let old = with(|c| c["auth_time"] = json!(NOW - 300));
    assert_eq!(
        verify(&op, &op.sign(SigningAlg::ES256, &old), &e).unwrap_err(),
        IdTokenError::AuthTime
    );
    // Without max_age, an absent auth_time is fine.
    assert!(verify(&op, &op.sign(SigningAlg::ES256, &missing), &expected()).is_ok());
}
