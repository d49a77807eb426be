// The authorization response (OpenID4VP 1.0 §8.2 direct_post, §8.3 direct_post.jwt): an unsigned
// JWE, ECDH-ES on P-256 to the verifier's ephemeral key with its `kid` echoed (HAIP §5), posted as
// the form field `response`; or, for the plaintext attack, the bare form fields.
import { CompactEncrypt, importJWK } from 'jose';

/** The JWE over `payload` to the verifier's `jwk` with content encryption `enc`. */
export async function encryptResponse(payload, jwk, enc = 'A128GCM') {
  const key = await importJWK({ kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y }, 'ECDH-ES');
  return new CompactEncrypt(new TextEncoder().encode(JSON.stringify(payload)))
    .setProtectedHeader({ alg: 'ECDH-ES', enc, kid: jwk.kid })
    .encrypt(key);
}

/** POST a form to the response_uri; the verifier's answer as `{status, body}` (JSON when it is JSON). */
export async function postForm(uri, fields) {
  const res = await fetch(uri, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body: new URLSearchParams(fields),
    redirect: 'manual',
  });
  const text = await res.text();
  let body;
  try {
    body = JSON.parse(text);
  } catch {
    body = text;
  }
  return { status: res.status, body };
}
