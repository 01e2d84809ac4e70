// Who may use `composed daemon --http`: every dashboard and API URL answers 401 without the token;
// the token works as `Authorization: Bearer` and as the cookie a one-time login link sets; requests
// that change state from another site are refused (403); an address other hosts can reach is
// refused without an explicit token; the unix socket needs none. Only 127.0.0.1 is connected to.
import { request } from 'node:http';
import { chmod, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { DashboardLogin } from '../../src/protocol/dashboard.js';
import { newDaemon, runCli, type CliResult, type DaemonHandle } from '../support/daemon.js';
import { describeWithEngine } from '../support/engine.js';
import { freePort } from '../support/free-port.js';

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function call(port: number, method: string, path: string, headers: Record<string, string> = {}, body?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers: body ? { 'content-type': 'application/json', ...headers } : headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Every kind of URL the listener serves: pages, assets, the live stream, history, the API. */
const URLS: Array<[string, string]> = [
  ['GET', '/'],
  ['GET', '/events'],
  ['GET', '/projects/some-project'],
  ['GET', '/projects/some-project/services/web'],
  ['GET', '/projects/some-project/replicas/some-project-web-1?service=web'],
  ['GET', '/assets/app.js'],
  ['GET', '/assets/app.css'],
  ['GET', '/live?view=overview'],
  ['GET', '/history/some-project/web'],
  ['GET', '/no/such/page'],
  ['GET', '/v1/version'],
  ['GET', '/v1/projects'],
  ['GET', '/v1/events?follow=true'],
  ['GET', '/metrics'],
  ['POST', '/v1/projects'],
  ['POST', '/v1/projects/some-project/services/web/restart'],
  ['POST', '/v1/dashboard/login'],
  ['DELETE', '/v1/projects/some-project'],
  ['GET', '/login?once=not-a-link'],
];

describeWithEngine('the dashboard listener (--http)', () => {
  let daemon: DaemonHandle;
  let port: number;
  let token: string;

  beforeAll(async () => {
    port = await freePort();
    daemon = await newDaemon();
    await daemon.start(['--http', `127.0.0.1:${port}`]);
    token = (await readFile(join(daemon.stateDir, 'http-token'), 'utf8')).trim();
  });
  afterAll(() => daemon.stop());

  it('answers 401 on every dashboard and API URL without the token, and with a wrong one', async () => {
    for (const [method, path] of URLS) {
      const bare = await call(port, method, path);
      expect(bare.status, `${method} ${path}`).toBe(401);
      expect(bare.body).not.toContain('<html');
      const wrong = await call(port, method, path, { authorization: 'Bearer not-the-token-at-all', cookie: 'composed_session=forged' });
      expect(wrong.status, `${method} ${path} with a wrong token`).toBe(401);
    }
  });

  it('keeps the generated token in the state dir, mode 0600, and takes it as a Bearer token', async () => {
    const { stat } = await import('node:fs/promises');
    expect((await stat(join(daemon.stateDir, 'http-token'))).mode & 0o777).toBe(0o600);
    const auth = { authorization: `Bearer ${token}` };
    expect((await call(port, 'GET', '/v1/projects', auth)).body).toBe('[]');
    const page = await call(port, 'GET', '/', auth);
    expect(page.status).toBe(200);
    expect(page.body).toContain('All projects');
    expect((await call(port, 'GET', '/assets/app.js', auth)).body).toContain('EventSource');
  });

  it('a login link from `composed dashboard` sets the session cookie once; the unix socket needs no token', async () => {
    const printed = await daemon.cli(['dashboard', '--json']);
    expect(printed.code, printed.stderr).toBe(0);
    const login = JSON.parse(printed.stdout) as DashboardLogin;
    const url = new URL(login.url);
    expect(url.origin).toBe(`http://127.0.0.1:${port}`);
    expect(login.tokenFile).toBe(join(daemon.stateDir, 'http-token'));

    const first = await call(port, 'GET', `${url.pathname}${url.search}`);
    expect(first.status).toBe(303);
    expect(first.headers.location).toBe('/');
    const setCookie = String(first.headers['set-cookie']);
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Strict/);
    expect(setCookie).not.toContain(token);
    const cookie = setCookie.split(';')[0]!;
    expect((await call(port, 'GET', '/', { cookie })).status).toBe(200);

    const again = await call(port, 'GET', `${url.pathname}${url.search}`);
    expect(again.status).toBe(401);
    expect(again.body).toMatch(/used or expired/);
  });

  it('refuses a request that changes state from another site, with the cookie or the Bearer token', async () => {
    const login = JSON.parse((await daemon.cli(['dashboard', '--json'])).stdout) as DashboardLogin;
    const url = new URL(login.url);
    const cookie = String((await call(port, 'GET', `${url.pathname}${url.search}`)).headers['set-cookie']).split(';')[0]!;
    const restart = '/v1/projects/no-such-project/services/web/restart';

    const crossSite = await call(port, 'POST', restart, { cookie, origin: 'http://evil.example', 'sec-fetch-site': 'cross-site', 'x-composed-request': '1' }, '{}');
    expect(crossSite.status).toBe(403);
    expect(crossSite.body).toMatch(/cross-site/);
    const otherOrigin = await call(port, 'POST', restart, { cookie, origin: 'http://evil.example', 'x-composed-request': '1' }, '{}');
    expect(otherOrigin.status).toBe(403);
    // A plain form post (no custom header) is what a cross-site page could send with the cookie.
    const formLike = await call(port, 'POST', restart, { cookie }, '{}');
    expect(formLike.status).toBe(403);
    expect(formLike.body).toMatch(/x-composed-request/);
    const bearerCrossSite = await call(port, 'POST', restart, { authorization: `Bearer ${token}`, 'sec-fetch-site': 'cross-site' }, '{}');
    expect(bearerCrossSite.status).toBe(403);

    // The same request from the dashboard itself passes the gate and reaches the API (no such project).
    const sameOrigin = await call(port, 'POST', restart, { cookie, origin: `http://127.0.0.1:${port}`, 'sec-fetch-site': 'same-origin', 'x-composed-request': '1' }, '{}');
    expect(sameOrigin.status).toBe(404);
    const script = await call(port, 'POST', restart, { authorization: `Bearer ${token}` }, '{}');
    expect(script.status).toBe(404);
  });

  it('an exec/run upgrade without the token gets 401', async () => {
    const answer = await call(port, 'POST', '/v1/projects/p/services/web/exec', { connection: 'Upgrade', upgrade: 'composed-session' });
    expect(answer.status).toBe(401);
  });
});

/** `composed daemon ARGS` that is expected to refuse to start: its exit and what it printed. */
async function refusedStart(daemon: DaemonHandle, args: string[]): Promise<CliResult> {
  const result = await runCli(['daemon', '--socket', daemon.socket, '--state-dir', daemon.stateDir, ...args]);
  expect(result.code).toBe(1);
  return result;
}

describeWithEngine('the dashboard listener refuses to start open to other hosts', () => {
  it('refuses --http 0.0.0.0:PORT without a token, naming the flags that give one', async () => {
    const daemon = await newDaemon();
    const port = await freePort();
    const { stderr } = await refusedStart(daemon, ['--http', `0.0.0.0:${port}`]);
    expect(stderr).toMatch(/--http 0\.0\.0\.0:\d+ is reachable from other hosts.*--http-token-file FILE.*--http-token-generate/);
  });

  it('refuses a bad --http address and a token file others can read; serves with a good one', async () => {
    const bad = await newDaemon();
    expect((await refusedStart(bad, ['--http', 'example.com:80'])).stderr).toMatch(/--http: "example\.com:80" is not HOST:PORT/);

    const daemon = await newDaemon();
    const file = join(daemon.dir, 'token');
    await writeFile(file, 'a-token-of-enough-length-0123456789\n');
    await chmod(file, 0o644);
    const port = await freePort();
    expect((await refusedStart(daemon, ['--http', `127.0.0.1:${port}`, '--http-token-file', file])).stderr).toMatch(/--http-token-file: .* is readable by others \(mode 644\)/);

    await chmod(file, 0o600);
    try {
      await daemon.start(['--http', `127.0.0.1:${port}`, '--http-token-file', file]);
      expect((await call(port, 'GET', '/v1/projects', { authorization: 'Bearer a-token-of-enough-length-0123456789' })).status).toBe(200);
    } finally {
      await daemon.stop();
    }
  });

  it('`composed dashboard` says how to turn the dashboard on when the daemon has no --http', async () => {
    const daemon = await newDaemon();
    await daemon.start();
    try {
      const printed = await daemon.cli(['dashboard']);
      expect(printed.code).toBe(1);
      expect(printed.stderr).toMatch(/serves no dashboard: start it with --http 127\.0\.0\.1:PORT/);
    } finally {
      await daemon.stop();
    }
  });
});
