//! Load and soak (issue 12 item 7): two real broker processes (`buergerkonto serve`, release build)
//! on one Redis namespace, sharing their keys by configuration, and a load generator in this process
//! that plays browsers and the relying party against both: every login goes authorize on A → the
//! development eID simulator (a signed AuthnRequest, a signed Response with an AES-256-GCM
//! encrypted assertion) → ACS on B → continue and consent on A → code redeemed on B, then a refresh
//! on A and an introspection on B.
//!
//! ```sh
//! cargo bench --bench load                                  # capacity: as fast as it goes, 60 s
//! BK_LOAD_RATE=20 BK_LOAD_SECS=600 cargo bench --bench load # soak: 20 logins/s for 10 minutes
//! ```
//! `BK_LOAD_CONCURRENCY` (default 16) browsers at once; `REDIS_URL` (default the local Redis). It
//! reports logins/s, login latency p50/p99, errors (with the first ones), and every 30 s the
//! resident memory (VmRSS) of both brokers. It fails (exit 1) on any error. At the end it deletes
//! its own namespace from Redis.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use sha2::Digest;
use std::io::BufRead;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The browser helpers shared with the login and scale benches.
#[path = "support/web.rs"]
mod web;
use web::{hidden, location, Jar, Res, ISSUER};

const BIN: &str = env!("CARGO_BIN_EXE_buergerkonto");
const ROOT: &str = env!("CARGO_MANIFEST_DIR");
const SECRET: &str = "demo-relying-party-secret-for-development-only";

/// One broker process; killed when dropped.
struct Broker {
    child: Child,
    base: String,
}

impl Drop for Broker {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Broker {
    fn start(config: &std::path::Path) -> Broker {
        let mut child = Command::new(BIN)
            .args(["serve", "--config", config.to_str().unwrap_or_default()])
            .current_dir(ROOT)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("the broker binary");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in std::io::BufReader::new(stdout).lines().map_while(Result::ok) {
                let v: serde_json::Value = serde_json::from_str(&line).unwrap_or_default();
                if v["fields"]["message"] == "buergerkonto listening" {
                    let _ = tx.send(v["fields"]["listen"].as_str().unwrap_or_default().to_owned());
                }
            }
        });
        let listen = rx.recv_timeout(Duration::from_secs(60)).expect("the broker did not start");
        Broker {
            child,
            base: format!("http://{listen}"),
        }
    }

    fn at(&self, url: &str) -> String {
        format!("{}{}", self.base, url.strip_prefix(ISSUER).unwrap_or(url))
    }

    fn rss_kib(&self) -> u64 {
        std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .ok()
            .and_then(|s| {
                s.lines()
                    .find(|l| l.starts_with("VmRSS:"))
                    .and_then(|l| l.split_whitespace().nth(1).and_then(|n| n.parse().ok()))
            })
            .unwrap_or(0)
    }
}

/// The development configuration on Redis with shared key files, listening on port 0, JSON logs;
/// the path and the run's own store namespace.
fn config(dir: &std::path::Path) -> (std::path::PathBuf, String) {
    let key = dir.join("signing-es256.pem");
    let o = Command::new(BIN)
        .args(["keys", "generate", "--alg", "ES256", "--out", key.to_str().unwrap_or_default()])
        .output()
        .expect("keys generate");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = std::fs::read_to_string(format!("{ROOT}/config/dev.toml")).expect("config/dev.toml");
    let mut c: toml::Table = toml::from_str(&text).expect("dev.toml parses");
    let ns = format!("bk-load-{}", std::process::id());
    let set = |c: &mut toml::Table, table: &str, key: &str, v: toml::Value| {
        if let Some(toml::Value::Table(t)) = c.get_mut(table) {
            t.insert(key.into(), v);
        }
    };
    set(&mut c, "server", "listen", "127.0.0.1:0".into());
    set(&mut c, "server", "log_format", "json".into());
    set(&mut c, "store", "backend", "redis".into());
    set(&mut c, "store", "namespace", ns.clone().into());
    let redis = std::env::var("REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".into());
    set(&mut c, "store", "redis_url", redis.into());
    set(&mut c, "keys", "generate_dev_keys", false.into());
    let mut k = toml::Table::new();
    k.insert("alg".into(), "ES256".into());
    k.insert("file".into(), key.display().to_string().into());
    set(&mut c, "keys", "signing", toml::Value::Array(vec![toml::Value::Table(k)]));
    let path = dir.join("load.toml");
    std::fs::write(&path, toml::to_string(&c).expect("toml")).expect("write config");
    (path, ns)
}

