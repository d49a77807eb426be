#!/usr/bin/env python3
"""Independent verifier of an enveloped XML signature (signxml + cryptography).

usage: verify_xml_signature.py CERT.pem FILE.xml  -> exit 0 if the root is signed by CERT with
ECDSA-SHA256/384/512 or RSASSA-PSS-SHA256/384/512 (never PKCS#1), 1 otherwise.
"""
import sys

from signxml import SignatureConfiguration, SignatureMethod, XMLVerifier

ALLOWED = frozenset(
    {
        SignatureMethod.ECDSA_SHA256,
        SignatureMethod.ECDSA_SHA384,
        SignatureMethod.ECDSA_SHA512,
        SignatureMethod.SHA256_RSA_MGF1,
        SignatureMethod.SHA384_RSA_MGF1,
        SignatureMethod.SHA512_RSA_MGF1,
    }
)


def main() -> int:
    cert = open(sys.argv[1]).read()
    data = open(sys.argv[2], "rb").read()
    try:
        XMLVerifier().verify(data, x509_cert=cert, expect_config=SignatureConfiguration(signature_methods=ALLOWED))
    except Exception as e:  # noqa: BLE001 - any failure is a verification failure
        print(f"verification failed: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
