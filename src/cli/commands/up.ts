// `composed up`: validate here (nothing is sent when the file is bad), make sure a daemon runs,
// hand the project over, show progress, and with --wait return only once everything is ready.
import { Command, Option } from 'commander';
import { resolve } from 'node:path';
import type { DaemonEvent, ProjectStatus, UpProgress } from '../../daemon/api/protocol.js';
import { formatDiagnostic } from '../../compose/errors.js';
import { action, addProjectOptions, clientFor, loadLocal, projectPath, type ProjectOptions } from '../common.js';
import { ApiError } from '../client.js';
import { ensureDaemon } from '../daemon-launcher.js';
import { parseDuration } from '../duration.js';
import { settledState } from '../readiness.js';

interface UpOptions extends ProjectOptions {
  wait?: boolean;
  waitTimeout: string;
  quiet?: boolean;
}

export function registerUp(program: Command): void {
  addProjectOptions(program.command('up'))
    .description('validate the compose file and hand the project to the daemon (starting one if none runs)')
    .option('--profile <profile...>', 'activate profiles (default: COMPOSE_PROFILES)')
    .option('--wait', 'return only when every service is running, and healthy where it has a healthcheck; fail if one gives up or a one-shot fails')
    .addOption(new Option('--wait-timeout <duration>', 'how long --wait waits').default('5m'))
    .option('-q, --quiet', 'print only errors')
    .action(action(up));
}

async function up(options: UpOptions): Promise<void> {
  const say = (line: string) => options.quiet || process.stdout.write(`${line}\n`);
  const waitMs = parseDuration(options.waitTimeout, '--wait-timeout');
  const { project, warnings } = await loadLocal(options);
  for (const w of warnings) process.stderr.write(`${formatDiagnostic(w)}\n`);
  const client = clientFor(options);
  await ensureDaemon(client, say);

  const follow = new AbortController();
  const printed = printEvents(client, project.name, follow.signal, say);
  try {
    for await (const line of client.lines<UpProgress>('/v1/projects', {
      method: 'POST',
      body: {
        files: options.file?.map((f) => resolve(f)) ?? [],
        projectName: options.projectName,
        cwd: process.cwd(),
        env: definedEnv(),
        profiles: options.profile ?? [],
      },
    })) {
      if (line.kind === 'progress') say(`${line.resource}: ${line.message}`);
      // The answer's status (200) went out before the failure: it is the daemon's error all the same.
      if (line.kind === 'error') throw new ApiError(500, line.error);
    }
    const outcome = await waitUntilSettled(client, project.name, options.wait ?? false, waitMs);
    for (const failed of outcome.failed) process.stderr.write(`composed: warning: ${failed}\n`);
    if (outcome.problem) {
      process.exitCode = 1;
      process.stderr.write(`composed: ${outcome.problem}\n`);
    } else {
      say(options.wait ? `project ${project.name} is ready` : `project ${project.name} is up; the daemon keeps it that way (composed status)`);
    }
  } finally {
    follow.abort();
    await printed;
  }
}

async function waitUntilSettled(client: ReturnType<typeof clientFor>, project: string, wait: boolean, timeoutMs: number): Promise<{ problem?: string; failed: string[] }> {
  const deadline = Date.now() + timeoutMs;
  let last: ProjectStatus | undefined;
  for (;;) {
    last = await client.json<ProjectStatus>(projectPath(project, '/status'));
    const state = settledState(last, wait);
    if (state.done) return { problem: state.problem, failed: state.failed };
    if (Date.now() >= deadline) {
      return { problem: `timed out after ${Math.round(timeoutMs / 1000)} s: ${state.pending.join('; ')}`, failed: state.failed };
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function printEvents(client: ReturnType<typeof clientFor>, project: string, signal: AbortSignal, say: (line: string) => void): Promise<void> {
  try {
    const since = Date.now();
    for await (const event of client.lines<DaemonEvent>(`/v1/events?follow=1&since=${since}&project=${encodeURIComponent(project)}`, { signal })) {
      const who = event.service ? `${event.service}${event.replica ? `#${event.replica}` : ''}` : project;
      say(`${who}: ${event.type.replace(/-/g, ' ')} (${event.message})`);
    }
  } catch {
    // The stream ends when up is done (aborted) or the daemon goes away; either way nothing to add.
  }
}

function definedEnv(): Record<string, string> {
  return Object.fromEntries(Object.entries(process.env).filter((e): e is [string, string] => e[1] !== undefined));
}
