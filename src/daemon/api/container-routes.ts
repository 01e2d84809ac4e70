// Routes behind compose's container commands: list (ps), logs with timestamps from several
// services, and kill/pause/unpause/top/stats on one container of the project. Containers are
// found by compose's labels, so one-offs from `composed run` are listed too.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { balancedPorts } from '../../compose/balanced-ports.js';
import type { Project } from '../../compose/model.js';
import { LABEL_NUMBER, LABEL_ONEOFF, LABEL_PROJECT, LABEL_SERVICE } from '../core/labels.js';
import type { PsEntry } from '../ports/interactive.js';
import type { ComposeContainer, ContainerProcesses, ContainerStats, Publisher } from '../../protocol/compose-containers.js';
import { HttpError, readJsonBody, sendJson } from './http.js';
import { streamLogLines } from './log-lines.js';
import type { ApiContext } from './context.js';
import { projectNameParam } from './validate.js';

type Handler = (ctx: ApiContext, req: IncomingMessage, res: ServerResponse, params: string[], query: URLSearchParams) => Promise<void>;

const SIGNAL = /^(SIG)?[A-Z0-9+-]{1,12}$|^\d{1,2}$/;

export const containerRoutes: Array<{ method: string; pattern: RegExp; handler: Handler }> = [
  { method: 'GET', pattern: /^\/v1\/projects\/([^/]+)\/containers$/, handler: listContainers },
  { method: 'GET', pattern: /^\/v1\/projects\/([^/]+)\/log-entries$/, handler: logEntries },
  { method: 'POST', pattern: /^\/v1\/projects\/([^/]+)\/containers\/([^/]+)\/(kill|pause|unpause)$/, handler: containerAction },
  { method: 'DELETE', pattern: /^\/v1\/projects\/([^/]+)\/containers\/([^/]+)$/, handler: removeOneOff },
  { method: 'GET', pattern: /^\/v1\/projects\/([^/]+)\/containers\/([^/]+)\/top$/, handler: top },
  { method: 'GET', pattern: /^\/v1\/projects\/([^/]+)\/containers\/([^/]+)\/stats$/, handler: stats },
];

async function listContainers(ctx: ApiContext, _req: IncomingMessage, res: ServerResponse, [name]: string[]): Promise<void> {
  const record = ctx.lifecycle.require(projectNameParam(name ?? ''));
  const entries = await ctx.runtime.psEntries({ [LABEL_PROJECT]: record.name });
  sendJson(res, 200, entries.map((e) => composeContainer(record.project, e)));
}

async function logEntries(ctx: ApiContext, _req: IncomingMessage, res: ServerResponse, [name]: string[], query: URLSearchParams): Promise<void> {
  const abort = new AbortController();
  res.on('close', () => abort.abort());
  const record = ctx.lifecycle.require(projectNameParam(name ?? ''));
  await streamLogLines(ctx, record, query, res, abort.signal);
}

async function containerAction(ctx: ApiContext, req: IncomingMessage, res: ServerResponse, [project, container, verb]: string[]): Promise<void> {
  const target = await projectContainer(ctx, project ?? '', container ?? '');
  const runtime = ctx.runtime;
  if (verb === 'kill') {
    const body = (await readJsonBody(req)) as { signal?: unknown };
    const signal = body.signal ?? 'SIGKILL';
    if (typeof signal !== 'string' || !SIGNAL.test(signal)) throw new HttpError(400, `${JSON.stringify(signal)} is not a signal name (e.g. SIGTERM, HUP, 9)`, 'signal');
    await runtime.killContainer(target.id, signal);
    // What follows (an exit the restart policy answers, or nothing) is the supervisor's, as for any crash.
    ctx.events.emit({ project: target.labels[LABEL_PROJECT] ?? '', service: target.labels[LABEL_SERVICE] ?? '', replica: Number(target.labels[LABEL_NUMBER] ?? 0), type: 'replica-signalled', message: `${signal} sent by composed kill` });
  } else if (verb === 'pause') await runtime.pauseContainer(target.id);
  else await runtime.unpauseContainer(target.id);
  sendJson(res, 200, { container: target.name, action: verb });
}

