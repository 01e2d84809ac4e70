// `composed top|stats|port|images`: what runs in the replicas and where to reach them.
import { Command } from 'commander';
import type { ContainerProcesses, ContainerStats } from '../../protocol/compose-containers.js';
import { action, addProjectOptions, clientFor, projectNameFor, UsageError } from '../common.js';
import { containerPath, projectContainers, replicasOf } from '../containers.js';
import { renderTemplate } from '../render/go-template.js';
import { renderTable } from '../render/table.js';
import { binaryBytes } from '../render/bytes.js';

export function registerInspectCommands(program: Command): void {
  addProjectOptions(program.command('top'))
    .description('the processes running in each replica')
    .argument('[service...]')
    .addHelpText('after', '\nExamples:\n  composed top\n  composed top web')
    .action(
      action(async (services, options) => {
        const project = await projectNameFor(options);
        const client = clientFor(options);
        const running = replicasOf(await projectContainers(client, project), services).filter((c) => c.State === 'running');
        const tables = await Promise.all(running.map((c) => client.json<ContainerProcesses>(containerPath(project, c.Name, '/top'))));
        process.stdout.write(tables.map((t) => `${t.container}\n${renderTable(t.titles, t.processes)}\n`).join('\n'));
      }),
    );

  addProjectOptions(program.command('stats'))
    .description('CPU and memory of each running replica')
    .argument('[service...]')
    .option('--no-stream', 'print one sample and exit (the default when stdout is not a terminal)')
    .option('--format <format>', 'table, json (one object per line) or a Go template', 'table')
    .addHelpText('after', '\nExamples:\n  composed stats --no-stream\n  composed stats --no-stream --format json worker')
    .action(
      action<{ stream?: boolean; format: string }>(async (services, options) => {
        const project = await projectNameFor(options);
        const client = clientFor(options);
        const stream = options.stream !== false && process.stdout.isTTY === true;
        for (;;) {
          const running = replicasOf(await projectContainers(client, project), services).filter((c) => c.State === 'running');
          const samples = await Promise.all(running.map((c) => client.json<ContainerStats>(containerPath(project, c.Name, '/stats'))));
          const rows = samples.map(statsRow);
          const text = options.format === 'json' ? rows.map((r) => `${JSON.stringify(r)}\n`).join('') : options.format === 'table' ? `${renderTable(['NAME', 'CPU %', 'MEM USAGE / LIMIT', 'MEM %', 'PIDS'], rows.map((r) => [r.Name, r.CPUPerc, r.MemUsage, r.MemPerc, r.PIDs]))}\n` : renderTemplate(options.format, rows);
          process.stdout.write(stream ? `\u001b[2J\u001b[H${text}` : text);
          if (!stream) return;
          await new Promise((r) => setTimeout(r, 2_000));
        }
      }),
    );

  addProjectOptions(program.command('port'))
    .description('the address a published port of a service is reached at (the built-in balancer\'s when composed publishes it)')
    .argument('<service>')
    .argument('<private_port>')
    .option('--protocol <protocol>', 'tcp or udp', 'tcp')
    .option('--index <n>', 'which replica', '1')
    .addHelpText('after', '\nExamples:\n  composed port web 80\n  curl "http://$(composed port web 80)/"')
    .action(
      action<{ protocol: string; index: string }>(async ([service, privatePort], options) => {
        if (!/^\d+$/.test(privatePort ?? '')) throw new UsageError(`${JSON.stringify(privatePort)} is not a port number`);
        const project = await projectNameFor(options);
        const replica = replicasOf(await projectContainers(clientFor(options), project), [service as string]).find((c) => c.Number === Number(options.index));
        if (!replica) throw new UsageError(`service ${service} has no replica #${options.index}`);
        const published = replica.Publishers.find((p) => p.TargetPort === Number(privatePort) && p.Protocol === options.protocol && p.PublishedPort > 0);
        if (!published) throw new UsageError(`no port ${privatePort}/${options.protocol} published for ${replica.Name}`);
        process.stdout.write(`${published.URL || '0.0.0.0'}:${published.PublishedPort}\n`);
      }),
    );

  addProjectOptions(program.command('images'))
    .description('the images the replicas run')
    .argument('[service...]')
    .option('-q, --quiet', 'only image ids')
    .option('--format <format>', 'table or json', 'table')
    .addHelpText('after', '\nExamples:\n  composed images\n  composed images -q web')
    .action(
      action<{ quiet?: boolean; format: string }>(async (services, options) => {
        const project = await projectNameFor(options);
        const rows = replicasOf(await projectContainers(clientFor(options), project), services).map((c) => {
          const [repository, tag = 'latest'] = splitReference(c.Image);
          return { ContainerName: c.Name, Repository: repository, Tag: tag, ID: c.ImageID };
        });
        if (options.quiet) process.stdout.write([...new Set(rows.map((r) => r.ID))].map((id) => `${id}\n`).join(''));
        else if (options.format === 'json') process.stdout.write(`${JSON.stringify(rows)}\n`);
        else process.stdout.write(`${renderTable(['CONTAINER', 'REPOSITORY', 'TAG', 'IMAGE ID'], rows.map((r) => [r.ContainerName, r.Repository, r.Tag, r.ID.replace(/^sha256:/, '').slice(0, 12)]))}\n`);
      }),
    );
}

function statsRow(s: ContainerStats): { Name: string; Service: string; CPUPerc: string; MemUsage: string; MemPerc: string; PIDs: string } {
  return {
    Name: s.container,
    Service: s.service,
    CPUPerc: `${s.cpuPercent.toFixed(2)}%`,
    MemUsage: `${binaryBytes(s.memoryBytes)} / ${binaryBytes(s.memoryLimitBytes)}`,
    MemPerc: `${s.memoryLimitBytes ? ((100 * s.memoryBytes) / s.memoryLimitBytes).toFixed(2) : '0.00'}%`,
    PIDs: String(s.pids),
  };
}

/** `registry:5000/app:1.2` -> [`registry:5000/app`, `1.2`]; a digest keeps its `@`. */
function splitReference(ref: string): [string, string | undefined] {
  const at = ref.indexOf('@');
  if (at >= 0) return [ref.slice(0, at), ref.slice(at + 1)];
  const colon = ref.lastIndexOf(':');
  return colon > ref.lastIndexOf('/') ? [ref.slice(0, colon), ref.slice(colon + 1)] : [ref, undefined];
}
