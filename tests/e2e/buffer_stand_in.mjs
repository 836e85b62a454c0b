// A stand-in for Buffer's current OAuth server (auth.buffer.com, which runs
// oidc-provider's default routes) and for its GraphQL API (api.buffer.com),
// in one process: HTTPS on 127.0.0.1, a free port, oidc-provider 8.8.1 with
// the development login and consent pages.
//
// run_e2e.sh copies this file and launcher_common.mjs into a folder below
// the node_modules that hold oidc-provider and runs it there, with settings
// in the environment:
//   STAND_IN_CERT, STAND_IN_KEY   PEM certificate and key for the TLS listener
//   STAND_IN_PORT_FILE            written with the port once the server listens
//   STAND_IN_CLIENT_ID, STAND_IN_CLIENT_SECRET   the confidential client
//   STAND_IN_PUBLIC_CLIENT_ID     the public client (no secret)
//   STAND_IN_REDIRECT_URI         both clients' redirect URI
//   STAND_IN_ACCESS_TTL           access token lifetime in seconds (60)
//   STAND_IN_RETRY_AFTER          Retry-After of a rate-limited call (900)
//   STAND_IN_MAX_LIFE             exit after this many seconds regardless (600)
//
// As auth.buffer.com: PKCE S256 required, iss on every authorization
// response, refresh tokens only for offline_access asked with prompt=consent,
// rotated on every use (an old one sent again revokes the grant), Buffer's
// scopes, revocation, introspection and open registration, client_secret_post
// for confidential clients and none for public ones, and both discovery
// documents. POST /graphql answers like api.buffer.com; a query naming
// rateLimited is answered as a rate-limited call.

import Provider from 'oidc-provider';

import { secondsSetting, serve, setting, testProviderSettings } from './launcher_common.mjs';

const clientId = setting('STAND_IN_CLIENT_ID');
const clientSecret = setting('STAND_IN_CLIENT_SECRET');
const publicClientId = setting('STAND_IN_PUBLIC_CLIENT_ID');
const redirectUri = setting('STAND_IN_REDIRECT_URI');
const accessTtl = secondsSetting('STAND_IN_ACCESS_TTL', '60');
const retryAfter = secondsSetting('STAND_IN_RETRY_AFTER', '900');

// oidc-provider's defaults, which are Buffer's routes; the RFC 8414 document
// is built from the same table.
const routes = {
  authorization: '/auth',
  token: '/token',
  revocation: '/token/revocation',
  introspection: '/token/introspection',
  registration: '/reg',
  userinfo: '/me',
  jwks: '/jwks',
};
const scopes = ['openid', 'offline_access', 'posts:read', 'posts:write', 'ideas:read', 'ideas:write',
  'account:read', 'account:write'];
const grantTypes = ['authorization_code', 'refresh_token'];
const pkceMethods = ['S256'];
const responseModes = ['query', 'fragment', 'form_post'];

/// RFC 8414 metadata as Buffer serves it: only `none` for client authentication.
function authorizationServerMetadata(issuer) {
  return {
    issuer,
    authorization_endpoint: issuer + routes.authorization,
    token_endpoint: issuer + routes.token,
    revocation_endpoint: issuer + routes.revocation,
    introspection_endpoint: issuer + routes.introspection,
    registration_endpoint: issuer + routes.registration,
    jwks_uri: issuer + routes.jwks,
    scopes_supported: scopes.filter((s) => s !== 'openid'),
    response_types_supported: ['code'],
    response_modes_supported: responseModes,
    grant_types_supported: grantTypes,
    token_endpoint_auth_methods_supported: ['none'],
    code_challenge_methods_supported: pkceMethods,
    authorization_response_iss_parameter_supported: true,
  };
}

function sendJson(res, status, body, headers = {}) {
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', ...headers });
  res.end(JSON.stringify(body));
}

