//! Unit tests of the LogoutRequest builder: the fields of Core §3.7.1 in schema order, the NameID
//! exactly as received (escaped), and the Redirect encoding inflating back to the same XML.

use super::*;
use crate::saml::test_support::dev_sp;

fn session() -> UpstreamSession {
    UpstreamSession::Saml {
        name_id: "nezo-acc-<3c0ffee0>".into(),
        format: Some("urn:oasis:names:tc:SAML:2.0:nameid-format:persistent".into()),
        name_qualifier: Some("urn:elster:idp".into()),
        sp_name_qualifier: Some("urn:sp".into()),
        session_index: Some("_s&1".into()),
    }
}

#[test]
fn logout_request_names_subject_and_session_as_received() {
    let sp = dev_sp();
    let id = RequestId::generate();
    let dest = Url::parse("https://idp.example/slo").unwrap();
    let s = session();
    let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_796_119_200);
    let xml = logout_request_xml(&LogoutParams {
        id: &id,
        issuer: &sp.entity_id,
        destination: &dest,
        session: &SamlSession::of(&s).unwrap(),
        now,
    });
    let doc = roxmltree::Document::parse(&xml).unwrap();
    let r = doc.root_element();
    assert_eq!((r.tag_name().namespace(), r.tag_name().name()), (Some(SAMLP_NS), "LogoutRequest"));
    assert_eq!(r.attribute("ID"), Some(id.as_str()));
    assert_eq!(r.attribute("Version"), Some("2.0"));
    assert_eq!(r.attribute("IssueInstant"), Some("2026-12-01T10:00:00Z"));
    assert_eq!(r.attribute("NotOnOrAfter"), Some("2026-12-01T10:02:00Z"));
    assert_eq!(r.attribute("Destination"), Some("https://idp.example/slo"));
    let kids: Vec<_> = r.children().filter(|n| n.is_element()).collect();
    let names: Vec<_> = kids.iter().map(|n| n.tag_name().name()).collect();
    assert_eq!(names, ["Issuer", "NameID", "SessionIndex"]);
    assert_eq!(kids[0].text(), Some(sp.entity_id.as_str()));
    assert_eq!(kids[1].text(), Some("nezo-acc-<3c0ffee0>"));
    assert_eq!(
        kids[1].attribute("Format"),
        Some("urn:oasis:names:tc:SAML:2.0:nameid-format:persistent")
    );
    assert_eq!(kids[1].attribute("NameQualifier"), Some("urn:elster:idp"));
    assert_eq!(kids[1].attribute("SPNameQualifier"), Some("urn:sp"));
    assert_eq!(kids[2].text(), Some("_s&1"));
}

#[test]
fn without_qualifiers_or_session_index_nothing_is_invented() {
    let s = UpstreamSession::Saml {
        name_id: "x".into(),
        format: None,
        name_qualifier: None,
        sp_name_qualifier: None,
        session_index: None,
    };
    let xml = logout_request_xml(&LogoutParams {
        id: &RequestId::generate(),
        issuer: "urn:sp",
        destination: &Url::parse("https://idp.example/slo").unwrap(),
        session: &SamlSession::of(&s).unwrap(),
        now: SystemTime::now(),
    });
    assert!(xml.contains("<saml2:NameID>x</saml2:NameID></saml2p:LogoutRequest>"), "{xml}");
    assert!(SamlSession::of(&UpstreamSession::Oidc { id_token: "t".into() }).is_none());
}

#[test]
fn redirect_message_inflates_back_and_bombs_stop() {
    let xml = "<a>".to_owned() + &"b".repeat(1000) + "</a>";
    assert_eq!(inflate(&deflate_b64(&xml).unwrap()).unwrap(), xml.as_bytes());
    let bomb = deflate_b64(&"x".repeat(saml_xmlsec::xml::MAX_DOCUMENT_BYTES + 10)).unwrap();
    assert!(inflate(&bomb).is_none());
    assert!(inflate("not base64!").is_none());
}
