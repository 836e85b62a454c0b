// What both oidc-provider launchers share: settings from the environment, an
// HTTPS listener on a free port of 127.0.0.1 that hands requests to a
// handler built once the port (and so the issuer) is known, the port file
// run_e2e.sh waits for, and never outliving the test run.

import { randomBytes } from 'node:crypto';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:https';

/// The environment variable `name`; without a fallback it must be set.
export function setting(name, fallback) {
  const value = process.env[name];
  if (value === undefined || value === '') {
    if (fallback === undefined) {
      console.error(`launcher: ${name} is not set`);
      process.exit(2);
    }
    return fallback;
  }
  return value;
}

/// A whole number of seconds >= 1 from the environment.
export function secondsSetting(name, fallback) {
  const seconds = Number(setting(name, fallback));
  if (!Number.isInteger(seconds) || seconds < 1) {
    console.error(`launcher: ${name} must be a positive whole number of seconds`);
    process.exit(2);
  }
  return seconds;
}

/// The oidc-provider settings both launchers use: lifetimes (codes and
/// access tokens as given, the rest long enough for any test run), fresh
/// cookie keys, and an account for whatever the development login names.
export function testProviderSettings({ codeTtl, accessTtl }) {
  return {
    ttl: {
      AuthorizationCode: codeTtl,
      AccessToken: accessTtl,
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
  };
}

/// Listens on https://127.0.0.1:<free port> with the certificate in certVar
/// and keyVar, calls makeHandler(issuer) once the port is known (requests
/// arriving before get a 503), then writes the port to the file in
/// portFileVar. Exits after maxLifeVar seconds, when the parent dies, or on
/// SIGTERM/SIGINT.
export function serve({ certVar, keyVar, portFileVar, maxLifeVar }, makeHandler) {
  const cert = readFileSync(setting(certVar));
  const key = readFileSync(setting(keyVar));
  const portFile = setting(portFileVar);
  const maxLife = secondsSetting(maxLifeVar, '600');

  let handler = (req, res) => {
    res.statusCode = 503;
    res.end();
  };
  const server = createServer({ cert, key, minVersion: 'TLSv1.2' }, (req, res) => handler(req, res));
  server.listen(0, '127.0.0.1', () => {
    const { port } = server.address();
    const issuer = `https://127.0.0.1:${port}`;
    handler = makeHandler(issuer);
    const tmp = `${portFile}.tmp`;
    writeFileSync(tmp, `${port}\n`);
    renameSync(tmp, portFile);
    console.error(`launcher: ${issuer} ready`);
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
}
