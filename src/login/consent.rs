//! The consent page, `GET`/`POST /consent/{id}`: names the service and lists exactly the data it
//! will receive (issue 5 item 4). Approve → the consent is remembered for this session, client and
//! claim set, and the code is issued; deny → `access_denied` (RFC 6749 §4.1.2.1).
//!
//! Besides the CSRF token, the consent is bound to the browser that logged in: the session cookie
//! must be the session the request was authenticated in.

use super::errors::{codes, error_redirect};
use super::flow::{self, consent_set, issuer, return_to};
use super::params::RawParams;
use super::session::{self, BrokerSession};
use super::{pending, start};
use crate::oidc_provider::claims;
use crate::oidc_provider::records::PendingAuthorization;
use crate::state::AppState;
use crate::web::{i18n, render_page, switch_link, Locale, PageError};
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use http::HeaderMap;
use serde::Serialize;
use serde_json::Value;

#[derive(Serialize)]
struct ClaimView {
    label: &'static str,
    value: String,
}

/// A claim value as a person reads it.
fn display(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Array(a) => a.iter().map(display).collect::<Vec<_>>().join(", "),
        Value::Object(o) => {
            if let Some(Value::String(f)) = o.get("formatted") {
                return f.clone();
            }
            // OIDC Core §5.1.1 address: in the order people write it, not in key order.
            let part = |k: &str| o.get(k).map(display).filter(|s| !s.is_empty());
            if o.contains_key("street_address") || o.contains_key("locality") {
                let town = [part("postal_code"), part("locality")]
                    .into_iter()
                    .flatten()
                    .collect::<Vec<_>>()
                    .join(" ");
                return [part("street_address"), Some(town).filter(|t| !t.is_empty()), part("country")]
                    .into_iter()
                    .flatten()
                    .collect::<Vec<_>>()
                    .join(", ");
            }
            o.iter()
                .filter(|(k, _)| *k != "id")
                .map(|(_, v)| display(v))
                .filter(|s| !s.is_empty())
                .collect::<Vec<_>>()
                .join("\n")
        }
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// The authenticated request and its session, bound to this browser.
async fn bound(state: &AppState, p: &PendingAuthorization, headers: &HeaderMap) -> Result<BrokerSession, PageError> {
    let secure = crate::http::cookies::secure_for(&state.config().server.issuer);
    let cookie = crate::http::cookies::read(headers, crate::http::cookies::SESSION_COOKIE, secure);
    let (Some(sid), true) = (&p.session_id, p.authenticated) else {
        return Err(PageError::Expired);
    };
    if cookie.as_deref() != Some(sid.as_str()) {
        return Err(PageError::Forbidden);
    }
    session::load(state.records(), sid).await?.ok_or(PageError::Expired)
}

/// `GET /consent/{id}`.
pub async fn consent_get(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(q): Query<super::choice::LangQuery>,
    headers: HeaderMap,
) -> Response {
    let now = state.clock().unix();
    let p = match pending::load(&state, &id, now).await {
        Ok(Some(p)) => p,
        Ok(None) => return PageError::Expired.render(q.lang().unwrap_or_default()),
        Err(e) => return PageError::from(e).render(q.lang().unwrap_or_default()),
    };
    let locale = q.lang().unwrap_or(Locale::parse_or_default(&p.locale));
    let s = match bound(&state, &p, &headers).await {
        Ok(s) => s,
        Err(e) => return e.render(locale),
    };
    let Some(client) = state.config().clients.iter().find(|c| c.id == p.client_id) else {
        return PageError::Expired.render(locale);
    };
    let released = claims::release(&p.scopes, client.claims.as_deref(), &s.attributes, s.organisation.as_ref());
    let en = locale == Locale::En;
    let mut views = vec![ClaimView {
        label: if en {
            "A pseudonymous identifier for this service"
        } else {
            "Eine pseudonyme Kennung für diesen Dienst"
        },
        value: if en {
            "Lets the service recognise you when you log in again. Other services receive a different one."
        } else {
            "Damit erkennt der Dienst Sie bei der nächsten Anmeldung wieder. Andere Dienste erhalten eine andere."
        }
        .to_owned(),
    }];
    // In the order of the scope table (name, birth, address …), not alphabetically.
    let order = claims::permitted_claims(&p.scopes, client.claims.as_deref());
    views.extend(order.iter().filter_map(|name| {
        let v = released.get(*name)?;
        let (de, en_label) = claims::claim_label(name);
        Some(ClaimView {
            label: if en { en_label } else { de },
            value: display(v),
        })
    }));
    if p.scopes.iter().any(|s| s == "offline_access") {
        // OIDC Core §11: offline access needs the person's consent, so it is named.
        views.push(ClaimView {
            label: if en { "Continued access" } else { "Dauerhafter Zugriff" },
            value: if en {
                "The service may fetch this data again later without asking you to log in."
            } else {
                "Der Dienst darf diese Angaben später erneut abrufen, ohne dass Sie sich wieder anmelden."
            }
            .to_owned(),
        });
    }
    let level = s.effective_level(now, |l| state.config().store.limits_for(l)).unwrap_or(s.level);
    let path = format!("/consent/{}", p.id);
    render_page(
        "consent.html",
        locale,
        i18n::table(locale)["consent_title"],
        Some(switch_link(&path, locale)),
        minijinja::context! {
            client_name => client.name,
            claims => views,
            level_name => i18n::level_name(locale, level),
            csrf => p.csrf,
            action => path,
        },
    )
    .into_response()
}

/// `POST /consent/{id}`.
pub async fn consent_post(State(state): State<AppState>, Path(id): Path<String>, headers: HeaderMap, body: String) -> Response {
    let now = state.clock().unix();
    let form = RawParams::parse(&body);
    let p = match start::verified_form(&state, &id, &headers, &form, now).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    let locale = Locale::parse_or_default(&p.locale);
    let mut s = match bound(&state, &p, &headers).await {
        Ok(s) => s,
        Err(e) => return e.render(locale),
    };
    match form.get("decision") {
        Some("approve") => {
            let Some(client) = state.config().clients.iter().find(|c| c.id == p.client_id) else {
                return PageError::Expired.render(locale);
            };
            let released = claims::release(&p.scopes, client.claims.as_deref(), &s.attributes, s.organisation.as_ref());
            s.remember_consent(client.id.as_str(), consent_set(&p.scopes, &released));
            s.touch(now, |l| state.config().store.limits_for(l));
            if let Err(e) = session::save(state.records(), &state.config().store, &s, now).await {
                return PageError::from(e).render(locale);
            }
            flow::issue(&state, &p, &s, now, true).await
        }
        Some("deny") => {
            let _ = pending::take(&state, &p.id, now).await;
            error_redirect(&return_to(&p), codes::ACCESS_DENIED, &issuer(&state))
        }
        _ => PageError::BadRequest.render(locale),
    }
}
