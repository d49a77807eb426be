//! The shared test bed of the token-side tests: a broker with extra clients, a manual clock, and
//! the seam that seeds codes as the authorization side would.

#![allow(dead_code)]

use crate::support::{http_client, TestBroker};
use buergerkonto::clock::{Clock, ManualClock};
use buergerkonto::config::raw::{RawClient, RawConfig};
use buergerkonto::keys::SigningAlg;
use buergerkonto::oidc_provider::client_auth::sha256_hash;
use buergerkonto::oidc_provider::records::{AuthorizationCode, Grant};
use buergerkonto::session::RecordKind;
use buergerkonto::trust::TrustLevel;
use jsonwebtoken::{EncodingKey, Header};
use openidconnect::reqwest::Client;
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::Duration;

/// The demo client of config/dev.toml (client_secret_basic).
pub const DEMO: &str = "demo";
/// Its secret.
pub const DEMO_SECRET: &str = "demo-relying-party-secret-for-development-only";
/// A second client_secret_basic client, to show one client cannot use another's artefacts.
pub const OTHER: &str = "other";
pub const OTHER_SECRET: &str = "other-client-secret-for-tests-0123456789";
/// A client_secret_post client whose id and secret need form-urlencoding in Basic.
pub const POST_CLIENT: &str = "svc:post";
pub const POST_SECRET: &str = "s3cr%t with+space:and-colon";
/// A private_key_jwt client.
pub const JWT_CLIENT: &str = "jwt-client";
/// Redirect URI registered for every test client.
pub const REDIRECT: &str = "https://rp.example/cb";
/// A PKCE verifier (RFC 7636 Appendix B) and its S256 challenge.
pub const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
pub const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

/// A broker with the extra clients, a controllable clock, and the JWT client's private key.
pub struct TestBed {
    pub broker: TestBroker,
    pub clock: Arc<ManualClock>,
    pub http: Client,
    pub jwt_key: EncodingKey,
    pub jwt_kid: String,
    _dir: tempfile::TempDir,
}

/// A seeded code.
pub struct Seeded {
    pub code: String,
    pub grant_id: String,
    pub nonce: String,
}

fn extra_clients(jwks: &std::path::Path) -> Vec<RawClient> {
    let client = |id: &str, name: &str, scopes: &[&str]| RawClient {
        id: id.into(),
        name: name.into(),
        redirect_uris: vec![REDIRECT.into()],
        scopes: scopes.iter().map(|s| s.to_string()).collect(),
        ..RawClient::default()
    };
    vec![
        RawClient {
            secret_hash: Some(sha256_hash(OTHER_SECRET)),
            refresh_token_ttl_secs: Some(3600),
            ..client(OTHER, "Anderes Verfahren", &["openid", "profile", "offline_access"])
        },
        RawClient {
            auth_method: Some("client_secret_post".into()),
            secret_hash: Some(sha256_hash(POST_SECRET)),
            ..client(POST_CLIENT, "Post-Verfahren", &["openid", "profile"])
        },
        RawClient {
            auth_method: Some("private_key_jwt".into()),
            jwks_file: Some(jwks.to_owned()),
            id_token_alg: Some("EdDSA".into()),
            refresh_token_ttl_secs: Some(3600),
            ..client(JWT_CLIENT, "JWT-Verfahren", &["openid", "profile", "address", "offline_access"])
        },
    ]
}

impl TestBed {
    /// Start a broker (memory store) with a manual clock.
    pub async fn start() -> Self {
        Self::start_with(|_| {}).await
    }

