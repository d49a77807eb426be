//! Benchmark of the whole brokered eID login (issue 13 item 1) against a release broker
//! **process** on real Redis: authorize → upstream start (signed AuthnRequest) → ACS with a
//! Governikus-shaped Response → continue → consent → code → token → userinfo, one new citizen per
//! login, in two variants of the IdP's cryptography (RSA-PSS + RSA-OAEP-3072 key transport;
//! ECDSA + ECDH-ES). The IdP runs in this process (benches/support/idp.rs), so the broker's CPU
//! time (`utime + stime` from `/proc/<pid>/stat`) is the broker's work alone.
//!
//! ```sh
//! cargo bench --bench login
//! BK_LOGIN_SECS=30 BK_LOGIN_CONCURRENCY=1,16,64 BK_LOGIN_VARIANTS=rsa3072,ecdh-es cargo bench --bench login
//! BK_BROKER_BIN=/path/to/other/buergerkonto cargo bench --bench login   # A/B against another build
//! BK_LOGIN_COUNT=200 BK_LOGIN_CONCURRENCY=1 cargo bench --bench login    # a fixed count, no floors
//! ```
//! `BK_LOGIN_COUNT` runs exactly that many logins per row instead of `BK_LOGIN_SECS` and skips the
//! HTTP floor measurements (their request counts depend on time): for counting the broker's
//! instructions under callgrind (`BK_BROKER_BIN` = a wrapper script), where two counts differenced
//! give the instructions per login, whatever the machine's neighbours do.
//! Per variant and concurrency (default 1, 16 and 64, each for `BK_LOGIN_SECS`, default 10 s,
//! after a warm-up): broker CPU per login, logins/s, p50/p99 latency (the time the browser waits
//! for the broker; the IdP's own Response building is left out), the load average. Targets
//! (issue 13): ≤ 1.5 ms CPU per login with RSA-3072 transport, ≤ 0.4 ms with ECDH-ES; they are
//! reported, not asserted. Exit 1 on any failed login. The Redis namespace is deleted at the end,
//! also on error and on Ctrl-C.

#[allow(dead_code)] // shared with benches/scale.rs; each bench uses a part
mod support;

use std::sync::Arc;
use std::time::Duration;
use support::broker::{self, Broker};
use support::flow::{self, Res, Run};
use support::idp::{Idp, Variant};

const WARMUP_LOGINS: u64 = 30;

struct Row {
    variant: Variant,
    concurrency: u64,
    run: Run,
    load: String,
    /// Broker CPU of the cheapest request (`GET /healthz`) at the same concurrency, in ms, times
    /// the requests of one login: what the HTTP stack alone costs a login.
    floor_ms: f64,
    /// The same for a bare axum server (`support::broker::serve_bare_if_asked`).
    bare_ms: f64,
}

fn main() {
    // The bare comparison server is this binary run again; it must start before a runtime exists.
    support::broker::serve_bare_if_asked();
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build();
    let result = match runtime {
        Ok(rt) => rt.block_on(run()),
        Err(e) => Err(e.to_string()),
    };
    let code = match result {
        Ok(rows) => {
            print_table(&rows);
            if rows.iter().any(|r| r.run.failed > 0) {
                1
            } else {
                0
            }
        }
        Err(e) => {
            eprintln!("login bench failed: {e}");
            1
        }
    };
    std::process::exit(code);
}

fn variants() -> Res<Vec<Variant>> {
    let spec = std::env::var("BK_LOGIN_VARIANTS").unwrap_or_else(|_| "rsa3072,ecdh-es".into());
    spec.split(',')
        .map(|v| match v.trim() {
            "rsa3072" | "rsa" => Ok(Variant::Rsa),
            "ecdh-es" | "ec" => Ok(Variant::Ec),
            other => Err(format!("BK_LOGIN_VARIANTS: unknown variant {other:?} (rsa3072, ecdh-es)")),
        })
        .collect()
}

fn concurrencies() -> Vec<u64> {
    std::env::var("BK_LOGIN_CONCURRENCY")
        .unwrap_or_else(|_| "1,16,64".into())
        .split(',')
        .filter_map(|c| c.trim().parse().ok())
        .filter(|c| *c > 0)
        .collect()
}

