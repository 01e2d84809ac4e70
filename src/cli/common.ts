// What every command shares: the project name rule, loading the project here, and how failures print.
import type { Command } from 'commander';
import { resolve } from 'node:path';
import { ComposeError, formatDiagnostic } from '../compose/errors.js';
import type { LoadResult } from '../compose/load.js';
import { ApiError, DaemonClient, DaemonUnavailable } from './client.js';
import { commandEnvironment } from './environment.js';
import { mergedOptions, type ProjectOptions, type SocketOptions } from './project-options.js';

export { addProjectOptions, mergedOptions, socketOption, type ProjectOptions, type SocketOptions } from './project-options.js';

export function clientFor(options: SocketOptions): DaemonClient {
  return new DaemonClient(options.socket);
}

/** Where compose files are looked for and relative paths start: --project-directory, else the cwd. */
export function projectCwd(options: ProjectOptions): string {
  return options.projectDirectory ? resolve(options.projectDirectory) : process.cwd();
}

/** The request fields that tell the daemon how to load the project (it reads the files itself). */
export function loadRequestFor(options: ProjectOptions): { files: string[]; projectName?: string; cwd: string; env: Record<string, string>; profiles: string[] } {
  return {
    files: options.file?.map((f) => resolve(f)) ?? [],
    ...(options.projectName !== undefined ? { projectName: options.projectName } : {}),
    cwd: projectCwd(options),
    env: commandEnvironment(options, process.cwd(), process.env),
    profiles: options.profile ?? [],
  };
}

/** Loads the compose project the way the daemon will, from this shell's cwd and environment. */
export async function loadLocal(options: ProjectOptions): Promise<LoadResult> {
  // Imported here: commands that only ask the daemon (ps -p, status -p) never load the loader.
  const { loadProject } = await import('../compose/load.js');
  const request = loadRequestFor(options);
  return loadProject({ files: request.files, projectName: request.projectName, cwd: request.cwd, env: request.env, profiles: request.profiles });
}

/** The project a command is about: -p, else COMPOSE_PROJECT_NAME, else the one the compose file here names. */
export async function projectNameFor(options: ProjectOptions): Promise<string> {
  if (options.projectName) return options.projectName;
  if (process.env.COMPOSE_PROJECT_NAME) return process.env.COMPOSE_PROJECT_NAME;
  return (await loadLocal(options)).project.name;
}

export function printDiagnostics(error: ComposeError | { diagnostics: ComposeError['diagnostics'] }): void {
  for (const d of error.diagnostics) process.stderr.write(`${formatDiagnostic(d)}\n`);
}

/**
 * Runs a command body with its arguments and the merged project flags (those before the verb and
 * the verb's own); known failures print one clear message and exit 1.
 */
export function action<O extends object>(body: (args: string[], options: O & ProjectOptions, command: Command) => Promise<void>): (...args: unknown[]) => Promise<void> {
  return async (...args: unknown[]) => {
    const command = args.at(-1) as Command;
    const positional = args.slice(0, -2).flatMap((a) => (a === undefined ? [] : Array.isArray(a) ? (a as string[]) : [a as string]));
    try {
      await body(positional, mergedOptions<O>(command), command);
    } catch (error) {
      process.exitCode = 1;
      reportError(error);
    }
  };
}

function reportError(error: unknown): void {
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

export class UsageError extends Error {}

export function projectPath(project: string, suffix = ''): string {
  return `/v1/projects/${encodeURIComponent(project)}${suffix}`;
}

export function servicePath(project: string, service: string, suffix = ''): string {
  return projectPath(project, `/services/${encodeURIComponent(service)}${suffix}`);
}
