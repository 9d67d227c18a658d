// Statuses: create (Idempotency-Key), read, delete, edit + history, reply + context, reblog,
// quote, favourite, bookmark, who-liked lists, concurrent counts, visibility, Weibo length rules,
// entity extraction and HTML escaping.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, isJsonError } from './lib/server.mjs';

let s;
let alice;
let bob;
let carol;

before(async () => {
  s = await startServer();
  alice = await s.signUp('alice');
  bob = await s.signUp('bob');
  carol = await s.signUp('carol');
});
after(async () => { await s?.close(); });

const statusesCount = async (u) => (await s.ok('GET', `/api/v1/accounts/${u.id}`)).statuses_count;

test('Idempotency-Key: the same key gives the same status once', async () => {
  const before = await statusesCount(alice);
  const send = (key, text) => s.post('/api/v1/statuses', {
    token: alice.token, json: { status: text }, headers: { 'Idempotency-Key': key },
  });
  const first = await send('key-1', 'idempotent post');
  assert.equal(first.status, 200, first.text);
  const second = await send('key-1', 'idempotent post');
  assert.equal(second.status, 200);
  assert.equal(second.json.id, first.json.id);
  // Concurrent retries with a fresh key still create one status.
  const racing = await Promise.all([1, 2, 3, 4, 5].map(() => send('key-2', 'raced post')));
  assert.equal(new Set(racing.map((r) => r.json.id)).size, 1);
  // A different key is a different status.
  const third = await send('key-3', 'idempotent post');
  assert.notEqual(third.json.id, first.json.id);
  // Another account's identical key is its own status.
  const bobs = await s.post('/api/v1/statuses', {
    token: bob.token, json: { status: 'bob post' }, headers: { 'Idempotency-Key': 'key-1' },
  });
  assert.notEqual(bobs.json.id, first.json.id);
  assert.equal(bobs.json.account.id, bob.id);
  assert.equal(await statusesCount(alice), before + 3);
  const mine = await s.ok('GET', `/api/v1/accounts/${alice.id}/statuses`, { query: { limit: 40 } });
  assert.equal(mine.filter((x) => x.id === first.json.id).length, 1);
  assert.equal(mine.filter((x) => x.content.includes('raced post')).length, 1);
});

test('get and delete: owner only', async () => {
  const st = await s.postStatus(alice, 'to be deleted');
  const got = await s.ok('GET', `/api/v1/statuses/${st.id}`);
  assert.equal(got.id, st.id);
  assert.equal(got.account.id, alice.id);
  assert.equal(got.content, '<p>to be deleted</p>');

  const byBob = await s.delete(`/api/v1/statuses/${st.id}`, { token: bob.token });
  assert.ok([403, 404].includes(byBob.status), String(byBob.status));
  assert.ok(isJsonError(byBob));
  await s.ok('GET', `/api/v1/statuses/${st.id}`);
  const anon = await s.delete(`/api/v1/statuses/${st.id}`);
  assert.equal(anon.status, 401);

  const before = await statusesCount(alice);
  const del = await s.ok('DELETE', `/api/v1/statuses/${st.id}`, { token: alice.token });
  assert.equal(del.id, st.id);
  assert.equal(del.text, 'to be deleted', 'delete returns the source for redraft');
  const gone = await s.get(`/api/v1/statuses/${st.id}`);
  assert.equal(gone.status, 404);
  assert.ok(isJsonError(gone));
  assert.equal(await statusesCount(alice), before - 1);
  const twice = await s.delete(`/api/v1/statuses/${st.id}`, { token: alice.token });
  assert.equal(twice.status, 404);
});

