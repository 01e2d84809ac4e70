// The controller: one work queue keyed by `project/service`. Every trigger (an API request, an
// engine event, the periodic resync, a backoff falling due) only enqueues a key; the worker for a
// key (service-worker.ts) observes, reconciles, executes and applies. The controller owns the
// queue, what the engine was last seen doing (observer.ts), and what failed syncs do next
// (sync-failures.ts); the project records are the registry's (state/project-registry.ts).
// Project-wide steps (up, down) live in lifecycle/; the engine's events come in through
// engine-events.ts.
import type { DaemonEventType } from '../../protocol/api.js';
import { LABEL_SERVICE } from '../core/labels.js';
import type { Operation, OperationResult } from '../core/plan.js';
import { labelledHash } from '../core/rolling-restart.js';
import type { Timer } from '../ports/clock.js';
import { RuntimeError, type ContainerSummary, type RuntimeEvent } from '../ports/runtime.js';
import type { ProjectRegistry } from '../state/project-registry.js';
import type { ProjectView } from '../state/state-store.js';
import type { ControllerDeps } from './deps.js';
import { followEngineEvents } from './engine-events.js';
import { executePlan, type ExecutionContext } from './executor.js';
import { Observer } from './observer.js';
import { ServiceWorker } from './service-worker.js';
import { SyncFailures } from './sync-failures.js';
import { key, splitKey } from './service-key.js';
import { RecentKeys } from './recent-keys.js';
import { WorkQueue } from './work-queue.js';

export type { ControllerDeps, ControllerMetrics } from './deps.js';
export { key } from './service-key.js';

/**
 * Services of a resync queued at once before the events waiting are let in. A sync whose listing
 * is shared runs to its end without waiting for the engine: 5,000 services queued at once held the
 * event loop for the whole resync (bench/RESULTS.md, the simulation).
 */
const RESYNC_SLICE = 20;

/** How long the daemon remembers that it stopped a container itself. */
const OWN_STOP_MEMORY_MS = 5 * 60_000;

export class Controller {
  private readonly waiting = new Map<string, { message: string; blocked: boolean }>();
  private reachable = true;
  private readonly observer: Observer;
  private readonly worker: ServiceWorker;
  private readonly failures = new SyncFailures();
  private readonly queue: WorkQueue;
  private readonly goingDown = new Set<string>();
  private readonly ownStops: RecentKeys;
  private readonly abort = new AbortController();
  private resyncTimer?: Timer;
  private eventLoop?: Promise<void>;

  constructor(
    private readonly deps: ControllerDeps,
    private readonly registry: ProjectRegistry,
  ) {
    this.ownStops = new RecentKeys(OWN_STOP_MEMORY_MS, () => deps.clock.now());
    this.observer = new Observer(deps.runtime, deps.clock, () => this.setEngineReachable(true));
    this.queue = new WorkQueue((key) => this.sync(key), deps.clock, (key, error) => this.syncFailed(key, error));
    this.worker = new ServiceWorker({
      deps,
      registry,
      waiting: this.waiting,
      observer: this.observer,
      failures: this.failures,
      isGoingDown: (project) => this.goingDown.has(project),
      emit: (event) => this.emit(event),
      enqueue: (serviceKey, at) => (at === undefined ? this.queue.enqueue(serviceKey) : this.queue.enqueueAt(serviceKey, at)),
      execute: (record, plan) => this.execute(record, plan),
    });
  }

  /** Whether the engine answered the last time the daemon asked (or its event stream is connected). */
  get engineReachable(): boolean {
    return this.reachable;
  }

  /** The project's last container listing, for status while the engine is unreachable. */
  lastListingOf(project: string): ContainerSummary[] {
    return this.observer.lastListingOf(project);
  }

  /** The last failure's message for a service key. */
  lastErrorOf(serviceKey: string): string | undefined {
    return this.failures.lastErrorOf(serviceKey);
  }

  /** What the service waits for (its dependencies), when it waits. */
  waitingOf(serviceKey: string): { message: string; blocked: boolean } | undefined {
    return this.waiting.get(serviceKey);
  }

