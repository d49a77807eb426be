//! (HTTP edge) The consent page, `GET`/`POST /consent/{id}` (`login/consent.rs` decides): names
//! the service and lists exactly the data it will receive, in the order of the scope table, with
//! the values as a person reads them (issue 5 item 4; dates, countries and addresses in German
//! formats, issue 15 item 4: `web::format`).

use super::{browser, respond};
use crate::config::Site;
use crate::ids::PendingId;
use crate::login::next::ConsentView;
use crate::login::params::RawParams;
use crate::oidc_provider::claims;
use crate::state::AppState;
use crate::web::{format, i18n, render_page, switch_link, Locale};
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use http::HeaderMap;
use serde::Serialize;

#[derive(Serialize)]
struct ClaimView {
    label: &'static str,
    /// The value in lines (an address is several), formatted by `web::format`.
    lines: Vec<String>,
}

/// `GET /consent/{id}`.
pub async fn consent_get(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(q): Query<super::choice::LangQuery>,
    headers: HeaderMap,
) -> Response {
    let lang = q.lang().map(Locale::as_str);
    let next = crate::login::consent::show(state.broker(), &PendingId::new(id), lang, &browser::read(&state, &headers)).await;
    respond(&state, next.into())
}

/// `POST /consent/{id}`.
pub async fn consent_post(State(state): State<AppState>, Path(id): Path<String>, headers: HeaderMap, body: String) -> Response {
    let form = RawParams::parse(&body);
    let next = crate::login::consent::decide(state.broker(), &PendingId::new(id), &browser::read(&state, &headers), &form).await;
    respond(&state, next.into())
}

/// The page.
pub fn page(site: &Site, v: ConsentView) -> Response {
    let locale = Locale::parse_or_default(&v.locale);
    let en = locale == Locale::En;
    let mut views = vec![ClaimView {
        label: if en {
            "A pseudonymous identifier for this service"
        } else {
            "Eine pseudonyme Kennung für diesen Dienst"
        },
        lines: vec![if en {
            "Lets the service recognise you when you log in again. Other services receive a different one."
        } else {
            "Damit erkennt der Dienst Sie bei der nächsten Anmeldung wieder. Andere Dienste erhalten eine andere."
        }
        .to_owned()],
    }];
    views.extend(v.claims.iter().map(|(name, value)| {
        let (de, en_label) = claims::claim_label(name);
        ClaimView {
            label: if en { en_label } else { de },
            lines: format::claim(locale, name, value),
        }
    }));
    if v.offline_access {
        // OIDC Core §11: offline access needs the person's consent, so it is named.
        views.push(ClaimView {
            label: if en { "Continued access" } else { "Dauerhafter Zugriff" },
            lines: vec![if en {
                "The service may fetch this data again later without asking you to log in."
            } else {
                "Der Dienst darf diese Angaben später erneut abrufen, ohne dass Sie sich wieder anmelden."
            }
            .to_owned()],
        });
    }
    let path = format!("/consent/{}", v.pending_id);
    render_page(
        site,
        "consent.html",
        locale,
        i18n::table(locale)["consent_title"],
        Some(switch_link(&path, locale)),
        minijinja::context! {
            client_name => v.client_name,
            claims => views,
            level_name => i18n::level_name(locale, v.level),
            csrf => v.csrf,
            action => path,
        },
    )
    .into_response()
}
