// Random requests against every route: whatever a client sends, the server answers without a
// 5xx, every error but the sign-in page's is a JSON {"error": "..."}, it keeps serving, the
// counters of accounts and statuses equal the lists they count, after a restart it serves the
// same counters and its timelines load, and no token, client secret or password reached its log.
//
// The requests come from a seeded generator (PLAZA_RANDOM_SEED, default 1, and the two seeds
// after it; the seed and the offending request are printed on failure), so a failure repeats.
// Each request is a route from the table below, its path parameters and fields drawn from a pool
// that mixes the ids of real objects (accounts, statuses, a shop, a product, a campaign, an
// order, a report, a rule) with malformed, huge, negative and oddly typed values, sent as a
// query, a form, JSON, multipart or a raw body, by one of several callers: users, a moderator,
// an admin, a bogus token or none.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { startServer, plazaBin } from './lib/server.mjs';

const SEED = Number(process.env.PLAZA_RANDOM_SEED || 1);
const REQUESTS = Number(process.env.PLAZA_RANDOM_REQUESTS || 4000);
const CONCURRENCY = 8;
const ADMIN_SCOPES = 'read write follow push admin:read admin:write';

const ROUTES = [
  ['GET', '/api/v1/instance'], ['GET', '/api/v2/instance'], ['GET', '/health'],
  ['POST', '/api/v1/apps'], ['GET', '/api/v1/apps/verify_credentials'],
  ['GET', '/oauth/authorize'], ['POST', '/oauth/authorize'], ['POST', '/oauth/token'],
  ['POST', '/oauth/revoke'],
  ['POST', '/api/v1/accounts'], ['GET', '/api/v1/accounts/verify_credentials'],
  ['PATCH', '/api/v1/accounts/update_credentials'], ['GET', '/api/v1/accounts/:account'],
  ['GET', '/api/v1/accounts/:account/statuses'], ['GET', '/api/v1/accounts/:account/followers'],
  ['GET', '/api/v1/accounts/:account/following'], ['POST', '/api/v1/accounts/:account/follow'],
  ['POST', '/api/v1/accounts/:account/unfollow'], ['POST', '/api/v1/accounts/:account/block'],
  ['POST', '/api/v1/accounts/:account/unblock'], ['POST', '/api/v1/accounts/:account/mute'],
  ['POST', '/api/v1/accounts/:account/unmute'],
  ['POST', '/api/v1/accounts/:account/remove_from_followers'],
  ['GET', '/api/v1/accounts/lookup'], ['GET', '/api/v1/accounts/relationships'],
  ['GET', '/api/v1/accounts/search'], ['GET', '/api/v1/blocks'], ['GET', '/api/v1/mutes'],
  ['GET', '/api/v1/bookmarks'], ['GET', '/api/v1/favourites'],
  ['POST', '/api/v1/statuses'], ['GET', '/api/v1/statuses'], ['GET', '/api/v1/statuses/:status'],
  ['PUT', '/api/v1/statuses/:status'], ['DELETE', '/api/v1/statuses/:status'],
  ['GET', '/api/v1/statuses/:status/context'], ['GET', '/api/v1/statuses/:status/history'],
  ['GET', '/api/v1/statuses/:status/source'], ['GET', '/api/v1/statuses/:status/favourited_by'],
  ['GET', '/api/v1/statuses/:status/reblogged_by'], ['POST', '/api/v1/statuses/:status/reblog'],
  ['POST', '/api/v1/statuses/:status/unreblog'], ['POST', '/api/v1/statuses/:status/favourite'],
  ['POST', '/api/v1/statuses/:status/unfavourite'],
  ['POST', '/api/v1/statuses/:status/bookmark'],
  ['POST', '/api/v1/statuses/:status/unbookmark'],
  ['GET', '/api/v1/timelines/home'], ['GET', '/api/v1/timelines/public'],
  ['GET', '/api/v1/timelines/tag/:tag'],
  ['GET', '/api/v1/notifications'], ['GET', '/api/v1/notifications/:notification'],
  ['POST', '/api/v1/notifications/:notification/dismiss'],
  ['POST', '/api/v1/notifications/clear'], ['GET', '/api/v1/notifications/unread_count'],
  ['GET', '/api/v1/markers'], ['POST', '/api/v1/markers'],
  ['POST', '/api/v1/reports'], ['GET', '/api/v1/admin/reports'],
  ['GET', '/api/v1/admin/reports/:report'],
  ['POST', '/api/v1/admin/reports/:report/assign_to_self'],
  ['POST', '/api/v1/admin/reports/:report/unassign'],
  ['POST', '/api/v1/admin/reports/:report/resolve'],
  ['POST', '/api/v1/admin/reports/:report/reopen'],
  ['GET', '/api/v1/admin/accounts/:account'], ['POST', '/api/v1/admin/accounts/:account/action'],
  ['POST', '/api/v1/admin/accounts/:account/unsuspend'],
  ['POST', '/api/v1/admin/accounts/:account/unsilence'],
  ['GET', '/api/plaza/v1/admin/rules'], ['POST', '/api/plaza/v1/admin/rules'],
  ['GET', '/api/plaza/v1/admin/rules/:rule'], ['DELETE', '/api/plaza/v1/admin/rules/:rule'],
  ['GET', '/api/plaza/v1/admin/review'], ['POST', '/api/plaza/v1/admin/review/:status/approve'],
  ['POST', '/api/plaza/v1/admin/review/:status/reject'], ['GET', '/api/plaza/v1/admin/audit_log'],
  ['GET', '/api/plaza/v1/appeals'], ['POST', '/api/plaza/v1/appeals'],
  ['GET', '/api/plaza/v1/admin/appeals'], ['POST', '/api/plaza/v1/admin/appeals/:appeal/approve'],
  ['POST', '/api/plaza/v1/admin/appeals/:appeal/reject'],
  ['GET', '/api/plaza/v1/fanout'],
  ['POST', '/api/plaza/v1/shops'], ['GET', '/api/plaza/v1/shops'],
  ['GET', '/api/plaza/v1/shops/:shop'], ['POST', '/api/plaza/v1/shops/:shop/approve'],
  ['POST', '/api/plaza/v1/shops/:shop/reject'],
  ['POST', '/api/plaza/v1/products'], ['GET', '/api/plaza/v1/products/:product'],
  ['PUT', '/api/plaza/v1/products/:product'], ['PATCH', '/api/plaza/v1/products/:product'],
  ['DELETE', '/api/plaza/v1/products/:product'],
  ['GET', '/api/plaza/v1/accounts/:account/products'],
  ['GET', '/api/plaza/v1/statuses/:status/products'],
  ['PUT', '/api/plaza/v1/statuses/:status/products'],
  ['POST', '/api/plaza/v1/campaigns'], ['GET', '/api/plaza/v1/campaigns/:campaign'],
  ['POST', '/api/plaza/v1/campaigns/:campaign/reserve'],
  ['POST', '/api/plaza/v1/campaigns/:campaign/buy'],
  ['POST', '/api/plaza/v1/orders'], ['GET', '/api/plaza/v1/orders'],
  ['GET', '/api/plaza/v1/orders/:order'], ['GET', '/api/plaza/v1/orders/:order/ledger'],
  ['POST', '/api/plaza/v1/orders/:order/pay'], ['POST', '/api/plaza/v1/orders/:order/cancel'],
  ['POST', '/api/plaza/v1/orders/:order/ship'], ['POST', '/api/plaza/v1/orders/:order/complete'],
  ['POST', '/api/plaza/v1/orders/:order/refund'], ['POST', '/api/plaza/v1/payments/webhook'],
  ['GET', '/api/plaza/v1/merchant/stats'], ['GET', '/api/plaza/v1/affiliate/earnings'],
];