function graphqlError(message, extensions) {
  return { errors: [{ message, extensions }] };
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk) => {
      body += chunk;
      if (body.length > 65536) reject(new Error('body too large'));
    });
    req.on('end', () => resolve(body));
    req.on('error', reject);
  });
}

/// POST /graphql the way api.buffer.com answers: 401 without credentials,
/// 200 with UNAUTHORIZED for a token that is unknown, expired or revoked
/// (oidc-provider's own store decides), 429 for a query naming rateLimited.
async function graphql(provider, req, res) {
  if (req.method !== 'POST') {
    sendJson(res, 405, graphqlError('GraphQL takes POST', { code: 'BAD_REQUEST' }), { Allow: 'POST' });
    return;
  }
  let query = '';
  try {
    query = String(JSON.parse(await readBody(req)).query ?? '');
  } catch {
    sendJson(res, 400, graphqlError('The body must be a JSON object with a query', { code: 'BAD_REQUEST' }));
    return;
  }
  const authorization = req.headers.authorization ?? '';
  if (authorization === '') {
    sendJson(res, 401, graphqlError('An authentication JWT or Access Token is required',
      { code: 'UNAUTHENTICATED' }));
    return;
  }
  const bearer = /^Bearer +(\S+)$/i.exec(authorization);
  const token = bearer ? await provider.AccessToken.find(bearer[1]) : undefined;
  if (!token || token.isExpired) {
    sendJson(res, 200, { data: null, ...graphqlError('Invalid or expired access token', { code: 'UNAUTHORIZED' }) });
    return;
  }
  if (query.includes('rateLimited')) {
    sendJson(res, 429, graphqlError('Too many requests from this client for this account',
      { code: 'RATE_LIMIT_EXCEEDED', window: '15m' }), { 'Retry-After': String(retryAfter) });
    return;
  }
  sendJson(res, 200, { data: { account: { id: token.accountId, email: `${token.accountId}@example.com` } } });
}

const listener = {
  certVar: 'STAND_IN_CERT', keyVar: 'STAND_IN_KEY', portFileVar: 'STAND_IN_PORT_FILE', maxLifeVar: 'STAND_IN_MAX_LIFE',
};
serve(listener, (issuer) => {
  const provider = new Provider(issuer, {
    routes,
    scopes,
    clients: [{
      client_id: clientId,
      client_secret: clientSecret,
      redirect_uris: [redirectUri],
      response_types: ['code'],
      grant_types: grantTypes,
      token_endpoint_auth_method: 'client_secret_post',
    }, {
      client_id: publicClientId,
      application_type: 'native',
      redirect_uris: [redirectUri],
      response_types: ['code'],
      grant_types: grantTypes,
      token_endpoint_auth_method: 'none',
    }],
    responseTypes: ['code'],
    clientAuthMethods: ['client_secret_post', 'none'],
    pkce: {
      methods: pkceMethods,
      required: () => true,
    },
    features: {
      devInteractions: { enabled: true },
      revocation: { enabled: true },
      introspection: { enabled: true },
      registration: { enabled: true },
    },
    rotateRefreshToken: true,
    ...testProviderSettings({ codeTtl: 60, accessTtl }),
  });
  provider.on('server_error', (ctx, err) => console.error('buffer_stand_in: server_error', err));

  const oauth = provider.callback();
  const metadata = JSON.stringify(authorizationServerMetadata(issuer));
  console.error(`buffer_stand_in: access token TTL ${accessTtl} s, Retry-After ${retryAfter} s`);
  return (req, res) => {
    const path = req.url.split('?')[0];
    if (path === '/graphql') {
      graphql(provider, req, res).catch((err) => {
        console.error('buffer_stand_in: graphql', err);
        sendJson(res, 500, graphqlError('Unexpected error', { code: 'UNEXPECTED' }));
      });
    } else if (path === '/.well-known/oauth-authorization-server' && req.method === 'GET') {
      res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8' });
      res.end(metadata);
    } else {
      oauth(req, res);
    }
  };
});
