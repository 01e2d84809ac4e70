// The controller and the project lifecycle wired as the daemon wires them, over an engine in
// memory, for tests that drive failures and time by hand. The compose file is a real file (the
// loader reads it, and a reload reads its edit).
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach } from 'vitest';
import { Controller } from '../../../src/daemon/supervisor/controller.js';
import { EventLog } from '../../../src/daemon/events/event-log.js';
import { systemClock, type Clock } from '../../../src/daemon/ports/clock.js';
import { ProjectLifecycle } from '../../../src/daemon/lifecycle/project-lifecycle.js';
import { ServiceRevisions } from '../../../src/daemon/lifecycle/service-revisions.js';
import { ConfigHistory } from '../../../src/daemon/state/config-history.js';
import { ProjectRegistry } from '../../../src/daemon/state/project-registry.js';
import { StateStore } from '../../../src/daemon/state/state-store.js';
import { FakeClock } from '../../support/fake-clock.js';
import { MemoryRuntime } from '../../support/memory-runtime.js';

export interface Supervised {
  runtime: MemoryRuntime;
  controller: Controller;
  registry: ProjectRegistry;
  lifecycle: ProjectLifecycle;
  events: EventLog;
  /** Writes the compose file anew and reloads the project, as the file watcher would. */
  edit(yaml: string): Promise<void>;
}

const stops: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const stop of stops.splice(0)) await stop();
});

/** A daemon's controller supervising `yaml` as project `shop`; stopped after the test. */
export async function supervise(yaml: string, clock: Clock = systemClock): Promise<Supervised> {
  const dir = await mkdtemp(join(tmpdir(), 'composed-controller-'));
  const file = join(dir, 'compose.yaml');
  await writeFile(file, yaml);
  const runtime = new MemoryRuntime(() => clock.now());
  const events = new EventLog(() => clock.now());
  const logger = pino({ level: 'silent' });
  const registry = new ProjectRegistry({ store: new StateStore(join(dir, 'state')), logger, onSaveFailed: () => undefined });
  const controller = new Controller({ runtime, clock, logger, events, resyncIntervalMs: 60_000 }, registry);
  const revisions = new ServiceRevisions(new ConfigHistory(join(dir, 'state', 'config-history'), logger), clock);
  const lifecycle = new ProjectLifecycle({ controller, registry, runtime, clock, logger }, revisions);
  if (clock instanceof FakeClock) clock.settledBy = () => untilIdle(controller, clock);
  await registry.load();
  await controller.run();
  stops.push(() => controller.stop());
  await lifecycle.up({ files: [file], cwd: dir, env: {}, profiles: [] }, () => undefined);
  return {
    runtime,
    controller,
    registry,
    lifecycle,
    events,
    edit: async (next) => {
      await writeFile(file, next);
      await lifecycle.reload('shop', 'edited');
    },
  };
}

/**
 * Real time until no sync runs, or the ones that do wait for the fake clock (a promote's drain):
 * what a sync waits for otherwise (file writes) takes real milliseconds.
 */
async function untilIdle(controller: Controller, clock: FakeClock): Promise<void> {
  for (let quiet = 0; quiet < 3; ) {
    await new Promise<void>((resolve) => setTimeout(resolve, 1));
    quiet = controller.busy() && clock.sleeping === 0 ? 0 : quiet + 1;
  }
}

export function runningNames(runtime: MemoryRuntime): string[] {
  return [...runtime.containers.values()].filter((c) => c.state === 'running').map((c) => c.name).sort();
}
