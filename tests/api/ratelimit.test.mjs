// Rate limits: per-IP and per-token token buckets configured in a TOML file answer 429 with
// X-RateLimit-Limit / -Remaining / -Reset (and Retry-After), as JSON errors. These servers run
// WITHOUT --no-rate-limit.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, isJsonError } from './lib/server.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function assert429(r, burst) {
  assert.equal(r.status, 429);
  assert.ok(isJsonError(r), r.text);
  assert.equal(r.headers.get('x-ratelimit-limit'), String(burst));
  assert.equal(r.headers.get('x-ratelimit-remaining'), '0');
  const reset = r.headers.get('x-ratelimit-reset');
  assert.ok(reset, 'X-RateLimit-Reset present');
  const resetMs = Date.parse(reset);
  assert.ok(!Number.isNaN(resetMs), `Reset is a date: ${reset}`);
  assert.ok(resetMs >= Date.now() - 2000 && resetMs <= Date.now() + 120000, `Reset soon: ${reset}`);
  const retry = Number(r.headers.get('retry-after'));
  assert.ok(Number.isInteger(retry) && retry >= 1, `Retry-After ${r.headers.get('retry-after')}`);
}

test('per-IP limit from the config file: 429 with X-RateLimit headers, then refills', async () => {
  const burst = 8;
  const s = await startServer({
    rateLimit: true,
    configToml: `[limits]\nip_per_second = 0.25\nip_burst = ${burst}\ntoken_per_second = 1000.0\n` +
                'token_burst = 1000\n',
  });
  try {
    // The start-up /health check took one token; one token comes back every 4 s.
    const results = [];
    for (let i = 0; i < burst + 6; i++) results.push(await s.get('/api/v1/timelines/public'));
    const statuses = results.map((r) => r.status);
    const ok = statuses.filter((x) => x === 200).length;
    assert.ok(ok >= burst - 2 && ok <= burst, `about ${burst} allowed: ${statuses}`);
    assert.equal(statuses[0], 200);
    assert.equal(statuses.at(-1), 429, `${statuses}`);
    // Once limited, it stays limited for the rest of the burst.
    const first429 = statuses.indexOf(429);
    assert.ok(statuses.slice(first429).every((x) => x === 429), `${statuses}`);
    assert429(results.at(-1), burst);
    // Every route is covered, errors included.
    assert.equal((await s.get('/api/v1/nope')).status, 429);
    // The bucket refills at the configured rate.
    await sleep(4500);
    const again = await s.get('/api/v1/timelines/public');
    assert.equal(again.status, 200);
  } finally {
    await s.close();
  }
});

test('per-token limit: one token is limited, another token is not', async () => {
  const burst = 5;
  const s = await startServer({
    rateLimit: true,
    configToml: `[limits]\nip_per_second = 1000.0\nip_burst = 1000\ntoken_per_second = 0.5\n` +
                `token_burst = ${burst}\n`,
  });
  try {
    // signUp uses the app token twice (sign-up, then verify_credentials with the user token).
    const a = await s.signUp('limited_a');
    const b = await s.signUp('limited_b');
    const statuses = [];
    let last;
    for (let i = 0; i < burst + 3; i++) {
      last = await s.get('/api/v1/accounts/verify_credentials', { token: a.token });
      statuses.push(last.status);
    }
    assert.equal(statuses[0], 200, `${statuses}`);
    assert.equal(statuses.at(-1), 429, `${statuses}`);
    assert.ok(statuses.filter((x) => x === 200).length <= burst, `${statuses}`);
    assert429(last, burst);
    // Writes are limited too, and nothing is written when refused.
    const post = await s.post('/api/v1/statuses', { token: a.token, json: { status: 'limited' } });
    assert.equal(post.status, 429);
    assert.equal((await s.ok('GET', `/api/v1/accounts/${a.id}`)).statuses_count, 0);
    // Another token of another account is unaffected; anonymous reads are not token-limited.
    await s.ok('GET', '/api/v1/accounts/verify_credentials', { token: b.token });
    await s.ok('GET', '/api/v1/timelines/public');
  } finally {
    await s.close();
  }
});

test('a config file with a bad value is refused at start-up', async () => {
  await assert.rejects(
    startServer({ configToml: '[limits]\nip_burst = "lots"\n' }),
    /exited during start-up/);
});
