// Status snapshots for the notification tests, as `status` would show them.
import type { ProjectStatus, ReplicaStatus, ServiceStatus } from '../../../src/protocol/api.js';
import type { WorldSnapshot } from '../../../src/daemon/core/notify-conditions.js';

export function replica(number: number, overrides: Partial<ReplicaStatus> = {}): ReplicaStatus {
  return { number, name: `p-web-${number}`, phase: 'running', health: 'none', ready: true, restarts: 0, restartTimes: [], ...overrides };
}

export function service(name: string, overrides: Partial<ServiceStatus> = {}): ServiceStatus {
  return { name, image: 'busybox', phase: 'running', desired: 1, running: 1, ready: 1, restarts: 0, replicas: [replica(1)], ...overrides };
}

export function project(name: string, services: ServiceStatus[], overrides: Partial<ProjectStatus> = {}): ProjectStatus {
  return { name, workingDir: '/p', configFiles: ['/p/compose.yaml'], engine: 'reachable', configErrors: [], warnings: [], services, ...overrides };
}

export function world(projects: ProjectStatus[], engineReachable = true): WorldSnapshot {
  return { engineReachable, projects };
}

export function iso(ms: number): string {
  return new Date(ms).toISOString();
}
