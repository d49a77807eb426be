//! The development login method (`kind = "dev"`): a page listing test persons and a chosen outcome
//! (success at a chosen level up to the method's ceiling, cancelled, failure). It goes through the
//! real [`Authenticator`] trait and [`crate::login::continue_after_upstream`], so everything after
//! the upstream is exercised exactly as with eID or ELSTER. Refused outside development
//! configuration (config validation) and routed only there.

use crate::authenticators::MethodConfig;
use crate::authenticators::{Authenticator, AuthnError, LoginContext, StartAction, UpstreamReturn};
use crate::http::login::respond;
use crate::identity::{Attributes, MethodId, UpstreamSubject, VerifiedIdentity};
use crate::ids::PendingId;
use crate::login::params::RawParams;
use crate::login::pending;
use crate::state::AppState;
use crate::trust::TrustLevel;
use crate::web::{i18n, render_page, switch_link, Locale, PageError};
use async_trait::async_trait;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde::Serialize;
use serde_json::json;
use std::time::SystemTime;
use url::Url;

/// A test person.
struct Person {
    id: &'static str,
    label: &'static str,
    attributes: fn() -> Attributes,
}

fn erika() -> Attributes {
    let mut a = Attributes::new();
    a.insert("given_name".into(), json!("Erika"));
    a.insert("family_name".into(), json!("Mustermann"));
    a.insert("birth_family_name".into(), json!("Gabler"));
    a.insert("birthdate".into(), json!("1964-08-12"));
    a.insert("place_of_birth".into(), json!("Berlin"));
    a.insert(
        "address".into(),
        json!({
            "formatted": "Heidestraße 17\n51147 Köln",
            "street_address": "Heidestraße 17",
            "postal_code": "51147",
            "locality": "Köln",
            "country": "DE"
        }),
    );
    // As the eID delivers it (ICAO code of Germany).
    a.insert("nationalities".into(), json!(["D"]));
    a
}

fn ludwig() -> Attributes {
    // No birth name: tests that absent attributes are never invented.
    let mut a = Attributes::new();
    a.insert("given_name".into(), json!("Ludwig"));
    a.insert("family_name".into(), json!("Beispiel"));
    a.insert("birthdate".into(), json!("1980-01-31"));
    a.insert("place_of_birth".into(), json!("München"));
    a.insert(
        "address".into(),
        json!({
            "formatted": "Musterweg 5\n10117 Berlin",
            "street_address": "Musterweg 5",
            "postal_code": "10117",
            "locality": "Berlin",
            "country": "DE"
        }),
    );
    a.insert("nationalities".into(), json!(["D"]));
    a
}

const PERSONS: &[Person] = &[
    Person {
        id: "erika",
        label: "Erika Mustermann (geb. Gabler), *12.08.1964 in Berlin",
        attributes: erika,
    },
    Person {
        id: "ludwig",
        label: "Ludwig Beispiel, *31.01.1980 in München",
        attributes: ludwig,
    },
];

/// The development authenticator.
pub struct DevLogin {
    id: MethodId,
    ceiling: TrustLevel,
    label_de: String,
    label_en: String,
    issuer: Url,
}

impl DevLogin {
    /// Build from its `[[methods]]` entry.
    pub fn new(m: &MethodConfig, issuer: &Url) -> Self {
        Self {
            id: m.id.clone(),
            ceiling: m.level,
            label_de: m.label_de.clone(),
            label_en: m.label_en.clone(),
            issuer: issuer.clone(),
        }
    }
}

#[async_trait]
impl Authenticator for DevLogin {
    fn id(&self) -> &MethodId {
        &self.id
    }

    fn max_level(&self) -> TrustLevel {
        self.ceiling
    }

    fn label(&self, locale: &str) -> String {
        crate::authenticators::localized_label(locale, &self.label_de, &self.label_en)
    }

    async fn start(&self, ctx: &LoginContext) -> Result<StartAction, AuthnError> {
        let mut url = self
            .issuer
            .join(&format!("/dev/login/{}", ctx.transaction_id))
            .map_err(|e| AuthnError::Unavailable(e.to_string()))?;
        url.query_pairs_mut().append_pair("lang", &ctx.locale);
        Ok(StartAction::Redirect(url))
    }

    async fn finish(
        &self,
        _transaction_id: &crate::ids::PendingId,
        input: UpstreamReturn,
        now: SystemTime,
    ) -> Result<VerifiedIdentity, AuthnError> {
        let UpstreamReturn::DevForm { fields } = input else {
            return Err(AuthnError::Rejected("not a development form".into()));
        };
        let field = |name: &str| fields.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str());
        match field("outcome") {
            Some("success") => {}
            Some("cancelled") => return Err(AuthnError::Cancelled),
            _ => {
                return Err(AuthnError::UpstreamFailure {
                    code: "dev_failure".into(),
                })
            }
        }
        let person = field("person")
            .and_then(|p| PERSONS.iter().find(|x| x.id == p))
            .ok_or_else(|| AuthnError::Rejected("unknown test person".into()))?;
        let asserted = field("level")
            .and_then(|l| l.parse::<TrustLevel>().ok())
            .ok_or_else(|| AuthnError::Rejected("unknown level".into()))?;
        Ok(VerifiedIdentity {
            method: self.id.clone(),
            // The ceiling rule: the upstream may only lower the configured level.
            level: TrustLevel::reached(self.ceiling, asserted),
            subject: UpstreamSubject(format!("dev:{}", person.id)),
            attributes: (person.attributes)(),
            organisation: None,
            amr: vec!["dev".into()],
            auth_time: crate::clock::unix_seconds(now),
            upstream_session: None,
        })
    }
}

