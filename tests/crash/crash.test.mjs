// Durability under SIGKILL (issue 2, "Storage and durability").
//
// Several client loops write continuously to a real `plaza serve` — statuses (each with a unique
// text and Idempotency-Key), follows/unfollows and favourites/unfavourites between a handful of
// accounts — and record every request that was answered 2xx. At a random moment the server is
// killed with SIGKILL, restarted on the same data directory, and the test checks that:
// - every acknowledged status exists (GET by id, and in its author's /accounts/:id/statuses);
// - requests in flight at the kill, retried with the same Idempotency-Key, give one status, never
//   two (no status text appears twice);
// - every follow/unfollow and favourite/unfavourite whose last acknowledged action is known is
//   reflected (relationships, `favourited`), and the counters agree with the lists
//   (favourites_count = |favourited_by|, followers/following counts, statuses_count).
// Requests in flight at the kill may or may not have landed; their pair is only resolved from
// what the server reports after the restart, never asserted.
//
// Each account's follow and favourite actions come from a single loop, one request at a time, so
// "the last acknowledged action" for a pair is well defined.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';

import { apiRequest, plazaBin, startPlaza } from './plaza_process.mjs';

const ACCOUNTS = 6;            // argon2id sign-ups are slow: keep this small
const POST_LOOPS_PER_ACCOUNT = 2;
const KILL_CYCLES = 6;         // at most; at least MIN_KILL_CYCLES
const MIN_KILL_CYCLES = 5;
const KILL_AFTER_MS = [300, 1500];
const START_NEW_CYCLE_BEFORE_MS = 110_000;  // keeps the whole test well under 3 minutes

const runId = crypto.randomBytes(3).toString('hex');
const rand = (n) => Math.floor(Math.random() * n);
const pick = (arr) => arr[rand(arr.length)];
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// ---- the client's ledger of what it did ----------------------------------------------------

// Every status attempt, by Idempotency-Key: {key, author, text, id (once acknowledged)}.
const attempts = new Map();
// A two-state relation per pair ("a>b" for follows, "a>statusId" for favourites):
// {on: last acknowledged state, uncertain: a later request got no answer}.
const follows = new Map();
const favs = new Map();
let postSeq = 0;
const unexpected = [];  // non-2xx answers from a live server (all of them are bugs here)
const figures = {
  statusesChecked: 0, followsChecked: 0, favsChecked: 0, homesChecked: 0, retried: 0,
  retriedLanded: 0, acked: { status: 0, follow: 0, unfollow: 0, favourite: 0, unfavourite: 0 },
};

function relation(map, key) {
  let r = map.get(key);
  if (!r) {
    r = { on: false, uncertain: false };
    map.set(key, r);
  }
  return r;
}

// ---- client loops --------------------------------------------------------------------------

class Writer {
  constructor(server, accounts) {
    this.server = server;
    this.accounts = accounts;
    this.stopping = false;
  }

  async call(method, p, token, body, headers) {
    return apiRequest(this.server.url, method, p, { token, body, headers, timeoutMs: 20000 });
  }

  async postStatus(a) {
    const n = ++postSeq;  // never reused: keys and texts are unique across cycles
    const key = `crash-${runId}-${a.index}-${n}`;
    const nonce = crypto.randomBytes(4).toString('hex');
    const text = `crash run ${runId} author ${a.index} post ${n} ${nonce}`;
    const attempt = { key, author: a.index, text, id: null };
    attempts.set(key, attempt);
    const res = await this.call('POST', '/api/v1/statuses', a.token, { status: text },
                                { 'Idempotency-Key': key });
    if (res.status !== 200) return this.fail('POST /api/v1/statuses', res);
    attempt.id = res.body.id;
    figures.acked.status++;
  }

