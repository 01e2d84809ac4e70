// `composed update [SERVICE...] [--check]`: ask the registry now where each service's image tag
// points; without --check, pull and roll out what moved, as `x-composed.update: auto` would.
import { Command } from 'commander';
import type { UpdateResponse, UpdateResult } from '../../protocol/api.js';
import { action, addProjectOptions, clientFor, projectNameFor, projectPath } from '../common.js';

/** --check found at least one service whose tag moved. */
export const EXIT_UPDATES_AVAILABLE = 2;

interface UpdateOptions {
  check?: boolean;
  json?: boolean;
}

export function registerUpdate(program: Command): void {
  addProjectOptions(program.command('update'))
    .description('check the services\' image tags now and roll out the ones that moved (--check: only say which)')
    .argument('[service...]', 'services to check; default: those whose x-composed.update policy is auto or notify')
    .option('--check', 'only check: print which services have an update, change nothing')
    .option('--json', 'print the results as JSON')
    .addHelpText('after', `
Exit status:
  0  every service checked is current (or, without --check, its update is rolling out)
  1  a check or pull failed, or the request did (the services keep running)
  2  --check: at least one service has an update available

A digest that failed its roll-out and was rolled back is not rolled out again (outcome "rejected").
Images pinned by digest (image: app@sha256:...) and services with a build section are not followed.

Examples:
  composed update --check && echo "all current"
  composed update web`)
    .action(
      action<UpdateOptions>(async (services, options) => {
        const project = await projectNameFor(options);
        const answer = await clientFor(options).json<UpdateResponse>(projectPath(project, '/update'), { method: 'POST', body: { services, check: options.check === true } });
        if (options.json) process.stdout.write(`${JSON.stringify(answer.services, null, 2)}\n`);
        else for (const r of answer.services) process.stdout.write(`${r.service}: ${r.outcome}: ${r.message}\n`);
        process.exitCode = exitStatus(answer.services, options.check === true);
      }),
    );
}

export function exitStatus(results: readonly UpdateResult[], check: boolean): number {
  if (results.some((r) => r.outcome === 'failed')) return 1;
  return check && results.some((r) => r.outcome === 'available') ? EXIT_UPDATES_AVAILABLE : 0;
}
