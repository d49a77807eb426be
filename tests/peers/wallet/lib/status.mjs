// Token Status List (draft-ietf-oauth-status-list-14): a `statuslist+jwt` signed by the PID
// provider's issuer key, built with @sd-jwt/jwt-status-list (1 bit per entry, 0 = valid).
import { CompactSign, importJWK } from 'jose';
import { StatusList, createHeaderAndPayload, getListFromStatusListJWT } from '@sd-jwt/jwt-status-list';

/** Entries in the list (every index a test uses must be below it). */
export const LIST_SIZE = 1024;

/**
 * The signed status list token for `uri` (its `sub`, as §5.1 requires: equal to the `uri` the
 * referenced PIDs carry), with the `revoked` indices set to 1 (INVALID).
 */
export async function statusListToken(provider, uri, revoked, { ttl = 300, now = Math.floor(Date.now() / 1000) } = {}) {
  const bits = new Array(LIST_SIZE).fill(0);
  const list = new StatusList(bits, 1);
  for (const i of revoked) list.setStatus(i, 1);
  const { header, payload } = createHeaderAndPayload(
    list,
    { iss: 'https://pid-provider.wallet.test', sub: uri, iat: now, exp: now + 24 * 3600, ttl },
    { alg: 'ES256', typ: 'statuslist+jwt', x5c: provider.x5c },
  );
  const key = await importJWK(provider.jwk, 'ES256');
  return new CompactSign(new TextEncoder().encode(JSON.stringify(payload))).setProtectedHeader(header).sign(key);
}

/** The first revoked index of a status list token (no signature check: it is our own list). */
export function firstRevoked(token) {
  const list = getListFromStatusListJWT(token);
  for (let i = 0; i < LIST_SIZE; i++) if (list.getStatus(i) !== 0) return i;
  throw new Error('the status list revokes nothing');
}
