// One service's sync: observe (observer.ts) -> reconcile (core/reconcile.ts) -> execute the plan
// (executor.ts) -> apply what it did to the record (core/apply-results.ts), follow the roll-out
// (core/rollout-outcome.ts) and the dependants (core/dependencies.ts). The controller owns the
// queue, the registry the records; this is the work done for one key.
import type { Service } from '../../compose/model.js';
import { applyResults } from '../core/apply-results.js';
import { dependantsToRestart, dependencyState, type DependencyState } from '../core/dependencies.js';
import { LABEL_SERVICE } from '../core/labels.js';
import { collectObserved } from '../core/observed.js';
import type { OperationResult } from '../core/plan.js';
import { reconcile } from '../core/reconcile.js';
import type { ServiceIntent } from '../core/service-intent.js';
import { followRollout } from '../core/rollout-outcome.js';
import type { ContainerSummary } from '../ports/runtime.js';
import type { ProjectView } from '../state/state-store.js';
import { announcements } from './announce.js';
import { followCanary } from './canary-watch.js';
import { DIE_RECHECK_MS } from './observer.js';
import { key, splitKey } from './service-key.js';
import type { WorkerHost } from './worker-host.js';

/**
 * How old a listing a sync may reuse when nothing changed since it began. Without it, each of a
 * project's services listed the whole project at every resync (20 services: 21 listings of 100
 * containers every 30 s, the daemon's CPU spikes in bench/RESULTS.md, autoscale sampling cost).
 */
const SHARED_LISTING_MS = 2_000;

export class ServiceWorker {
  constructor(private readonly host: WorkerHost) {}

  /** Throws what failed, for the controller to retry by its class. */
  async sync(serviceKey: string): Promise<void> {
    const { host } = this;
    const { registry } = host;
    const [projectName, serviceName] = splitKey(serviceKey);
    const record = registry.get(projectName);
    if (!record || host.isGoingDown(projectName)) return;
    const { clock } = host.deps;

    // The services of a project synced together (a resync, a reload) share one listing of the
    // project; a sync after an event lists its own service (and the ones it depends on).
    const intent = registry.intentFor(record, serviceName);
    const listService = (name: string) => host.observer.listService(projectName, name, { maxAgeMs: SHARED_LISTING_MS });
    const seen = (await Promise.all([serviceName, ...Object.keys(intent?.service.dependsOn ?? {})].map(listService))).flat();
    const { listing, inspected, stillRunning } = await host.observer.seeRecentDeaths(seen);
    const mine = listing.filter((c) => c.labels[LABEL_SERVICE] === serviceName);
    const canaryFailure = followCanary(host, record, serviceName, intent, mine);
    if (canaryFailure) {
      // Before reconciling: the same sync must not take the roll-out a step further.
      this.applyRolloutOutcome(record, serviceName, canaryFailure, false);
      await registry.save(record);
      return;
    }
    if (host.failures.isHalted(serviceKey, record.configHashes[serviceName] ?? '')) return;
    if (stillRunning) host.enqueue(serviceKey, clock.now() + DIE_RECHECK_MS);
    const details = await host.observer.inspectWhereNeeded(mine, inspected);
    const result = reconcile({
      project: projectName,
      intent,
      observed: collectObserved(projectName, serviceName, mine, details),
      memory: record.replicas[serviceName] ?? {},
      stuck: record.stuck[serviceName] ?? {},
      dependencies: dependencyStates(record, listing, intent?.service, (s) => registry.intentFor(record, s)),
      now: clock.now(),
    });
    if (host.isGoingDown(projectName) || !registry.setServiceMemory(record, serviceName, intent ? result.memory : undefined, result.stuck)) return;
    this.noteWaiting(serviceKey, projectName, serviceName, result.waiting);
    this.applyRolloutOutcome(record, serviceName, result.rolloutFailure, result.rolloutComplete);
    for (const a of announcements(result.plan, result.memory)) host.emit({ project: projectName, ...a });
    if (result.plan.length > 0) await registry.save(record);

    const results = await host.execute(record, result.plan);
    this.applyResults(record, serviceName, results);
    this.restartDependants(record, serviceName, results);
    if (result.plan.length > 0) await registry.save(record);

    // A stuck container's failed removal is retried on its own backoff; it fails nothing else.
    const failed = results.filter((r) => !r.ok && r.op.kind !== 'remove-stuck');
    if (failed.length > 0) throw failed[0]?.error;
    host.failures.succeeded(serviceKey);
    if (result.requeueAt !== undefined) host.enqueue(serviceKey, result.requeueAt);
    if (result.plan.length > 0) host.enqueue(serviceKey);
    this.enqueueWaitingDependants(record, serviceName);
  }

