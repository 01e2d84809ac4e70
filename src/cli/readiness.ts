// When `up` may return: every service started (or, with --wait, ready), or something that will not
// get better on its own (a blocked dependency, a service that gave up, a one-shot that failed).
// With --wait that is a failure, as is a blocked service either way. Without --wait, as with
// `docker compose up -d`, a service that already gave up is reported but does not fail the command:
// whether it gives up before every other replica has started is a race, and the exit code must not
// depend on it.
import type { ProjectStatus, ServiceStatus } from '../protocol/api.js';

export interface SettledState {
  done: boolean;
  problem?: string;
  /** Services that will not get better on their own, when `up` does not wait. */
  failed: string[];
  /** Services not there yet, with their state, for a timeout message. */
  pending: string[];
}

const FINAL_PHASES = new Set(['completed', 'stopped', 'scaled-to-zero']);

export function settledState(status: ProjectStatus, wait: boolean): SettledState {
  const pending: string[] = [];
  const failed: string[] = [];
  for (const s of status.services) {
    if (s.phase === 'blocked' || s.phase === 'failed') {
      const problem = `service ${s.name} ${s.phase}: ${s.message ?? ''}`.trim();
      // Blocked is a mistake in the file or a failed dependency: never a race, always an error.
      if (wait || s.phase === 'blocked') return { done: true, problem, failed, pending };
      failed.push(problem);
      continue;
    }
    // An exit the daemon decided to leave as it is (it carries the reason) will not get better.
    const exited = s.replicas.find((r) => r.phase === 'exited' && r.reason !== undefined);
    if (wait && exited) return { done: true, problem: `service ${s.name}: ${exited.name} ${exited.reason ?? 'exited'}`, failed, pending };
    if (!isSettled(s, wait)) pending.push(`${s.name} is ${s.phase}${s.message ? ` (${s.message})` : ''} with ${s.ready}/${s.desired} ready`);
  }
  return { done: pending.length === 0, failed, pending };
}

function isSettled(s: ServiceStatus, wait: boolean): boolean {
  if (FINAL_PHASES.has(s.phase)) return true;
  if (wait) return s.phase === 'running' && s.ready >= s.desired;
  // Without --wait, like `docker compose up -d`: every replica has been started.
  return s.phase === 'backoff' || s.phase === 'degraded' || s.running >= s.desired;
}
