//! SAML attack suite (issue 4 item 8, eid-saml.md §5): each manipulated Response — produced by the
//! independent Python peer, so the attack is built on real signxml/cryptography output — must end in
//! one specific rejection from `verify_response`. docs/saml.md lists which check stops which attack.

use std::time::Duration;

use saml_xmlsec::{DsigError, ResponseError, XmlEncError, XmlError};
use serde_json::{json, Value};

use crate::saml_interop::{fixture, now, produce, verify, verify_at};

fn rejected(test: &str, overrides: Value) -> Option<ResponseError> {
    let xml = produce(test, overrides)?;
    Some(verify(&xml).expect_err(test))
}

fn attack(name: &str) -> Option<ResponseError> {
    rejected(name, json!({"attack": name}))
}

fn attacker_signed() -> Value {
    json!({"signing_key": fixture("attacker-rsa.key"), "signing_cert": fixture("attacker-rsa.crt")})
}

/// `$got` must be the rejection `$pat`. `None` (no Response was produced) fails the test: it is
/// accepted only in a run that opted out with `BK_ALLOW_SKIP=1`, where the peer gate has already
/// noted the skip on stderr.
macro_rules! expect {
    ($got:expr, $pat:pat) => {
        match $got {
            Some(e) => assert!(matches!(e, $pat), "unexpected rejection {e:?}"),
            None => assert!(
                crate::peers::skip_allowed(),
                "no Response to check: the attack did not run (missing peer without BK_ALLOW_SKIP=1)"
            ),
        }
    };
}

// --- signature exclusion and foreign keys ------------------------------------------------------

#[test]
fn saml_attack_signature_removed() {
    expect!(attack("remove_signature"), ResponseError::Signature(DsigError::Missing));
}

#[test]
fn saml_attack_never_signed() {
    expect!(
        rejected("unsigned", json!({"signer": "none"})),
        ResponseError::Signature(DsigError::Missing)
    );
}

#[test]
fn saml_attack_empty_signature_value() {
    expect!(attack("empty_signature"), ResponseError::Signature(DsigError::BadSignature));
}

#[test]
fn saml_attack_untrusted_key() {
    expect!(
        rejected("untrusted_key", attacker_signed()),
        ResponseError::Signature(DsigError::BadSignature)
    );
}

#[test]
fn saml_attack_attacker_certificate_in_key_info() {
    let mut o = attacker_signed();
    o["include_cert"] = json!(true);
    expect!(rejected("keyinfo_cert", o), ResponseError::Signature(DsigError::BadSignature));
}

#[test]
fn saml_attack_attacker_ec_key_with_key_value() {
    let o = json!({"signing_key": fixture("attacker-ec.key"), "sig_alg": "ecdsa-sha256"});
    expect!(rejected("attacker_ec", o), ResponseError::Signature(DsigError::BadSignature));
}

#[test]
fn saml_attack_signed_content_tampered() {
    expect!(attack("tamper_attribute"), ResponseError::Signature(DsigError::DigestMismatch));
}

// --- XML signature wrapping (SAMLRaider XSW1–8, XSW10) -------------------------------------------

#[test]
fn saml_attack_xsw1_response_clone_inside_signature() {
    // Stopped by the Signature shape (no foreign child); the Reference would also miss the root ID.
    expect!(attack("xsw1"), ResponseError::Signature(DsigError::Malformed(_)));
}

#[test]
fn saml_attack_xsw2_response_clone_before_signature() {
    expect!(attack("xsw2"), ResponseError::Signature(DsigError::ReferenceTarget));
}

#[test]
fn saml_attack_xsw3_evil_assertion_before() {
    expect!(attack("xsw3"), ResponseError::Signature(DsigError::DigestMismatch));
}

#[test]
fn saml_attack_xsw4_evil_assertion_around() {
    expect!(attack("xsw4"), ResponseError::Signature(DsigError::DigestMismatch));
}

#[test]
fn saml_attack_xsw5_evil_assertion_after() {
    expect!(attack("xsw5"), ResponseError::Signature(DsigError::DigestMismatch));
}

#[test]
fn saml_attack_xsw6_evil_assertion_inside_signature() {
    expect!(attack("xsw6"), ResponseError::Signature(DsigError::Malformed(_)));
}

#[test]
fn saml_attack_xsw7_evil_assertion_in_extensions() {
    expect!(attack("xsw7"), ResponseError::Signature(DsigError::DigestMismatch));
}

#[test]
fn saml_attack_xsw8_evil_assertion_in_ds_object() {
    expect!(attack("xsw8"), ResponseError::Signature(DsigError::Malformed(_)));
}

