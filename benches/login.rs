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
//! ```
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
}

#[tokio::main]
async fn main() {
    let code = match run().await {
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
            let load = support::loadavg();
            let (http2, b2, idp2) = (http.clone(), b.clone(), idp.clone());
            let run = flow::drive(&b, c, secs, 0, move |_| {
                let (http, b, idp) = (http2.clone(), b2.clone(), idp2.clone());
                async move { flow::login(&http, &b, &idp).await.map(|l| (l.broker_time, None)) }
            })
            .await;
            let row = Row {
                variant,
                concurrency: c,
                run,
                load,
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
        "| {:<24} | {:>3} | {:>6} | {:>6} | {:>8.1} | {:>7.3} | {:>7} | {:>7.2} | {:>8.2} | ≤ {t} ms: {:<6} | {:<14} |",
        r.variant.describe(),
        r.concurrency,
        r.run.ok,
        r.run.failed,
        r.run.rate(),
        cpu,
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
    println!("| variant                  |   c | logins | failed | logins/s | broker CPU ms/login | Redis CPU ms/login | p50 ms | p99 ms | target (broker CPU) | load avg |");
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---|");
    for r in rows {
        print_row(r);
    }
}
