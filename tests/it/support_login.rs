//! Drive logins through the real pages: `/authorize` → choice → development login → consent →
//! relying-party callback. Cookies are carried by hand (the test client has no cookie store), so a
//! test can keep one browser ([`Jar`]) across several authorization requests. Every return leg
//! checks the browser-binding cookie `/authorize` sets (issue 9), so every hop of one login must
//! go through the same jar.

#![allow(dead_code)]

use crate::support::TestBroker;
use base64::Engine;
use openidconnect::reqwest;
use sha2::Digest;
use std::collections::BTreeMap;

/// The cookies of one browser.
#[derive(Debug, Default, Clone)]
pub struct Jar {
    cookies: BTreeMap<String, String>,
}

impl Jar {
    /// Remember every `Set-Cookie` of a response.
    pub fn absorb(&mut self, res: &reqwest::Response) {
        for v in res.headers().get_all(reqwest::header::SET_COOKIE) {
            let Ok(s) = v.to_str() else { continue };
            let pair = s.split(';').next().unwrap_or_default();
            if let Some((k, v)) = pair.split_once('=') {
                self.cookies.insert(k.trim().to_owned(), v.trim().to_owned());
            }
        }
    }

    /// The `Cookie` header value.
    pub fn header(&self) -> String {
        self.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; ")
    }

    /// The browser-binding cookie (`/authorize` sets it), if set.
    pub fn binding(&self) -> Option<String> {
        self.cookies.get("bk_bind").or_else(|| self.cookies.get("__Host-bk_bind")).cloned()
    }

    /// Forget a cookie (by its name as set).
    pub fn remove(&mut self, name: &str) {
        self.cookies.remove(name);
    }

    /// Set a cookie by hand (e.g. another browser's value).
    pub fn set(&mut self, name: &str, value: &str) {
        self.cookies.insert(name.to_owned(), value.to_owned());
    }

    /// The broker session cookie, if set.
    pub fn session(&self) -> Option<String> {
        self.cookies
            .get("bk_session")
            .or_else(|| self.cookies.get("__Host-bk_session"))
            .cloned()
    }
}

/// A PKCE pair `(verifier, S256 challenge)`.
pub fn pkce() -> (String, String) {
    let verifier = format!("{:0>43}", crate::support::unique_namespace("v").replace('-', "x"));
    let challenge = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(sha2::Sha256::digest(verifier.as_bytes()));
    (verifier, challenge)
}

/// The demo client's registered redirect URI on this broker.
pub fn demo_redirect(broker: &TestBroker) -> String {
    broker.url("/demo/callback")
}

/// An authorization URL for `client_id` with sensible defaults, overridden/extended by `extra`
/// (a pair with an empty value removes the default).
pub fn authorize_url_for(broker: &TestBroker, client_id: &str, redirect_uri: &str, extra: &[(&str, &str)]) -> String {
    authorize_url_with_verifier(broker, client_id, redirect_uri, extra).0
}

/// As [`authorize_url_for`], also returning the PKCE verifier (for redeeming the code).
pub fn authorize_url_with_verifier(broker: &TestBroker, client_id: &str, redirect_uri: &str, extra: &[(&str, &str)]) -> (String, String) {
    let (verifier, challenge) = pkce();
    let mut params: Vec<(String, String)> = vec![
        ("response_type".into(), "code".into()),
        ("client_id".into(), client_id.into()),
        ("redirect_uri".into(), redirect_uri.into()),
        ("scope".into(), "openid profile".into()),
        ("state".into(), "st-123".into()),
        ("nonce".into(), "n-456".into()),
        ("code_challenge".into(), challenge),
        ("code_challenge_method".into(), "S256".into()),
    ];
    for (k, v) in extra {
        params.retain(|(pk, _)| pk != k);
        if !v.is_empty() {
            params.push(((*k).into(), (*v).into()));
        }
    }
    let mut url = url::Url::parse(&broker.url("/authorize")).unwrap();
    url.query_pairs_mut().extend_pairs(params);
    (url.to_string(), verifier)
}

/// An authorization URL for the demo client.
pub fn authorize_url(broker: &TestBroker, extra: &[(&str, &str)]) -> String {
    authorize_url_for(broker, "demo", &demo_redirect(broker), extra)
}

/// The value of a hidden form field in a page.
pub fn hidden(html: &str, name: &str) -> Option<String> {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html.find(&marker)? + marker.len();
    let end = html[start..].find('"')? + start;
    Some(html[start..end].to_owned())
}

