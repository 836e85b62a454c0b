// Starts panva's oidc-provider (an OpenID Certified authorization server) for
// the end-to-end tests: HTTPS on 127.0.0.1, a free port, one confidential
// client, the built-in development login and consent pages.
//
// run_e2e.sh copies this file next to the node_modules that hold
// oidc-provider and runs it there, with settings in the environment:
//   OIDC_CERT, OIDC_KEY        PEM certificate and key for the TLS listener
//   OIDC_PORT_FILE             written with the port once the server listens
//   OIDC_CLIENT_ID, OIDC_CLIENT_SECRET, OIDC_REDIRECT_URI
//   OIDC_CODE_TTL              authorization code lifetime in seconds (60)
//   OIDC_MAX_LIFE              exit after this many seconds regardless (600)
//
// What the tests rely on: PKCE (S256) required for every authorization
// request, client_secret_post client authentication, refresh tokens for the
// client, single-use codes (a reused code revokes the tokens it gave), an
// exact redirect_uri match, RFC 6749 error bodies, and iss on every
// authorization response (RFC 9207).

import { randomBytes } from 'node:crypto';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:https';

import Provider from 'oidc-provider';

function setting(name, fallback) {
  const value = process.env[name];
  if (value === undefined || value === '') {
    if (fallback === undefined) {
      console.error(`oidc_launcher: ${name} is not set`);
      process.exit(2);
    }
    return fallback;
  }
  return value;
}

const cert = readFileSync(setting('OIDC_CERT'));
const key = readFileSync(setting('OIDC_KEY'));
const portFile = setting('OIDC_PORT_FILE');
const clientId = setting('OIDC_CLIENT_ID');
const clientSecret = setting('OIDC_CLIENT_SECRET');
const redirectUri = setting('OIDC_REDIRECT_URI');
const codeTtl = Number(setting('OIDC_CODE_TTL', '60'));
const maxLife = Number(setting('OIDC_MAX_LIFE', '600'));

if (!Number.isInteger(codeTtl) || codeTtl < 1) {
  console.error('oidc_launcher: OIDC_CODE_TTL must be a positive whole number of seconds');
  process.exit(2);
}

// The issuer has to name the port, so listen first and build the provider
// once the port is known; requests arriving in between get a 503.
let handler = (req, res) => {
  res.statusCode = 503;
  res.end();
};
const server = createServer({ cert, key, minVersion: 'TLSv1.2' }, (req, res) => handler(req, res));

server.listen(0, '127.0.0.1', () => {
  const { port } = server.address();
  const issuer = `https://127.0.0.1:${port}`;

  const provider = new Provider(issuer, {
    clients: [{
      client_id: clientId,
      client_secret: clientSecret,
      redirect_uris: [redirectUri],
      response_types: ['code'],
      grant_types: ['authorization_code', 'refresh_token'],
      token_endpoint_auth_method: 'client_secret_post',
    }],
    pkce: {
      methods: ['S256'],
      required: () => true,
    },
    features: {
      devInteractions: { enabled: true },
    },
    // A refresh token for every code this client swaps, whatever the scope.
    issueRefreshToken: async (ctx, client) => client.grantTypeAllowed('refresh_token'),
    ttl: {
      AuthorizationCode: codeTtl,
      AccessToken: 600,
      IdToken: 600,
      RefreshToken: 3600,
      Grant: 3600,
      Session: 3600,
      Interaction: 600,
    },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    findAccount: async (ctx, sub) => ({
      accountId: sub,
      claims: async () => ({ sub }),
    }),
  });

  provider.on('server_error', (ctx, err) => console.error('oidc_launcher: server_error', err));
  handler = provider.callback();

  const tmp = `${portFile}.tmp`;
  writeFileSync(tmp, `${port}\n`);
  renameSync(tmp, portFile);
  console.error(`oidc_launcher: ${issuer} ready (code TTL ${codeTtl} s)`);
});

// Never outlive a test run that forgot us.
setTimeout(() => process.exit(3), maxLife * 1000).unref();
const parent = process.ppid;
setInterval(() => {
  if (process.ppid !== parent) process.exit(4); // the driver died without stopping us
}, 1000).unref();
for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => process.exit(0));
}