  // Flips the relation `key` (or, when its state is unknown, sets it at random). Until the answer
  // arrives the pair is uncertain; a 2xx makes the requested state the known one.
  async toggle(map, key, onPath, offPath, token, names) {
    const r = relation(map, key);
    const turnOn = r.uncertain ? Math.random() < 0.5 : !r.on;
    r.uncertain = true;
    const res = await this.call('POST', turnOn ? onPath : offPath, token);
    if (res.status !== 200) return this.fail(`POST ${turnOn ? onPath : offPath}`, res);
    r.on = turnOn;
    r.uncertain = false;
    figures.acked[turnOn ? names[0] : names[1]]++;
  }

  async followSomeone(a) {
    const b = pick(this.accounts.filter((x) => x !== a));
    await this.toggle(follows, `${a.index}>${b.index}`, `/api/v1/accounts/${b.id}/follow`,
                      `/api/v1/accounts/${b.id}/unfollow`, a.token, ['follow', 'unfollow']);
  }

  async favouriteSomething(a) {
    const mine = [...favs.entries()].filter(([k, r]) => k.startsWith(`${a.index}>`) && r.on);
    let statusId;
    if (mine.length > 0 && Math.random() < 0.3) {
      statusId = pick(mine)[0].split('>')[1];
    } else {
      const others = [...attempts.values()].filter((s) => s.id && s.author !== a.index);
      if (others.length === 0) return;
      statusId = pick(others.slice(-50)).id;
    }
    await this.toggle(favs, `${a.index}>${statusId}`, `/api/v1/statuses/${statusId}/favourite`,
                      `/api/v1/statuses/${statusId}/unfavourite`, a.token,
                      ['favourite', 'unfavourite']);
  }

  fail(what, res) {
    unexpected.push(`${what} -> ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`);
  }

  // Runs `step` until stop() is called; a network error (the server was killed) ends the loop.
  async loop(step) {
    while (!this.stopping) {
      try {
        await step();
      } catch {
        return;
      }
    }
  }

  start() {
    const loops = [];
    for (const a of this.accounts) {
      // One mixed loop per account (the only one that follows or favourites as that account)...
      loops.push(this.loop(async () => {
        const x = Math.random();
        if (x < 0.4) return this.postStatus(a);
        if (x < 0.7) return this.followSomeone(a);
        return this.favouriteSomething(a);
      }));
      // ...and some that only post.
      for (let i = 0; i < POST_LOOPS_PER_ACCOUNT; i++) {
        loops.push(this.loop(() => this.postStatus(a)));
      }
    }
    return Promise.all(loops);
  }
}

// ---- verification after a restart ----------------------------------------------------------

async function get(server, p, token) {
  const res = await apiRequest(server.url, 'GET', p, { token });
  assert.equal(res.status, 200, `GET ${p} answered ${res.status}: ${JSON.stringify(res.body)}`);
  return res;
}

async function accountStatuses(server, account, viewer) {
  const all = [];
  let maxId = '';
  for (let page = 0; page < 1000; page++) {
    const q = `limit=40${maxId ? `&max_id=${maxId}` : ''}`;
    const { body } = await get(server, `/api/v1/accounts/${account.id}/statuses?${q}`,
                               viewer.token);
    if (body.length === 0) return all;
    all.push(...body);
    maxId = body[body.length - 1].id;
  }
  throw new Error('account statuses did not end');
}

async function statusesById(server, ids, viewer) {
  const out = new Map();
  for (let i = 0; i < ids.length; i += 100) {
    const q = ids.slice(i, i + 100).map((id) => `id[]=${id}`).join('&');
    const { body } = await get(server, `/api/v1/statuses?${q}`, viewer.token);
    for (const s of body) out.set(s.id, s);
  }
  return out;
}

