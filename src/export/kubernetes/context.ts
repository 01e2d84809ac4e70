// What every mapping step shares: the project, the options, the names chosen for it, and the
// warnings collected so far.
import { isAbsolute, relative } from 'node:path';
import type { Project, Service } from '../../compose/model.js';
import { sortedKeys } from './sorted-keys.js';
import type { ObjectMeta } from './manifest.js';
import { labelValue, NameTable, SERVICE_NAME_MAX } from './names.js';
import type { ExportInput, ExportOptions } from './options.js';
import { Warnings } from './warnings.js';

export interface ExportContext {
  project: Project;
  options: ExportOptions;
  warnings: Warnings;
  readFile: ExportInput['readFile'];
  env: ExportInput['env'];
  names: {
    /** Services name their workload, Service and autoscaler alike: one name per compose service. */
    services: NameTable;
    volumes: NameTable;
    configs: NameTable;
    secrets: NameTable;
  };
}

export function createContext(input: ExportInput): ExportContext {
  const ctx: ExportContext = {
    project: input.project,
    options: input.options,
    warnings: new Warnings(),
    readFile: input.readFile,
    env: input.env,
    names: {
      services: new NameTable('services', SERVICE_NAME_MAX),
      volumes: new NameTable('volumes'),
      configs: new NameTable('configs'),
      secrets: new NameTable('secrets'),
    },
  };
  const p = input.project;
  for (const key of Object.keys(p.services).sort()) ctx.names.services.assign(key, ctx.warnings);
  for (const key of Object.keys(p.volumes).sort()) ctx.names.volumes.assign(key);
  for (const key of Object.keys(p.configs).sort()) ctx.names.configs.assign(key);
  for (const key of Object.keys(p.secrets).sort()) ctx.names.secrets.assign(key);
  return ctx;
}

/** `services.<name>.<key>`: how warnings name a service's key. */
export function servicePath(service: Service, key?: string): string {
  return key ? `services.${service.name}.${key}` : `services.${service.name}`;
}

/** The labels that tie a service's pods to its workload, Service and autoscaler. */
export function selectorLabels(ctx: ExportContext, service: Service): Record<string, string> {
  return {
    'app.kubernetes.io/name': ctx.names.services.get(service.name),
    'app.kubernetes.io/part-of': labelValue(ctx.project.name),
  };
}

/** Metadata for a project-wide object (PVC, ConfigMap, Secret). */
export function projectMeta(ctx: ExportContext, name: string, extra: Pick<ObjectMeta, 'labels' | 'annotations'> = {}): ObjectMeta {
  return {
    name,
    ...(ctx.options.namespace ? { namespace: ctx.options.namespace } : {}),
    ...(extra.annotations && Object.keys(extra.annotations).length > 0 ? { annotations: sortedKeys(extra.annotations) } : {}),
    labels: sortedKeys({ ...extra.labels, 'app.kubernetes.io/part-of': labelValue(ctx.project.name) }),
  };
}

/** Metadata for an object that belongs to one service. */
export function serviceMeta(ctx: ExportContext, service: Service, name = ctx.names.services.get(service.name)): ObjectMeta {
  return {
    name,
    ...(ctx.options.namespace ? { namespace: ctx.options.namespace } : {}),
    labels: selectorLabels(ctx, service),
  };
}

/** A host path as the user would write it: relative to the project directory when inside it. */
export function displayPath(ctx: ExportContext, path: string): string {
  const rel = relative(ctx.project.workingDir, path);
  if (rel === '') return '.';
  return !rel.startsWith('..') && !isAbsolute(rel) ? `./${rel}` : path;
}
