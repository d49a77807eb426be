#!/usr/bin/env python3
"""Independent SAML metadata signer (signxml + lxml): an enveloped XML-DSig signature on the root
(EntityDescriptor) referencing its ID, exc-c14n, SHA-256, as a federation's metadata signer makes
it. Not our code: tests/it/saml_metadata_url.rs serves what it signs to the broker.

Input: one JSON object on stdin: {"xml", "key" (PEM path), "sig_alg" ("ecdsa-sha256" or
"rsa-pss-sha256")}; output: the signed XML on stdout. TEST MATERIAL ONLY.
"""
import json
import sys

from lxml import etree
import signxml
from signxml import SignatureMethod, XMLSigner

SIG_ALGS = {"ecdsa-sha256": SignatureMethod.ECDSA_SHA256, "rsa-pss-sha256": SignatureMethod.SHA256_RSA_MGF1}
EXC_C14N = "http://www.w3.org/2001/10/xml-exc-c14n#"

c = json.load(sys.stdin)
root = etree.fromstring(c["xml"].encode())
with open(c["key"], "rb") as f:
    key = f.read()
signer = XMLSigner(method=signxml.methods.enveloped, signature_algorithm=SIG_ALGS[c.get("sig_alg", "ecdsa-sha256")],
                   digest_algorithm="sha256", c14n_algorithm=EXC_C14N)
signed = signer.sign(root, key=key, id_attribute="ID", reference_uri="#" + root.get("ID"))
sys.stdout.write(etree.tostring(signed, encoding="unicode"))
