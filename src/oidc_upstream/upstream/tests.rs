//! `OidcUpstream` against a small in-process OP (axum on 127.0.0.1 port 0, test code only).

use super::*;
use crate::keys::{KeyRing, RingKey, SigningAlg};
use crate::oidc_upstream::acr::{AcrProfile, AcrTable};
use crate::oidc_upstream::settings::{ClientKey, DecryptionKey};
use axum::extract::State;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::json;
use std::sync::Mutex;

#[derive(Clone)]
struct Op {
    inner: Arc<Mutex<OpState>>,
}

struct OpState {
    issuer: String,
    ring: KeyRing,
    par: bool,
    token_status: u16,
    token_delay: Duration,
    claims: Value,
    encrypt_to: Option<crate::oidc_upstream::jwe::tests::Recipient>,
    last_token_form: String,
    discovery_up: bool,
}

impl Op {
    async fn start() -> (Self, String) {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let issuer = format!("http://{}", listener.local_addr().unwrap());
        let op = Op {
            inner: Arc::new(Mutex::new(OpState {
                issuer: issuer.clone(),
                ring: KeyRing::new(vec![RingKey::generate(SigningAlg::ES256).unwrap()]),
                par: true,
                token_status: 200,
                token_delay: Duration::ZERO,
                claims: json!({}),
                encrypt_to: None,
                last_token_form: String::new(),
                discovery_up: true,
            })),
        };
        let app = Router::new()
            .route("/.well-known/openid-configuration", get(meta))
            .route("/jwks", get(jwks))
            .route("/par", post(par))
            .route("/token", post(token))
            .with_state(op.clone());
        tokio::spawn(async move { axum::serve(listener, app).await });
        (op, issuer)
    }

    fn set(&self, f: impl FnOnce(&mut OpState)) {
        f(&mut self.inner.lock().unwrap());
    }
}

async fn meta(State(op): State<Op>) -> axum::response::Response {
    use axum::response::IntoResponse;
    let s = op.inner.lock().unwrap();
    if !s.discovery_up {
        return http::StatusCode::SERVICE_UNAVAILABLE.into_response();
    }
    let i = &s.issuer;
    let mut m = json!({
        "issuer": i, "authorization_endpoint": format!("{i}/auth"), "token_endpoint": format!("{i}/token"),
        "jwks_uri": format!("{i}/jwks"), "response_types_supported": ["code"], "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["ES256"], "authorization_response_iss_parameter_supported": true
    });
    if s.par {
        m["pushed_authorization_request_endpoint"] = json!(format!("{i}/par"));
    }
    Json(m).into_response()
}

async fn jwks(State(op): State<Op>) -> Json<Value> {
    Json(serde_json::to_value(op.inner.lock().unwrap().ring.jwks()).unwrap())
}

async fn par(body: String) -> (http::StatusCode, Json<Value>) {
    assert!(
        body.contains("client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer"),
        "{body}"
    );
    assert!(body.contains("code_challenge_method=S256"));
    (
        http::StatusCode::CREATED,
        Json(json!({"request_uri": "urn:ietf:params:oauth:request_uri:abc", "expires_in": 60})),
    )
}

async fn token(State(op): State<Op>, body: String) -> axum::response::Response {
    use axum::response::IntoResponse;
    let (delay, status) = {
        let mut s = op.inner.lock().unwrap();
        s.last_token_form = body;
        (s.token_delay, s.token_status)
    };
    tokio::time::sleep(delay).await;
    let s = op.inner.lock().unwrap();
    if status != 200 {
        return (http::StatusCode::from_u16(status).unwrap(), Json(json!({"error": "invalid_grant"}))).into_response();
    }
    let mut claims = json!({
        "iss": s.issuer, "aud": "bk", "sub": "u1", "nonce": "the-nonce", "iat": NOW, "exp": NOW + 300,
        "acr": "urn:bankid:bid;LOA=4", "given_name": "Kari"
    });
    if let (Some(c), Some(extra)) = (claims.as_object_mut(), s.claims.as_object()) {
        c.extend(extra.clone());
    }
    let mut id_token = s.ring.sign(SigningAlg::ES256, "JWT", &claims).unwrap();
    if let Some(r) = &s.encrypt_to {
        id_token = r.encrypt(&id_token);
    }
    Json(json!({"access_token": "at", "token_type": "Bearer", "id_token": id_token})).into_response()
}

