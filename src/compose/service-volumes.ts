// services.*.volumes (short and long syntax, merged by target) and services.*.tmpfs.
import { resolveHostPath, warnIgnored, type NormalizeContext } from './context.js';
import type { VolumeMount } from './model.js';
import { bool, fieldsOf, items, oneOf, str, strOrList, type Field } from './read.js';
import { kindName } from './tree.js';
import { parseBytes } from './units.js';
import { PROPAGATIONS, parseVolumeSpec } from './volume-spec.js';

const LONG_KEYS = ['bind', 'consistency', 'image', 'read_only', 'source', 'target', 'tmpfs', 'type', 'volume'];
const MOUNT_TYPES = ['volume', 'bind', 'tmpfs', 'npipe', 'cluster', 'image'] as const;

export function normalizeVolumes(ctx: NormalizeContext, f: Field, declared: ReadonlySet<string>): VolumeMount[] {
  const list = items(f, ctx.d);
  if (!list) return [];
  const out: VolumeMount[] = [];
  const from: Field[] = [];
  const byTarget = new Map<string, number>();
  for (const item of list) {
    const mount = item.node.kind === 'map' ? longVolume(ctx, item, declared) : shortVolume(ctx, item, declared);
    if (!mount) continue;
    // One mount per target: a later one (an override file) replaces the earlier.
    const at = byTarget.get(mount.target);
    if (at === undefined) {
      byTarget.set(mount.target, out.length);
      out.push(mount);
      from.push(item);
    } else {
      out[at] = mount;
      from[at] = item;
    }
  }
  out.forEach((mount, i) => {
    const risk = mount.type === 'bind' ? hostAccessRisk(mount.source) : undefined;
    if (risk) ctx.d.warn(from[i]!.node.pos, from[i]!.path, `bind mount of ${risk}`);
  });
  return out;
}

/** Host paths whose bind mount hands the container the host: `/`, the Docker socket and what holds it. */
const RISKY_HOST_PATHS: Record<string, string> = {
  '/': "the host's root filesystem: the container can read and change everything on the host",
  '/var/run/docker.sock': 'the Docker socket: the container controls the engine, which is root on the host',
  '/run/docker.sock': 'the Docker socket: the container controls the engine, which is root on the host',
  '/var/run': 'the directory holding the Docker socket: the container controls the engine, which is root on the host',
  '/run': 'the directory holding the Docker socket: the container controls the engine, which is root on the host',
  '/var/lib/docker': "the engine's data directory: the container can change every image, volume and container",
  '/run/containerd/containerd.sock': 'the containerd socket: the container controls every container, which is root on the host',
};

function hostAccessRisk(source: string): string | undefined {
  const path = source.length > 1 ? source.replace(/\/+$/, '') : source;
  return RISKY_HOST_PATHS[path] ?? (path.endsWith('/docker.sock') ? RISKY_HOST_PATHS['/var/run/docker.sock'] : undefined);
}

function shortVolume(ctx: NormalizeContext, item: Field, declared: ReadonlySet<string>): VolumeMount | undefined {
  const spec = str(item, ctx.d);
  if (spec === undefined) return undefined;
  const r = parseVolumeSpec(spec);
  if (!r.ok) {
    ctx.d.error(item.node.pos, item.path, r.error);
    return undefined;
  }
  const v = r.volume;
  if (v.unknownOptions.length > 0) {
    ctx.d.warn(item.node.pos, item.path, `ignored unknown volume option${v.unknownOptions.length > 1 ? 's' : ''} ${v.unknownOptions.map((o) => JSON.stringify(o)).join(', ')}`);
  }
  if (!checkTarget(ctx, item, v.target)) return undefined;
  if (v.type === 'bind') {
    return {
      type: 'bind',
      source: resolveHostPath(ctx, v.source),
      target: v.target,
      readOnly: v.readOnly,
      // Short syntax creates a missing host directory, as docker-compose always did.
      createHostPath: true,
      ...(v.propagation ? { propagation: v.propagation } : {}),
      ...(v.selinux ? { selinux: v.selinux } : {}),
    };
  }
  if (v.source !== '' && !checkNamedVolume(ctx, item, v.source, declared)) return undefined;
  return {
    type: 'volume',
    ...(v.source !== '' ? { source: v.source } : {}),
    target: v.target,
    readOnly: v.readOnly,
    nocopy: v.nocopy,
  };
}

