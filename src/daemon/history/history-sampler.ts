// The dashboard's memory of the last hour, per service: CPU per replica and replica counts sampled
// on the injected clock, scale decisions from the event log, restarts from the replica memory.
// CPU comes from the autoscaler where a service autoscales (it samples already); other services
// read each running replica's cumulative CPU (a cgroup file read, docker/cpu.ts) and take the rate.
// Runs only with --http: a daemon without a dashboard pays nothing for it.
import type { Logger } from 'pino';
import type { HistorySample, ServiceHistory } from '../../protocol/dashboard.js';
import type { Autoscaler } from '../autoscale/autoscaler.js';
import { cpuPercent } from '../core/cpu-usage.js';
import { LABEL_NUMBER, LABEL_ONEOFF, LABEL_SERVICE } from '../core/labels.js';
import { isReadyContainer } from '../core/observed.js';
import type { EventLog } from '../events/event-log.js';
import type { Timer } from '../ports/clock.js';
import type { CpuSample } from '../ports/runtime.js';
import { key } from '../supervisor/controller.js';
import type { SupervisorParts } from '../supervisor/parts.js';
import { newRestarts } from './restart-marks.js';
import { ServiceHistoryBuffer } from './service-history.js';

export const HISTORY_WINDOW_MS = 60 * 60_000;
/** 360 samples an hour: plenty for a plot, and half the cgroup reads of 5 s (bench/RESULTS.md, dashboard). */
export const SAMPLE_INTERVAL_MS = 10_000;

interface Tracked {
  buffer: ServiceHistoryBuffer;
  /** Restarts at or before this (epoch ms) are marked already. */
  restartsSeen: number;
  /** Last cumulative CPU per container id, for services the autoscaler does not sample. */
  cpu: Map<string, CpuSample>;
}

export type HistoryDeps = Pick<SupervisorParts, 'controller' | 'registry' | 'runtime' | 'clock'> & { autoscaler: Autoscaler; events: EventLog; logger: Logger };

export class HistorySampler {
  private readonly tracked = new Map<string, Tracked>();
  private timer?: Timer;
  private unsubscribe?: () => void;
  private sampling = false;

  constructor(
    private readonly deps: HistoryDeps,
    private readonly intervalMs = SAMPLE_INTERVAL_MS,
  ) {}

  start(): void {
    this.unsubscribe = this.deps.events.subscribe((event) => {
      if (event.type !== 'scaled' || !event.project || !event.service) return;
      const decided = this.deps.autoscaler.statusOf(event.project, event.service).autoscale?.lastDecision;
      const cause = decided?.reason === event.message ? 'autoscaler' : 'user';
      this.track(event.project, event.service).buffer.addMark({ at: Date.parse(event.time), kind: 'decision', cause, message: event.message });
    });
    void this.sample();
    this.timer = this.deps.clock.setRepeating(this.intervalMs, () => void this.sample());
  }

  stop(): void {
    this.timer?.cancel();
    this.unsubscribe?.();
  }

  history(project: string, service: string): ServiceHistory | undefined {
    const record = this.deps.registry.get(project);
    const spec = record?.project.services[service];
    if (!spec) return undefined;
    const tracked = this.track(project, service);
    const autoscale = spec.composed.autoscale;
    return {
      project,
      service,
      windowMs: HISTORY_WINDOW_MS,
      sampleIntervalMs: this.intervalMs,
      ...tracked.buffer.snapshot(),
      ...(autoscale ? { autoscale: { min: autoscale.min, max: autoscale.max, ...(autoscale.cpu ? { targetCpu: autoscale.cpu.target } : {}) } } : {}),
    };
  }

  /** Changes whenever the service's history does. */
  versionOf(project: string, service: string): number {
    return this.tracked.get(key(project, service))?.buffer.version ?? 0;
  }

  private track(project: string, service: string): Tracked {
    const serviceKey = key(project, service);
    let tracked = this.tracked.get(serviceKey);
    if (!tracked) {
      // Restarts of the last hour are in the replica memory already (it survives daemon restarts).
      tracked = { buffer: new ServiceHistoryBuffer(HISTORY_WINDOW_MS, Math.ceil(HISTORY_WINDOW_MS / this.intervalMs) * 2), restartsSeen: this.deps.clock.now() - HISTORY_WINDOW_MS, cpu: new Map() };
      this.tracked.set(serviceKey, tracked);
    }
    return tracked;
  }

  private async sample(): Promise<void> {
    // A timer callback: nothing may throw out of it, and a slow round is not overlapped.
    if (this.sampling) return;
    this.sampling = true;
    try {
      await this.sampleAll();
    } catch (error) {
      this.deps.logger.warn({ err: error }, 'history sample failed');
    } finally {
      this.sampling = false;
    }
  }

  private async sampleAll(): Promise<void> {
    const { registry, controller } = this.deps;
    const live = new Set<string>();
    for (const record of registry.all()) {
      const listing = controller.lastListingOf(record.name).filter((c) => c.labels[LABEL_ONEOFF] !== 'True');
      for (const name of Object.keys(record.project.services).sort()) {
        live.add(key(record.name, name));
        const tracked = this.track(record.name, name);
        const containers = listing.filter((c) => c.labels[LABEL_SERVICE] === name);
        const autoscaled = record.project.services[name]!.composed.autoscale !== undefined;
        const limitCores = record.project.services[name]!.resources.limits.cpus ?? 1;
        const cpu = autoscaled ? Object.fromEntries(this.deps.autoscaler.statusOf(record.name, name).cpu) : await this.cpuOf(tracked, containers, limitCores);
        const sample: HistorySample = {
          at: this.deps.clock.now(),
          desired: registry.intentFor(record, name)?.replicas ?? 0,
          ready: containers.filter(isReadyContainer).length,
          cpu: roundAll(cpu),
        };
        tracked.buffer.addSample(sample);
        const restarts = newRestarts(record.replicas[name] ?? {}, tracked.restartsSeen);
        for (const mark of restarts) tracked.buffer.addMark(mark);
        tracked.restartsSeen = Math.max(tracked.restartsSeen, ...restarts.map((m) => m.at));
      }
    }
    for (const serviceKey of this.tracked.keys()) if (!live.has(serviceKey)) this.tracked.delete(serviceKey);
  }

  private async cpuOf(tracked: Tracked, containers: ReadonlyArray<{ id: string; state: string; labels: Record<string, string> }>, limitCores: number): Promise<Record<string, number>> {
    const running = containers.filter((c) => c.state === 'running');
    const samples = await Promise.all(running.map((c) => this.deps.runtime.cpuSample(c.id).catch(() => undefined)));
    const out: Record<string, number> = {};
    const seen = new Set<string>();
    running.forEach((c, i) => {
      const sample = samples[i];
      if (!sample) return;
      seen.add(c.id);
      const previous = tracked.cpu.get(c.id);
      tracked.cpu.set(c.id, sample);
      const percent = previous && cpuPercent(previous, sample, limitCores);
      if (percent !== undefined) out[c.labels[LABEL_NUMBER] ?? '?'] = percent;
    });
    for (const id of tracked.cpu.keys()) if (!seen.has(id)) tracked.cpu.delete(id);
    return out;
  }
}

function roundAll(cpu: Record<string | number, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(cpu).map(([n, v]) => [String(n), Math.round(v * 10) / 10]));
}
