// Apps and OAuth: app registration, the password, authorization_code (with and without PKCE) and
// client_credentials grants, revocation, scope enforcement, and the three body encodings.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { startServer, isJsonError } from './lib/server.mjs';

let s;
let alice;
const REDIRECT = 'https://client.example/callback';

before(async () => {
  s = await startServer();
  alice = await s.signUp('alice_oauth', { email: 'Alice.OAuth@Example.test' });
});
after(async () => { await s?.close(); });

// Reads the hidden inputs of the consent form.
function formFields(html) {
  const fields = {};
  for (const m of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) {
    fields[m[1]] = m[2].replace(/&amp;/g, '&').replace(/&quot;/g, '"').replace(/&#39;/g, "'")
      .replace(/&lt;/g, '<').replace(/&gt;/g, '>');
  }
  return fields;
}

// Runs GET /oauth/authorize, posts the sign-in form, follows the redirect; returns the code.
async function authorize(app, extra = {}) {
  const query = { client_id: app.client_id, redirect_uri: REDIRECT, response_type: 'code',
                  scope: 'read write', state: 'st-é 1', ...extra };
  const page = await s.get('/oauth/authorize', { query });
  assert.equal(page.status, 200, page.text);
  assert.match(page.headers.get('content-type'), /text\/html/);
  assert.match(page.text, /<form method="post" action="\/oauth\/authorize">/);
  const fields = formFields(page.text);
  assert.equal(fields.client_id, app.client_id);
  assert.equal(fields.redirect_uri, REDIRECT);
  const posted = await s.post('/oauth/authorize', {
    form: { ...fields, login: alice.username, password: alice.password },
  });
  assert.equal(posted.status, 302, posted.text);
  const location = new URL(posted.headers.get('location'));
  assert.equal(`${location.origin}${location.pathname}`, REDIRECT);
  assert.equal(location.searchParams.get('state'), 'st-é 1');
  const code = location.searchParams.get('code');
  assert.ok(code && code.length >= 20, 'an authorization code');
  return code;
}

test('POST /api/v1/apps registers an app with secret, scopes and redirect URIs', async () => {
  const app = await s.ok('POST', '/api/v1/apps', {
    json: { client_name: 'Test 客户端', redirect_uris: REDIRECT, scopes: 'read write:statuses',
            website: 'https://client.example' },
  });
  assert.equal(app.name, 'Test 客户端');
  assert.deepEqual(app.scopes, ['read', 'write:statuses']);
  assert.deepEqual(app.redirect_uris, [REDIRECT]);
  assert.equal(app.website, 'https://client.example');
  assert.ok(app.client_id.length >= 20 && app.client_secret.length >= 20);
  assert.notEqual(app.client_id, app.client_secret);

  const missingName = await s.post('/api/v1/apps', { json: { redirect_uris: REDIRECT } });
  assert.equal(missingName.status, 422);
  assert.ok(isJsonError(missingName));
  const badScope = await s.post('/api/v1/apps', {
    json: { client_name: 'x', redirect_uris: REDIRECT, scopes: 'read sudo' },
  });
  assert.ok(badScope.status >= 400 && badScope.status < 500, String(badScope.status));
  assert.ok(isJsonError(badScope));
});

test('password grant accepts the username and the email (case-insensitively)', async () => {
  for (const login of ['alice_oauth', 'ALICE_OAUTH', 'alice.oauth@example.test',
                       'Alice.OAuth@Example.test']) {
    const r = await s.passwordGrant(login, alice.password);
    assert.equal(r.status, 200, `${login}: ${r.text}`);
    assert.equal(r.json.token_type, 'Bearer');
    const me = await s.ok('GET', '/api/v1/accounts/verify_credentials', { token: r.json.access_token });
    assert.equal(me.id, alice.id);
    assert.equal(me.username, 'alice_oauth');
  }
  const wrong = await s.passwordGrant('alice_oauth', 'not the password');
  assert.equal(wrong.status, 400);
  assert.equal(wrong.json.error, 'invalid_grant');
  const nobody = await s.passwordGrant('nobody_here', alice.password);
  assert.equal(nobody.status, 400);
  assert.equal(nobody.json.error, 'invalid_grant');
  const { app } = await s.defaultApp();
  const badSecret = await s.post('/oauth/token', {
    form: { grant_type: 'password', client_id: app.client_id, client_secret: 'nope',
            username: alice.username, password: alice.password },
  });
  assert.equal(badSecret.status, 401);
  assert.equal(badSecret.json.error, 'invalid_client');
});

test('authorization_code flow through the sign-in page, code single-use', async () => {
  const app = await s.createApp({ redirectUris: REDIRECT, scopes: 'read write follow' });
  const code = await authorize(app);
  const exchange = (c) => s.post('/oauth/token', {
    form: { grant_type: 'authorization_code', code: c, redirect_uri: REDIRECT,
            client_id: app.client_id, client_secret: app.client_secret },
  });
  const tok = await exchange(code);
  assert.equal(tok.status, 200, tok.text);
  assert.equal(tok.json.scope, 'read write');
  const me = await s.ok('GET', '/api/v1/accounts/verify_credentials', { token: tok.json.access_token });
  assert.equal(me.id, alice.id);
  // A code is single-use.
  const again = await exchange(code);
  assert.equal(again.status, 400);
  assert.equal(again.json.error, 'invalid_grant');
  // Wrong password on the form: no redirect, the form again with an error.
  const page = await s.get('/oauth/authorize', {
    query: { client_id: app.client_id, redirect_uri: REDIRECT, response_type: 'code' },
  });
  const bad = await s.post('/oauth/authorize', {
    form: { ...formFields(page.text), login: alice.username, password: 'wrong password!' },
  });
  assert.equal(bad.status, 401);
  assert.equal(bad.headers.get('location'), null);
  // An unregistered redirect_uri is refused before sign-in.
  const evil = await s.get('/oauth/authorize', {
    query: { client_id: app.client_id, redirect_uri: 'https://evil.example/cb', response_type: 'code' },
  });
  assert.equal(evil.status, 400);
  // A code bound to one redirect_uri cannot be exchanged with another.
  const code2 = await authorize(app);
  const mismatch = await s.post('/oauth/token', {
    form: { grant_type: 'authorization_code', code: code2, redirect_uri: 'https://other.example/cb',
            client_id: app.client_id, client_secret: app.client_secret },
  });
  assert.equal(mismatch.status, 400);
});

test('authorization_code flow with PKCE S256', async () => {
  const app = await s.createApp({ redirectUris: REDIRECT });
  const verifier = randomBytes(32).toString('base64url');
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  const pkce = { code_challenge: challenge, code_challenge_method: 'S256', scope: 'read' };

  const code1 = await authorize(app, pkce);
  const wrong = await s.post('/oauth/token', {
    form: { grant_type: 'authorization_code', code: code1, redirect_uri: REDIRECT,
            client_id: app.client_id, code_verifier: randomBytes(32).toString('base64url') },
  });
  assert.equal(wrong.status, 400);
  assert.equal(wrong.json.error, 'invalid_grant');

  const code2 = await authorize(app, pkce);
  const missing = await s.post('/oauth/token', {
    form: { grant_type: 'authorization_code', code: code2, redirect_uri: REDIRECT,
            client_id: app.client_id },
  });
  assert.equal(missing.status, 400);

  // A public client (no secret) with the right verifier gets a token.
  const code3 = await authorize(app, pkce);
  const ok = await s.post('/oauth/token', {
    form: { grant_type: 'authorization_code', code: code3, redirect_uri: REDIRECT,
            client_id: app.client_id, code_verifier: verifier },
  });
  assert.equal(ok.status, 200, ok.text);
  assert.equal(ok.json.scope, 'read');
  const me = await s.ok('GET', '/api/v1/accounts/verify_credentials', { token: ok.json.access_token });
  assert.equal(me.id, alice.id);
});

test('client_credentials gives an app token: app endpoints yes, user endpoints no', async () => {
  const app = await s.createApp();
  const tok = await s.clientCredentials(app, 'read');
  assert.equal(tok.scope, 'read');
  const verify = await s.ok('GET', '/api/v1/apps/verify_credentials', { token: tok.access_token });
  assert.equal(verify.name, app.name);
  const home = await s.get('/api/v1/timelines/home', { token: tok.access_token });
  assert.ok([401, 403, 422].includes(home.status), String(home.status));
  assert.ok(isJsonError(home));
  const bad = await s.post('/oauth/token', {
    form: { grant_type: 'client_credentials', client_id: app.client_id, client_secret: 'wrong' },
  });
  assert.equal(bad.status, 401);
  // Scopes beyond the app's are refused.
  const narrow = await s.createApp({ scopes: 'read' });
  const wide = await s.post('/oauth/token', {
    form: { grant_type: 'client_credentials', client_id: narrow.client_id,
            client_secret: narrow.client_secret, scope: 'read write' },
  });
  assert.equal(wide.status, 400);
  assert.equal(wide.json.error, 'invalid_scope');
});

test('a revoked token answers 401; another app cannot revoke it', async () => {
  const { app } = await s.defaultApp();
  const tok = (await s.passwordGrant(alice.username, alice.password)).json.access_token;
  await s.ok('GET', '/api/v1/accounts/verify_credentials', { token: tok });
  const other = await s.createApp();
  const foreign = await s.post('/oauth/revoke', {
    form: { client_id: other.client_id, client_secret: other.client_secret, token: tok },
  });
  assert.equal(foreign.status, 403);
  await s.ok('GET', '/api/v1/accounts/verify_credentials', { token: tok });
  await s.ok('POST', '/oauth/revoke', {
    form: { client_id: app.client_id, client_secret: app.client_secret, token: tok },
  });
  const after = await s.get('/api/v1/accounts/verify_credentials', { token: tok });
  assert.equal(after.status, 401);
  assert.ok(isJsonError(after));
  const garbage = await s.get('/api/v1/accounts/verify_credentials', { token: 'garbage-token' });
  assert.equal(garbage.status, 401);
  const none = await s.get('/api/v1/accounts/verify_credentials');
  assert.equal(none.status, 401);
});

test('scopes are enforced: read cannot post, write:statuses cannot read home', async () => {
  const readOnly = (await s.passwordGrant(alice.username, alice.password, { scope: 'read' })).json;
  assert.equal(readOnly.scope, 'read');
  const post = await s.post('/api/v1/statuses', { token: readOnly.access_token,
                                                   json: { status: 'should not post' } });
  assert.equal(post.status, 403);
  assert.ok(isJsonError(post));
  await s.ok('GET', '/api/v1/timelines/home', { token: readOnly.access_token });

  const writeStatuses = (await s.passwordGrant(alice.username, alice.password,
                                               { scope: 'write:statuses' })).json;
  const home = await s.get('/api/v1/timelines/home', { token: writeStatuses.access_token });
  assert.equal(home.status, 403);
  assert.ok(isJsonError(home));
  const posted = await s.post('/api/v1/statuses', { token: writeStatuses.access_token,
                                                     json: { status: 'posted with write:statuses' } });
  assert.equal(posted.status, 200, posted.text);
  // write:statuses does not cover follows or favourites.
  const fav = await s.post(`/api/v1/statuses/${posted.json.id}/favourite`,
                           { token: writeStatuses.access_token });
  assert.equal(fav.status, 403);
  // read:statuses does not cover notifications.
  const readStatuses = (await s.passwordGrant(alice.username, alice.password,
                                              { scope: 'read:statuses' })).json;
  await s.ok('GET', '/api/v1/timelines/home', { token: readStatuses.access_token });
  const notes = await s.get('/api/v1/notifications', { token: readStatuses.access_token });
  assert.equal(notes.status, 403);
  // "follow" covers the follow family.
  const bob = await s.signUp('bob_oauth');
  const followTok = (await s.passwordGrant(alice.username, alice.password, { scope: 'follow' })).json;
  await s.ok('POST', `/api/v1/accounts/${bob.id}/follow`, { token: followTok.access_token });
  await s.ok('POST', `/api/v1/accounts/${bob.id}/unfollow`, { token: followTok.access_token });
});

test('JSON, urlencoded and multipart bodies are all accepted on the same endpoint', async () => {
  const fields = { status: 'body encodings 编码 #Enc', visibility: 'unlisted', spoiler_text: 'cw' };
  const viaJson = await s.ok('POST', '/api/v1/statuses', { token: alice.token, json: fields });
  const viaForm = await s.ok('POST', '/api/v1/statuses', { token: alice.token, form: fields });
  const viaMultipart = await s.ok('POST', '/api/v1/statuses', { token: alice.token,
                                                               multipart: fields });
  for (const st of [viaJson, viaForm, viaMultipart]) {
    assert.equal(st.visibility, 'unlisted');
    assert.equal(st.spoiler_text, 'cw');
    assert.equal(st.sensitive, true);
    assert.match(st.content, /body encodings 编码/);
    assert.deepEqual(st.tags.map((t) => t.name), ['enc']);
  }
  assert.equal(new Set([viaJson.id, viaForm.id, viaMultipart.id]).size, 3);
  // The token endpoint too.
  const { app } = await s.defaultApp();
  const grant = { grant_type: 'password', client_id: app.client_id, client_secret: app.client_secret,
                  username: alice.username, password: alice.password };
  for (const enc of ['json', 'form', 'multipart']) {
    const r = await s.post('/oauth/token', { [enc]: grant });
    assert.equal(r.status, 200, `${enc}: ${r.text}`);
  }
  // Array parameters: redirect_uris[] style is not needed, but repeated form keys are.
  const rel = await s.get('/api/v1/accounts/relationships', {
    token: alice.token, query: { 'id[]': [alice.id, (await s.signUp('carol_oauth')).id] },
  });
  assert.equal(rel.status, 200);
  assert.equal(rel.json.length, 2);
});
