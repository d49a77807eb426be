//! Certificate login over mutual TLS, with real TLS handshakes (curl and a rustls client) against
//! the broker's separate mTLS listener. The test PKI is made here with rcgen: root → intermediate →
//! leaves; a CRL signed by the intermediate (for the leaves) and one signed by the root (for the
//! intermediates, which are checked too). Tests that use curl fail without it (`crate::peers`),
//! unless the run opted out with `BK_ALLOW_SKIP=1`.

use crate::support::TestBroker;
use buergerkonto::login::reason::Reason;
use rcgen::{
    CertificateParams, CertificateRevocationListParams, CustomExtension, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyIdMethod,
    KeyPair, KeyUsagePurpose, RevokedCertParams, SerialNumber,
};
use std::path::{Path, PathBuf};
use time::{Duration, OffsetDateTime};

const POLICY_OK: &[u64] = &[1, 3, 6, 1, 4, 1, 99999, 1, 1];
const POLICY_OTHER: &[u64] = &[1, 3, 6, 1, 4, 1, 99999, 9, 9];

pub(crate) struct Ca {
    params: CertificateParams,
    key: KeyPair,
    pem: String,
}

impl Ca {
    fn issuer(&self) -> Issuer<'_, &KeyPair> {
        Issuer::from_params(&self.params, &self.key)
    }
}

fn ca_params(cn: &str) -> CertificateParams {
    let mut p = CertificateParams::new(Vec::<String>::new()).unwrap();
    p.distinguished_name.push(DnType::CommonName, cn);
    p.is_ca = IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    p.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    p.not_before = OffsetDateTime::now_utc() - Duration::days(1);
    p.not_after = OffsetDateTime::now_utc() + Duration::days(365);
    p
}

fn root(cn: &str) -> Ca {
    let key = KeyPair::generate().unwrap();
    let params = ca_params(cn);
    let pem = params.self_signed(&key).unwrap().pem();
    Ca { params, key, pem }
}

fn intermediate(parent: &Ca, cn: &str) -> Ca {
    intermediate_with_serial(parent, cn, 100)
}

fn intermediate_with_serial(parent: &Ca, cn: &str, serial: u64) -> Ca {
    let key = KeyPair::generate().unwrap();
    let mut params = ca_params(cn);
    params.serial_number = Some(SerialNumber::from(serial));
    let pem = params.signed_by(&key, &parent.issuer()).unwrap().pem();
    Ca { params, key, pem }
}

/// DER of certificatePolicies with one policy OID (RFC 5280 §4.2.1.4), for rcgen's custom extension.
fn policies_ext(oid: &[u64]) -> CustomExtension {
    let mut body = Vec::new();
    // OID encoding: first two arcs combined, then base-128.
    body.push((oid[0] * 40 + oid[1]) as u8);
    for &arc in &oid[2..] {
        let mut stack = vec![(arc & 0x7f) as u8];
        let mut v = arc >> 7;
        while v > 0 {
            stack.push(((v & 0x7f) as u8) | 0x80);
            v >>= 7;
        }
        body.extend(stack.into_iter().rev());
    }
    let oid_tlv = [vec![0x06, body.len() as u8], body].concat();
    let pi = [vec![0x30, oid_tlv.len() as u8], oid_tlv].concat();
    let seq = [vec![0x30, pi.len() as u8], pi].concat();
    CustomExtension::from_oid_content(&[2, 5, 29, 32], seq)
}

pub(crate) struct Leaf {
    pub(crate) cert_pem: String,
    pub(crate) key_pem: String,
    serial: u64,
}

#[derive(Clone)]
pub(crate) struct LeafSpec {
    pub(crate) ekus: Vec<ExtendedKeyUsagePurpose>,
    pub(crate) policy: Option<&'static [u64]>,
    pub(crate) expired: bool,
    /// Valid from tomorrow.
    pub(crate) not_yet_valid: bool,
    /// A personal certificate: no organisation in the subject.
    pub(crate) personal: bool,
    pub(crate) serial: u64,
}

