// Test helper for the API suites: runs a real `plaza serve` on a temporary data directory and a
// free port, and talks HTTP to it with Node's global fetch.
//
// Contract:
// - PLAZA_BIN must name the plaza binary; startServer() throws a clear error when it is unset or
//   does not exist.
// - startServer() resolves once GET /health answers 200; stop() sends SIGTERM and waits for the
//   process to exit (SIGKILL after a grace period); restart() stops and starts again on the same
//   data directory and port.
// - request() never throws on an HTTP error status: it resolves { status, headers, text, json }
//   (json is null when the body is not JSON).
// - signUp() registers an account through POST /api/v1/accounts with an app token from the
//   client_credentials grant and returns { id, username, email, password, token }.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

const ALL_SCOPES = 'read write follow push';
const live = new Set();

process.on('exit', () => {
  for (const child of live) {
    try { child.kill('SIGKILL'); } catch { /* already gone */ }
  }
});

export function plazaBin() {
  const bin = process.env.PLAZA_BIN;
  if (!bin) {
    throw new Error('PLAZA_BIN is not set: point it at the plaza binary ' +
                    '(e.g. PLAZA_BIN=build/src/app/plaza node --test tests/api/)');
  }
  if (!existsSync(bin)) throw new Error(`PLAZA_BIN=${bin} does not exist`);
  return bin;
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// A running (or stopped) plaza server.
export class Plaza {
  constructor({ dataDir, port, rateLimit, config, extraArgs, openFilesSoftLimit }) {
    this.openFilesSoftLimit = openFilesSoftLimit;
    this.dataDir = dataDir;
    this.port = port;
    this.rateLimit = rateLimit;
    this.config = config;
    this.extraArgs = extraArgs;
    this.base = `http://127.0.0.1:${port}`;
    this.log = '';
    this.child = null;
    this.ownsDir = false;
    this.app = null;
    this.appTokenValue = null;
    this.counter = 0;
  }

  args() {
    const args = [];
    if (this.config) args.push('-c', this.config);
    args.push('serve', '--listen', `127.0.0.1:${this.port}`, '--data-dir', this.dataDir);
    if (!this.rateLimit) args.push('--no-rate-limit');
    args.push(...this.extraArgs);
    return args;
  }

  async start() {
    const bin = plazaBin();
    // With openFilesSoftLimit, started through a shell that lowers its soft open-file limit
    // first (exec keeps the pid).
    const [cmd, args] = this.openFilesSoftLimit === undefined
      ? [bin, this.args()]
      : ['bash', ['-c', `ulimit -Sn ${this.openFilesSoftLimit} && exec "$@"`, 'bash', bin,
                  ...this.args()]];
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    live.add(child);
    let exited = null;
    child.on('exit', (code, signal) => {
      exited = { code, signal };
      live.delete(child);
    });
    const append = (d) => {
      this.log += d.toString();
      if (this.log.length > 200000) this.log = this.log.slice(-100000);
    };
    child.stdout.on('data', append);
    child.stderr.on('data', append);
    const deadline = Date.now() + 60000;
    while (Date.now() < deadline) {
      if (exited) {
        throw new Error(`plaza exited during start-up (${JSON.stringify(exited)}):\n${this.log}`);
      }
      try {
        const r = await fetch(`${this.base}/health`);
        await r.arrayBuffer();
        if (r.status === 200) return this;
      } catch { /* not listening yet */ }
      await sleep(50);
    }
    child.kill('SIGKILL');
    throw new Error(`plaza did not answer /health within 60 s:\n${this.log}`);
  }

  // SIGTERM, then wait for a clean exit; resolves the exit { code, signal }.
  async stop() {
    const child = this.child;
    if (!child) return null;
    this.child = null;
    if (child.exitCode !== null || child.signalCode !== null) {
      return { code: child.exitCode, signal: child.signalCode };
    }
    const done = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 30000);
    const result = await done;
    clearTimeout(timer);
    return result;
  }

  async restart() {
    const exit = await this.stop();
    await this.start();
    return exit;
  }

  // Stops the server and removes the temporary data directory.
  async close() {
    await this.stop();
    if (this.ownsDir) {
      rmSync(this.dataDir, { recursive: true, force: true });
      if (this.config) rmSync(this.config, { force: true });
    }
  }

  url(p) { return p.startsWith('http') ? p : this.base + p; }

  // One HTTP request. opts: token, json (object → JSON body), form (object → urlencoded),
  // multipart (object → FormData), body (raw string/Buffer with opts.contentType), query
  // (object or URLSearchParams), headers. Array values repeat the key (`key[]` is up to the caller).
  async request(method, p, opts = {}) {
    const headers = { ...(opts.headers || {}) };
    if (opts.token) headers.Authorization = `Bearer ${opts.token}`;
    let body;
    if (opts.json !== undefined) {
      body = JSON.stringify(opts.json);
      headers['Content-Type'] = 'application/json';
    } else if (opts.form !== undefined) {
      body = toSearchParams(opts.form).toString();
      headers['Content-Type'] = 'application/x-www-form-urlencoded';
    } else if (opts.multipart !== undefined) {
      const fd = new FormData();
      for (const [k, v] of Object.entries(opts.multipart)) {
        for (const x of Array.isArray(v) ? v : [v]) fd.append(k, String(x));
      }
      body = fd;  // fetch sets the multipart boundary
    } else if (opts.body !== undefined) {
      body = opts.body;
      if (opts.contentType) headers['Content-Type'] = opts.contentType;
    }
    let url = this.url(p);
    if (opts.query) url += (url.includes('?') ? '&' : '?') + toSearchParams(opts.query).toString();
    const res = await fetch(url, { method, headers, body, redirect: 'manual' });
    const text = await res.text();
    let json = null;
    if ((res.headers.get('content-type') || '').includes('application/json')) {
      try { json = JSON.parse(text); } catch { json = null; }
    }
    return { status: res.status, headers: res.headers, text, json };
  }

  get(p, opts) { return this.request('GET', p, opts); }
  post(p, opts) { return this.request('POST', p, opts); }
  put(p, opts) { return this.request('PUT', p, opts); }
  patch(p, opts) { return this.request('PATCH', p, opts); }
  delete(p, opts) { return this.request('DELETE', p, opts); }

  // Like request() but asserts the status, returning the parsed JSON.
  async ok(method, p, opts = {}, expected = 200) {
    const r = await this.request(method, p, opts);
    if (r.status !== expected) {
      throw new Error(`${method} ${p} → ${r.status} (expected ${expected}): ${r.text.slice(0, 500)}`);
    }
    return r.json;
  }

  async createApp({ scopes = ALL_SCOPES, redirectUris = 'urn:ietf:wg:oauth:2.0:oob', name } = {}) {
    return this.ok('POST', '/api/v1/apps', {
      json: { client_name: name || `test-app-${++this.counter}`, redirect_uris: redirectUris, scopes },
    });
  }

  async clientCredentials(app, scope) {
    const body = { grant_type: 'client_credentials', client_id: app.client_id,
                   client_secret: app.client_secret };
    if (scope) body.scope = scope;
    return this.ok('POST', '/oauth/token', { form: body });
  }

  // The shared app (all scopes) and its app-level token, created on first use.
  async defaultApp() {
    if (!this.app) {
      this.app = await this.createApp({ name: 'plaza-api-tests' });
      this.appTokenValue = (await this.clientCredentials(this.app)).access_token;
    }
    return { app: this.app, token: this.appTokenValue };
  }

  async passwordGrant(login, password, { app, scope } = {}) {
    const a = app || (await this.defaultApp()).app;
    const body = { grant_type: 'password', client_id: a.client_id, client_secret: a.client_secret,
                   username: login, password };
    if (scope) body.scope = scope;
    return this.request('POST', '/oauth/token', { form: body });
  }

  // Registers an account; returns { id, username, email, password, token, acct }.
  async signUp(username, { email, password = 'correct horse battery', agreement = true } = {}) {
    const { token: appToken } = await this.defaultApp();
    const user = username || `user${++this.counter}_${process.pid % 1000}`;
    const mail = email || `${user.toLowerCase()}@example.test`;
    const created = await this.ok('POST', '/api/v1/accounts', {
      token: appToken, json: { username: user, email: mail, password, agreement },
    });
    const me = await this.ok('GET', '/api/v1/accounts/verify_credentials', {
      token: created.access_token,
    });
    return { id: me.id, username: user, email: mail, password, token: created.access_token, acct: me };
  }

  // Posts a status as `user`; returns the status JSON.
  async postStatus(user, fields) {
    if (typeof fields === 'string') fields = { status: fields };
    return this.ok('POST', '/api/v1/statuses', { token: user.token, json: fields });
  }
}

