// What to tell people, given what holds now: a problem is told once when it starts and once when it
// ends (a recovery), and each subject has a budget so that a flapping or crash-looping service
// sends a few notifications and then a summary, not hundreds. Pure: no clock, no I/O; `observe`
// is given the time and the reading of the world.
import {
  freshReadingMemory,
  readWorld,
  subjectProject,
  type Problem,
  type ProblemType,
  type ReadingMemory,
  type SubjectKey,
  type SubjectReading,
  type WorldSnapshot,
} from './notify-conditions.js';

export type NotificationType = ProblemType | 'recovered' | 'summary';

/** The generic JSON body, and what the other formats are rendered from. Absent values are null so receivers see a fixed shape. */
export interface Notification {
  type: NotificationType;
  project: string | null;
  service: string | null;
  replica: number | null;
  reason: string;
  exitCode: number | null;
  /** ISO time the daemon noticed. */
  at: string;
  /** The last log lines of the replica's container, for a problem about one. */
  logTail: string[];
  /** For `recovered`: the problems that ended. */
  recovers?: ProblemType[];
}

/** Problems told per subject within a window; more are held for the window's summary. */
export const NOTIFY_BURST = 3;
/** The first window; each window that ends with a summary doubles the next, up to the cap, so a loop that never stops sends a handful of summaries a day. */
export const NOTIFY_WINDOW_MS = 10 * 60_000;
export const NOTIFY_WINDOW_MAX_MS = 6 * 60 * 60_000;

interface OpenProblem {
  /** False when the budget held it back: its end is then not told either. */
  told: boolean;
}

interface SubjectState {
  open: Map<ProblemType, OpenProblem>;
  windowEndsAt?: number;
  windowMs: number;
  toldInWindow: number;
  /** What the next summary reports: since when, problems held back, restarts and unhealthy replacements. */
  since?: number;
  held: ProblemType[];
  restarts: number;
  unhealthyReplacements: number;
}

export class NotifyDecider {
  private readonly subjects = new Map<SubjectKey, SubjectState>();
  private readonly memory: ReadingMemory = freshReadingMemory();

  /** The notifications the world as it is now calls for, in a stable order. */
  observe(world: WorldSnapshot, now: number): Notification[] {
    const readings = readWorld(world, this.memory, (subject, type) => this.subjects.get(subject)?.open.has(type) ?? false, now);
    const present = new Set(readings.map((r) => r.subject));
    // A project that went down, or a service taken out of the file, ends without a word; one that
    // is only unsettled keeps its problems for the next look.
    for (const subject of this.subjects.keys()) {
      const project = subjectProject(subject);
      if (!present.has(subject) && !(project !== undefined && world.unsettled?.has(project))) this.subjects.delete(subject);
    }
    return readings.flatMap((reading) => this.decide(reading, now));
  }

  /** Problems open now, by subject (for tests and logs). */
  openProblems(): Record<SubjectKey, ProblemType[]> {
    const out: Record<SubjectKey, ProblemType[]> = {};
    for (const [subject, state] of this.subjects) if (state.open.size > 0) out[subject] = [...state.open.keys()];
    return out;
  }

