//! The broker with the `eudi_wallet` method (id [`METHOD`]) configured as docs/eudi-wallet.md tells
//! an operator to, its PID trust anchor the Node wallet's CA, on Redis under a unique namespace so a
//! test can `SCAN` what a refused login left. Plus the hops of a wallet login in one browser
//! ([`Jar`]): `/authorize` → choice → start page → (wallet) → `redirect_uri` → consent → code.

use super::{NodeWallet, Present, Run, StatusServer, REVOKED};
use crate::support::{http_client, unique_namespace, TestBroker};
use crate::support_binding::{follow, keys_of, End};
use crate::support_login::*;
use crate::support_op::merge_toml;
use base64::Engine;
use openidconnect::core::{CoreClient, CoreJwsSigningAlgorithm, CoreProviderMetadata};
use openidconnect::{
    reqwest, AuthorizationCode, ClientId, ClientSecret, IssuerUrl, Nonce, OAuth2TokenResponse, PkceCodeVerifier, RedirectUrl, TokenResponse,
};
use serde_json::Value;
use std::path::Path;

/// The method id (config/dev.toml's wallet method, replaced by the test's).
pub const METHOD: &str = "wallet";
/// The label the choice page shows.
pub const LABEL: &str = "EUDI-Wallet";
/// The relying party's `state` in every authorization URL of these tests.
pub const RP_STATE: &str = "st-123";
/// eIDAS high.
pub const HIGH: &str = "http://eidas.europa.eu/LoA/high";
const SECRET: &str = "demo-relying-party-secret-for-development-only";

/// The wallet method's configuration with `ca` as the only PID provider trust anchor.
pub fn wallet_toml(ca: &Path) -> String {
    format!(
        r#"
[[methods]]
id = "{METHOD}"
kind = "eudi_wallet"
level = "high"
label_de = "{LABEL}"
label_en = "EUDI Wallet"

[wallet]
pid_trust_anchors = "{ca}"
# A liveness margin, not a timing assumption: on a loaded two-core machine a cold Node start per
# wallet run can take long, and a transaction must not expire under the test.
transaction_ttl_secs = 3600
"#,
        ca = ca.display()
    )
}

/// A broker, its Redis namespace, the Node wallet and its PID provider's status list.
pub struct WalletBed {
    /// The broker.
    pub broker: TestBroker,
    /// Its Redis namespace.
    pub namespace: String,
    /// The independent wallet (and its PID provider).
    pub wallet: NodeWallet,
    /// The PID provider's status list.
    pub status: StatusServer,
}

impl WalletBed {
    /// Wallet, status list (with [`REVOKED`]) and the broker trusting the wallet's PID provider.
    pub async fn start(test: &str) -> Self {
        let wallet = NodeWallet::init().await;
        let status = StatusServer::start().await;
        status.set_token(wallet.status_list(&status.uri, &REVOKED).await);
        let namespace = unique_namespace(test);
        let (ns, tables) = (namespace.clone(), wallet_toml(&wallet.ca));
        let broker = TestBroker::new()
            .with_config(move |c| {
                c.store.backend = Some("redis".into());
                c.store.redis_url = Some(crate::peers::redis_url());
                c.store.namespace = Some(ns);
                merge_toml(c, &tables);
            })
            .start()
            .await;
        WalletBed {
            broker,
            namespace,
            wallet,
            status,
        }
    }

    /// The demo client's authorization URL for `scope` (no `idp_hint`: the person picks on the
    /// choice page) and its PKCE verifier.
    pub fn authorize(&self, scope: &str) -> (String, String) {
        authorize_url_with_verifier(
            &self.broker,
            "demo",
            &demo_redirect(&self.broker),
            &[("scope", scope), ("acr_values", HIGH)],
        )
    }

    /// `/authorize` → the choice page (which must offer [`LABEL`]) → `POST …/start` with
    /// [`METHOD`] → the broker's hops → the start page; its URL and HTML.
    pub async fn start_page(&self, c: &reqwest::Client, jar: &mut Jar, url: &str) -> (url::Url, String) {
        let b = &self.broker;
        let res = get(c, jar, url).await;
        assert_eq!(res.status(), 303, "authorize: {}", res.text().await.unwrap_or_default());
        let choice = location(b, &res);
        assert!(choice.path().starts_with("/login/"), "to the choice page: {choice}");
        let html = get(c, jar, choice.as_str()).await.text().await.expect("choice page");
        assert!(html.contains(LABEL), "the choice offers {LABEL}: {html}");
        let csrf = hidden(&html, "csrf").expect("csrf on the choice page");
        let mut res = post(
            c,
            jar,
            &b.url(&format!("{}/start", choice.path())),
            &[("csrf", &csrf), ("method", METHOD)],
        )
        .await;
        let mut at = choice;
        for _ in 0..5 {
            if res.status() != 303 {
                break;
            }
            at = location(b, &res);
            assert!(at.as_str().starts_with(&b.base), "the start page is the broker's: {at}");
            res = get(c, jar, at.as_str()).await;
        }
        assert_eq!(res.status(), 200, "the start page at {at}");
        assert!(at.path().starts_with("/wallet/start/"), "the start page: {at}");
        (at, res.text().await.expect("start page"))
    }

