// Trust and safety over real HTTP (issue 4, workflow): rules managed at run time and applied to
// posts, edits and bios (reject / review / mask / label, evasive spellings), the review queue,
// reports, account actions, appeals, the audit log, role checks on every admin endpoint, the
// anti-spam limits, and durability of rules, holds and the log across a restart.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startServer, plazaBin, isJsonError } from './lib/server.mjs';

const ADMIN_SCOPES = 'read write follow push admin:read admin:write';

let s;
let admin, mod, alice, bob, carol, dave;

// A token with the admin scopes for `user` (scopes alone grant nothing: the role decides).
async function adminToken(server, user) {
  const app = await server.createApp({ scopes: ADMIN_SCOPES });
  const r = await server.passwordGrant(user.username, user.password, { app, scope: ADMIN_SCOPES });
  assert.equal(r.status, 200, r.text);
  return r.json.access_token;
}

function setRole(server, username, role) {
  execFileSync(plazaBin(), ['admin', 'set-role', '--username', username, '--role', role,
                            '--data-dir', server.dataDir], { stdio: 'pipe' });
}

async function addRule(fields, token = admin.token) {
  return s.ok('POST', '/api/plaza/v1/admin/rules', { token, json: fields });
}

const post = (user, fields) => s.post('/api/v1/statuses', {
  token: user.token, json: typeof fields === 'string' ? { status: fields } : fields,
});

async function publicIds(token) {
  const opts = { query: { limit: 40 } };
  if (token) opts.token = token;
  return (await s.ok('GET', '/api/v1/timelines/public', opts)).map((x) => x.id);
}

async function auditActions() {
  const log = await s.ok('GET', '/api/plaza/v1/admin/audit_log', {
    token: admin.token, query: { limit: 200 },
  });
  return log;
}

before(async () => {
  s = await startServer();
  admin = await s.signUp('mod_admin');
  mod = await s.signUp('mod_moderator');
  alice = await s.signUp('mod_alice');
  bob = await s.signUp('mod_bob');
  carol = await s.signUp('mod_carol');
  dave = await s.signUp('mod_dave');
  await s.stop();
  setRole(s, 'mod_admin', 'admin');
  setRole(s, 'mod_moderator', 'moderator');
  await s.start();
  admin.token = await adminToken(s, admin);
  mod.token = await adminToken(s, mod);
  bob.adminScoped = await adminToken(s, bob);
  await s.ok('POST', `/api/v1/accounts/${alice.id}/follow`, { token: bob.token });
  await addRule({ pattern: 'badword', category: 'abuse', action: 'reject' });
  await addRule({ pattern: 'holdme', category: 'spam', action: 'review' });
  await addRule({ pattern: 'darn', category: 'profanity', action: 'mask' });
  await addRule({ pattern: 'gore', category: 'graphic', action: 'label' });
});

after(async () => { await s?.close(); });

test('reject: a post naming a rejected term fails with 422 naming the policy; nothing stored', async () => {
  const r = await post(alice, 'this has badword in it');
  assert.equal(r.status, 422);
  assert.ok(isJsonError(r));
  assert.match(r.json.error, /abuse/);
  const me = await s.ok('GET', `/api/v1/accounts/${alice.id}`);
  assert.equal(me.statuses_count, 0);
});

test('reject: evasive spellings (full-width, inserted spaces, symbols, case) are rejected too', async () => {
  for (const text of ['ｂａｄｗｏｒｄ!', 'b a d w o r d', 'B.A.D.W.O.R.D', 'BadWord']) {
    const r = await post(alice, `look: ${text}`);
    assert.equal(r.status, 422, `${text} → ${r.status} ${r.text}`);
  }
  // A reply and a quote go through the same check.
  const clean = await s.postStatus(bob, 'a clean post');
  assert.equal((await post(alice, { status: 'badword reply', in_reply_to_id: clean.id })).status, 422);
  assert.equal((await post(alice, { status: 'badword quote', quoted_status_id: clean.id })).status, 422);
});

test('mask: matches are stored and shown as ***', async () => {
  const st = await s.postStatus(alice, 'oh darn it');
  assert.match(st.content, /\*\*\*/);
  assert.doesNotMatch(st.content, /darn/);
  const src = await s.ok('GET', `/api/v1/statuses/${st.id}/source`, { token: alice.token });
  assert.doesNotMatch(src.text, /darn/);
  const seen = await s.ok('GET', `/api/v1/statuses/${st.id}`, { token: bob.token });
  assert.doesNotMatch(seen.content, /darn/);
});

