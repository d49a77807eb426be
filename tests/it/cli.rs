//! The real `buergerkonto` binary: `check-config`, start-up failures (one clear message naming the
//! file or key, non-zero exit, never a panic or backtrace), and graceful shutdown on SIGTERM.

use crate::support::{dev_raw, http_client};
use buergerkonto::config::raw::{RawConfig, RawSigningKey};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

const BIN: &str = env!("CARGO_BIN_EXE_buergerkonto");
const ROOT: &str = env!("CARGO_MANIFEST_DIR");

fn run(args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .current_dir(ROOT)
        .env("RUST_BACKTRACE", "1")
        .output()
        .unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Non-zero exit, the needle in stderr, and no panic or backtrace.
fn assert_clean_failure(o: &Output, needles: &[&str]) {
    let err = stderr(o);
    assert!(!o.status.success(), "expected failure, got success; stderr:\n{err}");
    for n in needles {
        assert!(err.contains(n), "missing {n:?} in stderr:\n{err}");
    }
    for bad in ["panicked", "backtrace", "RUST_BACKTRACE", "stack backtrace"] {
        assert!(!err.contains(bad), "{bad:?} in stderr:\n{err}");
    }
}

/// config/dev.toml on port 0 (the binary binds whatever is free and logs it: no port is chosen
/// here and bound there), edited as typed values, written back as TOML.
fn dev_config_file(edit: impl FnOnce(&mut RawConfig)) -> String {
    let mut c = dev_raw();
    c.server.listen = "127.0.0.1:0".into();
    edit(&mut c);
    toml::to_string(&c).unwrap()
}

fn temp_config(dir: &Path, text: &str) -> PathBuf {
    let p = dir.join("broker.toml");
    std::fs::write(&p, text).unwrap();
    p
}

#[test]
fn check_config_accepts_the_development_config() {
    let o = run(&["check-config", "--config", "config/dev.toml"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(String::from_utf8_lossy(&o.stdout).contains("configuration is valid"));
}

#[test]
fn example_config_uses_only_real_keys() {
    // config/example.toml is the reference, not a deployable file (its key files do not exist
    // here), so validation problems are expected; what must never happen is a parse error or an
    // unknown key, which would mean the reference documents a key the broker does not have.
    let o = Command::new(BIN)
        .args(["check-config", "--config", "config/example.toml"])
        .current_dir(ROOT)
        .env("BK_SEALING_KEY", "q83vEjRWeJCrze8SNFZ4kKvN7xI0VniQq83vEjRWeJA=")
        .env("BK_SEALING_KEY_OLD", "EjRWeJCrze8SNFZ4kKvN7xI0VniQq83vEjRWeJCrze8=")
        .env("BK_REDIS_PASSWORD", "redis-password-for-the-test")
        .env("BK_PAIRWISE_SECRET", "example-pairwise-secret-0123456789abcdef")
        .output()
        .unwrap();
    let err = stderr(&o);
    for bad in [
        "parse error",
        "unknown field",
        "missing field",
        "invalid type",
        "panicked",
        "clashes with",
    ] {
        assert!(!err.contains(bad), "{bad:?}:\n{err}");
    }
}

#[test]
fn check_config_refuses_a_certificate_listener_on_the_main_port() {
    // config/example.toml had exactly this until issue 12: both on 0.0.0.0:8443.
    let text = dev_config_file(|c| {
        c.server.listen = "127.0.0.1:8443".into();
        crate::support::append_toml(
            c,
            r#"
[certificate]
listen = "0.0.0.0:8443"
public_url = "https://127.0.0.1:8443"
tls_cert = "certs/dev/sp-signing.crt"
tls_key = "certs/dev/sp-signing.key"

[[certificate.anchors]]
name = "test-ca"
ca_file = "certs/dev/sp-signing.crt"
level = "substantial"
revocation = "none"
"#,
        );
    });
    let dir = tempfile::tempdir().unwrap();
    let o = run(&["check-config", "--config", temp_config(dir.path(), &text).to_str().unwrap()]);
    assert_clean_failure(
        &o,
        &["certificate.listen: 0.0.0.0:8443 clashes with server.listen (127.0.0.1:8443): each listener needs its own port"],
    );
}

#[test]
fn check_config_prints_every_problem_one_per_line() {
    let dir = tempfile::tempdir().unwrap();
    let text = r#"
[server]
issuer = "https://login .example.de"
listen = "127.0.0.1:8443"

[store]
sealing_keys = [{ id = "k1", key = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=" }]

[keys]
signing = [{ alg = "ES256", file = "/nonexistent/signing.pem" }]

[oidc]
pairwise_secrets = [{ version = 1, secret = "tooshort" }]

[[methods]]
id = "eid"
kind = "certificate"
level = "high"

[certificate]
listen = "127.0.0.1:8444"
public_url = "https://127.0.0.1:8444"
tls_cert = "/nonexistent/mtls.pem"
tls_key = "/nonexistent/mtls.key"
anchors = [{ name = "ca", ca_file = "/nonexistent/ca.pem", level = "substantial" }]

[[clients]]
id = "fv"
name = "Fachverfahren"
secret_hash = "sha256:85uvUn3M0QMQZNDZez833q8fpX3s8ecmbemivr4ZlLo"
redirect_uris = ["https://fv.example.de/cb"]
scopes = ["openid"]
allowed_methods = ["bank"]

[[clients]]
id = "fv"
name = "Fachverfahren 2"
secret_hash = "sha256:85uvUn3M0QMQZNDZez833q8fpX3s8ecmbemivr4ZlLo"
redirect_uris = ["https://fv.example.de/cb"]
scopes = ["openid"]
"#;
    let path = temp_config(dir.path(), text);
    let o = run(&["check-config", "--config", path.to_str().unwrap()]);
    assert_clean_failure(&o, &[]);
    let err = stderr(&o);
    let lines: Vec<&str> = err.lines().collect();
    for needle in [
        "server.issuer: malformed URL",
        "missing file /nonexistent/signing.pem",
        "duplicate client id \"fv\"",
        "unknown method id \"bank\"",
        "oidc.pairwise_secrets[0].secret: weak secret",
        "store.sealing_keys[0].key: weak secret",
    ] {
        let hits = lines.iter().filter(|l| l.contains(needle)).count();
        assert_eq!(hits, 1, "{needle:?} must be on exactly one line:\n{err}");
    }
    assert!(lines.len() >= 6, "{err}");
}

#[test]
fn malformed_toml_names_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = temp_config(dir.path(), "[server]\nissuer = \"http://127.0.0.1:1\"\nlisten = ");
    for cmd in ["check-config", "serve"] {
        let o = run(&[cmd, "--config", path.to_str().unwrap()]);
        assert_clean_failure(&o, &["broker.toml"]);
    }
    let o = run(&["serve", "--config", "/nonexistent/broker.toml"]);
    assert_clean_failure(&o, &["/nonexistent/broker.toml", "cannot read"]);
}

#[test]
fn missing_unreadable_or_invalid_key_files_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let with_key = |file: &Path| {
        dev_config_file(|c| {
            c.keys.generate_dev_keys = false;
            c.keys.signing = vec![RawSigningKey {
                alg: "ES256".into(),
                file: file.to_owned(),
                publish_only: false,
            }];
        })
    };
    // Missing: refused by validation before anything starts.
    let missing = dir.path().join("missing.pem");
    let o = run(&["serve", "--config", temp_config(dir.path(), &with_key(&missing)).to_str().unwrap()]);
    assert_clean_failure(&o, &["keys.signing[0].file", "missing.pem"]);
    // Unreadable (a directory where a file belongs; tests may run as root, where mode 000 is readable).
    let o = run(&[
        "serve",
        "--config",
        temp_config(dir.path(), &with_key(dir.path())).to_str().unwrap(),
    ]);
    assert_clean_failure(&o, &["keys.signing[0].file", "is not a file"]);
    // Readable but not a key: refused at start-up, naming the file.
    let junk = dir.path().join("junk.pem");
    std::fs::write(&junk, "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n").unwrap();
    let o = run(&["serve", "--config", temp_config(dir.path(), &with_key(&junk)).to_str().unwrap()]);
    assert_clean_failure(&o, &["junk.pem", "not a valid ES256 private key"]);
}

#[test]
fn unreachable_redis_at_startup_is_one_clear_message() {
    let dir = tempfile::tempdir().unwrap();
    let text = dev_config_file(|c| (c.store.backend, c.store.redis_url) = (Some("redis".into()), Some("redis://127.0.0.1:1".into())));
    let o = run(&["serve", "--config", temp_config(dir.path(), &text).to_str().unwrap()]);
    assert_clean_failure(&o, &["cannot reach Redis at redis://127.0.0.1:1"]);
    assert_eq!(stderr(&o).lines().count(), 1, "{}", stderr(&o));
}

#[tokio::test]
async fn serve_shuts_down_gracefully_on_sigterm_with_json_logs() {
    let dir = tempfile::tempdir().unwrap();
    let text = dev_config_file(|c| c.server.log_format = Some("json".into()));
    let path = temp_config(dir.path(), &text);
    let mut child = Command::new(BIN)
        .args(["serve", "--config", path.to_str().unwrap()])
        .current_dir(ROOT)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Read stdout as it comes: the "listening" log line names the address bound on port 0.
    let (lines_tx, lines) = std::sync::mpsc::channel::<String>();
    let stdout = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        use std::io::BufRead;
        let mut all = String::new();
        for line in std::io::BufReader::new(stdout).lines().map_while(Result::ok) {
            all.push_str(&line);
            all.push('\n');
            let _ = lines_tx.send(line);
        }
        all
    });
    let addr = loop {
        let Ok(line) = lines.recv_timeout(Duration::from_secs(30)) else {
            let _ = child.kill();
            panic!("broker did not log its address: {:?}", child.wait_with_output().unwrap());
        };
        let log: serde_json::Value = serde_json::from_str(&line).unwrap_or_default();
        if log["fields"]["message"] == "buergerkonto listening" {
            break log["fields"]["listen"].as_str().unwrap().to_owned();
        }
    };
    let client = http_client();
    let mut up = false;
    for _ in 0..200 {
        if let Ok(r) = client.get(format!("http://{addr}/healthz")).send().await {
            up = r.status() == 200;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    if !up {
        let _ = child.kill();
        panic!("broker did not come up: {:?}", child.wait_with_output().unwrap());
    }
    // `serve` installs the Prometheus recorder: /metrics counts requests by route and status.
    let metrics = client.get(format!("http://{addr}/metrics")).send().await.unwrap();
    assert_eq!(metrics.status(), 200);
    let text = metrics.text().await.unwrap();
    assert!(
        text.contains("buergerkonto_http_requests_total") && text.contains("route=\"/healthz\""),
        "{text}"
    );
    // The shell's builtin kill: no procps needed on a minimal machine.
    let kill = Command::new("sh")
        .args(["-c", &format!("kill -TERM {}", child.id())])
        .status()
        .unwrap();
    assert!(kill.success());
    let mut status = None;
    for _ in 0..300 {
        if let Some(s) = child.try_wait().unwrap() {
            status = Some(s);
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let Some(status) = status else {
        let _ = child.kill();
        panic!("broker did not exit after SIGTERM");
    };
    let out = child.wait_with_output().unwrap();
    let stdout = reader.join().unwrap();
    assert!(status.success(), "exit {status:?}\nstdout:\n{stdout}\nstderr:\n{}", stderr(&out));
    // log_format = "json": every log line is one JSON object.
    let logs: Vec<serde_json::Value> = stdout
        .lines()
        .filter(|l| l.starts_with('{'))
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON: {l}: {e}")))
        .collect();
    assert!(logs.iter().any(|l| l["fields"]["message"] == "buergerkonto listening"), "{stdout}");
    assert!(logs
        .iter()
        .any(|l| l["fields"]["message"].as_str().is_some_and(|m| m.contains("shutdown"))));
    assert!(!stdout.contains("panicked") && !stderr(&out).contains("panicked"));
}

#[test]
fn the_production_example_passes_check_config_given_its_environment() {
    // The files it names, relative to its working directory (/etc/buergerkonto in deployment).
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("keys")).unwrap();
    std::fs::create_dir_all(dir.path().join("tls")).unwrap();
    for key in ["keys/signing-es256.pem", "keys/bankid-client.pem"] {
        let out = dir.path().join(key);
        let o = run(&["keys", "generate", "--alg", "ES256", "--out", out.to_str().unwrap()]);
        assert!(o.status.success(), "{}", stderr(&o));
    }
    let ca = rcgen::generate_simple_self_signed(vec!["login.example.de".to_owned()]).unwrap();
    // config/production.example.toml's names, and deploy/compose/broker.toml's.
    for (cert, key) in [("tls/fullchain.pem", "tls/privkey.pem"), ("tls/broker.pem", "tls/broker.key")] {
        std::fs::write(dir.path().join(cert), ca.cert.pem()).unwrap();
        std::fs::write(dir.path().join(key), ca.signing_key.serialize_pem()).unwrap();
    }
    let check = |file: &str, env: &[(&str, &str)]| {
        Command::new(BIN)
            .args(["check-config", "--config", &format!("{ROOT}/{file}")])
            .current_dir(dir.path())
            .env_remove("BK_SEALING_KEY")
            .env_remove("BK_PAIRWISE_SECRET")
            .env_remove("BK_REDIS_PASSWORD")
            .envs(env.iter().copied())
            .output()
            .unwrap()
    };
    let env = [
        ("BK_SEALING_KEY", "q83vEjRWeJCrze8SNFZ4kKvN7xI0VniQq83vEjRWeJA="),
        ("BK_PAIRWISE_SECRET", "production-pairwise-secret-0123456789abcdef"),
        ("BK_REDIS_PASSWORD", "redis-password-for-the-test"),
    ];
    for file in ["config/production.example.toml", "deploy/compose/broker.toml"] {
        let o = check(file, &env);
        assert!(o.status.success(), "{file}: {}", stderr(&o));
        let out = String::from_utf8_lossy(&o.stdout);
        assert!(out.contains("configuration is valid"), "{out}");
        // What must be equal on every instance, the secrets only as fingerprints.
        assert!(out.contains("Must be equal on every instance"), "{out}");
        for setting in [
            "server.issuer",
            "store.namespace",
            "store.sealing_keys",
            "oidc.pairwise_secrets",
            "keys.signing",
        ] {
            assert!(out.lines().any(|l| l.trim_start().starts_with(setting)), "{setting}: {out}");
        }
        for (_, secret) in env {
            assert!(!out.contains(secret), "{file}: a secret in the output:\n{out}");
        }
        // Without its environment it names what is missing.
        assert_clean_failure(&check(file, &env[1..]), &["BK_SEALING_KEY"]);
    }
}

#[test]
fn instances_with_other_secrets_print_other_fingerprints() {
    // Two instances' check-config outputs differ exactly where a shared value differs.
    let dir = tempfile::tempdir().unwrap();
    let path = temp_config(dir.path(), &dev_config_file(|_| {}));
    let print = |pairwise: &str| {
        let mut c = dev_raw();
        c.oidc.pairwise_secrets[0].secret = pairwise.into();
        std::fs::write(&path, toml::to_string(&c).unwrap()).unwrap();
        let o = run(&["check-config", "--config", path.to_str().unwrap()]);
        assert!(o.status.success(), "{}", stderr(&o));
        String::from_utf8_lossy(&o.stdout).into_owned()
    };
    let line = |out: &str, setting: &str| out.lines().find(|l| l.trim_start().starts_with(setting)).unwrap().to_owned();
    let (a, b) = (
        print("pairwise-secret-one-0123456789abcdef"),
        print("pairwise-secret-two-0123456789abcdef"),
    );
    assert_ne!(line(&a, "oidc.pairwise_secrets"), line(&b, "oidc.pairwise_secrets"));
    assert_eq!(line(&a, "store.sealing_keys"), line(&b, "store.sealing_keys"));
    assert!(!a.contains("pairwise-secret-one"));
}