test('edit (PUT) is owner only and keeps a history', async () => {
  const st = await s.postStatus(alice, 'first version');
  const byBob = await s.put(`/api/v1/statuses/${st.id}`, { token: bob.token,
                                                          json: { status: 'hijacked' } });
  assert.ok([403, 404].includes(byBob.status), String(byBob.status));
  assert.ok(isJsonError(byBob));

  const edited = await s.ok('PUT', `/api/v1/statuses/${st.id}`, {
    token: alice.token, json: { status: 'second version #edited' },
  });
  assert.equal(edited.id, st.id);
  assert.equal(edited.content.includes('second version'), true);
  assert.ok(edited.edited_at, 'edited_at is set');
  assert.deepEqual(edited.tags.map((t) => t.name), ['edited']);
  await s.ok('PUT', `/api/v1/statuses/${st.id}`, { token: alice.token,
                                                  form: { status: 'third version' } });

  const got = await s.ok('GET', `/api/v1/statuses/${st.id}`);
  assert.equal(got.content, '<p>third version</p>');
  assert.ok(Date.parse(got.edited_at) >= Date.parse(edited.edited_at), got.edited_at);
  assert.equal(got.created_at, st.created_at);
  // The app it was posted with, read back from storage with the rest of the body.
  assert.ok(got.application && got.application.name, JSON.stringify(got.application));
  assert.deepEqual(got.application, st.application);
  const history = await s.ok('GET', `/api/v1/statuses/${st.id}/history`);
  assert.deepEqual(history.map((h) => h.content.replace(/<[^>]+>/g, '')),
                   ['first version', 'second version #edited', 'third version']);
  const source = await s.ok('GET', `/api/v1/statuses/${st.id}/source`, { token: alice.token });
  assert.equal(source.text, 'third version');
  const foreignSource = await s.get(`/api/v1/statuses/${st.id}/source`, { token: bob.token });
  assert.equal(foreignSource.status, 403);
  // Over-length edits are refused and change nothing.
  const long = await s.put(`/api/v1/statuses/${st.id}`, { token: alice.token,
                                                         json: { status: '长'.repeat(141) } });
  assert.equal(long.status, 422);
  assert.equal((await s.ok('GET', `/api/v1/statuses/${st.id}`)).content, '<p>third version</p>');
});

test('reply and thread context with replies_count', async () => {
  const root = await s.postStatus(alice, 'thread root');
  const r1 = await s.postStatus(bob, { status: 'first comment', in_reply_to_id: root.id });
  assert.equal(r1.in_reply_to_id, root.id);
  assert.equal(r1.in_reply_to_account_id, alice.id);
  const r2 = await s.postStatus(carol, { status: 'reply to the comment', in_reply_to_id: r1.id });
  const r3 = await s.postStatus(alice, { status: 'second comment', in_reply_to_id: root.id });

  const ctx = await s.ok('GET', `/api/v1/statuses/${root.id}/context`);
  assert.deepEqual(ctx.ancestors, []);
  assert.deepEqual(ctx.descendants.map((x) => x.id), [r1.id, r2.id, r3.id]);
  const mid = await s.ok('GET', `/api/v1/statuses/${r2.id}/context`);
  assert.deepEqual(mid.ancestors.map((x) => x.id), [root.id, r1.id]);
  assert.deepEqual(mid.descendants, []);

  assert.equal((await s.ok('GET', `/api/v1/statuses/${root.id}`)).replies_count, 2);
  assert.equal((await s.ok('GET', `/api/v1/statuses/${r1.id}`)).replies_count, 1);
  await s.ok('DELETE', `/api/v1/statuses/${r3.id}`, { token: alice.token });
  assert.equal((await s.ok('GET', `/api/v1/statuses/${root.id}`)).replies_count, 1);

  const missing = await s.post('/api/v1/statuses', {
    token: bob.token, json: { status: 'reply to nothing', in_reply_to_id: '999999999999' },
  });
  assert.equal(missing.status, 404);
  assert.ok(isJsonError(missing));
});

