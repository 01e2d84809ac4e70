// Runs a container's healthcheck through exec when the engine does not (see core/health-probe.ts
// for why and the rules), with the healthcheck's own interval, timeout, retries and start period.
// A container is watched from its start event or the first listing that shows it running; once its
// start period and two intervals passed without a logged result on an engine never seen logging
// one, the daemon probes it until it stops, or until the engine's own log shows results after all
// (then the engine's word counts again). Later containers on that engine are probed from their
// first interval.
import type Docker from 'dockerode';
import { LABEL_PROJECT, LABEL_SERVICE } from '../core/labels.js';
import {
  afterProbe,
  firstDaemonProbeAt,
  initialProbeState,
  probeCommand,
  probeTiming,
  timedOutResult,
  whoProbes,
  type EngineHealthcheck,
  type EngineProbing,
  type ProbeResult,
  type ProbeState,
  type ProbeTiming,
} from '../core/health-probe.js';
import type { Clock, Timer } from '../ports/clock.js';
import type { RuntimeEvent } from '../ports/runtime.js';
import { epochMs } from './containers.js';
import { isNotFound } from './errors.js';
import type { QuirkSink } from './label-match.js';
import { FrameDecoder } from './logs.js';

type HealthEvent = Extract<RuntimeEvent, { kind: 'container' }>;

interface Watched {
  name: string;
  labels: Record<string, string>;
  startedAt: number;
  timing: ProbeTiming;
  command: string[];
  state?: ProbeState;
  timer?: Timer;
  /** A probe that outlived its timeout and may still run in the container. */
  overdue?: Docker.Exec;
}

export class HealthProber {
  private readonly watched = new Map<string, Watched>();
  private readonly listeners = new Set<(event: HealthEvent) => void>();
  /** `project/service` keys whose probes the daemon runs, for status. */
  private readonly probedServices = new Set<string>();
  /** What this engine was seen doing about probes (see whoProbes). */
  private engine: EngineProbing = 'unknown';

  constructor(
    private readonly docker: Docker,
    private readonly quirk: QuirkSink,
    private readonly clock: Clock,
  ) {}

