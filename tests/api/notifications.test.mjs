// Notifications: mention, follow, favourite, reblog, quote; type filters, pagination with Link
// headers, one notification, dismiss, clear, unread count with the read marker.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, parseLink, isJsonError } from './lib/server.mjs';

let s;
let alice;
let bob;
let carol;

before(async () => {
  s = await startServer();
  alice = await s.signUp('alice_n');
  bob = await s.signUp('bob_n');
  carol = await s.signUp('carol_n');
});
after(async () => { await s?.close(); });

const list = (u, query = {}) => s.ok('GET', '/api/v1/notifications', { token: u.token, query });

test('each kind of interaction notifies the author once', async () => {
  const st = await s.postStatus(alice, 'notify me');
  await s.ok('POST', `/api/v1/accounts/${alice.id}/follow`, { token: bob.token });
  await s.ok('POST', `/api/v1/accounts/${alice.id}/follow`, { token: bob.token });  // no repeat
  const mention = await s.postStatus(bob, 'hello @alice_n');
  await s.ok('POST', `/api/v1/statuses/${st.id}/favourite`, { token: bob.token });
  await s.ok('POST', `/api/v1/statuses/${st.id}/reblog`, { token: carol.token });
  const quote = await s.postStatus(carol, { status: 'quoting you', quoted_status_id: st.id });
  const reply = await s.postStatus(carol, { status: 'a comment', in_reply_to_id: st.id });
  // Acting on your own post does not notify.
  await s.ok('POST', `/api/v1/statuses/${st.id}/favourite`, { token: alice.token });

  const got = await list(alice);
  const summary = got.map((n) => [n.type, n.account.id, n.status ? n.status.id : null]);
  assert.deepEqual(summary, [
    ['mention', carol.id, reply.id],
    ['quote', carol.id, quote.id],
    ['reblog', carol.id, st.id],
    ['favourite', bob.id, st.id],
    ['mention', bob.id, mention.id],
    ['follow', bob.id, null],
  ]);
  for (const n of got) {
    assert.equal(typeof n.id, 'string');
    assert.ok(n.created_at);
  }
  // Nobody else got them.
  assert.deepEqual((await list(bob)).map((n) => n.type), []);

  // Type filters.
  const onlyMentions = await list(alice, { 'types[]': 'mention' });
  assert.deepEqual(onlyMentions.map((n) => n.status.id), [reply.id, mention.id]);
  const noMentions = await list(alice, { 'exclude_types[]': ['mention', 'follow'] });
  assert.deepEqual(noMentions.map((n) => n.type), ['quote', 'reblog', 'favourite']);
  const fromBob = await list(alice, { account_id: bob.id });
  assert.deepEqual(fromBob.map((n) => n.type), ['favourite', 'mention', 'follow']);

  // One notification by id; another account cannot read it.
  const one = await s.ok('GET', `/api/v1/notifications/${got[0].id}`, { token: alice.token });
  assert.equal(one.id, got[0].id);
  const foreign = await s.get(`/api/v1/notifications/${got[0].id}`, { token: bob.token });
  assert.equal(foreign.status, 404);
  assert.ok(isJsonError(foreign));
});

test('notifications paginate with Link headers', async () => {
  const d = await s.signUp('dave_n');
  const ids = [];
  for (let i = 0; i < 5; i++) ids.push((await s.postStatus(alice, `@dave_n ping ${i}`)).id);
  const all = await list(d);
  assert.equal(all.length, 5);
  assert.deepEqual(all.map((n) => n.status.id), [...ids].reverse());

  const first = await s.get('/api/v1/notifications', { token: d.token, query: { limit: 2 } });
  assert.deepEqual(first.json.map((n) => n.id), all.slice(0, 2).map((n) => n.id));
  const link = parseLink(first.headers.get('link'));
  assert.equal(new URL(link.next).searchParams.get('max_id'), all[1].id);
  assert.equal(new URL(link.prev).searchParams.get('min_id'), all[0].id);
  const second = await s.ok('GET', link.next, { token: d.token });
  assert.deepEqual(second.map((n) => n.id), all.slice(2, 4).map((n) => n.id));
  const since = await list(d, { since_id: all[2].id });
  assert.deepEqual(since.map((n) => n.id), all.slice(0, 2).map((n) => n.id));
  const min = await list(d, { min_id: all[4].id, limit: 2 });
  assert.deepEqual(min.map((n) => n.id), all.slice(2, 4).map((n) => n.id));
  const empty = await s.get('/api/v1/notifications', { token: d.token, query: { min_id: all[0].id } });
  assert.deepEqual(empty.json, []);
  assert.equal(empty.headers.get('link'), null);
  const clamp = await s.get('/api/v1/notifications', { token: d.token, query: { limit: 100000 } });
  assert.equal(clamp.status, 200);
  assert.equal(clamp.json.length, 5);
});