  /** What the executed plan did, into the record's memory (core/apply-results.ts), announced and counted. */
  private applyResults(record: ProjectView, serviceName: string, results: OperationResult[]): void {
    const before = record.replicas[serviceName];
    const applied = applyResults(before, record.stuck[serviceName] ?? {}, results, this.host.deps.clock.now());
    this.host.registry.setServiceMemory(record, serviceName, before ? applied.memory : undefined, applied.stuck);
    for (const e of applied.events) this.host.emit({ project: record.name, service: serviceName, ...e });
    for (const reason of applied.restarts) this.host.deps.metrics?.countRestart(record.name, serviceName, reason);
  }

  private noteWaiting(serviceKey: string, project: string, service: string, waiting: { message: string; blocked: boolean } | undefined): void {
    const before = this.host.waiting.get(serviceKey);
    if (waiting) this.host.waiting.set(serviceKey, waiting);
    else this.host.waiting.delete(serviceKey);
    if (waiting && waiting.message !== before?.message) this.host.emit({ project, service, type: 'waiting', message: waiting.message });
  }

  /** The roll-out's next state (core/rollout-outcome.ts), applied to the record and announced. */
  private applyRolloutOutcome(record: ProjectView, serviceName: string, failure: string | undefined, complete: boolean): void {
    const service = record.project.services[serviceName];
    if (!service) return;
    const outcome = followRollout({ rollout: record.rollouts[serviceName], service, hash: record.configHashes[serviceName] ?? '', failure, complete, now: this.host.deps.clock.now() });
    if (!outcome || !this.host.registry.setRollout(record, serviceName, outcome.rollout, outcome.rollBackTo)) return;
    this.host.emit({ project: record.name, service: serviceName, type: 'rollout', message: outcome.rollout.message });
    if (failure) this.host.deps.logger.warn({ project: record.name, service: serviceName, failure }, outcome.rollout.message);
    if (outcome.requeue) this.host.enqueue(key(record.name, serviceName));
  }

  /** depends_on `restart: true`: a dependency that was replaced restarts its dependants. */
  private restartDependants(record: ProjectView, serviceName: string, results: OperationResult[]): void {
    const replaced = results.some((r) => r.ok && (r.op.kind === 'replace' || (r.op.kind === 'create' && r.op.replacement)));
    if (!replaced) return;
    const dependants = dependantsToRestart(record.project.services, serviceName);
    void this.host.registry.restartDependants(record, dependants, this.host.deps.clock.now());
    for (const name of dependants) {
      this.host.emit({ project: record.name, service: name, type: 'replica-replaced', message: `restarting because its dependency ${serviceName} was replaced (depends_on restart: true)` });
      this.host.enqueue(key(record.name, name));
    }
  }

  /** Dependants waiting for this service look again. Only the waiting are read: every service of the project, at every sync, made a resync of 5,000 services quadratic. */
  private enqueueWaitingDependants(record: ProjectView, serviceName: string): void {
    for (const waitingKey of [...this.host.waiting.keys()]) {
      const [project, name] = splitKey(waitingKey);
      if (project === record.name && record.project.services[name]?.dependsOn[serviceName]) this.host.enqueue(waitingKey);
    }
  }
}

/** What a service's dependencies look like right now, from one listing of the project. */
function dependencyStates(
  record: ProjectView,
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