test('reblog and unreblog with reblogs_count and reblogged_by', async () => {
  const st = await s.postStatus(alice, 'repost me');
  const rb = await s.ok('POST', `/api/v1/statuses/${st.id}/reblog`, { token: bob.token });
  assert.notEqual(rb.id, st.id);
  assert.equal(rb.reblog.id, st.id);
  assert.equal(rb.account.id, bob.id);
  assert.equal(rb.reblog.reblogged, true);
  // Reblogging twice does not create a second one.
  const again = await s.ok('POST', `/api/v1/statuses/${st.id}/reblog`, { token: bob.token });
  assert.equal(again.id, rb.id);
  await s.ok('POST', `/api/v1/statuses/${st.id}/reblog`, { token: carol.token });
  const orig = await s.ok('GET', `/api/v1/statuses/${st.id}`, { token: bob.token });
  assert.equal(orig.reblogs_count, 2);
  assert.equal(orig.reblogged, true);
  const by = await s.ok('GET', `/api/v1/statuses/${st.id}/reblogged_by`);
  assert.deepEqual(by.map((a) => a.id).sort(), [bob.id, carol.id].sort());
  // The reblog appears in the reblogger's account statuses.
  const bobs = await s.ok('GET', `/api/v1/accounts/${bob.id}/statuses`);
  assert.ok(bobs.some((x) => x.reblog && x.reblog.id === st.id));
  // A repost has its own time, read back from storage when it is rendered afresh.
  const stored = await s.ok('GET', `/api/v1/statuses/${rb.id}`, { token: carol.token });
  assert.equal(stored.created_at, rb.created_at);
  assert.ok(Math.abs(Date.parse(stored.created_at) - Date.now()) < 600_000, stored.created_at);

  const un = await s.ok('POST', `/api/v1/statuses/${st.id}/unreblog`, { token: bob.token });
  assert.equal(un.id, st.id);
  assert.equal(un.reblogged, false);
  assert.equal(un.reblogs_count, 1);
  assert.equal((await s.get(`/api/v1/statuses/${rb.id}`)).status, 404);
  const by2 = await s.ok('GET', `/api/v1/statuses/${st.id}/reblogged_by`);
  assert.deepEqual(by2.map((a) => a.id), [carol.id]);
});

test('quote with quoted_status_id', async () => {
  const st = await s.postStatus(alice, 'quote me');
  const q = await s.postStatus(bob, { status: '说得好 quoting', quoted_status_id: st.id });
  assert.ok(q.quote, 'quote object present');
  assert.equal(q.quote.state, 'accepted');
  assert.equal(q.quote.quoted_status.id, st.id);
  assert.equal(q.quote.quoted_status.account.id, alice.id);
  assert.match(q.content, /说得好/);
  const got = await s.ok('GET', `/api/v1/statuses/${q.id}`);
  assert.equal(got.quote.quoted_status.id, st.id);
  assert.equal((await s.ok('GET', `/api/v1/statuses/${st.id}`)).quotes_count, 1);
  // Private posts of others cannot be quoted.
  const priv = await s.postStatus(alice, { status: 'private thought', visibility: 'private' });
  await s.ok('POST', `/api/v1/accounts/${alice.id}/follow`, { token: carol.token });
  const bad = await s.post('/api/v1/statuses', {
    token: carol.token, json: { status: 'leak', quoted_status_id: priv.id },
  });
  assert.equal(bad.status, 422);
  const none = await s.post('/api/v1/statuses', {
    token: carol.token, json: { status: 'quote nothing', quoted_status_id: '999999999999' },
  });
  assert.equal(none.status, 404);
});