/** Only one-offs: a replica belongs to the supervisor, and `down` is what removes those. */
async function removeOneOff(ctx: ApiContext, _req: IncomingMessage, res: ServerResponse, [project, container]: string[]): Promise<void> {
  const target = await projectContainer(ctx, project ?? '', container ?? '');
  if (target.labels[LABEL_ONEOFF] !== 'True') throw new HttpError(409, `${target.name} is a replica the daemon supervises; \`composed down\` removes it`, 'container');
  if (target.state === 'running') throw new HttpError(409, `${target.name} is running; stop it first (or kill it)`, 'container');
  await ctx.runtime.removeContainer(target.id, { force: false });
  sendJson(res, 200, { container: target.name, action: 'remove' });
}

async function top(ctx: ApiContext, _req: IncomingMessage, res: ServerResponse, [project, container]: string[]): Promise<void> {
  const target = await projectContainer(ctx, project ?? '', container ?? '');
  const table = await ctx.runtime.topContainer(target.id);
  sendJson(res, 200, { container: target.name, ...table } satisfies ContainerProcesses);
}

async function stats(ctx: ApiContext, _req: IncomingMessage, res: ServerResponse, [project, container]: string[]): Promise<void> {
  const target = await projectContainer(ctx, project ?? '', container ?? '');
  const usage = await ctx.runtime.resourceUsage(target.id);
  sendJson(res, 200, { container: target.name, service: target.labels[LABEL_SERVICE] ?? '', ...usage } satisfies ContainerStats);
}

async function projectContainer(ctx: ApiContext, project: string, rawName: string): Promise<PsEntry> {
  const record = ctx.lifecycle.require(projectNameParam(project));
  const name = decodeURIComponent(rawName);
  const found = (await ctx.runtime.psEntries({ [LABEL_PROJECT]: record.name })).find((e) => e.name === name);
  if (!found) throw new HttpError(404, `project ${record.name} has no container ${JSON.stringify(name)}`, 'container');
  return found;
}

function composeContainer(project: Project, e: PsEntry): ComposeContainer {
  const service = e.labels[LABEL_SERVICE] ?? '';
  return {
    ID: e.id,
    Name: e.name,
    Image: e.image,
    ImageID: e.imageId,
    Command: e.command,
    Project: project.name,
    Service: service,
    Created: Math.floor(e.createdAt / 1000),
    State: e.state,
    Status: e.status,
    Health: e.health,
    ExitCode: e.exitCode,
    Publishers: publishers(project, service, e),
    Labels: Object.entries(e.labels).sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => `${k}=${v}`).join(','),
    Number: Number(e.labels[LABEL_NUMBER] ?? 0),
    OneOff: e.labels[LABEL_ONEOFF] === 'True',
  };
}

/** What the engine publishes, plus the ports the daemon's balancer publishes for the service. */
function publishers(project: Project, service: string, e: PsEntry): Publisher[] {
  const engine = e.ports.map((p) => ({ URL: p.url, TargetPort: p.targetPort, PublishedPort: p.publishedPort, Protocol: p.protocol }));
  const spec = project.services[service];
  const balanced = spec && e.labels[LABEL_ONEOFF] !== 'True' && e.state === 'running' ? balancedPorts(spec) : [];
  const daemon = balanced.map((p) => ({ URL: p.hostIp ?? '0.0.0.0', TargetPort: p.target, PublishedPort: Number(p.published), Protocol: p.protocol }));
  const all = [...engine.filter((p) => !daemon.some((d) => d.TargetPort === p.TargetPort && d.Protocol === p.Protocol)), ...daemon];
  return all.sort((a, b) => a.TargetPort - b.TargetPort || a.PublishedPort - b.PublishedPort || (a.URL < b.URL ? -1 : 1));
}
