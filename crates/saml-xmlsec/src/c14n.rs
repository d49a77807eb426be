//! Exclusive XML Canonicalization 1.0 without comments (W3C REC xml-exc-c14n-20020718) of a subtree
//! of an already parsed roxmltree document, with InclusiveNamespaces PrefixList support (§3) and
//! optional omission of one descendant (the enveloped-signature transform, XML-DSig §6.6.4).
//!
//! Why our own serializer over the parsed tree instead of libxml2's `xmlC14NExecute` or a crate that
//! takes a string: canonicalizing the very tree the checks read removes the parser-differential class
//! of signature bypass (the signed bytes and the inspected nodes cannot diverge), and needs no
//! `unsafe` FFI. The output is verified byte-for-byte against lxml/libxml2 (signxml) and xmlsec1 in
//! `tests/it/saml_interop.rs`. It is a serialization, not a cryptographic primitive.
//!
//! roxmltree has already applied the XML 1.0 normalizations c14n presumes (§2 of C14N 1.0): line
//! endings to `#xA`, attribute-value normalization (all attributes are CDATA: no DTD is accepted),
//! character and predefined entity references expanded, CDATA sections replaced by their text.

use std::collections::BTreeMap;

use roxmltree::{Node, NodeId};

use super::xml::{attribute_qname, element_prefix};

/// The exc-c14n algorithm URI (without comments).
pub const EXC_C14N: &str = "http://www.w3.org/2001/10/xml-exc-c14n#";

/// Canonicalizes `apex` and its descendants, omitting the subtree `omit` (if given) and all comments.
///
/// `inclusive_prefixes` is the InclusiveNamespaces PrefixList (`#default` for the default namespace):
/// those namespaces are treated as in inclusive c14n.
pub fn canonicalize(apex: Node<'_, '_>, inclusive_prefixes: &[&str], omit: Option<NodeId>) -> String {
    let mut out = String::new();
    // Namespaces rendered by output ancestors: prefix ("" = default) -> URI.
    let rendered = BTreeMap::new();
    write_node(apex, inclusive_prefixes, omit, &rendered, &mut out);
    out
}

fn write_node(node: Node<'_, '_>, incl: &[&str], omit: Option<NodeId>, rendered: &BTreeMap<String, String>, out: &mut String) {
    if Some(node.id()) == omit {
        return;
    }
    if node.is_text() {
        escape_text(node.text().unwrap_or(""), out);
    } else if node.is_element() {
        write_element(node, incl, omit, rendered, out);
    } else if let Some(pi) = node.pi() {
        out.push_str("<?");
        out.push_str(pi.target);
        if let Some(v) = pi.value {
            out.push(' ');
            push_normalized_line_ends(v, out);
        }
        out.push_str("?>");
    }
    // Comments are dropped (without-comments variant).
}

fn write_element(node: Node<'_, '_>, incl: &[&str], omit: Option<NodeId>, rendered: &BTreeMap<String, String>, out: &mut String) {
    let qname = super::xml::element_qname(node);
    // §3: a namespace is visibly utilized if the element's own prefix or an attribute prefix uses it.
    let mut utilized: Vec<&str> = vec![element_prefix(node).unwrap_or("")];
    let attrs: Vec<_> = node.attributes().collect();
    for a in &attrs {
        if let Some((p, _)) = attribute_qname(node, a).split_once(':') {
            if p != "xml" {
                utilized.push(p);
            }
        }
    }
    let mut mine = rendered.clone();
    let mut decls: Vec<(String, String)> = Vec::new();
    // In-scope namespaces of this element (roxmltree includes inherited ones).
    let in_scope: Vec<(String, String)> = node
        .namespaces()
        .map(|n| (n.name().unwrap_or("").to_string(), n.uri().to_string()))
        .filter(|(p, _)| p != "xml")
        .collect();
    let mut candidates: Vec<&str> = utilized.clone();
    for p in incl {
        candidates.push(if *p == "#default" { "" } else { p });
    }
    candidates.sort_unstable();
    candidates.dedup();
    for prefix in candidates {
        let uri = in_scope.iter().find(|(p, _)| p == prefix).map(|(_, u)| u.as_str()).unwrap_or("");
        let already = rendered.get(prefix).map(String::as_str).unwrap_or("");
        // The default namespace "undeclared" (xmlns="") is only emitted when an output ancestor
        // rendered a non-empty default; an unbound prefix cannot occur in namespace-well-formed input.
        if uri != already {
            decls.push((prefix.to_string(), uri.to_string()));
            mine.insert(prefix.to_string(), uri.to_string());
        }
    }
    out.push('<');
    out.push_str(qname);
    // Namespace declarations sorted by prefix, default first (sorting "" first does that).
    decls.sort();
    for (p, u) in &decls {
        if p.is_empty() {
            out.push_str(" xmlns=\"");
        } else {
            out.push_str(" xmlns:");
            out.push_str(p);
            out.push_str("=\"");
        }
        escape_attr(u, out);
        out.push('"');
    }
    // Attributes sorted by (namespace URI, local name); unqualified attributes (no URI) first.
    let mut sorted: Vec<(&str, &str, &str, &str)> = attrs
        .iter()
        .map(|a| (a.namespace().unwrap_or(""), a.name(), attribute_qname(node, a), a.value()))
        .collect();
    sorted.sort_by(|x, y| (x.0, x.1).cmp(&(y.0, y.1)));
    for (_, _, q, v) in sorted {
        out.push(' ');
        out.push_str(q);
        out.push_str("=\"");
        escape_attr(v, out);
        out.push('"');
    }
    out.push('>');
    for child in node.children() {
        write_node(child, incl, omit, &mine, out);
    }
    out.push_str("</");
    out.push_str(qname);
    out.push('>');
}