async function verify(server, accounts, cycle, newlyAcked) {
  const byIndex = new Map(accounts.map((a) => [a.index, a]));

  // 1. Retry every status request that got no answer, with the same key: one status, same id.
  for (const at of attempts.values()) {
    if (at.id) continue;
    const res = await apiRequest(server.url, 'POST', '/api/v1/statuses', {
      token: byIndex.get(at.author).token, body: { status: at.text },
      headers: { 'Idempotency-Key': at.key } });
    assert.equal(res.status, 200, `retry of ${at.key} answered ${res.status}`);
    at.id = res.body.id;
    figures.retried++;
  }

  // 2. Every acknowledged status by id, one GET each for the newly acknowledged ones.
  for (const at of newlyAcked) {
    const { body } = await get(server, `/api/v1/statuses/${at.id}`, accounts[0].token);
    assert.equal(body.account.id, byIndex.get(at.author).id, `author of status ${at.id}`);
    assert.ok(body.content.includes(at.text), `status ${at.id} lost its text: ${body.content}`);
  }

  // 3. Every author's statuses: all acknowledged ones present, every text exactly once, counters.
  const seenTexts = new Map();
  for (const a of accounts) {
    const list = await accountStatuses(server, a, accounts[0]);
    const ids = new Set(list.map((s) => s.id));
    assert.equal(ids.size, list.length, `account ${a.index} statuses paginate without repeats`);
    for (const s of list) {
      const m = s.content.match(/crash run \w+ author \d+ post \d+ [0-9a-f]+/);
      assert.ok(m, `unexpected status content ${s.content}`);
      assert.ok(!seenTexts.has(m[0]),
                `duplicate status text "${m[0]}": ids ${seenTexts.get(m[0])} and ${s.id}`);
      seenTexts.set(m[0], s.id);
    }
    const acct = (await get(server, `/api/v1/accounts/${a.id}`)).body;
    assert.equal(acct.statuses_count, list.length, `statuses_count of account ${a.index}`);
  }
  for (const at of attempts.values()) {
    assert.equal(seenTexts.get(at.text), at.id,
                 `status ${at.key} (id ${at.id}) missing from its author's statuses`);
    figures.statusesChecked++;
  }
  const allIds = [...attempts.values()].map((at) => at.id);
  const fetched = await statusesById(server, allIds, accounts[0]);
  for (const id of allIds) assert.ok(fetched.has(id), `status ${id} not returned by id`);
  assert.equal(seenTexts.size, attempts.size, 'every status on the server is one this client made');

  // 4. Follows: known pairs as acknowledged, uncertain pairs resolved from the server; counts.
  const following = new Map();  // "a>b" -> observed boolean
  for (const a of accounts) {
    const others = accounts.filter((b) => b !== a);
    const q = others.map((b) => `id[]=${b.id}`).join('&');
    const { body } = await get(server, `/api/v1/accounts/relationships?${q}`, a.token);
    assert.equal(body.length, others.length, 'one relationship per id');
    for (const rel of body) {
      const b = others.find((x) => x.id === rel.id);
      assert.ok(b, `relationship for unknown id ${rel.id}`);
      const key = `${a.index}>${b.index}`;
      const r = relation(follows, key);
      if (!r.uncertain) {
        assert.equal(rel.following, r.on,
                     `cycle ${cycle}: ${key} last acknowledged ${r.on ? 'follow' : 'unfollow'} ` +
                     `but relationship.following is ${rel.following}`);
        figures.followsChecked++;
      }
      r.on = rel.following;
      r.uncertain = false;
      following.set(key, rel.following);
    }
  }
  for (const b of accounts) {
    const acct = (await get(server, `/api/v1/accounts/${b.id}`)).body;
    const followers = accounts.filter((a) => following.get(`${a.index}>${b.index}`)).length;
    const followed = accounts.filter((c) => following.get(`${b.index}>${c.index}`)).length;
    assert.equal(acct.followers_count, followers, `followers_count of account ${b.index}`);
    assert.equal(acct.following_count, followed, `following_count of account ${b.index}`);
  }

  // 5. Favourites: `favourited` per viewer, and favourites_count = |favourited_by| = model.
  const touched = new Set();
  for (const a of accounts) {
    const keys = [...favs.keys()].filter((k) => k.startsWith(`${a.index}>`));
    const ids = keys.map((k) => k.split('>')[1]);
    const seen = await statusesById(server, ids, a);
    for (const k of keys) {
      const id = k.split('>')[1];
      touched.add(id);
      const s = seen.get(id);
      assert.ok(s, `favourited status ${id} vanished`);
      const r = favs.get(k);
      if (!r.uncertain) {
        assert.equal(s.favourited, r.on,
                     `cycle ${cycle}: ${k} last acknowledged ` +
                     `${r.on ? 'favourite' : 'unfavourite'} ` +
                     `but favourited is ${s.favourited}`);
        figures.favsChecked++;
      }
      r.on = s.favourited;
      r.uncertain = false;
    }
  }
  const counted = await statusesById(server, [...touched], accounts[0]);
  for (const id of touched) {
    const by = [];
    let maxId = '';
    for (;;) {
      const res = await get(server, `/api/v1/statuses/${id}/favourited_by?limit=80` +
                                    (maxId ? `&max_id=${maxId}` : ''), accounts[0].token);
      by.push(...res.body.map((x) => x.id));
      const next = /<[^>]*max_id=(\d+)[^>]*>; rel="next"/.exec(res.headers.get('link') || '');
      if (res.body.length === 0 || !next) break;
      maxId = next[1];
    }
    const expected = accounts.filter((a) => favs.get(`${a.index}>${id}`)?.on).map((a) => a.id);
    assert.deepEqual([...new Set(by)].sort(), expected.sort(), `favourited_by of status ${id}`);
    assert.equal(counted.get(id).favourites_count, expected.length,
                 `favourites_count of status ${id}`);
  }

  // 6. Home timelines read correctly after the restart: the newest posts of the reader and of
  // everyone the reader follows (all posts here are public, top-level, not reblogs).
  const newestFirst = (x, y) => (BigInt(y) > BigInt(x) ? 1 : BigInt(y) < BigInt(x) ? -1 : 0);
  for (const a of accounts) {
    const followees = accounts.filter((b) => following.get(`${a.index}>${b.index}`));
    const authors = new Set([a.index, ...followees.map((b) => b.index)]);
    const expected = [...attempts.values()].filter((at) => authors.has(at.author))
      .map((at) => at.id).sort(newestFirst).slice(0, 40);
    const { body } = await get(server, '/api/v1/timelines/home?limit=40', a.token);
    assert.deepEqual(body.map((s) => s.id), expected, `home timeline of account ${a.index}`);
    figures.homesChecked++;
  }
}

