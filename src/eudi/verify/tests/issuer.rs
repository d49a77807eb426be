//! Attacks on the issuer part (disclosures, chain, validity, status, type, algorithm) and on the
//! answer's shape.

use super::*;

#[tokio::test]
async fn an_altered_disclosure_is_refused() {
    let f = Fixture::new();
    let issued = f.mint(&f.opts());
    let mut tampered = issued.clone();
    for (owner, d) in &mut tampered.disclosures {
        if owner == "given_name" {
            let mut v = decode_disclosure(d);
            v[2] = json!("MAX");
            *d = encode_disclosure(&v);
        }
    }
    let p = f.bind(&tampered.present(&EVERYTHING));
    assert_eq!(f.verify(&p).await.unwrap_err(), WalletError::UnreferencedDisclosure);
}

#[tokio::test]
async fn an_added_disclosure_is_refused() {
    let f = Fixture::new();
    let p = f.mint(&f.opts()).present(&EVERYTHING);
    let extra = encode_disclosure(&json!(["c2FsdHNhbHRzYWx0", "age_over_18", true]));
    let p = f.bind(&format!("{p}{extra}~"));
    assert_eq!(f.verify(&p).await.unwrap_err(), WalletError::UnreferencedDisclosure);
}

#[tokio::test]
async fn a_dropped_disclosure_of_an_asked_claim_is_refused_by_the_query() {
    let f = Fixture::new();
    let keep: Vec<&str> = EVERYTHING.iter().copied().filter(|c| *c != "address").collect();
    let p = f.bind(&f.mint(&f.opts()).present(&keep));
    let err = f.verify(&p).await.unwrap_err();
    assert_eq!(err, WalletError::Dcql("claim address missing".into()));
}

#[tokio::test]
async fn a_duplicated_disclosure_is_refused() {
    let f = Fixture::new();
    let issued = f.mint(&f.opts());
    let p = issued.present(&EVERYTHING);
    let (_, d) = issued.disclosures.iter().find(|(o, _)| o == "family_name").unwrap();
    let p = f.bind(&format!("{p}{d}~"));
    assert_eq!(f.verify(&p).await.unwrap_err(), WalletError::DuplicateDigest);
}

#[tokio::test]
async fn a_pid_from_a_foreign_ca_is_refused() {
    let f = Fixture::new();
    let foreign = foreign_issuer();
    let p = foreign.mint(&sample_person(), &f.holder, &f.opts()).unwrap().present(&EVERYTHING);
    let err = f.verify(&f.bind(&p)).await.unwrap_err();
    assert!(
        matches!(err, WalletError::UntrustedIssuer(ref m) if m.contains("no configured PID provider")),
        "{err:?}"
    );
}

#[tokio::test]
async fn an_anchor_inside_x5c_is_refused() {
    let f = Fixture::new();
    let issued = f.mint(&f.opts());
    let ca_pem = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("certs/dev/eudi/pid-ca.crt")).unwrap();
    let ca_b64: String = ca_pem.lines().filter(|l| !l.starts_with("-----")).collect();
    let mut header: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(issued.jwt.split('.').next().unwrap()).unwrap()).unwrap();
    header["x5c"].as_array_mut().unwrap().push(json!(ca_b64));
    assert!(STANDARD.decode(&ca_b64).is_ok());
    let tampered = Issued {
        jwt: with_header(&issued.jwt, &header),
        disclosures: issued.disclosures,
    };
    let err = f.verify(&f.bind(&tampered.present(&EVERYTHING))).await.unwrap_err();
    assert!(
        matches!(err, WalletError::UntrustedIssuer(ref m) if m.contains("trust anchor")),
        "{err:?}"
    );
}

#[tokio::test]
async fn an_expired_pid_is_refused() {
    let f = Fixture::new();
    let mut o = f.opts();
    o.iat = f.t - 30 * 86_400;
    o.exp = f.t - 3600;
    let p = f.bind(&f.mint(&o).present(&EVERYTHING));
    assert_eq!(f.verify(&p).await.unwrap_err(), WalletError::Expired);
}

#[tokio::test]
async fn a_pid_issued_in_the_future_is_refused() {
    let f = Fixture::new();
    let mut o = f.opts();
    o.iat = f.t + 3600;
    let p = f.bind(&f.mint(&o).present(&EVERYTHING));
    assert_eq!(f.verify(&p).await.unwrap_err(), WalletError::NotYetValid);
}

