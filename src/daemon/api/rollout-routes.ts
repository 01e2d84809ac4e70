// The roll-outs an operator asks for: a service's config history and the way back (`composed
// history`, `composed rollback`), and a rolling restart (`composed restart --rolling`).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ApiContext } from './context.js';
import { sendJson } from './http.js';
import { boundedInt, projectNameParam, serviceNameParam } from './validate.js';

type Handler = (ctx: ApiContext, req: IncomingMessage, res: ServerResponse, params: string[], query: URLSearchParams) => Promise<void>;

export const rolloutRoutes: Array<{ method: string; pattern: RegExp; handler: Handler }> = [
  { method: 'GET', pattern: /^\/v1\/projects\/([^/]+)\/services\/([^/]+)\/history$/, handler: history },
  { method: 'POST', pattern: /^\/v1\/projects\/([^/]+)\/services\/([^/]+)\/rollback$/, handler: rollback },
  { method: 'POST', pattern: /^\/v1\/projects\/([^/]+)\/services\/([^/]+)\/rolling-restart$/, handler: rollingRestart },
];

async function history(ctx: ApiContext, _req: IncomingMessage, res: ServerResponse, [p, s]: string[]): Promise<void> {
  sendJson(res, 200, await ctx.lifecycle.history(projectNameParam(p ?? ''), serviceNameParam(s ?? '')));
}

async function rollback(ctx: ApiContext, _req: IncomingMessage, res: ServerResponse, [p, s]: string[], query: URLSearchParams): Promise<void> {
  const to = query.has('to') ? boundedInt(query, 'to', 0, Number.MAX_SAFE_INTEGER) : undefined;
  sendJson(res, 200, await ctx.lifecycle.rollback(projectNameParam(p ?? ''), serviceNameParam(s ?? ''), to));
}

async function rollingRestart(ctx: ApiContext, _req: IncomingMessage, res: ServerResponse, [p, s]: string[]): Promise<void> {
  sendJson(res, 200, await ctx.lifecycle.rollingRestart(projectNameParam(p ?? ''), serviceNameParam(s ?? '')));
}
