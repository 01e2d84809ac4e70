// Roll-outs of a changed service config, replica by replica, level-based like everything else:
// each reconcile looks at which replicas run the new config hash and takes the next step.
//
// start-first (default when the service publishes no fixed host port): a surge container for
// replica n is created beside the old one under `<project>-<service>-<n>-next`; once it is ready
// (running, and healthy where there is a healthcheck) the old one is stopped and removed and the
// surge takes over the name. stop-first: the old container is replaced in place.
// `deploy.update_config`: parallelism replicas at a time; a replaced replica keeps its slot until it
// has run for `monitor` + `delay`; a new container that exits or turns unhealthy while the roll-out
// is under way is a failure, and failure_action (rollback | pause | continue) says what follows.
import { balancedPorts, isFixedHostPort } from '../../compose/balanced-ports.js';
import type { Service } from '../../compose/model.js';
import { canaryHold, type CanaryWatch } from './canary.js';
import { LABEL_CONFIG_HASH } from './labels.js';
import { isReady, type ObservedReplica, type ObservedService } from './observed.js';
import type { ReplicaMemory } from './replica-memory.js';

export type RolloutOrder = 'start-first' | 'stop-first';

export function rolloutOrder(service: Service): RolloutOrder {
  if (service.updateConfig.order) return service.updateConfig.order;
  // Two containers cannot publish the same fixed host port at once; the balancer's ports are the
  // daemon's, so a balanced service rolls start-first.
  const balanced = new Set(balancedPorts(service));
  return service.ports.some((p) => isFixedHostPort(p) && !balanced.has(p)) ? 'stop-first' : 'start-first';
}

export function hasFailed(replica: ObservedReplica): boolean {
  const { state, health } = replica.container;
  return state === 'exited' || state === 'dead' || (state === 'running' && health === 'unhealthy');
}

export function describeFailure(replica: ObservedReplica): string {
  const { state, health } = replica.container;
  if (state === 'running' && health === 'unhealthy') return `${replica.container.name} turned unhealthy`;
  const code = replica.details?.exitCode;
  return `${replica.container.name} exited${code === undefined ? '' : ` with code ${code}`}`;
}

export interface RolloutView {
  /** Replicas (numbers <= wanted) still running an older config. */
  outdated: number[];
  /** Replica slots a roll-out step is using now: surges, new replicas not ready or still settling. */
  inFlight: number;
  /** The first new container that failed while the roll-out is under way. */
  failure?: string;
  /** When a settling replica frees its slot (epoch ms). */
  settlesAt?: number;
  /**
   * Until when the last replaced replicas are watched (epoch ms): `monitor` holds for the last
   * step too, so an image that crashes a second after it started still fails the roll-out.
   */
  monitorUntil?: number;
}

/** Where the roll-out of one service stands, from the observed containers and replica memory. */
export function viewRollout(
  service: Service,
  hash: string,
  wanted: number,
  observed: ObservedService,
  memory: Readonly<Record<number, ReplicaMemory>>,
  now: number,
  /** The canary this roll-out is watched with (core/canary.ts), if any. */
  watchedWith?: CanaryWatch,
): RolloutView {
  const current = (r: ObservedReplica) => r.container.labels[LABEL_CONFIG_HASH] === hash;
  const replicas = [...observed.replicas.values()].filter((r) => r.number <= wanted);
  const outdated = replicas.filter((r) => !current(r) && r.container.state === 'running').map((r) => r.number).sort((a, b) => a - b);
  const surges = [...observed.surges.values()].filter(current);
  const underWay = outdated.length > 0 || surges.length > 0;
  const settleMs = service.updateConfig.monitorMs + service.updateConfig.delayMs;
  let inFlight = surges.length + Math.max(0, wanted - replicas.length);
  let settlesAt: number | undefined;
  let failure: string | undefined;
  let monitorUntil: number | undefined;
  for (const r of replicas.filter(current)) {
    const createdAt = memory[r.number]?.containerId === r.container.id ? memory[r.number]?.createdAt : undefined;
    const watched = createdAt !== undefined && now < createdAt + settleMs;
    const settling = underWay && watched;
    if (!isReady(r) || settling) inFlight++;
    if (settling && createdAt !== undefined) settlesAt = Math.min(settlesAt ?? Infinity, createdAt + settleMs);
    if (watched && createdAt !== undefined) monitorUntil = Math.max(monitorUntil ?? 0, createdAt + settleMs);
    if ((underWay || watched) && hasFailed(r)) failure ??= describeFailure(r);
  }
  for (const s of surges) if (hasFailed(s)) failure ??= describeFailure(s);
  const canary = canaryHold(watchedWith, service.updateConfig.parallelism, [...replicas.filter(current), ...surges], outdated.length, now);
  inFlight += canary.slots;
  if (canary.until !== undefined) settlesAt = Math.min(settlesAt ?? Infinity, canary.until);
  return { outdated, inFlight, failure, settlesAt, ...(monitorUntil !== undefined ? { monitorUntil } : {}) };
}
