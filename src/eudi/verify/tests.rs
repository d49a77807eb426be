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

mod issuer;

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
