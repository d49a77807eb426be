// Fetching and independently checking the verifier's request object (OpenID4VP 1.0 §5, HAIP 1.0).
// Every check that fails throws a RequestCheckError naming the check: the CLI exits 2 on it, so a
// test can tell "the broker's request is wrong" from "the wallet broke".
import { createHash, randomBytes } from 'node:crypto';
import { x509 } from './x509.mjs';
import { compactVerify, decodeProtectedHeader, importX509 } from 'jose';
import { DcqlQuery } from 'dcql';
import { b64url } from './pki.mjs';

/** What the wallet asks for (VP §5.10: `aud` when the wallet sent no `issuer` in its metadata). */
export const STATIC_AUD = 'https://self-issued.me/v2';
/** The PID types the wallet holds. */
export const PID_VCTS = ['urn:eudi:pid:de:1', 'urn:eudi:pid:1'];

/** A check on the verifier's request failed. */
export class RequestCheckError extends Error {
  constructor(check, detail) {
    super(`${check}: ${detail}`);
    this.check = check;
    this.detail = detail;
  }
}

function must(ok, check, detail) {
  if (!ok) throw new RequestCheckError(check, detail);
}

/** `openid4vp://?client_id=…&request_uri=…[&request_uri_method=post]` (any scheme). */
export function parseWalletUrl(text) {
  let url;
  try {
    url = new URL(text);
  } catch (e) {
    throw new RequestCheckError('wallet_url', `not a URL: ${e.message}`);
  }
  const one = (name) => {
    const all = url.searchParams.getAll(name);
    must(all.length <= 1, 'wallet_url', `${name} repeated`);
    return all[0];
  };
  const clientId = one('client_id');
  const requestUri = one('request_uri');
  must(clientId, 'wallet_url', 'no client_id');
  must(requestUri, 'wallet_url', 'no request_uri');
  must(!url.searchParams.has('request'), 'wallet_url', 'request by value (HAIP: by reference only)');
  const method = one('request_uri_method') ?? 'get';
  must(['get', 'post'].includes(method), 'wallet_url', `request_uri_method ${method}`);
  return { scheme: url.protocol.replace(/:$/, ''), clientId, requestUri, method };
}

/** The wallet's metadata sent with `request_uri_method=post` (VP §5.10.1, §10). */
export const WALLET_METADATA = {
  vp_formats_supported: { 'dc+sd-jwt': { 'sd-jwt_alg_values': ['ES256'], 'kb-jwt_alg_values': ['ES256'] } },
  client_id_prefixes_supported: ['x509_hash'],
  request_object_signing_alg_values_supported: ['ES256'],
  authorization_encryption_alg_values_supported: ['ECDH-ES'],
  authorization_encryption_enc_values_supported: ['A128GCM', 'A256GCM'],
  response_modes_supported: ['direct_post.jwt'],
};

