// Accounts and the follow graph: sign-up validation, credentials, profile updates in any script,
// lookup, follow/unfollow/block/mute, relationships, and followers/following pagination.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, isJsonError, parseLink } from './lib/server.mjs';

let s;
let appToken;

before(async () => {
  s = await startServer();
  appToken = (await s.defaultApp()).token;
});
after(async () => { await s?.close(); });

const signUpRaw = (fields) => s.post('/api/v1/accounts', { token: appToken, json: fields });

test('sign-up validation answers 422 JSON errors', async () => {
  const good = { username: 'valid_name', email: 'valid@example.test', password: 'long enough pw',
                 agreement: true };
  const created = await signUpRaw(good);
  assert.equal(created.status, 200, created.text);
  assert.ok(created.json.access_token.length >= 20);

  const cases = [
    ['bad username (dash)', { ...good, username: 'bad-name', email: 'a1@example.test' }],
    ['bad username (space)', { ...good, username: 'bad name', email: 'a2@example.test' }],
    ['bad username (CJK)', { ...good, username: '中文', email: 'a3@example.test' }],
    ['bad username (31 chars)', { ...good, username: 'a'.repeat(31), email: 'a4@example.test' }],
    ['empty username', { ...good, username: '', email: 'a5@example.test' }],
    ['duplicate username, other case', { ...good, username: 'VALID_Name', email: 'a6@example.test' }],
    ['duplicate email, other case', { ...good, username: 'other_name', email: 'VALID@example.TEST' }],
    ['bad email', { ...good, username: 'n1', email: 'not-an-email' }],
    ['bad email (no domain dot)', { ...good, username: 'n2', email: 'x@localhost' }],
    ['short password', { ...good, username: 'n3', email: 'n3@example.test', password: 'short' }],
    ['no agreement', { ...good, username: 'n4', email: 'n4@example.test', agreement: false }],
    ['agreement missing', { username: 'n5', email: 'n5@example.test', password: 'long enough pw' }],
  ];
  for (const [name, body] of cases) {
    const r = await signUpRaw(body);
    assert.equal(r.status, 422, `${name}: ${r.status} ${r.text}`);
    assert.ok(isJsonError(r), `${name}: ${r.text}`);
  }
  // 30 characters is the maximum and fine.
  const max = await signUpRaw({ ...good, username: 'B'.repeat(30), email: 'max@example.test' });
  assert.equal(max.status, 200, max.text);
  // Without an app token, sign-up is refused.
  const anon = await s.post('/api/v1/accounts', { json: { ...good, username: 'anon1',
                                                         email: 'anon1@example.test' } });
  assert.equal(anon.status, 401);
  // None of the rejected names exist.
  for (const u of ['other_name', 'n1', 'n3', 'n4', 'n5']) {
    const r = await s.get('/api/v1/accounts/lookup', { query: { acct: u } });
    assert.equal(r.status, 404, u);
  }
});

test('verify_credentials and update_credentials with Chinese text', async () => {
  const u = await s.signUp('zhang_wei');
  const me = await s.ok('GET', '/api/v1/accounts/verify_credentials', { token: u.token });
  assert.equal(me.username, 'zhang_wei');
  assert.equal(me.acct, 'zhang_wei');
  assert.equal(me.followers_count, 0);
  assert.ok(me.source, 'credential account has source');

  const updated = await s.ok('PATCH', '/api/v1/accounts/update_credentials', {
    token: u.token, form: { display_name: '张伟 🐼', note: '你好，世界！\n<b>不是粗体</b> & more' },
  });
  assert.equal(updated.display_name, '张伟 🐼');
  assert.equal(updated.source.note, '你好，世界！\n<b>不是粗体</b> & more');
  assert.match(updated.note, /你好，世界！/);
  assert.ok(!updated.note.includes('<b>'), 'note HTML is escaped');
  assert.match(updated.note, /&lt;b&gt;不是粗体&lt;\/b&gt; &amp; more/);

  // Visible to others through GET /accounts/:id and lookup.
  const other = await s.ok('GET', `/api/v1/accounts/${u.id}`);
  assert.equal(other.display_name, '张伟 🐼');
  const looked = await s.ok('GET', '/api/v1/accounts/lookup', { query: { acct: 'ZHANG_WEI' } });
  assert.equal(looked.id, u.id);
  const withAt = await s.ok('GET', '/api/v1/accounts/lookup', { query: { acct: '@zhang_wei' } });
  assert.equal(withAt.id, u.id);

  // Length limit on display name.
  const tooLong = await s.patch('/api/v1/accounts/update_credentials', {
    token: u.token, json: { display_name: '长'.repeat(200) },
  });
  assert.equal(tooLong.status, 422);
  assert.ok(isJsonError(tooLong));
  const still = await s.ok('GET', `/api/v1/accounts/${u.id}`);
  assert.equal(still.display_name, '张伟 🐼');
  // Multipart works for profile updates too.
  const mp = await s.ok('PATCH', '/api/v1/accounts/update_credentials', {
    token: u.token, multipart: { display_name: '小张' },
  });
  assert.equal(mp.display_name, '小张');
  assert.equal(mp.source.note, '你好，世界！\n<b>不是粗体</b> & more', 'note untouched');
});

