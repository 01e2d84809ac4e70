// Walks a Plan: one runtime call per step, in plan order for each replica, replicas in parallel.
// It carries no decision logic: what to do and why was settled by reconcile.
import type { Logger } from 'pino';
import type { Project, Service } from '../../compose/model.js';
import type { LayerProgress } from '../../protocol/api.js';
import { replicaName, steppedAsideName, surgeName } from '../core/labels.js';
import { formatOperation, type HookRun, type Operation, type OperationResult } from '../core/plan.js';
import { preparedResource, type PrepareOperation } from '../core/prepare-plan.js';
import { answeredByEngine, RuntimeError, type SupervisionRuntime } from '../ports/runtime.js';
import { POST_START_PATIENCE_MS, runHooks } from './hooks.js';

export interface ExecutionContext {
  runtime: SupervisionRuntime;
  project: Project;
  configHash: (service: string) => string;
  logger: Logger;
  now: () => number;
  /** Resolves after `ms`; rejects when the signal aborts first. */
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Told before the daemon itself stops or removes a container, so its events are not taken for a user's. */
  onOwnStop: (containerId: string) => void;
  /** Before a container is stopped: take it out of the balancer's rotation and let its connections finish. */
  drain: (containerId: string, graceMs: number) => Promise<void>;
  /** A replaced container stopped and is about to be removed: keep its output (`logs --previous`). */
  keepOutput?: (service: string, number: number, containerId: string) => Promise<void>;
  /** After a container is removed. */
  onRemoved: (containerId: string) => void;
  /** Seconds before SIGKILL when stopping, overriding stop_grace_period (`down -t`). */
  stopTimeoutSeconds?: number;
  /**
   * A replica's container the engine will not remove is renamed out of its way (supervision, so
   * the successor can take the name), unless this is false (`down`, which frees no name: the
   * removal then fails and is reported).
   */
  stepAside?: boolean;
}

/** Lines of log kept with an exit: enough to see why it died, small enough for status. */
export const EXIT_LOG_LINES = 50;
/** Replicas worked on at once: enough for a crash storm, few enough not to swamp the engine. */
const PARALLEL_REPLICAS = 16;

export async function executePlan(plan: readonly Operation[], ctx: ExecutionContext): Promise<OperationResult[]> {
  const byReplica = new Map<string, Operation[]>();
  for (const op of plan) {
    // Leftover containers all carry number 0; each is its own lane.
    const key = op.number === 0 && 'containerId' in op ? op.containerId : `${op.service}#${op.number}`;
    byReplica.set(key, [...(byReplica.get(key) ?? []), op]);
  }
  const results: OperationResult[] = [];
  await runLimited([...byReplica.values()], PARALLEL_REPLICAS, async (ops) => {
    for (const op of ops) {
      const result = await executeOne(op, ctx);
      results.push(result);
      if (!result.ok) break; // later steps of this replica depend on this one
    }
  });
  return results;
}

async function executeOne(op: Operation, ctx: ExecutionContext): Promise<OperationResult> {
  const log = ctx.logger.child({ service: op.service, replica: op.number });
  log.info({ op: op.kind, cause: op.cause }, formatOperation(op));
  try {
    return { op, ok: true, ...(await perform(op, ctx)) };
  } catch (error) {
    log.warn({ op: op.kind, err: error }, `${formatOperation(op)} failed`);
    return { op, ok: false, error };
  }
}

async function perform(op: Operation, ctx: ExecutionContext): Promise<Partial<OperationResult>> {
  const { runtime } = ctx;
  switch (op.kind) {
    case 'create':
      return createAndStart(op.service, op.number, ctx, undefined, !op.noStart);
    case 'start': {
      await runtime.startContainer(op.containerId);
      return { hooks: await postStart(op.service, op.containerId, ctx) };
    }
    case 'record-exit':
      return { logTail: await runtime.logsTail(op.containerId, EXIT_LOG_LINES) };
    case 'replace': {
      const removed = await stopAndRemove(op, op.containerId, ctx, { keepOutput: true });
      const created = await createAndStart(op.service, op.number, ctx);
      return { ...created, steppedAside: removed.steppedAside, hooks: [...removed.hooks, ...(created.hooks ?? [])] };
    }
    case 'remove':
      return stopAndRemove(op, op.containerId, ctx);
    case 'remove-stuck':
      await runtime.removeContainer(op.containerId, { force: true });
      ctx.onRemoved(op.containerId);
      return {};
    case 'create-surge':
      return createAndStart(op.service, op.number, ctx, surgeName(ctx.project.name, op.service, op.number));
    case 'promote': {
      const name = replicaName(ctx.project.name, op.service, op.number);
      await runtime.renameContainer(op.containerId, `${name}-retiring-${op.containerId.slice(0, 12)}`);
      await runtime.renameContainer(op.surgeId, name);
      const promotedAt = ctx.now();
      await ctx.sleep(op.drainMs);
      return { containerId: op.surgeId, createdAt: promotedAt, ...(await stopAndRemove(op, op.containerId, ctx)) };
    }
    case 'adopt-surge':
      await runtime.renameContainer(op.surgeId, replicaName(ctx.project.name, op.service, op.number));
      return { containerId: op.surgeId, createdAt: ctx.now() };
    case 'stop': {
      const service = serviceOf(ctx.project, op.service);
      const stop = stopOptions(service, ctx, op);
      ctx.onOwnStop(op.containerId);
      await ctx.drain(op.containerId, service?.stopGracePeriodMs ?? 10_000);
      const hooks = await runHooks('pre_stop', service?.preStop, op.containerId, stop.timeoutSeconds * 1000, ctx);
      await runtime.stopContainer(op.containerId, stop);
      return { hooks };
    }
  }
}