async fn run() -> Res<Vec<Row>> {
    let secs = support::env_u64("BK_LOGIN_SECS", 10) as f64;
    // A fixed number of logins per row (and no floors) instead of a time, when given.
    let count = support::env_u64("BK_LOGIN_COUNT", 0);
    let ns = format!("bk-bench-login-{}", std::process::id());
    let _cleanup = support::store::Cleanup::new(&[&ns]);
    support::store::find_local_redis(&mut support::store::connect().await?).await;
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let http = flow::client()?;
    println!(
        "login bench: {}, Redis {} namespace {ns}, {secs} s per level, broker {}",
        support::machine(),
        support::redis_url(),
        broker::bin()
    );
    let bare = if count == 0 {
        bare_floor(&http, secs.min(5.0)).await?
    } else {
        Vec::new()
    };
    let mut rows = Vec::new();
    for variant in variants()? {
        let idp = Arc::new(Idp::new(variant, dir.path())?);
        let config = broker::config(dir.path(), &broker::Store::Redis(ns.clone()), &idp)?;
        let b = Arc::new(Broker::start(&config)?);
        let (http2, b2, idp2) = (http.clone(), b.clone(), idp.clone());
        let warm = flow::drive(&b, 4, 0.0, WARMUP_LOGINS, move |_| {
            let (http, b, idp) = (http2.clone(), b2.clone(), idp2.clone());
            async move { flow::login(&http, &b, &idp).await.map(|l| (l.broker_time, None)) }
        })
        .await;
        if let Some(e) = warm.errors.first() {
            return Err(format!("{}: the warm-up login failed: {e}", variant.describe()));
        }
        let requests = flow::login(&http, &b, &idp).await?.requests;
        let idle0 = b.cpu();
        tokio::time::sleep(Duration::from_secs(2)).await;
        println!(
            "{}: broker {} started, idle CPU {:.1} ms/s, RSS {} KiB",
            variant.describe(),
            b.base,
            b.cpu().saturating_sub(idle0).as_secs_f64() * 1e3 / 2.0,
            b.rss_kib()
        );
        for c in concurrencies() {
            let bare_ms = bare.iter().find(|(bc, _)| *bc == c).map_or(0.0, |(_, ms)| *ms) * f64::from(requests);
            let floor_ms = if count == 0 {
                let floor = request_floor(&http, &b, c, secs.min(5.0)).await;
                let floor_ms = floor.cpu_ms_each() * f64::from(requests);
                println!(
                    "{}: c={c}: GET /healthz {:.1} µs broker CPU per request ({:.0} req/s); a login sends {requests} requests → {floor_ms:.3} ms per login for the HTTP path alone (bare axum server: {bare_ms:.3} ms)",
                    variant.describe(),
                    floor.cpu_ms_each() * 1e3,
                    floor.rate()
                );
                floor_ms
            } else {
                0.0
            };
            let load = support::loadavg();
            let (http2, b2, idp2) = (http.clone(), b.clone(), idp.clone());
            let run = flow::drive(&b, c, if count == 0 { secs } else { 0.0 }, count, move |_| {
                let (http, b, idp) = (http2.clone(), b2.clone(), idp2.clone());
                async move { flow::login(&http, &b, &idp).await.map(|l| (l.broker_time, None)) }
            })
            .await;
            let row = Row {
                variant,
                concurrency: c,
                run,
                load,
                floor_ms,
                bare_ms,
            };
            print_row(&row);
            for e in &row.run.errors {
                println!("  error: {e}");
            }
            rows.push(row);
        }
        println!("{}: broker RSS at the end {} KiB", variant.describe(), b.rss_kib());
    }
    Ok(rows)
}

/// The broker's cheapest request, `GET /healthz` (no store, no crypto, a constant JSON body, the
/// same listener and middleware as every other route), from `concurrency` clients for `secs`:
/// its broker CPU per request is the floor under every request of a login.
async fn request_floor(http: &reqwest::Client, b: &Arc<Broker>, concurrency: u64, secs: f64) -> Run {
    let (http, b2) = (http.clone(), b.clone());
    flow::drive(b, concurrency, secs, 0, move |_| {
        let (http, b) = (http.clone(), b2.clone());
        async move {
            let t = std::time::Instant::now();
            let res = http.get(b.at("/healthz")).send().await.map_err(|e| e.to_string())?;
            if !res.status().is_success() {
                return Err(format!("/healthz: {}", res.status()));
            }
            res.bytes().await.map_err(|e| e.to_string())?;
            Ok((t.elapsed(), None))
        }
    })
    .await
}

/// CPU per `GET /healthz` (ms) of a bare axum server, at each concurrency of the run.
async fn bare_floor(http: &reqwest::Client, secs: f64) -> Res<Vec<(u64, f64)>> {
    let bare = Arc::new(Broker::start_bare()?);
    let mut out = Vec::new();
    for c in concurrencies() {
        let run = request_floor(http, &bare, c, secs).await;
        if let Some(e) = run.errors.first() {
            return Err(format!("bare server: {e}"));
        }
        println!(
            "bare axum server: c={c}: GET /healthz {:.1} µs CPU per request ({:.0} req/s)",
            run.cpu_ms_each() * 1e3,
            run.rate()
        );
        out.push((c, run.cpu_ms_each()));
    }
    Ok(out)
}

fn target_ms(v: Variant) -> f64 {
    match v {
        Variant::Rsa => 1.5,
        Variant::Ec => 0.4,
    }
}

fn print_row(r: &Row) {
    let t = target_ms(r.variant);
    let cpu = r.run.cpu_ms_each();
    println!(
        "| {:<24} | {:>3} | {:>6} | {:>6} | {:>8.1} | {:>7.3} | {:>7.3} | {:>7.3} | {:>7} | {:>7.2} | {:>8.2} | ≤ {t} ms: {:<6} | {:<14} |",
        r.variant.describe(),
        r.concurrency,
        r.run.ok,
        r.run.failed,
        r.run.rate(),
        cpu,
        r.floor_ms,
        r.bare_ms,
        r.run.redis_ms_each(),
        support::percentile_ms(&r.run.latencies_us, 0.5),
        support::percentile_ms(&r.run.latencies_us, 0.99),
        if cpu <= t { "met" } else { "missed" },
        r.load
    );
}

fn print_table(rows: &[Row]) {
    println!();
    println!("Whole brokered eID login, broker process on Redis (broker CPU = utime+stime / logins):");
    println!("Redis CPU: the local redis-server's utime+stime / logins (shared: other clients' commands count too).");
    println!("HTTP floor: the broker CPU of `GET /healthz` at the same concurrency × the requests of one login; bare: the same on a bare axum server.");
    println!("| variant                  |   c | logins | failed | logins/s | broker CPU ms/login | HTTP floor ms/login | bare axum floor ms/login | Redis CPU ms/login | p50 ms | p99 ms | target (broker CPU) | load avg |");
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|");
    for r in rows {
        print_row(r);
    }
}
