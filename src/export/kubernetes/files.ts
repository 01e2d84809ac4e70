// Top-level configs and secrets -> ConfigMaps and Secrets, mounted file by file at the paths compose
// uses (a secret at /run/secrets/<name> unless it names a target).
import type { FileObject, FileReference, Service } from '../../compose/model.js';
import { displayPath, projectMeta, servicePath, type ExportContext } from './context.js';
import type { ConfigMap, PodVolume, Secret, VolumeMount } from './manifest.js';

export type FileKind = 'config' | 'secret';

/** Docker's mode for config and secret files when the reference gives none. */
const DEFAULT_MODE = 0o444;

function fileObjects(ctx: ExportContext, kind: FileKind): Record<string, FileObject> {
  return kind === 'config' ? ctx.project.configs : ctx.project.secrets;
}

/** The key inside the ConfigMap or Secret: the compose name, limited to what data keys allow. */
function dataKey(key: string): string {
  return key.replace(/[^-._a-zA-Z0-9]+/g, '_');
}

/** The object for a config or secret; undefined for an external one, which must already exist. */
export function fileObjectManifest(ctx: ExportContext, kind: FileKind, key: string): ConfigMap | Secret | undefined {
  const obj = fileObjects(ctx, kind)[key]!;
  const path = `${kind}s.${key}`;
  const name = objectName(ctx, kind, key);
  if (obj.external) {
    ctx.warnings.add(path, `external: a ${kind === 'config' ? 'ConfigMap' : 'Secret'} named ${name} must exist in the namespace`);
    return undefined;
  }
  const content = readContent(ctx, obj, path);
  const metadata = projectMeta(ctx, name);
  if (kind === 'secret') {
    ctx.warnings.add(path, 'its content is written into the Secret manifest (base64, not encrypted); keep the output out of version control');
    return { apiVersion: 'v1', kind: 'Secret', metadata, type: 'Opaque', data: { [dataKey(key)]: content.toString('base64') } };
  }
  const text = content.toString('utf8');
  return Buffer.from(text, 'utf8').equals(content)
    ? { apiVersion: 'v1', kind: 'ConfigMap', metadata, data: { [dataKey(key)]: text } }
    : { apiVersion: 'v1', kind: 'ConfigMap', metadata, binaryData: { [dataKey(key)]: content.toString('base64') } };
}

function readContent(ctx: ExportContext, obj: FileObject, path: string): Buffer {
  if (obj.file !== undefined) {
    const data = ctx.readFile(obj.file);
    if (data === undefined) ctx.warnings.add(`${path}.file`, `${displayPath(ctx, obj.file)} could not be read; the object is empty`);
    return data ?? Buffer.alloc(0);
  }
  if (obj.environment !== undefined) {
    const value = ctx.env[obj.environment];
    if (value === undefined) ctx.warnings.add(`${path}.environment`, `${obj.environment} is not set; the object is empty`);
    return Buffer.from(value ?? '', 'utf8');
  }
  return Buffer.from(obj.content ?? '', 'utf8');
}

/** An external object is looked up by the name it has outside the project. */
function objectName(ctx: ExportContext, kind: FileKind, key: string): string {
  const obj = fileObjects(ctx, kind)[key]!;
  return obj.external ? obj.name : (kind === 'config' ? ctx.names.configs : ctx.names.secrets).get(key);
}

export interface FileMount {
  volume: PodVolume;
  mount: VolumeMount;
}

/** One pod volume per reference, projecting the single key onto the reference's target path. */
export function fileMount(ctx: ExportContext, service: Service, kind: FileKind, ref: FileReference, volumeName: string): FileMount {
  const key = dataKey(ref.source);
  const item = { key, path: key, mode: ref.mode ?? DEFAULT_MODE };
  for (const id of ['uid', 'gid'] as const) {
    if (ref[id] !== undefined) {
      ctx.warnings.add(servicePath(service, `${kind}s.${ref.source}.${id}`), 'not carried over: projected files belong to root unless the pod sets fsGroup');
    }
  }
  const name = objectName(ctx, kind, ref.source);
  const volume: PodVolume =
    kind === 'config' ? { name: volumeName, configMap: { name, items: [item] } } : { name: volumeName, secret: { secretName: name, items: [item] } };
  return { volume, mount: { name: volumeName, mountPath: ref.target, subPath: key, readOnly: true } };
}