// Field names the endpoints read, and some they do not.
const FIELDS = [
  'status', 'in_reply_to_id', 'quoted_status_id', 'visibility', 'spoiler_text', 'sensitive',
  'language', 'media_ids[]', 'poll[options][]', 'limit', 'max_id', 'min_id', 'since_id', 'q',
  'resolve', 'following', 'acct', 'id[]', 'id', 'account_id', 'status_ids[]', 'comment',
  'category', 'rule_ids[]', 'forward', 'display_name', 'note', 'locked', 'bot', 'discoverable',
  'grant_type', 'username', 'password', 'email', 'agreement', 'locale', 'reason', 'client_id',
  'client_secret', 'redirect_uri', 'redirect_uris', 'scope', 'scopes', 'code', 'code_verifier',
  'code_challenge', 'code_challenge_method', 'response_type', 'token', 'client_name', 'website',
  'name', 'description', 'price', 'currency', 'stock', 'sku', 'product_id', 'product_ids[]',
  'quantity', 'campaign_id', 'units', 'starts_at', 'ends_at', 'per_account_limit',
  'reservation_required', 'affiliate_id', 'affiliate_rate', 'order_id', 'payment_id', 'amount',
  'signature', 'text', 'pattern', 'kind', 'action', 'boundary', 'type', 'types[]',
  'exclude_types[]', 'timeline[]', 'home[last_read_id]', 'notifications[last_read_id]',
  'exclude_reblogs', 'exclude_replies', 'only_media', 'pinned', 'tagged', 'local', 'remote',
  'status_id', 'warning_id', 'reblogs', 'notify', 'duration', 'unit_price', 'memo', 'state',
];

