//! The demo relying party at `/demo` (development configuration only): what a newcomer sees after
//! the README's first command. It is a *real* OIDC client of this broker, built on the
//! openidconnect crate, talking to the broker over HTTP like any case service would:
//!
//! 1. `/demo` offers "log in with trust level substantial / high" (German, `?lang=en` English).
//! 2. `POST /demo/login` discovers the provider, builds an authorization request with PKCE S256,
//!    `state`, `nonce`, `acr_values` and `ui_locales`, parks verifier and nonce in a sealed store
//!    record keyed by `state` (10 min), and redirects.
//! 3. `/demo/callback` checks `state` and `iss` (RFC 9207 §2.4), redeems the code at `/token`
//!    (client_secret_basic, redirects disabled), verifies the ID token (ES256 only, nonce),
//!    checks `acr` itself, calls userinfo, and shows the data as a person reads it (`web::format`,
//!    like the consent page) and both as escaped JSON. Errors returned to the callback
//!    (`error=access_denied` …) are shown readably, by the stable reason in `error_description`
//!    (docs/relying-parties.md) — a wrong PIN is not "you declined".

use crate::oidc_provider::tokens::hash_key;
use crate::session::RecordKind;
use crate::state::AppState;
use crate::trust::TrustLevel;
use axum::extract::{Query, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use openidconnect::core::{CoreAuthenticationFlow, CoreClient, CoreJwsSigningAlgorithm, CoreProviderMetadata};
use openidconnect::{
    AuthorizationCode, ClientId, ClientSecret, CsrfToken, IssuerUrl, Nonce, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, Scope,
};
use serde::{Deserialize, Serialize};
use std::time::Duration;

mod pages;

use pages::{error_page, page, provider_error_page, result_page};

/// The demo client registered in config/dev.toml.
const CLIENT_ID: &str = "demo";
/// DEVELOPMENT MATERIAL: the demo client's secret (its hash is in config/dev.toml).
const CLIENT_SECRET: &str = "demo-relying-party-secret-for-development-only";
/// Store kind of the parked login attempt.
const KIND: RecordKind = RecordKind::Other("demo-rp");
/// How long a login attempt may take.
const TTL: Duration = Duration::from_secs(600);
/// Scopes the demo asks for.
const SCOPES: [&str; 4] = ["profile", "address", "birth", "nationality"];

/// Routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/demo", get(demo_show))
        .route("/demo/login", post(demo_login))
        .route("/demo/callback", get(demo_callback))
}

/// What the demo remembers between redirect and callback.
#[derive(Serialize, Deserialize)]
struct Attempt {
    pkce_verifier: String,
    nonce: String,
    level: TrustLevel,
    lang: String,
}

/// Why the demo login failed (shown on the page; this is a development tool).
#[derive(Debug, thiserror::Error)]
enum DemoError {
    #[error("the demo client \"demo\" is not registered in the configuration")]
    NotConfigured,
    #[error("unknown or expired login attempt (state)")]
    UnknownState,
    #[error("the authorization response lacks the correct iss parameter (RFC 9207)")]
    Issuer,
    #[error("the authorization response has no code")]
    NoCode,
    #[error("provider discovery failed: {0}")]
    Discovery(String),
    #[error("token request failed: {0}")]
    Token(String),
    #[error("ID token rejected: {0}")]
    IdToken(String),
    #[error("trust level too low: asked for {asked}, got {got}")]
    Level { asked: String, got: String },
    #[error("userinfo request failed: {0}")]
    UserInfo(String),
    #[error("session store: {0}")]
    Store(#[from] crate::session::StoreError),
    #[error("{0}")]
    Other(String),
}

fn lang_of(l: Option<&str>) -> &'static str {
    if l == Some("en") {
        "en"
    } else {
        "de"
    }
}

#[derive(Deserialize)]
struct LangQuery {
    lang: Option<String>,
}

