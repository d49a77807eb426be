#!/usr/bin/env python3
"""Independent SAML Response producer shaped like the German eIDAS middleware (Governikus).

Signed Response (signxml 5.2.0: RSA-PSS-SHA256 / ECDSA-SHA256 / rsa-sha256; or the xmlsec1 CLI),
assertion encrypted but unsigned (python-cryptography: AES-256-GCM with RSA-OAEP-SHA256/MGF1-SHA256
or with ECDH-ES + ConcatKDF-SHA256 + kw-aes256). Not our code: it exists to check buergerkonto's
verifier against a second implementation (lxml/libxml2 c14n, signxml/xmlsec1 signatures).

Input: one JSON object on stdin (see DEFAULTS); output: the Response XML on stdout.
"attack" selects a manipulation (tests/it/saml_attacks.rs); TEST MATERIAL ONLY.

ELSTER mode ("elster": "personal" | "organisation"): an ELSTER-login-shaped Response (NEZO) with
the attribute Names documented in docs/elster.md (written here from that document, not from our
code), the account pseudonym as NameID and STORK-QAA-Level-3 (BundID's spelling of substantial) as
AuthnContextClassRef; "elster_extra" adds or replaces attributes (short name or full Name -> value,
or null to drop one).
"""
import base64
import copy
import json
import os
import subprocess
import sys
import tempfile
from xml.sax.saxutils import escape, quoteattr

from cryptography import x509
from cryptography.hazmat.primitives import hashes, padding as sympadding, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.concatkdf import ConcatKDFHash
from cryptography.hazmat.primitives.keywrap import aes_key_wrap
from lxml import etree
import signxml
from signxml import SignatureMethod, XMLSigner

SAMLP = "urn:oasis:names:tc:SAML:2.0:protocol"
SAML = "urn:oasis:names:tc:SAML:2.0:assertion"
DS = "http://www.w3.org/2000/09/xmldsig#"
XENC = "http://www.w3.org/2001/04/xmlenc#"
XENC11 = "http://www.w3.org/2009/xmlenc11#"
DSIG11 = "http://www.w3.org/2009/xmldsig11#"
EXC_C14N = "http://www.w3.org/2001/10/xml-exc-c14n#"
PI = "http://eidas.europa.eu/attributes/naturalperson/PersonIdentifier"

DEFAULTS = {
    "signing_key": None, "signing_cert": None, "include_cert": False,
    "sig_alg": "rsa-pss-sha256", "signer": "signxml",
    "recipient_cert": None, "key_transport": "auto", "data_enc": "aes256-gcm",
    "issuer": "https://eid.example/idp", "assertion_issuer": None,
    "destination": "https://broker.example/saml/acs", "recipient": None,
    "audience": "https://broker.example/saml", "in_response_to": "_req1", "sc_in_response_to": None,
    "response_id": "_resp1", "assertion_id": "_assert1", "issue_instant": "2026-12-01T10:00:00Z",
    "not_before": "2026-12-01T09:59:00Z", "not_on_or_after": "2026-12-01T10:10:00Z",
    "sc_not_on_or_after": "2026-12-01T10:05:00Z",
    "name_id": "DE/DE/123456", "name_id_comment_split": None,
    "loa": "http://eidas.europa.eu/LoA/high",
    "attributes": {PI: ["DE/DE/123456"]},
    "status": None, "attack": None, "attacker_key": None, "attacker_cert": None,
    "elster": None, "elster_extra": {},
}

ELSTER_NS = "urn:buergerkonto:elster:attribute:"
ELSTER_ACCOUNTS = {
    "personal": {
        "AccountPseudonym": "nezo-acc-3c0ffee0", "CertificateKind": "personal",
        "GivenNames": "Erika", "Surname": "Mustermann", "Title": "Dr.", "Email": "erika@example.de",
        "IdNr": "02476291358",
    },
    "organisation": {
        "AccountPseudonym": "nezo-acc-0decaf00", "CertificateKind": "organisation",
        "GivenNames": "Max", "Surname": "Beispiel", "Email": "max@musterbau.example",
        "OrganisationPseudonym": "nezo-org-b16b00b5", "OrganisationName": "Musterbau GmbH",
        "LegalForm": "GmbH", "Seat": "Köln", "Steuernummer": "2181508150",
    },
}