#[tokio::test]
async fn a_revoked_or_suspended_pid_is_refused() {
    let f = Fixture::new();
    for (idx, status) in [(8, 1), (9, 2)] {
        let mut o = f.opts();
        o.status = Some((STATUS_URI.into(), idx));
        let p = f.bind(&f.mint(&o).present(&EVERYTHING));
        let err = f.verify(&p).await.unwrap_err();
        assert_eq!(err, WalletError::Revoked(status));
        assert_eq!(err.reason(), "revoked");
    }
}

#[tokio::test]
async fn a_status_index_outside_the_list_is_refused() {
    let f = Fixture::new();
    let mut o = f.opts();
    o.status = Some((STATUS_URI.into(), 4000));
    let p = f.bind(&f.mint(&o).present(&EVERYTHING));
    assert!(matches!(f.verify(&p).await.unwrap_err(), WalletError::StatusList(m) if m.contains("outside")));
}

#[tokio::test]
async fn a_status_list_signed_outside_the_anchors_is_refused() {
    let f = Fixture::new();
    let foreign = foreign_issuer();
    f.status
        .publish(STATUS_URI, foreign.status_list_token(STATUS_URI, &[0; 16], 1, f.t, None).unwrap());
    let err = f.verify(&f.genuine()).await.unwrap_err();
    assert!(matches!(err, WalletError::StatusList(ref m) if m.starts_with("signer")), "{err:?}");
}

#[tokio::test]
async fn a_status_list_for_another_uri_is_refused() {
    let f = Fixture::new();
    let other = "https://pid-provider.development.invalid/status/other";
    f.status
        .publish(STATUS_URI, f.issuer.status_list_token(other, &[0; 16], 1, f.t, None).unwrap());
    let err = f.verify(&f.genuine()).await.unwrap_err();
    assert_eq!(err, WalletError::StatusList("sub is not the status list URI".into()));
}

#[tokio::test]
async fn an_unreachable_status_list_refuses_the_login() {
    let f = Fixture::new();
    let mut o = f.opts();
    o.status = Some(("https://pid-provider.development.invalid/status/unpublished".into(), 1));
    let p = f.bind(&f.mint(&o).present(&EVERYTHING));
    assert!(matches!(f.verify(&p).await.unwrap_err(), WalletError::StatusUnavailable(_)));
}

#[tokio::test]
async fn a_vct_not_asked_for_is_refused() {
    let f = Fixture::new();
    let mut o = f.opts();
    o.vct = "urn:eudi:pid:fr:1".into();
    let p = f.bind(&f.mint(&o).present(&EVERYTHING));
    assert_eq!(f.verify(&p).await.unwrap_err(), WalletError::WrongVct("urn:eudi:pid:fr:1".into()));
}

#[tokio::test]
async fn alg_none_and_hs256_are_refused() {
    let f = Fixture::new();
    let issued = f.mint(&f.opts());
    let header: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(issued.jwt.split('.').next().unwrap()).unwrap()).unwrap();
    // alg none, signature stripped.
    let mut none = header.clone();
    none["alg"] = json!("none");
    let unsigned = with_header(&issued.jwt, &none);
    let unsigned = format!("{}.", unsigned.rsplit_once('.').unwrap().0);
    let p = f.bind(
        &Issued {
            jwt: unsigned,
            disclosures: issued.disclosures.clone(),
        }
        .present(&EVERYTHING),
    );
    assert_eq!(f.verify(&p).await.unwrap_err(), WalletError::Algorithm("none".into()));
    // HS256 keyed with the public certificate (key confusion).
    let mut hs = header.clone();
    hs["alg"] = json!("HS256");
    let cert = STANDARD.decode(header["x5c"][0].as_str().unwrap()).unwrap();
    let signing_input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(&hs).unwrap()),
        issued.jwt.split('.').nth(1).unwrap()
    );
    let tag = aws_lc_rs::hmac::sign(
        &aws_lc_rs::hmac::Key::new(aws_lc_rs::hmac::HMAC_SHA256, &cert),
        signing_input.as_bytes(),
    );
    let forged = format!("{signing_input}.{}", URL_SAFE_NO_PAD.encode(tag.as_ref()));
    let p = f.bind(
        &Issued {
            jwt: forged,
            disclosures: issued.disclosures,
        }
        .present(&EVERYTHING),
    );
    assert_eq!(f.verify(&p).await.unwrap_err(), WalletError::Algorithm("HS256".into()));
}

