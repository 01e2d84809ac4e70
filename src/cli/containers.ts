// The project's containers as the daemon lists them, narrowed to the services a command names.
import type { ComposeContainer } from '../protocol/compose-containers.js';
import type { DaemonClient } from './client.js';
import { projectPath, UsageError } from './common.js';

export async function projectContainers(client: DaemonClient, project: string): Promise<ComposeContainer[]> {
  return client.json<ComposeContainer[]>(projectPath(project, '/containers'));
}

/** Replicas (not one-offs) of the services named, every service when none is; a name with no container is an error. */
export function replicasOf(containers: ComposeContainer[], services: string[]): ComposeContainer[] {
  const replicas = containers.filter((c) => !c.OneOff);
  for (const s of services) if (!replicas.some((c) => c.Service === s)) throw new UsageError(`no such service: ${s} (or it has no container)`);
  return replicas.filter((c) => services.length === 0 || services.includes(c.Service));
}

export function containerPath(project: string, container: string, suffix = ''): string {
  return projectPath(project, `/containers/${encodeURIComponent(container)}${suffix}`);
}
