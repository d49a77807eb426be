//! Issue 15 items 1–3: the operator's branding and legal links on every page, the start page, the
//! 404 page, the page in Leichte Sprache, and the configuration rules behind them (contrast of the
//! primary colour, legal links required outside development, the logo checked by its content).

use crate::testbed::{dev_config, Reply, TestApp, TestBroker};
use axum::body::Body;
use buergerkonto::config::raw::{RawBranding, RawConfig, RawLegal};
use sha2::{Digest, Sha256};

/// The smallest valid PNG (1×1, one grey pixel), written to a temporary file.
const PNG_1X1: &[u8] = &[
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00,
    0x00, 0x01, 0x08, 0x00, 0x00, 0x00, 0x00, 0x3a, 0x7e, 0x9b, 0x55, 0x00, 0x00, 0x00, 0x0a, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63,
    0x68, 0x00, 0x00, 0x00, 0x82, 0x00, 0x81, 0x77, 0xcd, 0x72, 0xb6, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60,
    0x82,
];

fn problems(edit: impl FnOnce(&mut RawConfig)) -> String {
    match dev_config(edit) {
        Ok(_) => String::new(),
        Err(e) => e.to_string(),
    }
}

fn legal() -> RawLegal {
    RawLegal {
        imprint_url: Some("https://amt.example/impressum".into()),
        privacy_url: Some("https://amt.example/datenschutz".into()),
        accessibility_url: Some("https://amt.example/barrierefreiheit".into()),
        accessibility_feedback: Some("barrieren@amt.example".into()),
    }
}

fn branding(name: &str, logo: Option<std::path::PathBuf>, color: &str) -> RawBranding {
    RawBranding {
        name: Some(name.into()),
        logo,
        primary_color: Some(color.into()),
        footer_de: Some("Ein Angebot des Amtes für Tests.".into()),
        footer_en: Some("A service of the Office for Tests.".into()),
    }
}

async fn app(edit: impl FnOnce(&mut RawConfig) + Send + 'static) -> TestApp {
    TestBroker::new().with_config(edit).app().await
}

async fn get_lang(app: &TestApp, path: &str, accept_language: &str) -> Reply {
    app.send(
        http::Request::get(path)
            .header("accept-language", accept_language)
            .body(Body::empty())
            .expect("request"),
    )
    .await
}

#[test]
fn check_config_refuses_a_primary_color_under_4_5_to_1() {
    let e = problems(|c| c.branding.primary_color = Some("#ffcc00".into()));
    assert!(
        e.contains("branding.primary_color: #ffcc00 has a contrast ratio of 1.51:1 against the white page background and the white button text; WCAG 2.2 SC 1.4.3 requires at least 4.5:1"),
        "{e}"
    );
    // #777777 is 4.48:1: just under, and shown truncated, never rounded up to 4.5.
    let e = problems(|c| c.branding.primary_color = Some("#777".into()));
    assert!(e.contains("#777777 has a contrast ratio of 4.47:1"), "{e}");
    // #767676 is 4.54:1: accepted, like the default and the development colour.
    assert_eq!(problems(|c| c.branding.primary_color = Some("#767676".into())), "");
    assert_eq!(problems(|_| {}), "", "config/dev.toml is valid");
    let e = problems(|c| c.branding.primary_color = Some("blue".into()));
    assert!(e.contains("branding.primary_color: \"blue\" is not a hex colour (#rrggbb)"), "{e}");
}