// Every test server prepares its write-ahead logs 4 MiB at a time instead of the default 64
// (storage.prepared_wal_mb): the same code path, without writing and syncing 64 MiB at each of
// the suites' many start-ups. The crash tests and the storage tests keep the default.
const TEST_STORAGE_TOML = '[storage]\nprepared_wal_mb = 4\n';

// Starts plaza on a fresh temporary data directory and a free port.
// options: rateLimit (default false → --no-rate-limit), configToml (text written to a file and
// passed with -c, after TEST_STORAGE_TOML), extraArgs (more serve flags), dataDir (reuse a
// directory).
export async function startServer(options = {}) {
  plazaBin();
  const dataDir = options.dataDir || mkdtempSync(path.join(os.tmpdir(), 'plaza-api-'));
  const config = path.join(dataDir + '.toml');
  writeFileSync(config, TEST_STORAGE_TOML + (options.configToml || ''));
  let lastError;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const server = new Plaza({ dataDir, port, rateLimit: options.rateLimit ?? false, config,
                               extraArgs: options.extraArgs || [],
                               openFilesSoftLimit: options.openFilesSoftLimit });
    server.ownsDir = !options.dataDir;
    try {
      return await server.start();
    } catch (e) {
      lastError = e;  // most likely the port was taken between freePort() and the bind
      if (/exited during start-up/.test(e.message) && !/cannot listen/.test(e.message)) break;
    }
  }
  if (!options.dataDir) {
    rmSync(dataDir, { recursive: true, force: true });
    if (config) rmSync(config, { force: true });
  }
  throw lastError;
}

