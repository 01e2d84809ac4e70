// A service's ties to the rest of the project, checked where their positions are at hand: the
// networks it joins, the services it depends on, the secrets and configs it mounts.
import { posix } from 'node:path';
import { warnIgnored, type NormalizeContext } from './context.js';
import type { DependsOn, FileReference, ServiceNetwork } from './model.js';
import { bool, fieldsOf, int, items, oneOf, scalarText, sortedRecord, str, strList, type Field } from './read.js';
import { fileMode } from './service-volumes.js';
import { joinPath, kindName, type Pos } from './tree.js';

const NETWORK_KEYS = ['aliases', 'driver_opts', 'gw_priority', 'interface_name', 'ipv4_address', 'ipv6_address', 'link_local_ips', 'mac_address', 'priority'];

export function normalizeNetworks(ctx: NormalizeContext, f: Field | undefined, declared: ReadonlySet<string>): Record<string, ServiceNetwork> {
  if (!f) return { default: { aliases: [], priority: 0 } };
  const out = new Map<string, ServiceNetwork>();
  const check = (name: string, pos: Pos, path: string): boolean => {
    if (name === 'default' || declared.has(name)) return true;
    ctx.d.error(pos, path, `network "${name}" is not defined in the top-level networks`);
    return false;
  };
  if (f.node.kind === 'seq') {
    for (const item of items(f, ctx.d) ?? []) {
      const name = str(item, ctx.d);
      if (name !== undefined && check(name, item.node.pos, item.path)) out.set(name, { aliases: [], priority: 0 });
    }
    return sortedRecord(out);
  }
  if (f.node.kind !== 'map') {
    ctx.d.error(f.node.pos, f.path, `must be a list of network names or a mapping, not ${kindName(f.node)}`);
    return {};
  }
  for (const [name, entry] of f.node.entries) {
    const path = joinPath(f.path, name);
    if (!check(name, entry.keyPos, path)) continue;
    if (entry.value.kind === 'scalar' && entry.value.value === null) {
      out.set(name, { aliases: [], priority: 0 });
      continue;
    }
    const fields = fieldsOf({ node: entry.value, path, keyPos: entry.keyPos }, ctx.d, NETWORK_KEYS);
    if (!fields) continue;
    warnIgnored(ctx, fields, {
      driver_opts: 'per-network driver options are not set', gw_priority: 'gateway priority is not set',
      interface_name: 'the interface name is not set', link_local_ips: 'link-local addresses are not set',
      mac_address: 'the MAC address is not set',
    });
    const ipv4 = fields.ipv4_address ? str(fields.ipv4_address, ctx.d) : undefined;
    const ipv6 = fields.ipv6_address ? str(fields.ipv6_address, ctx.d) : undefined;
    out.set(name, {
      aliases: fields.aliases ? strList(fields.aliases, ctx.d) ?? [] : [],
      ...(ipv4 ? { ipv4Address: ipv4 } : {}),
      ...(ipv6 ? { ipv6Address: ipv6 } : {}),
      priority: fields.priority ? int(fields.priority, ctx.d) ?? 0 : 0,
    });
  }
  return sortedRecord(out);
}

const CONDITIONS = ['service_started', 'service_healthy', 'service_completed_successfully'] as const;

export function normalizeDependsOn(ctx: NormalizeContext, f: Field, where: Map<string, Field>): Record<string, DependsOn> {
  const out = new Map<string, DependsOn>();
  if (f.node.kind === 'seq') {
    for (const item of items(f, ctx.d) ?? []) {
      const name = str(item, ctx.d);
      if (name === undefined) continue;
      out.set(name, { condition: 'service_started', restart: false, required: true });
      where.set(name, item);
    }
    return sortedRecord(out);
  }
  if (f.node.kind !== 'map') {
    ctx.d.error(f.node.pos, f.path, `must be a list of service names or a mapping, not ${kindName(f.node)}`);
    return {};
  }
  for (const [name, entry] of f.node.entries) {
    const item: Field = { node: entry.value, path: joinPath(f.path, name), keyPos: entry.keyPos };
    const fields = entry.value.kind === 'scalar' && entry.value.value === null ? {} : fieldsOf(item, ctx.d, ['condition', 'required', 'restart']);
    if (!fields) continue;
    out.set(name, {
      condition: (fields.condition ? oneOf(fields.condition, ctx.d, CONDITIONS) : undefined) ?? 'service_started',
      restart: fields.restart ? bool(fields.restart, ctx.d) ?? false : false,
      required: fields.required ? bool(fields.required, ctx.d) ?? true : true,
    });
    where.set(name, { ...item, node: { kind: 'scalar', value: name, text: name, quoted: false, pos: entry.keyPos } });
  }
  return sortedRecord(out);
}

export function fileReferences(ctx: NormalizeContext, f: Field, declared: ReadonlySet<string>, kind: 'secret' | 'config'): FileReference[] {
  const out: FileReference[] = [];
  const byTarget = new Map<string, number>();
  // Secrets land in /run/secrets/<name>; configs at /<name>, as compose does.
  const defaultTarget = (source: string): string => (kind === 'secret' ? `/run/secrets/${source}` : `/${source}`);
  for (const item of items(f, ctx.d) ?? []) {
    let ref: FileReference | undefined;
    let sourceField: Field = item;
    if (item.node.kind === 'map') {
      const fields = fieldsOf(item, ctx.d, ['gid', 'mode', 'source', 'target', 'uid']);
      if (!fields) continue;
      if (!fields.source) {
        ctx.d.error(item.node.pos, item.path, `a ${kind} reference needs a source`);
        continue;
      }
      sourceField = fields.source;
      const source = str(fields.source, ctx.d);
      const target = fields.target ? str(fields.target, ctx.d) : undefined;
      const uid = fields.uid ? scalarText(fields.uid, ctx.d, 'a user id') : undefined;
      const gid = fields.gid ? scalarText(fields.gid, ctx.d, 'a group id') : undefined;
      const mode = fields.mode ? fileMode(ctx, fields.mode) : undefined;
      if (source === undefined) continue;
      const fullTarget = target === undefined ? defaultTarget(source) : kind === 'secret' && !target.startsWith('/') ? `/run/secrets/${target}` : posix.resolve('/', target);
      ref = { source, target: fullTarget, ...(uid ? { uid } : {}), ...(gid ? { gid } : {}), ...(mode !== undefined ? { mode } : {}) };
    } else {
      const source = str(item, ctx.d);
      if (source === undefined) continue;
      ref = { source, target: defaultTarget(source) };
    }
    if (!declared.has(ref.source)) {
      ctx.d.error(sourceField.node.pos, sourceField.path, `${kind} "${ref.source}" is not defined in the top-level ${kind}s`);
      continue;
    }
    const at = byTarget.get(ref.target);
    if (at === undefined) {
      byTarget.set(ref.target, out.length);
      out.push(ref);
    } else out[at] = ref;
  }
  return out;
}
