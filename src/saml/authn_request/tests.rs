use super::*;
use crate::saml::profile::EIDAS;
use crate::saml::sp::SignatureAlg;
use crate::saml::test_support::dev_sp;
use std::collections::HashSet;
use std::io::Read;
use std::time::{Duration, SystemTime};

fn params<'a>(
    sp: &'a ServiceProvider,
    dest: &'a Url,
    id: &'a RequestId,
    now: SystemTime,
    optional: &'a [AttributeKey],
) -> RequestParams<'a> {
    RequestParams {
        sp,
        profile: &EIDAS,
        destination: dest,
        loa_uri: "http://eidas.europa.eu/LoA/high",
        sp_type: SpType::Public,
        requester_id: None,
        optional,
        overrides: &[],
        id,
        now,
    }
}

#[test]
fn request_has_every_field_the_middleware_requires() {
    let sp = dev_sp();
    let dest: Url = "https://eid.example/sso".parse().unwrap();
    let id = RequestId::generate();
    let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
    let opt = [AttributeKey::BirthName, AttributeKey::CurrentAddress];
    let xml = authn_request_xml(&params(&sp, &dest, &id, now, &opt));
    let doc = roxmltree::Document::parse(&xml).unwrap();
    let r = doc.root_element();
    assert_eq!((r.tag_name().namespace(), r.tag_name().name()), (Some(SAMLP_NS), "AuthnRequest"));
    assert_eq!(r.attribute("ID"), Some(id.as_str()));
    assert_eq!(r.attribute("Version"), Some("2.0"));
    assert_eq!(r.attribute("IssueInstant"), Some("2023-11-14T22:13:20Z"));
    assert_eq!(r.attribute("ForceAuthn"), Some("true"));
    assert_eq!(r.attribute("IsPassive"), Some("false"));
    assert_eq!(r.attribute("Destination"), Some("https://eid.example/sso"));
    assert_eq!(r.attribute("AssertionConsumerServiceURL"), Some("http://127.0.0.1:8080/saml/acs"));
    let find = |ns: &str, local: &str| {
        doc.descendants()
            .find(|n| n.is_element() && n.tag_name().name() == local && n.tag_name().namespace() == Some(ns))
    };
    assert_eq!(find(SAML_NS, "Issuer").unwrap().text(), Some(sp.entity_id.as_str()));
    assert_eq!(find(EIDAS_NS, "SPType").unwrap().text(), Some("public"));
    let rac = find(SAMLP_NS, "RequestedAuthnContext").unwrap();
    assert_eq!(rac.attribute("Comparison"), Some("minimum"));
    assert_eq!(
        find(SAML_NS, "AuthnContextClassRef").unwrap().text(),
        Some("http://eidas.europa.eu/LoA/high")
    );
    let requested: Vec<(String, String)> = doc
        .descendants()
        .filter(|n| n.tag_name().name() == "RequestedAttribute" && n.tag_name().namespace() == Some(EIDAS_NS))
        .map(|n| {
            assert_eq!(n.attribute("NameFormat"), Some("urn:oasis:names:tc:SAML:2.0:attrname-format:uri"));
            (
                n.attribute("Name").unwrap().rsplit('/').next().unwrap().to_owned(),
                n.attribute("isRequired").unwrap().to_owned(),
            )
        })
        .collect();
    let expect = |name: &str, req: &str| assert!(requested.contains(&(name.into(), req.into())), "{name} {req} in {requested:?}");
    expect("PersonIdentifier", "true");
    expect("CurrentFamilyName", "true");
    expect("CurrentGivenName", "true");
    expect("DateOfBirth", "true");
    expect("BirthName", "false");
    expect("CurrentAddress", "false");
    assert_eq!(requested.len(), 6, "only configured attributes are requested");
    // Element order of the schema: Issuer, (Signature), Extensions, NameIDPolicy, RequestedAuthnContext.
    let order: Vec<&str> = r.children().filter(|n| n.is_element()).map(|n| n.tag_name().name()).collect();
    assert_eq!(order, ["Issuer", "Extensions", "NameIDPolicy", "RequestedAuthnContext"]);
}

#[test]
fn private_sp_sends_requester_id() {
    let sp = dev_sp();
    let dest: Url = "https://eid.example/sso".parse().unwrap();
    let id = RequestId::generate();
    let mut p = params(&sp, &dest, &id, SystemTime::now(), &[]);
    p.sp_type = SpType::Private;
    p.requester_id = Some("urn:private & co");
    let xml = authn_request_xml(&p);
    assert!(xml.contains("<eidas:SPType>private</eidas:SPType>"));
    assert!(xml.contains("<saml2p:RequesterID>urn:private &amp; co</saml2p:RequesterID>"));
    roxmltree::Document::parse(&xml).unwrap();
}

#[test]
fn request_ids_have_at_least_128_random_bits_and_are_xs_ids() {
    let ids: HashSet<String> = (0..2000).map(|_| RequestId::generate().as_str().to_owned()).collect();
    assert_eq!(ids.len(), 2000);
    for id in &ids {
        assert!(id.starts_with('_'));
        let hex = &id[1..];
        assert!(hex.len() * 4 >= 128 && hex.bytes().all(|b| b.is_ascii_hexdigit()), "{id}");
    }
    // Every hex position varies (a crude check that the bits are not constant).
    for pos in 1..41 {
        let chars: HashSet<u8> = ids.iter().map(|i| i.as_bytes()[pos]).collect();
        assert!(chars.len() > 8, "position {pos} barely varies");
    }
}

