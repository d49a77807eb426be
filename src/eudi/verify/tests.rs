//! The verifier end to end on PIDs from the development issuer: one genuine presentation, then
//! one attack per check, each refused with its named error.

use super::*;
use crate::dev::wallet::pid_issuer::{sample_person, DevPidIssuer, FixedStatusSource, HolderKey, Issued, MintOptions};
use crate::eudi::dcql::pid_query;
use crate::eudi::pid::PidClaim;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use serde_json::{json, Value};
use std::path::Path;

const CLIENT_ID: &str = "x509_hash:Cc1eRKu3dfqdRqb7nEzQIXzFylnoNPGfrTXKXs0AWaA";
const NONCE: &str = "n-0S6_WzA2Mj_transaction";
const STATUS_URI: &str = "https://pid-provider.development.invalid/status/7";
const ALL: [PidClaim; 7] = [
    PidClaim::FamilyName,
    PidClaim::GivenName,
    PidClaim::Birthdate,
    PidClaim::PlaceOfBirth,
    PidClaim::BirthFamilyName,
    PidClaim::Nationalities,
    PidClaim::Address,
];
const EVERYTHING: [&str; 7] = [
    "family_name",
    "given_name",
    "birthdate",
    "place_of_birth",
    "birth_family_name",
    "nationalities",
    "address",
];

pub(crate) fn dev_issuer() -> DevPidIssuer {
    DevPidIssuer::from_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("certs/dev/eudi")).unwrap()
}

/// A PID provider under a CA of its own, not configured anywhere.
pub(crate) fn foreign_issuer() -> DevPidIssuer {
    use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, KeyUsagePurpose};
    let ca_key = KeyPair::generate().unwrap();
    let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.distinguished_name.push(DnType::CommonName, "Foreign PID CA");
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.key_usages = vec![KeyUsagePurpose::KeyCertSign];
    let ca_cert = ca.self_signed(&ca_key).unwrap();
    let leaf_key = KeyPair::generate().unwrap();
    let mut leaf = CertificateParams::new(Vec::<String>::new()).unwrap();
    leaf.distinguished_name.push(DnType::CommonName, "Foreign PID issuer");
    let leaf_cert = leaf.signed_by(&leaf_key, &Issuer::new(ca, &ca_key)).unwrap();
    DevPidIssuer::from_pem(
        ca_cert.pem().as_bytes(),
        leaf_cert.pem().as_bytes(),
        leaf_key.serialize_pem().as_bytes(),
    )
    .unwrap()
}

struct Fixture {
    issuer: DevPidIssuer,
    holder: HolderKey,
    status: Arc<FixedStatusSource>,
    verifier: PidVerifier,
    query: DcqlQuery,
    now: SystemTime,
    t: i64,
}

impl Fixture {
    fn new() -> Self {
        let issuer = dev_issuer();
        let trust = issuer.trust().unwrap();
        let now = SystemTime::now();
        let t = crate::clock::unix_seconds(now);
        let status = Arc::new(FixedStatusSource::default());
        // Index 7 valid, index 8 revoked, index 9 suspended (2-bit list).
        status.publish(
            STATUS_URI,
            issuer
                .status_list_token(STATUS_URI, &[0, 0, 0, 0, 0, 0, 0, 0, 1, 2], 2, t, Some(300))
                .unwrap(),
        );
        let query = pid_query(&ALL, &trust.akis());
        let verifier = PidVerifier::new(trust, status.clone());
        Self {
            issuer,
            holder: HolderKey::generate().unwrap(),
            status,
            verifier,
            query,
            now,
            t,
        }
    }

    fn opts(&self) -> MintOptions {
        let mut o = MintOptions::valid_from(self.t - 60);
        o.status = Some((STATUS_URI.into(), 7));
        o
    }

    fn mint(&self, opts: &MintOptions) -> Issued {
        self.issuer.mint(&sample_person(), &self.holder, opts).unwrap()
    }

    /// `presented` (ending in `~`) with a correct KB-JWT.
    fn bind(&self, presented: &str) -> String {
        self.holder.bind(presented, CLIENT_ID, NONCE, self.t).unwrap()
    }

    fn genuine(&self) -> String {
        self.bind(&self.mint(&self.opts()).present(&EVERYTHING))
    }

    async fn verify(&self, presentation: &str) -> Result<Pid, WalletError> {
        self.verify_token(&json!({ "pid": [presentation] })).await
    }

    async fn verify_token(&self, vp_token: &Value) -> Result<Pid, WalletError> {
        let expected = Expected {
            nonce: NONCE,
            client_id: CLIENT_ID,
            query: &self.query,
            now: self.now,
        };
        self.verifier.verify(vp_token, &expected).await
    }
}

fn decode_disclosure(d: &str) -> Value {
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(d).unwrap()).unwrap()
}

fn encode_disclosure(v: &Value) -> String {
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(v).unwrap())
}

/// Replace the issuer JWT's header (payload and signature kept).
fn with_header(jwt: &str, header: &Value) -> String {
    let mut parts = jwt.splitn(2, '.');
    let _ = parts.next();
    format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(header).unwrap()),
        parts.next().unwrap()
    )
}

