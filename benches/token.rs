//! Benchmark (not a timed test) of the token endpoint (`authorization_code` and `refresh_token`
//! grants) and of introspection under concurrent load, against the **Redis** store.
//!
//! `cargo bench --bench token`. Starts a broker on 127.0.0.1 port 0 through the integration tests'
//! test bed (`tests/it/testbed.rs`) with config/dev.toml moved to
//! Redis (127.0.0.1:6379, a unique namespace; nothing is flushed, every record has a TTL), seeds
//! one Grant + AuthorizationCode per token request, and drives it over loopback HTTP with 16 and
//! 64 concurrent clients. Bounded: a fixed request count per run (`BK_TOKEN_REQUESTS`, default
//! 20,000; each run then lasts one to two seconds) and an overall time limit.
//! Prints requests/s, p50/p99 latency and Redis round trips per request (the store's debug
//! counter). The load generator runs in the same process (same tokio runtime, same 2 cores).
//! Every key it wrote is deleted at the end. Without Redis it prints a note and exits.

use buergerkonto::clock::{Clock, SystemClock};
use buergerkonto::oidc_provider::records::{AuthorizationCode, Grant};
use buergerkonto::oidc_provider::token::refresh_token::{RefreshRecord, RefreshState};
use buergerkonto::oidc_provider::tokens::{hash_key, random_id};
use buergerkonto::session::RecordKind;
use buergerkonto::trust::TrustLevel;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The binary's allocator (src/main.rs), so the in-process broker allocates as the real one does.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The integration tests' test bed (one builder for tests and benches; see its header).
#[path = "../tests/it/testbed.rs"]
mod testbed;

const SECRET: &str = "demo-relying-party-secret-for-development-only";
const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
/// Requests per run unless `BK_TOKEN_REQUESTS` says otherwise.
const REQUESTS_PER_RUN: usize = 20_000;
const CONCURRENCY: [usize; 2] = [16, 64];
const TIME_LIMIT: Duration = Duration::from_secs(300);

#[tokio::main]
async fn main() {
    match tokio::time::timeout(TIME_LIMIT, run()).await {
        Ok(Ok(())) => {}
        Ok(Err(e)) => println!("benchmark skipped: {e}"),
        Err(_) => println!("benchmark stopped at the time limit of {TIME_LIMIT:?}"),
    }
}

async fn run() -> Result<(), String> {
    let namespace = format!("bkbench-{}", &random_id()[..10]);
    let result = run_in(&namespace).await;
    if result.is_ok() {
        print_footprint(&namespace).await;
    }
    delete_namespace(&namespace).await;
    result
}

/// Redis memory per record kind (`MEMORY USAGE`, key and value and Redis' own overhead), the
/// average over up to 50 keys of each kind the runs left behind (issue 13 item 4).
async fn print_footprint(namespace: &str) {
    let Ok(client) = redis::Client::open("redis://127.0.0.1:6379") else {
        return;
    };
    let Ok(mut conn) = client.get_multiplexed_async_connection().await else {
        return;
    };
    println!("Redis memory per record (MEMORY USAGE, average of up to 50 keys):");
    for (kind, what) in [
        ("grant", "grant (one per login and client)"),
        ("code", "authorization code (until redeemed)"),
        ("code-used", "redeemed-code marker (10 min)"),
        ("rt", "active refresh token (one per family)"),
        ("rt-used", "rotated refresh token: tombstone (family lifetime)"),
        ("rt-grace", "rotated refresh token: successor (grace window)"),
    ] {
        let Ok((_, keys)): Result<(u64, Vec<String>), _> = redis::cmd("SCAN")
            .arg(0)
            .arg("MATCH")
            .arg(format!("{namespace}:{kind}:*"))
            .arg("COUNT")
            .arg(20_000)
            .query_async(&mut conn)
            .await
        else {
            continue;
        };
        let mut total = 0u64;
        let mut n = 0u64;
        for key in keys.iter().take(50) {
            if let Ok(Some(bytes)) = redis::cmd("MEMORY")
                .arg("USAGE")
                .arg(key)
                .query_async::<Option<u64>>(&mut conn)
                .await
            {
                total += bytes;
                n += 1;
            }
        }
        if let Some(avg) = total.checked_div(n) {
            println!("  {what:<52} {avg:>5} bytes");
        }
    }
}