test('favourite, unfavourite, bookmark, favourited_by and lists', async () => {
  const st = await s.postStatus(alice, 'like me');
  const fav = await s.ok('POST', `/api/v1/statuses/${st.id}/favourite`, { token: bob.token });
  assert.equal(fav.favourited, true);
  assert.equal(fav.favourites_count, 1);
  const twice = await s.ok('POST', `/api/v1/statuses/${st.id}/favourite`, { token: bob.token });
  assert.equal(twice.favourites_count, 1);
  await s.ok('POST', `/api/v1/statuses/${st.id}/favourite`, { token: carol.token });
  const by = await s.ok('GET', `/api/v1/statuses/${st.id}/favourited_by`);
  assert.deepEqual(by.map((a) => a.id), [carol.id, bob.id]);
  const favs = await s.ok('GET', '/api/v1/favourites', { token: bob.token });
  assert.ok(favs.some((x) => x.id === st.id));
  assert.equal((await s.ok('GET', `/api/v1/statuses/${st.id}`, { token: carol.token })).favourited,
               true);

  const un = await s.ok('POST', `/api/v1/statuses/${st.id}/unfavourite`, { token: bob.token });
  assert.equal(un.favourited, false);
  assert.equal(un.favourites_count, 1);
  assert.ok(!(await s.ok('GET', '/api/v1/favourites', { token: bob.token })).some((x) => x.id === st.id));

  const bm = await s.ok('POST', `/api/v1/statuses/${st.id}/bookmark`, { token: bob.token });
  assert.equal(bm.bookmarked, true);
  const bms = await s.ok('GET', '/api/v1/bookmarks', { token: bob.token });
  assert.deepEqual(bms.map((x) => x.id), [st.id]);
  assert.deepEqual(await s.ok('GET', '/api/v1/bookmarks', { token: carol.token }), []);
  const ubm = await s.ok('POST', `/api/v1/statuses/${st.id}/unbookmark`, { token: bob.token });
  assert.equal(ubm.bookmarked, false);
  assert.deepEqual(await s.ok('GET', '/api/v1/bookmarks', { token: bob.token }), []);

  // Favouriting a reblog favourites the original.
  const rb = await s.ok('POST', `/api/v1/statuses/${st.id}/reblog`, { token: carol.token });
  const viaReblog = await s.ok('POST', `/api/v1/statuses/${rb.id}/favourite`, { token: bob.token });
  assert.equal(viaReblog.id, st.id);
  assert.equal(viaReblog.favourites_count, 2);
});

test('a deleted status leaves no bookmark or favourite behind to fill a page', async () => {
  const reader = await s.signUp('bm_reader');
  const kept = await s.postStatus(alice, 'bookmark me, I stay');
  const gone = await s.postStatus(alice, 'bookmark me, I go');
  for (const id of [kept.id, gone.id]) {
    await s.ok('POST', `/api/v1/statuses/${id}/bookmark`, { token: reader.token });
    await s.ok('POST', `/api/v1/statuses/${id}/favourite`, { token: reader.token });
  }
  await s.ok('DELETE', `/api/v1/statuses/${gone.id}`, { token: alice.token });
  // The newest mark was on the deleted status: a page of one must still hold the other, before
  // and after a restart (which loads the marks back from storage).
  const firstOf = async (list) => (await s.ok('GET', `/api/v1/${list}`,
    { token: reader.token, query: { limit: 1 } })).map((x) => x.id);
  for (let round = 0; round < 2; round++) {
    assert.deepEqual(await firstOf('bookmarks'), [kept.id], `bookmarks, round ${round}`);
    assert.deepEqual(await firstOf('favourites'), [kept.id], `favourites, round ${round}`);
    if (round === 0) await s.restart();
  }
});

test('counts stay exact under concurrent likes, reblogs and replies from many accounts', async () => {
  const st = await s.postStatus(alice, 'popular post');
  const fans = [];
  for (let i = 0; i < 12; i++) fans.push(await s.signUp(`liker_${i}`));
  // Every fan likes three times at once, reblogs twice at once, and replies once.
  await Promise.all(fans.flatMap((f) => [
    s.ok('POST', `/api/v1/statuses/${st.id}/favourite`, { token: f.token }),
    s.ok('POST', `/api/v1/statuses/${st.id}/favourite`, { token: f.token }),
    s.ok('POST', `/api/v1/statuses/${st.id}/favourite`, { token: f.token }),
    s.ok('POST', `/api/v1/statuses/${st.id}/reblog`, { token: f.token }),
    s.ok('POST', `/api/v1/statuses/${st.id}/reblog`, { token: f.token }),
    s.ok('POST', '/api/v1/statuses', { token: f.token,
                                       json: { status: 'me too', in_reply_to_id: st.id } }),
  ]));
  let got = await s.ok('GET', `/api/v1/statuses/${st.id}`);
  assert.equal(got.favourites_count, 12);
  assert.equal(got.reblogs_count, 12);
  assert.equal(got.replies_count, 12);
  const by = await s.ok('GET', `/api/v1/statuses/${st.id}/favourited_by`, { query: { limit: 80 } });
  assert.equal(by.length, 12);
  assert.equal(new Set(by.map((a) => a.id)).size, 12);
  const rby = await s.ok('GET', `/api/v1/statuses/${st.id}/reblogged_by`, { query: { limit: 80 } });
  assert.equal(rby.length, 12);

  // Half unlike and unreblog concurrently (each twice).
  const half = fans.slice(0, 6);
  await Promise.all(half.flatMap((f) => [
    s.ok('POST', `/api/v1/statuses/${st.id}/unfavourite`, { token: f.token }),
    s.ok('POST', `/api/v1/statuses/${st.id}/unfavourite`, { token: f.token }),
    s.ok('POST', `/api/v1/statuses/${st.id}/unreblog`, { token: f.token }),
    s.ok('POST', `/api/v1/statuses/${st.id}/unreblog`, { token: f.token }),
  ]));
  got = await s.ok('GET', `/api/v1/statuses/${st.id}`);
  assert.equal(got.favourites_count, 6);
  assert.equal(got.reblogs_count, 6);
  assert.equal(got.replies_count, 12);
  const ctx = await s.ok('GET', `/api/v1/statuses/${st.id}/context`);
  assert.equal(ctx.descendants.length, 12);
});

