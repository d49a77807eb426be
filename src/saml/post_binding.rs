//! The HTTP-POST binding's form value (SAML Bindings §3.5.4): a `SAMLResponse` arrives
//! base64-encoded, possibly line-wrapped; the ACS and the logout endpoint decode it here.

/// Base64-decode a `SAMLResponse` form value (Bindings §3.5.4; whitespace tolerated).
pub fn decode_saml_response(b64: &str) -> Option<String> {
    // Most IdPs send one unwrapped line: decoded as it stands, without first copying 10–20 KB byte
    // by byte (that copy was 2.6 % of a login's CPU, issue 13).
    let bytes = saml_xmlsec::xml::decode_b64_lenient(b64)?;
    String::from_utf8(bytes).ok().filter(|s| !s.trim().is_empty())
}

/// A `SAMLResponse` decoded once, where it arrives (the ACS tells an unreadable form from an
/// unverified answer by decoding it; verification then takes this text instead of decoding the
/// 10–20 KB form value a second time, issue 13). Holds UTF-8 text, not yet parsed or verified.
/// Its `Debug` shows the length only: a Response may carry personal data in clear (an unencrypted
/// assertion, a status message), and what is debug-printed can end up in a log.
#[derive(Clone)]
pub struct SamlResponseXml(String);

impl std::fmt::Debug for SamlResponseXml {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SamlResponseXml({} bytes)", self.0.len())
    }
}

impl SamlResponseXml {
    /// Decode a `SAMLResponse` form value ([`decode_saml_response`]); `None`: not base64, not UTF-8
    /// or empty.
    pub fn from_form_value(b64: &str) -> Option<Self> {
        decode_saml_response(b64).map(Self)
    }

    /// The decoded text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::{decode_saml_response, SamlResponseXml};

    #[test]
    fn a_decoded_response_does_not_debug_print_its_content() {
        let b64 = base64::Engine::encode(&base64::engine::general_purpose::STANDARD, "<samlp:Response>Erika</samlp:Response>");
        let xml = SamlResponseXml::from_form_value(&b64).unwrap();
        assert_eq!(xml.as_str(), "<samlp:Response>Erika</samlp:Response>");
        assert_eq!(format!("{xml:?}"), "SamlResponseXml(38 bytes)");
    }

    #[test]
    fn a_wrapped_saml_response_decodes_and_garbage_does_not() {
        let b64 = base64::Engine::encode(&base64::engine::general_purpose::STANDARD, "<samlp:Response/>".repeat(8));
        // Line-wrapped as some IdPs send it (76 characters, CRLF), plus tabs and spaces.
        let wrapped: String = b64
            .as_bytes()
            .chunks(76)
            .map(|c| std::str::from_utf8(c).unwrap_or_default())
            .collect::<Vec<_>>()
            .join("\r\n\t ");
        assert_eq!(
            decode_saml_response(&wrapped).as_deref(),
            Some("<samlp:Response/>".repeat(8).as_str())
        );
        assert_eq!(decode_saml_response("not base64!"), None);
        // A non-ASCII space is not whitespace base64 tolerates: refused, not skipped.
        assert_eq!(decode_saml_response(&format!("{}\u{a0}", &b64[..4])), None);
        assert_eq!(decode_saml_response("   "), None, "empty after whitespace");
    }
}