#[test]
fn pkcs1_rsa_sha256_is_never_a_signing_algorithm() {
    assert!(SignatureAlg::from_config("rsa-sha256").is_err());
    assert!(SignatureAlg::from_config("rsa-sha1").is_err());
    for alg in [SignatureAlg::EcdsaSha256, SignatureAlg::RsaPssSha256] {
        assert_ne!(alg.uri(), "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256");
        assert!(!alg.uri().ends_with("#rsa-sha256"));
    }
    // Key strength: an RSA-2048 key is refused for PSS, an EC key for PSS.
    let rsa2048 = {
        use aws_lc_rs::encoding::{AsDer, Pkcs8V1Der};
        let kp = aws_lc_rs::rsa::KeyPair::generate(aws_lc_rs::rsa::KeySize::Rsa2048).unwrap();
        let pkcs8: Pkcs8V1Der<'_> = kp.as_der().unwrap();
        saml_xmlsec::PrivateKey::from_pkcs8_der(pkcs8.as_ref()).unwrap()
    };
    assert!(SignatureAlg::RsaPssSha256.check_key(&rsa2048).is_err());
    assert!(SignatureAlg::RsaPssSha256.check_key(&dev_sp().signing.key.0).is_err());
    assert!(SignatureAlg::EcdsaSha256.check_key(&dev_sp().signing.key.0).is_ok());
    assert!(SignatureAlg::EcdsaSha256.check_key(&rsa2048).is_err());
}

#[test]
fn redirect_request_is_raw_deflate_base64() {
    let xml = "<a>ä &amp; b</a>";
    let raw = base64::Engine::decode(&base64::engine::general_purpose::STANDARD, deflate_b64(xml).unwrap()).unwrap();
    let mut out = String::new();
    flate2::read::DeflateDecoder::new(&raw[..]).read_to_string(&mut out).unwrap();
    assert_eq!(out, xml);
}

#[test]
fn the_reused_deflate_state_starts_afresh_for_each_message() {
    // The thread's state is reset per message: a long, barely compressible message (the output
    // buffer must grow) and then a short one both inflate to exactly themselves.
    let long: String = (0..20_000u32)
        .map(|i| char::from(b'a' + (i.wrapping_mul(7919) % 26) as u8))
        .collect();
    for xml in [long.as_str(), "<b/>", long.as_str(), "<c>x</c>"] {
        let raw = base64::Engine::decode(&base64::engine::general_purpose::STANDARD, deflate_b64(xml).unwrap()).unwrap();
        let mut out = String::new();
        flate2::read::DeflateDecoder::new(&raw[..]).read_to_string(&mut out).unwrap();
        assert_eq!(out, xml);
    }
}

/// Independent check of the Redirect-binding signature: aws-lc-rs verifies the DER ECDSA value (the
/// JCA/OpenSAML convention) over the exact signed octets, and the Python `cryptography` peer
/// (tests/peers/verify_redirect.py) does the same from the URL alone.
#[test]
fn redirect_signature_verifies_independently() {
    let sp = dev_sp();
    let dest: Url = "https://eid.example/sso".parse().unwrap();
    let id = RequestId::generate();
    let url = redirect_url(&params(&sp, &dest, &id, SystemTime::now(), &[]), "relay-1").unwrap();
    let query = url.query().unwrap();
    let (signed, sig) = query.rsplit_once("&Signature=").unwrap();
    let sig: String = url::form_urlencoded::parse(format!("s={sig}").as_bytes())
        .next()
        .unwrap()
        .1
        .into_owned();
    let der = base64::Engine::decode(&base64::engine::general_purpose::STANDARD, sig).unwrap();
    assert_eq!(der[0], 0x30, "DER SEQUENCE");
    let keys: Vec<&str> = signed.split('&').map(|p| p.split('=').next().unwrap()).collect();
    assert_eq!(keys, ["SAMLRequest", "RelayState", "SigAlg"], "Bindings §3.4.4.1 order");
    let public = aws_lc_rs::signature::UnparsedPublicKey::new(
        &aws_lc_rs::signature::ECDSA_P256_SHA256_ASN1,
        sp.signing.cert.public_key().key_bytes(),
    );
    assert!(public.verify(signed.as_bytes(), &der).is_ok());
    assert!(
        public.verify(signed.replace("relay-1", "relay-2").as_bytes(), &der).is_err(),
        "a tampered RelayState must not verify"
    );

    let cert = concat!(env!("CARGO_MANIFEST_DIR"), "/certs/dev/sp-signing.crt");
    let peer = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/peers/verify_redirect.py");
    let ok = std::process::Command::new("python3")
        .args([peer, cert, url.as_str()])
        .status()
        .unwrap();
    assert!(ok.success(), "python cryptography rejected our Redirect signature");
    let tampered = url.as_str().replace("relay-1", "relay-2");
    let bad = std::process::Command::new("python3")
        .args([peer, cert, &tampered])
        .status()
        .unwrap();
    assert!(!bad.success());
}