test('label: the post is published behind a content warning', async () => {
  const st = await s.postStatus(alice, 'some gore here');
  assert.equal(st.sensitive, true);
  assert.match(st.spoiler_text, /graphic/);
  assert.ok((await publicIds()).includes(st.id));
});

test('review: a held post is visible only to its author and staff until approved', async () => {
  const fan = await s.signUp('mod_fan');  // asked to be notified of alice's posts
  await s.ok('POST', `/api/v1/accounts/${alice.id}/follow`, { token: fan.token, json: { notify: true } });
  const st = await s.postStatus(alice, 'please holdme now @mod_bob #heldtag');
  const mentioned = async () => (await s.ok('GET', '/api/v1/notifications', { token: bob.token }))
    .some((n) => n.type === 'mention' && n.status?.id === st.id);
  const announced = async () => (await s.ok('GET', '/api/v1/notifications', { token: fan.token }))
    .some((n) => n.type === 'status' && n.status?.id === st.id);
  assert.equal(await mentioned(), false, 'a held post notifies nobody');
  assert.equal(await announced(), false, 'a held post notifies nobody');
  assert.equal((await s.get(`/api/v1/statuses/${st.id}`, { token: alice.token })).status, 200);
  assert.equal((await s.get(`/api/v1/statuses/${st.id}`, { token: bob.token })).status, 404);
  assert.equal((await s.get(`/api/v1/statuses/${st.id}`)).status, 404);
  assert.equal((await s.get(`/api/v1/statuses/${st.id}`, { token: mod.token })).status, 200);
  assert.ok(!(await publicIds()).includes(st.id));
  assert.ok(!(await publicIds(bob.token)).includes(st.id));
  const tag = await s.ok('GET', '/api/v1/timelines/tag/heldtag');
  assert.ok(!tag.some((x) => x.id === st.id));
  const home = await s.ok('GET', '/api/v1/timelines/home', { token: bob.token });
  assert.ok(!home.some((x) => x.id === st.id), 'not fanned out to followers');

  const queue = await s.ok('GET', '/api/plaza/v1/admin/review', { token: mod.token });
  const item = queue.find((h) => h.id === st.id);
  assert.ok(item, 'held post is in the review queue');
  assert.equal(item.type, 'status');
  assert.match(item.reason, /spam/);

  await s.ok('POST', `/api/plaza/v1/admin/review/${st.id}/approve`, { token: mod.token });
  assert.equal((await s.get(`/api/v1/statuses/${st.id}`, { token: bob.token })).status, 200);
  assert.ok((await publicIds()).includes(st.id));
  const tag2 = await s.ok('GET', '/api/v1/timelines/tag/heldtag');
  assert.ok(tag2.some((x) => x.id === st.id));
  let inHome = false;
  for (let i = 0; i < 50 && !inHome; i++) {
    const h = await s.ok('GET', '/api/v1/timelines/home', { token: bob.token });
    inHome = h.some((x) => x.id === st.id);
    if (!inHome) await new Promise((r) => setTimeout(r, 50));
  }
  assert.ok(inHome, 'approved post reaches followers');
  assert.equal(await mentioned(), true, 'approval sends the mention');
  assert.equal(await announced(), true, 'approval notifies who asked to be');
  const queue2 = await s.ok('GET', '/api/plaza/v1/admin/review', { token: mod.token });
  assert.ok(!queue2.some((h) => h.id === st.id));
});