/// Delete every key of the run's namespace (SCAN + DEL, never FLUSH*): a soak leaves hundreds of
/// thousands of records with long TTLs (refresh tokens), which would slow every later SCAN of the
/// shared Redis — the tests' leftovers checks among them.
async fn cleanup(ns: &str) -> u64 {
    let url = std::env::var("REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".into());
    let Ok(client) = redis::Client::open(url) else { return 0 };
    let Ok(mut conn) = client.get_multiplexed_async_connection().await else {
        return 0;
    };
    let mut deleted = 0u64;
    let mut cursor: u64 = 0;
    loop {
        let Ok((next, keys)): redis::RedisResult<(u64, Vec<String>)> = redis::cmd("SCAN")
            .arg(cursor)
            .arg("MATCH")
            .arg(format!("{ns}:*"))
            .arg("COUNT")
            .arg(5000)
            .query_async(&mut conn)
            .await
        else {
            return deleted;
        };
        if !keys.is_empty() {
            let n: u64 = redis::cmd("DEL").arg(&keys).query_async(&mut conn).await.unwrap_or(0);
            deleted += n;
        }
        if next == 0 {
            return deleted;
        }
        cursor = next;
    }
}

struct Browser<'a> {
    c: &'a reqwest::Client,
    jar: Jar,
}