#[test]
fn saml_attack_evil_assertion_in_key_info_outside_the_digest() {
    // KeyInfo is not covered by the enveloped Reference: the "no plain Assertion anywhere" rule stops it.
    expect!(attack("evil_in_keyinfo"), ResponseError::AssertionCount);
}

#[test]
fn saml_attack_xsw10_assertion_signature_moved_to_response() {
    // An IdP-signed Assertion's signature placed at Response level: its Reference is not the root ID.
    expect!(attack("reference_other_id"), ResponseError::Signature(DsigError::ReferenceTarget));
}

// --- assertion count -------------------------------------------------------------------------------

#[test]
fn saml_attack_second_encrypted_assertion_by_attacker() {
    // Anyone can encrypt to our certificate; inside the signed Response it breaks the digest …
    expect!(
        attack("second_encrypted_assertion"),
        ResponseError::Signature(DsigError::DigestMismatch)
    );
}

#[test]
fn saml_attack_second_encrypted_assertion_in_key_info() {
    // … and outside the digest (KeyInfo) the count rule stops it.
    expect!(attack("second_encrypted_in_keyinfo"), ResponseError::AssertionCount);
}

#[test]
fn saml_attack_plain_assertion_beside_encrypted_unsigned() {
    expect!(attack("plain_beside_unsigned"), ResponseError::Signature(DsigError::DigestMismatch));
}

#[test]
fn saml_attack_plain_assertion_beside_encrypted_signed() {
    expect!(attack("plain_beside"), ResponseError::AssertionCount);
}

#[test]
fn saml_attack_plain_assertion_instead_of_encrypted() {
    expect!(attack("plain_instead"), ResponseError::AssertionCount);
}

// --- algorithm downgrade ---------------------------------------------------------------------------

#[test]
fn saml_attack_rsa_sha1_signature_method() {
    expect!(attack("rsa_sha1"), ResponseError::Signature(DsigError::SignatureAlgorithm(_)));
}

#[test]
fn saml_attack_hmac_signature_method() {
    expect!(attack("hmac"), ResponseError::Signature(DsigError::SignatureAlgorithm(_)));
}

#[test]
fn saml_attack_pkcs1_rsa_sha256_where_pss_is_required() {
    expect!(
        rejected("pkcs1", json!({"sig_alg": "rsa-sha256"})),
        ResponseError::Signature(DsigError::SignatureAlgorithm(_))
    );
}

#[test]
fn saml_attack_pkcs1_via_xmlsec1() {
    if !crate::peers::require_xmlsec1() {
        return;
    }
    let o = json!({"sig_alg": "rsa-sha256", "signer": "xmlsec1"});
    expect!(
        rejected("pkcs1_xmlsec1", o),
        ResponseError::Signature(DsigError::SignatureAlgorithm(_))
    );
}

#[test]
fn saml_attack_sha1_digest() {
    expect!(attack("sha1_digest"), ResponseError::Signature(DsigError::DigestAlgorithm(_)));
}

#[test]
fn saml_attack_rsa_1_5_key_transport() {
    expect!(
        rejected("rsa_1_5", json!({"key_transport": "rsa-1_5"})),
        ResponseError::Decryption(XmlEncError::Decryption)
    );
}

#[test]
fn saml_attack_rsa_oaep_mgf1p_sha1_key_transport() {
    expect!(
        rejected("oaep_sha1", json!({"key_transport": "rsa-oaep-mgf1p"})),
        ResponseError::Decryption(XmlEncError::Decryption)
    );
}

#[test]
fn saml_attack_aes_cbc_data_encryption() {
    expect!(
        rejected("aes_cbc", json!({"data_enc": "aes256-cbc"})),
        ResponseError::Decryption(XmlEncError::Decryption)
    );
}

#[test]
fn saml_attack_3des_data_encryption() {
    expect!(
        rejected("3des", json!({"data_enc": "tripledes-cbc"})),
        ResponseError::Decryption(XmlEncError::Decryption)
    );
}

#[test]
fn saml_attack_encrypted_to_someone_else() {
    let o = json!({"recipient_cert": fixture("attacker-rsa.crt")});
    expect!(rejected("foreign_recipient", o), ResponseError::Decryption(XmlEncError::Decryption));
}

// --- References and transforms -------------------------------------------------------------------

#[test]
fn saml_attack_several_references() {
    expect!(attack("two_references"), ResponseError::Signature(DsigError::ReferenceCount));
}

