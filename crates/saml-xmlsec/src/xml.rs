//! Safe parsing of untrusted SAML XML.
//!
//! Refuses any `<!DOCTYPE`/`<!ENTITY`/`<!ELEMENT`… markup *before* the parser sees it (XXE, billion
//! laughs, CVE-2019-3465 style parser differentials), bounds size, node count and depth, and parses
//! with roxmltree (no DTD support at all, no network, no external entities). The same parsed tree is
//! used for canonicalization, signature checks and value extraction, so there is no second parser whose
//! view could differ from the one that was verified (CVE-2024-45409, CVE-2025-25291/25292).

use std::collections::HashSet;

use roxmltree::{Document, Node, ParsingOptions};

use super::errors::{DsigError, XmlError};

/// Largest accepted document (a GK Response with an encrypted assertion is ~10–20 KiB).
pub const MAX_DOCUMENT_BYTES: usize = 256 * 1024;
/// Largest accepted number of nodes.
pub const MAX_NODES: u32 = 20_000;
/// Deepest accepted element nesting (SAML needs about 10).
pub const MAX_DEPTH: usize = 64;

/// Namespace URIs used by the SAML layer.
pub mod ns {
    /// SAML 2.0 protocol.
    pub const SAMLP: &str = "urn:oasis:names:tc:SAML:2.0:protocol";
    /// SAML 2.0 assertion.
    pub const SAML: &str = "urn:oasis:names:tc:SAML:2.0:assertion";
    /// XML-DSig.
    pub const DS: &str = "http://www.w3.org/2000/09/xmldsig#";
    /// XML-DSig 1.1 (ECKeyValue).
    pub const DSIG11: &str = "http://www.w3.org/2009/xmldsig11#";
    /// XML-Enc.
    pub const XENC: &str = "http://www.w3.org/2001/04/xmlenc#";
    /// XML-Enc 1.1.
    pub const XENC11: &str = "http://www.w3.org/2009/xmlenc11#";
    /// Exclusive c14n (InclusiveNamespaces element).
    pub const EXC_C14N: &str = "http://www.w3.org/2001/10/xml-exc-c14n#";
}

/// Checks size, encoding and the absence of markup declarations, returning the text to parse.
pub fn check_bytes(bytes: &[u8]) -> Result<&str, XmlError> {
    if bytes.len() > MAX_DOCUMENT_BYTES {
        return Err(XmlError::TooLarge);
    }
    let text = std::str::from_utf8(bytes).map_err(|_| XmlError::NotUtf8)?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    // Any `<!` other than a comment or CDATA section is a markup declaration (DOCTYPE, ENTITY,
    // ELEMENT, ATTLIST, NOTATION). Refused textually so no parser ever processes one.
    let mut rest = text;
    while let Some(pos) = rest.find("<!") {
        let after = &rest[pos + 2..];
        if !(after.starts_with("--") || after.starts_with("[CDATA[")) {
            return Err(XmlError::Doctype);
        }
        rest = after;
    }
    Ok(text)
}

/// Parses untrusted XML text (already passed through [`check_bytes`]) with the limits above.
pub fn parse(text: &str) -> Result<Document<'_>, XmlError> {
    let opts = ParsingOptions {
        allow_dtd: false,
        nodes_limit: MAX_NODES,
    };
    let doc = Document::parse_with_options(text, opts).map_err(|e| match e {
        roxmltree::Error::DtdDetected => XmlError::Doctype,
        other => XmlError::Malformed(other.to_string().into()),
    })?;
    check_depth(&doc)?;
    Ok(doc)
}

/// Convenience: [`check_bytes`] then [`parse`].
pub fn parse_bytes(bytes: &[u8]) -> Result<Document<'_>, XmlError> {
    parse(check_bytes(bytes)?)
}

fn check_depth(doc: &Document<'_>) -> Result<(), XmlError> {
    // Document order visits a parent before its children, so one pass with a depth table suffices.
    let mut depth = vec![0usize; doc.descendants().count() + 1];
    for node in doc.descendants() {
        let d = node
            .parent()
            .map(|p| depth.get(p.id().get_usize()).copied().unwrap_or(0) + 1)
            .unwrap_or(0);
        if d > MAX_DEPTH {
            return Err(XmlError::TooDeep);
        }
        if let Some(slot) = depth.get_mut(node.id().get_usize()) {
            *slot = d;
        }
    }
    Ok(())
}

/// Refuses documents in which an ID-like attribute value (`ID`, `Id`, `id`, `AssertionID`) occurs twice:
/// a Reference must resolve to exactly one element whatever ID semantics the producer assumed.
pub fn check_unique_ids(doc: &Document<'_>) -> Result<(), DsigError> {
    let mut seen = HashSet::new();
    for node in doc.descendants().filter(Node::is_element) {
        for attr in node.attributes() {
            if attr.namespace().is_none() && matches!(attr.name(), "ID" | "Id" | "id" | "AssertionID") && !seen.insert(attr.value()) {
                return Err(DsigError::DuplicateId);
            }
        }
    }
    Ok(())
}

/// Whether `node` is the element `{ns}local`.
pub fn is(node: Node<'_, '_>, ns: &str, local: &str) -> bool {
    node.is_element() && node.tag_name().name() == local && node.tag_name().namespace() == Some(ns)
}

/// Element children of `node`.
pub fn elements<'a, 'i>(node: Node<'a, 'i>) -> impl Iterator<Item = Node<'a, 'i>> {
    node.children().filter(Node::is_element)
}

