// An independent OpenID Provider for the bank-ID interop and attack tests (issue 10 item 6):
// panva's OpenID-certified `oidc-provider`, configured the way a bank's OP is (Norway BankID is
// the model: PAR required, private_key_jwt, PKCE, ES256/PS256 ID tokens, its `acr` values, OIDC
// for Identity Assurance `verified_claims`, RFC 9207 `iss` in every authorization response).
//
// Started by tests/it/support_op.rs as `node server.mjs` with its configuration as JSON in the
// environment variable BK_OP_CONFIG (or in the file named by the first argument). It listens on
// 127.0.0.1 port 0 and prints ONE line on stdout once it serves:
//
//   {"issuer":"http://127.0.0.1:PORT","port":PORT}
//
// It exits when its stdin closes (the test process is gone) or on SIGTERM.
//
// Login without a browser: there are no development interactions (devInteractions off) and no
// form. The OP sends the browser to /interaction/<uid>; a GET there finishes the interaction at
// once and redirects back to the OP, which answers the client. Query values choose the outcome:
//
//   ?account=<id>        which test account logs in (default: config `account`, or the env
//                        variable BK_OP_ACCOUNT, or the first account)
//   ?outcome=success     (default) the account logs in at its configured `acr`
//   ?outcome=<error>     the OP answers the client with this OAuth error instead, e.g.
//                        access_denied, login_required, temporarily_unavailable
//
// Consent is never asked: every requested scope and claim is granted (a bank asks its customer
// once, out of band; the tests are about the client's side).
//
// Configuration (JSON; every key optional except `clients`):
//   clients:   client metadata as oidc-provider takes it (client_id, redirect_uris,
//              token_endpoint_auth_method, jwks or jwks_uri, id_token_signed_response_alg, …)
//   accounts:  { "<id>": { "acr": "urn:bankid:bid;LOA=4", "amr": ["BID"], "claims": { … } } }
//              `claims` are the account's claims (given_name, birthdate, verified_claims, …);
//              `sub` defaults to the account id.
//   account:   the default account id
//   require_par:      default true (features.pushedAuthorizationRequests.requirePushedAuthorizationRequests)
//   claims_parameter: default true (the `claims` request parameter, OIDC Core §5.5)
//   acr_values:       advertised acr values; default the Norway BankID ones
//   trust_frameworks: advertised trust frameworks of verified_claims; default ["de_aml"]
//   logout:           default false; true offers RP-Initiated Logout (end_session_endpoint; the
//                     client then lists its post_logout_redirect_uris)

import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import Provider, { interactionPolicy } from 'oidc-provider';

const NORWAY_BANKID_ACR = ['urn:bankid:bid;LOA=4', 'urn:bankid:bim;LOA=4', 'urn:bankid:bis;LOA=3'];

function loadConfig() {
  const text = process.argv[2] ? readFileSync(process.argv[2], 'utf8') : process.env.BK_OP_CONFIG;
  if (!text) {
    throw new Error('no configuration: set BK_OP_CONFIG or pass a JSON file');
  }
  const config = JSON.parse(text);
  if (!Array.isArray(config.clients) || config.clients.length === 0) {
    throw new Error('configuration needs at least one client');
  }
  config.accounts ??= {};
  config.account = process.env.BK_OP_ACCOUNT || config.account || Object.keys(config.accounts)[0];
  return config;
}

// Fresh signing keys per run: one EC P-256 (ES256) and one RSA (PS256/RS256) key; each client's
// id_token_signed_response_alg picks one. The kid is oidc-provider's own (a key thumbprint).
function signingKeys() {
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' });
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' });
  return { keys: [{ ...ec, use: 'sig' }, { ...rsa, use: 'sig' }] };
}

// The login prompt without the essential-acr checks: a bank returns the level the customer
// reached and leaves it to the client to refuse a lower one (the broker must never downgrade
// silently; the attack tests prove it refuses). Without this the OP would loop back to login.
function policy() {
  const prompts = interactionPolicy.base();
  const login = prompts.get('login');
  login.checks.remove('essential_acr');
  login.checks.remove('essential_acrs');
  return prompts;
}

