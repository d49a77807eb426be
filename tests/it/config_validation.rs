//! Configuration rules of issue 9's findings, through `Config::from_toml` on the development
//! configuration: NotNotified eIDAS levels (per SAML upstream) and certificate revocation.

use buergerkonto::config::Config;
use buergerkonto::trust::TrustLevel;

fn dev() -> String {
    crate::support::dev_config_text("127.0.0.1:8080".parse().unwrap())
}

fn eid_upstream_with(line: &str) -> String {
    let text = dev();
    let anchor = "name = \"eid\"\nprofile = \"eidas\"\n";
    assert!(text.contains(anchor), "config/dev.toml changed: eid upstream not found");
    text.replacen(anchor, &format!("{anchor}{line}\n"), 1)
}

#[test]
fn not_notified_levels_default_to_basic_and_are_raised_only_explicitly() {
    let c = Config::from_toml(&dev(), "dev").unwrap();
    let saml = c.saml.as_ref().expect("dev has SAML upstreams");
    assert!(saml.upstreams.iter().all(|u| u.not_notified_max_level == TrustLevel::Basic));
    let c = Config::from_toml(&eid_upstream_with("not_notified_max_level = \"substantial\""), "t").unwrap();
    let eid = c.saml.as_ref().unwrap().upstreams.iter().find(|u| u.name == "eid").unwrap();
    assert_eq!(eid.not_notified_max_level, TrustLevel::Substantial);
}

#[test]
fn not_notified_max_level_must_be_a_level() {
    let e = Config::from_toml(&eid_upstream_with("not_notified_max_level = \"notified\""), "t").unwrap_err();
    let text = e.to_string();
    assert!(text.contains("saml.upstreams[0] (eid).not_notified_max_level"), "{text}");
    assert!(text.contains("notified"), "names the bad value: {text}");
}

/// A `[certificate]` section with one anchor; `anchor_extra` is appended to the anchor.
fn with_certificate(text: String, anchor_extra: &str) -> String {
    format!(
        r#"{text}
[[methods]]
id = "certificate"
kind = "certificate"
level = "substantial"
label_de = "Firmenzertifikat"
label_en = "Company certificate"

[certificate]
listen = "127.0.0.1:0"
public_url = "https://127.0.0.1:8443"
tls_cert = "certs/dev/tls.crt"
tls_key = "certs/dev/tls.key"

[[certificate.anchors]]
name = "company-ca"
ca_file = "Cargo.toml"
level = "substantial"
{anchor_extra}
"#
    )
}

fn problems(text: &str) -> String {
    match Config::from_toml(text, "t") {
        Ok(_) => String::new(),
        Err(e) => e.to_string(),
    }
}

const NO_CRL: &str = "certificate.anchors[0] (company-ca).crl_files: required outside development";

#[test]
fn outside_development_an_anchor_without_crls_is_an_error_unless_revocation_none() {
    // Production: server.development = false (the other problems of a dev file turned production
    // are listed too; only the anchor's is looked at here).
    let prod = dev().replace("development = true", "development = false");
    let e = problems(&with_certificate(prod.clone(), ""));
    assert!(e.contains(NO_CRL), "{e}");
    assert!(e.contains("revocation = \"none\""), "the message names the explicit way out: {e}");
    let e = problems(&with_certificate(prod.clone(), "revocation = \"crl\""));
    assert!(e.contains(NO_CRL), "the default spelled out: {e}");
    let e = problems(&with_certificate(prod.clone(), "revocation = \"none\""));
    assert!(!e.contains(NO_CRL) && !e.contains("company-ca).revocation"), "{e}");
    let e = problems(&with_certificate(prod, "crl_files = [\"Cargo.toml\"]"));
    assert!(!e.contains(NO_CRL), "{e}");
}

#[test]
fn revocation_setting_is_validated() {
    let e = problems(&with_certificate(dev(), "revocation = \"sometimes\""));
    assert!(
        e.contains("certificate.anchors[0] (company-ca).revocation: \"sometimes\" is not \"crl\" or \"none\""),
        "{e}"
    );
    let e = problems(&with_certificate(dev(), "revocation = \"none\"\ncrl_files = [\"Cargo.toml\"]"));
    assert!(e.contains("\"none\" contradicts the configured crl_files"), "{e}");
    // Development keeps working without CRLs (a warning at start-up).
    let e = problems(&with_certificate(dev(), ""));
    assert!(!e.contains(NO_CRL), "{e}");
}
