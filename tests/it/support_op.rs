//! Upstream OpenID Providers for the bank-ID tests (issue 10 item 6), all on 127.0.0.1 port 0:
//!
//! - [`PanvaOp`]: panva's OpenID-certified `oidc-provider` (tests/peers/oidc-provider/server.mjs),
//!   configured like a bank, as a child process: killed when dropped, and it exits by itself when
//!   the test process goes away (it watches its stdin). The independent peer of the interop test.
//! - [`fake_op::FakeOp`]: a tiny OP in the test code (axum) that answers with a crafted ID token
//!   or a broken token endpoint, for the attacks a certified OP will not commit.
//! - [`bed`]: the broker with one or two `kind = "oidc"` methods in front of them.
//!
//! The broker's `[[oidc_upstreams]]` section is added to the raw configuration through its serde
//! form ([`merge_toml`]), so this module compiles whatever raw types the configuration has.

#![allow(dead_code)]

pub mod bed;
pub mod fake_op;

use buergerkonto::config::raw::RawConfig;
use jsonwebtoken::jwk::{Jwk, ThumbprintHash};
use jsonwebtoken::{Algorithm, EncodingKey};
use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Norway BankID's `acr` for BankID (high) and BankID on mobile.
pub const ACR_BID: &str = "urn:bankid:bid;LOA=4";
/// Norway BankID's `acr` for BankID "biometric/substantial" (a lower level).
pub const ACR_BIS: &str = "urn:bankid:bis;LOA=3";
/// The client id the broker is registered under at the test OPs.
pub const CLIENT_ID: &str = "buergerkonto";

/// Add TOML tables to a raw configuration: arrays of tables (`[[methods]]`, `[[oidc_upstreams]]`)
/// are appended, an entry with the same `id`/`name` as a new one is replaced first (so a test's
/// method never collides with one config/dev.toml may carry); other tables are set. Goes through
/// the serde form of [`RawConfig`], so unknown keys are still refused by `deny_unknown_fields`.
pub fn merge_toml(c: &mut RawConfig, tables: &str) {
    let add: toml::Table = toml::from_str(tables).unwrap_or_else(|e| panic!("test tables do not parse: {e}\n{tables}"));
    let mut whole = serde_json::to_value(&*c).expect("raw config as JSON");
    let add = serde_json::to_value(add).expect("tables as JSON");
    for (key, value) in add.as_object().expect("a table") {
        match (whole.get_mut(key), value) {
            (Some(Value::Array(have)), Value::Array(new)) => {
                let named = |v: &Value| v.get("id").or_else(|| v.get("name")).cloned();
                have.retain(|old| new.iter().all(|n| named(n).is_none() || named(n) != named(old)));
                have.extend(new.iter().cloned());
            }
            _ => {
                whole[key] = value.clone();
            }
        }
    }
    *c = serde_json::from_value(whole).unwrap_or_else(|e| panic!("the merged configuration does not deserialize: {e}\n{tables}"));
}

/// The broker's key for `private_key_jwt` at the upstream, written as a PKCS#8 PEM file.
pub struct ClientKey {
    /// The PEM file (`client_key` in the configuration).
    pub path: PathBuf,
    /// The public JWK (kid = RFC 7638 thumbprint, `use` = sig, `alg`).
    pub jwk: Value,
    /// `ES256` or `PS256`.
    pub alg: &'static str,
}

impl ClientKey {
    /// A fresh EC P-256 (`alg` = "ES256") or RSA 2048 (`alg` = "PS256") key in `dir`.
    pub fn generate(dir: &Path, alg: &'static str) -> Self {
        let (key, jwt_alg) = match alg {
            "ES256" => (rcgen::KeyPair::generate().expect("EC key"), Algorithm::ES256),
            "PS256" => (
                rcgen::KeyPair::generate_for(&rcgen::PKCS_RSA_SHA256).expect("RSA key"),
                Algorithm::PS256,
            ),
            other => panic!("no client key for {other}"),
        };
        let pem = key.serialize_pem();
        let path = dir.join(format!("client-{}.pem", alg.to_lowercase()));
        std::fs::write(&path, &pem).expect("write client key");
        let encoding = match jwt_alg {
            Algorithm::ES256 => EncodingKey::from_ec_pem(pem.as_bytes()),
            _ => EncodingKey::from_rsa_pem(pem.as_bytes()),
        }
        .expect("client key as jsonwebtoken key");
        let mut jwk = Jwk::from_encoding_key(&encoding, jwt_alg).expect("client JWK");
        jwk.common.key_id = Some(jwk.thumbprint(ThumbprintHash::SHA256).expect("thumbprint"));
        let mut jwk = serde_json::to_value(&jwk).expect("JWK as JSON");
        jwk["use"] = json!("sig");
        Self { path, jwk, alg }
    }
}

/// Where the panva OP gets the broker's public client key from.
#[derive(Debug, Clone)]
pub enum ClientJwks {
    /// Fetched from the broker (its `client_jwks_path`).
    Uri(String),
    /// Registered with the client (the operator uploaded the JWKS at the bank).
    Inline(Value),
}

