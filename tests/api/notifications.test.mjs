// Notifications: mention, follow, favourite, reblog, quote, status (a follow with notify); type
// filters, pagination with Link headers, one notification, dismiss, clear, unread count with the
// read marker.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, parseLink, isJsonError, eventually } from './lib/server.mjs';

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

test('a follow with notify brings a status notification for each post, as in Mastodon', async () => {
  const author = await s.signUp('nf_author');
  const fan = await s.signUp('nf_fan');
  const plain = await s.signUp('nf_plain');  // follows without notify
  const other = await s.signUp('nf_other');
  const follow = (u, notify) => s.ok('POST', `/api/v1/accounts/${author.id}/follow`,
    { token: u.token, json: notify === undefined ? {} : { notify } });
  assert.equal((await follow(fan, true)).notifying, true);
  assert.equal((await follow(plain)).notifying, false);
  const statusIds = async (u) => (await list(u, { 'types[]': 'status' })).map((n) => {
    assert.equal(n.account.id, author.id);
    return n.status.id;
  });

  const post = await s.postStatus(author, 'a new post');
  const priv = await s.postStatus(author, { status: 'followers only', visibility: 'private' });
  const thread = await s.postStatus(author, { status: 'and more', in_reply_to_id: post.id });
  const elsewhere = await s.postStatus(other, 'something');
  // Neither a reply to someone else, nor a direct post, nor a repost notifies of a new post;
  // nor does a post that mentions the follower, who gets the mention instead.
  await s.postStatus(author, { status: 'a reply', in_reply_to_id: elsewhere.id });
  await s.postStatus(author, { status: 'just you @nf_fan', visibility: 'direct' });
  const mention = await s.postStatus(author, 'hello @nf_fan');
  await s.ok('POST', `/api/v1/statuses/${elsewhere.id}/reblog`, { token: author.token });
  assert.deepEqual(await statusIds(fan), [thread.id, priv.id, post.id]);
  assert.equal((await list(fan, { 'types[]': 'mention' }))[0].status.id, mention.id);
  assert.deepEqual(await statusIds(plain), []);
  assert.deepEqual(await statusIds(other), []);

  // The subscription survives a restart (it is rebuilt from the stored follow).
  await s.restart();
  const after = await s.postStatus(author, 'after the restart');
  assert.deepEqual((await statusIds(fan))[0], after.id);

  // Following again without notify keeps it; notify=false ends it; so does an unfollow.
  assert.equal((await follow(fan)).notifying, true);
  assert.equal((await follow(fan, false)).notifying, false);
  await s.postStatus(author, 'not notified: notify is off');
  await follow(fan, true);
  await s.ok('POST', `/api/v1/accounts/${author.id}/unfollow`, { token: fan.token });
  await s.postStatus(author, 'not notified: unfollowed');
  await follow(fan);
  await s.postStatus(author, 'not notified: followed again without notify');
  assert.deepEqual((await statusIds(fan))[0], after.id);

  // A muted author's posts do not notify (and its earlier notifications are hidden meanwhile).
  await follow(fan, true);
  await s.ok('POST', `/api/v1/accounts/${author.id}/mute`, { token: fan.token, json: { notifications: true } });
  await s.postStatus(author, 'not notified: muted');
  assert.deepEqual(await statusIds(fan), []);
  await s.ok('POST', `/api/v1/accounts/${author.id}/unmute`, { token: fan.token });
  const last = await s.postStatus(author, 'notified again');
  assert.deepEqual(await statusIds(fan), [last.id, after.id, thread.id, priv.id, post.id]);
});

test('past status_inline notified followers, the rest are notified after the post, each once, ' +
     'through a SIGKILL', async () => {
  // 2 in the post's own write at most; 8 followers to notify, so all of them are notified after
  // it, 3 to a write.
  const small = await startServer({ configToml: '[notifications]\nstatus_inline = 2\nstatus_batch = 3\n' });
  try {
    const author = await small.signUp('many_author');
    const fans = [];
    for (let i = 0; i < 9; i++) {
      const fan = await small.signUp(`many_fan${i}`);
      await small.ok('POST', `/api/v1/accounts/${author.id}/follow`, { token: fan.token, json: { notify: true } });
      fans.push(fan);
    }
    // fans[8] mutes the author's notifications: 8 are left to notify.
    await small.ok('POST', `/api/v1/accounts/${author.id}/mute`,
      { token: fans[8].token, json: { notifications: true } });
    const statusIds = async (u) => (await small.ok('GET', '/api/v1/notifications',
      { token: u.token, query: { 'types[]': 'status' } })).map((n) => n.status.id);
    // The status notifications of the 8 followers to notify, once each has `n` of them.
    const eachHas = (n) => eventually(async () => {
      const got = await Promise.all(fans.slice(0, 8).map(statusIds));
      return got.every((ids) => ids.length >= n) && got;
    }, `${n} status notification(s) for each follower`);
    const first = await small.postStatus(author, 'to many fans');
    assert.deepEqual(await eachHas(1), fans.slice(0, 8).map(() => [first.id]));
    assert.deepEqual(await statusIds(fans[8]), []);

    // Killed right after the acknowledgement, whatever part of the delivery was made: after the
    // restart every follower has the notification exactly once.
    const second = await small.postStatus(author, 'and then the lights went out');
    small.child.kill('SIGKILL');
    await small.restart();
    assert.deepEqual(await eachHas(2), fans.slice(0, 8).map(() => [second.id, first.id]));
    // The delivery is finished (its last write and the worker's count are not one step), and
    // nothing more arrived.
    const fanout = await eventually(async () => {
      const f = await small.ok('GET', '/api/plaza/v1/fanout');
      return f.status_notify_pending === 0 && f;
    }, 'the delivery to finish');
    assert.equal(fanout.status_notify_pending, 0);
    assert.deepEqual(await eachHas(2), fans.slice(0, 8).map(() => [second.id, first.id]));
    assert.deepEqual(await statusIds(fans[8]), []);
  } finally {
    await small.close();
  }
});

test('notifications need a user token with read:notifications', async () => {
  assert.equal((await s.get('/api/v1/notifications')).status, 401);
  const { token } = await s.defaultApp();
  const appOnly = await s.get('/api/v1/notifications', { token });
  assert.ok([401, 403, 422].includes(appOnly.status), String(appOnly.status));
  assert.ok(isJsonError(appOnly));
});
