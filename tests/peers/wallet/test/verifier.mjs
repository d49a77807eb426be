// A minimal OpenID4VP verifier for the wallet's own self-check (not the broker): serves a signed
// request object at /request (GET, POST echoing wallet_nonce), the status list at /status, and
// takes the response at /response, decrypting and verifying it with @sd-jwt (issuer key from the
// x5c leaf checked against the wallet's CA, KB-JWT by cnf, nonce, aud, status).
import { createServer } from 'node:http';
import { createHash, randomBytes } from 'node:crypto';
import { CompactSign, compactDecrypt, exportJWK, generateKeyPair, importJWK, importX509 } from 'jose';
import { SDJwtVcInstance } from '@sd-jwt/sd-jwt-vc';
import { ES256, digest } from '@sd-jwt/crypto-nodejs';
import { x509 } from '../lib/x509.mjs';
import { webcrypto } from 'node:crypto';

const b64url = (b) => Buffer.from(b).toString('base64url');
const pem = (b64) => `-----BEGIN CERTIFICATE-----\n${b64.match(/.{1,64}/g).join('\n')}\n-----END CERTIFICATE-----\n`;

/** Start the verifier; `opts.aki` is the wallet CA's aki, `opts.ca` its certificate, `opts.bend(payload, header)` may spoil the request. */
export async function startVerifier(opts) {
  const keys = await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify']);
  const access = await x509.X509CertificateGenerator.createSelfSigned({
    name: 'CN=Test Verifier', keys, signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
  });
  const der = Buffer.from(access.rawData);
  const clientId = `x509_hash:${b64url(createHash('sha256').update(der).digest())}`;
  const enc = await generateKeyPair('ECDH-ES', { crv: 'P-256', extractable: true });
  const encJwk = { ...(await exportJWK(enc.publicKey)), kid: 'enc-1', use: 'enc', alg: 'ECDH-ES' };
  const nonce = b64url(randomBytes(24));
  const state = b64url(randomBytes(16));
  const received = [];
  let statusToken = '';
  const server = createServer(async (req, res) => {
    const body = await new Promise((ok) => { let s = ''; req.on('data', (c) => { s += c; }); req.on('end', () => ok(s)); });
    const form = new URLSearchParams(body);
    const base = `http://127.0.0.1:${server.address().port}`;
    if (req.url === '/request') {
      const payload = {
        client_id: clientId, aud: 'https://self-issued.me/v2', response_type: 'vp_token', response_mode: 'direct_post.jwt',
        response_uri: `${base}/response`, nonce, state,
        dcql_query: { credentials: [{ id: 'pid', format: 'dc+sd-jwt', meta: { vct_values: ['urn:eudi:pid:de:1', 'urn:eudi:pid:1'] },
          claims: opts.paths.map((path) => ({ path })), trusted_authorities: [{ type: 'aki', values: [opts.aki] }] }] },
        client_metadata: { jwks: { keys: [encJwk] }, encrypted_response_enc_values_supported: ['A128GCM', 'A256GCM'],
          vp_formats_supported: { 'dc+sd-jwt': { 'sd-jwt_alg_values': ['ES256'], 'kb-jwt_alg_values': ['ES256'] } } },
        ...(req.method === 'POST' ? { wallet_nonce: form.get('wallet_nonce') } : {}),
      };
      const header = { alg: 'ES256', typ: 'oauth-authz-req+jwt', x5c: [der.toString('base64')] };
      opts.bend?.(payload, header);
      const jar = await new CompactSign(new TextEncoder().encode(JSON.stringify(payload))).setProtectedHeader(header).sign(keys.privateKey);
      res.writeHead(200, { 'content-type': 'application/oauth-authz-req+jwt' }).end(jar);
    } else if (req.url === '/status') {
      res.writeHead(200, { 'content-type': 'application/statuslist+jwt' }).end(statusToken);
    } else if (req.url === '/response') {
      try {
        received.push(await verifyResponse(form, { enc, nonce, state, clientId, ca: opts.ca }));
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ redirect_uri: `${base}/return?response_code=x` }));
      } catch (e) {
        received.push({ error: String(e.message ?? e) });
        res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'invalid_request', error_description: String(e.message ?? e) }));
      }
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  const base = `http://127.0.0.1:${server.address().port}`;
  return {
    base, clientId, nonce, state, received,
    walletUrl: (method) => `openid4vp://?client_id=${encodeURIComponent(clientId)}&request_uri=${encodeURIComponent(`${base}/request`)}${method === 'post' ? '&request_uri_method=post' : ''}`,
    setStatus: (t) => { statusToken = t; },
    close: () => new Promise((ok) => server.close(ok)),
  };
}

async function verifyResponse(form, { enc, nonce, state, clientId, ca }) {
  const jwe = form.get('response');
  if (!jwe) throw new Error('no encrypted response');
  const { plaintext, protectedHeader } = await compactDecrypt(jwe, enc.privateKey);
  if (protectedHeader.kid !== 'enc-1') throw new Error(`kid ${protectedHeader.kid}`);
  const answer = JSON.parse(new TextDecoder().decode(plaintext));
  if (answer.state !== state) throw new Error('state');
  const [presentation] = answer.vp_token.pid;
  const [jwt] = presentation.split('~');
  const header = JSON.parse(Buffer.from(jwt.split('.')[0], 'base64url').toString());
  const issuerCert = new x509.X509Certificate(Buffer.from(header.x5c[0], 'base64'));
  if (!(await issuerCert.verify({ publicKey: await ca.publicKey.export() }))) throw new Error('issuer not under the CA');
  const issuerKey = await importX509(pem(header.x5c[0]), 'ES256');
  const sdjwt = new SDJwtVcInstance({
    hasher: digest,
    verifier: async (data, sig) => (await ES256.getVerifier(await exportJWK(issuerKey)))(data, sig),
    kbVerifier: async (data, sig, payload) => (await ES256.getVerifier(payload.cnf.jwk))(data, sig),
    statusVerifier: async (data, sig) => (await ES256.getVerifier(await exportJWK(issuerKey)))(data, sig),
  });
  strictDisclosures(presentation);
  const result = await sdjwt.verify(presentation, { keyBindingNonce: nonce, requiredClaimKeys: [] });
  if (!result.kb) throw new Error('no key binding');
  if (result.kb.payload.aud !== clientId) throw new Error(`kb aud ${result.kb.payload.aud}`);
  return { claims: result.payload, kb: result.kb.payload, enc: protectedHeader.enc };
}

/**
 * RFC 9901 §7.1 steps the library leaves out: every disclosure's digest referenced exactly once
 * in the issuer payload (or a disclosed object), no disclosure twice.
 */
function strictDisclosures(presentation) {
  const parts = presentation.split('~');
  const payload = JSON.parse(Buffer.from(parts[0].split('.')[1], 'base64url').toString());
  const disclosures = parts.slice(1, -1);
  const digests = disclosures.map((d) => b64url(createHash('sha256').update(d, 'ascii').digest()));
  if (new Set(digests).size !== digests.length) throw new Error('duplicate disclosure');
  const referenced = new Set();
  const walk = (v) => {
    if (Array.isArray(v)) v.forEach((e) => (e && typeof e === 'object' && '...' in e ? referenced.add(e['...']) : walk(e)));
    else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) (k === '_sd' ? x.forEach((d) => referenced.add(d)) : walk(x));
  };
  walk(payload);
  disclosures.forEach((d) => walk(JSON.parse(Buffer.from(d, 'base64url').toString()).at(-1)));
  digests.forEach((d) => { if (!referenced.has(d)) throw new Error('unreferenced disclosure'); });
}