impl Browser<'_> {
    async fn get(&mut self, url: &str) -> Res<reqwest::Response> {
        let r = self
            .c
            .get(url)
            .header("cookie", self.jar.header())
            .send()
            .await
            .map_err(|e| e.to_string())?;
        self.jar.absorb(&r);
        Ok(r)
    }

    async fn post(&mut self, url: &str, form: &[(&str, &str)]) -> Res<reqwest::Response> {
        let r = self
            .c
            .post(url)
            .header("cookie", self.jar.header())
            .header("origin", ISSUER)
            .form(form)
            .send()
            .await
            .map_err(|e| e.to_string())?;
        self.jar.absorb(&r);
        Ok(r)
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

/// One whole login across A and B, then a refresh on A and an introspection on B.
async fn login(c: &reqwest::Client, a: &Broker, b: &Broker) -> Res<()> {
    let mut br = Browser { c, jar: Jar::default() };
    let verifier = URL_SAFE_NO_PAD.encode(rand::random::<[u8; 32]>());
    let challenge = URL_SAFE_NO_PAD.encode(sha2::Sha256::digest(verifier.as_bytes()));
    let redirect = format!("{ISSUER}/demo/callback");
    let authorize = url::Url::parse_with_params(
        &a.at("/authorize"),
        &[
            ("response_type", "code"),
            ("client_id", "demo"),
            ("redirect_uri", redirect.as_str()),
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
    let mut next = location(&br.get(authorize.as_str()).await?)?;
    if next.contains("/login/") {
        let path = next.strip_prefix(ISSUER).unwrap_or(&next).to_owned();
        let html = br.get(&a.at(&path)).await?.text().await.map_err(|e| e.to_string())?;
        let csrf = hidden(&html, "csrf")?;
        next = location(
            &br.post(&a.at(&format!("{path}/start")), &[("csrf", &csrf), ("method", "eid")])
                .await?,
        )?;
    }
    // The eID simulator (on A), then the ACS on B.
    let page = br.get(&a.at(&next)).await?.text().await.map_err(|e| e.to_string())?;
    let sim = hidden(&page, "sim")?;
    let form = br
        .post(
            &a.at("/dev/eid-simulator/answer"),
            &[("sim", &sim), ("person", "erika"), ("outcome", "success")],
        )
        .await?
        .text()
        .await
        .map_err(|e| e.to_string())?;
    let (saml, relay) = (hidden(&form, "SAMLResponse")?, hidden(&form, "RelayState")?);
    let mut next = location(
        &br.post(&b.at("/saml/acs"), &[("SAMLResponse", &saml), ("RelayState", &relay)])
            .await?,
    )?;
    // Continue and consent on A, until the relying party's callback.
    for _ in 0..4 {
        if next.starts_with(&redirect) {
            break;
        }
        if next.contains("/consent/") {
            let path = next.strip_prefix(ISSUER).unwrap_or(&next).to_owned();
            let html = br.get(&a.at(&path)).await?.text().await.map_err(|e| e.to_string())?;
            let csrf = hidden(&html, "csrf")?;
            next = location(&br.post(&a.at(&path), &[("csrf", &csrf), ("decision", "approve")]).await?)?;
        } else {
            next = location(&br.get(&a.at(&next)).await?)?;
        }
    }
    let cb = url::Url::parse(&next).map_err(|e| e.to_string())?;
    let code = cb
        .query_pairs()
        .find(|(k, _)| k == "code")
        .map(|(_, v)| v.into_owned())
        .ok_or_else(|| format!("no code: {next}"))?;
    let token = |node: &Broker, form: Vec<(&'static str, String)>, path: &str| {
        c.post(node.at(path)).basic_auth("demo", Some(SECRET)).form(&form).send()
    };
    let t = json(
        token(
            b,
            vec![
                ("grant_type", "authorization_code".into()),
                ("code", code),
                ("redirect_uri", redirect.clone()),
                ("code_verifier", verifier),
            ],
            "/token",
        )
        .await
        .map_err(|e| e.to_string())?,
    )
    .await?;
    let refresh = t["refresh_token"].as_str().ok_or("no refresh token")?.to_owned();
    let t2 = json(
        token(
            a,
            vec![("grant_type", "refresh_token".into()), ("refresh_token", refresh)],
            "/token",
        )
        .await
        .map_err(|e| e.to_string())?,
    )
    .await?;
    let at = t2["access_token"].as_str().ok_or("no access token")?.to_owned();
    let i = json(token(b, vec![("token", at)], "/introspect").await.map_err(|e| e.to_string())?).await?;
    if i["active"] != true {
        return Err(format!("introspection: {i}"));
    }
    Ok(())
}

#[derive(Default)]
struct Stats {
    ok: AtomicU64,
    failed: AtomicU64,
    first_errors: Mutex<Vec<String>>,
    latencies_us: Mutex<Vec<u64>>,
}

fn percentile(sorted: &[u64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)] as f64 / 1000.0
}

#[tokio::main]
async fn main() {
    let env = |k: &str, d: u64| std::env::var(k).ok().and_then(|v| v.parse().ok()).unwrap_or(d);
    let (secs, conc, rate) = (env("BK_LOAD_SECS", 60), env("BK_LOAD_CONCURRENCY", 16), env("BK_LOAD_RATE", 0));
    let dir = tempfile::tempdir().expect("tempdir");
    let (path, ns) = config(dir.path());
    let (a, b) = (Arc::new(Broker::start(&path)), Arc::new(Broker::start(&path)));
    let c = buergerkonto::tls::http_client_builder()
        .expect("client")
        .redirect(reqwest::redirect::Policy::none())
        .pool_max_idle_per_host(256)
        .build()
        .expect("client");
    login(&c, &a, &b).await.expect("a first login");
    println!(
        "load: {conc} browsers, {} for {secs} s, two brokers {} {}",
        if rate == 0 {
            "as fast as they go".into()
        } else {
            format!("{rate} logins/s")
        },
        a.base,
        b.base
    );
    let stats = Arc::new(Stats::default());
    let stop = Arc::new(AtomicBool::new(false));
    let start = Instant::now();
    let mut tasks = Vec::new();
    for w in 0..conc {
        let (c, a, b, stats, stop) = (c.clone(), a.clone(), b.clone(), stats.clone(), stop.clone());
        tasks.push(tokio::spawn(async move {
            let mut n = 0u64;
            while !stop.load(Ordering::Relaxed) {
                if rate > 0 {
                    // Each browser starts its n-th login at its share of the schedule.
                    let due = Duration::from_secs_f64((n * conc + w) as f64 / rate as f64);
                    let now = start.elapsed();
                    if due > now {
                        tokio::time::sleep(due - now).await;
                    }
                }
                n += 1;
                let t0 = Instant::now();
                match login(&c, &a, &b).await {
                    Ok(()) => {
                        stats.ok.fetch_add(1, Ordering::Relaxed);
                        stats.latencies_us.lock().map(|mut l| l.push(t0.elapsed().as_micros() as u64)).ok();
                    }
                    Err(e) => {
                        stats.failed.fetch_add(1, Ordering::Relaxed);
                        if let Ok(mut f) = stats.first_errors.lock() {
                            if f.len() < 5 {
                                f.push(e);
                            }
                        }
                    }
                }
            }
        }));
    }
    let mut next_sample = Duration::ZERO;
    while start.elapsed() < Duration::from_secs(secs) {
        if start.elapsed() >= next_sample {
            println!(
                "t={:>4} s  logins {:>7}  errors {:>3}  RSS A {} KiB  B {} KiB",
                start.elapsed().as_secs(),
                stats.ok.load(Ordering::Relaxed),
                stats.failed.load(Ordering::Relaxed),
                a.rss_kib(),
                b.rss_kib()
            );
            next_sample += Duration::from_secs(30);
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    stop.store(true, Ordering::Relaxed);
    for t in tasks {
        let _ = t.await;
    }
    let elapsed = start.elapsed().as_secs_f64();
    let mut l = stats.latencies_us.lock().map(|l| l.clone()).unwrap_or_default();
    l.sort_unstable();
    let (ok, failed) = (stats.ok.load(Ordering::Relaxed), stats.failed.load(Ordering::Relaxed));
    println!(
        "done: {ok} logins in {elapsed:.1} s = {:.1} logins/s (each: 7 browser requests incl. the eID simulator's 2, code redemption, refresh, introspection); p50 {:.1} ms, p99 {:.1} ms; errors {failed}; RSS A {} KiB, B {} KiB",
        ok as f64 / elapsed,
        percentile(&l, 0.5),
        percentile(&l, 0.99),
        a.rss_kib(),
        b.rss_kib()
    );
    drop((a, b));
    println!("cleanup: {} keys of {ns} deleted", cleanup(&ns).await);
    if failed > 0 {
        for e in stats.first_errors.lock().map(|f| f.clone()).unwrap_or_default() {
            println!("error: {e}");
        }
        std::process::exit(1);
    }
}
