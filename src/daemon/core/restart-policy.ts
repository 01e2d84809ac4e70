// The restart decision for one replica that stopped running: replace now, replace after a delay,
// leave it, or give up. Pure: the time is a parameter, the history is passed in and handed back.
//
// Counting follows Docker's `on-failure:N` (N restarts, so N+1 runs) with Nomad-style bookkeeping:
// consecutive restarts are counted, and a replica that ran longer than `windowMs` starts afresh.
import type { RestartPolicy } from '../../compose/model.js';

/** Why a replica stopped running. */
export type StopCause = 'exit' | 'unhealthy' | 'removed';

export interface ReplicaExit {
  cause: StopCause;
  /** Exit code; undefined for a removal. */
  exitCode?: number;
  oomKilled: boolean;
  /** How long the replica had been running when it stopped (ms). */
  ranForMs: number;
  /** A user stopped it (`docker stop` / `composed stop`). */
  stoppedByUser: boolean;
}

/** Restart bookkeeping of one replica that survives replacements and daemon restarts. */
export interface RestartHistory {
  /** Consecutive restarts since the replica last ran longer than the window. */
  consecutive: number;
  /** Restarts over the replica's whole life, for status and metrics. */
  total: number;
}

export type RestartDecision =
  | { kind: 'replace'; delayMs: number; history: RestartHistory; reason: string }
  | { kind: 'leave'; reason: string }
  | { kind: 'give-up'; history: RestartHistory; reason: string };

export const NO_RESTARTS: RestartHistory = { consecutive: 0, total: 0 };

export function isFailure(exit: ReplicaExit): boolean {
  return exit.cause === 'unhealthy' || exit.oomKilled || (exit.cause === 'exit' && exit.exitCode !== 0);
}

export function describeExit(exit: ReplicaExit): string {
  if (exit.cause === 'removed') return 'removed';
  if (exit.cause === 'unhealthy') return 'unhealthy';
  return exit.oomKilled ? `exited ${exit.exitCode ?? '?'} (OOM killed)` : `exited ${exit.exitCode ?? '?'}`;
}

function wantsReplacement(policy: RestartPolicy, exit: ReplicaExit): boolean {
  switch (policy.condition) {
    case 'none':
      return false;
    case 'on-failure':
      return isFailure(exit);
    case 'any':
      return !(policy.unlessStopped && exit.stoppedByUser);
  }
}

/** Delay before restart number `attempt` (1-based): delay x 2^(attempt-1), capped. */
export function backoffDelay(policy: RestartPolicy, attempt: number): number {
  const raw = policy.delayMs * 2 ** Math.max(0, attempt - 1);
  return Math.min(raw, Math.max(policy.maxDelayMs, policy.delayMs));
}

export function decideRestart(policy: RestartPolicy, history: RestartHistory, exit: ReplicaExit): RestartDecision {
  const what = describeExit(exit);
  if (!wantsReplacement(policy, exit)) {
    const why =
      policy.condition === 'none'
        ? 'restart policy is "no"'
        : exit.stoppedByUser
          ? 'stopped by a user (unless-stopped)'
          : `restart policy ${policy.condition} does not restart on ${what}`;
    return { kind: 'leave', reason: `${what}; ${why}` };
  }
  const consecutive = exit.ranForMs > policy.windowMs ? 0 : history.consecutive;
  if (policy.maxAttempts !== undefined && consecutive >= policy.maxAttempts) {
    return {
      kind: 'give-up',
      history: { consecutive, total: history.total },
      reason: `${what}; gave up after ${consecutive} restart${consecutive === 1 ? '' : 's'} (max_attempts ${policy.maxAttempts})`,
    };
  }
  const attempt = consecutive + 1;
  const delayMs = backoffDelay(policy, attempt);
  return {
    kind: 'replace',
    delayMs,
    history: { consecutive: attempt, total: history.total + 1 },
    reason: `${what}; restart ${attempt}${policy.maxAttempts !== undefined ? ` of ${policy.maxAttempts}` : ''} after ${delayMs} ms`,
  };
}

/** Why a replica was restarted, as metrics count it: an OOM kill is an exit of its own kind. */
export type RestartReason = 'exit' | 'oom' | 'unhealthy' | 'removed';

export function restartReason(exit: { cause: 'exit' | 'unhealthy' | 'removed'; oomKilled: boolean }): RestartReason {
  if (exit.cause === 'exit' && exit.oomKilled) return 'oom';
  return exit.cause;
}
