//! Unit tests of `logout::verify_logout_response`: each check on a LogoutResponse signed with the
//! test IdP key (enveloped), and what is refused.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use super::*;
use crate::dsig::sign_enveloped;
use crate::errors::DsigError;
use crate::{Certificate, PrivateKey};

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

fn exp() -> LogoutExpectations {
    LogoutExpectations {
        issuer: "https://idp.example".into(),
        in_response_to: "_lr1".into(),
        destination: "https://broker.example/logout/return".into(),
        idp_signing_certs: vec![Certificate::from_pem(&fixture("idp-ec.crt")).unwrap()],
        max_skew: Duration::from_secs(60),
        allow_rsa_pkcs1: false,
    }
}

/// 2026-12-01T10:00:30Z.
fn now() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_796_119_230)
}

fn response(irt: &str, issuer: &str, dest: &str, instant: &str, status: &str) -> String {
    format!(
        r#"<samlp:LogoutResponse xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_resp" Version="2.0" IssueInstant="{instant}" Destination="{dest}" InResponseTo="{irt}"><saml:Issuer>{issuer}</saml:Issuer><samlp:Status>{status}</samlp:Status></samlp:LogoutResponse>"#
    )
}

const OK: &str = r#"<samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/>"#;

fn signed(xml: &str, key: &str) -> String {
    let key = PrivateKey::from_pem(&fixture(key)).unwrap();
    sign_enveloped(xml, "_resp", &key, SignatureAlgorithm::EcdsaSha256, None).unwrap()
}

fn good() -> String {
    response(
        "_lr1",
        "https://idp.example",
        "https://broker.example/logout/return",
        "2026-12-01T10:00:20Z",
        OK,
    )
}

#[test]
fn a_signed_success_for_our_request_is_accepted() {
    verify_logout_response(signed(&good(), "idp-ec.key"), &exp(), LogoutSignature::Enveloped, now()).unwrap();
    // Redirect binding: the caller verified the query signature; the XML needs none.
    verify_logout_response(good(), &exp(), LogoutSignature::RedirectVerified, now()).unwrap();
}

#[test]
fn unsigned_or_foreign_signed_post_is_refused() {
    let e = verify_logout_response(good(), &exp(), LogoutSignature::Enveloped, now()).unwrap_err();
    assert_eq!(e, ResponseError::Signature(DsigError::Missing));
    let e = verify_logout_response(signed(&good(), "attacker-ec.key"), &exp(), LogoutSignature::Enveloped, now()).unwrap_err();
    assert_eq!(e, ResponseError::Signature(DsigError::BadSignature));
}

#[test]
fn addressing_time_and_status_are_checked() {
    let check = |xml: String| verify_logout_response(signed(&xml, "idp-ec.key"), &exp(), LogoutSignature::Enveloped, now()).unwrap_err();
    let d = "https://broker.example/logout/return";
    let t = "2026-12-01T10:00:20Z";
    assert_eq!(
        check(response("_other", "https://idp.example", d, t, OK)),
        ResponseError::InResponseTo
    );
    assert_eq!(check(response("_lr1", "https://evil.example", d, t, OK)), ResponseError::Issuer);
    assert_eq!(
        check(response("_lr1", "https://idp.example", "https://evil.example/", t, OK)),
        ResponseError::Destination
    );
    assert_eq!(
        check(response("_lr1", "https://idp.example", d, "2026-12-01T10:05:00Z", OK)),
        ResponseError::Time("IssueInstant in the future")
    );
    assert_eq!(
        check(response("_lr1", "https://idp.example", d, "2026-12-01T09:30:00Z", OK)),
        ResponseError::Time("IssueInstant too old")
    );
    let requester = r#"<samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Requester"/>"#;
    assert!(matches!(
        check(response("_lr1", "https://idp.example", d, t, requester)),
        ResponseError::Status { ref code, .. } if code.as_str().ends_with(":Requester")
    ));
    let partial = format!(
        r#"<samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"><samlp:StatusCode Value="{STATUS_PARTIAL_LOGOUT}"/></samlp:StatusCode>"#
    );
    assert!(matches!(
        check(response("_lr1", "https://idp.example", d, t, &partial)),
        ResponseError::Status { second_level: Some(ref s), .. } if s.as_str() == STATUS_PARTIAL_LOGOUT
    ));
}

#[test]
fn not_a_logout_response_or_unsafe_xml_is_refused() {
    let e = verify_logout_response(
        good().replace("LogoutResponse", "Response"),
        &exp(),
        LogoutSignature::RedirectVerified,
        now(),
    )
    .unwrap_err();
    assert_eq!(e, ResponseError::NotALogoutResponse);
    let doctype = format!("<!DOCTYPE x [<!ENTITY a \"b\">]>{}", good());
    assert!(matches!(
        verify_logout_response(doctype, &exp(), LogoutSignature::RedirectVerified, now()),
        Err(ResponseError::Xml(_))
    ));
    // A missing Destination is allowed (Core §3.2.2: optional).
    let no_dest = good().replace(r#" Destination="https://broker.example/logout/return""#, "");
    verify_logout_response(no_dest, &exp(), LogoutSignature::RedirectVerified, now()).unwrap();
}