/// Test accounts of the panva OP: a bank customer at `bid;LOA=4` whose identity comes only as
/// OIDC4IDA `verified_claims` under `de_aml`, one who reached only `bis;LOA=3`, one whose
/// verified claims name a trust framework the broker does not accept, and one at an `acr` the
/// broker's table does not know.
pub fn bank_accounts() -> Value {
    let verified = |tf: &str, given: &str, family: &str| {
        json!({
            "verification": { "trust_framework": tf, "time": "2024-03-01T10:00:00Z" },
            "claims": { "given_name": given, "family_name": family, "birthdate": "1964-08-12" }
        })
    };
    json!({
        "kari": { "acr": ACR_BID, "amr": ["BID"], "claims": { "verified_claims": verified("de_aml", "Kari", "Nordmann") } },
        "ola": { "acr": ACR_BIS, "amr": ["BIS"], "claims": { "verified_claims": verified("de_aml", "Ola", "Nordmann") } },
        "foreign": { "acr": ACR_BID, "amr": ["BID"], "claims": {
            "given_name": "Unverified", "verified_claims": verified("eidas", "Foreign", "Framework") } },
        "odd": { "acr": "urn:example:unknown-loa", "amr": ["BID"], "claims": { "verified_claims": verified("de_aml", "Odd", "Level") } }
    })
}

/// panva's `oidc-provider` as a child process (tests/peers/oidc-provider/server.mjs).
pub struct PanvaOp {
    /// `http://127.0.0.1:<port>`.
    pub issuer: String,
    child: Child,
    log: Arc<Mutex<String>>,
    // Held open: the OP exits when it closes (the test process is gone).
    _stdin: Option<ChildStdin>,
}

impl PanvaOp {
    /// The configuration for one client (the broker, called back at `redirect_uri`) with the
    /// [`bank_accounts`], `kari` logging in unless the interaction URL says otherwise.
    pub fn bank_config(redirect_uri: &str, jwks: &ClientJwks, id_token_alg: &str) -> Value {
        let mut client = json!({
            "client_id": CLIENT_ID,
            "redirect_uris": [redirect_uri],
            "grant_types": ["authorization_code"],
            "response_types": ["code"],
            "token_endpoint_auth_method": "private_key_jwt",
            "id_token_signed_response_alg": id_token_alg,
        });
        match jwks {
            ClientJwks::Uri(uri) => client["jwks_uri"] = json!(uri),
            ClientJwks::Inline(set) => client["jwks"] = set.clone(),
        }
        json!({ "clients": [client], "accounts": bank_accounts(), "account": "kari", "require_par": true })
    }

    /// Start it (blocking: it is called while the broker's configuration is edited, before the
    /// broker fetches the OP's discovery document) and wait for its issuer line.
    pub fn start(config: &Value) -> Self {
        let dir = crate::peers::oidc_provider_dir();
        let mut child = Command::new("node")
            .arg(dir.join("server.mjs"))
            .current_dir(&dir)
            .env("BK_OP_CONFIG", config.to_string())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start node tests/peers/oidc-provider/server.mjs");
        let log = Arc::new(Mutex::new(String::new()));
        let stderr = child.stderr.take().expect("stderr");
        let sink = log.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                let mut log = sink.lock().expect("log");
                log.push_str(&line);
                log.push('\n');
            }
        });
        let (tx, rx) = std::sync::mpsc::channel();
        let mut stdout = child.stdout.take().expect("stdout");
        std::thread::spawn(move || {
            let mut reader = BufReader::new(&mut stdout);
            let mut line = String::new();
            let _ = tx.send(reader.read_line(&mut line).map(|_| line));
            // Drain whatever else it prints so the pipe never fills.
            let _ = std::io::copy(&mut reader.take(u64::MAX), &mut std::io::sink());
        });
        let stdin = child.stdin.take();
        let mut op = PanvaOp {
            issuer: String::new(),
            child,
            log,
            _stdin: stdin,
        };
        // A liveness bound, not a timing assertion: a cold Node start beside a full parallel test run
        // on two cores took over 30 s once in CI.
        let line = match rx.recv_timeout(Duration::from_secs(120)) {
            Ok(Ok(line)) if !line.trim().is_empty() => line,
            other => panic!("the panva OP did not start ({other:?}); its log:\n{}", op.log()),
        };
        let started: Value = serde_json::from_str(line.trim()).unwrap_or_else(|e| panic!("OP start line {line:?}: {e}"));
        op.issuer = started["issuer"].as_str().expect("issuer in the start line").to_owned();
        op
    }

    /// What the OP wrote to stderr so far (its errors: `op: authorization.error: …`).
    pub fn log(&self) -> String {
        self.log.lock().map(|l| l.clone()).unwrap_or_default()
    }
}

impl Drop for PanvaOp {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn merge_toml_appends_replaces_by_name_and_round_trips() {
    let mut raw = crate::support::dev_raw();
    let before = format!("{raw:?}");
    merge_toml(&mut raw, "");
    assert_eq!(format!("{raw:?}"), before, "the serde round trip changes nothing");
    let methods = raw.methods.len();
    merge_toml(
        &mut raw,
        r#"
[[methods]]
id = "dev"
kind = "dev"
level = "low"
label_de = "Ersetzt"
label_en = "Replaced"

[[methods]]
id = "dev2"
kind = "dev"
level = "low"
label_de = "Neu"
label_en = "New"
"#,
    );
    assert_eq!(raw.methods.len(), methods + 1);
    assert_eq!(raw.methods.iter().filter(|m| m.id == "dev").count(), 1);
}
