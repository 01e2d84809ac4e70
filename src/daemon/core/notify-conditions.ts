// Which problems hold right now, read from what `status` shows (level-based: the same snapshot
// read twice gives the same answer, so a missed event costs nothing). Pure: the time is a
// parameter, and what the last reading saw (restart times, exits) is kept in a memory passed in.
import { formatDiagnostic } from '../../compose/errors.js';
import type { ProjectStatus, ReplicaStatus, ServicePhase, ServiceStatus } from '../../protocol/api.js';

export type ProblemType = 'failed' | 'crash-loop' | 'unhealthy' | 'rollout-failed' | 'autoscale-max' | 'engine-unreachable' | 'config-error' | 'update-available';

/**
 * A crash loop is 5 restarts of one replica within 10 minutes. Kubernetes shows CrashLoopBackOff
 * from the second crash, which is too early to wake someone (composed's first retries come after
 * 100 ms, 200 ms, 400 ms); its backoff resets after 10 minutes of running, hence the window.
 */
export const CRASH_LOOP_RESTARTS = 5;
export const CRASH_LOOP_WINDOW_MS = 10 * 60_000;
/** A crash loop is over after 5 minutes without a restart: Kubernetes' longest backoff, so a loop still going would have restarted by then. */
export const CRASH_LOOP_QUIET_MS = 5 * 60_000;
/** At its maximum and above target this long (Kubernetes' default scale-down stabilization) before anyone is told: autoscaling absorbs shorter bursts. */
export const AUTOSCALE_MAX_SUSTAIN_MS = 5 * 60_000;
/** An engine away this long: a dockerd restart for an upgrade takes a few seconds and is no news. */
export const ENGINE_SUSTAIN_MS = 10_000;

/** What the daemon looks like now: every project's status, built from the last listing. */
export interface WorldSnapshot {
  engineReachable: boolean;
  projects: ProjectStatus[];
  /**
   * Projects a sync is working on right now: their status is half-applied (a give-up already
   * in memory, its exit's log tail not yet read), so they are looked at again once settled.
   */
  unsettled?: ReadonlySet<string>;
}

/** Who a problem is about: `daemon`, `project:NAME` or `service:PROJECT/SERVICE`. */
export type SubjectKey = string;

export interface Problem {
  type: ProblemType;
  project?: string;
  service?: string;
  replica?: number;
  reason: string;
  exitCode?: number;
  logTail: string[];
}

/** One subject as read now. */
export interface SubjectReading {
  subject: SubjectKey;
  project?: string;
  service?: string;
  /** The problems that hold now (sustain periods already applied). */
  problems: Problem[];
  /** Restarts and unhealthy replacements seen since the last reading. */
  restarts: number;
  unhealthyReplacements: number;
  /** Open problems that no longer hold are closed only once the subject is healthy (a service running again). */
  healthy: boolean;
  /** What a recovery says about the subject now. */
  healthyReason: string;
}

/** Per subject: the restart and exit times already counted, and since when a sustained problem holds. */
export interface ReadingMemory {
  lastRestart: Map<SubjectKey, Map<number, number>>;
  lastExit: Map<SubjectKey, Map<number, number>>;
  holdingSince: Map<string, number>;
}

export function freshReadingMemory(): ReadingMemory {
  return { lastRestart: new Map(), lastExit: new Map(), holdingSince: new Map() };
}

export function serviceSubject(project: string, service: string): SubjectKey {
  return `service:${project}/${service}`;
}

const HEALTHY_PHASES: ReadonlySet<ServicePhase> = new Set(['running', 'completed', 'scaled-to-zero', 'stopped']);

/** Every subject of the snapshot, in a stable order; `isOpen` says which problems are already open (a crash loop holds until it has been quiet). */
export function readWorld(world: WorldSnapshot, memory: ReadingMemory, isOpen: (subject: SubjectKey, type: ProblemType) => boolean, now: number): SubjectReading[] {
  const readings: SubjectReading[] = [daemonReading(world, memory, now)];
  for (const project of [...world.projects].sort((a, b) => a.name.localeCompare(b.name))) {
    if (world.unsettled?.has(project.name)) continue;
    readings.push(projectReading(project));
    for (const service of project.services) readings.push(serviceReading(project.name, service, memory, isOpen, now));
  }
  const present = new Set(readings.map((r) => r.subject));
  for (const name of world.unsettled ?? []) for (const subject of [...memory.lastRestart.keys(), ...memory.lastExit.keys()]) if (subjectProject(subject) === name) present.add(subject);
  for (const map of [memory.lastRestart, memory.lastExit]) for (const subject of map.keys()) if (!present.has(subject)) map.delete(subject);
  for (const key of memory.holdingSince.keys()) if (!present.has(key.slice(0, key.lastIndexOf('#')))) memory.holdingSince.delete(key);
  return readings;
}