/// `Location` resolved against the broker.
pub fn location(broker: &TestBroker, res: &reqwest::Response) -> url::Url {
    let loc = res
        .headers()
        .get(reqwest::header::LOCATION)
        .expect("Location header")
        .to_str()
        .unwrap();
    url::Url::parse(&broker.base).unwrap().join(loc).unwrap()
}

/// GET with the jar's cookies.
pub async fn get(client: &reqwest::Client, jar: &mut Jar, url: &str) -> reqwest::Response {
    let res = client.get(url).header(reqwest::header::COOKIE, jar.header()).send().await.unwrap();
    jar.absorb(&res);
    res
}

/// POST a form with the jar's cookies.
pub async fn post(client: &reqwest::Client, jar: &mut Jar, url: &str, form: &[(&str, &str)]) -> reqwest::Response {
    let body = url::form_urlencoded::Serializer::new(String::new()).extend_pairs(form).finish();
    let res = client
        .post(url)
        .header(reqwest::header::COOKIE, jar.header())
        .header(reqwest::header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .unwrap();
    jar.absorb(&res);
    res
}

/// Outcome of the development login page.
pub enum Outcome<'a> {
    /// Success as `person` at `level`.
    Success(&'a str, &'a str),
    /// The person cancels.
    Cancelled,
    /// The upstream fails.
    Failure,
}

/// Follow a login from `url` through the broker's pages in one browser until the response leaves
/// the broker; returns that URL (the relying party callback). `method` is picked on the choice
/// page; the consent page, when shown, is approved.
pub async fn login_in(
    client: &reqwest::Client,
    broker: &TestBroker,
    jar: &mut Jar,
    url: &str,
    method: &str,
    outcome: Outcome<'_>,
) -> url::Url {
    login_with_consent(client, broker, jar, url, method, outcome, "approve").await
}

/// As [`login_in`], with the consent decision (`approve` or `deny`).
pub async fn login_with_consent(
    client: &reqwest::Client,
    broker: &TestBroker,
    jar: &mut Jar,
    url: &str,
    method: &str,
    outcome: Outcome<'_>,
    decision: &str,
) -> url::Url {
    let mut res = get(client, jar, url).await;
    for _ in 0..10 {
        if res.status() == 200 {
            // The upstream-failure page: the person reads what happened and follows the link back.
            let html = res.text().await.unwrap();
            return continue_link(&html).unwrap_or_else(|| panic!("expected a redirect or the way back, got {html}"));
        }
        assert_eq!(
            res.status(),
            303,
            "expected a redirect, got {} {}",
            res.status(),
            res.text().await.unwrap_or_default()
        );
        let next = location(broker, &res);
        if !next.as_str().starts_with(&broker.base) || next.path().starts_with("/demo/callback") {
            return next;
        }
        let path = next.path().to_owned();
        if path.starts_with("/login/") {
            let html = get(client, jar, next.as_str()).await.text().await.unwrap();
            let csrf = hidden(&html, "csrf").expect("csrf on choice page");
            res = post(
                client,
                jar,
                &broker.url(&format!("{path}/start")),
                &[("csrf", &csrf), ("method", method)],
            )
            .await;
        } else if path.starts_with("/dev/login/") {
            let page = get(client, jar, next.as_str()).await;
            assert_eq!(page.status(), 200);
            let form: Vec<(&str, &str)> = match outcome {
                Outcome::Success(person, level) => vec![("person", person), ("level", level), ("outcome", "success")],
                Outcome::Cancelled => vec![("outcome", "cancelled")],
                Outcome::Failure => vec![("outcome", "failure")],
            };
            res = post(client, jar, &broker.url(&path), &form).await;
        } else if path.starts_with("/consent/") {
            let page = get(client, jar, next.as_str()).await;
            assert_eq!(page.status(), 200);
            let html = page.text().await.unwrap();
            let csrf = hidden(&html, "csrf").expect("csrf on consent page");
            res = post(client, jar, &broker.url(&path), &[("csrf", &csrf), ("decision", decision)]).await;
        } else {
            panic!("unexpected hop {next}");
        }
    }
    panic!("login did not finish");
}

/// A full login through the real pages (choice → dev login → consent approve) in a fresh
/// browser; returns the relying-party callback URL (with `code`, `state`, `iss`).
pub async fn dev_login(client: &reqwest::Client, broker: &TestBroker, authorize_url: &str, person: &str, level: &str) -> url::Url {
    let mut jar = Jar::default();
    login_in(client, broker, &mut jar, authorize_url, "dev", Outcome::Success(person, level)).await
}

