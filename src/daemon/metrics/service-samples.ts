// What /metrics reports about each service at scrape time, from the same listing and memory that
// `composed status` reads, so the two never disagree.
import type { Autoscaler } from '../autoscale/autoscaler.js';
import { LABEL_SERVICE } from '../core/labels.js';
import { collectObserved, isReady } from '../core/observed.js';
import type { SupervisorParts } from '../supervisor/parts.js';
import type { ServiceSample } from './daemon-metrics.js';

export function serviceSamples({ controller, registry }: Pick<SupervisorParts, 'controller' | 'registry'>, autoscaler: Autoscaler): ServiceSample[] {
  const samples: ServiceSample[] = [];
  for (const record of registry.all()) {
    const listing = controller.lastListingOf(record.name);
    for (const name of Object.keys(record.project.services).sort()) {
      const intent = registry.intentFor(record, name);
      const observed = collectObserved(record.name, name, listing.filter((c) => c.labels[LABEL_SERVICE] === name), new Map());
      const replicas = [...observed.replicas.values()];
      const exits = Object.values(record.replicas[name] ?? {})
        .map((m) => m.lastExit)
        .filter((e) => e?.exitCode !== undefined)
        .sort((a, b) => (a?.at ?? 0) - (b?.at ?? 0));
      const scaling = autoscaler.statusOf(record.name, name).autoscale;
      samples.push({
        project: record.name,
        service: name,
        desired: intent?.replicas ?? 0,
        running: replicas.filter((r) => r.container.state === 'running').length,
        ready: replicas.filter(isReady).length,
        lastExitCode: exits.at(-1)?.exitCode,
        cpuAverage: scaling?.averageCpu,
        autoscaleDesired: scaling?.lastDecision?.to,
      });
    }
  }
  return samples;
}