#[tokio::test]
async fn a_wrong_typ_is_refused() {
    let f = Fixture::new();
    let mut o = f.opts();
    o.typ = "JWT".into();
    let p = f.bind(&f.mint(&o).present(&EVERYTHING));
    assert_eq!(
        f.verify(&p).await.unwrap_err(),
        WalletError::WrongType {
            expected: "dc+sd-jwt",
            found: Some("JWT".into())
        }
    );
}

#[tokio::test]
async fn a_forged_issuer_signature_is_refused() {
    let f = Fixture::new();
    let issued = f.mint(&f.opts());
    let (head, _) = issued.jwt.rsplit_once('.').unwrap();
    let other = f.mint(&f.opts());
    let foreign_sig = other.jwt.rsplit_once('.').unwrap().1;
    let p = f.bind(
        &Issued {
            jwt: format!("{head}.{foreign_sig}"),
            disclosures: issued.disclosures,
        }
        .present(&EVERYTHING),
    );
    assert_eq!(f.verify(&p).await.unwrap_err(), WalletError::IssuerSignature);
}

#[tokio::test]
async fn a_credential_not_asked_for_is_refused() {
    let f = Fixture::new();
    let g = f.genuine();
    let err = f.verify_token(&json!({ "pid": [g.clone()], "mdl": [g] })).await.unwrap_err();
    assert_eq!(err, WalletError::Dcql("credential \"mdl\" was not asked for".into()));
    let err = f.verify_token(&json!({ "pid": [g.clone(), g] })).await.unwrap_err();
    assert!(matches!(err, WalletError::Dcql(_)), "{err:?}");
    assert!(matches!(f.verify_token(&json!({})).await.unwrap_err(), WalletError::Dcql(_)));
}

/// A PID whose issuer-signed payload the test writes itself (signed by the genuine issuer).
fn crafted(f: &Fixture, extra: Value, sd: Vec<String>) -> String {
    let mut claims = json!({
        "iss": "https://pid-provider.development.invalid",
        "vct": "urn:eudi:pid:de:1",
        "iat": f.t - 60,
        "exp": f.t + 86_400,
        "cnf": { "jwk": f.holder.jwk() },
        "_sd": sd.iter().map(|d| crate::eudi::sd_jwt::digest(d)).collect::<Vec<_>>(),
    });
    for (k, v) in extra.as_object().unwrap() {
        claims[k] = v.clone();
    }
    let jwt = f.issuer.sign("dc+sd-jwt", &claims).unwrap();
    let mut out = format!("{jwt}~");
    for d in sd {
        out.push_str(&d);
        out.push('~');
    }
    f.bind(&out)
}

#[tokio::test]
async fn a_disclosure_named_sd_or_dots_is_refused() {
    let f = Fixture::new();
    for name in ["_sd", "..."] {
        let d = encode_disclosure(&json!(["c2FsdHNhbHRzYWx0", name, ["x"]]));
        let err = f.verify(&crafted(&f, json!({}), vec![d])).await.unwrap_err();
        assert_eq!(err, WalletError::ClaimName(name.into()));
    }
}

#[tokio::test]
async fn a_disclosed_name_clashing_with_a_plain_claim_is_refused() {
    let f = Fixture::new();
    let d = encode_disclosure(&json!(["c2FsdHNhbHRzYWx0", "family_name", "MUSTERMANN"]));
    let err = f
        .verify(&crafted(&f, json!({ "family_name": "SCHMIDT" }), vec![d]))
        .await
        .unwrap_err();
    assert_eq!(err, WalletError::ClaimName("family_name".into()));
}

#[tokio::test]
async fn a_digest_appearing_twice_in_the_payload_is_refused() {
    let f = Fixture::new();
    let d = encode_disclosure(&json!(["c2FsdHNhbHRzYWx0", "family_name", "MUSTERMANN"]));
    let digest = crate::eudi::sd_jwt::digest(&d);
    let err = f
        .verify(&crafted(&f, json!({ "address": { "_sd": [digest] } }), vec![d]))
        .await
        .unwrap_err();
    assert_eq!(err, WalletError::DuplicateDigest);
}

