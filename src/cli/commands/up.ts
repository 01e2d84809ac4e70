// `composed up [SERVICE...]`: validate here (nothing is sent when the file is bad), make sure a
// daemon runs, hand the project over, show progress; with --wait return only once everything is
// ready; without -d, attach to the logs on a terminal until Ctrl-C (the daemon keeps running them).
import { Command, Option } from 'commander';
import { PULL_OVERRIDES, type DaemonEvent, type ProjectStatus, type PullOverride, type UpProgress } from '../../protocol/api.js';
import { formatDiagnostic } from '../../compose/errors.js';
import { action, addProjectOptions, clientFor, projectPath, servicePath, UsageError, type ProjectOptions } from '../common.js';
import { loadLocal, loadRequestFor } from '../local-project.js';
import { ApiError, type DaemonClient } from '../client.js';
import { ensureDaemon } from '../daemon-launcher.js';
import { parseDuration } from '../duration.js';
import { repeatable } from '../project-options.js';
import { settledState } from '../readiness.js';
import { attachToLogs, shouldAttach } from '../up-attach.js';
import { progressPrinter, requestImages } from './image-commands.js';
import { printPreview } from './preview.js';

interface UpOptions extends ProjectOptions {
  detach?: boolean;
  wait?: boolean;
  waitTimeout: string;
  quiet?: boolean;
  forceRecreate?: boolean;
  recreate?: boolean;
  scale?: string[];
  start?: boolean;
  build?: boolean;
  pull?: PullOverride;
  deps?: boolean;
  removeOrphans?: boolean;
  dryRun?: boolean;
}

export function registerUp(program: Command): void {
  addProjectOptions(program.command('up'))
    .description('validate the compose file and hand the project to the daemon (starting one if none runs); it keeps the services running until `composed down`')
    .argument('[service...]', 'start only these services and what they depend on; the file\'s others are left as they are (not started when new, unchanged when running)')
    .option('-d, --detach', 'return once started, do not attach to the logs')
    .option('--wait', 'return only when every service is running, and healthy where it has a healthcheck; fail if one gives up or a one-shot fails (implies -d)')
    .addOption(new Option('--wait-timeout <duration>', 'how long --wait waits (a bare number is seconds)').default('5m'))
    .option('--force-recreate', 'replace the containers even when their config is unchanged')
    .option('--no-recreate', 'accepted: unchanged containers are never recreated; changed ones roll out as the daemon would anyway')
    .option('--remove-orphans', 'accepted: containers of services no longer in the file are always removed')
    .option('--scale <service=n>', 'set a service\'s replica count, repeatable', repeatable)
    .option('--no-start', 'create the containers and start nothing; `composed start` starts them (the daemon supervises them from then on)')
    .option('--build', 'build the images of services with a build section first; a new image rolls out like any config change')
    .option('--no-build', 'accepted: images are built only when missing, as pull_policy says (the default)')
    .addOption(new Option('--pull <policy>', 'pull images by this policy instead of each service\'s pull_policy: always (pull every image, a moved tag then rolls out), missing (only absent ones), never (fail naming the service when its image is absent, creating nothing)').choices(PULL_OVERRIDES))
    .option('--no-deps', 'with SERVICE...: do not start the services they depend on')
    .option('-q, --quiet', 'print only errors')
    .option('--dry-run', 'print the plan `up` would execute (configs that changed and their keys, replicas to create, replace, remove; networks and volumes), touching nothing; exit 1 when something would change')
    .addHelpText('after', `
Without -d on a terminal, up follows the services' logs until Ctrl-C; Ctrl-C detaches and the
daemon keeps them running (\`composed down\` stops them). When stdout is not a terminal, or CI is
set, up returns as with -d, so a script never hangs.

Images are pulled here, at up, as pull_policy (or --pull) says: the daemon's later
replacements of a crashed or unhealthy replica use the image already on the host (pulling again
only when it is gone), and a reload of an edited file goes by pull_policy, not by an earlier
--pull. To follow a moving tag, use x-composed.update (composed update).

Examples:
  composed up -d
  composed -f compose.yaml -p demo up --wait --wait-timeout 2m
  composed up -d --scale worker=3 --force-recreate web
  composed up -d --no-deps web      # web only, not what it depends on
  composed up -d --build         # rebuild, then roll the new image out
  composed up -d --pull always   # pull every image now; a moved tag rolls out
  composed up --no-start && composed start`)
    .action(action(up));
}

