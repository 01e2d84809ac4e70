// The controller: one work queue keyed by `project/service`. Every trigger (an API request, an
// engine event, the periodic resync, a backoff falling due) only enqueues a key; the worker for a
// key observes the engine, reconciles, and executes the plan. Project-wide steps (up, down) live in
// project-lifecycle.ts; this file is the per-service loop and the engine event intake.
import type { Logger } from 'pino';
import type { Diagnostic } from '../compose/errors.js';
import type { Service } from '../compose/model.js';
import type { DaemonEventType } from './api/protocol.js';
import { dependantsToRestart, dependencyState, type DependencyState } from './core/dependencies.js';
import { LABEL_NUMBER, LABEL_PROJECT, LABEL_SERVICE, projectSelector } from './core/labels.js';
import { collectObserved, needsDetails } from './core/observed.js';
import type { Operation } from './core/plan.js';
import { reconcile, type ServiceIntent } from './core/reconcile.js';
import { followRollout } from './core/rollout-outcome.js';
import { freshMemory, RESTART_TIMES_KEPT, type ReplicaMemory } from './core/replica-memory.js';
import { removalFailedAgain, steppedAside, type StuckRemoval } from './core/stuck-removal.js';
import type { Balancers } from './balancers.js';
import type { EventLog } from './event-log.js';
import { restartReason, type RestartReason } from './metrics/daemon-metrics.js';
import { executePlan, type OperationResult } from './executor.js';
import type { Clock, Timer } from './ports/clock.js';
import { RuntimeError, type ContainerDetails, type ContainerSummary, type RuntimeEvent, type SupervisionRuntime } from './ports/runtime.js';
import type { ProjectRecord, StateStore, UnreadableState } from './state-store.js';
import { WorkQueue } from './work-queue.js';

export interface ControllerDeps {
  runtime: SupervisionRuntime;
  store: StateStore;
  clock: Clock;
  logger: Logger;
  events: EventLog;
  /** Full resync period (default 30 s): catches whatever the event stream missed. */
  resyncIntervalMs?: number;
  /** What the controller counts as it happens (Prometheus metrics in the daemon). */
  metrics?: ControllerMetrics;
  /** The built-in balancers: their backends follow each listing; replicas are drained before they stop. */
  balancers?: Balancers;
}

export interface ControllerMetrics {
  countRestart(project: string, service: string, reason: RestartReason): void;
  observeReconcile(seconds: number): void;
  countReconnect(): void;
}

/** Retry delays for a sync that failed (engine unreachable, an operation refused). */
const ERROR_BACKOFF_MS = [500, 1_000, 2_000, 5_000, 10_000, 30_000];
/**
 * A container that vanished or changed under an operation (not found, conflict) means the listing
 * was stale: look again this soon, this many times in a row, before backing off like any failure.
 */
const STALE_RETRY_MS = 100;
const STALE_RETRIES = 3;
/** How long the daemon remembers that it stopped a container itself. */
const OWN_STOP_MEMORY_MS = 5 * 60_000;
/**
 * The engine emits `die` before its container listing says `exited` (seen on 20.10: a listing made
 * right after the event still showed the container running, and the replacement then waited for
 * the 30 s resync; bench/RESULTS.md, replacement latency). Such a container is inspected at once
 * (seeRecentDeaths); one that even inspect still shows running is looked at again this soon, for
 * at most DIE_RECHECK_FOR_MS.
 */
const DIE_RECHECK_MS = 25;
const DIE_RECHECK_FOR_MS = 5_000;
/**
 * How old a listing a sync may reuse when nothing changed since it began. Without it, each of a
 * project's services listed the whole project at every resync (20 services: 21 listings of 100
 * containers every 30 s, the daemon's CPU spikes in bench/RESULTS.md, autoscale sampling cost).
 */
const SHARED_LISTING_MS = 2_000;

export class Controller {
  readonly records = new Map<string, ProjectRecord>();
  /** Last container listing per project, for status while the engine is unreachable. */
  readonly lastListing = new Map<string, ContainerSummary[]>();
  /** When each project's last listing began, and its change count then. */
  private readonly listedAt = new Map<string, { at: number; generation: number }>();
  /** Per project, how many times its containers changed (events, executed plans). */
  private readonly changes = new Map<string, number>();
  readonly waiting = new Map<string, { message: string; blocked: boolean }>();
  readonly lastError = new Map<string, string>();
  /** The last reload's errors per project; the previous valid config keeps running meanwhile. */
  readonly configErrors = new Map<string, Diagnostic[]>();
  /**
   * Services whose last sync failed in a way retrying cannot fix (an image that cannot be pulled, a
   * spec the engine refuses), with the config hash it failed on: they wait for a change (a new
   * config, `up`, `restart`, `start`, `scale`) instead of retrying forever.
   */
  private readonly halted = new Map<string, { message: string; configHash: string }>();
  engineReachable = true;

