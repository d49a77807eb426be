//! The login choice page, `GET /login/{id}`: only methods that reach the required level and that
//! the client allows, with the levels explained in plain words (issue 5 item 4).

use super::{methods, pending};
use crate::state::AppState;
use crate::trust::TrustLevel;
use crate::web::{i18n, render_page, switch_link, Locale, PageError};
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

/// `?lang=` switch.
#[derive(Debug, Deserialize)]
pub struct LangQuery {
    lang: Option<String>,
}

impl LangQuery {
    /// The requested language, if a supported one.
    pub fn lang(&self) -> Option<Locale> {
        self.lang.as_deref().and_then(Locale::from_tag)
    }
}

#[derive(Serialize)]
struct MethodView {
    id: String,
    label: String,
    level_name: &'static str,
}

#[derive(Serialize)]
struct LevelView {
    name: &'static str,
    explain: &'static str,
}

/// `GET /login/{id}`.
pub async fn choice_get(State(state): State<AppState>, Path(id): Path<String>, Query(q): Query<LangQuery>) -> Response {
    let now = state.clock().unix();
    let mut p = match pending::load(&state, &id, now).await {
        Ok(Some(p)) => p,
        Ok(None) => return PageError::Expired.render(q.lang.as_deref().map(Locale::parse_or_default).unwrap_or_default()),
        Err(e) => return PageError::from(e).into_response(),
    };
    let locale = q.lang().unwrap_or(Locale::parse_or_default(&p.locale));
    if locale.as_str() != p.locale {
        // The switch sticks for the rest of this login (upstream page, consent, errors).
        p.locale = locale.as_str().to_owned();
        if let Err(e) = pending::save(&state, &p, now).await {
            return PageError::from(e).render(locale);
        }
    }
    let Some(client) = state.config().clients.iter().find(|c| c.id == p.client_id) else {
        return PageError::Expired.render(locale);
    };
    let methods: Vec<MethodView> = methods::eligible(state.methods(), client, p.required_level)
        .into_iter()
        .map(|m| MethodView {
            id: m.id().as_str().to_owned(),
            label: m.label(locale.as_str()),
            level_name: i18n::level_name(locale, m.max_level()),
        })
        .collect();
    let levels: Vec<LevelView> = TrustLevel::ALL
        .into_iter()
        .rev()
        .filter(|l| *l >= TrustLevel::Low || p.required_level == TrustLevel::Basic)
        .map(|l| LevelView {
            name: i18n::level_name(locale, l),
            explain: i18n::level_explain(locale, l),
        })
        .collect();
    let path = format!("/login/{}", p.id);
    let title = i18n::table(locale)["choice_title"];
    render_page(
        "choice.html",
        locale,
        title,
        Some(switch_link(&path, locale)),
        minijinja::context! {
            client_name => client.name,
            level_name => i18n::level_name(locale, p.required_level),
            level_explain => i18n::level_explain(locale, p.required_level),
            methods => methods,
            levels => levels,
            csrf => p.csrf,
            start_action => format!("{path}/start"),
            cancel_action => format!("{path}/cancel"),
        },
    )
    .into_response()
}
