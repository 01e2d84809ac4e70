// POST /v1/projects/{name}/update: `composed update [SERVICE...] [--check]` asks the registry where
// each service's image tag points now, and (without check) pulls and rolls out what moved.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { UpdateRequest, UpdateResponse } from '../../protocol/api.js';
import type { ApiContext } from './context.js';
import { HttpError, readJsonBody, sendJson } from './http.js';
import { projectNameParam, serviceNameParam } from './validate.js';

type Handler = (ctx: ApiContext, req: IncomingMessage, res: ServerResponse, params: string[]) => Promise<void>;

export const updateRoutes: Array<{ method: string; pattern: RegExp; handler: Handler }> = [{ method: 'POST', pattern: /^\/v1\/projects\/([^/]+)\/update$/, handler: update }];

async function update(ctx: ApiContext, req: IncomingMessage, res: ServerResponse, [p]: string[]): Promise<void> {
  const record = ctx.lifecycle.require(projectNameParam(p ?? ''));
  const body = (await readJsonBody(req)) as Partial<Record<keyof UpdateRequest, unknown>>;
  if (body.check !== undefined && typeof body.check !== 'boolean') throw new HttpError(400, 'must be true or false', 'check');
  if (body.services !== undefined && !(Array.isArray(body.services) && body.services.every((s) => typeof s === 'string'))) throw new HttpError(400, 'must be a list of service names', 'services');
  const services = ((body.services as string[] | undefined) ?? []).map((s) => serviceNameParam(s));
  for (const [i, s] of services.entries()) if (!record.project.services[s]) throw new HttpError(404, `project ${record.name} has no service ${JSON.stringify(s)}`, `services[${i}]`);
  if (!ctx.tagFollower) throw new HttpError(409, 'this daemon does not follow image tags');
  const answer: UpdateResponse = { services: await ctx.tagFollower.checkNow(record.name, services, body.check === true) };
  sendJson(res, 200, answer);
}
