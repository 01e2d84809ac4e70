// `composed status` for one project: a fresh listing from the engine when it answers, the last one
// when it does not (status must answer during an engine outage and say so).
import { tagFollowStatus } from './tag-follow-status.js';
import type { EngineDescription, NotificationDelivery, ProjectStatus, ProjectSummary } from '../../protocol/api.js';
import { LABEL_SERVICE } from '../core/labels.js';
import { stuckWarning } from '../core/stuck-removal.js';
import { describeEngine } from './engine-description.js';
import type { Autoscaler } from '../autoscale/autoscaler.js';
import type { Balancers } from '../balancer/balancers.js';
import type { Clock, Timer } from '../ports/clock.js';
import type { ContainerSummary, SupervisionRuntime } from '../ports/runtime.js';
import type { ProjectView } from '../state/state-store.js';
import { key } from '../supervisor/controller.js';
import type { SupervisorParts } from '../supervisor/parts.js';
import { serviceStatus } from './service-status.js';

/**
 * How long status waits for the engine. A dockerd that is starting or stopping accepts connections
 * and answers nothing for many seconds, and a busy one lists slowly; status then shows the last
 * listing (the event stream's state decides whether it says `engine: unreachable`). Half a second
 * leaves the other half of status's 1 s to a daemon that shares a starved CPU: with 60 replicas
 * crash-looping on 2 cores at load 9, listing took the whole 0.7 s it was given before, and
 * building and sending the answer 0.35 s more (the crash-loop fault, 1056 ms).
 */
export const STATUS_ENGINE_DEADLINE_MS = 500;

/** What status reads: the supervisor's parts, and what the autoscaler and balancers last measured. */
export type StatusSources = Pick<SupervisorParts, 'controller' | 'registry' | 'runtime' | 'clock'> & {
  autoscaler: Autoscaler;
  balancers: Balancers;
  /** How notifications to the project's receivers go, when the daemon sends any. */
  notifications?: { deliveriesFor(project: string): NotificationDelivery[] };
};

/**
 * `listingMaxAgeMs`: reuse the controller's listing when no container changed since it was taken
 * and it is at most this old (a dashboard refreshing every few seconds); by default, list afresh.
 */
export async function projectStatus(sources: StatusSources, record: ProjectView, { listingMaxAgeMs = 0 } = {}): Promise<ProjectStatus> {
  const { controller, runtime, clock } = sources;
  // One deadline for everything status asks of the engine: each asked in turn with its own 0.7 s
  // added up to 3 s once while dockerd restarted (the engine-restart fault's status poll).
  const deadline = clock.now() + STATUS_ENGINE_DEADLINE_MS;
  const left = () => Math.max(0, deadline - clock.now());
  const fresh = await withDeadline(clock, controller.listProject(record.name, { maxAgeMs: listingMaxAgeMs }), left());
  const listing = fresh ?? controller.lastListingOf(record.name);
  const [probes, described] = fresh
    ? await Promise.all([withDeadline(clock, lastProbeOutputs(runtime, listing), left()), describeEngine(runtime, left(), clock)])
    : [undefined, {}];
  const status = statusFromListing(sources, record, listing, probes ?? new Map<string, string>(), described.engine);
  const notifications = sources.notifications?.deliveriesFor(record.name) ?? [];
  return notifications.length > 0 ? { ...status, notifications } : status;
}