impl Default for LeafSpec {
    fn default() -> Self {
        Self {
            ekus: vec![ExtendedKeyUsagePurpose::ClientAuth],
            policy: Some(POLICY_OK),
            expired: false,
            not_yet_valid: false,
            personal: false,
            serial: 1000,
        }
    }
}

pub(crate) fn leaf(issuer: &Ca, spec: LeafSpec) -> Leaf {
    let key = KeyPair::generate().unwrap();
    let mut p = CertificateParams::new(Vec::<String>::new()).unwrap();
    p.distinguished_name.push(DnType::CommonName, "Max Mustermann");
    if !spec.personal {
        p.distinguished_name.push(DnType::OrganizationName, "Muster Bau GmbH");
        p.distinguished_name.push(DnType::LocalityName, "Köln");
        p.distinguished_name
            .push(DnType::CustomDnType(vec![2, 5, 4, 97]), "NTRDE-HRB123456");
    }
    p.distinguished_name.push(DnType::CustomDnType(vec![2, 5, 4, 5]), "PERSON-4711");
    p.extended_key_usages = spec.ekus;
    p.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    p.serial_number = Some(SerialNumber::from(spec.serial));
    p.key_identifier_method = KeyIdMethod::Sha256;
    if let Some(oid) = spec.policy {
        p.custom_extensions.push(policies_ext(oid));
    }
    let now = OffsetDateTime::now_utc();
    if spec.expired {
        p.not_before = now - Duration::days(30);
        p.not_after = now - Duration::days(1);
    } else if spec.not_yet_valid {
        p.not_before = now + Duration::days(1);
        p.not_after = now + Duration::days(30);
    } else {
        p.not_before = now - Duration::days(1);
        p.not_after = now + Duration::days(30);
    }
    let cert_pem = p.signed_by(&key, &issuer.issuer()).unwrap().pem();
    Leaf {
        cert_pem,
        key_pem: key.serialize_pem(),
        serial: spec.serial,
    }
}

fn crl(issuer: &Ca, revoked: &[u64], stale: bool) -> String {
    let now = OffsetDateTime::now_utc();
    let (this_update, next_update) = if stale {
        (now - Duration::days(10), now - Duration::days(1))
    } else {
        (now - Duration::hours(1), now + Duration::days(7))
    };
    let params = CertificateRevocationListParams {
        this_update,
        next_update,
        crl_number: SerialNumber::from(1u64),
        issuing_distribution_point: None,
        revoked_certs: revoked
            .iter()
            .map(|s| RevokedCertParams {
                serial_number: SerialNumber::from(*s),
                revocation_time: now - Duration::hours(2),
                reason_code: None,
                invalidity_date: None,
            })
            .collect(),
        key_identifier_method: KeyIdMethod::Sha256,
    };
    params.signed_by(&issuer.issuer()).unwrap().pem().unwrap()
}

fn write(dir: &Path, name: &str, content: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, content).unwrap();
    p
}

/// A PKI on disk plus a broker with the certificate listener running.
pub(crate) struct Fixture {
    dir: tempfile::TempDir,
    pub(crate) broker: TestBroker,
    mtls_url: String,
    server_ca: PathBuf,
    pub(crate) inter: Ca,
    inter_pem: PathBuf,
    /// An intermediate of the same root that the root's CRL revokes.
    revoked_inter: Ca,
    pub(crate) other_root: Ca,
    handle: axum_server::Handle<std::net::SocketAddr>,
}

impl Fixture {
    pub(crate) fn mtls_url(&self) -> &str {
        &self.mtls_url
    }
}

impl Drop for Fixture {
    fn drop(&mut self) {
        self.handle.shutdown();
    }
}

pub(crate) const REVOKED_SERIAL: u64 = 666;
/// Serial of `revoked_inter`, listed on the root's CRL.
const REVOKED_INTER_SERIAL: u64 = 777;

pub(crate) async fn fixture(stale_crl: bool, soft_fail: bool) -> Fixture {
    fixture_with(stale_crl, soft_fail, "").await
}

