// A canary roll-out (`x-composed.canary`): a changed service first gets one new replica, which the
// balancer gives `weight` % of new connections; the roll-out waits `duration` from when that
// replica was first seen ready (not from its creation: a busy engine here took 4 s from create to
// ready), and goes on only if it neither exited nor turned unhealthy (what fails any roll-out) nor,
// with abort_on errors, refused or reset a connection the balancer gave it. A failed canary is a
// failed roll-out: update_config's failure_action (rollback by default) follows.
//
// Pure: where the canary stands is read from the containers and the balancer's counters.
import type { Canary, Service } from '../../compose/model.js';

/** The canary a roll-out is watched with, and since when its canary has been watched (epoch ms). */
export interface CanaryWatch {
  spec: Canary;
  since?: number;
}
import { LABEL_CONFIG_HASH } from './labels.js';
import { isReady, type ObservedReplica } from './observed.js';

export interface CanaryHold {
  /** Roll-out slots the canary takes beyond its own: all but one before it exists, all while it runs. */
  slots: number;
  /** When the canary's watch ends (epoch ms), so the roll-out is looked at again then. */
  until?: number;
}

/**
 * How much of the roll-out's parallelism the canary holds back. `fresh` are the containers already
 * on the new config (replicas and surges), `outdated` the replicas still on an older one.
 */
export function canaryHold(watch: CanaryWatch | undefined, parallelism: number, fresh: readonly ObservedReplica[], outdated: number, now: number): CanaryHold {
  if (!watch || outdated === 0 || fresh.length > 1) return { slots: 0 };
  if (fresh.length === 0) return { slots: Math.max(0, parallelism - 1) };
  // Not watched yet (still starting): its watch has not begun, so nothing else moves.
  if (watch.since === undefined) return { slots: parallelism };
  const until = watch.since + watch.spec.durationMs;
  return now < until ? { slots: parallelism, until } : { slots: 0 };
}

export interface CanaryTarget {
  containerId: string;
  name: string;
  weight: number;
  /** Epoch ms when its watch ends. */
  until: number;
}

/**
 * The canary: the only container on the new config, ready, beside replicas still on the old one.
 * Its watch runs `duration` from `since` (from now when it was not watched before); past `until`
 * it is still returned, so that its errors are looked at once more before the roll-out goes on.
 */
export function watchedCanary(watch: CanaryWatch | undefined, hash: string, containers: ReadonlyArray<ObservedReplica>, now: number): CanaryTarget | undefined {
  if (!watch) return undefined;
  const fresh = containers.filter((r) => r.container.labels[LABEL_CONFIG_HASH] === hash);
  const old = containers.filter((r) => r.container.labels[LABEL_CONFIG_HASH] !== hash && r.container.state === 'running');
  if (fresh.length !== 1 || old.length === 0 || !isReady(fresh[0]!)) return undefined;
  const { container } = fresh[0]!;
  const until = (watch.since ?? now) + watch.spec.durationMs;
  return { containerId: container.id, name: container.name.replace(/-next$/, ''), weight: watch.spec.weight, until };
}

/** Why the watched canary failed on what the balancer saw, or undefined while it has not. */
export function canaryErrors(canary: Canary, target: CanaryTarget, counters: { refused: number; reset: number } | undefined): string | undefined {
  if (!canary.abortOnErrors || !counters) return undefined;
  const { refused, reset } = counters;
  if (refused === 0 && reset === 0) return undefined;
  const parts = [refused > 0 ? `refused ${refused}` : '', reset > 0 ? `reset ${reset}` : ''].filter(Boolean).join(' and ');
  return `canary ${target.name} ${parts} connection${refused + reset === 1 ? '' : 's'}`;
}

/** The canary a service's roll-out is watched with: only while it rolls out, never on its rollback. */
export function canaryOf(service: Service, rollout: { state: string; canarySince?: number } | undefined): CanaryWatch | undefined {
  const spec = service.composed.canary;
  if (!spec || rollout?.state !== 'rolling-out') return undefined;
  return { spec, ...(rollout.canarySince !== undefined ? { since: rollout.canarySince } : {}) };
}