/// Delete every key of the bench's namespace (SCAN, never FLUSH*).
async fn delete_namespace(namespace: &str) {
    let Ok(client) = redis::Client::open("redis://127.0.0.1:6379") else {
        return;
    };
    let Ok(mut conn) = client.get_multiplexed_async_connection().await else {
        return;
    };
    let pattern = format!("{namespace}:*");
    let mut cursor: u64 = 0;
    loop {
        let Ok((next, keys)): Result<(u64, Vec<String>), _> = redis::cmd("SCAN")
            .arg(cursor)
            .arg("MATCH")
            .arg(&pattern)
            .arg("COUNT")
            .arg(1000)
            .query_async(&mut conn)
            .await
        else {
            return;
        };
        if !keys.is_empty() {
            let _: Result<(), _> = redis::cmd("DEL").arg(&keys).query_async(&mut conn).await;
        }
        if next == 0 {
            return;
        }
        cursor = next;
    }
}

async fn run_in(namespace: &str) -> Result<(), String> {
    let namespace = namespace.to_owned();
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let ns = namespace.clone();
    let broker = testbed::TestBroker::new()
        .with_clock(clock.clone())
        .with_config(move |c| {
            c.store.backend = Some("redis".into());
            c.store.redis_url = Some("redis://127.0.0.1:6379".into());
            c.store.namespace = Some(ns);
        })
        .try_start()
        .await
        .map_err(|e| format!("Redis at 127.0.0.1:6379 not usable ({e})"))?;
    let state = broker.state.clone();
    let backend = "src/session/redis.rs";
    let base = broker.base.clone();
    let redirect = format!("{base}/demo/callback");
    println!(
        "buergerkonto token-side benchmark: {} CPUs ({}), Redis store via {backend}, namespace {namespace}",
        std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0),
        cpu_model()
    );
    let http = buergerkonto::tls::http_client_builder()
        .map_err(|e| e.to_string())?
        .redirect(openidconnect::reqwest::redirect::Policy::none())
        .pool_max_idle_per_host(128)
        .build()
        .map_err(|e| e.to_string())?;
    let basic = format!(
        "Basic {}",
        base64::Engine::encode(&base64::engine::general_purpose::STANDARD, format!("demo:{SECRET}"))
    );
    let round_trips = || state.records().backend().round_trips().unwrap_or(0);
    let per_run = match std::env::var("BK_TOKEN_REQUESTS") {
        Ok(v) => v.parse::<usize>().map_err(|_| format!("BK_TOKEN_REQUESTS: not a count: {v:?}"))?,
        Err(_) => REQUESTS_PER_RUN,
    };
    let mut access_tokens = Vec::new();
    for c in CONCURRENCY {
        let codes = seed(&state, clock.unix(), &redirect, per_run).await?;
        let before = round_trips();
        let (http, basic, base, redirect) = (http.clone(), basic.clone(), base.clone(), redirect.clone());
        let (stats, tokens) = drive(c, codes, move |code| {
            let req = http.post(format!("{base}/token")).header("authorization", &basic).form(&[
                ("grant_type", "authorization_code"),
                ("code", code.as_str()),
                ("redirect_uri", redirect.as_str()),
                ("code_verifier", VERIFIER),
            ]);
            async move {
                let res = req.send().await.map_err(|e| e.to_string())?;
                if res.status() != 200 {
                    return Err(format!("token status {}", res.status()));
                }
                let body: serde_json::Value =
                    serde_json::from_str(&res.text().await.map_err(|e| e.to_string())?).map_err(|e| e.to_string())?;
                Ok(body["access_token"].as_str().unwrap_or_default().to_owned())
            }
        })
        .await;
        stats.print("POST /token (authorization_code)", c);
        stats.print_round_trips(round_trips() - before);
        access_tokens = tokens;
    }
    for c in CONCURRENCY {
        let tokens = seed_refresh(&state, clock.unix(), per_run).await?;
        let before = round_trips();
        let (http, basic, base) = (http.clone(), basic.clone(), base.clone());
        let (stats, _) = drive(c, tokens, move |rt| {
            let req = http
                .post(format!("{base}/token"))
                .header("authorization", &basic)
                .form(&[("grant_type", "refresh_token"), ("refresh_token", rt.as_str())]);
            async move {
                let res = req.send().await.map_err(|e| e.to_string())?;
                if res.status() != 200 {
                    return Err(format!("refresh status {}", res.status()));
                }
                Ok(String::new())
            }
        })
        .await;
        stats.print("POST /token (refresh_token)", c);
        stats.print_round_trips(round_trips() - before);
    }
    for c in CONCURRENCY {
        let inputs: Vec<String> = access_tokens.iter().cycle().take(per_run).cloned().collect();
        let before = round_trips();
        let (http, basic, base) = (http.clone(), basic.clone(), base.clone());
        let (stats, _) = drive(c, inputs, move |token| {
            let req = http
                .post(format!("{base}/introspect"))
                .header("authorization", &basic)
                .form(&[("token", token.as_str())]);
            async move {
                let res = req.send().await.map_err(|e| e.to_string())?;
                let text = res.text().await.map_err(|e| e.to_string())?;
                if !text.contains("\"active\":true") {
                    return Err("token inactive".into());
                }
                Ok(String::new())
            }
        })
        .await;
        stats.print("POST /introspect (active access token)", c);
        stats.print_round_trips(round_trips() - before);
    }
    drop(broker);
    Ok(())
}

