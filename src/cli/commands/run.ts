// `composed run SERVICE [CMD...]`: a one-off container with the service's config, networks and
// volumes, labelled as compose labels one-offs. The daemon never supervises, counts or replaces it.
import { Command } from 'commander';
import { splitShellWords } from '../../compose/shell-words.js';
import type { RunRequest } from '../../protocol/session.js';
import { action, addProjectOptions, clientFor, projectNameFor, servicePath, UsageError } from '../common.js';
import { envEntries, wantsTty } from '../process-flags.js';
import { repeatable } from '../project-options.js';
import { runSession } from '../session.js';

interface RunOptions {
  rm?: boolean;
  TTY?: boolean;
  detach?: boolean;
  env?: string[];
  user?: string;
  workdir?: string;
  entrypoint?: string;
  deps?: boolean;
  publish?: string[];
  name?: string;
  volume?: string[];
}

export function registerRun(program: Command): void {
  addProjectOptions(program.command('run'), { shortProject: false })
    .description('run a one-off command in a new container of a service (never supervised, never a replica); exits with its exit code')
    .argument('<service>')
    .argument('[command...]', 'overrides the service\'s command')
    .passThroughOptions()
    .option('--rm', 'remove the container (and its anonymous volumes) when it exits')
    .option('-T, --no-TTY', 'no pseudo-terminal (the default when stdin is not a terminal)')
    .option('-d, --detach', 'start it in the background and print its name')
    .option('-e, --env <KEY[=VALUE]>', 'set an environment variable, repeatable', repeatable)
    .option('-u, --user <user>', 'run as this user')
    .option('-w, --workdir <dir>', 'working directory inside the container')
    .option('--entrypoint <cmd>', 'override the image\'s entrypoint (split like a shell would)')
    .option('--no-deps', 'accepted: the project\'s services are already supervised, so nothing more is started')
    .option('-p, --publish <[ip:]host:container>', 'publish a port, repeatable (the service\'s own ports are not published)', repeatable)
    .option('--name <name>', 'container name (default: <project>-<service>-run-<random>)')
    .option('-v, --volume <[source:]target[:mode]>', 'mount a volume, repeatable', repeatable)
    .addHelpText('after', `
The project must be up (\`composed up\`): run uses its networks and volumes.

Examples:
  composed run --rm web sh
  composed run --rm -T -e MODE=test web ./migrate.sh; echo $?
  composed --project-name demo run -d --name demo-debug -p 127.0.0.1:9000:80 web`)
    .action(
      action<RunOptions>(async ([service, ...command], options) => {
        const tty = !options.detach && wantsTty(options.TTY, process.stdin.isTTY);
        const request: RunRequest = {
          command,
          tty,
          interactive: !options.detach,
          detach: options.detach ?? false,
          rm: options.rm ?? false,
          env: envEntries(options.env),
          publish: options.publish ?? [],
          volumes: options.volume ?? [],
          cwd: process.cwd(),
          ...(options.entrypoint !== undefined ? { entrypoint: entrypointWords(options.entrypoint) } : {}),
          ...(options.user !== undefined ? { user: options.user } : {}),
          ...(options.workdir !== undefined ? { workdir: options.workdir } : {}),
          ...(options.name !== undefined ? { name: options.name } : {}),
        };
        const project = await projectNameFor(options);
        const outcome = await runSession(clientFor(options), servicePath(project, service as string, '/run'), request);
        if (options.detach && outcome.container) process.stdout.write(`${outcome.container}\n`);
        process.exitCode = outcome.exitCode;
      }),
    );
}

function entrypointWords(text: string): string[] {
  const words = splitShellWords(text);
  if (!words.ok) throw new UsageError(`--entrypoint: ${words.error}`);
  return words.words;
}
