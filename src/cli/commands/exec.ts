// `composed exec SERVICE CMD...`: run a command in a running replica, attached to this terminal,
// and exit with the command's exit code.
import { Command, Option } from 'commander';
import type { ExecRequest } from '../../protocol/session.js';
import { action, addProjectOptions, clientFor, projectNameFor, servicePath, UsageError } from '../common.js';
import { envEntries, wantsTty } from '../process-flags.js';
import { repeatable } from '../project-options.js';
import { runSession } from '../session.js';

interface ExecOptions {
  TTY?: boolean;
  detach?: boolean;
  user?: string;
  workdir?: string;
  env?: string[];
  index: string;
  privileged?: boolean;
}

export function registerExec(program: Command): void {
  addProjectOptions(program.command('exec'))
    .description('run a command in a running replica of a service; exits with the command\'s exit code')
    .argument('<service>')
    .argument('<command...>')
    .passThroughOptions()
    .option('-T, --no-TTY', 'no pseudo-terminal (the default when stdin is not a terminal)')
    .option('-d, --detach', 'run the command in the background')
    .option('-u, --user <user>', 'run as this user (name or uid[:gid])')
    .option('-w, --workdir <dir>', 'working directory inside the container')
    .option('-e, --env <KEY[=VALUE]>', 'set an environment variable, repeatable', repeatable)
    .addOption(new Option('--index <n>', 'which replica (1 for the first)').default('1'))
    .option('--privileged', 'give the process extended privileges')
    .addHelpText('after', `
Examples:
  composed exec web sh
  composed exec -T web cat /etc/hostname
  composed exec --index 2 -e DEBUG=1 worker env
  composed exec web sh -c 'exit 3'; echo $?    # 3`)
    .action(
      action<ExecOptions>(async ([service, ...cmd], options) => {
        if (!/^[1-9]\d*$/.test(options.index)) throw new UsageError(`--index: ${JSON.stringify(options.index)} is not a replica number (1, 2, ...)`);
        const tty = !options.detach && wantsTty(options.TTY, process.stdin.isTTY);
        const request: ExecRequest = {
          cmd,
          tty,
          interactive: !options.detach,
          detach: options.detach ?? false,
          env: envEntries(options.env),
          index: Number(options.index),
          privileged: options.privileged ?? false,
          ...(options.user !== undefined ? { user: options.user } : {}),
          ...(options.workdir !== undefined ? { workdir: options.workdir } : {}),
        };
        const project = await projectNameFor(options);
        const outcome = await runSession(clientFor(options), servicePath(project, service as string, '/exec'), request);
        process.exitCode = outcome.exitCode;
      }),
    );
}
