//! The development bank-ID simulator (development configuration only; routed only when
//! `server.development = true`, and only for the `[[oidc_upstreams]]` entry that names a
//! `dev_simulator_key`): an OpenID Provider at `{issuer}/dev/bankid` that behaves like a bank —
//! discovery, JWKS, PAR required (RFC 9126), `private_key_jwt` client authentication checked
//! against the broker's published client key, PKCE S256 required, RFC 9207 `iss` in responses,
//! ES256 ID tokens with the Norway BankID `acr` of the chosen test person.
//!
//! Flow: `POST /par` (client authenticated) parks the request, `GET /authorize?request_uri` shows
//! the test persons, `POST /authorize` answers the broker's callback with a code (or
//! `access_denied`), `POST /token` redeems it once; `GET /logout` ends "the bank session"
//! (RP-Initiated Logout 1.0) and sends the browser back to the broker.

mod logout;
pub mod persons;
mod token;

use crate::config::oidc_upstream::{OidcUpstreamConfig, DEV_SIMULATOR_PATH};
use crate::dev::sim_page;
use crate::session::RecordKind;
use crate::state::AppState;
use crate::web::{escape, locale, Locale};
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use http::{HeaderMap, StatusCode};
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// Parked pushed requests.
const PAR_KIND: RecordKind = RecordKind::Other("dev-bankid-par");
/// Issued codes.
const CODE_KIND: RecordKind = RecordKind::Other("dev-bankid-code");
/// RFC 9126 §2.2: a short-lived request_uri.
const PAR_TTL: Duration = Duration::from_secs(90);
/// A code lives as briefly as at a real OP.
const CODE_TTL: Duration = Duration::from_secs(60);
const REQUEST_URI_PREFIX: &str = "urn:ietf:params:oauth:request_uri:";

/// Routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route(&format!("{DEV_SIMULATOR_PATH}/.well-known/openid-configuration"), get(metadata_get))
        .route(&format!("{DEV_SIMULATOR_PATH}/jwks"), get(jwks_get))
        .route(&format!("{DEV_SIMULATOR_PATH}/par"), post(par_post))
        .route(&format!("{DEV_SIMULATOR_PATH}/authorize"), get(authorize_get).post(authorize_post))
        .route(&format!("{DEV_SIMULATOR_PATH}/token"), post(token::token_post))
        .route(&format!("{DEV_SIMULATOR_PATH}/logout"), get(logout::logout_get))
}

/// The upstream the simulator plays.
fn upstream(state: &AppState) -> Option<&OidcUpstreamConfig> {
    state.config().oidc_upstreams.iter().find(|u| u.dev_simulator.is_some())
}

fn issuer(u: &OidcUpstreamConfig) -> &str {
    &u.settings.issuer
}

fn not_found() -> Response {
    StatusCode::NOT_FOUND.into_response()
}

async fn metadata_get(State(state): State<AppState>) -> Response {
    let Some(u) = upstream(&state) else { return not_found() };
    let iss = issuer(u);
    Json(serde_json::json!({
        "issuer": iss,
        "authorization_endpoint": format!("{iss}/authorize"),
        "token_endpoint": format!("{iss}/token"),
        "jwks_uri": format!("{iss}/jwks"),
        "pushed_authorization_request_endpoint": format!("{iss}/par"),
        "end_session_endpoint": format!("{iss}/logout"),
        "require_pushed_authorization_requests": true,
        "authorization_response_iss_parameter_supported": true,
        "response_types_supported": ["code"],
        "grant_types_supported": ["authorization_code"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["ES256"],
        "token_endpoint_auth_methods_supported": ["private_key_jwt"],
        "token_endpoint_auth_signing_alg_values_supported": ["ES256", "PS256"],
        "code_challenge_methods_supported": ["S256"],
        "scopes_supported": ["openid", "profile"],
        "acr_values_supported": persons::PERSONS.iter().map(|p| p.acr).collect::<Vec<_>>(),
        "claims_parameter_supported": false
    }))
    .into_response()
}

async fn jwks_get(State(state): State<AppState>) -> Response {
    match upstream(&state).and_then(|u| u.dev_simulator.as_ref()) {
        Some(k) => Json(k.jwks()).into_response(),
        None => not_found(),
    }
}

/// A pushed (and client-authenticated) authorization request.
#[derive(Serialize, Deserialize)]
struct Pushed {
    client_id: String,
    redirect_uri: String,
    state: String,
    nonce: String,
    code_challenge: String,
    acr_values: Vec<String>,
    /// `ui_locales` as the broker sent it: the simulator's pages follow it (then the language
    /// cookie, then Accept-Language).
    #[serde(default)]
    ui_locales: Option<String>,
}

fn field<'a>(form: &'a [(String, String)], name: &str) -> Option<&'a str> {
    let mut it = form.iter().filter(|(k, _)| k == name);
    let first = it.next().map(|(_, v)| v.as_str());
    // RFC 6749 §3.1: a parameter at most once.
    if it.next().is_some() {
        return None;
    }
    first
}

