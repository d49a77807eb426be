//! Scale bench (issue 13 item 5): login and token cost with the store filled to 10k, 100k (and,
//! opt-in, 1M) live logins' worth of sessions and grants in Redis; broker RSS with many live
//! sessions on the memory store; and zero lost grants with 10,000 concurrent refresh chains.
//! The broker is a release **process**, the IdP is this process (benches/support/).
//!
//! ```sh
//! cargo bench --bench scale                                  # all three modes, defaults below
//! BK_SCALE_MODES=fill BK_SCALE_SIZES=10000,100000,1000000 cargo bench --bench scale   # with 1M
//! BK_SCALE_MODES=memory BK_SCALE_MEMORY_LOGINS=100000 cargo bench --bench scale
//! BK_SCALE_MODES=chains BK_CHAINS=10000 BK_CHAIN_STEPS=5 cargo bench --bench scale
//! ```
//! * `fill` (`BK_SCALE_SIZES`, default 10000,100000; `BK_SCALE_SECS`, default 10): one real
//!   login's records are copied (`DUMP`/`RESTORE`, same size and TTL, ids of the same length) into
//!   the filler's own namespace up to each size; then logins at concurrency 16 for
//!   `BK_SCALE_SECS`, then one refresh grant per login's refresh token: broker CPU per operation,
//!   rate, p50/p99, Redis memory. Also prints `MEMORY USAGE` of each record a login leaves.
//! * `memory` (`BK_SCALE_MEMORY_LOGINS`, default 20000): a memory-store broker, that many logins
//!   (concurrency 16), VmRSS before, during and after; the KiB per live login and the RSS a
//!   100k-login store would have (measured when the count is 100k, else extrapolated, and said so).
//! * `chains` (`BK_CHAINS`, default 10000; `BK_CHAIN_STEPS`, default 5; `BK_CHAIN_INFLIGHT`,
//!   default 256 requests in flight): that many grants from real logins, then every chain
//!   refreshed `BK_CHAIN_STEPS` times, all chains at once; at the end every chain's last refresh
//!   token must still be accepted. Any lost chain fails the bench (exit 1).
//!
//! The ECDH-ES variant is used throughout (the cheaper IdP side; the broker's store work is the
//! same for both). Every namespace written is deleted at the end, also on error and on Ctrl-C.

#[allow(dead_code)] // shared with benches/login.rs; each bench uses a part
mod support;

use std::collections::HashSet;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Instant;
use support::broker::{self, Broker, Store};
use support::flow::{self, Res, Run};
use support::idp::{Idp, Variant};

#[tokio::main]
async fn main() {
    let code = match run().await {
        Ok(true) => 0,
        Ok(false) => 1,
        Err(e) => {
            eprintln!("scale bench failed: {e}");
            1
        }
    };
    std::process::exit(code);
}

/// Everything a mode needs.
struct Ctx {
    http: reqwest::Client,
    idp: Arc<Idp>,
    dir: tempfile::TempDir,
}

async fn run() -> Res<bool> {
    let pid = std::process::id();
    let (ns, fill_ns) = (format!("bk-bench-scale-{pid}"), format!("bk-bench-fill-{pid}"));
    let _cleanup = support::store::Cleanup::new(&[&ns, &fill_ns]);
    support::store::find_local_redis(&mut support::store::connect().await?).await;
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let idp = Arc::new(Idp::new(Variant::Ec, dir.path())?);
    let ctx = Ctx {
        http: flow::client()?,
        idp,
        dir,
    };
    let modes = std::env::var("BK_SCALE_MODES").unwrap_or_else(|_| "fill,memory,chains".into());
    println!("scale bench: {}, Redis {}, modes {modes}", support::machine(), support::redis_url());
    let mut ok = true;
    let mut redis_broker: Option<Arc<Broker>> = None;
    for mode in modes.split(',').map(str::trim) {
        match mode {
            "fill" | "chains" => {
                if redis_broker.is_none() {
                    let config = broker::config(ctx.dir.path(), &Store::Redis(ns.clone()), &ctx.idp)?;
                    redis_broker = Some(Arc::new(Broker::start(&config)?));
                }
                let b = redis_broker.clone().ok_or("no broker")?;
                if mode == "fill" {
                    ok &= fill_mode(&ctx, &b, &ns, &fill_ns).await?;
                } else {
                    ok &= chains_mode(&ctx, &b).await?;
                }
            }
            "memory" => ok &= memory_mode(&ctx).await?,
            other => return Err(format!("BK_SCALE_MODES: unknown mode {other:?} (fill, memory, chains)")),
        }
    }
    Ok(ok)
}

