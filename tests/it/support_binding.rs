//! Helpers of the browser-binding tests (binding.rs): a broker on Redis under its own namespace with
//! a certificate method, logins driven up to the upstream's answer, the ACS post, following the
//! broker's hops in one browser, and looking behind the store with `SCAN`.

#![allow(dead_code)]

use crate::support::{unique_namespace, TestBroker};
use crate::support_login::*;
use buergerkonto::clock::Clock;
use buergerkonto::http::login::restart::{RESTART_DE, RESTART_EN};
use buergerkonto::identity::{Attributes, MethodId, Organisation, UpstreamSubject, VerifiedIdentity};
use buergerkonto::trust::TrustLevel;
use openidconnect::reqwest;
use std::sync::Arc;

pub(crate) const SECRET: &str = "demo-relying-party-secret-for-development-only";

/// Business-only and citizen clients: the ELSTER tests' pair.
pub(crate) use crate::elster_login::CLIENTS;

/// A broker on Redis under its own namespace, with [`CLIENTS`] and a certificate method whose
/// anchor is a CA made here (the mTLS listener itself is not started: the return leg is driven
/// through `http::cert_return::park`, which is what the listener calls after verifying a chain).
pub(crate) struct Bed {
    pub(crate) broker: TestBroker,
    pub(crate) namespace: String,
    _dir: tempfile::TempDir,
}

pub(crate) async fn bed(test: &str, clock: Arc<dyn Clock>) -> Bed {
    let dir = tempfile::tempdir().unwrap();
    let key = rcgen::KeyPair::generate().unwrap();
    let mut params = rcgen::CertificateParams::new(vec!["127.0.0.1".to_owned()]).unwrap();
    params.distinguished_name.push(rcgen::DnType::CommonName, "Binding Test CA");
    params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    let pem = params.self_signed(&key).unwrap().pem();
    let ca = dir.path().join("ca.pem");
    let key_file = dir.path().join("ca.key");
    std::fs::write(&ca, &pem).unwrap();
    std::fs::write(&key_file, key.serialize_pem()).unwrap();
    let namespace = unique_namespace(test);
    let section = format!(
        r#"
[[methods]]
id = "certificate"
kind = "certificate"
level = "substantial"
label_de = "Firmenzertifikat"
label_en = "Company certificate"

[certificate]
listen = "127.0.0.1:0"
public_url = "https://127.0.0.1:1"
tls_cert = "{ca}"
tls_key = "{key}"

[[certificate.anchors]]
name = "binding-test-ca"
ca_file = "{ca}"
level = "substantial"
organisation = true
"#,
        ca = ca.display(),
        key = key_file.display()
    );
    let ns = namespace.clone();
    let broker = TestBroker::new()
        .with_config(move |c| {
            c.store.backend = Some("redis".into());
            c.store.redis_url = Some("redis://127.0.0.1:6379".into());
            c.store.namespace = Some(ns);
            crate::testbed::append_toml(c, &format!("{CLIENTS}\n{section}"));
        })
        .with_clock(clock)
        .start()
        .await;
    Bed {
        broker,
        namespace,
        _dir: dir,
    }
}

/// Every key under the namespace (SCAN, not KEYS).
pub(crate) async fn keys(ns: &str) -> Vec<String> {
    let client = redis::Client::open("redis://127.0.0.1:6379").unwrap();
    let mut con = client.get_multiplexed_async_connection().await.unwrap();
    let mut out = Vec::new();
    let mut cursor = 0u64;
    loop {
        let (next, batch): (u64, Vec<String>) = redis::cmd("SCAN")
            .arg(cursor)
            .arg("MATCH")
            .arg(format!("{ns}:*"))
            .arg("COUNT")
            .arg(500)
            .query_async(&mut con)
            .await
            .unwrap();
        out.extend(batch);
        if next == 0 {
            break out;
        }
        cursor = next;
    }
}

/// Keys of one record kind.
pub(crate) async fn keys_of(ns: &str, kind: &str) -> Vec<String> {
    let marker = format!("{ns}:{kind}:");
    keys(ns).await.into_iter().filter(|k| k.starts_with(&marker)).collect()
}

/// What the attack must not have left: a session, a code, a grant, a parked outcome.
pub(crate) async fn assert_nothing_created(ns: &str) {
    for kind in ["session", "code", "grant", "parked-outcome", "cert-return"] {
        assert_eq!(keys_of(ns, kind).await, Vec::<String>::new(), "no {kind} record may exist");
    }
}

pub(crate) fn field(html: &str, name: &str) -> String {
    hidden(html, name)
        .unwrap_or_else(|| panic!("no field {name} in {html}"))
        .replace("&amp;", "&")
}

/// `/authorize` → (choice →) `POST …/start` in `jar`; the response that leaves for the upstream.
pub(crate) async fn start(b: &TestBroker, c: &reqwest::Client, jar: &mut Jar, url: &str, method: &str) -> reqwest::Response {
    let res = get(c, jar, url).await;
    assert_eq!(res.status(), 303);
    let next = location(b, &res);
    if !next.path().starts_with("/login/") {
        return res;
    }
    let html = get(c, jar, next.as_str()).await.text().await.unwrap();
    let csrf = field(&html, "csrf");
    post(
        c,
        jar,
        &b.url(&format!("{}/start", next.path())),
        &[("csrf", &csrf), ("method", method)],
    )
    .await
}

