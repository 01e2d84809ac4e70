// The routes of the control API. Each handler validates its input, makes one call into the
// lifecycle or controller, and answers. Long operations (up, down) stream NDJSON progress lines.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { describeEngine } from '../status/engine-description.js';
import { followProjectLogs, replicaContainers } from '../status/log-follower.js';
import { projectStatus, projectSummary } from '../status/project-status.js';
import { HttpError, readJsonBody, sendJson, startStream, writeLine, writeText } from './http.js';
import type { DaemonEvent, UpProgress, VersionResponse } from '../../protocol/api.js';
import { containerRoutes } from './container-routes.js';
import { imageRoutes } from './image-routes.js';
import { memoryRoutes } from './memory-routes.js';
import { previewRoutes } from './preview-route.js';
import { rolloutRoutes } from './rollout-routes.js';
import { syncRoutes } from './sync-route.js';
import { callerOf } from '../access/caller.js';
import { projectOwner } from '../access/project-access.js';
import { eventCaller, ownsProject } from './authorize.js';
import { updateRoutes } from './update-routes.js';
import type { ApiContext } from './context.js';
import { boundedInt, downRequest, flag, loadRequest, projectNameParam, scaleRequest, serviceNameParam, timeoutParam } from './validate.js';

type Handler = (ctx: ApiContext, req: IncomingMessage, res: ServerResponse, params: string[], query: URLSearchParams) => Promise<void>;

const routes: Array<{ method: string; pattern: RegExp; handler: Handler }> = [
  { method: 'GET', pattern: /^\/v1\/version$/, handler: version },
  { method: 'GET', pattern: /^\/v1\/projects$/, handler: listProjects },
  { method: 'POST', pattern: /^\/v1\/projects$/, handler: up },
  { method: 'GET', pattern: /^\/v1\/projects\/([^/]+)\/status$/, handler: status },
  { method: 'DELETE', pattern: /^\/v1\/projects\/([^/]+)$/, handler: down },
  { method: 'POST', pattern: /^\/v1\/projects\/([^/]+)\/services\/([^/]+)\/scale$/, handler: scale },
  { method: 'POST', pattern: /^\/v1\/projects\/([^/]+)\/services\/([^/]+)\/(restart|stop|start)$/, handler: serviceAction },
  { method: 'GET', pattern: /^\/v1\/projects\/([^/]+)\/logs$/, handler: logs },
  { method: 'GET', pattern: /^\/v1\/events$/, handler: events },
  { method: 'GET', pattern: /^\/metrics$/, handler: metrics },
  { method: 'POST', pattern: /^\/v1\/dashboard\/login$/, handler: dashboardLogin },
  ...containerRoutes,
  ...imageRoutes,
  ...memoryRoutes,
  ...rolloutRoutes,
  ...previewRoutes,
  ...syncRoutes,
  ...updateRoutes,
];

export async function routeRequest(ctx: ApiContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://composed');
  const matching = routes.filter((r) => r.pattern.test(url.pathname));
  if (matching.length === 0) throw new HttpError(404, `no such path: ${url.pathname.slice(0, 200)}`);
  const route = matching.find((r) => r.method === req.method);
  if (!route) {
    res.setHeader('allow', matching.map((r) => r.method).join(', '));
    throw new HttpError(405, `${req.method ?? '?'} is not allowed on ${url.pathname.slice(0, 200)}`);
  }
  const params = (route.pattern.exec(url.pathname) ?? []).slice(1);
  await route.handler(ctx, req, res, params, url.searchParams);
}

