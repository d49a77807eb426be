//! The built-in test wallet (DEVELOPMENT ONLY; mounted with the other simulators when
//! `server.development = true`): `GET /dev/wallet?client_id=…&request_uri=…` is where the wallet
//! page's buttons lead in development instead of `openid4vp://`, so `cargo run -- serve` shows the
//! wallet login end to end in one browser.
//!
//! It behaves like a wallet towards the broker, over HTTP: it fetches the request object at
//! `request_uri`, checks it (ES256 signature by the `x5c` leaf, `x509_hash` of that leaf = the
//! `client_id` of the link and of the request, `typ`, `aud`, `response_mode`, `exp`), shows what is
//! asked, lets the person pick a test person, has the development PID provider
//! (`pid_issuer.rs`) mint a PID with a key binding JWT for our `nonce` and `client_id`, encrypts
//! the answer to the request's key (ECDH-ES, A128GCM, `kid` echoed) and POSTs it to
//! `response_uri`. Same-device: it follows the `redirect_uri`; cross-device (the QR code's request):
//! it tells the person to go back to the other screen. It talks only to this broker (the
//! `request_uri` must lie below our issuer): the page is no open fetcher.

use super::super::sim_page;
use crate::eudi::client_id::ClientId;
use crate::keys::jwe::{encrypt_ecdh_es_p256, ContentEncryption};
use crate::state::AppState;
use crate::web::{escape, locale, Locale};
use aws_lc_rs::signature::{UnparsedPublicKey, ECDSA_P256_SHA256_FIXED};
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use serde_json::Value;
use std::time::Duration;

/// The test wallet's path.
pub const PATH: &str = "/dev/wallet";

/// The development PIDs' status list.
pub const STATUS_PATH: &str = "/dev/wallet/status-list";

/// The routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route(PATH, get(wallet_get).post(wallet_post))
        .route(STATUS_PATH, get(status_get))
}

/// `GET /dev/wallet/status-list`: the status list token (`application/statuslist+jwt`) the
/// development PIDs point to; the broker fetches it like any PID provider's.
async fn status_get(State(state): State<AppState>) -> Response {
    let uri = format!("{}{STATUS_PATH}", state.config().server.issuer.as_str().trim_end_matches('/'));
    match super::status_list(&state.config().base_dir, &uri, state.broker().clock().unix()) {
        Ok(token) => ([(http::header::CONTENT_TYPE, "application/statuslist+jwt")], token).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "development status list");
            http::StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

/// A request object that passed the wallet's checks.
#[derive(Debug, Clone)]
pub struct CheckedRequest {
    /// `client_id` (`x509_hash:…`).
    pub client_id: String,
    /// `response_uri`.
    pub response_uri: String,
    /// `nonce`.
    pub nonce: String,
    /// `state`.
    pub state: String,
    /// `dcql_query`.
    pub dcql: Value,
    /// The encryption key (JWK) from `client_metadata.jwks`.
    pub enc_jwk: Value,
}

fn b64json(part: &str) -> Result<Value, String> {
    let bytes = URL_SAFE_NO_PAD.decode(part).map_err(|e| e.to_string())?;
    serde_json::from_slice(&bytes).map_err(|e| e.to_string())
}

/// Check a request object as a HAIP wallet would (OpenID4VP 1.0 §5.9.3, §5.8; RFC 9101).
pub fn check_request(jar: &str, client_id: &str, issuer: &str, now: i64) -> Result<CheckedRequest, String> {
    let parts: Vec<&str> = jar.split('.').collect();
    let [h, c, s] = parts.as_slice() else {
        return Err("not a signed JWT".into());
    };
    let header = b64json(h)?;
    if header["alg"] != "ES256" || header["typ"] != crate::eudi::request::JAR_TYP {
        return Err(format!("header alg/typ not ES256 / {}", crate::eudi::request::JAR_TYP));
    }
    let x5c = header["x5c"]
        .as_array()
        .filter(|a| a.len() == 1)
        .ok_or("x5c must hold the leaf only")?;
    let leaf = STANDARD.decode(x5c[0].as_str().unwrap_or_default()).map_err(|e| e.to_string())?;
    if ClientId::x509_hash(&leaf).as_str() != client_id {
        return Err("client_id is not the x509_hash of the x5c leaf".into());
    }
    let (_, cert) = x509_parser::parse_x509_certificate(&leaf).map_err(|e| e.to_string())?;
    let sig = URL_SAFE_NO_PAD.decode(s).map_err(|e| e.to_string())?;
    UnparsedPublicKey::new(&ECDSA_P256_SHA256_FIXED, cert.public_key().subject_public_key.data.as_ref())
        .verify(format!("{h}.{c}").as_bytes(), &sig)
        .map_err(|_| "request object signature invalid".to_owned())?;
    let claims = b64json(c)?;
    let text = |k: &str| claims[k].as_str().map(str::to_owned).ok_or(format!("{k} missing"));
    if text("client_id")? != client_id {
        return Err("client_id of the request differs from the link's".into());
    }
    if text("aud")? != crate::eudi::request::SELF_ISSUED_AUD
        || text("response_type")? != "vp_token"
        || text("response_mode")? != "direct_post.jwt"
    {
        return Err("aud / response_type / response_mode unexpected".into());
    }
    if claims["exp"].as_i64().is_none_or(|e| e < now) {
        return Err("request object expired".into());
    }
    let response_uri = text("response_uri")?;
    if !response_uri.starts_with(&format!("{}/wallet/response/", issuer.trim_end_matches('/'))) {
        return Err("response_uri is not the broker's".into());
    }
    let enc_jwk = claims["client_metadata"]["jwks"]["keys"]
        .as_array()
        .and_then(|k| k.iter().find(|j| j["use"] == "enc" && j["crv"] == "P-256"))
        .cloned()
        .ok_or("no P-256 encryption key in client_metadata")?;
    Ok(CheckedRequest {
        client_id: client_id.to_owned(),
        response_uri,
        nonce: text("nonce")?,
        state: text("state")?,
        dcql: claims["dcql_query"].clone(),
        enc_jwk,
    })
}

/// Encrypt the wallet's answer to the request's key (what a wallet posts as `response`).
pub fn encrypt_answer(req: &CheckedRequest, payload: &Value, enc: ContentEncryption) -> Result<String, String> {
    let coord = |k: &str| {
        URL_SAFE_NO_PAD
            .decode(req.enc_jwk[k].as_str().unwrap_or_default())
            .map_err(|e| e.to_string())
    };
    let point = [vec![4u8], coord("x")?, coord("y")?].concat();
    encrypt_ecdh_es_p256(payload.to_string().as_bytes(), &point, enc, req.enc_jwk["kid"].as_str()).map_err(|e| e.to_string())
}

fn http_client() -> Result<reqwest::Client, String> {
    crate::tls::http_client_builder()
        .map_err(|e| e.to_string())?
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(10))
        .build()
        .map_err(|e| e.to_string())
}

