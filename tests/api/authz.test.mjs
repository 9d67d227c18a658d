// Authorization matrix: for each resource, another account cannot read what it should not and
// cannot change what it does not own.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, isJsonError } from './lib/server.mjs';

let s;
let owner;      // owns the resources
let follower;   // follows owner
let stranger;   // no relation
let mentioned;  // mentioned in the direct post, does not follow
let pub;
let priv;
let direct;

before(async () => {
  s = await startServer();
  owner = await s.signUp('owner');
  follower = await s.signUp('follower');
  stranger = await s.signUp('stranger');
  mentioned = await s.signUp('mentioned');
  await s.ok('POST', `/api/v1/accounts/${owner.id}/follow`, { token: follower.token });
  pub = await s.postStatus(owner, 'owner public');
  priv = await s.postStatus(owner, { status: 'owner private', visibility: 'private' });
  direct = await s.postStatus(owner, { status: '@mentioned owner direct', visibility: 'direct' });
});
after(async () => { await s?.close(); });

const hidden = (r, what) => {
  assert.equal(r.status, 404, `${what}: expected 404, got ${r.status} ${r.text.slice(0, 200)}`);
  assert.ok(isJsonError(r), what);
};
const denied = (r, what) => {
  assert.ok([403, 404].includes(r.status), `${what}: expected 403/404, got ${r.status}`);
  assert.ok(isJsonError(r), what);
};

// Every read path of a status, as `user` (null = anonymous).
async function readPaths(user, st) {
  const opts = user ? { token: user.token } : {};
  return {
    get: await s.get(`/api/v1/statuses/${st.id}`, opts),
    context: await s.get(`/api/v1/statuses/${st.id}/context`, opts),
    history: await s.get(`/api/v1/statuses/${st.id}/history`, opts),
    favourited_by: await s.get(`/api/v1/statuses/${st.id}/favourited_by`, opts),
    reblogged_by: await s.get(`/api/v1/statuses/${st.id}/reblogged_by`, opts),
  };
}

test('private status: followers (and the owner) read it; strangers and anonymous do not', async () => {
  for (const user of [null, stranger, mentioned]) {
    const who = user ? user.username : 'anonymous';
    for (const [name, r] of Object.entries(await readPaths(user, priv))) hidden(r, `${who} ${name}`);
    const many = await s.ok('GET', '/api/v1/statuses', { ...(user ? { token: user.token } : {}),
                                                        query: { 'id[]': [priv.id, pub.id] } });
    assert.deepEqual(many.map((x) => x.id), [pub.id], `${who} batch read`);
    const list = await s.ok('GET', `/api/v1/accounts/${owner.id}/statuses`,
                            user ? { token: user.token } : {});
    assert.ok(!list.some((x) => x.id === priv.id), `${who} account statuses`);
  }
  for (const user of [follower, owner]) {
    for (const [name, r] of Object.entries(await readPaths(user, priv))) {
      assert.equal(r.status, 200, `${user.username} ${name}`);
    }
  }
});

test('direct status: only the mentioned account and the owner read it', async () => {
  for (const user of [null, stranger, follower]) {
    const who = user ? user.username : 'anonymous';
    for (const [name, r] of Object.entries(await readPaths(user, direct))) hidden(r, `${who} ${name}`);
    const list = await s.ok('GET', `/api/v1/accounts/${owner.id}/statuses`,
                            user ? { token: user.token } : {});
    assert.ok(!list.some((x) => x.id === direct.id), `${who} account statuses`);
    if (user) {
      const home = await s.ok('GET', '/api/v1/timelines/home', { token: user.token });
      assert.ok(!home.some((x) => x.id === direct.id), `${who} home`);
    }
  }
  for (const user of [mentioned, owner]) {
    for (const [name, r] of Object.entries(await readPaths(user, direct))) {
      assert.equal(r.status, 200, `${user.username} ${name}`);
    }
  }
  // Nobody can reblog a direct post, not even the mentioned account.
  denied(await s.post(`/api/v1/statuses/${direct.id}/reblog`, { token: mentioned.token }),
         'reblog direct');
});

