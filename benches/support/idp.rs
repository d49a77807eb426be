//! The eID IdP of the benches, in the bench process: it reads the broker's signed AuthnRequest off
//! the redirect, and answers like the German eIDAS middleware (Governikus) with the library's own
//! message code (`buergerkonto::dev::eid_simulator::messages`) and `saml-xmlsec`: a Response
//! signed by the IdP whose one assertion is encrypted for our SP encryption key and not signed
//! (reference/eid-saml.md §2). Two transport variants, the two the middleware offers:
//!
//! * [`Variant::Rsa`]: RSASSA-PSS-SHA256 signature (RSA-3072), AES-256-GCM content with the key
//!   transported by RSA-OAEP (SHA-256, MGF1-SHA256) to our RSA-3072 encryption key — the keys of
//!   certs/dev (the development eID simulator's signing key and our SP encryption key).
//! * [`Variant::Ec`]: ECDSA-SHA256 (P-256) signature, AES-256-GCM with ECDH-ES (ConcatKDF,
//!   kw-aes256) to a P-256 SP encryption key; both keys generated per run with rcgen.
//!
//! Every login gets its own PersonIdentifier, so the broker holds one citizen per login (as in
//! production), not one citizen logging in a thousand times.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use buergerkonto::dev::eid_simulator::{messages, persons};
use saml_xmlsec::algorithms::SignatureAlgorithm;
use saml_xmlsec::dsig::sign_enveloped;
use saml_xmlsec::keys::{Certificate, PrivateKey};
use saml_xmlsec::xmlenc::encrypt_assertion;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// Where the broker sends the browser to the IdP (never contacted: the bench reads the redirect).
pub const SSO_URL: &str = "http://127.0.0.1:9/bench-idp/sso";
const ENTITY_ID: &str = "urn:buergerkonto:bench:eid-idp";

/// The signature and key transport of the IdP's Responses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Variant {
    /// RSA-PSS signature, RSA-OAEP-3072 key transport.
    Rsa,
    /// ECDSA signature, ECDH-ES key agreement.
    Ec,
}

impl Variant {
    /// Short name for file names and tables.
    pub fn name(self) -> &'static str {
        match self {
            Self::Rsa => "rsa3072",
            Self::Ec => "ecdh-es",
        }
    }

    /// What the variant is, for the table.
    pub fn describe(self) -> &'static str {
        match self {
            Self::Rsa => "RSA-PSS + RSA-OAEP-3072",
            Self::Ec => "ECDSA P-256 + ECDH-ES",
        }
    }
}

/// The IdP's keys and the files the broker's configuration names.
pub struct Idp {
    /// The transport variant.
    pub variant: Variant,
    key: PrivateKey,
    alg: SignatureAlgorithm,
    sp_encryption: Certificate,
    /// The IdP metadata file (entity ID, signing certificate, SSO URL).
    pub metadata: PathBuf,
    /// Our SP encryption key (PKCS#8 PEM) for the broker's `[saml] encryption_key`.
    pub sp_encryption_key: PathBuf,
    /// Its certificate.
    pub sp_encryption_cert: PathBuf,
}

fn read(path: &Path) -> Result<Vec<u8>, String> {
    std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))
}

fn write(path: &Path, text: &str) -> Result<(), String> {
    std::fs::write(path, text).map_err(|e| format!("{}: {e}", path.display()))
}

/// A P-256 key (PKCS#8 PEM) and its self-signed certificate (PEM), written into `dir`.
fn ec_pair(dir: &Path, name: &str) -> Result<(PathBuf, PathBuf), String> {
    let kp = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).map_err(|e| e.to_string())?;
    let cert = rcgen::CertificateParams::new(vec![format!("{name}.bench.invalid")])
        .and_then(|p| p.self_signed(&kp))
        .map_err(|e| e.to_string())?;
    let (key, crt) = (dir.join(format!("{name}.key")), dir.join(format!("{name}.crt")));
    write(&key, &kp.serialize_pem())?;
    write(&crt, &cert.pem())?;
    Ok((key, crt))
}