async fn fixture_with(stale_crl: bool, soft_fail: bool, listener_extra: &str) -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let root_ca = root("Test Company Root CA");
    let inter = intermediate(&root_ca, "Test Company Issuing CA");
    let revoked_inter = intermediate_with_serial(&root_ca, "Test Company Compromised CA", REVOKED_INTER_SERIAL);
    let other_root = root("Foreign Root CA");
    // Server certificate of the mTLS listener (own CA, so the clients can trust it).
    let server_root = root("Test Server CA");
    let server_key = KeyPair::generate().unwrap();
    let mut sp = CertificateParams::new(vec!["127.0.0.1".to_owned()]).unwrap();
    sp.distinguished_name.push(DnType::CommonName, "127.0.0.1");
    let server_cert = sp.signed_by(&server_key, &server_root.issuer()).unwrap().pem();
    let server_ca = write(dir.path(), "server-ca.pem", &server_root.pem);
    let server_cert_p = write(dir.path(), "server.pem", &server_cert);
    let server_key_p = write(dir.path(), "server.key", &server_key.serialize_pem());
    let root_p = write(dir.path(), "root.pem", &root_ca.pem);
    let inter_p = write(dir.path(), "inter.pem", &inter.pem);
    let crl_p = write(dir.path(), "inter.crl", &crl(&inter, &[REVOKED_SERIAL], stale_crl));
    let root_crl_p = write(dir.path(), "root.crl", &crl(&root_ca, &[REVOKED_INTER_SERIAL], false));
    let revoked_inter_crl_p = write(dir.path(), "revoked-inter.crl", &crl(&revoked_inter, &[], false));

    let mtls = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let mtls_addr = mtls.local_addr().unwrap();
    let policy = POLICY_OK.iter().map(|a| a.to_string()).collect::<Vec<_>>().join(".");
    let section = format!(
        r#"
[[methods]]
id = "certificate"
kind = "certificate"
level = "substantial"
label_de = "Firmenzertifikat"
label_en = "Company certificate"

[certificate]
listen = "{mtls_addr}"
public_url = "https://{mtls_addr}"
tls_cert = "{}"
tls_key = "{}"
{listener_extra}

[[certificate.anchors]]
name = "test-company-ca"
ca_file = "{}"
intermediates = ["{}"]
level = "substantial"
required_policies = ["{policy}"]
crl_files = ["{}", "{}", "{}"]
crl_stale = "{}"
organisation = true
"#,
        server_cert_p.display(),
        server_key_p.display(),
        root_p.display(),
        inter_p.display(),
        crl_p.display(),
        root_crl_p.display(),
        revoked_inter_crl_p.display(),
        if soft_fail { "soft_fail" } else { "hard_fail" },
    );
    let broker = TestBroker::new()
        .with_config(move |c| crate::support::append_toml(c, &section))
        .start()
        .await;
    let handle = axum_server::Handle::new();
    let (state, h) = (broker.state.clone(), handle.clone());
    tokio::spawn(async move {
        if let Err(e) = buergerkonto::http::mtls::serve_mtls(mtls, state, h).await {
            eprintln!("mtls listener failed: {e}");
        }
    });
    handle.listening().await;
    Fixture {
        dir,
        broker,
        mtls_url: format!("https://{mtls_addr}"),
        server_ca,
        inter,
        inter_pem: inter_p,
        revoked_inter,
        other_root,
        handle,
    }
}

/// Run curl against the listener; returns (HTTP status, Location header, body). Blocking: the
/// tests run on a multi-threaded runtime so the broker keeps serving meanwhile.
fn curl(f: &Fixture, client: Option<(&Leaf, bool)>) -> (u16, String, String) {
    curl_url(f, client, &format!("{}/cert/login?txn=pending-123", f.mtls_url))
}

