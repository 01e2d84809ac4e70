// `composed kill|pause|unpause [SERVICE...]`: one engine call per replica. Under supervision:
// kill sends a signal and whatever follows is the supervisor's (a replica that dies of it is a
// crash its restart policy answers, exactly as after `docker kill`; a HUP that reloads is just
// that); pause freezes replicas and the supervisor leaves paused ones alone until unpause.
import { Command } from 'commander';
import { action, addProjectOptions, clientFor, projectNameFor } from '../common.js';
import { containerPath, projectContainers, replicasOf } from '../containers.js';

interface KillOptions {
  signal: string;
}

export function registerContainerActions(program: Command): void {
  addProjectOptions(program.command('kill'))
    .description('send a signal to the replicas (SIGKILL by default); a replica that dies of it is replaced as its restart policy says, as after `docker kill`')
    .argument('[service...]')
    .option('-s, --signal <signal>', 'signal to send (SIGTERM, HUP, 9, ...)', 'SIGKILL')
    .addHelpText('after', `
To stop services so that they stay stopped, use \`composed stop\`.

Examples:
  composed kill web
  composed kill -s HUP proxy      # reload, nothing is replaced`)
    .action(
      action<KillOptions>(async (services, options) => {
        const project = await projectNameFor(options);
        const client = clientFor(options);
        for (const c of replicasOf(await projectContainers(client, project), services).filter((x) => x.State === 'running')) {
          await client.json(containerPath(project, c.Name, '/kill'), { method: 'POST', body: { signal: options.signal } });
          process.stdout.write(`${c.Name} ${options.signal}\n`);
        }
      }),
    );

  const verbs: Array<[string, string, string, string]> = [
    ['pause', 'freeze the replicas\' processes; the supervisor leaves paused replicas alone (no replacement, no health action) until unpause', 'running', 'paused'],
    ['unpause', 'resume paused replicas', 'paused', 'unpaused'],
  ];
  for (const [verb, description, fromState, done] of verbs) {
    addProjectOptions(program.command(verb))
      .description(description)
      .argument('[service...]')
      .addHelpText('after', `\nExamples:\n  composed ${verb}\n  composed ${verb} worker`)
      .action(
        action(async (services, options) => {
          const project = await projectNameFor(options);
          const client = clientFor(options);
          for (const c of replicasOf(await projectContainers(client, project), services).filter((x) => x.State === fromState)) {
            await client.json(containerPath(project, c.Name, `/${verb}`), { method: 'POST' });
            process.stdout.write(`${c.Name} ${done}\n`);
          }
        }),
      );
  }
}