fn cpu_model() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|t| {
            t.lines()
                .find(|l| l.starts_with("model name"))
                .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".into())
}

/// Insert `n` grants and codes for the demo client, as the authorization side would.
async fn seed(state: &buergerkonto::AppState, now: i64, redirect: &str, n: usize) -> Result<Vec<String>, String> {
    let mut codes = Vec::with_capacity(n);
    for _ in 0..n {
        let grant = grant(now, &["openid", "profile"]);
        let grant_id = grant.id.as_str().to_owned();
        let code = random_id();
        let ac = AuthorizationCode {
            grant_id: grant_id.as_str().into(),
            client_id: "demo".into(),
            redirect_uri: redirect.to_owned(),
            code_challenge: CHALLENGE.into(),
            nonce: Some(random_id().into()),
            expires_at: now + 600,
            sid: Some(grant.sid.clone()),
            refresh_scopes: None,
        };
        let r = state.records();
        r.put(RecordKind::Grant, &grant_id, &grant, Duration::from_secs(600))
            .await
            .map_err(|e| e.to_string())?;
        r.put(RecordKind::AuthorizationCode, &hash_key(&code), &ac, Duration::from_secs(600))
            .await
            .map_err(|e| e.to_string())?;
        codes.push(code);
    }
    Ok(codes)
}

/// Insert `n` grants with one active refresh token each, as a code redemption would.
async fn seed_refresh(state: &buergerkonto::AppState, now: i64, n: usize) -> Result<Vec<String>, String> {
    let mut tokens = Vec::with_capacity(n);
    for _ in 0..n {
        let grant = grant(now, &["openid", "profile", "offline_access"]);
        let token = random_id();
        let record = RefreshRecord {
            grant_id: grant.id.clone(),
            family: random_id(),
            client_id: "demo".into(),
            scopes: grant.scopes.clone(),
            issued_at: now,
            expires_at: now + 3600,
            state: RefreshState::Active,
        };
        let r = state.records();
        r.put(RecordKind::Grant, grant.id.as_str(), &grant, Duration::from_secs(3600))
            .await
            .map_err(|e| e.to_string())?;
        r.put(RecordKind::RefreshToken, &hash_key(&token), &record, Duration::from_secs(3600))
            .await
            .map_err(|e| e.to_string())?;
        tokens.push(token);
    }
    Ok(tokens)
}

fn grant(now: i64, scopes: &[&str]) -> Grant {
    let mut claims = buergerkonto::identity::Attributes::new();
    claims.insert("given_name".into(), "Erika".into());
    claims.insert("family_name".into(), "Mustermann".into());
    Grant {
        id: random_id().as_str().into(),
        client_id: "demo".into(),
        sub: random_id(),
        scopes: scopes.iter().map(|s| s.to_string()).collect(),
        claims,
        id_token_claims: vec![],
        organisation: None,
        level: TrustLevel::Substantial,
        amr: vec!["eid".into()],
        auth_time: now,
        sid: random_id(),
        created_at: now,
        expires_at: now + 3600,
    }
}

