// Builds what `composed status` shows from the engine's containers and the daemon's memory. Pure.
import type { Service } from '../../compose/model.js';
import type { ExitStatus, ReplicaPhase, ReplicaStatus, ServicePhase, ServiceStatus } from '../../protocol/api.js';
import { collectObserved, isReady, type ObservedReplica } from '../core/observed.js';
import type { ExitRecord, ReplicaMemory } from '../core/replica-memory.js';
import { replicaName } from '../core/labels.js';
import type { ContainerSummary } from '../ports/runtime.js';

export interface ServiceStatusInput {
  project: string;
  service: Service;
  desired: number;
  stopped: boolean;
  containers: ContainerSummary[];
  memory: Record<number, ReplicaMemory>;
  /** A dependency the first start waits for, or a failure to report. */
  waiting?: { message: string; blocked: boolean };
  lastError?: string;
  /** A failure retrying cannot fix: the service waits for a change. */
  halted?: string;
  /** Last probe output of the replicas that are unhealthy now, by container id. */
  probeOutputs: ReadonlyMap<string, string>;
  now: number;
}

export function serviceStatus(input: ServiceStatusInput): ServiceStatus {
  const { project, service, memory, now } = input;
  const observed = collectObserved(project, service.name, input.containers, new Map());
  const numbers = new Set<number>([...observed.replicas.keys()]);
  for (let n = 1; n <= input.desired; n++) numbers.add(n);
  const replicas = [...numbers]
    .sort((a, b) => a - b)
    .map((n) => replicaStatus(project, service.name, n, observed.replicas.get(n), memory[n], now, input.probeOutputs));
  const running = replicas.filter((r) => r.phase === 'running' || r.phase === 'starting' || r.phase === 'unhealthy').length;
  const ready = replicas.filter((r) => r.ready).length;
  const { phase, message } = servicePhase(input, replicas, ready);
  return {
    name: service.name,
    image: service.image,
    phase,
    message,
    desired: input.desired,
    running,
    ready,
    restarts: replicas.reduce((sum, r) => sum + r.restarts, 0),
    replicas,
  };
}

function replicaStatus(
  project: string,
  service: string,
  number: number,
  replica: ObservedReplica | undefined,
  mem: ReplicaMemory | undefined,
  now: number,
  probeOutputs: ReadonlyMap<string, string>,
): ReplicaStatus {
  const container = replica?.container;
  const handled = mem?.handled && mem.handled.containerId === (container?.id ?? mem.containerId) ? mem.handled : undefined;
  const status: ReplicaStatus = {
    number,
    name: replicaName(project, service, number),
    containerId: container?.id,
    phase: replicaPhase(container, handled, mem),
    health: container?.health ?? 'none',
    healthOutput: container ? probeOutputs.get(container.id) : undefined,
    ready: replica ? isReady(replica) : false,
    restarts: mem?.history.total ?? 0,
    restartTimes: (mem?.restartTimes ?? []).map(iso),
    reason: handled?.reason,
    lastExit: mem?.lastExit ? exitStatus(mem.lastExit) : undefined,
  };
  if (handled?.outcome === 'replace' && handled.retryAt !== undefined) status.nextRetryAt = iso(handled.retryAt);
  if (container?.state === 'running' && mem?.createdAt !== undefined && mem.containerId === container.id) {
    status.startedAt = iso(mem.createdAt);
    status.uptimeSeconds = Math.max(0, Math.round((now - mem.createdAt) / 1000));
  }
  return status;
}

function replicaPhase(container: ContainerSummary | undefined, handled: ReplicaMemory['handled'], mem: ReplicaMemory | undefined): ReplicaPhase {
  const lastExit = mem?.lastExit;
  if (handled?.outcome === 'give-up') return 'failed';
  if (handled?.outcome === 'replace') return 'backoff';
  if (!container) return 'missing';
  switch (container.state) {
    case 'running':
      return container.health === 'starting' ? 'starting' : container.health === 'unhealthy' ? 'unhealthy' : 'running';
    case 'created':
      return 'created';
    case 'exited':
    case 'dead':
      if (handled?.outcome === 'leave' && mem?.stoppedByUser) return 'stopped';
      // Until the daemon has decided about this exit (it will, on the die event), it is only "exited".
      return handled?.outcome === 'leave' && lastExit?.cause === 'exit' && lastExit.exitCode === 0 ? 'completed' : 'exited';
    default:
      return 'starting';
  }
}

function servicePhase(input: ServiceStatusInput, replicas: ReplicaStatus[], ready: number): { phase: ServicePhase; message?: string } {
  if (input.stopped) return { phase: 'stopped', message: 'stopped by a user (composed start resumes it)' };
  if (input.waiting) return { phase: input.waiting.blocked ? 'blocked' : 'waiting', message: input.waiting.message };
  if (input.halted) return { phase: 'failed', message: `${input.halted} (waiting for a change: edit the file, up, restart or start)` };
  if (input.desired === 0) return { phase: 'scaled-to-zero' };
  const failed = replicas.find((r) => r.phase === 'failed');
  if (failed) return { phase: 'failed', message: failed.reason };
  const backoff = replicas.find((r) => r.phase === 'backoff');
  if (backoff) return { phase: 'backoff', message: backoff.reason };
  if (replicas.length > 0 && replicas.every((r) => r.phase === 'completed')) return { phase: 'completed' };
  if (input.lastError) return { phase: 'degraded', message: input.lastError };
  if (ready >= input.desired) return { phase: 'running' };
  const exited = replicas.find((r) => r.phase === 'exited');
  if (exited) return { phase: 'degraded', message: `${exited.name}: ${exited.reason ?? 'exited'}` };
  return { phase: 'starting' };
}

function exitStatus(exit: ExitRecord): ExitStatus {
  return {
    cause: exit.cause,
    exitCode: exit.exitCode,
    oomKilled: exit.oomKilled,
    at: iso(exit.at),
    logTail: exit.logTail,
    healthOutput: exit.healthOutput,
  };
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
