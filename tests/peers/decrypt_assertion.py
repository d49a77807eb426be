#!/usr/bin/env python3
"""Decrypts an EncryptedAssertion made by buergerkonto with python-cryptography (independent check of
AES-256-GCM + RSA-OAEP-SHA256 and ECDH-ES + ConcatKDF-SHA256 + kw-aes256, XML-Enc 1.1).

argv: <private key PEM>; stdin: the EncryptedAssertion XML; stdout: the plaintext.
"""
import base64
import sys

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.concatkdf import ConcatKDFHash
from cryptography.hazmat.primitives.keywrap import aes_key_unwrap
from lxml import etree

NS = {"xenc": "http://www.w3.org/2001/04/xmlenc#", "xenc11": "http://www.w3.org/2009/xmlenc11#",
      "ds": "http://www.w3.org/2000/09/xmldsig#", "dsig11": "http://www.w3.org/2009/xmldsig11#"}

key = serialization.load_pem_private_key(open(sys.argv[1], "rb").read(), None)
root = etree.fromstring(sys.stdin.buffer.read())
ed = root.find("xenc:EncryptedData", NS)
assert ed.find("xenc:EncryptionMethod", NS).get("Algorithm") == "http://www.w3.org/2009/xmlenc11#aes256-gcm"
ek = root.find(".//xenc:EncryptedKey", NS)
wrapped = base64.b64decode(ek.find("xenc:CipherData/xenc:CipherValue", NS).text)
alg = ek.find("xenc:EncryptionMethod", NS).get("Algorithm")
if alg == "http://www.w3.org/2009/xmlenc11#rsa-oaep":
    cek = key.decrypt(wrapped, padding.OAEP(mgf=padding.MGF1(hashes.SHA256()), algorithm=hashes.SHA256(), label=None))
else:
    assert alg == "http://www.w3.org/2001/04/xmlenc#kw-aes256"
    am = ek.find("ds:KeyInfo/xenc:AgreementMethod", NS)
    params = am.find("xenc11:KeyDerivationMethod/xenc11:ConcatKDFParams", NS)
    other = b"".join(bytes.fromhex(params.get(a))[1:] for a in ("AlgorithmID", "PartyUInfo", "PartyVInfo") if params.get(a))
    point = base64.b64decode(am.find("xenc:OriginatorKeyInfo/ds:KeyValue/dsig11:ECKeyValue/dsig11:PublicKey", NS).text)
    peer = ec.EllipticCurvePublicKey.from_encoded_point(key.curve, point)
    kek = ConcatKDFHash(algorithm=hashes.SHA256(), length=32, otherinfo=other).derive(key.exchange(ec.ECDH(), peer))
    cek = aes_key_unwrap(kek, wrapped)
data = base64.b64decode(ed.find("xenc:CipherData/xenc:CipherValue", NS).text)
sys.stdout.buffer.write(AESGCM(cek).decrypt(data[:12], data[12:], None))
