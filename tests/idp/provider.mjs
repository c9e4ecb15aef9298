// A Microsoft Entra ID (v2 endpoint) stand-in for scalechat's sign-in tests, plus a Microsoft
// Graph stand-in and test-only hooks, all in one process. Built on npm `oidc-provider` 9 (a
// certified OpenID Provider); see docs/notes/entra-test-provider.md for the spike it grew from.
//
// Surfaces (one HTTP server, 127.0.0.1 and best-effort [::1], issuer host `localhost`):
//   /<tenant>/v2.0/...          the OpenID Provider (discovery, auth, token, jwks, session/end)
//   /<tenant>/v2.0/interaction  sign-in without a password: the user named by login_hint, or a list to pick from
//   /graph/v1.0/me[/photo/$value], /graph/oidc/userinfo   the Graph stand-in
//   /__test/...                 test hooks (stats, mint, info); never part of the OIDC surface
//
// Environment:
//   PORT            port to listen on (default 4011)
//   TENANT_ID       home tenant (default 11111111-2222-3333-4444-555555555555)
//   CLIENT_ID, CLIENT_SECRET   the confidential client (the scalechat app) that proves itself with a secret
//   CERTIFICATE_FILE   a PEM certificate (no key): registers a second client, CERTIFICATE_CLIENT_ID, that proves
//                   itself with the certificate's private key (private_key_jwt), as an Entra app with a certificate
//   FEDERATED_SUBJECT  a managed identity's object id: registers a third client, FEDERATED_CLIENT_ID, that proves
//                   itself with that identity's token, as an Entra app with a federated identity credential
//   ISSUER_HOST     host name in the issuer (default localhost; keeps cookies apart from the app on 127.0.0.1)
//   KEY_FILE        JSON file with the signing keys; generated if missing, kept across restarts
//   EXTRA_KEY=1     add a new signing key in front (it signs from now on); the old ones stay published
//   RETIRE_OLD_KEYS=1  unpublish every key but the first (kept in KEY_FILE as retired; /__test/mint can still use them)
//   STATE_FILE      sessions, grants and refresh tokens are saved here on SIGTERM/SIGINT and loaded at start,
//                   so a restart (e.g. for key rotation) does not sign anyone out
//   ACCESS_TOKEN_TTL, ID_TOKEN_TTL, REFRESH_TOKEN_TTL   seconds (defaults 3600, 3600, 86400)
//   EXIT_WITH_PID   exit when that process (the test run) is gone
//
// How it resembles Entra ID, on purpose:
//   - `sub` is pairwise-looking (43 base64url chars) and differs from `oid`; the app must key users by oid+tid.
//   - ID tokens carry oid, tid, name, preferred_username, email, roles (absent when the user has none), ver.
//   - Scopes pick the resource as Entra does: OIDC scopes with User.Read (or nothing else) give a Graph
//     access token; Chat.Read/Chat.Write (or api://scalechat/Chat.*) give an api://scalechat token; asking
//     for both is an error (Entra's AADSTS28000). Unknown scopes are ignored.
//   - Refresh tokens are issued without prompt=consent and rotate; reusing an old one is `invalid_grant`
//     (stricter than Entra, which keeps old ones valid: the app must store the newest one).
//   - Loopback redirect URIs match on any port (RFC 8252; Entra ignores the port of loopback URIs).
//   - A login_hint naming another account than the provider session's signs that account in (the old
//     session is ended first through an auto-posted form, which browserless clients must submit).
//   - Ending the session (RP-initiated logout) does not revoke refresh tokens; the app must drop its own.
//   - The certificate client's client_assertion must name the certificate by its SHA-1 thumbprint in `x5t`
//     (Entra refuses one without, AADSTS700027); a `kid` is optional (Entra ignores it; here it is the thumbprint).
//   - The federated client's client_assertion is no JWT it signs itself but a token of this issuer for the managed
//     identity: iss this issuer, sub FEDERATED_SUBJECT, aud api://AzureADTokenExchange (see federatedClientAuth).
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import zlib from 'node:zlib';
import { CompactSign, createLocalJWKSet, exportJWK, generateKeyPair, importJWK, jwtVerify } from 'jose';
import Provider, { errors, interactionPolicy } from 'oidc-provider';

