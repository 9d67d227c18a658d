// Drives a real `plaza serve` with the Mastodon client library masto.js 7 (issue 2, "Tests"):
// app registration, sign-up, sign-in (password grant), posting, following, the home timeline,
// favourite, reblog, reply + thread context, notifications and Link-header pagination — all
// through masto's own calls, asserting on the camelCased entities it returns. A server that
// answers with a shape masto cannot parse, or that lacks an endpoint masto calls, fails here.
//
// The steps build on each other and run in order (node:test runs `it`s of a `describe` serially).
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { createOAuthAPIClient, createRestAPIClient, MastoHttpError } from 'masto';

import { plazaBin, startPlaza } from '../crash/plaza_process.mjs';

const OOB = 'urn:ietf:wg:oauth:2.0:oob';
const SCOPES = 'read write follow';
const TIMEOUT_MS = 15000;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Polls `fn` until it returns a truthy value (the home timeline is filled by a background
// fan-out worker, so a post shows up shortly after it is acknowledged, not necessarily at once).
async function eventually(fn, what, timeoutMs = 10000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

// Every page a masto paginator yields, bounded so a server that never ends the Link chain fails.
async function allPages(paginator, maxPages = 50) {
  const pages = [];
  for await (const page of paginator) {
    pages.push(page);
    assert.ok(pages.length <= maxPages, `pagination did not end after ${maxPages} pages`);
  }
  return pages;
}

describe('masto.js 7 against plaza', { timeout: 240_000 }, () => {
  const suffix = crypto.randomBytes(3).toString('hex');
  let dataDir;
  let server;
  let url;
  let app;          // masto Client entity (clientId, clientSecret)
  let alice;        // rest clients
  let bob;
  let aliceAccount; // Account entities
  let bobAccount;
  let bobPost;      // bob's status after alice followed him
  const alicePassword = `alice-pw-${suffix}`;
  const aliceEmail = `alice_${suffix}@example.com`;

  before(async () => {
    plazaBin();  // fails clearly when PLAZA_BIN is unset
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'plaza-masto-'));
    server = await startPlaza({ dataDir });
    url = server.url;
  });

  after(async () => {
    if (server) await server.kill('SIGTERM');
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('creates an app (apps.create)', async () => {
    const anon = createRestAPIClient({ url, timeout: TIMEOUT_MS });
    app = await anon.v1.apps.create({
      clientName: 'masto test', redirectUris: OOB, scopes: SCOPES, website: 'https://example.com',
    });
    assert.equal(app.name, 'masto test');
    assert.equal(app.website, 'https://example.com');
    assert.ok(app.clientId && app.clientSecret, 'client credentials returned');
    assert.deepEqual(app.scopes, ['read', 'write', 'follow']);
  });

  it('signs up two accounts with an app token (accounts.create, multipart)', async () => {
    const oauth = createOAuthAPIClient({ url, timeout: TIMEOUT_MS });
    const appToken = await oauth.token.create({
      grantType: 'client_credentials', clientId: app.clientId, clientSecret: app.clientSecret,
      redirectUri: OOB, scope: SCOPES,
    });
    assert.equal(appToken.tokenType, 'Bearer');
    const withApp = createRestAPIClient({ url, accessToken: appToken.accessToken,
                                          timeout: TIMEOUT_MS });
    const appInfo = await withApp.v1.apps.verifyCredentials();
    assert.equal(appInfo.name, 'masto test');

    const aliceSignup = await withApp.v1.accounts.create({
      username: `alice_${suffix}`, email: aliceEmail, password: alicePassword, agreement: true,
      locale: 'en',
    });
    assert.ok(aliceSignup.accessToken, 'sign-up answers with a token');
    const bobToken = await withApp.v1.accounts.create({
      username: `bob_${suffix}`, email: `bob_${suffix}@example.com`, password: `bob-pw-${suffix}`,
      agreement: true, locale: 'en',
    });
    bob = createRestAPIClient({ url, accessToken: bobToken.accessToken, timeout: TIMEOUT_MS });
    bobAccount = await bob.v1.accounts.verifyCredentials();
    assert.equal(bobAccount.username, `bob_${suffix}`);
    assert.equal(bobAccount.acct, `bob_${suffix}`);

    // A taken handle (case-insensitively) is refused with a 422 masto surfaces as MastoHttpError.
    await assert.rejects(
      withApp.v1.accounts.create({ username: `BOB_${suffix}`, email: `b2_${suffix}@example.com`,
                                   password: 'another-password', agreement: true, locale: 'en' }),
      (e) => e instanceof MastoHttpError && e.statusCode === 422);
  });

  it('signs in with the password grant (oauth.token.create) and edits the profile', async () => {
    const oauth = createOAuthAPIClient({ url, timeout: TIMEOUT_MS });
    const token = await oauth.token.create({
      grantType: 'password', clientId: app.clientId, clientSecret: app.clientSecret,
      redirectUri: OOB, username: aliceEmail, password: alicePassword, scope: SCOPES,
    });
    assert.equal(token.tokenType, 'Bearer');
    assert.equal(token.scope, SCOPES);
    alice = createRestAPIClient({ url, accessToken: token.accessToken, timeout: TIMEOUT_MS });
    aliceAccount = await alice.v1.accounts.verifyCredentials();
    assert.equal(aliceAccount.username, `alice_${suffix}`);

    // PATCH update_credentials goes out as multipart/form-data.
    const updated = await alice.v1.accounts.updateCredentials({
      displayName: '爱丽丝 Alice', note: '微博测试 <b>bold</b>',
    });
    assert.equal(updated.displayName, '爱丽丝 Alice');
    assert.match(updated.note, /微博测试 &lt;b&gt;bold&lt;\/b&gt;/);
    const looked = await bob.v1.accounts.lookup({ acct: `alice_${suffix}` });
    assert.equal(looked.id, aliceAccount.id);
    assert.equal(looked.displayName, '爱丽丝 Alice');

    // A wrong password is refused.
    await assert.rejects(oauth.token.create({
      grantType: 'password', clientId: app.clientId, clientSecret: app.clientSecret,
      redirectUri: OOB, username: aliceEmail, password: 'not-the-password', scope: SCOPES,
    }), (e) => e instanceof MastoHttpError && e.statusCode >= 400 && e.statusCode < 500);
  });

  it('follows, then sees the followed account\'s post in the home timeline', async () => {
    const rel = await alice.v1.accounts.$select(bobAccount.id).follow();
    assert.equal(rel.id, bobAccount.id);
    assert.equal(rel.following, true);
    const [fetched] = await alice.v1.accounts.relationships.fetch({ id: [bobAccount.id] });
    assert.equal(fetched.following, true);
    const [reverse] = await bob.v1.accounts.relationships.fetch({ id: [aliceAccount.id] });
    assert.equal(reverse.followedBy, true);
    const followers = await bob.v1.accounts.$select(bobAccount.id).followers.list();
    assert.deepEqual(followers.map((a) => a.id), [aliceAccount.id]);

    bobPost = await bob.v1.statuses.create({ status: `bob says hello 你好 #plaza${suffix}`,
                                             visibility: 'public' });
    assert.equal(bobPost.account.id, bobAccount.id);
    assert.equal(bobPost.visibility, 'public');
    assert.match(bobPost.content, /bob says hello 你好/);
    assert.deepEqual(bobPost.tags.map((t) => t.name), [`plaza${suffix}`]);
    assert.equal(bobPost.favouritesCount, 0);

    const home = await eventually(async () => {
      const page = await alice.v1.timelines.home.list({ limit: 20 });
      return page.some((s) => s.id === bobPost.id) && page;
    }, 'bob\'s post in alice\'s home timeline');
    const seen = home.find((s) => s.id === bobPost.id);
    assert.equal(seen.account.username, `bob_${suffix}`);
    assert.equal(seen.content, bobPost.content);
  });

  it('favourites a post (favourite, favouritedBy)', async () => {
    const faved = await alice.v1.statuses.$select(bobPost.id).favourite();
    assert.equal(faved.id, bobPost.id);
    assert.equal(faved.favourited, true);
    assert.equal(faved.favouritesCount, 1);
    const by = await bob.v1.statuses.$select(bobPost.id).favouritedBy.list();
    assert.deepEqual(by.map((a) => a.id), [aliceAccount.id]);
    const asBob = await bob.v1.statuses.$select(bobPost.id).fetch();
    assert.equal(asBob.favouritesCount, 1);
    assert.equal(asBob.favourited, false, 'favourited is per viewer');
    const favourites = await alice.v1.favourites.list();
    assert.deepEqual(favourites.map((s) => s.id), [bobPost.id]);
  });

  it('reblogs a post (reblog, rebloggedBy)', async () => {
    const wrapper = await alice.v1.statuses.$select(bobPost.id).reblog();
    assert.equal(wrapper.account.id, aliceAccount.id);
    assert.ok(wrapper.reblog, 'the reblog wraps the original');
    assert.equal(wrapper.reblog.id, bobPost.id);
    assert.equal(wrapper.reblog.reblogged, true);
    assert.equal(wrapper.reblog.reblogsCount, 1);
    const by = await bob.v1.statuses.$select(bobPost.id).rebloggedBy.list();
    assert.deepEqual(by.map((a) => a.id), [aliceAccount.id]);
    const aliceStatuses = await bob.v1.accounts.$select(aliceAccount.id).statuses.list();
    assert.ok(aliceStatuses.some((s) => s.reblog?.id === bobPost.id), 'reblog on alice\'s profile');
  });

  it('replies, and the reply is in the thread context', async () => {
    const reply = await alice.v1.statuses.create({
      status: `@bob_${suffix} 说得好 nice one`, inReplyToId: bobPost.id,
    });
    assert.equal(reply.inReplyToId, bobPost.id);
    assert.equal(reply.inReplyToAccountId, bobAccount.id);
    assert.deepEqual(reply.mentions.map((m) => m.id), [bobAccount.id]);

    const ctx = await bob.v1.statuses.$select(bobPost.id).context.fetch();
    assert.deepEqual(ctx.ancestors, []);
    assert.deepEqual(ctx.descendants.map((s) => s.id), [reply.id]);
    const up = await bob.v1.statuses.$select(reply.id).context.fetch();
    assert.deepEqual(up.ancestors.map((s) => s.id), [bobPost.id]);
    const original = await bob.v1.statuses.$select(bobPost.id).fetch();
    assert.equal(original.repliesCount, 1);
  });

  it('notifies the author (follow, favourite, reblog, mention)', async () => {
    const notes = await eventually(async () => {
      const list = await bob.v1.notifications.list({ limit: 30 });
      const types = new Set(list.map((n) => n.type));
      return ['follow', 'favourite', 'reblog', 'mention'].every((t) => types.has(t)) && list;
    }, 'bob\'s notifications');
    for (const n of notes) assert.equal(n.account.id, aliceAccount.id);
    assert.equal(notes.find((n) => n.type === 'favourite').status.id, bobPost.id);
  });

  it('paginates account statuses and the home timeline with limit 2 (Link headers)', async () => {
    // Bob's own posts, newest first, are what his statuses list must yield across pages.
    const posted = [bobPost.id];
    for (let i = 0; i < 6; i++) {
      const s = await bob.v1.statuses.create({ status: `page test ${i} ${suffix}` },
                                             { requestInit: { headers: {
                                               'Idempotency-Key': `page-${suffix}-${i}` } } });
      posted.push(s.id);
    }
    // Re-sending with a used Idempotency-Key gives the same status back, not a new one.
    const again = await bob.v1.statuses.create({ status: `page test 5 ${suffix}` },
                                               { requestInit: { headers: {
                                                 'Idempotency-Key': `page-${suffix}-5` } } });
    assert.equal(again.id, posted[6]);
    const expected = [...posted].reverse();

    const bobStatuses = alice.v1.accounts.$select(bobAccount.id).statuses;
    const pages = await allPages(bobStatuses.list({ limit: 2 }));
    for (const p of pages) assert.ok(p.length <= 2, `a page has ${p.length} items`);
    assert.ok(pages.filter((p) => p.length > 0).length >= 4, 'several pages');
    assert.deepEqual(pages.flat().map((s) => s.id), expected);

    // Alice's home: bob's posts, alice's reblog and reply. Page by page equals one big read.
    await eventually(async () => {
      const page = await alice.v1.timelines.home.list({ limit: 40 });
      return page.some((s) => s.id === posted[6]);
    }, 'the last post in alice\'s home timeline');
    const whole = await alice.v1.timelines.home.list({ limit: 40 });
    const homePages = await allPages(alice.v1.timelines.home.list({ limit: 2 }));
    for (const p of homePages) assert.ok(p.length <= 2, `a page has ${p.length} items`);
    const ids = homePages.flat().map((s) => s.id);
    assert.equal(new Set(ids).size, ids.length, 'no status seen twice');
    assert.deepEqual(ids, whole.map((s) => s.id));
    for (const id of posted) assert.ok(ids.includes(id), `bob's post ${id} in alice's home`);
    const sorted = [...ids].sort((a, b) => (BigInt(b) > BigInt(a) ? 1 : -1));
    assert.deepEqual(ids, sorted, 'home timeline is newest first');

    // Going the other way (min_id / rel="prev") from the oldest item gives the newer ones.
    const oldest = ids[ids.length - 1];
    const newer = await allPages(
      alice.v1.timelines.home.list({ limit: 2, minId: oldest }).setDirection('prev'));
    const newerIds = newer.flat().map((s) => s.id);
    assert.deepEqual([...newerIds].sort(), ids.slice(0, -1).sort(),
                     'paging back from the oldest reaches every newer status once');
  });

  it('unfavourites, unreblogs, unfollows and revokes the token', async () => {
    const unfaved = await alice.v1.statuses.$select(bobPost.id).unfavourite();
    assert.equal(unfaved.favourited, false);
    assert.equal(unfaved.favouritesCount, 0);
    const unreblogged = await alice.v1.statuses.$select(bobPost.id).unreblog();
    assert.equal(unreblogged.reblogged, false);
    assert.equal(unreblogged.reblogsCount, 0);
    const rel = await alice.v1.accounts.$select(bobAccount.id).unfollow();
    assert.equal(rel.following, false);

    const oauth = createOAuthAPIClient({ url, timeout: TIMEOUT_MS });
    const token = await oauth.token.create({
      grantType: 'password', clientId: app.clientId, clientSecret: app.clientSecret,
      redirectUri: OOB, username: `alice_${suffix}`, password: alicePassword, scope: 'read',
    });
    const readOnly = createRestAPIClient({ url, accessToken: token.accessToken,
                                           timeout: TIMEOUT_MS });
    assert.equal((await readOnly.v1.accounts.verifyCredentials()).id, aliceAccount.id);
    await assert.rejects(readOnly.v1.statuses.create({ status: 'read scope cannot post' }),
                         (e) => e instanceof MastoHttpError && e.statusCode === 403);
    await oauth.revoke({ clientId: app.clientId, clientSecret: app.clientSecret,
                         token: token.accessToken });
    await assert.rejects(readOnly.v1.accounts.verifyCredentials(),
                         (e) => e instanceof MastoHttpError && e.statusCode === 401);
  });
});