function daemonReading(world: WorldSnapshot, memory: ReadingMemory, now: number): SubjectReading {
  const subject = 'daemon';
  const away = sustained(memory, subject, 'engine-unreachable', !world.engineReachable, ENGINE_SUSTAIN_MS, now);
  const problems: Problem[] = away ? [{ type: 'engine-unreachable', reason: 'the container engine does not answer; nothing is replaced until it is back', logTail: [] }] : [];
  return { subject, problems, restarts: 0, unhealthyReplacements: 0, healthy: world.engineReachable, healthyReason: 'the engine answers again' };
}

function projectReading(project: ProjectStatus): SubjectReading {
  const errors = project.configErrors.filter((d) => d.severity === 'error');
  const problems: Problem[] =
    errors.length > 0 ? [{ type: 'config-error', project: project.name, reason: `${errors.map(formatDiagnostic).join('; ')} (the previous config keeps running)`, logTail: [] }] : [];
  return { subject: `project:${project.name}`, project: project.name, problems, restarts: 0, unhealthyReplacements: 0, healthy: true, healthyReason: 'the compose file is valid again' };
}

function serviceReading(project: string, service: ServiceStatus, memory: ReadingMemory, isOpen: (subject: SubjectKey, type: ProblemType) => boolean, now: number): SubjectReading {
  const subject = serviceSubject(project, service.name);
  const where = { project, service: service.name };
  const problems: Problem[] = [];
  const restarts = newSince(memory.lastRestart, subject, service.replicas, (r) => r.restartTimes.map(Date.parse));
  const unhealthy = newSince(memory.lastExit, subject, service.replicas, (r) => (r.lastExit?.cause === 'unhealthy' ? [Date.parse(r.lastExit.at)] : []));

  const failed = service.phase === 'failed' ? (service.replicas.find((r) => r.phase === 'failed') ?? service.replicas[0]) : undefined;
  if (service.phase === 'failed') problems.push({ type: 'failed', ...where, ...replicaDetails(failed), reason: service.message ?? 'gave up' });

  const looping = loopingReplica(service.replicas, now, isOpen(subject, 'crash-loop'));
  if (looping && service.phase !== 'failed') {
    const recent = looping.restartTimes.filter((t) => Date.parse(t) >= now - CRASH_LOOP_WINDOW_MS).length;
    problems.push({ type: 'crash-loop', ...where, ...replicaDetails(looping), reason: `${looping.name} restarted ${recent} times in the last ${CRASH_LOOP_WINDOW_MS / 60_000} minutes${looping.reason ? ` (${looping.reason})` : ''}` });
  }

  const replaced = unhealthy.replicas[0];
  if (replaced) {
    const output = replaced.lastExit?.healthOutput ? `: ${replaced.lastExit.healthOutput}` : '';
    problems.push({ type: 'unhealthy', ...where, ...replicaDetails(replaced), reason: `${replaced.name} was replaced because it turned unhealthy${output}` });
  }

  const rollout = service.rollout;
  if (rollout && (rollout.state === 'rolled-back' || rollout.state === 'paused')) problems.push({ type: 'rollout-failed', ...where, reason: `roll-out ${rollout.state}: ${rollout.message}`, logTail: [] });

  // `auto` rolls the new digest out itself (a failure is a rollout-failed); `notify` leaves it to a person.
  const followed = service.tagFollow;
  if (followed?.updateAvailable && followed.policy === 'notify') {
    const short = (d: string | undefined) => (d ?? '?').replace(/^sha256:/, '').slice(0, 12);
    problems.push({ type: 'update-available', ...where, reason: `${followed.tag} moved: running ${short(followed.runningDigest)}, latest ${short(followed.latestDigest)} (composed update ${service.name} rolls it out)`, logTail: [] });
  }

  const scale = service.autoscale;
  const maxedOut = scale !== undefined && service.desired >= scale.max && scale.targetCpu !== undefined && scale.averageCpu !== undefined && scale.averageCpu > scale.targetCpu;
  if (sustained(memory, subject, 'autoscale-max', maxedOut, AUTOSCALE_MAX_SUSTAIN_MS, now) && scale) {
    problems.push({ type: 'autoscale-max', ...where, reason: `at its maximum of ${scale.max} replicas and still at ${Math.round(scale.averageCpu ?? 0)} % CPU (target ${scale.targetCpu} %)`, logTail: [] });
  }
  return {
    subject,
    ...where,
    problems,
    restarts: restarts.count,
    unhealthyReplacements: unhealthy.count,
    healthy: HEALTHY_PHASES.has(service.phase),
    healthyReason: healthyReason(service),
  };
}

