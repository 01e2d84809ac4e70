// The output of replica containers the daemon replaced, kept after their removal so
// `logs --previous` can show what a crashed container printed. Read from the engine after the
// container stopped and before it is removed (the executor waits for that read only); written to
// the state dir behind it. Bounded: the last `perReplica` containers of each replica, each cut to
// its last `maxBytes`. Files: <dir>/<project>/<service>/<replica>/<kept ms>-<container id>.log
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { PreviousLogs } from '../../protocol/memory.js';
import type { Clock } from '../ports/clock.js';
import type { SupervisionRuntime } from '../ports/runtime.js';

export interface PreviousOutputLimits {
  perReplica: number;
  maxBytes: number;
}

export const DEFAULT_PREVIOUS_OUTPUT_LIMITS: PreviousOutputLimits = { perReplica: 5, maxBytes: 256 * 1024 };

/** Lines asked of the engine: the byte cap then keeps the end of them. */
const LINES_READ = 20_000;
const TRUNCATED_MARK = '\u0000truncated\n';

export interface KeptFile {
  replica: number;
  containerId: string;
  keptAt: number;
  path: string;
}

export class PreviousOutput {
  private chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly dir: string,
    private readonly limits: PreviousOutputLimits,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  /** Reads a stopped container's output and queues it for the disk; never throws (the removal goes on). */
  async capture(runtime: Pick<SupervisionRuntime, 'logsTail'>, project: string, service: string, replica: number, containerId: string): Promise<void> {
    let lines: string[];
    try {
      lines = await runtime.logsTail(containerId, LINES_READ);
    } catch (error) {
      this.logger.debug({ err: error, project, service, replica, containerId }, 'output of the replaced container not kept');
      return;
    }
    const keptAt = this.clock.now();
    this.chain = this.chain
      .then(() => this.write(project, service, replica, containerId, keptAt, lines))
      .catch((error: unknown) => this.logger.warn({ err: error, project, service, replica }, 'output of the replaced container not written'));
  }

  /** Waits for the writes queued so far. */
  settled(): Promise<void> {
    return this.chain;
  }

  /** Kept containers of the service (of one replica), newest first. */
  async list(project: string, service: string, replica?: number): Promise<KeptFile[]> {
    await this.chain;
    const base = join(this.dir, project, service);
    const replicas = replica !== undefined ? [String(replica)] : await names(base);
    const files: KeptFile[] = [];
    for (const r of replicas) {
      for (const name of await names(join(base, r))) {
        const m = /^(\d+)-(.+)\.log$/.exec(name);
        if (m) files.push({ replica: Number(r), containerId: m[2]!, keptAt: Number(m[1]), path: join(base, r, name) });
      }
    }
    return files.sort((a, b) => b.keptAt - a.keptAt || b.replica - a.replica);
  }

  /** The `previous`-th newest kept output (1 = the latest) of the service or one replica. */
  async read(project: string, service: string, options: { replica?: number; previous: number }): Promise<PreviousLogs | undefined> {
    const files = await this.list(project, service, options.replica);
    const file = files[options.previous - 1];
    if (!file) return undefined;
    const text = await readFile(file.path, 'utf8');
    const truncated = text.startsWith(TRUNCATED_MARK);
    const lines = linesOf(text);
    return { service, replica: file.replica, containerId: file.containerId, keptAt: new Date(file.keptAt).toISOString(), previous: options.previous, kept: files.length, truncated, lines };
  }

  /** The last `lines` of every kept container of the service, for `why`. */
  async tails(project: string, service: string, lines: number): Promise<Array<{ replica: number; keptAt: number; lines: string[] }>> {
    const out = [];
    for (const file of await this.list(project, service)) {
      const text = await readFile(file.path, 'utf8').catch(() => '');
      out.push({ replica: file.replica, keptAt: file.keptAt, lines: linesOf(text).slice(-lines) });
    }
    return out;
  }

  /** The project is down: its replicas' output goes with it. */
  async forget(project: string): Promise<void> {
    await this.chain;
    await rm(join(this.dir, project), { recursive: true, force: true });
  }

  private async write(project: string, service: string, replica: number, containerId: string, keptAt: number, lines: string[]): Promise<void> {
    const dir = join(this.dir, project, service, String(replica));
    await mkdir(dir, { recursive: true, mode: 0o700 });
    await writeFile(join(dir, `${keptAt}-${containerId.slice(0, 12)}.log`), capped(lines, this.limits.maxBytes), { mode: 0o600 });
    const kept = (await names(dir)).filter((n) => n.endsWith('.log')).sort((a, b) => parseInt(b, 10) - parseInt(a, 10));
    for (const old of kept.slice(this.limits.perReplica)) await rm(join(dir, old), { force: true });
  }
}

/** The last whole lines within `maxBytes`, marked when earlier ones were cut. */
function capped(lines: string[], maxBytes: number): string {
  let bytes = 0;
  let first = lines.length;
  while (first > 0) {
    const size = Buffer.byteLength(lines[first - 1]!) + 1;
    if (bytes + size > maxBytes) break;
    bytes += size;
    first--;
  }
  const text = lines.slice(first).map((l) => `${l}\n`).join('');
  return first > 0 ? `${TRUNCATED_MARK}${text}` : text;
}

function linesOf(text: string): string[] {
  const body = text.startsWith(TRUNCATED_MARK) ? text.slice(TRUNCATED_MARK.length) : text;
  return body === '' ? [] : body.replace(/\n$/, '').split('\n');
}

async function names(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}
