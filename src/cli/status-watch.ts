// `composed status --watch`: the status table redrawn in place every interval with CPU and memory
// per replica, like `pm2 monit` or `kubectl get -w`; q (or Ctrl-C) quits. On a terminal it draws on
// the alternate screen, as `watch` and `top` do, so the shell's screen comes back as it was; off a
// terminal each refresh is appended under a time stamp, so a log of it reads top to bottom.
import type { ProjectStatus } from '../protocol/api.js';
import type { ContainerStats } from '../protocol/compose-containers.js';
import type { DaemonClient } from './client.js';
import { projectPath } from './common.js';
import { containerPath } from './containers.js';
import { renderStatus } from './render/status.js';

const ALTERNATE_SCREEN = '\u001b[?1049h\u001b[?25l';
const MAIN_SCREEN = '\u001b[?25h\u001b[?1049l';
const HOME_AND_CLEAR = '\u001b[H\u001b[2J';

export interface WatchOptions {
  intervalMs: number;
  terminal: boolean;
}

export async function watchStatus(client: DaemonClient, projects: () => Promise<string[]>, options: WatchOptions): Promise<void> {
  const usage = new UsageSampler(client);
  const stop = new AbortController();
  const restore = options.terminal ? takeTerminal(() => stop.abort()) : onSignal(() => stop.abort());
  try {
    while (!stop.signal.aborted) {
      const statuses = await Promise.all((await projects()).map((name) => client.json<ProjectStatus>(projectPath(name, '/status'), { signal: stop.signal }))).catch((error: unknown) => {
        if (stop.signal.aborted) return [];
        throw error;
      });
      if (stop.signal.aborted) break;
      usage.refresh(statuses);
      const now = Date.now();
      const body = statuses.map((s) => renderStatus(s, now, usage.latest)).join('\n\n');
      const stamp = new Date(now).toISOString().slice(11, 19);
      if (options.terminal) process.stdout.write(`${HOME_AND_CLEAR}every ${options.intervalMs / 1000}s, q quits   ${stamp}\n\n${body}\n`);
      else process.stdout.write(`--- ${stamp}\n${body}\n`);
      await sleep(options.intervalMs, stop.signal);
    }
  } finally {
    restore();
  }
}

/**
 * The engine's stats take a second or two per container (it waits for a second sample), longer
 * than a refresh: each replica's sample is asked in the background, one at a time per container,
 * and the table shows the latest that arrived.
 */
class UsageSampler {
  readonly latest = new Map<string, ContainerStats>();
  private readonly inFlight = new Set<string>();

  constructor(private readonly client: DaemonClient) {}

  refresh(statuses: ProjectStatus[]): void {
    const running = new Set<string>();
    for (const status of statuses) {
      for (const service of status.services) {
        for (const replica of service.replicas) {
          if (replica.phase !== 'running') continue;
          running.add(replica.name);
          this.sample(status.name, replica.name);
        }
      }
    }
    for (const name of this.latest.keys()) if (!running.has(name)) this.latest.delete(name);
  }

  private sample(project: string, container: string): void {
    if (this.inFlight.has(container)) return;
    this.inFlight.add(container);
    this.client
      .json<ContainerStats>(containerPath(project, container, '/stats'))
      .then((stats) => this.latest.set(container, stats))
      // A replica that went away meanwhile has no sample; the next refresh drops it.
      .catch(() => this.latest.delete(container))
      .finally(() => this.inFlight.delete(container));
  }
}

/** Raw keys on the alternate screen; gives the terminal back as it was. */
function takeTerminal(quit: () => void): () => void {
  process.stdout.write(ALTERNATE_SCREEN);
  const stdin = process.stdin;
  const onKey = (key: Buffer): void => {
    const k = key.toString();
    if (k === 'q' || k === 'Q' || k === '\u0003') quit();
  };
  if (stdin.isTTY) stdin.setRawMode(true);
  stdin.on('data', onKey);
  stdin.resume();
  const offSignal = onSignal(quit);
  return () => {
    offSignal();
    stdin.off('data', onKey);
    if (stdin.isTTY) stdin.setRawMode(false);
    stdin.pause();
    process.stdout.write(MAIN_SCREEN);
  };
}

function onSignal(quit: () => void): () => void {
  process.once('SIGINT', quit);
  process.once('SIGTERM', quit);
  return () => {
    process.off('SIGINT', quit);
    process.off('SIGTERM', quit);
  };
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });
}