/// [`curl`] at a listener URL (`/cert/login?txn=…` of a real login).
pub(crate) fn curl_url(f: &Fixture, client: Option<(&Leaf, bool)>, url: &str) -> (u16, String, String) {
    let mut cmd = std::process::Command::new("curl");
    cmd.args(["-sS", "-o", "-", "-w", "\n%{http_code} %{redirect_url}", "--cacert"])
        .arg(&f.server_ca);
    if let Some((leaf, with_chain)) = client {
        let chain = if with_chain {
            format!("{}{}", leaf.cert_pem, f.inter.pem)
        } else {
            leaf.cert_pem.clone()
        };
        let cert = write(f.dir.path(), &format!("client-{}-{with_chain}.pem", leaf.serial), &chain);
        let key = write(f.dir.path(), &format!("client-{}.key", leaf.serial), &leaf.key_pem);
        cmd.arg("--cert").arg(cert).arg("--key").arg(key);
    }
    cmd.arg(url);
    let out = cmd.output().expect("curl is installed (.ci/run installs it)");
    assert!(out.status.success(), "curl failed: {}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let (body, last) = text.rsplit_once('\n').unwrap();
    let (code, location) = last.split_once(' ').unwrap_or((last, ""));
    (code.parse().unwrap(), location.to_owned(), body.to_owned())
}

async fn parked_identity(f: &Fixture, location: &str) -> buergerkonto::http::cert_return::CertReturn {
    let token = url::Url::parse(location)
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == "token")
        .unwrap()
        .1
        .into_owned();
    f.broker
        .state
        .records()
        .get(
            buergerkonto::http::cert_return::KIND,
            &buergerkonto::http::cert_return::store_id(&token),
        )
        .await
        .unwrap()
        .expect("identity parked for the return leg")
}