  /** Subscribes to engine events and resyncs everything once, then periodically. */
  async run(): Promise<void> {
    this.eventLoop = followEngineEvents(this.deps.runtime, this.eventIntake(), this.abort.signal, this.deps.logger);
    await this.resyncAll();
    this.resyncTimer = this.deps.clock.setRepeating(this.deps.resyncIntervalMs ?? 30_000, () => void this.resyncAll());
  }

  /** Stop taking work, let the operations in flight finish; containers keep running. */
  async stop(): Promise<void> {
    this.resyncTimer?.cancel();
    this.abort.abort();
    await this.queue.close();
    await this.eventLoop?.catch(() => undefined);
    await this.registry.flush();
  }

  enqueueProject(name: string): void {
    const record = this.registry.get(name);
    if (!record) return;
    for (const service of Object.keys(record.project.services).sort()) this.queue.enqueue(key(name, service));
  }

  enqueueService(serviceKey: string): void {
    this.queue.enqueue(serviceKey);
  }

  forgetProject(name: string): void {
    const record = this.registry.get(name);
    for (const service of Object.keys(record?.project.services ?? {})) this.queue.forget(key(name, service));
  }

  /** Why the service waits for a change, when its last sync failed in a way retrying cannot fix. */
  haltedBy(serviceKey: string): string | undefined {
    return this.failures.haltedBy(serviceKey);
  }

  /** Something changed that may fix a failure retrying could not (`up`, a reload, restart, start, scale). */
  retryAfterChange(project: string, service?: string): void {
    this.failures.forget((serviceKey) => (service === undefined ? serviceKey.startsWith(`${project}/`) : serviceKey === key(project, service)));
  }

  markGoingDown(name: string, down: boolean): void {
    if (down) this.goingDown.add(name);
    else this.goingDown.delete(name);
  }

  /** Whether a sync of the project (of any project without one) runs or is due again at once. */
  busy(project?: string): boolean {
    return this.queue.busy(project === undefined ? '' : `${project}/`);
  }

  /** Wait until no sync of the project (of any project without one) runs. */
  async waitIdle(project?: string): Promise<void> {
    while (this.busy(project)) await this.deps.clock.sleep(20);
  }

  /** The project is down: forget what was seen and what failed. */
  forgetDown(name: string): void {
    this.observer.forgetProject(name);
    this.failures.forget((serviceKey) => serviceKey.startsWith(`${name}/`));
    for (const serviceKey of [...this.waiting.keys()]) if (serviceKey.startsWith(`${name}/`)) this.waiting.delete(serviceKey);
  }

  /** Enqueue every service of every project, and services of ours the engine has that the files lost. */
  async resyncAll(): Promise<void> {
    for (const { name } of this.registry.all()) {
      // Listed before the services are queued, so their syncs share this listing.
      const listing = await this.listProject(name).catch(() => undefined);
      const record = this.registry.get(name);
      const services = Object.keys(record?.project.services ?? {}).sort();
      for (const service of new Set(listing?.map((c) => c.labels[LABEL_SERVICE] ?? '') ?? [])) {
        if (service && record && !record.project.services[service]) services.push(service);
      }
      for (let i = 0; i < services.length; i += RESYNC_SLICE) {
        if (i > 0) await yieldToEvents();
        for (const service of services.slice(i, i + RESYNC_SLICE)) this.queue.enqueue(key(name, service));
      }
    }
  }

  /** The project's containers (observer.ts: a listing shared while nothing changed). */
  listProject(name: string, options: { maxAgeMs?: number } = {}): Promise<ContainerSummary[]> {
    return this.observer.listProject(name, options);
  }

