// Timelines: home (fan-out, and read-time pull of celebrity authors), public (local), tag, and
// account statuses; max_id / since_id / min_id / limit and Link headers as Mastodon has them.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, parseLink, isJsonError, eventually } from './lib/server.mjs';

let s;
let pager;     // posts the ten paging statuses
let reader;    // follows only pager
let posts;     // the ten statuses, oldest first

const homeIds = async (u, query = { limit: 40 }) =>
  (await s.ok('GET', '/api/v1/timelines/home', { token: u.token, query })).map((x) => x.id);

before(async () => {
  s = await startServer();
  pager = await s.signUp('pager');
  reader = await s.signUp('reader');
  await s.ok('POST', `/api/v1/accounts/${pager.id}/follow`, { token: reader.token });
  posts = [];
  for (let i = 0; i < 10; i++) posts.push(await s.postStatus(pager, `page post ${i} #pagetag`));
});
after(async () => { await s?.close(); });

// Checks Mastodon paging on `path` whose full content, newest first, is `all` (ids).
async function checkPaging(path, token, all) {
  const ids = (r) => r.json.map((x) => x.id);
  const get = (query) => s.get(path, { token, query });
  const at = (i) => all[i];  // all[0] is the newest
  const n = all.length;

  let r = await get({ limit: 3 });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(ids(r), all.slice(0, 3), 'limit=3: the newest three');

  // Link: next is max_id=<oldest on page>, prev is min_id=<newest on page>, other params kept.
  const link = parseLink(r.headers.get('link'));
  const next = new URL(link.next);
  const prev = new URL(link.prev);
  assert.equal(next.origin + next.pathname, s.base + path);
  assert.equal(next.searchParams.get('max_id'), at(2));
  assert.equal(next.searchParams.get('limit'), '3');
  assert.equal(next.searchParams.get('min_id'), null);
  assert.equal(next.searchParams.get('since_id'), null);
  assert.equal(prev.searchParams.get('min_id'), at(0));
  assert.equal(prev.searchParams.get('limit'), '3');
  assert.equal(prev.searchParams.get('max_id'), null);

  // max_id is exclusive; the next page continues exactly where the first ended.
  r = await s.get(link.next, { token });
  assert.deepEqual(ids(r), all.slice(3, 6));
  // since_id: the newest items above it.
  r = await get({ since_id: at(n - 3), limit: 3 });
  assert.deepEqual(ids(r), all.slice(0, 3), 'since_id gives the newest above it');
  // min_id: the items immediately above it (still newest first in the page).
  r = await get({ min_id: at(n - 1), limit: 3 });
  assert.deepEqual(ids(r), all.slice(n - 4, n - 1), 'min_id gives the items just above it');
  // Both bounds.
  r = await get({ max_id: at(1), since_id: at(5), limit: 40 });
  assert.deepEqual(ids(r), all.slice(2, 5));
  r = await get({ max_id: at(1), min_id: at(5), limit: 2 });
  assert.deepEqual(ids(r), all.slice(3, 5));
  // Nothing newer than the newest: an empty page without a Link header.
  r = await get({ min_id: at(0) });
  assert.deepEqual(r.json, []);
  assert.equal(r.headers.get('link'), null);
  r = await get({ since_id: at(0) });
  assert.deepEqual(r.json, []);

  // Walking next links visits every item once, in order; prev from the last page walks back.
  const seen = [];
  let url = `${path}?limit=4`;
  let lastNonEmpty;
  for (let guard = 0; guard < 20; guard++) {
    r = await s.get(url, { token });
    assert.equal(r.status, 200);
    if (r.json.length === 0) break;
    lastNonEmpty = r;
    seen.push(...ids(r));
    url = parseLink(r.headers.get('link')).next;
  }
  assert.deepEqual(seen, all);
  const back = await s.get(parseLink(lastNonEmpty.headers.get('link')).prev, { token });
  const lastStart = n - (n % 4 || 4);
  assert.deepEqual(ids(back), all.slice(Math.max(0, lastStart - 4), lastStart), 'prev link');

  // limit is clamped to 40; junk ids are 400 errors.
  r = await get({ limit: 1000 });
  assert.equal(r.status, 200);
  assert.ok(r.json.length <= 40);
  r = await get({ max_id: 'abc' });
  assert.equal(r.status, 400);
  assert.ok(isJsonError(r));
}

test('paging on account statuses, tag, public and home timelines', async () => {
  const all = posts.map((p) => p.id).reverse();
  await checkPaging(`/api/v1/accounts/${pager.id}/statuses`, undefined, all);
  await checkPaging('/api/v1/timelines/tag/pagetag', undefined, all);
  await checkPaging('/api/v1/timelines/public', undefined, all);
  await eventually(async () => (await homeIds(reader)).length === 10, 'home fan-out of 10 posts');
  await checkPaging('/api/v1/timelines/home', reader.token, all);
});

