// POST /v1/projects/{p}/services/{s}/sync: `composed watch` writes changed files into every running
// replica of a service (putArchive) and removes deleted ones (rm through exec), as compose watch's
// sync does; with `?restart=1` (sync+restart) each replica is then restarted in place, so the synced
// files stay (a replacement would start from the image again). The body is bounded like every other
// (http.ts), so the CLI sends files in batches.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { posix } from 'node:path';
import { LABEL_SERVICE } from '../core/labels.js';
import type { ApiContext } from './context.js';
import { HttpError, readJsonBody, sendJson } from './http.js';
import { flag, projectNameParam, serviceNameParam } from './validate.js';
import type { SyncRequest, SyncResponse } from '../../protocol/api.js';

type Handler = (ctx: ApiContext, req: IncomingMessage, res: ServerResponse, params: string[], query: URLSearchParams) => Promise<void>;

export const syncRoutes: Array<{ method: string; pattern: RegExp; handler: Handler }> = [
  { method: 'POST', pattern: /^\/v1\/projects\/([^/]+)\/services\/([^/]+)\/sync$/, handler: sync },
];

async function sync(ctx: ApiContext, req: IncomingMessage, res: ServerResponse, [project, service]: string[], query: URLSearchParams): Promise<void> {
  const record = ctx.lifecycle.require(projectNameParam(project ?? ''));
  const name = serviceNameParam(service ?? '');
  if (!record.project.services[name]) throw new HttpError(404, `project ${record.name} has no service ${JSON.stringify(name)}`, 'service');
  const request = syncRequest(await readJsonBody(req));
  const restart = flag(query, 'restart');
  const svc = record.project.services[name]!;
  const replicas = (await ctx.controller.listProject(record.name, { maxAgeMs: 0 })).filter((c) => c.labels[LABEL_SERVICE] === name && c.state === 'running');
  const files = request.files.map((f) => ({ path: f.path, content: Buffer.from(f.content, 'base64'), mode: f.mode }));
  for (const replica of replicas) {
    await ctx.runtime.putFiles(replica.id, files);
    if (request.remove.length > 0) {
      const removed = await ctx.runtime.runHook(replica.id, { command: ['rm', '-rf', '--', ...request.remove], privileged: false, environment: {} }, AbortSignal.timeout(30_000));
      if (removed.exitCode !== 0) throw new HttpError(500, `removing files in ${replica.name} failed: ${removed.output.trim()}`);
    }
    if (restart) {
      // The daemon's own stop: not a user's, and the restart policy sees the container running again.
      ctx.controller.noteOwnStop(replica.id);
      await ctx.runtime.restartInPlace(replica.id, { timeoutSeconds: Math.ceil(svc.stopGracePeriodMs / 1000), signal: svc.stopSignal });
    }
  }
  const body: SyncResponse = { replicas: replicas.map((r) => r.name).sort() };
  sendJson(res, 200, body);
}

function syncRequest(body: unknown): SyncRequest {
  const o = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  const containerPath = (p: unknown, field: string): string => {
    if (typeof p !== 'string' || !p.startsWith('/') || posix.normalize(p) !== p || p === '/') throw new HttpError(400, 'must be a normalized absolute path in the container, not /', field);
    return p;
  };
  if (!Array.isArray(o.files) || !Array.isArray(o.remove)) throw new HttpError(400, 'files and remove must be lists');
  return {
    files: o.files.map((f: unknown, i) => {
      const file = (typeof f === 'object' && f !== null ? f : {}) as Record<string, unknown>;
      if (typeof file.content !== 'string') throw new HttpError(400, 'must be base64 text', `files[${i}].content`);
      if (!Number.isInteger(file.mode) || (file.mode as number) < 0 || (file.mode as number) > 0o7777) throw new HttpError(400, 'must be a file mode', `files[${i}].mode`);
      return { path: containerPath(file.path, `files[${i}].path`), content: file.content, mode: file.mode as number };
    }),
    remove: o.remove.map((p: unknown, i) => containerPath(p, `remove[${i}]`)),
  };
}
