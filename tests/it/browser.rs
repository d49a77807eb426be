//! Browser test (issue 5, items 4 and 6): headless Chromium, driven by `tests/browser/login.mjs`
//! (playwright-core + axe-core from npm, Debian's `/usr/bin/chromium`), logs in through the real
//! pages of a [`TestBroker`] — demo relying party, choice, development login, consent, back at the
//! demo — in German and English, takes the deny path, and runs axe-core (WCAG 2.1 A/AA) on every
//! page with zero violations allowed. Issue 9: a SAML Response captured in one browser context and
//! submitted from another lands on the restart page without a session cookie (`replay`), and two
//! logins in parallel tabs of one browser both complete (`tabs`). Issue 11: the citizen's `/session`
//! page, the logout confirmation page and the logged-out page (`logout`). What each scenario does is
//! described in the script's header.
//!
//! Needs `node`, `/usr/bin/chromium` (or `$CHROMIUM`) and `npm ci --prefix tests/browser`; `.ci/run`
//! installs all three. When one is missing the test fails (`crate::peers`), unless the run opted out
//! with `BK_ALLOW_SKIP=1`. `BK_BROWSER_SCREENSHOTS=<dir>` saves PNGs of the choice and result
//! pages there (for looking at them; they are not committed).

use crate::support::TestBroker;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

/// Upper bound for the whole script, so a hung browser fails the test instead of hanging CI.
const SCRIPT_TIMEOUT: Duration = Duration::from_secs(600);

fn browser_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser")
}

/// Issue 15 item 7: the browser test runs the broker with an operator's branding (name, SVG logo,
/// primary colour, legal links) and checks that every broker page shows it. Returns what the script
/// expects (`BK_BRAND`) and the configuration edit.
fn branding() -> (
    serde_json::Value,
    impl FnOnce(&mut buergerkonto::config::raw::RawConfig) + Send + 'static,
) {
    use buergerkonto::config::raw::{RawBranding, RawLegal};
    use sha2::{Digest, Sha256};
    let logo = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/branding/logo.svg");
    let bytes = std::fs::read(&logo).expect("tests/fixtures/branding/logo.svg");
    let hash: String = Sha256::digest(&bytes).iter().take(8).map(|b| format!("{b:02x}")).collect();
    let legal = [
        "https://amt.example/impressum",
        "https://amt.example/datenschutz",
        "https://amt.example/barrierefreiheit",
        "mailto:barrieren@amt.example",
    ];
    let expected = serde_json::json!({
        "name": "Servicekonto Teststadt",
        "color": "#0b6e4f",
        "logo": format!("/static/brand/{hash}.svg"),
        "legal": legal,
    });
    let edit = move |c: &mut buergerkonto::config::raw::RawConfig| {
        c.branding = RawBranding {
            name: Some("Servicekonto Teststadt".into()),
            logo: Some(logo),
            primary_color: Some("#0b6e4f".into()),
            footer_de: Some("Ein Angebot der Stadt Teststadt.".into()),
            footer_en: Some("A service of the City of Teststadt.".into()),
        };
        c.legal = RawLegal {
            imprint_url: Some(legal[0].into()),
            privacy_url: Some(legal[1].into()),
            accessibility_url: Some(legal[2].into()),
            accessibility_feedback: Some(legal[3].into()),
        };
    };
    (expected, edit)
}

/// The page flow and the accessibility check, in a real browser.
// A multi-threaded runtime: the broker's server task keeps running on the second worker while this
// one waits for the child process.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_in_a_real_browser_with_zero_axe_violations() {
    if !crate::peers::require_browser() {
        return;
    }
    let (brand, edit) = branding();
    let broker = TestBroker::new().with_config(edit).start().await;
    let mut cmd = tokio::process::Command::new("node");
    cmd.arg(browser_dir().join("login.mjs"))
        .arg(&broker.base)
        .env("BK_BRAND", brand.to_string());
    if let Ok(dir) = std::env::var("BK_BROWSER_SCREENSHOTS") {
        cmd.arg(dir);
    }
    cmd.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    let child = cmd.spawn().expect("start node");
    let out = tokio::time::timeout(SCRIPT_TIMEOUT, child.wait_with_output())
        .await
        .expect("browser script finished within the time limit")
        .expect("browser script output");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    println!("--- tests/browser/login.mjs stdout ---\n{stdout}");
    if !stderr.is_empty() {
        println!("--- tests/browser/login.mjs stderr ---\n{stderr}");
    }
    assert!(out.status.success(), "browser test failed ({}):\n{stderr}", out.status);
    assert!(
        stdout.contains("browser test passed") && stdout.contains("0 violations"),
        "script did not report success:\n{stdout}"
    );
    drop(broker);
}

/// The regression the browser test found, pinned without a browser: with `Referrer-Policy:
/// no-referrer` alone, Chromium sends `Origin: null` on the login forms' POSTs (Fetch, "serializing a
/// request origin"), which the same-origin check refuses, so nobody could log in. The pages must
/// lift the policy to one that names our own origin on our own forms (`same-origin`), by header or
/// by `<meta name="referrer">`; a POST with `Origin: null` stays refused.
#[tokio::test]
async fn login_pages_let_the_browser_name_our_origin_on_form_posts() {
    use crate::support::http_client;
    use crate::support_login::{authorize_url, get, hidden, location, Jar};
    let broker = TestBroker::start().await;
    let client = http_client();
    let mut jar = Jar::default();
    let res = get(
        &client,
        &mut jar,
        &authorize_url(&broker, &[("acr_values", "http://eidas.europa.eu/LoA/substantial")]),
    )
    .await;
    assert_eq!(res.status(), 303);
    let choice = location(&broker, &res);
    assert!(choice.path().starts_with("/login/"), "{choice}");
    let page = get(&client, &mut jar, choice.as_str()).await;
    let header = page
        .headers()
        .get("referrer-policy")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let html = page.text().await.expect("choice page");
    assert!(
        header == "same-origin" || html.contains(r#"<meta name="referrer" content="same-origin">"#),
        "Referrer-Policy {header:?} without a same-origin meta: browsers would send Origin: null"
    );
    // The check itself stays strict: the opaque origin is not ours.
    let csrf = hidden(&html, "csrf").expect("csrf on the choice page");
    let res = client
        .post(broker.url(&format!("{}/start", choice.path())))
        .header("cookie", jar.header())
        .header("origin", "null")
        .form(&[("csrf", csrf.as_str()), ("method", "dev")])
        .send()
        .await
        .expect("post");
    assert_eq!(res.status(), 403, "a POST from an opaque origin is refused");
    let page = res.text().await.expect("refusal page");
    assert!(page.contains("Anfrage nicht bestätigt"), "{page}");
}