test('unknown accounts answer 404 JSON', async () => {
  for (const p of ['/api/v1/accounts/999999999999', '/api/v1/accounts/abc',
                   '/api/v1/accounts/999999999999/statuses', '/api/v1/accounts/999999999999/followers']) {
    const r = await s.get(p);
    assert.equal(r.status, 404, p);
    assert.ok(isJsonError(r), p);
  }
  const r = await s.get('/api/v1/accounts/lookup', { query: { acct: 'no_such_user' } });
  assert.equal(r.status, 404);
  assert.ok(isJsonError(r));
});

test('follow, unfollow, relationships and counts', async () => {
  const a = await s.signUp('graph_a');
  const b = await s.signUp('graph_b');
  const rel = await s.ok('POST', `/api/v1/accounts/${b.id}/follow`, { token: a.token });
  assert.equal(rel.id, b.id);
  assert.equal(rel.following, true);
  assert.equal(rel.followed_by, false);
  // Following twice is idempotent.
  await s.ok('POST', `/api/v1/accounts/${b.id}/follow`, { token: a.token });
  assert.equal((await s.ok('GET', `/api/v1/accounts/${b.id}`)).followers_count, 1);
  assert.equal((await s.ok('GET', `/api/v1/accounts/${a.id}`)).following_count, 1);

  const fromB = await s.ok('GET', '/api/v1/accounts/relationships', {
    token: b.token, query: { 'id[]': a.id },
  });
  assert.equal(fromB.length, 1);
  assert.equal(fromB[0].followed_by, true);
  assert.equal(fromB[0].following, false);

  const self = await s.post(`/api/v1/accounts/${a.id}/follow`, { token: a.token });
  assert.equal(self.status, 422);
  const ghost = await s.post('/api/v1/accounts/999999999999/follow', { token: a.token });
  assert.equal(ghost.status, 404);

  const un = await s.ok('POST', `/api/v1/accounts/${b.id}/unfollow`, { token: a.token });
  assert.equal(un.following, false);
  assert.equal((await s.ok('GET', `/api/v1/accounts/${b.id}`)).followers_count, 0);
  assert.equal((await s.ok('GET', `/api/v1/accounts/${a.id}`)).following_count, 0);
});

test('mute and unmute', async () => {
  const a = await s.signUp('mute_a');
  const b = await s.signUp('mute_b');
  const m = await s.ok('POST', `/api/v1/accounts/${b.id}/mute`, { token: a.token });
  assert.equal(m.muting, true);
  assert.equal(m.muting_notifications, true);
  const mutes = await s.ok('GET', '/api/v1/mutes', { token: a.token });
  assert.deepEqual(mutes.map((x) => x.id), [b.id]);
  const um = await s.ok('POST', `/api/v1/accounts/${b.id}/unmute`, { token: a.token });
  assert.equal(um.muting, false);
  assert.deepEqual(await s.ok('GET', '/api/v1/mutes', { token: a.token }), []);
});

