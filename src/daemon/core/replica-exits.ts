// One replica whose container stopped (exited, turned unhealthy, or is gone): the restart policy
// decides once per container (restart-policy.ts), the decision is remembered in the replica's
// memory, and it is carried out when its backoff falls due. Pure, as reconcile.ts that calls it.
import type { ObservedReplica } from './observed.js';
import type { Operation } from './plan.js';
import type { ReplicaMemory } from './replica-memory.js';
import { decideRestart, type ReplicaExit } from './restart-policy.js';
import type { ServiceIntent } from './service-intent.js';

export interface ReplicaContext {
  intent: ServiceIntent;
  number: number;
  mem: ReplicaMemory;
  now: number;
  plan: Operation[];
  dueAt: (t: number) => void;
}

export function op(kind: 'start' | 'replace' | 'stop' | 'record-exit', ctx: ReplicaContext, replica: ObservedReplica, cause: string): Operation {
  return { kind, service: ctx.intent.service.name, number: ctx.number, containerId: replica.container.id, cause };
}

/** A stop a user asked for (`stop`, `restart`): their `-t` applies to it, never to crashes or roll-outs. */
export function userStop(kind: 'stop' | 'replace', ctx: ReplicaContext, replica: ObservedReplica, cause: string): Operation {
  const seconds = ctx.intent.stopTimeoutSeconds;
  return { kind, service: ctx.intent.service.name, number: ctx.number, containerId: replica.container.id, cause, ...(seconds === undefined ? {} : { timeoutSeconds: seconds }) };
}

export function handleStopped(ctx: ReplicaContext, replica: ObservedReplica, cause: 'exit' | 'unhealthy'): void {
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
export function handleExit(ctx: ReplicaContext, containerId: string, exit: ReplicaExit, replica?: ObservedReplica): void {
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
export function followHandledExit(ctx: ReplicaContext, replica: ObservedReplica | undefined): void {
  const { mem, now } = ctx;
  const handled = mem.handled;
  if (!handled || handled.outcome !== 'replace' || handled.retryAt === undefined) return;
  if (handled.retryAt > now) return ctx.dueAt(handled.retryAt);
  mem.stoppedByUser = false;
  if (replica) ctx.plan.push(op('replace', ctx, replica, handled.reason));
  else ctx.plan.push({ kind: 'create', service: ctx.intent.service.name, number: ctx.number, cause: handled.reason, replacement: true });
}