test('edits are moderated: reject keeps the old text, mask masks, review holds', async () => {
  const st = await s.postStatus(alice, 'original words');
  const rej = await s.put(`/api/v1/statuses/${st.id}`, {
    token: alice.token, json: { status: 'now with badword' },
  });
  assert.equal(rej.status, 422);
  assert.match(rej.json.error, /abuse/);
  assert.match((await s.ok('GET', `/api/v1/statuses/${st.id}`)).content, /original words/);

  const masked = await s.ok('PUT', `/api/v1/statuses/${st.id}`, {
    token: alice.token, json: { status: 'darn edit' },
  });
  assert.match(masked.content, /\*\*\*/);
  const labelled = await s.ok('PUT', `/api/v1/statuses/${st.id}`, {
    token: alice.token, json: { status: 'gore edit' },
  });
  assert.equal(labelled.sensitive, true);

  await s.ok('PUT', `/api/v1/statuses/${st.id}`, {
    token: alice.token, json: { status: 'edit to holdme' },
  });
  assert.equal((await s.get(`/api/v1/statuses/${st.id}`, { token: bob.token })).status, 404);
  assert.equal((await s.get(`/api/v1/statuses/${st.id}`, { token: alice.token })).status, 200);
});

test('bio and display name: reject, mask, label and review', async () => {
  const rej = await s.patch('/api/v1/accounts/update_credentials', {
    token: alice.token, json: { note: 'my badword bio' },
  });
  assert.equal(rej.status, 422);
  assert.match(rej.json.error, /abuse/);
  const rejName = await s.patch('/api/v1/accounts/update_credentials', {
    token: alice.token, json: { display_name: 'ｂ ａ ｄ ｗ ｏ ｒ ｄ' },
  });
  assert.equal(rejName.status, 422);

  const masked = await s.ok('PATCH', '/api/v1/accounts/update_credentials', {
    token: alice.token, json: { note: 'a darn bio' },
  });
  assert.doesNotMatch(masked.note, /darn/);
  assert.match(masked.note, /\*\*\*/);

  const labelled = await s.ok('PATCH', '/api/v1/accounts/update_credentials', {
    token: alice.token, json: { note: 'I like gore films' },
  });
  assert.match(labelled.note, /gore/);
  assert.ok((await auditActions()).some((a) => a.action === 'profile.label' &&
                                               a.target_id === alice.id));

  const held = await s.ok('PATCH', '/api/v1/accounts/update_credentials', {
    token: alice.token, json: { note: 'holdme bio' },
  });
  assert.match(held.note, /holdme/, 'the author sees the pending bio');
  const seen = await s.ok('GET', `/api/v1/accounts/${alice.id}`, { token: bob.token });
  assert.match(seen.note, /gore films/, 'others see the old bio');
  const queue = await s.ok('GET', '/api/plaza/v1/admin/review', { token: mod.token });
  const item = queue.find((h) => h.id === alice.id);
  assert.equal(item?.type, 'profile');
  assert.equal(item.note, 'holdme bio');
  await s.ok('POST', `/api/plaza/v1/admin/review/${alice.id}/approve`, { token: mod.token });
  assert.match((await s.ok('GET', `/api/v1/accounts/${alice.id}`)).note, /holdme bio/);
});

test('sign-up with a rejected username is refused', async () => {
  const { token } = await s.defaultApp();
  const r = await s.post('/api/v1/accounts', {
    token, json: { username: 'badword_fan', email: 'bw@example.test', password: 'long enough pw',
                   agreement: true },
  });
  assert.equal(r.status, 422);
});

test('rule CRUD hot-swaps the engine: new rules apply to the next post without a restart', async () => {
  assert.equal((await post(bob, 'freshterm is fine for now')).status, 200);
  const rule = await addRule({ pattern: 'freshterm', category: 'custom', action: 'reject' });
  assert.equal(rule.action, 'reject');
  const got = await s.ok('GET', `/api/plaza/v1/admin/rules/${rule.id}`, { token: admin.token });
  assert.equal(got.pattern, 'freshterm');
  assert.equal((await post(bob, 'freshterm again')).status, 422);

  const changed = await s.ok('PUT', `/api/plaza/v1/admin/rules/${rule.id}`, {
    token: admin.token, json: { action: 'mask' },
  });
  assert.equal(changed.action, 'mask');
  const masked = await s.postStatus(bob, 'freshterm masked');
  assert.doesNotMatch(masked.content, /freshterm/);

  await s.ok('DELETE', `/api/plaza/v1/admin/rules/${rule.id}`, { token: admin.token });
  const plain = await s.postStatus(bob, 'freshterm free again');
  assert.match(plain.content, /freshterm/);
  assert.equal((await s.get(`/api/plaza/v1/admin/rules/${rule.id}`, { token: admin.token })).status, 404);
});

