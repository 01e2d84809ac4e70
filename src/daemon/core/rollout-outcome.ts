// Which services roll out when a project is loaded again (their config hash changed), and what a
// roll-out's state becomes after a reconcile: a failure applies failure_action (rollback
// returns the service to its previous config, whose replicas then roll back the same way; pause
// stops), and no outdated replica or surge left means the roll-out is complete. Pure: the caller
// applies the outcome to the project record and announces it.
import type { Project, Service } from '../../compose/model.js';

export interface RolloutRecord {
  state: 'rolling-out' | 'complete' | 'rolled-back' | 'paused';
  message: string;
  /** Epoch ms of the last state change. */
  at: number;
  /** The config it replaced: what a rollback returns to. */
  previous?: { service: Service; hash: string };
  /** A config that failed and was rolled back: a reload of the same file does not retry it. */
  rejectedHash?: string;
  /** The canary container being watched (core/canary.ts), by name, and since when (epoch ms). */
  canary?: string;
  canarySince?: number;
}

export interface RolloutOutcome {
  rollout: RolloutRecord;
  /** Set when the service goes back to its previous config. */
  rollBackTo?: { service: Service; hash: string };
  /** The service must be reconciled again (its config or roll-out state changed). */
  requeue: boolean;
}

export interface RolloutInput {
  rollout: RolloutRecord | undefined;
  service: Service;
  /** The hash the service runs now (the one a rollback rejects). */
  hash: string;
  /** The failure reconcile saw (a new container exited or turned unhealthy). */
  failure?: string;
  /** No replica runs an older config and no surge is left. */
  complete: boolean;
  now: number;
}

/** The roll-out's next state, or undefined when nothing changes. */
export function followRollout({ rollout, service, hash, failure, complete, now }: RolloutInput): RolloutOutcome | undefined {
  if (!rollout || rollout.state === 'paused' || rollout.state === 'complete') return undefined;
  if (failure) {
    const previous = rollout.state === 'rolling-out' && service.updateConfig.failureAction === 'rollback' ? rollout.previous : undefined;
    if (previous) {
      return {
        rollout: { state: 'rolled-back', message: `rolled back to the previous config: ${failure}`, at: now, rejectedHash: hash },
        rollBackTo: previous,
        requeue: true,
      };
    }
    return { rollout: { ...rollout, state: 'paused', message: `roll-out paused: ${failure}`, at: now }, requeue: true };
  }
  if (complete && rollout.state === 'rolling-out') return { rollout: { state: 'complete', message: 'roll-out complete', at: now }, requeue: false };
  return undefined;
}

export interface PlannedRollouts {
  rollouts: Record<string, RolloutRecord>;
  /** Services kept on their previous config: the file brings back one that failed and was rolled back. */
  kept: Record<string, { service: Service; hash: string }>;
  /** Services that start rolling out now. */
  started: string[];
}

/**
 * A service whose hash changed rolls out, remembering the config it replaces; on a reload (not an
 * explicit `up`) a config that was rolled back is not tried again.
 */
export function planRollouts(
  previous: { project: Project; configHashes: Record<string, string>; rollouts: Record<string, RolloutRecord> } | undefined,
  project: Project,
  hashes: Readonly<Record<string, string>>,
  reload: boolean,
  now: number,
): PlannedRollouts {
  const out: PlannedRollouts = { rollouts: {}, kept: {}, started: [] };
  for (const name of Object.keys(project.services).sort()) {
    const before = previous?.rollouts[name];
    const oldService = previous?.project.services[name];
    const oldHash = previous?.configHashes[name];
    if (!oldService || !oldHash || oldHash === hashes[name]) {
      if (before) out.rollouts[name] = before;
    } else if (reload && before && before.rejectedHash === hashes[name]) {
      out.kept[name] = { service: oldService, hash: oldHash };
      out.rollouts[name] = before;
    } else {
      out.rollouts[name] = { state: 'rolling-out', message: 'rolling out a changed config', at: now, previous: { service: oldService, hash: oldHash } };
      out.started.push(name);
    }
  }
  return out;
}
