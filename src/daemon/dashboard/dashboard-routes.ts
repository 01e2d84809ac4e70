// The dashboard's pages on the TCP listener: every path outside the control API's (/v1, /metrics).
// The pages are whole HTML documents rendered on the server; /live keeps them current and
// /history feeds the plots. Actions go through the control API itself (POST /v1/...).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ApiContext } from '../api/context.js';
import { HttpError, sendJson } from '../api/http.js';
import { projectNameParam, serviceNameParam } from '../api/validate.js';
import type { HistorySampler } from '../history/history-sampler.js';
import { Assets } from './assets.js';
import { page } from './layout.js';
import { streamLive } from './live-stream.js';
import { liveLog } from './logs-view.js';
import { renderLive, type ViewParams } from './views.js';

const PROJECT = /^\/projects\/([^/]+)$/;
const SERVICE = /^\/projects\/([^/]+)\/services\/([^/]+)$/;
const REPLICA = /^\/projects\/([^/]+)\/replicas\/([^/]+)$/;
const HISTORY = /^\/history\/([^/]+)\/([^/]+)$/;
const CONTAINER_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,254}$/;

export class Dashboard {
  private readonly assets = new Assets();

  constructor(
    private readonly ctx: ApiContext,
    private readonly history: HistorySampler,
  ) {}

  /** Answers a dashboard path and returns true; returns false for the control API's paths. */
  async serve(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    const url = new URL(req.url ?? '/', 'http://composed');
    const path = url.pathname;
    if (path.startsWith('/v1/') || path === '/metrics') return false;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('allow', 'GET');
      throw new HttpError(405, `${req.method ?? '?'} is not allowed on ${path.slice(0, 200)}`);
    }
    if (path.startsWith('/assets/')) {
      if (this.assets.serve(path.slice('/assets/'.length), req, res)) return true;
      throw new HttpError(404, `no such asset: ${path.slice(0, 200)}`);
    }
    if (path === '/live') {
      if (req.method !== 'GET') throw new HttpError(405, 'the live stream is GET only');
      const view = viewFromQuery(url.searchParams);
      await renderLive(this.ctx, view); // a page for a project that is gone answers 404, not an empty stream
      streamLive(this.ctx, this.history, res, view);
      return true;
    }
    const history = HISTORY.exec(path);
    if (history) {
      const found = this.history.history(projectNameParam(history[1]!), serviceNameParam(history[2]!));
      if (!found) throw new HttpError(404, `no service ${history[2]} in project ${history[1]}`, 'service');
      sendJson(res, 200, found);
      return true;
    }
    const view = viewOfPath(path, url.searchParams);
    const live = await renderLive(this.ctx, view);
    const body = page({ title: titleOf(view), ...view, live, fixed: fixedPart(view) });
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store' });
    res.end(req.method === 'HEAD' ? undefined : body);
    return true;
  }
}

function viewOfPath(path: string, query: URLSearchParams): ViewParams {
  if (path === '/') return { view: 'overview' };
  if (path === '/events') {
    const project = query.get('project');
    return { view: 'events', ...(project ? { project: projectNameParam(project) } : {}) };
  }
  let m = SERVICE.exec(path);
  if (m) return { view: 'service', project: projectNameParam(m[1]!), service: serviceNameParam(m[2]!) };
  m = PROJECT.exec(path);
  if (m) return { view: 'project', project: projectNameParam(m[1]!) };
  m = REPLICA.exec(path);
  if (m) return { view: 'logs', project: projectNameParam(m[1]!), replica: containerName(m[2]!), service: serviceNameParam(query.get('service') ?? '') };
  throw new HttpError(404, `no such page: ${path.slice(0, 200)}`);
}

/** /live?view=...&project=...: the same views as the pages, named by query. */
function viewFromQuery(query: URLSearchParams): ViewParams {
  const view = query.get('view') ?? '';
  const project = query.get('project');
  const service = query.get('service');
  const replica = query.get('replica');
  if (!['overview', 'project', 'service', 'events', 'logs'].includes(view)) throw new HttpError(400, 'must be overview, project, service, events or logs', 'view');
  const params: ViewParams = { view: view as ViewParams['view'] };
  if (project) params.project = projectNameParam(project);
  if (service) params.service = serviceNameParam(service);
  if (replica) params.replica = containerName(replica);
  if (view !== 'overview' && view !== 'events' && !params.project) throw new HttpError(400, `view ${view} needs a project`, 'project');
  return params;
}

function containerName(raw: string): string {
  let name = raw;
  try {
    name = decodeURIComponent(raw);
  } catch {
    // left as it came: the pattern below refuses it
  }
  if (!CONTAINER_NAME.test(name)) throw new HttpError(400, `${JSON.stringify(name.slice(0, 100))} is not a container name`, 'replica');
  return name;
}

function titleOf(v: ViewParams): string {
  if (v.view === 'overview') return 'All projects';
  if (v.view === 'events') return v.project ? `Events of ${v.project}` : 'Events';
  if (v.view === 'project') return `Project ${v.project}`;
  if (v.view === 'service') return `Service ${v.service}`;
  return `Logs of ${v.replica}`;
}

function fixedPart(v: ViewParams): string | undefined {
  if (v.view === 'service') return '<section id="plots" class="plots" aria-label="last hour"><p class="empty">history loading…</p></section>';
  if (v.view === 'logs') return liveLog();
  return undefined;
}