test('status delete and edit: only the owner', async () => {
  for (const st of [pub, priv, direct]) {
    for (const user of [stranger, follower, mentioned]) {
      denied(await s.delete(`/api/v1/statuses/${st.id}`, { token: user.token }),
             `${user.username} delete ${st.visibility}`);
      denied(await s.put(`/api/v1/statuses/${st.id}`, { token: user.token,
                                                       json: { status: 'pwned' } }),
             `${user.username} edit ${st.visibility}`);
      const src = await s.get(`/api/v1/statuses/${st.id}/source`, { token: user.token });
      denied(src, `${user.username} source ${st.visibility}`);
    }
    assert.equal((await s.delete(`/api/v1/statuses/${st.id}`)).status, 401);
  }
  const still = await s.ok('GET', `/api/v1/statuses/${pub.id}`);
  assert.equal(still.content, '<p>owner public</p>');
  assert.equal(still.edited_at, null);
  const history = await s.ok('GET', `/api/v1/statuses/${pub.id}/history`);
  assert.equal(history.length, 1);
  // An app-only token (no user) cannot post, delete or edit.
  const { token: appToken } = await s.defaultApp();
  for (const r of [
    await s.post('/api/v1/statuses', { token: appToken, json: { status: 'from an app' } }),
    await s.delete(`/api/v1/statuses/${pub.id}`, { token: appToken }),
  ]) {
    assert.ok([401, 403, 422].includes(r.status), String(r.status));
    assert.ok(isJsonError(r));
  }
  await s.ok('GET', `/api/v1/statuses/${pub.id}`);
});

test('someone else\'s reblog, like and bookmark cannot be undone by another account', async () => {
  const rb = await s.ok('POST', `/api/v1/statuses/${pub.id}/reblog`, { token: follower.token });
  await s.ok('POST', `/api/v1/statuses/${pub.id}/favourite`, { token: follower.token });
  await s.ok('POST', `/api/v1/statuses/${pub.id}/bookmark`, { token: follower.token });
  // The stranger "undoing" them only touches the stranger's own (non-existent) marks.
  await s.ok('POST', `/api/v1/statuses/${pub.id}/unreblog`, { token: stranger.token });
  await s.ok('POST', `/api/v1/statuses/${pub.id}/unfavourite`, { token: stranger.token });
  await s.ok('POST', `/api/v1/statuses/${pub.id}/unbookmark`, { token: stranger.token });
  denied(await s.delete(`/api/v1/statuses/${rb.id}`, { token: stranger.token }), 'delete a reblog');
  denied(await s.delete(`/api/v1/statuses/${rb.id}`, { token: owner.token }),
         'the original author deletes a reblog');
  const asFollower = await s.ok('GET', `/api/v1/statuses/${pub.id}`, { token: follower.token });
  assert.equal(asFollower.reblogs_count, 1);
  assert.equal(asFollower.favourites_count, 1);
  assert.equal(asFollower.reblogged, true);
  assert.equal(asFollower.favourited, true);
  assert.equal(asFollower.bookmarked, true);
  await s.ok('GET', `/api/v1/statuses/${rb.id}`);
  // The viewer flags are per account.
  const asStranger = await s.ok('GET', `/api/v1/statuses/${pub.id}`, { token: stranger.token });
  assert.equal(asStranger.favourited, false);
  assert.equal(asStranger.bookmarked, false);
  assert.equal(asStranger.reblogged, false);
});

test('bookmarks and favourites lists are the caller\'s own only', async () => {
  await s.ok('POST', `/api/v1/statuses/${priv.id}/bookmark`, { token: follower.token });
  await s.ok('POST', `/api/v1/statuses/${priv.id}/favourite`, { token: follower.token });
  for (const list of ['bookmarks', 'favourites']) {
    const mine = await s.ok('GET', `/api/v1/${list}`, { token: follower.token });
    assert.ok(mine.some((x) => x.id === priv.id), `follower ${list}`);
    // Another account sees its own (empty) list whatever it passes.
    for (const query of [{}, { account_id: follower.id }, { id: follower.id }]) {
      const theirs = await s.ok('GET', `/api/v1/${list}`, { token: stranger.token, query });
      assert.deepEqual(theirs, [], `stranger ${list} ${JSON.stringify(query)}`);
    }
    assert.equal((await s.get(`/api/v1/${list}`)).status, 401, `anonymous ${list}`);
  }
  // favourited_by of a private status is hidden from strangers.
  hidden(await s.get(`/api/v1/statuses/${priv.id}/favourited_by`, { token: stranger.token }),
         'favourited_by of private');
  // When the owner blocks the follower, the private status leaves the follower's lists.
  await s.ok('POST', `/api/v1/accounts/${follower.id}/block`, { token: owner.token });
  for (const list of ['bookmarks', 'favourites']) {
    const mine = await s.ok('GET', `/api/v1/${list}`, { token: follower.token });
    assert.ok(!mine.some((x) => x.id === priv.id), `${list} after block`);
  }
  hidden(await s.get(`/api/v1/statuses/${priv.id}`, { token: follower.token }), 'after block');
  await s.ok('POST', `/api/v1/accounts/${follower.id}/unblock`, { token: owner.token });
  await s.ok('POST', `/api/v1/accounts/${owner.id}/follow`, { token: follower.token });
});

