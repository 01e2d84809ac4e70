// `composed dashboard`: a one-time login link for the daemon's dashboard (asked over the unix
// socket, which needs no token); the link sets the browser's session cookie and is then spent.
import type { Command } from 'commander';
import type { DashboardLogin } from '../../protocol/dashboard.js';
import { action, clientFor, socketOption, type SocketOptions } from '../common.js';

export function registerDashboard(program: Command): void {
  program
    .command('dashboard')
    .description('print a one-time login link to the dashboard (the daemon must run with --http)')
    .addOption(socketOption())
    .option('--json', 'print the link, its expiry and the token file as JSON')
    .addHelpText('after', '\nExamples:\n  composed daemon --http 127.0.0.1:8765 &\n  composed dashboard            # open the link within 5 minutes; it works once')
    .action(
      action(async (_args, opts: SocketOptions & { json?: boolean }) => {
        const login = await clientFor(opts).json<DashboardLogin>('/v1/dashboard/login', { method: 'POST' });
        if (opts.json) {
          process.stdout.write(`${JSON.stringify(login, null, 2)}\n`);
          return;
        }
        process.stdout.write(`${login.url}\n`);
        process.stderr.write(`Open it within 5 minutes (until ${login.expiresAt}); it works once. Scripts send Authorization: Bearer $(cat ${login.tokenFile}).\n`);
      }),
    );
}
