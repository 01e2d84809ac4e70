// The controller: one work queue keyed by `project/service`. Every trigger (an API request, an
// engine event, the periodic resync, a backoff falling due) only enqueues a key; the worker for a
// key (service-worker.ts) observes, reconciles, executes and applies. The controller owns the
// queue, the project records, and what failed syncs do next (sync-failures.ts). Project-wide steps
// (up, down) live in lifecycle/; the engine's events come in through engine-events.ts.
import type { Logger } from 'pino';
import type { Diagnostic } from '../../compose/errors.js';
import type { DaemonEventType } from '../../protocol/api.js';
import { LABEL_SERVICE } from '../core/labels.js';
import type { Operation, OperationResult } from '../core/plan.js';
import type { ServiceIntent } from '../core/reconcile.js';
import { freshMemory } from '../core/replica-memory.js';
import type { Timer } from '../ports/clock.js';
import { RuntimeError, type ContainerSummary, type RuntimeEvent } from '../ports/runtime.js';
import type { ProjectRecord, UnreadableState } from '../state/state-store.js';
import type { ControllerDeps } from './deps.js';
import { followEngineEvents } from './engine-events.js';
import { executePlan, type ExecutionContext } from './executor.js';
import { Observer } from './observer.js';
import { ServiceWorker } from './service-worker.js';
import { SyncFailures } from './sync-failures.js';
import { key, splitKey } from './service-key.js';
import { WorkQueue } from './work-queue.js';

export type { ControllerDeps, ControllerMetrics } from './deps.js';
export { key } from './service-key.js';

/** How long the daemon remembers that it stopped a container itself. */
const OWN_STOP_MEMORY_MS = 5 * 60_000;

export class Controller {
  readonly records = new Map<string, ProjectRecord>();
  readonly waiting = new Map<string, { message: string; blocked: boolean }>();
  /** The last reload's errors per project; the previous valid config keeps running meanwhile. */
  readonly configErrors = new Map<string, Diagnostic[]>();
  engineReachable = true;

  private readonly observer: Observer;
  private readonly worker: ServiceWorker;
  private readonly failures = new SyncFailures();
  private readonly queue: WorkQueue;
  private readonly goingDown = new Set<string>();
  private readonly ownStops = new Map<string, number>();
  private readonly saving = new Map<string, Promise<void>>();
  private readonly abort = new AbortController();
  private resyncTimer?: Timer;
  private eventLoop?: Promise<void>;

  constructor(readonly deps: ControllerDeps) {
    this.observer = new Observer(deps.runtime, deps.clock, () => this.setEngineReachable(true));
    this.queue = new WorkQueue((key) => this.sync(key), deps.clock, (key, error) => this.syncFailed(key, error));
    this.worker = new ServiceWorker({
      deps,
      records: this.records,
      waiting: this.waiting,
      observer: this.observer,
      failures: this.failures,
      isGoingDown: (project) => this.goingDown.has(project),
      intentFor: (record, service) => this.intentFor(record, service),
      save: (record) => this.save(record),
      emit: (event) => this.emit(event),
      enqueue: (serviceKey, at) => (at === undefined ? this.queue.enqueue(serviceKey) : this.queue.enqueueAt(serviceKey, at)),
      execute: (record, plan) => this.execute(record, plan),
    });
  }

  get logger(): Logger {
    return this.deps.logger;
  }

  /** Last container listing per project, for status while the engine is unreachable. */
  get lastListing(): ReadonlyMap<string, ContainerSummary[]> {
    return this.observer.lastListing;
  }

  /** The last failure's message per service key. */
  get lastError(): ReadonlyMap<string, string> {
    return this.failures.lastError;
  }

  /**
   * Reads the persisted projects (the daemon's own state; nothing is asked of the engine yet).
   * Returns the files that could not be read, for lifecycle/recover-from-labels.ts.
   */
  async load(): Promise<UnreadableState[]> {
    await this.deps.store.init();
    const loaded = await this.deps.store.loadAll();
    for (const problem of loaded.problems) {
      this.logger.error(problem, 'state file unreadable; recovering its project from container labels');
      this.emit({ type: 'engine', message: `state file ${problem.file} unreadable: ${problem.error}` });
    }
    for (const record of loaded.records) this.records.set(record.name, record);
    return loaded.problems;
  }