test('a malformed rule is refused with 422 naming the problem; the running rules stay', async () => {
  const before = await s.ok('GET', '/api/plaza/v1/admin/rules', { token: admin.token });
  const bad = await s.post('/api/plaza/v1/admin/rules', {
    token: admin.token, json: { kind: 'regex', pattern: 'unclosed(group', action: 'reject' },
  });
  assert.equal(bad.status, 422);
  assert.ok(isJsonError(bad));
  assert.match(bad.json.error, /compile|pattern/i);
  const badAction = await s.post('/api/plaza/v1/admin/rules', {
    token: admin.token, json: { pattern: 'x', action: 'explode' },
  });
  assert.equal(badAction.status, 422);
  assert.match(badAction.json.error, /action/);
  const afterList = await s.ok('GET', '/api/plaza/v1/admin/rules', { token: admin.token });
  assert.equal(afterList.length, before.length);
  assert.equal((await post(bob, 'badword still blocked')).status, 422);
});

test('roles: a user gets 403 on every admin endpoint, even with admin scopes', async () => {
  const some = '1234567890';
  const endpoints = [
    ['GET', '/api/plaza/v1/admin/rules'],
    ['POST', '/api/plaza/v1/admin/rules', { pattern: 'x', action: 'reject' }],
    ['GET', `/api/plaza/v1/admin/rules/${some}`],
    ['PUT', `/api/plaza/v1/admin/rules/${some}`, { action: 'mask' }],
    ['PATCH', `/api/plaza/v1/admin/rules/${some}`, { action: 'mask' }],
    ['DELETE', `/api/plaza/v1/admin/rules/${some}`],
    ['GET', '/api/plaza/v1/admin/review'],
    ['POST', `/api/plaza/v1/admin/review/${some}/approve`],
    ['POST', `/api/plaza/v1/admin/review/${some}/reject`],
    ['GET', '/api/plaza/v1/admin/appeals'],
    ['POST', `/api/plaza/v1/admin/appeals/${some}/approve`],
    ['POST', `/api/plaza/v1/admin/appeals/${some}/reject`],
    ['GET', '/api/plaza/v1/admin/audit_log'],
    ['GET', '/api/v1/admin/reports'],
    ['GET', `/api/v1/admin/reports/${some}`],
    ['POST', `/api/v1/admin/reports/${some}/assign_to_self`],
    ['POST', `/api/v1/admin/reports/${some}/unassign`],
    ['POST', `/api/v1/admin/reports/${some}/resolve`],
    ['POST', `/api/v1/admin/reports/${some}/reopen`],
    ['GET', `/api/v1/admin/accounts/${carol.id}`],
    ['POST', `/api/v1/admin/accounts/${carol.id}/action`, { type: 'suspend' }],
    ['POST', `/api/v1/admin/accounts/${carol.id}/unsuspend`],
    ['POST', `/api/v1/admin/accounts/${carol.id}/unsilence`],
  ];
  for (const [method, p, json] of endpoints) {
    for (const token of [bob.adminScoped, bob.token]) {
      const r = await s.request(method, p, { token, json });
      assert.equal(r.status, 403, `${method} ${p} → ${r.status} ${r.text}`);
      assert.ok(isJsonError(r));
    }
    const anon = await s.request(method, p, { json });
    assert.equal(anon.status, 401, `${method} ${p} anonymous → ${anon.status}`);
  }
  // Moderators work the queues but neither change rules nor read the audit log.
  assert.equal((await s.get('/api/plaza/v1/admin/review', { token: mod.token })).status, 200);
  assert.equal((await s.get('/api/plaza/v1/admin/rules', { token: mod.token })).status, 200);
  assert.equal((await s.post('/api/plaza/v1/admin/rules', {
    token: mod.token, json: { pattern: 'modterm', action: 'reject' } })).status, 403);
  assert.equal((await s.get('/api/plaza/v1/admin/audit_log', { token: mod.token })).status, 403);
  // A moderator cannot act on an admin.
  assert.equal((await s.post(`/api/v1/admin/accounts/${admin.id}/action`, {
    token: mod.token, json: { type: 'suspend' } })).status, 403);
  assert.equal((await s.get('/api/v1/statuses/1')).status, 404);  // sanity: server still fine
});