  private decide(reading: SubjectReading, now: number): Notification[] {
    const state = this.subjects.get(reading.subject) ?? freshState();
    this.subjects.set(reading.subject, state);
    const out: Notification[] = [];
    const summary = this.endWindow(state, reading, now);
    if (summary) out.push(summary);

    const wasOpen = state.open.size > 0;
    const opened = new Set<ProblemType>();
    for (const problem of reading.problems) {
      if (state.open.has(problem.type)) continue;
      const told = this.spend(state, now);
      state.open.set(problem.type, { told });
      opened.add(problem.type);
      if (told) out.push(notification(problem.type, problem, now));
      else state.held.push(problem.type);
    }
    // What goes on while a problem is open is the summary's; what opened one is in its own notification.
    if (wasOpen) {
      state.restarts += reading.restarts;
      state.unhealthyReplacements += reading.unhealthyReplacements - (opened.has('unhealthy') ? 1 : 0);
    }

    const holding = new Set(reading.problems.map((p) => p.type));
    const ended = [...state.open.entries()].filter(([type]) => !holding.has(type));
    if (ended.length > 0 && reading.healthy) {
      for (const [type] of ended) state.open.delete(type);
      const told = ended.filter(([, p]) => p.told).map(([type]) => type);
      // The last problem ending takes what the summary would have said: nothing is left to tell after it.
      const meanwhile = state.open.size === 0 && told.length > 0 ? takeActivity(state) : [];
      if (told.length > 0) {
        const reason = `recovered from ${told.join(', ')}: ${reading.healthyReason}${meanwhile.length > 0 ? ` (meanwhile: ${meanwhile.join('; ')})` : ''}`;
        out.push({ ...notification('recovered', { ...reading, reason, logTail: [] }, now), recovers: told });
      }
    }
    return out;
  }

  /** Whether a new problem may be told now, counting it against the subject's window. */
  private spend(state: SubjectState, now: number): boolean {
    if (state.windowEndsAt === undefined) {
      state.windowEndsAt = now + state.windowMs;
      state.since = now;
    }
    if (state.toldInWindow >= NOTIFY_BURST) return false;
    state.toldInWindow++;
    return true;
  }

  /** At a window's end: the summary of what was held back or went on meanwhile, if anything was. */
  private endWindow(state: SubjectState, reading: SubjectReading, now: number): Notification | undefined {
    if (state.windowEndsAt === undefined || now < state.windowEndsAt) return undefined;
    const parts = takeActivity(state);
    const since = state.since ?? now;
    const windowMs = state.windowMs;
    state.toldInWindow = 0;
    if (parts.length === 0) {
      state.windowEndsAt = undefined;
      state.windowMs = NOTIFY_WINDOW_MS;
      return undefined;
    }
    state.windowMs = Math.min(windowMs * 2, NOTIFY_WINDOW_MAX_MS);
    state.windowEndsAt = now + state.windowMs;
    state.since = now;
    const open = [...state.open.keys()];
    const still = open.length > 0 ? `; still open: ${open.join(', ')}` : '';
    return notification('summary', { ...reading, reason: `in the ${minutes(now - since)} since ${new Date(since).toISOString()}: ${parts.join('; ')}${still}`, logTail: [] }, now);
  }
}

/** What went on since the last notification, as the summary says it; the counters start again. */
function takeActivity(state: SubjectState): string[] {
  const parts: string[] = [];
  if (state.restarts > 0) parts.push(`${state.restarts} restart${state.restarts === 1 ? '' : 's'}`);
  if (state.unhealthyReplacements > 0) parts.push(`${state.unhealthyReplacements} more unhealthy replacement${state.unhealthyReplacements === 1 ? '' : 's'}`);
  if (state.held.length > 0) parts.push(`not told separately: ${[...new Set(state.held)].join(', ')}`);
  state.held = [];
  state.restarts = 0;
  state.unhealthyReplacements = 0;
  return parts;
}

function freshState(): SubjectState {
  return { open: new Map(), windowMs: NOTIFY_WINDOW_MS, toldInWindow: 0, held: [], restarts: 0, unhealthyReplacements: 0 };
}

function notification(type: NotificationType, about: Pick<Problem, 'reason' | 'logTail'> & Partial<Pick<Problem, 'project' | 'service' | 'replica' | 'exitCode'>>, now: number): Notification {
  return {
    type,
    project: about.project ?? null,
    service: about.service ?? null,
    replica: about.replica ?? null,
    reason: about.reason,
    exitCode: about.exitCode ?? null,
    at: new Date(now).toISOString(),
    logTail: about.logTail,
  };
}

function minutes(ms: number): string {
  const m = Math.max(1, Math.round(ms / 60_000));
  return `${m} minute${m === 1 ? '' : 's'}`;
}
