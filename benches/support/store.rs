//! Redis helpers of the benches: the clean-up guard (every namespace a bench writes is deleted
//! when the guard drops — on success, on error and on a panic unwinding through `main` — and on
//! Ctrl-C), and the store filler of the scale bench: the records one real login leaves behind,
//! copied byte for byte (`DUMP` / `RESTORE` with their remaining TTL) under fresh ids of the same
//! length in the filler's own namespace, pipelined.
//!
//! Redis keeps one hash table per database whatever the key prefix, so keys in the filler's
//! namespace load the server exactly as the same number of the broker's own would.

use futures::StreamExt;

/// Delete every key of `ns` (`SCAN MATCH ns:*` + `UNLINK`, never `FLUSH*`: the Redis is
/// shared). Synchronous, so it also runs from `Drop`. Returns the number deleted.
pub fn delete_namespace(ns: &str) -> Result<u64, String> {
    let client = redis::Client::open(super::redis_url()).map_err(|e| e.to_string())?;
    let mut conn = client.get_connection().map_err(|e| e.to_string())?;
    let mut deleted = 0u64;
    let mut cursor: u64 = 0;
    loop {
        let (next, keys): (u64, Vec<Vec<u8>>) = redis::cmd("SCAN")
            .arg(cursor)
            .arg("MATCH")
            .arg(format!("{ns}:*"))
            .arg("COUNT")
            .arg(10_000)
            .query(&mut conn)
            .map_err(|e| e.to_string())?;
        if !keys.is_empty() {
            let n: u64 = redis::cmd("UNLINK").arg(&keys).query(&mut conn).map_err(|e| e.to_string())?;
            deleted += n;
        }
        if next == 0 {
            return Ok(deleted);
        }
        cursor = next;
    }
}

/// Deletes its namespaces when dropped, and on Ctrl-C (then exits with 130).
pub struct Cleanup {
    namespaces: Vec<String>,
}

impl Cleanup {
    /// Guard `namespaces`; must be called inside the tokio runtime (for the Ctrl-C handler).
    pub fn new(namespaces: &[&str]) -> Cleanup {
        let namespaces: Vec<String> = namespaces.iter().map(|s| (*s).to_owned()).collect();
        let on_signal = namespaces.clone();
        tokio::spawn(async move {
            if tokio::signal::ctrl_c().await.is_ok() {
                for ns in &on_signal {
                    report(ns, delete_namespace(ns));
                }
                std::process::exit(130);
            }
        });
        Cleanup { namespaces }
    }
}

fn report(ns: &str, r: Result<u64, String>) {
    match r {
        Ok(n) => println!("cleanup: {n} keys of {ns} deleted"),
        Err(e) => eprintln!("cleanup of {ns} FAILED ({e}): delete its keys by hand (SCAN MATCH {ns}:* + UNLINK)"),
    }
}

impl Drop for Cleanup {
    fn drop(&mut self) {
        for ns in &self.namespaces {
            report(ns, delete_namespace(ns));
        }
    }
}

/// An async connection to the benches' Redis, without the client's default response timeout: a
/// filler pipeline into a key table of millions (rehashing as it grows) may take seconds.
pub async fn connect() -> Result<redis::aio::MultiplexedConnection, String> {
    let client = redis::Client::open(super::redis_url()).map_err(|e| e.to_string())?;
    let config = redis::AsyncConnectionConfig::new().set_response_timeout(None);
    client
        .get_multiplexed_async_connection_with_config(&config)
        .await
        .map_err(|e| format!("Redis at {}: {e}", super::redis_url()))
}

/// One key a login left in the store, as a template for the filler.
#[derive(Debug, Clone)]
pub struct Template {
    /// The record kind (the key segment after the namespace).
    pub kind: String,
    /// Length of the id segment.
    pub id_len: usize,
    /// `DUMP` of the value.
    pub dump: Vec<u8>,
    /// Remaining TTL in ms.
    pub pttl: i64,
    /// `MEMORY USAGE` of the key in bytes.
    pub bytes: u64,
}

/// Every key of `ns` now.
pub async fn keys(conn: &mut redis::aio::MultiplexedConnection, ns: &str) -> Result<Vec<String>, String> {
    let mut keys: Vec<String> = Vec::new();
    let mut cursor: u64 = 0;
    loop {
        let (next, batch): (u64, Vec<String>) = redis::cmd("SCAN")
            .arg(cursor)
            .arg("MATCH")
            .arg(format!("{ns}:*"))
            .arg("COUNT")
            .arg(1000)
            .query_async(conn)
            .await
            .map_err(|e| e.to_string())?;
        keys.extend(batch);
        if next == 0 {
            return Ok(keys);
        }
        cursor = next;
    }
}