// ---- the test --------------------------------------------------------------------------------

test('acknowledged writes survive SIGKILL and nothing is duplicated', { timeout: 180_000 },
     async (t) => {
  plazaBin();  // fails clearly when PLAZA_BIN is unset
  const started = Date.now();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'plaza-crash-'));
  let server = await startPlaza({ dataDir });
  t.after(async () => {
    await server?.kill('SIGKILL');
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  // An app, its client_credentials token, and the accounts (each with its own user token).
  const app = await apiRequest(server.url, 'POST', '/api/v1/apps', { body: {
    client_name: 'crash test', redirect_uris: 'urn:ietf:wg:oauth:2.0:oob',
    scopes: 'read write follow' } });
  assert.equal(app.status, 200, JSON.stringify(app.body));
  const appToken = await apiRequest(server.url, 'POST', '/oauth/token', { body: {
    grant_type: 'client_credentials', client_id: app.body.client_id,
    client_secret: app.body.client_secret, scope: 'read write follow' } });
  assert.equal(appToken.status, 200, JSON.stringify(appToken.body));
  const accounts = [];
  for (let i = 0; i < ACCOUNTS; i++) {
    const username = `crash${runId}_${i}`;
    const res = await apiRequest(server.url, 'POST', '/api/v1/accounts', {
      token: appToken.body.access_token,
      body: { username, email: `${username}@example.com`, password: `pw-${runId}-${i}-secret`,
              agreement: true } });
    assert.equal(res.status, 200, `sign-up ${username}: ${JSON.stringify(res.body)}`);
    const me = await get(server, '/api/v1/accounts/verify_credentials', res.body.access_token);
    accounts.push({ index: i, id: me.body.id, token: res.body.access_token });
  }

  let verifiedUpTo = new Set();
  const perCycle = [];
  let cycles = 0;
  for (let cycle = 1; cycle <= KILL_CYCLES; cycle++) {
    if (cycle > MIN_KILL_CYCLES && Date.now() - started > START_NEW_CYCLE_BEFORE_MS) break;
    cycles = cycle;
    const writer = new Writer(server, accounts);
    const done = writer.start();
    const killAfter = KILL_AFTER_MS[0] + rand(KILL_AFTER_MS[1] - KILL_AFTER_MS[0]);
    const ackedBefore = { ...figures.acked };
    await sleep(killAfter);
    // The loops keep writing through the kill (requests sent or queued at that moment are the
    // in-flight ones); each loop ends at its first network error.
    const { signal } = await server.kill('SIGKILL');
    writer.stopping = true;
    assert.equal(signal, 'SIGKILL', 'plaza was running until the kill');
    await done;
    const inFlight = [...attempts.values()].filter((at) => !at.id).length;
    const acked = Object.fromEntries(Object.entries(figures.acked)
      .map(([k, v]) => [k, v - ackedBefore[k]]));
    perCycle.push({ cycle, killAfter, acked, inFlightStatuses: inFlight });

    server = await startPlaza({ dataDir });
    const newlyAcked = [...attempts.values()].filter((at) => at.id && !verifiedUpTo.has(at.key));
    const pendingKeys = [...attempts.values()].filter((at) => !at.id).map((at) => at.key);
    const countBefore = new Map();
    for (const a of accounts) {
      countBefore.set(a.index, (await get(server, `/api/v1/accounts/${a.id}`)).body.statuses_count);
    }
    await verify(server, accounts, cycle, newlyAcked);
    // How many in-flight posts had in fact landed before the kill (for the report only).
    const landed = [...accounts].reduce((sum, a) => sum + countBefore.get(a.index), 0) -
                   (attempts.size - pendingKeys.length);
    figures.retriedLanded += Math.max(0, landed);
    perCycle[perCycle.length - 1].inFlightLanded = landed;
    verifiedUpTo = new Set(attempts.keys());
  }

  assert.ok(cycles >= MIN_KILL_CYCLES, `only ${cycles} kill cycles`);
  assert.deepEqual(unexpected, [], 'a live server answered a write with an error');
  assert.ok(figures.acked.status >= 20 * KILL_CYCLES / 2,
            `too few acknowledged statuses to mean anything: ${figures.acked.status}`);
  assert.ok(figures.acked.follow > 0 && figures.acked.favourite > 0,
            'follows and favourites were acknowledged');

  // A clean shutdown after all this.
  const { code } = await server.kill('SIGTERM');
  assert.equal(code, 0, `plaza exits 0 on SIGTERM:\n${server.log()}`);
  server = null;

  t.diagnostic(`${cycles} kill cycles: ${JSON.stringify(perCycle)}`);
  t.diagnostic(`acknowledged: ${JSON.stringify(figures.acked)}; checked after restarts: ` +
               `${figures.statusesChecked} status presences, ${figures.followsChecked} follow ` +
               `states, ${figures.favsChecked} favourite states, ` +
               `${figures.homesChecked} home timelines; ` +
               `${figures.retried} in-flight ` +
               `posts retried with their Idempotency-Key, ${figures.retriedLanded} of them had ` +
               `landed before the kill; ${Date.now() - started} ms`);
});