async function metrics(ctx: ApiContext, _req: IncomingMessage, res: ServerResponse): Promise<void> {
  const { contentType, body } = await ctx.metrics.render();
  res.writeHead(200, { 'content-type': contentType, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

async function dashboardLogin(ctx: ApiContext, _req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (!ctx.dashboardLogin) throw new HttpError(409, 'this daemon serves no dashboard: start it with --http 127.0.0.1:PORT');
  sendJson(res, 200, ctx.dashboardLogin());
}

async function version(ctx: ApiContext, _req: IncomingMessage, res: ServerResponse): Promise<void> {
  const engine = await describeEngine(ctx.runtime, undefined, ctx.clock);
  const body: VersionResponse = { version: ctx.version, api: 'v1', pid: process.pid, ...engine };
  sendJson(res, 200, body);
}

async function listProjects(ctx: ApiContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const caller = callerOf(req);
  sendJson(res, 200, ctx.registry.all().filter((r) => ownsProject(ctx, caller, r.name)).map((r) => projectSummary(ctx, r)));
}

async function up(ctx: ApiContext, req: IncomingMessage, res: ServerResponse, _params: string[], query: URLSearchParams): Promise<void> {
  const request = loadRequest(await readJsonBody(req));
  // The stream starts with the first progress line, after the files loaded: an invalid project is
  // then a plain 422 with its diagnostics, not a 200 whose last line is an error.
  const line = (value: UpProgress) => {
    if (!res.headersSent) startStream(res);
    writeLine(res, value);
  };
  const caller = callerOf(req);
  const owner = projectOwner(caller);
  const result = await ctx.lifecycle.up(request, (resource, message, layer) => line({ kind: 'progress', resource, message, ...(layer ? { layer } : {}) }), { noStart: flag(query, 'no-start'), caller: eventCaller(caller), ...(owner ? { owner } : {}) });
  line({ kind: 'done', result });
  res.end();
}

async function status(ctx: ApiContext, _req: IncomingMessage, res: ServerResponse, [name]: string[]): Promise<void> {
  const record = ctx.lifecycle.require(projectNameParam(name ?? ''));
  sendJson(res, 200, await projectStatus(ctx, record));
}

async function down(ctx: ApiContext, _req: IncomingMessage, res: ServerResponse, [name]: string[], query: URLSearchParams): Promise<void> {
  const project = projectNameParam(name ?? '');
  const request = downRequest(query);
  ctx.lifecycle.require(project);
  startStream(res);
  await ctx.lifecycle.down(project, request, (resource, message) => writeLine(res, { kind: 'progress', resource, message }));
  writeLine(res, { kind: 'done', result: { project, services: [], warnings: [] } });
  res.end();
}

async function scale(ctx: ApiContext, req: IncomingMessage, res: ServerResponse, [project, service]: string[]): Promise<void> {
  const p = projectNameParam(project ?? '');
  const s = serviceNameParam(service ?? '');
  const { replicas } = scaleRequest(await readJsonBody(req));
  await ctx.lifecycle.scale(p, s, replicas);
  sendJson(res, 200, { project: p, service: s, replicas });
}

async function serviceAction(ctx: ApiContext, _req: IncomingMessage, res: ServerResponse, [project, service, action]: string[], query: URLSearchParams): Promise<void> {
  const p = projectNameParam(project ?? '');
  const s = serviceNameParam(service ?? '');
  const timeout = timeoutParam(query);
  if (action === 'restart') await ctx.lifecycle.restart(p, s, timeout);
  else if (action === 'stop') await ctx.lifecycle.stopService(p, s, timeout);
  else await ctx.lifecycle.startService(p, s);
  sendJson(res, 200, { project: p, service: s, action });
}

/** Text lines `<replica> | <line>`; with follow, every replica until the client goes away, through replacements. */
async function logs(ctx: ApiContext, _req: IncomingMessage, res: ServerResponse, [project]: string[], query: URLSearchParams): Promise<void> {
  // Hooked before the first await: a client that leaves meanwhile must still stop the follower.
  const abort = new AbortController();
  res.on('close', () => abort.abort());
  const record = ctx.lifecycle.require(projectNameParam(project ?? ''));
  const service = query.get('service') ?? undefined;
  if (service !== undefined && !record.project.services[serviceNameParam(service)]) {
    throw new HttpError(404, `project ${record.name} has no service ${JSON.stringify(service)}`, 'service');
  }
  const tail = boundedInt(query, 'tail', 100, 100_000);
  const follow = flag(query, 'follow');
  const containers = replicaContainers(record.name, await ctx.controller.listProject(record.name), service);
  startStream(res, 'text/plain; charset=utf-8');
  if (!follow) {
    for (const c of containers) for (const line of await ctx.runtime.logsTail(c.id, tail)) writeText(res, `${c.name} | ${line}\n`);
    res.end();
    return;
  }
  if (res.destroyed) return;
  await followProjectLogs(ctx, { project: record.name, service, tail, signal: abort.signal, write: (line) => writeText(res, `${line}\n`) });
  res.end();
}

/** NDJSON: the history (optionally since a time), then, with follow, live events until the client leaves. */
async function events(ctx: ApiContext, req: IncomingMessage, res: ServerResponse, _params: string[], query: URLSearchParams): Promise<void> {
  const project = query.get('project') ?? undefined;
  if (project !== undefined) projectNameParam(project);
  const since = query.get('since');
  const sinceMs = since === null ? undefined : Number(since);
  if (sinceMs !== undefined && !Number.isFinite(sinceMs)) throw new HttpError(400, 'must be epoch milliseconds', 'since');
  const follow = flag(query, 'follow');
  const caller = callerOf(req);
  const visible = (e: DaemonEvent) => caller.role !== 'restricted' || (e.project !== undefined && ctx.registry.get(e.project)?.owner?.uid === caller.uid);
  const matches = (e: DaemonEvent) => (project === undefined || e.project === project) && visible(e);
  // Subscribed before the history is read (which may wait for the disk), so nothing falls between.
  const live: DaemonEvent[] = [];
  let write = (e: DaemonEvent): void => {
    live.push(e);
  };
  const unsubscribe = follow ? ctx.events.subscribe((e) => matches(e) && write(e)) : () => false;
  try {
    const history = (sinceMs === undefined ? [] : ctx.journal ? (await ctx.journal.read({ project, sinceMs })).events : ctx.events.recent({ project, sinceMs })).filter(visible);
    startStream(res);
    for (const e of history) writeLine(res, e);
    if (!follow) return void res.end();
    // The journal's history already holds the events queued for its next write.
    const shown = new Set(history.slice(-live.length).map((e) => JSON.stringify(e)));
    for (const e of live) if (!shown.has(JSON.stringify(e))) writeLine(res, e);
    write = (e) => writeLine(res, e);
    await new Promise<void>((resolve) => req.on('close', resolve));
  } finally {
    unsubscribe();
  }
}