const NOW: i64 = 1_800_000_000;

fn settings(issuer: &str) -> UpstreamSettings {
    let pem = crate::keys::generate_pem(SigningAlg::ES256).unwrap();
    UpstreamSettings {
        name: "op".into(),
        issuer: issuer.into(),
        metadata: MetadataSource::Discover {
            refresh: Duration::from_secs(3600),
        },
        client_id: "bk".into(),
        client_auth: ClientAuth::PrivateKeyJwt(Arc::new(ClientKey::from_pem(pem.as_bytes(), "t").unwrap())),
        decryption_key: None,
        require_par: false,
        logout: true,
        scopes: vec!["openid".into()],
        userinfo: false,
        acr: AcrTable::new(AcrProfile::NorwayBankId, &[]),
        claims: vec![("given_name".into(), "given_name".into())],
        trust_frameworks: vec![],
        max_age: None,
        max_skew: Duration::from_secs(60),
        timeout: Duration::from_secs(2),
        transaction_ttl: Duration::from_secs(900),
    }
}

fn kept(required: TrustLevel) -> Kept<'static> {
    Kept {
        nonce: "the-nonce",
        verifier: "v",
        redirect_uri: "https://broker.example/oidc/callback/bankid",
        required,
        max_age: None,
    }
}

fn cb(issuer: &str) -> Callback {
    Callback {
        code: Some("c".into()),
        error: None,
        iss: Some(issuer.into()),
    }
}

#[tokio::test]
async fn start_uses_par_and_finish_verifies_and_maps() {
    let (op, iss) = Op::start().await;
    let up = OidcUpstream::new(settings(&iss)).unwrap();
    let redirect = Url::parse("https://broker.example/oidc/callback/bankid").unwrap();
    let started = up
        .start(&StartRequest {
            redirect_uri: &redirect,
            required: TrustLevel::High,
            locale: "de",
            login_hint: None,
            now: NOW,
        })
        .await
        .unwrap();
    assert_eq!(
        started.url.as_str(),
        format!("{iss}/auth?client_id=bk&request_uri=urn%3Aietf%3Aparams%3Aoauth%3Arequest_uri%3Aabc")
    );
    let out = up.finish(&kept(TrustLevel::High), &cb(&iss), NOW).await.unwrap();
    assert_eq!((out.sub.as_str(), out.level), ("u1", TrustLevel::High));
    assert_eq!(out.attributes["given_name"], "Kari");
    let form = op.inner.lock().unwrap().last_token_form.clone();
    assert!(form.contains("code_verifier=v") && form.contains("grant_type=authorization_code") && form.contains("client_assertion="));
}

