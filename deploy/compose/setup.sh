#!/bin/sh
# Generate what deploy/compose.yaml mounts: a local CA, nginx's and the brokers' TLS certificates,
# the signing and client keys, and the secrets. Run once from deploy/. Needs openssl.
set -eu
cd "$(dirname "$0")"
mkdir -p keys tls
umask 077
if [ ! -f secrets.env ]; then
  {
    echo "BK_SEALING_KEY=$(head -c 32 /dev/urandom | base64)"
    echo "BK_PAIRWISE_SECRET=$(head -c 32 /dev/urandom | base64)"
    echo "BK_REDIS_PASSWORD=change-me-redis-password"
  } > secrets.env
fi
for k in signing-es256 bankid-client; do
  [ -f "keys/$k.pem" ] || openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "keys/$k.pem"
done
if [ ! -f tls/internal-ca.pem ]; then
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 30 \
    -subj "/CN=buergerkonto compose CA" -keyout tls/internal-ca.key -out tls/internal-ca.pem
fi
issue() { # name, SANs
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=$1" -keyout "tls/$1.key" -out "tls/$1.csr"
  printf 'subjectAltName=%s\n' "$2" > "tls/$1.ext"
  openssl x509 -req -in "tls/$1.csr" -CA tls/internal-ca.pem -CAkey tls/internal-ca.key -CAcreateserial \
    -days 30 -extfile "tls/$1.ext" -out "tls/$1.pem"
  rm "tls/$1.csr" "tls/$1.ext"
}
[ -f tls/broker.pem ] || issue broker "DNS:broker.internal,DNS:broker-a,DNS:broker-b"
[ -f tls/login.example.de.pem ] || issue login.example.de "DNS:login.example.de"
cp tls/login.example.de.pem tls/login.example.de.fullchain.pem
# The containers run as uid 65532 (distroless nonroot).
chmod 0644 keys/* tls/*.pem tls/*.key
echo "compose material written below $(pwd)"
