//! The broker in front of test OPs: `kind = "oidc"` methods as docs/bank-id.md tells an operator
//! to configure them (the contract of issue 10), on Redis under a unique namespace so a test can
//! `SCAN` what a failed login left. Plus the hops of a bank-ID login, driven in one browser
//! ([`Jar`]) without a browser: broker → OP → broker callback → relying party.

use super::fake_op::FakeOp;
use super::{merge_toml, ClientJwks, ClientKey, PanvaOp, ACR_BID, ACR_BIS, CLIENT_ID};
use crate::support::{unique_namespace, TestBroker};
use crate::support_binding::{follow, keys, keys_of, End};
use crate::support_login::*;
use openidconnect::reqwest;
use serde_json::json;
use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};

/// The method (and upstream) id of the OP under test; its callback is `/oidc/callback/testbank`.
pub const METHOD: &str = "testbank";
/// A second method in front of another OP (the mix-up tests).
pub const OTHER: &str = "otherbank";
/// The relying party's `state` in every authorization URL of these tests.
pub const RP_STATE: &str = "st-123";

/// `[[methods]]` + `[[oidc_upstreams]]` for `method` at `issuer`: private_key_jwt with `key`, the
/// Norway BankID acr table (bid → high, bis → substantial), the identity taken only from
/// `verified_claims` under `de_aml` (OIDC4IDA §5), the ceiling raised to `high` (the operator's deliberate choice, docs/bank-id.md).
/// `extra` lines go into the `[[oidc_upstreams]]` table.
pub fn upstream_toml(method: &str, issuer: &str, key: &ClientKey, extra: &str) -> String {
    format!(
        r#"
[[methods]]
id = "{method}"
kind = "oidc"
upstream = "{method}"
level = "high"
label_de = "Bank-ID ({method})"
label_en = "Bank ID ({method})"

[[oidc_upstreams]]
name = "{method}"
issuer = "{issuer}"
client_id = "{CLIENT_ID}"
client_auth = "private_key_jwt"
client_key = "{key}"
client_jwks_path = "/oidc/jwks/{method}"
scopes = ["openid", "profile"]
acr_profile = "norway-bankid"
trust_frameworks = ["de_aml"]
{extra}

[oidc_upstreams.acr]
"{ACR_BID}" = "high"
"{ACR_BIS}" = "substantial"

[oidc_upstreams.claims]
given_name = "verified_claims.given_name"
family_name = "verified_claims.family_name"
birthdate = "verified_claims.birthdate"
"#,
        key = key.path.display()
    )
}

/// The record kinds (store key segment) a login writes.
/// (`oidc-login`: the bank-ID method's own transaction, state → PKCE verifier and nonce.)
pub const LOGIN_RECORDS: [&str; 7] = ["session", "code", "grant", "parked-outcome", "pending", "upstream", "oidc-login"];

/// A broker, its namespace in Redis, and the OPs behind it.
pub struct BankBed {
    /// The broker.
    pub broker: TestBroker,
    /// Its Redis namespace.
    pub namespace: String,
    /// panva's OP behind [`METHOD`] (panva beds).
    pub panva: Option<PanvaOp>,
    /// The fake OPs behind [`METHOD`] and [`OTHER`] (fake beds).
    pub fakes: Vec<FakeOp>,
    /// The broker's client key at the OP.
    pub key: ClientKey,
    _dir: tempfile::TempDir,
}

fn on_redis(c: &mut buergerkonto::config::raw::RawConfig, namespace: String) {
    c.store.backend = Some("redis".into());
    c.store.redis_url = Some(crate::peers::redis_url());
    c.store.namespace = Some(namespace);
}

/// How the broker meets panva's OP.
#[derive(Debug, Clone, Copy)]
pub struct PanvaSetup {
    /// The OP signs ID tokens with `ES256` or `PS256`.
    pub id_token_alg: &'static str,
    /// The broker's client key: `ES256` (EC P-256) or `PS256` (RSA).
    pub client_alg: &'static str,
    /// The OP knows the broker's key from a registered JWKS (true) or the broker's JWKS URL.
    pub inline_jwks: bool,
    /// The OP offers RP-Initiated Logout (`end_session_endpoint`), with the broker's
    /// `/logout/return` registered as its post-logout redirect URI.
    pub upstream_logout: bool,
}

