// POST /v1/images: pull or build the images of a project's services (`composed pull|build|create`).
// The project is loaded from the request like `up` loads it, but nothing is supervised: a build
// before the first `up` is the usual order. NDJSON progress, last line `{kind:"done"}`.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { loadProject } from '../../compose/load.js';
import type { Service } from '../../compose/model.js';
import { HttpError, readJsonBody, startStream, writeLine } from './http.js';
import type { UpProgress } from '../../protocol/api.js';
import { callerOf } from '../access/caller.js';
import { enforcePolicy, fileAccessFor, projectOwner } from '../access/project-access.js';
import type { ApiContext } from './context.js';
import { loadRequest } from './validate.js';

type Handler = (ctx: ApiContext, req: IncomingMessage, res: ServerResponse) => Promise<void>;

/** pull: services without a build section, always pulled; build: those with one, always built; prepare: what `up` would need. */
export type ImageMode = 'pull' | 'build' | 'prepare';

export const imageRoutes: Array<{ method: string; pattern: RegExp; handler: Handler }> = [{ method: 'POST', pattern: /^\/v1\/images$/, handler: ensureImages }];

async function ensureImages(ctx: ApiContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const body = (await readJsonBody(req)) as { load?: unknown; services?: unknown; mode?: unknown; buildArgs?: unknown; noCache?: unknown };
  const request = loadRequest(body.load);
  const mode = body.mode;
  if (mode !== 'pull' && mode !== 'build' && mode !== 'prepare') throw new HttpError(400, 'must be pull, build or prepare', 'mode');
  const named = Array.isArray(body.services) && body.services.every((s) => typeof s === 'string') ? (body.services as string[]) : [];
  const buildArgs = body.buildArgs && typeof body.buildArgs === 'object' ? (body.buildArgs as Record<string, string>) : {};
  if (body.noCache !== undefined && typeof body.noCache !== 'boolean') throw new HttpError(400, 'must be true or false', 'noCache');
  const noCache = body.noCache === true;
  const owner = projectOwner(callerOf(req));
  const access = fileAccessFor(owner);
  const loaded = await loadProject({ files: request.files, ...(request.projectName ? { projectName: request.projectName } : {}), cwd: request.cwd, env: request.env, profiles: request.profiles, ...(access ? { access } : {}) });
  enforcePolicy(owner, loaded);
  const { project } = loaded;
  for (const s of named) if (!project.services[s]) throw new HttpError(404, `project ${project.name} has no service ${JSON.stringify(s)}`, 'services');
  const line = (value: UpProgress) => {
    if (!res.headersSent) startStream(res);
    writeLine(res, value);
  };
  const services = Object.values(project.services).filter((s) => named.length === 0 || named.includes(s.name));
  for (const service of services) {
    const target = forMode(service, mode, buildArgs, noCache);
    if (!target) continue;
    await ctx.runtime.ensureImage(project, target, (message, layer) => line({ kind: 'progress', resource: service.name, message, ...(layer ? { layer } : {}) }));
    // A pull closes with its own line (the digest it got); a build or a prepare with this one.
    if (mode !== 'pull') line({ kind: 'progress', resource: service.name, message: `${mode === 'build' ? 'built' : 'ready'} ${service.image}` });
  }
  line({ kind: 'done', result: { project: project.name, services: services.map((s) => s.name), warnings: [] } });
  res.end();
}

function forMode(service: Service, mode: ImageMode, buildArgs: Record<string, string>, noCache: boolean): Service | undefined {
  if (mode === 'prepare') return service;
  if (mode === 'pull') return service.build ? undefined : { ...service, pullPolicy: 'always' };
  if (!service.build) return undefined;
  return { ...service, pullPolicy: 'build', build: { ...service.build, args: { ...service.build.args, ...buildArgs }, ...(noCache ? { noCache } : {}) } };
}
