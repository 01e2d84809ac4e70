// The soak's crash loop without an engine or real time: 10 replicas crashing as soon as they run
// (backoff capped at 2 s) beside 20 steady ones, through the controller, registry, state store and
// event log as the daemon wires them, over the tests' engine in memory and fake clock. Every 200
// rounds (2,000 restarts) the heap is measured after a full collection: a leak in the supervision
// core shows as a rising line, where the soak's samples land anywhere on the collector's sawtooth.
// `node --expose-gc bench/simulation/crash-loop-heap.mjs [rounds]`; loaded by that runner (vite
// compiles it), never by the daemon.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { EventLog } from '../../src/daemon/events/event-log.js';
import { ProjectLifecycle } from '../../src/daemon/lifecycle/project-lifecycle.js';
import { Controller } from '../../src/daemon/supervisor/controller.js';
import { ProjectRegistry } from '../../src/daemon/state/project-registry.js';
import { StateStore } from '../../src/daemon/state/state-store.js';
import { FakeClock } from '../../test/support/fake-clock.js';
import { MemoryRuntime } from '../../test/support/memory-runtime.js';

export async function crashLoopHeap(rounds: number) {
  const gc = (globalThis as { gc?: () => void }).gc!;
  const dir = await mkdtemp(join(tmpdir(), 'composed-leak-'));
  const file = join(dir, 'compose.yaml');
  await writeFile(file, `name: soak\nservices:\n  crash:\n    image: busybox\n    restart: always\n    deploy: { replicas: 10 }\n    x-composed: { restart_backoff: { max: 2s } }\n  steady:\n    image: busybox\n    deploy: { replicas: 20 }\n`);
  const clock = new FakeClock();
  const runtime = new MemoryRuntime(() => clock.now());
  const logger = pino({ level: 'silent' });
  const registry = new ProjectRegistry({ store: new StateStore(join(dir, 'state')), logger, onSaveFailed: () => undefined });
  const events = new EventLog(() => clock.now());
  const controller = new Controller({ runtime, clock, logger, events, resyncIntervalMs: 30_000 }, registry);
  const lifecycle = new ProjectLifecycle({ controller, registry, runtime, clock, logger });
  const idle = async () => { for (let q = 0; q < 3; ) { await new Promise((r) => setTimeout(r, 0)); q = controller.busy() ? 0 : q + 1; } };
  clock.settledBy = idle;
  await registry.load();
  await controller.run();
  await lifecycle.up({ files: [file], cwd: dir, env: {}, profiles: [] }, () => undefined);
  await clock.advance(1000);
  const out: Array<{ restarts: number; heapMB: number; calls: number; containers: number }> = [];
  let restarts = 0;
  for (let r = 0; r < rounds; r++) {
    for (const c of [...runtime.containers.values()]) if (c.state === 'running' && c.name.includes('-crash-')) { runtime.crash(c.id, 1); restarts++; }
    await clock.advance(2500);
    runtime.calls.length = 0; // the engine in memory logs every call for the tests; not the daemon's
    if (r % 200 === 0) {
      gc(); gc();
      out.push({ restarts, heapMB: process.memoryUsage().heapUsed / 2 ** 20, calls: runtime.calls.length, containers: runtime.containers.size });
    }
  }
  await controller.stop();
  return out;
}
