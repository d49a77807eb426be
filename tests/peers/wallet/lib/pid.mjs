// The wallet's PID: minted as an SD-JWT VC (RFC 9901, SD-JWT VC draft-13, the German PID profile:
// vct urn:eudi:pid:de:1, claims in UPPER CASE) by the wallet's own test PID provider with
// @sd-jwt/sd-jwt-vc, then presented with exactly the asked disclosures and a KB-JWT. The KB-JWT
// is made here with jose (RFC 9901 §4.3), so the attacks can bend any part of the presentation.
import { createHash } from 'node:crypto';
import { webcrypto } from 'node:crypto';
import { CompactSign, exportJWK, importJWK } from 'jose';
import { SDJwtVcInstance } from '@sd-jwt/sd-jwt-vc';
import { ES256, digest, generateSalt } from '@sd-jwt/crypto-nodejs';
import { b64url } from './pki.mjs';

/** The test persons (German PID values are upper case; BMI PID reference). */
export const PERSONS = {
  erika: {
    family_name: 'MUSTERMANN',
    given_name: 'ERIKA',
    birthdate: '1964-08-12',
    birth_family_name: 'GABLER',
    place_of_birth: { locality: 'BERLIN' },
    nationalities: ['DE'],
    address: { street_address: 'HEIDESTRASSE 17', locality: 'KÖLN', postal_code: '51147', country: 'DE' },
    issuing_authority: 'DE',
    issuing_country: 'DE',
  },
  max: {
    family_name: 'MUSTERMANN',
    given_name: 'MAX',
    birthdate: '1982-03-01',
    place_of_birth: { locality: 'HAMBURG' },
    nationalities: ['DE'],
    address: { street_address: 'ALTONAER STRASSE 5', locality: 'HAMBURG', postal_code: '22765', country: 'DE' },
    issuing_authority: 'DE',
    issuing_country: 'DE',
  },
};

const hasher = (data, alg) => digest(data, alg);

/**
 * Mint a PID for `person` bound to a fresh holder key. `options`: `vct`, `iat`/`exp` (seconds),
 * `status` ({idx, uri}). Returns the issued SD-JWT (issuer JWT + every disclosure) and the holder key.
 */
export async function mintPid(provider, person, { vct = 'urn:eudi:pid:de:1', iat, exp, status, now = Math.floor(Date.now() / 1000) } = {}) {
  const claims = PERSONS[person];
  if (!claims) throw new Error(`unknown person ${person}`);
  const holder = await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify']);
  const holderJwk = await exportJWK(holder.publicKey);
  const signer = await ES256.getSigner(provider.jwk);
  const sdjwt = new SDJwtVcInstance({ signer, signAlg: 'ES256', hasher, hashAlg: 'sha-256', saltGenerator: generateSalt });
  const payload = {
    iss: 'https://pid-provider.wallet.test',
    vct,
    iat: iat ?? now,
    exp: exp ?? now + 30 * 24 * 3600,
    cnf: { jwk: holderJwk },
    ...(status ? { status: { status_list: status } } : {}),
    ...claims,
  };
  // Every PID claim selectively disclosable; the sub-claims of address and place of birth too
  // (the PID rulebook's SD-JWT VC encoding).
  const frame = { _sd: Object.keys(claims) };
  for (const [name, value] of Object.entries(claims)) {
    if (value && typeof value === 'object' && !Array.isArray(value)) frame[name] = { _sd: Object.keys(value) };
  }
  const credential = await sdjwt.issue(payload, frame, { header: { x5c: provider.x5c } });
  return { credential, holder, holderJwk, sdjwt, claims };
}

/** A DCQL claims path list → a @sd-jwt presentation frame over `claims`. */
export function presentationFrame(paths, claims) {
  const frame = {};
  for (const path of paths) {
    const [name, sub] = path;
    if (!(name in claims)) throw new Error(`the PID has no ${JSON.stringify(path)}`);
    const value = claims[name];
    const whole = value && typeof value === 'object' && !Array.isArray(value);
    if (path.length === 1 || sub === null) {
      frame[name] = whole ? Object.fromEntries(Object.keys(value).map((k) => [k, true])) : true;
    } else {
      if (!whole || !(sub in value)) throw new Error(`the PID has no ${JSON.stringify(path)}`);
      frame[name] = { ...(typeof frame[name] === 'object' ? frame[name] : {}), [sub]: true };
    }
  }
  return frame;
}

