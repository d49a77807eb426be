#!/usr/bin/env python3
"""An independent OIDC Back-Channel Logout 1.0 receiver (relying-party side), built on jwcrypto.

argv: <port> <jwks_url> <issuer> <client_id> <out_file>

Listens on 127.0.0.1:<port>. For each POST it validates the logout token as §2.6 asks an RP to:
form-encoded body with exactly one `logout_token`; a JWS whose key is in the OP's JWKS (fetched
from <jwks_url> per request, selected by `kid`); header `typ` "logout+jwt"; `iss` = <issuer>;
`aud` = <client_id> (or contains it); `iat` present; `exp` in the future; `jti` present; `sid` or
`sub` present; `events` holding the back-channel logout member as a JSON object; no `nonce`.
Valid: 200 and one line `OK <claims json>` appended to <out_file>. Invalid: 400 and a line
`REJECTED <reason>`. Nothing of buergerkonto is imported.
"""
import json
import sys
import time
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, HTTPServer

from jwcrypto import jwk, jws

PORT, JWKS_URL, ISSUER, CLIENT_ID, OUT = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5]
EVENT = "http://schemas.openid.net/event/backchannel-logout"


def validate(token):
    keys = jwk.JWKSet.from_json(urllib.request.urlopen(JWKS_URL, timeout=5).read())
    obj = jws.JWS()
    obj.deserialize(token)
    header = obj.jose_header
    if header.get("typ") != "logout+jwt":
        raise ValueError("typ is %r" % header.get("typ"))
    key = keys.get_key(header.get("kid"))
    if key is None:
        raise ValueError("unknown kid")
    if header.get("alg") not in ("ES256", "RS256", "PS256", "EdDSA"):
        raise ValueError("alg %r" % header.get("alg"))
    obj.verify(key, alg=header["alg"])
    claims = json.loads(obj.payload)
    if claims.get("iss") != ISSUER:
        raise ValueError("iss")
    aud = claims.get("aud")
    if aud != CLIENT_ID and not (isinstance(aud, list) and CLIENT_ID in aud):
        raise ValueError("aud")
    for name in ("iat", "exp", "jti"):
        if name not in claims:
            raise ValueError("no " + name)
    if claims["exp"] <= time.time():
        raise ValueError("expired")
    if "sid" not in claims and "sub" not in claims:
        raise ValueError("neither sid nor sub")
    events = claims.get("events")
    if not isinstance(events, dict) or not isinstance(events.get(EVENT), dict):
        raise ValueError("events")
    if "nonce" in claims:
        raise ValueError("nonce present")
    return claims


class Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        try:
            if self.headers.get("Content-Type", "").split(";")[0].strip() != "application/x-www-form-urlencoded":
                raise ValueError("content type")
            form = urllib.parse.parse_qs(body.decode("ascii"), strict_parsing=True)
            if list(form) != ["logout_token"] or len(form["logout_token"]) != 1:
                raise ValueError("form fields %r" % list(form))
            line, status = "OK " + json.dumps(validate(form["logout_token"][0]), sort_keys=True), 200
        except Exception as e:  # noqa: BLE001 - every failure is a rejection
            line, status = "REJECTED %s" % e, 400
        with open(OUT, "a") as f:
            f.write(line + "\n")
        self.send_response(status)
        self.send_header("Cache-Control", "no-store")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


HTTPServer(("127.0.0.1", PORT), Handler).serve_forever()