test('reports: a user reports, a moderator assigns, resolves and reopens', async () => {
  const st = await s.postStatus(carol, 'carol says something rude');
  const rep = await s.ok('POST', '/api/v1/reports', {
    token: bob.token,
    json: { account_id: carol.id, status_ids: [st.id], category: 'spam', comment: 'rude' },
  });
  assert.equal(rep.action_taken, false);
  assert.deepEqual(rep.status_ids, [st.id]);
  assert.equal(rep.target_account.id, carol.id);
  assert.equal(rep.category, 'spam');
  const badCat = await s.post('/api/v1/reports', {
    token: bob.token, json: { account_id: carol.id, category: 'nonsense' },
  });
  assert.equal(badCat.status, 422);
  assert.equal((await s.post('/api/v1/reports', { json: { account_id: carol.id } })).status, 401);

  const list = await s.ok('GET', '/api/v1/admin/reports', { token: mod.token });
  const item = list.find((x) => x.id === rep.id);
  assert.ok(item);
  assert.equal(item.account.id, bob.id);
  assert.equal(item.target_account.id, carol.id);
  assert.equal(item.statuses[0].id, st.id);
  const assigned = await s.ok('POST', `/api/v1/admin/reports/${rep.id}/assign_to_self`, {
    token: mod.token });
  assert.equal(assigned.assigned_account.id, mod.id);
  const unassigned = await s.ok('POST', `/api/v1/admin/reports/${rep.id}/unassign`, {
    token: mod.token });
  assert.equal(unassigned.assigned_account, null);
  const resolved = await s.ok('POST', `/api/v1/admin/reports/${rep.id}/resolve`, { token: mod.token });
  assert.equal(resolved.action_taken, true);
  assert.equal(resolved.action_taken_by_account.id, mod.id);
  const open = await s.ok('GET', '/api/v1/admin/reports', { token: mod.token, query: { resolved: 'false' } });
  assert.ok(!open.some((x) => x.id === rep.id));
  const reopened = await s.ok('POST', `/api/v1/admin/reports/${rep.id}/reopen`, { token: mod.token });
  assert.equal(reopened.action_taken, false);
  const one = await s.ok('GET', `/api/v1/admin/reports/${rep.id}`, { token: admin.token });
  assert.equal(one.id, rep.id);
  s.carolReport = rep.id;
  s.carolStatus = st.id;
});

test('suspend stops posting and sign-in and hides the account; silence hides from public timelines', async () => {
  const daveSt = await s.postStatus(dave, 'dave is loud');
  await s.ok('POST', `/api/v1/admin/accounts/${dave.id}/action`, {
    token: mod.token, json: { type: 'silence', text: 'too loud' },
  });
  assert.ok(!(await publicIds()).includes(daveSt.id), 'silenced account left the public timeline');
  assert.equal((await s.get(`/api/v1/statuses/${daveSt.id}`)).status, 200, 'still reachable directly');

  await s.ok('POST', `/api/v1/admin/accounts/${carol.id}/action`, {
    token: mod.token, json: { type: 'suspend', text: 'abusive', report_id: s.carolReport },
  });
  const blocked = await post(carol, 'can I still post?');
  assert.ok(blocked.status === 401 || blocked.status === 403, `${blocked.status}`);
  const login = await s.passwordGrant(carol.username, carol.password);
  assert.notEqual(login.status, 200);
  assert.equal((await s.get(`/api/v1/statuses/${s.carolStatus}`)).status, 404);
  assert.equal((await s.get(`/api/v1/accounts/${carol.id}/statuses`)).status, 404);
  const rep = await s.ok('GET', `/api/v1/admin/reports/${s.carolReport}`, { token: mod.token });
  assert.equal(rep.action_taken, true, 'the report was resolved by the action');
  const acct = await s.ok('GET', `/api/v1/admin/accounts/${carol.id}`, { token: mod.token });
  assert.equal(acct.suspended, true);

  await s.ok('POST', `/api/v1/admin/accounts/${carol.id}/unsuspend`, { token: mod.token });
  assert.equal((await s.passwordGrant(carol.username, carol.password)).status, 200);
});

