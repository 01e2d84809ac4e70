// reconcile: (what the file wants, what the engine has, what we remember) -> Plan.
// Level-based: it never acts on an event's payload, only on the state it is given, so running it
// twice on the same input yields the same plan, and a missed event is caught by the next resync.
import { LABEL_CONFIG_HASH, LABEL_SERVICE } from './labels.js';
import { dependencyGate, type DependencyState } from './dependencies.js';
import { isReady, type ObservedReplica, type ObservedService } from './observed.js';
import type { Operation } from './plan.js';
import { freshMemory, type ReplicaMemory } from './replica-memory.js';
import { handleExit, handleStopped, followHandledExit, op, userStop, type ReplicaContext } from './replica-exits.js';
import type { ServiceIntent } from './service-intent.js';
import { planStuckRemovals, type StuckRemoval } from './stuck-removal.js';
import { hasFailed, rolloutOrder, viewRollout, type RolloutOrder } from './rollout.js';

/**
 * How long a replaced container keeps serving after its successor took the name: long enough for
 * clients that look replicas up (status, Docker's DNS) to move over, like Kubernetes' endpoint
 * removal before SIGTERM. In-flight requests finish meanwhile.
 */
export const PROMOTE_DRAIN_MS = 1_000;

/**
 * How long a replica's container may stay `removing` before it counts as dead. Someone's `docker rm
 * -f` takes well under a second (the replica is then replaced as removed); after a dockerd crash
 * the engine kept one `removing` for good, holding the replica's name.
 */
export const REMOVING_PATIENCE_MS = 3_000;

export interface ReconcileInput {
  project: string;
  /** Undefined when the service is no longer in the project: everything of it is removed. */
  intent?: ServiceIntent;
  observed: ObservedService;
  memory: Readonly<Record<number, ReplicaMemory>>;
  /** Old containers moved aside because the engine could not remove them, by container id. */
  stuck?: Readonly<Record<string, StuckRemoval>>;
  dependencies: Readonly<Record<string, DependencyState>>;
  now: number;
}

export interface ReconcileResult {
  plan: Operation[];
  memory: Record<number, ReplicaMemory>;
  /** The stuck containers still there, by container id. */
  stuck: Record<string, StuckRemoval>;
  /** Reconcile again at this time (a backoff falls due). */
  requeueAt?: number;
  /** Why the service is not being started yet (a dependency), or why it cannot be. */
  waiting?: { message: string; blocked: boolean };
  /** A roll-out step failed (a new container exited or turned unhealthy); failure_action decides. */
  rolloutFailure?: string;
  /** Replicas still running an older config. */
  outdated: number[];
  /** No replica runs an older config and no roll-out surge is left: a roll-out under way is done. */
  rolloutComplete: boolean;
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
  const stuck = planStuckRemovals(name, observed.stuck, input.stuck ?? {}, now);
  plan.push(...stuck.ops);
  if (stuck.nextAt !== undefined) dueAt(stuck.nextAt);
  const rollout = intent ? viewRollout(intent.service, intent.configHash, intent.replicas, observed, input.memory, now, intent.canary) : undefined;
  const stopRollout = !intent || intent.stopped || intent.rolloutPaused || (rollout?.failure !== undefined && intent.service.updateConfig.failureAction !== 'continue');
  for (const surge of observed.surges.values()) {
    const replica = observed.replicas.get(surge.number);
    // A surge is created and started in one operation, which a sync finishes before the next one
    // looks: one still `created` was left by a daemon killed between the two (or refused by the
    // engine), and nothing would ever start it. It is removed and the next sync creates another.
    if (surge.container.state === 'created') {
      plan.push({ kind: 'remove', service: name, number: surge.number, containerId: surge.container.id, cause: `roll-out surge ${surge.container.name} was never started` });
      continue;
    }
    const stale =
      stopRollout ||
      surge.number > (intent?.replicas ?? 0) ||
      surge.container.labels[LABEL_CONFIG_HASH] !== intent?.configHash ||
      (!replica && !isReady(surge)) ||
      replica?.container.labels[LABEL_CONFIG_HASH] === intent?.configHash;
    if (stale) plan.push({ kind: 'remove', service: name, number: surge.number, containerId: surge.container.id, cause: `roll-out surge ${surge.container.name} no longer needed` });
  }

  const wanted = intent ? intent.replicas : 0;
  // Scale-down and removal: highest numbers first, as compose and Kubernetes' ReplicaSet do.
  const surplus = [...observed.replicas.values()].filter((r) => r.number > wanted).sort((a, b) => b.number - a.number);
  for (const replica of surplus) {
    const cause = intent ? `scale down to ${wanted}` : 'service removed from the project';
    plan.push({ kind: 'remove', service: name, number: replica.number, containerId: replica.container.id, cause });
  }
  if (!intent || !rollout) return { plan, memory, stuck: stuck.memory, requeueAt, outdated: [], rolloutComplete: false };

  const firstStart = isFirstStart(observed, input.memory);
  const gate = firstStart ? dependencyGate(intent.service, input.dependencies) : undefined;
  const order = rolloutOrder(intent.service);
  let budget = stopRollout ? 0 : Math.max(0, intent.service.updateConfig.parallelism - rollout.inFlight);
  if (rollout.settlesAt !== undefined && rollout.outdated.length > 0) dueAt(rollout.settlesAt);
  // The roll-out completes only once its last replicas outlived the monitor window: look again then.
  if (rollout.monitorUntil !== undefined) dueAt(rollout.monitorUntil);

