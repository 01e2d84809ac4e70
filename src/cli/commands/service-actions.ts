// `composed scale|restart|stop|start`: one request per service; no service named means every
// service of the project, as docker compose does.
import { Command } from 'commander';
import type { ProjectStatus } from '../../protocol/api.js';
import type { RollingRestartResponse } from '../../protocol/history.js';
import { action, addProjectOptions, clientFor, projectNameFor, projectPath, servicePath, UsageError, type ProjectOptions } from '../common.js';
import type { DaemonClient } from '../client.js';
import { parseScale } from './up.js';

interface ActionOptions extends ProjectOptions {
  timeout?: string;
  rolling?: boolean;
}

export function registerServiceActions(program: Command): void {
  addProjectOptions(program.command('scale'))
    .description('set the replica count of services (an autoscaled service continues from there within its bounds)')
    .argument('<service=replicas...>', 'e.g. web=3 worker=2')
    .addHelpText('after', '\nExample:\n  composed scale web=3 worker=2')
    .action(
      action(async (pairs, options) => {
        const targets = pairs.map(parseScale);
        const project = await projectNameFor(options);
        const client = clientFor(options);
        for (const { service, replicas } of targets) {
          await client.json(servicePath(project, service, '/scale'), { method: 'POST', body: { replicas } });
          process.stdout.write(`${service} scaled to ${replicas}\n`);
        }
      }),
    );

  const verbs: Array<[string, string, string]> = [
    ['restart', 'replace every replica of the services (clears a service that gave up)', 'restarted'],
    ['stop', 'stop the services\' replicas and keep them stopped (the restart policy does not undo a user\'s stop)', 'stopped'],
    ['start', 'start services stopped with `composed stop`', 'started'],
  ];
  for (const [verb, description, done] of verbs) {
    const command = addProjectOptions(program.command(verb))
      .description(`${description}; every service when none is named`)
      .argument('[service...]');
    if (verb !== 'start') command.option('-t, --timeout <seconds>', 'seconds each container gets to stop before SIGKILL (default: its stop_grace_period)');
    if (verb === 'restart') command.option('--rolling', 'replace the replicas one at a time, each new one ready before the old one drains and stops (start-first where the service publishes no fixed host port), so the service keeps serving');
    command
      .addHelpText('after', `\nExamples:\n  composed ${verb}\n  composed -p demo ${verb}${verb === 'start' ? '' : ' -t 5'} web worker${verb === 'restart' ? '\n  composed restart --rolling web' : ''}`)
      .action(
        action<ActionOptions>(async (services, options) => {
          const project = await projectNameFor(options);
          const client = clientFor(options);
          const query = timeoutQuery(options.timeout);
          if (options.rolling) {
            if (options.timeout !== undefined) throw new UsageError('-t does not go with --rolling: a rolling restart stops each old replica within its stop_grace_period');
            for (const service of services.length ? services : await projectServices(client, project)) await rollingRestart(client, project, service);
            return;
          }
          for (const service of services.length ? services : await projectServices(client, project)) {
            await client.json(`${servicePath(project, service, `/${verb}`)}${query}`, { method: 'POST' });
            process.stdout.write(`${service} ${done}\n`);
          }
        }),
      );
  }
}

async function rollingRestart(client: DaemonClient, project: string, service: string): Promise<void> {
  const answer = await client.json<RollingRestartResponse>(servicePath(project, service, '/rolling-restart'), { method: 'POST' });
  process.stdout.write(`${service} restarting replica by replica (${answer.replicas} replica${answer.replicas === 1 ? '' : 's'}, ${answer.order}); composed status shows the roll-out\n`);
}

function timeoutQuery(timeout: string | undefined): string {
  if (timeout === undefined) return '';
  if (!/^\d+$/.test(timeout)) throw new UsageError(`-t: ${JSON.stringify(timeout)} is not a whole number of seconds`);
  return `?timeout=${timeout}`;
}

export async function projectServices(client: DaemonClient, project: string): Promise<string[]> {
  return (await client.json<ProjectStatus>(projectPath(project, '/status'))).services.map((s) => s.name);
}