/// Logins from `concurrency` workers for `secs` (or `limit` logins), keeping their refresh tokens.
async fn logins(ctx: &Ctx, b: &Arc<Broker>, concurrency: u64, secs: f64, limit: u64) -> Run {
    let (http, b2, idp) = (ctx.http.clone(), b.clone(), ctx.idp.clone());
    flow::drive(b, concurrency, secs, limit, move |_| {
        let (http, b, idp) = (http.clone(), b2.clone(), idp.clone());
        async move { flow::login(&http, &b, &idp).await.map(|l| (l.broker_time, Some(l.refresh_token))) }
    })
    .await
}

/// One refresh grant per token.
async fn refreshes(ctx: &Ctx, b: &Arc<Broker>, concurrency: u64, tokens: Vec<String>) -> Run {
    let (http, b2, tokens) = (ctx.http.clone(), b.clone(), Arc::new(tokens));
    let n = tokens.len() as u64;
    flow::drive(b, concurrency, 0.0, n, move |i| {
        let (http, b, tokens) = (http.clone(), b2.clone(), tokens.clone());
        async move {
            let t = Instant::now();
            let rt = tokens.get(i as usize).ok_or("no token")?;
            flow::refresh(&http, &b, rt).await.map(|_| (t.elapsed(), None))
        }
    })
    .await
}

fn line(what: &str, r: &Run) -> String {
    format!(
        "{what:<26} n={:<6} failed={:<3} {:>8.1}/s  CPU {:>7.3} ms each (Redis {} ms)  p50 {:>7.2} ms  p99 {:>7.2} ms",
        r.ok,
        r.failed,
        r.rate(),
        r.cpu_ms_each(),
        r.redis_ms_each(),
        support::percentile_ms(&r.latencies_us, 0.5),
        support::percentile_ms(&r.latencies_us, 0.99)
    )
}

