//! XML-DSig 1.0 enveloped signatures (W3C xmldsig-core, §3) restricted to the one shape SAML
//! uses, verified only with **pinned** keys, plus signing for our own messages.
//!
//! Verification accepts exactly: one `ds:Signature` in the whole document, a direct child of the
//! signed element; `SignedInfo` with exc-c14n, an allowed `SignatureMethod` and exactly one
//! `Reference` to `#<ID of the signed element>`; transforms enveloped-signature then exc-c14n
//! (optionally with an InclusiveNamespaces PrefixList); a SHA-2 DigestMethod. `KeyInfo` is ignored:
//! a key or certificate in the message is attacker-controlled (SAML Core §5.4, eid-saml.md §5.1).
//! XML-DSig ECDSA signature values are the raw `r‖s` (RFC 4051 §2.3.6).

use base64::{engine::general_purpose::STANDARD as B64, Engine as _};
use roxmltree::{Document, Node};

pub use super::algorithms::{DigestAlgorithm, SignatureAlgorithm, DEFAULT_SIGNATURE_ALGORITHMS};
use super::algorithms::{ENVELOPED, EXC_C14N};
use super::c14n::canonicalize;
use super::errors::DsigError;
use super::keys::{Certificate, PrivateKey, PublicKey};
/// The HTTP-Redirect binding signatures live in [`super::redirect`]; re-exported here as well.
pub use super::redirect::{sign_redirect_query, verify_redirect_query, RedirectMessage};
use super::signing::{sign, verify, EcdsaFormat};
use super::untrusted::Untrusted;
use super::xml::{check_unique_ids, decode_b64_lenient, elements, is, ns, only_child, parse, text_content};

/// Verifies the enveloped signature of `signed` (normally the document root) with the pinned keys.
///
/// `allowed` is the SignatureMethod allow-list (use [`DEFAULT_SIGNATURE_ALGORITHMS`]); `keys` are
/// the IdP's pinned signing keys from verified metadata. Any key of the matching type may verify.
/// The document must contain exactly one `ds:Signature` (so an EntitiesDescriptor whose children are
/// signed again is refused with [`DsigError::MultipleSignatures`]) and `signed` must carry an `ID`.
pub fn verify_enveloped(
    doc: &Document<'_>,
    signed: Node<'_, '_>,
    allowed: &[SignatureAlgorithm],
    keys: &[PublicKey],
) -> Result<(), DsigError> {
    check_unique_ids(doc)?;
    let sig = only_signature(doc, signed)?;
    let id = signed.attribute("ID").filter(|v| !v.is_empty()).ok_or(DsigError::NoId)?;

    // Signature = SignedInfo, SignatureValue, KeyInfo? — no ds:Object (XSW8 hides content there).
    let parts: Vec<_> = elements(sig).collect();
    let (signed_info, sig_value) = match parts.as_slice() {
        [si, sv] | [si, sv, _] if is(*si, ns::DS, "SignedInfo") && is(*sv, ns::DS, "SignatureValue") => (*si, *sv),
        _ => return Err(DsigError::Malformed("Signature must be SignedInfo, SignatureValue, KeyInfo?")),
    };
    if let Some(extra) = parts.get(2) {
        if !is(*extra, ns::DS, "KeyInfo") {
            return Err(DsigError::Malformed("only KeyInfo may follow SignatureValue"));
        }
    }

    let si: Vec<_> = elements(signed_info).collect();
    let (c14n_method, sig_method, references) = match si.as_slice() {
        [c, s, refs @ ..] if is(*c, ns::DS, "CanonicalizationMethod") && is(*s, ns::DS, "SignatureMethod") => (*c, *s, refs),
        _ => {
            return Err(DsigError::Malformed(
                "SignedInfo must start with CanonicalizationMethod, SignatureMethod",
            ))
        }
    };
    if references.len() != 1 || !is(references[0], ns::DS, "Reference") {
        return Err(DsigError::ReferenceCount);
    }
    let reference = references[0];

    let c14n_alg = c14n_method.attribute("Algorithm").unwrap_or("");
    if c14n_alg != EXC_C14N {
        return Err(DsigError::Canonicalization(c14n_alg.into()));
    }
    let si_prefixes = inclusive_prefixes(c14n_method)?;

    let alg_uri = sig_method.attribute("Algorithm").unwrap_or("");
    let alg = SignatureAlgorithm::from_uri(alg_uri)
        .filter(|a| allowed.contains(a))
        .ok_or_else(|| DsigError::SignatureAlgorithm(alg_uri.into()))?;
    if elements(sig_method).next().is_some() {
        // HMACOutputLength (CVE-2009-0217) or PSS parameters we do not negotiate.
        return Err(DsigError::SignatureAlgorithm(format!("{alg_uri} with parameters").into()));
    }

    if reference.attribute("URI") != Some(&format!("#{id}")) {
        return Err(DsigError::ReferenceTarget);
    }
    let ref_parts: Vec<_> = elements(reference).collect();
    let (transforms, digest_method, digest_value) = match ref_parts.as_slice() {
        [t, m, v] if is(*t, ns::DS, "Transforms") && is(*m, ns::DS, "DigestMethod") && is(*v, ns::DS, "DigestValue") => (*t, *m, *v),
        _ => return Err(DsigError::Malformed("Reference must be Transforms, DigestMethod, DigestValue")),
    };
    let ref_prefixes = check_transforms(transforms)?;
    let digest_uri = digest_method.attribute("Algorithm").unwrap_or("");
    let digest_alg = DigestAlgorithm::from_uri(digest_uri).ok_or_else(|| DsigError::DigestAlgorithm(digest_uri.into()))?;

    // SignatureValue first: nothing of the Reference is trusted before SignedInfo is authentic.
    let signed_info_c14n = canonicalize(signed_info, &si_prefixes, None);
    let value = decode_b64_lenient(&text_content(sig_value)).ok_or(DsigError::Malformed("SignatureValue is not base64"))?;
    if !keys
        .iter()
        .any(|k| verify(alg, k, signed_info_c14n.as_bytes(), &value, EcdsaFormat::Raw))
    {
        return Err(DsigError::BadSignature);
    }

    let expected = decode_b64_lenient(&text_content(digest_value)).ok_or(DsigError::Malformed("DigestValue is not base64"))?;
    let signed_c14n = canonicalize(signed, &ref_prefixes, Some(sig.id()));
    let actual = aws_lc_rs::digest::digest(digest_alg.aws(), signed_c14n.as_bytes());
    if aws_lc_rs::constant_time::verify_slices_are_equal(actual.as_ref(), &expected).is_err() {
        return Err(DsigError::DigestMismatch);
    }
    Ok(())
}