const decodeDisclosure = (d) => JSON.parse(Buffer.from(d, 'base64url').toString('utf8'));
const encodeDisclosure = (arr) => Buffer.from(JSON.stringify(arr)).toString('base64url');

/** The claim name a disclosure carries (array-element disclosures have none). */
export const disclosureName = (d) => {
  const arr = decodeDisclosure(d);
  return arr.length === 3 ? arr[1] : null;
};

/** `sd_hash`: base64url SHA-256 over the presentation up to and including the last `~` (RFC 9901 §4.3.1). */
export const sdHash = (presentation) => b64url(createHash('sha256').update(presentation, 'ascii').digest());

/** A KB-JWT over `presentation` signed by `key` (RFC 9901 §4.3). */
export async function kbJwt(presentation, key, { aud, nonce, iat = Math.floor(Date.now() / 1000) }) {
  const payload = { iat, aud, nonce, sd_hash: sdHash(presentation) };
  return new CompactSign(new TextEncoder().encode(JSON.stringify(payload))).setProtectedHeader({ alg: 'ES256', typ: 'kb+jwt' }).sign(key);
}

/** Which disclosure the disclosure attacks touch: family_name if shown, else the first top-level one. */
function target(disclosures) {
  const named = disclosures.map((d, i) => [i, disclosureName(d)]).filter(([, n]) => n !== null);
  const pick = named.find(([, n]) => n === 'family_name') ?? named[0];
  if (!pick) throw new Error('no disclosure to attack (the query asks for nothing)');
  return pick[0];
}

/**
 * The presentation: the asked disclosures and a KB-JWT (aud = client_id, our nonce), bent by
 * `attack`. Returns the compact string and the names of the disclosed claims.
 */
export async function present(minted, { paths, aud, nonce, attack }) {
  const frame = presentationFrame(paths, minted.claims);
  const bare = await minted.sdjwt.present(minted.credential, frame);
  const parts = bare.split('~');
  const jwt = parts[0];
  let disclosures = parts.slice(1).filter((p) => p.length > 0);
  switch (attack) {
    case 'disclosure-altered': {
      const i = target(disclosures);
      const [salt, name, value] = decodeDisclosure(disclosures[i]);
      disclosures[i] = encodeDisclosure([salt, name, typeof value === 'string' ? `${value}X` : 'ALTERED']);
      break;
    }
    case 'disclosure-added':
      disclosures.push(encodeDisclosure([generateSalt(16), 'family_name', 'MUSTERFRAU']));
      break;
    case 'disclosure-duplicated':
      disclosures.push(disclosures[target(disclosures)]);
      break;
    case 'disclosure-dropped':
      disclosures = disclosures.filter((_, i) => i !== target(disclosures));
      break;
    default:
  }
  const presentation = `${[jwt, ...disclosures].join('~')}~`;
  const disclosed = disclosures.map(disclosureName).filter((n) => n !== null);
  if (attack === 'no-kb') return { presentation, disclosed };
  let key = await importJWK(await exportJWK(minted.holder.privateKey), 'ES256');
  if (attack === 'kb-other-key') {
    const other = await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify']);
    key = other.privateKey;
  }
  // kb-sd-hash: the KB-JWT covers the issuer JWT alone, not the disclosures sent with it.
  const kb = await kbJwt(attack === 'kb-sd-hash' ? `${jwt}~` : presentation, key, {
    aud: attack === 'wrong-aud' ? `x509_hash:${b64url(createHash('sha256').update('another verifier').digest())}` : aud,
    nonce: attack === 'wrong-nonce' ? b64url(webcrypto.getRandomValues(new Uint8Array(24))) : nonce,
    ...(attack === 'kb-stale' ? { iat: Math.floor(Date.now() / 1000) - 3600 } : {}),
  });
  return { presentation: presentation + kb, disclosed };
}