fn oauth_error(status: StatusCode, error: &str) -> Response {
    (status, Json(serde_json::json!({"error": error}))).into_response()
}

async fn par_post(State(state): State<AppState>, body: Bytes) -> Response {
    let Some(u) = upstream(&state) else { return not_found() };
    let form: Vec<(String, String)> = url::form_urlencoded::parse(&body).into_owned().collect();
    if let Err(e) = token::authenticate_client(&state, u, &form).await {
        return e;
    }
    let redirect_uri = field(&form, "redirect_uri").unwrap_or_default();
    // Only the broker's own callbacks (the simulator serves the broker, nobody else).
    let callback_prefix = state.config().server.url("/oidc/callback/");
    let ok = field(&form, "response_type") == Some("code")
        && redirect_uri.starts_with(&callback_prefix)
        && field(&form, "code_challenge_method") == Some("S256")
        && field(&form, "code_challenge").is_some_and(|c| c.len() == 43)
        && field(&form, "state").is_some_and(|s| !s.is_empty())
        && field(&form, "nonce").is_some_and(|s| !s.is_empty())
        && field(&form, "scope").is_some_and(|s| s.split(' ').any(|x| x == "openid"));
    if !ok {
        return oauth_error(StatusCode::BAD_REQUEST, "invalid_request");
    }
    let pushed = Pushed {
        client_id: u.settings.client_id.clone(),
        redirect_uri: redirect_uri.to_owned(),
        state: field(&form, "state").unwrap_or_default().to_owned(),
        nonce: field(&form, "nonce").unwrap_or_default().to_owned(),
        code_challenge: field(&form, "code_challenge").unwrap_or_default().to_owned(),
        acr_values: field(&form, "acr_values")
            .unwrap_or_default()
            .split(' ')
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect(),
        ui_locales: field(&form, "ui_locales").map(str::to_owned),
    };
    let id = crate::ids::random_id();
    if state
        .records()
        .put(PAR_KIND, &crate::ids::store_id(&id), &pushed, PAR_TTL)
        .await
        .is_err()
    {
        return oauth_error(StatusCode::SERVICE_UNAVAILABLE, "temporarily_unavailable");
    }
    (
        StatusCode::CREATED,
        Json(serde_json::json!({"request_uri": format!("{REQUEST_URI_PREFIX}{id}"), "expires_in": PAR_TTL.as_secs()})),
    )
        .into_response()
}

#[derive(Deserialize)]
struct AuthorizeQuery {
    client_id: Option<String>,
    request_uri: Option<String>,
    /// The language switch.
    lang: Option<String>,
}

fn page(loc: Locale, title: &str, body: &str, switch: Option<&str>) -> Response {
    let note = sim_page::note(loc, sim_page::pick(loc, "Bank-ID-Simulator", "Bank-ID simulator"));
    sim_page::page(loc, &note, title, body, switch).into_response()
}

fn unknown_request(loc: Locale) -> Response {
    let text = sim_page::pick(
        loc,
        "Unbekannte oder abgelaufene Anfrage (PAR ist Pflicht).",
        "Unknown or expired request (PAR is required).",
    );
    let title = sim_page::pick(loc, "Anfrage abgelehnt", "Request refused");
    (StatusCode::BAD_REQUEST, page(loc, title, &format!("<p>{}</p>", escape(text)), None)).into_response()
}

