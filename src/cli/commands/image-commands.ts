// `composed pull|build|create [SERVICE...]`: the images a project needs, pulled or built by the
// daemon's engine connection. Nothing is supervised, so these work before the first `up`.
import { Command } from 'commander';
import type { LoadRequest, UpProgress } from '../../protocol/api.js';
import { action, addProjectOptions, clientFor, UsageError, type ProjectOptions } from '../common.js';
import { loadRequestFor } from '../local-project.js';
import { ApiError, type DaemonClient } from '../client.js';
import { ensureDaemon } from '../daemon-launcher.js';
import { repeatable } from '../project-options.js';
import { PullProgressRenderer, type ProgressLine } from '../render/pull-progress.js';

interface ImageOptions {
  quiet?: boolean;
  buildArg?: string[];
  cache?: boolean;
}

export function registerImageCommands(program: Command): void {
  addProjectOptions(program.command('pull'))
    .description('pull the images of services that have no build section')
    .argument('[service...]')
    .option('-q, --quiet', 'print nothing but errors')
    .addHelpText('after', `
On a terminal each layer has a line, redrawn in place; elsewhere each image gets one line: its
digest, layers and size. A pulled image under a tag that moved rolls out on the next \`composed up\`.

Examples:
  composed pull
  composed pull web worker`)
    .action(action<ImageOptions>((services, options) => ensureImages('pull', services, options)));

  addProjectOptions(program.command('build'))
    .description('build the images of services that have a build section')
    .argument('[service...]')
    .option('--build-arg <KEY=VALUE>', 'set a build argument, repeatable', repeatable)
    .option('--no-cache', 'run every build step again instead of using the engine\'s cache')
    .option('--pull', 'accepted: base images are pulled when missing')
    .option('-q, --quiet', 'print nothing but errors')
    .addHelpText('after', `
A rebuilt image is a config change: the daemon rolls it out on the next reload (\`composed up\`).

Examples:
  composed build
  composed build --no-cache --build-arg VERSION=2 api`)
    .action(action<ImageOptions>((services, options) => ensureImages('build', services, options)));

  addProjectOptions(program.command('create'))
    .description('prepare what `up` needs (pull or build missing images, as pull_policy says) without supervising anything')
    .argument('[service...]')
    .option('-q, --quiet', 'print nothing but errors')
    .addHelpText('after', '\ncomposed never creates a container it does not start and watch; `composed up` does both.\n\nExample:\n  composed create && composed up -d')
    .action(action<ImageOptions>((services, options) => ensureImages('prepare', services, options)));
}

async function ensureImages(mode: 'pull' | 'build' | 'prepare', services: string[], options: ImageOptions & ProjectOptions): Promise<void> {
  const buildArgs: Record<string, string> = {};
  for (const arg of options.buildArg ?? []) {
    const at = arg.indexOf('=');
    if (at <= 0) throw new UsageError(`--build-arg: ${JSON.stringify(arg)} is not KEY=VALUE`);
    buildArgs[arg.slice(0, at)] = arg.slice(at + 1);
  }
  const say = (line: string) => options.quiet || process.stdout.write(`${line}\n`);
  const client = clientFor(options);
  await ensureDaemon(client, say);
  await requestImages(client, { load: await loadRequestFor(options), services, mode, buildArgs, ...(options.cache === false ? { noCache: true } : {}) }, progressPrinter(options.quiet));
}

/** One POST /v1/images, its progress shown as it comes (also `up --build`). */
export async function requestImages(client: DaemonClient, body: { load: LoadRequest; services: string[]; mode: 'pull' | 'build' | 'prepare'; buildArgs?: Record<string, string>; noCache?: boolean }, show: (line: ProgressLine) => void): Promise<void> {
  for await (const line of client.lines<UpProgress>('/v1/images', { method: 'POST', body })) {
    if (line.kind === 'progress') show(line);
    if (line.kind === 'error') throw new ApiError(500, line.error);
  }
}

/** Progress lines to stdout: layers redrawn in place on a terminal, a line per image elsewhere. */
export function progressPrinter(quiet: boolean | undefined): (line: ProgressLine) => void {
  if (quiet) return () => undefined;
  const terminal = process.stdout.isTTY === true && process.env['TERM'] !== 'dumb';
  const renderer = new PullProgressRenderer(terminal ? (process.stdout.columns ?? 80) : undefined);
  return (line) => {
    const text = renderer.render(line);
    if (text) process.stdout.write(text);
  };
}
