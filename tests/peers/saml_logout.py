#!/usr/bin/env python3
"""Independent SAML Single Logout peer (an IdP's side; not our code): TEST MATERIAL ONLY.

Input: one JSON object on stdin; output on stdout.

mode "check": verify the broker's <LogoutRequest> in a Redirect-binding URL the way an IdP does —
  the query signature (SAML Bindings 3.4.4.1) with python-cryptography against the SP signing
  certificate ("sp_cert"), raw-DEFLATE inflation with zlib, parsing with lxml — and check its fields
  against "expect" (issuer, destination, name_id, session_index, format). Prints the fields as JSON;
  exit 1 with the reason on stderr on any mismatch.

mode "respond": write a <LogoutResponse> answering "in_response_to" and print it encoded for
  "binding": "redirect" -> the signed query string "SAMLResponse=…&RelayState=…&SigAlg=…&Signature=…"
  (signature over the URL-encoded octets with python-cryptography, ECDSA value DER like OpenSAML);
  "post" -> the base64 of the XML with an enveloped signature by signxml. "sign": false leaves the
  signature off; "status"/"second_status" set the StatusCode(s).
"""
import base64
import json
import sys
import zlib
from urllib.parse import quote_plus, unquote_plus, urlsplit
from xml.sax.saxutils import escape, quoteattr

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from lxml import etree
import signxml
from signxml import SignatureMethod, XMLSigner

SAMLP = "urn:oasis:names:tc:SAML:2.0:protocol"
SAML = "urn:oasis:names:tc:SAML:2.0:assertion"
DS = "http://www.w3.org/2000/09/xmldsig#"
EXC_C14N = "http://www.w3.org/2001/10/xml-exc-c14n#"
ECDSA = "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256"
PSS = "http://www.w3.org/2007/05/xmldsig-more#sha256-rsa-MGF1"
SUCCESS = "urn:oasis:names:tc:SAML:2.0:status:Success"


def fail(why: str) -> int:
    print(why, file=sys.stderr)
    return 1


def check(c) -> int:
    cert = x509.load_pem_x509_certificate(open(c["sp_cert"], "rb").read())
    query = urlsplit(c["url"]).query
    raw = dict(p.split("=", 1) for p in query.split("&"))
    signed = "&".join(f"{k}={raw[k]}" for k in ("SAMLRequest", "RelayState", "SigAlg") if k in raw)
    alg = unquote_plus(raw.get("SigAlg", ""))
    sig = base64.b64decode(unquote_plus(raw.get("Signature", "")))
    key = cert.public_key()
    try:
        if alg == ECDSA:
            key.verify(sig, signed.encode(), ec.ECDSA(hashes.SHA256()))
        elif alg == PSS:
            key.verify(sig, signed.encode(), padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32), hashes.SHA256())
        else:
            return fail(f"refused SigAlg {alg}")
    except InvalidSignature:
        return fail("signature invalid")
    xml = zlib.decompress(base64.b64decode(unquote_plus(raw["SAMLRequest"])), -15)
    root = etree.fromstring(xml, etree.XMLParser(resolve_entities=False, no_network=True))
    if root.tag != "{%s}LogoutRequest" % SAMLP or root.get("Version") != "2.0":
        return fail(f"not a LogoutRequest: {root.tag}")
    name_id = root.find("{%s}NameID" % SAML)
    session_index = root.find("{%s}SessionIndex" % SAMLP)
    got = {
        "id": root.get("ID"),
        "issuer": root.findtext("{%s}Issuer" % SAML),
        "destination": root.get("Destination"),
        "not_on_or_after": root.get("NotOnOrAfter"),
        "issue_instant": root.get("IssueInstant"),
        "name_id": name_id.text if name_id is not None else None,
        "format": name_id.get("Format") if name_id is not None else None,
        "session_index": session_index.text if session_index is not None else None,
        "relay_state": unquote_plus(raw["RelayState"]) if "RelayState" in raw else None,
        "children": [etree.QName(e).localname for e in root],
    }
    for k, v in c.get("expect", {}).items():
        if got.get(k) != v:
            return fail(f"{k}: expected {v!r}, got {got.get(k)!r}")
    if not got["id"] or not got["issue_instant"] or not got["not_on_or_after"]:
        return fail("ID, IssueInstant and NotOnOrAfter are required")
    print(json.dumps(got))
    return 0


def response_xml(c) -> str:
    second = (f'<saml2p:StatusCode Value={quoteattr(c["second_status"])}/>' if c.get("second_status") else "")
    dest = f' Destination={quoteattr(c["destination"])}' if c.get("destination") else ""
    placeholder = f'<ds:Signature xmlns:ds="{DS}" Id="placeholder"></ds:Signature>' if c["binding"] == "post" and c.get("sign", True) else ""
    return (f'<saml2p:LogoutResponse xmlns:saml2p="{SAMLP}" xmlns:saml2="{SAML}" ID={quoteattr(c.get("id", "_peer-lr"))} '
            f'Version="2.0" IssueInstant={quoteattr(c["issue_instant"])}{dest} InResponseTo={quoteattr(c["in_response_to"])}>'
            f'<saml2:Issuer>{escape(c["issuer"])}</saml2:Issuer>{placeholder}'
            f'<saml2p:Status><saml2p:StatusCode Value={quoteattr(c.get("status", SUCCESS))}>{second}</saml2p:StatusCode></saml2p:Status>'
            f'</saml2p:LogoutResponse>')


def respond(c) -> int:
    xml = response_xml(c)
    key = serialization.load_pem_private_key(open(c["key"], "rb").read(), password=None)
    if c["binding"] == "post":
        if c.get("sign", True):
            signer = XMLSigner(method=signxml.methods.enveloped, signature_algorithm=SignatureMethod.ECDSA_SHA256,
                               digest_algorithm="sha256", c14n_algorithm=EXC_C14N)
            root = signer.sign(etree.fromstring(xml.encode()), key=open(c["key"], "rb").read(), id_attribute="ID")
            xml = etree.tostring(root).decode()
        print(base64.b64encode(xml.encode()).decode())
        return 0
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)
    deflated = comp.compress(xml.encode()) + comp.flush()
    query = "SAMLResponse=" + quote_plus(base64.b64encode(deflated).decode())
    if c.get("relay_state") is not None:
        query += "&RelayState=" + quote_plus(c["relay_state"])
    if c.get("sign", True):
        if isinstance(key, ec.EllipticCurvePrivateKey):
            alg, sig = ECDSA, lambda b: key.sign(b, ec.ECDSA(hashes.SHA256()))
        elif isinstance(key, rsa.RSAPrivateKey):
            alg, sig = PSS, lambda b: key.sign(b, padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32), hashes.SHA256())
        else:
            return fail("unsupported key")
        query += "&SigAlg=" + quote_plus(alg)
        query += "&Signature=" + quote_plus(base64.b64encode(sig(query.encode())).decode())
    print(query)
    return 0


def main() -> int:
    c = json.load(sys.stdin)
    return {"check": check, "respond": respond}[c["mode"]](c)


if __name__ == "__main__":
    sys.exit(main())