/// The element children `{ns}local` of `node`.
pub fn children_named<'a, 'i>(node: Node<'a, 'i>, ns: &'a str, local: &'a str) -> impl Iterator<Item = Node<'a, 'i>> + 'a
where
    'i: 'a,
{
    node.children().filter(move |c| is(*c, ns, local))
}

/// The single element child `{ns}local`, `None` if absent or repeated.
pub fn only_child<'a, 'i>(node: Node<'a, 'i>, ns: &'a str, local: &'a str) -> Option<Node<'a, 'i>>
where
    'i: 'a,
{
    let mut it = children_named(node, ns, local);
    let first = it.next()?;
    it.next().is_none().then_some(first)
}

/// The full text content of an element: every descendant text node concatenated.
///
/// Comments split text nodes (`ABC<!---->DEF`); a reader taking only the first text node would see
/// `ABC` while c14n-without-comments signed `ABCDEF` (CVE-2017-11427 family). Concatenating all of
/// them yields exactly the signed value.
pub fn text_content(node: Node<'_, '_>) -> String {
    node.descendants().filter(Node::is_text).filter_map(|t| t.text()).collect()
}

/// Base64 (the `ds:base64Binary` of XML-DSig §4.0.1 and XML-Enc) with XML whitespace tolerated:
/// element content is often line-wrapped. Base64 is ASCII, so dropping ASCII whitespace byte by
/// byte is exact (anything else fails the decoding); text without whitespace — the usual case —
/// is decoded as it stands, without a copy.
pub fn decode_b64_lenient(text: &str) -> Option<Vec<u8>> {
    use base64::{engine::general_purpose::STANDARD, Engine as _};
    if !text.bytes().any(|b| b.is_ascii_whitespace()) {
        return STANDARD.decode(text).ok();
    }
    let compact: Vec<u8> = text.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
    STANDARD.decode(compact).ok()
}

/// The qualified name (`prefix:local` or `local`) of an element as written in the source, which
/// roxmltree does not keep but c14n needs (the prefix is part of the canonical form).
pub fn element_qname<'i>(node: Node<'_, 'i>) -> &'i str {
    let text = node.document().input_text();
    let start = node.range().start + 1;
    let rest = text.get(start..).unwrap_or("");
    let end = rest.find(|c: char| c.is_whitespace() || c == '/' || c == '>').unwrap_or(rest.len());
    &rest[..end]
}

/// The prefix of an element as written (`None` for an unprefixed name).
pub fn element_prefix<'i>(node: Node<'_, 'i>) -> Option<&'i str> {
    element_qname(node).split_once(':').map(|(p, _)| p)
}

/// The qualified name of an attribute as written.
pub fn attribute_qname<'i>(node: Node<'_, 'i>, attr: &roxmltree::Attribute<'_, 'i>) -> &'i str {
    node.document().input_text().get(attr.range_qname()).unwrap_or(attr.name())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doctype_and_entities_are_refused_before_parsing() {
        for bad in [
            r#"<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>"#,
            "<!DOCTYPE r><r/>",
            r#"<r><![CDATA[x]]><!ENTITY a "b"></r>"#,
        ] {
            assert_eq!(parse_bytes(bad.as_bytes()).err(), Some(XmlError::Doctype), "{bad}");
        }
    }

    #[test]
    fn base64_tolerates_ascii_whitespace_only() {
        assert_eq!(decode_b64_lenient("QUJD").as_deref(), Some(&b"ABC"[..]));
        assert_eq!(decode_b64_lenient("\n QU\r\nJD\t").as_deref(), Some(&b"ABC"[..]));
        // A non-ASCII space is refused, not skipped; so is anything that is not base64.
        assert_eq!(decode_b64_lenient("QU\u{a0}JD"), None);
        assert_eq!(decode_b64_lenient("QUJ*"), None);
    }

    #[test]
    fn comments_and_cdata_are_fine_and_text_is_concatenated() {
        let doc = parse_bytes(b"<r><n>ABC<!---->DEF<![CDATA[G]]></n></r>").unwrap();
        let n = doc.root_element().first_child().unwrap();
        assert_eq!(text_content(n), "ABCDEFG");
    }

    #[test]
    fn limits() {
        assert_eq!(parse_bytes(&vec![b' '; MAX_DOCUMENT_BYTES + 1]).err(), Some(XmlError::TooLarge));
        let deep = format!("{}{}", "<a>".repeat(MAX_DEPTH + 2), "</a>".repeat(MAX_DEPTH + 2));
        assert_eq!(parse_bytes(deep.as_bytes()).err(), Some(XmlError::TooDeep));
        assert_eq!(parse_bytes(b"\xff\xfe<r/>").err(), Some(XmlError::NotUtf8));
    }

    #[test]
    fn duplicate_ids_are_found() {
        let doc = parse_bytes(br#"<r ID="a"><x ID="b"/><y Id="a"/></r>"#).unwrap();
        assert_eq!(check_unique_ids(&doc), Err(DsigError::DuplicateId));
    }

    #[test]
    fn qnames_come_from_the_source() {
        let doc = parse_bytes(br#"<p:r xmlns:p="u" xmlns:q="u" q:a="1"><q:x/></p:r>"#).unwrap();
        let r = doc.root_element();
        assert_eq!(element_prefix(r), Some("p"));
        assert_eq!(element_prefix(r.first_child().unwrap()), Some("q"));
        let a = r.attributes().next().unwrap();
        assert_eq!(attribute_qname(r, &a), "q:a");
    }
}
