#!/bin/sh
# DEVELOPMENT ONLY: (re)generate the development PID provider (issue 16) used by
# src/dev/wallet/pid_issuer.rs, the Rust tests and config/dev.toml. Never trust these anywhere else:
# the private keys are public by being committed, and the broker refuses certs/dev/ outside
# development.
#   pid-ca.crt / pid-ca.key          the development PID-provider trust anchor (EC P-256, 10 years)
#   pid-issuer.crt / pid-issuer.key  the PID issuer (document signer) under it: signs SD-JWT VC PIDs
#                                    and status list tokens (x5c leaf; the CA is never in x5c)
set -eu
cd "$(dirname "$0")"
DAYS=3650
key() {
    openssl ecparam -name prime256v1 -genkey -noout -out "$1.ec.pem"
    openssl pkcs8 -topk8 -nocrypt -in "$1.ec.pem" -out "$1.key"
    rm -f "$1.ec.pem"
}
key pid-ca
key pid-issuer
cat > issuer.ext <<EXT
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
EXT
openssl req -new -x509 -key pid-ca.key -out pid-ca.crt -days "$DAYS" -sha256 \
    -subj "/C=DE/O=buergerkonto DEVELOPMENT/CN=Development PID provider CA" \
    -addext "basicConstraints=critical,CA:TRUE,pathlen:0" \
    -addext "keyUsage=critical,keyCertSign,cRLSign" -addext "subjectKeyIdentifier=hash"
openssl req -new -key pid-issuer.key -out pid-issuer.csr \
    -subj "/C=DE/O=buergerkonto DEVELOPMENT/CN=Development PID issuer"
openssl x509 -req -in pid-issuer.csr -CA pid-ca.crt -CAkey pid-ca.key -CAcreateserial \
    -out pid-issuer.crt -days "$DAYS" -sha256 -extfile issuer.ext
rm -f pid-issuer.csr pid-ca.srl issuer.ext
echo "development PID provider written to $(pwd)"