// ---------------------------------------------------------------------------------------------
// Configuration
const env = process.env;
const PORT = Number(env.PORT ?? 4011);
const TENANT_ID = env.TENANT_ID ?? '11111111-2222-3333-4444-555555555555';
const CLIENT_ID = env.CLIENT_ID ?? 'aaaaaaaa-0000-0000-0000-00000000c11e';
const CLIENT_SECRET = env.CLIENT_SECRET ?? 'test-secret';
const CERTIFICATE_CLIENT_ID = env.CERTIFICATE_CLIENT_ID ?? 'aaaaaaaa-0000-0000-0000-00000000ce27';
const FEDERATED_CLIENT_ID = env.FEDERATED_CLIENT_ID ?? 'aaaaaaaa-0000-0000-0000-00000000f1c0';
const FEDERATED_SUBJECT = env.FEDERATED_SUBJECT;
const TOKEN_EXCHANGE = 'api://AzureADTokenExchange'; // the audience of Entra's federated identity credentials
const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
const ISSUER_HOST = env.ISSUER_HOST ?? 'localhost';
const ORIGIN = `http://${ISSUER_HOST}:${PORT}`;
const PREFIX = `/${TENANT_ID}/v2.0`;
const ISSUER = `${ORIGIN}${PREFIX}`;
const TTL = {
  access: Number(env.ACCESS_TOKEN_TTL ?? 3600),
  id: Number(env.ID_TOKEN_TTL ?? 3600),
  refresh: Number(env.REFRESH_TOKEN_TTL ?? 86400),
};

// The two resource servers a token can be for. `scopes` may be asked plain (Chat.Read) or, as
// Entra wants, prefixed with the resource (api://scalechat/Chat.Read); `scp` always has them plain.
const API = 'api://scalechat';
const GRAPH = 'https://graph.microsoft.com';
const GRAPH_AUDIENCE = '00000003-0000-0000-c000-000000000000'; // Graph's app id, the `aud` of Graph tokens
const RESOURCES = {
  [API]: { audience: API, scopes: ['Chat.Read', 'Chat.Write'] },
  [GRAPH]: { audience: GRAPH_AUDIENCE, scopes: ['User.Read'] },
};
const OIDC_SCOPES = ['openid', 'profile', 'email', 'offline_access'];

// The resource a scope belongs to, or undefined (OIDC and unknown scopes).
function resourceOfScope(scope) {
  for (const [resource, { scopes }] of Object.entries(RESOURCES)) {
    if (scopes.includes(scope) || scopes.some((s) => scope === `${resource}/${s}`)) return resource;
  }
  return undefined;
}
const plainScope = (scope) => scope.slice(scope.lastIndexOf('/') + 1);

// ---------------------------------------------------------------------------------------------
// Users: tests/idp/users.json, keyed by login_hint (= UPN = email); shared with tests/identity_provider.py.
const USERS = {};
for (const [upn, u] of Object.entries(JSON.parse(fs.readFileSync(new URL('./users.json', import.meta.url), 'utf8')).users)) {
  // Entra's `sub` is a pairwise id per app: here a hash of client id and oid, never equal to oid.
  const sub = crypto.createHash('sha256').update(`${CLIENT_ID}:${u.oid}`).digest('base64url');
  USERS[upn] = { ...u, upn, sub, tid: u.tenant ?? TENANT_ID };
}
const USERS_BY_SUB = Object.fromEntries(Object.values(USERS).map((u) => [u.sub, u]));
const USERS_BY_OID = Object.fromEntries(Object.values(USERS).map((u) => [u.oid, u]));

// Claims as Entra puts them in ID tokens (and, with aud/scp, in access tokens).
function userClaims(u) {
  return {
    sub: u.sub,
    oid: u.oid,
    tid: u.tid,
    name: u.name,
    preferred_username: u.upn,
    email: u.upn,
    ...(u.roles.length ? { roles: u.roles } : undefined), // Entra leaves `roles` out when there are none
    ver: '2.0',
  };
}

