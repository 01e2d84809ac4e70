// The autoscaler loop: for every service with `x-composed.autoscale`, at its interval, sample each
// running replica's metrics (CPU and memory from the engine, open and new connections from the
// built-in balancer), ask core/autoscale for a count, and when it changes set the service's count
// and enqueue it. A service scaled to zero is looked at as soon as the balancer holds a connection
// for it, not at its next interval. Scaling itself is the ordinary reconcile (next numbers up,
// highest down), so it never recreates a running replica.
import type { Logger } from 'pino';
import type { AutoscaleStatus } from '../../protocol/api.js';
import { decideReplicas, firstSight, type AutoscaleMemory, type ReplicaLoad } from '../core/autoscale.js';
import { cpuPercent } from '../core/cpu-usage.js';
import { LABEL_SERVICE } from '../core/labels.js';
import { collectObserved, isReady } from '../core/observed.js';
import { key, type Controller } from '../supervisor/controller.js';
import type { Timer } from '../ports/clock.js';
import type { CpuSample } from '../ports/runtime.js';
import type { ProjectRegistry } from '../state/project-registry.js';
import type { SupervisorParts } from '../supervisor/parts.js';

/** How often the loop looks for services that are due; each service keeps its own interval. */
const TICK_MS = 250;
/** A listing older than this is taken again: the default resync period, for when events stop coming. */
const LISTING_MAX_AGE_MS = 30_000;

interface ServiceScaler {
  nextDueAt: number;
  /** Undefined until its first decision, which starts from firstSight. */
  memory?: AutoscaleMemory;
  /** Last CPU sample per container id, to turn cumulative CPU time into a rate. */
  samples: Map<string, CpuSample>;
  /** CPU percent per replica number at the last tick. */
  cpu: Map<number, number>;
  /** Connections through the balancer per container id at the last tick, to turn totals into a rate. */
  connectionTotals: Map<string, { total: number; atMs: number }>;
  status?: AutoscaleStatus;
  running: boolean;
}

export class Autoscaler {
  private readonly scalers = new Map<string, ServiceScaler>();
  private timer?: Timer;
  private readonly controller: Controller;
  private readonly registry: ProjectRegistry;
  private readonly logger: Logger;

  constructor(private readonly deps: SupervisorParts) {
    ({ controller: this.controller, registry: this.registry, logger: this.logger } = deps);
  }

  start(): void {
    this.timer = this.deps.clock.setRepeating(TICK_MS, () => this.tick());
  }

  stop(): void {
    this.timer?.cancel();
  }

  /** What status shows for an autoscaled service, and its replicas' CPU. */
  statusOf(project: string, service: string): { autoscale?: AutoscaleStatus; cpu: ReadonlyMap<number, number> } {
    const scaler = this.scalers.get(key(project, service));
    return { autoscale: scaler?.status, cpu: scaler?.cpu ?? new Map() };
  }

  private tick(): void {
    // A timer callback: nothing may throw out of it (it would take the daemon down).
    try {
      this.dueServices();
    } catch (error) {
      this.logger.error({ err: error }, 'autoscaler tick failed');
    }
  }

  private dueServices(): void {
    const now = this.deps.clock.now();
    const live = new Set<string>();
    for (const record of this.registry.all()) {
      for (const [name, service] of Object.entries(record.project.services)) {
        const spec = service.composed.autoscale;
        if (!spec) continue;
        const serviceKey = key(record.name, name);
        live.add(serviceKey);
        let scaler = this.scalers.get(serviceKey);
        if (!scaler) {
          scaler = { nextDueAt: now, samples: new Map(), cpu: new Map(), connectionTotals: new Map(), running: false };
          this.scalers.set(serviceKey, scaler);
        }
        if (scaler.running || (now < scaler.nextDueAt && !this.isWaking(record.name, name))) continue;
        scaler.nextDueAt = now + spec.intervalMs;
        scaler.running = true;
        void this.evaluate(record.name, name, scaler)
          .catch((error: unknown) => this.logger.warn({ err: error, project: record.name, service: name }, 'autoscale sample failed'))
          .finally(() => (scaler.running = false));
      }
    }
    for (const serviceKey of this.scalers.keys()) if (!live.has(serviceKey)) this.scalers.delete(serviceKey);
  }

  /** A service at zero replicas with a connection held for it: decide now, that client is waiting. */
  private isWaking(project: string, service: string): boolean {
    if ((this.deps.balancers?.waitingFor(project, service) ?? 0) === 0) return false;
    const record = this.registry.get(project);
    return record !== undefined && this.registry.intentFor(record, service)?.replicas === 0;
  }

