#!/usr/bin/env python3
"""Independent verifier of a SAML HTTP-Redirect binding signature (SAML Bindings 3.4.4.1).

usage: verify_redirect.py CERT.pem URL   -> exit 0 if the signature verifies, 1 otherwise.
Accepts only ecdsa-sha256 (DER value, the JCA/OpenSAML convention; raw r||s also accepted) and
sha256-rsa-MGF1 (RSASSA-PSS); anything
else (notably PKCS#1 rsa-sha256) is a failure.
"""
import base64
import sys
from urllib.parse import urlsplit, unquote_plus

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, utils

ECDSA = "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256"
PSS = "http://www.w3.org/2007/05/xmldsig-more#sha256-rsa-MGF1"


def main() -> int:
    cert = x509.load_pem_x509_certificate(open(sys.argv[1], "rb").read())
    query = urlsplit(sys.argv[2]).query
    raw = dict(p.split("=", 1) for p in query.split("&"))
    signed = "&".join(f"{k}={raw[k]}" for k in ("SAMLRequest", "RelayState", "SigAlg") if k in raw)
    alg = unquote_plus(raw["SigAlg"])
    sig = base64.b64decode(unquote_plus(raw["Signature"]))
    key = cert.public_key()
    try:
        if alg == ECDSA:
            der = sig
            if sig[:1] != b"\x30":
                half = len(sig) // 2
                der = utils.encode_dss_signature(int.from_bytes(sig[:half], "big"), int.from_bytes(sig[half:], "big"))
            key.verify(der, signed.encode(), ec.ECDSA(hashes.SHA256()))
        elif alg == PSS:
            key.verify(sig, signed.encode(), padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32), hashes.SHA256())
        else:
            print(f"refused algorithm {alg}", file=sys.stderr)
            return 1
    except InvalidSignature:
        print("signature invalid", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
