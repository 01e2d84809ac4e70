// `up --dry-run` and `composed diff`: what loading the files would do, nothing done.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { callerOf } from '../access/caller.js';
import { projectOwner } from '../access/project-access.js';
import type { PreviewResponse } from '../../protocol/preview.js';
import { formatOperation } from '../core/plan.js';
import { formatPreparePlan } from '../core/prepare-plan.js';
import type { ApiContext } from './context.js';
import { readJsonBody, sendJson } from './http.js';
import { flag, loadRequest } from './validate.js';

type Handler = (ctx: ApiContext, req: IncomingMessage, res: ServerResponse, params: string[], query: URLSearchParams) => Promise<void>;

export const previewRoutes: Array<{ method: string; pattern: RegExp; handler: Handler }> = [{ method: 'POST', pattern: /^\/v1\/preview$/, handler: preview }];

async function preview(ctx: ApiContext, req: IncomingMessage, res: ServerResponse, _params: string[], query: URLSearchParams): Promise<void> {
  const request = loadRequest(await readJsonBody(req));
  // Read as the caller reads, like `up`: a preview must not show a file the caller may not read.
  const preview = await ctx.lifecycle.preview(request, flag(query, 'reload'), projectOwner(callerOf(req)));
  const body: PreviewResponse = {
    project: preview.project,
    supervised: preview.supervised,
    changes: preview.changes,
    prepare: formatPreparePlan(preview.prepare).split('\n').filter(Boolean),
    services: preview.services.map((s) => ({ service: s.service, change: s.change, changedKeys: s.changedKeys, operations: s.operations.map(formatOperation) })),
  };
  sendJson(res, 200, body);
}
