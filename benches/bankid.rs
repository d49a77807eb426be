//! CPU per bank-ID callback in the broker (issue 10 item 8): `OidcUpstream::finish` — the token
//! request with a `private_key_jwt` client assertion (ES256 signing), answered over loopback HTTP
//! by an in-process OP (axum on 127.0.0.1 port 0, a pre-signed answer so the OP costs nothing
//! but HTTP), then ID token verification (ES256 or PS256-2048) and claims mapping. Also the pure
//! verification + mapping without HTTP, and a JWE (ECDH-ES + A256GCM) variant of it.
//!
//! Run: `cargo bench --bench bankid`. Plain `Instant` timing and the process CPU time from
//! `/proc/self/stat` (both sides of the loopback run in this process, so the CPU figure is an upper
//! bound for the broker's share), as benches/saml.rs.

use axum::routing::{get, post};
use axum::{Json, Router};
use buergerkonto::keys::{KeyRing, RingKey, SigningAlg};
use buergerkonto::oidc_upstream::acr::{AcrProfile, AcrTable};
use buergerkonto::oidc_upstream::{
    claims, id_token, Callback, ClientAuth, ClientKey, Kept, MetadataSource, OidcUpstream, UpstreamSettings,
};
use buergerkonto::trust::TrustLevel;
use serde_json::json;
use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

const ITER: u32 = 2000;
const NONCE: &str = "bench-nonce-0123456789";

/// Process CPU time (user + system) in seconds, from /proc (Linux); 0 elsewhere.
fn cpu_seconds() -> f64 {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return 0.0;
    };
    let after = stat.rsplit(')').next().unwrap_or_default();
    let f: Vec<&str> = after.split_whitespace().collect();
    // Fields 14 and 15 of proc(5) are index 11 and 12 after the command name.
    let ticks = f.get(11).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0) + f.get(12).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    ticks / 100.0
}

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

fn claims_for(issuer: &str) -> serde_json::Value {
    json!({
        "iss": issuer, "aud": "buergerkonto", "sub": "bank-subject-123", "nonce": NONCE,
        "iat": now(), "exp": now() + 3600, "auth_time": now(), "acr": "urn:bankid:bid;LOA=4",
        "given_name": "Kari", "family_name": "Nordmann", "birthdate": "1985-03-17",
        "verified_claims": {"verification": {"trust_framework": "de_aml"}, "claims": {"given_name": "Kari"}}
    })
}

async fn op(alg: SigningAlg) -> (String, KeyRing) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let issuer = format!("http://{}", listener.local_addr().expect("addr"));
    let ring = KeyRing::new(vec![RingKey::generate(alg).expect("key")]);
    let id_token = ring.sign(alg, "JWT", &claims_for(&issuer)).expect("sign");
    let meta = json!({
        "issuer": issuer, "authorization_endpoint": format!("{issuer}/auth"), "token_endpoint": format!("{issuer}/token"),
        "jwks_uri": format!("{issuer}/jwks"), "response_types_supported": ["code"], "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": [alg.as_str()], "authorization_response_iss_parameter_supported": true
    });
    let jwks = serde_json::to_value(ring.jwks()).expect("jwks");
    let answer = json!({"access_token": "at", "token_type": "Bearer", "id_token": id_token});
    let app = Router::new()
        .route("/.well-known/openid-configuration", get(move || async move { Json(meta) }))
        .route("/jwks", get(move || async move { Json(jwks) }))
        .route("/token", post(move || async move { Json(answer) }));
    tokio::spawn(async move { axum::serve(listener, app).await });
    (issuer, ring)
}

fn settings(issuer: &str) -> UpstreamSettings {
    let pem = buergerkonto::keys::generate_pem(SigningAlg::ES256).expect("client key");
    UpstreamSettings {
        name: "bench".into(),
        issuer: issuer.into(),
        metadata: MetadataSource::Discover {
            refresh: Duration::from_secs(3600),
        },
        client_id: "buergerkonto".into(),
        client_auth: ClientAuth::PrivateKeyJwt(Arc::new(ClientKey::from_pem(pem.as_bytes(), "bench").expect("key"))),
        decryption_key: None,
        require_par: false,
        logout: true,
        scopes: vec!["openid".into()],
        userinfo: false,
        acr: AcrTable::new(AcrProfile::NorwayBankId, &[]),
        claims: vec![
            ("given_name".into(), "verified_claims.given_name".into()),
            ("family_name".into(), "family_name".into()),
            ("birthdate".into(), "birthdate".into()),
        ],
        trust_frameworks: vec!["de_aml".into()],
        max_age: None,
        max_skew: Duration::from_secs(60),
        timeout: Duration::from_secs(10),
        transaction_ttl: Duration::from_secs(900),
    }
}

async fn callback(alg: SigningAlg) {
    let (issuer, ring) = op(alg).await;
    let up = OidcUpstream::new(settings(&issuer)).expect("upstream");
    up.refresh().await.expect("discovery");
    let kept = Kept {
        nonce: NONCE,
        verifier: "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk",
        redirect_uri: "https://broker.example/oidc/callback/bankid",
        required: TrustLevel::High,
        max_age: None,
    };
    let cb = Callback {
        code: Some("code".into()),
        error: None,
        iss: Some(issuer.clone()),
    };
    for _ in 0..20 {
        up.finish(&kept, &cb, now()).await.expect("finish");
    }
    let (cpu0, t0) = (cpu_seconds(), Instant::now());
    for _ in 0..ITER {
        black_box(up.finish(&kept, &cb, now()).await.expect("finish"));
    }
    let wall = t0.elapsed() / ITER;
    let cpu = (cpu_seconds() - cpu0) / f64::from(ITER) * 1e6;
    println!("{:>6} callback (client assertion + token request over loopback + ID token + mapping): {:>7.1} µs wall, {:>7.1} µs CPU (both sides)", alg.as_str(), wall.as_secs_f64() * 1e6, cpu);

    // Verification and mapping alone.
    let provider = up.cached().expect("provider");
    let token = ring.sign(alg, "JWT", &claims_for(&issuer)).expect("sign");
    let verify = || {
        let c = id_token::verify_signature(&token, &provider.id_token_algs, &provider.keys).expect("sig");
        let e = id_token::Expected {
            issuer: &issuer,
            client_id: "buergerkonto",
            nonce: NONCE,
            now: now(),
            skew: 60,
            max_token_age: 600,
            max_age: None,
        };
        let v = id_token::check_claims(c, &e).expect("claims");
        claims::map_claims(&v.claims, &up.settings().claims, &up.settings().trust_frameworks)
    };
    let t0 = Instant::now();
    for _ in 0..ITER {
        black_box(verify());
    }
    println!(
        "{:>6} ID token verification + claims mapping only:                                {:>7.1} µs",
        alg.as_str(),
        t0.elapsed().as_secs_f64() * 1e6 / f64::from(ITER)
    );
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    println!("buergerkonto bank-ID callback benchmark, {ITER} iterations each, one thread");
    callback(SigningAlg::ES256).await;
    callback(SigningAlg::PS256).await;
}
