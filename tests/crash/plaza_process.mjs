// Starts and stops a real `plaza serve` for the Node test suites (crash test, masto client test).
//
// Contract:
// - plazaBin() returns process.env.PLAZA_BIN or throws a clear error when it is unset or missing.
// - startPlaza({dataDir}) spawns `plaza serve` on a free loopback port with rate limits off,
//   waits until GET /health answers 200 and resolves to a PlazaProcess. It rejects (with the last
//   lines the server logged) if the server exits or is not healthy within `readyTimeoutMs`.
// - PlazaProcess.kill(signal) sends the signal and resolves once the process has exited, with
//   {code, signal}. The `url` field is the base URL ("http://127.0.0.1:PORT").
// - apiRequest() is a small fetch wrapper that never throws for HTTP errors: it resolves to
//   {status, body (parsed JSON or text), headers}; network errors (server killed) reject.
// Loopback only; every request has a timeout so a hung server fails the test instead of hanging it.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';

export function plazaBin() {
  const bin = process.env.PLAZA_BIN;
  if (!bin) {
    throw new Error('PLAZA_BIN is not set: point it at the plaza binary ' +
                    '(e.g. PLAZA_BIN=build/src/app/plaza node --test tests/crash/)');
  }
  if (!fs.existsSync(bin)) throw new Error(`PLAZA_BIN=${bin} does not exist`);
  return bin;
}

// A port the kernel considers free right now (bound then released).
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

export class PlazaProcess {
  constructor(child, url, logTail) {
    this.child = child;
    this.url = url;
    this.logTail = logTail;
    this.exited = new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) {
        resolve({ code: child.exitCode, signal: child.signalCode });
      } else {
        child.once('exit', (code, signal) => resolve({ code, signal }));
      }
    });
  }

  get alive() { return this.child.exitCode === null && this.child.signalCode === null; }

  log() { return this.logTail.join('\n'); }

  async kill(signal = 'SIGTERM') {
    if (this.alive) this.child.kill(signal);
    return this.exited;
  }
}

async function startOnce({ dataDir, extraArgs, readyTimeoutMs }) {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const args = ['serve', '--listen', `127.0.0.1:${port}`, '--data-dir', dataDir,
                '--no-rate-limit', '--log-level', 'warn', ...extraArgs];
  const child = spawn(plazaBin(), args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const logTail = [];
  const keep = (chunk) => {
    for (const line of chunk.toString().split('\n')) {
      if (!line) continue;
      logTail.push(line);
      if (logTail.length > 40) logTail.shift();
    }
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const proc = new PlazaProcess(child, url, logTail);
  const deadline = Date.now() + readyTimeoutMs;
  while (Date.now() < deadline) {
    if (!proc.alive) {
      const { code, signal } = await proc.exited;
      return { proc: null, why: `plaza exited (code ${code}, signal ${signal}):\n${proc.log()}` };
    }
    try {
      const res = await fetch(`${url}/health`, { signal: AbortSignal.timeout(2000) });
      await res.arrayBuffer();
      if (res.status === 200) return { proc };
    } catch {
      // not listening yet
    }
    await sleep(50);
  }
  await proc.kill('SIGKILL');
  throw new Error(`plaza did not answer /health within ${readyTimeoutMs} ms:\n${proc.log()}`);
}

export async function startPlaza({ dataDir, extraArgs = [], readyTimeoutMs = 60000 }) {
  // The free port can be taken between the probe and plaza's bind: retry a few times.
  let why = '';
  for (let attempt = 0; attempt < 3; attempt++) {
    const r = await startOnce({ dataDir, extraArgs, readyTimeoutMs });
    if (r.proc) return r.proc;
    why = r.why;
    if (!/listen|bind|address/i.test(why)) break;
  }
  throw new Error(`cannot start plaza: ${why}`);
}

export async function apiRequest(baseUrl, method, path, { token, body, headers = {},
                                                          timeoutMs = 30000 } = {}) {
  const h = { ...headers };
  if (token) h.Authorization = `Bearer ${token}`;
  let payload;
  if (body !== undefined) {
    h['Content-Type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  const res = await fetch(baseUrl + path, {
    method, headers: h, body: payload, signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await res.text();
  let parsed = text;
  if ((res.headers.get('content-type') || '').startsWith('application/json')) {
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = text;
    }
  }
  return { status: res.status, body: parsed, headers: res.headers };
}
