//! Token endpoint: authorization_code and refresh_token grants, and their negative cases.
//!
//! The login pages are built elsewhere, so codes come from a test seam ([`bed::TestBed::seed`]):
//! a Grant and an AuthorizationCode inserted directly through the public records API, exactly as
//! the authorization side stores them.

use crate::token::bed::{TestBed, OTHER, POST_CLIENT};
use serde_json::Value;
use std::time::Duration;

pub mod bed {
    //! The shared test bed of the token-side tests.
    #![allow(dead_code)]

    use crate::support::{http_client, TestBroker};
    use buergerkonto::clock::{Clock, ManualClock};
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

    fn extra_clients(jwks: &std::path::Path) -> String {
        format!(
            r#"
[[clients]]
id = "{OTHER}"
name = "Anderes Verfahren"
secret_hash = "{other}"
redirect_uris = ["{REDIRECT}"]
scopes = ["openid", "profile", "offline_access"]
refresh_token_ttl_secs = 3600

[[clients]]
id = "{POST_CLIENT}"
name = "Post-Verfahren"
auth_method = "client_secret_post"
secret_hash = "{post}"
redirect_uris = ["{REDIRECT}"]
scopes = ["openid", "profile"]

[[clients]]
id = "{JWT_CLIENT}"
name = "JWT-Verfahren"
auth_method = "private_key_jwt"
jwks_file = "{jwks}"
redirect_uris = ["{REDIRECT}"]
scopes = ["openid", "profile", "address", "offline_access"]
id_token_alg = "EdDSA"
refresh_token_ttl_secs = 3600
"#,
            other = sha256_hash(OTHER_SECRET),
            post = sha256_hash(POST_SECRET),
            jwks = jwks.display(),
        )
    }

    impl TestBed {
        /// Start a broker (memory store) with a manual clock.
        pub async fn start() -> Self {
            Self::start_with(|t| t).await
        }

