//! Issue 15 items 5 and 6: every refusal a person can act on gets its own page text, in German and
//! English, with the language switch; the relying party gets the OIDC error with a stable reason in
//! `error_description` (docs/relying-parties.md, "Why a login failed"), in the request's language
//! and within the RFC 6749 §4.1.2.1 character set. End to end through the eID simulator: our
//! signed AuthnRequest, the simulator's signed error Response, the ACS, the continue leg.

use crate::support::{http_client, TestBroker};
use crate::support_binding::{acs, field, follow, start, End};
use crate::support_login::*;
use buergerkonto::trust::TrustLevel;

/// A login with the eID simulator answering `outcome`; the upstream-failure page.
async fn eid_failure(b: &TestBroker, ui_locales: &str, outcome: &str) -> String {
    let c = http_client();
    let mut jar = Jar::default();
    let url = authorize_url(b, &[("acr_values", TrustLevel::High.acr()), ("ui_locales", ui_locales)]);
    let res = start(b, &c, &mut jar, &url, "eid").await;
    assert_eq!(res.status(), 303);
    let sso = location(b, &res);
    let page = c.get(sso.as_str()).send().await.unwrap().text().await.unwrap();
    let form = c
        .post(b.url("/dev/eid-simulator/answer"))
        .form(&[("sim", field(&page, "sim").as_str()), ("person", "erika"), ("outcome", outcome)])
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let res = acs(b, &c, &field(&form, "SAMLResponse"), &field(&form, "RelayState")).await;
    match follow(b, &c, &mut jar, res).await.0 {
        End::Page(200, html) => html,
        other => panic!("{outcome}: expected the failure page, got {other:?}"),
    }
}

fn rfc6749_description(d: &str) -> bool {
    d.bytes().all(|b| (0x20..=0x7e).contains(&b) && b != b'"' && b != b'\\')
}

#[tokio::test]
async fn each_eid_refusal_has_its_text_and_reason_in_both_languages() {
    let b = TestBroker::start().await;
    for (outcome, reason, de, en) in [
        (
            "cancel",
            "cancelled",
            "Sie haben die Anmeldung abgebrochen.",
            "You cancelled the login.",
        ),
        (
            "wrong_pin",
            "wrong_pin",
            "Die eingegebene PIN war nicht richtig.",
            "The PIN you entered was not correct.",
        ),
        (
            "card_expired",
            "card_expired",
            "Ihr Ausweis ist abgelaufen",
            "Your ID card has expired",
        ),
        (
            "card_blocked",
            "card_blocked",
            "Online-Ausweisfunktion Ihres Ausweises ist gesperrt",
            "online function of your ID card is blocked",
        ),
    ] {
        for (lang, text) in [("de", de), ("en", en)] {
            let html = eid_failure(&b, lang, outcome).await;
            assert!(html.contains(&format!("<html lang=\"{lang}\">")), "{outcome}/{lang}: {html}");
            assert!(html.contains(text), "{outcome}/{lang}: page text: {html}");
            let back = continue_link(&html).expect("way back to the service");
            assert_eq!(param(&back, "error").as_deref(), Some("access_denied"), "{outcome}");
            let d = param(&back, "error_description").unwrap();
            assert!(d.starts_with(&format!("{reason}: ")), "{outcome}/{lang}: {d}");
            assert!(rfc6749_description(&d), "{d}");
            let want = buergerkonto::login::reason::Reason::from_code(reason).description(lang);
            assert_eq!(d, want, "{outcome}/{lang}: the documented sentence in the request's language");
            assert_eq!(param(&back, "state").as_deref(), Some("st-123"));
        }
    }
}

#[tokio::test]
async fn the_failure_page_switches_language_and_keeps_the_way_back() {
    let b = TestBroker::start().await;
    let html = eid_failure(&b, "de", "wrong_pin").await;
    let back = continue_link(&html).unwrap();
    let start = html.find("href=\"&#x2f;login&#x2f;failed&#x2f;").expect("language switch") + "href=\"".len();
    let href = html[start..start + html[start..].find('"').unwrap()]
        .replace("&#x2f;", "/")
        .replace("&#x3d;", "=");
    assert!(href.ends_with("?lang=en"), "{href}");
    let res = http_client().get(b.url(&href)).send().await.unwrap();
    let cookie = res.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(
        cookie.starts_with("bk_lang=en") && cookie.contains("SameSite=Lax") && cookie.contains("Path=/"),
        "{cookie}"
    );
    let en = res.text().await.unwrap();
    assert!(en.contains("<html lang=\"en\">") && en.contains("Wrong PIN"), "{en}");
    assert_eq!(continue_link(&en).unwrap(), back, "the same way back, in the request's language");
    // The language cookie alone now chooses English (no ?lang=): the order ui_locales, cookie,
    // Accept-Language.
    let id = href.trim_start_matches("/login/failed/").trim_end_matches("?lang=en");
    let en = http_client()
        .get(b.url(&format!("/login/failed/{id}")))
        .header("cookie", "bk_lang=en")
        .header("accept-language", "de")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(en.contains("Wrong PIN"), "cookie beats Accept-Language: {en}");
    let res = http_client()
        .get(b.url("/login/failed/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400, "unknown page: the expired page, no panic");
}

#[tokio::test]
async fn language_order_ui_locales_then_cookie_then_accept_language() {
    let b = TestBroker::start().await;
    let c = http_client();
    let choice = |extra: Vec<(&'static str, &'static str)>, cookie: Option<&'static str>, al: &'static str| {
        let url = authorize_url(&b, &extra);
        let c = c.clone();
        let b = &b;
        async move {
            let mut req = c.get(url).header("accept-language", al);
            if let Some(v) = cookie {
                req = req.header("cookie", v);
            }
            let res = req.send().await.unwrap();
            let loc = location(b, &res);
            c.get(loc.as_str()).send().await.unwrap().text().await.unwrap()
        }
    };
    let html = choice(vec![("ui_locales", "de")], Some("bk_lang=en"), "en").await;
    assert!(html.contains("<html lang=\"de\">"), "ui_locales beats the cookie");
    let html = choice(vec![], Some("bk_lang=en"), "de").await;
    assert!(html.contains("<html lang=\"en\">"), "the cookie beats Accept-Language");
    let html = choice(vec![], None, "fr, en;q=0.9, de;q=0.8").await;
    assert!(html.contains("<html lang=\"en\">"), "Accept-Language with q-values");
    // Pages outside a login: the session page and the restart page.
    for path in ["/session", "/login/continue/unknown-handle"] {
        let res = c
            .get(b.url(path))
            .header("cookie", "bk_lang=en")
            .header("accept-language", "de")
            .send()
            .await
            .unwrap();
        let html = res.text().await.unwrap();
        assert!(html.contains("<html lang=\"en\">"), "{path}: {html}");
        let res = c
            .get(b.url(path))
            .header("accept-language", "en-GB, de;q=0.5")
            .send()
            .await
            .unwrap();
        assert!(res.text().await.unwrap().contains("<html lang=\"en\">"), "{path}");
        let res = c.get(b.url(path)).send().await.unwrap();
        assert!(
            res.text().await.unwrap().contains("<html lang=\"de\">"),
            "{path}: German by default"
        );
    }
}
