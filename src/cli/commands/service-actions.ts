// `composed scale|restart|stop|start`: one request per service named.
import { Command } from 'commander';
import { action, addProjectOptions, clientFor, projectNameFor, projectPath, UsageError, type ProjectOptions } from '../common.js';

export function registerServiceActions(program: Command): void {
  addProjectOptions(program.command('scale'))
    .description('set the replica count of services (an autoscaled service continues from there within its bounds)')
    .argument('<service=replicas...>', 'e.g. web=3 worker=2')
    .action(
      action(async (pairs: string[], options: ProjectOptions) => {
        const targets = pairs.map(parseScale);
        const project = await projectNameFor(options);
        const client = clientFor(options);
        for (const { service, replicas } of targets) {
          await client.json(projectPath(project, `/services/${encodeURIComponent(service)}/scale`), { method: 'POST', body: { replicas } });
          process.stdout.write(`${service} scaled to ${replicas}\n`);
        }
      }),
    );

  const verbs: Array<[string, string, string]> = [
    ['restart', 'replace every replica of the services (clears a service that gave up)', 'restarted'],
    ['stop', 'stop the services\' replicas and keep them stopped', 'stopped'],
    ['start', 'start services stopped with `composed stop`', 'started'],
  ];
  for (const [verb, description, done] of verbs) {
    addProjectOptions(program.command(verb))
      .description(description)
      .argument('<service...>')
      .action(
        action(async (services: string[], options: ProjectOptions) => {
          const project = await projectNameFor(options);
          const client = clientFor(options);
          for (const service of services) {
            await client.json(projectPath(project, `/services/${encodeURIComponent(service)}/${verb}`), { method: 'POST' });
            process.stdout.write(`${service} ${done}\n`);
          }
        }),
      );
  }
}

function parseScale(pair: string): { service: string; replicas: number } {
  const match = /^([^=]+)=(\d+)$/.exec(pair);
  if (!match) throw new UsageError(`${JSON.stringify(pair)} is not SERVICE=REPLICAS (e.g. web=3)`);
  return { service: match[1] as string, replicas: Number(match[2]) };
}
