// Validation of exec and run requests (each bad field is a 400 naming it; unknown fields are
// refused so a typo never silently does nothing), and the one-off service a run request describes.
import { isAbsolute, resolve } from 'node:path';
import type { Project, Service, VolumeMount } from '../../compose/model.js';
import { parsePortSpec } from '../../compose/ports.js';
import { parseVolumeSpec } from '../../compose/volume-spec.js';
import { HttpError } from './http.js';
import type { ExecRequest, RunRequest } from '../../protocol/session.js';

const ENV_ENTRY = /^[^=\s]+=/s;
const CONTAINER_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,127}$/;

export function execRequest(raw: unknown): ExecRequest {
  const o = object(raw, ['cmd', 'tty', 'interactive', 'detach', 'user', 'workdir', 'env', 'index', 'privileged']);
  const cmd = strings(o.cmd, 'cmd');
  if (cmd.length === 0) throw new HttpError(400, 'a command is required', 'cmd');
  const index = o.index ?? 1;
  if (!Number.isInteger(index) || (index as number) < 1) throw new HttpError(400, 'must be a replica number from 1', 'index');
  return {
    cmd,
    tty: bool(o.tty, 'tty'),
    interactive: bool(o.interactive, 'interactive'),
    detach: bool(o.detach, 'detach'),
    ...optionalStrings(o, ['user', 'workdir']),
    env: envEntries(o.env),
    index: index as number,
    privileged: bool(o.privileged, 'privileged'),
  };
}

export function runRequest(raw: unknown): RunRequest {
  const o = object(raw, ['command', 'entrypoint', 'tty', 'interactive', 'detach', 'rm', 'user', 'workdir', 'env', 'name', 'publish', 'volumes', 'cwd']);
  const cwd = typeof o.cwd === 'string' && isAbsolute(o.cwd) ? o.cwd : fail('must be an absolute path', 'cwd');
  const request: RunRequest = {
    command: strings(o.command ?? [], 'command'),
    tty: bool(o.tty, 'tty'),
    interactive: bool(o.interactive, 'interactive'),
    detach: bool(o.detach, 'detach'),
    rm: bool(o.rm, 'rm'),
    ...optionalStrings(o, ['user', 'workdir', 'name']),
    env: envEntries(o.env),
    publish: strings(o.publish ?? [], 'publish'),
    volumes: strings(o.volumes ?? [], 'volumes'),
    cwd,
  };
  if (o.entrypoint !== undefined) request.entrypoint = strings(o.entrypoint, 'entrypoint');
  if (request.name !== undefined && !CONTAINER_NAME.test(request.name)) fail(`${JSON.stringify(request.name)} is not a container name`, 'name');
  return request;
}

/** The service as `run` starts it: its config with the request's overrides, one container, no replica settings. */
export function oneOffService(project: Project, service: Service, request: RunRequest): Service {
  const environment = { ...service.environment };
  for (const entry of request.env) {
    const at = entry.indexOf('=');
    environment[entry.slice(0, at)] = entry.slice(at + 1);
  }
  return {
    ...service,
    ...(request.command.length ? { command: request.command } : {}),
    ...(request.entrypoint !== undefined ? { entrypoint: request.entrypoint } : {}),
    ...(request.user !== undefined ? { user: request.user } : {}),
    ...(request.workdir !== undefined ? { workingDir: request.workdir } : {}),
    environment,
    tty: request.tty,
    stdinOpen: request.interactive,
    // As compose's run: the service's own ports are not published (they belong to its replicas).
    ports: request.publish.flatMap((spec, i) => {
      const parsed = parsePortSpec(spec);
      if (!parsed.ok) fail(parsed.error, `publish[${i}]`);
      return parsed.ok ? parsed.ports : [];
    }),
    volumes: [...service.volumes, ...request.volumes.map((spec, i) => extraVolume(project, spec, request.cwd, `volumes[${i}]`))],
    replicas: 1,
    containerName: undefined,
    composed: { ...service.composed, autoscale: undefined, balance: false },
  };
}

function extraVolume(project: Project, spec: string, cwd: string, field: string): VolumeMount {
  const parsed = parseVolumeSpec(spec);
  if (!parsed.ok) fail(parsed.error, field);
  const v = parsed.ok ? parsed.volume : (undefined as never);
  if (v.type === 'bind') {
    return { type: 'bind', source: resolve(cwd, v.source), target: v.target, readOnly: v.readOnly, createHostPath: true, ...(v.propagation ? { propagation: v.propagation } : {}), ...(v.selinux ? { selinux: v.selinux } : {}) };
  }
  if (v.source !== '' && !project.volumes[v.source]) fail(`volume ${JSON.stringify(v.source)} is not a volume of project ${project.name} (it has ${Object.keys(project.volumes).join(', ') || 'none'})`, field);
  return { type: 'volume', ...(v.source !== '' ? { source: v.source } : {}), target: v.target, readOnly: v.readOnly, nocopy: v.nocopy };
}

function fail(message: string, field: string): never {
  throw new HttpError(400, message, field);
}

function object(value: unknown, allowed: string[]): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail('the request must be a JSON object', 'request');
  const o = value as Record<string, unknown>;
  for (const key of Object.keys(o)) if (!allowed.includes(key)) fail(`unknown field (expected one of ${allowed.join(', ')})`, key);
  return o;
}

function strings(value: unknown, field: string): string[] {
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) fail('must be an array of strings', field);
  return value as string[];
}

function bool(value: unknown, field: string): boolean {
  if (value === undefined) return false;
  if (typeof value !== 'boolean') fail('must be true or false', field);
  return value as boolean;
}

function optionalStrings<K extends string>(o: Record<string, unknown>, keys: K[]): Partial<Record<K, string>> {
  const out: Partial<Record<K, string>> = {};
  for (const key of keys) {
    if (o[key] === undefined) continue;
    if (typeof o[key] !== 'string') fail('must be a string', key);
    out[key] = o[key] as string;
  }
  return out;
}

function envEntries(value: unknown): string[] {
  const list = strings(value ?? [], 'env');
  list.forEach((e, i) => ENV_ENTRY.test(e) || fail(`${JSON.stringify(e)} is not KEY=VALUE`, `env[${i}]`));
  return list;
}