  /**
   * Carries out a plan for a project with the supervisor's own context: the balancer drains each
   * replica before it stops, the daemon's own stops are not taken for a user's, listings taken
   * before are not reused.
   */
  async execute(record: ProjectView, plan: Operation[], options: Pick<ExecutionContext, 'stopTimeoutSeconds' | 'stepAside'> = {}): Promise<OperationResult[]> {
    if (plan.length === 0) return [];
    const services = new Set(plan.map((op) => op.service));
    for (const service of services) this.observer.containersChanged(record.name, service);
    const { clock, balancers, keepOutput } = this.deps;
    const results = await executePlan(plan, {
      runtime: this.deps.runtime,
      project: record.project,
      configHash: (s) => labelledHash(record, s),
      logger: this.deps.logger.child({ project: record.name }),
      now: () => clock.now(),
      sleep: (ms, signal) => clock.sleep(ms, signal),
      onOwnStop: (id) => this.noteOwnStop(id),
      drain: async (id, graceMs) => balancers?.drain(id, graceMs),
      onRemoved: (id) => balancers?.forget(id),
      keepOutput: keepOutput && ((service, number, id) => keepOutput(record.name, service, number, id)),
      ...options,
    });
    for (const service of services) this.observer.containersChanged(record.name, service);
    return results;
  }

  noteOwnStop(containerId: string): void {
    this.ownStops.note(containerId);
  }

  emit(event: { type: DaemonEventType; message: string; project?: string; service?: string; replica?: number }): void {
    this.deps.events.emit(event);
  }

  // ---- the per-service sync -------------------------------------------------------------------

  private async sync(serviceKey: string): Promise<void> {
    const started = this.deps.clock.monotonic();
    try {
      await this.worker.sync(serviceKey);
    } finally {
      this.deps.metrics?.observeReconcile((this.deps.clock.monotonic() - started) / 1000);
    }
  }

  private syncFailed(serviceKey: string, error: unknown): void {
    const [project, service] = splitKey(serviceKey);
    const next = this.failures.failed(serviceKey, error, this.registry.get(project)?.configHashes[service] ?? '');
    if (next.kind === 'halt') {
      if (next.firstTime) this.emit({ project, service, type: 'operation-failed', message: `${errorMessage(error)}; not retried until the config changes, up, restart or start` });
      this.deps.logger.error({ key: serviceKey, err: error }, 'sync failed in a way retrying cannot fix; waiting for a change');
      return;
    }
    if (isUnreachable(error)) this.setEngineReachable(false);
    this.deps.logger.warn({ key: serviceKey, err: error, retryInMs: next.delayMs }, 'sync failed; will retry');
    this.queue.enqueueAt(serviceKey, this.deps.clock.now() + next.delayMs);
  }

  private setEngineReachable(reachable: boolean): void {
    if (this.reachable === reachable) return;
    this.reachable = reachable;
    this.emit({ type: 'engine', message: reachable ? 'engine reachable again' : 'engine unreachable' });
  }

  /** Engine events only enqueue, and note what the next sync must know. */
  private eventIntake() {
    return {
      supervises: (project: string) => this.registry.has(project),
      connected: (reconnect: boolean) => {
        if (reconnect) this.deps.metrics?.countReconnect();
        // Whatever happened while we were not listening (a container dying while dockerd was down
        // emits nothing) is found by a full resync.
        this.setEngineReachable(true);
        void this.resyncAll();
      },
      disconnected: () => this.setEngineReachable(false),
      containerEvent: (project: string, service: string, event: Extract<RuntimeEvent, { kind: 'container' }>, number: number) => {
        this.observer.containersChanged(project, service);
        if (event.action === 'stop' && !this.ownStops.has(event.id)) this.noteUserStop(project, service, number);
        if (event.action === 'die') this.observer.died(event.id);
        if (event.action === 'destroy') {
          this.ownStops.forget(event.id);
          this.observer.destroyed(event.id);
        }
        this.queue.enqueue(key(project, service));
      },
    };
  }

  /** `docker stop` by someone else: unless-stopped leaves that replica stopped. */
  private noteUserStop(project: string, service: string, number: number): void {
    const record = this.registry.get(project);
    if (record && Number.isInteger(number)) void this.registry.noteUserStop(record, service, number);
  }
}


/** Lets the event loop run what waits (engine events, API requests) before going on; no time passes. */
function yieldToEvents(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** A transient failure with a socket error code and no HTTP answer: the engine itself is not there. */
function isUnreachable(error: unknown): boolean {
  return error instanceof RuntimeError && error.kind === 'transient' && error.statusCode === undefined && error.code !== undefined;
}
