// `composed status`: what the daemon sees, per service and per replica.
import { Command } from 'commander';
import type { ProjectStatus, ProjectSummary } from '../../protocol/api.js';
import { action, addProjectOptions, clientFor, projectNameFor, projectPath, UsageError, type ProjectOptions } from '../common.js';
import type { DaemonClient } from '../client.js';
import { parseDuration } from '../duration.js';
import { renderStatus } from '../render/status.js';
import { watchStatus } from '../status-watch.js';

interface StatusOptions extends ProjectOptions {
  json?: boolean;
  all?: boolean;
  watch?: boolean;
  interval: string;
}

export function registerStatus(program: Command): void {
  addProjectOptions(program.command('status'))
    .description('services, replicas, health, restarts, last exit and next retry')
    .option('--json', 'print the status as JSON (stable format, see README)')
    .option('-a, --all', 'every project the daemon supervises')
    .option('-w, --watch', 'redraw every interval with CPU and memory per replica; q quits (appends instead when stdout is not a terminal)')
    .option('--interval <duration>', 'how often --watch redraws', '1s')
    .addHelpText('after', '\nExamples:\n  composed status\n  composed status -p demo --json\n  composed status --all\n  composed status --watch --interval 2s')
    .action(
      action<StatusOptions>(async (_args, options) => {
        const client = clientFor(options);
        const names = (): Promise<string[]> => projectNames(client, options);
        if (options.watch) {
          if (options.json) throw new UsageError('--watch draws the table; use --json without it');
          return watchStatus(client, names, { intervalMs: parseDuration(options.interval, '--interval'), terminal: process.stdout.isTTY === true });
        }
        const statuses = await Promise.all((await names()).map((n) => client.json<ProjectStatus>(projectPath(n, '/status'))));
        if (options.json) process.stdout.write(`${JSON.stringify(options.all ? statuses : statuses[0], null, 2)}\n`);
        else process.stdout.write(`${statuses.map((s) => renderStatus(s)).join('\n\n')}\n`);
      }),
    );
}

async function projectNames(client: DaemonClient, options: StatusOptions): Promise<string[]> {
  if (options.all) return (await client.json<ProjectSummary[]>('/v1/projects')).map((p) => p.name);
  return [await projectNameFor(options)];
}
