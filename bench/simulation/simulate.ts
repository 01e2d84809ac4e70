// The supervisor without an engine: the controller, its work queue and observer, the lifecycle and
// the state store wired as the daemon wires them, over the tests' engine in memory and fake clock
// (test/support), at a given number of running replicas (services of 20 in one project, the worst
// case: everything one listing of the project returns). Then, one at a time, a replica dies and
// the work until its replacement runs is measured: engine calls, containers the engine returned,
// heap growth, CPU. Then a full resync, alone and with a death during it.
// Loaded by bench/simulation/run.mjs (vite compiles it), never by the daemon.
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { loadProject } from '../../src/compose/load.js';
import { LABEL_CONFIG_HASH, LABEL_MANAGED, LABEL_NUMBER, LABEL_PROJECT, LABEL_SERVICE, replicaName } from '../../src/daemon/core/labels.js';
import { EventLog } from '../../src/daemon/events/event-log.js';
import { ProjectLifecycle, projectConfigHashes } from '../../src/daemon/lifecycle/project-lifecycle.js';
import { Controller } from '../../src/daemon/supervisor/controller.js';
import { ProjectRegistry } from '../../src/daemon/state/project-registry.js';
import { StateStore } from '../../src/daemon/state/state-store.js';
import type { ContainerSummary } from '../../src/daemon/ports/runtime.js';
import { FakeClock } from '../../test/support/fake-clock.js';
import { MemoryRuntime } from '../../test/support/memory-runtime.js';

const PER_SERVICE = 20;
const PROJECT = 'sim';

export interface EngineWork {
  /** Engine calls by method. */
  calls: Record<string, number>;
  /** Containers the engine's listings returned (each one parsed by the daemon's adapter). */
  listed: number;
  /** Milliseconds spent inside the engine in memory (its own cost, not the supervisor's). */
  engineMs: number;
  /** Writes of the project's state file. */
  stateWrites: number;
}

export interface Measured extends EngineWork {
  /** CPU of the process (user + system), ms: the supervisor's, and the engine in memory's engineMs within it. */
  cpuMs: number;
  /** Heap growth across the work, from a collected heap, KiB (a young generation large enough not to be collected meanwhile). */
  heapKiB: number;
  /** Garbage collections during the work (the heap figure undercounts when not 0). */
  collections: number;
}

export interface SimulationFigures {
  replicas: number;
  services: number;
  setupMs: number;
  /** One per replica death: from the death to its replacement running. */
  perEvent: Measured[];
  /** A tenth of the replicas killed at once, until every one runs again. */
  storm: Measured & { killed: number; notReplaced: number };
  /** A full resync of a quiet project. */
  resync: Measured & { wallMs: number; longestBlockMs: number };
  /** A death during a resync: until its replacement runs, wall ms (the resync alone took resync.wallMs). */
  eventDuringResync: { wallMs: number; resyncWallMs: number };
  /** Size of the project's state file at the end (each write serializes all of it). */
  stateFileBytes: number;
}

type Gc = () => void;

