// `composed why SERVICE`: the service's incidents, one timeline per replica, from the daemon's
// events (the journal, so they outlast a daemon restart), the output kept of replaced containers
// (the last lines at each death) and the replica memory (the last exit, whose container may not be
// replaced yet). Pure: the caller reads the three.
import { constants } from 'node:os';
import type { DaemonEvent } from '../../protocol/api.js';
import type { Incident, IncidentKind, WhyReport } from '../../protocol/memory.js';
import type { ExitRecord } from '../core/replica-memory.js';

export interface KeptTail {
  replica: number;
  /** Epoch ms the output was kept (the container's removal). */
  keptAt: number;
  lines: string[];
}

export interface WhyInput {
  project: string;
  service: string;
  /** The daemon's events, oldest first (any project: engine outages carry none). */
  events: readonly DaemonEvent[];
  kept: readonly KeptTail[];
  lastExits: Readonly<Record<number, ExitRecord | undefined>>;
  /** Incidents shown per timeline, the latest. */
  limit: number;
  /** Lines of output shown at each death. */
  lines: number;
}

const KIND_OF: Partial<Record<DaemonEvent['type'], IncidentKind>> = {
  'replica-exited': 'exit',
  backoff: 'restart',
  'gave-up': 'give-up',
  'replica-unhealthy': 'unhealthy',
  'replica-signalled': 'signal',
  'replica-replaced': 'replaced',
  'operation-failed': 'failure',
  rollout: 'rollout',
  scaled: 'scaled',
  engine: 'engine',
  'config-error': 'failure',
};

const DEATHS = new Set<IncidentKind>(['exit', 'restart', 'give-up']);

export function whyTimeline(input: WhyInput): WhyReport {
  const serviceIncidents: Incident[] = [];
  const byReplica = new Map<number, Incident[]>();
  for (const e of input.events) {
    const kind = KIND_OF[e.type];
    if (!kind || !concerns(e, input)) continue;
    if (!e.replica || e.service === undefined) {
      serviceIncidents.push({ at: e.time, kind, cause: e.message });
      continue;
    }
    const timeline = byReplica.get(e.replica) ?? [];
    byReplica.set(e.replica, timeline);
    // A replacement carrying out the decision just announced says nothing new.
    if (kind === 'replaced' && timeline.at(-1)?.cause === e.message) continue;
    timeline.push(DEATHS.has(kind) ? death(e, kind) : { at: e.time, kind, cause: e.message });
  }
  for (const [replica, exit] of Object.entries(input.lastExits)) addUnjournaledExit(byReplica, Number(replica), exit, input.lines);
  return {
    project: input.project,
    service: input.service,
    serviceIncidents: serviceIncidents.slice(-input.limit),
    replicas: [...byReplica.entries()].sort(([a], [b]) => a - b).map(([replica, incidents]) => ({ replica, incidents: withLastLines(replica, incidents, input).slice(-input.limit) })),
  };
}

/** The service's own events, its project's project-wide ones (a config error) and the engine's. */
function concerns(e: DaemonEvent, input: WhyInput): boolean {
  if (e.type === 'engine') return e.project === undefined || e.project === '' || e.project === input.project;
  return e.project === input.project && (e.service === input.service || (e.service === undefined && e.type === 'config-error'));
}

function death(e: DaemonEvent, kind: IncidentKind): Incident {
  const incident: Incident = { at: e.time, kind: kind !== 'give-up' && e.message.startsWith('unhealthy') ? 'unhealthy' : kind, cause: e.message };
  const exit = /exited (\d+)/.exec(e.message);
  if (exit) Object.assign(incident, exitDetails(Number(exit[1])));
  if (/OOM killed/.test(e.message)) incident.oomKilled = true;
  const probe = /\(last probe: (.*)\)$/.exec(e.message);
  if (probe) incident.healthOutput = probe[1];
  return incident;
}

/** A code above 128 is the signal that ended the process (137: SIGKILL), as a shell reports it. */
function exitDetails(exitCode: number | undefined): Pick<Incident, 'exitCode' | 'signal'> {
  if (exitCode === undefined) return {};
  const signal = exitCode > 128 ? Object.entries(constants.signals).find(([, n]) => n === exitCode - 128)?.[0] : undefined;
  return signal ? { exitCode, signal } : { exitCode };
}

/** Each death gets the output of the container that died: the first kept at or after it. */
function withLastLines(replica: number, incidents: Incident[], input: WhyInput): Incident[] {
  const kept = input.kept.filter((k) => k.replica === replica).sort((a, b) => a.keptAt - b.keptAt);
  const exit = input.lastExits[replica];
  const deaths = incidents.filter((i) => i.exitCode !== undefined || i.kind === 'unhealthy' || i.kind === 'give-up');
  deaths.forEach((incident, n) => {
    const at = Date.parse(incident.at);
    const next = deaths[n + 1] ? Date.parse(deaths[n + 1]!.at) : Infinity;
    const match = kept.find((k) => k.keptAt >= at && k.keptAt < next);
    const lines = match?.lines ?? (n === deaths.length - 1 && exit && Math.abs(exit.at - at) < 60_000 ? exit.logTail : undefined);
    if (lines && lines.length > 0) incident.lastLines = lines.slice(-input.lines);
    if (n === deaths.length - 1 && exit?.healthOutput && incident.kind === 'unhealthy') incident.healthOutput ??= exit.healthOutput;
  });
  return incidents;
}

/** An exit the daemon remembers that no kept event shows (events older than the journal keeps). */
function addUnjournaledExit(byReplica: Map<number, Incident[]>, replica: number, exit: ExitRecord | undefined, lines: number): void {
  if (!exit || exit.cause === 'removed') return;
  const timeline = byReplica.get(replica) ?? [];
  if (timeline.some((i) => Math.abs(Date.parse(i.at) - exit.at) < 60_000 && (i.exitCode !== undefined || i.kind === 'unhealthy'))) return;
  const cause = exit.cause === 'unhealthy' ? 'unhealthy' : exit.oomKilled ? `exited ${exit.exitCode ?? '?'} (OOM killed)` : `exited ${exit.exitCode ?? '?'}`;
  const incident: Incident = { at: new Date(exit.at).toISOString(), kind: exit.cause === 'unhealthy' ? 'unhealthy' : 'exit', cause, ...exitDetails(exit.exitCode), oomKilled: exit.oomKilled || undefined, healthOutput: exit.healthOutput };
  if (exit.logTail.length > 0) incident.lastLines = exit.logTail.slice(-lines);
  timeline.unshift(incident);
  timeline.sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  byReplica.set(replica, timeline);
}