#[derive(Default)]
struct Params {
    client_id: String,
    request_uri: String,
    person: String,
    action: String,
    lang: Option<String>,
}

fn params(text: &[u8]) -> Params {
    let mut p = Params::default();
    for (k, v) in url::form_urlencoded::parse(text) {
        match k.as_ref() {
            "client_id" => p.client_id = v.into_owned(),
            "request_uri" => p.request_uri = v.into_owned(),
            "person" => p.person = v.into_owned(),
            "action" => p.action = v.into_owned(),
            "lang" => p.lang = Some(v.into_owned()),
            _ => {}
        }
    }
    p
}

/// Fetch and check the request object at `request_uri` (only below our issuer).
async fn fetch(state: &AppState, p: &Params) -> Result<CheckedRequest, String> {
    let issuer = state.config().server.issuer.to_string();
    if !p
        .request_uri
        .starts_with(&format!("{}/wallet/request/", issuer.trim_end_matches('/')))
    {
        return Err("request_uri is not this broker's".into());
    }
    let res = http_client()?.get(&p.request_uri).send().await.map_err(|e| e.to_string())?;
    let status = res.status();
    let body = res.text().await.map_err(|e| e.to_string())?;
    if !status.is_success() {
        return Err(format!("request_uri answered {status}: {body}"));
    }
    check_request(body.trim(), &p.client_id, &issuer, state.broker().clock().unix())
}

fn wallet_page(locale: Locale, title_de: &str, title_en: &str, body: &str) -> Response {
    let title = sim_page::pick(locale, title_de, title_en);
    let mut res = sim_page::page(locale, &sim_page::note(locale, "Test-Wallet"), title, body, None).into_response();
    res.headers_mut()
        .insert(http::header::CACHE_CONTROL, http::HeaderValue::from_static("no-store"));
    res
}

fn problem(locale: Locale, detail: &str) -> Response {
    let body = format!("<p>{}</p>", escape(detail));
    let mut res = wallet_page(locale, "Anfrage abgelehnt", "Request refused", &body);
    *res.status_mut() = http::StatusCode::BAD_REQUEST;
    res
}

