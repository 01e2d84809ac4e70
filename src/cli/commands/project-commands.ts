// `composed ls|version|wait|rm`: the projects the daemon supervises, the versions, waiting for
// replicas to stop, and removing stopped one-off containers.
import { Command } from 'commander';
import type { ProjectSummary } from '../../protocol/api.js';
import { action, addProjectOptions, clientFor, projectNameFor, socketOption, type SocketOptions } from '../common.js';
import { containerPath, projectContainers, replicasOf } from '../containers.js';
import { renderTable } from '../render/table.js';
import { readVersion } from '../version.js';

export function registerProjectCommands(program: Command): void {
  program
    .command('ls')
    .description('the projects the daemon supervises, their state and compose files')
    .option('-a, --all', 'accepted: every supervised project is listed, running or not')
    .option('-q, --quiet', 'only project names')
    .option('--format <format>', 'table or json', 'table')
    .option('--filter <name=NAME>', 'only the project with this name')
    .addOption(socketOption())
    .addHelpText('after', '\nExamples:\n  composed ls\n  composed ls --format json')
    .action(
      action<SocketOptions & { quiet?: boolean; format: string; filter?: string }>(async (_args, options) => {
        const wanted = options.filter?.replace(/^name=/, '');
        const projects = (await clientFor(options).json<ProjectSummary[]>('/v1/projects')).filter((p) => !wanted || p.name === wanted);
        const rows = projects.map((p) => ({ Name: p.name, Status: p.running > 0 ? `running(${p.running})` : 'exited(0)', ConfigFiles: p.configFiles.join(',') }));
        if (options.quiet) process.stdout.write(rows.map((r) => `${r.Name}\n`).join(''));
        else if (options.format === 'json') process.stdout.write(`${JSON.stringify(rows)}\n`);
        else process.stdout.write(`${renderTable(['NAME', 'STATUS', 'CONFIG FILES'], rows.map((r) => [r.Name, r.Status, r.ConfigFiles]))}\n`);
      }),
    );

  program
    .command('version')
    .description('the CLI\'s version, and the daemon\'s when one answers')
    .option('--short', 'only the CLI\'s version number')
    .option('-f, --format <format>', 'pretty or json', 'pretty')
    .addOption(socketOption())
    .addHelpText('after', '\nExamples:\n  composed version\n  composed version --short')
    .action(
      action<SocketOptions & { short?: boolean; format: string }>(async (_args, options) => {
        const version = readVersion();
        if (options.short) return void process.stdout.write(`${version}\n`);
        const daemon = await clientFor(options).json<{ version: string }>('/v1/version').then((v) => v.version, () => undefined);
        if (options.format === 'json') process.stdout.write(`${JSON.stringify({ version, daemon: daemon ?? null })}\n`);
        else process.stdout.write(`composed version ${version}\n${daemon ? `daemon version ${daemon}` : `no daemon answers on ${options.socket}`}\n`);
      }),
    );

  addProjectOptions(program.command('wait'))
    .description('wait until the services\' current replicas have stopped; exits with the first one\'s exit code')
    .argument('<service...>')
    .addHelpText('after', '\nA replica the daemon replaces counts as stopped: wait is about the containers running now.\n\nExample:\n  composed wait migrate && echo migrated')
    .action(
      action(async (services, options) => {
        const project = await projectNameFor(options);
        const client = clientFor(options);
        const watched = new Set(replicasOf(await projectContainers(client, project), services).map((c) => c.ID));
        for (;;) {
          const now = (await projectContainers(client, project)).filter((c) => watched.has(c.ID));
          const stopped = now.filter((c) => c.State === 'exited' || c.State === 'dead');
          if (stopped.length + (watched.size - now.length) >= watched.size) {
            process.exitCode = stopped[0]?.ExitCode ?? 0;
            return;
          }
          await new Promise((r) => setTimeout(r, 200));
        }
      }),
    );

  addProjectOptions(program.command('rm'), { shortFile: false })
    .description('remove stopped one-off containers (from `composed run`); replicas are the daemon\'s, `composed down` removes them')
    .argument('[service...]')
    .option('-f, --force', 'accepted: nothing is asked')
    .option('-s, --stop', 'refused for replicas; one-offs that still run are left')
    .option('-v, --volumes', 'accepted')
    .addHelpText('after', '\nExample:\n  composed rm')
    .action(
      action(async (services, options) => {
        const project = await projectNameFor(options);
        const client = clientFor(options);
        const oneOffs = (await projectContainers(client, project)).filter((c) => c.OneOff && c.State !== 'running' && (services.length === 0 || services.includes(c.Service)));
        for (const c of oneOffs) {
          await client.json(containerPath(project, c.Name), { method: 'DELETE' });
          process.stdout.write(`${c.Name} removed\n`);
        }
        if (oneOffs.length === 0) process.stdout.write('no stopped one-off containers to remove\n');
      }),
    );
}
