// Starts panva's oidc-provider (an OpenID Certified authorization server) for
// the end-to-end tests: HTTPS on 127.0.0.1, a free port, one confidential
// client, the built-in development login and consent pages.
//
// run_e2e.sh copies this file and launcher_common.mjs into a folder below
// the node_modules that hold oidc-provider and runs it there, with settings
// in the environment:
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

import Provider from 'oidc-provider';

import { secondsSetting, serve, setting, testProviderSettings } from './launcher_common.mjs';

const clientId = setting('OIDC_CLIENT_ID');
const clientSecret = setting('OIDC_CLIENT_SECRET');
const redirectUri = setting('OIDC_REDIRECT_URI');
const codeTtl = secondsSetting('OIDC_CODE_TTL', '60');

// The issuer has to name the port, so the provider is built once it is known.
const listener = { certVar: 'OIDC_CERT', keyVar: 'OIDC_KEY', portFileVar: 'OIDC_PORT_FILE', maxLifeVar: 'OIDC_MAX_LIFE' };
serve(listener, (issuer) => {
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
    ...testProviderSettings({ codeTtl, accessTtl: 600 }),
  });

  provider.on('server_error', (ctx, err) => console.error('oidc_launcher: server_error', err));
  console.error(`oidc_launcher: code TTL ${codeTtl} s`);
  return provider.callback();
});