/// `GET /dev/wallet?client_id=…&request_uri=…`: check the request, show what it asks.
async fn wallet_get(State(state): State<AppState>, headers: http::HeaderMap, RawQuery(q): RawQuery) -> Response {
    let p = params(q.unwrap_or_default().as_bytes());
    let locale = locale::negotiate(p.lang.as_deref(), None, &headers);
    let req = match fetch(&state, &p).await {
        Ok(r) => r,
        Err(e) => return problem(locale, &e),
    };
    let asked: Vec<String> = req.dcql["credentials"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|c| c["claims"].as_array().cloned().unwrap_or_default())
        .filter_map(|c| {
            c["path"]
                .as_array()
                .map(|p| p.iter().filter_map(Value::as_str).collect::<Vec<_>>().join("."))
        })
        .collect();
    let persons: String = super::persons()
        .iter()
        .enumerate()
        .map(|(i, (id, name, _))| {
            format!(
                "<li><label><input type=\"radio\" name=\"person\" value=\"{}\"{}> {}</label></li>",
                escape(id),
                if i == 0 { " checked" } else { "" },
                escape(name)
            )
        })
        .collect();
    let hidden = format!(
        "<input type=\"hidden\" name=\"client_id\" value=\"{}\"><input type=\"hidden\" name=\"request_uri\" value=\"{}\"><input type=\"hidden\" name=\"lang\" value=\"{}\">",
        escape(&p.client_id),
        escape(&p.request_uri),
        locale.as_str()
    );
    let body = format!(
        "<p>{verifier} <code>{client}</code></p><p>{asks}</p><ul>{claims}</ul>\
<form method=\"post\" action=\"{PATH}\">{hidden}<fieldset><legend>{who}</legend><ul>{persons}</ul></fieldset>\
<p><button type=\"submit\" name=\"action\" value=\"share\">{share}</button> \
<button type=\"submit\" name=\"action\" value=\"decline\">{decline}</button></p></form>",
        verifier = escape(sim_page::pick(
            locale,
            "Anfrage geprüft (Signatur, x509_hash). Verifier:",
            "Request checked (signature, x509_hash). Verifier:"
        )),
        client = escape(&req.client_id),
        asks = escape(sim_page::pick(locale, "Gefragt sind:", "It asks for:")),
        claims = asked
            .iter()
            .map(|c| format!("<li><code>{}</code></li>", escape(c)))
            .collect::<String>(),
        who = escape(sim_page::pick(locale, "Testperson", "Test person")),
        share = escape(sim_page::pick(locale, "Daten teilen", "Share data")),
        decline = escape(sim_page::pick(locale, "Ablehnen", "Decline")),
    );
    wallet_page(locale, "PID teilen?", "Share your PID?", &body)
}

/// `POST /dev/wallet`: answer the request (share or decline) and go where the broker says.
async fn wallet_post(State(state): State<AppState>, headers: http::HeaderMap, body: Bytes) -> Response {
    let p = params(&body);
    let locale = locale::negotiate(p.lang.as_deref(), None, &headers);
    let req = match fetch(&state, &p).await {
        Ok(r) => r,
        Err(e) => return problem(locale, &e),
    };
    let payload = if p.action == "share" {
        let status_uri = format!("{}{STATUS_PATH}", state.config().server.issuer.as_str().trim_end_matches('/'));
        let now = state.broker().clock().unix();
        match super::mint_presentation(&state.config().base_dir, &p.person, &req, &status_uri, now) {
            Ok(presentation) => serde_json::json!({"vp_token": {"pid": [presentation]}, "state": req.state}),
            Err(e) => return problem(locale, &e),
        }
    } else {
        serde_json::json!({"error": "access_denied", "state": req.state})
    };
    let jwe = match encrypt_answer(&req, &payload, ContentEncryption::A128Gcm) {
        Ok(j) => j,
        Err(e) => return problem(locale, &e),
    };
    let sent = async {
        let res = http_client()?
            .post(&req.response_uri)
            .form(&[("response", jwe.as_str())])
            .send()
            .await
            .map_err(|e| e.to_string())?;
        let status = res.status();
        let text = res.text().await.map_err(|e| e.to_string())?;
        let json: Value = serde_json::from_str(&text).map_err(|e| format!("{e}: {text}"))?;
        Ok::<_, String>((status, json))
    }
    .await;
    match sent {
        Ok((status, json)) if status.is_success() => match json["redirect_uri"].as_str() {
            Some(uri) => Redirect::to(uri).into_response(),
            None => wallet_page(
                locale,
                "Fertig",
                "Done",
                &format!(
                    "<p>{}</p>",
                    escape(sim_page::pick(
                        locale,
                        "Die Daten sind übermittelt. Gehen Sie zurück zum anderen Bildschirm und wählen Sie dort „Weiter“.",
                        "The data has been sent. Go back to the other screen and choose “Continue” there."
                    ))
                ),
            ),
        },
        Ok((status, json)) => problem(locale, &format!("response_uri answered {status}: {json}")),
        Err(e) => problem(locale, &e),
    }
}
