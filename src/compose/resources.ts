// Top-level networks, volumes, secrets and configs.
import { resolveHostPath, type NormalizeContext } from './context.js';
import type { FileObject, Network, Volume } from './model.js';
import { bool, fieldsOf, items, listOrDict, plainExtensions, sortedRecord, str, type Field, type Fields } from './read.js';
import { joinPath, kindName, type MapNode } from './tree.js';

/** Each entry of a top-level section as a Field; null values (`data:`) are an empty definition. */
export function sectionEntries(ctx: NormalizeContext, f: Field | undefined): Array<[string, Field]> {
  if (!f) return [];
  if (f.node.kind === 'scalar' && f.node.value === null) return [];
  if (f.node.kind !== 'map') {
    ctx.d.error(f.node.pos, f.path, `${f.path} must be a mapping, not ${kindName(f.node)}`);
    return [];
  }
  return [...(f.node as MapNode).entries].map(([k, e]) => [k, { node: e.value, path: joinPath(f.path, k), keyPos: e.keyPos }]);
}

function isEmpty(f: Field): boolean {
  return f.node.kind === 'scalar' && f.node.value === null;
}

/** `external: true`, or the legacy `external: {name: x}`, with its conflicts. */
function readExternal(ctx: NormalizeContext, fields: Fields, path: string): { external: boolean; name?: string } {
  const f = fields.external;
  if (!f) return { external: false };
  if (f.node.kind === 'map') {
    const ext = fieldsOf(f, ctx.d, ['name']);
    const name = ext?.name ? str(ext.name, ctx.d) : undefined;
    if (name !== undefined && fields.name) {
      ctx.d.error(fields.name.keyPos, path, 'name and external.name conflict; only use name');
    } else if (name !== undefined) {
      ctx.d.warn(f.keyPos, f.path, 'external.name is deprecated; use name');
    }
    return { external: true, ...(name !== undefined ? { name } : {}) };
  }
  return { external: bool(f, ctx.d) ?? false };
}

function conflictsWithExternal(ctx: NormalizeContext, fields: Fields, path: string, keys: string[]): void {
  for (const key of keys) {
    const f = fields[key];
    if (f) ctx.d.error(f.keyPos, path, `conflicting parameters "external" and "${key}" specified`);
  }
}

function stringDict(ctx: NormalizeContext, f: Field | undefined): Record<string, string> {
  const out = new Map<string, string>();
  if (!f) return {};
  for (const [k, { value }] of listOrDict(f, ctx.d) ?? []) out.set(k, value ?? '');
  return sortedRecord(out);
}

const NETWORK_KEYS = ['attachable', 'driver', 'driver_opts', 'enable_ipv4', 'enable_ipv6', 'external', 'internal', 'ipam', 'labels', 'name'];

export function normalizeNetwork(ctx: NormalizeContext, key: string, f: Field): Network | undefined {
  const defaultName = `${ctx.projectName}_${key}`;
  if (isEmpty(f)) return { name: defaultName, external: false, driverOpts: {}, internal: false, attachable: false, enableIpv6: false, labels: {} };
  const fields = fieldsOf(f, ctx.d, NETWORK_KEYS);
  if (!fields) return undefined;
  const ext = readExternal(ctx, fields, f.path);
  if (ext.external) conflictsWithExternal(ctx, fields, f.path, ['driver', 'driver_opts', 'ipam', 'internal', 'attachable', 'enable_ipv6', 'labels']);
  if (fields.enable_ipv4) ctx.d.warn(fields.enable_ipv4.keyPos, fields.enable_ipv4.path, 'ignored: IPv4 is always enabled');
  const name = fields.name ? str(fields.name, ctx.d) : ext.name;
  const driver = fields.driver ? str(fields.driver, ctx.d) : undefined;
  const ipam = fields.ipam ? readIpam(ctx, fields.ipam) : undefined;
  return {
    name: name ?? (ext.external ? key : defaultName),
    external: ext.external,
    ...(driver ? { driver } : {}),
    driverOpts: stringDict(ctx, fields.driver_opts),
    internal: fields.internal ? bool(fields.internal, ctx.d) ?? false : false,
    attachable: fields.attachable ? bool(fields.attachable, ctx.d) ?? false : false,
    enableIpv6: fields.enable_ipv6 ? bool(fields.enable_ipv6, ctx.d) ?? false : false,
    ...(ipam ? { ipam } : {}),
    labels: stringDict(ctx, fields.labels),
  };
}