// Field values: enum names the endpoints know, numbers at and past their limits, dates, URLs,
// markup, control and non-character code points, long text and regexes (some do not compile).
const SCALARS = [
  '', '0', '1', '-1', '40', '41', '1000000', '9223372036854775808', 'true', 'false', 'null',
  'public', 'private', 'direct', 'unlisted', 'reject', 'mask', 'password', 'client_credentials',
  'authorization_code', 'read write', 'admin:write', 'S256', 'plain', 'code',
  '今天#春节 快乐#真好 @rnd_alice https://example.com/a?b=c', '＃话题＃', '@rnd_bob@elsewhere',
  '<script>alert(1)</script>', '\u0000\u0001\u001f', '\uFEFF\uFFFE', '👩‍💻'.repeat(50),
  'x'.repeat(5000), '2026-11-28T00:00:00Z', 'not a date', '-0.5', '1e308', 'NaN',
  'urn:ietf:wg:oauth:2.0:oob', 'https://evil.example/cb', 'holdme', 'regex', 'literal', 'always',
  'never', '(a+)+$', '[', '.*', '\\', 'v[i1]agra[0-9]*', 'mention', 'favourite', 'merchant',
  'suspend', 'silence', 'sensitive',
];
// The kinds of real object whose ids a field value may be.
const ID_KINDS = ['account', 'status', 'product', 'order', 'campaign', 'report'];

function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

let s;
let observer;
const users = {};
const ids = {
  account: [], status: [], notification: [], report: [], rule: [], appeal: [], shop: [],
  product: [], campaign: [], order: [], tag: ['plaza', '春节 快乐', 'a'],
};

function setRole(username, role) {
  execFileSync(plazaBin(), ['admin', 'set-role', '--username', username, '--role', role,
                            '--data-dir', s.dataDir], { stdio: 'pipe' });
}

async function scopedToken(user) {
  const app = await s.createApp({ scopes: ADMIN_SCOPES });
  const r = await s.passwordGrant(user.username, user.password, { app, scope: ADMIN_SCOPES });
  assert.equal(r.status, 200, r.text);
  return r.json.access_token;
}

// Everything the server process writes from here on (Plaza.log keeps only the end of it).
let log = '';
function captureLog() {
  const append = (d) => { log += d.toString(); };
  s.child.stdout.on('data', append);
  s.child.stderr.on('data', append);
}

const keep = (kind, obj) => { if (obj && obj.id) ids[kind].push(String(obj.id)); return obj; };

before(async () => {
  s = await startServer();
  for (const name of ['rnd_alice', 'rnd_bob', 'rnd_carol', 'rnd_mod', 'rnd_admin']) {
    users[name] = await s.signUp(name);
    ids.account.push(users[name].id);
  }
  // Reads the counters at the end; sends none of the random requests, so it blocks and mutes no
  // one and its lists hide no one.
  observer = await s.signUp('rnd_observer');
  await s.stop();
  setRole('rnd_admin', 'admin');
  setRole('rnd_mod', 'moderator');
  await s.start();
  captureLog();
  users.rnd_admin.token = await scopedToken(users.rnd_admin);
  users.rnd_mod.token = await scopedToken(users.rnd_mod);
  const alice = users.rnd_alice;
  const bob = users.rnd_bob;
  const admin = users.rnd_admin;
  await s.ok('POST', `/api/v1/accounts/${alice.id}/follow`, { token: bob.token });
  const first = keep('status', await s.postStatus(alice, 'hello #plaza# @rnd_bob https://t.cn/x'));
  keep('status', await s.postStatus(bob, { status: 'a reply', in_reply_to_id: first.id }));
  keep('status', await s.postStatus(alice, { status: 'private', visibility: 'private' }));
  await s.ok('POST', `/api/v1/statuses/${first.id}/favourite`, { token: bob.token });
  keep('rule', await s.ok('POST', '/api/plaza/v1/admin/rules', {
    token: admin.token, json: { pattern: 'holdme', category: 'spam', action: 'review' } }));
  const held = await s.post('/api/v1/statuses', { token: bob.token, json: { status: 'holdme' } });
  if (held.json?.id) ids.status.push(held.json.id);
  keep('report', await s.ok('POST', '/api/v1/reports', {
    token: bob.token, json: { account_id: alice.id, status_ids: [first.id], comment: 'spam' } }));
  for (const n of await s.ok('GET', '/api/v1/notifications', { token: alice.token })) {
    keep('notification', n);
  }
  // A shop is its owner's account id.
  await s.ok('POST', '/api/plaza/v1/shops', { token: alice.token, json: { name: 'Alice Shop' } });
  ids.shop.push(alice.id);
  await s.ok('POST', `/api/plaza/v1/shops/${alice.id}/approve`, { token: admin.token });
  const product = keep('product', await s.ok('POST', '/api/plaza/v1/products', {
    token: alice.token, json: { title: 'Tea', price: 1999, stock: 50 } }));
  keep('campaign', await s.ok('POST', '/api/plaza/v1/campaigns', {
    token: alice.token,
    json: { product_id: product.id, title: 'noon', units: 10, per_account_limit: 1,
            starts_at: new Date(Date.now() + 1000).toISOString() },
  }));
  keep('order', await s.ok('POST', '/api/plaza/v1/orders', {
    token: bob.token, json: { product_id: product.id, quantity: 1 } }));
});
after(async () => { await s?.close(); });

