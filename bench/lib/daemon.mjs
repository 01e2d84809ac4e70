// The composed daemon as a user runs it: `node dist/cli/main.js daemon` in a child process with its
// own socket and state dir, the CLI in child processes, and the control API over the unix socket.
import { spawn } from 'node:child_process';
import { existsSync, openSync, readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { nowMs, pollUntil, run, sleep } from './util.mjs';

export const REPO_ROOT = resolve(import.meta.dirname, '../..');
export const CLI = join(REPO_ROOT, 'dist/cli/main.js');
const TRACE_PRELOAD = join(REPO_ROOT, 'bench/lib/trace-runtime.mjs');

export class Daemon {
  constructor(dir) {
    this.dir = dir;
    this.socket = join(dir, 'composed.sock');
    this.stateDir = join(dir, 'state');
    this.logFile = join(dir, 'daemon.log');
    this.traceFile = join(dir, 'runtime-trace.jsonl');
  }

  static async create() {
    return new Daemon(await mkdtemp(join(tmpdir(), 'composed-bench-')));
  }

  /**
   * Starts the daemon (default resync interval, as a user runs it). `trace: true` preloads
   * bench/lib/trace-runtime.mjs so every engine call the daemon makes is timed into traceFile.
   */
  async start({ trace = false, logLevel = 'info', args = [] } = {}) {
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first`);
    const out = openSync(this.logFile, 'a');
    const nodeArgs = trace ? ['--import', TRACE_PRELOAD] : [];
    this.process = spawn(
      process.execPath,
      [...nodeArgs, CLI, 'daemon', '--socket', this.socket, '--state-dir', this.stateDir, '--log-level', logLevel, ...args],
      { stdio: ['ignore', out, out], env: { ...process.env, COMPOSED_SOCKET: this.socket, ...(trace ? { COMPOSED_BENCH_TRACE: this.traceFile } : {}) } },
    );
    const ok = await pollUntil(async () => {
      if (this.process.exitCode !== null) throw new Error(`daemon exited with ${this.process.exitCode}:\n${this.log()}`);
      return (await this.get('/v1/version').catch(() => undefined)) !== undefined;
    }, { timeoutMs: 20_000, intervalMs: 100 });
    if (!ok) throw new Error(`daemon did not answer within 20 s:\n${this.log()}`);
  }

  get pid() {
    return this.process?.pid;
  }

  /** SIGTERM and wait for the exit (containers keep running: cleanup is by label). */
  async stop() {
    const child = this.process;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await Promise.race([exited, sleep(15_000)]);
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited;
    }
  }

  cli(args, opts = {}) {
    return run(process.execPath, [CLI, ...args, '--socket', this.socket], { cwd: opts.cwd, env: { COMPOSED_STATE_DIR: this.stateDir, ...opts.env } });
  }

  /** GET a JSON answer; resolves {status, body, ms}. */
  get(path, { timeoutMs = 10_000 } = {}) {
    return new Promise((resolvePromise, reject) => {
      const started = nowMs();
      const req = request({ socketPath: this.socket, path, method: 'GET', timeout: timeoutMs }, (res) => {
        let data = '';
        res.setEncoding('utf8');
        res.on('data', (d) => (data += d));
        res.on('end', () => {
          const ms = nowMs() - started;
          try {
            resolvePromise({ status: res.statusCode, body: JSON.parse(data), ms });
          } catch {
            resolvePromise({ status: res.statusCode, body: data, ms });
          }
        });
      });
      req.on('timeout', () => req.destroy(new Error(`no answer to ${path} within ${timeoutMs} ms`)));
      req.on('error', reject);
      req.end();
    });
  }

  async status(project) {
    const res = await this.get(`/v1/projects/${project}/status`);
    if (res.status !== 200) throw new Error(`status ${project}: ${res.status} ${JSON.stringify(res.body)}`);
    return { ...res.body, latencyMs: res.ms };
  }

  log() {
    return existsSync(this.logFile) ? readFileSync(this.logFile, 'utf8') : '';
  }

  /** The daemon's JSON log lines (pino), parsed; lines that are not JSON are skipped. */
  logLines() {
    return this.log()
      .split('\n')
      .flatMap((line) => {
        try {
          return line.startsWith('{') ? [JSON.parse(line)] : [];
        } catch {
          return [];
        }
      });
  }

  /** Engine calls the daemon made ({m, t0, t1, arg}), when started with trace: true. */
  trace() {
    if (!existsSync(this.traceFile)) return [];
    return readFileSync(this.traceFile, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
  }
}

/** Reads utime+stime (clock ticks) and RSS (kB) of a process from /proc. */
export function procSample(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state): utime is field 14, stime field 15.
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN);
  return { ticks: utime + stime, rssKb, at: nowMs() };
}
