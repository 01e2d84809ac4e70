// Following an image tag: when the next check is due and what a check's answer leads to. Pure:
// the time is a parameter; the follower (updates/tag-follower.ts) asks the registry, pulls and
// rolls out, and the registry of projects keeps this state with the project.
import type { UpdatePolicy } from '../../compose/model.js';

export interface TagFollowState {
  /** The tag followed, as the file names it (a changed file starts afresh). */
  image: string;
  /** The digest the service's replicas run, as last seen. */
  runningDigest?: string;
  /** Where the tag pointed at the last successful check. */
  latestDigest?: string;
  /** Epoch ms of the last check, successful or not. */
  checkedAt?: number;
  /** Why the last check failed; absent when it succeeded. */
  checkError?: string;
  /** Checks failed in a row (the backoff's exponent). */
  failures: number;
  nextCheckAt?: number;
  /** Digests whose roll-out failed and was rolled back: never tried again. */
  rejected: string[];
  /** The digest a rollback of the current one returns to: its image is kept. */
  rollbackDigest?: string;
  /** The last update, rollback or available update, and why. */
  last?: { state: 'available' | 'rolling-out' | 'updated' | 'rolled-back'; from?: string; to: string; at: number; message: string };
}

/** The first retry after a failed check; doubled per failure in a row, never beyond the interval. */
export const CHECK_RETRY_MS = 5_000;

export function freshFollowState(image: string): TagFollowState {
  return { image, failures: 0, rejected: [] };
}

/** The next time a check may run at or after `at`: inside the schedule's daily UTC window. */
export function withinSchedule(at: number, schedule: UpdatePolicy['schedule']): number {
  if (!schedule) return at;
  const day = 86_400_000;
  const minuteOfDay = Math.floor((at % day) / 60_000);
  const { fromMinute, toMinute } = schedule;
  const inside = fromMinute <= toMinute ? minuteOfDay >= fromMinute && minuteOfDay < toMinute : minuteOfDay >= fromMinute || minuteOfDay < toMinute;
  if (inside) return at;
  const startOfDay = at - (at % day);
  const start = startOfDay + fromMinute * 60_000;
  return start > at ? start : start + day;
}

/** After a successful check: the interval; after a failure, a backoff, at least what Retry-After asked. */
export function nextCheckAt(policy: UpdatePolicy, now: number, failures: number, retryAfterMs?: number): number {
  const wait = failures === 0 ? policy.intervalMs : Math.min(policy.intervalMs, CHECK_RETRY_MS * 2 ** Math.min(failures - 1, 20));
  return withinSchedule(now + Math.max(wait, retryAfterMs ?? 0), policy.schedule);
}

export type CheckVerdict =
  | { kind: 'current' }
  | { kind: 'rejected'; digest: string }
  | { kind: 'notify'; digest: string }
  | { kind: 'update'; digest: string };

/** What a tag pointing at `latest` means for a service running `running`. */
export function judgeCheck(policy: UpdatePolicy['policy'], state: TagFollowState, latest: string, running: string | undefined): CheckVerdict {
  if (latest === running) return { kind: 'current' };
  if (state.rejected.includes(latest)) return { kind: 'rejected', digest: latest };
  return policy === 'auto' ? { kind: 'update', digest: latest } : { kind: 'notify', digest: latest };
}

/** The service's own `update`, else the project's default, else off. */
export function effectiveUpdatePolicy(own: UpdatePolicy | undefined, projectDefault: UpdatePolicy | undefined): UpdatePolicy | undefined {
  const policy = own ?? projectDefault;
  return policy && policy.policy !== 'off' ? policy : undefined;
}

export function shortDigest(digest: string | undefined): string {
  return digest ? digest.replace(/^sha256:/, '').slice(0, 12) : 'none';
}
