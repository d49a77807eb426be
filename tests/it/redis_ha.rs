//! Redis high availability with the redis crate's own support (issue 12 item 2), on real
//! `redis-server` processes of this test (free loopback ports, killed on every path):
//!
//! - **Cluster**: three masters with a replica each, the cluster created by `redis-cli --cluster
//!   create`; the store contract suite runs against it, keys land on more than one node (slots
//!   followed), and again with `min_replica_acks = 1` (`WAIT` after each single-use write, in a
//!   batch too); with the replicas gone, single-use writes fail closed.
//! - **Sentinel**: a master, two replicas and three sentinels; the contract suite runs against the
//!   master the sentinels name, then the master is killed under traffic: operations fail closed
//!   with `Unavailable` during the failover (never a panic, never another error), the store goes on
//!   by itself on the promoted replica, and no value taken before the failover can be taken again
//!   after it (`GETDEL` + `WAIT 1`: a code is never accepted twice). A broker on the same setup
//!   logs a person in before and after the failover.
//!
//! Without `redis-server` and `redis-cli` the tests fail (`crate::peers`), unless the run opted out
//! with `BK_ALLOW_SKIP=1`.

use crate::store_contract::run_all;
use crate::support::{unique_namespace, TestBroker};
use crate::support_login::Jar;
use buergerkonto::config::store_redis::RawSentinel;
use buergerkonto::session::redis::RedisStore;
use buergerkonto::session::redis_conn::{RedisSettings, RedisTarget};
use buergerkonto::session::{BatchOp, SessionStore, StoreError};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// A private redis-server (or sentinel) child; killed when dropped.
struct Proc {
    child: Option<Child>,
    port: u16,
}

impl Proc {
    fn spawn(port: u16, args: &[String]) -> Self {
        let child = Command::new("redis-server")
            .args(args)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("redis-server must be installed (apt-get install redis-server; .ci/run does it)");
        let me = Self { child: Some(child), port };
        wait_until(&format!("redis on port {port} accepts"), || {
            std::net::TcpStream::connect(("127.0.0.1", port)).is_ok()
        });
        me
    }