/// `GET /demo`: the start page.
async fn demo_show(State(state): State<AppState>, Query(q): Query<LangQuery>) -> Html<String> {
    let lang = lang_of(q.lang.as_deref());
    let (title, intro, sub, high, switch) = if lang == "en" {
        (
            "Demo service",
            "This service logs you in through {name}. Choose the trust level it should demand.",
            "Log in with trust level substantial",
            "Log in with trust level high",
            "<a href=\"/demo?lang=de\" lang=\"de\" hreflang=\"de\">Deutsch</a>",
        )
    } else {
        (
            "Demo-Fachverfahren",
            "Dieses Verfahren meldet Sie über {name} an. Wählen Sie, welches Vertrauensniveau es verlangen soll.",
            "Anmelden mit Vertrauensniveau substanziell",
            "Anmelden mit Vertrauensniveau hoch",
            "<a href=\"/demo?lang=en\" lang=\"en\" hreflang=\"en\">English</a>",
        )
    };
    // The broker as the operator named it.
    let intro = crate::web::escape(&crate::web::i18n::fill(intro, &state.site().name));
    let body = format!(
        "<p>{intro}</p><form method=\"post\" action=\"/demo/login\"><input type=\"hidden\" name=\"lang\" value=\"{lang}\">\
<ul class=\"methods\"><li><button type=\"submit\" name=\"level\" value=\"substantial\">{sub}</button></li>\
<li><button type=\"submit\" name=\"level\" value=\"high\">{high}</button></li></ul></form><p>{switch}</p>"
    );
    page(lang, title, &body)
}

/// The relying party's HTTP client: rustls on aws-lc-rs with the web PKI roots (`crate::tls`).
fn http_client() -> Result<reqwest::Client, DemoError> {
    crate::tls::http_client_builder()
        .map_err(|e| DemoError::Other(e.to_string()))?
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(10))
        .build()
        .map_err(|e| DemoError::Other(e.to_string()))
}

/// Discover the broker and build the client, as any relying party would.
async fn discover(
    state: &AppState,
    http: &reqwest::Client,
) -> Result<
    CoreClient<
        openidconnect::EndpointSet,
        openidconnect::EndpointNotSet,
        openidconnect::EndpointNotSet,
        openidconnect::EndpointNotSet,
        openidconnect::EndpointMaybeSet,
        openidconnect::EndpointMaybeSet,
    >,
    DemoError,
> {
    if !state.config().clients.iter().any(|c| c.id == CLIENT_ID) {
        return Err(DemoError::NotConfigured);
    }
    let server = &state.config().server;
    let issuer = IssuerUrl::new(server.url("")).map_err(|e| DemoError::Discovery(e.to_string()))?;
    let meta = CoreProviderMetadata::discover_async(issuer, http)
        .await
        .map_err(|e| DemoError::Discovery(e.to_string()))?;
    let redirect = RedirectUrl::new(server.url("/demo/callback")).map_err(|e| DemoError::Other(e.to_string()))?;
    Ok(
        CoreClient::from_provider_metadata(meta, ClientId::new(CLIENT_ID.into()), Some(ClientSecret::new(CLIENT_SECRET.into())))
            .set_redirect_uri(redirect),
    )
}

#[derive(Deserialize)]
struct LoginForm {
    level: String,
    lang: Option<String>,
}

/// `POST /demo/login`: start an authorization request.
async fn demo_login(State(state): State<AppState>, Form(f): Form<LoginForm>) -> Response {
    let lang = lang_of(f.lang.as_deref());
    match start(&state, &f.level, lang).await {
        Ok(url) => Redirect::to(&url).into_response(),
        Err(e) => error_page(lang, &e),
    }
}

async fn start(state: &AppState, level: &str, lang: &str) -> Result<String, DemoError> {
    let level = match level {
        "high" => TrustLevel::High,
        _ => TrustLevel::Substantial,
    };
    let http = http_client()?;
    let client = discover(state, &http).await?;
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let mut req = client
        .authorize_url(CoreAuthenticationFlow::AuthorizationCode, CsrfToken::new_random, Nonce::new_random)
        .set_pkce_challenge(challenge)
        .add_extra_param("acr_values", level.acr())
        .add_extra_param("ui_locales", lang);
    for s in SCOPES {
        req = req.add_scope(Scope::new(s.into()));
    }
    let (url, csrf, nonce) = req.url();
    let attempt = Attempt {
        pkce_verifier: verifier.secret().clone(),
        nonce: nonce.secret().clone(),
        level,
        lang: lang.to_owned(),
    };
    state.records().put(KIND, &hash_key(csrf.secret()), &attempt, TTL).await?;
    Ok(url.to_string())
}

#[derive(Deserialize)]
struct CallbackQuery {
    code: Option<String>,
    state: Option<String>,
    iss: Option<String>,
    error: Option<String>,
    error_description: Option<String>,
}