test('visibility is enforced on GET, account statuses and context', async () => {
  const dave = await s.signUp('dave_vis');        // follows alice
  const erin = await s.signUp('erin_vis');        // follows nobody
  await s.ok('POST', `/api/v1/accounts/${alice.id}/follow`, { token: dave.token });
  const pub = await s.postStatus(alice, { status: 'vis public', visibility: 'public' });
  const unl = await s.postStatus(alice, { status: 'vis unlisted', visibility: 'unlisted' });
  const prv = await s.postStatus(alice, { status: 'vis private', visibility: 'private' });
  const dm = await s.postStatus(alice, { status: '@erin_vis vis direct', visibility: 'direct' });
  const prvMention = await s.postStatus(alice, { status: '@erin_vis vis private mention',
                                                 visibility: 'private' });
  assert.equal(prv.visibility, 'private');
  assert.equal(dm.visibility, 'direct');
  assert.deepEqual(dm.mentions.map((m) => m.id), [erin.id]);

  const can = async (user, st) => {
    const r = await s.get(`/api/v1/statuses/${st.id}`, user ? { token: user.token } : {});
    if (r.status === 200) return true;
    assert.equal(r.status, 404, `hidden status answers 404, got ${r.status}`);
    assert.ok(isJsonError(r));
    return false;
  };
  const table = [
    [null, pub, true], [null, unl, true], [null, prv, false], [null, dm, false],
    [dave, pub, true], [dave, unl, true], [dave, prv, true], [dave, dm, false], [dave, prvMention, true],
    [erin, pub, true], [erin, unl, true], [erin, prv, false], [erin, dm, true], [erin, prvMention, true],
    [bob, prv, false], [bob, dm, false], [bob, prvMention, false],
    [alice, prv, true], [alice, dm, true],
  ];
  for (const [user, st, expected] of table) {
    assert.equal(await can(user, st), expected,
                 `${user ? user.username : 'anonymous'} reading ${st.visibility} "${st.content}"`);
  }
  const listIds = async (user) => (await s.ok('GET', `/api/v1/accounts/${alice.id}/statuses`, {
    token: user?.token, query: { limit: 40 },
  })).map((x) => x.id);
  const anonList = await listIds(null);
  assert.ok(anonList.includes(pub.id) && anonList.includes(unl.id));
  assert.ok(!anonList.includes(prv.id) && !anonList.includes(dm.id));
  const daveList = await listIds(dave);
  assert.ok(daveList.includes(prv.id) && !daveList.includes(dm.id));
  const erinList = await listIds(erin);
  assert.ok(!erinList.includes(prv.id) && erinList.includes(dm.id));
  // Hidden statuses cannot be favourited, reblogged or replied to.
  for (const st of [prv, dm]) {
    assert.equal((await s.post(`/api/v1/statuses/${st.id}/favourite`, { token: bob.token })).status, 404);
    assert.equal((await s.post(`/api/v1/statuses/${st.id}/reblog`, { token: bob.token })).status, 404);
    const reply = await s.post('/api/v1/statuses', { token: bob.token,
                                                     json: { status: 'x', in_reply_to_id: st.id } });
    assert.equal(reply.status, 404);
  }
  // A follower can read a private post but cannot reblog it.
  const rb = await s.post(`/api/v1/statuses/${prv.id}/reblog`, { token: dave.token });
  assert.equal(rb.status, 403);
  // Hidden replies do not show in a public thread's context.
  const root = await s.postStatus(bob, 'public root for hidden reply');
  const hiddenReply = await s.postStatus(alice, { status: 'followers-only reply', visibility: 'private',
                                                  in_reply_to_id: root.id });
  const anonCtx = await s.ok('GET', `/api/v1/statuses/${root.id}/context`);
  assert.ok(!anonCtx.descendants.some((x) => x.id === hiddenReply.id));
  const daveCtx = await s.ok('GET', `/api/v1/statuses/${root.id}/context`, { token: dave.token });
  assert.ok(daveCtx.descendants.some((x) => x.id === hiddenReply.id));
  // Invalid visibility.
  const bad = await s.post('/api/v1/statuses', { token: alice.token,
                                                 json: { status: 'x', visibility: 'secret' } });
  assert.equal(bad.status, 422);
  assert.ok(isJsonError(bad));
});