#[tokio::test]
async fn iss_errors_levels_and_token_endpoint_failures() {
    let (op, iss) = Op::start().await;
    let up = OidcUpstream::new(settings(&iss)).unwrap();
    let k = kept(TrustLevel::Substantial);
    let wrong = Callback {
        iss: Some("https://other.example".into()),
        ..cb(&iss)
    };
    assert!(matches!(up.finish(&k, &wrong, NOW).await, Err(OidcUpstreamError::Issuer(_))));
    let missing = Callback { iss: None, ..cb(&iss) };
    assert!(matches!(up.finish(&k, &missing, NOW).await, Err(OidcUpstreamError::Issuer(_))));
    let denied = Callback {
        code: None,
        error: Some("access_denied".into()),
        iss: Some(iss.clone()),
    };
    assert!(matches!(
        up.finish(&k, &denied, NOW).await,
        Err(OidcUpstreamError::Upstream(UpstreamErrorCode::AccessDenied))
    ));
    op.set(|s| s.claims = json!({"acr": "urn:bankid:bis;LOA=3"}));
    assert!(matches!(
        up.finish(&kept(TrustLevel::High), &cb(&iss), NOW).await,
        Err(OidcUpstreamError::LevelTooLow)
    ));
    op.set(|s| s.claims = json!({"nonce": "another"}));
    assert!(matches!(
        up.finish(&k, &cb(&iss), NOW).await,
        Err(OidcUpstreamError::IdToken(IdTokenError::Nonce))
    ));
    op.set(|s| {
        s.claims = json!({});
        s.token_status = 400;
    });
    assert!(matches!(
        up.finish(&k, &cb(&iss), NOW).await,
        Err(OidcUpstreamError::Refused { .. })
    ));
    op.set(|s| s.token_status = 503);
    assert!(matches!(
        up.finish(&k, &cb(&iss), NOW).await,
        Err(OidcUpstreamError::Unavailable(_))
    ));
    op.set(|s| {
        s.token_status = 200;
        s.token_delay = Duration::from_secs(5);
    });
    assert!(matches!(up.finish(&k, &cb(&iss), NOW).await, Err(OidcUpstreamError::Unavailable(m)) if m.contains("timeout")));
}

#[tokio::test]
async fn a_rotated_key_is_fetched_once_and_a_failed_refresh_keeps_the_last_good_copy() {
    let (op, iss) = Op::start().await;
    let up = OidcUpstream::new(settings(&iss)).unwrap();
    up.refresh().await.unwrap();
    op.set(|s| s.ring = KeyRing::new(vec![RingKey::generate(SigningAlg::ES256).unwrap()]));
    assert!(
        up.finish(&kept(TrustLevel::Low), &cb(&iss), NOW).await.is_ok(),
        "unknown kid → JWKS refetched"
    );
    // Within the refetch gap a second rotation is not chased.
    op.set(|s| s.ring = KeyRing::new(vec![RingKey::generate(SigningAlg::ES256).unwrap()]));
    assert!(matches!(
        up.finish(&kept(TrustLevel::Low), &cb(&iss), NOW + 1).await,
        Err(OidcUpstreamError::IdToken(IdTokenError::UnknownKey))
    ));
    op.set(|s| s.discovery_up = false);
    assert!(up.refresh().await.is_err());
    assert!(up.cached().is_some(), "last good copy kept");
}

#[tokio::test]
async fn encrypted_id_tokens_and_required_par() {
    let (op, iss) = Op::start().await;
    let r = crate::oidc_upstream::jwe::tests::Recipient::ec();
    let der = match &r {
        crate::oidc_upstream::jwe::tests::Recipient::Rsa(d) | crate::oidc_upstream::jwe::tests::Recipient::Ec(d) => d.clone(),
    };
    let mut s = settings(&iss);
    s.decryption_key = Some(DecryptionKey(Arc::new(
        crate::oidc_upstream::jwe::JweKey::from_pkcs8(&der).unwrap(),
    )));
    let up = OidcUpstream::new(s).unwrap();
    assert!(
        matches!(
            up.finish(&kept(TrustLevel::Low), &cb(&iss), NOW).await,
            Err(OidcUpstreamError::IdToken(IdTokenError::Encryption(_)))
        ),
        "plain token refused when encryption is expected"
    );
    op.set(|s| s.encrypt_to = Some(r));
    assert!(up.finish(&kept(TrustLevel::Low), &cb(&iss), NOW).await.is_ok());
    op.set(|s| s.par = false);
    let mut s = settings(&iss);
    s.require_par = true;
    let up = OidcUpstream::new(s).unwrap();
    let redirect = Url::parse("https://b.example/cb").unwrap();
    let req = StartRequest {
        redirect_uri: &redirect,
        required: TrustLevel::Low,
        locale: "de",
        login_hint: None,
        now: NOW,
    };
    assert!(matches!(up.start(&req).await, Err(OidcUpstreamError::ParUnavailable)));
}
