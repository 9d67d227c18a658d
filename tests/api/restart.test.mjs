// Restart: stop the server with SIGTERM and start it on the same data directory; everything a
// client saw before reads the same after.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { startServer } from './lib/server.mjs';

let s;

before(async () => { s = await startServer(); });
after(async () => { await s?.close(); });

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Everything observable about the little world, as the given users see it.
async function snapshot(users, statuses) {
  const out = { accounts: {}, statuses: {}, home: {}, notifications: {}, lists: {} };
  for (const u of users) {
    const a = await s.ok('GET', `/api/v1/accounts/${u.id}`);
    out.accounts[u.username] = {
      id: a.id, username: a.username, display_name: a.display_name, note: a.note,
      followers_count: a.followers_count, following_count: a.following_count,
      statuses_count: a.statuses_count,
    };
    out.home[u.username] = (await s.ok('GET', '/api/v1/timelines/home', {
      token: u.token, query: { limit: 40 },
    })).map((x) => x.id);
    out.notifications[u.username] = (await s.ok('GET', '/api/v1/notifications', { token: u.token }))
      .map((n) => `${n.id}:${n.type}:${n.account.id}:${n.status ? n.status.id : ''}`);
    out.lists[u.username] = {
      followers: (await s.ok('GET', `/api/v1/accounts/${u.id}/followers`)).map((x) => x.id),
      following: (await s.ok('GET', `/api/v1/accounts/${u.id}/following`)).map((x) => x.id),
      favourites: (await s.ok('GET', '/api/v1/favourites', { token: u.token })).map((x) => x.id),
      bookmarks: (await s.ok('GET', '/api/v1/bookmarks', { token: u.token })).map((x) => x.id),
      statuses: (await s.ok('GET', `/api/v1/accounts/${u.id}/statuses`, { token: u.token }))
        .map((x) => x.id),
      blocks: (await s.ok('GET', '/api/v1/blocks', { token: u.token })).map((x) => x.id),
      mutes: (await s.ok('GET', '/api/v1/mutes', { token: u.token })).map((x) => x.id),
    };
  }
  for (const st of statuses) {
    const r = await s.get(`/api/v1/statuses/${st.id}`, { token: users[0].token });
    if (r.status !== 200) {
      out.statuses[st.id] = r.status;
      continue;
    }
    const j = r.json;
    out.statuses[st.id] = {
      content: j.content, visibility: j.visibility, edited_at: j.edited_at,
      favourites_count: j.favourites_count, reblogs_count: j.reblogs_count,
      replies_count: j.replies_count, quotes_count: j.quotes_count,
      in_reply_to_id: j.in_reply_to_id, reblog: j.reblog ? j.reblog.id : null,
      quote: j.quote ? j.quote.quoted_status?.id ?? null : null, tags: j.tags.map((t) => t.name),
      mentions: j.mentions.map((m) => m.id), favourited: j.favourited, bookmarked: j.bookmarked,
    };
  }
  return out;
}