test('limit=1000 gives at most 40 (and a full page when there are more)', async () => {
  const many = await s.signUp('many_poster');
  const extra = [];
  for (let i = 0; i < 42; i++) extra.push(await s.postStatus(many, `many ${i}`));
  const r = await s.ok('GET', `/api/v1/accounts/${many.id}/statuses`, { query: { limit: 1000 } });
  assert.equal(r.length, 40);
  assert.deepEqual(r.map((x) => x.id), extra.map((x) => x.id).reverse().slice(0, 40));
  const dflt = await s.ok('GET', `/api/v1/accounts/${many.id}/statuses`);
  assert.equal(dflt.length, 20);
  const pub = await s.ok('GET', '/api/v1/timelines/public', { query: { limit: 1000 } });
  assert.equal(pub.length, 40);
});

test('home timeline: fan-out of followed authors, own posts, reblogs; not others', async () => {
  const a = await s.signUp('home_a');
  const b = await s.signUp('home_b');
  const c = await s.signUp('home_c');   // not followed by a
  await s.ok('POST', `/api/v1/accounts/${b.id}/follow`, { token: a.token });
  const own = await s.postStatus(a, 'my own post');
  const fromB = await s.postStatus(b, 'b posts');
  const fromC = await s.postStatus(c, 'c posts');
  const bPrivate = await s.postStatus(b, { status: 'b followers only', visibility: 'private' });
  const bDirectOther = await s.postStatus(b, { status: '@home_c secret', visibility: 'direct' });
  const cPost = await s.postStatus(c, 'c post for b to reblog');
  const reblog = await s.ok('POST', `/api/v1/statuses/${cPost.id}/reblog`, { token: b.token });
  const ids = await eventually(async () => {
    const h = await homeIds(a);
    return h.includes(reblog.id) ? h : null;
  }, 'the reblog in home');
  assert.ok(ids.includes(own.id), 'own post');
  assert.ok(ids.includes(fromB.id), 'followed author');
  assert.ok(ids.includes(bPrivate.id), 'followers-only post of a followed author');
  assert.ok(!ids.includes(fromC.id), 'unfollowed author');
  assert.ok(!ids.includes(bDirectOther.id), 'a direct message to someone else');
  assert.ok(!ids.includes(cPost.id), 'the reblogged original is not there by itself');
  // Newest first.
  assert.deepEqual(ids, [...ids].sort((x, y) => (BigInt(y) > BigInt(x) ? 1 : -1)));
  const full = await s.ok('GET', '/api/v1/timelines/home', { token: a.token });
  const rb = full.find((x) => x.id === reblog.id);
  assert.equal(rb.reblog.id, cPost.id);

  // A delete is reflected.
  await s.ok('DELETE', `/api/v1/statuses/${fromB.id}`, { token: b.token });
  assert.ok(!(await homeIds(a)).includes(fromB.id), 'deleted post gone');
  // Following later brings the author's earlier posts in; unfollowing takes them out.
  await s.ok('POST', `/api/v1/accounts/${c.id}/follow`, { token: a.token });
  await eventually(async () => (await homeIds(a)).includes(fromC.id), 'earlier posts after follow');
  await s.ok('POST', `/api/v1/accounts/${c.id}/unfollow`, { token: a.token });
  assert.ok(!(await homeIds(a)).includes(fromC.id), 'unfollowed author gone');
  // Mute hides, unmute shows again.
  await s.ok('POST', `/api/v1/accounts/${b.id}/mute`, { token: a.token });
  assert.ok(!(await homeIds(a)).includes(bPrivate.id), 'muted author hidden');
  await s.ok('POST', `/api/v1/accounts/${b.id}/unmute`, { token: a.token });
  assert.ok((await homeIds(a)).includes(bPrivate.id), 'unmuted author back');
  // A block (by the author) removes the follow and the posts.
  await s.ok('POST', `/api/v1/accounts/${a.id}/block`, { token: b.token });
  const afterBlock = await homeIds(a);
  assert.ok(!afterBlock.includes(bPrivate.id) && !afterBlock.includes(reblog.id), 'blocked author gone');
  assert.ok(afterBlock.includes(own.id));
});

test('home timeline needs a user token', async () => {
  const anon = await s.get('/api/v1/timelines/home');
  assert.equal(anon.status, 401);
  assert.ok(isJsonError(anon));
});

