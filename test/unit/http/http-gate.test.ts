// The gate in front of a real HTTP server on 127.0.0.1, with a fake clock so a login link's
// lifetime is walked exactly.
import { createServer, request, type Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { HttpGate } from '../../../src/daemon/http/http-gate.js';
import { FakeClock } from '../../support/fake-clock.js';

const TOKEN = { value: 'the-token-0123456789abcdef', file: '/state/http-token' };
let server: Server | undefined;

afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

async function gated(clock: FakeClock): Promise<{ gate: HttpGate; port: number }> {
  let gate!: HttpGate;
  server = createServer((req, res) => {
    if (gate.admit(req, res)) res.writeHead(200).end('through');
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  gate = new HttpGate(TOKEN, clock, `http://127.0.0.1:${port}`);
  return { gate, port };
}

function call(port: number, method: string, path: string, headers: Record<string, string> = {}): Promise<{ status: number; cookie?: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, cookie: res.headers['set-cookie']?.[0]?.split(';')[0] }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('the TCP listener gate', () => {
  it('a login link works once, within five minutes, and its cookie then lets requests through', async () => {
    const clock = new FakeClock();
    const { gate, port } = await gated(clock);
    const link = new URL(gate.loginLink().url);
    const expired = new URL(gate.loginLink().url);
    expect(link.origin).toBe(`http://127.0.0.1:${port}`);

    const login = await call(port, 'GET', link.pathname + link.search);
    expect(login.status).toBe(303);
    expect((await call(port, 'GET', link.pathname + link.search)).status).toBe(401);
    expect((await call(port, 'GET', '/', { cookie: login.cookie! })).status).toBe(200);

    await clock.advance(5 * 60_000);
    expect((await call(port, 'GET', expired.pathname + expired.search)).status).toBe(401);
  });

  it('writes need the custom header with the cookie, and nothing cross-site', async () => {
    const { gate, port } = await gated(new FakeClock());
    const link = new URL(gate.loginLink().url);
    const cookie = (await call(port, 'GET', link.pathname + link.search)).cookie!;
    const bearer = `Bearer ${TOKEN.value}`;
    expect((await call(port, 'POST', '/v1/x', { cookie })).status).toBe(403);
    expect((await call(port, 'POST', '/v1/x', { cookie, 'x-composed-request': '1' })).status).toBe(200);
    expect((await call(port, 'POST', '/v1/x', { cookie, 'x-composed-request': '1', 'sec-fetch-site': 'same-site' })).status).toBe(403);
    expect((await call(port, 'POST', '/v1/x', { cookie, 'x-composed-request': '1', origin: 'http://127.0.0.1:1' })).status).toBe(403);
    expect((await call(port, 'POST', '/v1/x', { authorization: bearer })).status).toBe(200);
    expect((await call(port, 'DELETE', '/v1/x', { authorization: bearer, origin: 'null' })).status).toBe(403);
    // Reads are not refused for their origin: they change nothing, and no CORS header lets another site read them.
    expect((await call(port, 'GET', '/v1/x', { authorization: bearer, 'sec-fetch-site': 'cross-site' })).status).toBe(200);
    expect((await call(port, 'GET', '/v1/x', { authorization: 'bearer the-token-0123456789abcdeX' })).status).toBe(401);
  });
});
