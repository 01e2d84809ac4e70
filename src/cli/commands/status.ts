// `composed status` and `composed ps`: what the daemon sees, per service and per replica.
import { Command } from 'commander';
import type { ProjectStatus, ProjectSummary } from '../../daemon/api/protocol.js';
import { action, addProjectOptions, clientFor, projectNameFor, projectPath } from '../common.js';
import { renderStatus } from '../render/status.js';
import { renderTable } from '../render/table.js';

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

  addProjectOptions(program.command('ps'))
    .description('list the project\'s containers')
    .option('--json', 'print as JSON')
    .action(
      action<StatusOptions>(async (_args, options) => {
        const status = await clientFor(options).json<ProjectStatus>(projectPath(await projectNameFor(options), '/status'));
        const rows = status.services.flatMap((s) =>
          s.replicas.map((r) => ({ name: r.name, service: s.name, id: r.containerId?.slice(0, 12) ?? '', state: r.phase, health: r.health })),
        );
        if (options.json) process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
        else process.stdout.write(`${renderTable(['NAME', 'SERVICE', 'CONTAINER', 'STATE', 'HEALTH'], rows.map((r) => [r.name, r.service, r.id, r.state, r.health === 'none' ? '' : r.health]))}\n`);
      }),
    );
}
