//! Pages for people: language (de default, en via ui_locales / Accept-Language / switch), no inline
//! script or style, labels, the consent page naming the service and listing exactly its data.

use crate::support::{http_client, TestBroker};
use crate::support_login::*;
use buergerkonto::clock::SystemClock;
use std::sync::Arc;

async fn broker() -> TestBroker {
    broker_with_extra(Arc::new(SystemClock)).await
}

/// Basic accessibility and CSP hygiene every page must show.
fn assert_hygiene(html: &str, lang: &str) {
    assert!(html.starts_with("<!doctype html>"), "{html}");
    assert!(html.contains(&format!("<html lang=\"{lang}\">")), "{html}");
    assert!(!html.contains("<script"), "no script");
    assert!(!html.contains("style=") && !html.contains("<style"), "no inline style");
    assert!(html.contains("<main id=\"main\">") && html.contains("<title>"));
    // every form control that is not hidden or a button has a label
    for (i, _) in html.match_indices("<input ") {
        let tag = &html[i..i + html[i..].find('>').unwrap()];
        if tag.contains("type=\"hidden\"") {
            continue;
        }
        let id = tag
            .split("id=\"")
            .nth(1)
            .and_then(|s| s.split('"').next())
            .expect("control has an id");
        assert!(html.contains(&format!("<label for=\"{id}\">")), "label for {id}");
    }
}

async fn choice_html(b: &TestBroker, extra: &[(&str, &str)], accept_language: Option<&str>) -> (String, String) {
    let c = http_client();
    let mut req = c.get(authorize_url(b, extra));
    if let Some(al) = accept_language {
        req = req.header("accept-language", al);
    }
    let res = req.send().await.unwrap();
    let loc = location(b, &res);
    (c.get(loc.as_str()).send().await.unwrap().text().await.unwrap(), loc.to_string())
}

#[tokio::test]
async fn choice_page_german_by_default_and_explains_levels() {
    let b = broker().await;
    let (html, _) = choice_html(&b, &[], None).await;
    assert_hygiene(&html, "de");
    assert!(html.contains("Wie möchten Sie sich anmelden?"));
    assert!(html.contains("Demo-Fachverfahren"), "names the service");
    assert!(html.contains("mindestens das Vertrauensniveau") && html.contains("substanziell"));
    assert!(html.contains("Online-Ausweisfunktion"), "levels explained in plain words");
    assert!(html.contains("?lang=en"), "language switch");
}

#[tokio::test]
async fn english_via_ui_locales_accept_language_or_switch() {
    let b = broker().await;
    let (html, _) = choice_html(&b, &[("ui_locales", "fr en")], None).await;
    assert_hygiene(&html, "en");
    assert!(html.contains("How would you like to log in?"));
    let (html, url) = choice_html(&b, &[], Some("en-US,en;q=0.9")).await;
    assert_hygiene(&html, "en");
    // the switch back to German
    let de = http_client()
        .get(format!("{url}?lang=de"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_hygiene(&de, "de");
    // ui_locales wins over Accept-Language
    let (html, _) = choice_html(&b, &[("ui_locales", "de")], Some("en")).await;
    assert_hygiene(&html, "de");
}

#[tokio::test]
async fn dev_login_page_is_labelled() {
    let b = broker().await;
    let c = http_client();
    let res = c.get(authorize_url(&b, &[("idp_hint", "dev")])).send().await.unwrap();
    let html = c.get(location(&b, &res).as_str()).send().await.unwrap().text().await.unwrap();
    assert_hygiene(&html, "de");
    assert!(html.contains("Erika Mustermann") && html.contains("Ludwig Beispiel"));
    assert!(html.contains("<label for=\"level\">"));
}

#[tokio::test]
async fn consent_page_names_service_and_lists_exactly_its_data() {
    let b = broker().await;
    let c = http_client();
    let mut jar = Jar::default();
    let res = get(
        &c,
        &mut jar,
        &authorize_url(&b, &[("idp_hint", "dev"), ("scope", "openid profile birth")]),
    )
    .await;
    let dev = location(&b, &res);
    let res = post(
        &c,
        &mut jar,
        &b.url(dev.path()),
        &[("person", "erika"), ("level", "high"), ("outcome", "success")],
    )
    .await;
    let consent = location(&b, &res);
    let html = get(&c, &mut jar, consent.as_str()).await.text().await.unwrap();
    assert_hygiene(&html, "de");
    assert!(html.contains("Demo-Fachverfahren"));
    for label in [
        "Vorname",
        "Familienname",
        "Geburtsdatum",
        "Geburtsname",
        "Geburtsort",
        "pseudonyme Kennung",
    ] {
        assert!(html.contains(label), "{label}");
    }
    assert!(html.contains("Erika") && html.contains("Gabler") && html.contains("12. August 1964"));
    // not requested: address, nationality
    assert!(!html.contains("Anschrift") && !html.contains("Heidestraße") && !html.contains("Staatsangehörigkeit"));
    assert!(html.contains("value=\"approve\"") && html.contains("value=\"deny\""));
    assert!(!html.contains("Dauerhafter Zugriff"), "no offline_access requested");
    let en = get(&c, &mut jar, &format!("{consent}?lang=en")).await.text().await.unwrap();
    assert_hygiene(&en, "en");
    assert!(en.contains("Birth name") && en.contains("Decline") && en.contains("12 August 1964"));
}

/// Issue 15 item 4: the consent page shows Erika's data as people write it — the date in words,
/// the nationality and a foreign country by name, the address in German postal order without
/// "Deutschland" — in both languages.
#[tokio::test]
async fn consent_page_shows_german_formats() {
    let b = broker().await;
    let c = http_client();
    let mut jar = Jar::default();
    let url = authorize_url(&b, &[("idp_hint", "dev"), ("scope", "openid profile address birth nationality")]);
    let res = get(&c, &mut jar, &url).await;
    let dev = location(&b, &res);
    let res = post(
        &c,
        &mut jar,
        &b.url(dev.path()),
        &[("person", "erika"), ("level", "high"), ("outcome", "success")],
    )
    .await;
    let consent = location(&b, &res);
    let html = get(&c, &mut jar, consent.as_str()).await.text().await.unwrap();
    assert!(html.contains("<dd>12. August 1964</dd>"), "{html}");
    assert!(html.contains("<dd>deutsch</dd>"), "nationality D by name: {html}");
    assert!(
        html.contains("<dd>Heidestraße 17<br>51147 Köln</dd>"),
        "postal order, no country for Germany: {html}"
    );
    assert!(
        !html.contains(">D<") && !html.contains(", D<") && !html.contains("1964-08-12"),
        "{html}"
    );
    let en = get(&c, &mut jar, &format!("{consent}?lang=en")).await.text().await.unwrap();
    assert!(en.contains("<dd>12 August 1964</dd>") && en.contains("<dd>German</dd>"), "{en}");
}

#[tokio::test]
async fn error_pages_say_what_to_do_without_detail() {
    let b = broker().await;
    let res = http_client()
        .get(b.url("/login/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    let html = res.text().await.unwrap();
    assert_hygiene(&html, "de");
    assert!(html.contains("Anmeldung abgelaufen") && html.contains("starten Sie die Anmeldung"));
    let res = http_client().get(b.url("/consent/not-an-id?lang=en")).send().await.unwrap();
    assert_eq!(res.status(), 400);
    let html = res.text().await.unwrap();
    assert!(html.contains("Login expired") && !html.contains("Store") && !html.contains("panicked"));
}