test('Weibo length: 140 CJK or 280 Latin characters, no more', async () => {
  const ok140 = await s.post('/api/v1/statuses', { token: alice.token,
                                                   json: { status: '微'.repeat(140) } });
  assert.equal(ok140.status, 200, ok140.text);
  const bad141 = await s.post('/api/v1/statuses', { token: alice.token,
                                                    json: { status: '微'.repeat(141) } });
  assert.equal(bad141.status, 422);
  assert.ok(isJsonError(bad141));
  const ok280 = await s.post('/api/v1/statuses', { token: alice.token,
                                                   json: { status: 'a'.repeat(280) } });
  assert.equal(ok280.status, 200, ok280.text);
  const bad281 = await s.post('/api/v1/statuses', { token: alice.token,
                                                    json: { status: 'a'.repeat(281) } });
  assert.equal(bad281.status, 422);
  // Mixed: 139 CJK + 2 Latin = 140.
  const mixed = await s.post('/api/v1/statuses', { token: alice.token,
                                                   json: { status: '微'.repeat(139) + 'ab' } });
  assert.equal(mixed.status, 200, mixed.text);
  const mixedBad = await s.post('/api/v1/statuses', { token: alice.token,
                                                      json: { status: '微'.repeat(140) + 'a' } });
  assert.equal(mixedBad.status, 422);
  const blank = await s.post('/api/v1/statuses', { token: alice.token, json: { status: '   ' } });
  assert.equal(blank.status, 422);
  // The limit is reported by the instance endpoint.
  const inst = await s.ok('GET', '/api/v2/instance');
  assert.equal(inst.configuration.statuses.max_characters, 140);
});

