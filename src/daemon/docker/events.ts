// The engine's container event stream, translated to RuntimeEvent and reconnected with backoff.
//
// Engine behaviour relied on, observed on docker.io 20.10.24 (API 1.41) with `docker events
// --filter type=container` (details and the full table in ./README.md):
// - `docker kill`:            kill(signal=9) -> die(exitCode=137)
// - `docker stop` (SIGTERM handled, e.g. --init): kill(signal=15) -> die(exitCode=143) -> stop
// - `docker stop` (SIGTERM ignored, pid 1 `sleep`): kill(15) -> kill(9) after the timeout -> die(137) -> stop
// - `docker stop` of an exited container: no event at all (the API answers 304)
// - `docker rm -f` of a running one: kill(9) -> die(137) -> destroy
// - OOM kill (memory 8m, a growing shell string): oom and die(137), in either order; OOMKilled=true,
//   except for an OOM right after start, before the shim watches the cgroup: die(137) alone
// - engine restart policy on-failure:2: die(3) -> start -> die(3) -> start -> die(3); no `restart` event
// - health: `health_status: healthy` / `health_status: unhealthy`, only on a change of status (no
//   event for the initial `starting`); every probe also emits exec_create/exec_start/exec_die,
//   which translateEvent drops.
// - `docker rename`: rename with attributes name=<new>, oldName=<old>
// - a container that dies while dockerd is down gets no event: callers resync after `connected`.
// Event attributes carry the container's labels mixed with the engine's own keys (name, image, ...).
//
// Podman 4.3.1's Docker API (observed with an unfiltered type=container stream):
// - a stream filtered with `event=die` (or any `event` list) sends nothing at all, and `label`
//   filters are not to be trusted either (see label-match.ts): the stream asks only for
//   type=container, and the managed label is checked here;
// - `docker rm` sends `remove` where Docker sends `destroy`; there is no `stop` after `die`, and
//   extra actions (`init`, `cleanup`, `exec_died`) that we ignore;
// - health_status has the bare action and the status in a top-level `HealthStatus` field, which
//   said "starting" for the probe that turned the container healthy: events only enqueue, the
//   health itself is read from inspect (health-reader.ts);
// - every event's attributes carry `containerExitCode` (0 except on die) and `podId`.
import type Docker from 'dockerode';
import type { ContainerAction, HealthState, RuntimeEvent } from '../ports/runtime.js';
import { systemClock, type Clock } from '../ports/clock.js';
import { LABEL_MANAGED } from '../core/labels.js';
import { engineMessage } from './errors.js';
import { jsonLines } from './json-lines.js';

const ACTIONS: readonly ContainerAction[] = [
  'create', 'start', 'die', 'oom', 'stop', 'kill', 'destroy', 'health_status', 'pause', 'unpause', 'rename',
];

/** Podman's names for actions Docker names otherwise. */
const ACTION_ALIASES: Readonly<Record<string, ContainerAction>> = { remove: 'destroy' };

/** Attributes the engine adds beside the labels (Docker's, then Podman's). */
const ENGINE_ATTRIBUTES = new Set(['name', 'image', 'exitCode', 'signal', 'oldName', 'execDuration', 'containerExitCode', 'podId']);

export interface EngineEventMessage {
  Type?: string;
  Action?: string;
  status?: string;
  id?: string;
  Actor?: { ID?: string; Attributes?: Record<string, string> };
  time?: number;
  timeNano?: number;
  /** Podman: the status of a health_status event. */
  HealthStatus?: string;
}

/** One engine event message -> our event; undefined for anything we do not follow or do not manage. */
export function translateEvent(message: EngineEventMessage): RuntimeEvent | undefined {
  if (message.Type !== 'container') return undefined;
  const raw = message.Action ?? message.status ?? '';
  const colon = raw.indexOf(':');
  const actionName = colon < 0 ? raw : raw.slice(0, colon);
  const action = ACTION_ALIASES[actionName] ?? ACTIONS.find((a) => a === actionName);
  if (!action) return undefined;
  const attributes = message.Actor?.Attributes ?? {};
  if (attributes[LABEL_MANAGED] !== 'true') return undefined;
  const labels = Object.fromEntries(Object.entries(attributes).filter(([k]) => !ENGINE_ATTRIBUTES.has(k)));
  const time = message.timeNano !== undefined ? Math.floor(message.timeNano / 1e6) : (message.time ?? 0) * 1000;
  const event: Extract<RuntimeEvent, { kind: 'container' }> = {
    kind: 'container',
    action,
    id: message.Actor?.ID ?? message.id ?? '',
    name: attributes['name'] ?? '',
    labels,
    time,
  };
  if (action === 'die' && attributes['exitCode'] !== undefined) event.exitCode = Number(attributes['exitCode']);
  if (action === 'health_status') event.health = healthFromStatus(colon < 0 ? (message.HealthStatus ?? '') : raw.slice(colon + 1).trim());
  return event;
}

function healthFromStatus(status: string): HealthState {
  return status === 'healthy' || status === 'unhealthy' || status === 'starting' ? status : 'none';
}

export interface BackoffOptions {
  minMs: number;
  maxMs: number;
}

/**
 * A connect to the local socket costs next to nothing, and every second without the stream is a
 * second of deaths noticed only by the resync: with a 5 s cap the stream came back up to 3 s after
 * dockerd did (found by the engine-restart fault).
 */
const DEFAULT_BACKOFF: BackoffOptions = { minMs: 100, maxMs: 1_000 };

/**
 * Yields `connected` on every (re)connect and `disconnected` when the stream drops, then retries
 * after 100 ms, 200 ms, ... 1 s; the delay resets once a connection stayed up for the maximum delay.
 */
export async function* containerEvents(
  docker: Docker,
  signal: AbortSignal,
  clock: Clock = systemClock,
  backoff: BackoffOptions = DEFAULT_BACKOFF,
): AsyncGenerator<RuntimeEvent> {
  let delay = backoff.minMs;
  while (!signal.aborted) {
    let connectedAt: number | undefined;
    let error: string;
    try {
      const stream = (await docker.getEvents({
        filters: { type: ['container'] },
        abortSignal: signal,
      })) as NodeJS.ReadableStream & { destroy(): void };
      connectedAt = clock.monotonic();
      yield { kind: 'connected' };
      const onAbort = (): void => stream.destroy();
      signal.addEventListener('abort', onAbort, { once: true });
      try {
        for await (const message of jsonLines(stream)) {
          const event = translateEvent(message as EngineEventMessage);
          if (event) yield event;
        }
      } finally {
        signal.removeEventListener('abort', onAbort);
        stream.destroy();
      }
      error = 'event stream ended';
    } catch (e) {
      error = engineMessage(e);
    }
    if (signal.aborted) return;
    yield { kind: 'disconnected', error };
    if (connectedAt !== undefined && clock.monotonic() - connectedAt >= backoff.maxMs) delay = backoff.minMs;
    await clock.sleep(delay, signal).catch(() => undefined);
    delay = Math.min(delay * 2, backoff.maxMs);
  }
}