/** Status from a listing already at hand: what `status` shows, without asking the engine (the notifier reads this every few seconds). */
export function statusFromListing(sources: StatusSources, record: ProjectView, listing: ContainerSummary[], probeOutputs: ReadonlyMap<string, string>, engineInfo?: EngineDescription): ProjectStatus {
  const { controller, registry, runtime, clock, autoscaler, balancers } = sources;
  const now = clock.now();
  const services = Object.keys(record.project.services)
    .sort()
    .map((name) => {
      const intent = registry.intentFor(record, name);
      const serviceKey = key(record.name, name);
      const scaling = autoscaler.statusOf(record.name, name);
      const status = serviceStatus({
        project: record.name,
        service: record.project.services[name]!,
        desired: intent?.replicas ?? 0,
        stopped: intent?.stopped ?? false,
        containers: listing.filter((c) => c.labels[LABEL_SERVICE] === name),
        memory: record.replicas[name] ?? {},
        waiting: controller.waitingOf(serviceKey),
        lastError: controller.lastErrorOf(serviceKey),
        halted: controller.haltedBy(serviceKey),
        probeOutputs,
        now,
      });
      if (scaling.autoscale) status.autoscale = scaling.autoscale;
      const balanced = balancers.statusOf(record.name, name);
      if (balanced.length > 0) status.balancer = balanced;
      const balancerError = balancers.errorOf(serviceKey);
      if (balancerError) status.message = status.message ? `${status.message}; ${balancerError}` : balancerError;
      const rollout = record.rollouts[name];
      if (rollout) {
        status.rollout = { state: rollout.state, message: rollout.message, at: new Date(rollout.at).toISOString() };
        if (rollout.state !== 'complete') status.message = status.message ? `${status.message}; ${rollout.message}` : rollout.message;
      }
      const pin = record.pins?.[name];
      if (pin) {
        status.pinned = { revision: pin.revision, reason: pin.reason, since: new Date(pin.at).toISOString() };
        const note = `pinned to revision ${pin.revision}, not the file's config (until the file changes)`;
        status.message = status.message ? `${status.message}; ${note}` : note;
      }
      const followed = record.tagFollow?.[name];
      if (followed) status.tagFollow = tagFollowStatus(followed, (record.project.services[name]!.composed.update ?? record.project.update)?.policy ?? 'auto');
      const stuck = Object.values(record.stuck[name] ?? {});
      if (stuck.length > 0) status.warnings = stuck.map((entry) => stuckWarning(entry, now));
      if (runtime.daemonProbesHealth?.(record.name, name)) status.healthProbes = DAEMON_PROBES_NOTE;
      for (const replica of status.replicas) {
        const cpu = scaling.cpu.get(replica.number);
        if (cpu !== undefined) replica.cpuPercent = Math.round(cpu * 10) / 10;
      }
      return status;
    });
  return {
    name: record.name,
    workingDir: record.project.workingDir,
    configFiles: record.project.configFiles,
    engine: controller.engineReachable ? 'reachable' : 'unreachable',
    ...(engineInfo ? { engineInfo } : {}),
    configErrors: registry.configErrors(record.name),
    warnings: [...record.warnings],
    services,
  };
}

const DAEMON_PROBES_NOTE =
  'run by composed through exec: the engine logged no probe result within the start period plus two intervals (Podman without systemd runs none)';

/** The value, or undefined when the promise fails or takes longer than `ms`. */
async function withDeadline<T>(clock: Clock, promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: Timer | undefined;
  const late = new Promise<undefined>((resolve) => {
    timer = clock.setTimer(ms, () => resolve(undefined));
  });
  try {
    return await Promise.race([promise.catch(() => undefined), late]);
  } finally {
    timer?.cancel();
  }
}

/** Health probe output of unhealthy replicas: the one detail status inspects for. */
async function lastProbeOutputs(runtime: Pick<SupervisionRuntime, 'inspectContainer'>, listing: ContainerSummary[]): Promise<Map<string, string>> {
  const outputs = new Map<string, string>();
  await Promise.all(
    listing
      .filter((c) => c.health === 'unhealthy')
      .map(async (c) => {
        const details = await runtime.inspectContainer(c.id).catch(() => undefined);
        const last = details?.healthLog.at(-1);
        if (last) outputs.set(c.id, last.output.trim());
      }),
  );
  return outputs;
}

export function projectSummary({ controller, registry }: Pick<SupervisorParts, 'controller' | 'registry'>, record: ProjectView): ProjectSummary {
  const listing = controller.lastListingOf(record.name);
  const services = Object.keys(record.project.services);
  return {
    name: record.name,
    workingDir: record.project.workingDir,
    configFiles: record.project.configFiles,
    services: services.length,
    running: listing.filter((c) => c.state === 'running').length,
    desired: services.reduce((sum, s) => sum + (registry.intentFor(record, s)?.replicas ?? 0), 0),
  };
}
