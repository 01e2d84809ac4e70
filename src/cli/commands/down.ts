// `composed down`: stop supervising the project and remove its containers and networks (named
// volumes only with -v; external ones never).
import { Command } from 'commander';
import type { UpProgress } from '../../protocol/api.js';
import { action, addProjectOptions, clientFor, projectNameFor, projectPath, UsageError } from '../common.js';
import { ApiError } from '../client.js';

interface DownOptions {
  volumes?: boolean;
  timeout?: string;
}

export function registerDown(program: Command): void {
  addProjectOptions(program.command('down'))
    .description('stop supervising the project; stop and remove its containers and networks')
    .option('-v, --volumes', 'also remove named volumes and the replicas\' anonymous volumes')
    .option('-t, --timeout <seconds>', 'seconds to wait for each container to stop (default: its stop_grace_period)')
    .action(
      action<DownOptions>(async (_args, options) => {
        const project = await projectNameFor(options);
        const query = new URLSearchParams();
        if (options.volumes) query.set('volumes', 'true');
        if (options.timeout !== undefined) {
          if (!/^\d+$/.test(options.timeout)) throw new UsageError(`-t: ${JSON.stringify(options.timeout)} is not a whole number of seconds`);
          query.set('timeout', options.timeout);
        }
        for await (const line of clientFor(options).lines<UpProgress>(`${projectPath(project)}?${query}`, { method: 'DELETE' })) {
          if (line.kind === 'progress') process.stdout.write(`${line.resource}: ${line.message}\n`);
          // The answer's status (200) went out before the failure: it is the daemon's error all the same.
          if (line.kind === 'error') throw new ApiError(500, line.error);
        }
        process.stdout.write(`project ${project} is down\n`);
      }),
    );
}
