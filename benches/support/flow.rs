//! The browser and relying-party side of one whole brokered eID login, and a driver that runs
//! many of them at a fixed concurrency while the broker's CPU time is measured.
//!
//! One login: `GET /authorize` → (login choice → start) → the upstream start redirect carrying
//! the signed AuthnRequest → the bench's IdP answers (not timed: its CPU is not the broker's) →
//! `POST /saml/acs` → `GET /login/continue/…` → consent page and `POST` → the code at the relying
//! party's redirect URI → `POST /token` (authorization_code, PKCE, client_secret_basic) →
//! `GET /userinfo`.

use super::broker::{Broker, ISSUER};
use super::idp::{Idp, SSO_URL};
use super::web::{hidden, location, Jar};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use sha2::Digest;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The demo relying party's secret in config/dev.toml.
pub const SECRET: &str = "demo-relying-party-secret-for-development-only";
const REDIRECT: &str = "http://127.0.0.1:8080/demo/callback";

pub use super::web::Res;

/// The HTTP client of the load generator (keep-alive, no redirects followed).
pub fn client() -> Res<reqwest::Client> {
    buergerkonto::tls::http_client_builder()
        .map_err(|e| e.to_string())?
        .redirect(reqwest::redirect::Policy::none())
        .pool_max_idle_per_host(512)
        .build()
        .map_err(|e| e.to_string())
}

struct Browser<'a> {
    c: &'a reqwest::Client,
    b: &'a Broker,
    jar: Jar,
    /// Requests sent to the broker so far.
    sent: u32,
}

impl Browser<'_> {
    async fn get(&mut self, url: &str) -> Res<reqwest::Response> {
        self.sent += 1;
        let r = self
            .c
            .get(self.b.at(url))
            .header("cookie", self.jar.header())
            .send()
            .await
            .map_err(|e| e.to_string())?;
        self.jar.absorb(&r);
        Ok(r)
    }

    async fn post(&mut self, url: &str, form: &[(&str, &str)]) -> Res<reqwest::Response> {
        self.sent += 1;
        let r = self
            .c
            .post(self.b.at(url))
            .header("cookie", self.jar.header())
            .header("origin", ISSUER)
            .form(form)
            .send()
            .await
            .map_err(|e| e.to_string())?;
        self.jar.absorb(&r);
        Ok(r)
    }

    async fn page(&mut self, url: &str) -> Res<String> {
        self.get(url).await?.text().await.map_err(|e| e.to_string())
    }
}

async fn json(res: reqwest::Response) -> Res<serde_json::Value> {
    let status = res.status();
    let text = res.text().await.map_err(|e| e.to_string())?;
    if !status.is_success() {
        return Err(format!("{status}: {text}"));
    }
    serde_json::from_str(&text).map_err(|e| format!("{e}: {text}"))
}

/// What one login gave the relying party, and the time spent waiting for the broker.
pub struct Login {
    /// The refresh token of the grant.
    pub refresh_token: String,
    /// Wall time of the login minus the IdP's time to build its Response.
    pub broker_time: Duration,
    /// HTTP requests the login sent to the broker (browser and relying party).
    pub requests: u32,
}

/// One whole login of a new citizen.
pub async fn login(c: &reqwest::Client, b: &Broker, idp: &Idp) -> Res<Login> {
    let t0 = Instant::now();
    let mut br = Browser {
        c,
        b,
        jar: Jar::default(),
        sent: 0,
    };
    let verifier = URL_SAFE_NO_PAD.encode(rand::random::<[u8; 32]>());
    let challenge = URL_SAFE_NO_PAD.encode(sha2::Sha256::digest(verifier.as_bytes()));
    let authorize = url::Url::parse_with_params(
        &format!("{ISSUER}/authorize"),
        &[
            ("response_type", "code"),
            ("client_id", "demo"),
            ("redirect_uri", REDIRECT),
            ("scope", "openid profile offline_access"),
            ("prompt", "consent"),
            ("idp_hint", "eid"),
            ("state", "s"),
            ("nonce", "n"),
            ("code_challenge", challenge.as_str()),
            ("code_challenge_method", "S256"),
        ],
    )
    .map_err(|e| e.to_string())?;
    // Authorize, then (if the broker shows it) the login choice, until the upstream start
    // redirect to the IdP.
    let mut next = location(&br.get(authorize.as_str()).await?)?;
    for _ in 0..4 {
        if next.starts_with(SSO_URL) {
            break;
        }
        let res = br.get(&next).await?;
        if res.status().is_redirection() {
            next = location(&res)?;
            continue;
        }
        let html = res.text().await.map_err(|e| e.to_string())?;
        let csrf = hidden(&html, "csrf")?;
        let path = next.strip_prefix(ISSUER).unwrap_or(&next).to_owned();
        next = location(&br.post(&format!("{path}/start"), &[("csrf", &csrf), ("method", "eid")]).await?)?;
    }
    if !next.starts_with(SSO_URL) {
        return Err(format!("no upstream start redirect: {next}"));
    }
    let t_idp = Instant::now();
    let answer = idp.answer(&next)?;
    let idp_time = t_idp.elapsed();
    next = location(
        &br.post(
            &answer.acs,
            &[("SAMLResponse", &answer.saml_response), ("RelayState", &answer.relay_state)],
        )
        .await?,
    )?;
    // Continue and consent, until the relying party's callback.
    for _ in 0..4 {
        if next.starts_with(REDIRECT) {
            break;
        }
        if next.contains("/consent/") {
            let html = br.page(&next).await?;
            let csrf = hidden(&html, "csrf")?;
            next = location(&br.post(&next, &[("csrf", &csrf), ("decision", "approve")]).await?)?;
        } else {
            next = location(&br.get(&next).await?)?;
        }
    }
    let cb = url::Url::parse(&next).map_err(|e| e.to_string())?;
    let code = cb
        .query_pairs()
        .find(|(k, _)| k == "code")
        .map(|(_, v)| v.into_owned())
        .ok_or_else(|| format!("no code: {next}"))?;
    let t = json(
        c.post(b.at("/token"))
            .basic_auth("demo", Some(SECRET))
            .form(&[
                ("grant_type", "authorization_code"),
                ("code", code.as_str()),
                ("redirect_uri", REDIRECT),
                ("code_verifier", verifier.as_str()),
            ])
            .send()
            .await
            .map_err(|e| e.to_string())?,
    )
    .await?;
    let at = t["access_token"].as_str().ok_or("no access token")?;
    let refresh_token = t["refresh_token"].as_str().ok_or("no refresh token")?.to_owned();
    let info = json(c.get(b.at("/userinfo")).bearer_auth(at).send().await.map_err(|e| e.to_string())?).await?;
    if info["sub"].as_str().is_none_or(str::is_empty) {
        return Err(format!("userinfo without sub: {info}"));
    }
    Ok(Login {
        refresh_token,
        broker_time: t0.elapsed().saturating_sub(idp_time),
        // The browser's requests, then the relying party's token and userinfo requests.
        requests: br.sent + 2,
    })
}

