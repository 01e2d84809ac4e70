// `composed logs [SERVICE...]`: the replicas' output, interleaved in time order, each line
// prefixed with `<service>-<n> |` as docker compose prints it.
import { Command } from 'commander';
import type { LogLine } from '../../protocol/compose-containers.js';
import { action, addProjectOptions, clientFor, projectNameFor, projectPath, UsageError } from '../common.js';
import { parseLogTime } from '../log-time.js';
import { LogPrinter } from '../render/log-printer.js';
import { printPreviousLogs } from './logs-previous.js';
import { colourWanted } from '../render/colour.js';

interface LogsOptions {
  follow?: boolean;
  tail: string;
  since?: string;
  until?: string;
  timestamps?: boolean;
  logPrefix?: boolean;
  color?: boolean;
  index?: string;
  ansi?: string;
  previous?: string | true;
}

export function registerLogs(program: Command): void {
  addProjectOptions(program.command('logs'), { shortFile: false })
    .description('show the output of the services\' replicas in time order (every service when none is named)')
    .argument('[service...]')
    .option('-f, --follow', 'keep following new output, through replacements and new replicas')
    .option('-n, --tail <lines>', 'lines from the end of each replica\'s log, or all', 'all')
    .option('--since <time>', 'only lines since a time (2024-01-02T13:23:37Z, a Unix timestamp) or a duration back (42m)')
    .option('--until <time>', 'only lines before a time or a duration back')
    .option('-t, --timestamps', 'show the engine\'s timestamp of each line')
    .option('--no-log-prefix', 'do not prefix lines with the replica name')
    .option('--no-color', 'no colours in the prefix')
    .option('--index <n>', 'only this replica number')
    .option('--previous [k]', 'the output of the last replaced (crashed) container of one service, or the K-th last (--previous=2)')
    .addHelpText('after', `
Examples:
  composed logs
  composed logs -f --tail 10 web worker
  composed logs --since 10m -t --no-log-prefix web
  composed logs --previous web
  composed logs --previous=2 --index 1 web`)
    .action(
      action<LogsOptions>(async (services, options) => {
        if (!/^(\d+|all)$/.test(options.tail)) throw new UsageError(`--tail: ${JSON.stringify(options.tail)} is not a number of lines or all`);
        if (options.index !== undefined && !/^[1-9]\d*$/.test(options.index)) throw new UsageError(`--index: ${JSON.stringify(options.index)} is not a replica number (1, 2, ...)`);
        if (options.previous !== undefined) return printPreviousLogs(services, { ...options, previous: options.previous });
        const query = new URLSearchParams({ tail: options.tail });
        for (const s of services) query.append('service', s);
        if (options.index) query.set('index', options.index);
        if (options.since !== undefined) query.set('since', String(parseLogTime(options.since, '--since', Date.now())));
        if (options.until !== undefined) query.set('until', String(parseLogTime(options.until, '--until', Date.now())));
        if (options.follow) query.set('follow', 'true');
        const project = await projectNameFor(options);
        const colour = options.color !== false && options.ansi !== 'never' && (options.ansi === 'always' || colourWanted());
        const printer = new LogPrinter({ prefix: options.logPrefix !== false, timestamps: options.timestamps ?? false, colour });
        for await (const line of clientFor(options).lines<LogLine>(projectPath(project, `/log-entries?${query}`))) process.stdout.write(printer.format(line));
      }),
    );
}