function providerConfiguration(config) {
  const accounts = config.accounts;
  return {
    clients: config.clients,
    jwks: signingKeys(),
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    acrValues: config.acr_values ?? NORWAY_BANKID_ACR,
    // Scope claims go into the ID token too: a bank's client often reads them from there
    // (OIDC Core §5.4 allows it when no access token is issued for userinfo; the broker's
    // default is `userinfo = false`).
    conformIdTokenClaims: false,
    claims: {
      acr: null,
      auth_time: null,
      sid: null,
      iss: null,
      // OIDC4IDA §5: verified_claims released with the openid scope (a bank's ID token).
      openid: ['sub', 'verified_claims'],
      profile: ['name', 'given_name', 'family_name', 'birthdate'],
      address: ['address'],
      email: ['email', 'email_verified'],
      phone: ['phone_number', 'phone_number_verified'],
    },
    scopes: ['openid', 'offline_access', 'profile', 'address', 'email', 'phone'],
    async findAccount(_ctx, id) {
      const account = accounts[id];
      if (!account) {
        return undefined;
      }
      return {
        accountId: id,
        async claims() {
          return { sub: id, ...(account.claims ?? {}) };
        },
      };
    },
    clientAuthMethods: ['private_key_jwt', 'client_secret_basic'],
    // The client's jwks_uri is the broker under test on 127.0.0.1; oidc-provider's SSRF guard
    // refuses loopback addresses, so this test peer fetches without it (never do this in an OP
    // that takes client metadata from strangers).
    fetch: (url, options) => {
      delete options.dispatcher;
      return globalThis.fetch(url, options);
    },
    pkce: { required: () => true },
    interactions: {
      policy: policy(),
      url: (_ctx, interaction) => `/interaction/${interaction.uid}`,
    },
    // Every requested scope and claim is granted (see the header).
    async loadExistingGrant(ctx) {
      const { Grant } = ctx.oidc.provider;
      const grant = new Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
      grant.addOIDCScope([...ctx.oidc.requestParamScopes].join(' '));
      const claims = [...ctx.oidc.requestParamClaims];
      if (claims.length) {
        grant.addOIDCClaims(claims);
      }
      await grant.save();
      return grant;
    },
    features: {
      devInteractions: { enabled: false },
      pushedAuthorizationRequests: {
        enabled: true,
        requirePushedAuthorizationRequests: config.require_par ?? true,
      },
      claimsParameter: { enabled: config.claims_parameter ?? true },
      jwtUserinfo: { enabled: true },
      userinfo: { enabled: true },
      // RP-Initiated Logout 1.0 (the broker ends the bank session after its own, issue 11 item 5):
      // oidc-provider's own confirmation page, which the test submits like a person would.
      rpInitiatedLogout: { enabled: config.logout ?? false },
    },
    discovery: {
      // OIDC for Identity Assurance 1.0 §8 (OP metadata).
      verified_claims_supported: true,
      trust_frameworks_supported: config.trust_frameworks ?? ['de_aml'],
      evidence_supported: ['document', 'electronic_record'],
      claims_in_verified_claims_supported: ['given_name', 'family_name', 'birthdate', 'place_of_birth', 'nationalities', 'address'],
    },
    renderError(ctx, out) {
      ctx.type = 'text/plain; charset=utf-8';
      ctx.body = `OP error: ${out.error}: ${out.error_description ?? ''}\n`;
    },
  };
}

// GET /interaction/<uid>[?account=…&outcome=…]: finish the interaction without a form.
async function interaction(provider, config, req, res, url) {
  const details = await provider.interactionDetails(req, res);
  const outcome = url.searchParams.get('outcome') || 'success';
  if (outcome !== 'success') {
    await provider.interactionFinished(req, res, {
      error: outcome,
      error_description: `the test chose ${outcome}`,
    }, { mergeWithLastSubmission: false });
    return;
  }
  const accountId = url.searchParams.get('account') || config.account;
  const account = config.accounts[accountId];
  if (!account) {
    res.statusCode = 400;
    res.end(`unknown test account ${accountId}\n`);
    return;
  }
  await provider.interactionFinished(req, res, {
    login: { accountId, acr: account.acr, amr: account.amr ?? ['BID'] },
  }, { mergeWithLastSubmission: false });
  process.stderr.write(`op: ${details.prompt.name} finished for ${accountId} at ${account.acr}\n`);
}

function logErrors(provider) {
  const events = [
    'authorization.error', 'grant.error', 'pushed_authorization_request.error', 'server_error',
    'userinfo.error', 'discovery.error', 'jwks.error', 'end_session.error',
  ];
  for (const event of events) {
    provider.on(event, (ctx, err) => {
      const e = err ?? ctx;
      process.stderr.write(`op: ${event}: ${e?.error ?? e?.name}: ${e?.error_description ?? e?.message} ${e?.error_detail ?? ''}\n`);
    });
  }
}

function main() {
  const config = loadConfig();
  const server = createServer();
  server.listen(0, '127.0.0.1', () => {
    const { port } = server.address();
    const issuer = `http://127.0.0.1:${port}`;
    const provider = new Provider(issuer, providerConfiguration(config));
    logErrors(provider);
    const callback = provider.callback();
    server.on('request', (req, res) => {
      const url = new URL(req.url, issuer);
      if (req.method === 'GET' && /^\/interaction\/[^/]+$/.test(url.pathname)) {
        interaction(provider, config, req, res, url).catch((err) => {
          process.stderr.write(`op: interaction failed: ${err?.stack ?? err}\n`);
          res.statusCode = 400;
          res.end(`interaction failed: ${err?.message ?? err}\n`);
        });
        return;
      }
      callback(req, res);
    });
    process.stdout.write(`${JSON.stringify({ issuer, port })}\n`);
  });
  process.on('SIGTERM', () => process.exit(0));
  // The test process holds our stdin open; when it is gone, so are we (no orphaned OPs).
  process.stdin.on('end', () => process.exit(0));
  process.stdin.resume();
}

main();