/// `GET /demo/callback`: finish the login and show what arrived.
async fn demo_callback(State(state): State<AppState>, Query(q): Query<CallbackQuery>) -> Response {
    // The attempt is single use: taken before anything else.
    let attempt = match q.state.as_deref() {
        // Hashed: the attacker-chosen `state` never becomes a raw store key.
        Some(s) => state.records().take::<Attempt>(KIND, &hash_key(s)).await.ok().flatten(),
        None => None,
    };
    let lang = attempt.as_ref().map(|a| a.lang.clone()).unwrap_or_else(|| "de".into());
    if let Some(err) = &q.error {
        return provider_error_page(&lang, err, q.error_description.as_deref());
    }
    let Some(attempt) = attempt else {
        return error_page(&lang, &DemoError::UnknownState);
    };
    match finish(&state, &q, &attempt).await {
        Ok((id_claims, userinfo)) => result_page(&lang, &id_claims, &userinfo),
        Err(e) => error_page(&lang, &e),
    }
}

async fn finish(state: &AppState, q: &CallbackQuery, attempt: &Attempt) -> Result<(serde_json::Value, serde_json::Value), DemoError> {
    let issuer = state.broker().issuer().as_str().to_owned();
    if q.iss.as_deref() != Some(issuer.as_str()) {
        return Err(DemoError::Issuer);
    }
    let code = q.code.clone().ok_or(DemoError::NoCode)?;
    let http = http_client()?;
    let client = discover(state, &http).await?;
    let tokens = client
        .exchange_code(AuthorizationCode::new(code))
        .map_err(|e| DemoError::Token(e.to_string()))?
        .set_pkce_verifier(PkceCodeVerifier::new(attempt.pkce_verifier.clone()))
        .request_async(&http)
        .await
        .map_err(|e| DemoError::Token(token_error_text(&e)))?;
    use openidconnect::{OAuth2TokenResponse, TokenResponse};
    let id_token = tokens
        .id_token()
        .ok_or_else(|| DemoError::IdToken("no id_token in the response".into()))?;
    let verifier = client
        .id_token_verifier()
        .set_allowed_algs(vec![CoreJwsSigningAlgorithm::EcdsaP256Sha256]);
    let claims = id_token
        .claims(&verifier, &Nonce::new(attempt.nonce.clone()))
        .map_err(|e| DemoError::IdToken(e.to_string()))?;
    // The relying party checks the level itself (docs/relying-parties.md): acr_values only asks.
    let got = claims.auth_context_ref().map(|a| a.as_str().to_owned()).unwrap_or_default();
    if TrustLevel::from_acr(&got).is_none_or(|l| l < attempt.level) {
        return Err(DemoError::Level {
            asked: attempt.level.acr().into(),
            got,
        });
    }
    let id_json = serde_json::to_value(claims).map_err(|e| DemoError::Other(e.to_string()))?;
    let info: openidconnect::UserInfoClaims<ExtraClaims, openidconnect::core::CoreGenderClaim> = client
        .user_info(tokens.access_token().clone(), None)
        .map_err(|e| DemoError::UserInfo(e.to_string()))?
        .request_async(&http)
        .await
        .map_err(|e| DemoError::UserInfo(e.to_string()))?;
    let info_json = serde_json::to_value(info).map_err(|e| DemoError::Other(e.to_string()))?;
    Ok((id_json, info_json))
}

/// Claims beyond the OIDC standard set (birth name, place of birth, nationalities, `org` …):
/// the demo shows everything the broker released, not only what the library knows by name.
#[derive(Debug, Clone, serde::Serialize, Deserialize)]
struct ExtraClaims {
    #[serde(flatten)]
    other: std::collections::BTreeMap<String, serde_json::Value>,
}

impl openidconnect::AdditionalClaims for ExtraClaims {}

/// The RFC 6749 §5.2 error of a failed token request, readably.
fn token_error_text<RE: std::error::Error + 'static>(
    e: &openidconnect::RequestTokenError<RE, openidconnect::StandardErrorResponse<openidconnect::core::CoreErrorResponseType>>,
) -> String {
    match e {
        openidconnect::RequestTokenError::ServerResponse(r) => {
            format!(
                "{} {}",
                r.error().as_ref(),
                r.error_description().map(String::as_str).unwrap_or_default()
            )
        }
        other => other.to_string(),
    }
}