impl BankBed {
    /// The broker with [`METHOD`] in front of panva's OP, configured like a bank.
    pub async fn panva(test: &str, setup: PanvaSetup) -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let key = ClientKey::generate(dir.path(), setup.client_alg);
        let namespace = unique_namespace(test);
        let cell: Arc<Mutex<Option<PanvaOp>>> = Arc::default();
        let (ns, jwk, pem, started) = (namespace.clone(), key.jwk.clone(), key.path.clone(), cell.clone());
        let broker = TestBroker::new()
            .with_config(move |c| {
                // The OP needs the broker's callback URL, the broker the OP's discovery at start:
                // the OP starts here, once the broker's address is known and before it starts.
                let base = c.server.issuer.clone();
                let jwks = if setup.inline_jwks {
                    ClientJwks::Inline(json!({ "keys": [jwk] }))
                } else {
                    ClientJwks::Uri(format!("{base}/oidc/jwks/{METHOD}"))
                };
                let redirect = format!("{base}/oidc/callback/{METHOD}");
                let mut op_config = PanvaOp::bank_config(&redirect, &jwks, setup.id_token_alg);
                if setup.upstream_logout {
                    op_config["logout"] = json!(true);
                    op_config["clients"][0]["post_logout_redirect_uris"] = json!([format!("{base}/logout/return")]);
                }
                let op = PanvaOp::start(&op_config);
                on_redis(c, ns);
                let key = ClientKey {
                    path: pem,
                    jwk: serde_json::Value::Null,
                    alg: setup.client_alg,
                };
                merge_toml(c, &upstream_toml(METHOD, &op.issuer, &key, "require_par = true"));
                *started.lock().expect("cell") = Some(op);
            })
            .start()
            .await;
        let panva = cell.lock().expect("cell").take();
        BankBed {
            broker,
            namespace,
            panva,
            fakes: Vec::new(),
            key,
            _dir: dir,
        }
    }

    /// The broker with [`METHOD`] in front of one fake OP, and [`OTHER`] in front of a second
    /// one when `two` (both share the broker's client key).
    pub async fn fakes(test: &str, two: bool) -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let key = ClientKey::generate(dir.path(), "ES256");
        let namespace = unique_namespace(test);
        let mut fakes = vec![FakeOp::start().await];
        if two {
            fakes.push(FakeOp::start().await);
        }
        let mut tables = upstream_toml(METHOD, &fakes[0].issuer, &key, "");
        if two {
            tables.push_str(&upstream_toml(OTHER, &fakes[1].issuer, &key, ""));
        }
        let ns = namespace.clone();
        let broker = TestBroker::new()
            .with_config(move |c| {
                on_redis(c, ns);
                merge_toml(c, &tables);
            })
            .start()
            .await;
        BankBed {
            broker,
            namespace,
            panva: None,
            fakes,
            key,
            _dir: dir,
        }
    }

    /// The fake OP behind [`METHOD`].
    pub fn op(&self) -> &FakeOp {
        &self.fakes[0]
    }

    /// What panva's OP logged (for assertion messages).
    pub fn op_log(&self) -> String {
        self.panva.as_ref().map(PanvaOp::log).unwrap_or_default()
    }

    /// The demo client's authorization URL choosing [`METHOD`] (`idp_hint`), `extra` added.
    pub fn authorize(&self, extra: &[(&str, &str)]) -> String {
        self.authorize_method(METHOD, extra)
    }

    /// As [`Self::authorize`] for `method`.
    pub fn authorize_method(&self, method: &str, extra: &[(&str, &str)]) -> String {
        let mut all = vec![("idp_hint", method)];
        all.extend_from_slice(extra);
        authorize_url(&self.broker, &all)
    }

    /// `/authorize` in `jar` up to the broker's redirect to the OP: the URL at the OP.
    pub async fn to_op(&self, c: &reqwest::Client, jar: &mut Jar, url: &str) -> url::Url {
        let b = &self.broker;
        let mut res = get(c, jar, url).await;
        for _ in 0..5 {
            assert_eq!(res.status(), 303, "{}\n{}", res.status(), self.op_log());
            let next = location(b, &res);
            if !next.as_str().starts_with(&b.base) {
                return next;
            }
            if next.path().starts_with("/login/") {
                // The choice page (idp_hint did not pick): choose the method.
                let html = get(c, jar, next.as_str()).await.text().await.expect("page");
                let csrf = hidden(&html, "csrf").expect("csrf");
                let method = param(&url::Url::parse(url).expect("url"), "idp_hint").unwrap_or_else(|| METHOD.into());
                res = post(
                    c,
                    jar,
                    &b.url(&format!("{}/start", next.path())),
                    &[("csrf", &csrf), ("method", &method)],
                )
                .await;
            } else {
                res = get(c, jar, next.as_str()).await;
            }
        }
        panic!("the broker did not send the browser to the OP");
    }

    /// Through the OP (panva's interaction, or the fake's instant code) in `jar`, the interaction
    /// finished with `query` (`account=…`, `outcome=…`): the broker callback URL the OP sent the
    /// browser to, not yet followed.
    pub async fn through_op(&self, c: &reqwest::Client, jar: &mut Jar, at_op: url::Url, query: &[(&str, &str)]) -> url::Url {
        let mut next = at_op;
        for _ in 0..8 {
            if next.as_str().starts_with(&self.broker.base) {
                return next;
            }
            if next.path().starts_with("/interaction/") {
                next.query_pairs_mut().extend_pairs(query);
            }
            let res = get(c, jar, next.as_str()).await;
            assert_eq!(
                res.status(),
                303,
                "OP hop {next}: {}\nOP log:\n{}",
                res.text().await.unwrap_or_default(),
                self.op_log()
            );
            let loc = res.headers()[reqwest::header::LOCATION].to_str().expect("location").to_owned();
            next = next.join(&loc).expect("location URL");
        }
        panic!("the OP did not send the browser back");
    }

    /// A login started in `jar` and answered by the OP: the callback URL (code, state, iss).
    pub async fn callback(&self, c: &reqwest::Client, jar: &mut Jar, url: &str, query: &[(&str, &str)]) -> url::Url {
        let at_op = self.to_op(c, jar, url).await;
        self.through_op(c, jar, at_op, query).await
    }

    /// The callback GET in `jar`, then the broker's hops (consent approved) to where it ends.
    pub async fn finish(&self, c: &reqwest::Client, jar: &mut Jar, callback: &url::Url) -> (End, Vec<String>) {
        let res = get(c, jar, callback.as_str()).await;
        follow(&self.broker, c, jar, res).await
    }

    /// A whole login in a fresh browser; where it ended.
    pub async fn login(&self, c: &reqwest::Client, url: &str, query: &[(&str, &str)]) -> (End, Vec<String>) {
        let mut jar = Jar::default();
        let cb = self.callback(c, &mut jar, url, query).await;
        self.finish(c, &mut jar, &cb).await
    }

    /// Nothing of a failed login stays: no session, code, grant, parked outcome, pending request
    /// or upstream transaction under the namespace.
    pub async fn assert_nothing_left(&self, what: &str) {
        for kind in LOGIN_RECORDS {
            assert_eq!(
                keys_of(&self.namespace, kind).await,
                Vec::<String>::new(),
                "{what}: no {kind} record may stay"
            );
        }
    }

    /// The keys of every login record under the namespace: sessions, codes, grants, parked
    /// outcomes, pending requests, upstream transactions.
    pub async fn records(&self) -> BTreeSet<String> {
        let kinds = LOGIN_RECORDS.map(|k| format!("{}:{k}:", self.namespace));
        keys(&self.namespace)
            .await
            .into_iter()
            .filter(|k| kinds.iter().any(|p| k.starts_with(p.as_str())))
            .collect()
    }

    /// Nothing of the login just refused stays: no login record that was not there `before`.
    pub async fn assert_no_new_records(&self, before: &BTreeSet<String>, what: &str) {
        let after = self.records().await;
        let new: Vec<&String> = after.difference(before).collect();
        assert!(new.is_empty(), "{what}: records left behind: {new:?}");
    }

    /// No session, code or grant was created (a login that may still be open stays).
    pub async fn assert_nothing_created(&self, what: &str) {
        for kind in ["session", "code", "grant", "parked-outcome"] {
            assert_eq!(
                keys_of(&self.namespace, kind).await,
                Vec::<String>::new(),
                "{what}: no {kind} record may exist"
            );
        }
    }
}

