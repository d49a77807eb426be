#!/usr/bin/env python3
"""Verifies an HTTP-Redirect binding signature (SAML Bindings §3.4.4.1) made by buergerkonto, with
python-cryptography, the way a JCA/OpenSAML peer does (ECDSA as DER; RSA-PSS salt = digest length).

argv: <cert.pem>; stdin: the query string. Exit 0 iff valid.
"""
import base64
import sys
from urllib.parse import unquote_plus

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding

query = sys.stdin.read().strip()
params = dict(p.split("=", 1) for p in query.split("&"))
signed = "&".join(f"{k}={params[k]}" for k in ("SAMLRequest", "RelayState", "SigAlg") if k in params).encode()
alg = unquote_plus(params["SigAlg"])
sig = base64.b64decode(unquote_plus(params["Signature"]))
pub = x509.load_pem_x509_certificate(open(sys.argv[1], "rb").read()).public_key()
if alg == "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256":
    pub.verify(sig, signed, ec.ECDSA(hashes.SHA256()))
elif alg == "http://www.w3.org/2007/05/xmldsig-more#sha256-rsa-MGF1":
    pub.verify(sig, signed, padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32), hashes.SHA256())
else:
    raise SystemExit(f"unexpected SigAlg {alg}")
print("ok")