  /** Subscribes to engine events and resyncs everything once, then periodically. */
  async run(): Promise<void> {
    this.eventLoop = followEngineEvents(this.deps.runtime, this.eventIntake(), this.abort.signal, this.logger);
    await this.resyncAll();
    this.resyncTimer = this.deps.clock.setRepeating(this.deps.resyncIntervalMs ?? 30_000, () => void this.resyncAll());
  }

  /** Stop taking work, let the operations in flight finish; containers keep running. */
  async stop(): Promise<void> {
    this.resyncTimer?.cancel();
    this.abort.abort();
    await this.queue.close();
    await this.eventLoop?.catch(() => undefined);
    await Promise.allSettled([...this.saving.values()]);
  }

  enqueueProject(name: string): void {
    const record = this.records.get(name);
    if (!record) return;
    for (const service of Object.keys(record.project.services).sort()) this.queue.enqueue(key(name, service));
  }

  enqueueService(serviceKey: string): void {
    this.queue.enqueue(serviceKey);
  }

  forgetProject(name: string): void {
    const record = this.records.get(name);
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

  /** The project is down: forget it, after any save still in flight, so none can bring it back. */
  async remove(name: string): Promise<void> {
    this.records.delete(name);
    await this.saving.get(name)?.catch(() => undefined);
    this.saving.delete(name);
    await this.deps.store.remove(name);
    this.observer.forgetProject(name);
    this.configErrors.delete(name);
    this.failures.forget((serviceKey) => serviceKey.startsWith(`${name}/`));
    for (const serviceKey of [...this.waiting.keys()]) if (serviceKey.startsWith(`${name}/`)) this.waiting.delete(serviceKey);
  }

  /** Enqueue every service of every project, and services of ours the engine has that the files lost. */
  async resyncAll(): Promise<void> {
    for (const name of [...this.records.keys()].sort()) {
      // Listed before the services are queued, so their syncs share this listing.
      const listing = await this.listProject(name).catch(() => undefined);
      this.enqueueProject(name);
      const record = this.records.get(name);
      for (const service of new Set(listing?.map((c) => c.labels[LABEL_SERVICE] ?? '') ?? [])) {
        if (service && record && !record.project.services[service]) this.queue.enqueue(key(name, service));
      }
    }
  }

  intentFor(record: ProjectRecord, serviceName: string): ServiceIntent | undefined {
    const service = record.project.services[serviceName];
    if (!service) return undefined;
    return {
      service,
      configHash: record.configHashes[serviceName] ?? '',
      replicas: record.scale[serviceName] ?? service.replicas,
      stopped: record.stopped.includes(serviceName),
      restartRequestedAt: record.restartRequestedAt[serviceName],
      stopTimeoutSeconds: record.stopTimeouts?.[serviceName],
      createOnly: record.createOnly?.includes(serviceName),
      rolloutPaused: record.rollouts[serviceName]?.state === 'paused',
    };
  }

  /** The project's containers (observer.ts: a listing shared while nothing changed). */
  listProject(name: string, options: { maxAgeMs?: number } = {}): Promise<ContainerSummary[]> {
    return this.observer.listProject(name, options);
  }

  /** Persist a project record; writes of one project are serialized, the last one wins. */
  save(record: ProjectRecord): Promise<void> {
    const previous = this.saving.get(record.name) ?? Promise.resolve();
    const next = previous
      .catch(() => undefined)
      .then(() => (this.records.get(record.name) === record ? this.deps.store.save(record) : undefined))
      .catch((error: unknown) => {
        this.logger.error({ err: error, project: record.name }, 'could not write the state file; running containers are untouched');
        this.emit({ project: record.name, type: 'engine', message: `state not saved: ${String(error)}` });
      });
    this.saving.set(record.name, next);
    return next;
  }

  /**
   * Carries out a plan for a project with the supervisor's own context: the balancer drains each
   * replica before it stops, the daemon's own stops are not taken for a user's, listings taken
   * before are not reused.
   */
  async execute(record: ProjectRecord, plan: Operation[], options: Pick<ExecutionContext, 'stopTimeoutSeconds' | 'stepAside'> = {}): Promise<OperationResult[]> {
    if (plan.length === 0) return [];
    this.observer.containersChanged(record.name);
    const { clock, balancers } = this.deps;
    const results = await executePlan(plan, {
      runtime: this.deps.runtime,
      project: record.project,
      configHash: (s) => record.configHashes[s] ?? '',
      logger: this.logger.child({ project: record.name }),
      now: () => clock.now(),
      sleep: (ms, signal) => clock.sleep(ms, signal),
      onOwnStop: (id) => this.noteOwnStop(id),
      drain: async (id, graceMs) => balancers?.drain(id, graceMs),
      onRemoved: (id) => balancers?.forget(id),
      ...options,
    });
    this.observer.containersChanged(record.name);
    return results;
  }

  noteOwnStop(containerId: string): void {
    const now = this.deps.clock.now();
    this.ownStops.set(containerId, now);
    for (const [id, at] of this.ownStops) if (now - at > OWN_STOP_MEMORY_MS) this.ownStops.delete(id);
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
    const next = this.failures.failed(serviceKey, error, this.records.get(project)?.configHashes[service] ?? '');
    if (next.kind === 'halt') {
      if (next.firstTime) this.emit({ project, service, type: 'operation-failed', message: `${errorMessage(error)}; not retried until the config changes, up, restart or start` });
      this.logger.error({ key: serviceKey, err: error }, 'sync failed in a way retrying cannot fix; waiting for a change');
      return;
    }
    if (isUnreachable(error)) this.setEngineReachable(false);
    this.logger.warn({ key: serviceKey, err: error, retryInMs: next.delayMs }, 'sync failed; will retry');
    this.queue.enqueueAt(serviceKey, this.deps.clock.now() + next.delayMs);
  }

  private setEngineReachable(reachable: boolean): void {
    if (this.engineReachable === reachable) return;
    this.engineReachable = reachable;
    this.emit({ type: 'engine', message: reachable ? 'engine reachable again' : 'engine unreachable' });
  }

  /** Engine events only enqueue, and note what the next sync must know. */
  private eventIntake() {
    return {
      supervises: (project: string) => this.records.has(project),
      connected: (reconnect: boolean) => {
        if (reconnect) this.deps.metrics?.countReconnect();
        // Whatever happened while we were not listening (a container dying while dockerd was down
        // emits nothing) is found by a full resync.
        this.setEngineReachable(true);
        void this.resyncAll();
      },
      disconnected: () => this.setEngineReachable(false),
      containerEvent: (project: string, service: string, event: Extract<RuntimeEvent, { kind: 'container' }>, number: number) => {
        this.observer.containersChanged(project);
        if (event.action === 'stop' && !this.ownStops.has(event.id)) this.noteUserStop(project, service, number);
        if (event.action === 'die') this.observer.died(event.id);
        if (event.action === 'destroy') {
          this.ownStops.delete(event.id);
          this.observer.destroyed(event.id);
        }
        this.queue.enqueue(key(project, service));
      },
    };
  }

  /** `docker stop` by someone else: unless-stopped leaves that replica stopped. */
  private noteUserStop(project: string, service: string, number: number): void {
    const record = this.records.get(project);
    if (!record || !Number.isInteger(number)) return;
    const memory = (record.replicas[service] ??= {});
    const mem = (memory[number] ??= freshMemory());
    mem.stoppedByUser = true;
    // The `die` before this `stop` may already have been decided as a crash: decide it again.
    if (mem.handled?.outcome === 'replace' && mem.handled.containerId === mem.containerId) mem.handled = undefined;
    void this.save(record);
  }
}


export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** A transient failure with a socket error code and no HTTP answer: the engine itself is not there. */
function isUnreachable(error: unknown): boolean {
  return error instanceof RuntimeError && error.kind === 'transient' && error.statusCode === undefined && error.code !== undefined;
}
