use super::*;

const SEAL: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

fn minimal(extra: &str) -> String {
    format!(
        r#"
[server]
issuer = "http://127.0.0.1:8080"
listen = "127.0.0.1:8080"
development = true

[store]
sealing_keys = [{{ id = "dev1", key = "{SEAL}" }}]

[keys]
generate_dev_keys = true

[oidc]
pairwise_secrets = [{{ version = 1, secret = "development-pairwise-secret-0001" }}]

[[methods]]
id = "dev"
kind = "dev"
level = "high"
{extra}
"#
    )
}

#[test]
fn minimal_development_config_is_valid() {
    let c = Config::from_toml(&minimal(""), "t").unwrap();
    assert!(c.server.development);
    assert_eq!(c.oidc.code_ttl.as_secs(), 60);
}

#[test]
fn unknown_keys_are_rejected() {
    let e = Config::from_toml(&minimal("colour = \"blue\""), "t").unwrap_err();
    assert!(e.to_string().contains("unknown field"), "{e}");
}

#[test]
fn every_problem_is_listed() {
    let text = r#"
[server]
issuer = "not a url"
listen = "nowhere"
development = true

[store]
backend = "etcd"

[keys]
signing = [{ alg = "HS256", file = "/nonexistent/key.pem" }]

[oidc]
pairwise_secrets = [{ version = 1, secret = "short" }]
code_ttl_secs = 600

[[methods]]
id = "eid"
kind = "telepathy"
level = "ultra"

[[clients]]
id = "a"
name = "A"
secret_hash = "plain"
redirect_uris = ["https://a.example/cb#frag"]
scopes = ["openid", "everything"]
allowed_methods = ["bank"]

[[clients]]
id = "a"
name = "A again"
auth_method = "private_key_jwt"
redirect_uris = []
scopes = ["profile"]
"#;
    let e = Config::from_toml(text, "t").unwrap_err();
    let all = e.to_string();
    for needle in [
        "server.issuer: malformed URL",
        "server.listen",
        "store.backend",
        "store.sealing_keys",
        "keys.signing[0].alg",
        "missing file /nonexistent/key.pem",
        "weak secret",
        "code_ttl_secs",
        "unknown method kind",
        "unknown trust level",
        "secret_hash",
        "fragment",
        "unknown scope",
        "unknown method id \"bank\"",
        "duplicate client id",
        "jwks_file: required",
        "must include openid",
    ] {
        assert!(all.contains(needle), "missing {needle:?} in:\n{all}");
    }
    assert!(e.problems.len() >= 17, "{all}");
}

#[test]
fn development_is_refused_on_a_public_issuer() {
    let text = minimal("").replace("http://127.0.0.1:8080", "https://login.example.de");
    let e = Config::from_toml(&text, "t").unwrap_err().to_string();
    assert!(e.contains("not a loopback address"), "{e}");
}

#[test]
fn dev_material_refused_in_production() {
    let text = minimal("").replace("development = true", "development = false").replace(
        "generate_dev_keys = true",
        "signing = [{ alg = \"ES256\", file = \"certs/dev/signing.pem\" }]",
    );
    let e = Config::from_toml(&text, "t").unwrap_err().to_string();
    assert!(e.contains("development material"), "{e}");
    assert!(e.contains("development login is refused"), "{e}");
}

#[test]
fn secrets_from_environment() {
    let text = minimal("").replace("development-pairwise-secret-0001", "env:BK_TEST_MISSING_PAIRWISE_SECRET");
    let e = Config::from_toml(&text, "t").unwrap_err().to_string();
    assert!(e.contains("BK_TEST_MISSING_PAIRWISE_SECRET is not set"), "{e}");
}

#[test]
fn listeners_that_share_a_port_clash() {
    let a = |s: &str| s.parse::<std::net::SocketAddr>().unwrap();
    assert!(listeners_clash(a("0.0.0.0:8443"), a("0.0.0.0:8443")));
    assert!(listeners_clash(a("0.0.0.0:8443"), a("127.0.0.1:8443")));
    assert!(listeners_clash(a("127.0.0.1:9090"), a("[::]:9090")));
    assert!(!listeners_clash(a("127.0.0.1:8443"), a("10.0.0.1:8443")));
    assert!(!listeners_clash(a("0.0.0.0:8443"), a("0.0.0.0:9443")));
    assert!(!listeners_clash(a("127.0.0.1:0"), a("127.0.0.1:0")));
}

#[test]
fn the_admin_listener_must_not_take_the_main_port() {
    let e = Config::from_toml(
        &minimal("").replace("development = true", "development = true\nadmin_listen = \"0.0.0.0:8080\""),
        "t",
    )
    .unwrap_err();
    assert!(
        e.problems.iter().any(|p| p == "server.admin_listen: 0.0.0.0:8080 clashes with server.listen (127.0.0.1:8080): each listener needs its own port"),
        "{e}"
    );
}

#[test]
fn the_audit_sink_is_stdout_or_a_file_in_an_existing_directory() {
    let ok = Config::from_toml(&minimal(""), "t").unwrap();
    assert_eq!(ok.audit, AuditConfig::Stdout);
    let e = Config::from_toml(&format!("{}\n[audit]\nsink = \"syslog\"\n", minimal("")), "t").unwrap_err();
    assert!(
        e.problems
            .iter()
            .any(|p| p == "audit.sink: \"syslog\" is not \"stdout\" or \"file\""),
        "{e}"
    );
    let e = Config::from_toml(&format!("{}\n[audit]\nsink = \"file\"\n", minimal("")), "t").unwrap_err();
    assert!(
        e.problems.iter().any(|p| p == "audit.file: required with audit.sink = \"file\""),
        "{e}"
    );
    let e = Config::from_toml(
        &format!("{}\n[audit]\nsink = \"file\"\nfile = \"/nonexistent-dir/audit.log\"\n", minimal("")),
        "t",
    )
    .unwrap_err();
    assert!(
        e.problems
            .iter()
            .any(|p| p == "audit.file: directory /nonexistent-dir does not exist"),
        "{e}"
    );
}