#[test]
fn outside_development_the_legal_links_are_required() {
    const NEEDED: &str = "legal: outside development every page must link an Impressum, a Datenschutzerklärung and an Erklärung zur Barrierefreiheit with a feedback contact (BITV 2.0 §7); missing: imprint_url, privacy_url, accessibility_url, accessibility_feedback";
    let e = problems(|c| {
        c.server.development = false;
        c.legal = RawLegal::default();
    });
    assert!(e.contains(NEEDED), "{e}");
    // Listed with every other problem of the file: one error, one line per problem.
    assert!(
        e.lines().count() > 1 && e.lines().any(|l| l.starts_with("keys.generate_dev_keys")),
        "{e}"
    );
    let e = problems(|c| {
        c.server.development = false;
        c.legal = RawLegal {
            privacy_url: None,
            ..legal()
        };
    });
    assert!(e.contains("missing: privacy_url") && !e.contains("imprint_url"), "{e}");
    let e = problems(|c| {
        c.server.development = false;
        c.legal = legal();
    });
    assert!(!e.contains("legal"), "{e}");
    // Development may leave them out.
    assert_eq!(problems(|c| c.legal = RawLegal::default()), "");
    // Bad values are refused in any profile.
    let e = problems(|c| {
        c.legal = RawLegal {
            imprint_url: Some("impressum.html".into()),
            accessibility_feedback: Some("mailto:nobody".into()),
            ..legal()
        }
    });
    assert!(e.contains("legal.imprint_url: malformed URL"), "{e}");
    assert!(
        e.contains("legal.accessibility_feedback: \"mailto:nobody\" is not a mailto: address"),
        "{e}"
    );
}

#[test]
fn the_logo_is_checked_by_its_content() {
    let dir = tempfile::tempdir().expect("tempdir");
    let gif = dir.path().join("logo.png");
    std::fs::write(&gif, b"GIF89a\x01\x00\x01\x00").expect("write");
    let e = problems(|c| c.branding.logo = Some(gif.clone()));
    assert!(
        e.contains(&format!("branding.logo: {}: is neither a PNG nor an SVG file", gif.display())),
        "{e}"
    );
    let svg = dir.path().join("logo.svg");
    std::fs::write(&svg, "<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\"/>").expect("write");
    let e = problems(|c| c.branding.logo = Some(svg.clone()));
    assert!(e.contains("SVG with script or event handlers is refused"), "{e}");
    let e = problems(|c| c.branding.logo = Some(dir.path().join("missing.svg")));
    assert!(e.contains("branding.logo: cannot read"), "{e}");
}

#[tokio::test]
async fn the_logo_url_carries_its_hash_and_is_cached_immutably() {
    let dir = tempfile::tempdir().expect("tempdir");
    let logo = dir.path().join("wappen.bin");
    std::fs::write(&logo, PNG_1X1).expect("write");
    let path = logo.clone();
    let app = app(move |c| c.branding = branding("Servicekonto Teststadt", Some(path), "#0b6e4f")).await;
    let hash: String = Sha256::digest(PNG_1X1).iter().take(8).map(|b| format!("{b:02x}")).collect();
    let href = format!("/static/brand/{hash}.png");
    let page = app.get("/").await;
    assert_eq!(page.status, 200);
    assert!(
        page.body
            .contains(&format!("<img class=\"logo\" src=\"{}\" alt=\"\">", href.replace('/', "&#x2f;"))),
        "{}",
        page.body
    );
    let res = app.get(&href).await;
    assert_eq!(res.status, 200);
    assert_eq!(res.header("content-type"), Some("image/png"), "type from the content, not the name");
    assert_eq!(res.header("cache-control"), Some("public, max-age=31536000, immutable"));
    // The theme stylesheet carries the colour, under its own hash.
    let css_href = page
        .body
        .split("<link rel=\"stylesheet\" href=\"")
        .nth(2)
        .and_then(|s| s.split('"').next())
        .expect("theme stylesheet link")
        .replace("&#x2f;", "/");
    assert!(css_href.starts_with("/static/brand/") && css_href.ends_with(".css"), "{css_href}");
    let css = app.get(&css_href).await;
    assert_eq!(css.header("cache-control"), Some("public, max-age=31536000, immutable"));
    assert!(css.body.contains("--accent: #0b6e4f;"), "{}", css.body);
    // Another content, another name: an old or guessed hash is a 404 page, never a stale file.
    let stale = app.get("/static/brand/0000000000000000.png").await;
    assert_eq!(stale.status, 404);
    assert!(stale.body.contains("Seite nicht gefunden"), "{}", stale.body);
}