function generator(seed) {
  const rnd = mulberry32(seed);
  const pick = (xs) => xs[Math.floor(rnd() * xs.length)];
  const idOf = (kind) => (ids[kind]?.length && rnd() < 0.7 ? pick(ids[kind]) : pick([
    '0', '-1', '1', '18446744073709551615', '18446744073709551616', '99999999999999999999999',
    'abc', '１２３', '1e3', '%00', '..', '%2F', '', ' ', '0x10', '007', '1.5',
  ]));
  // One of SCALARS, or (one draw in SCALARS.length + 1) the id of a real object.
  const scalar = () => {
    const i = Math.floor(rnd() * (SCALARS.length + 1));
    return i < SCALARS.length ? SCALARS[i] : idOf(pick(ID_KINDS));
  };
  const jsonValue = (depth = 0) => {
    const r = rnd();
    if (r < 0.55 || depth > 2) return scalar();
    if (r < 0.65) return Math.floor(rnd() * 2 ** 53) * (rnd() < 0.2 ? -1 : 1);
    if (r < 0.72) return rnd() < 0.5;
    if (r < 0.76) return null;
    if (r < 0.78) return 1.5;
    if (r < 0.9) return Array.from({ length: Math.floor(rnd() * 4) }, () => jsonValue(depth + 1));
    const o = {};
    for (let i = Math.floor(rnd() * 3); i > 0; --i) o[pick(FIELDS)] = jsonValue(depth + 1);
    return o;
  };
  const callers = () => pick([
    users.rnd_alice.token, users.rnd_bob.token, users.rnd_carol.token, users.rnd_mod.token,
    users.rnd_admin.token, undefined, 'bogus-token', '',
  ]);
  return () => {
    const [method, template] = pick(ROUTES);
    const path = template.replace(/:([a-z]+)/g, (_, kind) => encodeURIComponent(idOf(kind)));
    const fields = {};
    for (let i = Math.floor(rnd() * 5); i > 0; --i) fields[pick(FIELDS)] = jsonValue();
    const opts = { token: callers() };
    const how = method === 'GET' ? 'query'  // fetch sends no body with a GET
      : method === 'DELETE' ? (rnd() < 0.85 ? 'query' : 'json')
      : pick(['json', 'form', 'form', 'multipart', 'query', 'raw']);
    const flat = () => Object.fromEntries(Object.entries(fields).map(([k, v]) => [k,
      typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v)]));
    if (how === 'json') opts.json = fields;
    else if (how === 'form') opts.form = flat();
    else if (how === 'multipart') opts.multipart = flat();
    else if (how === 'query') opts.query = flat();
    else {
      opts.body = pick(['{"status":', '\u00ff\u00fe', 'a=%ZZ&b', '{"a":[[[[[[[[1]]]]]]]]}', '']);
      opts.contentType = pick(['application/json', 'application/x-www-form-urlencoded',
                               'multipart/form-data; boundary=x', 'text/plain']);
    }
    return { method, path, opts };
  };
}