/// Templates of `keys` (of namespace `ns`): kind, value dump, TTL and memory. Keys without a TTL
/// are left out (the store writes none; a copy must never live forever).
pub async fn templates(conn: &mut redis::aio::MultiplexedConnection, ns: &str, keys: Vec<String>) -> Result<Vec<Template>, String> {
    let mut out = Vec::new();
    for key in keys {
        let rest = key.strip_prefix(&format!("{ns}:")).unwrap_or(&key);
        let (kind, id) = rest.split_once(':').unwrap_or((rest, ""));
        let dump: Option<Vec<u8>> = redis::cmd("DUMP").arg(&key).query_async(conn).await.map_err(|e| e.to_string())?;
        let pttl: i64 = redis::cmd("PTTL").arg(&key).query_async(conn).await.map_err(|e| e.to_string())?;
        let bytes: Option<u64> = redis::cmd("MEMORY")
            .arg("USAGE")
            .arg(&key)
            .arg("SAMPLES")
            .arg(0)
            .query_async(conn)
            .await
            .map_err(|e| e.to_string())?;
        if let (Some(dump), true) = (dump, pttl > 0) {
            out.push(Template {
                kind: kind.to_owned(),
                id_len: id.len(),
                dump,
                pttl,
                bytes: bytes.unwrap_or(0),
            });
        }
    }
    out.sort_by(|a, b| a.kind.cmp(&b.kind));
    Ok(out)
}

/// Write logins `from..to` worth of template copies into `ns`: `RESTORE` pipelines of 200
/// logins' keys, four in flight. Ids are the login number, zero-padded to the template id's length.
pub async fn fill(conn: &redis::aio::MultiplexedConnection, ns: &str, templates: &[Template], from: u64, to: u64) -> Result<(), String> {
    const LOGINS_PER_PIPELINE: u64 = 200;
    let chunks: Vec<(u64, u64)> = (from..to)
        .step_by(LOGINS_PER_PIPELINE as usize)
        .map(|s| (s, (s + LOGINS_PER_PIPELINE).min(to)))
        .collect();
    let results: Vec<Result<(), String>> = futures::stream::iter(chunks)
        .map(|(s, e)| {
            let mut conn = conn.clone();
            async move {
                let mut pipe = redis::pipe();
                for i in s..e {
                    for t in templates {
                        let key = format!("{ns}:{}:{:0>w$}", t.kind, i, w = t.id_len.max(1));
                        pipe.cmd("RESTORE").arg(key).arg(t.pttl).arg(&t.dump).arg("REPLACE").ignore();
                    }
                }
                pipe.query_async::<()>(&mut conn).await.map_err(|e| e.to_string())
            }
        })
        .buffer_unordered(4)
        .collect()
        .await;
    results.into_iter().collect()
}

/// `INFO memory` `used_memory` in bytes.
pub async fn used_memory(conn: &mut redis::aio::MultiplexedConnection) -> u64 {
    let info: String = redis::cmd("INFO").arg("memory").query_async(conn).await.unwrap_or_default();
    info.lines()
        .find_map(|l| l.strip_prefix("used_memory:"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0)
}

/// The local Redis server's process id, once known ([`find_local_redis`]).
static REDIS_PID: std::sync::OnceLock<Option<u32>> = std::sync::OnceLock::new();

/// Find the Redis server's process on this machine (`INFO server` `process_id`, checked against
/// `/proc/<pid>/comm`), so the benches can report its CPU time too. A remote Redis gives none.
pub async fn find_local_redis(conn: &mut redis::aio::MultiplexedConnection) {
    let info: String = redis::cmd("INFO").arg("server").query_async(conn).await.unwrap_or_default();
    let pid = info
        .lines()
        .find_map(|l| l.strip_prefix("process_id:"))
        .and_then(|v| v.trim().parse::<u32>().ok())
        .filter(|pid| std::fs::read_to_string(format!("/proc/{pid}/comm")).is_ok_and(|c| c.starts_with("redis")));
    let _ = REDIS_PID.set(pid);
}

/// CPU time of the local Redis server so far (all its clients', not only the bench's).
pub fn redis_cpu() -> Option<std::time::Duration> {
    REDIS_PID.get().copied().flatten().and_then(super::broker::process_cpu)
}
