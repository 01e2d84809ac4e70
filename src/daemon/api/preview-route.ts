// `up --dry-run` and `composed diff`: what loading the files would do, nothing done.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ApiContext } from './context.js';
import { readJsonBody, sendJson } from './http.js';
import { flag, loadRequest } from './validate.js';

type Handler = (ctx: ApiContext, req: IncomingMessage, res: ServerResponse, params: string[], query: URLSearchParams) => Promise<void>;

export const previewRoutes: Array<{ method: string; pattern: RegExp; handler: Handler }> = [{ method: 'POST', pattern: /^\/v1\/preview$/, handler: preview }];

async function preview(ctx: ApiContext, req: IncomingMessage, res: ServerResponse, _params: string[], query: URLSearchParams): Promise<void> {
  const request = loadRequest(await readJsonBody(req));
  sendJson(res, 200, await ctx.lifecycle.preview(request, flag(query, 'reload')));
}
