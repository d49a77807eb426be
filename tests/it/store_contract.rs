//! One contract for every `SessionStore` backend (design brief §5): the same cases run against the
//! memory backend and against the real Redis, through the raw trait and through `Records`.
//!
//! Redis: `REDIS_URL` or `redis://127.0.0.1:6379`. When it is unreachable the Redis cases fail
//! (`crate::peers`), unless the run opted out with `BK_ALLOW_SKIP=1`. Every case uses its own
//! namespace, deletes its keys at the end and never flushes the server.

use crate::support::unique_namespace;
use buergerkonto::session::memory::MemoryStore;
use buergerkonto::session::redis::RedisStore;
use buergerkonto::session::{BatchOp, RecordKind, Records, Sealer, SealingKey, SessionStore, StoreError};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use std::time::Duration;

const PERSONAL: &str = "Erika Mustermann";
const LONG: Duration = Duration::from_secs(120);

/// A backend under test plus, for Redis, a raw client that looks behind the trait.
pub(crate) struct Backend {
    store: Arc<dyn SessionStore>,
    ns: String,
    raw: Option<redis::aio::MultiplexedConnection>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Person {
    name: String,
    birth_date: String,
}

fn person() -> Person {
    Person {
        name: PERSONAL.into(),
        birth_date: "1964-08-12".into(),
    }
}

fn sealer(id: &str, byte: u8) -> Arc<Sealer> {
    Arc::new(Sealer::new(vec![SealingKey::new(id, &[byte; 32]).unwrap()]))
}

use crate::peers::redis_url;

impl Backend {
    /// Any store (a private Redis Cluster or Sentinel setup: `redis_ha.rs`), without a raw look
    /// behind the trait and without cleanup (the servers die with the test).
    pub(crate) fn of(store: Arc<dyn SessionStore>, test: &str) -> Self {
        Self {
            store,
            ns: unique_namespace(test),
            raw: None,
        }
    }

    fn memory(test: &str) -> Self {
        Self {
            store: Arc::new(MemoryStore::new()),
            ns: unique_namespace(test),
            raw: None,
        }
    }

    /// The shared Redis; `None` only when it is unreachable in a `BK_ALLOW_SKIP=1` run (the gate
    /// fails the test otherwise).
    async fn redis(test: &str) -> Option<Self> {
        if !crate::peers::require_redis() {
            return None;
        }
        let url = redis_url();
        match RedisStore::connect(&url, None).await {
            Ok(store) => {
                let raw = redis::Client::open(url.as_str())
                    .unwrap()
                    .get_multiplexed_async_connection()
                    .await
                    .unwrap();
                Some(Self {
                    store: Arc::new(store),
                    ns: unique_namespace(test),
                    raw: Some(raw),
                })
            }
            Err(e) => panic!("Redis at {url} answers PING but the store cannot connect: {e}"),
        }
    }

    fn key(&self, k: &str) -> String {
        format!("{}:raw:{k}", self.ns)
    }

    fn records(&self, sealer: Arc<Sealer>) -> Records {
        Records::new(self.store.clone(), sealer, &self.ns)
    }

    /// Delete every key of this case's namespace (SCAN, never FLUSH*).
    async fn cleanup(mut self) {
        if let Some(raw) = self.raw.as_mut() {
            let pattern = format!("{}:*", self.ns);
            let mut cursor: u64 = 0;
            loop {
                let (next, keys): (u64, Vec<String>) = redis::cmd("SCAN")
                    .arg(cursor)
                    .arg("MATCH")
                    .arg(&pattern)
                    .arg("COUNT")
                    .arg(1000)
                    .query_async(raw)
                    .await
                    .unwrap();
                if !keys.is_empty() {
                    let _: () = redis::cmd("DEL").arg(&keys).query_async(raw).await.unwrap();
                }
                if next == 0 {
                    break;
                }
                cursor = next;
            }
        }
    }

