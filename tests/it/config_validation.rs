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