test('public timeline: public, top-level posts only; local and remote', async () => {
  const u = await s.signUp('public_u');
  const pub = await s.postStatus(u, 'public top level');
  const unl = await s.postStatus(u, { status: 'unlisted one', visibility: 'unlisted' });
  const prv = await s.postStatus(u, { status: 'private one', visibility: 'private' });
  const reply = await s.postStatus(u, { status: 'reply to other', in_reply_to_id: posts[0].id });
  const rb = await s.ok('POST', `/api/v1/statuses/${posts[1].id}/reblog`, { token: u.token });
  for (const query of [{ limit: 40 }, { limit: 40, local: 'true' }]) {
    const ids = (await s.ok('GET', '/api/v1/timelines/public', { query })).map((x) => x.id);
    assert.ok(ids.includes(pub.id));
    for (const hidden of [unl, prv, reply, rb]) assert.ok(!ids.includes(hidden.id), hidden.content);
  }
  assert.deepEqual(await s.ok('GET', '/api/v1/timelines/public', { query: { remote: 'true' } }), []);
  // A deleted status leaves the public timeline.
  await s.ok('DELETE', `/api/v1/statuses/${pub.id}`, { token: u.token });
  const ids = (await s.ok('GET', '/api/v1/timelines/public')).map((x) => x.id);
  assert.ok(!ids.includes(pub.id));
});

test('tag timeline: public posts with the tag or #topic#, case-insensitive', async () => {
  const u = await s.signUp('tagger');
  const t1 = await s.postStatus(u, 'about #Weibo');
  const t2 = await s.postStatus(u, '关于 #weibo# 的讨论');
  const t3 = await s.postStatus(u, { status: 'hidden #weibo', visibility: 'private' });
  const t4 = await s.postStatus(u, 'other #notweibo');
  for (const tag of ['weibo', 'WEIBO', '%23weibo']) {
    const ids = (await s.ok('GET', `/api/v1/timelines/tag/${tag}`)).map((x) => x.id);
    assert.deepEqual(ids, [t2.id, t1.id], `tag ${tag}`);
  }
  assert.deepEqual(await s.ok('GET', '/api/v1/timelines/tag/nothing_tagged_here'), []);
});

test('account statuses filters: exclude_replies, exclude_reblogs, tagged', async () => {
  const u = await s.signUp('filters_u');
  const top = await s.postStatus(u, 'top #ftag');
  const rep = await s.postStatus(u, { status: 'reply', in_reply_to_id: posts[2].id });
  const rb = await s.ok('POST', `/api/v1/statuses/${posts[3].id}/reblog`, { token: u.token });
  const get = async (query) => (await s.ok('GET', `/api/v1/accounts/${u.id}/statuses`, { query }))
    .map((x) => x.id);
  assert.deepEqual(await get({}), [rb.id, rep.id, top.id]);
  assert.deepEqual(await get({ exclude_replies: 'true' }), [rb.id, top.id]);
  assert.deepEqual(await get({ exclude_reblogs: 'true' }), [rep.id, top.id]);
  assert.deepEqual(await get({ tagged: 'ftag' }), [top.id]);

  // The Link header carries the filters and the limit, so the next page is filtered alike, and
  // no parameter the list does not read (which would only lengthen it, twice).
  const r = await s.get(`/api/v1/accounts/${u.id}/statuses`, {
    query: { limit: 1, exclude_replies: 'true', junk: 'x'.repeat(6000), 'other[]': 'y' } });
  assert.equal(r.status, 200, r.text);
  const next = new URL(parseLink(r.headers.get('link')).next);
  assert.deepEqual([...next.searchParams.keys()].sort(), ['exclude_replies', 'limit', 'max_id']);
  assert.ok(r.headers.get('link').length < 400, r.headers.get('link'));
  assert.deepEqual((await s.ok('GET', next.href)).map((x) => x.id), [top.id]);
});

test('celebrity authors are pulled into home at read time', async () => {
  const celeb = await startServer({ extraArgs: ['--celebrity-threshold', '2'] });
  try {
    const star = await celeb.signUp('star');
    const fans = [];
    for (let i = 0; i < 4; i++) fans.push(await celeb.signUp(`fan${i}`));
    for (const f of fans) await celeb.ok('POST', `/api/v1/accounts/${star.id}/follow`, { token: f.token });
    const other = await celeb.signUp('normal');
    await celeb.ok('POST', `/api/v1/accounts/${other.id}/follow`, { token: fans[0].token });
    const starPosts = [];
    for (let i = 0; i < 5; i++) starPosts.push(await celeb.postStatus(star, `star ${i}`));
    const normalPost = await celeb.postStatus(other, 'normal post');
    const starPrivate = await celeb.postStatus(star, { status: 'star private', visibility: 'private' });
    const expected = [starPrivate.id, normalPost.id, ...starPosts.map((p) => p.id).reverse()];
    const home = async (f, query = {}) => (await celeb.ok('GET', '/api/v1/timelines/home', {
      token: f.token, query,
    })).map((x) => x.id);
    await eventually(async () => (await home(fans[0])).length === expected.length, 'fan 0 home');
    assert.deepEqual(await home(fans[0]), expected);
    for (const f of fans.slice(1)) {
      assert.deepEqual(await home(f), expected.filter((id) => id !== normalPost.id));
    }
    // Paging merges both sources without gaps or repeats.
    const page1 = await home(fans[0], { limit: 3 });
    const page2 = await home(fans[0], { limit: 3, max_id: page1[2] });
    const page3 = await home(fans[0], { limit: 3, max_id: page2[2] });
    assert.deepEqual([...page1, ...page2, ...page3], expected);
    assert.deepEqual(await home(fans[0], { limit: 2, min_id: expected[4] }), expected.slice(2, 4));
    // Unfollowing a celebrity removes their posts at once.
    await celeb.ok('POST', `/api/v1/accounts/${star.id}/unfollow`, { token: fans[1].token });
    assert.deepEqual(await home(fans[1]), []);
    // A delete disappears too.
    await celeb.ok('DELETE', `/api/v1/statuses/${starPosts[4].id}`, { token: star.token });
    assert.ok(!(await home(fans[2])).includes(starPosts[4].id));
  } finally {
    await celeb.close();
  }
});