/// One refresh grant: the rotated refresh token.
pub async fn refresh(c: &reqwest::Client, b: &Broker, refresh_token: &str) -> Res<String> {
    let t = json(
        c.post(b.at("/token"))
            .basic_auth("demo", Some(SECRET))
            .form(&[("grant_type", "refresh_token"), ("refresh_token", refresh_token)])
            .send()
            .await
            .map_err(|e| e.to_string())?,
    )
    .await?;
    Ok(t["refresh_token"].as_str().ok_or("no rotated refresh token")?.to_owned())
}

/// What a timed run measured.
#[derive(Debug, Default)]
pub struct Run {
    /// Completed operations.
    pub ok: u64,
    /// Failed operations.
    pub failed: u64,
    /// The first errors.
    pub errors: Vec<String>,
    /// Latencies in µs, sorted.
    pub latencies_us: Vec<u64>,
    /// Wall time from the first start to the last completion.
    pub elapsed: Duration,
    /// Broker CPU time over the same span.
    pub cpu: Duration,
    /// CPU time of the local Redis server over the same span (shared with its other clients).
    pub redis_cpu: Option<Duration>,
    /// Refresh tokens the operations returned.
    pub refresh_tokens: Vec<String>,
}

impl Run {
    /// Operations per second.
    pub fn rate(&self) -> f64 {
        self.ok as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }

    /// Broker CPU per completed operation, in milliseconds.
    pub fn cpu_ms_each(&self) -> f64 {
        self.cpu.as_secs_f64() * 1e3 / (self.ok.max(1) as f64)
    }

    /// Redis CPU per completed operation in milliseconds, as text ("-" if Redis is not local).
    pub fn redis_ms_each(&self) -> String {
        self.redis_cpu
            .map(|c| format!("{:.3}", c.as_secs_f64() * 1e3 / (self.ok.max(1) as f64)))
            .unwrap_or_else(|| "-".into())
    }
}

/// Run `op` from `concurrency` workers until `secs` have passed (or `limit` operations started,
/// if not 0). Every worker finishes the operation it is in, so the broker CPU measured from the
/// first start to the last end belongs to completed operations only. `op` returns the latency to
/// record and optionally a refresh token to keep.
pub async fn drive<F, Fut>(b: &Broker, concurrency: u64, secs: f64, limit: u64, op: F) -> Run
where
    F: Fn(u64) -> Fut + Clone + Send + Sync + 'static,
    Fut: std::future::Future<Output = Res<(Duration, Option<String>)>> + Send,
{
    let stop = Arc::new(AtomicBool::new(false));
    let started = Arc::new(std::sync::atomic::AtomicU64::new(0));
    let out = Arc::new(Mutex::new(Run::default()));
    let (cpu0, redis0) = (b.cpu(), super::store::redis_cpu());
    let t0 = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..concurrency {
        let (stop, started, out, op) = (stop.clone(), started.clone(), out.clone(), op.clone());
        tasks.push(tokio::spawn(async move {
            while !stop.load(Ordering::Relaxed) {
                let i = started.fetch_add(1, Ordering::Relaxed);
                if limit > 0 && i >= limit {
                    break;
                }
                let r = op(i).await;
                let Ok(mut o) = out.lock() else { break };
                match r {
                    Ok((lat, rt)) => {
                        o.ok += 1;
                        o.latencies_us.push(lat.as_micros() as u64);
                        o.refresh_tokens.extend(rt);
                    }
                    Err(e) => {
                        o.failed += 1;
                        if o.errors.len() < 5 {
                            o.errors.push(e);
                        }
                    }
                }
            }
        }));
    }
    if secs > 0.0 {
        let deadline = Duration::from_secs_f64(secs);
        while t0.elapsed() < deadline && !tasks.iter().all(|t| t.is_finished()) {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        stop.store(true, Ordering::Relaxed);
    }
    for t in tasks {
        let _ = t.await;
    }
    let elapsed = t0.elapsed();
    let cpu = b.cpu().saturating_sub(cpu0);
    let redis_cpu = redis0.zip(super::store::redis_cpu()).map(|(a, b)| b.saturating_sub(a));
    let mut run = out.lock().map(|mut o| std::mem::take(&mut *o)).unwrap_or_default();
    run.elapsed = elapsed;
    run.cpu = cpu;
    run.redis_cpu = redis_cpu;
    run.latencies_us.sort_unstable();
    run
}
