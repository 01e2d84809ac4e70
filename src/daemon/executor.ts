// Walks a Plan: one runtime call per step, in plan order for each replica, replicas in parallel.
// It carries no decision logic: what to do and why was settled by reconcile.
import type { Logger } from 'pino';
import type { Project, Service } from '../compose/model.js';
import { replicaName, surgeName } from './core/labels.js';
import { formatOperation, type Operation } from './core/plan.js';
import type { ContainerRuntime } from './ports/runtime.js';

export interface OperationResult {
  op: Operation;
  ok: boolean;
  error?: unknown;
  /** The container created (create, replace). */
  containerId?: string;
  createdAt?: number;
  /** Last log lines of the stopped container (record-exit). */
  logTail?: string[];
}

export interface ExecutionContext {
  runtime: ContainerRuntime;
  project: Project;
  configHash: (service: string) => string;
  logger: Logger;
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  /** Told before the daemon itself stops or removes a container, so its events are not taken for a user's. */
  onOwnStop: (containerId: string) => void;
  /** Before a container is stopped: take it out of the balancer's rotation and let its connections finish. */
  drain: (containerId: string, graceMs: number) => Promise<void>;
  /** After a container is removed. */
  onRemoved: (containerId: string) => void;
  /** Seconds before SIGKILL when stopping, overriding stop_grace_period (`down -t`). */
  stopTimeoutSeconds?: number;
}

/** Lines of log kept with an exit, as issue 3 asks. */
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
      return createAndStart(op.service, op.number, ctx);
    case 'start':
      await runtime.startContainer(op.containerId);
      return {};
    case 'record-exit':
      return { logTail: await runtime.logsTail(op.containerId, EXIT_LOG_LINES) };
    case 'replace':
      await stopAndRemove(op.containerId, serviceOf(ctx.project, op.service), ctx);
      return createAndStart(op.service, op.number, ctx);
    case 'remove':
      await stopAndRemove(op.containerId, serviceOf(ctx.project, op.service), ctx);
      return {};
    case 'create-surge':
      return createAndStart(op.service, op.number, ctx, surgeName(ctx.project.name, op.service, op.number));
    case 'promote': {
      const name = replicaName(ctx.project.name, op.service, op.number);
      await runtime.renameContainer(op.containerId, `${name}-retiring-${op.containerId.slice(0, 12)}`);
      await runtime.renameContainer(op.surgeId, name);
      const promotedAt = ctx.now();
      await ctx.sleep(op.drainMs);
      await stopAndRemove(op.containerId, serviceOf(ctx.project, op.service), ctx);
      return { containerId: op.surgeId, createdAt: promotedAt };
    }
    case 'adopt-surge':
      await runtime.renameContainer(op.surgeId, replicaName(ctx.project.name, op.service, op.number));
      return { containerId: op.surgeId, createdAt: ctx.now() };
    case 'stop': {
      const service = serviceOf(ctx.project, op.service);
      ctx.onOwnStop(op.containerId);
      await ctx.drain(op.containerId, service?.stopGracePeriodMs ?? 10_000);
      await runtime.stopContainer(op.containerId, stopOptions(service, ctx));
      return {};
    }
  }
}

async function createAndStart(
  serviceName: string,
  number: number,
  ctx: ExecutionContext,
  name = replicaName(ctx.project.name, serviceName, number),
): Promise<Partial<OperationResult>> {
  const service = serviceOf(ctx.project, serviceName);
  if (!service) throw new Error(`service ${serviceName} is not in project ${ctx.project.name}`);
  const createdAt = ctx.now();
  const containerId = await ctx.runtime.createReplica({
    project: ctx.project,
    service,
    number,
    name,
    configHash: ctx.configHash(serviceName),
  });
  await ctx.runtime.startContainer(containerId);
  return { containerId, createdAt };
}

async function stopAndRemove(containerId: string, service: Service | undefined, ctx: ExecutionContext): Promise<void> {
  ctx.onOwnStop(containerId);
  await ctx.drain(containerId, service?.stopGracePeriodMs ?? 10_000);
  await ctx.runtime.stopContainer(containerId, stopOptions(service, ctx));
  await ctx.runtime.removeContainer(containerId, { force: true });
  ctx.onRemoved(containerId);
}

function stopOptions(service: Service | undefined, ctx: ExecutionContext) {
  const timeoutSeconds = ctx.stopTimeoutSeconds ?? Math.ceil((service?.stopGracePeriodMs ?? 10_000) / 1000);
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
