// What each kind of caller may ask (access/caller.ts). Root, the socket group and the TCP token
// holder may ask anything. The restricted group may ask for its own projects only, and nothing
// daemon-wide: the dashboard login and /metrics name every project, and the session routes may
// not add what the policy refuses in a file (privileged exec, one-off bind mounts or ports).
// A refusal is a 403 naming what was refused; a client in no group gets nothing else.
import type { IncomingMessage } from 'node:http';
import type { EventCaller } from '../../protocol/api.js';
import { describeCaller, identify, type Caller } from '../access/caller.js';
import type { ApiContext } from './context.js';
import { HttpError } from './http.js';

const PROJECT_PATH = /^\/v1\/projects\/([^/]+)(?:\/|$)/;
const RESTRICTED_PATHS: Array<{ method: string; pattern: RegExp }> = [
  { method: 'GET', pattern: /^\/v1\/version$/ },
  { method: 'GET', pattern: /^\/v1\/projects$/ },
  { method: 'POST', pattern: /^\/v1\/projects$/ },
  { method: 'GET', pattern: /^\/v1\/events$/ },
  { method: 'POST', pattern: /^\/v1\/images$/ },
  { method: '*', pattern: PROJECT_PATH },
];

/** Who asks, refused (logged, a 403 thrown) or admitted (a request that changes something recorded). */
export function admit(ctx: ApiContext, req: IncomingMessage): Caller {
  const caller = identify(req, ctx.groups ?? {});
  const pathname = new URL(req.url ?? '/', 'http://composed').pathname;
  try {
    authorize(ctx, caller, req.method ?? '', pathname);
  } catch (error) {
    ctx.logger.warn({ caller: eventCaller(caller), method: req.method, path: pathname.slice(0, 200), reason: (error as Error).message }, 'request refused');
    throw error;
  }
  recordRequest(ctx, caller, req, pathname);
  return caller;
}

export function authorize(ctx: ApiContext, caller: Caller, method: string, pathname: string): void {
  if (caller.role === 'none') {
    throw new HttpError(403, `uid ${caller.uid} is in neither the daemon's socket group nor its restricted group`);
  }
  if (caller.role !== 'restricted') return;
  if (!RESTRICTED_PATHS.some((p) => (p.method === '*' || p.method === method) && p.pattern.test(pathname))) {
    throw new HttpError(403, `${method} ${pathname.slice(0, 200)} is not open to the restricted group`);
  }
  const named = PROJECT_PATH.exec(pathname)?.[1];
  if (named !== undefined && !ownsProject(ctx, caller, safeDecode(named))) throw new HttpError(403, `project ${safeDecode(named).slice(0, 80)} belongs to another user`, 'project');
}

/** A project the caller may see: all of them but for the restricted group, its own (unknown names pass: they 404). */
export function ownsProject(ctx: ApiContext, caller: Caller, project: string): boolean {
  if (caller.role !== 'restricted') return true;
  const record = ctx.registry.get(project);
  return !record || record.owner?.uid === caller.uid;
}

/** exec and run take their options in the query: the restricted group gets none the policy refuses. */
export function authorizeSession(caller: Caller, kind: string, request: unknown): void {
  if (caller.role !== 'restricted') return;
  const o = (typeof request === 'object' && request !== null ? request : {}) as Record<string, unknown>;
  if (o.privileged === true) throw new HttpError(403, 'not allowed for the restricted group: a privileged exec is root on the host', 'privileged');
  if (kind === 'run' && Array.isArray(o.volumes) && o.volumes.length > 0) throw new HttpError(403, 'not allowed for the restricted group: volumes on run (declare them in the file, where the policy checks them)', 'volumes');
  if (kind === 'run' && Array.isArray(o.publish) && o.publish.length > 0) throw new HttpError(403, 'not allowed for the restricted group: published ports on run (declare them in the file, where the policy checks them)', 'publish');
}

/** The caller as events carry it. */
export function eventCaller(caller: Caller): EventCaller {
  return { via: caller.via, ...(caller.uid !== undefined ? { uid: caller.uid } : {}), ...(caller.gid !== undefined ? { gid: caller.gid } : {}), ...(caller.pid !== undefined ? { pid: caller.pid } : {}) };
}

/** Every request that changes something is logged and becomes an event naming its caller. */
function recordRequest(ctx: ApiContext, caller: Caller, req: IncomingMessage, pathname: string): void {
  if (req.method === 'GET' || req.method === 'HEAD') return;
  const named = PROJECT_PATH.exec(pathname)?.[1];
  const message = `${req.method} ${pathname.slice(0, 200)} by ${describeCaller(caller)}`;
  ctx.logger.info({ caller: eventCaller(caller), method: req.method, path: pathname.slice(0, 200) }, 'request');
  ctx.events.emit({ ...(named !== undefined ? { project: safeDecode(named) } : {}), type: 'request', message, caller: eventCaller(caller) });
}

function safeDecode(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}
