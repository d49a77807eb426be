//! Issue 15 item 5 for the development simulators: each page is in one language, its `lang`
//! attribute says which, it follows the broker's order (`lang` switch, then `ui_locales` where the
//! protocol carries it, then the language cookie, then `Accept-Language`) and links to the other
//! language. The development login's pages outside a login follow the browser.

use crate::support::{http_client, TestBroker};
use crate::support_binding::{field, start};
use crate::support_login::*;
use buergerkonto::trust::TrustLevel;

/// The language switch's target on a page (unescaped).
fn switch_href(html: &str) -> String {
    let nav = html.find("<nav aria-label=").expect("language switch");
    let start = html[nav..].find("href=\"").unwrap() + nav + "href=\"".len();
    let end = html[start..].find('"').unwrap() + start;
    html[start..end].replace("&amp;", "&").replace("&#x2f;", "/").replace("&#x3d;", "=")
}

#[tokio::test]
async fn the_eid_simulator_follows_the_browser_and_switches() {
    let b = TestBroker::start().await;
    let c = http_client();
    let mut jar = Jar::default();
    let url = authorize_url(&b, &[("acr_values", TrustLevel::High.acr())]);
    let res = start(&b, &c, &mut jar, &url, "eid").await;
    assert_eq!(res.status(), 303);
    let sso = location(&b, &res);
    let en = c
        .get(sso.as_str())
        .header("accept-language", "en-GB, de;q=0.5")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        en.contains("<html lang=\"en\">") && en.contains("Online ID card (simulator)"),
        "{en}"
    );
    assert!(
        en.contains("<legend>Test person</legend>") && !en.contains("Testperson"),
        "one language: {en}"
    );
    let href = switch_href(&en);
    assert!(
        href.starts_with("/dev/eid-simulator/choose?sim=") && href.ends_with("&lang=de"),
        "{href}"
    );
    let res = c.get(b.url(&href)).send().await.unwrap();
    let cookie = res.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(cookie.starts_with("bk_lang=de"), "the switch is remembered: {cookie}");
    let de = res.text().await.unwrap();
    assert!(
        de.contains("<html lang=\"de\">") && de.contains("Online-Ausweis (Simulator)"),
        "{de}"
    );
    assert!(
        de.contains("<legend>Testperson</legend>") && de.contains("hreflang=\"en\">English</a>"),
        "{de}"
    );
    // The cookie beats Accept-Language.
    let sim = field(&de, "sim");
    let en = c
        .get(b.url(&format!("/dev/eid-simulator/choose?sim={sim}")))
        .header("cookie", "bk_lang=en")
        .header("accept-language", "de")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(en.contains("<html lang=\"en\">"), "{en}");
    // The answer page after the switch, in the browser's language; the request still answers.
    let form = c
        .post(b.url("/dev/eid-simulator/answer"))
        .header("cookie", "bk_lang=de")
        .form(&[("sim", sim.as_str()), ("person", "erika"), ("outcome", "success")])
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(form.contains("<html lang=\"de\">") && form.contains("Weiter zum Dienst"), "{form}");
    assert!(!field(&form, "SAMLResponse").is_empty());
    let res = c
        .get(b.url("/dev/eid-simulator/choose?sim=unknown"))
        .header("accept-language", "en")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    let html = res.text().await.unwrap();
    assert!(html.contains("<html lang=\"en\">") && html.contains("unknown or expired"), "{html}");
}

#[tokio::test]
async fn the_bankid_simulator_follows_ui_locales_and_switches() {
    let b = TestBroker::start().await;
    let c = http_client();
    let mut jar = Jar::default();
    let url = authorize_url(&b, &[("ui_locales", "en")]);
    let res = start(&b, &c, &mut jar, &url, crate::bankid_sim::METHOD).await;
    assert_eq!(res.status(), 303);
    let to = location(&b, &res);
    assert_eq!(to.path(), "/dev/bankid/authorize", "{to}");
    let en = get(&c, &mut jar, to.as_str()).await.text().await.unwrap();
    assert!(en.contains("<html lang=\"en\">") && en.contains("Log in with your bank"), "{en}");
    let href = switch_href(&en);
    assert!(href.ends_with("&lang=de"), "{href}");
    let de = get(&c, &mut jar, &b.url(&href)).await.text().await.unwrap();
    assert!(de.contains("<html lang=\"de\">") && de.contains("Mit Ihrer Bank anmelden"), "{de}");
    assert_eq!(field(&de, "request"), field(&en, "request"), "the same request");
}

#[tokio::test]
async fn the_development_login_pages_outside_a_login_follow_the_browser() {
    let b = TestBroker::start().await;
    let c = http_client();
    let unknown = b.url("/dev/login/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
    let res = c.get(&unknown).header("accept-language", "en").send().await.unwrap();
    assert_eq!(res.status(), 400);
    let html = res.text().await.unwrap();
    assert!(html.contains("<html lang=\"en\">") && html.contains("Login expired"), "{html}");
    let res = c
        .post(&unknown)
        .header("cookie", "bk_lang=en")
        .form(&[("person", "erika")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    assert!(res.text().await.unwrap().contains("<html lang=\"en\">"));
}