def elster_mode(c):
    """Fill issuer-independent ELSTER defaults (the caller may still override any key)."""
    acc = dict(ELSTER_ACCOUNTS[c["elster"]])
    for k, v in c["elster_extra"].items():
        if v is None:
            acc.pop(k, None)
        else:
            acc[k] = v
    # A key with ":" is a full attribute Name (an upstream with renamed attributes).
    c["attributes"] = {(k if ":" in k else ELSTER_NS + k): [v] for k, v in acc.items()}
    c["name_id"] = acc.get("AccountPseudonym", "-")
    if c.get("loa") == DEFAULTS["loa"]:
        c["loa"] = "STORK-QAA-Level-3"

SIG_ALGS = {
    "rsa-pss-sha256": SignatureMethod.SHA256_RSA_MGF1,
    "ecdsa-sha256": SignatureMethod.ECDSA_SHA256,
    "rsa-sha256": SignatureMethod.RSA_SHA256,
}


def b64(b):
    return base64.b64encode(b).decode()


def read(path):
    with open(path, "rb") as f:
        return f.read()


def assertion_xml(c, evil=False):
    """The Assertion as GK emits it (saml2 prefix, eIDAS attributes)."""
    issuer = c["assertion_issuer"] or c["issuer"]
    recipient = c["recipient"] or c["destination"]
    sc_irt = c["sc_in_response_to"] or c["in_response_to"]
    aid = "_evil" + c["assertion_id"] if evil else c["assertion_id"]
    name_id = escape("DE/DE/EVIL" if evil else c["name_id"])
    if c["name_id_comment_split"] is not None and not evil:
        k = c["name_id_comment_split"]
        name_id = escape(c["name_id"][:k]) + "<!---->" + escape(c["name_id"][k:])
    attrs = []
    for name, values in c["attributes"].items():
        vals = []
        for v in values:
            text = escape("DE/DE/EVIL" if evil and name == PI else v)
            if name == PI and c["name_id_comment_split"] is not None and not evil:
                k = c["name_id_comment_split"]
                text = escape(v[:k]) + "<!---->" + escape(v[k:])
            vals.append(f'<saml2:AttributeValue xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
                        f'xsi:type="xs:string" xmlns:xs="http://www.w3.org/2001/XMLSchema">{text}</saml2:AttributeValue>')
        attrs.append(f'<saml2:Attribute Name={quoteattr(name)} NameFormat="urn:oasis:names:tc:SAML:2.0:attrname-format:uri">'
                     + "".join(vals) + "</saml2:Attribute>")
    irt_attr = f" InResponseTo={quoteattr(sc_irt)}" if sc_irt != "-" else ""
    return (
        f'<saml2:Assertion xmlns:saml2="{SAML}" ID={quoteattr(aid)} IssueInstant="{c["issue_instant"]}" Version="2.0">'
        f'<saml2:Issuer Format="urn:oasis:names:tc:SAML:2.0:nameid-format:entity">{escape(issuer)}</saml2:Issuer>'
        f'<saml2:Subject><saml2:NameID Format="urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified">{name_id}</saml2:NameID>'
        f'<saml2:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer">'
        f'<saml2:SubjectConfirmationData Address="192.0.2.1"{irt_attr} NotOnOrAfter="{c["sc_not_on_or_after"]}" '
        f'Recipient={quoteattr(recipient)}/></saml2:SubjectConfirmation></saml2:Subject>'
        f'<saml2:Conditions NotBefore="{c["not_before"]}" NotOnOrAfter="{c["not_on_or_after"]}">'
        f'<saml2:AudienceRestriction><saml2:Audience>{escape(c["audience"])}</saml2:Audience></saml2:AudienceRestriction>'
        f'<saml2:OneTimeUse/></saml2:Conditions>'
        f'<saml2:AuthnStatement AuthnInstant="{c["issue_instant"]}" SessionIndex="_sess1"><saml2:SubjectLocality Address="192.0.2.1"/>'
        f'<saml2:AuthnContext><saml2:AuthnContextClassRef>{escape(c["loa"])}</saml2:AuthnContextClassRef></saml2:AuthnContext>'
        f'</saml2:AuthnStatement><saml2:AttributeStatement>{"".join(attrs)}</saml2:AttributeStatement></saml2:Assertion>'
    )