function toSearchParams(obj) {
  if (obj instanceof URLSearchParams) return obj;
  const sp = new URLSearchParams();
  for (const [k, v] of Object.entries(obj)) {
    if (v === undefined) continue;
    for (const x of Array.isArray(v) ? v : [v]) sp.append(k, String(x));
  }
  return sp;
}

// Parses a Mastodon Link header into { next, prev } URLs (undefined when absent).
export function parseLink(header) {
  const out = {};
  if (!header) return out;
  for (const part of header.split(',')) {
    const m = part.match(/<([^>]+)>\s*;\s*rel="([^"]+)"/);
    if (m) out[m[2]] = m[1];
  }
  return out;
}

// Polls until fn() returns a truthy value and resolves to it (fan-out and deferred notifications
// are asynchronous), failing after 10 s with `what`.
export async function eventually(fn, what) {
  const deadline = Date.now() + 10000;
  let last;
  while (Date.now() < deadline) {
    last = await fn();
    if (last) return last;
    await sleep(50);
  }
  assert.fail(`timed out waiting for ${what}`);
}

// Asserts a JSON error body: { error: "<non-empty string>" }.
export function isJsonError(r) {
  return r.json !== null && typeof r.json === 'object' && typeof r.json.error === 'string' &&
         r.json.error.length > 0;
}

export { ALL_SCOPES };

// Sends raw bytes over one TCP connection and parses the first HTTP response (status, lower-case
// headers, body, json). For requests fetch cannot make: oversized bodies the server refuses before
// reading them, huge headers, malformed request lines. Resolves when the response is complete, the
// server closes the connection, or timeoutMs passes.
export function rawHttp(port, chunks, { timeoutMs = 10000 } = {}) {
  return new Promise((resolve, reject) => {
    const sock = net.connect(port, '127.0.0.1');
    let buf = Buffer.alloc(0);
    let settled = false;
    const finish = () => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      sock.destroy();
      const parsed = parseRawResponse(buf);
      if (parsed) resolve(parsed);
      else reject(new Error(`no complete HTTP response: ${JSON.stringify(buf.toString().slice(0, 300))}`));
    };
    const timer = setTimeout(finish, timeoutMs);
    sock.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      const parsed = parseRawResponse(buf);
      if (parsed && parsed.complete) finish();
    });
    sock.on('error', () => finish());  // e.g. EPIPE/ECONNRESET after the server answered early
    sock.on('close', finish);
    sock.on('connect', async () => {
      for (const c of Array.isArray(chunks) ? chunks : [chunks]) {
        if (settled || sock.destroyed) return;
        const ok = sock.write(c);
        if (!ok) await new Promise((r) => { sock.once('drain', r); sock.once('close', r); });
      }
    });
    sock.on('timeout', finish);
    void reject;
  });
}

function parseRawResponse(buf) {
  const end = buf.indexOf('\r\n\r\n');
  if (end < 0) return null;
  const head = buf.subarray(0, end).toString('latin1').split('\r\n');
  const m = head[0].match(/^HTTP\/1\.[01] (\d{3})/);
  if (!m) return null;
  const headers = {};
  for (const line of head.slice(1)) {
    const i = line.indexOf(':');
    if (i > 0) headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
  }
  const len = Number(headers['content-length'] ?? 0);
  const body = buf.subarray(end + 4, end + 4 + len).toString('utf8');
  let json = null;
  try { json = JSON.parse(body); } catch { json = null; }
  return { status: Number(m[1]), headers, body, json, complete: buf.length >= end + 4 + len };
}
