// Which workload a service becomes.
//
// composed replaces the replicas of `restart: always | unless-stopped` services forever: a
// Deployment. `restart: "no"` and `on-failure` services are meant to finish: a Job. A service that
// keeps data in a named volume and runs (or may scale to) more than one replica: a StatefulSet, so
// that each replica gets its own claim instead of several pods fighting over one ReadWriteOnce disk.
import type { Project, Service } from '../../compose/model.js';

export type WorkloadKind = 'Deployment' | 'StatefulSet' | 'Job';

export function workloadKind(project: Project, service: Service): WorkloadKind {
  if (service.restart.condition !== 'any') return 'Job';
  if (claimedVolumes(project, service).length > 0 && maxReplicas(service) > 1) return 'StatefulSet';
  return 'Deployment';
}

/** The most replicas the service runs: its count, or its autoscale maximum. */
function maxReplicas(service: Service): number {
  return Math.max(service.replicas, service.composed.autoscale?.max ?? 0);
}

/** Keys of the project-managed (not external) named volumes the service mounts, sorted. */
function claimedVolumes(project: Project, service: Service): string[] {
  const keys = new Set<string>();
  for (const m of service.volumes) {
    if (m.type === 'volume' && m.source !== undefined && project.volumes[m.source] && !project.volumes[m.source]!.external) keys.add(m.source);
  }
  return [...keys].sort();
}
