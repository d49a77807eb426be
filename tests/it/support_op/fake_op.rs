//! A misbehaving OpenID Provider in the test code (axum on 127.0.0.1 port 0): it answers every
//! authorization request at once with a code (no login page) and its token endpoint with the ID
//! token the test asked for — honest, or forged in one of the ways issue 10 item 6 lists — or with
//! a failure (status, a connection cut mid-answer, no answer at all).
//!
//! It does not advertise PAR and checks no client authentication: it is the attacker's OP (or a
//! broken one), not a model of a good one; panva's OP ([`super::PanvaOp`]) is that.

use super::{ACR_BID, CLIENT_ID};
use axum::body::{Body, Bytes};
use axum::extract::{Form, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use jsonwebtoken::jwk::Jwk;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{json, Value};
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// How the next ID token is made.
#[derive(Debug, Clone)]
pub enum Forge {
    /// Correct in every respect (ES256 by the published key).
    Honest,
    /// `iss` of another issuer.
    WrongIss,
    /// `aud` of another client only.
    WrongAud,
    /// `aud` = [us, another client] and no `azp` (OIDC Core §3.1.3.7 items 3–5).
    ExtraAudWithoutAzp,
    /// `exp` ten minutes ago.
    Expired,
    /// `iat` an hour ahead.
    FutureIat,
    /// No `nonce` although the request carried one.
    MissingNonce,
    /// The `nonce` of the previous authorization request (an earlier login's).
    ReplayedNonce,
    /// The previous ID token this OP issued, verbatim.
    ReplayedIdToken,
    /// `alg: none`, no signature.
    AlgNone,
    /// HS256 keyed with these bytes (the OP's public key in some encoding), the real `kid`.
    Hs256(Vec<u8>),
    /// Signed by a key the OP never published (`kid` unknown, also after a JWKS refetch).
    UnknownKid,
    /// Issued to another client: `aud` and `azp` name it.
    OtherClient,
    /// Honest, with this `acr`.
    Acr(String),
}

/// How the token endpoint fails (before any ID token is made).
#[derive(Debug, Clone)]
pub enum TokenFault {
    /// It answers.
    None,
    /// This HTTP status with an OAuth error body.
    Status(u16),
    /// The answer starts (200, headers) and the connection breaks off mid-body.
    BrokenConnection,
    /// No answer for this long (longer than the broker waits).
    Hang(Duration),
}

#[derive(Debug)]
struct Book {
    forge: Forge,
    fault: TokenFault,
    authorizations: Vec<BTreeMap<String, String>>,
    codes: HashMap<String, usize>,
    token_requests: Vec<BTreeMap<String, String>>,
    jwks_fetches: usize,
    issued: Vec<String>,
}

struct Shared {
    issuer: String,
    key: EncodingKey,
    kid: String,
    jwk: Value,
    stranger: EncodingKey,
    public_pem: String,
    public_der: Vec<u8>,
    book: Mutex<Book>,
}

/// The running fake OP; stopped when dropped.
pub struct FakeOp {
    /// `http://127.0.0.1:<port>`.
    pub issuer: String,
    shared: Arc<Shared>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for FakeOp {
    fn drop(&mut self) {
        self.task.abort();
    }
}

fn ec_key() -> (rcgen::KeyPair, EncodingKey) {
    let pair = rcgen::KeyPair::generate().expect("EC key");
    let key = EncodingKey::from_ec_pem(pair.serialize_pem().as_bytes()).expect("EC PEM");
    (pair, key)
}

impl FakeOp {
    /// Bind 127.0.0.1:0 and serve. Honest until told otherwise.
    pub async fn start() -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let issuer = format!("http://{}", listener.local_addr().expect("addr"));
        let (pair, key) = ec_key();
        let (_, stranger) = ec_key();
        let kid = format!("fake-op-{}", &URL_SAFE_NO_PAD.encode(&pair.public_key_raw()[1..9]));
        let mut jwk = serde_json::to_value(Jwk::from_encoding_key(&key, Algorithm::ES256).expect("JWK")).expect("JSON");
        jwk["kid"] = json!(kid);
        jwk["use"] = json!("sig");
        let shared = Arc::new(Shared {
            issuer: issuer.clone(),
            key,
            kid,
            jwk,
            stranger,
            public_pem: pair.public_key_pem(),
            public_der: rcgen::PublicKeyData::subject_public_key_info(&pair),
            book: Mutex::new(Book {
                forge: Forge::Honest,
                fault: TokenFault::None,
                authorizations: Vec::new(),
                codes: HashMap::new(),
                token_requests: Vec::new(),
                jwks_fetches: 0,
                issued: Vec::new(),
            }),
        });
        let app = Router::new()
            .route("/.well-known/openid-configuration", get(discovery))
            .route("/authorize", get(authorize))
            .route("/token", post(token))
            .route("/jwks", get(jwks))
            .with_state(shared.clone());
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        FakeOp { issuer, shared, task }
    }

    fn book(&self) -> std::sync::MutexGuard<'_, Book> {
        self.shared.book.lock().expect("book")
    }

    /// Forge the next ID tokens this way.
    pub fn forge(&self, forge: Forge) {
        self.book().forge = forge;
    }

    /// Make the token endpoint fail this way.
    pub fn fault(&self, fault: TokenFault) {
        self.book().fault = fault;
    }

    /// Every authorization request received, in order (its query parameters).
    pub fn authorizations(&self) -> Vec<BTreeMap<String, String>> {
        self.book().authorizations.clone()
    }

    /// How many token requests arrived (a code must never be redeemed before the checks that
    /// come first: binding, `state`, `iss`).
    pub fn token_requests(&self) -> usize {
        self.book().token_requests.len()
    }

    /// How often the JWKS was fetched.
    pub fn jwks_fetches(&self) -> usize {
        self.book().jwks_fetches
    }

    /// The OP's public key in the encodings an HS256 key-confusion attack tries as the secret:
    /// SPKI PEM, SPKI DER, the JWK as JSON.
    pub fn public_key_secrets(&self) -> Vec<(&'static str, Vec<u8>)> {
        vec![
            ("SPKI PEM", self.shared.public_pem.clone().into_bytes()),
            ("SPKI DER", self.shared.public_der.clone()),
            ("JWK JSON", serde_json::to_vec(&self.shared.jwk).expect("JSON")),
        ]
    }
}

