// A container healthcheck's rules, as Docker's daemon applies them (moby daemon/health.go), for the
// engines that do not run probes themselves: Podman 4.3.1 schedules them through systemd timers and,
// with no systemd (containers, WSL, minimal hosts), logs "unable to get systemd connection to add
// healthchecks" and never probes; its inspect then says Health.Status "starting" with Log null
// forever. Pure: times are parameters.

/** Docker's defaults when the healthcheck leaves a field out or at 0. */
const DEFAULT_INTERVAL_MS = 30_000;
const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_RETRIES = 3;
/** Docker keeps the last 5 probe results and at most 4 KiB of each one's output, marking a cut with "...". */
export const MAX_LOG_ENTRIES = 5;
export const MAX_OUTPUT_BYTES = 4096;

export interface ProbeTiming {
  intervalMs: number;
  timeoutMs: number;
  retries: number;
  startPeriodMs: number;
}

/** The engine's Config.Healthcheck (durations in nanoseconds, 0 or absent meaning the default). */
export interface EngineHealthcheck {
  Test?: string[];
  Interval?: number;
  Timeout?: number;
  Retries?: number;
  StartPeriod?: number;
}

export function probeTiming(healthcheck: EngineHealthcheck): ProbeTiming {
  const ms = (ns: number | undefined, fallback: number) => (ns && ns > 0 ? Math.round(ns / 1e6) : fallback);
  return {
    intervalMs: ms(healthcheck.Interval, DEFAULT_INTERVAL_MS),
    timeoutMs: ms(healthcheck.Timeout, DEFAULT_TIMEOUT_MS),
    retries: healthcheck.Retries && healthcheck.Retries > 0 ? healthcheck.Retries : DEFAULT_RETRIES,
    startPeriodMs: ms(healthcheck.StartPeriod, 0),
  };
}

/** The command a probe runs: `CMD` args as they are, `CMD-SHELL` through /bin/sh -c; none for NONE or no test. */
export function probeCommand(test: readonly string[] | undefined): string[] | undefined {
  const [kind, ...rest] = test ?? [];
  if (kind === 'CMD' && rest.length > 0) return rest;
  if (kind === 'CMD-SHELL' && rest.length > 0) return ['/bin/sh', '-c', rest.join(' ')];
  return undefined;
}

export type ProbeVerdict =
  /** Too early to tell: the engine's first probes may still be due. */
  | 'wait'
  /** The engine has logged probe results: it runs them. */
  | 'engine'
  /** No result logged by the deadline on an engine never seen probing: the daemon must probe. */
  | 'daemon';

/**
 * What the daemon has seen of the engine's own probes: `logs-results` once any container's health
 * log held a result; `silent` once the daemon had to probe a container and the engine had logged
 * nothing for any (Podman 4.3.1 without systemd); `unknown` before either.
 */
export type EngineProbing = 'unknown' | 'logs-results' | 'silent';

/**
 * Who runs a container's probes, from its health log length at `now`. On an engine that logs
 * results a silent log means a probe still running (docker.io 20.10 logs a probe only when it ends:
 * one that hangs until its 2 s timeout at a 500 ms interval, or a wget at 300 ms under load, left
 * the log empty past the deadline), so the engine's word counts.
 */
export function whoProbes(timing: ProbeTiming, startedAt: number, now: number, loggedResults: number, engine: EngineProbing): ProbeVerdict {
  if (loggedResults > 0 || engine === 'logs-results') return 'engine';
  return now >= firstDaemonProbeAt(timing, startedAt, engine) ? 'daemon' : 'wait';
}

/**
 * When the daemon may probe a container first. On an engine not known yet: once an engine that
 * probes would have logged a result, the start period plus two intervals. On one known to run no
 * probes: one interval after the start, when Docker runs its first (failures in the start period
 * are forgiven by afterProbe); waiting the two intervals there made every replica on Podman
 * healthy an interval or more later than on Docker (30 s and more with compose's default interval).
 */
export function firstDaemonProbeAt(timing: ProbeTiming, startedAt: number, engine: EngineProbing): number {
  return engine === 'silent' ? startedAt + timing.intervalMs : startedAt + timing.startPeriodMs + 2 * timing.intervalMs;
}

export type ProbeStatus = 'starting' | 'healthy' | 'unhealthy';

export interface ProbeResult {
  exitCode: number;
  output: string;
  /** Epoch ms. */
  start: number;
  end: number;
}

export interface ProbeState {
  status: ProbeStatus;
  failingStreak: number;
  /** A probe succeeded once: the start period no longer forgives failures. */
  startedUp: boolean;
  log: ProbeResult[];
}

export const initialProbeState: ProbeState = { status: 'starting', failingStreak: 0, startedUp: false, log: [] };

/**
 * The state after one probe. Success: healthy, streak reset. Failure: counted, unless it falls in
 * the start period before any success; `retries` counted failures in a row make it unhealthy.
 */
export function afterProbe(state: ProbeState, result: ProbeResult, startedAt: number, timing: ProbeTiming): ProbeState {
  const log = [...state.log, { ...result, output: truncateOutput(result.output) }].slice(-MAX_LOG_ENTRIES);
  if (result.exitCode === 0) return { status: 'healthy', failingStreak: 0, startedUp: true, log };
  const forgiven = !state.startedUp && result.start < startedAt + timing.startPeriodMs;
  if (forgiven) return { ...state, log };
  const failingStreak = state.failingStreak + 1;
  return { ...state, failingStreak, status: failingStreak >= timing.retries ? 'unhealthy' : state.status, log };
}

/** The result Docker records for a probe that outran its timeout. */
export function timedOutResult(timing: ProbeTiming, start: number, end: number): ProbeResult {
  return { exitCode: -1, output: `Health check exceeded timeout (${timing.timeoutMs / 1000}s)`, start, end };
}

function truncateOutput(output: string): string {
  const bytes = Buffer.from(output);
  return bytes.length <= MAX_OUTPUT_BYTES ? output : `${bytes.subarray(0, MAX_OUTPUT_BYTES).toString()}...`;
}