// ---------------------------------------------------------------------------------------------
// Signing keys. KEY_FILE = { keys: [published, first signs], retired: [no longer published] }.
async function newKey(kid) {
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  return { ...(await exportJWK(privateKey)), kid, alg: 'RS256', use: 'sig' };
}
const KEY_FILE = env.KEY_FILE;
let keys = [];
let retired = [];
if (KEY_FILE && fs.existsSync(KEY_FILE)) ({ keys, retired = [] } = JSON.parse(fs.readFileSync(KEY_FILE, 'utf8')));
if (!keys.length) keys = [await newKey('key-1')];
if (env.EXTRA_KEY) keys = [await newKey(`key-${keys.length + retired.length + 1}`), ...keys];
if (env.RETIRE_OLD_KEYS) { retired = [...keys.slice(1), ...retired]; keys = keys.slice(0, 1); }
if (KEY_FILE) fs.writeFileSync(KEY_FILE, JSON.stringify({ keys, retired }));
const publicJwks = {
  keys: keys.map(({ kty, n, e, kid, alg, use }) => ({ kty, n, e, kid, alg, use })),
};
const verifyWithOwnKeys = createLocalJWKSet(publicJwks); // for the Graph stand-in

// ---------------------------------------------------------------------------------------------
// Clients: the scalechat app registered once per way Entra lets a confidential client prove itself, all with
// the same redirect rules. Any port matches (see redirectUriAllowed below): the app's port is chosen after we start.
const appClient = (clientId, credential) => ({
  client_id: clientId,
  redirect_uris: ['http://127.0.0.1/auth/callback'],
  post_logout_redirect_uris: ['http://127.0.0.1/'],
  grant_types: ['authorization_code', 'refresh_token'],
  response_types: ['code'],
  ...credential,
});
const clients = [appClient(CLIENT_ID, {
  client_secret: CLIENT_SECRET,
  token_endpoint_auth_method: 'client_secret_basic', // one method per client; Authlib's default
})];
let certificateThumbprint; // base64url SHA-1 of the certificate: the `x5t` Entra looks the certificate up by
if (env.CERTIFICATE_FILE) {
  const certificate = new crypto.X509Certificate(fs.readFileSync(env.CERTIFICATE_FILE));
  certificateThumbprint = crypto.createHash('sha1').update(certificate.raw).digest('base64url');
  const jwk = { ...(await exportJWK(certificate.publicKey)), kid: certificateThumbprint, alg: 'RS256', use: 'sig' };
  clients.push(appClient(CERTIFICATE_CLIENT_ID, { token_endpoint_auth_method: 'private_key_jwt', jwks: { keys: [jwk] } }));
}
// Public to oidc-provider, which has no federated credentials: federatedClientAuth() checks its token requests.
if (FEDERATED_SUBJECT) clients.push(appClient(FEDERATED_CLIENT_ID, { token_endpoint_auth_method: 'none' }));

