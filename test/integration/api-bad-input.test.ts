// Bad input against a real daemon's control socket: malformed JSON, wrong types, unknown fields,
// huge bodies, slow and half-closed connections, unknown paths and methods, hostile project names,
// thousands of concurrent requests. Each gets a 4xx (or its connection is closed), nothing gets a
// 5xx, and the daemon keeps answering /v1/version after every one.
import { createConnection } from 'node:net';
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DaemonHandle, newDaemon } from '../support/daemon.js';
import { describeWithEngine } from '../support/engine.js';

interface RawAnswer {
  /** 0 when the daemon closed the connection without an answer. */
  status: number;
  head: string;
  body: string;
}

/** Sends bytes as they are and reads until the daemon closes (or `timeoutMs`, then status -1). */
function raw(socket: string, chunks: Array<string | Buffer>, opts: { halfClose?: boolean; timeoutMs?: number; delayMs?: number } = {}): Promise<RawAnswer> {
  return new Promise((resolve) => {
    const conn = createConnection(socket);
    let text = '';
    let settled = false;
    const done = (timedOut = false) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      conn.destroy();
      const [head = '', body = ''] = text.split('\r\n\r\n', 2);
      const status = timedOut && text === '' ? -1 : Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0);
      resolve({ status, head, body });
    };
    const timer = setTimeout(() => done(true), opts.timeoutMs ?? 15_000);
    conn.on('data', (d: Buffer) => {
      text += d.toString('utf8');
      // One answer is enough: stop once a complete JSON error body (content-length) has arrived.
      const length = /content-length: (\d+)/i.exec(text)?.[1];
      const at = text.indexOf('\r\n\r\n');
      if (length !== undefined && at >= 0 && Buffer.byteLength(text.slice(at + 4)) >= Number(length)) done();
    });
    conn.on('error', () => done());
    conn.on('close', () => done());
    conn.on('connect', async () => {
      for (const chunk of chunks) {
        if (conn.destroyed) return;
        conn.write(chunk);
        if (opts.delayMs) await new Promise((r) => setTimeout(r, opts.delayMs));
      }
      if (opts.halfClose) conn.end();
    });
  });
}

/** One HTTP request with node's client; status 0 when the connection failed or was closed. */
function call(socket: string, method: string, path: string, body?: string | Buffer, headers: Record<string, string | number> = {}): Promise<{ status: number; body: string; headers: Record<string, string | string[] | undefined> }> {
  return new Promise((resolve) => {
    const req = request({ socketPath: socket, method, path, headers: body === undefined ? headers : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...headers } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text, headers: res.headers }));
      res.on('error', () => resolve({ status: res.statusCode ?? 0, body: text, headers: res.headers }));
    });
    req.on('error', () => resolve({ status: 0, body: '', headers: {} }));
    req.end(body);
  });
}

