#!/usr/bin/env python3
"""Verifies an enveloped signature made by buergerkonto with signxml 5.2.0 (independent verifier).

argv: <cert.pem> <expected SignatureMethod URI>; stdin: the signed XML. Exit 0 iff valid.
"""
import sys

from lxml import etree
from signxml import SignatureConfiguration, SignatureMethod, XMLVerifier

cert = open(sys.argv[1]).read()
alg = SignatureMethod(sys.argv[2])
config = SignatureConfiguration(signature_methods=frozenset([alg]), require_x509=False)
XMLVerifier().verify(etree.fromstring(sys.stdin.buffer.read()), x509_cert=cert, id_attribute="ID",
                     expect_config=config)
print("ok")