    /// Poll until `key` has expired (bounded; no timed assertion on *when*).
    async fn wait_gone(&self, key: &str) {
        for _ in 0..100 {
            if self.store.get(key).await.unwrap().is_none() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("{key} did not expire within 10 s");
    }
}

// ---- the cases ---------------------------------------------------------------------------------

async fn put_get_replace(b: &Backend) {
    let k = b.key("a");
    assert_eq!(b.store.get(&k).await.unwrap(), None);
    b.store.put(&k, b"one", LONG).await.unwrap();
    assert_eq!(b.store.get(&k).await.unwrap().as_deref(), Some(&b"one"[..]));
    b.store.put(&k, b"two", LONG).await.unwrap();
    assert_eq!(b.store.get(&k).await.unwrap().as_deref(), Some(&b"two"[..]), "put replaces");
    // Binary values survive unchanged.
    let bin: Vec<u8> = (0..=255u8).collect();
    b.store.put(&b.key("bin"), &bin, LONG).await.unwrap();
    assert_eq!(b.store.get(&b.key("bin")).await.unwrap(), Some(bin));
    if let Some(mut raw) = b.raw.clone() {
        let pttl: i64 = redis::cmd("PTTL").arg(&k).query_async(&mut raw).await.unwrap();
        assert!(pttl > 0 && pttl <= 120_000, "every write carries the TTL, got PTTL {pttl}");
    }
}

async fn ttl_expiry(b: &Backend) {
    let k = b.key("short");
    b.store.put(&k, b"x", Duration::from_secs(1)).await.unwrap();
    b.wait_gone(&k).await;
    // insert_if_absent works again once the first entry expired.
    let r = b.key("replay");
    assert!(b.store.insert_if_absent(&r, b"1", Duration::from_secs(1)).await.unwrap());
    b.wait_gone(&r).await;
    assert!(
        b.store.insert_if_absent(&r, b"2", LONG).await.unwrap(),
        "expired entry no longer blocks"
    );
    // A taken expired record is gone, not returned.
    let t = b.key("take-expired");
    b.store.put(&t, b"x", Duration::from_secs(1)).await.unwrap();
    b.wait_gone(&t).await;
    assert_eq!(b.store.take(&t).await.unwrap(), None);
}

async fn take_is_single_use(b: &Backend) {
    let k = b.key("code");
    b.store.put(&k, b"code-record", LONG).await.unwrap();
    assert_eq!(b.store.take(&k).await.unwrap().as_deref(), Some(&b"code-record"[..]));
    assert_eq!(b.store.take(&k).await.unwrap(), None, "second take gets nothing");
    assert_eq!(b.store.get(&k).await.unwrap(), None, "take deletes");
}

async fn take_concurrent_exactly_one_wins(b: &Backend) {
    for round in 0..3 {
        let k = b.key(&format!("race-{round}"));
        b.store.put(&k, b"winner", LONG).await.unwrap();
        let barrier = Arc::new(tokio::sync::Barrier::new(32));
        let tasks: Vec<_> = (0..32)
            .map(|_| {
                let (store, k, barrier) = (b.store.clone(), k.clone(), barrier.clone());
                tokio::spawn(async move {
                    barrier.wait().await;
                    store.take(&k).await.unwrap()
                })
            })
            .collect();
        let mut winners = 0;
        for t in tasks {
            if t.await.unwrap().is_some() {
                winners += 1;
            }
        }
        assert_eq!(winners, 1, "exactly one of 32 concurrent takers wins");
    }
}

async fn records_take_concurrent(b: &Backend) {
    let rec = b.records(sealer("k1", 1));
    rec.put(RecordKind::AuthorizationCode, "c1", &person(), LONG).await.unwrap();
    let tasks: Vec<_> = (0..32)
        .map(|_| {
            let rec = rec.clone();
            tokio::spawn(async move { rec.take::<Person>(RecordKind::AuthorizationCode, "c1").await.unwrap() })
        })
        .collect();
    let mut got = Vec::new();
    for t in tasks {
        if let Some(p) = t.await.unwrap() {
            got.push(p);
        }
    }
    assert_eq!(got, vec![person()], "exactly one taker, with the intact record");
}

async fn delete(b: &Backend) {
    let k = b.key("del");
    b.store.put(&k, b"x", LONG).await.unwrap();
    b.store.delete(&k).await.unwrap();
    assert_eq!(b.store.get(&k).await.unwrap(), None);
    b.store.delete(&k).await.unwrap();
    b.store.delete(&b.key("never-existed")).await.unwrap();
    let rec = b.records(sealer("k1", 1));
    rec.put(RecordKind::BrokerSession, "s", &person(), LONG).await.unwrap();
    rec.delete(RecordKind::BrokerSession, "s").await.unwrap();
    assert_eq!(rec.get::<Person>(RecordKind::BrokerSession, "s").await.unwrap(), None);
}

async fn insert_if_absent_replay(b: &Backend) {
    let k = b.key("jti");
    assert!(b.store.insert_if_absent(&k, b"first", LONG).await.unwrap());
    assert!(!b.store.insert_if_absent(&k, b"second", LONG).await.unwrap(), "replay detected");
    assert_eq!(
        b.store.get(&k).await.unwrap().as_deref(),
        Some(&b"first"[..]),
        "a replay does not overwrite"
    );
    // Concurrent first sightings: exactly one is first.
    let rec = b.records(sealer("k1", 1));
    let tasks: Vec<_> = (0..32)
        .map(|_| {
            let rec = rec.clone();
            tokio::spawn(async move {
                rec.first_sighting(RecordKind::SamlAssertionSeen, "_assertion-42", LONG)
                    .await
                    .unwrap()
            })
        })
        .collect();
    let mut firsts = 0;
    for t in tasks {
        firsts += usize::from(t.await.unwrap());
    }
    assert_eq!(firsts, 1);
    assert!(!rec
        .first_sighting(RecordKind::SamlAssertionSeen, "_assertion-42", LONG)
        .await
        .unwrap());
    assert!(rec
        .first_sighting(RecordKind::SamlAssertionSeen, "_assertion-43", LONG)
        .await
        .unwrap());
    assert!(
        rec.first_sighting(RecordKind::ClientAssertionSeen, "_assertion-42", LONG)
            .await
            .unwrap(),
        "replay caches of different kinds are separate"
    );
    // Records::insert_if_absent with a typed value.
    assert!(rec.insert_if_absent(RecordKind::Grant, "g", &person(), LONG).await.unwrap());
    assert!(!rec.insert_if_absent(RecordKind::Grant, "g", &person(), LONG).await.unwrap());
    assert_eq!(rec.get::<Person>(RecordKind::Grant, "g").await.unwrap(), Some(person()));
}

async fn replace_if_exists_never_resurrects(b: &Backend) {
    // Missing key: nothing is written (a revoked grant stays revoked).
    let gone = b.key("revoked-grant");
    assert!(!b.store.replace_if_exists(&gone, b"extended", LONG).await.unwrap());
    assert_eq!(b.store.get(&gone).await.unwrap(), None, "replace_if_exists created a key");
    // Deleted between read and write (the race): still nothing.
    b.store.put(&gone, b"v1", LONG).await.unwrap();
    let _read = b.store.get(&gone).await.unwrap();
    b.store.delete(&gone).await.unwrap();
    assert!(!b.store.replace_if_exists(&gone, b"v2", LONG).await.unwrap());
    assert_eq!(b.store.get(&gone).await.unwrap(), None, "revoked record written back");
    // Expired counts as gone.
    let expired = b.key("expired-grant");
    b.store.put(&expired, b"v1", Duration::from_secs(1)).await.unwrap();
    b.wait_gone(&expired).await;
    assert!(!b.store.replace_if_exists(&expired, b"v2", LONG).await.unwrap());
    assert_eq!(b.store.get(&expired).await.unwrap(), None);
    // Present: replaced, and the new TTL applies (longer here, and never "no expiry").
    let live = b.key("live-grant");
    b.store.put(&live, b"v1", Duration::from_secs(2)).await.unwrap();
    assert!(b.store.replace_if_exists(&live, b"v2", LONG).await.unwrap());
    assert_eq!(b.store.get(&live).await.unwrap().as_deref(), Some(&b"v2"[..]));
    if let Some(mut raw) = b.raw.clone() {
        let pttl: i64 = redis::cmd("PTTL").arg(&live).query_async(&mut raw).await.unwrap();
        assert!(pttl > 2_000 && pttl <= 120_000, "replace carries the new TTL, got PTTL {pttl}");
    }
    // A shorter TTL applies too: the replaced record expires on its new schedule.
    assert!(b.store.replace_if_exists(&live, b"v3", Duration::from_secs(1)).await.unwrap());
    b.wait_gone(&live).await;
    // Through Records, typed and sealed.
    let rec = b.records(sealer("k1", 1));
    assert!(!rec.replace_if_exists(RecordKind::Grant, "g", &person(), LONG).await.unwrap());
    assert_eq!(rec.get::<Person>(RecordKind::Grant, "g").await.unwrap(), None);
    rec.put(RecordKind::Grant, "g", &person(), LONG).await.unwrap();
    let renamed = Person {
        name: "Erika Gabler".into(),
        ..person()
    };
    assert!(rec.replace_if_exists(RecordKind::Grant, "g", &renamed, LONG).await.unwrap());
    assert_eq!(rec.get::<Person>(RecordKind::Grant, "g").await.unwrap(), Some(renamed));
}

async fn sealed_not_plaintext(b: &Backend) {
    let rec = b.records(sealer("k1", 1));
    rec.put(RecordKind::BrokerSession, "sess", &person(), LONG).await.unwrap();
    let key = rec.store_key(RecordKind::BrokerSession, "sess");
    assert!(key.starts_with(&format!("{}:", b.ns)), "namespaced key {key}");
    let through_trait = b.store.get(&key).await.unwrap().expect("stored");
    let mut dumps = vec![through_trait];
    if let Some(mut raw) = b.raw.clone() {
        // What an attacker with a Redis dump sees.
        let bytes: Vec<u8> = redis::cmd("GET").arg(&key).query_async(&mut raw).await.unwrap();
        dumps.push(bytes);
    }
    for bytes in dumps {
        for needle in [PERSONAL, "Mustermann", "1964-08-12", "birth_date"] {
            assert!(
                !bytes.windows(needle.len()).any(|w| w == needle.as_bytes()),
                "{needle} visible in store"
            );
        }
        assert_eq!(bytes[0], 1, "sealed format v1");
    }
    assert_eq!(rec.get::<Person>(RecordKind::BrokerSession, "sess").await.unwrap(), Some(person()));
}

/// A record a live login keeps is compressed before sealing only where its length never leaves
/// the process (the memory store); on Redis its sealed length is the JSON's plus the fixed sealing overhead, so a
/// length seen in a dump or on the wire says nothing about redundancy in the content (CRIME/BREACH
/// pattern). Both forms open.
async fn compressed_only_in_process(b: &Backend) {
    let rec = b.records(sealer("k1", 1));
    let redundant = Person {
        name: "Mustermann ".repeat(100),
        birth_date: "1964-08-12".into(),
    };
    let json_len = serde_json::to_vec(&redundant).unwrap().len();
    rec.put(RecordKind::BrokerSession, "long", &redundant, LONG).await.unwrap();
    let key = rec.store_key(RecordKind::BrokerSession, "long");
    let sealed = b.store.get(&key).await.unwrap().expect("stored");
    // Format byte, key id length, "k1", nonce, tag.
    let overhead = 1 + 1 + 2 + 12 + 16;
    if b.store.lengths_stay_in_process() {
        assert!(sealed.len() < json_len / 4, "{} sealed bytes for {json_len} of JSON", sealed.len());
    } else {
        assert_eq!(sealed.len(), json_len + overhead, "uncompressed outside the process");
    }
    assert_eq!(
        rec.get::<Person>(RecordKind::BrokerSession, "long").await.unwrap(),
        Some(redundant.clone())
    );
    // A record that lives only for a login in flight (a code) is sealed as it is, on every
    // backend: compressing it would cost CPU for no lasting memory.
    rec.put(RecordKind::AuthorizationCode, "short", &redundant, LONG).await.unwrap();
    let short = b
        .store
        .get(&rec.store_key(RecordKind::AuthorizationCode, "short"))
        .await
        .unwrap()
        .expect("stored");
    assert_eq!(short.len(), json_len + overhead);
    assert_eq!(
        rec.get::<Person>(RecordKind::AuthorizationCode, "short").await.unwrap(),
        Some(redundant)
    );
}

async fn other_key_cannot_read(b: &Backend) {
    let a = b.records(sealer("k1", 1));
    let other = b.records(sealer("k1", 2)); // same key id, different key material
    let stranger = b.records(sealer("k9", 3));
    a.put(RecordKind::PendingAuthorization, "p", &person(), LONG).await.unwrap();
    for r in [&other, &stranger] {
        let e = r.get::<Person>(RecordKind::PendingAuthorization, "p").await.unwrap_err();
        assert!(matches!(e, StoreError::Corrupt(_)), "{e}");
    }
    // A record copied to another store key (code replayed as session) does not open either.
    let raw = b
        .store
        .get(&a.store_key(RecordKind::PendingAuthorization, "p"))
        .await
        .unwrap()
        .unwrap();
    b.store.put(&a.store_key(RecordKind::BrokerSession, "p"), &raw, LONG).await.unwrap();
    assert!(a.get::<Person>(RecordKind::BrokerSession, "p").await.is_err());
    // Rotation: a ring with the new key first still reads the old record.
    let rotated = b.records(Arc::new(Sealer::new(vec![
        SealingKey::new("k2", &[7; 32]).unwrap(),
        SealingKey::new("k1", &[1; 32]).unwrap(),
    ])));
    assert_eq!(
        rotated.get::<Person>(RecordKind::PendingAuthorization, "p").await.unwrap(),
        Some(person())
    );
}

/// The schedule behind the back-channel logout queue: members by due time, earliest first, a
/// member's due time replaced, removal reported once, and the schedule itself expires.
async fn schedule_due_unschedule(b: &Backend) {
    let k = b.key("sched");
    assert!(b.store.due(&k, i64::MAX, 10).await.unwrap().is_empty());
    b.store.schedule(&k, "late", 3000, LONG).await.unwrap();
    b.store.schedule(&k, "early", 1000, LONG).await.unwrap();
    b.store.schedule(&k, "mid", 2000, LONG).await.unwrap();
    assert_eq!(b.store.due(&k, 999, 10).await.unwrap(), Vec::<String>::new());
    assert_eq!(b.store.due(&k, 2000, 10).await.unwrap(), vec!["early", "mid"]);
    assert_eq!(b.store.due(&k, 5000, 2).await.unwrap(), vec!["early", "mid"], "limit");
    // Rescheduling replaces the due time (no duplicate member).
    b.store.schedule(&k, "early", 4000, LONG).await.unwrap();
    assert_eq!(b.store.due(&k, 5000, 10).await.unwrap(), vec!["mid", "late", "early"]);
    assert!(b.store.unschedule(&k, "mid").await.unwrap());
    assert!(!b.store.unschedule(&k, "mid").await.unwrap(), "removed once");
    assert!(!b.store.unschedule(&b.key("none"), "x").await.unwrap());
    assert_eq!(b.store.due(&k, 5000, 10).await.unwrap(), vec!["late", "early"]);
    // A short TTL never shortens a longer one; the schedule expires as a whole.
    b.store.schedule(&k, "x", 1, Duration::from_millis(200)).await.unwrap();
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(b.store.due(&k, 5000, 10).await.unwrap().len(), 3, "TTL shortened");
    let short = b.key("short");
    b.store.schedule(&short, "x", 1, Duration::from_millis(200)).await.unwrap();
    for _ in 0..100 {
        if b.store.due(&short, 5000, 10).await.unwrap().is_empty() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("schedule did not expire");
}

/// The lease of a delivery: of concurrent instances exactly one gets it (`SET NX PX`).
async fn lease_exactly_one_wins(b: &Backend) {
    let k = b.key("lease");
    let mut tasks = Vec::new();
    for i in 0..16 {
        let (store, k) = (b.store.clone(), k.clone());
        tasks.push(tokio::spawn(async move {
            store.insert_if_absent(&k, format!("i{i}").as_bytes(), LONG).await.unwrap()
        }));
    }
    let mut won = 0;
    for t in tasks {
        won += usize::from(t.await.unwrap());
    }
    assert_eq!(won, 1);
}

async fn batch_reads_and_writes_in_order(b: &Backend) {
    let (x, y, gone) = (b.key("bx"), b.key("by"), b.key("bgone"));
    b.store.put(&x, b"old-x", LONG).await.unwrap();
    b.store.put(&gone, b"doomed", LONG).await.unwrap();
    let out = b
        .store
        .batch(&[
            BatchOp::Get(&x),
            BatchOp::Put(&x, b"new-x", LONG),
            BatchOp::Get(&x),
            BatchOp::Get(&y),
            BatchOp::Put(&y, b"y", Duration::from_secs(1)),
            BatchOp::Delete(&gone),
            BatchOp::Get(&gone),
        ])
        .await
        .unwrap();
    let want: Vec<Option<Vec<u8>>> = vec![Some(b"old-x".to_vec()), None, Some(b"new-x".to_vec()), None, None, None, None];
    assert_eq!(out, want, "one answer per op, in order, each seeing the ones before");
    assert_eq!(b.store.get(&x).await.unwrap().as_deref(), Some(&b"new-x"[..]));
    assert_eq!(b.store.get(&gone).await.unwrap(), None, "deleted in the batch");
    // Writes in a batch carry their TTL like every other write.
    b.wait_gone(&y).await;
    assert!(b.store.batch(&[]).await.unwrap().is_empty(), "an empty batch is no error");
    // Through Records: sealed writes, typed reads, one round trip.
    let r = b.records(sealer("k1", 1));
    let mut batch = r.batch();
    batch.put(RecordKind::Grant, "g", &person(), LONG).unwrap();
    batch.run().await.unwrap();
    let mut batch = r.batch();
    let g = batch.get(RecordKind::Grant, "g");
    let missing = batch.get(RecordKind::Grant, "nothing");
    batch.delete(RecordKind::Grant, "g");
    let mut found = batch.run().await.unwrap();
    assert_eq!(found.decode::<Person>(g).unwrap(), Some(person()));
    assert_eq!(found.decode::<Person>(missing).unwrap(), None);
    assert_eq!(r.get::<Person>(RecordKind::Grant, "g").await.unwrap(), None);
}

/// A schedule entry queued in a batch behaves as `schedule` does: due members come back earliest
/// first, and a short TTL never shortens the schedule's longer one.
async fn batch_schedules(b: &Backend) {
    let (k, rec) = (b.key("bsched"), b.key("brec"));
    b.store.schedule(&k, "first", 1000, LONG).await.unwrap();
    let out = b
        .store
        .batch(&[
            BatchOp::Put(&rec, b"r", LONG),
            BatchOp::Schedule(&k, "second", 500, Duration::from_millis(200)),
            BatchOp::Get(&rec),
        ])
        .await
        .unwrap();
    assert_eq!(
        out,
        vec![None, None, Some(b"r".to_vec())],
        "one answer per op, a schedule answers nothing"
    );
    assert_eq!(
        b.store.due(&k, 2000, 10).await.unwrap(),
        vec!["second".to_owned(), "first".to_owned()]
    );
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(
        b.store.due(&k, 2000, 10).await.unwrap().len(),
        2,
        "the batch's shorter TTL did not shorten the schedule"
    );
    // Through Records: the schedule of a kind, as `Records::schedule` names it.
    let r = b.records(sealer("k1", 1));
    let mut batch = r.batch();
    batch.schedule(RecordKind::Other("bwatch"), "m", 7, LONG);
    batch.run().await.unwrap();
    assert_eq!(r.due(RecordKind::Other("bwatch"), 10, 10).await.unwrap(), vec!["m".to_owned()]);
}

/// A take and a replay-cache entry in one batch keep their single-use meaning: of concurrent
/// batches exactly one gets the value and exactly one sees the id first (the SAML ACS batches
/// both; with replicas required the batch waits for them like a single take).
async fn batch_takes_and_sights_once(b: &Backend) {
    let (k, seen) = (b.key("btake"), b.key("bseen"));
    b.store.put(&k, b"txn", LONG).await.unwrap();
    let ops = [
        BatchOp::Take(&k),
        BatchOp::InsertIfAbsent(&seen, b"1", LONG),
        BatchOp::Take(&k),
        BatchOp::InsertIfAbsent(&seen, b"1", LONG),
    ];
    let out = b.store.batch(&ops).await.unwrap();
    assert_eq!(out, vec![Some(b"txn".to_vec()), Some(Vec::new()), None, None]);
    assert_eq!(b.store.get(&k).await.unwrap(), None, "taken");
    // Concurrent batches: one winner for the take, one for the sighting.
    let (k2, seen2) = (b.key("btake2"), b.key("bseen2"));
    b.store.put(&k2, b"txn", LONG).await.unwrap();
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let (store, k2, seen2) = (b.store.clone(), k2.clone(), seen2.clone());
        tasks.push(tokio::spawn(async move {
            let out = store
                .batch(&[BatchOp::Take(&k2), BatchOp::InsertIfAbsent(&seen2, b"1", LONG)])
                .await
                .unwrap();
            (usize::from(out[0].is_some()), usize::from(out[1].is_some()))
        }));
    }
    let (mut took, mut first) = (0, 0);
    for t in tasks {
        let (a, b) = t.await.unwrap();
        took += a;
        first += b;
    }
    assert_eq!((took, first), (1, 1));
    // Through Records: typed take, hashed replay key, `stored`.
    let r = b.records(sealer("k1", 1));
    r.put(RecordKind::UpstreamTransaction, "t", &person(), LONG).await.unwrap();
    let mut batch = r.batch();
    let taken = batch.take(RecordKind::UpstreamTransaction, "t");
    let sighting = batch.first_sighting(RecordKind::SamlAssertionSeen, "issuer\u{1f}id", LONG);
    let mut found = batch.run().await.unwrap();
    assert_eq!(found.decode::<Person>(taken).unwrap(), Some(person()));
    assert!(found.stored(sighting));
    assert!(
        !r.first_sighting(RecordKind::SamlAssertionSeen, "issuer\u{1f}id", LONG)
            .await
            .unwrap(),
        "the batch's entry is the one first_sighting finds"
    );
    assert_eq!(r.get::<Person>(RecordKind::UpstreamTransaction, "t").await.unwrap(), None);
}

async fn ping(b: &Backend) {
    b.store.ping().await.unwrap();
}

macro_rules! contract {
    ($($case:ident),* $(,)?) => {
        mod memory {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $case() {
                    let b = super::Backend::memory(stringify!($case));
                    super::$case(&b).await;
                }
            )*
        }
        mod redis_backend {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $case() {
                    let Some(b) = super::Backend::redis(stringify!($case)).await else { return };
                    super::$case(&b).await;
                    b.cleanup().await;
                }
            )*
        }

        /// Every case in turn against one store, each in its own namespace (the Redis Cluster
        /// and Sentinel setups of `redis_ha.rs`, too costly to start per case).
        pub(crate) async fn run_all(store: Arc<dyn SessionStore>, label: &str) {
            $(
                eprintln!("contract case {}", stringify!($case));
                $case(&Backend::of(store.clone(), &format!("{label}-{}", stringify!($case)))).await;
            )*
        }
    };
}

contract!(
    put_get_replace,
    ttl_expiry,
    take_is_single_use,
    take_concurrent_exactly_one_wins,
    records_take_concurrent,
    delete,
    insert_if_absent_replay,
    replace_if_exists_never_resurrects,
    sealed_not_plaintext,
    compressed_only_in_process,
    other_key_cannot_read,
    schedule_due_unschedule,
    lease_exactly_one_wins,
    batch_reads_and_writes_in_order,
    batch_schedules,
    batch_takes_and_sights_once,
    ping,
);
