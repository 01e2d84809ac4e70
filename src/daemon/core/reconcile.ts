// reconcile: (what the file wants, what the engine has, what we remember) -> Plan.
// Level-based: it never acts on an event's payload, only on the state it is given, so running it
// twice on the same input yields the same plan, and a missed event is caught by the next resync.
import type { Service } from '../../compose/model.js';
import { LABEL_CONFIG_HASH, LABEL_SERVICE } from './labels.js';
import { dependencyGate, type DependencyState } from './dependencies.js';
import type { ObservedReplica, ObservedService } from './observed.js';
import type { Operation } from './plan.js';
import { freshMemory, RESTART_TIMES_KEPT, type ReplicaMemory } from './replica-memory.js';
import { decideRestart, type ReplicaExit } from './restart-policy.js';

export interface ServiceIntent {
  service: Service;
  configHash: string;
  /** Replica count wanted now (file, `composed scale` or the autoscaler). */
  replicas: number;
  /** `composed stop`: containers are stopped and left stopped. */
  stopped: boolean;
  /** `composed restart`: containers created before this time (epoch ms) are replaced. */
  restartRequestedAt?: number;
}

export interface ReconcileInput {
  project: string;
  /** Undefined when the service is no longer in the project: everything of it is removed. */
  intent?: ServiceIntent;
  observed: ObservedService;
  memory: Readonly<Record<number, ReplicaMemory>>;
  dependencies: Readonly<Record<string, DependencyState>>;
  now: number;
}

export interface ReconcileResult {
  plan: Operation[];
  memory: Record<number, ReplicaMemory>;
  /** Reconcile again at this time (a backoff falls due). */
  requeueAt?: number;
  /** Why the service is not being started yet (a dependency), or why it cannot be. */
  waiting?: { message: string; blocked: boolean };
}

export function reconcile(input: ReconcileInput): ReconcileResult {
  const { intent, observed, now } = input;
  const name = intent?.service.name ?? firstServiceName(observed);
  const plan: Operation[] = [];
  const memory: Record<number, ReplicaMemory> = {};
  let requeueAt: number | undefined;
  const dueAt = (t: number) => (requeueAt = requeueAt === undefined ? t : Math.min(requeueAt, t));

  for (const stray of observed.strays) {
    plan.push({ kind: 'remove', service: name, number: 0, containerId: stray.id, cause: `leftover container ${stray.name}` });
  }

  const wanted = intent ? intent.replicas : 0;
  // Scale-down and removal: highest numbers first, as compose and Kubernetes' ReplicaSet do.
  const surplus = [...observed.replicas.values()].filter((r) => r.number > wanted).sort((a, b) => b.number - a.number);
  for (const replica of surplus) {
    const cause = intent ? `scale down to ${wanted}` : 'service removed from the project';
    plan.push({ kind: 'remove', service: name, number: replica.number, containerId: replica.container.id, cause });
  }
  if (!intent) return { plan, memory };

  const firstStart = isFirstStart(observed, input.memory);
  const gate = firstStart ? dependencyGate(intent.service, input.dependencies) : undefined;
  let outdatedBudget = rolloutBudget(intent, observed);

  for (let number = 1; number <= wanted; number++) {
    const mem = cloneMemory(input.memory[number]);
    memory[number] = mem;
    const replica = observed.replicas.get(number);
    const ctx: ReplicaContext = { intent, number, mem, now, plan, dueAt };

    if (intent.stopped) {
      if (replica && isRunning(replica)) plan.push(op('stop', ctx, replica, 'service stopped by a user'));
      continue;
    }
    if (!replica) {
      if (mem.containerId && mem.handled?.containerId !== mem.containerId) {
        handleExit(ctx, mem.containerId, { cause: 'removed', oomKilled: false, ranForMs: now - (mem.createdAt ?? now), stoppedByUser: false });
      } else if (mem.containerId) {
        followHandledExit(ctx, undefined);
      } else if (gate && !gate.ok) {
        // First start waits for its dependencies; nothing is created yet.
      } else {
        plan.push({ kind: 'create', service: intent.service.name, number, cause: firstStart ? 'first start' : 'missing replica', replacement: false });
      }
      continue;
    }

    const container = replica.container;
    if (mem.containerId !== container.id) {
      // A container we did not create under this memory (daemon state lost, or adopted): adopt it.
      Object.assign(mem, { containerId: container.id, createdAt: container.createdAt, handled: undefined });
    }
    if (intent.restartRequestedAt !== undefined && container.createdAt < intent.restartRequestedAt) {
      plan.push(op('replace', ctx, replica, 'restart requested'));
      continue;
    }
    switch (container.state) {
      case 'created':
        plan.push(op('start', ctx, replica, 'created but never started'));
        break;
      case 'running':
        if (container.health === 'unhealthy' && intent.service.composed.onUnhealthy === 'replace') {
          handleStopped(ctx, replica, 'unhealthy');
        } else if (container.labels[LABEL_CONFIG_HASH] !== intent.configHash && outdatedBudget > 0) {
          outdatedBudget--;
          plan.push(op('replace', ctx, replica, 'config changed'));
        }
        break;
      case 'exited':
      case 'dead':
        handleStopped(ctx, replica, 'exit');
        break;
      default:
        // paused, restarting, removing: someone else is acting on it; look again on the next event.
        break;
    }
  }
  return { plan, memory, requeueAt, waiting: gate && !gate.ok ? gate.waiting : undefined };
}