/// XML 1.0 §2.11 end-of-line handling for PI content, which roxmltree leaves as written: CR LF and
/// a lone CR become LF, as libxml2's parser does before c14n sees the PI (C14N 1.0 §2.1 presumes
/// normalized input). Without it a PI with CR LF canonicalizes differently here than at a
/// libxml2/Santuario peer: their signatures would fail, or we would sign bytes they reject.
fn push_normalized_line_ends(s: &str, out: &mut String) {
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\r' {
            if chars.peek() == Some(&'\n') {
                chars.next();
            }
            out.push('\n');
        } else {
            out.push(c);
        }
    }
}

/// C14N 1.0 §2.3 text node escaping.
fn escape_text(s: &str, out: &mut String) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\r' => out.push_str("&#xD;"),
            _ => out.push(c),
        }
    }
}

/// C14N 1.0 §2.3 attribute value escaping.
fn escape_attr(s: &str, out: &mut String) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '"' => out.push_str("&quot;"),
            '\t' => out.push_str("&#x9;"),
            '\n' => out.push_str("&#xA;"),
            '\r' => out.push_str("&#xD;"),
            _ => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::xml::parse_bytes;

    fn c14n(xml: &str, path: &[usize], incl: &[&str]) -> String {
        let doc = parse_bytes(xml.as_bytes()).unwrap();
        let mut n = doc.root_element();
        for i in path {
            n = n.children().filter(|c| c.is_element()).nth(*i).unwrap();
        }
        canonicalize(n, incl, None)
    }

    #[test]
    fn only_visibly_utilized_namespaces_and_sorted_attributes() {
        let xml = r#"<a:r xmlns:a="urn:a" xmlns:b="urn:b" xmlns="urn:d"><b:x z="1" b:y="2" a="&lt;&#9;" xmlns:c="urn:c"/></a:r>"#;
        assert_eq!(c14n(xml, &[0], &[]), r#"<b:x xmlns:b="urn:b" a="&lt;&#x9;" z="1" b:y="2"></b:x>"#);
        assert_eq!(
            c14n(xml, &[0], &["#default", "a"]),
            r#"<b:x xmlns="urn:d" xmlns:a="urn:a" xmlns:b="urn:b" a="&lt;&#x9;" z="1" b:y="2"></b:x>"#
        );
    }

    #[test]
    fn namespaces_are_not_repeated_and_default_is_undeclared() {
        let xml = r#"<r xmlns="urn:d"><p:x xmlns:p="urn:p"><p:y/><z xmlns=""/></p:x></r>"#;
        assert_eq!(
            c14n(xml, &[], &[]),
            r#"<r xmlns="urn:d"><p:x xmlns:p="urn:p"><p:y></p:y><z xmlns=""></z></p:x></r>"#
        );
    }

    #[test]
    fn comments_dropped_text_escaped_cdata_expanded() {
        let xml = "<r>A<!-- c -->B<![CDATA[<&>]]>&#13;</r>";
        assert_eq!(c14n(xml, &[], &[]), "<r>AB&lt;&amp;&gt;&#xD;</r>");
    }

    #[test]
    fn processing_instructions_get_normalized_line_ends() {
        let xml = "<r><?pi a\r\nb\rc\n\r\n?><?empty?></r>";
        assert_eq!(c14n(xml, &[], &[]), "<r><?pi a\nb\nc\n\n?><?empty?></r>");
    }

    #[test]
    fn omitted_subtree_is_skipped() {
        let doc = parse_bytes(b"<r><s><t/></s><u/></r>").unwrap();
        let s = doc.root_element().first_child().unwrap();
        assert_eq!(canonicalize(doc.root_element(), &[], Some(s.id())), "<r><u></u></r>");
    }
}
