use super::*;
use crate::eudi::request::EncryptionKey;
use crate::keys::jwe::encrypt_ecdh_es_p256;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;

struct Txn {
    key: EncryptionKey,
}

impl Txn {
    fn new() -> Self {
        Self {
            key: EncryptionKey::generate().unwrap(),
        }
    }
    fn jwe_key(&self) -> JweKey {
        JweKey::from_pkcs8(&self.key.pkcs8).unwrap()
    }
    fn point(&self) -> Vec<u8> {
        let x = URL_SAFE_NO_PAD.decode(self.key.jwk["x"].as_str().unwrap()).unwrap();
        let y = URL_SAFE_NO_PAD.decode(self.key.jwk["y"].as_str().unwrap()).unwrap();
        [vec![4u8], x, y].concat()
    }
    fn form(&self, payload: &Value, enc: ContentEncryption, kid: Option<&str>) -> ResponseForm {
        let jwe = encrypt_ecdh_es_p256(payload.to_string().as_bytes(), &self.point(), enc, kid).unwrap();
        ResponseForm {
            response: Some(jwe),
            plaintext: false,
        }
    }
}

fn vp() -> Value {
    serde_json::json!({"vp_token": {"pid": ["a~b~c"]}, "state": "st"})
}

#[test]
fn an_encrypted_response_with_our_kid_and_state_opens_with_either_enc() {
    let t = Txn::new();
    for enc in [ContentEncryption::A128Gcm, ContentEncryption::A256Gcm] {
        let got = open(&t.form(&vp(), enc, Some(&t.key.kid)), &t.jwe_key(), &t.key.kid, "st").unwrap();
        assert_eq!(got, WalletAnswer::VpToken(serde_json::json!({"pid": ["a~b~c"]})));
    }
    let declined = serde_json::json!({"error": "access_denied", "state": "st"});
    let got = open(
        &t.form(&declined, ContentEncryption::A128Gcm, Some(&t.key.kid)),
        &t.jwe_key(),
        &t.key.kid,
        "st",
    )
    .unwrap();
    assert_eq!(got, WalletAnswer::Error("access_denied".into()));
}

#[test]
fn plaintext_other_keys_wrong_kid_and_wrong_state_are_refused() {
    let t = Txn::new();
    let (key, kid) = (t.jwe_key(), t.key.kid.clone());
    let form = ResponseForm::from_pairs([("vp_token", "{}"), ("state", "st")]).unwrap();
    assert_eq!(open(&form, &key, &kid, "st"), Err(ResponseError::Plaintext));
    assert!(ResponseError::Plaintext.to_string().contains("direct_post.jwt"));
    assert_eq!(open(&ResponseForm::default(), &key, &kid, "st"), Err(ResponseError::Missing));
    assert!(ResponseForm::from_pairs([("response", "a"), ("response", "b")]).is_none());
    // Encrypted to another transaction's key.
    let other = Txn::new();
    let form = other.form(&vp(), ContentEncryption::A256Gcm, Some(&other.key.kid));
    assert_eq!(open(&form, &key, &kid, "st"), Err(ResponseError::Jwe(JweError::Undecryptable)));
    // Our key but no or another kid.
    assert_eq!(
        open(&t.form(&vp(), ContentEncryption::A256Gcm, None), &key, &kid, "st"),
        Err(ResponseError::WrongKid)
    );
    assert_eq!(
        open(&t.form(&vp(), ContentEncryption::A256Gcm, Some("x")), &key, &kid, "st"),
        Err(ResponseError::WrongKid)
    );
    // Another transaction's state, none, and a payload without vp_token.
    let form = t.form(&vp(), ContentEncryption::A128Gcm, Some(&kid));
    assert_eq!(open(&form, &key, &kid, "other"), Err(ResponseError::State));
    let no_state = serde_json::json!({"vp_token": {"pid": ["x"]}});
    assert_eq!(
        open(&t.form(&no_state, ContentEncryption::A128Gcm, Some(&kid)), &key, &kid, "st"),
        Err(ResponseError::State)
    );
    let empty = serde_json::json!({"state": "st"});
    assert_eq!(
        open(&t.form(&empty, ContentEncryption::A128Gcm, Some(&kid)), &key, &kid, "st"),
        Err(ResponseError::Payload)
    );
}