    /// A login started in `jar` up to the wallet URL of its start page (the same-device link).
    pub async fn wallet_url(&self, c: &reqwest::Client, jar: &mut Jar, url: &str) -> String {
        let (_, html) = self.start_page(c, jar, url).await;
        wallet_url_of(&html).unwrap_or_else(|| panic!("no wallet link on the start page: {html}"))
    }

    /// The Node wallet answers `wallet_url` as `how` says.
    pub async fn present(&self, wallet_url: &str, how: &Present<'_>) -> Run {
        self.wallet.present(wallet_url, &self.status.uri, how).await
    }

    /// The browser `jar` follows `redirect_uri` (the response_code) and then the broker's hops
    /// (consent approved): where it ends and every `Set-Cookie` on the way.
    pub async fn back_in_browser(&self, c: &reqwest::Client, jar: &mut Jar, redirect_uri: &url::Url) -> (End, Vec<String>) {
        assert!(
            redirect_uri.as_str().starts_with(&self.broker.url("/wallet/return")),
            "redirect_uri is the broker's return leg: {redirect_uri}"
        );
        let res = get(c, jar, redirect_uri.as_str()).await;
        follow(&self.broker, c, jar, res).await
    }

    /// No session, code or grant exists under the namespace.
    pub async fn assert_nothing_created(&self, what: &str) {
        for kind in ["session", "code", "grant"] {
            assert_eq!(
                keys_of(&self.namespace, kind).await,
                Vec::<String>::new(),
                "{what}: no {kind} record may exist"
            );
        }
    }

    /// The `response_uri` of the transaction behind `wallet_url`, as an attacker reads it: the
    /// request object fetched and decoded without any check.
    pub async fn response_uri_of(&self, wallet_url: &str) -> String {
        let link = url::Url::parse(wallet_url).expect("wallet URL");
        let request_uri = param(&link, "request_uri").expect("request_uri");
        let jar = http_client()
            .get(request_uri)
            .send()
            .await
            .expect("request_uri")
            .text()
            .await
            .expect("JAR");
        let payload = jar.split('.').nth(1).expect("a JWS");
        let payload: Value = serde_json::from_slice(&base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(payload).expect("base64url"))
            .expect("JSON payload");
        payload["response_uri"].as_str().expect("response_uri").to_owned()
    }
}

/// The same-device link of the start page (`id="open-wallet"`) as a wallet URL. In development
/// the button opens the built-in test wallet, `{issuer}/dev/wallet?<the wallet URL's query>`, as no
/// app answers `openid4vp://` on a developer's machine: the query is the wallet URL's, so the
/// wallet URL is `openid4vp://?` + that query.
pub fn wallet_url_of(html: &str) -> Option<String> {
    link_as_wallet_url(html, "id=\"open-wallet\" href=\"")
}

/// The cross-device wallet URL (the QR code's, `request_uri` with `?flow=cross`), taken from the
/// development page's link that opens the test wallet as the second device (`id="dev-cross"`):
/// the QR code itself is an image.
pub fn cross_wallet_url_of(html: &str) -> Option<String> {
    link_as_wallet_url(html, "id=\"dev-cross\" href=\"")
}

fn link_as_wallet_url(html: &str, marker: &str) -> Option<String> {
    let start = html.find(marker)? + marker.len();
    let href = html_decode(html[start..].split('"').next()?);
    match href.split_once("/dev/wallet?") {
        Some((_, query)) => Some(format!("openid4vp://?{query}")),
        None => Some(href),
    }
}

