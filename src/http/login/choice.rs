//! (HTTP edge) The login choice page, `GET /login/{id}` (`login/choice.rs` decides what it
//! offers): the methods with the level each reaches, and the levels explained in plain words
//! (issue 5 item 4). `?lang=` switches the language for the rest of the login.

use super::respond;
use crate::config::Site;
use crate::ids::PendingId;
use crate::login::next::ChoiceView;
use crate::state::AppState;
use crate::trust::TrustLevel;
use crate::web::{i18n, render_page, switch_link, Locale};
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
    let lang = q.lang().map(Locale::as_str);
    respond(
        &state,
        crate::login::choice::choice(state.broker(), &PendingId::new(id), lang).await.into(),
    )
}

/// The page.
pub fn page(site: &Site, v: ChoiceView) -> Response {
    let locale = Locale::parse_or_default(&v.locale);
    let methods: Vec<MethodView> = v
        .methods
        .into_iter()
        .map(|m| MethodView {
            id: m.id,
            label: m.label,
            level_name: i18n::level_name(locale, m.max_level),
        })
        .collect();
    let levels: Vec<LevelView> = TrustLevel::ALL
        .into_iter()
        .rev()
        .filter(|l| *l >= TrustLevel::Low || v.required == TrustLevel::Basic)
        .map(|l| LevelView {
            name: i18n::level_name(locale, l),
            explain: i18n::level_explain(locale, l),
        })
        .collect();
    let path = format!("/login/{}", v.pending_id);
    let title = i18n::table(locale)["choice_title"];
    render_page(
        site,
        "choice.html",
        locale,
        title,
        Some(switch_link(&path, locale)),
        minijinja::context! {
            client_name => v.client_name,
            level_name => i18n::level_name(locale, v.required),
            level_explain => i18n::level_explain(locale, v.required),
            methods => methods,
            levels => levels,
            csrf => v.csrf,
            start_action => format!("{path}/start"),
            cancel_action => format!("{path}/cancel"),
        },
    )
    .into_response()
}