test('unread count follows the read marker; dismiss and clear', async () => {
  const e = await s.signUp('erin_n');
  for (let i = 0; i < 4; i++) await s.postStatus(bob, `@erin_n note ${i}`);
  const count = async () => (await s.ok('GET', '/api/v1/notifications/unread_count',
                                        { token: e.token })).count;
  assert.equal(await count(), 4);
  const all = await list(e);
  await s.ok('POST', '/api/v1/markers', { token: e.token,
                                          form: { 'notifications[last_read_id]': all[1].id } });
  assert.equal(await count(), 1);
  const marker = await s.ok('GET', '/api/v1/markers', { token: e.token,
                                                        query: { 'timeline[]': 'notifications' } });
  assert.equal(marker.notifications.last_read_id, all[1].id);

  // Dismiss one: it is gone, the rest stay. Another account cannot dismiss it.
  const foreign = await s.post(`/api/v1/notifications/${all[0].id}/dismiss`, { token: bob.token });
  assert.equal(foreign.status, 404);
  assert.equal((await list(e)).length, 4);
  await s.ok('POST', `/api/v1/notifications/${all[0].id}/dismiss`, { token: e.token });
  assert.deepEqual((await list(e)).map((n) => n.id), all.slice(1).map((n) => n.id));
  assert.equal((await s.get(`/api/v1/notifications/${all[0].id}`, { token: e.token })).status, 404);
  assert.equal(await count(), 0);

  // Clear removes everything for this account only.
  const aliceBefore = (await list(alice)).length;
  assert.ok(aliceBefore > 0);
  await s.ok('POST', '/api/v1/notifications/clear', { token: e.token });
  assert.deepEqual(await list(e), []);
  assert.equal((await list(alice)).length, aliceBefore);
  // New ones arrive after a clear.
  await s.postStatus(bob, '@erin_n after clear');
  assert.equal((await list(e)).length, 1);
});

test('a deleted status takes its notifications along; blocks and mutes hide them', async () => {
  const f = await s.signUp('frank_n');
  const gone = await s.postStatus(carol, '@frank_n soon deleted');
  assert.equal((await list(f)).length, 1);
  await s.ok('DELETE', `/api/v1/statuses/${gone.id}`, { token: carol.token });
  assert.deepEqual(await list(f), []);

  await s.postStatus(carol, '@frank_n from carol');
  await s.postStatus(bob, '@frank_n from bob');
  assert.equal((await list(f)).length, 2);
  await s.ok('POST', `/api/v1/accounts/${carol.id}/mute`, { token: f.token });
  assert.deepEqual((await list(f)).map((n) => n.account.id), [bob.id]);
  await s.ok('POST', `/api/v1/accounts/${carol.id}/unmute`, { token: f.token });
  await s.ok('POST', `/api/v1/accounts/${bob.id}/block`, { token: f.token });
  assert.deepEqual((await list(f)).map((n) => n.account.id), [carol.id]);
  // A blocked account's new interactions do not notify (they cannot even see the posts).
  const fp = await s.postStatus(f, 'frank post');
  assert.equal((await s.post(`/api/v1/statuses/${fp.id}/favourite`, { token: bob.token })).status, 404);
  assert.equal((await s.post(`/api/v1/accounts/${f.id}/follow`, { token: bob.token })).status, 403);
  assert.deepEqual((await list(f)).map((n) => n.account.id), [carol.id]);
});

test('notifications need a user token with read:notifications', async () => {
  assert.equal((await s.get('/api/v1/notifications')).status, 401);
  const { token } = await s.defaultApp();
  const appOnly = await s.get('/api/v1/notifications', { token });
  assert.ok([401, 403, 422].includes(appOnly.status), String(appOnly.status));
  assert.ok(isJsonError(appOnly));
});