/// The "Weiter" form of the start page (`GET /wallet/poll/{handle}`), resolved against the broker.
pub fn poll_url_of(bed: &WalletBed, html: &str) -> Option<url::Url> {
    let action = html
        .split("action=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .map(html_decode)
        .find(|a| a.contains("/wallet/poll/"))?;
    url::Url::parse(&bed.broker.base).ok()?.join(&action).ok()
}

/// Undo HTML escaping (`&amp;`, `&quot;`, numeric references as minijinja writes them).
pub fn html_decode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        let Some(end) = tail.find(';') else {
            out.push_str(tail);
            return out;
        };
        let entity = &tail[1..end];
        let decoded = match entity {
            "amp" => Some('&'),
            "quot" => Some('"'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "apos" => Some('\''),
            e if e.starts_with("#x") || e.starts_with("#X") => u32::from_str_radix(&e[2..], 16).ok().and_then(char::from_u32),
            e if e.starts_with('#') => e[1..].parse().ok().and_then(char::from_u32),
            _ => None,
        };
        match decoded {
            Some(ch) => {
                out.push(ch);
                rest = &tail[end + 1..];
            }
            None => {
                out.push('&');
                rest = &tail[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// The relying party's callback: its `code` (state and iss checked).
pub fn code_of(bed: &WalletBed, end: &End) -> String {
    let End::Left(cb) = end else {
        panic!("expected the relying party's callback, got {end:?}")
    };
    assert!(cb.as_str().starts_with(&demo_redirect(&bed.broker)), "{cb}");
    assert_eq!(param(cb, "state").as_deref(), Some(RP_STATE));
    assert_eq!(param(cb, "iss").as_deref(), Some(bed.broker.base.as_str()));
    param(cb, "code").unwrap_or_else(|| panic!("a code: {cb}"))
}

/// What the relying party holds after redeeming a code as a stock RP (the `openidconnect` crate).
pub struct AtRp {
    /// The verified ID token's claims, as JSON.
    pub id_token: Value,
    /// The userinfo response, as JSON.
    pub userinfo: Value,
}

/// Redeem `code` as the demo client, verify the ID token, fetch userinfo.
pub async fn redeem(bed: &WalletBed, code: &str, verifier: String) -> AtRp {
    let http = http_client();
    let b = &bed.broker;
    let meta = CoreProviderMetadata::discover_async(IssuerUrl::new(b.base.clone()).expect("issuer"), &http)
        .await
        .expect("discovery");
    let client = CoreClient::from_provider_metadata(meta, ClientId::new("demo".into()), Some(ClientSecret::new(SECRET.into())))
        .set_redirect_uri(RedirectUrl::new(demo_redirect(b)).expect("redirect"));
    let tokens = client
        .exchange_code(AuthorizationCode::new(code.to_owned()))
        .expect("token endpoint")
        .set_pkce_verifier(PkceCodeVerifier::new(verifier))
        .request_async(&http)
        .await
        .expect("the code redeems");
    let id_token = tokens.id_token().expect("an ID token");
    let v = client
        .id_token_verifier()
        .set_allowed_algs(vec![CoreJwsSigningAlgorithm::EcdsaP256Sha256]);
    id_token
        .claims(&v, &Nonce::new("n-456".into()))
        .expect("a stock RP accepts the ID token");
    let payload = id_token.to_string();
    let payload = payload.split('.').nth(1).expect("JWS payload");
    let id_token: Value =
        serde_json::from_slice(&base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(payload).expect("base64url")).expect("JSON");
    let userinfo = http
        .get(b.url("/userinfo"))
        .bearer_auth(tokens.access_token().secret())
        .send()
        .await
        .expect("userinfo")
        .text()
        .await
        .expect("userinfo body");
    let userinfo: Value = serde_json::from_str(&userinfo).unwrap_or_else(|e| panic!("userinfo JSON ({e}): {userinfo}"));
    AtRp { id_token, userinfo }
}

/// How the broker refused a presentation.
#[derive(Debug)]
pub enum Refusal {
    /// At `response_uri`: the HTTP status and the JSON body (`error`, `error_description`).
    AtResponseUri(u16, Value),
    /// `response_uri` answered with a `redirect_uri`, and the browser following it got this
    /// (a page or the relying party's error) — never a code.
    InBrowser(End),
}

impl Refusal {
    /// Every text of the refusal, for matching the reason.
    pub fn text(&self) -> String {
        match self {
            Refusal::AtResponseUri(status, body) => format!("{status} {body}"),
            Refusal::InBrowser(End::Page(status, html)) => format!("{status} {html}"),
            Refusal::InBrowser(End::Left(url)) => url.to_string(),
        }
    }
}

/// The wallet's answer was refused, one way or the other, and no code reached the relying party;
/// no session, code or grant exists. `jar` is the browser that started the login.
pub async fn assert_refused(bed: &WalletBed, c: &reqwest::Client, jar: &mut Jar, run: &Run, what: &str) -> Refusal {
    run.ok();
    let refusal = match run.redirect_uri() {
        Some(redirect) if run.status() == 200 => {
            let (end, cookies) = bed.back_in_browser(c, jar, &redirect).await;
            if let End::Left(url) = &end {
                assert_eq!(param(url, "code"), None, "{what}: no code may reach the relying party: {url}");
            }
            assert!(
                cookies.iter().all(|c| !c.contains("bk_session")),
                "{what}: no session cookie: {cookies:?}"
            );
            Refusal::InBrowser(end)
        }
        _ => {
            let status = run.status();
            assert!(
                (400..500).contains(&status),
                "{what}: response_uri refuses with a client error: {}",
                run.out
            );
            assert!(
                run.body()["error"].is_string(),
                "{what}: an OAuth error body (VP §8.2): {}",
                run.out
            );
            assert!(run.redirect_uri().is_none(), "{what}: no redirect_uri with a refusal: {}", run.out);
            Refusal::AtResponseUri(status, run.body().clone())
        }
    };
    bed.assert_nothing_created(what).await;
    refusal
}