#[tokio::test]
async fn an_sd_alg_other_than_sha_256_is_refused() {
    let f = Fixture::new();
    let err = f.verify(&crafted(&f, json!({ "_sd_alg": "sha-512" }), vec![])).await.unwrap_err();
    assert_eq!(err, WalletError::SdAlg("\"sha-512\"".into()));
}

#[tokio::test]
async fn a_pid_without_holder_binding_is_refused() {
    let f = Fixture::new();
    let jwt = f
        .issuer
        .sign(
            "dc+sd-jwt",
            &json!({ "vct": "urn:eudi:pid:de:1", "iat": f.t, "exp": f.t + 600, "family_name": "X" }),
        )
        .unwrap();
    let err = f.verify(&format!("{jwt}~")).await.unwrap_err();
    assert!(matches!(err, WalletError::HolderKey(_)), "{err:?}");
}

/// An issuer (CA + leaf) on `alg`'s key type, its trust, and a JWS signer for it.
fn issuer_on(alg: &'static rcgen::SignatureAlgorithm) -> (PidTrust, jsonwebtoken::EncodingKey, Vec<String>) {
    use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair};
    let ca_key = KeyPair::generate_for(alg).unwrap();
    let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.distinguished_name.push(DnType::CommonName, "PID CA");
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca_cert = ca.self_signed(&ca_key).unwrap();
    let leaf_key = KeyPair::generate_for(alg).unwrap();
    let mut leaf = CertificateParams::new(Vec::<String>::new()).unwrap();
    leaf.distinguished_name.push(DnType::CommonName, "PID issuer");
    let leaf_cert = leaf.signed_by(&leaf_key, &Issuer::new(ca, &ca_key)).unwrap();
    let pem = leaf_key.serialize_pem();
    let key = if alg == &rcgen::PKCS_RSA_SHA256 {
        jsonwebtoken::EncodingKey::from_rsa_pem(pem.as_bytes()).unwrap()
    } else {
        jsonwebtoken::EncodingKey::from_ec_pem(pem.as_bytes()).unwrap()
    };
    let trust = PidTrust::from_pem_anchors(ca_cert.pem().as_bytes()).unwrap();
    (trust, key, vec![STANDARD.encode(leaf_cert.der())])
}

#[test]
fn es384_and_ps256_issuers_verify_and_their_alg_must_fit_the_key() {
    use jsonwebtoken::{Algorithm, Header};
    let now = SystemTime::now();
    let t = crate::clock::unix_seconds(now);
    for (cert_alg, alg, wrong) in [
        (&rcgen::PKCS_ECDSA_P384_SHA384, Algorithm::ES384, "ES256"),
        (&rcgen::PKCS_RSA_SHA256, Algorithm::PS256, "ES384"),
    ] {
        let (trust, key, x5c) = issuer_on(cert_alg);
        let mut header = Header::new(alg);
        header.typ = Some("dc+sd-jwt".into());
        header.x5c = Some(x5c);
        let jwt = jsonwebtoken::encode(&header, &json!({ "vct": "urn:eudi:pid:de:1", "iat": t, "exp": t + 600 }), &key).unwrap();
        let compact = format!("{jwt}~");
        let p = crate::eudi::sd_jwt::Presentation::parse(&compact).unwrap();
        let sd = crate::eudi::sd_jwt::verify_issuer(&p, &trust, now, 60).unwrap();
        assert_eq!(sd.vct, "urn:eudi:pid:de:1");
        // The same token claiming another algorithm.
        let mut h: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(jwt.split('.').next().unwrap()).unwrap()).unwrap();
        h["alg"] = json!(wrong);
        let relabelled = format!("{}~", with_header(&jwt, &h));
        let p = crate::eudi::sd_jwt::Presentation::parse(&relabelled).unwrap();
        let err = crate::eudi::sd_jwt::verify_issuer(&p, &trust, now, 60).unwrap_err();
        assert!(
            matches!(err, WalletError::Algorithm(ref m) if m.contains("does not fit")),
            "{err:?}"
        );
    }
}