/// A login started in `jar` and answered by the eID or ELSTER simulator: the captured
/// (SAMLResponse, RelayState), not yet posted to the ACS.
pub(crate) async fn capture_saml(
    b: &TestBroker,
    c: &reqwest::Client,
    jar: &mut Jar,
    url: &str,
    method: &str,
    person: &str,
) -> (String, String) {
    let res = start(b, c, jar, url, method).await;
    assert_eq!(res.status(), 303);
    let sso = location(b, &res);
    let page = c.get(sso.as_str()).send().await.unwrap().text().await.unwrap();
    let answer = b.url(&format!("/dev/{method}-simulator/answer"));
    let form = c
        .post(answer)
        .form(&[("sim", field(&page, "sim").as_str()), ("person", person), ("outcome", "success")])
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    (field(&form, "SAMLResponse"), field(&form, "RelayState"))
}

/// The IdP's auto-POST form submitted to the ACS: cross-site, so no cookie travels with it.
pub(crate) async fn acs(b: &TestBroker, c: &reqwest::Client, saml: &str, relay: &str) -> reqwest::Response {
    c.post(b.url("/saml/acs"))
        .form(&[("SAMLResponse", saml), ("RelayState", relay)])
        .send()
        .await
        .unwrap()
}

/// Where a login ended.
#[derive(Debug)]
pub(crate) enum End {
    /// Left the broker (a relying party's redirect URI).
    Left(url::Url),
    /// A page of the broker.
    Page(u16, String),
}

/// Follow the broker's hops from `res` in `jar` (consent approved); returns the end and every
/// `Set-Cookie` seen on the way.
pub(crate) async fn follow(b: &TestBroker, c: &reqwest::Client, jar: &mut Jar, mut res: reqwest::Response) -> (End, Vec<String>) {
    let mut set = Vec::new();
    for _ in 0..10 {
        set.extend(
            res.headers()
                .get_all(reqwest::header::SET_COOKIE)
                .iter()
                .map(|v| v.to_str().unwrap().to_owned()),
        );
        if res.status() != 303 {
            let status = res.status().as_u16();
            return (End::Page(status, res.text().await.unwrap()), set);
        }
        let next = location(b, &res);
        if !next.as_str().starts_with(&b.base) || next.path().starts_with("/demo/callback") {
            return (End::Left(next), set);
        }
        res = if next.path().starts_with("/consent/") {
            let html = get(c, jar, next.as_str()).await.text().await.unwrap();
            let csrf = field(&html, "csrf");
            post(c, jar, next.as_str(), &[("csrf", &csrf), ("decision", "approve")]).await
        } else {
            get(c, jar, next.as_str()).await
        };
    }
    panic!("no end after 10 hops");
}

/// The restart page, and nothing of a login with it.
pub(crate) fn assert_refused(end: &End, set_cookies: &[String]) {
    match end {
        End::Page(400, html) => {
            assert!(html.contains(RESTART_DE) && html.contains(RESTART_EN), "{html}");
            assert!(!html.contains("code="), "{html}");
        }
        other => panic!("expected the restart page, got {other:?}"),
    }
    assert!(
        set_cookies.iter().all(|c| !c.contains("bk_session")),
        "no session cookie: {set_cookies:?}"
    );
}

/// A certificate login started in `jar` up to the return link (the mTLS listener's part: verify the
/// chain, park the identity under a one-time token).
pub(crate) async fn cert_return_link(b: &TestBroker, c: &reqwest::Client, jar: &mut Jar) -> String {
    let res = get(c, jar, &authorize_url(b, &[("idp_hint", "certificate")])).await;
    let to = location(b, &res);
    assert_eq!(to.path(), "/cert/login", "{to}");
    let txn = param(&to, "txn").unwrap();
    let identity = VerifiedIdentity {
        method: MethodId("certificate".into()),
        level: TrustLevel::Substantial,
        subject: UpstreamSubject("cert:binding-test-ca:serial:ATTACKER-1".into()),
        attributes: Attributes::new(),
        organisation: Some(Organisation {
            id: "NTRDE-HRB999".into(),
            name: Some("Angreifer GmbH".into()),
            ..Organisation::default()
        }),
        amr: vec!["pop".into()],
        auth_time: b.state.clock().unix(),
        upstream_session: None,
    };
    let token = buergerkonto::http::cert_return::park(&b.state, &txn.as_str().into(), identity)
        .await
        .unwrap();
    b.url(&format!("/cert/return?token={token}"))
}

pub(crate) async fn check_store(bed: &Bed, secrets: &[(String, String)], after: &str) {
    let all = keys(&bed.namespace).await;
    assert!(!all.is_empty(), "the flows wrote to Redis under {}", bed.namespace);
    let client = redis::Client::open("redis://127.0.0.1:6379").unwrap();
    let mut con = client.get_multiplexed_async_connection().await.unwrap();
    for key in &all {
        let kind: String = redis::cmd("TYPE").arg(key).query_async(&mut con).await.unwrap();
        let value: Vec<u8> = if kind == "string" {
            redis::cmd("GET").arg(key).query_async(&mut con).await.unwrap_or_default()
        } else {
            Vec::new()
        };
        for (what, secret) in secrets {
            assert!(!key.contains(secret.as_str()), "after {after}: {what} in clear in key {key}");
            assert!(
                !value.windows(secret.len()).any(|w| w == secret.as_bytes()),
                "after {after}: {what} in clear in the value of {key}"
            );
        }
    }
}
