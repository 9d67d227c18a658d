// Social commerce over real HTTP (issue 5): shop application and admin approval (verified badge),
// product CRUD with ownership checks, a post carrying products (Mastodon `card` + `plaza`
// field), repost → buy via the repost → pay through the sandbox → commission in the ledger,
// webhook tampering and replay, refund, expiry, a flash sale raced by many concurrent buyers
// (exactly N wins, the rest 409 sold out), idempotent retries, buying before the start, order
// visibility, bad input, and `plaza commerce check-ledger` after the run.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, test } from 'node:test';

import { isJsonError, plazaBin, startServer } from './lib/server.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
let srv;
let admin, merchant, other, fan, buyer, stranger;

function plaza(args) {
  const r = spawnSync(plazaBin(), args, { encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

before(async () => {
  srv = await startServer({ extraArgs: ['--order-ttl-ms', '1500'] });
  admin = await srv.signUp('boss');
  merchant = await srv.signUp('xiaomi');
  other = await srv.signUp('rival');
  fan = await srv.signUp('fan');
  buyer = await srv.signUp('buyer');
  stranger = await srv.signUp('stranger');
  // Roles are granted offline by the operator command, which needs the database to itself.
  await srv.stop();
  const r = plaza(['admin', 'set-role', '--username', 'boss', '--role', 'admin',
                   '--data-dir', srv.dataDir]);
  assert.equal(r.code, 0, r.err);
  await srv.start();
});

after(async () => {
  if (srv) await srv.close();
});

const shop = (user, name) => srv.post('/api/plaza/v1/shops', { token: user.token, json: { name } });
const approve = (user) => srv.post(`/api/plaza/v1/shops/${user.id}/approve`, { token: admin.token });
const newProduct = (user, fields) =>
  srv.post('/api/plaza/v1/products', { token: user.token, json: { title: 'Mi 4', price: 199900, stock: 10, ...fields } });

test('shops: apply, only an admin approves, approval shows the verified badge', async () => {
  let r = await shop(merchant, 'Xiaomi Official');
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.state, 'pending');
  assert.equal((await newProduct(merchant)).status, 403);
  r = await srv.post(`/api/plaza/v1/shops/${merchant.id}/approve`, { token: merchant.token });
  assert.equal(r.status, 403);
  assert.ok(isJsonError(r));
  assert.equal((await srv.get('/api/plaza/v1/shops', { token: admin.token })).json.length, 1);
  // Rendered (and its filling kept) before the approval: the badge must still change.
  assert.equal((await srv.ok('GET', `/api/v1/accounts/${merchant.id}`)).plaza.verified, false);
  r = await approve(merchant);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.verified, true);
  const acct = await srv.ok('GET', `/api/v1/accounts/${merchant.id}`);
  assert.equal(acct.plaza.verified, true);
  assert.equal((await shop(other, 'Rival')).status, 200);
  assert.equal((await approve(other)).status, 200);
});

test('products: create, read, update by the owner only, archive; bad prices and currencies', async () => {
  const p = await newProduct(merchant, {
    description: 'flagship', images: ['https://img.example/mi4.jpg'],
    variants: [{ sku: 'W-16', name: 'white 16GB', stock: 5 }, { sku: 'B-64', name: 'black 64GB', price: 229900, stock: 5 }],
  });
  assert.equal(p.status, 200, p.text);
  assert.equal(p.json.price, 199900);
  assert.equal(p.json.currency, 'CNY');
  assert.equal(p.json.variants[1].price, 229900);
  assert.equal((await srv.get(`/api/plaza/v1/products/${p.json.id}`)).json.title, 'Mi 4');
  let r = await srv.patch(`/api/plaza/v1/products/${p.json.id}`, { token: other.token, json: { price: 1 } });
  assert.equal(r.status, 403);
  r = await srv.patch(`/api/plaza/v1/products/${p.json.id}`, { token: merchant.token, json: { price: 189900 } });
  assert.equal(r.json.price, 189900);
  for (const bad of [{ price: -1 }, { price: 0 }, { price: '99999999999999999999999' },
                     { price: 1e13 }, { currency: 'cny' }, { stock: -3 }, { title: '' }]) {
    r = await newProduct(merchant, bad);
    assert.ok(r.status >= 400 && r.status < 500, `${JSON.stringify(bad)} → ${r.status}`);
    assert.ok(isJsonError(r));
  }
  const list = await srv.ok('GET', `/api/plaza/v1/accounts/${merchant.id}/products`);
  assert.equal(list.length, 1);
  const draft = await newProduct(merchant, { status: 'draft' });
  assert.equal((await srv.get(`/api/plaza/v1/products/${draft.json.id}`)).status, 404);
  assert.equal((await srv.get(`/api/plaza/v1/products/${draft.json.id}`, { token: merchant.token })).status, 200);
  r = await srv.delete(`/api/plaza/v1/products/${draft.json.id}`, { token: merchant.token });
  assert.equal(r.json.status, 'archived');
});

test('a post carries products: card, plaza field, products endpoint; repost, buy via the repost, pay, commission, refund', async () => {
  const p = (await newProduct(merchant, { title: 'Band', price: 10000, stock: 5, affiliate_rate: 500,
                                          images: ['https://img.example/band.jpg'] })).json;
  const theirs = (await newProduct(other, { title: 'Clone' })).json;
  let r = await srv.post('/api/v1/statuses', { token: merchant.token,
                                               json: { status: 'new band', product_ids: [p.id, theirs.id] } });
  assert.equal(r.status, 422, 'another merchant\'s product in my post');
  const before = await srv.ok('GET', `/api/v1/accounts/${merchant.id}/statuses`);
  const post = await srv.postStatus(merchant, { status: 'new band 新手环', product_ids: [p.id] });
  assert.equal(post.card.title, 'Band');
  assert.equal(post.card.image, 'https://img.example/band.jpg');
  assert.equal(post.plaza.products.length, 1);
  assert.equal((await srv.ok('GET', `/api/v1/accounts/${merchant.id}/statuses`)).length, before.length + 1);
  const plain = await srv.postStatus(merchant, { status: 'no product here' });
  assert.equal(plain.card, null);
  assert.deepEqual(plain.plaza, { products: [] });
  // Products attached to a status already rendered without any show from then on.
  assert.equal((await srv.ok('GET', `/api/v1/statuses/${plain.id}`)).card, null);
  const attached = await srv.ok('PUT', `/api/plaza/v1/statuses/${plain.id}/products`,
                                { token: merchant.token, json: { product_ids: [p.id] } });
  assert.equal(attached.card.title, 'Band');
  assert.equal((await srv.ok('GET', `/api/v1/statuses/${plain.id}`)).plaza.products[0].id, p.id);
  const listed = await srv.ok('GET', `/api/plaza/v1/statuses/${post.id}/products`);
  assert.equal(listed[0].id, p.id);

  const repost = await srv.ok('POST', `/api/v1/statuses/${post.id}/reblog`, { token: fan.token });
  assert.equal(repost.reblog.card.title, 'Band');
  r = await srv.post('/api/plaza/v1/orders', { token: buyer.token,
    json: { lines: [{ product_id: p.id, quantity: 2 }], via_status_id: repost.id } });
  assert.equal(r.status, 200, r.text);
  const order = r.json;
  assert.equal(order.status, 'pending_payment');
  assert.equal(order.total, 20000);
  assert.equal(order.affiliate_id, fan.id);

  assert.equal((await srv.get(`/api/plaza/v1/orders/${order.id}`, { token: stranger.token })).status, 404);
  assert.equal((await srv.get(`/api/plaza/v1/orders/${order.id}`, { token: merchant.token })).status, 200);
  assert.equal((await srv.post(`/api/plaza/v1/orders/${order.id}/pay`, { token: stranger.token })).status, 404);
  const merchantOrders = await srv.ok('GET', '/api/plaza/v1/orders', { token: merchant.token, query: { role: 'merchant' } });
  assert.ok(merchantOrders.some((o) => o.id === order.id));
  assert.equal((await srv.ok('GET', '/api/plaza/v1/orders', { token: stranger.token })).length, 0);

  const paid = await srv.ok('POST', `/api/plaza/v1/orders/${order.id}/pay`, { token: buyer.token });
  assert.equal(paid.order.status, 'paid');
  assert.equal(paid.provider, 'sandbox');
  const earnings = await srv.ok('GET', '/api/plaza/v1/affiliate/earnings', { token: fan.token });
  assert.equal(earnings.commission.CNY, 1000);
  const ledger = await srv.ok('GET', `/api/plaza/v1/orders/${order.id}/ledger`, { token: buyer.token });
  assert.equal(ledger.reduce((s, e) => s + e.amount, 0), 0);
  assert.deepEqual(ledger.map((e) => e.account).sort(), ['buyer', 'commission', 'merchant', 'platform']);

  // The webhook: the delivered event replayed is refused; a tampered body fails the signature.
  const hook = paid.webhook;
  const send = (body, signature) => srv.post('/api/plaza/v1/payments/webhook',
    { body, contentType: 'application/json', headers: signature ? { 'Plaza-Signature': signature } : {} });
  r = await send(hook.body, hook.signature);
  assert.equal(r.status, 409, r.text);
  r = await send(hook.body.replace('"amount":20000', '"amount":1'), hook.signature);
  assert.equal(r.status, 401);
  r = await send(hook.body, undefined);
  assert.equal(r.status, 401);
  assert.equal((await srv.ok('GET', `/api/plaza/v1/orders/${order.id}/ledger`, { token: buyer.token })).length, 4);

  const stats = await srv.ok('GET', '/api/plaza/v1/merchant/stats', { token: merchant.token });
  assert.equal(stats.by_product.find((row) => row.product_id === p.id).units, 2);
  assert.equal(stats.by_status.find((row) => row.status_id === repost.id).revenue, 20000);
  assert.equal(stats.top_reposters[0].account_id, fan.id);
  assert.equal(stats.top_reposters[0].commission, 1000);
  assert.equal(stats.by_day.length, 1);

  assert.equal((await srv.post(`/api/plaza/v1/orders/${order.id}/refund`, { token: buyer.token })).status, 403);
  const refunded = await srv.ok('POST', `/api/plaza/v1/orders/${order.id}/refund`, { token: merchant.token });
  assert.equal(refunded.order.status, 'refunded');
  assert.equal((await srv.ok('GET', '/api/plaza/v1/affiliate/earnings', { token: fan.token })).commission.CNY, 0);
  assert.equal((await srv.ok('GET', `/api/plaza/v1/products/${p.id}`)).stock, 5);
});

test('orders: bad input changes nothing; unpaid orders expire and their stock returns', async () => {
  const p = (await newProduct(merchant, { title: 'Cable', price: 990, stock: 3 })).json;
  const usd = (await newProduct(merchant, { title: 'Import', price: 990, currency: 'USD' })).json;
  const theirs = (await newProduct(other, { title: 'Clone cable' })).json;
  const order = (lines, extra = {}) => srv.post('/api/plaza/v1/orders', { token: buyer.token, json: { lines, ...extra } });
  for (const [lines, extra] of [
    [[{ product_id: p.id, quantity: -1 }], {}],
    [[{ product_id: p.id, quantity: 0 }], {}],
    [[{ product_id: p.id, quantity: 1 }], { currency: 'USD' }],
    [[{ product_id: p.id, quantity: 1 }, { product_id: usd.id, quantity: 1 }], {}],
    [[{ product_id: p.id, quantity: 1 }, { product_id: theirs.id, quantity: 1 }], {}],
    [[{ product_id: p.id, quantity: 'many' }], {}],
    [[], {}],
  ]) {
    const r = await order(lines, extra);
    assert.ok(r.status >= 400 && r.status < 500, `${JSON.stringify(lines)} → ${r.status} ${r.text}`);
    assert.ok(isJsonError(r));
  }
  assert.equal((await srv.ok('GET', `/api/plaza/v1/products/${p.id}`)).stock, 3);
  const o = await srv.ok('POST', '/api/plaza/v1/orders', { token: buyer.token, json: { product_id: p.id, quantity: 3 } });
  let r = await order([{ product_id: p.id, quantity: 1 }]);
  assert.equal(r.status, 409);
  assert.equal(r.json.error, 'sold out');
  await sleep(2500);  // --order-ttl-ms 1500, expiry scan every 500 ms
  const expired = await srv.ok('GET', `/api/plaza/v1/orders/${o.id}`, { token: buyer.token });
  assert.equal(expired.status, 'cancelled');
  assert.equal(expired.cancel_reason, 'expired');
  assert.equal((await srv.ok('GET', `/api/plaza/v1/products/${p.id}`)).stock, 3);
  assert.equal((await srv.post(`/api/plaza/v1/orders/${o.id}/pay`, { token: buyer.token })).status, 409);
});

test('flash sale: reservations, no buying before the start, many concurrent buyers → exactly N wins, idempotent retries', async () => {
  const UNITS = 7;
  const BUYERS = 30;
  const buyers = [];
  for (let i = 0; i < BUYERS; i++) buyers.push(await srv.signUp(`flash${i}`));
  const p = (await newProduct(merchant, { title: 'Mi 4 flash', price: 199900, stock: 0 })).json;
  const startsAt = new Date(Date.now() + 3000).toISOString();
  let r = await srv.post('/api/plaza/v1/campaigns', { token: other.token,
    json: { product_id: p.id, units: UNITS, starts_at: startsAt } });
  assert.equal(r.status, 403, 'another merchant\'s product');
  for (const bad of [{ units: 0 }, { units: -5 }, { per_account_limit: 0 }, { starts_at: 'tomorrow' },
                     { ends_at: new Date(Date.now() - 1000).toISOString() }]) {
    r = await srv.post('/api/plaza/v1/campaigns', { token: merchant.token,
      json: { product_id: p.id, units: UNITS, starts_at: startsAt, ...bad } });
    assert.ok(r.status >= 400 && r.status < 500, `${JSON.stringify(bad)} → ${r.status}`);
  }
  const campaign = await srv.ok('POST', '/api/plaza/v1/campaigns', { token: merchant.token,
    json: { product_id: p.id, title: 'Friday noon', units: UNITS, per_account_limit: 1,
            reservation_required: true, starts_at: startsAt } });
  assert.equal(campaign.phase, 'reservation');

  await Promise.all(buyers.map((b) => srv.ok('POST', `/api/plaza/v1/campaigns/${campaign.id}/reserve`, { token: b.token })));
  const live = await srv.ok('GET', `/api/plaza/v1/campaigns/${campaign.id}`, { token: buyers[0].token });
  assert.equal(live.reservations_count, BUYERS);
  assert.equal(live.me.reserved, true);

  r = await srv.post(`/api/plaza/v1/campaigns/${campaign.id}/buy`, { token: buyers[0].token });
  assert.equal(r.status, 422, 'before the start');
  const wait = Date.parse(startsAt) - Date.now();
  if (wait > 0) await sleep(wait + 50);

  r = await srv.post(`/api/plaza/v1/campaigns/${campaign.id}/buy`, { token: stranger.token });
  assert.equal(r.status, 403, 'no reservation');
  const attempt = (b, key) => srv.post(`/api/plaza/v1/campaigns/${campaign.id}/buy`,
    { token: b.token, headers: { 'Idempotency-Key': key } });
  const results = await Promise.all(buyers.map((b, i) => attempt(b, `k-${i}`)));
  const wins = results.filter((x) => x.status === 200);
  const losses = results.filter((x) => x.status === 409);
  assert.equal(wins.length, UNITS, results.map((x) => x.status).join(','));
  assert.equal(losses.length, BUYERS - UNITS);
  for (const l of losses) assert.deepEqual(l.json, { error: 'sold out' });
  assert.equal(new Set(wins.map((w) => w.json.buyer_id)).size, UNITS);
  for (const w of wins) assert.equal(w.json.status, 'pending_payment');

  // Retries with the same key get the same answer, win or lose.
  const winnerIndex = results.findIndex((x) => x.status === 200);
  const loserIndex = results.findIndex((x) => x.status === 409);
  r = await attempt(buyers[winnerIndex], `k-${winnerIndex}`);
  assert.equal(r.status, 200);
  assert.equal(r.json.id, results[winnerIndex].json.id);
  r = await attempt(buyers[loserIndex], `k-${loserIndex}`);
  assert.equal(r.status, 409);
  r = await attempt(buyers[winnerIndex], 'another-key');
  assert.equal(r.status, 422, 'beyond the per-account limit');

  const state = await srv.ok('GET', `/api/plaza/v1/campaigns/${campaign.id}`);
  assert.equal(state.remaining, 0);
  assert.equal(state.sold, UNITS);
  assert.equal(state.phase, 'sold_out');
  const paid = await srv.ok('POST', `/api/plaza/v1/orders/${results[winnerIndex].json.id}/pay`,
                            { token: buyers[winnerIndex].token });
  assert.equal(paid.order.status, 'paid');
  const stats = await srv.ok('GET', '/api/plaza/v1/merchant/stats', { token: merchant.token });
  const cs = stats.campaigns.find((c) => c.campaign_id === campaign.id);
  assert.equal(cs.reservations, BUYERS);
  assert.equal(cs.units_sold, UNITS);
  assert.equal(cs.reservation_holders_who_bought, UNITS);
});

test('plaza commerce check-ledger proves the ledger balances', async () => {
  await srv.stop();
  const r = plaza(['commerce', 'check-ledger', '--data-dir', srv.dataDir]);
  assert.equal(r.code, 0, r.out + r.err);
  const report = JSON.parse(r.out);
  assert.equal(report.balanced, true);
  assert.ok(report.transactions >= 3);
  assert.equal(report.problems, 0);
  await srv.start();
});
