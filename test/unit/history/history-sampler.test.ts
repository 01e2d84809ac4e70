// The dashboard's history on a fake clock, over the supervisor and an engine in memory: a sample
// every 10 s with replica counts and CPU per replica, a crash marked as a restart with its cause, a
// user's scale marked as a decision, and nothing older than the hour kept.
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { Autoscaler } from '../../../src/daemon/autoscale/autoscaler.js';
import { HistorySampler, SAMPLE_INTERVAL_MS } from '../../../src/daemon/history/history-sampler.js';
import type { CpuSample } from '../../../src/daemon/ports/runtime.js';
import { FakeClock } from '../../support/fake-clock.js';
import { supervise } from '../controller/harness.js';

const YAML = `
name: shop
services:
  app:
    image: busybox
    restart: always
    deploy: { replicas: 2, resources: { limits: { cpus: "0.5" } } }
`;

describe('the dashboard history', () => {
  it('samples counts and CPU every 10 s, marks a crash by its cause and a scale by who asked', async () => {
    const clock = new FakeClock();
    const parts = await supervise(YAML, clock);
    await clock.advance(0);
    // The engine in memory has no CPU: each running container has used 0.25 s of CPU per second of the clock.
    Object.assign(parts.runtime, {
      cpuSample: async (id: string): Promise<CpuSample | undefined> => {
        const container = parts.runtime.containers.get(id);
        if (container?.state !== 'running') return undefined;
        const ran = clock.now() - container.createdAt;
        return { cpuNanos: ran * 0.25 * 1e6, atNanos: clock.now() * 1e6 };
      },
    });
    const logger = pino({ level: 'silent' });
    const autoscaler = new Autoscaler({ ...parts, runtime: parts.runtime, clock, logger });
    const history = new HistorySampler({ ...parts, clock, autoscaler, logger });
    history.start();
    await clock.advance(2 * SAMPLE_INTERVAL_MS);

    let h = history.history('shop', 'app')!;
    expect(h.samples.map((s) => [s.desired, s.ready])).toEqual([
      [2, 2],
      [2, 2],
      [2, 2],
    ]);
    // 0.25 of a core under a 0.5-core limit: 50 %, from the second sample on.
    expect(h.samples.map((s) => s.cpu)).toEqual([{}, { '1': 50, '2': 50 }, { '1': 50, '2': 50 }]);

    parts.runtime.crash(parts.runtime.byName('shop-app-2')!.id, 3);
    await parts.lifecycle.scale('shop', 'app', 3);
    await clock.advance(SAMPLE_INTERVAL_MS);
    h = history.history('shop', 'app')!;
    expect(h.marks.map((m) => [m.kind, m.cause, m.replica, m.message])).toEqual([
      ['decision', 'user', undefined, 'scaled to 3 by a user'],
      ['restart', 'exit', 2, 'replica 2 restarted: exited 3'],
    ]);
    expect(h.samples.at(-1)).toMatchObject({ desired: 3 });
    const version = history.versionOf('shop', 'app');

    await clock.advance(60 * 60_000);
    h = history.history('shop', 'app')!;
    expect(h.marks).toEqual([]);
    expect(h.samples.length).toBe(60 * 60_000 / SAMPLE_INTERVAL_MS + 1);
    expect(history.versionOf('shop', 'app')).toBeGreaterThan(version);
    history.stop();
  });
});