test('invalid UTF-8 in a JSON, form or multipart body answers 400', async () => {
  const bad = Buffer.concat([Buffer.from('{"status":"bad '), Buffer.from([0xff, 0xfe]),
                             Buffer.from('"}')]);
  const before = await statusesCount(alice);
  const json = await s.post('/api/v1/statuses', { token: alice.token, body: bad,
                                                  contentType: 'application/json' });
  assert.equal(json.status, 400, json.text);
  assert.ok(isJsonError(json));
  const formRaw = Buffer.concat([Buffer.from('status=bad+'), Buffer.from([0xc3, 0x28])]);
  const form = await s.post('/api/v1/statuses', { token: alice.token, body: formRaw,
                                                  contentType: 'application/x-www-form-urlencoded' });
  assert.equal(form.status, 400, form.text);
  assert.ok(isJsonError(form));
  const formEscaped = await s.post('/api/v1/statuses', {
    token: alice.token, body: 'status=bad%FF%FE', contentType: 'application/x-www-form-urlencoded',
  });
  assert.equal(formEscaped.status, 400, formEscaped.text);
  const boundary = 'XbOuNdArY';
  const mp = Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="status"\r\n\r\nbad `),
    Buffer.from([0xed, 0xa0, 0x80]),  // an encoded surrogate
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  const multipart = await s.post('/api/v1/statuses', {
    token: alice.token, body: mp, contentType: `multipart/form-data; boundary=${boundary}`,
  });
  assert.equal(multipart.status, 400, multipart.text);
  assert.equal(await statusesCount(alice), before, 'nothing was posted');
});

test('entities: #topic with spaces#, hashtags, @mentions; HTML escaped', async () => {
  const st = await s.postStatus(alice, '今天 #topic with spaces# 和 #春节 快乐# hi @bob and @Carol #Plain 🎉');
  const tags = st.tags.map((t) => t.name).sort();
  assert.deepEqual(tags, ['plain', 'topic with spaces', '春节 快乐'].sort());
  assert.deepEqual(st.mentions.map((m) => m.id).sort(), [bob.id, carol.id].sort());
  assert.deepEqual(st.mentions.map((m) => m.acct).sort(), ['bob', 'carol']);
  assert.match(st.content, /href="[^"]*\/@bob"/);
  assert.match(st.content, /href="[^"]*\/tags\/[^"]+"/);
  // The topic is findable through the tag timeline.
  const tl = await s.ok('GET', `/api/v1/timelines/tag/${encodeURIComponent('topic with spaces')}`);
  assert.ok(tl.some((x) => x.id === st.id));
  // Unknown mentions are not linked as accounts and create nothing.
  const ghost = await s.postStatus(alice, 'hello @nobody_at_all');
  assert.deepEqual(ghost.mentions, []);

  const xss = await s.postStatus(alice, '<script>alert("x")</script> <img src=x onerror=alert(1)> & "q" \'s');
  assert.ok(!xss.content.includes('<script'), xss.content);
  assert.ok(!xss.content.includes('<img'), xss.content);
  assert.match(xss.content, /&lt;script&gt;/);
  assert.match(xss.content, /&amp;/);
  const spoiler = await s.postStatus(alice, { status: 'body', spoiler_text: '<b>cw</b>' });
  assert.equal(spoiler.spoiler_text, '<b>cw</b>', 'spoiler_text is plain text in JSON');
  // A URL becomes a link, with a javascript: URL left as text.
  const link = await s.postStatus(alice, 'see https://example.com/a?b=1&c=2 and javascript:alert(1)');
  assert.match(link.content, /<a href="https:\/\/example\.com\/a\?b=1&amp;c=2"/);
  assert.ok(!/href="javascript:/i.test(link.content), link.content);
});

test('fan-out queue stats: a post is counted, delivered, and the queue drains', async () => {
  const before = await s.ok('GET', '/api/plaza/v1/fanout');
  for (const k of ['enqueued', 'delivered', 'queue_depth', 'lag_ms', 'max_lag_ms', 'status_notify_pending']) {
    assert.equal(typeof before[k], 'number', k);
  }
  await s.ok('POST', `/api/v1/accounts/${alice.id}/follow`, { token: carol.token });
  // Both homes materialized, so the post is pushed to both (alice's own and carol's).
  await s.ok('GET', '/api/v1/timelines/home', { token: alice.token });
  await s.ok('GET', '/api/v1/timelines/home', { token: carol.token });
  const posted = await s.ok('POST', '/api/v1/statuses', {
    token: alice.token, json: { status: 'fan-out counted' },
  });
  let after;
  for (let i = 0; i < 100; i++) {
    after = await s.ok('GET', '/api/plaza/v1/fanout');
    if (after.queue_depth === 0 && after.delivered >= before.delivered + 2) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  assert.equal(after.enqueued, before.enqueued + 1);
  assert.ok(after.delivered >= before.delivered + 2, JSON.stringify(after));  // alice and carol
  assert.equal(after.queue_depth, 0);
  const home = await s.ok('GET', '/api/v1/timelines/home', { token: carol.token });
  assert.ok(home.some((x) => x.id === posted.id));
});