export async function simulate({ replicas, deaths }: { replicas: number; deaths: number }): Promise<SimulationFigures> {
  const gc = (globalThis as { gc?: Gc }).gc;
  if (!gc) throw new Error('run with node --expose-gc');
  const setupStarted = performance.now();
  const services = Math.ceil(replicas / PER_SERVICE);
  const dir = await mkdtemp(join(tmpdir(), 'composed-simulation-'));
  const file = join(dir, 'compose.yaml');
  const clock = new FakeClock();
  const runtime = new MemoryRuntime(() => clock.now());
  const logger = pino({ level: 'silent' });
  const store = new StateStore(join(dir, 'state'));
  const registry = new ProjectRegistry({ store, logger, onSaveFailed: () => undefined });
  const controller = new Controller({ runtime, clock, logger, events: new EventLog(() => clock.now()), resyncIntervalMs: 3_600_000 }, registry);
  const lifecycle = new ProjectLifecycle({ controller, registry, runtime, clock, logger });
  clock.settledBy = () => untilIdle(controller);
  try {
    // The replicas are put into the engine in memory before `up`, running, labelled as composed
    // labels them (creating 100k one by one through it would take hours: it looks names up
    // linearly); `up` then finds every one of them as it wants it.
    await writeFile(file, composeFile(services, PER_SERVICE));
    const load = { files: [file], cwd: dir, env: {}, profiles: [] };
    const { project } = await loadProject(load);
    populate(runtime, PROJECT, await projectConfigHashes(runtime, project), Object.keys(project.services), PER_SERVICE, clock.now());
    await registry.load();
    await controller.run();
    await lifecycle.up(load, () => undefined);
    await clock.advance(1_000);
    const running = [...runtime.containers.values()].filter((c) => c.state === 'running').length;
    if (running !== services * PER_SERVICE) throw new Error(`set-up: ${running} running, expected ${services * PER_SERVICE}`);
    const setupMs = performance.now() - setupStarted;

    const meter = new EngineMeter(runtime, store);
    const perEvent: Measured[] = [];
    for (let i = 0; i < deaths; i++) {
      const service = `s${String(1 + Math.floor((i * services) / deaths)).padStart(5, '0')}`;
      const number = 1 + (i % PER_SERVICE);
      const victim = [...runtime.containers.values()].find((c) => c.labels[LABEL_SERVICE] === service && c.labels[LABEL_NUMBER] === String(number) && c.state === 'running');
      if (!victim) throw new Error(`no running ${service}#${number}`);
      perEvent.push(
        await measure(gc, meter, async () => {
          runtime.crash(victim.id, 1);
          await clock.advance(1_000);
        }),
      );
      const back = [...runtime.containers.values()].some((c) => c.name === victim.name && c.state === 'running' && c.id !== victim.id);
      if (!back) throw new Error(`${victim.name} was not replaced`);
    }

    // A tenth of the replicas (at most 1,000: the engine in memory lists and names linearly, so
    // beyond that its own cost is all one measures) die at once, two per service: every one is
    // replaced without waiting for a resync (none is due within the hour the controller was given).
    const victims = [...runtime.containers.values()].filter((c) => c.state === 'running' && Number(c.labels[LABEL_NUMBER]) % 10 === 3).slice(0, 1_000);
    const storm = await measure(gc, meter, async () => {
      for (const v of victims) runtime.crash(v.id, 1);
      await clock.advance(5_000);
    });
    const replaced = new Set([...runtime.containers.values()].filter((c) => c.state === 'running').map((c) => c.name));
    const missed = victims.filter((v) => !replaced.has(v.name) || runtime.containers.get(v.id)?.state === 'running').length;

    let resyncWallMs = 0;
    let longestBlockMs = 0;
    const resync = await measure(gc, meter, async () => {
      const blocks = new BlockWatch();
      const t = performance.now();
      await controller.resyncAll();
      await untilIdle(controller);
      resyncWallMs = performance.now() - t;
      longestBlockMs = blocks.stop();
    });

    // A death just after a resync began: how long until its replacement runs.
    const victim = [...runtime.containers.values()].find((c) => c.labels[LABEL_SERVICE] === 's00001' && c.state === 'running')!;
    const t = performance.now();
    const resyncDone = controller.resyncAll().then(() => untilIdle(controller));
    await new Promise<void>((resolve) => setImmediate(resolve));
    runtime.crash(victim.id, 1);
    let replacedAt = 0;
    while (!replacedAt) {
      if ([...runtime.containers.values()].some((c) => c.name === victim.name && c.state === 'running' && c.id !== victim.id)) replacedAt = performance.now();
      else await new Promise<void>((resolve) => setTimeout(resolve, 1));
    }
    await resyncDone;
    await clock.advance(1_000);

    return {
      replicas: services * PER_SERVICE,
      services,
      setupMs,
      perEvent,
      storm: { ...storm, killed: victims.length, notReplaced: missed },
      resync: { ...resync, wallMs: resyncWallMs, longestBlockMs },
      eventDuringResync: { wallMs: replacedAt - t, resyncWallMs: performance.now() - t },
      stateFileBytes: (await stat(join(dir, 'state', 'projects', `${PROJECT}.json`)).catch(() => ({ size: NaN }))).size,
    };
  } finally {
    await controller.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

function composeFile(services: number, replicas: number): string {
  const lines = [`name: ${PROJECT}`, 'services:'];
  for (let i = 1; i <= services; i++) {
    lines.push(`  s${String(i).padStart(5, '0')}:`, '    image: busybox:latest', '    command: ["sleep", "3600"]', `    deploy: { replicas: ${replicas}, restart_policy: { condition: any, delay: 0s, window: 10s } }`);
  }
  return lines.join('\n') + '\n';
}

/** Every replica of every service, running, with the labels and config hash composed gives it. */
function populate(runtime: MemoryRuntime, project: string, hashes: Record<string, string>, services: string[], perService: number, now: number): void {
  let id = 0;
  for (const service of services) {
    for (let number = 1; number <= perService; number++) {
      const container = {
        id: `p${++id}`,
        name: replicaName(project, service, number),
        labels: { [LABEL_MANAGED]: 'true', [LABEL_PROJECT]: project, [LABEL_SERVICE]: service, [LABEL_NUMBER]: String(number), [LABEL_CONFIG_HASH]: hashes[service] ?? '' },
        state: 'running' as const,
        health: 'none' as const,
        imageId: 'sha256:memory',
        createdAt: now,
        addresses: { default: '10.0.0.1' },
        exitCode: 0,
        oomKilled: false,
        startedAt: now,
        finishedAt: 0,
        healthLog: [],
        mounts: [],
      };
      runtime.containers.set(container.id, container);
    }
  }
}

/** Counts what the supervisor asks of the engine in memory, and the time the engine takes to answer. */
class EngineMeter {
  private work: EngineWork = { calls: {}, listed: 0, engineMs: 0, stateWrites: 0 };

  constructor(runtime: MemoryRuntime, store: StateStore) {
    const save = store.save.bind(store);
    store.save = (record) => {
      this.work.stateWrites += 1;
      return save(record);
    };
    const methods = ['listContainers', 'inspectContainer', 'createReplica', 'startContainer', 'stopContainer', 'removeContainer', 'renameContainer', 'logsTail'] as const;
    for (const method of methods) {
      const original = (runtime[method] as (...args: unknown[]) => Promise<unknown>).bind(runtime);
      (runtime as unknown as Record<string, unknown>)[method] = (...args: unknown[]) => {
        const t = performance.now();
        // The engine in memory does its work before its promise is returned.
        const answer = original(...args);
        this.work.engineMs += performance.now() - t;
        this.work.calls[method] = (this.work.calls[method] ?? 0) + 1;
        if (method === 'listContainers') void answer.then((list) => (this.work.listed += (list as ContainerSummary[]).length));
        return answer;
      };
    }
  }

  take(): EngineWork {
    const work = this.work;
    this.work = { calls: {}, listed: 0, engineMs: 0, stateWrites: 0 };
    return work;
  }
}

async function measure(gc: Gc, meter: EngineMeter, work: () => Promise<void>): Promise<Measured> {
  gc();
  meter.take();
  const collections = new GcCount();
  const heapBefore = process.memoryUsage().heapUsed;
  const cpuBefore = process.cpuUsage();
  await work();
  const cpu = process.cpuUsage(cpuBefore);
  const heapAfter = process.memoryUsage().heapUsed;
  const engine = meter.take();
  return {
    ...engine,
    cpuMs: (cpu.user + cpu.system) / 1000,
    heapKiB: (heapAfter - heapBefore) / 1024,
    collections: collections.stop(),
  };
}

class GcCount {
  private count = 0;
  private readonly observer = new PerformanceObserver((list) => (this.count += list.getEntries().length));

  constructor() {
    this.observer.observe({ entryTypes: ['gc'] });
  }

  stop(): number {
    this.observer.disconnect();
    return this.count;
  }
}

/** The longest time the event loop went without running a 1 ms timer (what an event waits at worst). */
class BlockWatch {
  private longest = 0;
  private last = performance.now();
  private readonly timer = setInterval(() => {
    const now = performance.now();
    this.longest = Math.max(this.longest, now - this.last);
    this.last = now;
  }, 1);

  stop(): number {
    clearInterval(this.timer);
    return Math.max(this.longest, performance.now() - this.last);
  }
}

/** Real time until no sync runs (what a sync waits for besides the clock, file writes, takes real ms). */
async function untilIdle(controller: Controller): Promise<void> {
  for (let quiet = 0; quiet < 3; ) {
    await new Promise<void>((resolve) => setTimeout(resolve, 1));
    quiet = controller.busy() ? 0 : quiet + 1;
  }
}
