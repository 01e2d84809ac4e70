// The daemon-wide limit on container creates and starts: never more in flight than the limit,
// replacements of dead replicas before first starts, and the plans of many services sharing it.
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { Operation } from '../../../src/daemon/core/plan.js';
import { executePlan, type ExecutionContext } from '../../../src/daemon/supervisor/executor.js';
import { PARALLEL_LIMIT_ENV, StartLanes } from '../../../src/daemon/supervisor/start-lanes.js';
import type { ReplicaRequest } from '../../../src/daemon/ports/runtime.js';
import { projectFixture, serviceFixture } from '../../support/fixtures.js';
import { MemoryRuntime } from '../../support/memory-runtime.js';

/** A gate per call: the test decides when each piece of work ends. */
function gated() {
  const open: Array<() => void> = [];
  const started: string[] = [];
  const work = (name: string) => () =>
    new Promise<string>((resolve) => {
      started.push(name);
      open.push(() => resolve(name));
    });
  return { work, started, finishOne: () => open.shift()!() };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('StartLanes', () => {
  it('runs at most `limit` pieces of work at once and starts the next as one ends', async () => {
    const lanes = new StartLanes(2);
    const g = gated();
    const done = ['a', 'b', 'c', 'd'].map((n) => lanes.run(g.work(n)));
    await settle();
    expect(g.started).toEqual(['a', 'b']);
    g.finishOne();
    await settle();
    expect(g.started).toEqual(['a', 'b', 'c']);
    for (let i = 0; i < 3; i++) {
      g.finishOne();
      await settle();
    }
    expect(await Promise.all(done)).toEqual(['a', 'b', 'c', 'd']);
  });

  it('gives a free lane to urgent work before every waiting non-urgent one', async () => {
    const lanes = new StartLanes(1);
    const g = gated();
    const done = [lanes.run(g.work('first')), lanes.run(g.work('bulk-1')), lanes.run(g.work('bulk-2')), lanes.run(g.work('replace'), { urgent: true })];
    await settle();
    for (let i = 0; i < 4; i++) {
      g.finishOne();
      await settle();
    }
    await Promise.all(done);
    expect(g.started).toEqual(['first', 'replace', 'bulk-1', 'bulk-2']);
  });

  it('frees the lane of work that fails', async () => {
    const lanes = new StartLanes(1);
    await expect(lanes.run(() => Promise.reject(new Error('engine said no')))).rejects.toThrow('engine said no');
    expect(await lanes.run(async () => 'next')).toBe('next');
  });

  it(`reads ${PARALLEL_LIMIT_ENV}, defaults to 16 and names the variable when its value is bad`, () => {
    expect(StartLanes.fromEnv({}).limit).toBe(16);
    expect(StartLanes.fromEnv({ [PARALLEL_LIMIT_ENV]: '4' }).limit).toBe(4);
    for (const bad of ['0', '-2', '1.5', 'many']) {
      expect(() => StartLanes.fromEnv({ [PARALLEL_LIMIT_ENV]: bad })).toThrow(`${PARALLEL_LIMIT_ENV}=${bad}: expected a whole number of at least 1`);
    }
  });
});

/** An engine in memory whose creates take a turn of the event loop, counting how many overlap. */
class SlowCreates extends MemoryRuntime {
  inFlight = 0;
  mostInFlight = 0;
  override async createReplica(req: ReplicaRequest): Promise<string> {
    this.inFlight += 1;
    this.mostInFlight = Math.max(this.mostInFlight, this.inFlight);
    await new Promise((resolve) => setTimeout(resolve, 2));
    try {
      return await super.createReplica(req);
    } finally {
      this.inFlight -= 1;
    }
  }
}

function contextFor(runtime: MemoryRuntime, lanes: StartLanes | undefined): ExecutionContext {
  const project = projectFixture('shop', [serviceFixture('a'), serviceFixture('b'), serviceFixture('c')]);
  return {
    runtime,
    project,
    configHash: () => 'h',
    logger: pino({ level: 'silent' }),
    now: () => Date.now(),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    onOwnStop: () => undefined,
    drain: async () => undefined,
    onRemoved: () => undefined,
    startLane: lanes && ((work, options) => lanes.run(work, options)),
  };
}

const creates = (service: string, count: number): Operation[] =>
  Array.from({ length: count }, (_, i) => ({ kind: 'create', service, number: i + 1, cause: 'first start', replacement: false }));

describe('plans sharing the start lanes', () => {
  it('three services of 20 replicas synced at once keep 3 creates in flight, not one plan lane each', async () => {
    const runtime = new SlowCreates(() => Date.now());
    const ctx = contextFor(runtime, new StartLanes(3));
    const results = (await Promise.all(['a', 'b', 'c'].map((s) => executePlan(creates(s, 20), ctx)))).flat();
    expect(results.filter((r) => r.ok)).toHaveLength(60);
    expect([...runtime.containers.values()].filter((c) => c.state === 'running')).toHaveLength(60);
    expect(runtime.mostInFlight).toBe(3);
  });

  it('without lanes each plan runs its own 16', async () => {
    const runtime = new SlowCreates(() => Date.now());
    await Promise.all(['a', 'b', 'c'].map((s) => executePlan(creates(s, 20), contextFor(runtime, undefined))));
    expect(runtime.mostInFlight).toBe(48);
  });
});
