// What an executed plan changes in the daemon's memory of a service: each replica's container,
// its restarts (counted once they happened, not when decided), the start the engine refused, the
// exit's log lines; and the old containers moved aside or finally removed. Pure: the caller stores
// the memory, publishes the events and counts the restarts.
import type { DaemonEventType } from '../../protocol/api.js';
import type { HookRun, OperationResult } from './plan.js';
import { freshMemory, RESTART_TIMES_KEPT, type ReplicaMemory } from './replica-memory.js';
import { restartReason, type RestartReason } from './restart-policy.js';
import { removalFailedAgain, steppedAside, type StuckRemoval } from './stuck-removal.js';

export interface ResultEvent {
  type: DaemonEventType;
  replica: number;
  message: string;
}

export interface AppliedResults {
  memory: Record<number, ReplicaMemory>;
  stuck: Record<string, StuckRemoval>;
  events: ResultEvent[];
  /** One reason per restart that happened. */
  restarts: RestartReason[];
}

export function applyResults(
  memory: Readonly<Record<number, ReplicaMemory>> | undefined,
  stuck: Readonly<Record<string, StuckRemoval>>,
  results: readonly OperationResult[],
  now: number,
): AppliedResults {
  const events: ResultEvent[] = [];
  const restarts: RestartReason[] = [];
  const nextStuck = applyStuck(stuck, results, now, events);
  for (const { op, hooks } of results) for (const run of hooks ?? []) events.push({ type: 'hook', replica: op.number, message: hookMessage(run) });
  if (!memory) return { memory: {}, stuck: nextStuck, events, restarts };
  const next: Record<number, ReplicaMemory> = { ...memory };
  for (const result of results) {
    const { op } = result;
    // A surge is not the replica yet: it becomes it on promote. Stuck removals are applied above.
    if (op.kind === 'remove-stuck' || (op.kind === 'create-surge' && result.ok)) continue;
    const mem: ReplicaMemory = { ...(next[op.number] ?? freshMemory()) };
    next[op.number] = mem;
    if (!result.ok) {
      events.push({ type: 'operation-failed', replica: op.number, message: `${op.kind} failed: ${messageOf(result.error)}` });
      if (op.kind === 'start') mem.startFailedId = op.containerId;
      continue;
    }
    const restarted = (op.kind === 'replace' || (op.kind === 'create' && op.replacement)) && mem.handled?.outcome === 'replace';
    if (restarted) {
      mem.restartTimes = [...mem.restartTimes, now].slice(-RESTART_TIMES_KEPT);
      if (mem.lastExit) restarts.push(restartReason(mem.lastExit));
    }
    if (result.containerId) {
      Object.assign(mem, { containerId: result.containerId, createdAt: result.createdAt, handled: undefined, stoppedByUser: false, startFailedId: undefined });
    }
    if (result.logTail && mem.lastExit) mem.lastExit = { ...mem.lastExit, logTail: result.logTail };
  }
  return { memory: next, stuck: nextStuck, events, restarts };
}

/** Containers moved aside, and retried removals of earlier ones. */
function applyStuck(stuck: Readonly<Record<string, StuckRemoval>>, results: readonly OperationResult[], now: number, events: ResultEvent[]): Record<string, StuckRemoval> {
  const next = { ...stuck };
  for (const { op, ok, error, steppedAside: aside } of results) {
    if (aside) {
      next[aside.containerId] = steppedAside(aside.name, aside.error, now);
      events.push({ type: 'operation-failed', replica: op.number, message: `the engine cannot remove the old container (${aside.error}); moved it aside as ${aside.name} and kept going` });
    }
    if (op.kind !== 'remove-stuck') continue;
    const entry = next[op.containerId];
    if (ok) {
      delete next[op.containerId];
      events.push({ type: 'replica-removed', replica: op.number, message: `removed ${entry?.name ?? op.containerId}, which the engine could not remove before` });
    } else if (entry) {
      next[op.containerId] = removalFailedAgain(entry, messageOf(error), now);
    }
  }
  return next;
}

/** Output beyond this is cut from the event (the daemon's log has it whole, up to the adapter's cap). */
const HOOK_OUTPUT_IN_EVENT = 2_000;

/** What a hook did, for its event: the status, what the container does next, its output. */
export function hookMessage(run: HookRun): string {
  const failed = run.error !== undefined || run.exitCode !== 0;
  const what = run.error !== undefined ? `failed: ${run.error}` : `exited with status ${run.exitCode}`;
  const kept = failed && run.stage === 'post_start' ? ' (the container keeps running, as docker compose leaves it)' : failed ? ' (the container is stopped all the same)' : '';
  const output = run.output.trim();
  const shown = output.length > HOOK_OUTPUT_IN_EVENT ? `…${output.slice(-HOOK_OUTPUT_IN_EVENT)}` : output;
  return `${run.stage} hook ${run.index + 1} ${what}${kept}${shown ? `: ${shown}` : ''}`;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