  private async evaluate(project: string, serviceName: string, scaler: ServiceScaler): Promise<void> {
    const record = this.registry.get(project);
    const intent = record && this.registry.intentFor(record, serviceName);
    const spec = intent?.service.composed.autoscale;
    if (!record || !intent || !spec || intent.stopped) return;
    const { runtime, clock } = this.deps;

    // The controller's own listing, not a new one: it lists the project again on every container
    // event (start, die, health_status) and at each resync, so it is as fresh as the event stream.
    // Listing 100 containers per autoscaled service per interval was most of the daemon's idle CPU
    // (bench/RESULTS.md, overhead).
    const listing = (await this.controller.listProject(project, { maxAgeMs: LISTING_MAX_AGE_MS })).filter((c) => c.labels[LABEL_SERVICE] === serviceName);
    const observed = collectObserved(project, serviceName, listing, new Map());
    const limitCores = intent.service.resources.limits.cpus ?? 1;
    const memoryLimit = intent.service.resources.limits.memoryBytes;
    const replicas: ReplicaLoad[] = [];
    const seen = new Set<string>();
    // Filled while sampling and swapped in whole: status read during the sampling's await shows the
    // last interval's figures, not none.
    const cpu = new Map<number, number>();
    const counted = [...observed.replicas.values()].filter((r) => r.number <= intent.replicas);
    const sampleEach = <T>(wanted: boolean, sample: (id: string) => Promise<T | undefined>) =>
      Promise.all(counted.map((r) => (wanted && r.container.state === 'running' ? sample(r.container.id) : undefined)));
    const [sampled, memory] = await Promise.all([
      sampleEach(spec.cpu !== undefined, (id) => runtime.cpuSample(id)),
      sampleEach(spec.memory !== undefined && memoryLimit !== undefined, (id) => runtime.memoryBytes(id)),
    ]);
    const traffic = this.deps.balancers?.trafficOf(project, serviceName) ?? new Map();
    const nowMs = clock.monotonic();
    const totals = new Map<string, { total: number; atMs: number }>();
    for (const [i, replica] of counted.entries()) {
      const { id } = replica.container;
      const sample = sampled[i];
      const previous = scaler.samples.get(id);
      const percent = sample && previous ? cpuPercent(previous, sample, limitCores) : undefined;
      if (sample) {
        scaler.samples.set(id, sample);
        seen.add(id);
      }
      if (percent !== undefined) cpu.set(replica.number, percent);
      const bytes = memory[i];
      const seenByBalancer = traffic.get(id);
      const before = scaler.connectionTotals.get(id);
      if (seenByBalancer) totals.set(id, { total: seenByBalancer.total, atMs: nowMs });
      // A total that went down means the replica re-entered the balancer and its counters restarted.
      const rate = seenByBalancer && before && nowMs > before.atMs && seenByBalancer.total >= before.total ? ((seenByBalancer.total - before.total) * 1000) / (nowMs - before.atMs) : undefined;
      replicas.push({
        number: replica.number,
        ready: isReady(replica),
        ...(percent !== undefined ? { cpuPercent: percent } : {}),
        ...(bytes !== undefined && memoryLimit ? { memoryPercent: (bytes / memoryLimit) * 100 } : {}),
        ...(seenByBalancer ? { connections: seenByBalancer.active } : {}),
        ...(rate !== undefined ? { requestsPerSecond: rate } : {}),
      });
    }
    for (const id of scaler.samples.keys()) if (!seen.has(id)) scaler.samples.delete(id);
    scaler.cpu = cpu;
    scaler.connectionTotals = totals;

    const now = clock.now();
    const waiting = this.deps.balancers?.waitingFor(project, serviceName) ?? 0;
    const decision = decideReplicas({ spec, current: intent.replicas, replicas, waiting, now, memory: scaler.memory ?? firstSight(intent.replicas, now) });
    scaler.memory = decision.memory;
    scaler.status = {
      min: spec.min,
      max: spec.max,
      ...(spec.cpu ? { targetCpu: spec.cpu.target } : {}),
      averageCpu: decision.averageCpu,
      metrics: decision.metrics,
      ...(decision.desired === 0 ? { scaledToZero: true } : {}),
      lastDecision: { at: new Date(now).toISOString(), from: decision.current, to: decision.desired, reason: decision.reason, ...(decision.metric ? { metric: decision.metric } : {}) },
    };
    this.logger.debug({ project, service: serviceName, metrics: decision.metrics, desired: decision.desired, reason: decision.reason }, 'autoscale decision');
    // Sampling took a while: a `composed scale` or an edited file meanwhile wins over this decision.
    const unchanged = this.registry.isCurrent(record) && this.registry.intentFor(record, serviceName)?.replicas === decision.current;
    if (decision.desired === decision.current || !unchanged) return;
    await this.registry.setScale(record, serviceName, decision.desired);
    this.logger.info({ project, service: serviceName, from: decision.current, to: decision.desired, metric: decision.metric, reason: decision.reason }, 'autoscaled');
    this.controller.emit({ project, service: serviceName, type: 'scaled', message: decision.reason });
    this.controller.enqueueService(key(project, serviceName));
  }
}
