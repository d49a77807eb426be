//! Trust anchors: PEM, ETSI TS 119 602 lists (JSON, JWS, XML), `aki` values, chains.

use super::*;
use crate::eudi::verify::tests::{dev_issuer, foreign_issuer};

fn dev_ca_pem() -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("certs/dev/eudi/pid-ca.crt")).unwrap()
}

fn dev_ca_b64() -> String {
    dev_ca_pem().lines().filter(|l| !l.starts_with("-----")).collect()
}

fn lote(service: &str) -> serde_json::Value {
    serde_json::json!({
        "ListAndSchemeInformation": { "LoTEType": "http://uri.etsi.org/19602/LoTEType/EUPIDProvidersList" },
        "TrustedEntitiesList": [{
            "TrustedEntityInformation": { "TEName": [{ "lang": "de-DE", "value": "Development PID provider" }] },
            "TrustedEntityServices": [{ "ServiceInformation": {
                "ServiceTypeIdentifier": service,
                "ServiceDigitalIdentity": { "X509Certificates": [{ "val": dev_ca_b64() }] }
            }}]
        }]
    })
}

#[test]
fn the_aki_is_the_anchors_subject_key_identifier() {
    let t = PidTrust::from_pem_anchors(dev_ca_pem().as_bytes()).unwrap();
    let (_, cert) = x509_parser::parse_x509_certificate(&t.anchors[0]).unwrap();
    let ski = cert
        .extensions()
        .iter()
        .find_map(|e| match e.parsed_extension() {
            ParsedExtension::SubjectKeyIdentifier(k) => Some(k.0.to_vec()),
            _ => None,
        })
        .unwrap();
    assert_eq!(t.akis(), vec![base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(ski)]);
}

#[test]
fn a_json_trusted_list_bare_wrapped_or_signed_gives_the_pid_provider() {
    let bare = lote("http://uri.etsi.org/19602/SvcType/PID/Issuance");
    let wrapped = serde_json::json!({ "LoTE": bare.clone() });
    let enc = |v: &serde_json::Value| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(serde_json::to_vec(v).unwrap());
    let jws = format!("{}.{}.c2ln", enc(&serde_json::json!({"alg": "ES256"})), enc(&wrapped));
    for text in [bare.to_string(), wrapped.to_string(), jws] {
        let t = PidTrust::from_trusted_list(&text).unwrap();
        assert_eq!(t.anchors.len(), 1);
        assert_eq!(t.akis(), PidTrust::from_pem_anchors(dev_ca_pem().as_bytes()).unwrap().akis());
    }
}

#[test]
fn services_other_than_pid_are_ignored() {
    let other = lote("http://uri.etsi.org/19602/SvcType/WalletProvider/Issuance");
    assert_eq!(
        PidTrust::from_trusted_list(&other.to_string()).unwrap_err(),
        WalletError::Config("no PID-provider certificate found".into())
    );
}

#[test]
fn an_xml_trusted_list_gives_the_pid_provider() {
    let xml = format!(
        r#"<?xml version="1.0"?>
<ListOfTrustedEntities xmlns="http://uri.etsi.org/019602/v1#">
  <TrustedEntitiesList><TrustedEntity><TrustedEntityServices><TrustedEntityService>
    <ServiceInformation>
      <ServiceTypeIdentifier>http://uri.etsi.org/19602/SvcType/PID/Issuance</ServiceTypeIdentifier>
      <ServiceDigitalIdentity><DigitalId><X509Certificate>{}</X509Certificate></DigitalId></ServiceDigitalIdentity>
    </ServiceInformation>
  </TrustedEntityService></TrustedEntityServices></TrustedEntity></TrustedEntitiesList>
</ListOfTrustedEntities>"#,
        dev_ca_b64()
    );
    assert_eq!(PidTrust::from_trusted_list(&xml).unwrap().anchors.len(), 1);
}

#[test]
fn garbage_is_a_configuration_error() {
    assert!(matches!(PidTrust::from_pem_anchors(b"nothing here"), Err(WalletError::Config(_))));
    assert!(matches!(PidTrust::from_trusted_list("<a>"), Err(WalletError::Config(_))));
    assert!(matches!(PidTrust::from_trusted_list("{"), Err(WalletError::Config(_))));
    assert!(matches!(
        PidTrust::from_trusted_list_file(Path::new("/nonexistent/lote.json")),
        Err(WalletError::Config(_))
    ));
}

/// x5c of a minted token, decoded.
fn x5c_of(jwt: &str) -> Vec<Vec<u8>> {
    let h: serde_json::Value = serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(jwt.split('.').next().unwrap())
            .unwrap(),
    )
    .unwrap();
    h["x5c"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| base64::engine::general_purpose::STANDARD.decode(c.as_str().unwrap()).unwrap())
        .collect()
}

#[test]
fn chains_verify_only_to_the_configured_anchor_and_within_validity() {
    let dev = dev_issuer();
    let trust = dev.trust().unwrap();
    let chain = x5c_of(&dev.sign("dc+sd-jwt", &serde_json::json!({})).unwrap());
    let now = SystemTime::now();
    let leaf = trust.verify_chain(&chain, now).unwrap();
    assert_eq!(leaf.alg(), Algorithm::ES256);
    let foreign = x5c_of(&foreign_issuer().sign("dc+sd-jwt", &serde_json::json!({})).unwrap());
    assert!(matches!(trust.verify_chain(&foreign, now), Err(WalletError::UntrustedIssuer(_))));
    let far = now + Duration::from_secs(20 * 365 * 86_400);
    assert_eq!(
        trust.verify_chain(&chain, far).unwrap_err(),
        WalletError::UntrustedIssuer("certificate expired".into())
    );
    assert!(matches!(trust.verify_chain(&[], now), Err(WalletError::UntrustedIssuer(_))));
}

#[test]
fn a_leaf_listed_itself_is_trusted_directly_within_its_validity() {
    let dev = dev_issuer();
    let chain = x5c_of(&dev.sign("dc+sd-jwt", &serde_json::json!({})).unwrap());
    let trust = PidTrust::from_ders(vec![chain[0].clone()]).unwrap();
    assert!(trust.verify_chain(&chain, SystemTime::now()).is_ok());
    assert!(trust.verify_chain(&chain, UNIX_EPOCH).is_err());
}