async function createAndStart(
  serviceName: string,
  number: number,
  ctx: ExecutionContext,
  name = replicaName(ctx.project.name, serviceName, number),
  start = true,
): Promise<Partial<OperationResult>> {
  const service = serviceOf(ctx.project, serviceName);
  if (!service) throw new Error(`service ${serviceName} is not in project ${ctx.project.name}`);
  const createdAt = ctx.now();
  const containerId = await ctx.runtime.createReplica({ project: ctx.project, service, number, name, configHash: ctx.configHash(serviceName) });
  if (!start) return { containerId, createdAt };
  await ctx.runtime.startContainer(containerId);
  return { containerId, createdAt, hooks: await postStart(serviceName, containerId, ctx) };
}

/** A failing post_start is reported and the container keeps running, as docker compose leaves it. */
function postStart(serviceName: string, containerId: string, ctx: ExecutionContext) {
  return runHooks('post_start', serviceOf(ctx.project, serviceName)?.postStart, containerId, POST_START_PATIENCE_MS, ctx);
}

/**
 * Stops and removes a replica's container. When the engine answers the removal with an error (it
 * keeps the container `removing` or `dead`: see core/stuck-removal.ts), the container is renamed
 * out of the replica's way instead, and what was done is returned: the replica never waits for it.
 * Leftovers (number 0) have no name to free and fail as before.
 */
async function stopAndRemove(op: Operation, containerId: string, ctx: ExecutionContext, options: { keepOutput?: boolean } = {}): Promise<{ steppedAside?: OperationResult['steppedAside']; hooks: HookRun[] }> {
  const service = serviceOf(ctx.project, op.service);
  const stop = stopOptions(service, ctx, op);
  ctx.onOwnStop(containerId);
  await ctx.drain(containerId, service?.stopGracePeriodMs ?? 10_000);
  // pre_stop runs within the stop's grace, as Kubernetes counts preStop against it.
  const hooks = await runHooks('pre_stop', service?.preStop, containerId, stop.timeoutSeconds * 1000, ctx);
  try {
    await ctx.runtime.stopContainer(containerId, stop);
  } catch (error) {
    // A container the engine is failing to remove may refuse a stop too; the forced removal decides.
    if (!answeredByEngine(error)) throw error;
  }
  if (options.keepOutput) await ctx.keepOutput?.(op.service, op.number, containerId);
  try {
    await ctx.runtime.removeContainer(containerId, { force: true });
    ctx.onRemoved(containerId);
    return { hooks };
  } catch (error) {
    if (!answeredByEngine(error) || op.number <= 0 || ctx.stepAside === false) throw error;
    const name = steppedAsideName(ctx.project.name, op.service, op.number, Math.floor(ctx.now()));
    try {
      await ctx.runtime.renameContainer(containerId, name);
    } catch (renameError) {
      if (renameError instanceof RuntimeError && renameError.kind === 'not-found') return { hooks }; // it went after all
      throw error;
    }
    ctx.onRemoved(containerId);
    ctx.logger.warn({ service: op.service, replica: op.number, containerId, name, err: error }, 'the engine cannot remove the old container; moved it aside');
    return { steppedAside: { containerId, name, error: error instanceof Error ? error.message : String(error) }, hooks };
  }
}


/** A user's `-t` for this stop, else the plan's (`down -t`), else the service's stop_grace_period. */
function stopOptions(service: Service | undefined, ctx: ExecutionContext, op: Operation) {
  const asked = 'timeoutSeconds' in op ? op.timeoutSeconds : undefined;
  const timeoutSeconds = asked ?? ctx.stopTimeoutSeconds ?? Math.ceil((service?.stopGracePeriodMs ?? 10_000) / 1000);
  return { timeoutSeconds, signal: service?.stopSignal };
}

function serviceOf(project: Project, name: string): Service | undefined {
  return project.services[name];
}

async function runLimited<T>(items: T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await work(items[next++] as T);
  });
  await Promise.all(lanes);
}

/** Carries out a prepare plan in order; the first failure stops it (later steps need the earlier ones). */
export async function executePreparePlan(
  plan: readonly PrepareOperation[],
  ctx: { runtime: SupervisionRuntime; project: Project; progress: (resource: string, message: string, layer?: LayerProgress) => void },
): Promise<void> {
  const { runtime, project, progress } = ctx;
  for (const op of plan) {
    const resource = preparedResource(op);
    switch (op.kind) {
      case 'ensure-network':
        progress(resource, op.cause);
        await runtime.ensureNetwork(project, op.key, project.networks[op.key]!);
        break;
      case 'ensure-volume':
        progress(resource, op.cause);
        await runtime.ensureVolume(project, op.key, project.volumes[op.key]!);
        break;
      case 'ensure-image':
        await runtime.ensureImage(project, { ...project.services[op.service]!, pullPolicy: op.policy }, (message, layer) => progress(resource, message, layer));
        break;
    }
  }
}