test('appeals: an author appeals a rejected post and a warning; approval publishes', async () => {
  const st = await s.postStatus(alice, 'appeal holdme please');
  await s.ok('POST', `/api/plaza/v1/admin/review/${st.id}/reject`, {
    token: mod.token, json: { reason: 'looks like spam' },
  });
  const rejected = await s.ok('GET', '/api/plaza/v1/admin/review', {
    token: mod.token, query: { state: 'rejected' },
  });
  assert.ok(rejected.some((h) => h.id === st.id));
  assert.equal((await s.get(`/api/v1/statuses/${st.id}`, { token: bob.token })).status, 404);

  const notMine = await s.post('/api/plaza/v1/appeals', {
    token: bob.token, json: { status_id: st.id, text: 'not mine' },
  });
  assert.equal(notMine.status, 404);
  const appeal = await s.ok('POST', '/api/plaza/v1/appeals', {
    token: alice.token, json: { status_id: st.id, text: 'it is not spam' },
  });
  assert.equal(appeal.state, 'pending');
  const mine = await s.ok('GET', '/api/plaza/v1/appeals', { token: alice.token });
  assert.ok(mine.some((a) => a.id === appeal.id));
  const queue = await s.ok('GET', '/api/plaza/v1/admin/appeals', { token: mod.token });
  assert.ok(queue.some((a) => a.id === appeal.id));
  const decided = await s.ok('POST', `/api/plaza/v1/admin/appeals/${appeal.id}/approve`, {
    token: mod.token, json: { text: 'fair enough' },
  });
  assert.equal(decided.state, 'approved');
  assert.equal((await s.get(`/api/v1/statuses/${st.id}`, { token: bob.token })).status, 200);

  await s.ok('POST', `/api/v1/admin/accounts/${alice.id}/action`, {
    token: mod.token, json: { type: 'warn', text: 'mind the tone' },
  });
  const warn = (await auditActions()).find((a) => a.action === 'account.warn' &&
                                                  a.target_id === alice.id);
  assert.ok(warn);
  const wa = await s.ok('POST', '/api/plaza/v1/appeals', {
    token: alice.token, json: { warning_id: warn.id, text: 'I was polite' },
  });
  const rej = await s.ok('POST', `/api/plaza/v1/admin/appeals/${wa.id}/reject`, {
    token: mod.token, json: { text: 'no' },
  });
  assert.equal(rej.state, 'rejected');
  assert.equal((await s.post(`/api/plaza/v1/admin/appeals/${wa.id}/approve`, {
    token: mod.token })).status, 422, 'an appeal is decided once');
});

test('audit log records every decision and cannot be changed through the API', async () => {
  const log = await auditActions();
  const actions = new Set(log.map((a) => a.action));
  for (const a of ['rule.create', 'rule.update', 'rule.delete', 'status.auto_reject',
                   'profile.auto_reject', 'status.reject', 'status.hold',
                   'status.mask', 'status.label', 'status.approve', 'profile.hold',
                   'profile.approve', 'report.assign', 'report.resolve', 'report.reopen',
                   'account.silence', 'account.suspend', 'account.warn', 'appeal.approve',
                   'appeal.reject']) {
    assert.ok(actions.has(a), `audit log has ${a}: ${[...actions]}`);
  }
  const suspend = log.find((a) => a.action === 'account.suspend');
  assert.equal(suspend.actor_id, mod.id);
  assert.equal(suspend.target_id, carol.id);
  assert.equal(suspend.reason, 'abusive');
  assert.ok(!Number.isNaN(Date.parse(suspend.created_at)));
  const auto = log.find((a) => a.action === 'status.auto_reject');
  assert.equal(auto.actor_id, null);
  assert.equal(auto.actor, 'system');
  assert.match(auto.reason, /abuse/);
  for (const m of ['POST', 'PUT', 'PATCH', 'DELETE']) {
    const r = await s.request(m, '/api/plaza/v1/admin/audit_log', { token: admin.token, json: {} });
    assert.ok(r.status === 404 || r.status === 405, `${m} audit_log → ${r.status}`);
    const one = await s.request(m, `/api/plaza/v1/admin/audit_log/${suspend.id}`, {
      token: admin.token, json: {} });
    assert.ok(one.status === 404 || one.status === 405, `${m} audit_log/:id → ${one.status}`);
  }
  assert.equal((await auditActions()).length, log.length);
});