#[tokio::test]
async fn every_page_carries_the_branding_and_the_legal_links() {
    let app = app(|c| {
        c.branding = branding("Servicekonto Teststadt", None, "#0b6e4f");
        c.legal = legal();
    })
    .await;
    for (path, lang) in [("/", "de"), ("/?lang=en", "en"), ("/leichte-sprache", "de"), ("/nirgendwo", "de")] {
        let page = app.get(path).await;
        let html = &page.body;
        assert!(html.contains(&format!("<html lang=\"{lang}\">")), "{path}: {html}");
        assert!(
            html.contains("<span>Servicekonto Teststadt</span>") && html.contains("– Servicekonto Teststadt</title>"),
            "{path}: {html}"
        );
        assert!(!html.contains("buergerkonto</p>"), "{path}: the fixed name is gone");
        for href in [
            "https:&#x2f;&#x2f;amt.example&#x2f;impressum",
            "https:&#x2f;&#x2f;amt.example&#x2f;datenschutz",
            "https:&#x2f;&#x2f;amt.example&#x2f;barrierefreiheit",
            "mailto:barrieren@amt.example",
        ] {
            assert!(html.contains(&format!("<a href=\"{href}\">")), "{path}: {href} in {html}");
        }
        let footer = if lang == "de" {
            "Ein Angebot des Amtes für Tests."
        } else {
            "A service of the Office for Tests."
        };
        assert!(html.contains(footer), "{path}: {html}");
    }
    let en = app.get("/?lang=en").await.body;
    assert!(en.contains(">Legal notice</a>") && en.contains(">Report a barrier</a>"), "{en}");
    // The texts that name the service say the configured name too (`{name}` in web/i18n.rs).
    let session = app.get("/session").await.body;
    assert!(session.contains("keine Anmeldung bei Servicekonto Teststadt"), "{session}");
    let session = app.get("/session?lang=en").await.body;
    assert!(session.contains("no (longer a) Servicekonto Teststadt login"), "{session}");
    assert!(!session.contains("buergerkonto") && !session.contains("{name}"), "{session}");
}

#[tokio::test]
async fn the_start_page_says_what_the_service_is_in_both_languages() {
    let app = app(|_| {}).await;
    let de = get_lang(&app, "/", "de-DE,de;q=0.9").await;
    assert_eq!(de.status, 200);
    assert!(
        de.body.contains("<h1>Bürgerkonto (Entwicklung): Anmeldung für Online-Dienste</h1>"),
        "{}",
        de.body
    );
    assert!(de
        .body
        .contains("ist der Anmeldedienst für Online-Dienste der öffentlichen Verwaltung"));
    assert!(
        de.body
            .contains("<a href=\"/session\">Ihre Anmeldung ansehen und sich abmelden</a>"),
        "{}",
        de.body
    );
    assert!(
        de.body
            .contains("<a href=\"&#x2f;leichte-sprache\">Anmelden – in Leichter Sprache</a>"),
        "{}",
        de.body
    );
    assert!(
        de.body.contains("<li>Online-Ausweis (Entwicklung: eID-Simulator)</li>"),
        "the methods are named"
    );
    let en = get_lang(&app, "/", "en-GB,en;q=0.9").await;
    assert_eq!(en.status, 200);
    assert!(
        en.body.contains("<html lang=\"en\">") && en.body.contains("login for online services</h1>"),
        "{}",
        en.body
    );
    assert!(
        en.body.contains("<a href=\"/session?lang=en\">See your login and log out</a>"),
        "{}",
        en.body
    );
    // The switch overrides the browser's language.
    let switched = get_lang(&app, "/?lang=de", "en").await;
    assert!(switched.body.contains("<html lang=\"de\">"));
}