/** A replica with a crash loop's restarts in the window; once the loop is open, it lasts until no replica has restarted for the quiet period. */
function loopingReplica(replicas: ReplicaStatus[], now: number, open: boolean): ReplicaStatus | undefined {
  const within = (r: ReplicaStatus, ms: number) => r.restartTimes.filter((t) => Date.parse(t) >= now - ms).length;
  if (open) return replicas.find((r) => within(r, CRASH_LOOP_QUIET_MS) > 0);
  return replicas.find((r) => within(r, CRASH_LOOP_WINDOW_MS) >= CRASH_LOOP_RESTARTS);
}

/**
 * Times (per replica) newer than the last reading's. A subject seen for the first time only sets
 * the mark: what happened before the daemon (or the project) was watched is not news.
 */
function newSince(marks: Map<SubjectKey, Map<number, number>>, subject: SubjectKey, replicas: ReplicaStatus[], times: (r: ReplicaStatus) => number[]): { count: number; replicas: ReplicaStatus[] } {
  const first = !marks.has(subject);
  const seen = marks.get(subject) ?? new Map<number, number>();
  marks.set(subject, seen);
  let count = 0;
  const found: ReplicaStatus[] = [];
  for (const replica of replicas) {
    const list = times(replica).filter((t) => Number.isFinite(t));
    const mark = seen.get(replica.number) ?? (first ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY);
    const fresh = list.filter((t) => t > mark);
    if (fresh.length > 0) {
      count += fresh.length;
      found.push(replica);
    }
    if (list.length > 0) seen.set(replica.number, Math.max(...list));
    else if (first) seen.set(replica.number, Number.NEGATIVE_INFINITY);
  }
  return { count, replicas: found };
}

/** Whether `holds` has been true for `ms` (held continuously since the first reading that saw it). */
function sustained(memory: ReadingMemory, subject: SubjectKey, type: ProblemType, holds: boolean, ms: number, now: number): boolean {
  const key = `${subject}#${type}`;
  if (!holds) {
    memory.holdingSince.delete(key);
    return false;
  }
  const since = memory.holdingSince.get(key) ?? now;
  memory.holdingSince.set(key, since);
  return now - since >= ms;
}

function replicaDetails(replica: ReplicaStatus | undefined): Pick<Problem, 'replica' | 'exitCode' | 'logTail'> {
  if (!replica) return { logTail: [] };
  return { replica: replica.number, ...(replica.lastExit?.exitCode !== undefined ? { exitCode: replica.lastExit.exitCode } : {}), logTail: replica.lastExit?.logTail ?? [] };
}

function healthyReason(service: ServiceStatus): string {
  switch (service.phase) {
    case 'stopped':
      return 'stopped by a user';
    case 'completed':
      return 'completed';
    case 'scaled-to-zero':
      return 'scaled to zero';
    default:
      return `running again, ${service.ready}/${service.desired} ready`;
  }
}

/** The project a subject key is about (`project:P`, `service:P/S`), or undefined for the daemon. */
export function subjectProject(subject: SubjectKey): string | undefined {
  if (subject.startsWith('project:')) return subject.slice('project:'.length);
  if (subject.startsWith('service:')) return subject.slice('service:'.length).split('/')[0];
  return undefined;
}