    /// A data node: no persistence, loopback only, `extra` added.
    fn node(dir: &Path, extra: &[&str]) -> Self {
        let port = free_port();
        let mut args: Vec<String> = [
            "--port",
            &port.to_string(),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        args.push(dir.display().to_string());
        args.extend(extra.iter().map(|s| s.replace("{port}", &port.to_string())));
        Self::spawn(port, &args)
    }

    fn kill(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        self.kill();
    }
}

fn free_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

/// Poll `ok` for up to 60 s (a liveness bound, not a timing assertion).
fn wait_until(what: &str, mut ok: impl FnMut() -> bool) {
    for _ in 0..600 {
        if ok() {
            return;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("{what}: not reached within 60 s");
}

fn cli(port: u16, args: &[&str]) -> String {
    let o = Command::new("redis-cli")
        .args(["-h", "127.0.0.1", "-p", &port.to_string()])
        .args(args)
        .output()
        .expect("redis-cli (apt-get install redis-tools)");
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn settings(target: RedisTarget, min_replica_acks: u32) -> RedisSettings {
    RedisSettings {
        target,
        username: None,
        password: None,
        ca_pem: None,
        min_replica_acks,
    }
}

fn peers_ready() -> bool {
    crate::peers::require_redis_server()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_store_contract_holds_on_a_redis_cluster() {
    if !peers_ready() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let mut nodes: Vec<Proc> = (0..6)
        .map(|_| {
            Proc::node(
                dir.path(),
                &[
                    "--cluster-enabled",
                    "yes",
                    "--cluster-config-file",
                    "nodes-{port}.conf",
                    "--cluster-node-timeout",
                    "2000",
                ],
            )
        })
        .collect();
    let addrs: Vec<String> = nodes.iter().map(|n| format!("127.0.0.1:{}", n.port)).collect();
    let mut create = vec!["--cluster", "create"];
    create.extend(addrs.iter().map(String::as_str));
    create.extend(["--cluster-replicas", "1", "--cluster-yes"]);
    let out = cli(nodes[0].port, &create);
    assert!(out.contains("All 16384 slots covered"), "cluster create: {out}");
    for n in &nodes {
        wait_until("cluster_state:ok", || {
            cli(n.port, &["cluster", "info"]).contains("cluster_state:ok")
        });
    }
    // Gossip tells the seed about the replicas a moment after the slots are covered.
    wait_until("the seed knows the three replicas", || {
        cli(nodes[0].port, &["cluster", "nodes"]).matches("slave").count() == 3
    });
    let roles = cli(nodes[0].port, &["cluster", "nodes"]);
    let is_replica = |port: u16| {
        roles
            .lines()
            .any(|l| l.contains(&format!("127.0.0.1:{port}@")) && l.contains("slave"))
    };
    let masters: Vec<u16> = nodes.iter().map(|n| n.port).filter(|p| !is_replica(*p)).collect();
    assert_eq!(masters.len(), 3, "three masters with one replica each: {roles}");
    for m in &masters {
        wait_until("each master has its replica in sync", || {
            cli(*m, &["info", "replication"]).contains("state=online")
        });
    }
    // One seed node is enough: the client learns the slot map from it.
    let seed = RedisTarget::Cluster(vec![format!("redis://{}", addrs[0])]);
    let store = RedisStore::connect_with(&settings(seed.clone(), 0))
        .await
        .expect("the cluster store connects");
    let store: Arc<dyn SessionStore> = Arc::new(store);
    run_all(store.clone(), "cluster").await;
    // Keys of one namespace spread over the masters: the client followed the slots.
    let ns = unique_namespace("cluster-spread");
    for i in 0..64 {
        store.put(&format!("{ns}:k{i}"), b"v", Duration::from_secs(60)).await.unwrap();
    }
    let holding = masters
        .iter()
        .filter(|p| cli(**p, &["dbsize"]).trim().parse::<u64>().unwrap_or(0) > 0)
        .count();
    assert!(holding >= 2, "keys on {holding} of 3 masters");

    // Single-use writes acknowledged by a replica (`min_replica_acks = 1`): each command and its
    // `WAIT` go to the key's master, in a batch one pipeline per command (the keys of a batch
    // live on different masters). The whole contract holds with it.
    let acked = RedisStore::connect_with(&settings(seed, 1))
        .await
        .expect("the cluster store with replica acknowledgements connects");
    let acked: Arc<dyn SessionStore> = Arc::new(acked);
    run_all(acked.clone(), "cluster-acks").await;

    // Without the replicas, a single-use write cannot be acknowledged: a take and a batch with a
    // take fail closed (`Unavailable`), and neither hands out a value.
    let ns = unique_namespace("cluster-acks-down");
    let (a, b) = (format!("{ns}:a"), format!("{ns}:b"));
    for k in [&a, &b] {
        acked.put(k, b"code", Duration::from_secs(60)).await.unwrap();
    }
    for n in nodes.iter_mut().filter(|n| !masters.contains(&n.port)) {
        n.kill();
    }
    match acked.take(&a).await {
        Err(StoreError::Unavailable(why)) => assert!(why.contains("acknowledged by 0 of 1"), "{why}"),
        other => panic!("a take without replicas must fail closed, got {other:?}"),
    }
    match acked.batch(&[BatchOp::Take(b.as_str()), BatchOp::Get(a.as_str())]).await {
        Err(StoreError::Unavailable(why)) => assert!(why.contains("acknowledged by 0 of 1"), "{why}"),
        other => panic!("a batch with a take without replicas must fail closed, got {other:?}"),
    }
}

/// A master, `replicas` replicas and three sentinels watching master `bk`.
struct SentinelSetup {
    master: Proc,
    replicas: Vec<Proc>,
    sentinels: Vec<Proc>,
    _dir: tempfile::TempDir,
}

impl SentinelSetup {
    fn start(replicas: usize) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let master = Proc::node(dir.path(), &[]);
        let replica_of = master.port.to_string();
        let replicas: Vec<Proc> = (0..replicas)
            .map(|_| Proc::node(dir.path(), &["--replicaof", "127.0.0.1", &replica_of]))
            .collect();
        wait_until("replicas in sync", || {
            cli(master.port, &["info", "replication"]).contains(&format!("connected_slaves:{}", replicas.len()))
                && replicas
                    .iter()
                    .all(|r| cli(r.port, &["info", "replication"]).contains("master_link_status:up"))
        });
        let sentinels: Vec<Proc> = (0..3)
            .map(|i| {
                let port = free_port();
                let conf = dir.path().join(format!("sentinel-{i}.conf"));
                std::fs::write(
                    &conf,
                    format!(
                        "port {port}\nbind 127.0.0.1\ndir {}\nsentinel monitor bk 127.0.0.1 {} 2\n\
                         sentinel down-after-milliseconds bk 1000\nsentinel failover-timeout bk 5000\n\
                         sentinel parallel-syncs bk 1\n",
                        dir.path().display(),
                        master.port
                    ),
                )
                .unwrap();
                Proc::spawn(port, &[conf.display().to_string(), "--sentinel".into()])
            })
            .collect();
        let want = format!("{}", replicas.len());
        wait_until("sentinels see each other and the replicas", || {
            sentinels.iter().all(|s| {
                let info = cli(s.port, &["sentinel", "master", "bk"]);
                let lines: Vec<&str> = info.lines().collect();
                let field = |name: &str| lines.iter().position(|l| *l == name).and_then(|i| lines.get(i + 1)).copied();
                field("num-other-sentinels") == Some("2") && field("num-slaves") == Some(want.as_str())
            })
        });
        Self {
            master,
            replicas,
            sentinels,
            _dir: dir,
        }
    }

    fn urls(&self) -> Vec<String> {
        self.sentinels.iter().map(|s| format!("redis://127.0.0.1:{}", s.port)).collect()
    }

    fn target(&self) -> RedisTarget {
        RedisTarget::Sentinel {
            master_name: "bk".into(),
            sentinels: self.urls(),
        }
    }

    /// The master port the first sentinel names now.
    fn master_port(&self) -> Option<u16> {
        let out = cli(self.sentinels[0].port, &["sentinel", "get-master-addr-by-name", "bk"]);
        out.lines().nth(1).and_then(|p| p.trim().parse().ok())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sentinel_failover_under_traffic_fails_closed_and_never_takes_twice() {
    if !peers_ready() || !crate::peers::require_redis() {
        return;
    }
    let setup = SentinelSetup::start(2);
    let store = RedisStore::connect_with(&settings(setup.target(), 1))
        .await
        .expect("the sentinel store connects");
    let store: Arc<dyn SessionStore> = Arc::new(store);
    run_all(store.clone(), "sentinel").await;

    // A broker on the same setup: a login before the failover.
    let ns = unique_namespace("sentinel-broker");
    let sentinels = setup.urls();
    let broker = TestBroker::new()
        .with_config(move |c| {
            crate::support_logout::with_logout_clients(c);
            c.store.backend = Some("redis".into());
            c.store.redis_url = None;
            c.store.namespace = Some(ns);
            c.store.redis_sentinel = Some(RawSentinel {
                master_name: "bk".into(),
                sentinels,
                min_replica_acks: Some(1),
            });
        })
        .start()
        .await;
    let tokens = crate::support_logout::demo_login(&broker, &mut Jar::default(), "openid").await;
    assert!(tokens["id_token"].is_string());

    // Traffic: put a "code", take it once; remember every take that returned it.
    let ns = unique_namespace("sentinel-traffic");
    let stop = Arc::new(AtomicBool::new(false));
    let (ok_ops, failed_ops) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let taken: Arc<Mutex<Vec<String>>> = Arc::default();
    let mut tasks = Vec::new();
    for t in 0..4 {
        let (store, stop, ok_ops, failed_ops, taken, ns) = (
            store.clone(),
            stop.clone(),
            ok_ops.clone(),
            failed_ops.clone(),
            taken.clone(),
            ns.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let mut i = 0u64;
            while !stop.load(Ordering::Relaxed) {
                i += 1;
                let key = format!("{ns}:code:{t}:{i}");
                let r = match store.put(&key, b"code", Duration::from_secs(300)).await {
                    Ok(()) => store.take(&key).await.map(|v| v.is_some()),
                    Err(e) => Err(e),
                };
                match r {
                    Ok(true) => {
                        taken.lock().unwrap().push(key);
                        ok_ops.fetch_add(1, Ordering::Relaxed);
                    }
                    Ok(false) => panic!("{key}: put then take found nothing"),
                    Err(StoreError::Unavailable(_)) => {
                        failed_ops.fetch_add(1, Ordering::Relaxed);
                        tokio::time::sleep(Duration::from_millis(20)).await;
                    }
                    Err(e) => panic!("only Unavailable during a failover, got {e}"),
                }
            }
        }));
    }
    let wait_ops = |n: usize, ok: Arc<AtomicUsize>| async move {
        for _ in 0..600 {
            if ok.load(Ordering::Relaxed) >= n {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("fewer than {n} successful operations within 60 s");
    };
    wait_ops(200, ok_ops.clone()).await;
    let old_master = setup.master.port;
    let mut setup = setup;
    setup.master.kill();
    let before = ok_ops.load(Ordering::Relaxed);
    // The store goes on by itself once a replica is promoted.
    wait_ops(before + 200, ok_ops.clone()).await;
    stop.store(true, Ordering::Relaxed);
    for t in tasks {
        t.await.expect("no task panicked");
    }
    let promoted = setup.master_port().expect("a master");
    assert_ne!(promoted, old_master, "the sentinels promoted a replica");
    assert!(setup.replicas.iter().any(|r| r.port == promoted));
    assert!(
        failed_ops.load(Ordering::Relaxed) > 0,
        "the failover happened under traffic (operations failed closed)"
    );
    // Nothing taken before, during or after the failover can be taken again.
    let taken = taken.lock().unwrap().clone();
    for key in &taken {
        assert_eq!(store.take(key).await.unwrap(), None, "{key} was taken twice");
    }
    // The broker, untouched, logs a person in on the promoted replica.
    let tokens = crate::support_logout::demo_login(&broker, &mut Jar::default(), "openid").await;
    assert!(tokens["id_token"].is_string());
}

/// A CA and a server certificate for 127.0.0.1 signed by it (PEM: CA, server cert, server key).
fn tls_material() -> (String, String, String) {
    use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair};
    let ca_key = KeyPair::generate().unwrap();
    let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.distinguished_name.push(DnType::CommonName, "Redis Test CA");
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca_pem = ca.self_signed(&ca_key).unwrap().pem();
    let key = KeyPair::generate().unwrap();
    let mut sp = CertificateParams::new(vec!["127.0.0.1".to_owned()]).unwrap();
    sp.distinguished_name.push(DnType::CommonName, "127.0.0.1");
    let cert = sp.signed_by(&key, &Issuer::from_params(&ca, &ca_key)).unwrap().pem();
    (ca_pem, cert, key.serialize_pem())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn rediss_with_an_acl_user_on_rustls() {
    if !peers_ready() {
        return;
    }
    // The redis crate builds its rustls config on the process default: the broker installs ours.
    buergerkonto::tls::install_process_default().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (ca, cert, key) = tls_material();
    let write = |name: &str, text: &str| {
        let p = dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        p.display().to_string()
    };
    let (ca_p, cert_p, key_p) = (write("ca.pem", &ca), write("server.pem", &cert), write("server.key", &key));
    let port = free_port();
    let conf = write(
        "redis.conf",
        &format!(
            "port 0\ntls-port {port}\nbind 127.0.0.1\ntls-cert-file {cert_p}\ntls-key-file {key_p}\n\
             tls-ca-cert-file {ca_p}\ntls-auth-clients no\nsave \"\"\nappendonly no\ndir {}\n\
             user default off\nuser broker on >s3cret-acl ~* &* +@all\n",
            dir.path().display()
        ),
    );
    let _server = Proc::spawn(port, &[conf]);
    let url = format!("rediss://127.0.0.1:{port}");
    let tls = |user: Option<&str>, pw: &str, ca: Option<&str>| RedisSettings {
        target: RedisTarget::Single(url.clone()),
        username: user.map(str::to_owned),
        password: Some(pw.to_owned()),
        ca_pem: ca.map(|c| c.as_bytes().to_vec()),
        min_replica_acks: 0,
    };
    let store = RedisStore::connect_with(&tls(Some("broker"), "s3cret-acl", Some(&ca)))
        .await
        .expect("TLS with the configured CA and the ACL user");
    run_all(Arc::new(store), "tls").await;
    for (what, s) in [
        ("wrong password", tls(Some("broker"), "wrong", Some(&ca))),
        ("the disabled default user", tls(None, "s3cret-acl", Some(&ca))),
        ("a server certificate from an unknown CA", tls(Some("broker"), "s3cret-acl", None)),
    ] {
        match RedisStore::connect_with(&s).await {
            Err(StoreError::Unavailable(_)) => {}
            Err(e) => panic!("{what}: expected Unavailable, got {e}"),
            Ok(_) => panic!("{what}: must not connect"),
        }
    }
    let mut plain = tls(Some("broker"), "s3cret-acl", Some(&ca));
    plain.target = RedisTarget::Single(format!("redis://127.0.0.1:{port}"));
    assert!(RedisStore::connect_with(&plain).await.is_err(), "plain text to the TLS port fails");
}
