//! Tests of `[[oidc_upstreams]]` validation.

use super::*;

fn key_file(dir: &std::path::Path) -> PathBuf {
    let path = dir.join("client.pem");
    std::fs::write(&path, crate::keys::generate_pem(crate::keys::SigningAlg::ES256).unwrap()).unwrap();
    path
}

fn raw(key: PathBuf) -> RawOidcUpstream {
    RawOidcUpstream {
        name: "bankid".into(),
        issuer: "https://op.example/realm".into(),
        client_id: "buergerkonto".into(),
        client_key: Some(key),
        acr_profile: Some("norway-bankid".into()),
        ..Default::default()
    }
}

fn run(raw: Vec<RawOidcUpstream>, development: bool) -> (Vec<OidcUpstreamConfig>, Vec<String>) {
    let mut p = Problems::default();
    let out = validate(raw, development, Duration::from_secs(900), Some("http://127.0.0.1:8080"), &mut p);
    let problems = p.finish().err().map(|e| e.problems).unwrap_or_default();
    (out, problems)
}

#[test]
fn a_private_key_jwt_upstream_gets_its_defaults() {
    let dir = tempfile::tempdir().unwrap();
    let (out, problems) = run(vec![raw(key_file(dir.path()))], false);
    assert!(problems.is_empty(), "{problems:?}");
    let u = &out[0];
    assert_eq!(u.client_jwks_path.as_deref(), Some("/oidc/jwks/bankid"));
    assert_eq!(u.client_jwks().unwrap().keys.len(), 1);
    assert_eq!(u.settings.scopes, vec!["openid"]);
    assert_eq!(u.settings.claims.len(), 3);
    assert_eq!(u.settings.acr.level(Some("urn:bankid:bid;LOA=4")), TrustLevel::High);
    assert_eq!(u.settings.transaction_ttl, Duration::from_secs(900));
    assert!(matches!(u.settings.metadata, MetadataSource::Discover { refresh } if refresh == Duration::from_secs(3600)));
}

#[test]
fn every_problem_is_listed() {
    let dir = tempfile::tempdir().unwrap();
    let mut bad = raw(dir.path().join("missing.pem"));
    bad.issuer = "http://op.example".into();
    bad.acr_profile = Some("bank".into());
    bad.acr = [("urn:x".to_owned(), "very-high".to_owned())].into();
    bad.client_secret = Some("unused".into());
    bad.client_jwks_path = Some("/jwks".into());
    bad.claims = Some([("sub".to_owned(), "sub".to_owned())].into());
    let (_, problems) = run(vec![bad], false);
    let text = problems.join("\n");
    for want in [
        "issuer",
        "client_key",
        "acr_profile",
        "very-high",
        "client_secret: not used",
        "\"sub\"",
    ] {
        assert!(text.contains(want), "{want} missing in:\n{text}");
    }
}

#[test]
fn http_issuers_and_development_material_only_in_development() {
    let dir = tempfile::tempdir().unwrap();
    let mut local = raw(key_file(dir.path()));
    local.issuer = "http://127.0.0.1:9999/op".into();
    let (ok, problems) = run(vec![local.clone()], true);
    assert!(problems.is_empty() && ok.len() == 1, "{problems:?}");
    let (_, problems) = run(vec![local], false);
    assert!(problems.iter().any(|p| p.contains("http issuer is refused")), "{problems:?}");
    let dev = dir.path().join("certs").join("dev");
    std::fs::create_dir_all(&dev).unwrap();
    let (_, problems) = run(vec![raw(key_file(&dev))], false);
    assert!(problems.iter().any(|p| p.contains("development material")), "{problems:?}");
}

#[test]
fn secret_and_mtls_variants() {
    let (out, problems) = run(
        vec![RawOidcUpstream {
            name: "s".into(),
            issuer: "https://op.example".into(),
            client_id: "c".into(),
            client_auth: Some("client_secret_basic".into()),
            client_secret: Some("s3cret".into()),
            ..Default::default()
        }],
        false,
    );
    assert!(problems.is_empty(), "{problems:?}");
    assert!(out[0].client_jwks_path.is_none() && out[0].client_jwks().is_none());
    let (_, problems) = run(
        vec![RawOidcUpstream {
            name: "m".into(),
            issuer: "https://op.example".into(),
            client_id: "c".into(),
            client_auth: Some("tls_client_auth".into()),
            ..Default::default()
        }],
        false,
    );
    assert!(problems.iter().any(|p| p.contains("tls_client_cert")), "{problems:?}");
}