test('at most home_timelines_max home timelines are kept; a dropped one is built again on its ' +
     'next read', async () => {
  // One timeline in each of the 64 shards, for 100 readers: at most 64 are kept, and where two
  // readers meet in a shard the one read longest ago is dropped.
  const small = await startServer({ configToml: '[timelines]\nhome_timelines_max = 1\n' });
  try {
    const author = await small.signUp('kept_author');
    const first = await small.postStatus(author, 'before any reader');
    const readers = [];
    for (let i = 0; i < 100; i++) {
      const r = await small.signUp(`kept_reader${i}`);
      await small.ok('POST', `/api/v1/accounts/${author.id}/follow`, { token: r.token });
      readers.push(r);
    }
    const home = async (u) => (await small.ok('GET', '/api/v1/timelines/home', { token: u.token }))
      .map((x) => x.id);
    for (const r of readers) assert.deepEqual(await home(r), [first.id]);
    const fanout = await small.ok('GET', '/api/plaza/v1/fanout');
    assert.ok(fanout.home_timelines <= 64, JSON.stringify(fanout));
    assert.ok(fanout.home_timelines_dropped >= 36, JSON.stringify(fanout));
    assert.equal(fanout.home_timelines + fanout.home_timelines_dropped, 100, JSON.stringify(fanout));
    // The post is pushed into the timelines kept, and read from the author's posts into those
    // built again.
    const second = await small.postStatus(author, 'after every reader');
    for (const r of readers) {
      assert.deepEqual(await eventually(async () => {
        const ids = await home(r);
        return ids.length === 2 && ids;
      }, `reader ${r.username}'s home`), [second.id, first.id]);
    }
  } finally {
    await small.close();
  }
});

// Statuses are served from rendered JSON kept in memory (src/api/render_cache.h); what changes
// after a status was first rendered — counters, the viewer's flags, the author's profile, an edit
// — must show in the next read.
test('a timeline read after changes shows them (rendered JSON is not stale)', async () => {
  const author = await s.signUp('fresh_author');
  const fan = await s.signUp('fresh_fan');
  await s.ok('POST', `/api/v1/accounts/${author.id}/follow`, { token: fan.token });
  const st = await s.postStatus(author, 'render me once');
  const first = await eventually(async () => {
    const home = await s.ok('GET', '/api/v1/timelines/home', { token: fan.token });
    return home.find((x) => x.id === st.id);
  }, 'the post in the fan home');
  assert.equal(first.favourites_count, 0);
  assert.equal(first.favourited, false);
  assert.equal(first.account.statuses_count, 1);

  await s.ok('POST', `/api/v1/statuses/${st.id}/favourite`, { token: fan.token });
  await s.ok('PATCH', '/api/v1/accounts/update_credentials', {
    token: author.token, json: { display_name: '新名字' },
  });
  await s.ok('PUT', `/api/v1/statuses/${st.id}`, {
    token: author.token, json: { status: 'rendered twice' },
  });
  await s.postStatus(author, 'another one');

  const home = await s.ok('GET', '/api/v1/timelines/home', { token: fan.token });
  const again = home.find((x) => x.id === st.id);
  assert.equal(again.favourites_count, 1);
  assert.equal(again.favourited, true);
  assert.equal(again.account.display_name, '新名字');
  assert.equal(again.account.statuses_count, 2);
  assert.equal(again.content, '<p>rendered twice</p>');
  assert.ok(again.edited_at);
  // Another viewer gets its own flags from the same rendered status.
  const anon = await s.ok('GET', `/api/v1/statuses/${st.id}`);
  assert.equal(anon.favourited, false);
  assert.equal(anon.favourites_count, 1);
});