/// Parses `xml` with the safe parser and verifies the enveloped signature of its root element
/// ([`verify_enveloped`]) with the pinned `keys`. Returns the root's `ID` (the one the signature's
/// Reference covers). For IdP metadata and, in the development simulator, POSTed AuthnRequests.
pub fn verify_document(xml: &str, allowed: &[SignatureAlgorithm], keys: &[PublicKey]) -> Result<String, DsigError> {
    let doc = parse(xml)?;
    let root = doc.root_element();
    verify_enveloped(&doc, root, allowed, keys)?;
    Ok(root.attribute("ID").unwrap_or_default().to_owned())
}

/// The one `ds:Signature` of the document, which must be a direct child of `signed`.
fn only_signature<'a, 'i>(doc: &'a Document<'i>, signed: Node<'a, 'i>) -> Result<Node<'a, 'i>, DsigError> {
    let mut all = doc.descendants().filter(|n| is(*n, ns::DS, "Signature"));
    let first = all.next().ok_or(DsigError::Missing)?;
    if all.next().is_some() {
        return Err(DsigError::MultipleSignatures);
    }
    if first.parent() != Some(signed) {
        return Err(DsigError::Missing);
    }
    Ok(first)
}

/// Transforms must be exactly enveloped-signature then exc-c14n; returns the PrefixList.
fn check_transforms<'a>(transforms: Node<'a, '_>) -> Result<Vec<&'a str>, DsigError> {
    let list: Vec<_> = elements(transforms).collect();
    for t in &list {
        if !is(*t, ns::DS, "Transform") {
            return Err(DsigError::Transform(t.tag_name().name().into()));
        }
    }
    let algs: Vec<&str> = list.iter().map(|t| t.attribute("Algorithm").unwrap_or("")).collect();
    match (algs.as_slice(), list.as_slice()) {
        ([ENVELOPED, EXC_C14N], [env, c14n]) => {
            if elements(*env).next().is_some() {
                return Err(DsigError::Transform(Untrusted::new("enveloped-signature with content")));
            }
            inclusive_prefixes(*c14n)
        }
        _ => Err(DsigError::Transform(algs.join(" ").into())),
    }
}

/// The InclusiveNamespaces PrefixList of a c14n method/transform element (exc-c14n §3); nothing else
/// may appear inside.
fn inclusive_prefixes<'a>(method: Node<'a, '_>) -> Result<Vec<&'a str>, DsigError> {
    let kids: Vec<_> = elements(method).collect();
    match kids.as_slice() {
        [] => Ok(Vec::new()),
        [incl] if is(*incl, ns::EXC_C14N, "InclusiveNamespaces") && elements(*incl).next().is_none() => Ok(incl
            .attribute("PrefixList")
            .map(|p| p.split_whitespace().collect())
            .unwrap_or_default()),
        _ => Err(DsigError::Canonicalization(Untrusted::new("unexpected content in c14n method"))),
    }
}

