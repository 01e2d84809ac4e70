// What a plan about to run is announced as: one event per operation, carrying its cause.
import type { DaemonEventType } from '../../protocol/api.js';
import type { Operation } from '../core/plan.js';
import type { ReplicaMemory } from '../core/replica-memory.js';

export interface Announcement {
  type: DaemonEventType;
  service: string;
  replica: number;
  message: string;
}

const EVENT_OF: Partial<Record<Operation['kind'], DaemonEventType>> = {
  create: 'replica-created',
  replace: 'replica-replaced',
  remove: 'replica-removed',
  stop: 'replica-stopped',
  start: 'replica-started',
  'create-surge': 'rollout',
  promote: 'rollout',
  'adopt-surge': 'rollout',
};

/** Characters of a probe's output in an event: enough for its error line. */
const PROBE_IN_EVENT = 300;

export function announcements(plan: readonly Operation[], memory: Readonly<Record<number, ReplicaMemory>>): Announcement[] {
  const out: Announcement[] = [];
  for (const op of plan) {
    const base = { service: op.service, replica: op.number };
    if (op.kind === 'record-exit') {
      // The decision taken about this exit names the event: a backoff, a give-up, or just the exit.
      const outcome = memory[op.number]?.handled?.outcome;
      // An unhealthy replica's last probe says why (`composed why` shows it after a restart too).
      const probe = memory[op.number]?.lastExit?.healthOutput?.trim().replace(/\s+/g, ' ').slice(0, PROBE_IN_EVENT);
      const message = probe ? `${op.cause} (last probe: ${probe})` : op.cause;
      out.push({ ...base, type: outcome === 'give-up' ? 'gave-up' : outcome === 'replace' ? 'backoff' : 'replica-exited', message });
      continue;
    }
    const type = EVENT_OF[op.kind];
    if (!type) continue;
    const message = type !== 'rollout' ? op.cause : `${op.kind === 'create-surge' ? 'starting the new config beside the old' : 'new container takes over'}: ${op.cause}`;
    out.push({ ...base, type, message });
  }
  return out;
}