  for (let number = 1; number <= wanted; number++) {
    const mem = cloneMemory(input.memory[number]);
    memory[number] = mem;
    const replica = observed.replicas.get(number);
    const ctx: ReplicaContext = { intent, number, mem, now, plan, dueAt };

    if (intent.stopped) {
      if (replica && isRunning(replica)) plan.push(userStop('stop', ctx, replica, 'service stopped by a user'));
      continue;
    }
    if (intent.createOnly) {
      if (!replica) plan.push({ kind: 'create', service: intent.service.name, number, cause: 'up --no-start: created, not started', replacement: false, noStart: true });
      continue;
    }
    const orphanSurge = observed.surges.get(number);
    if (!replica && orphanSurge && !stopRollout && orphanSurge.container.labels[LABEL_CONFIG_HASH] === intent.configHash && isReady(orphanSurge)) {
      // The daemon died (or a rename failed) between a promote's two renames: finish it.
      plan.push({ kind: 'adopt-surge', service: intent.service.name, number, surgeId: orphanSurge.container.id, cause: `${orphanSurge.container.name} is ready and replica ${number} has no container` });
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
    // The memory's creation time is in ms; the engine's listing only has seconds.
    const createdAt = mem.createdAt ?? container.createdAt;
    if (intent.restartRequestedAt !== undefined && createdAt < intent.restartRequestedAt) {
      plan.push(userStop('replace', ctx, replica, 'restart requested'));
      continue;
    }
    switch (container.state) {
      case 'created':
        if (mem.startFailedId === container.id) plan.push(op('replace', ctx, replica, 'the engine refused to start it; recreating'));
        else plan.push(op('start', ctx, replica, 'created but never started'));
        break;
      case 'running':
        if (container.health === 'unhealthy' && intent.service.composed.onUnhealthy === 'replace') {
          handleStopped(ctx, replica, 'unhealthy');
        } else if (container.labels[LABEL_CONFIG_HASH] !== intent.configHash && !stopRollout) {
          budget -= rollOut(ctx, replica, observed.surges.get(number), order, budget, rollout.failure !== undefined);
        }
        break;
      case 'exited':
      case 'dead':
        handleStopped(ctx, replica, 'exit');
        break;
      case 'removing': {
        // Past the patience it is a death like any other; its replacement steps around it if the
        // engine cannot remove it.
        const since = mem.removingSince?.containerId === container.id ? mem.removingSince.at : now;
        mem.removingSince = { containerId: container.id, at: since };
        if (now - since >= REMOVING_PATIENCE_MS) handleStopped(ctx, replica, 'exit');
        else dueAt(since + REMOVING_PATIENCE_MS);
        break;
      }
      default:
        // paused, restarting: someone else is acting on it; look again on the next event.
        break;
    }
  }
  return {
    plan,
    memory,
    stuck: stuck.memory,
    requeueAt,
    waiting: gate && !gate.ok ? gate.waiting : undefined,
    rolloutFailure: intent.service.updateConfig.failureAction === 'continue' ? undefined : rollout.failure,
    outdated: rollout.outdated,
    rolloutComplete: rollout.outdated.length === 0 && observed.surges.size === 0 && rollout.monitorUntil === undefined,
  };
}

/** One roll-out step for an outdated running replica; returns the budget it used (0 or 1). */
function rollOut(ctx: ReplicaContext, replica: ObservedReplica, surge: ObservedReplica | undefined, order: RolloutOrder, budget: number, failing: boolean): number {
  const cause = `config changed (roll-out, ${order})`;
  if (order === 'stop-first') {
    if (budget <= 0) return 0;
    ctx.plan.push(op('replace', ctx, replica, cause));
    return 1;
  }
  const current = surge && surge.container.labels[LABEL_CONFIG_HASH] === ctx.intent.configHash ? surge : undefined;
  if (!current) {
    if (budget <= 0) return 0;
    ctx.plan.push({ kind: 'create-surge', service: ctx.intent.service.name, number: ctx.number, cause });
    return 1;
  }
  // failure_action continue: a failed surge takes over anyway and the restart policy deals with it.
  if (isReady(current) || (failing && hasFailed(current))) {
    ctx.plan.push({
      kind: 'promote',
      service: ctx.intent.service.name,
      number: ctx.number,
      containerId: replica.container.id,
      surgeId: current.container.id,
      drainMs: PROMOTE_DRAIN_MS,
      cause: `${current.container.name} is ready`,
    });
  }
  return 0;
}

function isRunning(replica: ObservedReplica): boolean {
  return replica.container.state === 'running';
}

function isFirstStart(observed: ObservedService, memory: Readonly<Record<number, ReplicaMemory>>): boolean {
  return observed.replicas.size === 0 && Object.values(memory).every((m) => !m.containerId);
}

function cloneMemory(mem: ReplicaMemory | undefined): ReplicaMemory {
  const base = mem ?? freshMemory();
  return { ...base, history: { ...base.history }, restartTimes: [...base.restartTimes] };
}

function firstServiceName(observed: ObservedService): string {
  const any = [...observed.replicas.values()][0]?.container ?? observed.strays[0] ?? observed.stuck[0];
  return any?.labels[LABEL_SERVICE] ?? '?';
}
