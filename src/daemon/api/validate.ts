// Request validation: each bad field gets a 400 naming it. Unknown fields are refused too, so a
// typo never silently does nothing.
import { HttpError } from './http.js';
import { PULL_OVERRIDES, type DownRequest, type LoadRequest, type PullOverride, type ScaleRequest } from '../../protocol/api.js';

/** Compose project names: lower-case letters, digits, `_` and `-`, starting with a letter or digit. */
const PROJECT_NAME = /^[a-z0-9][a-z0-9_-]{0,62}$/;
const SERVICE_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,127}$/;

export function projectNameParam(raw: string): string {
  const name = safeDecode(raw, 'project');
  if (!PROJECT_NAME.test(name)) throw new HttpError(400, `project name ${JSON.stringify(name.slice(0, 80))} is not valid (lower-case letters, digits, _ and -, at most 63)`, 'project');
  return name;
}

export function serviceNameParam(raw: string): string {
  return serviceName(safeDecode(raw, 'service'), 'service');
}

function serviceName(name: string, field: string): string {
  if (!SERVICE_NAME.test(name)) throw new HttpError(400, `service name ${JSON.stringify(name.slice(0, 80))} is not valid`, field);
  return name;
}

export function loadRequest(body: unknown): LoadRequest {
  const o = object(body, ['files', 'projectName', 'cwd', 'env', 'profiles', 'services', 'noDeps', 'pull']);
  const files = stringArray(o.files ?? [], 'files');
  for (const [i, file] of files.entries()) if (!file.startsWith('/')) throw new HttpError(400, 'must be an absolute path', `files[${i}]`);
  const cwd = string(o.cwd, 'cwd');
  if (!cwd.startsWith('/')) throw new HttpError(400, 'must be an absolute path', 'cwd');
  const request: LoadRequest = { files, cwd, env: stringRecord(o.env ?? {}, 'env'), profiles: stringArray(o.profiles ?? [], 'profiles') };
  if (o.projectName !== undefined) request.projectName = projectNameParam(string(o.projectName, 'projectName'));
  if (o.services !== undefined) request.services = stringArray(o.services, 'services').map((s, i) => serviceName(s, `services[${i}]`));
  if (o.noDeps !== undefined) {
    if (typeof o.noDeps !== 'boolean') throw new HttpError(400, 'must be true or false', 'noDeps');
    request.noDeps = o.noDeps;
  }
  if (o.pull !== undefined) {
    if (!PULL_OVERRIDES.includes(o.pull as PullOverride)) throw new HttpError(400, 'must be always, missing or never', 'pull');
    request.pull = o.pull as PullOverride;
  }
  return request;
}

export function scaleRequest(body: unknown): ScaleRequest {
  const o = object(body, ['replicas']);
  if (!Number.isInteger(o.replicas) || (o.replicas as number) < 0 || (o.replicas as number) > 1000) {
    throw new HttpError(400, 'must be a whole number from 0 to 1000', 'replicas');
  }
  return { replicas: o.replicas as number };
}

export function downRequest(query: URLSearchParams): DownRequest {
  const request: DownRequest = { removeVolumes: flag(query, 'volumes') };
  const seconds = timeoutParam(query);
  if (seconds !== undefined) request.timeoutSeconds = seconds;
  return request;
}

/** `?timeout=N` of down, stop and restart: whole seconds before SIGKILL. */
export function timeoutParam(query: URLSearchParams): number | undefined {
  const timeout = query.get('timeout');
  if (timeout === null) return undefined;
  const seconds = Number(timeout);
  if (!Number.isInteger(seconds) || seconds < 0 || seconds > 3600) throw new HttpError(400, 'must be whole seconds from 0 to 3600', 'timeout');
  return seconds;
}

export function flag(query: URLSearchParams, name: string): boolean {
  const value = query.get(name);
  if (value === null || value === '0' || value === 'false') return false;
  if (value === '' || value === '1' || value === 'true') return true;
  throw new HttpError(400, 'must be true or false', name);
}

export function boundedInt(query: URLSearchParams, name: string, fallback: number, max: number): number {
  const value = query.get(name);
  if (value === null) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > max) throw new HttpError(400, `must be a whole number from 0 to ${max}`, name);
  return n;
}

function safeDecode(raw: string, field: string): string {
  try {
    const decoded = decodeURIComponent(raw);
    if (decoded.includes('\0')) throw new Error('NUL');
    return decoded;
  } catch {
    throw new HttpError(400, 'is not a valid name', field);
  }
}

function object(body: unknown, allowed: string[]): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new HttpError(400, 'request body must be a JSON object');
  for (const field of Object.keys(body)) {
    if (!allowed.includes(field)) throw new HttpError(400, `unknown field (expected one of ${allowed.join(', ')})`, field);
  }
  return body as Record<string, unknown>;
}

function string(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > 4096) throw new HttpError(400, 'must be a non-empty string', field);
  return value;
}

function stringArray(value: unknown, field: string): string[] {
  if (!Array.isArray(value)) throw new HttpError(400, 'must be an array of strings', field);
  return value.map((v, i) => string(v, `${field}[${i}]`));
}

function stringRecord(value: unknown, field: string): Record<string, string> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new HttpError(400, 'must be an object of strings', field);
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) {
    if (typeof v !== 'string') throw new HttpError(400, 'must be a string', `${field}.${k}`);
    out[k] = v;
  }
  return out;
}