async function up(services: string[], options: UpOptions): Promise<void> {
  if (options.dryRun) {
    process.exitCode = await printPreview(options, services, { reload: false, json: false, noDeps: options.deps === false });
    return;
  }
  const say = (line: string) => options.quiet || process.stdout.write(`${line}\n`);
  const waitMs = parseDuration(options.waitTimeout, '--wait-timeout');
  const scales = (options.scale ?? []).map(parseScale);
  const { project, warnings } = await loadLocal(options);
  for (const w of warnings) process.stderr.write(`${formatDiagnostic(w)}\n`);
  for (const name of [...services, ...scales.map((s) => s.service)]) {
    if (!project.services[name]) throw new UsageError(`no such service: ${name} (the file has ${Object.keys(project.services).join(', ')})`);
  }
  const client = clientFor(options);
  await ensureDaemon(client, say);

  const follow = new AbortController();
  const printed = printEvents(client, project.name, follow.signal, say);
  const showProgress = progressPrinter(options.quiet);
  try {
    if (options.build) {
      const buildable = Object.values(project.services).filter((s) => s.build && (services.length === 0 || services.includes(s.name)));
      if (buildable.length > 0) await requestImages(client, { load: await loadRequestFor(options), services: buildable.map((s) => s.name), mode: 'build' }, showProgress);
    }
    const noStart = options.start === false;
    for await (const line of client.lines<UpProgress>(`/v1/projects${noStart ? '?no-start=1' : ''}`, { method: 'POST', body: { ...(await loadRequestFor(options)), ...(services.length ? { services, noDeps: options.deps === false } : {}), ...(options.pull ? { pull: options.pull } : {}) } })) {
      if (line.kind === 'progress') showProgress(line);
      // The answer's status (200) went out before the failure: it is the daemon's error all the same.
      if (line.kind === 'error') throw new ApiError(500, line.error);
    }
    for (const { service, replicas } of scales) {
      await client.json(servicePath(project.name, service, '/scale'), { method: 'POST', body: { replicas } });
    }
    if (options.forceRecreate) {
      for (const service of services.length ? services : Object.keys(project.services)) {
        await client.json(servicePath(project.name, service, '/restart'), { method: 'POST' });
      }
    }
    if (noStart) {
      await waitUntilCreated(client, project.name, waitMs);
      say(`project ${project.name} is created; \`composed start\` starts it`);
      return;
    }
    const outcome = await waitUntilSettled(client, project.name, services, options.wait ?? false, waitMs);
    for (const failed of outcome.failed) process.stderr.write(`composed: warning: ${failed}\n`);
    if (outcome.problem) {
      process.exitCode = 1;
      process.stderr.write(`composed: ${outcome.problem}\n`);
      return;
    }
    say(options.wait ? `project ${project.name} is ready` : `project ${project.name} is up; the daemon keeps it that way (composed status)`);
  } finally {
    follow.abort();
    await printed;
  }
  if (options.detach || options.wait) return;
  const attach = shouldAttach(process.stdin.isTTY, process.stdout.isTTY, process.env);
  if (!attach.attach) {
    process.stderr.write(`composed: not attaching to the logs (${attach.why}); the daemon keeps ${project.name} running, \`composed logs -f\` follows it\n`);
    return;
  }
  await attachToLogs(client, project.name, services);
}

async function waitUntilSettled(client: DaemonClient, project: string, services: string[], wait: boolean, timeoutMs: number): Promise<{ problem?: string; failed: string[] }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = await client.json<ProjectStatus>(projectPath(project, '/status'));
    const named = services.length ? { ...status, services: status.services.filter((s) => services.includes(s.name)) } : status;
    const state = settledState(named, wait);
    if (state.done) return { problem: state.problem, failed: state.failed };
    if (Date.now() >= deadline) {
      return { problem: `timed out after ${Math.round(timeoutMs / 1000)} s: ${state.pending.join('; ')}`, failed: state.failed };
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** `up --no-start` returns once every replica's container exists, as compose's returns once created. */
async function waitUntilCreated(client: DaemonClient, project: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = await client.json<ProjectStatus>(projectPath(project, '/status'));
    const missing = status.services.filter((s) => s.replicas.filter((r) => r.phase !== 'missing').length < s.desired);
    if (missing.length === 0) return;
    if (Date.now() >= deadline) throw new Error(`timed out after ${Math.round(timeoutMs / 1000)} s creating ${missing.map((s) => s.name).join(', ')}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function printEvents(client: DaemonClient, project: string, signal: AbortSignal, say: (line: string) => void): Promise<void> {
  try {
    const since = Date.now();
    for await (const event of client.lines<DaemonEvent>(`/v1/events?follow=1&since=${since}&project=${encodeURIComponent(project)}`, { signal })) {
      const who = event.service ? `${event.service}${event.replica ? `#${event.replica}` : ''}` : project;
      say(`${who}: ${event.type.replace(/-/g, ' ')} (${event.message})`);
    }
  } catch {
    // The stream ends when up is done (aborted) or the daemon goes away; either way nothing to add.
  }
}

export function parseScale(pair: string): { service: string; replicas: number } {
  const match = /^([^=]+)=(\d+)$/.exec(pair);
  if (!match) throw new UsageError(`${JSON.stringify(pair)} is not SERVICE=REPLICAS (e.g. web=3)`);
  return { service: match[1] as string, replicas: Number(match[2]) };
}