function readIpam(ctx: NormalizeContext, f: Field): Network['ipam'] {
  const fields = fieldsOf(f, ctx.d, ['config', 'driver', 'options']);
  if (!fields) return undefined;
  if (fields.options) ctx.d.warn(fields.options.keyPos, fields.options.path, 'ignored: IPAM driver options are not set');
  const driver = fields.driver ? str(fields.driver, ctx.d) : undefined;
  const config: NonNullable<Network['ipam']>['config'] = [];
  for (const item of fields.config ? items(fields.config, ctx.d) ?? [] : []) {
    const c = fieldsOf(item, ctx.d, ['aux_addresses', 'gateway', 'ip_range', 'subnet']);
    if (!c) continue;
    if (c.aux_addresses) ctx.d.warn(c.aux_addresses.keyPos, c.aux_addresses.path, 'ignored: auxiliary addresses are not reserved');
    const subnet = c.subnet ? str(c.subnet, ctx.d) : undefined;
    const gateway = c.gateway ? str(c.gateway, ctx.d) : undefined;
    const ipRange = c.ip_range ? str(c.ip_range, ctx.d) : undefined;
    config.push({ ...(subnet ? { subnet } : {}), ...(gateway ? { gateway } : {}), ...(ipRange ? { ipRange } : {}) });
  }
  return { ...(driver ? { driver } : {}), config };
}

export function normalizeVolume(ctx: NormalizeContext, key: string, f: Field): Volume | undefined {
  const defaultName = `${ctx.projectName}_${key}`;
  if (isEmpty(f)) return { name: defaultName, external: false, driverOpts: {}, labels: {}, extensions: {} };
  const fields = fieldsOf(f, ctx.d, ['driver', 'driver_opts', 'external', 'labels', 'name']);
  if (!fields) return undefined;
  const ext = readExternal(ctx, fields, f.path);
  if (ext.external) conflictsWithExternal(ctx, fields, f.path, ['driver', 'driver_opts', 'labels']);
  const name = fields.name ? str(fields.name, ctx.d) : ext.name;
  const driver = fields.driver ? str(fields.driver, ctx.d) : undefined;
  return {
    name: name ?? (ext.external ? key : defaultName),
    external: ext.external,
    ...(driver ? { driver } : {}),
    driverOpts: stringDict(ctx, fields.driver_opts),
    labels: stringDict(ctx, fields.labels),
    extensions: plainExtensions(f),
  };
}

const FILE_OBJECT_KEYS = ['content', 'driver', 'driver_opts', 'environment', 'external', 'file', 'labels', 'name', 'template_driver'];

export function normalizeFileObject(ctx: NormalizeContext, key: string, f: Field, kind: 'secret' | 'config'): FileObject | undefined {
  const fields = fieldsOf(f, ctx.d, FILE_OBJECT_KEYS);
  if (!fields) return undefined;
  for (const ignored of ['driver', 'driver_opts', 'labels', 'template_driver'] as const) {
    const x = fields[ignored];
    if (x) ctx.d.warn(x.keyPos, x.path, `ignored: ${kind} ${ignored.replace('_', ' ')} is a swarm feature`);
  }
  if (kind === 'secret' && fields.content) ctx.d.error(fields.content.keyPos, fields.content.path, 'secrets cannot have inline content; use file or environment');
  const ext = readExternal(ctx, fields, f.path);
  const name = (fields.name ? str(fields.name, ctx.d) : ext.name) ?? (ext.external ? key : `${ctx.projectName}_${key}`);
  const sources = (['file', 'environment', 'content'] as const).filter((k) => fields[k]);
  if (ext.external) {
    if (sources.length > 0) ctx.d.error(fields[sources[0]!]!.keyPos, f.path, `conflicting parameters "external" and "${sources[0]}" specified`);
    return { name, external: true };
  }
  if (sources.length !== 1) {
    ctx.d.error(f.keyPos, f.path, `a ${kind} needs exactly one of file, environment${kind === 'config' ? ', content' : ''} or external`);
    return undefined;
  }
  if (fields.file) {
    const file = str(fields.file, ctx.d);
    if (file === undefined) return undefined;
    const abs = resolveHostPath(ctx, file);
    if (ctx.reader.read(abs) === undefined) {
      ctx.d.error(fields.file.node.pos, fields.file.path, `${kind} file ${abs} not found`);
      return undefined;
    }
    ctx.dependencyFiles.add(abs);
    return { name, external: false, file: abs };
  }
  if (fields.environment) {
    const environment = str(fields.environment, ctx.d);
    if (environment === undefined) return undefined;
    if (ctx.env[environment] === undefined) ctx.d.warn(fields.environment.node.pos, fields.environment.path, `environment variable ${environment} is not set; the ${kind} will be empty`);
    return { name, external: false, environment };
  }
  const content = str(fields.content!, ctx.d);
  return content === undefined ? undefined : { name, external: false, content };
}