test('block removes follows both ways; a blocked account cannot follow, see or interact', async () => {
  const a = await s.signUp('block_a');
  const b = await s.signUp('block_b');
  await s.ok('POST', `/api/v1/accounts/${b.id}/follow`, { token: a.token });
  await s.ok('POST', `/api/v1/accounts/${a.id}/follow`, { token: b.token });
  const st = await s.postStatus(a, 'a public post by the blocker');

  const blk = await s.ok('POST', `/api/v1/accounts/${b.id}/block`, { token: a.token });
  assert.equal(blk.blocking, true);
  assert.equal(blk.following, false);
  assert.equal(blk.followed_by, false);
  assert.equal((await s.ok('GET', `/api/v1/accounts/${a.id}`)).followers_count, 0);
  assert.equal((await s.ok('GET', `/api/v1/accounts/${a.id}`)).following_count, 0);
  const seenByB = await s.ok('GET', '/api/v1/accounts/relationships', {
    token: b.token, query: { id: a.id },
  });
  assert.equal(seenByB[0].blocked_by, true);
  assert.deepEqual((await s.ok('GET', '/api/v1/blocks', { token: a.token })).map((x) => x.id), [b.id]);

  const follow = await s.post(`/api/v1/accounts/${a.id}/follow`, { token: b.token });
  assert.equal(follow.status, 403);
  assert.ok(isJsonError(follow));
  assert.equal((await s.get(`/api/v1/statuses/${st.id}`, { token: b.token })).status, 404);
  assert.deepEqual(await s.ok('GET', `/api/v1/accounts/${a.id}/statuses`, { token: b.token }), []);
  assert.equal((await s.post(`/api/v1/statuses/${st.id}/favourite`, { token: b.token })).status, 404);
  assert.equal((await s.post(`/api/v1/statuses/${st.id}/reblog`, { token: b.token })).status, 404);
  const reply = await s.post('/api/v1/statuses', {
    token: b.token, json: { status: 'sneaky reply', in_reply_to_id: st.id },
  });
  assert.equal(reply.status, 404);
  const quote = await s.post('/api/v1/statuses', {
    token: b.token, json: { status: 'sneaky quote', quoted_status_id: st.id },
  });
  assert.equal(quote.status, 404);
  // The public timeline hides the blocker's posts from the blocked.
  const pub = await s.ok('GET', '/api/v1/timelines/public', { token: b.token, query: { limit: 40 } });
  assert.ok(!pub.some((x) => x.id === st.id));
  // Anonymous readers still see it; the counts did not move.
  const anon = await s.ok('GET', `/api/v1/statuses/${st.id}`);
  assert.equal(anon.favourites_count, 0);
  assert.equal(anon.reblogs_count, 0);
  assert.equal(anon.replies_count, 0);

  // After unblock, b can follow again.
  const ub = await s.ok('POST', `/api/v1/accounts/${b.id}/unblock`, { token: a.token });
  assert.equal(ub.blocking, false);
  await s.ok('POST', `/api/v1/accounts/${a.id}/follow`, { token: b.token });
  await s.ok('GET', `/api/v1/statuses/${st.id}`, { token: b.token });
});

test('followers/following paginate with Mastodon Link headers', async () => {
  const star = await s.signUp('star_user');
  const fans = [];
  for (let i = 0; i < 7; i++) fans.push(await s.signUp(`fan_${i}`));
  for (const f of fans) await s.ok('POST', `/api/v1/accounts/${star.id}/follow`, { token: f.token });
  // Followers are ordered newest follow first.
  const expected = fans.map((f) => f.id).reverse();
  const seen = [];
  let url = `/api/v1/accounts/${star.id}/followers?limit=3`;
  for (let page = 0; page < 10 && url; page++) {
    const r = await s.get(url);
    assert.equal(r.status, 200);
    if (r.json.length === 0) {
      break;
    }
    seen.push(...r.json.map((a) => a.id));
    const link = parseLink(r.headers.get('link'));
    assert.ok(link.prev, `Link header on a non-empty page: ${r.headers.get('link')}`);
    assert.match(link.prev, /[?&]min_id=\d+/);
    if (r.json.length === 3) assert.ok(link.next, 'a full page links to the next one');
    if (!link.next) break;
    assert.match(link.next, /[?&]max_id=\d+/);
    assert.match(link.next, /[?&]limit=3/);
    assert.ok(link.next.startsWith(s.base + `/api/v1/accounts/${star.id}/followers`), link.next);
    url = link.next;
  }
  assert.deepEqual(seen, expected);

  // prev from the second page gives back the first page.
  const first = await s.get(`/api/v1/accounts/${star.id}/followers?limit=3`);
  const second = await s.get(parseLink(first.headers.get('link')).next);
  const back = await s.ok('GET', parseLink(second.headers.get('link')).prev);
  assert.deepEqual(back.map((a) => a.id), first.json.map((a) => a.id));

  // following of one fan.
  const fol = await s.get(`/api/v1/accounts/${fans[0].id}/following`);
  assert.deepEqual(fol.json.map((a) => a.id), [star.id]);
  assert.ok(fol.headers.get('link'));

  // An unfollow drops out of the list.
  await s.ok('POST', `/api/v1/accounts/${star.id}/unfollow`, { token: fans[3].token });
  const all = await s.ok('GET', `/api/v1/accounts/${star.id}/followers`, { query: { limit: 80 } });
  assert.deepEqual(all.map((a) => a.id), expected.filter((id) => id !== fans[3].id));
  assert.equal((await s.ok('GET', `/api/v1/accounts/${star.id}`)).followers_count, 6);
});