    /// Start with a further edit of the configuration (after the extra clients are added).
    pub async fn start_with(edit: impl FnOnce(&mut RawConfig) + Send + 'static) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let pem = buergerkonto::keys::generate_pem(SigningAlg::ES256).unwrap();
        let jwt_key = EncodingKey::from_ec_pem(pem.as_bytes()).unwrap();
        let mut jwk = jsonwebtoken::jwk::Jwk::from_encoding_key(&jwt_key, jsonwebtoken::Algorithm::ES256).unwrap();
        let jwt_kid = "client-key-1".to_owned();
        jwk.common.key_id = Some(jwt_kid.clone());
        let jwks = dir.path().join("jwt-client.jwks.json");
        std::fs::write(&jwks, serde_json::to_vec(&json!({ "keys": [jwk] })).unwrap()).unwrap();
        let clock = Arc::new(ManualClock::starting_now());
        let extra = extra_clients(&jwks);
        let broker = TestBroker::new()
            .with_clock(clock.clone())
            .with_config(move |c| c.clients.extend(extra))
            .with_config(edit)
            .start()
            .await;
        Self {
            broker,
            clock,
            http: http_client(),
            jwt_key,
            jwt_kid,
            _dir: dir,
        }
    }

    /// Directory holding the JWT client's JWKS.
    pub fn _dir_path(&self) -> &std::path::Path {
        self._dir.path()
    }

    pub fn now(&self) -> i64 {
        self.clock.unix()
    }

    /// The demo client's redirect URI (from config/dev.toml, moved to the test port).
    pub fn demo_redirect(&self) -> String {
        self.broker.url("/demo/callback")
    }

    /// Insert a Grant and an AuthorizationCode as the authorization side would.
    pub async fn seed(&self, client_id: &str, redirect_uri: &str, scopes: &[&str]) -> Seeded {
        self.seed_with(client_id, redirect_uri, scopes, CHALLENGE).await
    }

    pub async fn seed_with(&self, client_id: &str, redirect_uri: &str, scopes: &[&str], challenge: &str) -> Seeded {
        let nonce = buergerkonto::oidc_provider::tokens::random_id();
        self.seed_full(client_id, redirect_uri, scopes, challenge, &nonce).await
    }

    pub async fn seed_full(&self, client_id: &str, redirect_uri: &str, scopes: &[&str], challenge: &str, nonce: &str) -> Seeded {
        let now = self.now();
        let grant_id = buergerkonto::oidc_provider::tokens::random_id();
        let code = buergerkonto::oidc_provider::tokens::random_id();
        let nonce = nonce.to_owned();
        let mut claims = buergerkonto::identity::Attributes::new();
        claims.insert("given_name".into(), json!("Erika"));
        claims.insert("family_name".into(), json!("Mustermann"));
        claims.insert("birthdate".into(), json!("1964-08-12"));
        if scopes.contains(&"address") {
            claims.insert(
                "address".into(),
                json!({"street_address": "Heidestraße 17", "locality": "Köln", "postal_code": "51147", "country": "DE"}),
            );
        }
        let grant = Grant {
            id: grant_id.as_str().into(),
            client_id: client_id.into(),
            sub: format!("pairwise-sub-of-{client_id}"),
            scopes: scopes.iter().map(|s| s.to_string()).collect(),
            claims,
            id_token_claims: vec!["given_name".into()],
            organisation: None,
            level: TrustLevel::High,
            amr: vec!["eid".into()],
            auth_time: now - 5,
            sid: "sid-1".into(),
            created_at: now,
            expires_at: now + 600,
        };
        let records = self.broker.state.records();
        records
            .put(RecordKind::Grant, &grant_id, &grant, Duration::from_secs(600))
            .await
            .unwrap();
        let ac = AuthorizationCode {
            grant_id: grant_id.as_str().into(),
            client_id: client_id.into(),
            redirect_uri: redirect_uri.to_owned(),
            code_challenge: challenge.into(),
            nonce: Some(nonce.as_str().into()),
            expires_at: now + 60,
            // A code as written before these fields: redemption reads the session end marker
            // after the grant and starts a refresh family in a write of its own.
            sid: None,
            refresh_scopes: None,
        };
        let key = buergerkonto::oidc_provider::tokens::hash_key(&code);
        records
            .put(RecordKind::AuthorizationCode, &key, &ac, Duration::from_secs(60))
            .await
            .unwrap();
        Seeded { code, grant_id, nonce }
    }

