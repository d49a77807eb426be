use super::*;
use crate::eudi::dcql::pid_query;
use crate::eudi::pid::PidClaim;
use aws_lc_rs::signature::{UnparsedPublicKey, ECDSA_P256_SHA256_FIXED};

fn access() -> AccessCredential {
    AccessCredential::generate_dev().unwrap()
}

fn b64json(part: &str) -> Value {
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).unwrap()).unwrap()
}

#[test]
fn the_encryption_key_has_a_thumbprint_kid_and_survives_the_store() {
    let k = EncryptionKey::generate().unwrap();
    assert_eq!(k.jwk["kid"], k.kid.as_str());
    assert_eq!(
        (k.jwk["use"].as_str(), k.jwk["alg"].as_str(), k.jwk["crv"].as_str()),
        (Some("enc"), Some("ECDH-ES"), Some("P-256"))
    );
    assert!(k.jwk.get("d").is_none(), "no private part in the JWK");
    let again = EncryptionKey::from_pkcs8(&k.pkcs8).unwrap();
    assert_eq!((again.kid, again.jwk), (k.kid, k.jwk));
}

#[test]
fn the_wallet_url_carries_client_id_and_request_uri_only() {
    let id = ClientId::x509_hash(b"leaf");
    let u = wallet_url("openid4vp", &id, "https://bk.example/wallet/request/h?flow=cross", false);
    assert!(u.starts_with("openid4vp://?client_id=x509_hash%3A"), "{u}");
    assert!(
        u.ends_with("&request_uri=https%3A%2F%2Fbk.example%2Fwallet%2Frequest%2Fh%3Fflow%3Dcross"),
        "{u}"
    );
    assert!(wallet_url("haip-vp", &id, "https://x/r", true).ends_with("&request_uri_method=post"));
}

#[test]
fn the_request_object_is_an_es256_jar_with_the_leaf_and_the_haip_claims() {
    let a = access();
    let id = a.client_id();
    let key = EncryptionKey::generate().unwrap();
    let dcql = pid_query(&[PidClaim::FamilyName], &[]);
    let p = RequestParams {
        client_id: &id,
        response_uri: "https://bk.example/wallet/response/h",
        nonce: "n-1",
        state: "s-1",
        dcql: &dcql,
        enc_jwk: &key.jwk,
        wallet_nonce: Some("wn"),
        now: 1_000,
        lifetime: 300,
    };
    let jar = sign(&p, &a).unwrap();
    let parts: Vec<&str> = jar.split('.').collect();
    let header = b64json(parts[0]);
    assert_eq!(header["alg"], "ES256");
    assert_eq!(header["typ"], JAR_TYP);
    let x5c = header["x5c"].as_array().unwrap();
    assert_eq!(x5c.len(), 1, "leaf only");
    let leaf = STANDARD.decode(x5c[0].as_str().unwrap()).unwrap();
    assert_eq!(ClientId::x509_hash(&leaf), id, "x509_hash over the x5c leaf");
    // The signature verifies with the leaf's key.
    let (_, cert) = x509_parser::parse_x509_certificate(&leaf).unwrap();
    let point = cert.public_key().subject_public_key.data.to_vec();
    let sig = URL_SAFE_NO_PAD.decode(parts[2]).unwrap();
    UnparsedPublicKey::new(&ECDSA_P256_SHA256_FIXED, point)
        .verify(format!("{}.{}", parts[0], parts[1]).as_bytes(), &sig)
        .unwrap();
    let c = b64json(parts[1]);
    assert_eq!(c["client_id"], id.as_str());
    assert_eq!(c["aud"], SELF_ISSUED_AUD);
    assert_eq!(c["response_type"], "vp_token");
    assert_eq!(c["response_mode"], "direct_post.jwt");
    assert_eq!(c["response_uri"], "https://bk.example/wallet/response/h");
    assert_eq!(
        (c["nonce"].as_str(), c["state"].as_str(), c["wallet_nonce"].as_str()),
        (Some("n-1"), Some("s-1"), Some("wn"))
    );
    assert_eq!((c["iat"].as_i64(), c["exp"].as_i64()), (Some(1_000), Some(1_300)));
    assert_eq!(c["dcql_query"], serde_json::to_value(&dcql).unwrap());
    let meta = &c["client_metadata"];
    assert_eq!(meta["jwks"]["keys"][0], key.jwk);
    assert_eq!(meta["encrypted_response_enc_values_supported"], json!(["A128GCM", "A256GCM"]));
    assert!(meta["vp_formats_supported"]["dc+sd-jwt"].is_object());
    assert!(c.get("redirect_uri").is_none(), "response_uri only (direct_post.jwt)");
    // Without a wallet_nonce none is sent.
    let p = RequestParams { wallet_nonce: None, ..p };
    assert!(claims(&p).get("wallet_nonce").is_none());
}
