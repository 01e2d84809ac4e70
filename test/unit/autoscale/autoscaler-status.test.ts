// What status reads of the autoscaler while it samples: the last interval's CPU per replica, not an
// empty table (the engine's samples take a while, and status is asked meanwhile).
import pino from 'pino';
import { expect, it } from 'vitest';
import { Autoscaler } from '../../../src/daemon/autoscale/autoscaler.js';
import type { CpuSample } from '../../../src/daemon/ports/runtime.js';
import { FakeClock } from '../../support/fake-clock.js';
import { supervise } from '../controller/harness.js';

const YAML = `
name: shop
services:
  app:
    image: busybox
    restart: always
    deploy: { replicas: 1, resources: { limits: { cpus: "1" } } }
    x-composed: { autoscale: { min: 1, max: 3, cpu: { target: 90 }, interval: 5s } }
`;

it('keeps showing the last CPU figures while the next samples are taken', async () => {
  const clock = new FakeClock();
  const parts = await supervise(YAML, clock);
  await clock.advance(0);
  let hold: Promise<void> | undefined;
  Object.assign(parts.runtime, {
    // Half a core used since the container started; a held sample answers only when released.
    cpuSample: async (id: string): Promise<CpuSample | undefined> => {
      const at = clock.now();
      await hold;
      const container = parts.runtime.containers.get(id);
      return container ? { cpuNanos: (at - container.createdAt) * 0.5 * 1e6, atNanos: at * 1e6 } : undefined;
    },
  });
  const autoscaler = new Autoscaler({ ...parts, clock, logger: pino({ level: 'silent' }) });
  autoscaler.start();
  await clock.advance(10_000);
  expect(autoscaler.statusOf('shop', 'app').cpu.get(1)).toBeCloseTo(50);

  let release!: () => void;
  hold = new Promise((resolve) => (release = resolve));
  await clock.advance(5_000);
  // The third sampling is waiting on the engine.
  expect(autoscaler.statusOf('shop', 'app').cpu.get(1)).toBeCloseTo(50);
  release();
  await clock.advance(0);
  autoscaler.stop();
});