def encrypt(plain: bytes, recipient_pem: bytes, key_transport: str, data_enc: str, tag: str = "1") -> str:
    """EncryptedAssertion (XML-Enc 1.1) with python-cryptography primitives."""
    cert = x509.load_pem_x509_certificate(recipient_pem)
    pub = cert.public_key()
    cek = os.urandom(32)
    if data_enc == "aes256-gcm":
        iv = os.urandom(12)
        cipher = iv + AESGCM(cek).encrypt(iv, plain, None)
        data_alg = XENC11 + "aes256-gcm"
    elif data_enc == "aes256-cbc":
        iv = os.urandom(16)
        p = sympadding.PKCS7(128).padder()
        padded = p.update(plain) + p.finalize()
        e = Cipher(algorithms.AES(cek), modes.CBC(iv)).encryptor()
        cipher = iv + e.update(padded) + e.finalize()
        data_alg = XENC + "aes256-cbc"
    elif data_enc == "tripledes-cbc":
        cek = cek[:24]
        cipher = os.urandom(8) + os.urandom(len(plain) // 8 * 8 + 8)  # label matters, refused before use
        data_alg = XENC + "tripledes-cbc"
    else:
        raise SystemExit(f"unknown data_enc {data_enc}")

    if key_transport == "auto":
        key_transport = "rsa-oaep" if isinstance(pub, rsa.RSAPublicKey) else "ecdh-es"
    if key_transport == "rsa-oaep":
        wrapped = pub.encrypt(cek, padding.OAEP(mgf=padding.MGF1(hashes.SHA256()), algorithm=hashes.SHA256(), label=None))
        ek = (f'<xenc:EncryptedKey xmlns:xenc="{XENC}"><xenc:EncryptionMethod Algorithm="{XENC11}rsa-oaep">'
              f'<ds:DigestMethod xmlns:ds="{DS}" Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/>'
              f'<xenc11:MGF xmlns:xenc11="{XENC11}" Algorithm="{XENC11}mgf1sha256"/></xenc:EncryptionMethod>'
              f'<xenc:CipherData><xenc:CipherValue>{b64(wrapped)}</xenc:CipherValue></xenc:CipherData></xenc:EncryptedKey>')
    elif key_transport == "rsa-oaep-mgf1p":
        wrapped = pub.encrypt(cek, padding.OAEP(mgf=padding.MGF1(hashes.SHA1()), algorithm=hashes.SHA1(), label=None))
        ek = (f'<xenc:EncryptedKey xmlns:xenc="{XENC}"><xenc:EncryptionMethod Algorithm="{XENC}rsa-oaep-mgf1p"/>'
              f'<xenc:CipherData><xenc:CipherValue>{b64(wrapped)}</xenc:CipherValue></xenc:CipherData></xenc:EncryptedKey>')
    elif key_transport == "rsa-1_5":
        wrapped = pub.encrypt(cek, padding.PKCS1v15())
        ek = (f'<xenc:EncryptedKey xmlns:xenc="{XENC}"><xenc:EncryptionMethod Algorithm="{XENC}rsa-1_5"/>'
              f'<xenc:CipherData><xenc:CipherValue>{b64(wrapped)}</xenc:CipherValue></xenc:CipherData></xenc:EncryptedKey>')
    elif key_transport == "ecdh-es":
        eph = ec.generate_private_key(pub.curve)
        z = eph.exchange(ec.ECDH(), pub)
        # XML-Enc 1.1 §5.4.1: hexBinary values with a leading "number of padding bits" octet (00);
        # OtherInfo is the concatenation of the values without that octet.
        alg_id, party_u, party_v = (XENC + "kw-aes256").encode(), b"eid-server", b"broker"
        kek = ConcatKDFHash(algorithm=hashes.SHA256(), length=32, otherinfo=alg_id + party_u + party_v).derive(z)
        wrapped = aes_key_wrap(kek, cek)
        point = eph.public_key().public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
        oid = {"secp256r1": "1.2.840.10045.3.1.7", "secp384r1": "1.3.132.0.34", "secp521r1": "1.3.132.0.35"}[pub.curve.name]
        ek = (f'<xenc:EncryptedKey xmlns:xenc="{XENC}"><xenc:EncryptionMethod Algorithm="{XENC}kw-aes256"/>'
              f'<ds:KeyInfo xmlns:ds="{DS}"><xenc:AgreementMethod Algorithm="{XENC11}ECDH-ES">'
              f'<xenc11:KeyDerivationMethod xmlns:xenc11="{XENC11}" Algorithm="{XENC11}ConcatKDF">'
              f'<xenc11:ConcatKDFParams AlgorithmID="00{alg_id.hex()}" PartyUInfo="00{party_u.hex()}" PartyVInfo="00{party_v.hex()}">'
              f'<ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/></xenc11:ConcatKDFParams></xenc11:KeyDerivationMethod>'
              f'<xenc:OriginatorKeyInfo><ds:KeyValue><dsig11:ECKeyValue xmlns:dsig11="{DSIG11}"><dsig11:NamedCurve URI="urn:oid:{oid}"/>'
              f'<dsig11:PublicKey>{b64(point)}</dsig11:PublicKey></dsig11:ECKeyValue></ds:KeyValue></xenc:OriginatorKeyInfo>'
              f'</xenc:AgreementMethod></ds:KeyInfo>'
              f'<xenc:CipherData><xenc:CipherValue>{b64(wrapped)}</xenc:CipherValue></xenc:CipherData></xenc:EncryptedKey>')
    else:
        raise SystemExit(f"unknown key_transport {key_transport}")
    # OpenSAML "peer" placement: EncryptedKey beside EncryptedData, referenced by RetrievalMethod.
    return (f'<saml2:EncryptedAssertion xmlns:saml2="{SAML}"><xenc:EncryptedData xmlns:xenc="{XENC}" Id="_ed{tag}" '
            f'Type="http://www.w3.org/2001/04/xmlenc#Element"><xenc:EncryptionMethod Algorithm="{data_alg}"/>'
            f'<ds:KeyInfo xmlns:ds="{DS}"><ds:RetrievalMethod Type="http://www.w3.org/2001/04/xmlenc#EncryptedKey" URI="#_ek{tag}"/></ds:KeyInfo>'
            f'<xenc:CipherData><xenc:CipherValue>{b64(cipher)}</xenc:CipherValue></xenc:CipherData></xenc:EncryptedData>'
            + ek.replace("<xenc:EncryptedKey ", f'<xenc:EncryptedKey Id="_ek{tag}" ', 1) + "</saml2:EncryptedAssertion>")


def response_xml(c, inner):
    irt = f" InResponseTo={quoteattr(c['in_response_to'])}" if c["in_response_to"] != "-" else ""
    dest = f" Destination={quoteattr(c['destination'])}" if c["destination"] != "-" else ""
    if c["status"]:
        s = c["status"]
        second = f'<saml2p:StatusCode Value={quoteattr(s["second"])}/>' if s.get("second") else ""
        msg = f'<saml2p:StatusMessage>{escape(s["message"])}</saml2p:StatusMessage>' if s.get("message") else ""
        status = f'<saml2p:Status><saml2p:StatusCode Value={quoteattr(s["top"])}>{second}</saml2p:StatusCode>{msg}</saml2p:Status>'
        inner = ""
    else:
        status = '<saml2p:Status><saml2p:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></saml2p:Status>'
    return (f'<saml2p:Response xmlns:saml2p="{SAMLP}"{dest} ID={quoteattr(c["response_id"])}{irt} '
            f'IssueInstant="{c["issue_instant"]}" Version="2.0">'
            f'<saml2:Issuer xmlns:saml2="{SAML}" Format="urn:oasis:names:tc:SAML:2.0:nameid-format:entity">{escape(c["issuer"])}</saml2:Issuer>'
            f'<ds:Signature xmlns:ds="{DS}" Id="placeholder"></ds:Signature>{status}{inner}</saml2p:Response>')


def sign_signxml(root, key_pem, cert_pem, alg, include_cert):
    signer = XMLSigner(method=signxml.methods.enveloped, signature_algorithm=SIG_ALGS[alg],
                       digest_algorithm="sha256", c14n_algorithm=EXC_C14N)
    kwargs = {"key": key_pem, "id_attribute": "ID"}
    if include_cert and cert_pem:
        kwargs["cert"] = cert_pem.decode()
    return signer.sign(root, **kwargs)


def sign_xmlsec1(xml: str, key_path: str, alg: str) -> str:
    """The xmlsec1 CLI signs a template (ECDSA/RSA PKCS#1 only: bookworm's 1.2.37 has no PSS)."""
    uri = {"ecdsa-sha256": "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256",
           "rsa-sha256": "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"}[alg]
    root = etree.fromstring(xml.encode())
    rid = root.get("ID")
    tmpl = (f'<ds:Signature xmlns:ds="{DS}"><ds:SignedInfo><ds:CanonicalizationMethod Algorithm="{EXC_C14N}"/>'
            f'<ds:SignatureMethod Algorithm="{uri}"/><ds:Reference URI="#{rid}"><ds:Transforms>'
            f'<ds:Transform Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"/>'
            f'<ds:Transform Algorithm="{EXC_C14N}"/></ds:Transforms>'
            f'<ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/><ds:DigestValue/></ds:Reference>'
            f'</ds:SignedInfo><ds:SignatureValue/></ds:Signature>')
    xml = xml.replace(f'<ds:Signature xmlns:ds="{DS}" Id="placeholder"></ds:Signature>', tmpl)
    with tempfile.TemporaryDirectory() as d:
        src = os.path.join(d, "t.xml")
        with open(src, "w") as f:
            f.write(xml)
        out = subprocess.run(["xmlsec1", "--sign", "--privkey-pem", key_path, "--id-attr:ID",
                              f"{SAMLP}:Response", src], capture_output=True, check=True)
        return out.stdout.decode()


def q(tag):
    ns, local = tag.split(":")
    return "{%s}%s" % ({"samlp": SAMLP, "saml": SAML, "ds": DS}[ns], local)


def attack(xml: str, c) -> str:
    """Manipulations of a correctly signed Response (SAMLRaider XSWHelpers, eid-saml.md §5)."""
    a = c["attack"]
    if a == "doctype":
        return '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>' + xml.split("?>", 1)[-1]
    root = etree.fromstring(xml.encode())
    sig = root.find(q("ds:Signature"))
    evil_enc = lambda: etree.fromstring(encrypt(assertion_xml(c, evil=True).encode(), read(c["recipient_cert"]), "auto", "aes256-gcm", "evil"))
    evil_plain = lambda: etree.fromstring(assertion_xml(c, evil=True))
    enc = root.find(q("saml:EncryptedAssertion"))
    if a == "remove_signature":
        root.remove(sig)
    elif a == "empty_signature":
        sig.find(q("ds:SignatureValue")).text = ""
    elif a in ("xsw1", "xsw2"):
        # Evil Response (new ID, evil assertion) as root; the genuine signed Response cloned inside
        # the Signature (XSW1) or before it (XSW2), so the Reference still finds signed content.
        clone = copy.deepcopy(root)
        clone.remove(clone.find(q("ds:Signature")))
        root.set("ID", "_evilresp")
        root.replace(enc, evil_enc())
        if a == "xsw1":
            sig.append(clone)
        else:
            sig.addprevious(clone)
    elif a == "xsw3":  # evil assertion before the genuine one
        enc.addprevious(evil_enc())
    elif a == "xsw4":  # evil assertion wrapping the genuine one
        e = evil_plain()
        root.replace(enc, e)
        e.append(enc)
    elif a == "xsw5":  # evil assertion after the genuine one
        enc.addnext(evil_plain())
    elif a == "xsw6":  # evil assertion inside the Signature (excluded by the enveloped transform)
        sig.append(evil_enc())
    elif a == "xsw7":  # evil assertion inside samlp:Extensions
        ext = etree.Element(q("samlp:Extensions"))
        ext.append(evil_plain())
        root.find(q("saml:Issuer")).addnext(ext)
    elif a == "xsw8":  # evil assertion inside ds:Object in the Signature
        obj = etree.SubElement(sig, q("ds:Object"))
        obj.append(evil_enc())
    elif a == "evil_in_keyinfo":  # KeyInfo is outside the digest: the "anywhere" rule must catch it
        ki = sig.find(q("ds:KeyInfo"))
        if ki is None:
            ki = etree.SubElement(sig, q("ds:KeyInfo"))
        ki.append(evil_plain())
    elif a == "second_encrypted_in_keyinfo":
        ki = sig.find(q("ds:KeyInfo"))
        if ki is None:
            ki = etree.SubElement(sig, q("ds:KeyInfo"))
        ki.append(evil_enc())
    elif a == "second_encrypted_assertion":
        enc.addnext(evil_enc())
    elif a == "plain_beside_unsigned":
        enc.addnext(evil_plain())
    elif a == "rsa_sha1":
        sig.find(q("ds:SignedInfo")).find(q("ds:SignatureMethod")).set("Algorithm", "http://www.w3.org/2000/09/xmldsig#rsa-sha1")
    elif a == "hmac":
        sig.find(q("ds:SignedInfo")).find(q("ds:SignatureMethod")).set("Algorithm", "http://www.w3.org/2000/09/xmldsig#hmac-sha1")
    elif a == "two_references":
        ref = sig.find(q("ds:SignedInfo")).find(q("ds:Reference"))
        ref.addnext(copy.deepcopy(ref))
    elif a == "xpath_transform":
        t = sig.find(q("ds:SignedInfo")).find(q("ds:Reference")).find(q("ds:Transforms"))
        x = etree.SubElement(t, q("ds:Transform"), Algorithm="http://www.w3.org/TR/1999/REC-xpath-19991116")
        etree.SubElement(x, q("ds:XPath")).text = "not(ancestor-or-self::saml2:Assertion)"
    elif a == "with_comments_transform":
        t = sig.find(q("ds:SignedInfo")).find(q("ds:Reference")).find(q("ds:Transforms"))
        t[-1].set("Algorithm", EXC_C14N + "WithComments")
    elif a == "with_comments_c14n":
        sig.find(q("ds:SignedInfo")).find(q("ds:CanonicalizationMethod")).set("Algorithm", EXC_C14N + "WithComments")
    elif a == "sha1_digest":
        sig.find(q("ds:SignedInfo")).find(q("ds:Reference")).find(q("ds:DigestMethod")).set("Algorithm", DS + "sha1")
    elif a == "duplicate_id":
        ki = sig.find(q("ds:KeyInfo"))
        if ki is None:
            ki = etree.SubElement(sig, q("ds:KeyInfo"))
        etree.SubElement(ki, "{urn:evil}X", ID=root.get("ID"))
    elif a == "reference_other_id":
        sig.find(q("ds:SignedInfo")).find(q("ds:Reference")).set("URI", "#_other")
    elif a == "tamper_attribute":
        root.set("IssueInstant", "2026-12-01T10:00:01Z")
    else:
        raise SystemExit(f"unknown attack {a}")
    return etree.tostring(root).decode()


def main():
    c = dict(DEFAULTS)
    c.update(json.load(sys.stdin))
    if c["elster"]:
        elster_mode(c)
    plain = assertion_xml(c)
    if c["attack"] == "plain_instead":
        inner = plain
    else:
        inner = encrypt(plain.encode(), read(c["recipient_cert"]), c["key_transport"], c["data_enc"])
        if c["attack"] == "plain_beside":
            inner += assertion_xml(c, evil=True)
    xml = response_xml(c, inner)
    if c["signer"] == "none":
        xml = xml.replace(f'<ds:Signature xmlns:ds="{DS}" Id="placeholder"></ds:Signature>', "")
    elif c["signer"] == "xmlsec1":
        xml = sign_xmlsec1(xml, c["signing_key"], c["sig_alg"])
    else:
        cert = read(c["signing_cert"]) if c["signing_cert"] else None
        signed = sign_signxml(etree.fromstring(xml.encode()), read(c["signing_key"]), cert, c["sig_alg"], c["include_cert"])
        xml = etree.tostring(signed).decode()
    if c["attack"] not in (None, "plain_instead", "plain_beside"):
        xml = attack(xml, c)
    sys.stdout.write(xml)


if __name__ == "__main__":
    main()