#[tokio::test]
async fn unknown_paths_get_the_404_page_in_both_languages() {
    let app = app(|_| {}).await;
    for (path, accept, lang, heading) in [
        ("/does/not/exist", "de", "de", "<h1>Seite nicht gefunden</h1>"),
        ("/does/not/exist", "en-US", "en", "<h1>Page not found</h1>"),
        ("/does/not/exist?lang=en", "de", "en", "<h1>Page not found</h1>"),
        ("/authorize/extra", "de", "de", "<h1>Seite nicht gefunden</h1>"),
    ] {
        let res = get_lang(&app, path, accept).await;
        assert_eq!(res.status, 404, "{path}");
        assert_eq!(res.header("content-type"), Some("text/html; charset=utf-8"), "{path}");
        assert!(
            res.body.contains(&format!("<html lang=\"{lang}\">")) && res.body.contains(heading),
            "{path}: {}",
            res.body
        );
        assert!(
            res.body.contains("<link rel=\"stylesheet\" href=\"/static/style.css\">"),
            "in the site's design"
        );
        assert!(
            res.body.contains("Impressum") || res.body.contains("Legal notice"),
            "with the legal links"
        );
        assert!(!res.body.contains(".rs") && !res.body.contains("panicked"), "no internal detail");
    }
    // The language switch keeps the path.
    let res = get_lang(&app, "/does/not/exist", "de").await;
    assert!(res.body.contains("href=\"&#x2f;does&#x2f;not&#x2f;exist?lang=en\""), "{}", res.body);
    // The JSON endpoints keep answering as before.
    assert_eq!(app.get("/.well-known/openid-configuration").await.status, 200);
}

#[tokio::test]
async fn the_login_in_leichter_sprache_is_linked_from_the_choice_page() {
    use crate::support_login::{authorize_url, get, location, Jar};
    let broker = TestBroker::new().start().await;
    let client = crate::support::http_client();
    let mut jar = Jar::default();
    let res = get(&client, &mut jar, &authorize_url(&broker, &[])).await;
    let choice = location(&broker, &res);
    let html = get(&client, &mut jar, choice.as_str()).await.text().await.expect("choice page");
    assert!(
        html.contains("<p><a href=\"&#x2f;leichte-sprache\">Anmelden – in Leichter Sprache</a></p>"),
        "{html}"
    );
    let de = client.get(broker.url("/leichte-sprache")).send().await.expect("get");
    assert_eq!(de.status(), 200);
    let de = de.text().await.expect("page");
    assert!(de.contains("<h1>Anmelden – in Leichter Sprache</h1>"), "{de}");
    for text in [
        "Anmelden heißt: Sie zeigen, wer Sie sind.",
        "Basis-Registrierung",
        "substanziell",
        "Sie entscheiden: Bekommt der Online-Dienst die Daten?",
    ] {
        assert!(de.contains(text), "{text}");
    }
    let en = client
        .get(broker.url("/leichte-sprache?lang=en"))
        .send()
        .await
        .expect("get")
        .text()
        .await
        .expect("page");
    assert!(
        en.contains("<html lang=\"en\">") && en.contains("<h1>Logging in – in plain language</h1>"),
        "{en}"
    );
}

#[tokio::test]
async fn brokers_in_one_process_keep_their_own_branding() {
    let a = app(|c| c.branding = branding("Servicekonto Nord", None, "#00466e")).await;
    let b = app(|c| c.branding = branding("Servicekonto Süd", None, "#5a2d82")).await;
    for _ in 0..2 {
        assert!(a.get("/").await.body.contains("<span>Servicekonto Nord</span>"));
        assert!(b.get("/").await.body.contains("<span>Servicekonto Süd</span>"));
        assert!(b.get("/nirgendwo").await.body.contains("– Servicekonto Süd</title>"));
    }
}
