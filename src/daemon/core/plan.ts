// A Plan is what reconcile decided, as data: the executor carries it out and decides nothing.
// Every operation carries its cause, which is what gets logged, shown in events and in status.

export type Operation =
  /** Create and start a replica that has no container (`replacement`: its previous one was removed; `noStart`: `up --no-start`). */
  | { kind: 'create'; service: string; number: number; cause: string; replacement: boolean; noStart?: true }
  /** Start a replica container that exists but was never started (the daemon died in between). */
  | { kind: 'start'; service: string; number: number; containerId: string; cause: string }
  /** Keep the last log lines and exit details of a replica that stopped, before anything removes it. */
  | { kind: 'record-exit'; service: string; number: number; containerId: string; cause: string }
  /** Remove a dead or unwanted container and create + start its successor under the same name. */
  | { kind: 'replace'; service: string; number: number; containerId: string; cause: string; timeoutSeconds?: number }
  /** Stop gracefully (stop_grace_period) and remove: scale-down, removed service, leftovers. */
  | { kind: 'remove'; service: string; number: number; containerId: string; cause: string }
  /** Roll-out, start-first: create and start the new config beside replica n (`<name>-next`). */
  | { kind: 'create-surge'; service: string; number: number; cause: string }
  /**
   * Roll-out, start-first: the surge is ready and takes the replica's name; the old container keeps
   * serving under another name for `drainMs` (clients and DNS move over), then stops and goes.
   */
  | { kind: 'promote'; service: string; number: number; containerId: string; surgeId: string; drainMs: number; cause: string }
  /** A ready surge whose replica's container is gone (a promote cut short): it takes the name. */
  | { kind: 'adopt-surge'; service: string; number: number; surgeId: string; cause: string }
  /** Stop gracefully and keep the container (composed stop). */
  | { kind: 'stop'; service: string; number: number; containerId: string; cause: string; timeoutSeconds?: number }
  /** Try again to remove an old container the engine could not remove before (it was moved aside). */
  | { kind: 'remove-stuck'; service: string; number: number; containerId: string; cause: string };


export type HookStage = 'post_start' | 'pre_stop';

/** One lifecycle hook the executor ran: its exit code and output, or why it could not run. */
export interface HookRun {
  stage: HookStage;
  /** Position in the service's list, from 0. */
  index: number;
  containerId: string;
  exitCode?: number;
  output: string;
  error?: string;
}

/** What carrying out one operation did (the executor's answer, applied by apply-results.ts). */
export interface OperationResult {
  op: Operation;
  ok: boolean;
  error?: unknown;
  /** The container created (create, replace). */
  containerId?: string;
  createdAt?: number;
  /** Last log lines of the stopped container (record-exit). */
  logTail?: string[];
  /** The post_start / pre_stop hooks run along the way, in order. */
  hooks?: HookRun[];
  /** An old container the engine would not remove, moved out of the replica's way under this name. */
  steppedAside?: { containerId: string; name: string; error: string };
}

export function formatOperation(op: Operation): string {
  const within = 'timeoutSeconds' in op && op.timeoutSeconds !== undefined ? `, within ${op.timeoutSeconds} s` : '';
  return `${op.kind} ${op.service}#${op.number} (${op.cause}${within})`;
}

/** One line per operation, in plan order: the golden text tests compare. */
export function formatPlan(ops: readonly Operation[]): string {
  return ops.length === 0 ? '(nothing to do)' : ops.map(formatOperation).join('\n');
}