test('notifications of another account cannot be read, dismissed or cleared', async () => {
  await s.postStatus(stranger, '@owner hello owner');
  const notes = await s.ok('GET', '/api/v1/notifications', { token: owner.token });
  assert.ok(notes.length > 0);
  const n = notes[0];
  hidden(await s.get(`/api/v1/notifications/${n.id}`, { token: stranger.token }), 'read');
  hidden(await s.post(`/api/v1/notifications/${n.id}/dismiss`, { token: stranger.token }), 'dismiss');
  await s.ok('POST', '/api/v1/notifications/clear', { token: stranger.token });
  const theirs = await s.ok('GET', '/api/v1/notifications', {
    token: stranger.token, query: { account_id: owner.id },
  });
  assert.ok(!theirs.some((x) => x.id === n.id));
  const after = await s.ok('GET', '/api/v1/notifications', { token: owner.token });
  assert.deepEqual(after.map((x) => x.id), notes.map((x) => x.id));
  await s.ok('GET', `/api/v1/notifications/${n.id}`, { token: owner.token });
  const unread = await s.ok('GET', '/api/v1/notifications/unread_count', { token: stranger.token });
  assert.equal(unread.count, 0);
});

test('update_credentials acts on the caller only', async () => {
  const before = await s.ok('GET', `/api/v1/accounts/${owner.id}`);
  const r = await s.ok('PATCH', '/api/v1/accounts/update_credentials', {
    token: stranger.token,
    json: { id: owner.id, account_id: owner.id, username: 'owner', display_name: 'Impostor',
            note: 'I am the owner now' },
  });
  assert.equal(r.id, stranger.id);
  assert.equal(r.username, 'stranger', 'username cannot be changed');
  assert.equal(r.display_name, 'Impostor');
  const after = await s.ok('GET', `/api/v1/accounts/${owner.id}`);
  assert.equal(after.display_name, before.display_name);
  assert.equal(after.note, before.note);
  const anon = await s.patch('/api/v1/accounts/update_credentials', { json: { display_name: 'x' } });
  assert.equal(anon.status, 401);
  // A read-only token cannot change the profile.
  const readOnly = (await s.passwordGrant(stranger.username, stranger.password,
                                          { scope: 'read' })).json.access_token;
  const ro = await s.patch('/api/v1/accounts/update_credentials', {
    token: readOnly, json: { display_name: 'changed by read token' },
  });
  assert.equal(ro.status, 403);
  assert.equal((await s.ok('GET', `/api/v1/accounts/${stranger.id}`)).display_name, 'Impostor');
  // verify_credentials never leaks another account's source or email.
  const me = await s.ok('GET', '/api/v1/accounts/verify_credentials', { token: stranger.token });
  assert.equal(me.id, stranger.id);
  const other = await s.ok('GET', `/api/v1/accounts/${owner.id}`, { token: stranger.token });
  assert.equal(other.source, undefined);
  assert.ok(!JSON.stringify(other).includes('@example.test'), 'no email in the public account');
});

test('relationship changes act on the caller\'s own edges only', async () => {
  // Unfollowing on someone's behalf is impossible: the stranger's unfollow does not touch
  // the follower → owner edge.
  await s.ok('POST', `/api/v1/accounts/${owner.id}/unfollow`, { token: stranger.token });
  const rel = await s.ok('GET', '/api/v1/accounts/relationships', {
    token: follower.token, query: { id: owner.id },
  });
  assert.equal(rel[0].following, true);
  // Another account's block and mute lists are private to it.
  await s.ok('POST', `/api/v1/accounts/${stranger.id}/mute`, { token: owner.token });
  assert.deepEqual(await s.ok('GET', '/api/v1/mutes', { token: stranger.token }), []);
  assert.deepEqual((await s.ok('GET', '/api/v1/mutes', { token: owner.token })).map((a) => a.id),
                   [stranger.id]);
  assert.equal((await s.get('/api/v1/blocks')).status, 401);
});