/// The relying party's view of a refused login: either the broker's de/en page whose "back to the
/// service" link carries the error, or a redirect with it. Checks `error`, our `state` and `iss`
/// and that no `code` travels, and no session cookie was set; returns the RP's URL.
pub fn assert_rp_error(bed: &BankBed, end: &End, set_cookies: &[String], error: &str, what: &str) -> url::Url {
    let url = match end {
        End::Left(url) => url.clone(),
        End::Page(200, html) => {
            assert!(
                html.contains("lang=\"de\"") || html.contains("Anmeldung"),
                "{what}: a German page: {html}"
            );
            continue_link(html).unwrap_or_else(|| panic!("{what}: the page leads back to the service: {html}"))
        }
        other => panic!(
            "{what}: expected the RP error (page or redirect), got {other:?}\nOP log:\n{}",
            bed.op_log()
        ),
    };
    assert!(url.as_str().starts_with(&demo_redirect(&bed.broker)), "{what}: {url}");
    assert_eq!(param(&url, "error").as_deref(), Some(error), "{what}: {url}");
    assert_eq!(param(&url, "state").as_deref(), Some(RP_STATE), "{what}: {url}");
    assert_eq!(param(&url, "iss").as_deref(), Some(bed.broker.base.as_str()), "{what}: {url}");
    assert_eq!(param(&url, "code"), None, "{what}: {url}");
    assert!(
        set_cookies.iter().all(|c| !c.contains("bk_session")),
        "{what}: no session cookie: {set_cookies:?}"
    );
    url
}

/// A page of the broker and no way to the relying party (`state` unknown: we cannot know whom).
pub fn assert_page_only(end: &End, set_cookies: &[String], what: &str) {
    match end {
        End::Page(status, html) => {
            assert!((400..500).contains(status), "{what}: a client error page, got {status}");
            assert!(!html.contains("code="), "{what}: {html}");
            assert!(!html.contains(RP_STATE), "{what}: the RP's state must not travel: {html}");
        }
        End::Left(url) => panic!("{what}: expected a page, the browser was sent to {url}"),
    }
    assert!(
        set_cookies.iter().all(|c| !c.contains("bk_session")),
        "{what}: no session cookie: {set_cookies:?}"
    );
}