/** GET (or POST with `wallet_nonce` and `wallet_metadata`) the request object. */
export async function fetchRequest(requestUri, method) {
  const headers = { accept: 'application/oauth-authz-req+jwt' };
  let res;
  let walletNonce;
  if (method === 'post') {
    walletNonce = b64url(randomBytes(16));
    const body = new URLSearchParams({ wallet_metadata: JSON.stringify(WALLET_METADATA), wallet_nonce: walletNonce });
    res = await fetch(requestUri, { method: 'POST', headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded' }, body });
  } else {
    res = await fetch(requestUri, { headers });
  }
  const text = await res.text();
  must(res.ok, 'request_uri', `${method.toUpperCase()} ${requestUri} answered ${res.status}: ${text.slice(0, 300)}`);
  const type = (res.headers.get('content-type') ?? '').split(';')[0].trim();
  must(type === 'application/oauth-authz-req+jwt', 'content_type', `request object served as ${type || 'nothing'}`);
  return { jar: text.trim(), walletNonce };
}

const pem = (b64) => `-----BEGIN CERTIFICATE-----\n${b64.match(/.{1,64}/g).join('\n')}\n-----END CERTIFICATE-----\n`;

/** `x509_hash:` + base64url(SHA-256(DER of the leaf)) (VP §5.9.3). */
export const x509HashClientId = (der) => `x509_hash:${b64url(createHash('sha256').update(der).digest())}`;

/**
 * Check the request object against the wallet URL and the wallet's own trust (`aki`: the base64url
 * keyIdentifier of the wallet's PID provider CA). Returns what the answer needs.
 */
export async function checkRequest(jar, { clientId, walletNonce, aki, now = Math.floor(Date.now() / 1000) }) {
  // JAR (RFC 9101) signed by the x5c leaf; HAIP §5: x509_hash over that leaf.
  let header;
  try {
    header = decodeProtectedHeader(jar);
  } catch (e) {
    throw new RequestCheckError('jws', `not a compact JWS: ${e.message}`);
  }
  must(jar.split('.').length === 3, 'jws', 'not a compact JWS (an encrypted or unsigned request?)');
  must(header.typ === 'oauth-authz-req+jwt', 'typ', `typ ${header.typ}`);
  must(['ES256', 'ES384', 'ES512', 'PS256'].includes(header.alg), 'alg', `alg ${header.alg}`);
  must(Array.isArray(header.x5c) && header.x5c.length > 0, 'x5c', 'no x5c');
  const leafDer = Buffer.from(header.x5c[0], 'base64');
  const leaf = new x509.X509Certificate(leafDer);
  const nowDate = new Date(now * 1000);
  must(leaf.notBefore <= nowDate && nowDate <= leaf.notAfter, 'x5c', `leaf not valid now (${leaf.notBefore.toISOString()} … ${leaf.notAfter.toISOString()})`);
  must(clientId === x509HashClientId(leafDer), 'client_id', `${clientId} is not x509_hash of the x5c leaf (${x509HashClientId(leafDer)})`);
  let payload;
  try {
    const key = await importX509(pem(header.x5c[0]), header.alg);
    const verified = await compactVerify(jar, key);
    payload = JSON.parse(new TextDecoder().decode(verified.payload));
  } catch (e) {
    throw new RequestCheckError('signature', `the request object does not verify with the x5c leaf: ${e.message}`);
  }

  // Claims of the request (VP §5.1, §5.2, §8.2, §8.3).
  must(payload.client_id === clientId, 'client_id', `request client_id ${payload.client_id} ≠ URL client_id ${clientId}`);
  must(payload.aud === STATIC_AUD, 'aud', `aud ${JSON.stringify(payload.aud)}`);
  must(typeof payload.exp !== 'number' || payload.exp > now, 'exp', `expired at ${payload.exp}`);
  must(payload.response_type === 'vp_token', 'response_type', `response_type ${payload.response_type}`);
  must(payload.response_mode === 'direct_post.jwt', 'response_mode', `response_mode ${payload.response_mode}`);
  must(typeof payload.response_uri === 'string' && /^https?:\/\//.test(payload.response_uri), 'response_uri', `response_uri ${payload.response_uri}`);
  must(payload.redirect_uri === undefined, 'redirect_uri', 'redirect_uri present with direct_post (VP §8.2)');
  must(typeof payload.nonce === 'string' && /^[A-Za-z0-9_~.-]{16,}$/.test(payload.nonce), 'nonce', `nonce ${payload.nonce}`);
  must(payload.state === undefined || typeof payload.state === 'string', 'state', 'state not a string');
  if (walletNonce !== undefined) {
    must(payload.wallet_nonce === walletNonce, 'wallet_nonce', `wallet_nonce ${payload.wallet_nonce} ≠ ${walletNonce}`);
  }
  must(payload.presentation_definition === undefined && payload.scope === undefined, 'dcql_query', 'HAIP: DCQL only');

  // DCQL (VP §6): the PID as SD-JWT VC, our PID provider among the trusted authorities.
  let query;
  try {
    query = DcqlQuery.parse(payload.dcql_query);
    DcqlQuery.validate(query);
  } catch (e) {
    throw new RequestCheckError('dcql_query', `not a valid DCQL query: ${e.message}`);
  }
  const pidQueries = query.credentials.filter((c) => c.format === 'dc+sd-jwt');
  must(pidQueries.length === 1, 'dcql_query', `${pidQueries.length} dc+sd-jwt credential queries`);
  const pid = pidQueries[0];
  const vcts = pid.meta?.vct_values ?? [];
  must(PID_VCTS.every((v) => vcts.includes(v)), 'vct_values', `vct_values ${JSON.stringify(vcts)}`);
  const akis = (pid.trusted_authorities ?? []).filter((t) => t.type === 'aki').flatMap((t) => t.values);
  must(akis.length > 0, 'trusted_authorities', 'no trusted_authorities of type aki (HAIP §5)');
  must(akis.includes(aki), 'trusted_authorities', `our PID provider ${aki} not among ${JSON.stringify(akis)}`);
  const claimPaths = (pid.claims ?? []).map((c) => c.path);
  must(pid.claim_sets === undefined, 'dcql_query', 'claim_sets not expected');

  // client_metadata (VP §5.1, §8.3; HAIP §5: ephemeral P-256 key, both enc values).
  const meta = payload.client_metadata ?? {};
  const encJwk = (meta.jwks?.keys ?? []).find((k) => k.kty === 'EC' && k.crv === 'P-256' && typeof k.x === 'string' && typeof k.y === 'string');
  must(encJwk, 'client_metadata', 'no EC P-256 key in client_metadata.jwks');
  must(typeof encJwk.kid === 'string' && encJwk.kid.length > 0, 'client_metadata', 'the encryption key has no kid');
  must(encJwk.d === undefined, 'client_metadata', 'the encryption key carries a private part');
  must(encJwk.alg === undefined || encJwk.alg === 'ECDH-ES', 'client_metadata', `key alg ${encJwk.alg}`);
  must(encJwk.use === undefined || encJwk.use === 'enc', 'client_metadata', `key use ${encJwk.use}`);
  const encValues = meta.encrypted_response_enc_values_supported ?? [];
  must(['A128GCM', 'A256GCM'].every((e) => encValues.includes(e)), 'client_metadata', `encrypted_response_enc_values_supported ${JSON.stringify(encValues)}`);
  must(meta.vp_formats_supported?.['dc+sd-jwt'] !== undefined, 'client_metadata', `vp_formats_supported ${JSON.stringify(meta.vp_formats_supported)}`);

  return {
    clientId,
    nonce: payload.nonce,
    state: payload.state,
    responseUri: payload.response_uri,
    credentialId: pid.id,
    claimPaths,
    encJwk,
    header,
    payload,
  };
}
