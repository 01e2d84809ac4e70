// What every command shares: the project name rule, loading the project here, and how failures print.
import type { Command } from 'commander';
import { ComposeError, formatDiagnostic } from '../compose/errors.js';
import { ApiError, DaemonClient, DaemonUnavailable } from './client.js';
import { mergedOptions, type ProjectOptions, type SocketOptions } from './project-options.js';

export { addProjectOptions, mergedOptions, socketOption, type ProjectOptions, type SocketOptions } from './project-options.js';

export function clientFor(options: SocketOptions): DaemonClient {
  return new DaemonClient(options.socket);
}

/** The project a command is about: -p, else COMPOSE_PROJECT_NAME, else the one the compose file here names. */
export async function projectNameFor(options: ProjectOptions): Promise<string> {
  if (options.projectName) return options.projectName;
  if (process.env.COMPOSE_PROJECT_NAME) return process.env.COMPOSE_PROJECT_NAME;
  // Imported here: a command given -p never loads the compose loader.
  const { loadLocal } = await import('./local-project.js');
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