test('accounts, statuses, follows, likes and timelines survive a SIGTERM restart', async () => {
  const a = await s.signUp('restart_a');
  const b = await s.signUp('restart_b');
  const c = await s.signUp('restart_c');
  await s.ok('PATCH', '/api/v1/accounts/update_credentials', {
    token: a.token, json: { display_name: '重启测试', note: '持久化' },
  });
  await s.ok('POST', `/api/v1/accounts/${b.id}/follow`, { token: a.token });
  await s.ok('POST', `/api/v1/accounts/${c.id}/follow`, { token: a.token });
  await s.ok('POST', `/api/v1/accounts/${a.id}/follow`, { token: b.token });
  await s.ok('POST', `/api/v1/accounts/${c.id}/mute`, { token: b.token });
  const statuses = [];
  statuses.push(await s.postStatus(b, 'b says hi #restart @restart_a'));
  statuses.push(await s.postStatus(c, { status: 'c followers only', visibility: 'private' }));
  statuses.push(await s.postStatus(a, { status: 'reply', in_reply_to_id: statuses[0].id }));
  statuses.push(await s.postStatus(c, { status: 'quote', quoted_status_id: statuses[0].id }));
  const edited = await s.postStatus(b, 'before edit');
  await s.ok('PUT', `/api/v1/statuses/${edited.id}`, { token: b.token, json: { status: 'after edit' } });
  statuses.push(edited);
  const deleted = await s.postStatus(b, 'deleted before restart');
  await s.ok('DELETE', `/api/v1/statuses/${deleted.id}`, { token: b.token });
  statuses.push(deleted);
  statuses.push(await s.ok('POST', `/api/v1/statuses/${statuses[0].id}/reblog`, { token: c.token }));
  for (const u of [a, c]) {
    await s.ok('POST', `/api/v1/statuses/${statuses[0].id}/favourite`, { token: u.token });
  }
  await s.ok('POST', `/api/v1/statuses/${statuses[1].id}/favourite`, { token: a.token });
  await s.ok('POST', `/api/v1/statuses/${statuses[0].id}/bookmark`, { token: a.token });
  // A block and unblock drops the follows both ways; a follows c again afterwards.
  await s.ok('POST', `/api/v1/accounts/${a.id}/block`, { token: c.token });
  await s.ok('POST', `/api/v1/accounts/${a.id}/unblock`, { token: c.token });
  await s.ok('POST', `/api/v1/accounts/${c.id}/follow`, { token: a.token });
  // Let the fan-out settle, then take the picture.
  let beforeSnap;
  for (let i = 0; i < 100; i++) {
    beforeSnap = await snapshot([a, b, c], statuses);
    if (beforeSnap.home.restart_a.length >= 6) break;
    await sleep(50);
  }
  assert.ok(beforeSnap.home.restart_a.length >= 6, JSON.stringify(beforeSnap.home));
  assert.equal(beforeSnap.statuses[deleted.id], 404);
  assert.equal(beforeSnap.statuses[statuses[0].id].favourites_count, 2);

  const exit = await s.restart();
  assert.deepEqual(exit, { code: 0, signal: null }, `clean shutdown on SIGTERM\n${s.log.slice(-2000)}`);
  assert.match(s.log, /plaza stopped/);

  const afterSnap = await snapshot([a, b, c], statuses);
  assert.deepEqual(afterSnap, beforeSnap);
  // Tokens, passwords and Idempotency-Keys still work after the restart.
  await s.ok('GET', '/api/v1/accounts/verify_credentials', { token: a.token });
  const login = await s.passwordGrant('restart_a', a.password);
  assert.equal(login.status, 200);
  const hist = await s.ok('GET', `/api/v1/statuses/${edited.id}/history`);
  assert.equal(hist.length, 2);
  // New ids keep increasing after the restart.
  const newer = await s.postStatus(a, 'after restart');
  const newest = statuses.map((x) => BigInt(x.id)).reduce((m, x) => (x > m ? x : m), 0n);
  assert.ok(BigInt(newer.id) > newest, 'ids keep increasing');
  const pub = await s.ok('GET', '/api/v1/timelines/public');
  assert.equal(pub[0].id, newer.id);
  // Unique names are still unique.
  const dup = await s.post('/api/v1/accounts', { token: (await s.defaultApp()).token,
                                                 json: { username: 'RESTART_A', email: 'z@example.test',
                                                         password: 'long enough pw', agreement: true } });
  assert.equal(dup.status, 422);
});

test('Idempotency-Key holds across a restart; a second restart is also clean', async () => {
  const u = await s.signUp('idem_restart');
  const send = () => s.post('/api/v1/statuses', {
    token: u.token, json: { status: 'once only' }, headers: { 'Idempotency-Key': 'restart-key' },
  });
  const first = await send();
  assert.equal(first.status, 200);
  await s.restart();
  const second = await send();
  assert.equal(second.status, 200);
  assert.equal(second.json.id, first.json.id);
  assert.equal((await s.ok('GET', `/api/v1/accounts/${u.id}`)).statuses_count, 1);
  const exit = await s.restart();
  assert.deepEqual(exit, { code: 0, signal: null });
  assert.equal((await s.ok('GET', `/api/v1/statuses/${first.json.id}`)).content, '<p>once only</p>');
});

test('the server re-executes itself once with huge pages for its heap (glibc.malloc.hugetlb=1)', async () => {
  // Same pid as spawned (execve keeps it), and the environment it now runs with has the tunable.
  const env = readFileSync(`/proc/${s.child.pid}/environ`, 'utf8').split('\0');
  const tunables = env.filter((kv) => kv.startsWith('GLIBC_TUNABLES='));
  assert.equal(tunables.length, 1, JSON.stringify(tunables));
  assert.match(tunables[0], /^GLIBC_TUNABLES=(.*:)?glibc\.malloc\.hugetlb=1$/);
  assert.equal((await s.ok('GET', '/api/v1/instance')).uri !== undefined, true);
});

test('the server raises its soft open-file limit to the hard one (a descriptor a connection)', async () => {
  const low = await startServer({ openFilesSoftLimit: 256 });
  try {
    const limits = readFileSync(`/proc/${low.child.pid}/limits`, 'utf8');
    const [, soft, hard] = limits.match(/^Max open files\s+(\S+)\s+(\S+)/m);
    assert.notEqual(hard, '256', 'the hard limit must be above the lowered soft one');
    assert.equal(soft, hard, limits);
    // And it serves past the old limit: 300 keep-alive connections, each answered.
    const sockets = await Promise.all(Array.from({ length: 300 }, () => new Promise((resolve, reject) => {
      const c = net.connect(low.port, '127.0.0.1', () => resolve(c));
      c.on('error', reject);
    })));
    const answers = await Promise.all(sockets.map((c) => new Promise((resolve) => {
      let got = '';
      c.on('data', (d) => {
        got += d.toString();
        if (got.includes('\r\n\r\n')) resolve(got.slice(0, 12));
      });
      c.write(`GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
    })));
    assert.deepEqual(new Set(answers), new Set(['HTTP/1.1 200']));
    for (const c of sockets) c.destroy();
  } finally {
    await low.close();
  }
});