function longVolume(ctx: NormalizeContext, item: Field, declared: ReadonlySet<string>): VolumeMount | undefined {
  const fields = fieldsOf(item, ctx.d, LONG_KEYS);
  if (!fields) return undefined;
  if (!fields.type) {
    ctx.d.error(item.node.pos, item.path, 'a long-syntax volume needs a type (volume, bind or tmpfs)');
    return undefined;
  }
  const type = oneOf(fields.type, ctx.d, MOUNT_TYPES);
  if (type === undefined) return undefined;
  if (type !== 'volume' && type !== 'bind' && type !== 'tmpfs') {
    ctx.d.error(fields.type.node.pos, fields.type.path, `volume type "${type}" is not supported by composed (use volume, bind or tmpfs)`);
    return undefined;
  }
  warnIgnored(ctx, fields, { consistency: 'mount consistency is a Docker Desktop setting', image: 'only for type image' });
  if (!fields.target) {
    ctx.d.error(item.node.pos, item.path, 'a volume needs a target (the path in the container)');
    return undefined;
  }
  const target = str(fields.target, ctx.d);
  if (target === undefined || !checkTarget(ctx, fields.target, target)) return undefined;
  const source = fields.source ? str(fields.source, ctx.d) : undefined;
  const readOnly = fields.read_only ? bool(fields.read_only, ctx.d) ?? false : false;
  for (const other of ['bind', 'volume', 'tmpfs'] as const) {
    const f = fields[other];
    if (f && other !== type) ctx.d.error(f.keyPos, f.path, `"${other}" options do not apply to a ${type} mount`);
  }
  if (type === 'bind') {
    if (!source) {
      ctx.d.error(item.node.pos, item.path, 'a bind mount needs a source (the host path)');
      return undefined;
    }
    const opts = fields.bind ? fieldsOf(fields.bind, ctx.d, ['create_host_path', 'propagation', 'recursive', 'selinux']) : {};
    if (opts) warnIgnored(ctx, opts, { recursive: 'recursive read-only options are not applied' });
    const propagation = opts?.propagation ? oneOf(opts.propagation, ctx.d, PROPAGATIONS) : undefined;
    const selinux = opts?.selinux ? oneOf(opts.selinux, ctx.d, ['z', 'Z'] as const) : undefined;
    return {
      type: 'bind',
      source: resolveHostPath(ctx, source),
      target,
      readOnly,
      createHostPath: opts?.create_host_path ? bool(opts.create_host_path, ctx.d) ?? false : false,
      ...(propagation ? { propagation } : {}),
      ...(selinux ? { selinux } : {}),
    };
  }
  if (type === 'volume') {
    const opts = fields.volume ? fieldsOf(fields.volume, ctx.d, ['labels', 'nocopy', 'subpath']) : {};
    if (opts) warnIgnored(ctx, opts, { labels: 'labels of an implicit volume are not set' });
    if (source && !checkNamedVolume(ctx, fields.source!, source, declared)) return undefined;
    const subpath = opts?.subpath ? str(opts.subpath, ctx.d) : undefined;
    return {
      type: 'volume',
      ...(source ? { source } : {}),
      target,
      readOnly,
      nocopy: opts?.nocopy ? bool(opts.nocopy, ctx.d) ?? false : false,
      ...(subpath ? { subpath } : {}),
    };
  }
  if (fields.source) ctx.d.error(fields.source.keyPos, fields.source.path, 'a tmpfs mount has no source');
  const opts = fields.tmpfs ? fieldsOf(fields.tmpfs, ctx.d, ['mode', 'size']) : {};
  let sizeBytes: number | undefined;
  if (opts?.size) {
    const n = opts.size.node;
    sizeBytes = n.kind === 'scalar' && (typeof n.value === 'number' || typeof n.value === 'string') ? parseBytes(n.value) : undefined;
    if (sizeBytes === undefined || sizeBytes < 0) {
      ctx.d.error(n.pos, opts.size.path, `${kindName(n)} is not a size (expected bytes or a number with a unit: 64m, 1g)`);
      sizeBytes = undefined;
    }
  }
  const mode = opts?.mode ? fileMode(ctx, opts.mode) : undefined;
  return { type: 'tmpfs', target, ...(sizeBytes !== undefined ? { sizeBytes } : {}), ...(mode !== undefined ? { mode } : {}) };
}

function checkTarget(ctx: NormalizeContext, f: Field, target: string): boolean {
  if (target.startsWith('/')) return true;
  ctx.d.error(f.node.pos, f.path, `mount target ${JSON.stringify(target)} must be an absolute path in the container`);
  return false;
}

function checkNamedVolume(ctx: NormalizeContext, f: Field, name: string, declared: ReadonlySet<string>): boolean {
  if (declared.has(name)) return true;
  ctx.d.error(f.node.pos, f.path, `volume "${name}" is not defined in the top-level volumes (add \`volumes: {${name}: {}}\`)`);
  return false;
}

/**
 * File modes as compose reads them: a string is octal ("0440", "440", interpolated "$MODE"), a
 * number is octal when written with a leading 0 or 0o (0440) and decimal otherwise (288).
 */
export function fileMode(ctx: NormalizeContext, f: Field): number | undefined {
  const n = f.node;
  if (n.kind === 'scalar') {
    const text = n.text.trim();
    if (typeof n.value === 'string' && /^(0o)?[0-7]+$/.test(text)) return parseInt(text.replace(/^0o/, ''), 8);
    if (typeof n.value === 'number' && /^0o?[0-7]+$/.test(text)) return parseInt(text.replace(/^0o?/, '') || '0', 8);
    if (typeof n.value === 'number' && Number.isInteger(n.value) && n.value >= 0) return n.value;
  }
  ctx.d.error(n.pos, f.path, `${kindName(n)} is not a file mode (expected octal, e.g. 0440)`);
  return undefined;
}

export function normalizeTmpfs(ctx: NormalizeContext, f: Field): string[] {
  const list = strOrList(f, ctx.d) ?? [];
  return list.filter((t, i) => {
    if (t.startsWith('/')) return true;
    ctx.d.error(f.node.kind === 'seq' ? f.node.items[i]!.pos : f.node.pos, f.node.kind === 'seq' ? `${f.path}[${i}]` : f.path, `tmpfs target ${JSON.stringify(t)} must be an absolute path`);
    return false;
  });
}