/// `GET /authorize?client_id&request_uri`: the test persons whose `acr` was asked for.
async fn authorize_get(State(state): State<AppState>, headers: HeaderMap, Query(q): Query<AuthorizeQuery>) -> Response {
    let Some(u) = upstream(&state) else { return not_found() };
    let id = q
        .request_uri
        .as_deref()
        .and_then(|r| r.strip_prefix(REQUEST_URI_PREFIX))
        .unwrap_or_default();
    let pushed: Option<Pushed> = state.records().get(PAR_KIND, &crate::ids::store_id(id)).await.ok().flatten();
    let Some(p) = pushed.filter(|p| q.client_id.as_deref() == Some(p.client_id.as_str()) && p.client_id == u.settings.client_id) else {
        return unknown_request(locale::negotiate(q.lang.as_deref(), None, &headers));
    };
    let loc = locale::negotiate(q.lang.as_deref(), p.ui_locales.as_deref(), &headers);
    let en = loc == Locale::En;
    let mut items = String::new();
    for person in persons::PERSONS
        .iter()
        .filter(|x| p.acr_values.is_empty() || p.acr_values.iter().any(|a| a == x.acr))
    {
        items.push_str(&format!(
            "<li><button type=\"submit\" name=\"person\" value=\"{}\">{}</button></li>",
            escape(person.id),
            escape(if en { person.label_en } else { person.label_de })
        ));
    }
    let (title, intro, cancel) = if en {
        (
            "Log in with your bank",
            "Choose a test person. Only persons whose login reaches the requested level are listed.",
            "Cancel",
        )
    } else {
        (
            "Mit Ihrer Bank anmelden",
            "Wählen Sie eine Testperson. Angezeigt werden nur Personen, deren Anmeldung das verlangte Niveau erreicht.",
            "Abbrechen",
        )
    };
    let body = format!(
        "<p>{intro}</p><form method=\"post\" action=\"{DEV_SIMULATOR_PATH}/authorize\"><input type=\"hidden\" name=\"request\" value=\"{}\">\
<ul class=\"methods\">{items}</ul><p><button type=\"submit\" name=\"person\" value=\"cancel\">{cancel}</button></p></form>",
        escape(id)
    );
    let switch = url::form_urlencoded::Serializer::new(format!("{DEV_SIMULATOR_PATH}/authorize?"))
        .append_pair("client_id", &p.client_id)
        .append_pair("request_uri", &format!("{REQUEST_URI_PREFIX}{id}"))
        .append_pair("lang", if en { "de" } else { "en" })
        .finish();
    page(loc, title, &body, Some(&switch))
}

/// What a code stands for.
#[derive(Serialize, Deserialize)]
struct Issued {
    client_id: String,
    redirect_uri: String,
    code_challenge: String,
    nonce: String,
    person: String,
    auth_time: i64,
}

/// `POST /authorize`: the person chose; back to the broker's callback.
async fn authorize_post(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let Some(u) = upstream(&state) else { return not_found() };
    let form: Vec<(String, String)> = url::form_urlencoded::parse(&body).into_owned().collect();
    let id = field(&form, "request").unwrap_or_default();
    let pushed: Option<Pushed> = state.records().take(PAR_KIND, &crate::ids::store_id(id)).await.ok().flatten();
    let Some(p) = pushed else {
        return unknown_request(locale::negotiate(None, None, &headers));
    };
    let mut back = match url::Url::parse(&p.redirect_uri) {
        Ok(url) => url,
        Err(_) => return StatusCode::BAD_REQUEST.into_response(),
    };
    let person = field(&form, "person").and_then(persons::find);
    let Some(person) = person else {
        back.query_pairs_mut()
            .append_pair("error", "access_denied")
            .append_pair("state", &p.state)
            .append_pair("iss", issuer(u));
        return Redirect::to(back.as_str()).into_response();
    };
    let code = crate::ids::random_id();
    let issued = Issued {
        client_id: p.client_id.clone(),
        redirect_uri: p.redirect_uri.clone(),
        code_challenge: p.code_challenge.clone(),
        nonce: p.nonce.clone(),
        person: person.id.to_owned(),
        auth_time: state.clock().unix(),
    };
    if state
        .records()
        .put(CODE_KIND, &crate::ids::store_id(&code), &issued, CODE_TTL)
        .await
        .is_err()
    {
        return StatusCode::SERVICE_UNAVAILABLE.into_response();
    }
    back.query_pairs_mut()
        .append_pair("code", &code)
        .append_pair("state", &p.state)
        .append_pair("iss", issuer(u));
    Redirect::to(back.as_str()).into_response()
}