/// A refusal goes back to the main listener too (to end the login there): the reason parked
/// behind the return link.
async fn parked_reason(f: &Fixture, code: u16, location: &str) -> Reason {
    assert_eq!(code, 303, "a refusal goes back to the main listener");
    assert!(location.starts_with(&f.broker.url("/cert/return?token=")), "{location}");
    match parked_identity(f, location).await.outcome {
        Err(e) => Reason::of(&e),
        Ok(id) => panic!("refused chain parked as an identity: {:?}", id.subject),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn valid_chain_logs_in_with_organisation() {
    if !crate::peers::require_curl() {
        return;
    }
    let f = fixture(false, false).await;
    let good = leaf(&f.inter, LeafSpec::default());
    let (code, location, _) = curl(&f, Some((&good, true)));
    assert_eq!(code, 303);
    assert!(location.starts_with(&f.broker.url("/cert/return?token=")), "{location}");
    let parked = parked_identity(&f, &location).await;
    assert_eq!(parked.pending_id, "pending-123");
    let id = parked.outcome.expect("identity parked");
    assert_eq!(id.level, buergerkonto::trust::TrustLevel::Substantial);
    assert_eq!(id.attributes.get("name").and_then(|v| v.as_str()), Some("Max Mustermann"));
    let org = id.organisation.expect("organisation");
    assert_eq!(org.id, "NTRDE-HRB123456");
    assert_eq!(org.name.as_deref(), Some("Muster Bau GmbH"));
    assert_eq!(org.seat.as_deref(), Some("Köln"));
    assert_eq!(org.tax_number, None, "tax numbers are never taken from a certificate");
    assert_eq!(id.amr, vec!["pop".to_owned()]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn leaf_only_with_server_known_intermediate() {
    if !crate::peers::require_curl() {
        return;
    }
    let f = fixture(false, false).await;
    let good = leaf(
        &f.inter,
        LeafSpec {
            serial: 1001,
            ..LeafSpec::default()
        },
    );
    let (code, _, _) = curl(&f, Some((&good, false)));
    assert_eq!(code, 303);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refusals_each_go_back_with_their_reason() {
    if !crate::peers::require_curl() {
        return;
    }
    let f = fixture(false, false).await;
    let cases: Vec<(&str, Option<Leaf>, Reason)> = vec![
        ("no certificate", None, Reason::CertificateMissing),
        (
            "revoked",
            Some(leaf(
                &f.inter,
                LeafSpec {
                    serial: REVOKED_SERIAL,
                    ..LeafSpec::default()
                },
            )),
            Reason::CertificateRevoked,
        ),
        (
            "expired",
            Some(leaf(
                &f.inter,
                LeafSpec {
                    expired: true,
                    serial: 1002,
                    ..LeafSpec::default()
                },
            )),
            Reason::CertificateExpired,
        ),
        (
            "wrong CA",
            Some(leaf(
                &f.other_root,
                LeafSpec {
                    serial: 1003,
                    ..LeafSpec::default()
                },
            )),
            Reason::CertificateUnknownCa,
        ),
        (
            "EKU mismatch",
            Some(leaf(
                &f.inter,
                LeafSpec {
                    ekus: vec![ExtendedKeyUsagePurpose::EmailProtection],
                    serial: 1004,
                    ..LeafSpec::default()
                },
            )),
            Reason::CertificateWrongKind,
        ),
        (
            "policy mismatch",
            Some(leaf(
                &f.inter,
                LeafSpec {
                    policy: Some(POLICY_OTHER),
                    serial: 1005,
                    ..LeafSpec::default()
                },
            )),
            Reason::CertificateWrongKind,
        ),
        (
            "not yet valid",
            Some(leaf(
                &f.inter,
                LeafSpec {
                    not_yet_valid: true,
                    serial: 1014,
                    ..LeafSpec::default()
                },
            )),
            Reason::CertificateNotYetValid,
        ),
        (
            "personal certificate where a company one is needed",
            Some(leaf(
                &f.inter,
                LeafSpec {
                    personal: true,
                    serial: 1015,
                    ..LeafSpec::default()
                },
            )),
            Reason::CertificateWrongKind,
        ),
    ];
    for (name, client, want) in cases {
        let (code, location, body) = curl(&f, client.as_ref().map(|l| (l, true)));
        assert_eq!(parked_reason(&f, code, &location).await, want, "{name}: {body}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stale_crl_refuses_unless_soft_fail() {
    if !crate::peers::require_curl() {
        return;
    }
    let f = fixture(true, false).await;
    let good = leaf(
        &f.inter,
        LeafSpec {
            serial: 1006,
            ..LeafSpec::default()
        },
    );
    let (code, location, _) = curl(&f, Some((&good, true)));
    assert_eq!(parked_reason(&f, code, &location).await, Reason::MethodUnavailable);
    drop(f);
    let soft = fixture(true, true).await;
    let good = leaf(
        &soft.inter,
        LeafSpec {
            serial: 1007,
            ..LeafSpec::default()
        },
    );
    assert_eq!(curl(&soft, Some((&good, true))).0, 303, "soft fail accepts (logged)");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn crl_reloaded_without_restart() {
    if !crate::peers::require_curl() {
        return;
    }
    let f = fixture(false, false).await;
    let l = leaf(
        &f.inter,
        LeafSpec {
            serial: 1008,
            ..LeafSpec::default()
        },
    );
    assert_eq!(curl(&f, Some((&l, true))).0, 303);
    // Publish a new CRL that revokes it, with a modification time that certainly differs.
    let crl_path = f.dir.path().join("inter.crl");
    std::fs::write(&crl_path, crl(&f.inter, &[REVOKED_SERIAL, 1008], false)).unwrap();
    let later = std::time::SystemTime::now() + std::time::Duration::from_secs(5);
    std::fs::File::options()
        .write(true)
        .open(&crl_path)
        .unwrap()
        .set_modified(later)
        .unwrap();
    let (code, location, _) = curl(&f, Some((&l, true)));
    assert_eq!(
        parked_reason(&f, code, &location).await,
        Reason::CertificateRevoked,
        "revocation seen without restart"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rustls_client_handshake() {
    let f = fixture(false, false).await;
    let good = leaf(
        &f.inter,
        LeafSpec {
            serial: 1009,
            ..LeafSpec::default()
        },
    );
    // The client side on the broker's TLS stack too (rustls on aws-lc-rs): leaf + intermediate.
    let client = rustls_client(&f, &format!("{}{}", good.cert_pem, f.inter.pem), &good.key_pem);
    let r = client
        .get(format!("{}/cert/login?txn=pending-123", f.mtls_url))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let _ = &f.inter_pem;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forwarded_certificate_only_from_trusted_proxy() {
    if !crate::peers::require_curl() {
        return;
    }
    // The listener's config has no trusted proxies: a forwarded header must be ignored.
    let f = fixture(false, false).await;
    let good = leaf(
        &f.inter,
        LeafSpec {
            serial: 1010,
            ..LeafSpec::default()
        },
    );
    let encoded: String = percent_encode(&good.cert_pem);
    let out = std::process::Command::new("curl")
        .args(["-sS", "-o", "/dev/null", "-w", "%{http_code} %{redirect_url}", "--cacert"])
        .arg(&f.server_ca)
        .args(["-H", &format!("X-Client-Cert: {encoded}")])
        .arg(format!("{}/cert/login?txn=pending-123", f.mtls_url))
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let (code, location) = text.split_once(' ').unwrap();
    assert_eq!(
        parked_reason(&f, code.parse().unwrap(), location).await,
        Reason::CertificateMissing,
        "header from an untrusted peer is not a certificate"
    );
}

fn percent_encode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forwarded_certificate_from_trusted_proxy_is_verified_like_a_handshake() {
    if !crate::peers::require_curl() {
        return;
    }
    let f = fixture_with(
        false,
        false,
        "trusted_proxies = [\"127.0.0.1\"]\nforwarded_cert_header = \"X-Client-Cert\"",
    )
    .await;
    let good = leaf(
        &f.inter,
        LeafSpec {
            serial: 1011,
            ..LeafSpec::default()
        },
    );
    let revoked = leaf(
        &f.inter,
        LeafSpec {
            serial: REVOKED_SERIAL,
            ..LeafSpec::default()
        },
    );
    for (l, want) in [(&good, None), (&revoked, Some(Reason::CertificateRevoked))] {
        let out = std::process::Command::new("curl")
            .args(["-sS", "-o", "/dev/null", "-w", "%{http_code} %{redirect_url}", "--cacert"])
            .arg(&f.server_ca)
            .args(["-H", &format!("X-Client-Cert: {}", percent_encode(&l.cert_pem))])
            .arg(format!("{}/cert/login?txn=pending-123", f.mtls_url))
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        let (code, location) = text.split_once(' ').unwrap();
        match want {
            Some(reason) => assert_eq!(parked_reason(&f, code.parse().unwrap(), location).await, reason),
            None => assert!(parked_identity(&f, location).await.outcome.is_ok(), "{text}"),
        }
    }
}

/// GET /cert/login through a rustls client presenting `chain_pem` + `key_pem` (no curl needed).
async fn rustls_login(f: &Fixture, chain_pem: &str, key_pem: &str) -> (u16, Option<String>, String) {
    let client = rustls_client(f, chain_pem, key_pem);
    let r = client
        .get(format!("{}/cert/login?txn=pending-123", f.mtls_url))
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    let location = r.headers().get("location").map(|v| v.to_str().unwrap().to_owned());
    (status, location, r.text().await.unwrap())
}

/// Issue 9: intermediates are checked against their issuer's CRL too. The root's CRL revokes an
/// issuing CA; a leaf it issued (valid itself, not on any CRL) is refused in a real handshake.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn certificate_under_a_revoked_intermediate_is_refused() {
    let f = fixture(false, false).await;
    let victim = leaf(
        &f.revoked_inter,
        LeafSpec {
            serial: 1012,
            ..LeafSpec::default()
        },
    );
    let (status, location, _) = rustls_login(&f, &format!("{}{}", victim.cert_pem, f.revoked_inter.pem), &victim.key_pem).await;
    assert_eq!(
        parked_reason(&f, status, &location.unwrap_or_default()).await,
        Reason::CertificateRevoked,
        "no identity for a revoked chain, the reason instead"
    );
    // Control: the same root's other intermediate is not revoked.
    let good = leaf(
        &f.inter,
        LeafSpec {
            serial: 1013,
            ..LeafSpec::default()
        },
    );
    let (status, _, body) = rustls_login(&f, &format!("{}{}", good.cert_pem, f.inter.pem), &good.key_pem).await;
    assert_eq!(status, 303, "{body}");
}

/// The same at the verify level, plus the two ways the root's CRL can be missing: with configured
/// intermediates the anchor refuses to load; with intermediates only sent by the client, an
/// intermediate's unknown status is a refusal (never a pass).
#[test]
fn intermediate_revocation_at_the_verify_level() {
    use buergerkonto::authenticators::certificate::settings::{AnchorConfig, RevocationMode, StaleCrlPolicy};
    use buergerkonto::authenticators::certificate::verify::{load_anchor, verify_chain, CertError};
    let dir = tempfile::tempdir().unwrap();
    let root_ca = root("Verify Root CA");
    let good_inter = intermediate_with_serial(&root_ca, "Verify Issuing CA", 200);
    let bad_inter = intermediate_with_serial(&root_ca, "Verify Compromised CA", 201);
    let der = |pem: &str| buergerkonto::authenticators::certificate::crl::pem_or_der(pem.as_bytes(), "CERTIFICATE").unwrap();
    let good_leaf = leaf(&good_inter, LeafSpec::default());
    let bad_leaf = leaf(&bad_inter, LeafSpec::default());
    let anchor = |crls: Vec<PathBuf>, intermediates: Vec<PathBuf>| AnchorConfig {
        name: "verify".into(),
        ca_file: write(dir.path(), "root.pem", &root_ca.pem),
        intermediates,
        level: buergerkonto::trust::TrustLevel::Substantial,
        allowed_ekus: vec!["1.3.6.1.5.5.7.3.2".into()],
        required_policies: vec![],
        crl_files: crls,
        crl_stale: StaleCrlPolicy::HardFail,
        revocation: RevocationMode::Crl,
        organisation: true,
    };
    let root_crl = write(dir.path(), "root.crl", &crl(&root_ca, &[201], false));
    let good_crl = write(dir.path(), "good.crl", &crl(&good_inter, &[], false));
    let bad_crl = write(dir.path(), "bad.crl", &crl(&bad_inter, &[], false));
    let loaded = vec![load_anchor(&anchor(vec![root_crl.clone(), good_crl.clone(), bad_crl.clone()], vec![])).unwrap()];
    let now = std::time::SystemTime::now();
    let chain = |l: &Leaf, i: &Ca| vec![der(&l.cert_pem), der(&i.pem)];
    assert_eq!(verify_chain(&chain(&good_leaf, &good_inter), &loaded, now), Ok(0));
    assert_eq!(
        verify_chain(&chain(&bad_leaf, &bad_inter), &loaded, now),
        Err(CertError::Revoked),
        "the root's CRL revokes the intermediate"
    );
    // Without the root's CRL the intermediates' status is unknown: refused, not passed.
    let no_root = vec![load_anchor(&anchor(vec![good_crl.clone(), bad_crl.clone()], vec![])).unwrap()];
    assert_eq!(
        verify_chain(&chain(&good_leaf, &good_inter), &no_root, now),
        Err(CertError::RevocationUnavailable)
    );
    // With configured intermediates the missing root CRL is caught at start-up.
    let inter_file = write(dir.path(), "good-inter.pem", &good_inter.pem);
    let e = load_anchor(&anchor(vec![good_crl], vec![inter_file]))
        .err()
        .expect("anchor must not load");
    assert!(e.contains("no CRL issued by the CA"), "{e}");
}

/// An HTTP client on the broker's TLS stack (rustls on aws-lc-rs) that trusts the test server CA
/// and presents `chain_pem` (leaf first) with `key_pem`; redirects are not followed.
pub(crate) fn rustls_client(f: &Fixture, chain_pem: &str, key_pem: &str) -> reqwest::Client {
    use rustls_pki_types::pem::PemObject;
    use rustls_pki_types::{CertificateDer, PrivateKeyDer};
    let mut roots = rustls::RootCertStore::empty();
    roots.add(CertificateDer::from_pem_file(&f.server_ca).unwrap()).unwrap();
    let chain = CertificateDer::pem_slice_iter(chain_pem.as_bytes())
        .collect::<Result<Vec<_>, _>>()
        .unwrap();
    let config = rustls::ClientConfig::builder_with_provider(buergerkonto::tls::crypto_provider())
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_client_auth_cert(chain, PrivateKeyDer::from_pem_slice(key_pem.as_bytes()).unwrap())
        .unwrap();
    buergerkonto::tls::http_client_builder_with(config)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// Issue 12 item 3: a certificate login through the real pages (choice → certificate listener with
/// a client certificate → return → consent → code) is audited like any other, and neither the
/// audit trail nor the application log holds the certificate's personal data: name, organisation,
/// seat, organisation identifier, subject serial number (the account binding).
#[tokio::test]
async fn a_certificate_login_leaves_no_certificate_data_in_the_audit_or_the_log() {
    use crate::support_login::{authorize_url_with_verifier, demo_redirect, get, hidden, location, post, Jar};
    let (log, _guard) = crate::audit::capture_log();
    let f = fixture(false, false).await;
    let good = leaf(&f.inter, LeafSpec::default());
    let chain = format!("{}{}", good.cert_pem, f.inter.pem);
    let (b, c) = (&f.broker, crate::support::http_client());
    let redirect = demo_redirect(b);
    let (url, _) = authorize_url_with_verifier(b, "demo", &redirect, &[]);
    let mut jar = Jar::default();
    let mut res = get(&c, &mut jar, &url).await;
    let callback = 'login: {
        for _ in 0..10 {
            assert_eq!(res.status(), 303, "{}", res.text().await.unwrap_or_default());
            let next = location(b, &res);
            let path = next.path().to_owned();
            if next.as_str().starts_with(&redirect) {
                break 'login next;
            }
            res = if next.as_str().starts_with(&f.mtls_url) {
                rustls_client(&f, &chain, &good.key_pem).get(next.as_str()).send().await.unwrap()
            } else if path.starts_with("/login/") && !path.starts_with("/login/continue") {
                let html = get(&c, &mut jar, next.as_str()).await.text().await.unwrap();
                let csrf = hidden(&html, "csrf").expect("csrf on the choice page");
                post(
                    &c,
                    &mut jar,
                    &b.url(&format!("{path}/start")),
                    &[("csrf", &csrf), ("method", "certificate")],
                )
                .await
            } else if path.starts_with("/consent/") {
                let html = get(&c, &mut jar, next.as_str()).await.text().await.unwrap();
                let csrf = hidden(&html, "csrf").expect("csrf on the consent page");
                post(&c, &mut jar, &b.url(&path), &[("csrf", &csrf), ("decision", "approve")]).await
            } else {
                get(&c, &mut jar, next.as_str()).await
            };
        }
        panic!("certificate login did not finish");
    };
    assert!(callback.query_pairs().any(|(k, _)| k == "code"), "{callback}");
    let trail = b.audit.lines();
    for event in [
        "login_started",
        "upstream_succeeded",
        "level_reached",
        "consent_given",
        "code_issued",
    ] {
        assert!(
            trail
                .iter()
                .any(|l| l.contains(&format!("\"event\":\"{event}\"")) && l.contains("\"method\":\"certificate\"")),
            "{event}: {trail:?}"
        );
    }
    let personal: Vec<String> = [
        "Max Mustermann",
        "Mustermann",
        "Muster Bau GmbH",
        "Köln",
        "NTRDE-HRB123456",
        "PERSON-4711",
    ]
    .map(String::from)
    .to_vec();
    let log = log.text();
    assert!(log.contains("certificate login verified"), "the broker's log was captured:\n{log}");
    crate::audit::assert_absent(&personal, &trail, &log);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn certificate_listener_resumes_tls_sessions() {
    let f = fixture(false, false).await;
    let addr = f.mtls_url.trim_start_matches("https://").to_owned();
    let ca = f.server_ca.clone();
    let reused = tokio::task::spawn_blocking(move || crate::tls::resumed_reconnections(&addr, &ca, &[]))
        .await
        .unwrap();
    assert_eq!(reused, 5, "every reconnection resumes the first session");
}
