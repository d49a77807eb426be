//! Configuration rules of issue 9's findings, through the typed development configuration
//! (`testbed::dev_config`): NotNotified eIDAS levels (per SAML upstream) and certificate revocation.

use buergerkonto::config::raw::RawConfig;
use buergerkonto::trust::TrustLevel;

use crate::testbed::{append_toml, dev_config};

fn set_eid_not_notified(c: &mut RawConfig, level: &str) {
    let eid = c
        .saml
        .as_mut()
        .and_then(|s| s.upstreams.iter_mut().find(|u| u.name == "eid"))
        .expect("config/dev.toml has the eid upstream");
    eid.not_notified_max_level = Some(level.into());
}

fn problems(edit: impl FnOnce(&mut RawConfig)) -> String {
    match dev_config(edit) {
        Ok(_) => String::new(),
        Err(e) => e.to_string(),
    }
}

#[test]
fn not_notified_levels_default_to_basic_and_are_raised_only_explicitly() {
    let c = dev_config(|_| {}).unwrap();
    let saml = c.saml.as_ref().expect("dev has SAML upstreams");
    assert!(saml.upstreams.iter().all(|u| u.not_notified_max_level == TrustLevel::Basic));
    let c = dev_config(|c| set_eid_not_notified(c, "substantial")).unwrap();
    let eid = c.saml.as_ref().unwrap().upstreams.iter().find(|u| u.name == "eid").unwrap();
    assert_eq!(eid.not_notified_max_level, TrustLevel::Substantial);
}

#[test]
fn not_notified_max_level_must_be_a_level() {
    let text = problems(|c| set_eid_not_notified(c, "notified"));
    assert!(text.contains("saml.upstreams[0] (eid).not_notified_max_level"), "{text}");
    assert!(text.contains("notified"), "names the bad value: {text}");
}

/// A certificate method and `[certificate]` with one anchor; `anchor_extra` is appended to the anchor.
fn with_certificate(c: &mut RawConfig, anchor_extra: &str) {
    append_toml(
        c,
        &format!(
            r#"
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
        ),
    );
}

const NO_CRL: &str = "certificate.anchors[0] (company-ca).crl_files: required outside development";

fn production(c: &mut RawConfig) {
    c.server.development = false;
}

#[test]
fn outside_development_an_anchor_without_crls_is_an_error_unless_revocation_none() {
    // Production: server.development = false (the other problems of a dev file turned production
    // are listed too; only the anchor's is looked at here).
    let e = problems(|c| {
        production(c);
        with_certificate(c, "")
    });
    assert!(e.contains(NO_CRL), "{e}");
    assert!(e.contains("revocation = \"none\""), "the message names the explicit way out: {e}");
    let e = problems(|c| {
        production(c);
        with_certificate(c, "revocation = \"crl\"")
    });
    assert!(e.contains(NO_CRL), "the default spelled out: {e}");
    let e = problems(|c| {
        production(c);
        with_certificate(c, "revocation = \"none\"")
    });
    assert!(!e.contains(NO_CRL) && !e.contains("company-ca).revocation"), "{e}");
    let e = problems(|c| {
        production(c);
        with_certificate(c, "crl_files = [\"Cargo.toml\"]")
    });
    assert!(!e.contains(NO_CRL), "{e}");
}

#[test]
fn revocation_setting_is_validated() {
    let e = problems(|c| with_certificate(c, "revocation = \"sometimes\""));
    assert!(
        e.contains("certificate.anchors[0] (company-ca).revocation: \"sometimes\" is not \"crl\" or \"none\""),
        "{e}"
    );
    let e = problems(|c| with_certificate(c, "revocation = \"none\"\ncrl_files = [\"Cargo.toml\"]"));
    assert!(e.contains("\"none\" contradicts the configured crl_files"), "{e}");
    // Development keeps working without CRLs (a warning at start-up).
    let e = problems(|c| with_certificate(c, ""));
    assert!(!e.contains(NO_CRL), "{e}");
}

/// Issue 11: back-channel logout registration and `[logout]` delivery settings.
#[test]
fn backchannel_logout_registration_and_delivery_settings_are_checked() {
    use crate::support::RawConfigExt;
    let ok = dev_config(|c| {
        c.client_mut("demo").backchannel_logout_uri = Some("http://127.0.0.1:9/bcl".into());
        c.client_mut("demo").backchannel_logout_session_required = true;
    })
    .unwrap();
    let demo = ok.clients.iter().find(|c| c.id.as_str() == "demo").unwrap();
    assert_eq!(demo.backchannel_logout_uri.as_deref(), Some("http://127.0.0.1:9/bcl"));
    assert_eq!(ok.logout, buergerkonto::logout::LogoutSettings::default(), "defaults");
    let text = problems(|c| {
        c.client_mut("demo").backchannel_logout_uri = Some("http://rp.example/bcl#x".into());
    });
    assert!(text.contains("backchannel_logout_uri: must not contain a fragment"), "{text}");
    assert!(text.contains("backchannel_logout_uri: must use https"), "{text}");
    let text = problems(|c| c.client_mut("demo").backchannel_logout_session_required = true);
    assert!(
        text.contains("backchannel_logout_session_required: needs a backchannel_logout_uri"),
        "{text}"
    );
    let text = problems(|c| {
        c.logout.backchannel_retry_for_secs = Some(10);
        c.logout.backchannel_timeout_secs = Some(0);
        c.logout.backchannel_backoff_initial_ms = Some(10_000);
        c.logout.backchannel_backoff_max_secs = Some(5);
    });
    for key in [
        "logout.backchannel_retry_for_secs",
        "logout.backchannel_timeout_secs",
        "logout.backchannel_backoff_initial_ms: must not exceed",
    ] {
        assert!(text.contains(key), "{key}: {text}");
    }
}

#[test]
fn saml_logout_follows_metadata_switch_and_profile() {
    use crate::support::RawConfigExt;
    let upstream = |c: &buergerkonto::config::Config, name: &str| {
        c.saml
            .as_ref()
            .unwrap()
            .upstreams
            .iter()
            .find(|u| u.name == name)
            .unwrap()
            .slo
            .clone()
    };
    let c = dev_config(|_| {}).unwrap();
    let slo = upstream(&c, "elster").expect("ELSTER's metadata lists a SingleLogoutService");
    assert_eq!(slo.url.path(), "/dev/elster-simulator/slo");
    assert!(upstream(&c, "eid").is_none(), "the eID has no session to end");
    let c = dev_config(|c| c.upstream_mut("elster").logout = false).unwrap();
    assert!(upstream(&c, "elster").is_none(), "switched off");
    // An SLO override where the metadata offers none is a mistake, said at start-up.
    let p = problems(|c| c.upstream_mut("eid").slo_url = Some("https://eid.example/slo".into()));
    assert!(
        p.contains("saml.upstreams[0] (eid).slo_url: the IdP metadata has no SingleLogoutService"),
        "{p}"
    );
}