interface ReplicaContext {
  intent: ServiceIntent;
  number: number;
  mem: ReplicaMemory;
  now: number;
  plan: Operation[];
  dueAt: (t: number) => void;
}

function op(kind: 'start' | 'replace' | 'stop' | 'record-exit', ctx: ReplicaContext, replica: ObservedReplica, cause: string): Operation {
  return { kind, service: ctx.intent.service.name, number: ctx.number, containerId: replica.container.id, cause };
}

function handleStopped(ctx: ReplicaContext, replica: ObservedReplica, cause: 'exit' | 'unhealthy'): void {
  if (ctx.mem.handled?.containerId === replica.container.id) return followHandledExit(ctx, replica);
  const details = replica.details;
  const ranForMs = details && details.startedAt > 0 ? (details.finishedAt || ctx.now) - details.startedAt : 0;
  handleExit(
    ctx,
    replica.container.id,
    {
      cause,
      exitCode: cause === 'exit' ? details?.exitCode : undefined,
      oomKilled: details?.oomKilled ?? false,
      ranForMs,
      stoppedByUser: ctx.mem.stoppedByUser,
    },
    replica,
  );
}

/** A stop seen for the first time: decide, remember the decision, and act on it if it is due now. */
function handleExit(ctx: ReplicaContext, containerId: string, exit: ReplicaExit, replica?: ObservedReplica): void {
  const { mem, now } = ctx;
  const decision = decideRestart(ctx.intent.service.restart, mem.history, exit);
  const lastHealth = replica?.details?.healthLog.at(-1)?.output;
  mem.lastExit = {
    containerId,
    cause: exit.cause,
    exitCode: exit.exitCode,
    oomKilled: exit.oomKilled,
    at: replica?.details?.finishedAt || now,
    logTail: [],
    healthOutput: exit.cause === 'unhealthy' ? lastHealth : undefined,
  };
  mem.handled = { containerId, outcome: decision.kind, reason: decision.reason };
  if (decision.kind !== 'leave') mem.history = decision.history;
  if (decision.kind === 'replace') mem.handled.retryAt = now + decision.delayMs;
  if (replica) ctx.plan.push(op('record-exit', ctx, replica, decision.reason));
  followHandledExit(ctx, replica);
}

/** Carry out a decision taken earlier: replace once its backoff is due. */
function followHandledExit(ctx: ReplicaContext, replica: ObservedReplica | undefined): void {
  const { mem, now } = ctx;
  const handled = mem.handled;
  if (!handled || handled.outcome !== 'replace' || handled.retryAt === undefined) return;
  if (handled.retryAt > now) return ctx.dueAt(handled.retryAt);
  mem.restartTimes = [...mem.restartTimes, now].slice(-RESTART_TIMES_KEPT);
  mem.stoppedByUser = false;
  if (replica) ctx.plan.push(op('replace', ctx, replica, handled.reason));
  else ctx.plan.push({ kind: 'create', service: ctx.intent.service.name, number: ctx.number, cause: handled.reason, replacement: true });
}

/**
 * How many outdated running replicas may be replaced now. Stop-first, `parallelism` at a time, and
 * only while every other replica is ready, so a bad config never takes the whole service down.
 */
function rolloutBudget(intent: ServiceIntent, observed: ObservedService): number {
  const replicas = [...observed.replicas.values()].filter((r) => r.number <= intent.replicas);
  const notReady = replicas.filter((r) => !isReady(r) && r.container.labels[LABEL_CONFIG_HASH] === intent.configHash).length;
  const missing = intent.replicas - replicas.length;
  return Math.max(0, intent.service.updateConfig.parallelism - notReady - Math.max(0, missing));
}

function isRunning(replica: ObservedReplica): boolean {
  return replica.container.state === 'running';
}

export function isReady(replica: ObservedReplica): boolean {
  const { state, health } = replica.container;
  return state === 'running' && (health === 'none' || health === 'healthy');
}

function isFirstStart(observed: ObservedService, memory: Readonly<Record<number, ReplicaMemory>>): boolean {
  return observed.replicas.size === 0 && Object.values(memory).every((m) => !m.containerId);
}

function cloneMemory(mem: ReplicaMemory | undefined): ReplicaMemory {
  const base = mem ?? freshMemory();
  return { ...base, history: { ...base.history }, restartTimes: [...base.restartTimes] };
}

function firstServiceName(observed: ObservedService): string {
  const any = [...observed.replicas.values()][0]?.container ?? observed.strays[0];
  return any?.labels[LABEL_SERVICE] ?? '?';
}
