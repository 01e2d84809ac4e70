// `composed watch [SERVICE...]`: compose watch over the daemon. The project is handed to the daemon
// (as `up -d`), then each develop.watch rule's path is followed here, where the files are: changes
// settle for a moment, then `sync` writes them into the running replicas, `sync+restart` also
// restarts each replica in place (its synced files kept), `restart` only restarts them, and
// `rebuild` builds the image and reloads the
// project, which rolls the new image out (start-first, rolled back if it fails). The daemon's own
// watching of the compose file goes on as ever.
import { Command } from 'commander';
import { watch as watchPaths, type FSWatcher } from 'chokidar';
import { relative } from 'node:path';
import type { Service, WatchRule } from '../../compose/model.js';
import type { SyncResponse, UpProgress } from '../../protocol/api.js';
import { ApiError, type DaemonClient } from '../client.js';
import { action, addProjectOptions, clientFor, servicePath, UsageError, type ProjectOptions } from '../common.js';
import { ensureDaemon } from '../daemon-launcher.js';
import { loadLocal, loadRequestFor } from '../local-project.js';
import { ignoreMatcher } from '../watch/ignore.js';
import { syncBatches } from '../watch/sync-batches.js';
import { requestImages } from './image-commands.js';

/** How long changes must be quiet before a rule acts: an editor's save or a `git checkout` is one batch. */
const SETTLE_MS = 300;

interface WatchOptions extends ProjectOptions {
  up?: boolean;
  quiet?: boolean;
}

export function registerWatch(program: Command): void {
  addProjectOptions(program.command('watch'))
    .description('follow the services\' develop.watch rules: sync changed files into the running replicas, restart, or rebuild and roll out')
    .argument('[service...]', 'services to watch (default: every service with develop.watch)')
    .option('--no-up', 'do not hand the project to the daemon first (it is supervised already)')
    .option('--quiet', 'print only errors')
    .addHelpText('after', `
Runs until Ctrl-C; the daemon keeps the services running afterwards. Edits of the compose file
itself are rolled out by the daemon, as always, not by watch.

Examples:
  composed watch
  composed -p demo watch --no-up web`)
    .action(action<WatchOptions>(watch));
}

async function watch(names: string[], options: WatchOptions): Promise<void> {
  const say = (line: string) => options.quiet || process.stdout.write(`${line}\n`);
  const { project } = await loadLocal(options);
  for (const name of names) if (!project.services[name]) throw new UsageError(`no such service: ${name} (the file has ${Object.keys(project.services).join(', ')})`);
  const services = Object.values(project.services).filter((s) => (names.length === 0 || names.includes(s.name)) && (s.develop?.watch.length ?? 0) > 0);
  if (services.length === 0) throw new UsageError(`${names.length ? names.join(', ') : 'no service'} has no develop.watch rules to follow`);
  const client = clientFor(options);
  await ensureDaemon(client, say);
  if (options.up !== false) await handOver(client, options, () => undefined);

  const run = sequential((error) => process.stderr.write(`composed: watch: ${error instanceof Error ? error.message : String(error)}\n`));
  const watchers: FSWatcher[] = [];
  for (const service of services) {
    for (const rule of service.develop!.watch) {
      const ignored = ignoreMatcher(rule.ignore);
      const pending = new Set<string>();
      let timer: NodeJS.Timeout | undefined;
      const changed = (path: string) => {
        pending.add(path);
        clearTimeout(timer);
        timer = setTimeout(() => {
          const paths = [...pending];
          pending.clear();
          run(() => act(client, options, project.name, service, rule, paths, say));
        }, SETTLE_MS);
      };
      const watcher = watchPaths(rule.path, { ignoreInitial: true, ignored: (path) => ignored(relative(rule.path, path)) });
      for (const event of ['add', 'change', 'unlink'] as const) watcher.on(event, changed);
      watcher.on('error', (error) => process.stderr.write(`composed: watch ${rule.path}: ${String(error)}\n`));
      await new Promise<void>((resolve) => watcher.once('ready', () => resolve()));
      watchers.push(watcher);
    }
  }
  say(`watching ${watchers.length} path${watchers.length === 1 ? '' : 's'} for ${services.map((s) => s.name).join(', ')}; Ctrl-C stops watching (the daemon keeps the services running)`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await Promise.all(watchers.map((w) => w.close()));
}

async function act(client: DaemonClient, options: WatchOptions, project: string, service: Service, rule: WatchRule, paths: string[], say: (line: string) => void): Promise<void> {
  if (rule.action !== 'rebuild') {
    const replicas = new Set<string>();
    const restarts = rule.action !== 'sync';
    const batches = rule.action === 'restart' ? [] : syncBatches(rule, paths);
    // The last request restarts each replica in place (as compose restarts it), so what was synced stays.
    if (restarts && batches.length === 0) batches.push({ files: [], remove: [] });
    for (const [i, batch] of batches.entries()) {
      const restart = restarts && i === batches.length - 1 ? '?restart=1' : '';
      const answer = await client.json<SyncResponse>(`${servicePath(project, service.name, '/sync')}${restart}`, { method: 'POST', body: batch });
      for (const r of answer.replicas) replicas.add(r);
    }
    const into = replicas.size ? [...replicas].sort().join(', ') : 'no running replica';
    const what = rule.action === 'restart' ? 'restarted' : `synced ${paths.length} change${paths.length === 1 ? '' : 's'} into`;
    say(`${service.name}: ${rule.path} changed: ${what} ${into}${rule.action === 'sync+restart' ? ', restarted in place' : ''}`);
    return;
  }
  say(`${service.name}: ${rule.path} changed: rebuilding`);
  await requestImages(client, { load: await loadRequestFor(options), services: [service.name], mode: 'build' }, (line) => say(`${line.resource}: ${line.message}`));
  await handOver(client, options, say);
  say(`${service.name}: rebuilt; the daemon rolls the new image out`);
}

/** The project to the daemon, as `up -d` hands it (a new image is a config change it rolls out). */
async function handOver(client: DaemonClient, options: WatchOptions, say: (line: string) => void): Promise<void> {
  for await (const line of client.lines<UpProgress>('/v1/projects', { method: 'POST', body: await loadRequestFor(options) })) {
    if (line.kind === 'progress') say(`${line.resource}: ${line.message}`);
    if (line.kind === 'error') throw new ApiError(500, line.error);
  }
}

/** Runs actions one after another, in the order the changes settled; a failure is reported, watching goes on. */
function sequential(report: (error: unknown) => void): (work: () => Promise<void>) => void {
  let chain = Promise.resolve();
  return (work) => {
    chain = chain.then(work).catch(report);
  };
}
