// A municipality's OpenID Connect provider for the sign-in tests: panva's oidc-provider (OpenID Certified),
// configured from a JSON file and started on a free loopback port.
//
//   node server.mjs CONFIG.json
//
// CONFIG: {"clients": [{client_id, client_secret, redirect_uris, post_logout_redirect_uris?}],
//          "accounts": {"<sub>": {<claims: employee_number, name, email, ...>}},
//          "short_code_clients": [client_id, ...]}
// Prints one line, {"issuer": "http://127.0.0.1:PORT"}, once it listens; stops on SIGTERM.
//
// The sign-in page is this file's own (the package's development pages are off): a form with one field,
// the account's subject, prefilled from the request's login_hint. Consent is granted at once for the scopes
// the client asked for, as a municipality's provider does for its own staff's applications. The signing
// key is generated at start, so nothing secret is kept on disk.
import { readFileSync } from 'node:fs';
import http from 'node:http';

import { exportJWK, generateKeyPair } from 'jose';
import Provider from 'oidc-provider';

const config = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const accounts = config.accounts ?? {};
// Clients whose authorisation codes last one second (to test a code that has expired before it is used).
const shortCodes = new Set(config.short_code_clients ?? []);

const escape = (text) => String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(title, body) {
  return `<!doctype html><html lang="ja"><head><meta charset="utf-8"><title>${escape(title)}</title></head>`
    + `<body><main><h1>${escape(title)}</h1>${body}</main></body></html>`;
}

async function readForm(req) {
  let raw = '';
  for await (const chunk of req) raw += chunk;
  return new URLSearchParams(raw);
}

const server = http.createServer();
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const issuer = `http://127.0.0.1:${server.address().port}`;

const { privateKey } = await generateKeyPair('RS256', { extractable: true });
const signingKey = { ...(await exportJWK(privateKey)), kid: 'signing-1', use: 'sig', alg: 'RS256' };

const provider = new Provider(issuer, {
  clients: config.clients.map((client) => ({
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_post',
    ...client,
  })),
  jwks: { keys: [signingKey] },
  cookies: { keys: [Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('hex')] },
  pkce: { required: () => true },
  ttl: {
    AuthorizationCode(ctx, code, client) {
      return shortCodes.has(client.clientId) ? 1 : 60;
    },
  },
  claims: {
    openid: ['sub'],
    profile: ['name', 'family_name', 'given_name'],
    email: ['email', 'email_verified'],
    employee: ['employee_number'],
  },
  scopes: ['openid', 'profile', 'email', 'employee'],
  features: {
    devInteractions: { enabled: false },
    rpInitiatedLogout: {
      enabled: true,
      // This file's own pages (the package's load a web font from another host).
      async logoutSource(ctx, form) {
        ctx.body = page('Sign out', `${form}<button type="submit" form="op.logoutForm" name="logout" value="yes">Sign out</button>`);
      },
      async postLogoutSuccessSource(ctx) {
        ctx.body = page('Signed out', '<p>You have signed out.</p>');
      },
    },
  },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  async findAccount(ctx, sub) {
    if (!Object.hasOwn(accounts, sub)) return undefined;
    return { accountId: sub, claims: async () => ({ sub, ...accounts[sub] }) };
  },
});

async function interaction(req, res) {
  const details = await provider.interactionDetails(req, res);
  const { prompt, params, session } = details;
  if (prompt.name === 'login') {
    if (req.method === 'POST') {
      const login = (await readForm(req)).get('login') ?? '';
      if (Object.hasOwn(accounts, login)) {
        await provider.interactionFinished(req, res, { login: { accountId: login } }, { mergeWithLastSubmission: false });
        return;
      }
    }
    res.setHeader('content-type', 'text/html; charset=utf-8');
    res.end(page('Sign in', `<form method="post" action="/interaction/${escape(details.uid)}">`
      + `<label for="login">Account</label><input id="login" name="login" value="${escape(params.login_hint ?? '')}">`
      + '<button type="submit">Sign in</button></form>'));
    return;
  }
  // consent: grant what the client asked for.
  const grant = details.grantId
    ? await provider.Grant.find(details.grantId)
    : new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
  if (prompt.details.missingOIDCScope) grant.addOIDCScope(prompt.details.missingOIDCScope.join(' '));
  if (prompt.details.missingOIDCClaims) grant.addOIDCClaims(prompt.details.missingOIDCClaims);
  const grantId = await grant.save();
  await provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
}

const handle = provider.callback();
server.on('request', (req, res) => {
  if (req.url.startsWith('/interaction/')) {
    interaction(req, res).catch((error) => {
      res.statusCode = 400;
      res.setHeader('content-type', 'text/plain; charset=utf-8');
      res.end(String(error));
    });
    return;
  }
  handle(req, res);
});

process.on('SIGTERM', () => server.close(() => process.exit(0)));
process.stdout.write(`${JSON.stringify({ issuer })}\n`);