async fn fill_mode(ctx: &Ctx, b: &Arc<Broker>, ns: &str, fill_ns: &str) -> Res<bool> {
    let secs = support::env_u64("BK_SCALE_SECS", 10) as f64;
    let sizes: Vec<u64> = std::env::var("BK_SCALE_SIZES")
        .unwrap_or_else(|_| "10000,100000".into())
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .collect();
    let mut conn = support::store::connect().await?;
    let warm = logins(ctx, b, 4, 0.0, 20).await;
    if let Some(e) = warm.errors.first() {
        return Err(format!("warm-up login failed: {e}"));
    }
    // The template: exactly the keys one login (token and userinfo included) leaves behind.
    let before: HashSet<String> = support::store::keys(&mut conn, ns).await?.into_iter().collect();
    let one = logins(ctx, b, 1, 0.0, 1).await;
    if let Some(e) = one.errors.first() {
        return Err(format!("template login failed: {e}"));
    }
    let new: Vec<String> = support::store::keys(&mut conn, ns)
        .await?
        .into_iter()
        .filter(|k| !before.contains(k))
        .collect();
    let templates = support::store::templates(&mut conn, ns, new).await?;
    println!("records one login leaves in Redis (MEMORY USAGE, remaining TTL):");
    for t in &templates {
        println!("  {:<14} {:>6} bytes  TTL {:>6} s", t.kind, t.bytes, t.pttl / 1000);
    }
    let per_login: u64 = templates.iter().map(|t| t.bytes).sum();
    println!("  total          {per_login:>6} bytes in {} keys per login", templates.len());
    let base_mem = support::store::used_memory(&mut conn).await;
    let mut rows = Vec::new();
    let mut filled = 0u64;
    for size in sizes {
        let t = Instant::now();
        support::store::fill(&conn, fill_ns, &templates, filled, size.max(filled)).await?;
        filled = size.max(filled);
        let mem = support::store::used_memory(&mut conn).await;
        println!(
            "filled {filled} logins' records in {:.1} s; Redis used_memory {:.1} MiB ({:.0} bytes per filled login)",
            t.elapsed().as_secs_f64(),
            mem as f64 / 1048576.0,
            mem.saturating_sub(base_mem) as f64 / filled.max(1) as f64
        );
        let load = support::loadavg();
        let l = logins(ctx, b, 16, secs, 0).await;
        println!("  {}  load {load}", line("login (c=16)", &l));
        let tokens = l.refresh_tokens.clone();
        let r = refreshes(ctx, b, 16, tokens).await;
        println!("  {}  load {}", line("refresh grant (c=16)", &r), support::loadavg());
        for e in l.errors.iter().chain(&r.errors) {
            println!("  error: {e}");
        }
        rows.push((filled, mem, l, r, load));
    }
    println!();
    println!("Cost with the store filled (ECDH-ES variant, c=16):");
    println!("| live logins in Redis | Redis MiB | login CPU ms | logins/s | login p50/p99 ms | refresh CPU ms | refresh/s | refresh p50/p99 ms | load avg |");
    println!("|---:|---:|---:|---:|---:|---:|---:|---:|---|");
    let mut ok = true;
    for (n, mem, l, r, load) in &rows {
        ok &= l.failed == 0 && r.failed == 0;
        println!(
            "| {n} | {:.0} | {:.3} | {:.1} | {:.1} / {:.1} | {:.3} | {:.0} | {:.2} / {:.2} | {load} |",
            *mem as f64 / 1048576.0,
            l.cpu_ms_each(),
            l.rate(),
            support::percentile_ms(&l.latencies_us, 0.5),
            support::percentile_ms(&l.latencies_us, 0.99),
            r.cpu_ms_each(),
            r.rate(),
            support::percentile_ms(&r.latencies_us, 0.5),
            support::percentile_ms(&r.latencies_us, 0.99),
        );
    }
    println!("deleting the filler's {filled} logins' records …");
    Ok(ok)
}

async fn memory_mode(ctx: &Ctx) -> Res<bool> {
    let total = support::env_u64("BK_SCALE_MEMORY_LOGINS", 20_000);
    let config = broker::config(ctx.dir.path(), &Store::Memory, &ctx.idp)?;
    let b = Arc::new(Broker::start(&config)?);
    let warm = logins(ctx, &b, 4, 0.0, 20).await;
    if let Some(e) = warm.errors.first() {
        return Err(format!("warm-up login failed: {e}"));
    }
    let rss0 = b.rss_kib();
    println!("memory store: RSS after 20 warm-up logins {rss0} KiB; {total} logins follow (c=16)");
    let step = (total / 10).max(1);
    let (mut done, mut failed) = (0u64, 0u64);
    let t = Instant::now();
    while done < total {
        let n = step.min(total - done);
        let r = logins(ctx, &b, 16, 0.0, n).await;
        done += r.ok;
        failed += r.failed;
        if let Some(e) = r.errors.first() {
            println!("  error: {e}");
        }
        println!(
            "  {done:>7} live logins  RSS {:>7} KiB  ({:.2} KiB per login so far)  CPU {:.3} ms per login  {:.0} s  load {}",
            b.rss_kib(),
            b.rss_kib().saturating_sub(rss0) as f64 / done.max(1) as f64,
            r.cpu_ms_each(),
            t.elapsed().as_secs_f64(),
            support::loadavg()
        );
        if r.ok == 0 {
            break;
        }
    }
    let rss = b.rss_kib();
    let per = rss.saturating_sub(rss0) as f64 / done.max(1) as f64;
    let at_100k = rss0 as f64 + per * 100_000.0;
    println!(
        "memory store: {done} live logins, RSS {:.1} MiB, {per:.2} KiB per login; at 100k live logins {:.1} MiB ({}), target < 64 MiB: {}",
        rss as f64 / 1024.0,
        at_100k / 1024.0,
        if done >= 100_000 { "measured" } else { "extrapolated linearly" },
        if at_100k / 1024.0 < 64.0 { "met" } else { "missed" }
    );
    Ok(failed == 0)
}

