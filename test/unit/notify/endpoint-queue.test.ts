import { createServer, type RequestListener, type Server } from 'node:http';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { parseNotifyTarget, type NotifyTarget } from '../../../src/compose/notify-target.js';
import type { Notification } from '../../../src/daemon/core/notify-decision.js';
import { EndpointQueue, type DeliveryLimits } from '../../../src/daemon/notify/endpoint-queue.js';
import { httpPost, type Post, type PostResult } from '../../../src/daemon/notify/http-post.js';
import { systemClock } from '../../../src/daemon/ports/clock.js';
import { FakeClock } from '../../support/fake-clock.js';
import { freePort } from '../../support/free-port.js';

const logger = pino({ level: 'silent' });
const target = parseNotifyTarget('https://hooks.example.com/T/secret') as NotifyTarget;
const note = (reason: string): Notification => ({ type: 'failed', project: 'p', service: 'web', replica: 1, reason, exitCode: 1, at: '2026-12-01T00:00:00.000Z', logTail: [] });
const limits: DeliveryLimits = { backlog: 3, attempts: 4, timeoutMs: 5_000, firstRetryMs: 1_000, maxRetryMs: 2_000 };

/** A receiver scripted per call: its answers in turn, the last one repeated; each call's time recorded. */
function scripted(clock: FakeClock, answers: Array<PostResult | 'hang'>) {
  const calls: Array<{ at: number; reason: string }> = [];
  const post: Post = (_url, payload) => {
    calls.push({ at: clock.now(), reason: (JSON.parse(payload.body) as Notification).reason });
    const answer = answers[Math.min(calls.length - 1, answers.length - 1)]!;
    return answer === 'hang' ? new Promise(() => undefined) : Promise.resolve(answer);
  };
  return { post, calls };
}

describe('a receiver queue', () => {
  it('retries a failure that may pass with doubling backoff, capped, then counts it failed', async () => {
    const clock = new FakeClock();
    const { post, calls } = scripted(clock, [{ ok: false, retry: true, error: 'ECONNREFUSED' }]);
    const queue = new EndpointQueue(target, target.label, { clock, post, logger }, limits);
    const start = clock.now();
    queue.push(note('a'));
    await clock.advance(10_000);
    expect(calls.map((c) => c.at - start)).toEqual([0, 1_000, 3_000, 5_000]);
    expect(queue.snapshot()).toEqual({ endpoint: 'https://hooks.example.com', sent: 0, failed: 1, dropped: 0, queued: 0, lastError: 'ECONNREFUSED', lastErrorAt: new Date(start + 5_000).toISOString() });
  });

  it('does not retry what the receiver refuses as a bad request, and goes on with the next', async () => {
    const clock = new FakeClock();
    const { post, calls } = scripted(clock, [{ ok: false, retry: false, error: 'HTTP 404 Not Found' }, { ok: true, status: 200 }]);
    const queue = new EndpointQueue(target, target.label, { clock, post, logger }, limits);
    queue.push(note('a'));
    queue.push(note('b'));
    await clock.advance(0);
    expect(calls.map((c) => c.reason)).toEqual(['a', 'b']);
    expect(queue.snapshot()).toMatchObject({ sent: 1, failed: 1, queued: 0, lastError: 'HTTP 404 Not Found' });
  });

  it('never makes the caller wait, and drops the oldest when the backlog is full', async () => {
    const clock = new FakeClock();
    const { post, calls } = scripted(clock, ['hang']);
    const queue = new EndpointQueue(target, target.label, { clock, post, logger }, limits);
    for (const reason of ['a', 'b', 'c', 'd', 'e', 'f']) queue.push(note(reason));
    await clock.advance(0);
    // a is in flight; of b..f the backlog of 3 keeps d, e, f.
    expect(calls.map((c) => c.reason)).toEqual(['a']);
    expect(queue.snapshot()).toMatchObject({ sent: 0, dropped: 2, queued: 4 });
  });
});

describe('one POST', () => {
  let server: Server | undefined;
  afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

  async function receiver(handle: RequestListener): Promise<string> {
    server = createServer(handle);
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(server.address() as { port: number }).port}/hook`;
  }
  const payload = { contentType: 'application/json', headers: { Title: 'x' }, body: '{"type":"failed"}' };

  it('sends the body and headers and takes a 2xx as delivered', async () => {
    let got = '';
    const url = await receiver((req, res) => {
      req.on('data', (d: Buffer) => (got += d.toString()));
      req.on('end', () => res.writeHead(204).end());
    });
    expect(await httpPost(systemClock)(url, payload, 2_000)).toEqual({ ok: true, status: 204 });
    expect(got).toBe('{"type":"failed"}');
  });

  it('tells a 5xx (retry) from a 4xx (do not)', async () => {
    let status = 503;
    const url = await receiver((_req, res) => res.writeHead(status).end());
    expect(await httpPost(systemClock)(url, payload, 2_000)).toEqual({ ok: false, retry: true, error: 'HTTP 503 Service Unavailable' });
    status = 400;
    expect(await httpPost(systemClock)(url, payload, 2_000)).toEqual({ ok: false, retry: false, error: 'HTTP 400 Bad Request' });
  });

  it('gives up on a receiver that never answers after the timeout, and on a closed port at once', async () => {
    const url = await receiver(() => undefined);
    expect(await httpPost(systemClock)(url, payload, 300)).toEqual({ ok: false, retry: true, error: 'no answer within 0.3 s' });
    expect(await httpPost(systemClock)(`http://127.0.0.1:${await freePort()}/hook`, payload, 2_000)).toEqual({ ok: false, retry: true, error: 'ECONNREFUSED' });
    server!.closeAllConnections();
  });
});