test('rules, holds, reports and the audit log survive a restart', async () => {
  const held = await s.postStatus(alice, 'holdme across restarts');
  const logBefore = await auditActions();
  const rulesBefore = await s.ok('GET', '/api/plaza/v1/admin/rules', { token: admin.token });
  await s.restart();
  assert.equal((await post(bob, 'badword after restart')).status, 422);
  assert.equal((await s.get(`/api/v1/statuses/${held.id}`, { token: bob.token })).status, 404);
  assert.equal((await s.get(`/api/v1/statuses/${held.id}`, { token: alice.token })).status, 200);
  assert.ok(!(await publicIds()).includes(held.id));
  const queue = await s.ok('GET', '/api/plaza/v1/admin/review', { token: mod.token });
  assert.ok(queue.some((h) => h.id === held.id));
  const rulesAfter = await s.ok('GET', '/api/plaza/v1/admin/rules', { token: admin.token });
  assert.deepEqual(rulesAfter.map((r) => r.id), rulesBefore.map((r) => r.id));
  const logAfter = new Set((await auditActions()).map((a) => a.id));
  assert.ok(logBefore.every((a) => logAfter.has(a.id)), 'every audit entry is still there');
  const reports = await s.ok('GET', '/api/v1/admin/reports', { token: mod.token });
  assert.ok(reports.some((r) => r.id === s.carolReport));
  await s.ok('POST', `/api/plaza/v1/admin/review/${held.id}/approve`, { token: mod.token });
  assert.ok((await publicIds()).includes(held.id));
});

test('anti-spam: duplicates and velocity are limited, more strictly for new accounts', async () => {
  const toml = '[moderation]\nmax_posts = 6\nnew_account_max_posts = 3\nwindow_ms = 60000\n' +
               'max_duplicates = 3\nnew_account_max_duplicates = 1\nduplicate_window_ms = 60000\n' +
               'new_account_age_ms = 3600000\n[limits]\nip_burst = 10000.0\n';
  const young = await startServer({ rateLimit: true, configToml: toml });
  try {
    const u = await young.signUp('spam_young');
    await young.postStatus(u, 'Buy my stuff now');
    // The same text again, spelled with other case, width and spacing, is a duplicate.
    const dup = await young.post('/api/v1/statuses', { token: u.token, json: { status: 'ＢＵＹ my  stuff NOW' } });
    assert.equal(dup.status, 422, dup.text);
    assert.match(dup.json.error, /same text/);
    await young.postStatus(u, 'second distinct post');
    await young.postStatus(u, 'third distinct post');
    const fast = await young.post('/api/v1/statuses', { token: u.token, json: { status: 'fourth' } });
    assert.equal(fast.status, 429, fast.text);
    assert.match(fast.json.error, /new accounts/);
    assert.equal((await young.ok('GET', `/api/v1/accounts/${u.id}`)).statuses_count, 3);
  } finally {
    await young.close();
  }
  // With a tiny "new account" age the same account is old at once and gets the normal limits.
  const old = await startServer({ rateLimit: true, configToml: toml.replace('new_account_age_ms = 3600000', 'new_account_age_ms = 1') });
  try {
    const u = await old.signUp('spam_old');
    await new Promise((r) => setTimeout(r, 20));
    for (let i = 0; i < 3; i++) await old.postStatus(u, 'same old text');
    assert.equal((await old.post('/api/v1/statuses', { token: u.token, json: { status: 'same old text' } })).status, 422);
    for (let i = 0; i < 3; i++) await old.postStatus(u, `distinct ${i}`);
    assert.equal((await old.post('/api/v1/statuses', { token: u.token, json: { status: 'one more' } })).status, 429);
  } finally {
    await old.close();
  }
});

test('a rules file from the command line is applied and listed read-only', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'plaza-rules-'));
  const file = path.join(dir, 'rules.txt');
  writeFileSync(file, '# plain format\nreject fileterm\nmask 坏词\n');
  const f = await startServer({ extraArgs: ['--moderation-rules', file] });
  try {
    const u = await f.signUp('file_user');
    const r = await f.post('/api/v1/statuses', { token: u.token, json: { status: 'a fileterm here' } });
    assert.equal(r.status, 422);
    const st = await f.postStatus(u, '这是壞詞');
    assert.doesNotMatch(st.content, /壞詞|坏词/);
  } finally {
    await f.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
