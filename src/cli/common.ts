// What every command shares: the socket option, the project name rule, and how failures print.
import { Command, Option } from 'commander';
import { resolve } from 'node:path';
import { ComposeError, formatDiagnostic } from '../compose/errors.js';
import { loadProject, type LoadResult } from '../compose/load.js';
import { defaultSocketPath } from '../daemon/api/protocol.js';
import { ApiError, DaemonClient, DaemonUnavailable } from './client.js';

export interface SocketOptions {
  socket: string;
}

export interface ProjectOptions extends SocketOptions {
  file?: string[];
  projectName?: string;
  profile?: string[];
}

export function socketOption(): Option {
  return new Option('--socket <path>', 'control socket of the daemon').env('COMPOSED_SOCKET').default(defaultSocketPath({ ...process.env, COMPOSED_SOCKET: undefined }));
}

/** -f, -p and --socket. `logs` keeps -f for --follow (as docker compose logs does), so it has only --file. */
export function addProjectOptions(command: Command, { shortFile = true } = {}): Command {
  return command
    .option(`${shortFile ? '-f, ' : ''}--file <file...>`, 'compose file(s), merged in order (default: compose.yaml etc., or COMPOSE_FILE)')
    .option('-p, --project-name <name>', 'project name (default: COMPOSE_PROJECT_NAME, `name:` or the directory name)')
    .addOption(socketOption());
}

export function clientFor(options: SocketOptions): DaemonClient {
  return new DaemonClient(options.socket);
}

/** Loads the compose project the way the daemon will, from this shell's cwd and environment. */
export function loadLocal(options: ProjectOptions): Promise<LoadResult> {
  return loadProject({
    files: options.file?.map((f) => resolve(f)),
    projectName: options.projectName,
    cwd: process.cwd(),
    env: process.env,
    profiles: options.profile,
  });
}

/** The project a command is about: -p, else the one the compose file here names. */
export async function projectNameFor(options: ProjectOptions): Promise<string> {
  if (options.projectName) return options.projectName;
  if (process.env.COMPOSE_PROJECT_NAME) return process.env.COMPOSE_PROJECT_NAME;
  return (await loadLocal(options)).project.name;
}

export function printDiagnostics(error: ComposeError | { diagnostics: ComposeError['diagnostics'] }): void {
  for (const d of error.diagnostics) process.stderr.write(`${formatDiagnostic(d)}\n`);
}

/** Runs a command body; known failures print one clear message and exit 1. */
export function action<A extends unknown[]>(body: (...args: A) => Promise<void>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await body(...args);
    } catch (error) {
      process.exitCode = 1;
      if (error instanceof ComposeError) return printDiagnostics(error);
      if (error instanceof ApiError) {
        if (error.body.diagnostics) printDiagnostics({ diagnostics: error.body.diagnostics });
        process.stderr.write(`composed: ${error.message}\n`);
        return;
      }
      if (error instanceof DaemonUnavailable || error instanceof UsageError) {
        process.stderr.write(`composed: ${error.message}\n`);
        return;
      }
      process.stderr.write(`composed: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
    }
  };
}

export class UsageError extends Error {}

export function projectPath(project: string, suffix = ''): string {
  return `/v1/projects/${encodeURIComponent(project)}${suffix}`;
}
