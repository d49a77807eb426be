// The wallet's own test PID provider: a root CA and an issuer certificate (both P-256), plus a
// second, foreign CA + issuer that the broker does not trust (the "issuer outside the trust list"
// attack). Made with @peculiar/x509 on Node's WebCrypto, never with the broker's code.
//
// Files in the directory (init writes them, load reads them):
//   ca.pem, issuer.pem, issuer.jwk.json            the trusted PID provider
//   foreign-ca.pem, foreign-issuer.pem, foreign-issuer.jwk.json
import { webcrypto } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { x509 } from './x509.mjs';

const EC = { name: 'ECDSA', namedCurve: 'P-256' };
const SIGN = { name: 'ECDSA', hash: 'SHA-256' };
const DAY = 24 * 3600 * 1000;

/** base64url without padding. */
export const b64url = (bytes) => Buffer.from(bytes).toString('base64url');

async function keyPair() {
  return webcrypto.subtle.generateKey(EC, true, ['sign', 'verify']);
}

/** A self-signed root CA (basicConstraints CA, keyCertSign, SKI). */
async function rootCa(cn) {
  const keys = await keyPair();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '01' + Buffer.from(webcrypto.getRandomValues(new Uint8Array(8))).toString('hex'),
    name: `CN=${cn}, O=Test PID Provider, C=DE`,
    notBefore: new Date(Date.now() - DAY),
    notAfter: new Date(Date.now() + 3650 * DAY),
    signingAlgorithm: SIGN,
    keys,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { cert, keys };
}

/** An end-entity issuer certificate under `ca` (digitalSignature, AKI = the CA's SKI). */
async function issuerCert(ca, cn) {
  const keys = await keyPair();
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: '02' + Buffer.from(webcrypto.getRandomValues(new Uint8Array(8))).toString('hex'),
    subject: `CN=${cn}, O=Test PID Provider, C=DE`,
    issuer: ca.cert.subject,
    notBefore: new Date(Date.now() - DAY),
    notAfter: new Date(Date.now() + 365 * DAY),
    signingAlgorithm: SIGN,
    publicKey: keys.publicKey,
    signingKey: ca.keys.privateKey,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(ca.keys.publicKey),
    ],
  });
  return { cert, keys };
}

/** The base64url keyIdentifier of a CA's SubjectKeyIdentifier (DCQL `trusted_authorities` type `aki`). */
export function caAki(cert) {
  const ski = cert.getExtension(x509.SubjectKeyIdentifierExtension);
  return b64url(Buffer.from(ski.keyId, 'hex'));
}

/** Write a trusted and a foreign PID provider into `dir`; returns the paths and the trusted CA's aki. */
export async function init(dir) {
  await mkdir(dir, { recursive: true });
  const out = {};
  for (const [prefix, name] of [['', 'Wallet Test PID Provider'], ['foreign-', 'Foreign PID Provider']]) {
    const ca = await rootCa(`${name} Root CA`);
    const issuer = await issuerCert(ca, `${name} Issuer`);
    const jwk = await webcrypto.subtle.exportKey('jwk', issuer.keys.privateKey);
    await writeFile(join(dir, `${prefix}ca.pem`), ca.cert.toString('pem') + '\n');
    await writeFile(join(dir, `${prefix}issuer.pem`), issuer.cert.toString('pem') + '\n');
    await writeFile(join(dir, `${prefix}issuer.jwk.json`), JSON.stringify({ ...jwk, alg: 'ES256' }), { mode: 0o600 });
    out[prefix ? 'foreign' : 'trusted'] = { ca: join(dir, `${prefix}ca.pem`), aki: caAki(ca.cert) };
  }
  return out;
}

/**
 * One PID provider from `dir` (`foreign` picks the untrusted one): its issuer's private JWK, the
 * issuer certificate (DER, base64 for `x5c`) and its CA's aki.
 */
export async function load(dir, foreign = false) {
  const prefix = foreign ? 'foreign-' : '';
  const jwk = JSON.parse(await readFile(join(dir, `${prefix}issuer.jwk.json`), 'utf8'));
  const issuer = new x509.X509Certificate(await readFile(join(dir, `${prefix}issuer.pem`), 'utf8'));
  const ca = new x509.X509Certificate(await readFile(join(dir, `${prefix}ca.pem`), 'utf8'));
  return { jwk, x5c: [Buffer.from(issuer.rawData).toString('base64')], aki: caAki(ca), issuer, ca };
}
