//! The demo relying party's pages: the frame, the result (released claims as a person reads them,
//! and the verified JSON), and the error pages — the provider's error response explained by its
//! stable reason (docs/relying-parties.md, "Why a login failed"), or the demo's own failure.

use super::DemoError;
use crate::web::escape;
use axum::response::{Html, IntoResponse, Response};

/// The demo's page frame (its own header: it is a relying party, not the broker).
pub(super) fn page(lang: &str, title: &str, body: &str) -> Html<String> {
    Html(format!(
        "<!doctype html><html lang=\"{lang}\"><head><meta charset=\"utf-8\">\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{t} – Demo</title>\
<link rel=\"stylesheet\" href=\"/static/style.css\"></head><body><header><p class=\"muted\">{note}</p></header>\
<main><h1>{t}</h1>{body}</main></body></html>",
        t = escape(title),
        note = if lang == "en" {
            "Demo relying party (development only)"
        } else {
            "Demo-Fachverfahren (nur Entwicklung)"
        },
    ))
}

/// The released claims as a person reads them (`web::format`, the same as the consent page).
fn readable(lang: &str, userinfo: &serde_json::Value) -> String {
    let locale = crate::web::Locale::parse_or_default(lang);
    let Some(claims) = userinfo.as_object() else {
        return String::new();
    };
    let rows: String = claims
        .iter()
        .filter(|(name, _)| !matches!(name.as_str(), "sub" | "iss" | "aud" | "acr" | "amr" | "auth_time" | "sid"))
        .map(|(name, v)| {
            let (de, en) = crate::oidc_provider::claims::claim_label(name);
            let lines: Vec<String> = crate::web::format::claim(locale, name, v).iter().map(|l| escape(l)).collect();
            format!(
                "<dt>{}</dt><dd>{}</dd>",
                escape(if lang == "en" { en } else { de }),
                lines.join("<br>")
            )
        })
        .collect();
    let h = if lang == "en" { "Your data" } else { "Ihre Angaben" };
    format!("<h2>{h}</h2><dl class=\"claims\">{rows}</dl>")
}

pub(super) fn result_page(lang: &str, id_claims: &serde_json::Value, userinfo: &serde_json::Value) -> Response {
    let pretty = |v: &serde_json::Value| escape(&serde_json::to_string_pretty(v).unwrap_or_default());
    let (title, id_h, ui_h, again) = if lang == "en" {
        ("Logged in", "ID token (verified claims)", "Userinfo", "Back to the start")
    } else {
        ("Angemeldet", "ID-Token (geprüfte Claims)", "Userinfo", "Zurück zum Anfang")
    };
    let body = format!(
        "{}<h2>{id_h}</h2><pre>{}</pre><h2>{ui_h}</h2><pre>{}</pre><p><a href=\"/demo?lang={lang}\">{again}</a></p>",
        readable(lang, userinfo),
        pretty(id_claims),
        pretty(userinfo),
    );
    page(lang, title, &body).into_response()
}

/// What the demo tells the person about an error response: the stable reason at the start of
/// `error_description` (docs/relying-parties.md, "Why a login failed") when there is one, else the
/// OIDC error code. A wrong PIN is not "you declined".
fn explain(error: &str, description: Option<&str>, lang: &str) -> &'static str {
    let en = lang == "en";
    let reason = description.and_then(|d| d.split_once(": ")).map(|(r, _)| r);
    match (reason, error) {
        (Some("cancelled"), _) if en => "You cancelled the login.",
        (Some("cancelled"), _) => "Sie haben die Anmeldung abgebrochen.",
        // The sentence tests/browser/login.mjs reads after a denied consent.
        (Some("consent_denied"), _) if en => "You declined the login or the release of your data.",
        (Some("consent_denied"), _) => "Sie haben die Anmeldung oder die Weitergabe Ihrer Daten abgelehnt.",
        (Some("wrong_pin"), _) if en => "The PIN of your ID card was wrong. Please try again.",
        (Some("wrong_pin"), _) => "Die PIN Ihres Ausweises war falsch. Bitte versuchen Sie es erneut.",
        (Some("card_expired"), _) if en => "Your ID card has expired.",
        (Some("card_expired"), _) => "Ihr Ausweis ist abgelaufen.",
        (Some("card_blocked"), _) if en => "Your ID card or its online function is blocked.",
        (Some("card_blocked"), _) => "Ihr Ausweis oder seine Online-Ausweisfunktion ist gesperrt.",
        (Some(r), _) if r.starts_with("certificate_") && en => "Your certificate was not accepted.",
        (Some(r), _) if r.starts_with("certificate_") => "Ihr Zertifikat wurde nicht angenommen.",
        (Some("method_unavailable"), _) if en => "The login method is not available at the moment.",
        (Some("method_unavailable"), _) => "Das Anmeldeverfahren ist im Moment nicht erreichbar.",
        (_, "access_denied") if en => "The login was refused.",
        (_, "access_denied") => "Die Anmeldung wurde abgelehnt.",
        (_, "unmet_authentication_requirements") if en => "The required trust level could not be reached.",
        (_, "unmet_authentication_requirements") => "Das verlangte Vertrauensniveau wurde nicht erreicht.",
        (_, "login_required" | "interaction_required" | "consent_required") if en => "A login is required.",
        (_, "login_required" | "interaction_required" | "consent_required") => "Eine Anmeldung ist erforderlich.",
        _ if en => "The login was not completed.",
        _ => "Die Anmeldung wurde nicht abgeschlossen.",
    }
}