// Three rounds from consecutive seeds, on the same server (each round meets the state the one
// before left), then a restart.
let counted;
for (const seed of [SEED, SEED + 1, SEED + 2]) {
  test(`random requests (seed ${seed}, ${REQUESTS} requests): no 5xx, JSON errors, counters hold`,
       async () => {
    const next = generator(seed);
    const requests = Array.from({ length: REQUESTS }, next);
    const failures = [];
    const statuses = new Map();
    let cursor = 0;
    const worker = async () => {
      while (cursor < requests.length && failures.length < 5) {
        const i = cursor++;
        const { method, path, opts } = requests[i];
        const fail = (what) => failures.push(
          `#${i} ${method} ${path} ${JSON.stringify(opts).slice(0, 400)} → ${what}`);
        let r;
        try {
          r = await s.request(method, path, opts);
        } catch (e) {
          fail(`${e.message}: ${e.cause?.message ?? ''}`);
          continue;
        }
        statuses.set(r.status, (statuses.get(r.status) || 0) + 1);
        const ct = r.headers.get('content-type') || '';
        // The authorization page answers the browser of the person signing in, in HTML (RFC
        // 6749 4.1.2.1: an unknown client or redirect URI is shown to them, not redirected).
        const page = path.startsWith('/oauth/authorize');
        const error = r.status >= 400 && !page &&
          !(ct.includes('application/json') && typeof r.json?.error === 'string' && r.json.error);
        if (r.status >= 500 || error) fail(`${r.status} ${r.text.slice(0, 300)}`);
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    assert.deepEqual(failures, [], `seed ${seed}:\n${failures.join('\n')}\n${s.log.slice(-2000)}`);
    // The requests reached the handlers, not only the router's and the parsers' refusals.
    const ok = [...statuses].filter(([st]) => st < 300).reduce((n, [, c]) => n + c, 0);
    assert.ok(ok > REQUESTS / 20, `only ${ok} of ${REQUESTS} succeeded: ${[...statuses]}`);
    console.log(`statuses: ${JSON.stringify([...statuses].sort())}`);
    assert.equal((await s.get('/health')).status, 200);
    counted = await counters();
  });
}

test('after a restart the server serves the same counters and timelines', async () => {
  const exit = await s.restart();
  captureLog();
  assert.equal(exit.code, 0, `clean exit after the random requests: ${JSON.stringify(exit)}`);
  assert.equal((await s.get('/health')).status, 200);
  assert.deepEqual(await counters(), counted, 'counters after a restart');
  const pub = await s.get('/api/v1/timelines/public', { query: { limit: 40 } });
  assert.equal(pub.status, 200, pub.text);
  assert.ok(Array.isArray(pub.json));
});

test('no token, client secret or password reached the log', async () => {
  assert.ok(log.includes('path=/api/v1/statuses'), 'the access log was captured');
  const { app } = await s.defaultApp();
  const secrets = [...Object.values(users), observer].map((u) => u.token)
    .concat([app.client_secret, users.rnd_alice.password]);
  for (const secret of secrets) {
    assert.ok(secret && secret.length >= 16, 'a secret worth looking for');
    assert.ok(!log.includes(secret), `a secret in the log: ${secret.slice(0, 4)}…`);
  }
});

// What counters() reads: for each kind of fixture object, its path, the counters kept for the
// restart check, and each counter that a list counts, with that list's path below the object's.
const COUNTED = [
  { kind: 'account', path: '/api/v1/accounts',
    kept: ['followers_count', 'following_count', 'statuses_count'],
    lists: { followers_count: 'followers', following_count: 'following' } },
  { kind: 'status', path: '/api/v1/statuses',
    kept: ['favourites_count', 'reblogs_count', 'replies_count'],
    lists: { favourites_count: 'favourited_by', reblogs_count: 'reblogged_by' } },
];

// The fixture's accounts' and statuses' counters, as the observer sees them, each checked against
// the list it counts.
async function counters() {
  const { token } = observer;
  const all = async (path) => {
    const r = await s.get(path, { token, query: { limit: 80 } });
    assert.equal(r.status, 200, `${path}: ${r.text}`);
    return r.json.length;
  };
  const out = {};
  for (const { kind, path, kept, lists } of COUNTED) {
    for (const id of ids[kind]) {
      const r = await s.get(`${path}/${id}`, { token });
      if (r.status !== 200) continue;
      out[`${kind} ${id}`] = kept.map((field) => r.json[field]);
      for (const [field, list] of Object.entries(lists)) {
        assert.equal(r.json[field], await all(`${path}/${id}/${list}`), `${kind} ${id} ${field}`);
      }
    }
  }
  return out;
}