/// Routes.
pub fn routes() -> Router<AppState> {
    Router::new().route("/dev/login/{tx}", get(page).post(submit))
}

#[derive(Serialize)]
struct PersonView {
    id: &'static str,
    label: &'static str,
}

#[derive(Serialize)]
struct LevelView {
    value: String,
    name: &'static str,
    selected: bool,
}

async fn page(
    State(state): State<AppState>,
    Path(tx): Path<PendingId>,
    headers: http::HeaderMap,
    Query(q): Query<crate::http::login::choice::LangQuery>,
) -> Response {
    let now = state.clock().unix();
    // Without the login request: the switch, then the cookie, then Accept-Language.
    let browser = q.lang().unwrap_or_else(|| crate::web::locale::negotiate(None, None, &headers));
    let p = match pending::load(state.broker(), &tx, now).await {
        Ok(Some(p)) => p,
        Ok(None) => return PageError::Expired.render(state.site(), browser),
        Err(e) => return respond::page(state.site(), e.into(), browser),
    };
    let locale = q.lang().unwrap_or(Locale::parse_or_default(&p.locale));
    let Some(method) = p.method.as_deref().and_then(|m| state.methods().get(m)) else {
        return PageError::Expired.render(state.site(), locale);
    };
    let levels: Vec<LevelView> = TrustLevel::ALL
        .into_iter()
        .filter(|l| *l <= method.max_level())
        .rev()
        .map(|l| LevelView {
            value: l.to_string(),
            name: i18n::level_name(locale, l),
            selected: l == p.required_level.min(method.max_level()),
        })
        .collect();
    let persons: Vec<PersonView> = PERSONS.iter().map(|p| PersonView { id: p.id, label: p.label }).collect();
    let path = format!("/dev/login/{tx}");
    render_page(
        state.site(),
        "dev_login.html",
        locale,
        i18n::table(locale)["dev_title"],
        Some(switch_link(&path, locale)),
        minijinja::context! { action => path, persons => persons, levels => levels },
    )
    .into_response()
}

async fn submit(State(state): State<AppState>, Path(tx): Path<PendingId>, headers: http::HeaderMap, body: String) -> Response {
    let now = state.clock().unix();
    let browser = crate::web::locale::negotiate(None, None, &headers);
    let p = match pending::load(state.broker(), &tx, now).await {
        Ok(Some(p)) => p,
        Ok(None) => return PageError::Expired.render(state.site(), browser),
        Err(e) => return respond::page(state.site(), e.into(), browser),
    };
    let Some(method) = p.method.as_deref().and_then(|m| state.methods().get(m)).cloned() else {
        return PageError::Expired.render(state.site(), Locale::parse_or_default(&p.locale));
    };
    let form = RawParams::parse(&body);
    let fields = ["person", "level", "outcome"]
        .iter()
        .filter_map(|k| form.get(k).map(|v| ((*k).to_owned(), v.to_owned())))
        .collect();
    let outcome = method.finish(&tx, UpstreamReturn::DevForm { fields }, state.clock().now()).await;
    // A same-site form post: the binding cookie arrives and is checked like on every return leg.
    let presented = crate::http::login::browser::binding(&state, &headers);
    crate::http::login::continue_for(&state, &headers, &tx, presented.as_ref(), outcome).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dev(ceiling: TrustLevel) -> DevLogin {
        DevLogin {
            id: MethodId("dev".into()),
            ceiling,
            label_de: "Test".into(),
            label_en: "Test".into(),
            issuer: Url::parse("http://127.0.0.1:1").unwrap(),
        }
    }

    fn form(pairs: &[(&str, &str)]) -> UpstreamReturn {
        UpstreamReturn::DevForm {
            fields: pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
        }
    }

    #[tokio::test]
    async fn ceiling_caps_level() {
        let id = dev(TrustLevel::Substantial)
            .finish(
                &"t".into(),
                form(&[("outcome", "success"), ("person", "erika"), ("level", "high")]),
                SystemTime::now(),
            )
            .await
            .unwrap();
        assert_eq!(id.level, TrustLevel::Substantial);
        assert_eq!(id.attributes["birth_family_name"], "Gabler");
    }

    #[tokio::test]
    async fn outcomes() {
        let d = dev(TrustLevel::High);
        assert!(matches!(
            d.finish(&"t".into(), form(&[("outcome", "cancelled")]), SystemTime::now()).await,
            Err(AuthnError::Cancelled)
        ));
        assert!(matches!(
            d.finish(&"t".into(), form(&[("outcome", "failure")]), SystemTime::now()).await,
            Err(AuthnError::UpstreamFailure { .. })
        ));
        assert!(d
            .finish(
                &"t".into(),
                form(&[("outcome", "success"), ("person", "nobody"), ("level", "high")]),
                SystemTime::now()
            )
            .await
            .is_err());
    }
}