pub(super) fn provider_error_page(lang: &str, error: &str, description: Option<&str>) -> Response {
    let explained = explain(error, description, lang);
    let (title, again) = if lang == "en" {
        ("Login not completed", "Try again")
    } else {
        ("Anmeldung nicht abgeschlossen", "Erneut versuchen")
    };
    let body = format!(
        "<p>{}</p><p class=\"muted\"><code>{}</code> {}</p><p><a href=\"/demo?lang={lang}\">{again}</a></p>",
        escape(explained),
        escape(error),
        escape(description.unwrap_or_default()),
    );
    let mut res = page(lang, title, &body).into_response();
    *res.status_mut() = http::StatusCode::BAD_REQUEST;
    res
}

pub(super) fn error_page(lang: &str, e: &DemoError) -> Response {
    tracing::warn!(error = %e, "demo relying party: login failed");
    let (title, lead, again) = if lang == "en" {
        (
            "Demo login failed",
            "The demo service could not complete the login:",
            "Back to the start",
        )
    } else {
        (
            "Demo-Anmeldung fehlgeschlagen",
            "Das Demo-Verfahren konnte die Anmeldung nicht abschließen:",
            "Zurück zum Anfang",
        )
    };
    let body = format!(
        "<p>{lead}</p><p class=\"error\">{}</p><p><a href=\"/demo?lang={lang}\">{again}</a></p>",
        escape(&e.to_string())
    );
    let mut res = page(lang, title, &body).into_response();
    *res.status_mut() = http::StatusCode::BAD_GATEWAY;
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_tells_a_wrong_pin_from_a_refusal() {
        let pin = explain("access_denied", Some("wrong_pin: Die PIN des Ausweises war falsch."), "de");
        assert!(pin.contains("PIN") && !pin.contains("abgelehnt"), "{pin}");
        assert!(explain("access_denied", Some("wrong_pin: The PIN of the ID card was wrong."), "en").contains("PIN"));
        assert!(explain("access_denied", Some("consent_denied: x"), "de").contains("Weitergabe"));
        assert!(explain("access_denied", Some("certificate_revoked: x"), "en").contains("certificate"));
        // A provider without reasons: the code alone, and no claim that the person declined.
        assert_eq!(explain("access_denied", None, "de"), "Die Anmeldung wurde abgelehnt.");
        assert_eq!(explain("unknown", Some("no reason here"), "en"), "The login was not completed.");
    }

    #[test]
    fn claims_shown_as_people_read_them() {
        let info = serde_json::json!({"sub": "x", "birthdate": "1964-08-12", "nationalities": ["D"],
            "address": {"street_address": "Heidestraße 17", "postal_code": "51147", "locality": "Köln", "country": "D"}});
        let html = readable("de", &info);
        assert!(
            html.contains("<dd>12. August 1964</dd>") && html.contains("<dd>deutsch</dd>"),
            "{html}"
        );
        assert!(
            html.contains("Heidestraße 17<br>51147 Köln</dd>") && !html.contains(">x<"),
            "{html}"
        );
    }
}