#[test]
fn saml_attack_xpath_transform() {
    expect!(attack("xpath_transform"), ResponseError::Signature(DsigError::Transform(_)));
}

#[test]
fn saml_attack_with_comments_transform() {
    expect!(attack("with_comments_transform"), ResponseError::Signature(DsigError::Transform(_)));
}

#[test]
fn saml_attack_with_comments_canonicalization() {
    expect!(
        attack("with_comments_c14n"),
        ResponseError::Signature(DsigError::Canonicalization(_))
    );
}

#[test]
fn saml_attack_duplicate_ids() {
    expect!(attack("duplicate_id"), ResponseError::Signature(DsigError::DuplicateId));
}

// --- parser differentials ------------------------------------------------------------------------

#[test]
fn saml_attack_doctype_with_external_entity() {
    expect!(attack("doctype"), ResponseError::Xml(XmlError::Doctype));
}

// --- binding to our request, our endpoint, our entity, this time ---------------------------------

#[test]
fn saml_attack_wrong_in_response_to() {
    expect!(
        rejected("irt_wrong", json!({"in_response_to": "_other", "sc_in_response_to": "_other"})),
        ResponseError::InResponseTo
    );
}

#[test]
fn saml_attack_missing_in_response_to_unsolicited() {
    expect!(
        rejected("irt_missing", json!({"in_response_to": "-", "sc_in_response_to": "-"})),
        ResponseError::InResponseTo
    );
}

#[test]
fn saml_attack_subject_confirmation_in_response_to_differs() {
    let e = rejected("sc_irt", json!({"sc_in_response_to": "_other"}));
    expect!(e, ResponseError::SubjectConfirmation("InResponseTo"));
}

#[test]
fn saml_attack_wrong_destination() {
    expect!(
        rejected("destination", json!({"destination": "https://other-sp.example/acs"})),
        ResponseError::Destination
    );
}

#[test]
fn saml_attack_missing_destination() {
    expect!(
        rejected(
            "no_destination",
            json!({"destination": "-", "recipient": "https://broker.example/saml/acs"})
        ),
        ResponseError::Destination
    );
}

#[test]
fn saml_attack_wrong_recipient() {
    let e = rejected("recipient", json!({"recipient": "https://other-sp.example/acs"}));
    expect!(e, ResponseError::SubjectConfirmation("Recipient"));
}

#[test]
fn saml_attack_wrong_audience() {
    expect!(
        rejected("audience", json!({"audience": "https://other-sp.example"})),
        ResponseError::Audience
    );
}

#[test]
fn saml_attack_wrong_response_issuer() {
    expect!(
        rejected("issuer", json!({"issuer": "https://evil.example/idp"})),
        ResponseError::Issuer
    );
}

#[test]
fn saml_attack_wrong_assertion_issuer() {
    expect!(
        rejected("assertion_issuer", json!({"assertion_issuer": "https://evil.example/idp"})),
        ResponseError::Issuer
    );
}

#[test]
fn saml_attack_expired_assertion() {
    let Some(xml) = produce("expired", json!({})) else { return };
    // 10:05 + 60 s skew is the last moment of the bearer confirmation.
    let late = now() + Duration::from_secs(5 * 60 + 60 - 30);
    assert_eq!(verify_at(&xml, late).err(), Some(ResponseError::SubjectConfirmation("expired")));
    let o = json!({"not_on_or_after": "2026-12-01T09:58:00Z", "sc_not_on_or_after": "2026-12-01T10:05:00Z"});
    expect!(rejected("conditions_expired", o), ResponseError::Time("expired"));
}

#[test]
fn saml_attack_not_yet_valid() {
    expect!(
        rejected("not_yet_valid", json!({"not_before": "2026-12-01T10:02:00Z"})),
        ResponseError::Time("not yet valid")
    );
}

#[test]
fn saml_attack_skew_within_60_seconds_is_accepted() {
    // NotBefore 60 s after now is still inside the allowed skew.
    let Some(xml) = produce("skew_ok", json!({"not_before": "2026-12-01T10:01:30Z"})) else {
        return;
    };
    verify(&xml).expect("within skew");
}

// --- replay is the caller's store check ----------------------------------------------------------

#[test]
fn saml_replay_yields_the_same_assertion_id_for_the_callers_cache() {
    let Some(xml) = produce("replay", json!({})) else { return };
    let first = verify(&xml).expect("first");
    let second = verify(&xml).expect("verification itself is stateless");
    assert_eq!(first.assertion_id, second.assertion_id);
    assert_eq!(first.not_on_or_after, second.not_on_or_after);
}