  private readonly queue: WorkQueue;
  private readonly goingDown = new Set<string>();
  private readonly ownStops = new Map<string, number>();
  /** Containers whose `die` event arrived, with when: a sync that still sees them running looks again. */
  private readonly recentDeaths = new Map<string, number>();
  private readonly errorCounts = new Map<string, number>();
  private readonly saving = new Map<string, Promise<void>>();
  private readonly abort = new AbortController();
  private resyncTimer?: Timer;
  private connectedBefore = false;
  private eventLoop?: Promise<void>;

  constructor(readonly deps: ControllerDeps) {
    this.queue = new WorkQueue((key) => this.sync(key), deps.clock, (key, error) => this.syncFailed(key, error));
  }

  get logger(): Logger {
    return this.deps.logger;
  }

  /**
   * Reads the persisted projects (the daemon's own state; nothing is asked of the engine yet).
   * Returns the files that could not be read, for recover-from-labels.ts.
   */
  async load(): Promise<UnreadableState[]> {
    await this.deps.store.init();
    const loaded = await this.deps.store.loadAll();
    for (const problem of loaded.problems) {
      this.logger.error(problem, 'state file unreadable; recovering its project from container labels');
      this.emit({ type: 'engine', message: `state file ${problem.file} unreadable: ${problem.error}` });
    }
    for (const record of loaded.records) {
      // Records written before roll-outs and warnings existed (state version 1 all along), and
      // replica memories missing a field, are filled in rather than refused.
      record.rollouts ??= {};
      record.warnings ??= [];
      record.stuck ??= {};
      for (const byNumber of Object.values(record.replicas)) {
        for (const [number, mem] of Object.entries(byNumber)) byNumber[Number(number)] = { ...freshMemory(), ...mem };
      }
      this.records.set(record.name, record);
    }
    return loaded.problems;
  }

  /** Subscribes to engine events and resyncs everything once, then periodically. */
  async run(): Promise<void> {
    this.eventLoop = this.consumeEvents();
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
    return this.halted.get(serviceKey)?.message;
  }

