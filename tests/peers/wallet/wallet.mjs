#!/usr/bin/env node
// An independent EUDI test wallet for buergerkonto's tests (issue 16 item 6). One command per call,
// one JSON line on stdout; exit 0 ok, 2 a check on the verifier's request failed, 1 anything else.
//
//   wallet.mjs init --dir D
//   wallet.mjs status-list --dir D --uri U --revoked 3,7 --out F
//   wallet.mjs present --dir D --url 'openid4vp://?client_id=…&request_uri=…' --status-uri U --index N
//       [--request-method get|post] [--person erika|max] [--enc A128GCM|A256GCM] [--attack NAME]
//       [--post-to URL] [--repeat N]
//
// Attacks: wrong-nonce, wrong-aud, no-kb, kb-other-key, disclosure-altered, disclosure-added,
// disclosure-duplicated, disclosure-dropped, foreign-issuer, expired, revoked, plaintext, wrong-vct,
// wrong-kid (the JWE to the right key, its header naming another kid), kb-stale (KB-JWT iat an
// hour ago), kb-sd-hash (sd_hash over the issuer JWT alone), wrong-state, two-pids (a second PID
// in the array although the query does not allow `multiple`).
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { init, load } from './lib/pki.mjs';
import { firstRevoked, statusListToken } from './lib/status.mjs';
import { RequestCheckError, checkRequest, fetchRequest, parseWalletUrl } from './lib/request.mjs';
import { mintPid, present } from './lib/pid.mjs';
import { encryptResponse, postForm } from './lib/response.mjs';

export const ATTACKS = [
  'wrong-nonce', 'wrong-aud', 'no-kb', 'kb-other-key', 'disclosure-altered', 'disclosure-added',
  'disclosure-duplicated', 'disclosure-dropped', 'foreign-issuer', 'expired', 'revoked', 'plaintext', 'wrong-vct',
  'wrong-kid', 'kb-stale', 'kb-sd-hash', 'wrong-state', 'two-pids',
];

class UsageError extends Error {}

const need = (values, name) => {
  if (values[name] === undefined) throw new UsageError(`--${name} is required`);
  return values[name];
};

async function cmdInit(values) {
  const out = await init(need(values, 'dir'));
  return { ca: out.trusted.ca, aki: out.trusted.aki, foreign_ca: out.foreign.ca, foreign_aki: out.foreign.aki };
}

async function cmdStatusList(values) {
  const provider = await load(need(values, 'dir'));
  const revoked = (values.revoked ?? '').split(',').filter((s) => s.trim() !== '').map((s) => Number.parseInt(s, 10));
  if (revoked.some((n) => !Number.isInteger(n) || n < 0)) throw new UsageError(`--revoked ${values.revoked}`);
  const token = await statusListToken(provider, need(values, 'uri'), revoked);
  await writeFile(need(values, 'out'), token);
  return { out: values.out, revoked };
}

/** Fetch, check, mint, present, encrypt, post. */
export async function cmdPresent(values) {
  const dir = need(values, 'dir');
  const attack = values.attack;
  if (attack !== undefined && !ATTACKS.includes(attack)) throw new UsageError(`unknown attack ${attack}`);
  const enc = values.enc ?? 'A128GCM';
  if (!['A128GCM', 'A256GCM'].includes(enc)) throw new UsageError(`--enc ${enc}`);
  const repeat = Number.parseInt(values.repeat ?? '1', 10);
  const statusUri = need(values, 'status-uri');

  const link = parseWalletUrl(need(values, 'url'));
  const method = values['request-method'] ?? link.method;
  const trusted = await load(dir);
  const { jar, walletNonce } = await fetchRequest(link.requestUri, method);
  const req = await checkRequest(jar, { clientId: link.clientId, walletNonce, aki: trusted.aki });

  let index = Number.parseInt(values.index ?? 'NaN', 10);
  if (attack === 'revoked') {
    const res = await fetch(statusUri);
    if (!res.ok) throw new Error(`status list ${statusUri}: ${res.status}`);
    index = firstRevoked(await res.text());
  }
  if (!Number.isInteger(index)) throw new UsageError('--index is required');
  const now = Math.floor(Date.now() / 1000);
  const provider = attack === 'foreign-issuer' ? await load(dir, true) : trusted;
  const minted = await mintPid(provider, values.person ?? 'erika', {
    vct: attack === 'wrong-vct' ? 'urn:eudi:ehic:1' : 'urn:eudi:pid:de:1',
    status: { idx: index, uri: statusUri },
    ...(attack === 'expired' ? { iat: now - 3 * 24 * 3600, exp: now - 24 * 3600 } : {}),
  });
  const { presentation, disclosed } = await present(minted, { paths: req.claimPaths, aud: req.clientId, nonce: req.nonce, attack });

  const presentations = [presentation];
  if (attack === 'two-pids') {
    const second = await mintPid(provider, 'max', { status: { idx: index, uri: statusUri } });
    presentations.push((await present(second, { paths: req.claimPaths, aud: req.clientId, nonce: req.nonce })).presentation);
  }
  const state = attack === 'wrong-state' ? `${req.state ?? ''}x` : req.state;
  const answer = { vp_token: { [req.credentialId]: presentations }, ...(state !== undefined ? { state } : {}) };
  const fields =
    attack === 'plaintext'
      ? { vp_token: JSON.stringify(answer.vp_token), ...(state !== undefined ? { state } : {}) }
      : { response: await encryptResponse(answer, attack === 'wrong-kid' ? { ...req.encJwk, kid: `${req.encJwk.kid}-other` } : req.encJwk, enc) };
  const target = values['post-to'] ?? req.responseUri;
  const responses = [];
  for (let i = 0; i < repeat; i++) responses.push(await postForm(target, fields));
  return {
    status: responses[0].status,
    body: responses[0].body,
    responses,
    client_id: req.clientId,
    response_uri: req.responseUri,
    posted_to: target,
    request_method: method,
    nonce: req.nonce,
    state: req.state ?? null,
    kid: req.encJwk.kid,
    enc: attack === 'plaintext' ? null : enc,
    asked: req.claimPaths,
    disclosed,
    index,
    attack: attack ?? null,
  };
}

const OPTIONS = {
  dir: { type: 'string' },
  url: { type: 'string' },
  uri: { type: 'string' },
  out: { type: 'string' },
  revoked: { type: 'string' },
  'status-uri': { type: 'string' },
  index: { type: 'string' },
  'request-method': { type: 'string' },
  person: { type: 'string' },
  enc: { type: 'string' },
  attack: { type: 'string' },
  'post-to': { type: 'string' },
  repeat: { type: 'string' },
};

export async function main(argv) {
  const { positionals, values } = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true });
  const commands = { init: cmdInit, 'status-list': cmdStatusList, present: cmdPresent };
  const run = commands[positionals[0]];
  if (!run) throw new UsageError(`command ${positionals[0] ?? '(none)'}: one of ${Object.keys(commands).join(', ')}`);
  return run(values);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  try {
    const out = await main(process.argv.slice(2));
    process.stdout.write(`${JSON.stringify(out)}\n`);
    process.exitCode = 0;
  } catch (e) {
    if (e instanceof RequestCheckError) {
      process.stdout.write(`${JSON.stringify({ error: 'request_check', check: e.check, detail: e.detail })}\n`);
      process.exitCode = 2;
    } else {
      process.stdout.write(`${JSON.stringify({ error: e instanceof UsageError ? 'usage' : 'wallet', detail: String(e?.stack ?? e) })}\n`);
      process.exitCode = 1;
    }
  }
}
