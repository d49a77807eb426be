//! Issue 15 items 5 and 6 for certificate login: a refused certificate ends the login on the main
//! listener with the site's failure page — its own text for each refusal a person can act on, in
//! German and English — and the relying party gets the stable reason in `error_description`
//! (docs/relying-parties.md, "Why a login failed"). Real logins: `/authorize` with `idp_hint`,
//! a real TLS handshake with curl at the mTLS listener, the return link in the same browser.

use crate::mtls::{curl_url, fixture, leaf, rustls_client, Fixture, Leaf, LeafSpec, REVOKED_SERIAL};
use crate::support::http_client;
use crate::support_login::*;
use buergerkonto::login::reason::Reason;
use rcgen::ExtendedKeyUsagePurpose;

/// A certificate login in `ui_locales`, presenting `client` (or nothing); the page it ends on.
async fn certificate_failure(f: &Fixture, ui_locales: &str, client: Option<&Leaf>) -> String {
    let c = http_client();
    let mut jar = Jar::default();
    let url = authorize_url(&f.broker, &[("idp_hint", "certificate"), ("ui_locales", ui_locales)]);
    let res = get(&c, &mut jar, &url).await;
    assert_eq!(res.status(), 303);
    let to = location(&f.broker, &res);
    assert_eq!(to.path(), "/cert/login", "{to}");
    let (code, back, body) = curl_url(f, client.map(|l| (l, true)), to.as_str());
    assert_eq!(code, 303, "{body}");
    let res = get(&c, &mut jar, &back).await;
    assert_eq!(res.status(), 200, "the failure page");
    res.text().await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_certificate_refusal_has_its_text_and_reason_in_both_languages() {
    if !crate::peers::require_curl() {
        return;
    }
    let f = fixture(false, false).await;
    let spec = |serial: u64| LeafSpec {
        serial,
        ..LeafSpec::default()
    };
    let cases: Vec<(Option<Leaf>, Reason, &str, &str)> = vec![
        (
            Some(leaf(&f.inter, spec(REVOKED_SERIAL))),
            Reason::CertificateRevoked,
            "Ihr Zertifikat wurde von der ausstellenden Stelle gesperrt",
            "Your certificate has been revoked by its issuer",
        ),
        (
            Some(leaf(
                &f.inter,
                LeafSpec {
                    expired: true,
                    ..spec(2001)
                },
            )),
            Reason::CertificateExpired,
            "Ihr Zertifikat ist abgelaufen.",
            "Your certificate has expired.",
        ),
        (
            Some(leaf(
                &f.inter,
                LeafSpec {
                    not_yet_valid: true,
                    ..spec(2002)
                },
            )),
            Reason::CertificateNotYetValid,
            "Ihr Zertifikat ist noch nicht gültig.",
            "Your certificate is not valid yet.",
        ),
        (
            Some(leaf(
                &f.inter,
                LeafSpec {
                    ekus: vec![ExtendedKeyUsagePurpose::EmailProtection],
                    ..spec(2003)
                },
            )),
            Reason::CertificateWrongKind,
            "nicht für diese Anmeldung bestimmt",
            "not meant for this login",
        ),
        (
            Some(leaf(
                &f.inter,
                LeafSpec {
                    personal: true,
                    ..spec(2004)
                },
            )),
            Reason::CertificateWrongKind,
            "ein persönliches Zertifikat, wo ein Firmenzertifikat nötig ist",
            "a personal certificate where a company certificate is needed",
        ),
        (
            Some(leaf(&f.other_root, spec(2005))),
            Reason::CertificateUnknownCa,
            "von einer Stelle, die dieser Dienst nicht anerkennt",
            "issued by an authority this service does not recognise",
        ),
        (
            None,
            Reason::CertificateMissing,
            "Ihr Browser hat kein lesbares Zertifikat vorgelegt.",
            "Your browser presented no readable certificate.",
        ),
    ];
    for (client, reason, de, en) in &cases {
        for (lang, text) in [("de", de), ("en", en)] {
            let html = certificate_failure(&f, lang, client.as_ref()).await;
            let what = reason.token();
            assert!(html.contains(&format!("<html lang=\"{lang}\">")), "{what}/{lang}: {html}");
            assert!(html.contains(*text), "{what}/{lang}: the specific text: {html}");
            assert!(
                html.contains("href=\"&#x2f;login&#x2f;failed&#x2f;"),
                "{what}/{lang}: the language switch"
            );
            let back = continue_link(&html).expect("way back to the service");
            assert_eq!(param(&back, "error").as_deref(), Some("access_denied"), "{what}");
            assert_eq!(
                param(&back, "error_description").as_deref(),
                Some(reason.description(lang)),
                "{what}/{lang}: the documented reason in the request's language"
            );
            assert_eq!(param(&back, "state").as_deref(), Some("st-123"));
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_listener_pages_are_the_sites_in_the_browsers_language() {
    let f = fixture(false, false).await;
    // No login to continue: the expired page in the site's design, not a bare 400.
    let l = leaf(
        &f.inter,
        LeafSpec {
            serial: 2010,
            ..LeafSpec::default()
        },
    );
    let c = rustls_client(&f, &l.cert_pem, &l.key_pem);
    for (al, lang, text) in [("de", "de", "Anmeldung abgelaufen"), ("en-GB, de;q=0.5", "en", "Login expired")] {
        let res = c
            .get(format!("{}/cert/login", f.mtls_url()))
            .header("accept-language", al)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 400);
        let html = res.text().await.unwrap();
        assert!(html.contains(&format!("<html lang=\"{lang}\">")) && html.contains(text), "{html}");
    }
}