/// Adds an enveloped XML-DSig signature to the element whose `ID` attribute is `id`.
///
/// * `xml`: the whole document (UTF-8, no DOCTYPE); the element must not already hold a `ds:Signature`.
/// * Signature placement: directly after the element's `saml:Issuer` child if it has one, else as its
///   first child — the position the SAML schemas require (AuthnRequest, Response, EntityDescriptor
///   has no Issuer so the signature becomes its first child, as the metadata schema requires).
/// * Algorithms: exc-c14n, transforms enveloped-signature + exc-c14n, DigestMethod SHA-256, and `alg`
///   as SignatureMethod (use `EcdsaSha256` or `RsaPssSha256` towards the eIDAS middleware).
/// * `certificate`: if given, emitted as `ds:KeyInfo/ds:X509Data/ds:X509Certificate` (informational;
///   peers pin keys from metadata).
///
/// Returns the signed document as a string. Sign just before sending (the middleware rejects
/// AuthnRequests with an IssueInstant older than 60 s).
pub fn sign_enveloped(
    xml: &str,
    id: &str,
    key: &PrivateKey,
    alg: SignatureAlgorithm,
    certificate: Option<&Certificate>,
) -> Result<String, DsigError> {
    if id.is_empty() || !id.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.')) {
        return Err(DsigError::Input("ID must be a plain NCName"));
    }
    let doc = parse(xml).map_err(|_| DsigError::Input("not well-formed XML, or unsafe"))?;
    let target = doc
        .descendants()
        .find(|n| n.is_element() && n.attribute("ID") == Some(id))
        .ok_or(DsigError::Input("no element with the given ID"))?;
    if elements(target).any(|c| is(c, ns::DS, "Signature")) {
        return Err(DsigError::Input("element is already signed"));
    }
    let digest = aws_lc_rs::digest::digest(DigestAlgorithm::Sha256.aws(), canonicalize(target, &[], None).as_bytes());
    // SignedInfo written directly in canonical form (exc-c14n of this element in place yields these
    // exact bytes: the only visibly utilized namespace is ds, declared here).
    let signed_info = format!(
        "<ds:SignedInfo xmlns:ds=\"{ds}\"><ds:CanonicalizationMethod Algorithm=\"{c14n}\"></ds:CanonicalizationMethod>\
         <ds:SignatureMethod Algorithm=\"{alg}\"></ds:SignatureMethod><ds:Reference URI=\"#{id}\"><ds:Transforms>\
         <ds:Transform Algorithm=\"{env}\"></ds:Transform><ds:Transform Algorithm=\"{c14n}\"></ds:Transform></ds:Transforms>\
         <ds:DigestMethod Algorithm=\"{dig}\"></ds:DigestMethod><ds:DigestValue>{dv}</ds:DigestValue></ds:Reference></ds:SignedInfo>",
        ds = ns::DS,
        c14n = EXC_C14N,
        alg = alg.uri(),
        env = ENVELOPED,
        dig = DigestAlgorithm::Sha256.uri(),
        dv = B64.encode(digest.as_ref()),
    );
    let value = sign(alg, key, signed_info.as_bytes(), EcdsaFormat::Raw)?;
    let key_info = match certificate {
        Some(cert) => format!(
            "<ds:KeyInfo><ds:X509Data><ds:X509Certificate>{}</ds:X509Certificate></ds:X509Data></ds:KeyInfo>",
            B64.encode(cert.der())
        ),
        None => String::new(),
    };
    let signature = format!(
        "<ds:Signature xmlns:ds=\"{}\">{signed_info}<ds:SignatureValue>{}</ds:SignatureValue>{key_info}</ds:Signature>",
        ns::DS,
        B64.encode(value)
    );
    let at = insertion_point(xml, target)?;
    let mut out = String::with_capacity(xml.len() + signature.len());
    out.push_str(&xml[..at]);
    out.push_str(&signature);
    out.push_str(&xml[at..]);
    Ok(out)
}

/// Byte offset where the signature goes: after `saml:Issuer`, else right after the start tag.
fn insertion_point(xml: &str, target: Node<'_, '_>) -> Result<usize, DsigError> {
    if let Some(issuer) = only_child(target, ns::SAML, "Issuer") {
        return Ok(issuer.range().end);
    }
    if let Some(first) = target.first_child() {
        return Ok(first.range().start);
    }
    let range = target.range();
    let text = &xml[range.clone()];
    if text.ends_with("/>") {
        return Err(DsigError::Input("cannot sign an empty element written as <x/>"));
    }
    text.rfind("</")
        .map(|p| range.start + p)
        .ok_or(DsigError::Input("unexpected element form"))
}