  /** Follows a running container with a healthcheck (idempotent for the same start). */
  watch(info: Docker.ContainerInspectInfo): void {
    if (engineLogOf(info).length > 0) this.engine = 'logs-results';
    const startedAt = epochMs(info.State.StartedAt);
    const known = this.watched.get(info.Id);
    if (known && known.startedAt === startedAt) return;
    if (known) this.forget(info.Id);
    const healthcheck = info.Config.Healthcheck as EngineHealthcheck | undefined;
    const command = probeCommand(healthcheck?.Test);
    if (!healthcheck || !command || !info.State.Running) return;
    const watched: Watched = {
      name: info.Name.replace(/^\//, ''),
      labels: info.Config.Labels ?? {},
      startedAt,
      timing: probeTiming(healthcheck),
      command,
    };
    this.watched.set(info.Id, watched);
    this.schedule(info.Id, watched, Math.max(0, firstDaemonProbeAt(watched.timing, startedAt, this.engine) - this.clock.now()));
  }

  /** Follows a container that just started (from its `start` event). */
  async watchStarted(id: string): Promise<void> {
    try {
      this.watch(await this.docker.getContainer(id).inspect());
    } catch {
      // Gone or unreachable: the next listing watches it if it runs.
    }
  }

  /** The daemon's probe state for a container it probes; undefined when the engine's word counts. */
  stateOf(id: string): ProbeState | undefined {
    return this.watched.get(id)?.state;
  }

  isProbedByDaemon(project: string, service: string): boolean {
    return this.probedServices.has(`${project}/${service}`);
  }

  onHealthChange(listener: (event: HealthEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private schedule(id: string, watched: Watched, delayMs: number): void {
    watched.timer = this.clock.setTimer(delayMs, () => void this.tick(id, watched));
  }

  private forget(id: string): void {
    this.watched.get(id)?.timer?.cancel();
    this.watched.delete(id);
  }

  private async tick(id: string, watched: Watched): Promise<void> {
    if (this.watched.get(id) !== watched) return;
    let info: Docker.ContainerInspectInfo;
    try {
      info = await this.docker.getContainer(id).inspect();
    } catch (error) {
      if (isNotFound(error)) this.forget(id);
      else this.schedule(id, watched, watched.timing.intervalMs);
      return;
    }
    const engineLog = engineLogOf(info);
    if (engineLog.length > 0) this.engine = 'logs-results';
    if (!info.State.Running || epochMs(info.State.StartedAt) !== watched.startedAt) return this.forget(id);
    const verdict = whoProbes(watched.timing, watched.startedAt, this.clock.now(), engineLog.length, this.engine);
    if (verdict === 'engine') {
      // Taken for an engine that runs no probes, and it logged one after all: its word counts again.
      if (watched.state) this.probedServices.delete(serviceKey(watched));
      return this.forget(id);
    }
    if (verdict === 'daemon') {
      if (!watched.state) this.takeOver(watched);
      await this.probe(id, watched);
    }
    if (this.watched.get(id) === watched) this.schedule(id, watched, watched.timing.intervalMs);
  }

  private takeOver(watched: Watched): void {
    watched.state = initialProbeState;
    if (this.engine === 'unknown') this.engine = 'silent';
    const project = watched.labels[LABEL_PROJECT] ?? '';
    const service = watched.labels[LABEL_SERVICE] ?? watched.name;
    this.probedServices.add(serviceKey(watched));
    this.quirk(`health probes of ${project}/${service}`, {
      project,
      service,
      note: 'the engine logged no health probe result for any container within its start period plus two intervals; composed runs the healthcheck itself through exec',
    });
  }

  private async probe(id: string, watched: Watched): Promise<void> {
    const before = watched.state ?? initialProbeState;
    const result = await this.runProbe(id, watched);
    if (this.watched.get(id) !== watched) return;
    const after = afterProbe(before, result, watched.startedAt, watched.timing);
    watched.state = after;
    if (after.status !== before.status) {
      const event: HealthEvent = { kind: 'container', action: 'health_status', id, name: watched.name, labels: watched.labels, time: result.end, health: after.status };
      for (const listener of this.listeners) listener(event);
    }
  }

  /** One probe, bounded by its timeout from exec create to exit code (an engine may hold any of the calls). */
  private async runProbe(id: string, watched: Watched): Promise<ProbeResult> {
    const start = this.clock.now();
    const timeout = new AbortController();
    let timer: Timer | undefined;
    const timedOut = new Promise<ProbeResult>((resolve) => {
      timer = this.clock.setTimer(watched.timing.timeoutMs, () => {
        timeout.abort();
        resolve(timedOutResult(watched.timing, start, this.clock.now()));
      });
    });
    try {
      return await Promise.race([this.execProbe(id, watched, start, timeout.signal), timedOut]);
    } finally {
      timer?.cancel();
    }
  }

  private async execProbe(id: string, watched: Watched, start: number, signal: AbortSignal): Promise<ProbeResult> {
    try {
      // The API cannot kill an exec'd process, so a probe past its timeout keeps running; none is
      // started beside it, or a hanging healthcheck would hold a process per interval (Podman 4.3.1
      // kept a conmon for each: 4,110 after 35 minutes of a test whose probe hangs).
      if (watched.overdue && (await watched.overdue.inspect().then((i) => i.Running).catch(() => false))) return timedOutResult(watched.timing, start, this.clock.now());
      watched.overdue = undefined;
      const exec = await this.docker.getContainer(id).exec({ Cmd: watched.command, AttachStdout: true, AttachStderr: true });
      const stream = await exec.start({ hijack: true, stdin: false });
      const output = await readAll(stream, signal);
      if (output === undefined) {
        watched.overdue = exec;
        return timedOutResult(watched.timing, start, this.clock.now());
      }
      const { ExitCode } = await exec.inspect();
      return { exitCode: ExitCode ?? -1, output, start, end: this.clock.now() };
    } catch (error) {
      // An exec the engine refuses (container stopping, command missing) is a failed probe, as in Docker.
      return { exitCode: -1, output: error instanceof Error ? error.message : String(error), start, end: this.clock.now() };
    }
  }
}

function serviceKey(watched: Watched): string {
  return `${watched.labels[LABEL_PROJECT] ?? ''}/${watched.labels[LABEL_SERVICE] ?? watched.name}`;
}

function engineLogOf(info: Docker.ContainerInspectInfo): unknown[] {
  return (info.State.Health as { Log?: unknown[] | null } | undefined)?.Log ?? [];
}

/** The exec's stdout and stderr (multiplexed frames); undefined when the signal aborts first. */
function readAll(stream: NodeJS.ReadableStream & { destroy?: () => void }, signal: AbortSignal): Promise<string | undefined> {
  const decoder = new FrameDecoder();
  const chunks: Buffer[] = [];
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      stream.destroy?.();
      resolve(undefined);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    stream.on('data', (chunk: Buffer) => chunks.push(decoder.push(chunk)));
    stream.on('end', () => {
      signal.removeEventListener('abort', onAbort);
      // The hijacked socket stays half open after the engine's end; close our side too.
      stream.destroy?.();
      resolve(Buffer.concat(chunks).toString());
    });
    stream.on('error', (error) => {
      signal.removeEventListener('abort', onAbort);
      reject(error);
    });
  });
}