impl Idp {
    /// Keys and metadata of `variant`, files written into `dir`.
    pub fn new(variant: Variant, dir: &Path) -> Result<Idp, String> {
        let root = Path::new(super::broker::ROOT);
        let (idp_key, idp_cert, sp_key, sp_cert, alg) = match variant {
            Variant::Rsa => (
                root.join("certs/dev/eid-simulator-signing.key"),
                root.join("certs/dev/eid-simulator-signing.crt"),
                root.join("certs/dev/sp-encryption.key"),
                root.join("certs/dev/sp-encryption.crt"),
                SignatureAlgorithm::RsaPssSha256,
            ),
            Variant::Ec => {
                let (ik, ic) = ec_pair(dir, "idp-signing")?;
                let (sk, sc) = ec_pair(dir, "sp-encryption")?;
                (ik, ic, sk, sc, SignatureAlgorithm::EcdsaSha256)
            }
        };
        let key = PrivateKey::from_pem(&read(&idp_key)?).map_err(|e| format!("IdP key: {e}"))?;
        let cert = Certificate::from_pem(&read(&idp_cert)?).map_err(|e| format!("IdP certificate: {e}"))?;
        let sp_encryption = Certificate::from_pem(&read(&sp_cert)?).map_err(|e| format!("SP encryption certificate: {e}"))?;
        let metadata = dir.join(format!("idp-metadata-{}.xml", variant.name()));
        write(
            &metadata,
            &format!(
                r#"<?xml version="1.0" encoding="UTF-8"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" ID="_bench-idp-metadata" entityID="{ENTITY_ID}">
  <md:IDPSSODescriptor WantAuthnRequestsSigned="true" protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>{}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="{SSO_URL}"/>
  </md:IDPSSODescriptor>
</md:EntityDescriptor>
"#,
                STANDARD.encode(cert.der())
            ),
        )?;
        Ok(Idp {
            variant,
            key,
            alg,
            sp_encryption,
            metadata,
            sp_encryption_key: sp_key,
            sp_encryption_cert: sp_cert,
        })
    }

    /// Answer the AuthnRequest in the redirect `location` (HTTP-Redirect binding): the
    /// base64 `SAMLResponse` to POST to the ACS named in the request, with the echoed RelayState.
    pub fn answer(&self, location: &str) -> Result<Answer, String> {
        let url = url::Url::parse(location).map_err(|e| format!("{location}: {e}"))?;
        let param = |k: &str| url.query_pairs().find(|(n, _)| n == k).map(|(_, v)| v.into_owned());
        let request = param("SAMLRequest").ok_or("no SAMLRequest in the redirect")?;
        let relay_state = param("RelayState").ok_or("no RelayState in the redirect")?;
        let xml = messages::inflate_redirect(&request)?;
        let req = messages::parse_authn_request(&xml)?;
        let acs = req.acs_url.clone().ok_or("AuthnRequest without AssertionConsumerServiceURL")?;
        let (response_id, assertion_id) = (xml_id(), xml_id());
        let frame = messages::AnswerFrame {
            issuer: ENTITY_ID,
            acs_url: &acs,
            audience: &req.issuer,
            in_response_to: &req.id,
            response_id: &response_id,
            assertion_id: &assertion_id,
            now: SystemTime::now(),
        };
        let erika = persons::person("erika").ok_or("no test person erika")?;
        let citizen = format!("DE/DE/{}", hex(&rand::random::<[u8; 16]>()));
        let assertion = messages::assertion_xml(&frame, erika, &req.requested).replace(erika.person_identifier, &citizen);
        let encrypted = encrypt_assertion(&assertion, self.sp_encryption.public_key()).map_err(|e| e.to_string())?;
        let unsigned = messages::success_response_xml(&frame, &encrypted);
        let signed = sign_enveloped(&unsigned, &response_id, &self.key, self.alg, None).map_err(|e| e.to_string())?;
        Ok(Answer {
            acs,
            saml_response: STANDARD.encode(signed),
            relay_state,
        })
    }
}

/// What the browser POSTs to the ACS.
pub struct Answer {
    /// The ACS URL of the request.
    pub acs: String,
    /// Base64 of the signed Response.
    pub saml_response: String,
    /// The RelayState, echoed.
    pub relay_state: String,
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// A fresh `xs:ID` (160 random bits; an NCName must not start with a digit).
fn xml_id() -> String {
    format!("_{}", hex(&rand::random::<[u8; 20]>()))
}