async fn discovery(State(s): State<Arc<Shared>>) -> Json<Value> {
    let i = &s.issuer;
    Json(json!({
        "issuer": i,
        "authorization_endpoint": format!("{i}/authorize"),
        "token_endpoint": format!("{i}/token"),
        "jwks_uri": format!("{i}/jwks"),
        "response_types_supported": ["code"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["ES256"],
        "token_endpoint_auth_methods_supported": ["private_key_jwt", "client_secret_basic"],
        "token_endpoint_auth_signing_alg_values_supported": ["ES256", "PS256"],
        "code_challenge_methods_supported": ["S256"],
        "scopes_supported": ["openid", "profile"],
        "claims_supported": ["sub", "acr", "given_name", "family_name", "birthdate"],
        "acr_values_supported": [ACR_BID, super::ACR_BIS],
        "authorization_response_iss_parameter_supported": true,
    }))
}

async fn jwks(State(s): State<Arc<Shared>>) -> Json<Value> {
    s.book.lock().expect("book").jwks_fetches += 1;
    Json(json!({ "keys": [s.jwk] }))
}

/// Every request gets a code at once (RFC 6749 §4.1.2, with RFC 9207 `iss`).
async fn authorize(State(s): State<Arc<Shared>>, Query(q): Query<BTreeMap<String, String>>) -> Response {
    let Some(redirect_uri) = q.get("redirect_uri").cloned() else {
        return (axum::http::StatusCode::BAD_REQUEST, "no redirect_uri").into_response();
    };
    let code = format!("fake-code-{:016x}", rand::random::<u64>());
    let state = q.get("state").cloned().unwrap_or_default();
    {
        let mut book = s.book.lock().expect("book");
        book.authorizations.push(q);
        let index = book.authorizations.len() - 1;
        book.codes.insert(code.clone(), index);
    }
    let mut url = url::Url::parse(&redirect_uri).expect("redirect_uri");
    url.query_pairs_mut()
        .append_pair("code", &code)
        .append_pair("state", &state)
        .append_pair("iss", &s.issuer);
    Redirect::to(url.as_str()).into_response()
}

fn oauth_error(status: u16, error: &str) -> Response {
    let status = axum::http::StatusCode::from_u16(status).expect("status");
    (status, Json(json!({ "error": error }))).into_response()
}

async fn token(State(s): State<Arc<Shared>>, Form(form): Form<BTreeMap<String, String>>) -> Response {
    let (fault, forge, request, previous) = {
        let mut book = s.book.lock().expect("book");
        book.token_requests.push(form.clone());
        let index = form.get("code").and_then(|c| book.codes.remove(c));
        let request = index.map(|i| book.authorizations[i].clone());
        let previous = index.and_then(|i| i.checked_sub(1)).map(|i| book.authorizations[i].clone());
        (
            book.fault.clone(),
            book.forge.clone(),
            request,
            (previous, book.issued.last().cloned()),
        )
    };
    match fault {
        TokenFault::None => {}
        TokenFault::Status(status) => return oauth_error(status, "server_error"),
        TokenFault::Hang(d) => {
            tokio::time::sleep(d).await;
            return oauth_error(503, "temporarily_unavailable");
        }
        TokenFault::BrokenConnection => {
            let cut = futures::stream::once(async { Err::<Bytes, std::io::Error>(std::io::Error::other("connection cut")) });
            return Response::builder()
                .header("content-type", "application/json")
                .body(Body::from_stream(cut))
                .expect("response");
        }
    }
    let Some(request) = request else {
        return oauth_error(400, "invalid_grant");
    };
    let (previous_request, previous_token) = previous;
    let id_token = match (&forge, previous_token) {
        (Forge::ReplayedIdToken, Some(old)) => old,
        _ => make_id_token(&s, &forge, &request, previous_request.as_ref()),
    };
    s.book.lock().expect("book").issued.push(id_token.clone());
    Json(json!({
        "access_token": format!("fake-at-{:016x}", rand::random::<u64>()),
        "token_type": "Bearer",
        "expires_in": 300,
        "id_token": id_token,
    }))
    .into_response()
}

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or_default()
}