        /// Start with a further edit of the config text.
        pub async fn start_with(edit: impl FnOnce(String) -> String) -> Self {
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
            let c2: Arc<dyn Clock> = clock.clone();
            let broker = TestBroker::start_with(move |t| edit(format!("{t}\n{extra}")), c2).await;
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
            let mut claims = buergerkonto::authenticators::Attributes::new();
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
                id: grant_id.clone(),
                client_id: client_id.to_owned(),
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
                grant_id: grant_id.clone(),
                client_id: client_id.to_owned(),
                redirect_uri: redirect_uri.to_owned(),
                code_challenge: challenge.to_owned(),
                nonce: Some(nonce.clone()),
                expires_at: now + 60,
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
}

use bed::{peek, peek_header, DEMO, DEMO_SECRET, OTHER_SECRET, REDIRECT, VERIFIER};

#[tokio::test]
async fn code_redemption_issues_id_and_access_token() {
    let bed = TestBed::start().await;
    let s = bed.seed(DEMO, &bed.demo_redirect(), &["openid", "profile"]).await;
    let redirect = bed.demo_redirect();
    let (status, headers, body) = bed
        .post(
            "/token",
            Some((DEMO, DEMO_SECRET)),
            &[
                ("grant_type", "authorization_code"),
                ("code", &s.code),
                ("redirect_uri", &redirect),
                ("code_verifier", VERIFIER),
            ],
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(headers["cache-control"], "no-store");
    assert_eq!(headers["pragma"], "no-cache");
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 300);
    assert_eq!(body["scope"], "openid profile");
    assert!(body.get("refresh_token").is_none(), "no offline_access, no refresh token");
    let at = body["access_token"].as_str().unwrap();
    let h = peek_header(at);
    assert_eq!(h.typ.as_deref(), Some("at+jwt"));
    assert_eq!(h.alg, jsonwebtoken::Algorithm::ES256);
    let c = peek(at);
    assert_eq!(c["iss"], bed.broker.base);
    assert_eq!(c["aud"], DEMO);
    assert_eq!(c["client_id"], DEMO);
    assert_eq!(c["scope"], "openid profile");
    assert_eq!(c["acr"], "http://eidas.europa.eu/LoA/high");
    assert_eq!(c["amr"], serde_json::json!(["eid"]));
    for k in ["sub", "exp", "iat", "jti", "auth_time", "sid"] {
        assert!(c.get(k).is_some(), "access token lacks {k}");
    }
    let id = peek(body["id_token"].as_str().unwrap());
    assert_eq!(peek_header(body["id_token"].as_str().unwrap()).typ.as_deref(), Some("JWT"));
    assert_eq!(id["nonce"], s.nonce.as_str());
    assert_eq!(id["azp"], DEMO);
    assert_eq!(id["given_name"], "Erika", "claims requested for the ID token are in it");
    assert!(id.get("family_name").is_none(), "scope claims go to userinfo only (OIDC Core §5.4)");
    assert_eq!(
        id["at_hash"],
        buergerkonto::oidc_provider::tokens::half_hash(buergerkonto::keys::SigningAlg::ES256, at)
    );
}

#[tokio::test]
async fn missing_pkce_verifier_is_refused_without_burning_the_code() {
    let bed = TestBed::start().await;
    let s = bed.seed(DEMO, &bed.demo_redirect(), &["openid"]).await;
    let redirect = bed.demo_redirect();
    let (status, _, body) = bed
        .post(
            "/token",
            Some((DEMO, DEMO_SECRET)),
            &[("grant_type", "authorization_code"), ("code", &s.code), ("redirect_uri", &redirect)],
        )
        .await;
    assert_eq!(status, 400);
    assert_eq!(body["error"], "invalid_request");
    let (status, _) = bed.redeem_demo(&s.code).await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn wrong_pkce_verifier_is_invalid_grant_and_kills_the_code() {
    let bed = TestBed::start().await;
    let s = bed.seed(DEMO, &bed.demo_redirect(), &["openid"]).await;
    let redirect = bed.demo_redirect();
    let wrong = "x".repeat(43);
    let (status, _, body) = bed
        .post(
            "/token",
            Some((DEMO, DEMO_SECRET)),
            &[
                ("grant_type", "authorization_code"),
                ("code", &s.code),
                ("redirect_uri", &redirect),
                ("code_verifier", &wrong),
            ],
        )
        .await;
    assert_eq!((status, body["error"].as_str()), (400, Some("invalid_grant")));
    let (status, body) = bed.redeem_demo(&s.code).await;
    assert_eq!((status, body["error"].as_str()), (400, Some("invalid_grant")));
}

#[tokio::test]
async fn code_replay_fails_and_revokes_the_first_tokens() {
    let bed = TestBed::start().await;
    let s = bed.seed(DEMO, &bed.demo_redirect(), &["openid", "profile", "offline_access"]).await;
    let (status, first) = bed.redeem_demo(&s.code).await;
    assert_eq!(status, 200);
    let at = first["access_token"].as_str().unwrap();
    assert_eq!(bed.introspect((DEMO, DEMO_SECRET), at).await["active"], true);
    let (status, body) = bed.redeem_demo(&s.code).await;
    assert_eq!((status, body["error"].as_str()), (400, Some("invalid_grant")));
    assert_eq!(bed.introspect((DEMO, DEMO_SECRET), at).await["active"], false);
    assert_eq!(bed.userinfo(at).await.0, 401);
    let rt = first["refresh_token"].as_str().unwrap();
    let (status, _, body) = bed
        .post(
            "/token",
            Some((DEMO, DEMO_SECRET)),
            &[("grant_type", "refresh_token"), ("refresh_token", rt)],
        )
        .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_grant")),
        "refresh token died with the grant"
    );
}

#[tokio::test]
async fn code_redeemed_by_another_client_is_refused() {
    let bed = TestBed::start().await;
    let s = bed.seed(DEMO, &bed.demo_redirect(), &["openid"]).await;
    let redirect = bed.demo_redirect();
    let (status, _, body) = bed
        .post(
            "/token",
            Some((OTHER, OTHER_SECRET)),
            &[
                ("grant_type", "authorization_code"),
                ("code", &s.code),
                ("redirect_uri", &redirect),
                ("code_verifier", VERIFIER),
            ],
        )
        .await;
    assert_eq!((status, body["error"].as_str()), (400, Some("invalid_grant")));
    // The stolen code is burnt for its owner too (it was exposed).
    assert_eq!(bed.redeem_demo(&s.code).await.0, 400);
}

#[tokio::test]
async fn expired_code_is_refused() {
    let bed = TestBed::start().await;
    let s = bed.seed(DEMO, &bed.demo_redirect(), &["openid"]).await;
    bed.clock.advance(Duration::from_secs(61));
    let (status, body) = bed.redeem_demo(&s.code).await;
    assert_eq!((status, body["error"].as_str()), (400, Some("invalid_grant")));
}

#[tokio::test]
async fn redirect_uri_must_match_exactly() {
    let bed = TestBed::start().await;
    let s = bed.seed(DEMO, &bed.demo_redirect(), &["openid"]).await;
    let wrong = format!("{}/", bed.demo_redirect());
    let (status, _, body) = bed
        .post(
            "/token",
            Some((DEMO, DEMO_SECRET)),
            &[
                ("grant_type", "authorization_code"),
                ("code", &s.code),
                ("redirect_uri", &wrong),
                ("code_verifier", VERIFIER),
            ],
        )
        .await;
    assert_eq!((status, body["error"].as_str()), (400, Some("invalid_grant")));
}

#[tokio::test]
async fn only_form_bodies_and_known_grants() {
    let bed = TestBed::start().await;
    let res = bed
        .http
        .post(bed.broker.url("/token"))
        .header("authorization", bed::basic_header(DEMO, DEMO_SECRET))
        .header("content-type", "application/json")
        .body(r#"{"grant_type": "authorization_code"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    let body: Value = serde_json::from_str(&res.text().await.unwrap()).unwrap();
    assert_eq!(body["error"], "invalid_request");
    let (status, _, body) = bed.post("/token", Some((DEMO, DEMO_SECRET)), &[("grant_type", "password")]).await;
    assert_eq!((status, body["error"].as_str()), (400, Some("unsupported_grant_type")));
    let (status, _, body) = bed
        .post(
            "/token",
            Some((DEMO, DEMO_SECRET)),
            &[("grant_type", "authorization_code"), ("grant_type", "x")],
        )
        .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_request")),
        "repeated parameter"
    );
}

async fn refresh(bed: &TestBed, rt: &str, scope: Option<&str>) -> (u16, Value) {
    let mut form = vec![("grant_type", "refresh_token"), ("refresh_token", rt)];
    if let Some(s) = scope {
        form.push(("scope", s));
    }
    let (s, _, b) = bed.post("/token", Some((DEMO, DEMO_SECRET)), &form).await;
    (s, b)
}

#[tokio::test]
async fn refresh_rotates_and_reuse_revokes_the_family() {
    let bed = TestBed::start().await;
    let first = bed.demo_tokens(&["openid", "profile", "offline_access"]).await;
    let rt1 = first["refresh_token"].as_str().unwrap().to_owned();
    let (status, second) = refresh(&bed, &rt1, None).await;
    assert_eq!(status, 200, "{second}");
    let rt2 = second["refresh_token"].as_str().unwrap().to_owned();
    assert_ne!(rt1, rt2, "rotated");
    let id = peek(second["id_token"].as_str().unwrap());
    assert!(id.get("nonce").is_none(), "no nonce after refresh");
    assert_eq!(id["auth_time"], peek(first["id_token"].as_str().unwrap())["auth_time"]);
    // Past the grace window, the old token is a reuse: everything of the family dies.
    bed.clock.advance(Duration::from_secs(11));
    let (status, body) = refresh(&bed, &rt1, None).await;
    assert_eq!((status, body["error"].as_str()), (400, Some("invalid_grant")));
    let (status, _) = refresh(&bed, &rt2, None).await;
    assert_eq!(status, 400, "successor revoked with the family");
    let at2 = second["access_token"].as_str().unwrap();
    assert_eq!(bed.introspect((DEMO, DEMO_SECRET), at2).await["active"], false);
}

#[tokio::test]
async fn refresh_grace_window_returns_the_same_successor() {
    let bed = TestBed::start().await;
    let first = bed.demo_tokens(&["openid", "offline_access"]).await;
    let rt1 = first["refresh_token"].as_str().unwrap().to_owned();
    let (_, a) = refresh(&bed, &rt1, None).await;
    bed.clock.advance(Duration::from_secs(5));
    let (status, b) = refresh(&bed, &rt1, None).await;
    assert_eq!(status, 200, "{b}");
    assert_eq!(a["refresh_token"], b["refresh_token"], "second tab gets the same successor");
    let (status, c) = refresh(&bed, a["refresh_token"].as_str().unwrap(), None).await;
    assert_eq!(status, 200, "the family is alive");
    // The first tab has rotated again; a late second tab (still in grace for rt1) gets the
    // *current* token, not the used one.
    let (status, d) = refresh(&bed, &rt1, None).await;
    assert_eq!(status, 200, "{d}");
    assert_eq!(d["refresh_token"], c["refresh_token"]);
    bed.clock.advance(Duration::from_secs(30));
    assert_eq!(refresh(&bed, c["refresh_token"].as_str().unwrap(), None).await.0, 200);
}

#[tokio::test]
async fn access_token_outlives_a_short_grant_record() {
    // The authorization side may store the grant with a short TTL; redemption extends it so the
    // access token stays introspectable for its whole lifetime.
    use buergerkonto::oidc_provider::records::Grant;
    use buergerkonto::session::RecordKind;
    let bed = TestBed::start().await;
    let s = bed.seed(DEMO, &bed.demo_redirect(), &["openid"]).await;
    let records = bed.broker.state.records();
    let mut g: Grant = records.get(RecordKind::Grant, &s.grant_id).await.unwrap().unwrap();
    g.expires_at = bed.now() + 30;
    records
        .put(RecordKind::Grant, &s.grant_id, &g, Duration::from_secs(30))
        .await
        .unwrap();
    let (status, t) = bed.redeem_demo(&s.code).await;
    assert_eq!(status, 200);
    let at = t["access_token"].as_str().unwrap();
    let g: Grant = records.get(RecordKind::Grant, &s.grant_id).await.unwrap().unwrap();
    assert!(g.expires_at >= peek(at)["exp"].as_i64().unwrap());
}

#[tokio::test]
async fn refresh_scope_may_narrow_but_not_widen() {
    let bed = TestBed::start().await;
    let first = bed.demo_tokens(&["openid", "profile", "offline_access"]).await;
    let rt = first["refresh_token"].as_str().unwrap().to_owned();
    let (status, body) = refresh(&bed, &rt, Some("openid address")).await;
    assert_eq!((status, body["error"].as_str()), (400, Some("invalid_scope")));
    let (status, body) = refresh(&bed, &rt, Some("openid")).await;
    assert_eq!(status, 200, "a refused widening leaves the token usable: {body}");
    assert_eq!(body["scope"], "openid");
    assert_eq!(peek(body["access_token"].as_str().unwrap())["scope"], "openid");
    let (_, _, info) = bed.userinfo(body["access_token"].as_str().unwrap()).await;
    assert!(info.get("given_name").is_none(), "narrowed token sees no profile claims: {info}");
    // The new refresh token keeps the original scope (RFC 6749 §6).
    let (status, again) = refresh(&bed, body["refresh_token"].as_str().unwrap(), Some("openid profile")).await;
    assert_eq!(status, 200, "{again}");
}

#[tokio::test]
async fn refresh_token_of_another_client_is_refused() {
    let bed = TestBed::start().await;
    let first = bed.demo_tokens(&["openid", "offline_access"]).await;
    let rt = first["refresh_token"].as_str().unwrap();
    let (status, _, body) = bed
        .post(
            "/token",
            Some((OTHER, OTHER_SECRET)),
            &[("grant_type", "refresh_token"), ("refresh_token", rt)],
        )
        .await;
    assert_eq!((status, body["error"].as_str()), (400, Some("invalid_grant")));
    assert_eq!(refresh(&bed, rt, None).await.0, 200, "the owner's token is untouched");
}

#[tokio::test]
async fn refresh_tokens_need_offline_access_and_a_client_ttl() {
    let bed = TestBed::start().await;
    let s = bed.seed(POST_CLIENT, REDIRECT, &["openid", "profile"]).await;
    let (status, _, body) = bed
        .post(
            "/token",
            None,
            &[
                ("grant_type", "authorization_code"),
                ("code", &s.code),
                ("redirect_uri", REDIRECT),
                ("code_verifier", VERIFIER),
                ("client_id", POST_CLIENT),
                ("client_secret", bed::POST_SECRET),
            ],
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert!(body.get("refresh_token").is_none());
}
