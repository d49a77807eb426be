// Self-check of the test wallet against a verifier written here (not the broker): init → status
// list → mint → present → encrypt → verify round trips, the request checks (exit 2), and that each
// attack really spoils what it claims to spoil.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { x509 } from '../lib/x509.mjs';
import { startVerifier } from './verifier.mjs';

const WALLET = fileURLToPath(new URL('../wallet.mjs', import.meta.url));
const PROFILE = [['family_name'], ['given_name'], ['birthdate']];

async function wallet(...args) {
  try {
    const { stdout } = await promisify(execFile)(process.execPath, [WALLET, ...args]);
    return { code: 0, out: JSON.parse(stdout) };
  } catch (e) {
    return { code: e.code, out: JSON.parse(e.stdout) };
  }
}

let made;
/** One PID provider directory for every test (init is the slow part). */
async function provider() {
  made ??= (async () => {
    const dir = await mkdtemp(join(tmpdir(), 'wallet-test-'));
    const init = await wallet('init', '--dir', dir);
    assert.equal(init.code, 0, JSON.stringify(init.out));
    return { dir, init };
  })();
  return made;
}

async function setup(paths = PROFILE, bend) {
  const { dir, init } = await provider();
  const ca = new x509.X509Certificate(await readFile(init.out.ca, 'utf8'));
  const v = await startVerifier({ aki: init.out.aki, ca, paths, bend });
  const sl = join(dir, 'status.jwt');
  const list = await wallet('status-list', '--dir', dir, '--uri', `${v.base}/status`, '--revoked', '3,7', '--out', sl);
  assert.equal(list.code, 0, JSON.stringify(list.out));
  v.setStatus((await readFile(sl, 'utf8')).trim());
  return { dir, v };
}

const present = (s, ...extra) => wallet('present', '--dir', s.dir, '--url', s.v.walletUrl(), '--status-uri', `${s.v.base}/status`, '--index', '5', ...extra);

test('a presentation round trips: GET and POST request_uri, both enc values, only the asked claims', async () => {
  const s = await setup([['family_name'], ['given_name'], ['birthdate'], ['address']]);
  try {
    for (const [method, enc] of [['get', 'A128GCM'], ['post', 'A256GCM']]) {
      const r = await present(s, '--request-method', method, '--enc', enc);
      assert.equal(r.code, 0, JSON.stringify(r.out));
      assert.equal(r.out.status, 200, JSON.stringify(r.out));
      assert.match(r.out.body.redirect_uri, /response_code=/);
      const got = s.v.received.at(-1);
      assert.equal(got.enc, enc);
      assert.equal(got.claims.vct, 'urn:eudi:pid:de:1');
      assert.equal(got.claims.family_name, 'MUSTERMANN');
      assert.equal(got.claims.given_name, 'ERIKA');
      assert.equal(got.claims.birthdate, '1964-08-12');
      assert.deepEqual(got.claims.address, { street_address: 'HEIDESTRASSE 17', locality: 'KÖLN', postal_code: '51147', country: 'DE' });
      for (const hidden of ['place_of_birth', 'birth_family_name', 'nationalities', 'issuing_authority']) {
        assert.equal(got.claims[hidden], undefined, `${hidden} must stay undisclosed`);
      }
      assert.equal(got.kb.aud, s.v.clientId);
      assert.equal(got.kb.nonce, s.v.nonce);
    }
  } finally {
    await s.v.close();
  }
});

test('each attack spoils what it names', async () => {
  const s = await setup();
  const expect = {
    'wrong-nonce': /nonce/i,
    'wrong-aud': /aud/,
    'no-kb': /key binding/i,
    'kb-other-key': /signature|verif/i,
    'disclosure-altered': /unreferenced disclosure/,
    'disclosure-added': /unreferenced disclosure/,
    'disclosure-duplicated': /duplicate disclosure/,
    'disclosure-dropped': null,
    'foreign-issuer': /issuer not under the CA/,
    expired: /exp/i,
    revoked: /status/i,
    plaintext: /no encrypted response/,
    'wrong-vct': null,
    'wrong-kid': /kid/,
    'kb-stale': null,
    'kb-sd-hash': /sd_hash|hash/i,
    'wrong-state': /state/,
    'two-pids': null,
  };
  try {
    for (const [attack, error] of Object.entries(expect)) {
      const r = await present(s, '--attack', attack);
      assert.equal(r.code, 0, `${attack}: ${JSON.stringify(r.out)}`);
      assert.equal(r.out.attack, attack);
      const got = s.v.received.at(-1);
      if (error) {
        assert.equal(r.out.status, 400, `${attack}: ${JSON.stringify(got)}`);
        assert.match(got.error, error, attack);
      } else if (attack === 'disclosure-dropped') {
        // The library verifier accepts a presentation that shows less; the broker must not (DCQL).
        assert.equal(got.claims.family_name, undefined, attack);
      } else if (attack === 'wrong-vct') {
        assert.equal(got.claims.vct, 'urn:eudi:ehic:1', attack);
      }
    }
    const revoked = await present(s, '--attack', 'revoked');
    assert.ok([3, 7].includes(revoked.out.index), 'a revoked index from the list');
    const twice = await present(s, '--repeat', '2');
    assert.equal(twice.out.responses.length, 2);
  } finally {
    await s.v.close();
  }
});

test('a request the wallet must not answer ends with exit 2 and the failed check', async () => {
  const cases = {
    typ: (p, h) => { h.typ = 'JWT'; },
    client_id: (p) => { p.client_id = 'x509_hash:AAAA'; },
    aud: (p) => { p.aud = 'https://verifier.example'; },
    response_mode: (p) => { p.response_mode = 'direct_post'; },
    trusted_authorities: (p) => { p.dcql_query.credentials[0].trusted_authorities = [{ type: 'aki', values: ['c29tZW9uZSBlbHNl'] }]; },
    vct_values: (p) => { p.dcql_query.credentials[0].meta.vct_values = ['urn:eudi:pid:1']; },
    client_metadata: (p) => { p.client_metadata.encrypted_response_enc_values_supported = ['A256GCM']; },
    wallet_nonce: (p) => { p.wallet_nonce = 'not-the-one-we-sent'; },
  };
  for (const [check, bend] of Object.entries(cases)) {
    const s = await setup(PROFILE, bend);
    try {
      const r = await present(s, '--request-method', 'post');
      assert.equal(r.code, 2, `${check}: ${JSON.stringify(r.out)}`);
      assert.equal(r.out.check, check, JSON.stringify(r.out));
      assert.equal(s.v.received.length, 0, `${check}: nothing posted`);
    } finally {
      await s.v.close();
    }
  }
});
