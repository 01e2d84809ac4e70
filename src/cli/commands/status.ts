// `composed status`: what the daemon sees, per service and per replica.
import { Command } from 'commander';
import type { ProjectStatus, ProjectSummary } from '../../protocol/api.js';
import { action, addProjectOptions, clientFor, projectNameFor, projectPath } from '../common.js';
import { renderStatus } from '../render/status.js';

interface StatusOptions {
  json?: boolean;
  all?: boolean;
}

export function registerStatus(program: Command): void {
  addProjectOptions(program.command('status'))
    .description('services, replicas, health, restarts, last exit and next retry')
    .option('--json', 'print the status as JSON (stable format, see README)')
    .option('-a, --all', 'every project the daemon supervises')
    .action(
      action<StatusOptions>(async (_args, options) => {
        const client = clientFor(options);
        const names = options.all
          ? (await client.json<ProjectSummary[]>('/v1/projects')).map((p) => p.name)
          : [await projectNameFor(options)];
        const statuses = await Promise.all(names.map((n) => client.json<ProjectStatus>(projectPath(n, '/status'))));
        if (options.json) process.stdout.write(`${JSON.stringify(options.all ? statuses : statuses[0], null, 2)}\n`);
        else process.stdout.write(`${statuses.map((s) => renderStatus(s)).join('\n\n')}\n`);
      }),
    );
}