fn make_id_token(s: &Shared, forge: &Forge, request: &BTreeMap<String, String>, previous: Option<&BTreeMap<String, String>>) -> String {
    let now = now();
    let mut c = json!({
        "iss": s.issuer,
        "sub": "fake-op-subject-1",
        "aud": CLIENT_ID,
        "exp": now + 300,
        "iat": now,
        "auth_time": now - 5,
        "acr": ACR_BID,
        "amr": ["BID"],
        "given_name": "Kari",
        "family_name": "Nordmann",
        "birthdate": "1964-08-12",
    });
    if let Some(nonce) = request.get("nonce") {
        c["nonce"] = json!(nonce);
    }
    let other = "another-client";
    match forge {
        Forge::Honest | Forge::AlgNone | Forge::Hs256(_) | Forge::UnknownKid | Forge::ReplayedIdToken => {}
        Forge::WrongIss => c["iss"] = json!("https://op.attacker.example"),
        Forge::WrongAud => c["aud"] = json!(other),
        Forge::ExtraAudWithoutAzp => c["aud"] = json!([CLIENT_ID, other]),
        Forge::Expired => {
            c["exp"] = json!(now - 600);
            c["iat"] = json!(now - 900);
            c["auth_time"] = json!(now - 905);
        }
        Forge::FutureIat => {
            c["iat"] = json!(now + 3600);
            c["exp"] = json!(now + 3900);
        }
        Forge::MissingNonce => {
            c.as_object_mut().expect("claims").remove("nonce");
        }
        Forge::ReplayedNonce => {
            let old = previous
                .and_then(|p| p.get("nonce"))
                .expect("a previous authorization request with a nonce");
            c["nonce"] = json!(old);
        }
        Forge::OtherClient => {
            c["aud"] = json!(other);
            c["azp"] = json!(other);
        }
        Forge::Acr(acr) => c["acr"] = json!(acr),
    }
    let b64 = |v: &Value| URL_SAFE_NO_PAD.encode(serde_json::to_vec(v).expect("JSON"));
    match forge {
        Forge::AlgNone => format!("{}.{}.", b64(&json!({"alg": "none", "typ": "JWT", "kid": s.kid})), b64(&c)),
        Forge::Hs256(secret) => {
            let mut h = Header::new(Algorithm::HS256);
            h.kid = Some(s.kid.clone());
            jsonwebtoken::encode(&h, &c, &EncodingKey::from_secret(secret)).expect("HS256")
        }
        Forge::UnknownKid => {
            let mut h = Header::new(Algorithm::ES256);
            h.kid = Some("rotated-away-long-ago".into());
            jsonwebtoken::encode(&h, &c, &s.stranger).expect("ES256")
        }
        _ => {
            let mut h = Header::new(Algorithm::ES256);
            h.kid = Some(s.kid.clone());
            jsonwebtoken::encode(&h, &c, &s.key).expect("ES256")
        }
    }
}
