// `composed logs [-f] [--tail N] [SERVICE]`: every replica's output, prefixed by the replica name.
import { Command } from 'commander';
import { action, addProjectOptions, clientFor, projectNameFor, projectPath, UsageError } from '../common.js';

interface LogsOptions {
  follow?: boolean;
  tail: string;
}

export function registerLogs(program: Command): void {
  addProjectOptions(program.command('logs'), { shortFile: false })
    .description('show the output of a service\'s replicas (all services when none is named)')
    .argument('[service]')
    .option('-f, --follow', 'keep following new output')
    .option('-n, --tail <lines>', 'lines to show from the end of each replica\'s log', '100')
    .action(
      action<LogsOptions>(async ([service], options) => {
        if (!/^\d+$/.test(options.tail)) throw new UsageError(`--tail: ${JSON.stringify(options.tail)} is not a number of lines`);
        const query = new URLSearchParams({ tail: options.tail });
        if (service) query.set('service', service);
        if (options.follow) query.set('follow', 'true');
        const project = await projectNameFor(options);
        for await (const chunk of clientFor(options).stream(projectPath(project, `/logs?${query}`))) process.stdout.write(chunk);
      }),
    );
}