#[tokio::test]
async fn a_genuine_pid_verifies_and_maps() {
    let f = Fixture::new();
    let pid = f.verify(&f.genuine()).await.unwrap();
    assert_eq!(pid.family_name, "MUSTERMANN");
    assert_eq!(pid.given_name, "ERIKA");
    assert_eq!(pid.vct, "urn:eudi:pid:de:1");
    let a = pid.attributes();
    assert_eq!(a["birthdate"], "1964-08-12");
    assert_eq!(a["nationalities"], json!(["DE"]));
    assert_eq!(a["address"]["street_address"], "HEIDESTRASSE 17");
    assert_eq!(a["address"]["locality"], "KÖLN");
    assert_eq!(a["place_of_birth"], json!({ "locality": "BERLIN" }));
    // Nothing of the presentation's mechanics among the claims.
    for k in ["cnf", "status", "_sd", "_sd_alg", "vct", "iss"] {
        assert!(!a.contains_key(k), "{k}");
    }
}

#[tokio::test]
async fn only_the_asked_claims_need_to_be_disclosed() {
    let mut f = Fixture::new();
    f.query = pid_query(&[PidClaim::FamilyName], &[]);
    let p = f.bind(
        &f.mint(&f.opts())
            .present(&["family_name", "given_name", "birthdate", "place_of_birth"]),
    );
    let pid = f.verify(&p).await.unwrap();
    assert!(pid.address.is_none());
    assert!(pid.nationalities.is_empty());
}

#[tokio::test]
async fn the_legacy_typ_vc_sd_jwt_is_accepted() {
    let f = Fixture::new();
    let mut o = f.opts();
    o.typ = "vc+sd-jwt".into();
    assert!(f.verify(&f.bind(&f.mint(&o).present(&EVERYTHING))).await.is_ok());
}

#[tokio::test]
async fn a_wrong_nonce_is_refused() {
    let f = Fixture::new();
    let p = f.mint(&f.opts()).present(&EVERYTHING);
    let p = f.holder.bind(&p, CLIENT_ID, "another-transaction", f.t).unwrap();
    assert_eq!(f.verify(&p).await.unwrap_err(), WalletError::KbNonce);
}

#[tokio::test]
async fn a_wrong_audience_is_refused() {
    let f = Fixture::new();
    let p = f.mint(&f.opts()).present(&EVERYTHING);
    for aud in ["x509_hash:another-verifier", "Cc1eRKu3dfqdRqb7nEzQIXzFylnoNPGfrTXKXs0AWaA"] {
        let bound = f.holder.bind(&p, aud, NONCE, f.t).unwrap();
        assert_eq!(f.verify(&bound).await.unwrap_err(), WalletError::KbAudience, "{aud}");
    }
}

#[tokio::test]
async fn a_missing_kb_jwt_is_refused() {
    let f = Fixture::new();
    let p = f.mint(&f.opts()).present(&EVERYTHING);
    let err = f.verify(&p).await.unwrap_err();
    assert_eq!(err, WalletError::KbMissing);
    assert_eq!(err.reason(), "kb_missing");
}

#[tokio::test]
async fn a_kb_jwt_signed_by_another_key_is_refused() {
    let f = Fixture::new();
    let p = f.mint(&f.opts()).present(&EVERYTHING);
    let thief = HolderKey::generate().unwrap();
    let p = thief.bind(&p, CLIENT_ID, NONCE, f.t).unwrap();
    assert_eq!(f.verify(&p).await.unwrap_err(), WalletError::KbSignature);
}

#[tokio::test]
async fn a_stale_or_future_kb_jwt_is_refused() {
    let f = Fixture::new();
    let p = f.mint(&f.opts()).present(&EVERYTHING);
    let max = i64::try_from(PidVerifier::DEFAULT_KB_MAX_AGE).unwrap();
    let skew = i64::try_from(PidVerifier::DEFAULT_SKEW).unwrap();
    for iat in [f.t - max - 1, f.t + skew + 1] {
        let bound = f.holder.bind(&p, CLIENT_ID, NONCE, iat).unwrap();
        assert_eq!(f.verify(&bound).await.unwrap_err(), WalletError::KbStale, "iat {}", iat - f.t);
    }
    // Inside the window both ways.
    for iat in [f.t - max + 5, f.t + skew - 5] {
        assert!(f.verify(&f.holder.bind(&p, CLIENT_ID, NONCE, iat).unwrap()).await.is_ok());
    }
}

#[tokio::test]
async fn a_kb_jwt_over_another_presentation_is_refused() {
    let f = Fixture::new();
    let issued = f.mint(&f.opts());
    let full = issued.present(&EVERYTHING);
    let less = issued.present(
        &[
            "family_name",
            "given_name",
            "birthdate",
            "place_of_birth",
            "address",
            "nationalities",
            "birth_family_name",
        ][..6],
    );
    let kb = f.holder.kb_jwt(&less, CLIENT_ID, NONCE, f.t).unwrap();
    assert_eq!(f.verify(&format!("{full}{kb}")).await.unwrap_err(), WalletError::KbSdHash);
}

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
    let mut claims_without_cnf = json!({});
    claims_without_cnf["cnf"] = Value::Null;
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