struct Stats {
    latencies: Vec<Duration>,
    errors: usize,
    elapsed: Duration,
    /// CPU time of the whole process during the run (broker and load generator together).
    cpu: Duration,
}

/// CPU time of this process so far (user + system, from /proc/self/stat; clock ticks of 10 ms).
/// On a machine shared with other work, CPU per request is the figure that stays comparable
/// between runs; requests/s follows whatever else the cores are doing.
fn process_cpu() -> Duration {
    let ticks = std::fs::read_to_string("/proc/self/stat")
        .ok()
        .and_then(|s| {
            // Fields after the command name (which is in parentheses and may hold spaces).
            let rest = s.rsplit_once(')')?.1.split_whitespace().collect::<Vec<_>>().join(" ");
            let f: Vec<&str> = rest.split(' ').collect();
            Some(f.get(11)?.parse::<u64>().ok()? + f.get(12)?.parse::<u64>().ok()?)
        })
        .unwrap_or(0);
    Duration::from_millis(ticks * 10)
}

impl Stats {
    fn print_round_trips(&self, total: u64) {
        let n = self.latencies.len() + self.errors;
        println!(
            "{:<42}       Redis round trips per request: {:.2}",
            "",
            total as f64 / n.max(1) as f64
        );
    }

    fn print(&self, what: &str, concurrency: usize) {
        let mut l = self.latencies.clone();
        l.sort();
        let pct = |p: f64| {
            l.get(((l.len() as f64 * p) as usize).min(l.len().saturating_sub(1)))
                .copied()
                .unwrap_or_default()
        };
        println!(
            "{what:<42} c={concurrency:<3} n={:<5} errors={:<3} {:>8.0} req/s   p50 {:>7.2} ms   p99 {:>7.2} ms   CPU/req {:>5.0} µs",
            l.len(),
            self.errors,
            l.len() as f64 / self.elapsed.as_secs_f64(),
            pct(0.50).as_secs_f64() * 1e3,
            pct(0.99).as_secs_f64() * 1e3,
            self.cpu.as_secs_f64() * 1e6 / (l.len() + self.errors).max(1) as f64,
        );
    }
}

/// Run one request per input with `concurrency` workers; collect latencies and results.
async fn drive<F, Fut>(concurrency: usize, inputs: Vec<String>, make: F) -> (Stats, Vec<String>)
where
    F: Fn(String) -> Fut + Clone + Send + 'static,
    Fut: std::future::Future<Output = Result<String, String>> + Send,
{
    let inputs = Arc::new(inputs);
    let next = Arc::new(AtomicUsize::new(0));
    let start = Instant::now();
    let cpu_start = process_cpu();
    let mut tasks = Vec::new();
    for _ in 0..concurrency {
        let (inputs, next, make) = (inputs.clone(), next.clone(), make.clone());
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::new();
            let mut out = Vec::new();
            let mut errors = 0;
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(input) = inputs.get(i) else { break };
                let t = Instant::now();
                match make(input.clone()).await {
                    Ok(o) => {
                        lat.push(t.elapsed());
                        out.push(o);
                    }
                    Err(e) => {
                        if errors == 0 {
                            eprintln!("request failed: {e}");
                        }
                        errors += 1;
                    }
                }
            }
            (lat, out, errors)
        }));
    }
    let mut stats = Stats {
        latencies: Vec::new(),
        errors: 0,
        elapsed: Duration::ZERO,
        cpu: Duration::ZERO,
    };
    let mut outputs = Vec::new();
    for t in tasks {
        if let Ok((lat, out, errors)) = t.await {
            stats.latencies.extend(lat);
            outputs.extend(out);
            stats.errors += errors;
        }
    }
    stats.elapsed = start.elapsed();
    stats.cpu = process_cpu().saturating_sub(cpu_start);
    (stats, outputs)
}
