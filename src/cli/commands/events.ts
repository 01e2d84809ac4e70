// `composed events`: the daemon's own events (replacements with their cause, exits, backoff, scaling).
import { Command } from 'commander';
import type { DaemonEvent } from '../../protocol/api.js';
import { action, clientFor, socketOption, type SocketOptions } from '../common.js';
import { parseDuration } from '../duration.js';

interface EventsOptions extends SocketOptions {
  projectName?: string;
  json?: boolean;
  since: string;
  follow: boolean;
}

export function registerEvents(program: Command): void {
  program
    .command('events')
    .description('the daemon\'s events: replicas created and replaced with their cause, exits, backoff, scaling')
    .option('-p, --project-name <name>', 'only this project')
    .option('--json', 'one JSON object per line')
    .option('--since <duration>', 'history from this long ago', '1h')
    .option('--no-follow', 'print the history and exit')
    .addOption(socketOption())
    .action(
      action(async (_args, options: EventsOptions) => {
        const query = new URLSearchParams({ since: String(Date.now() - parseDuration(options.since, '--since')) });
        if (options.follow) query.set('follow', 'true');
        if (options.projectName) query.set('project', options.projectName);
        for await (const e of clientFor(options).lines<DaemonEvent>(`/v1/events?${query}`)) {
          process.stdout.write(options.json ? `${JSON.stringify(e)}\n` : `${formatEvent(e)}\n`);
        }
      }),
    );
}

export function formatEvent(e: DaemonEvent): string {
  const who = [e.project, e.service && `${e.service}${e.replica ? `#${e.replica}` : ''}`].filter(Boolean).join('/');
  return `${e.time} ${who} ${e.type}: ${e.message}`;
}
