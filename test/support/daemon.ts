// Runs the real daemon and CLI as a user would: `node dist/cli/main.js ...` in child processes,
// each test with its own socket and state dir. Needs `npm run build` first (scripts/test.sh does it).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, openSync, readFileSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { DaemonClient } from '../../src/cli/client.js';
import type { ProjectStatus, ServiceStatus } from '../../src/protocol/api.js';
import { cleanupProject } from './engine.js';
import { eventually } from './eventually.js';

export const REPO_ROOT = resolve(import.meta.dirname, '../..');
export const CLI = join(REPO_ROOT, 'dist/cli/main.js');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export class DaemonHandle {
  process?: ChildProcess;
  readonly client: DaemonClient;

  constructor(
    readonly dir: string,
    readonly socket = join(dir, 'composed.sock'),
    readonly stateDir = join(dir, 'state'),
    readonly logFile = join(dir, 'daemon.log'),
  ) {
    this.client = new DaemonClient(socket);
  }

  /** Starts `composed daemon` and waits until its socket answers. */
  async start(extraArgs: string[] = []): Promise<void> {
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first`);
    const out = openSync(this.logFile, 'a');
    this.process = spawn(
      process.execPath,
      [CLI, 'daemon', '--socket', this.socket, '--state-dir', this.stateDir, '--log-level', 'debug', '--resync-interval', '2s', ...extraArgs],
      { stdio: ['ignore', out, out], env: { ...process.env, COMPOSED_SOCKET: this.socket } },
    );
    const child = this.process;
    await eventually(
      async () => {
        if (child.exitCode !== null) throw new Error(`daemon exited with ${child.exitCode}:\n${this.log()}`);
        if (!(await this.client.ping())) throw new Error('daemon not answering yet');
      },
      // The daemon listens once its first resync is done, bounded at 30 s (daemon/main.ts): a
      // restarted daemon busy with a roll-out on a loaded host may use all of it.
      { timeoutMs: 45_000 },
    );
  }

  /** SIGKILL: the daemon gets no chance to clean up, as in a crash. */
  async kill9(): Promise<void> {
    await this.signal('SIGKILL');
  }

  async stop(): Promise<void> {
    await this.signal('SIGTERM');
  }

  /** Runs the CLI against this daemon, in `cwd`. */
  cli(args: string[], opts: { cwd?: string; env?: Record<string, string> } = {}): Promise<CliResult> {
    return runCli(args, { cwd: opts.cwd, env: { COMPOSED_SOCKET: this.socket, COMPOSED_STATE_DIR: this.stateDir, ...opts.env } });
  }

  log(): string {
    return existsSync(this.logFile) ? readFileSync(this.logFile, 'utf8') : '';
  }

  private async signal(signal: NodeJS.Signals): Promise<void> {
    const child = this.process;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill(signal);
    await exited;
  }
}

export async function newDaemon(): Promise<DaemonHandle> {
  return new DaemonHandle(await mkdtemp(join(tmpdir(), 'composed-test-')));
}

/**
 * A daemon for one describe block: started before its tests; stopped, and everything labelled for
 * `project` removed, after them, even when they fail.
 */
export function useDaemon(project: string): DaemonHandle {
  const daemon = new DaemonHandle(mkdtempSync(join(tmpdir(), 'composed-test-')));
  beforeAll(() => daemon.start());
  afterAll(async () => {
    await daemon.stop();
    await cleanupProject(project);
  });
  return daemon;
}

export async function projectStatus(daemon: DaemonHandle, project: string): Promise<ProjectStatus> {
  return daemon.client.json<ProjectStatus>(`/v1/projects/${project}/status`);
}

export async function serviceStatus(daemon: DaemonHandle, project: string, service: string): Promise<ServiceStatus> {
  const found = (await projectStatus(daemon, project)).services.find((s) => s.name === service);
  if (!found) throw new Error(`no service ${service} in the status of ${project}`);
  return found;
}

export function runCli(args: string[], opts: { cwd?: string; env?: Record<string, string> } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--', CLI, ...args], { cwd: opts.cwd ?? REPO_ROOT, env: { ...process.env, ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

/** Writes a compose file into a fresh directory and returns its path. */
export async function writeProject(yaml: string, fileName = 'compose.yaml'): Promise<{ dir: string; file: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'composed-project-'));
  const file = join(dir, fileName);
  await writeFile(file, yaml);
  return { dir, file };
}
