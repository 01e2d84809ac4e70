// What the daemon remembers past a replacement and its own restarts: the output of replaced
// containers (`logs --previous`) and each replica's incidents (`why`).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ApiContext } from './context.js';
import { HttpError, sendJson } from './http.js';
import { whyTimeline } from '../journal/why-timeline.js';
import { boundedInt, projectNameParam, serviceNameParam } from './validate.js';

type Handler = (ctx: ApiContext, req: IncomingMessage, res: ServerResponse, params: string[], query: URLSearchParams) => Promise<void>;

export const memoryRoutes: Array<{ method: string; pattern: RegExp; handler: Handler }> = [
  { method: 'GET', pattern: /^\/v1\/projects\/([^/]+)\/services\/([^/]+)\/previous-logs$/, handler: previousLogs },
  { method: 'GET', pattern: /^\/v1\/projects\/([^/]+)\/services\/([^/]+)\/why$/, handler: why },
];

/** The service (and project) a memory route is about; 404 when the project does not have it. */
function serviceOf(ctx: ApiContext, project: string | undefined, service: string | undefined): { project: string; service: string } {
  const record = ctx.lifecycle.require(projectNameParam(project ?? ''));
  const name = serviceNameParam(service ?? '');
  if (!record.project.services[name]) throw new HttpError(404, `project ${record.name} has no service ${JSON.stringify(name)}`, 'service');
  return { project: record.name, service: name };
}

async function previousLogs(ctx: ApiContext, _req: IncomingMessage, res: ServerResponse, [p, s]: string[], query: URLSearchParams): Promise<void> {
  const { project, service } = serviceOf(ctx, p, s);
  const index = boundedInt(query, 'index', 0, 10_000);
  const previous = boundedInt(query, 'previous', 1, 1_000);
  if (previous < 1) throw new HttpError(400, 'must be 1 (the latest replaced container) or more', 'previous');
  const replica = index === 0 ? undefined : index;
  const found = await ctx.previousOutput?.read(project, service, { replica, previous });
  if (!found) {
    const kept = (await ctx.previousOutput?.list(project, service, replica))?.length ?? 0;
    const whose = replica === undefined ? service : `${service}-${replica}`;
    throw new HttpError(404, kept === 0 ? `no replaced container of ${whose} is kept: none was replaced since the project came up` : `only ${kept} replaced container${kept === 1 ? ' is' : 's are'} kept for ${whose}`, 'previous');
  }
  sendJson(res, 200, found);
}

/** The replicas' incidents: the journal's events, the kept output at each death, the replica memory. */
async function why(ctx: ApiContext, _req: IncomingMessage, res: ServerResponse, [p, s]: string[], query: URLSearchParams): Promise<void> {
  const { project, service } = serviceOf(ctx, p, s);
  const limit = boundedInt(query, 'limit', 20, 1_000);
  const lines = boundedInt(query, 'lines', 10, 1_000);
  const events = ctx.journal ? (await ctx.journal.read()).events : ctx.events.recent();
  const kept = (await ctx.previousOutput?.tails(project, service, lines)) ?? [];
  const memory = ctx.registry.get(project)?.replicas[service] ?? {};
  const lastExits = Object.fromEntries(Object.entries(memory).map(([n, m]) => [n, m.lastExit]));
  sendJson(res, 200, whyTimeline({ project, service, events, kept, lastExits, limit, lines }));
}