    /// POST a form to `path`, with optional Basic credentials.
    pub async fn post(&self, path: &str, basic: Option<(&str, &str)>, form: &[(&str, &str)]) -> (u16, http::HeaderMap, Value) {
        let mut req = self.http.post(self.broker.url(path)).form(form);
        if let Some((id, secret)) = basic {
            req = req.header("authorization", basic_header(id, secret));
        }
        let res = req.send().await.unwrap();
        let status = res.status().as_u16();
        let headers = res.headers().clone();
        let text = res.text().await.unwrap();
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        (status, headers, body)
    }

    /// Redeem a code as the demo client with the right verifier.
    pub async fn redeem_demo(&self, code: &str) -> (u16, Value) {
        let redirect = self.demo_redirect();
        let (s, _, b) = self
            .post(
                "/token",
                Some((DEMO, DEMO_SECRET)),
                &[
                    ("grant_type", "authorization_code"),
                    ("code", code),
                    ("redirect_uri", &redirect),
                    ("code_verifier", VERIFIER),
                ],
            )
            .await;
        (s, b)
    }

    /// Seed and redeem for the demo client; returns the token response.
    pub async fn demo_tokens(&self, scopes: &[&str]) -> Value {
        let s = self.seed(DEMO, &self.demo_redirect(), scopes).await;
        let (status, body) = self.redeem_demo(&s.code).await;
        assert_eq!(status, 200, "{body}");
        body
    }

    /// Introspect as `client`.
    pub async fn introspect(&self, client: (&str, &str), token: &str) -> Value {
        let (s, _, b) = self.post("/introspect", Some(client), &[("token", token)]).await;
        assert_eq!(s, 200, "{b}");
        b
    }

    /// GET userinfo with a bearer token.
    pub async fn userinfo(&self, token: &str) -> (u16, Option<String>, Value) {
        let res = self.http.get(self.broker.url("/userinfo")).bearer_auth(token).send().await.unwrap();
        let status = res.status().as_u16();
        let www = res.headers().get("www-authenticate").map(|v| v.to_str().unwrap().to_owned());
        let body = serde_json::from_str(&res.text().await.unwrap()).unwrap_or(Value::Null);
        (status, www, body)
    }

    /// A client assertion for the JWT client (RFC 7523 §3), with claims overridable.
    pub fn assertion(&self, overrides: Value) -> String {
        let now = self.now();
        let mut claims = json!({
            "iss": JWT_CLIENT, "sub": JWT_CLIENT, "aud": self.broker.url("/token"),
            "exp": now + 60, "iat": now, "jti": buergerkonto::oidc_provider::tokens::random_id(),
        });
        for (k, v) in overrides.as_object().unwrap() {
            if v.is_null() {
                claims.as_object_mut().unwrap().remove(k);
            } else {
                claims[k] = v.clone();
            }
        }
        let mut header = Header::new(jsonwebtoken::Algorithm::ES256);
        header.kid = Some(self.jwt_kid.clone());
        jsonwebtoken::encode(&header, &claims, &self.jwt_key).unwrap()
    }
}

/// RFC 6749 §2.3.1 Basic header: form-urlencode id and secret, then Base64.
pub fn basic_header(id: &str, secret: &str) -> String {
    use base64::Engine;
    let enc = |s: &str| url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{}:{}", enc(id), enc(secret)))
    )
}

/// The claims of a JWT without verification (tests inspect what they already verified elsewhere).
pub fn peek(token: &str) -> Value {
    jsonwebtoken::dangerous::insecure_decode_claims::<Value>(token).unwrap()
}

/// The header of a JWT.
pub fn peek_header(token: &str) -> jsonwebtoken::Header {
    jsonwebtoken::decode_header(token).unwrap()
}