async fn chains_mode(ctx: &Ctx, b: &Arc<Broker>) -> Res<bool> {
    let chains = support::env_u64("BK_CHAINS", 10_000);
    let steps = support::env_u64("BK_CHAIN_STEPS", 5);
    let inflight = support::env_u64("BK_CHAIN_INFLIGHT", 256) as usize;
    let t = Instant::now();
    let seed = logins(ctx, b, 64, 0.0, chains).await;
    println!(
        "chains: {} grants from real logins in {:.0} s ({} failed)  load {}",
        seed.refresh_tokens.len(),
        t.elapsed().as_secs_f64(),
        seed.failed,
        support::loadavg()
    );
    if seed.refresh_tokens.len() as u64 != chains {
        for e in &seed.errors {
            println!("  error: {e}");
        }
        return Err(format!("only {} of {chains} grants could be made", seed.refresh_tokens.len()));
    }
    let mut conn = support::store::connect().await?;
    let mem0 = support::store::used_memory(&mut conn).await;
    let permits = Arc::new(tokio::sync::Semaphore::new(inflight));
    let (refreshed, cpu0, t) = (Arc::new(AtomicU64::new(0)), b.cpu(), Instant::now());
    let mut tasks = Vec::new();
    for rt in seed.refresh_tokens {
        let (http, b, permits, refreshed) = (ctx.http.clone(), b.clone(), permits.clone(), refreshed.clone());
        tasks.push(tokio::spawn(async move {
            let mut token = rt;
            for step in 0..steps {
                let Ok(_permit) = permits.acquire().await else {
                    return Err("semaphore closed".to_owned());
                };
                token = flow::refresh(&http, &b, &token).await.map_err(|e| format!("step {step}: {e}"))?;
                refreshed.fetch_add(1, Ordering::Relaxed);
            }
            Ok(token)
        }));
    }
    let mut last = Vec::new();
    let mut lost: Vec<String> = Vec::new();
    for task in tasks {
        match task.await {
            Ok(Ok(token)) => last.push(token),
            Ok(Err(e)) => lost.push(e),
            Err(e) => lost.push(e.to_string()),
        }
    }
    let (elapsed, cpu) = (t.elapsed(), b.cpu().saturating_sub(cpu0));
    let n = refreshed.load(Ordering::Relaxed);
    println!(
        "chains: {chains} chains × {steps} refreshes, {inflight} in flight: {n} refreshes in {:.1} s = {:.0}/s, broker CPU {:.3} ms each; {} chains broke on the way  load {}",
        elapsed.as_secs_f64(),
        n as f64 / elapsed.as_secs_f64().max(1e-9),
        cpu.as_secs_f64() * 1e3 / n.max(1) as f64,
        lost.len(),
        support::loadavg()
    );
    // What a rotation leaves behind until the old token's lifetime ends (reuse detection).
    let mem1 = support::store::used_memory(&mut conn).await;
    println!(
        "chains: Redis used_memory grew {:.1} MiB over {n} refreshes = {:.0} bytes per refresh (held until the rotated token's TTL)",
        mem1.saturating_sub(mem0) as f64 / 1048576.0,
        mem1.saturating_sub(mem0) as f64 / n.max(1) as f64
    );
    // Every chain's last refresh token must still work.
    let check = refreshes(ctx, b, 64, last).await;
    let lost_total = lost.len() as u64 + check.failed;
    println!(
        "chains: final check {} of {chains} last refresh tokens accepted; lost grants: {lost_total}",
        check.ok
    );
    for e in lost.iter().take(5).chain(check.errors.iter()) {
        println!("  lost: {e}");
    }
    Ok(lost_total == 0)
}