/// A query parameter of a URL.
pub fn param(url: &url::Url, name: &str) -> Option<String> {
    url.query_pairs().find(|(k, _)| k == name).map(|(_, v)| v.into_owned())
}

/// The grant behind a code (read from the broker's store).
pub async fn grant_for_code(broker: &TestBroker, code: &str) -> buergerkonto::oidc_provider::records::Grant {
    use buergerkonto::oidc_provider::records::{AuthorizationCode, Grant};
    use buergerkonto::session::RecordKind;
    let records = broker.state.records();
    let c: AuthorizationCode = records
        .get(RecordKind::AuthorizationCode, &buergerkonto::login::code::code_store_id(code))
        .await
        .unwrap()
        .expect("code stored");
    records
        .get::<Grant>(RecordKind::Grant, c.grant_id.as_str())
        .await
        .unwrap()
        .expect("grant stored")
}

/// Extra test configuration: a substantial-only development method and clients for the rules.
pub const EXTRA: &str = r#"
[[methods]]
id = "dev-sub"
kind = "dev"
level = "substantial"
label_de = "Testanmeldung substanziell"
label_en = "Test login substantial"

[[clients]]
id = "skip"
name = "Interner Dienst"
auth_method = "client_secret_basic"
secret_hash = "sha256:85uvUn3M0QMQZNDZez833q8fpX3s8ecmbemivr4ZlLo"
redirect_uris = ["http://127.0.0.1:9/skip/cb"]
scopes = ["openid", "profile", "birth"]
min_level = "low"
skip_consent = true

[[clients]]
id = "subonly"
name = "Nur ELSTER-Dienst"
auth_method = "client_secret_basic"
secret_hash = "sha256:85uvUn3M0QMQZNDZez833q8fpX3s8ecmbemivr4ZlLo"
redirect_uris = ["http://127.0.0.1:9/subonly/cb"]
scopes = ["openid", "profile"]
min_level = "low"
allowed_methods = ["dev-sub"]

[[clients]]
id = "narrow"
name = "Sparsamer Dienst"
auth_method = "client_secret_basic"
secret_hash = "sha256:85uvUn3M0QMQZNDZez833q8fpX3s8ecmbemivr4ZlLo"
redirect_uris = ["http://127.0.0.2:9/narrow/cb"]
scopes = ["openid", "profile", "birth"]
claims = ["family_name", "birth_family_name"]
min_level = "low"
skip_consent = true

[[clients]]
id = "pub1"
name = "Öffentlich 1"
auth_method = "client_secret_basic"
secret_hash = "sha256:85uvUn3M0QMQZNDZez833q8fpX3s8ecmbemivr4ZlLo"
redirect_uris = ["http://127.0.0.3:9/cb"]
scopes = ["openid"]
subject_type = "public"
min_level = "low"
skip_consent = true

[[clients]]
id = "pub2"
name = "Öffentlich 2"
auth_method = "client_secret_basic"
secret_hash = "sha256:85uvUn3M0QMQZNDZez833q8fpX3s8ecmbemivr4ZlLo"
redirect_uris = ["http://127.0.0.4:9/cb"]
scopes = ["openid"]
subject_type = "public"
min_level = "low"
skip_consent = true
"#;

/// A broker with the [`EXTRA`] clients added to the development configuration.
pub async fn broker_with_extra(clock: std::sync::Arc<dyn buergerkonto::clock::Clock>) -> TestBroker {
    TestBroker::new()
        .with_clock(clock)
        .with_config(|c| crate::support::append_toml(c, EXTRA))
        .start()
        .await
}

/// A second broker instance on its own port that shares `first`'s store (as two nodes behind a
/// load balancer share Redis). Same configuration, so same sealing and pairwise secrets.
pub struct SecondInstance;

impl SecondInstance {
    /// Start it.
    pub async fn start(first: &TestBroker) -> TestBroker {
        TestBroker::new()
            .with_config(|c| crate::support::append_toml(c, EXTRA))
            .with_store(first.state.records().clone())
            .start()
            .await
    }
}

/// The "back to the service" link of the upstream-failure page (HTML entities decoded).
pub fn continue_link(html: &str) -> Option<url::Url> {
    let start = html.find("<a class=\"button\" href=\"")? + "<a class=\"button\" href=\"".len();
    let end = html[start..].find('"')? + start;
    let href = html[start..end]
        .replace("&#x2f;", "/")
        .replace("&#x3d;", "=")
        .replace("&amp;", "&")
        .replace("&quot;", "\"");
    url::Url::parse(&href).ok()
}