  /** Something changed that may fix a failure retrying could not (`up`, a reload, restart, start, scale). */
  retryAfterChange(project: string, service?: string): void {
    for (const serviceKey of [...this.halted.keys()]) {
      if (service === undefined ? serviceKey.startsWith(`${project}/`) : serviceKey === key(project, service)) {
        this.halted.delete(serviceKey);
        this.lastError.delete(serviceKey);
        this.errorCounts.delete(serviceKey);
      }
    }
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
    this.lastListing.delete(name);
    this.listedAt.delete(name);
    this.changes.delete(name);
    this.configErrors.delete(name);
    for (const map of [this.waiting, this.lastError, this.errorCounts, this.halted]) {
      for (const key of [...map.keys()]) if (key.startsWith(`${name}/`)) map.delete(key);
    }
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
      rolloutPaused: record.rollouts[serviceName]?.state === 'paused',
    };
  }

  /**
   * The project's containers from the engine. `maxAgeMs` lets a reader reuse a listing that recent
   * instead of asking the engine again, as long as nothing has changed the project's containers
   * since that listing began: a container event of the project, or a plan the daemon executes.
   */
  async listProject(name: string, { maxAgeMs = 0 } = {}): Promise<ContainerSummary[]> {
    const cached = this.listedAt.get(name);
    const last = this.lastListing.get(name);
    const generation = this.changes.get(name) ?? 0;
    if (maxAgeMs > 0 && last && cached && cached.generation === generation && this.deps.clock.now() - cached.at <= maxAgeMs) return last;
    const at = this.deps.clock.now();
    const containers = await this.deps.runtime.listContainers(projectSelector(name));
    this.lastListing.set(name, containers);
    this.listedAt.set(name, { at, generation });
    this.setEngineReachable(true);
    return containers;
  }

  /** The project's containers changed (or may have): listings taken before are not reused. */
  private containersChanged(project: string): void {
    this.changes.set(project, (this.changes.get(project) ?? 0) + 1);
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
      await this.syncService(serviceKey);
    } finally {
      this.deps.metrics?.observeReconcile((this.deps.clock.monotonic() - started) / 1000);
    }
  }

  private async syncService(serviceKey: string): Promise<void> {
    const [projectName, serviceName] = splitKey(serviceKey);
    const record = this.records.get(projectName);
    if (!record || this.goingDown.has(projectName)) return;
    const { clock, runtime } = this.deps;

    // The services of a project synced together (a resync, a reload) share one listing.
    const { listing, inspected, stillRunning } = await this.seeRecentDeaths(await this.listProject(projectName, { maxAgeMs: SHARED_LISTING_MS }));
    const mine = listing.filter((c) => c.labels[LABEL_SERVICE] === serviceName);
    this.deps.balancers?.setBackends(record.project, serviceName, mine);
    if (this.halted.get(serviceKey)?.configHash === (record.configHashes[serviceName] ?? '')) return;
    this.halted.delete(serviceKey);
    if (stillRunning) this.queue.enqueueAt(serviceKey, clock.now() + DIE_RECHECK_MS);
    const details = await this.inspectWhereNeeded(mine, inspected);
    const intent = this.intentFor(record, serviceName);
    const result = reconcile({
      project: projectName,
      intent,
      observed: collectObserved(projectName, serviceName, mine, details),
      memory: record.replicas[serviceName] ?? {},
      stuck: record.stuck[serviceName] ?? {},
      dependencies: dependencyStates(record, listing, intent?.service, (s) => this.intentFor(record, s)),
      now: clock.now(),
    });
    if (this.records.get(projectName) !== record || this.goingDown.has(projectName)) return;

    if (intent) record.replicas[serviceName] = result.memory;
    else delete record.replicas[serviceName];
    setStuck(record, serviceName, result.stuck);
    this.noteWaiting(serviceKey, projectName, serviceName, result.waiting);
    this.applyRolloutOutcome(record, serviceName, result.rolloutFailure, result.rolloutComplete);
    this.announce(projectName, result.plan, result.memory);
    if (result.plan.length > 0) {
      await this.save(record);
      this.containersChanged(projectName);
    }

    const results = await executePlan(result.plan, {
      runtime,
      project: record.project,
      configHash: (s) => record.configHashes[s] ?? '',
      logger: this.logger.child({ project: projectName }),
      now: () => clock.now(),
      sleep: (ms) => clock.sleep(ms),
      onOwnStop: (id) => this.noteOwnStop(id),
      drain: async (id, graceMs) => this.deps.balancers?.drain(id, graceMs),
      onRemoved: (id) => this.deps.balancers?.forget(id),
    });
    if (result.plan.length > 0) this.containersChanged(projectName);
    this.applyResults(record, serviceName, results);
    this.restartDependants(record, serviceName, results);
    if (result.plan.length > 0) await this.save(record);

    // A stuck container's failed removal is retried on its own backoff; it fails nothing else.
    const failed = results.filter((r) => !r.ok && r.op.kind !== 'remove-stuck');
    if (failed.length > 0) throw failed[0]?.error;
    this.errorCounts.delete(serviceKey);
    this.lastError.delete(serviceKey);
    if (result.requeueAt !== undefined) this.queue.enqueueAt(serviceKey, result.requeueAt);
    if (result.plan.length > 0) this.queue.enqueue(serviceKey);
    this.enqueueWaitingDependants(record, serviceName);
  }

  /**
   * The listing with each container whose `die` arrived but is still listed running replaced by
   * its inspection. The listing is a snapshot the engine updates after the event; inspect reads the
   * container itself, so the replacement need not wait for the next listing (it waited a 25 ms
   * recheck or more, 89 ms median from die to the listing that saw it; bench/RESULTS.md).
   */
  private async seeRecentDeaths(
    listing: ContainerSummary[],
  ): Promise<{ listing: ContainerSummary[]; inspected: Map<string, ContainerDetails>; stillRunning: boolean }> {
    // Judged on the engine's listing only: a death stays remembered until the listing itself agrees,
    // so a later sync whose fresh listing still lags inspects again instead of seeing it running.
    const lagging = this.diedButListedRunning(listing);
    const inspected = new Map<string, ContainerDetails>();
    if (lagging.length === 0) return { listing, inspected, stillRunning: false };
    await Promise.all(
      lagging.map(async (id) => {
        const d = await this.deps.runtime.inspectContainer(id);
        if (d) inspected.set(id, d);
      }),
    );
    // Running again after its death (someone's `docker start`): nothing lags any more.
    for (const id of lagging) {
      const d = inspected.get(id);
      if (d?.state === 'running' && d.startedAt > (this.recentDeaths.get(id) ?? Infinity)) this.recentDeaths.delete(id);
    }
    const stillRunning = lagging.some((id) => this.recentDeaths.has(id) && inspected.get(id)?.state === 'running');
    return { listing: listing.map((c) => inspected.get(c.id) ?? c), inspected, stillRunning };
  }

  /** Containers whose `die` arrived but that are still listed running (the engine lags its events). */
  private diedButListedRunning(containers: ContainerSummary[]): string[] {
    const now = this.deps.clock.now();
    const lagging: string[] = [];
    for (const c of containers) {
      const diedAt = this.recentDeaths.get(c.id);
      if (diedAt === undefined) continue;
      if (c.state === 'running' && now - diedAt < DIE_RECHECK_FOR_MS) lagging.push(c.id);
      else this.recentDeaths.delete(c.id);
    }
    return lagging;
  }

  private async inspectWhereNeeded(containers: ContainerSummary[], inspected: ReadonlyMap<string, ContainerDetails>): Promise<Map<string, ContainerDetails>> {
    const details = new Map(inspected);
    await Promise.all(
      containers.filter((c) => needsDetails(c) && !details.has(c.id)).map(async (c) => {
        const d = await this.deps.runtime.inspectContainer(c.id);
        if (d) details.set(c.id, d);
      }),
    );
    return details;
  }

  private applyResults(record: ProjectRecord, serviceName: string, results: OperationResult[]): void {
    this.applyStuckResults(record, serviceName, results);
    const memory = record.replicas[serviceName];
    if (!memory) return;
    for (const result of results) {
      if (result.op.kind === 'remove-stuck') continue;
      const { op } = result;
      // A surge is not the replica yet: it becomes it on promote.
      if (op.kind === 'create-surge' && result.ok) continue;
      const mem = (memory[op.number] ??= freshMemory());
      if (!result.ok) {
        this.emit({ project: record.name, service: serviceName, replica: op.number, type: 'operation-failed', message: `${op.kind} failed: ${errorMessage(result.error)}` });
        if (op.kind === 'start') mem.startFailedId = op.containerId;
        continue;
      }
      const restarted = (op.kind === 'replace' || (op.kind === 'create' && op.replacement)) && mem.handled?.outcome === 'replace';
      if (restarted) {
        // Recorded once the restart happened, not when it was decided: a failed create adds none.
        mem.restartTimes = [...mem.restartTimes, this.deps.clock.now()].slice(-RESTART_TIMES_KEPT);
        if (mem.lastExit) this.deps.metrics?.countRestart(record.name, serviceName, restartReason(mem.lastExit));
      }
      if (result.containerId) {
        Object.assign(mem, { containerId: result.containerId, createdAt: result.createdAt, handled: undefined, stoppedByUser: false, startFailedId: undefined });
      }
      if (result.logTail && mem.lastExit) mem.lastExit.logTail = result.logTail;
    }
  }

  /** Containers moved aside, and retried removals: the stuck memory and the events that say so. */
  private applyStuckResults(record: ProjectRecord, serviceName: string, results: OperationResult[]): void {
    const now = this.deps.clock.now();
    const stuck = { ...(record.stuck[serviceName] ?? {}) };
    for (const { op, ok, error, steppedAside: aside } of results) {
      const base = { project: record.name, service: serviceName, replica: op.number };
      if (aside) {
        stuck[aside.containerId] = steppedAside(aside.name, aside.error, now);
        this.emit({ ...base, type: 'operation-failed', message: `the engine cannot remove the old container (${aside.error}); moved it aside as ${aside.name} and kept going` });
      }
      if (op.kind !== 'remove-stuck') continue;
      const entry = stuck[op.containerId];
      if (ok) {
        delete stuck[op.containerId];
        this.emit({ ...base, type: 'replica-removed', message: `removed ${entry?.name ?? op.containerId}, which the engine could not remove before` });
      } else if (entry) {
        stuck[op.containerId] = removalFailedAgain(entry, errorMessage(error), now);
      }
    }
    setStuck(record, serviceName, stuck);
  }

  /** Log and publish what a plan is about to do, with each operation's cause. */
  private announce(project: string, plan: Operation[], memory: Record<number, ReplicaMemory>): void {
    for (const op of plan) {
      const base = { project, service: op.service, replica: op.number };
      switch (op.kind) {
        case 'record-exit': {
          const outcome = memory[op.number]?.handled?.outcome;
          const type = outcome === 'give-up' ? 'gave-up' : outcome === 'replace' ? 'backoff' : 'replica-exited';
          this.emit({ ...base, type, message: op.cause });
          break;
        }
        case 'create':
          this.emit({ ...base, type: 'replica-created', message: op.cause });
          break;
        case 'replace':
          this.emit({ ...base, type: 'replica-replaced', message: op.cause });
          break;
        case 'remove':
          this.emit({ ...base, type: 'replica-removed', message: op.cause });
          break;
        case 'stop':
          this.emit({ ...base, type: 'replica-stopped', message: op.cause });
          break;
        case 'start':
          this.emit({ ...base, type: 'replica-started', message: op.cause });
          break;
        case 'create-surge':
        case 'promote':
        case 'adopt-surge':
          this.emit({ ...base, type: 'rollout', message: `${op.kind === 'create-surge' ? 'starting the new config beside the old' : 'new container takes over'}: ${op.cause}` });
          break;
      }
    }
  }

  private noteWaiting(serviceKey: string, project: string, service: string, waiting: { message: string; blocked: boolean } | undefined): void {
    const before = this.waiting.get(serviceKey);
    if (waiting) this.waiting.set(serviceKey, waiting);
    else this.waiting.delete(serviceKey);
    if (waiting && waiting.message !== before?.message) this.emit({ project, service, type: 'waiting', message: waiting.message });
  }

  /** The roll-out's next state (core/rollout-outcome.ts), applied to the record and announced. */
  private applyRolloutOutcome(record: ProjectRecord, serviceName: string, failure: string | undefined, complete: boolean): void {
    const service = record.project.services[serviceName];
    if (!service) return;
    const outcome = followRollout({ rollout: record.rollouts[serviceName], service, hash: record.configHashes[serviceName] ?? '', failure, complete, now: this.deps.clock.now() });
    if (!outcome) return;
    record.rollouts[serviceName] = outcome.rollout;
    if (outcome.rollBackTo) {
      record.project.services[serviceName] = outcome.rollBackTo.service;
      record.configHashes[serviceName] = outcome.rollBackTo.hash;
    }
    this.emit({ project: record.name, service: serviceName, type: 'rollout', message: outcome.rollout.message });
    if (failure) this.logger.warn({ project: record.name, service: serviceName, failure }, outcome.rollout.message);
    if (outcome.requeue) this.queue.enqueue(key(record.name, serviceName));
  }

  /** depends_on `restart: true`: a dependency that was replaced restarts its dependants. */
  private restartDependants(record: ProjectRecord, serviceName: string, results: OperationResult[]): void {
    const replaced = results.some((r) => r.ok && (r.op.kind === 'replace' || (r.op.kind === 'create' && r.op.replacement)));
    if (!replaced) return;
    const now = this.deps.clock.now();
    for (const name of dependantsToRestart(record.project.services, serviceName)) {
      record.restartRequestedAt[name] = now;
      this.emit({ project: record.name, service: name, type: 'replica-replaced', message: `restarting because its dependency ${serviceName} was replaced (depends_on restart: true)` });
      this.queue.enqueue(key(record.name, name));
    }
  }

  private enqueueWaitingDependants(record: ProjectRecord, serviceName: string): void {
    for (const [name, service] of Object.entries(record.project.services)) {
      if (service.dependsOn[serviceName] && this.waiting.has(key(record.name, name))) this.queue.enqueue(key(record.name, name));
    }
  }

  /**
   * What a failed sync does next depends on what failed (the runtime classifies engine errors):
   * not found / conflict -> look again soon; transient -> back off; terminal -> report it and wait
   * for a change.
   */
  private syncFailed(serviceKey: string, error: unknown): void {
    const message = errorMessage(error);
    const kind = error instanceof RuntimeError ? error.kind : 'transient';
    const [project, service] = splitKey(serviceKey);
    if (kind === 'terminal') {
      const configHash = this.records.get(project)?.configHashes[service] ?? '';
      if (this.halted.get(serviceKey)?.message !== message) {
        this.emit({ project, service, type: 'operation-failed', message: `${message}; not retried until the config changes, up, restart or start` });
      }
      this.halted.set(serviceKey, { message, configHash });
      this.lastError.set(serviceKey, message);
      this.logger.error({ key: serviceKey, err: error }, 'sync failed in a way retrying cannot fix; waiting for a change');
      return;
    }
    const count = (this.errorCounts.get(serviceKey) ?? 0) + 1;
    this.errorCounts.set(serviceKey, count);
    const stale = (kind === 'not-found' || kind === 'conflict') && count <= STALE_RETRIES;
    const delay = stale ? STALE_RETRY_MS : (ERROR_BACKOFF_MS[Math.min(count, ERROR_BACKOFF_MS.length) - 1] ?? 30_000);
    if (isUnreachable(error)) this.setEngineReachable(false);
    this.lastError.set(serviceKey, message);
    this.logger.warn({ key: serviceKey, err: error, kind, retryInMs: delay }, 'sync failed; will retry');
    this.queue.enqueueAt(serviceKey, this.deps.clock.now() + delay);
  }

  private setEngineReachable(reachable: boolean): void {
    if (this.engineReachable === reachable) return;
    this.engineReachable = reachable;
    this.emit({ type: 'engine', message: reachable ? 'engine reachable again' : 'engine unreachable' });
  }

  // ---- engine events: they only enqueue ---------------------------------------------------------

  private async consumeEvents(): Promise<void> {
    try {
      for await (const event of this.deps.runtime.events(this.abort.signal)) this.onRuntimeEvent(event);
    } catch (error) {
      if (!this.abort.signal.aborted) this.logger.error({ err: error }, 'engine event stream ended');
    }
  }

  private onRuntimeEvent(event: RuntimeEvent): void {
    if (event.kind === 'connected') {
      if (this.connectedBefore) this.deps.metrics?.countReconnect();
      this.connectedBefore = true;
      // Whatever happened while we were not listening (a container dying while dockerd was down
      // emits nothing) is found by a full resync.
      this.setEngineReachable(true);
      void this.resyncAll();
      return;
    }
    if (event.kind === 'disconnected') {
      this.setEngineReachable(false);
      return;
    }
    const project = event.labels[LABEL_PROJECT];
    const service = event.labels[LABEL_SERVICE];
    if (!project || !service || !this.records.has(project)) return;
    this.containersChanged(project);
    if (event.action === 'stop' && !this.ownStops.has(event.id)) this.noteUserStop(project, service, Number(event.labels[LABEL_NUMBER]));
    if (event.action === 'die') this.recentDeaths.set(event.id, this.deps.clock.now());
    if (event.action === 'destroy') {
      this.ownStops.delete(event.id);
      this.recentDeaths.delete(event.id);
    }
    this.queue.enqueue(key(project, service));
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

/** What a service's dependencies look like right now, from one listing of the project. */
function dependencyStates(
  record: ProjectRecord,
  listing: ContainerSummary[],
  service: Service | undefined,
  intentFor: (name: string) => ServiceIntent | undefined,
): Record<string, DependencyState> {
  const states: Record<string, DependencyState> = {};
  for (const name of Object.keys(service?.dependsOn ?? {})) {
    const observed = collectObserved(record.name, name, listing.filter((c) => c.labels[LABEL_SERVICE] === name), new Map());
    states[name] = dependencyState(intentFor(name), observed, record.replicas[name] ?? {});
  }
  return states;
}

function setStuck(record: ProjectRecord, service: string, stuck: Record<string, StuckRemoval>): void {
  if (Object.keys(stuck).length > 0) record.stuck[service] = stuck;
  else delete record.stuck[service];
}

export function key(project: string, service: string): string {
  return `${project}/${service}`;
}

function splitKey(serviceKey: string): [string, string] {
  const slash = serviceKey.indexOf('/');
  return [serviceKey.slice(0, slash), serviceKey.slice(slash + 1)];
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** A transient failure with a socket error code and no HTTP answer: the engine itself is not there. */
function isUnreachable(error: unknown): boolean {
  return error instanceof RuntimeError && error.kind === 'transient' && error.statusCode === undefined && error.code !== undefined;
}