describeWithEngine('control API: bad input against a real daemon', () => {
  let daemon: DaemonHandle;
  const version = async () => {
    const answer = await call(daemon.socket, 'GET', '/v1/version');
    expect(answer.status, 'the daemon still answers /v1/version').toBe(200);
    expect(JSON.parse(answer.body)).toMatchObject({ api: 'v1' });
  };
  const expect4xx = async (answer: { status: number; body: string }, field?: string) => {
    expect(answer.status, answer.body).toBeGreaterThanOrEqual(400);
    expect(answer.status, answer.body).toBeLessThan(500);
    const parsed = JSON.parse(answer.body) as { error: string; field?: string };
    expect(parsed.error).toEqual(expect.any(String));
    if (field !== undefined) expect(parsed.field).toBe(field);
    await version();
  };

  beforeAll(async () => {
    daemon = await newDaemon();
    await daemon.start();
  });

  afterAll(async () => {
    await daemon.stop();
    expect(daemon.log()).not.toMatch(/"level":(50|60)/);
  });

  describe('bodies', () => {
    it.each([
      ['not JSON', '{"files": ['],
      ['a bare string', '"hello"'],
      ['an array', '[1,2,3]'],
      ['null', 'null'],
      ['a number', '42'],
      ['invalid UTF-8', Buffer.from([0x7b, 0xff, 0xfe, 0x7d])],
      ['NUL bytes', '{"cwd": "/\u0000"}\u0000'],
      ['deep nesting', `${'['.repeat(100_000)}${']'.repeat(100_000)}`],
    ])('POST /v1/projects with %s gets a 400', async (_name, body) => {
      await expect4xx(await call(daemon.socket, 'POST', '/v1/projects', body));
    });

    it.each([
      [{ files: 'compose.yaml', cwd: '/tmp' }, 'files'],
      [{ files: [42], cwd: '/tmp' }, 'files[0]'],
      [{ files: ['relative.yaml'], cwd: '/tmp' }, 'files[0]'],
      [{ files: [], cwd: 7 }, 'cwd'],
      [{ files: [], cwd: 'relative' }, 'cwd'],
      [{ files: [], cwd: '/tmp', env: ['A=1'] }, 'env'],
      [{ files: [], cwd: '/tmp', env: { A: 1 } }, 'env.A'],
      [{ files: [], cwd: '/tmp', profiles: 'a' }, 'profiles'],
      [{ files: [], cwd: '/tmp', projectName: 'Bad/Name' }, 'project'],
      [{ files: [], cwd: '/tmp', projectName: '../../etc' }, 'project'],
      [{ files: [], cwd: '/tmp', projectName: 'a'.repeat(1000) }, 'project'],
      [{ files: [], cwd: '/tmp', projectName: 'a\u0000b' }, 'project'],
      [{ files: [], cwd: '/tmp', surprise: true }, 'surprise'],
      [{ files: [], cwd: '/tmp', __proto__: { polluted: true }, constructor: 1 }, 'constructor'],
    ])('POST /v1/projects %j names the bad field %s', async (body, field) => {
      await expect4xx(await call(daemon.socket, 'POST', '/v1/projects', JSON.stringify(body)), field);
    });

    it('a compose file that does not exist or is not a compose file is a 4xx with diagnostics, not a crash', async () => {
      for (const file of ['/nonexistent/compose.yaml', '/etc/passwd', '/dev/zero', '/proc/self/environ', '/']) {
        const answer = await call(daemon.socket, 'POST', '/v1/projects', JSON.stringify({ files: [file], cwd: '/tmp', env: {}, profiles: [] }));
        // /dev/zero never ends: the loader must not read it forever.
        await expect4xx(answer);
      }
    }, 60_000);

    it.each([
      [{ replicas: '3' }, 'replicas'],
      [{ replicas: -1 }, 'replicas'],
      [{ replicas: 1.5 }, 'replicas'],
      [{ replicas: 1e9 }, 'replicas'],
      [{ replicas: null }, 'replicas'],
      [{ replicas: 2, force: true }, 'force'],
    ])('POST scale %j is a 400 naming %s', async (body, field) => {
      await expect4xx(await call(daemon.socket, 'POST', '/v1/projects/nope/services/web/scale', JSON.stringify(body)), field);
    });

    it('a body over 1 MiB is refused with 413, declared or not', async () => {
      const big = JSON.stringify({ files: [], cwd: '/tmp', env: { A: 'x'.repeat(2 * 1024 * 1024) } });
      await expect4xx(await call(daemon.socket, 'POST', '/v1/projects', big));
      // Chunked, no content-length: counted as it arrives. The daemon may answer 413 or close.
      const chunked = await call(daemon.socket, 'POST', '/v1/projects', undefined, { 'transfer-encoding': 'chunked', 'content-type': 'application/json' });
      expect([400, 413, 0]).toContain(chunked.status);
      const streamed = await raw(daemon.socket, ['POST /v1/projects HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n', ...Array.from({ length: 40 }, () => `10000\r\n${'a'.repeat(0x10000)}\r\n`)]);
      expect([413, 0]).toContain(streamed.status);
      await version();
      // A content-length that lies (much larger than what is sent) is refused up front.
      const lying = await raw(daemon.socket, ['POST /v1/projects HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999\r\n\r\n{}']);
      expect(lying.status).toBe(413);
      await version();
    });
  });

  describe('paths, methods and names', () => {
    it.each([
      ['GET', '/'],
      ['GET', '/v2/version'],
      ['GET', '/v1/version/extra'],
      ['GET', '/v1/projects/x/y/z'],
      ['GET', `/${'a'.repeat(8000)}`],
      ['GET', '/v1/projects/%2e%2e%2fetc/status'],
      ['GET', '/v1/projects/..%2F..%2Fetc/status'],
      ['GET', '/v1/projects/a%2Fb/status'],
      ['GET', '/v1/projects/a%00b/status'],
      ['GET', '/v1/projects/%ZZ/status'],
      ['GET', `/v1/projects/${'a'.repeat(1000)}/status`],
      ['GET', '/v1/projects/UPPER/status'],
      ['GET', '/v1/projects/nope/status'],
      ['DELETE', '/v1/projects/nope'],
      ['DELETE', '/v1/projects/nope?timeout=-1'],
      ['DELETE', '/v1/projects/nope?volumes=maybe'],
      ['GET', '/v1/projects/nope/logs?tail=-5'],
      ['GET', '/v1/projects/nope/logs?service=%00'],
      ['GET', '/v1/events?since=yesterday'],
      ['GET', '/v1/events?since=1e400'],
      ['GET', '/v1/events?project=..%2F'],
      ['GET', '/v1/events?follow=sometimes'],
      ['POST', '/v1/projects/nope/services/%2e%2e/restart'],
      ['POST', '/v1/projects/nope/services/web/explode'],
      ['PUT', '/v1/projects'],
      ['PATCH', '/v1/version'],
      ['DELETE', '/v1/version'],
      ['POST', '/metrics'],
      ['OPTIONS', '/v1/projects'],
      ['BREW', '/v1/version'],
    ])('%s %s is a 4xx', async (method, path) => {
      const answer = await call(daemon.socket, method, path);
      expect(answer.status, `${method} ${path}: ${answer.body}`).toBeGreaterThanOrEqual(400);
      expect(answer.status, `${method} ${path}: ${answer.body}`).toBeLessThan(500);
      await version();
    });

    it('a wrong method says which are allowed', async () => {
      const answer = await call(daemon.socket, 'PUT', '/v1/projects');
      expect(answer.status).toBe(405);
      expect(answer.headers['allow']).toBe('GET, POST');
    });

    it('project names with / .. NUL or 1000 characters never reach a handler', async () => {
      const names = ['a/b', '..', '../..', 'a\u0000b', 'x'.repeat(1000), '.hidden', '-dash', 'A', ' ', ''];
      for (const name of names) {
        const answer = await call(daemon.socket, 'GET', `/v1/projects/${encodeURIComponent(name)}/status`);
        expect(answer.status, `${JSON.stringify(name.slice(0, 20))}: ${answer.body}`).toBeGreaterThanOrEqual(400);
        expect(answer.status).toBeLessThan(500);
      }
      await version();
    });
  });

  describe('connections', () => {
    it('garbage instead of HTTP is answered 400 or closed', async () => {
      for (const bytes of ['\u0000\u0001\u0002\r\n\r\n', 'GET\r\n\r\n', 'GET / HTTP/9.9\r\n\r\n', `GET /v1/version HTTP/1.1\r\n${'X: y\r\n'.repeat(5000)}\r\n`, 'GET /v1/version HTTP/1.1\r\nContent-Length: -1\r\n\r\n', 'GET /v1/version HTTP/1.1\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n']) {
        const answer = await raw(daemon.socket, [bytes]);
        expect([0, 400, 413, 431], JSON.stringify(bytes.slice(0, 40))).toContain(answer.status);
      }
      await version();
    });

    it('a half-closed connection still gets its answer; a half-sent request is dropped', async () => {
      const complete = await raw(daemon.socket, ['GET /v1/version HTTP/1.1\r\nHost: x\r\n\r\n'], { halfClose: true });
      expect(complete.status).toBe(200);
      const partial = await raw(daemon.socket, ['POST /v1/projects HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{"fil'], { halfClose: true });
      expect([0, 400]).toContain(partial.status);
      const headersOnly = await raw(daemon.socket, ['GET /v1/vers'], { halfClose: true });
      expect([0, 400]).toContain(headersOnly.status);
      await version();
    });

    it('slow clients (headers one byte at a time, forever) are cut off while others are served', async () => {
      const started = Date.now();
      const slow = Array.from({ length: 20 }, () => raw(daemon.socket, ['GET /v1/version HTTP/1.1\r\n', ...Array.from({ length: 1000 }, () => 'X')], { delayMs: 50, timeoutMs: 40_000 }));
      // Meanwhile the daemon serves everyone else.
      for (let i = 0; i < 5; i++) {
        await version();
        await new Promise((r) => setTimeout(r, 200));
      }
      const answers = await Promise.all(slow);
      for (const a of answers) expect([0, 408]).toContain(a.status);
      // Cut off by the headers timeout (10 s), well before the client would have finished (50 s).
      expect(Date.now() - started).toBeLessThan(30_000);
      await version();
    }, 60_000);

    it('a client that opens an event stream and never reads is not a memory leak', async () => {
      // Connections that ask to follow and never read; the daemon must stay responsive.
      const sockets = Array.from({ length: 50 }, () => {
        const conn = createConnection(daemon.socket);
        conn.on('error', () => undefined);
        conn.write('GET /v1/events?follow=true HTTP/1.1\r\nHost: x\r\n\r\n');
        conn.pause();
        return conn;
      });
      await version();
      for (const s of sockets) s.destroy();
      await version();
    });

    it('thousands of concurrent requests, good and bad, are each answered or closed; the daemon keeps serving', async () => {
      const paths = ['/v1/version', '/v1/projects', '/v1/projects/nope/status', '/v1/nope', '/v1/projects/%00/status', '/metrics'];
      const results = await Promise.all(
        Array.from({ length: 3000 }, (_, i) => {
          const path = paths[i % paths.length]!;
          return i % 7 === 0 ? call(daemon.socket, 'POST', '/v1/projects', '{"broken') : call(daemon.socket, 'GET', path);
        }),
      );
      const counts = new Map<number, number>();
      for (const r of results) counts.set(r.status, (counts.get(r.status) ?? 0) + 1);
      // No 5xx; connections the kernel refused (backlog full) show as 0.
      for (const status of counts.keys()) expect(status === 0 || (status >= 200 && status < 500), `status ${status}`).toBe(true);
      expect(counts.get(200) ?? 0).toBeGreaterThan(1000);
      await version();
    }, 120_000);
  });
});