// ---------------------------------------------------------------------------------------------
// Storage for oidc-provider's models (sessions, grants, codes, tokens): an unbounded Map, saved to
// STATE_FILE on shutdown so that a restart keeps everyone signed in and refresh tokens valid.
const STATE_FILE = env.STATE_FILE;
const STORE = new Map(); // `${model}:${id}` -> { payload, expiresAt (ms epoch) | null }
if (STATE_FILE && fs.existsSync(STATE_FILE)) {
  for (const [key, entry] of JSON.parse(fs.readFileSync(STATE_FILE, 'utf8'))) STORE.set(key, entry);
}
function live(key) {
  const entry = STORE.get(key);
  if (entry && entry.expiresAt !== null && entry.expiresAt <= Date.now()) { STORE.delete(key); return undefined; }
  return entry;
}
function saveState() {
  if (!STATE_FILE) return;
  const entries = [...STORE.keys()].map((key) => [key, live(key)]).filter(([, entry]) => entry);
  fs.writeFileSync(STATE_FILE, JSON.stringify(entries));
}
class StoreAdapter {
  constructor(model) { this.model = model; }
  key(id) { return `${this.model}:${id}`; }
  async upsert(id, payload, expiresIn) {
    STORE.set(this.key(id), { payload, expiresAt: expiresIn ? Date.now() + expiresIn * 1000 : null });
  }
  async find(id) { return live(this.key(id))?.payload; }
  async findByUid(uid) { return this.#findBy('uid', uid); }
  async findByUserCode(userCode) { return this.#findBy('userCode', userCode); }
  async consume(id) {
    const entry = live(this.key(id));
    if (entry) entry.payload.consumed = Math.floor(Date.now() / 1000);
  }
  async destroy(id) { STORE.delete(this.key(id)); }
  async revokeByGrantId(grantId) {
    for (const [key, entry] of STORE) if (entry.payload.grantId === grantId) STORE.delete(key);
  }
  #findBy(field, value) {
    for (const key of STORE.keys()) {
      if (key.startsWith(`${this.model}:`) && live(key)?.payload[field] === value) return STORE.get(key).payload;
    }
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// Small HTML pages (the provider's defaults load web fonts from the internet; these load nothing).
const esc = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const page = (title, body) => `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title></head>
<body style="font-family:sans-serif;max-width:28rem;margin:3rem auto"><h1>${esc(title)}</h1>${body}</body></html>`;

// A tiny real PNG (solid colour, 48x48 like Graph's smallest photo size) for alice's Graph photo.
function solidPng(width, height, [r, g, b]) {
  const chunk = (type, data) => {
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const len = Buffer.alloc(4); len.writeUInt32BE(data.length);
    const crc = Buffer.alloc(4); crc.writeUInt32BE(zlib.crc32(body));
    return Buffer.concat([len, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0); ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; ihdr[9] = 2; // 8 bits per channel, RGB; compression, filter, interlace stay 0
  const row = Buffer.concat([Buffer.from([0]), Buffer.from(Array.from({ length: width }, () => [r, g, b]).flat())]);
  const pixels = Buffer.concat(Array.from({ length: height }, () => row));
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr), chunk('IDAT', zlib.deflateSync(pixels)), chunk('IEND', Buffer.alloc(0)),
  ]);
}
const PHOTO = solidPng(48, 48, [0x2b, 0x6c, 0xb0]);

// ---------------------------------------------------------------------------------------------
// The OpenID Provider
const policy = interactionPolicy.base();
// Entra signs in the hinted account even when another one has a session: so does this provider
// (one httpx client can sign in alice, then bob, without clearing cookies).
policy.get('login').checks.add(new interactionPolicy.Check(
  'login_hint_mismatch', 'login_hint names another account than the session',
  (ctx) => Boolean(ctx.oidc.params.login_hint && ctx.oidc.session.accountId
    && USERS[ctx.oidc.params.login_hint]?.sub !== ctx.oidc.session.accountId),
));

const provider = new Provider(ISSUER, {
  adapter: StoreAdapter,
  clients,
  // Entra finds a certificate credential by the assertion's x5t and refuses an assertion without it;
  // oidc-provider (which calls this after checking the signature) would try every registered key.
  async assertJwtClientAuthClaimsAndHeader(ctx, claims, header, client) {
    if (client.clientId === CERTIFICATE_CLIENT_ID && header.x5t !== certificateThumbprint) {
      throw new errors.InvalidClientAuth('AADSTS700027: the client assertion names no registered certificate by x5t');
    }
  },
  jwks: { keys },
  pkce: { required: () => true }, // confidential clients too (the app always sends S256)
  responseTypes: ['code'],
  conformIdTokenClaims: false, // profile/email claims go into the ID token, as Entra does
  scopes: OIDC_SCOPES,
  claims: {
    openid: ['sub', 'oid', 'tid', 'roles', 'ver'],
    profile: ['name', 'preferred_username'],
    email: ['email'],
  },
  async findAccount(ctx, sub) {
    const u = USERS_BY_SUB[sub];
    return u && { accountId: sub, claims: async () => userClaims(u) };
  },
  // No consent screen: grant whatever OIDC scopes and resource scopes were asked for.
  async loadExistingGrant(ctx) {
    const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
    grant.addOIDCScope([...ctx.oidc.requestParamOIDCScopes].join(' ') || 'openid');
    grant.addOIDCClaims(['sub', 'oid', 'tid', 'name', 'preferred_username', 'email', 'roles', 'ver']);
    for (const [resource, server] of Object.entries(ctx.oidc.resourceServers ?? {})) grant.addResourceScope(resource, server.scope);
    await grant.save();
    return grant;
  },
  features: {
    devInteractions: { enabled: false },
    pushedAuthorizationRequests: { enabled: false }, // Entra has no PAR endpoint
    userinfo: { enabled: false }, // Entra's userinfo is Graph's: /graph/oidc/userinfo below
    rpInitiatedLogout: {
      enabled: true,
      // The confirm form, auto-submitted in a browser; `logout=yes` is a hidden field so that a
      // browserless client can post the form's fields as they are.
      async logoutSource(ctx, form) {
        const withYes = form.replace('</form>', '<input type="hidden" name="logout" value="yes"/><button type="submit">Sign out</button></form>');
        ctx.body = page('Signing out', `${withYes}<script>document.forms[0].submit()</script>`);
      },
      async postLogoutSuccessSource(ctx) { ctx.body = page('Signed out', '<p>You have signed out.</p>'); },
    },
    resourceIndicators: {
      enabled: true,
      // Without resource=, the scopes pick the resource (Entra has no resource= in v2).
      async defaultResource(ctx, client, oneOf) {
        if (oneOf) return oneOf[0];
        const asked = new Set((ctx.oidc.params.scope ?? '').split(' ').map(resourceOfScope).filter(Boolean));
        if (asked.size > 1) throw new errors.InvalidScope('AADSTS28000: scope names more than one resource');
        return asked.size ? [...asked][0] : GRAPH; // only OIDC scopes: a Graph token, as Entra gives
      },
      useGrantedResource: () => true, // token and refresh requests without resource= reuse the granted one
      getResourceServerInfo(ctx, indicator) {
        const server = RESOURCES[indicator];
        if (!server) throw new errors.InvalidTarget();
        return {
          scope: server.scopes.flatMap((s) => [s, `${indicator}/${s}`]).join(' '),
          audience: server.audience,
          accessTokenFormat: 'jwt',
          accessTokenTTL: TTL.access,
          jwt: { sign: { alg: 'RS256' } },
        };
      },
    },
  },
  async extraTokenClaims(ctx, token) {
    if (token.kind !== 'AccessToken') return undefined;
    const u = USERS_BY_SUB[token.accountId];
    const scp = [...new Set((token.scope ?? '').split(' ').filter(resourceOfScope).map(plainScope))].join(' ');
    return { ...userClaims(u), scp };
  },
  formats: {
    customizers: {
      // Entra-shaped access tokens: typ JWT (not at+jwt), nbf, azp; scp instead of scope.
      async jwt(ctx, token, jwt) {
        jwt.header = { typ: 'JWT' };
        const { scope, client_id: azp, ...payload } = jwt.payload;
        jwt.payload = { ...payload, nbf: payload.iat, azp };
      },
    },
  },
  interactions: { policy, url: (ctx, interaction) => `${PREFIX}/interaction/${interaction.uid}` },
  // oidc-provider drops offline_access without prompt=consent (OIDC Core); Entra does not.
  issueRefreshToken: async (ctx, client) => client.grantTypeAllowed('refresh_token'),
  expiresWithSession: async () => false,
  rotateRefreshToken: true,
  ttl: {
    AccessToken: TTL.access, IdToken: TTL.id, RefreshToken: TTL.refresh,
    Interaction: 600, Session: 86400, Grant: 86400,
  },
  cookies: { keys: ['test-cookie-key'] }, // constant, so provider sessions survive a restart
  discovery: { userinfo_endpoint: `${ORIGIN}/graph/oidc/userinfo` },
  async renderError(ctx, out) {
    ctx.type = 'html';
    ctx.body = page(out.error, `<p>${esc(out.error_description ?? '')}</p>`);
  },
});
provider.on('server_error', (ctx, err) => console.error('server_error', err));

// Loopback redirect URIs are matched without their port (RFC 8252 section 7.3), for web clients too.
const withoutPort = (uri) => {
  const url = URL.parse(uri);
  if (!url || url.protocol !== 'http:' || url.hostname !== '127.0.0.1') return undefined;
  return `${url.protocol}//${url.hostname}${url.pathname}${url.search}`;
};
const redirectAllowed = (value, registered) => registered.includes(value)
  || (withoutPort(value) !== undefined && registered.some((uri) => withoutPort(uri) === withoutPort(value)));
provider.Client.prototype.redirectUriAllowed = function redirectUriAllowed(value) {
  return redirectAllowed(value, this.redirectUris);
};
provider.Client.prototype.postLogoutRedirectUriAllowed = function postLogoutRedirectUriAllowed(value) {
  return redirectAllowed(value, this.postLogoutRedirectUris ?? []);
};

// ---------------------------------------------------------------------------------------------
// Sign-in "page": the user comes from login_hint; without one, a list of users to pick (for a
// real browser). An unknown login_hint is a 400 with a plain message.
async function readForm(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}
async function interaction(req, res) {
  const details = await provider.interactionDetails(req, res);
  const hint = req.method === 'POST' ? (await readForm(req)).get('login_hint') : details.params.login_hint;
  if (!hint) {
    const buttons = Object.values(USERS).map((u) => `<p><button name="login_hint" value="${esc(u.upn)}">${esc(u.name)} (${esc(u.upn)})</button></p>`);
    res.setHeader('content-type', 'text/html; charset=utf-8');
    return res.end(page('Pick an account', `<form method="post">${buttons.join('')}</form>`));
  }
  const user = USERS[hint];
  if (!user) { res.statusCode = 400; return res.end(`unknown login_hint ${hint}`); }
  const result = details.prompt.name === 'login' ? { login: { accountId: user.sub } } : { consent: {} };
  return provider.interactionFinished(req, res, result, { mergeWithLastSubmission: false });
}

// ---------------------------------------------------------------------------------------------
// Entra's federated identity credential for FEDERATED_CLIENT_ID: the app sends, as client_assertion, the token
// its managed identity got for api://AzureADTokenExchange. That token is signed by Entra, not by the client, and
// its iss/sub are the identity's, so oidc-provider's private_key_jwt (iss = sub = client_id) cannot check it.
// Token requests are therefore read here first; one naming the federated client must carry such a token,
// signed with this issuer's keys (as Entra signs managed identity tokens; /__test/mint makes them here),
// from this issuer, for FEDERATED_SUBJECT and aud api://AzureADTokenExchange. Entra lets the same token be
// used again until it expires, and so does this. Once checked, the assertion is taken out and the provider
// sees a public client's request. Returns an error body to refuse with, or undefined.
async function federatedClientAuth(req) {
  const form = await readForm(req);
  if (form.get('client_id') === FEDERATED_CLIENT_ID) {
    const assertion = form.get('client_assertion');
    if (!assertion || form.get('client_assertion_type') !== JWT_BEARER) {
      return { error: 'invalid_client', error_description: 'AADSTS7000218: no client_assertion of type jwt-bearer' };
    }
    try {
      await jwtVerify(assertion, verifyWithOwnKeys, {
        issuer: ISSUER, subject: FEDERATED_SUBJECT, audience: TOKEN_EXCHANGE, algorithms: ['RS256'],
      });
    } catch (e) {
      return { error: 'invalid_client', error_description: `AADSTS70021: no matching federated identity record (${e.message})` };
    }
    form.delete('client_assertion');
    form.delete('client_assertion_type');
    stats.federated_credential += 1;
  }
  req.body = form.toString(); // the stream is read: oidc-provider takes the body from req.body (and warns once)
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Graph stand-in: /me, /me/photo/$value and the OIDC userinfo, for Graph access tokens only.
function sendJson(res, status, body, headers = {}) {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}
function graphError(res, status, code, message, headers) {
  const innerError = { date: new Date().toISOString().slice(0, 19), 'request-id': crypto.randomUUID(), 'client-request-id': crypto.randomUUID() };
  sendJson(res, status, { error: { code, message, innerError } }, headers);
}
async function graph(req, res, path) {
  const auth = req.headers.authorization ?? '';
  let user;
  try {
    if (!auth.startsWith('Bearer ')) throw new Error('no bearer token');
    const { payload } = await jwtVerify(auth.slice(7), verifyWithOwnKeys, { issuer: ISSUER, audience: GRAPH_AUDIENCE, algorithms: ['RS256'] });
    user = USERS_BY_OID[payload.oid];
    if (!user) throw new Error('unknown oid');
  } catch (e) {
    return graphError(res, 401, 'InvalidAuthenticationToken', `Access token validation failure. ${e.message}`,
      { 'www-authenticate': `Bearer realm="", authorization_uri="${ISSUER}/auth", client_id="${GRAPH_AUDIENCE}"` });
  }
  if (!user.graph) return graphError(res, 403, 'Authorization_RequestDenied', 'Insufficient privileges to complete the operation.');
  if (req.method !== 'GET') return graphError(res, 405, 'Request_BadRequest', 'Method not allowed.');
  const [givenName, ...rest] = user.name.split(' ');
  switch (path) {
    case '/graph/v1.0/me':
      return sendJson(res, 200, {
        '@odata.context': 'https://graph.microsoft.com/v1.0/$metadata#users/$entity',
        businessPhones: [], displayName: user.name, givenName, surname: rest.join(' ') || null, jobTitle: null,
        mail: user.upn, mobilePhone: null, officeLocation: null, preferredLanguage: null,
        userPrincipalName: user.upn, id: user.oid,
      });
    case '/graph/v1.0/me/photo/$value':
      if (!user.photo) return graphError(res, 404, 'ImageNotFound', "Exception of type 'Microsoft.Fast.Profile.Core.Exception.ImageNotFoundException' was thrown.");
      res.writeHead(200, { 'content-type': 'image/png', 'content-length': PHOTO.length });
      return res.end(PHOTO);
    case '/graph/oidc/userinfo':
      return sendJson(res, 200, { sub: user.sub, name: user.name, given_name: givenName, family_name: rest.join(' '), email: user.upn });
    default:
      return graphError(res, 404, 'Request_ResourceNotFound', `Resource '${path}' does not exist.`);
  }
}

// ---------------------------------------------------------------------------------------------
// Test hooks under /__test/
//   GET    /__test/stats  -> { jwks: n, token: n, graph_me: n, ... } requests per endpoint since start/reset;
//                             federated_credential: token requests whose federated credential was accepted
//   DELETE /__test/stats  -> reset the counts
//   GET    /__test/info   -> issuer, tenant, client id, audiences, signing kid, published and retired kids
//   POST   /__test/mint   {login_hint?, claims?, header?, expires_in?, kid?} -> {token}
//          An access token for api://scalechat like the token endpoint would give (iss, aud, iat, nbf,
//          exp, sub, oid, tid, name, preferred_username, roles, scp, azp, ver, uti), signed RS256 with the
//          current key or the key `kid` (published or retired). `claims` override those; a null value
//          removes the claim. `header` overrides header fields (typ, kid; alg must stay RS256); null removes.
const STAT_NAMES = ['discovery', 'authorization', 'interaction', 'authorization_resume', 'token', 'jwks', 'end_session', 'end_session_confirm',
  'graph_me', 'graph_photo', 'graph_userinfo', 'federated_credential', 'other'];
const newStats = () => Object.fromEntries(STAT_NAMES.map((name) => [name, 0]));
let stats = newStats();
function statName(path) {
  const local = path.startsWith(PREFIX) ? path.slice(PREFIX.length) : path;
  if (local.startsWith('/interaction/')) return 'interaction';
  if (local.startsWith('/auth/')) return 'authorization_resume'; // back from the interaction
  return {
    '/.well-known/openid-configuration': 'discovery', '/auth': 'authorization', '/token': 'token', '/jwks': 'jwks',
    '/session/end': 'end_session', '/session/end/confirm': 'end_session_confirm',
    '/graph/v1.0/me': 'graph_me', '/graph/v1.0/me/photo/$value': 'graph_photo', '/graph/oidc/userinfo': 'graph_userinfo',
  }[local] ?? 'other';
}

async function mint(body) {
  const user = USERS[body.login_hint ?? 'alice@contoso.test'];
  if (!user) throw new Error(`unknown login_hint ${body.login_hint}`);
  const jwk = [...keys, ...retired].find((k) => k.kid === (body.kid ?? keys[0].kid));
  if (!jwk) throw new Error(`no key ${body.kid}`);
  const now = Math.floor(Date.now() / 1000);
  const payload = {
    ...userClaims(user), aud: API, iss: ISSUER, iat: now, nbf: now, exp: now + Number(body.expires_in ?? TTL.access),
    scp: RESOURCES[API].scopes.join(' '), azp: CLIENT_ID, uti: crypto.randomBytes(16).toString('base64url'),
  };
  const header = { alg: 'RS256', typ: 'JWT', kid: jwk.kid };
  const apply = (target, changes) => {
    for (const [k, v] of Object.entries(changes ?? {})) { if (v === null) delete target[k]; else target[k] = v; }
  };
  apply(payload, body.claims);
  apply(header, body.header);
  const token = await new CompactSign(new TextEncoder().encode(JSON.stringify(payload)))
    .setProtectedHeader(header).sign(await importJWK(jwk, 'RS256'));
  return { token };
}

async function testHook(req, res, path) {
  if (path === '/__test/stats' && req.method === 'GET') return sendJson(res, 200, stats);
  if (path === '/__test/stats' && req.method === 'DELETE') { stats = newStats(); res.statusCode = 204; return res.end(); }
  if (path === '/__test/info' && req.method === 'GET') {
    return sendJson(res, 200, {
      issuer: ISSUER, tenant_id: TENANT_ID, client_id: CLIENT_ID, api_audience: API, graph_audience: GRAPH_AUDIENCE,
      signing_kid: keys[0].kid, published_kids: keys.map((k) => k.kid), retired_kids: retired.map((k) => k.kid), pid: process.pid,
    });
  }
  if (path === '/__test/mint' && req.method === 'POST') {
    const chunks = [];
    for await (const chunk of req) chunks.push(chunk);
    try {
      return sendJson(res, 200, await mint(JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}')));
    } catch (e) {
      return sendJson(res, 400, { error: String(e.message ?? e) });
    }
  }
  return sendJson(res, 404, { error: `no test hook ${req.method} ${path}` });
}

// ---------------------------------------------------------------------------------------------
// HTTP server: route by path; the provider is mounted under the issuer's path.
const callback = provider.callback();
async function handle(req, res) {
  const path = decodeURIComponent(new URL(req.url, ORIGIN).pathname); // `$value` may come as `%24value`
  res.on('finish', () => console.log(`${req.method} ${path} ${res.statusCode}`)); // no query: it holds codes
  try {
    if (path.startsWith('/__test/')) return await testHook(req, res, path);
    stats[statName(path)] += 1;
    if (path.startsWith('/graph/')) return await graph(req, res, path);
    if (path.startsWith(`${PREFIX}/interaction/`)) return await interaction(req, res);
    if (path === PREFIX || path.startsWith(`${PREFIX}/`)) {
      // A plain http server does not strip the mount path: the provider's routes are relative to it.
      req.originalUrl = req.url;
      req.url = req.url.slice(PREFIX.length) || '/';
      if (FEDERATED_SUBJECT && req.method === 'POST' && path === `${PREFIX}/token`) {
        const refused = await federatedClientAuth(req);
        if (refused) return sendJson(res, 401, refused);
      }
      return await callback(req, res);
    }
    res.statusCode = 404;
    return res.end('not found');
  } catch (e) {
    console.error(e);
    if (!res.headersSent) res.statusCode = 500;
    return res.end(String(e));
  }
}

const servers = ['127.0.0.1', '::1'].map((host) => {
  const server = http.createServer(handle);
  server.on('error', (e) => {
    if (host === '::1') return; // IPv6 loopback is a convenience (localhost may resolve to it first)
    console.error(e);
    process.exit(1);
  });
  server.listen(PORT, host, () => host === '127.0.0.1' && console.log(`READY ${ISSUER} signing kid=${keys[0].kid}`));
  return server;
});

function shutdown() {
  saveState();
  for (const server of servers) server.close();
  process.exit(0);
}
for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, shutdown);

// Do not outlive the test run that started us, even if it was killed without cleaning up.
if (env.EXIT_WITH_PID) {
  setInterval(() => {
    try { process.kill(Number(env.EXIT_WITH_PID), 0); } catch { shutdown(); }
  }, 1000).unref();
}
